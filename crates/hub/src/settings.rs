//! The user's settings that the daemon reads: each key, what it means, its default and the
//! kind of its value. The store keeps values under these keys; anything else is refused, so
//! a typo never silently does nothing. The kind tells a UI how to show a setting, so a new
//! setting appears in the app without changes there.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::control::{ControlError, ErrorCode};

/// Lets the `fetch` server reach this computer and the local network.
pub const FETCH_ALLOW_PRIVATE_ADDRESSES: &str = "fetch.allow_private_addresses";
/// How many days of calls the call log keeps.
pub const CALLS_RETENTION_DAYS: &str = "calls.retention_days";
/// What quitting the app does to the daemon: `keep_serving` or `stop_servers`.
pub const APP_ON_QUIT: &str = "app.on_quit";

/// The `app.on_quit` value that stops the daemon and its servers with the app.
pub const ON_QUIT_STOP_SERVERS: &str = "stop_servers";
/// The `app.on_quit` value that leaves the daemon serving clients after the app quits.
pub const ON_QUIT_KEEP_SERVING: &str = "keep_serving";

/// What the daemon does when a client rewrites its config file and drops or alters an entry
/// Switchboard manages: `reapply` or `surface`.
pub const CLIENTS_DRIFT: &str = "clients.drift";

/// The values of [`CLIENTS_DRIFT`].
pub const DRIFT_REAPPLY: &str = "reapply";
pub const DRIFT_SURFACE: &str = "surface";

/// One known setting.
#[derive(Debug, Clone, Copy)]
struct Spec {
    key: &'static str,
    title: &'static str,
    description: &'static str,
    kind: Kind,
}

/// The kind of a setting's value, with its default.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool(bool),
    /// A whole number in `min..=max`, with its unit in words.
    Integer {
        default: i64,
        min: i64,
        max: i64,
        unit: &'static str,
    },
    /// One of a few values, each with the words a person reads.
    Choice {
        default: &'static str,
        options: &'static [(&'static str, &'static str)],
    },
}

impl Kind {
    fn default_value(self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(b),
            Self::Integer { default, .. } => Value::from(default),
            Self::Choice { default, .. } => Value::from(default),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Self::Bool(_) => value.is_boolean(),
            Self::Integer { min, max, .. } => {
                value.as_i64().is_some_and(|n| (min..=max).contains(&n))
            }
            Self::Choice { options, .. } => value
                .as_str()
                .is_some_and(|v| options.iter().any(|(option, _)| *option == v)),
        }
    }

    fn expected(self) -> String {
        match self {
            Self::Bool(_) => "true or false".to_owned(),
            Self::Integer { min, max, unit, .. } => {
                format!("a number of {unit} from {min} to {max}")
            }
            Self::Choice { options, .. } => {
                let names: Vec<String> = options.iter().map(|(v, _)| format!("\"{v}\"")).collect();
                format!("one of {}", names.join(", "))
            }
        }
    }

    fn shape(self) -> SettingKind {
        match self {
            Self::Bool(_) => SettingKind::Bool,
            Self::Integer { min, max, unit, .. } => SettingKind::Integer {
                min,
                max,
                unit: unit.to_owned(),
            },
            Self::Choice { options, .. } => SettingKind::Choice {
                options: options
                    .iter()
                    .map(|(value, label)| SettingOption {
                        value: (*value).to_owned(),
                        label: (*label).to_owned(),
                    })
                    .collect(),
            },
        }
    }
}

const SPECS: &[Spec] = &[
    Spec {
        key: FETCH_ALLOW_PRIVATE_ADDRESSES,
        title: "Let the fetch server reach this computer and your local network",
        description: "Let the fetch server reach this computer (localhost) and private, \
                      link-local and carrier-grade NAT addresses. Off by default, so that a \
                      model cannot be steered into your router, your printer or services on \
                      this computer. Cloud metadata addresses stay refused either way.",
        kind: Kind::Bool(false),
    },
    Spec {
        key: CALLS_RETENTION_DAYS,
        title: "Keep the call log for",
        description: "How many days of calls Switchboard keeps. Older calls are deleted once \
                      an hour; the figures and charts only ever look at the last ten minutes.",
        kind: Kind::Integer {
            default: 30,
            min: 1,
            max: 3650,
            unit: "days",
        },
    },
    Spec {
        key: APP_ON_QUIT,
        title: "When you quit the Switchboard app",
        description: "Whether your AI apps keep their tools after you quit the Switchboard \
                      app. Keep serving: the servers stay available and start by themselves \
                      when an app needs them. Stop servers: every server stops with the app \
                      until an app or Switchboard starts them again.",
        kind: Kind::Choice {
            default: ON_QUIT_KEEP_SERVING,
            options: &[
                (ON_QUIT_KEEP_SERVING, "Keep serving my AI apps"),
                (ON_QUIT_STOP_SERVERS, "Stop every server"),
            ],
        },
    },
    Spec {
        key: CLIENTS_DRIFT,
        title: "When an AI app rewrites its settings file",
        description: "What to do when an MCP client rewrites its config file and drops or \
                      changes an entry Switchboard installed there: \"reapply\" puts the entry \
                      back at once, \"surface\" leaves the file alone and only tells you (the \
                      app shows it, the daemon logs it). Either way nothing else in the file \
                      is touched.",
        kind: Kind::Choice {
            default: DRIFT_REAPPLY,
            options: &[
                (DRIFT_REAPPLY, "Put Switchboard's entries back"),
                (DRIFT_SURFACE, "Leave the file and tell me"),
            ],
        },
    },
];

