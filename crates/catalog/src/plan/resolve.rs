//! Filling an entry's inputs: every argument, environment variable, header and address
//! variable of the chosen package or remote becomes a [`Site`]; its settings go on the
//! form, and the answers (or defaults) fill it in.
//!
//! Owns: reading `server.json` inputs the way the schema means them (fixed values with
//! `{variables}`, repeated and boolean arguments, `docker -e NAME=…` turned into an
//! environment variable passed by name) and refusing a secret on a command line or in an
//! address. Must not: print a secret's value; every secret stays a [`SecretValue`].

use std::{collections::BTreeMap, path::PathBuf, str::FromStr};

use switchboard_secrets::SecretName;

use super::{
    FolderGrant, HeaderValue, InstallPlan, Missing, PlanError, PlannedHeader, PlannedLaunch,
    PlannedSecret, RemoteTransport, runtime_for_command,
};
use crate::{
    entry::{CatalogEntry, Via},
    meta::{EntryKind, SwitchboardMeta},
    placeholder,
    plan::{Answers, Form, Place, SecretValue, Setting, SettingKind},
    server_json::{
        Argument, ArgumentKind, Input, InputFormat, KeyValueInput, Package, RegistryType,
        TransportKind,
    },
};

/// Where a filled input goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Env(String),
    Named { flag: String, boolean: bool },
    Positional,
    Header(String),
}

/// One input of the chosen way to install.
#[derive(Debug, Clone)]
struct Site {
    target: Target,
    /// The key its own answer is given under (none for a fixed value).
    key: Option<String>,
    input: Input,
    multiple: bool,
    place: Place,
}

impl Site {
    fn env(variable: &KeyValueInput) -> Self {
        Self {
            target: Target::Env(variable.name.clone()),
            key: Some(variable.name.clone()),
            input: variable.input.clone(),
            multiple: false,
            place: Place::Environment,
        }
    }

    fn argument(argument: &Argument) -> Self {
        let target = match argument.kind {
            ArgumentKind::Named => Target::Named {
                flag: argument.name.clone().unwrap_or_default(),
                boolean: argument.input.format() == InputFormat::Boolean,
            },
            _ => Target::Positional,
        };
        Self {
            target,
            key: argument.key().map(str::to_owned),
            input: argument.input.clone(),
            multiple: argument.is_repeated,
            place: Place::Argument,
        }
    }

    fn header(header: &KeyValueInput) -> Self {
        Self {
            target: Target::Header(header.name.clone()),
            key: Some(header.name.clone()),
            input: header.input.clone(),
            multiple: false,
            place: Place::Header,
        }
    }

    /// The variables its fixed value uses (those declared).
    fn used_variables(&self) -> Vec<(&str, &Input)> {
        let Some(template) = &self.input.value else {
            return Vec::new();
        };
        placeholder::names(template)
            .into_iter()
            .filter_map(|name| self.input.variables.get_key_value(name))
            .map(|(name, input)| (name.as_str(), input))
            .collect()
    }

    /// Whether what it holds is a secret.
    fn is_secret(&self) -> bool {
        self.input.is_secret || self.used_variables().iter().any(|(_, v)| v.is_secret)
    }

    fn shown_key(&self) -> String {
        match &self.target {
            Target::Env(name) | Target::Header(name) => name.clone(),
            Target::Named { flag, .. } => flag.clone(),
            Target::Positional => self
                .key
                .clone()
                .or_else(|| self.input.value.clone())
                .unwrap_or_default(),
        }
    }
}

/// The chosen way to install, taken apart.
struct Parts {
    sites: Vec<Site>,
    launch: PlannedLaunch,
    /// Index of the first package-argument site (after runtime arguments).
    package_args_from: usize,
    version: String,
}

fn unsupported(entry: &CatalogEntry, via: Via, reason: impl Into<String>) -> PlanError {
    PlanError::Unsupported {
        entry: entry.title().to_owned(),
        via,
        reason: reason.into(),
    }
}

