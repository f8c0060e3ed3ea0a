//! A bundle's settings and install plan: `user_config` options become the same
//! [`Setting`]s a catalog entry asks for (a sensitive string is a secret, a directory gets
//! the folder picker and is granted), and `mcp_config` (with this platform's override) is
//! filled in: `${__dirname}` is the unpacked folder, `${HOME}`, `${DESKTOP}`,
//! `${DOCUMENTS}`, `${DOWNLOADS}` and `${/}` are this computer's, and `${user_config.KEY}`
//! is the answer (a setting with several values in an argument of its own becomes several
//! arguments).
//!
//! Owns: that mapping, as pure functions. Must not: put a sensitive value on a command line
//! (refused) or anywhere but a [`SecretValue`].

use std::{
    path::{Component, Path, PathBuf},
    str::FromStr,
};

use switchboard_runtimes::Runtime;
use switchboard_secrets::SecretName;

use super::manifest::{
    Manifest, McpConfig, Platform, ServerType, UserConfigOption, UserConfigType,
};
use crate::{
    entry::Via,
    meta::Access,
    plan::Place,
    plan::{
        Answers, Form, InstallPlan, Missing, PlanError, PlannedLaunch, PlannedSecret,
        RuntimeRequirement, SecretValue, Setting, SettingKind, runtime_for_command,
    },
};

/// This computer's folders that bundles may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    pub home: PathBuf,
    pub desktop: PathBuf,
    pub documents: PathBuf,
    pub downloads: PathBuf,
}

impl Places {
    /// The usual folders under a home folder (`Desktop`, `Documents`, `Downloads`).
    pub fn under_home(home: &Path) -> Self {
        Self {
            home: home.to_path_buf(),
            desktop: home.join("Desktop"),
            documents: home.join("Documents"),
            downloads: home.join("Downloads"),
        }
    }
}

/// The settings a bundle asks for, in its manifest's order. Refused when the bundle would
/// put a sensitive setting on its command line.
pub fn settings(manifest: &Manifest, places: &Places) -> Result<Vec<Setting>, PlanError> {
    Ok(form(manifest, places, Platform::current())?.settings)
}

fn form(manifest: &Manifest, places: &Places, platform: Platform) -> Result<Form, PlanError> {
    if let Some(config) = effective_config(manifest, platform) {
        let texts =
            std::iter::once(config.command.as_str()).chain(config.args.iter().map(String::as_str));
        for text in texts {
            for key in super::manifest::user_config_references(text) {
                if manifest.user_config.get(key).is_some_and(|o| o.sensitive) {
                    return Err(PlanError::Unsupported {
                        entry: manifest.title().to_owned(),
                        via: Via::Package(0),
                        reason: format!(
                            "it takes the sensitive setting {key} on its command line, where \
                             other programs on this computer can read it; Switchboard passes \
                             secrets only in the environment"
                        ),
                    });
                }
            }
        }
        for (name, value) in &config.env {
            let secret = super::manifest::user_config_references(value)
                .into_iter()
                .any(|key| manifest.user_config.get(key).is_some_and(|o| o.sensitive));
            if secret && SecretName::from_str(name).is_err() {
                return Err(PlanError::Unsupported {
                    entry: manifest.title().to_owned(),
                    via: Via::Package(0),
                    reason: format!(
                        "it keeps a secret in the environment variable \"{name}\", a name the \
                         keychain cannot file (capitals, digits and _ only)"
                    ),
                });
            }
        }
    }
    let mut form = Form::default();
    for (key, option) in manifest.user_config.iter() {
        form.add(setting_for(key, option, places, platform));
    }
    Ok(form)
}

fn setting_for(
    key: &str,
    option: &UserConfigOption,
    places: &Places,
    platform: Platform,
) -> Setting {
    let kind = match option.kind {
        UserConfigType::Number => SettingKind::Number {
            min: option.min,
            max: option.max,
        },
        UserConfigType::Boolean => SettingKind::Boolean,
        UserConfigType::Directory => SettingKind::Folder {
            access: Access::ReadWrite,
        },
        UserConfigType::File => SettingKind::File,
        UserConfigType::String | UserConfigType::Other(_) => SettingKind::Text,
    };
    Setting {
        key: key.to_owned(),
        title: option.title.clone().unwrap_or_else(|| key.to_owned()),
        description: option.description.clone(),
        kind,
        secret: option.sensitive,
        required: option.required,
        multiple: option.multiple,
        defaults: if option.sensitive {
            Vec::new()
        } else {
            defaults(option, places, platform)
        },
        placeholder: None,
        place: Place::Environment,
    }
}

/// An option's default as text, with `${HOME}` and friends filled in.
fn defaults(option: &UserConfigOption, places: &Places, platform: Platform) -> Vec<String> {
    let plain = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(expand_places(text, places, platform)),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    };
    match &option.default {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(plain).collect(),
        Some(value) => plain(value).into_iter().collect(),
        None => Vec::new(),
    }
}