/// A setting as the control API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Setting {
    pub key: String,
    pub value: Value,
    pub default: Value,
    /// A short label.
    pub title: String,
    pub description: String,
    /// What values it takes, for a UI to pick the right control.
    pub kind: SettingKind,
}

/// What values a setting takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SettingKind {
    Bool,
    Integer { min: i64, max: i64, unit: String },
    Choice { options: Vec<SettingOption> },
}

/// One value of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SettingOption {
    pub value: String,
    pub label: String,
}

/// The known settings with their defaults, for settings not stored.
pub(crate) fn known() -> impl Iterator<Item = Setting> {
    SPECS.iter().map(|spec| Setting {
        key: spec.key.to_owned(),
        value: spec.kind.default_value(),
        default: spec.kind.default_value(),
        title: spec.title.to_owned(),
        description: spec.description.to_owned(),
        kind: spec.kind.shape(),
    })
}

/// Checks that `value` may be stored under `key`.
pub(crate) fn check(key: &str, value: &Value) -> Result<(), ControlError> {
    let Some(spec) = SPECS.iter().find(|spec| spec.key == key) else {
        let keys: Vec<&str> = SPECS.iter().map(|spec| spec.key).collect();
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!(
                "there is no setting \"{key}\"; the settings are: {}",
                keys.join(", ")
            ),
        ));
    };
    if !spec.kind.accepts(value) {
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!("{key} is {}, not {value}", spec.kind.expected()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_the_fix() {
        let error = check("fetch.allow_private", &Value::Bool(true)).unwrap_err();
        assert!(
            error.message.contains(FETCH_ALLOW_PRIVATE_ADDRESSES),
            "{}",
            error.message
        );
        let error = check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::from("yes")).unwrap_err();
        assert_eq!(
            error.message,
            "fetch.allow_private_addresses is true or false, not \"yes\""
        );
        check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::Bool(true)).unwrap();
    }

    #[test]
    fn numbers_must_be_whole_and_in_range() {
        check(CALLS_RETENTION_DAYS, &Value::from(7)).unwrap();
        for bad in [
            Value::from(0),
            Value::from(4000),
            Value::from(1.5),
            Value::from("7"),
        ] {
            let error = check(CALLS_RETENTION_DAYS, &bad).unwrap_err();
            assert_eq!(
                error.message,
                format!("calls.retention_days is a number of days from 1 to 3650, not {bad}"),
                "{bad} is refused with the range"
            );
        }
    }

    #[test]
    fn choices_take_only_their_options() {
        check(APP_ON_QUIT, &Value::from(ON_QUIT_STOP_SERVERS)).unwrap();
        let error = check(APP_ON_QUIT, &Value::from("explode")).unwrap_err();
        assert_eq!(
            error.message,
            "app.on_quit is one of \"keep_serving\", \"stop_servers\", not \"explode\""
        );
    }

    #[test]
    fn every_default_is_acceptable_and_every_setting_has_words() {
        for setting in known() {
            check(&setting.key, &setting.default).unwrap();
            assert!(!setting.title.is_empty(), "{} has a title", setting.key);
            assert!(
                setting.description.len() > 40,
                "{} explains itself",
                setting.key
            );
        }
    }

    #[test]
    fn word_settings_take_only_their_listed_words() {
        check(CLIENTS_DRIFT, &Value::from("surface")).unwrap();
        check(CLIENTS_DRIFT, &Value::from("reapply")).unwrap();
        let error = check(CLIENTS_DRIFT, &Value::from("ignore")).unwrap_err();
        assert_eq!(
            error.message, "clients.drift is one of \"reapply\", \"surface\", not \"ignore\"",
            "the message lists what is allowed"
        );
        let error = check(CLIENTS_DRIFT, &Value::Bool(true)).unwrap_err();
        assert!(error.message.contains("\"surface\""), "{}", error.message);
        let default = known()
            .find(|setting| setting.key == CLIENTS_DRIFT)
            .map(|setting| setting.default);
        assert_eq!(
            default,
            Some(Value::from("reapply")),
            "re-applying is the default"
        );
    }
}