/// Takes the chosen way apart into sites and the launch skeleton (arguments empty).
fn parts(entry: &CatalogEntry, via: Via) -> Result<Parts, PlanError> {
    let no_such = || PlanError::NoSuchVia {
        entry: entry.title().to_owned(),
        via,
    };
    if !entry.vias().contains(&via) {
        return Err(no_such());
    }
    let version = entry.server.version.clone();
    match via {
        Via::Package(index) => {
            let package = entry.server.packages.get(index).ok_or_else(no_such)?;
            package_parts(entry, via, package)
        }
        Via::Remote(index) => {
            let remote = entry.server.remotes.get(index).ok_or_else(no_such)?;
            let transport = match remote.kind {
                TransportKind::StreamableHttp => RemoteTransport::StreamableHttp,
                TransportKind::Sse => RemoteTransport::Sse,
                _ => return Err(unsupported(entry, via, "it is not an HTTP endpoint")),
            };
            if let Some((name, _)) = remote.variables.iter().find(|(_, v)| v.is_secret) {
                return Err(unsupported(
                    entry,
                    via,
                    format!(
                        "it puts the secret {{{name}}} in its address, where it would be \
                         stored and logged; Switchboard sends secrets only in headers"
                    ),
                ));
            }
            Ok(Parts {
                sites: remote.headers.iter().map(Site::header).collect(),
                launch: PlannedLaunch::Remote {
                    url: remote.url.clone().unwrap_or_default(),
                    transport,
                    headers: Vec::new(),
                    address_secret: None,
                },
                package_args_from: 0,
                version,
            })
        }
        Via::Builtin => Ok(Parts {
            sites: Vec::new(),
            launch: PlannedLaunch::Builtin {
                name: entry.meta.builtin.clone().ok_or_else(no_such)?,
            },
            package_args_from: 0,
            version,
        }),
        Via::Command => {
            let command = entry.meta.command.as_ref().ok_or_else(no_such)?;
            Ok(Parts {
                sites: command
                    .environment_variables
                    .iter()
                    .map(Site::env)
                    .collect(),
                launch: PlannedLaunch::Command {
                    command: command.command.clone(),
                    args: command.args.clone(),
                    runtime: runtime_for_command(&command.command),
                },
                package_args_from: 0,
                version,
            })
        }
    }
}

fn package_parts(entry: &CatalogEntry, via: Via, package: &Package) -> Result<Parts, PlanError> {
    if package.transport.kind != TransportKind::Stdio {
        return Err(unsupported(
            entry,
            via,
            format!(
                "the package serves over {} itself; Switchboard runs packages that speak \
                 stdio (pick another package or a remote)",
                package.transport.kind.as_str()
            ),
        ));
    }
    let version = package
        .version
        .clone()
        .unwrap_or_else(|| entry.server.version.clone());
    let mut sites: Vec<Site> = Vec::new();
    let launch = match &package.registry_type {
        RegistryType::Npm => {
            sites.extend(
                package
                    .runtime_arguments
                    .iter()
                    .filter(|a| !is_fixed_flag(a, &["-y", "--yes"]))
                    .map(Site::argument),
            );
            PlannedLaunch::Npm {
                package: package.identifier.clone(),
                version: version.clone(),
                runtime_args: Vec::new(),
                args: Vec::new(),
            }
        }
        RegistryType::Pypi => {
            sites.extend(package.runtime_arguments.iter().map(Site::argument));
            PlannedLaunch::Pypi {
                package: package.identifier.clone(),
                version: version.clone(),
                runtime_args: Vec::new(),
                args: Vec::new(),
            }
        }
        RegistryType::Oci => {
            sites.extend(docker_sites(package));
            PlannedLaunch::Oci {
                image: package.identifier.clone(),
                docker_args: Vec::new(),
                args: Vec::new(),
            }
        }
        RegistryType::Mcpb => {
            return Err(PlanError::BundleDownload {
                entry: entry.title().to_owned(),
                url: package.identifier.clone(),
                sha256: package.file_sha256.clone().unwrap_or_default(),
            });
        }
        other => {
            return Err(unsupported(
                entry,
                via,
                format!("Switchboard cannot run {other} packages yet; pick another package"),
            ));
        }
    };
    let package_args_from = sites.len();
    sites.extend(package.package_arguments.iter().map(Site::argument));
    sites.extend(package.environment_variables.iter().map(Site::env));
    Ok(Parts {
        sites,
        launch,
        package_args_from,
        version,
    })
}