fn separator(platform: Platform) -> &'static str {
    if platform == Platform::Win32 {
        "\\"
    } else {
        "/"
    }
}

fn expand_places(text: &str, places: &Places, platform: Platform) -> String {
    let sep = separator(platform);
    [
        ("${HOME}", places.home.display().to_string()),
        ("${DESKTOP}", places.desktop.display().to_string()),
        ("${DOCUMENTS}", places.documents.display().to_string()),
        ("${DOWNLOADS}", places.downloads.display().to_string()),
        ("${pathSeparator}", sep.to_owned()),
        ("${/}", sep.to_owned()),
    ]
    .iter()
    .fold(text.to_owned(), |text, (name, value)| {
        text.replace(name, value)
    })
}

/// `mcp_config` with this platform's override applied.
fn effective_config(manifest: &Manifest, platform: Platform) -> Option<McpConfig> {
    let mut config = manifest.server.mcp_config.clone()?;
    if let Some(replacement) = config.platform_overrides.get(platform.as_str()).cloned() {
        if let Some(command) = replacement.command {
            config.command = command;
        }
        if let Some(args) = replacement.args {
            config.args = args;
        }
        if let Some(env) = replacement.env {
            config.env.extend(env);
        }
    }
    Some(config)
}

/// A `user_config` value for filling in.
enum Value<'a> {
    Plain(Vec<String>),
    Secret(&'a SecretValue),
    Default(SecretValue),
    Kept,
    Unset,
}

struct Filler<'a> {
    manifest: &'a Manifest,
    answers: &'a Answers,
    form: &'a Form,
    dir: String,
    places: &'a Places,
    platform: Platform,
}

/// A filled text.
struct Filled {
    text: String,
    secret: bool,
    kept: bool,
    /// Required keys with no value.
    missing: Vec<String>,
    /// Optional keys with no value.
    unset: Vec<String>,
}

impl Filler<'_> {
    fn value(&self, key: &str) -> Value<'_> {
        let Some(option) = self.manifest.user_config.get(key) else {
            return Value::Unset;
        };
        if option.sensitive {
            if let Some(secret) = self.answers.secret(key) {
                return Value::Secret(secret);
            }
            if self.answers.is_kept(key) {
                return Value::Kept;
            }
            return match option.default.as_ref().and_then(|d| d.as_str()) {
                Some(default) => Value::Default(SecretValue::from(default)),
                None => Value::Unset,
            };
        }
        let given: Vec<String> = self
            .answers
            .values(key)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !given.is_empty() {
            return Value::Plain(given);
        }
        let fallback = self
            .form
            .get(key)
            .map(|s| s.defaults.clone())
            .unwrap_or_default();
        if fallback.is_empty() {
            Value::Unset
        } else {
            Value::Plain(fallback)
        }
    }

    fn required(&self, key: &str) -> bool {
        self.manifest
            .user_config
            .get(key)
            .is_some_and(|o| o.required)
    }

    /// Fills every `${…}` this knows; others stay as written.
    fn fill(&self, text: &str) -> Filled {
        let mut out = Filled {
            text: String::with_capacity(text.len()),
            secret: false,
            kept: false,
            missing: Vec::new(),
            unset: Vec::new(),
        };
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.text.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(key) = name.strip_prefix("user_config.") {
                match self.value(key) {
                    Value::Plain(values) => out.text.push_str(&values.join(",")),
                    Value::Secret(secret) => {
                        out.secret = true;
                        out.text.push_str(secret.expose());
                    }
                    Value::Default(secret) => {
                        out.secret = true;
                        out.text.push_str(secret.expose());
                    }
                    Value::Kept => {
                        out.secret = true;
                        out.kept = true;
                    }
                    Value::Unset => {
                        if self.required(key) {
                            out.missing.push(key.to_owned());
                        } else {
                            out.unset.push(key.to_owned());
                        }
                    }
                }
                continue;
            }
            match name {
                "__dirname" => out.text.push_str(&self.dir),
                "HOME" => out.text.push_str(&self.places.home.display().to_string()),
                "DESKTOP" => out
                    .text
                    .push_str(&self.places.desktop.display().to_string()),
                "DOCUMENTS" => out
                    .text
                    .push_str(&self.places.documents.display().to_string()),
                "DOWNLOADS" => out
                    .text
                    .push_str(&self.places.downloads.display().to_string()),
                "pathSeparator" | "/" => out.text.push_str(separator(self.platform)),
                _ => {
                    out.text.push_str("${");
                    out.text.push_str(name);
                    out.text.push('}');
                }
            }
        }
        out.text.push_str(rest);
        out
    }

    /// The whole text is one `${user_config.KEY}`.
    fn sole_key(text: &str) -> Option<&str> {
        text.strip_prefix("${user_config.")
            .and_then(|rest| rest.strip_suffix('}'))
            .filter(|key| !key.contains('}'))
    }
}

