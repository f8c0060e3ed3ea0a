//! The questions an install asks ([`Setting`]) and the user's answers to them
//! ([`Answers`]): plain values, secrets (held as [`SecretValue`], never printed), and
//! secrets already in the keychain that an update keeps.
//!
//! Owns: the settings form, merging settings that share a key, and checking answers
//! against it (unknown keys, a secret given as plain text, choices, numbers, booleans,
//! absolute paths). Must not: print or compare a secret's value.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use serde::Serialize;
use switchboard_secrets::Sensitive;

use crate::meta::Access;

/// A secret the user typed: printed as `<redacted>`, never serialised, zeroed when dropped.
pub type SecretValue = Sensitive<String>;

/// One question of an install form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Setting {
    /// What the answer is given under: an environment variable's name, a flag, a value
    /// hint, a header's name, a `{variable}`, or a bundle's `user_config` key.
    pub key: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kind: SettingKind,
    /// Kept in the keychain and asked for without echo.
    pub secret: bool,
    pub required: bool,
    /// Several values may be given.
    pub multiple: bool,
    /// What is used when nothing is given (several for a setting that takes several).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defaults: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Where the answer ends up.
    pub place: Place,
}

/// What kind of value a setting takes (and so which control asks for it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SettingKind {
    Text,
    Number {
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    Boolean,
    Choice {
        choices: Vec<String>,
    },
    /// A file: the file picker is offered.
    File,
    /// A folder: the folder picker is offered and the folder is granted with this access.
    Folder {
        access: Access,
    },
}

/// Where an answer ends up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Place {
    /// The server's environment.
    Environment,
    /// The server's command line.
    Argument,
    /// An HTTP header sent to a remote server.
    Header,
    /// The remote server's address.
    Address,
    /// Only granted to the server (built-ins read their folders from grants).
    Grant,
}

/// The user's answers to an install form, by setting key.
#[derive(Debug, Default, Clone)]
pub struct Answers {
    values: BTreeMap<String, Vec<String>>,
    secrets: BTreeMap<String, SecretValue>,
    kept: BTreeSet<String>,
}

impl Answers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a plain value, replacing any before.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.insert(key.into(), vec![value.into()]);
        self
    }

    /// Adds one more value (a setting that takes several, such as folders).
    pub fn add(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values
            .entry(key.into())
            .or_default()
            .push(value.into());
        self
    }

    /// Sets a secret.
    pub fn set_secret(&mut self, key: impl Into<String>, value: SecretValue) -> &mut Self {
        let key = key.into();
        self.kept.remove(&key);
        self.secrets.insert(key, value);
        self
    }

    /// Says a secret is already in the keychain and stays as it is (an update).
    pub fn keep_secret(&mut self, key: impl Into<String>) -> &mut Self {
        let key = key.into();
        self.secrets.remove(&key);
        self.kept.insert(key);
        self
    }

    /// The plain values given for `key` (blank ones left out).
    pub fn values(&self, key: &str) -> Vec<&str> {
        self.values
            .get(key)
            .map(|values| {
                values
                    .iter()
                    .map(String::as_str)
                    .filter(|value| !value.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn secret(&self, key: &str) -> Option<&SecretValue> {
        self.secrets.get(key).filter(|secret| !secret.is_empty())
    }

    pub fn is_kept(&self, key: &str) -> bool {
        self.kept.contains(key)
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.values
            .keys()
            .chain(self.secrets.keys())
            .chain(self.kept.iter())
    }
}

/// An answer that does not fit its setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    pub setting: String,
    pub message: String,
}

/// The settings of one install, each key once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pub(crate) settings: Vec<Setting>,
}

impl Form {
    /// Adds a setting; one whose key is already there makes that one stricter (required
    /// or secret if either is) instead of asking twice.
    pub(crate) fn add(&mut self, setting: Setting) {
        match self.settings.iter_mut().find(|s| s.key == setting.key) {
            Some(existing) => {
                existing.required |= setting.required;
                existing.secret |= setting.secret;
                existing.multiple &= setting.multiple;
                if existing.description.is_none() {
                    existing.description = setting.description;
                }
                if existing.defaults.is_empty() {
                    existing.defaults = setting.defaults;
                }
            }
            None => self.settings.push(setting),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key == key)
    }

    /// Everything wrong with `answers` for this form.
    pub(crate) fn check(&self, answers: &Answers) -> Vec<AnswerProblem> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String| {
            problems.push(AnswerProblem {
                setting: key.to_owned(),
                message,
            });
        };
        let known: BTreeSet<&str> = answers.keys().map(String::as_str).collect();
        for key in known {
            let Some(setting) = self.get(key) else {
                let names: Vec<&str> = self.settings.iter().map(|s| s.key.as_str()).collect();
                problem(
                    key,
                    if names.is_empty() {
                        format!("\"{key}\" is not a setting: this server takes none")
                    } else {
                        format!(
                            "\"{key}\" is not a setting of this server (its settings: {})",
                            names.join(", ")
                        )
                    },
                );
                continue;
            };
            let plain = answers.values.get(key);
            if setting.secret {
                if plain.is_some() {
                    problem(
                        key,
                        format!(
                            "{} is a secret: give it as a secret so it goes to the keychain, \
                             not as plain text",
                            setting.title
                        ),
                    );
                }
                continue;
            }
            if answers.secrets.contains_key(key) || answers.kept.contains(key) {
                problem(
                    key,
                    format!(
                        "{} is not a secret: give it as a plain value",
                        setting.title
                    ),
                );
            }
            let values = answers.values(key);
            if values.len() > 1 && !setting.multiple {
                problem(
                    key,
                    format!(
                        "{} takes one value, and {} were given",
                        setting.title,
                        values.len()
                    ),
                );
            }
            for value in values {
                if let Some(message) = value_problem(setting, value) {
                    problem(key, message);
                }
            }
        }
        problems
    }
}