/// A named argument with a fixed `true` (or no) value and one of these flags.
fn is_fixed_flag(argument: &Argument, flags: &[&str]) -> bool {
    argument.kind == ArgumentKind::Named
        && argument.name.as_deref().is_some_and(|n| flags.contains(&n))
        && argument.input.value.as_deref().is_none_or(|v| v == "true")
        && argument.input.variables.is_empty()
}

/// A docker package's runtime arguments, without what the daemon's own `docker run -i
/// --rm … <image>` already says, and with `-e NAME=value` turned into an environment
/// variable (the daemon passes it as `-e NAME`, its value in docker's environment).
fn docker_sites(package: &Package) -> Vec<Site> {
    let image = package.identifier.as_str();
    let image_without_tag = image
        .split('@')
        .next()
        .map(|name| match name.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo,
            _ => name,
        })
        .unwrap_or(image);
    let mut sites = Vec::new();
    for argument in &package.runtime_arguments {
        let fixed = argument
            .input
            .value
            .as_deref()
            .filter(|_| argument.input.variables.is_empty());
        match argument.kind {
            ArgumentKind::Positional => {
                let is_image = fixed.is_some_and(|v| v == image || v == image_without_tag)
                    || argument
                        .value_hint
                        .as_deref()
                        .is_some_and(|hint| hint == "image_name" || hint == "image");
                if fixed == Some("run") || is_image {
                    continue;
                }
            }
            ArgumentKind::Named => {
                if is_fixed_flag(argument, &["-i", "--interactive", "--rm"]) {
                    continue;
                }
                let flag = argument.name.as_deref().unwrap_or_default();
                if (flag == "-e" || flag == "--env")
                    && let Some(template) = &argument.input.value
                    && let Some((name, value)) = template.split_once('=')
                    && !name.is_empty()
                    && placeholder::names(name).is_empty()
                {
                    let mut input = argument.input.clone();
                    input.value = Some(value.to_owned());
                    sites.push(Site {
                        target: Target::Env(name.to_owned()),
                        key: Some(name.to_owned()),
                        input,
                        multiple: false,
                        place: Place::Environment,
                    });
                    continue;
                }
            }
            ArgumentKind::Other(_) => {}
        }
        sites.push(Site::argument(argument));
    }
    sites
}

/// The form for `via`, refusing a way that would need a secret on a command line.
pub(super) fn form_for(entry: &CatalogEntry, via: Via) -> Result<Form, PlanError> {
    let parts = parts(entry, via)?;
    build_form(entry, via, &parts)
}

