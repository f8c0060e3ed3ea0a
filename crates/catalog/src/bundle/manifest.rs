//! An MCP Bundle's `manifest.json` (MCPB manifest versions 0.1 to 0.4, and the older
//! `dxt_version` spelling): what the bundle is, how its server runs (`server.type` node,
//! python, binary or uv, and `mcp_config` with `${__dirname}` and `${user_config.KEY}`),
//! the settings it asks for (`user_config`), per-platform overrides, and compatibility.
//!
//! Owns: the serde model (fields this version does not know are kept), validation that
//! names every problem, and the platform check. Must not: read archives (that is
//! `archive`) or fill in answers (that is `plan`).

use std::{collections::BTreeMap, fmt};

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{MapAccess, Visitor},
    ser::SerializeMap,
};
use serde_json::{Map, Value};

use crate::server_json::{
    ValidationErrors,
    validate::{Report, join, shown},
};

/// Manifest versions Switchboard reads.
pub const MANIFEST_VERSIONS: [&str; 4] = ["0.1", "0.2", "0.3", "0.4"];

/// A bundle's `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_version: Option<String>,
    /// The older name of `manifest_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dxt_version: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub version: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,
    pub author: Author,
    pub server: ManifestServer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<Compatibility>,
    /// Settings, in the order the manifest lists them.
    #[serde(default, skip_serializing_if = "UserConfig::is_empty")]
    pub user_config: UserConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Map::is_empty")]
    pub meta: Map<String, Value>,
    /// Everything else (icons, tools, prompts, links, …), kept as written.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Who made the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Author {
    pub name: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// How the bundle's server runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestServer {
    #[serde(rename = "type")]
    pub kind: ServerType,
    /// The main file, relative to the bundle.
    pub entry_point: String,
    /// The command line; optional for `uv` servers (Switchboard runs them with `uv run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_config: Option<McpConfig>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `server.type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerType {
    Node,
    Python,
    Binary,
    /// Python run by uv from the bundle's `pyproject.toml` (manifest 0.4, experimental).
    Uv,
    Other(String),
}

impl ServerType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Node => "node",
            Self::Python => "python",
            Self::Binary => "binary",
            Self::Uv => "uv",
            Self::Other(text) => text,
        }
    }
}

impl Serialize for ServerType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ServerType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "node" => Self::Node,
            "python" => Self::Python,
            "binary" => Self::Binary,
            "uv" => Self::Uv,
            _ => Self::Other(text),
        })
    }
}

/// The command line, with `${…}` variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpConfig {
    pub command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Replacements per platform (`darwin`, `win32`, `linux`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub platform_overrides: BTreeMap<String, McpConfigOverride>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What a platform override replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpConfigOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Requirements to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compatibility {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<String>>,
    /// Version ranges by runtime (`node`, `python`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runtimes: BTreeMap<String, String>,
    /// Client versions (`claude_desktop`, …) and anything newer, kept.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One setting a bundle asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserConfigOption {
    #[serde(rename = "type")]
    pub kind: UserConfigType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Several directories or files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    /// A secret (strings only): kept in the keychain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A `user_config` option's `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserConfigType {
    String,
    Number,
    Boolean,
    Directory,
    File,
    Other(String),
}

impl UserConfigType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Directory => "directory",
            Self::File => "file",
            Self::Other(text) => text,
        }
    }
}

impl Serialize for UserConfigType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UserConfigType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "string" => Self::String,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "directory" => Self::Directory,
            "file" => Self::File,
            _ => Self::Other(text),
        })
    }
}

/// `user_config`: options by key, in the manifest's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserConfig(pub Vec<(String, UserConfigOption)>);

impl UserConfig {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&UserConfigOption> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, option)| option)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &UserConfigOption)> {
        self.0.iter().map(|(key, option)| (key.as_str(), option))
    }
}

impl Serialize for UserConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, option) in &self.0 {
            map.serialize_entry(key, option)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UserConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = UserConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UserConfig, A::Error> {
                let mut options: Vec<(String, UserConfigOption)> = Vec::new();
                while let Some((key, option)) = access.next_entry::<String, UserConfigOption>()? {
                    if options.iter().any(|(k, _)| *k == key) {
                        return Err(serde::de::Error::custom(format!(
                            "user_config declares \"{key}\" twice"
                        )));
                    }
                    options.push((key, option));
                }
                Ok(UserConfig(options))
            }
        }
        deserializer.deserialize_map(Ordered)
    }
}

/// The operating systems bundles name (as Node's `process.platform` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Darwin,
    Win32,
    Linux,
}

impl Platform {
    pub const ALL: [Self; 3] = [Self::Darwin, Self::Win32, Self::Linux];