/// The plan for a bundle unpacked in `dir`, installed under `id`.
pub fn plan(
    manifest: &Manifest,
    dir: &Path,
    id: &str,
    answers: &Answers,
    platform: Platform,
    places: &Places,
) -> Result<InstallPlan, PlanError> {
    let form = form(manifest, places, platform)?;
    let problems = form.check(answers);
    if !problems.is_empty() {
        return Err(PlanError::Answers { problems });
    }
    let filler = Filler {
        manifest,
        answers,
        form: &form,
        dir: dir.display().to_string(),
        places,
        platform,
    };
    let mut missing_keys: Vec<String> = Vec::new();
    let config = effective_config(manifest, platform);
    let (command, args, runtime) = match &config {
        Some(config) => {
            let filled = filler.fill(&config.command);
            missing_keys.extend(filled.missing);
            let mut args = Vec::new();
            for arg in &config.args {
                if let Some(key) = Filler::sole_key(arg)
                    && let Value::Plain(values) = filler.value(key)
                {
                    args.extend(values);
                    continue;
                }
                let filled = filler.fill(arg);
                if !filled.missing.is_empty() {
                    missing_keys.extend(filled.missing);
                    continue;
                }
                if Filler::sole_key(arg).is_some() && !filled.unset.is_empty() {
                    continue; // An optional setting left blank: its argument goes.
                }
                args.push(filled.text);
            }
            let (command, runtime) =
                resolve_command(&filled.text, dir, &manifest.server.kind, platform);
            (command, args, runtime)
        }
        None => (
            "uv".to_owned(),
            vec![
                "run".to_owned(),
                "--directory".to_owned(),
                filler.dir.clone(),
                manifest.server.entry_point.clone(),
            ],
            Some(Runtime::Uv),
        ),
    };
    let mut env = std::collections::BTreeMap::new();
    let mut secrets: Vec<PlannedSecret> = Vec::new();
    for (name, value) in config.iter().flat_map(|c| c.env.iter()) {
        let filled = filler.fill(value);
        if !filled.missing.is_empty() {
            missing_keys.extend(filled.missing);
            continue;
        }
        if Filler::sole_key(value).is_some() && !filled.unset.is_empty() {
            continue;
        }
        if filled.secret {
            secrets.push(PlannedSecret {
                name: name.clone(),
                value: (!filled.kept).then(|| SecretValue::new(filled.text)),
            });
        } else {
            env.insert(name.clone(), filled.text);
        }
    }
    for (key, option) in manifest.user_config.iter() {
        if option.required && matches!(filler.value(key), Value::Unset) {
            missing_keys.push(key.to_owned());
        }
    }
    let folders = crate::plan::folder_grants(&form, answers);
    let requirements = manifest
        .compatibility
        .iter()
        .flat_map(|c| c.runtimes.iter())
        .filter_map(|(name, version)| {
            let runtime = match name.as_str() {
                "node" => Runtime::Node,
                "python" => Runtime::Python,
                _ => return None,
            };
            Some(RuntimeRequirement {
                runtime,
                version: version.clone(),
            })
        })
        .collect();
    Ok(InstallPlan {
        id: id.to_owned(),
        title: manifest.title().to_owned(),
        source_name: manifest.name.clone(),
        version: manifest.version.clone(),
        launch: PlannedLaunch::Bundle {
            dir: dir.to_path_buf(),
            command,
            args,
            runtime,
        },
        env,
        secrets,
        folders,
        requirements,
        missing: dedupe_missing(crate::plan::missing_list(&form, missing_keys)),
    })
}

fn dedupe_missing(list: Vec<Missing>) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for item in list {
        if !out.iter().any(|m| m.setting == item.setting) {
            out.push(item);
        }
    }
    out
}

/// What to run: a runtime by name (`node`, `python`), an absolute path as written, or a
/// path inside the bundle (`server/my-server`, `.exe` added on Windows for binaries).
fn resolve_command(
    command: &str,
    dir: &Path,
    kind: &ServerType,
    platform: Platform,
) -> (String, Option<Runtime>) {
    if let Some(runtime) = runtime_for_command(command)
        && !command.contains(['/', '\\'])
    {
        return (command.to_owned(), Some(runtime));
    }
    let path = Path::new(command);
    let mut resolved = if path.is_absolute() {
        path.to_path_buf()
    } else if command.contains(['/', '\\'])
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        dir.join(path)
    } else {
        // A bare program name: found on the PATH by the daemon.
        return (command.to_owned(), runtime_for_command(command));
    };
    if *kind == ServerType::Binary && platform == Platform::Win32 && resolved.extension().is_none()
    {
        resolved.set_extension("exe");
    }
    let runtime = runtime_for_command(command);
    (resolved.display().to_string(), runtime)
}