fn build_form(entry: &CatalogEntry, via: Via, parts: &Parts) -> Result<Form, PlanError> {
    let mut form = Form::default();
    if let Some(remote) = remote_of(entry, via) {
        let url = remote.url.as_deref().unwrap_or_default();
        for name in placeholder::names(url) {
            if let Some(variable) = remote.variables.get(name) {
                let mut setting = setting_for(name, variable, false, Place::Address, &entry.meta);
                // An address cannot be left with a hole in it.
                setting.required |= variable.default.is_none();
                form.add(setting);
            }
        }
    }
    for site in &parts.sites {
        if site.place == Place::Argument && site.is_secret() {
            return Err(unsupported(
                entry,
                via,
                format!(
                    "it takes the secret {} on its command line, where other programs on \
                     this computer can read it; Switchboard passes secrets only in the \
                     environment",
                    site.shown_key()
                ),
            ));
        }
        if let Target::Env(name) = &site.target
            && site.is_secret()
            && SecretName::from_str(name).is_err()
        {
            return Err(unsupported(
                entry,
                via,
                format!(
                    "it keeps a secret in the environment variable \"{name}\", a name the \
                     keychain cannot file (capitals, digits and _ only)"
                ),
            ));
        }
        if site.input.value.is_some() {
            for (name, variable) in site.used_variables() {
                form.add(setting_for(
                    name,
                    variable,
                    false,
                    site.place.clone(),
                    &entry.meta,
                ));
            }
        } else if let Some(key) = &site.key {
            form.add(setting_for(
                key,
                &site.input,
                site.multiple,
                site.place.clone(),
                &entry.meta,
            ));
        }
    }
    if matches!(entry.kind, EntryKind::Builtin | EntryKind::Command) {
        for folder in &entry.meta.folders {
            form.add(Setting {
                key: folder.input.clone(),
                title: folder.title.clone().unwrap_or_else(|| "Folders".to_owned()),
                description: None,
                kind: SettingKind::Folder {
                    access: folder.access,
                },
                secret: false,
                required: folder.required,
                multiple: folder.multiple,
                defaults: Vec::new(),
                placeholder: None,
                place: Place::Grant,
            });
        }
    }
    Ok(form)
}

fn remote_of(entry: &CatalogEntry, via: Via) -> Option<&crate::server_json::Transport> {
    match via {
        Via::Remote(index) => entry.server.remotes.get(index),
        _ => None,
    }
}

fn setting_for(
    key: &str,
    input: &Input,
    multiple: bool,
    place: Place,
    meta: &SwitchboardMeta,
) -> Setting {
    let kind = if let Some(folder) = meta.folder(key) {
        SettingKind::Folder {
            access: folder.access,
        }
    } else if !input.choices.is_empty() {
        SettingKind::Choice {
            choices: input.choices.clone(),
        }
    } else {
        match input.format() {
            InputFormat::Boolean => SettingKind::Boolean,
            InputFormat::Number => SettingKind::Number {
                min: None,
                max: None,
            },
            InputFormat::Filepath => SettingKind::File,
            InputFormat::String | InputFormat::Other(_) => SettingKind::Text,
        }
    };
    Setting {
        key: key.to_owned(),
        title: key.to_owned(),
        description: input.description.clone(),
        kind,
        secret: input.is_secret,
        required: input.is_required,
        multiple,
        defaults: input.default.iter().cloned().collect(),
        placeholder: input.placeholder.clone(),
        place,
    }
}

/// What an input came to.
enum Outcome {
    Plain(Vec<String>),
    Secret(SecretValue),
    /// A secret already in the keychain, kept.
    SecretKept,
    /// Optional, and not given.
    Omitted,
    /// Required settings not given.
    Missing(Vec<String>),
}