    /// This computer's platform (Linux for the other Unixes, which bundles do not name).
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::Darwin
        } else if cfg!(windows) {
            Self::Win32
        } else {
            Self::Linux
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Darwin => "darwin",
            Self::Win32 => "win32",
            Self::Linux => "linux",
        }
    }

    /// The name people know.
    pub fn title(self) -> &'static str {
        match self {
            Self::Darwin => "macOS",
            Self::Win32 => "Windows",
            Self::Linux => "Linux",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the bundle's manifest.json is not valid JSON of the expected shape: {0}")]
    Syntax(String),
    #[error("the bundle's manifest.json is not valid: {0}")]
    Invalid(ValidationErrors),
    #[error("this bundle runs on {supported}, not on {this}; ask its author for a {this} version")]
    Incompatible { supported: String, this: String },
}

impl Manifest {
    /// Reads and validates a manifest.
    pub fn parse(bytes: &[u8]) -> Result<Self, ManifestError> {
        let manifest: Self =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Syntax(e.to_string()))?;
        manifest.validate().map_err(ManifestError::Invalid)?;
        Ok(manifest)
    }

    /// The manifest version, whichever way it is spelled.
    pub fn spec_version(&self) -> Option<&str> {
        self.manifest_version
            .as_deref()
            .or(self.dxt_version.as_deref())
    }

    /// The name shown to people.
    pub fn title(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    /// Checks every rule of the MCPB manifest that Switchboard relies on.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut report = Report::default();
        match self.spec_version() {
            None => report.add(
                "manifest_version",
                "is missing: a bundle says which manifest version it follows",
            ),
            Some(version) if !MANIFEST_VERSIONS.contains(&version) => report.add(
                "manifest_version",
                format!(
                    "\"{}\" is not a version Switchboard reads ({}); update Switchboard, or \
                     ask the author for a bundle made for one of those",
                    shown(version),
                    MANIFEST_VERSIONS.join(", ")
                ),
            ),
            Some(_) => {}
        }
        for (field, value) in [
            ("name", &self.name),
            ("version", &self.version),
            ("description", &self.description),
            ("author.name", &self.author.name),
        ] {
            if value.trim().is_empty() {
                report.add(field, "is empty");
            }
        }
        self.check_server(&mut report);
        self.check_user_config(&mut report);
        if let Some(compatibility) = &self.compatibility {
            for (index, platform) in compatibility.platforms.iter().flatten().enumerate() {
                if Platform::from_name(platform).is_none() {
                    report.add(
                        &format!("compatibility.platforms[{index}]"),
                        format!(
                            "\"{}\" is not a platform: use darwin, win32 or linux",
                            shown(platform)
                        ),
                    );
                }
            }
        }
        report.finish()
    }

    fn check_server(&self, report: &mut Report) {
        if let ServerType::Other(kind) = &self.server.kind {
            report.add(
                "server.type",
                format!(
                    "\"{}\" is not a server type: use node, python, binary or uv",
                    shown(kind)
                ),
            );
        }
        if let Err(problem) = super::archive::entry_path(&self.server.entry_point) {
            report.add(
                "server.entry_point",
                format!(
                    "\"{}\" is not a path inside the bundle: {problem}",
                    shown(&self.server.entry_point)
                ),
            );
        }
        let Some(config) = &self.server.mcp_config else {
            if self.server.kind != ServerType::Uv {
                report.add(
                    "server.mcp_config",
                    "is missing: the bundle must say how its server is started",
                );
            }
            return;
        };
        if config.command.trim().is_empty() {
            report.add("server.mcp_config.command", "is empty");
        }
        for (platform, replacement) in &config.platform_overrides {
            let path = join("server.mcp_config.platform_overrides", platform);
            if Platform::from_name(platform).is_none() {
                report.add(
                    &path,
                    format!(
                        "\"{}\" is not a platform: use darwin, win32 or linux",
                        shown(platform)
                    ),
                );
            }
            if replacement
                .command
                .as_deref()
                .is_some_and(|c| c.trim().is_empty())
            {
                report.add(&join(&path, "command"), "is empty");
            }
        }
        for (path, text) in config_texts(config) {
            for key in user_config_references(text) {
                if self.user_config.get(key).is_none() {
                    report.add(
                        &path,
                        format!(
                            "uses ${{user_config.{}}}, which user_config does not declare",
                            shown(key)
                        ),
                    );
                }
            }
        }
    }

    fn check_user_config(&self, report: &mut Report) {
        for (key, option) in self.user_config.iter() {
            let path = join("user_config", key);
            let key_ok = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !key_ok {
                report.add(
                    &path,
                    "is not a usable key: use letters, digits, '_' or '-'",
                );
            }
            let kind = &option.kind;
            if let UserConfigType::Other(other) = kind {
                report.add(
                    &join(&path, "type"),
                    format!(
                        "\"{}\" is not a type: use string, number, boolean, directory or file",
                        shown(other)
                    ),
                );
            }
            if option.sensitive && *kind != UserConfigType::String {
                report.add(
                    &join(&path, "sensitive"),
                    "only a string setting can be sensitive",
                );
            }
            if option.multiple && !matches!(kind, UserConfigType::Directory | UserConfigType::File)
            {
                report.add(
                    &join(&path, "multiple"),
                    "only directory and file settings take several values",
                );
            }
            if (option.min.is_some() || option.max.is_some()) && *kind != UserConfigType::Number {
                report.add(&path, "min and max apply to number settings only");
            }
            if let (Some(min), Some(max)) = (option.min, option.max)
                && min > max
            {
                report.add(&path, format!("min ({min}) is greater than max ({max})"));
            }
            if let Some(default) = &option.default {
                let fits = match kind {
                    UserConfigType::String => default.is_string(),
                    UserConfigType::Number => default.is_number(),
                    UserConfigType::Boolean => default.is_boolean(),
                    UserConfigType::Directory | UserConfigType::File => {
                        default.is_string()
                            || (option.multiple
                                && default
                                    .as_array()
                                    .is_some_and(|items| items.iter().all(Value::is_string)))
                    }
                    UserConfigType::Other(_) => true,
                };
                if !fits {
                    report.add(
                        &join(&path, "default"),
                        format!("{default} is not a {} value", kind.as_str()),
                    );
                }
            }
        }
    }

    /// Whether the bundle runs on `platform`.
    pub fn check_platform(&self, platform: Platform) -> Result<(), ManifestError> {
        let Some(platforms) = self
            .compatibility
            .as_ref()
            .and_then(|c| c.platforms.as_ref())
        else {
            return Ok(());
        };
        if platforms.iter().any(|p| p == platform.as_str()) {
            return Ok(());
        }
        let supported: Vec<String> = platforms
            .iter()
            .map(|p| Platform::from_name(p).map_or_else(|| p.clone(), |p| p.title().to_owned()))
            .collect();
        Err(ManifestError::Incompatible {
            supported: if supported.is_empty() {
                "no platform".to_owned()
            } else {
                supported.join(" and ")
            },
            this: platform.title().to_owned(),
        })
    }
}

