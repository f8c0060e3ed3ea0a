//! [`CatalogEntry`]: one installable server, a valid `server.json` plus Switchboard's
//! extension data, with the id it installs under and where it came from (the curated
//! catalog, an MCP Registry, added by hand).
//!
//! Owns: Switchboard's rules for an entry on top of the schema (an id every client
//! accepts, a kind that matches the document, folder inputs that exist, built-ins that
//! exist) and the ways an entry can be installed ([`Via`]). Must not: fill in answers (that
//! is `plan`) or fetch anything.

use std::fmt;

use serde::Serialize;

use crate::{
    meta::{Category, EntryKind, META_KEY, MetaError, SwitchboardMeta},
    server_json::{
        InputFormat, Package, ReadError, RegistryType, ServerJson, TransportKind, ValidationErrors,
        validate::{Report, join},
    },
};

/// The servers built into Switchboard, by the name `Source::Builtin` uses.
pub const BUILTIN_NAMES: [&str; 7] = ["clock", "calc", "files", "fetch", "sql", "notes", "prompts"];

/// Longest server id.
pub const ID_MAX: usize = 64;

/// Whether `id` is valid as a server name in every MCP client: `^[a-zA-Z0-9_-]{1,64}$`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=ID_MAX).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A valid id made from a registry name: `io.github.acme/weather-server` →
/// `weather-server`; characters no client accepts become `-`, and the result is cut to 64.
pub fn id_from_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    let mut id: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = id.trim_matches('-');
    id = if trimmed.is_empty() {
        "server".to_owned()
    } else {
        trimmed.to_owned()
    };
    id.truncate(ID_MAX);
    id
}

/// `base` if `taken` says it is free, else `base-2`, `base-3`, … (cut so it stays ≤ 64).
pub fn unique_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let mut stem = base.to_owned();
            stem.truncate(ID_MAX - suffix.len());
            format!("{stem}{suffix}")
        })
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Origin {
    /// Shipped with Switchboard (`catalog/<file>.json`).
    Curated { file: String },
    /// Read from an MCP Registry.
    Registry { base_url: String },
    /// Added by hand (a command line or a URL).
    Manual,
}

/// A way an entry can be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "index", rename_all = "kebab-case")]
pub enum Via {
    /// `packages[i]`.
    Package(usize),
    /// `remotes[i]`.
    Remote(usize),
    /// The built-in server the entry names.
    Builtin,
    /// The command line in the entry's metadata.
    Command,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Package(index) => write!(f, "packages[{index}]"),
            Self::Remote(index) => write!(f, "remotes[{index}]"),
            Self::Builtin => f.write_str("the built-in server"),
            Self::Command => f.write_str("the command line"),
        }
    }
}

/// One installable server (serialised for the app as its id, kind, origin, `server.json`
/// and Switchboard's data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogEntry {
    /// The id it installs under by default.
    pub id: String,
    pub kind: EntryKind,
    pub origin: Origin,
    pub server: ServerJson,
    pub meta: SwitchboardMeta,
}

/// Why a document is not a catalog entry.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{source_name}: {error}")]
    Meta {
        source_name: String,
        #[source]
        error: MetaError,
    },
    /// Valid `server.json`, but not something Switchboard can list.
    #[error("{source_name}: {errors}")]
    Rules {
        source_name: String,
        errors: ValidationErrors,
    },
}

impl CatalogEntry {
    /// Reads a `server.json` document as an entry.
    pub fn from_json(source_name: &str, text: &str, origin: Origin) -> Result<Self, EntryError> {
        let server = ServerJson::from_json(source_name, text)?;
        Self::new(source_name, server, origin)
    }

    /// Makes an entry of a valid document, checking Switchboard's rules.
    pub fn new(source_name: &str, server: ServerJson, origin: Origin) -> Result<Self, EntryError> {
        server.validate().map_err(|errors| ReadError::Invalid {
            source_name: source_name.to_owned(),
            errors,
        })?;
        let meta = SwitchboardMeta::from_meta(&server.meta).map_err(|error| EntryError::Meta {
            source_name: source_name.to_owned(),
            error,
        })?;
        let mut report = Report::default();
        let meta_path = format!("_meta.{META_KEY}");
        let id = match &meta.id {
            Some(id) => {
                if !is_valid_id(id) {
                    report.add(
                        &join(&meta_path, "id"),
                        format!(
                            "\"{id}\" is not a valid server id: use 1 to 64 letters, digits, \
                             '_' or '-'"
                        ),
                    );
                }
                id.clone()
            }
            None => id_from_name(&server.name),
        };
        let kind = meta.kind.unwrap_or(if !server.packages.is_empty() {
            EntryKind::Package
        } else if !server.remotes.is_empty() {
            EntryKind::Remote
        } else if meta.builtin.is_some() {
            EntryKind::Builtin
        } else {
            EntryKind::Command
        });
        check_kind(kind, &server, &meta, &meta_path, &mut report);
        check_folders(kind, &server, &meta, &meta_path, &mut report);
        report.finish().map_err(|errors| EntryError::Rules {
            source_name: source_name.to_owned(),
            errors,
        })?;
        Ok(Self {
            id,
            kind,
            origin,
            server,
            meta,
        })
    }