/// Fills one input: its own answer, or its template's variables.
fn resolve(site: &Site, answers: &Answers) -> Outcome {
    let secret = site.is_secret();
    if let Some(template) = &site.input.value {
        let used = site.used_variables();
        let mut missing = Vec::new();
        let mut optional_gap = false;
        let mut kept = false;
        for (name, variable) in &used {
            let given = if variable.is_secret {
                if answers.secret(name).is_some() || variable.default.is_some() {
                    true
                } else if answers.is_kept(name) {
                    kept = true;
                    true
                } else {
                    false
                }
            } else {
                !answers.values(name).is_empty() || variable.default.is_some()
            };
            if !given {
                if variable.is_required {
                    missing.push((*name).to_owned());
                } else {
                    optional_gap = true;
                }
            }
        }
        if !missing.is_empty() {
            return Outcome::Missing(missing);
        }
        if optional_gap {
            return Outcome::Omitted;
        }
        if kept {
            return Outcome::SecretKept;
        }
        let filled = placeholder::fill(template, |name| {
            let variable = site.input.variables.get(name)?;
            if variable.is_secret {
                answers
                    .secret(name)
                    .map(|s| s.expose().as_str())
                    .or(variable.default.as_deref())
            } else {
                answers
                    .values(name)
                    .first()
                    .copied()
                    .or(variable.default.as_deref())
            }
        });
        return if secret {
            Outcome::Secret(SecretValue::new(filled.text))
        } else {
            Outcome::Plain(vec![filled.text])
        };
    }
    let Some(key) = &site.key else {
        return Outcome::Omitted;
    };
    if secret {
        if let Some(value) = answers.secret(key) {
            return Outcome::Secret(value.clone());
        }
        if answers.is_kept(key) {
            return Outcome::SecretKept;
        }
        if let Some(default) = &site.input.default {
            return Outcome::Secret(SecretValue::from(default.as_str()));
        }
    } else {
        let values = answers.values(key);
        if !values.is_empty() {
            return Outcome::Plain(values.into_iter().map(str::to_owned).collect());
        }
        if let Some(default) = &site.input.default {
            return Outcome::Plain(vec![default.clone()]);
        }
    }
    if site.input.is_required {
        Outcome::Missing(vec![key.clone()])
    } else {
        Outcome::Omitted
    }
}