/// Every text of an `mcp_config` that may hold variables, with its place.
fn config_texts(config: &McpConfig) -> Vec<(String, &str)> {
    let base = "server.mcp_config";
    let mut texts = vec![(join(base, "command"), config.command.as_str())];
    for (index, arg) in config.args.iter().enumerate() {
        texts.push((format!("{base}.args[{index}]"), arg.as_str()));
    }
    for (name, value) in &config.env {
        texts.push((join(&join(base, "env"), name), value.as_str()));
    }
    for (platform, replacement) in &config.platform_overrides {
        let path = join(&join(base, "platform_overrides"), platform);
        if let Some(command) = &replacement.command {
            texts.push((join(&path, "command"), command.as_str()));
        }
        for (index, arg) in replacement.args.iter().flatten().enumerate() {
            texts.push((format!("{path}.args[{index}]"), arg.as_str()));
        }
        for (name, value) in replacement.env.iter().flatten() {
            texts.push((join(&join(&path, "env"), name), value.as_str()));
        }
    }
    texts
}

/// The keys of every `${user_config.KEY}` in `text`.
pub(crate) fn user_config_references(text: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${user_config.") {
        let after = &rest[start + "${user_config.".len()..];
        match after.find('}') {
            Some(end) => {
                keys.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn manifest(value: &Value) -> Result<Manifest, ManifestError> {
        Manifest::parse(value.to_string().as_bytes())
    }

    fn good() -> Value {
        json!({
            "manifest_version": "0.3", "name": "hello", "version": "1.0.0",
            "description": "Says hello", "author": {"name": "Ada"},
            "server": {"type": "node", "entry_point": "server/index.js",
                "mcp_config": {"command": "node", "args": ["${__dirname}/server/index.js", "${user_config.root}"],
                    "env": {"TOKEN": "${user_config.token}"},
                    "platform_overrides": {"win32": {"env": {"TOKEN": "${user_config.token}"}}}}},
            "user_config": {
                "token": {"type": "string", "title": "Token", "description": "API token", "sensitive": true, "required": true},
                "root": {"type": "directory", "title": "Root", "description": "Where", "multiple": true, "default": ["${HOME}/Desktop"]},
                "limit": {"type": "number", "title": "Limit", "description": "Max", "default": 10, "min": 1, "max": 100}
            },
            "compatibility": {"platforms": ["darwin", "linux"], "runtimes": {"node": ">=18.0.0"}},
            "tools": [{"name": "hello"}]
        })
    }

    #[test]
    fn a_good_manifest_reads_in_order_and_keeps_unknown_fields() {
        let read = manifest(&good()).expect("valid");
        // Written as text: a json! value would sort the keys before the manifest saw them.
        let ordered = Manifest::parse(
            br#"{"manifest_version":"0.3","name":"x","version":"1","description":"d",
                "author":{"name":"a"},"server":{"type":"uv","entry_point":"main.py"},
                "user_config":{"zeta":{"type":"string"},"alpha":{"type":"number"},
                               "mid":{"type":"boolean"}}}"#,
        )
        .expect("valid");
        let keys: Vec<&str> = ordered.user_config.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["zeta", "alpha", "mid"], "the manifest's order");
        assert!(read.other.contains_key("tools"), "unknown fields kept");
        assert_eq!(read.spec_version(), Some("0.3"));
        let round: Manifest =
            serde_json::from_value(serde_json::to_value(&read).expect("serialise")).expect("read");
        assert_eq!(round, read);
    }

    #[test]
    fn the_old_dxt_version_spelling_is_read() {
        let mut old = good();
        old.as_object_mut()
            .expect("object")
            .remove("manifest_version");
        old["dxt_version"] = json!("0.1");
        assert_eq!(manifest(&old).expect("valid").spec_version(), Some("0.1"));
    }

    #[test]
    fn an_unknown_manifest_version_is_refused_with_the_ones_read() {
        let mut wrong = good();
        wrong["manifest_version"] = json!("7.0");
        let error = manifest(&wrong).expect_err("unknown version").to_string();
        assert!(
            error.contains("\"7.0\" is not a version Switchboard reads (0.1, 0.2, 0.3, 0.4)"),
            "{error}"
        );
    }

    #[test]
    fn every_manifest_problem_is_named() {
        let bad = json!({
            "manifest_version": "0.3", "name": "", "version": "1", "description": "d",
            "author": {"name": "A"},
            "server": {"type": "ruby", "entry_point": "../outside.rb",
                "mcp_config": {"command": "ruby", "args": ["${user_config.nope}"],
                    "platform_overrides": {"beos": {}}}},
            "user_config": {
                "a": {"type": "number", "sensitive": true, "min": 5, "max": 1},
                "b": {"type": "string", "multiple": true, "default": 3},
                "c": {"type": "colour"}
            },
            "compatibility": {"platforms": ["amiga"]}
        });
        let error = manifest(&bad).expect_err("invalid").to_string();
        for expected in [
            "name: is empty",
            "server.type: \"ruby\" is not a server type",
            "server.entry_point: \"../outside.rb\" is not a path inside the bundle",
            "platform_overrides.beos: \"beos\" is not a platform",
            "server.mcp_config.args[0]: uses ${user_config.nope}, which user_config does not declare",
            "user_config.a.sensitive: only a string setting can be sensitive",
            "user_config.a: min (5) is greater than max (1)",
            "user_config.b.multiple: only directory and file settings",
            "user_config.b.default: 3 is not a string value",
            "user_config.c.type: \"colour\" is not a type",
            "compatibility.platforms[0]: \"amiga\" is not a platform",
        ] {
            assert!(error.contains(expected), "missing {expected:?} in: {error}");
        }
    }

    #[test]
    fn malformed_json_says_so() {
        let error = Manifest::parse(b"{\"name\": ")
            .expect_err("syntax")
            .to_string();
        assert!(error.contains("not valid JSON"), "{error}");
        let error = Manifest::parse(b"{\"name\": \"x\"}")
            .expect_err("shape")
            .to_string();
        assert!(error.contains("missing field"), "{error}");
    }

    #[test]
    fn platforms_are_checked_and_named_for_people() {
        let read = manifest(&good()).expect("valid");
        read.check_platform(Platform::Linux).expect("linux listed");
        let error = read
            .check_platform(Platform::Win32)
            .expect_err("windows not listed")
            .to_string();
        assert_eq!(
            error,
            "this bundle runs on macOS and Linux, not on Windows; ask its author for a \
             Windows version"
        );
        let mut any = good();
        any.as_object_mut().expect("object").remove("compatibility");
        manifest(&any)
            .expect("valid")
            .check_platform(Platform::Win32)
            .expect("no list means every platform");
    }

    #[test]
    fn a_key_declared_twice_is_refused() {
        let text = r#"{"manifest_version":"0.3","name":"x","version":"1","description":"d",
            "author":{"name":"a"},"server":{"type":"uv","entry_point":"main.py"},
            "user_config":{"k":{"type":"string"},"k":{"type":"number"}}}"#;
        let error = Manifest::parse(text.as_bytes())
            .expect_err("twice")
            .to_string();
        assert!(error.contains("declares \"k\" twice"), "{error}");
    }
}