    /// The name shown to people.
    pub fn title(&self) -> &str {
        self.server.display_name()
    }

    pub fn description(&self) -> &str {
        &self.server.description
    }

    pub fn categories(&self) -> &[Category] {
        &self.meta.categories
    }

    /// The ways this entry can be installed, best first: the built-in or the command
    /// line, else every package in the document's order, then every remote.
    pub fn vias(&self) -> Vec<Via> {
        match self.kind {
            EntryKind::Builtin => vec![Via::Builtin],
            EntryKind::Command => vec![Via::Command],
            EntryKind::Package | EntryKind::Remote => (0..self.server.packages.len())
                .map(Via::Package)
                .chain((0..self.server.remotes.len()).map(Via::Remote))
                .collect(),
        }
    }

    /// The first way that works with what this computer has: `available` says whether
    /// a runtime (`npx`, `uvx`, `docker`) is installed; remotes and built-ins need none.
    /// Falls back to the first way when none does.
    pub fn preferred_via(&self, available: impl Fn(&str) -> bool) -> Option<Via> {
        let vias = self.vias();
        vias.iter()
            .copied()
            .find(|via| match via {
                Via::Package(index) => self
                    .server
                    .packages
                    .get(*index)
                    .and_then(runtime_name)
                    .is_some_and(&available),
                Via::Remote(_) | Via::Builtin => true,
                Via::Command => false,
            })
            .or_else(|| vias.first().copied())
    }

    /// This entry as a `server.json` document, with Switchboard's data in `_meta`.
    pub fn to_server_json(&self) -> ServerJson {
        let mut server = self.server.clone();
        self.meta.write_to(&mut server.meta);
        server
    }
}

/// The runtime a package needs, by the name people type (`npx`, `uvx`, `docker`).
pub fn runtime_name(package: &Package) -> Option<&'static str> {
    match package.registry_type {
        RegistryType::Npm => Some("npx"),
        RegistryType::Pypi => Some("uvx"),
        RegistryType::Oci => Some("docker"),
        _ => None,
    }
}

fn check_kind(
    kind: EntryKind,
    server: &ServerJson,
    meta: &SwitchboardMeta,
    meta_path: &str,
    report: &mut Report,
) {
    match kind {
        EntryKind::Package if server.packages.is_empty() => report.add(
            "packages",
            "is empty: a package entry needs at least one package to install from",
        ),
        EntryKind::Remote if server.remotes.is_empty() => report.add(
            "remotes",
            "is empty: a remote entry needs at least one remote to connect to",
        ),
        EntryKind::Builtin => match meta.builtin.as_deref() {
            Some(name) if BUILTIN_NAMES.contains(&name) => {}
            Some(name) => report.add(
                &join(meta_path, "builtin"),
                format!(
                    "\"{name}\" is not one of Switchboard's servers ({})",
                    BUILTIN_NAMES.join(", ")
                ),
            ),
            None => report.add(
                &join(meta_path, "builtin"),
                "is missing: a built-in entry names which built-in server it is",
            ),
        },
        EntryKind::Command => match &meta.command {
            Some(command) if !command.command.trim().is_empty() => {}
            _ => report.add(
                &join(meta_path, "command"),
                "is missing: an entry with no package, remote or built-in needs a command \
                 line",
            ),
        },
        EntryKind::Package | EntryKind::Remote => {}
    }
}

/// Every folder input names an input that exists and takes a path.
fn check_folders(
    kind: EntryKind,
    server: &ServerJson,
    meta: &SwitchboardMeta,
    meta_path: &str,
    report: &mut Report,
) {
    for (index, folder) in meta.folders.iter().enumerate() {
        let path = format!("{}[{index}].input", join(meta_path, "folders"));
        if folder.input.trim().is_empty() {
            report.add(&path, "is empty: name the input that takes the folder");
            continue;
        }
        if kind == EntryKind::Builtin || kind == EntryKind::Command {
            continue; // Folders that are granted only.
        }
        let formats = input_formats(server, &folder.input);
        if formats.is_empty() {
            report.add(
                &path,
                format!(
                    "\"{}\" is not an input of any package or remote (use an environment \
                     variable's name, a flag, a value hint or a {{variable}})",
                    folder.input
                ),
            );
        } else if formats
            .iter()
            .any(|format| !matches!(format, InputFormat::Filepath | InputFormat::String))
        {
            report.add(
                &path,
                format!(
                    "\"{}\" is not a path input (its format must be filepath)",
                    folder.input
                ),
            );
        }
    }
}

