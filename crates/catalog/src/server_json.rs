//! The MCP Registry's `server.json` format (schema 2025-12-11, the current published one):
//! a server's name, description and version, the packages it can be installed from (npm,
//! PyPI, OCI images, MCP Bundles), the remote endpoints it is served at, and the inputs each
//! of them takes (arguments, environment variables, headers, `{placeholders}`).
//!
//! Owns: the serde model, lossless (fields this version does not know are kept and written
//! back), and [`ServerJson::validate`], which says precisely what breaks the schema. Must
//! not: decide anything Switchboard-specific (that is `meta` and `entry`) or touch the
//! network.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub(crate) mod validate;

pub use validate::{Problem, ValidationErrors};

/// The `$schema` URL of the format this crate reads and writes.
pub const SCHEMA_URL: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/// One `server.json` document: an MCP server as the registry describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerJson {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Reverse-DNS name with one slash: `io.github.user/weather`.
    pub name: String,
    /// What the server does, at most 100 characters.
    pub description: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The server's own version (not a range).
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Repository>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Ways to run the server locally, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    /// Endpoints where the server is already running.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<Transport>,
    /// Extension data under reverse-DNS keys (Switchboard's is `dev.switchboard/catalog`).
    #[serde(rename = "_meta", default, skip_serializing_if = "Map::is_empty")]
    pub meta: Map<String, Value>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Where the source code lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    pub url: String,
    /// The hosting service, such as `github`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subfolder: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An icon a user interface may show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    pub src: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A package the server can be run from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub registry_type: RegistryType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_base_url: Option<String>,
    /// The package name (npm, PyPI), the image reference with its tag (OCI), or the
    /// download URL (MCP Bundle).
    pub identifier: String,
    /// The package version (npm, PyPI, NuGet); OCI images carry it in the identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// The runtime the publisher had in mind (`npx`, `uvx`, `docker`, `dnx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hint: Option<String>,
    pub transport: Transport,
    /// Arguments for the runtime (`docker run …`, `npx …`), before the package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_arguments: Vec<Argument>,
    /// Arguments for the server itself, after the package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub package_arguments: Vec<Argument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<KeyValueInput>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Which registry a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegistryType {
    Npm,
    Pypi,
    Oci,
    Mcpb,
    Nuget,
    Cargo,
    /// A registry type this version does not know, kept as written.
    Other(String),
}

impl RegistryType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Npm => "npm",
            Self::Pypi => "pypi",
            Self::Oci => "oci",
            Self::Mcpb => "mcpb",
            Self::Nuget => "nuget",
            Self::Cargo => "cargo",
            Self::Other(text) => text,
        }
    }
}

impl From<String> for RegistryType {
    fn from(text: String) -> Self {
        match text.as_str() {
            "npm" => Self::Npm,
            "pypi" => Self::Pypi,
            "oci" => Self::Oci,
            "mcpb" => Self::Mcpb,
            "nuget" => Self::Nuget,
            "cargo" => Self::Cargo,
            _ => Self::Other(text),
        }
    }
}

impl fmt::Display for RegistryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RegistryType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegistryType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// How a client talks to the server: stdio for a local package, Streamable HTTP or SSE
/// at a URL. Remotes use the same shape plus `variables` for the URL template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transport {
    #[serde(rename = "type")]
    pub kind: TransportKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValueInput>,
    /// Values for `{placeholders}` in the URL (remotes).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Input>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Transport {
    /// A stdio transport.
    pub fn stdio() -> Self {
        Self {
            kind: TransportKind::Stdio,
            url: None,
            headers: Vec::new(),
            variables: BTreeMap::new(),
            other: Map::new(),
        }
    }
}

/// The transport's `type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransportKind {
    Stdio,
    StreamableHttp,
    Sse,
    Other(String),
}

impl TransportKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stdio => "stdio",
            Self::StreamableHttp => "streamable-http",
            Self::Sse => "sse",
            Self::Other(text) => text,
        }
    }
}

impl Serialize for TransportKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TransportKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "stdio" => Self::Stdio,
            "streamable-http" => Self::StreamableHttp,
            "sse" => Self::Sse,
            _ => Self::Other(text),
        })
    }
}

/// A value the user may be asked for (or that is fixed), with `{placeholders}` filled from
/// `variables`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<InputFormat>,
    /// A fixed value (not configurable by the user), which may hold `{placeholders}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_secret: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// What the `{placeholders}` in `value` stand for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Input>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Input {
    /// The declared format, `string` when none is given.
    pub fn format(&self) -> InputFormat {
        self.format.clone().unwrap_or(InputFormat::String)
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// How an input's text is to be read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InputFormat {
    String,
    Number,
    Boolean,
    /// A path on the user's computer.
    Filepath,
    Other(String),
}

impl InputFormat {
    pub fn as_str(&self) -> &str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Filepath => "filepath",
            Self::Other(text) => text,
        }
    }
}

impl Serialize for InputFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InputFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "string" => Self::String,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "filepath" => Self::Filepath,
            _ => Self::Other(text),
        })
    }
}

/// A named input: an environment variable or an HTTP header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyValueInput {
    pub name: String,
    #[serde(flatten)]
    pub input: Input,
}

/// A command-line argument: a positional value or a named `--flag value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    #[serde(rename = "type")]
    pub kind: ArgumentKind,
    /// The flag, with its dashes (named arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A label for a positional argument (not part of the command line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_hint: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_repeated: bool,
    #[serde(flatten)]
    pub input: Input,
}