/// Why `value` does not fit `setting`, if it does not.
fn value_problem(setting: &Setting, value: &str) -> Option<String> {
    let title = &setting.title;
    if value.contains('\0') {
        return Some(format!("{title} contains a NUL character"));
    }
    match &setting.kind {
        SettingKind::Text => None,
        SettingKind::Number { min, max } => match value.trim().parse::<f64>() {
            Ok(number) if number.is_finite() => {
                if min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
                    Some(format!(
                        "{title} must be between {} and {}; {value} is not",
                        min.map_or("any".to_owned(), |n| n.to_string()),
                        max.map_or("any".to_owned(), |n| n.to_string())
                    ))
                } else {
                    None
                }
            }
            _ => Some(format!("{title} must be a number; \"{value}\" is not one")),
        },
        SettingKind::Boolean => (value != "true" && value != "false")
            .then(|| format!("{title} must be true or false; \"{value}\" is neither")),
        SettingKind::Choice { choices } => (!choices.iter().any(|c| c == value)).then(|| {
            format!(
                "{title} must be one of {}; \"{value}\" is not",
                choices.join(", ")
            )
        }),
        SettingKind::File | SettingKind::Folder { .. } => {
            (!Path::new(value).is_absolute()).then(|| {
                format!(
                    "{title} must be a full path (such as one chosen with the picker); \
                     \"{value}\" is relative"
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(key: &str, kind: SettingKind, secret: bool) -> Setting {
        Setting {
            key: key.to_owned(),
            title: key.to_owned(),
            description: None,
            kind,
            secret,
            required: false,
            multiple: false,
            defaults: Vec::new(),
            placeholder: None,
            place: Place::Environment,
        }
    }

    fn form() -> Form {
        let mut form = Form::default();
        form.add(setting("TOKEN", SettingKind::Text, true));
        form.add(setting(
            "MODE",
            SettingKind::Choice {
                choices: vec!["fast".into(), "safe".into()],
            },
            false,
        ));
        form.add(setting(
            "PORT",
            SettingKind::Number {
                min: Some(1.0),
                max: Some(65535.0),
            },
            false,
        ));
        form.add(setting("DEBUG", SettingKind::Boolean, false));
        form.add(setting(
            "ROOT",
            SettingKind::Folder {
                access: Access::ReadOnly,
            },
            false,
        ));
        form
    }

    fn messages(answers: &Answers) -> Vec<String> {
        form()
            .check(answers)
            .into_iter()
            .map(|p| format!("{}: {}", p.setting, p.message))
            .collect()
    }

    #[test]
    fn good_answers_pass() {
        let mut answers = Answers::new();
        answers
            .set_secret("TOKEN", "s3cret-value".into())
            .set("MODE", "safe")
            .set("PORT", "8080")
            .set("DEBUG", "false");
        answers.set("ROOT", if cfg!(windows) { "C:\\data" } else { "/data" });
        assert_eq!(messages(&answers), Vec::<String>::new());
    }

    #[test]
    fn a_secret_given_as_plain_text_is_refused_without_echoing_it() {
        let mut answers = Answers::new();
        answers.set("TOKEN", "ghp_plain_leak");
        let found = messages(&answers);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("is a secret"), "{found:?}");
        assert!(
            !found[0].contains("ghp_plain_leak"),
            "the value must not be echoed: {found:?}"
        );
    }

    #[test]
    fn each_kind_of_wrong_answer_is_named() {
        let mut answers = Answers::new();
        answers
            .set("MODE", "reckless")
            .set("PORT", "99999")
            .set("DEBUG", "yes")
            .set("ROOT", "relative/path")
            .set("COLOUR", "blue")
            .set_secret("MODE", "x".into());
        let found = messages(&answers).join("\n");
        for expected in [
            "MODE: MODE must be one of fast, safe",
            "MODE: MODE is not a secret",
            "PORT: PORT must be between 1 and 65535",
            "DEBUG: DEBUG must be true or false",
            "ROOT: ROOT must be a full path",
            "COLOUR: \"COLOUR\" is not a setting of this server (its settings: TOKEN, MODE",
        ] {
            assert!(
                found.contains(expected),
                "missing {expected:?} in:\n{found}"
            );
        }
    }

    #[test]
    fn one_value_settings_refuse_several() {
        let mut answers = Answers::new();
        answers.add("MODE", "fast").add("MODE", "safe");
        let found = messages(&answers);
        assert!(
            found
                .iter()
                .any(|m| m.contains("takes one value, and 2 were given"))
        );
    }

    #[test]
    fn settings_with_one_key_merge_into_the_stricter_one() {
        let mut form = Form::default();
        form.add(setting("token", SettingKind::Text, false));
        let mut stricter = setting("token", SettingKind::Text, true);
        stricter.required = true;
        form.add(stricter);
        assert_eq!(form.settings.len(), 1);
        assert!(form.settings[0].secret && form.settings[0].required);
    }

    #[test]
    fn answers_debug_hides_secrets() {
        let mut answers = Answers::new();
        answers.set_secret("TOKEN", "ghp_top_secret_123".into());
        let printed = format!("{answers:?}");
        assert!(!printed.contains("ghp_top_secret_123"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