/// The keychain name a secret header's value is kept under: `HEADER_AUTHORIZATION`.
pub(crate) fn header_secret_name(header: &str) -> String {
    let mut name = String::from("HEADER_");
    name.extend(header.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    name
}

pub(super) fn plan(
    entry: &CatalogEntry,
    via: Via,
    id: &str,
    answers: &Answers,
) -> Result<InstallPlan, PlanError> {
    let parts = parts(entry, via)?;
    let form = build_form(entry, via, &parts)?;
    let problems = form.check(answers);
    if !problems.is_empty() {
        return Err(PlanError::Answers { problems });
    }
    let mut env = BTreeMap::new();
    let mut secrets: Vec<PlannedSecret> = Vec::new();
    let mut missing_keys: Vec<String> = Vec::new();
    let mut runtime_args: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut headers: Vec<PlannedHeader> = Vec::new();
    for (index, site) in parts.sites.iter().enumerate() {
        let outcome = resolve(site, answers);
        let values = match outcome {
            Outcome::Missing(keys) => {
                missing_keys.extend(keys);
                continue;
            }
            Outcome::Omitted => continue,
            Outcome::Plain(values) => values,
            Outcome::Secret(value) => {
                store_secret(&site.target, Some(value), &mut secrets, &mut headers);
                continue;
            }
            Outcome::SecretKept => {
                store_secret(&site.target, None, &mut secrets, &mut headers);
                continue;
            }
        };
        let out = if index < parts.package_args_from {
            &mut runtime_args
        } else {
            &mut args
        };
        match &site.target {
            Target::Env(name) => {
                env.insert(name.clone(), values.join(","));
            }
            Target::Header(name) => headers.push(PlannedHeader {
                name: name.clone(),
                value: HeaderValue::Plain {
                    value: values.join(","),
                },
            }),
            Target::Named { flag, boolean } => {
                for value in values {
                    if *boolean {
                        if value == "true" {
                            out.push(flag.clone());
                        }
                    } else {
                        out.push(flag.clone());
                        out.push(value);
                    }
                }
            }
            Target::Positional => out.extend(values),
        }
    }
    let mut launch = parts.launch;
    match &mut launch {
        PlannedLaunch::Npm {
            runtime_args: r,
            args: a,
            ..
        }
        | PlannedLaunch::Pypi {
            runtime_args: r,
            args: a,
            ..
        } => {
            *r = runtime_args;
            *a = args;
        }
        PlannedLaunch::Oci {
            docker_args,
            args: a,
            ..
        } => {
            *docker_args = runtime_args;
            *a = args;
        }
        PlannedLaunch::Remote {
            url,
            headers: planned,
            ..
        } => {
            if let Some(remote) = remote_of(entry, via) {
                let filled = placeholder::fill(url, |name| {
                    let variable = remote.variables.get(name)?;
                    answers
                        .values(name)
                        .first()
                        .copied()
                        .or(variable.default.as_deref())
                });
                missing_keys.extend(filled.unresolved.iter().map(|n| (*n).to_owned()));
                *url = filled.text;
            }
            *planned = headers;
        }
        PlannedLaunch::Builtin { .. }
        | PlannedLaunch::Command { .. }
        | PlannedLaunch::Bundle { .. } => {}
    }
    let folders = folder_grants(&form, answers);
    for setting in &form.settings {
        if setting.place == Place::Grant
            && setting.required
            && !folders.iter().any(|f| f.setting == setting.key)
        {
            missing_keys.push(setting.key.clone());
        }
    }
    Ok(InstallPlan {
        id: id.to_owned(),
        title: entry.title().to_owned(),
        source_name: entry.server.name.clone(),
        version: parts.version,
        launch,
        env,
        secrets,
        folders,
        requirements: Vec::new(),
        missing: missing_list(&form, missing_keys),
    })
}

fn store_secret(
    target: &Target,
    value: Option<SecretValue>,
    secrets: &mut Vec<PlannedSecret>,
    headers: &mut Vec<PlannedHeader>,
) {
    let name = match target {
        Target::Env(name) => name.clone(),
        Target::Header(header) => {
            let name = header_secret_name(header);
            headers.push(PlannedHeader {
                name: header.clone(),
                value: HeaderValue::Secret {
                    secret: name.clone(),
                },
            });
            name
        }
        // Refused when the form was built.
        Target::Named { .. } | Target::Positional => return,
    };
    secrets.retain(|s| s.name != name);
    secrets.push(PlannedSecret { name, value });
}

/// The folders the answers (or absolute defaults) name, for every folder setting.
pub(crate) fn folder_grants(form: &Form, answers: &Answers) -> Vec<FolderGrant> {
    let mut grants: Vec<FolderGrant> = Vec::new();
    for setting in &form.settings {
        let SettingKind::Folder { access } = setting.kind else {
            continue;
        };
        let mut values: Vec<&str> = answers.values(&setting.key);
        if values.is_empty() {
            values.extend(
                setting
                    .defaults
                    .iter()
                    .map(String::as_str)
                    .filter(|d| std::path::Path::new(d).is_absolute()),
            );
        }
        for value in values {
            let path = PathBuf::from(value);
            if !grants.iter().any(|g| g.path == path) {
                grants.push(FolderGrant {
                    path,
                    access,
                    setting: setting.key.clone(),
                });
            }
        }
    }
    grants
}

/// Plain-words messages for unanswered settings, each once, in form order.
pub(crate) fn missing_list(form: &Form, keys: Vec<String>) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for setting in &form.settings {
        if keys.contains(&setting.key) {
            out.push(missing_for(setting));
        }
    }
    for key in keys {
        if !out.iter().any(|m| m.setting == key) {
            out.push(Missing {
                message: format!("{key} is required."),
                setting: key,
            });
        }
    }
    out
}

fn missing_for(setting: &Setting) -> Missing {
    let what = match (&setting.kind, setting.secret) {
        (SettingKind::Folder { .. }, _) => "Choose a folder for",
        (SettingKind::File, _) => "Choose a file for",
        (_, true) => "Enter the secret",
        _ => "Enter",
    };
    let description = setting
        .description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    let keychain = if setting.secret {
        " (it is kept in your keychain)"
    } else {
        ""
    };
    Missing {
        setting: setting.key.clone(),
        message: format!("{what} {}{description}{keychain}", setting.title),
    }
}