/// The argument's `type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArgumentKind {
    Positional,
    Named,
    Other(String),
}

impl Serialize for ArgumentKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            Self::Positional => "positional",
            Self::Named => "named",
            Self::Other(text) => text,
        })
    }
}

impl<'de> Deserialize<'de> for ArgumentKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "positional" => Self::Positional,
            "named" => Self::Named,
            _ => Self::Other(text),
        })
    }
}

impl Argument {
    /// The key an answer for this argument is given under: the flag of a named argument,
    /// the value hint of a positional one.
    pub fn key(&self) -> Option<&str> {
        match self.kind {
            ArgumentKind::Named => self.name.as_deref(),
            _ => self.value_hint.as_deref(),
        }
    }
}

/// Why a `server.json` document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, or not the shape of a `server.json`.
    #[error("{source_name} is not a readable server.json: {error}")]
    Syntax {
        source_name: String,
        #[source]
        error: serde_json::Error,
    },
    /// Read, but breaks the schema.
    #[error("{source_name}: {errors}")]
    Invalid {
        source_name: String,
        errors: ValidationErrors,
    },
}

impl ServerJson {
    /// Reads and validates a document; `source_name` names it in errors (a file name, a
    /// registry entry).
    pub fn from_json(source_name: &str, text: &str) -> Result<Self, ReadError> {
        let server: Self = serde_json::from_str(text).map_err(|error| ReadError::Syntax {
            source_name: source_name.to_owned(),
            error,
        })?;
        server.validate().map_err(|errors| ReadError::Invalid {
            source_name: source_name.to_owned(),
            errors,
        })?;
        Ok(server)
    }

    /// Reads and validates a document that is already JSON.
    pub fn from_value(source_name: &str, value: Value) -> Result<Self, ReadError> {
        let server: Self = serde_json::from_value(value).map_err(|error| ReadError::Syntax {
            source_name: source_name.to_owned(),
            error,
        })?;
        server.validate().map_err(|errors| ReadError::Invalid {
            source_name: source_name.to_owned(),
            errors,
        })?;
        Ok(server)
    }

    /// The name shown to people: the title, else the part of the name after the slash.
    pub fn display_name(&self) -> &str {
        self.title
            .as_deref()
            .unwrap_or_else(|| self.name.rsplit('/').next().unwrap_or(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GITHUB_STYLE: &str = r#"{
      "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
      "name": "io.github.example/weather",
      "description": "Weather forecasts",
      "version": "1.2.0",
      "futureField": {"kept": true},
      "packages": [{
        "registryType": "oci",
        "identifier": "ghcr.io/example/weather:1.2.0",
        "transport": {"type": "stdio"},
        "runtimeHint": "docker",
        "runtimeArguments": [
          {"type": "named", "name": "-e", "value": "API_KEY={key}",
           "variables": {"key": {"isSecret": true, "isRequired": true}}}
        ],
        "somethingNew": 3
      }],
      "remotes": [{"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
                   "variables": {"tenant": {"isRequired": true}}}],
      "_meta": {"com.example/x": {"a": 1}}
    }"#;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let server = ServerJson::from_json("test", GITHUB_STYLE).expect("valid");
        let written = serde_json::to_value(&server).expect("serialises");
        assert_eq!(
            written["futureField"]["kept"],
            Value::Bool(true),
            "top-level unknown field lost: {written}"
        );
        assert_eq!(
            written["packages"][0]["somethingNew"],
            Value::from(3),
            "package unknown field lost: {written}"
        );
        assert_eq!(written["_meta"]["com.example/x"]["a"], Value::from(1));
        let again: ServerJson = serde_json::from_value(written).expect("reads back");
        assert_eq!(again, server, "a round trip changes nothing");
    }

    #[test]
    fn arguments_and_variables_are_read() {
        let server = ServerJson::from_json("test", GITHUB_STYLE).expect("valid");
        let argument = &server.packages[0].runtime_arguments[0];
        assert_eq!(argument.kind, ArgumentKind::Named);
        assert_eq!(argument.key(), Some("-e"));
        let key = &argument.input.variables["key"];
        assert!(key.is_secret && key.is_required, "variable flags: {key:?}");
        assert_eq!(server.remotes[0].kind, TransportKind::StreamableHttp);
        assert_eq!(server.display_name(), "weather");
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let error = ServerJson::from_json("broken.json", r#"{"name": "a.b/c", "version": "1"}"#)
            .expect_err("description is required");
        let text = error.to_string();
        assert!(
            text.contains("broken.json") && text.contains("description"),
            "the error names the file and the field: {text}"
        );
    }
}

#[cfg(test)]
mod parse_properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn reading_any_text_never_panics(text in ".{0,300}") {
            let _ = ServerJson::from_json("random", &text);
        }

        #[test]
        fn reading_any_json_object_never_panics(
            name in ".{0,40}", version in ".{0,12}", kind in "[a-z-]{0,16}", url in ".{0,40}"
        ) {
            let document = serde_json::json!({
                "name": name, "description": "d", "version": version,
                "packages": [{"registryType": kind, "identifier": url, "transport": {"type": kind, "url": url}}],
                "remotes": [{"type": kind, "url": url}]
            });
            let _ = ServerJson::from_value("random", document);
        }
    }
}