/// The formats of every input with this key, anywhere in the document.
fn input_formats(server: &ServerJson, key: &str) -> Vec<InputFormat> {
    fn look(
        found: &mut Vec<InputFormat>,
        key: &str,
        input: &crate::server_json::Input,
        own_key: Option<&str>,
    ) {
        if own_key == Some(key) {
            found.push(input.format());
        }
        for (name, variable) in &input.variables {
            if name == key {
                found.push(variable.format());
            }
        }
    }
    let mut found = Vec::new();
    for package in &server.packages {
        for argument in package
            .runtime_arguments
            .iter()
            .chain(&package.package_arguments)
        {
            look(&mut found, key, &argument.input, argument.key());
        }
        for variable in &package.environment_variables {
            look(&mut found, key, &variable.input, Some(&variable.name));
        }
    }
    for remote in &server.remotes {
        if remote.kind != TransportKind::Stdio {
            for (name, variable) in &remote.variables {
                if name == key {
                    found.push(variable.format());
                }
            }
        }
        for header in &remote.headers {
            look(&mut found, key, &header.input, Some(&header.name));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn entry(document: &serde_json::Value) -> Result<CatalogEntry, EntryError> {
        CatalogEntry::from_json("test.json", &document.to_string(), Origin::Manual)
    }

    #[test]
    fn an_entry_without_an_id_takes_one_from_its_name() {
        let made = entry(&json!({
            "name": "io.github.acme/weather.server", "description": "d", "version": "1.0.0",
            "remotes": [{"type": "streamable-http", "url": "https://w.example/mcp"}]
        }))
        .expect("valid");
        assert_eq!(made.id, "weather-server");
        assert_eq!(made.kind, EntryKind::Remote);
        assert_eq!(made.vias(), vec![Via::Remote(0)]);
    }

    #[test]
    fn a_builtin_entry_must_name_a_real_builtin() {
        let error = entry(&json!({
            "name": "dev.switchboard/teleport", "description": "d", "version": "1.0.0",
            "_meta": {META_KEY: {"id": "teleport", "kind": "builtin", "builtin": "teleport"}}
        }))
        .expect_err("no such built-in");
        let text = error.to_string();
        assert!(
            text.contains("\"teleport\" is not one of Switchboard's servers"),
            "{text}"
        );
    }

    #[test]
    fn a_folder_must_name_an_existing_path_input() {
        let error = entry(&json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "b", "version": "1.0.0",
                "transport": {"type": "stdio"},
                "packageArguments": [{"type": "named", "name": "--port", "format": "number"}]}],
            "_meta": {META_KEY: {"folders": [
                {"input": "--root", "access": "read-only"},
                {"input": "--port", "access": "read-only"}
            ]}}
        }))
        .expect_err("bad folders");
        let text = error.to_string();
        assert!(text.contains("\"--root\" is not an input"), "{text}");
        assert!(text.contains("\"--port\" is not a path input"), "{text}");
    }

    #[test]
    fn an_invalid_meta_id_is_refused() {
        let error = entry(&json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "remotes": [{"type": "sse", "url": "https://x.example/sse"}],
            "_meta": {META_KEY: {"id": "has space"}}
        }))
        .expect_err("bad id");
        assert!(
            error
                .to_string()
                .contains("\"has space\" is not a valid server id")
        );
    }

    #[test]
    fn preferred_via_skips_packages_whose_runtime_is_missing() {
        let made = entry(&json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "packages": [
                {"registryType": "oci", "identifier": "ghcr.io/a/b:1", "transport": {"type": "stdio"}},
                {"registryType": "npm", "identifier": "b", "version": "1.0.0", "transport": {"type": "stdio"}}
            ]
        }))
        .expect("valid");
        assert_eq!(
            made.preferred_via(|runtime| runtime == "npx"),
            Some(Via::Package(1))
        );
        assert_eq!(made.preferred_via(|_| true), Some(Via::Package(0)));
        assert_eq!(
            made.preferred_via(|_| false),
            Some(Via::Package(0)),
            "falls back to the first way"
        );
    }

    #[test]
    fn unique_ids_count_up_past_taken_ones() {
        let taken = ["github", "github-2"];
        assert_eq!(unique_id("github", |id| taken.contains(&id)), "github-3");
        assert_eq!(unique_id("gitlab", |id| taken.contains(&id)), "gitlab");
        let long = "x".repeat(64);
        let made = unique_id(&long, |id| id == long);
        assert!(is_valid_id(&made), "{made}");
    }

    proptest! {
        #[test]
        fn ids_made_from_any_name_are_valid(name in ".{0,200}") {
            let id = id_from_name(&name);
            prop_assert!(is_valid_id(&id), "{name:?} gave {id:?}");
        }
    }
}
