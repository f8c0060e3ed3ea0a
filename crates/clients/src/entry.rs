//! One server entry in a client's file: what Switchboard writes (the bridge command, or a
//! URL with headers), the name rule every client accepts, collision names, and how an
//! entry is rendered in a client's shape and read back from one.
//!
//! Owns: [`Entry`], the name rule `^[a-zA-Z0-9_-]{1,64}$`, candidate names on collision,
//! rendering and lenient reading of entries as JSON values. Must not: touch files or
//! decide which entries are managed (that is `edit`).

use std::{collections::BTreeMap, fmt, path::Path};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    ClientsError,
    secret::Secret,
    spec::{ClientSpec, EntryShape},
};

/// The longest entry name every client accepts.
pub const NAME_MAX_LEN: usize = 64;

/// The suffix added to a server's id when the client already has a foreign entry of that
/// name: `github` becomes `github-switchboard`, then `github-switchboard-2`, …
pub const COLLISION_SUFFIX: &str = "-switchboard";

/// How many numbered collision names are tried before giving up.
const COLLISION_TRIES: usize = 99;

/// Whether `name` matches `^[a-zA-Z0-9_-]{1,64}$`, the one shape every client accepts.
pub fn is_valid_name(name: &str) -> bool {
    (1..=NAME_MAX_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A valid name made from any text: characters outside `[a-zA-Z0-9_-]` become `-`, runs
/// of `-` shrink to one, leading and trailing `-` go, and the result is cut to 64
/// characters (`"My Server (v2)"` → `"My-Server-v2"`); nothing usable gives `"server"`.
pub fn sanitize_name(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len().min(NAME_MAX_LEN));
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        name.push(c);
    }
    let mut name = name.trim_end_matches('-').to_owned();
    name.truncate(NAME_MAX_LEN);
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "server".to_owned()
    } else {
        name
    }
}

/// The names tried, in order, for server `id`: the id itself, then `<id>-switchboard`,
/// then `<id>-switchboard-2` … `-99`, each cut so it stays within 64 characters.
pub fn candidate_names(id: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(id.to_owned()).chain((1..=COLLISION_TRIES).map(move |n| {
        let suffix = if n == 1 {
            COLLISION_SUFFIX.to_owned()
        } else {
            format!("{COLLISION_SUFFIX}-{n}")
        };
        let keep = NAME_MAX_LEN.saturating_sub(suffix.len()).min(id.len());
        format!("{}{suffix}", &id[..keep])
    }))
}

/// A stdio entry: the command a client runs and talks to over stdin/stdout. Debug shows
/// env names but not their values, and hides arguments that look like secrets (an entry
/// read from a hand-made file may hold some).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct StdioEntry {
    pub command: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
}

impl fmt::Debug for StdioEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<&str> = self
            .args
            .iter()
            .map(|arg| switchboard_secrets::detect::redacted_argument(arg))
            .collect();
        f.debug_struct("StdioEntry")
            .field("command", &self.command)
            .field("args", &args)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A Streamable HTTP entry: a URL and the headers to send (a bearer token, typically).
/// Header values are [`Secret`]s: Debug shows only the header names, and hides a URL
/// that carries a key.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct HttpEntry {
    pub url: String,
    pub headers: BTreeMap<String, Secret>,
}

impl fmt::Debug for HttpEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpEntry")
            .field("url", &switchboard_secrets::detect::redacted_url(&self.url))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What one server's entry in a client's file says. Switchboard writes
/// [`Entry::bridge`] (`switchboard connect <id>`) by default, or [`Entry::Http`] where the
/// user chose URL entries for a client that takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Stdio(StdioEntry),
    Http(HttpEntry),
}

/// Which kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Stdio,
    Http,
}

impl Entry {
    /// The bridge entry for server `id`: `<binary> connect <id>`. The binary must be an
    /// absolute path (GUI clients do not search the shell's PATH).
    pub fn bridge(binary: &Path, id: &str) -> Result<Self, ClientsError> {
        if !binary.is_absolute() && !looks_like_windows_absolute(binary) {
            return Err(ClientsError::RelativeBinary(binary.to_path_buf()));
        }
        if !is_valid_name(id) {
            return Err(ClientsError::InvalidName(id.to_owned()));
        }
        Ok(Self::Stdio(StdioEntry {
            command: binary.to_string_lossy().into_owned(),
            args: vec!["connect".to_owned(), id.to_owned()],
            env: BTreeMap::new(),
        }))
    }

    /// A URL entry that sends `Authorization: Bearer <token>`.
    pub fn http_with_bearer(url: impl Into<String>, token: &Secret) -> Self {
        let mut headers = BTreeMap::new();
        headers.insert(
            "Authorization".to_owned(),
            Secret::new(format!("Bearer {}", token.expose())),
        );
        Self::Http(HttpEntry {
            url: url.into(),
            headers,
        })
    }

    /// A URL entry for `client` that sends `Authorization: Bearer <the value of variable>`:
    /// the file holds the client's reference to the variable (`${env:NAME}`, `${NAME}`),
    /// never the token, and the client puts the value in when it connects. Fails for a
    /// client that takes no URL entries or expands no variables.
    pub fn http_with_bearer_from_env(
        client: &ClientSpec,
        url: impl Into<String>,
        variable: &str,
    ) -> Result<Self, ClientsError> {
        let shape = client
            .entry
            .url
            .ok_or(ClientsError::UrlNotSupported { client: client.id })?;
        let syntax = shape
            .env_reference
            .ok_or(ClientsError::EnvReferenceNotSupported { client: client.id })?;
        let mut headers = BTreeMap::new();
        headers.insert(
            "Authorization".to_owned(),
            Secret::new(format!("Bearer {}", syntax.reference(variable))),
        );
        Ok(Self::Http(HttpEntry {
            url: url.into(),
            headers,
        }))
    }

    /// Which kind of entry this is.
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::Stdio(_) => EntryKind::Stdio,
            Self::Http(_) => EntryKind::Http,
        }
    }
}

/// `C:\…` is absolute for a Windows client even when Switchboard's tests run elsewhere.
fn looks_like_windows_absolute(path: &Path) -> bool {
    let text = path.to_string_lossy();
    let bytes = text.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/')
}

/// The fields of `entry` in `shape`, in the order they are written. Empty `env` and
/// `headers` are left out; `args` is always written (Zed requires it).
pub(crate) fn render(entry: &Entry, shape: &EntryShape) -> Vec<(&'static str, Value)> {
    let mut fields = Vec::with_capacity(4);
    match entry {
        Entry::Stdio(stdio) => {
            if let Some(kind) = shape.stdio_type {
                fields.push(("type", Value::from(kind)));
            }
            fields.push(("command", Value::from(stdio.command.as_str())));
            fields.push((
                "args",
                Value::Array(stdio.args.iter().map(|a| Value::from(a.as_str())).collect()),
            ));
            if !stdio.env.is_empty() {
                let env: Map<String, Value> = stdio
                    .env
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect();
                fields.push(("env", Value::Object(env)));
            }
        }
        Entry::Http(http) => {
            // Callers check that the shape takes URLs; a shape without one writes `url`.
            let url_shape = shape.url;
            if let Some(kind) = url_shape.and_then(|u| u.type_value) {
                fields.push(("type", Value::from(kind)));
            }
            let key = url_shape.map_or("url", |u| u.url_key);
            fields.push((key, Value::from(http.url.as_str())));
            if !http.headers.is_empty() {
                let headers: Map<String, Value> = http
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.expose())))
                    .collect();
                fields.push(("headers", Value::Object(headers)));
            }
        }
    }
    fields
}

/// Reads an entry leniently, whatever client wrote it: `command` (a string, or Zed's
/// older `{path, args, env}` object) makes a stdio entry; otherwise `url`, `serverUrl` or
/// `httpUrl` makes an HTTP entry with `headers` (or Codex's `http_headers`). Missing
/// `args`/`env` read as empty; non-string scalars read as their text. `None` when the
/// value is neither.
pub(crate) fn parse_entry(value: &Value) -> Option<Entry> {
    let object = value.as_object()?;
    match object.get("command") {
        Some(Value::String(command)) => Some(Entry::Stdio(StdioEntry {
            command: command.clone(),
            args: string_list(object.get("args")),
            env: string_map(object.get("env")),
        })),
        Some(Value::Object(legacy)) => {
            let command = legacy.get("path").and_then(Value::as_str)?;
            Some(Entry::Stdio(StdioEntry {
                command: command.to_owned(),
                args: string_list(legacy.get("args")),
                env: string_map(legacy.get("env")),
            }))
        }
        _ => {
            let url = ["url", "serverUrl", "httpUrl"]
                .iter()
                .find_map(|key| object.get(*key).and_then(Value::as_str))?;
            let headers = object.get("headers").or_else(|| object.get("http_headers"));
            Some(Entry::Http(HttpEntry {
                url: url.to_owned(),
                headers: string_map(headers)
                    .into_iter()
                    .map(|(k, v)| (k, Secret::new(v)))
                    .collect(),
            }))
        }
    }
}

/// Which of Switchboard's fields differ between what it wrote (`expected`) and what the
/// file has now (`found`), by meaning: a missing `args`/`env` equals an empty one, key
/// order does not count, keys Switchboard does not own do not count. `["entry"]` when
/// `found` is not an entry at all.
pub(crate) fn altered_fields(
    expected: &Entry,
    found: &Value,
    shape: &EntryShape,
) -> Vec<&'static str> {
    let Some(actual) = parse_entry(found) else {
        return vec!["entry"];
    };
    let mut fields = Vec::new();
    let wanted_type = match expected {
        Entry::Stdio(_) => shape.stdio_type,
        Entry::Http(_) => shape.url.and_then(|u| u.type_value),
    };
    if let Some(wanted) = wanted_type
        && let Some(found_type) = found.get("type")
        && found_type.as_str() != Some(wanted)
    {
        fields.push("type");
    }
    match (expected, &actual) {
        (Entry::Stdio(want), Entry::Stdio(have)) => {
            if want.command != have.command {
                fields.push("command");
            }
            if want.args != have.args {
                fields.push("args");
            }
            if want.env != have.env {
                fields.push("env");
            }
        }
        (Entry::Http(want), Entry::Http(have)) => {
            if want.url != have.url {
                fields.push("url");
            }
            if want.headers != have.headers {
                fields.push("headers");
            }
        }
        _ => fields.push("kind"),
    }
    fields
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().map(scalar_text).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), scalar_text(v)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rule_accepts_only_the_shape_every_client_takes() {
        for good in ["github", "my-server_2", "A", &"x".repeat(64)] {
            assert!(is_valid_name(good), "{good} should be valid");
        }
        for bad in ["", "my server", "a.b", "ü", &"x".repeat(65), "a/b"] {
            assert!(!is_valid_name(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn sanitized_names_are_always_valid() {
        assert_eq!(sanitize_name("My Server (v2)"), "My-Server-v2");
        assert_eq!(sanitize_name("@scope/pkg"), "scope-pkg");
        assert_eq!(sanitize_name("???"), "server");
        assert_eq!(sanitize_name(&"ab".repeat(50)).len(), 64);
        assert!(is_valid_name(&sanitize_name("a-".repeat(40).as_str())));
    }

    #[test]
    fn collision_names_stay_within_64_characters() {
        let names: Vec<String> = candidate_names("github").take(3).collect();
        assert_eq!(
            names,
            ["github", "github-switchboard", "github-switchboard-2"]
        );
        let long = "x".repeat(64);
        for name in candidate_names(&long) {
            assert!(is_valid_name(&name), "{name} should be valid");
        }
        assert_eq!(candidate_names("a").count(), 100);
    }

    #[test]
    fn bridge_needs_an_absolute_binary_and_a_valid_id() {
        assert!(matches!(
            Entry::bridge(Path::new("switchboard"), "github"),
            Err(ClientsError::RelativeBinary(_))
        ));
        assert!(matches!(
            Entry::bridge(Path::new("/opt/sb/switchboard"), "git hub"),
            Err(ClientsError::InvalidName(_))
        ));
    }

    #[test]
    fn http_entry_debug_hides_header_values() {
        let entry =
            Entry::http_with_bearer("http://127.0.0.1:7777/mcp", &Secret::new("tok-123456"));
        let shown = format!("{entry:?}");
        assert!(
            !shown.contains("tok-123456"),
            "Debug leaked the token: {shown}"
        );
        assert!(
            shown.contains("Authorization"),
            "Debug should name the header: {shown}"
        );
    }

    #[test]
    fn env_bearer_entries_name_the_variable_in_each_client_s_syntax() {
        let url = "http://127.0.0.1:8931/servers/calc/mcp";
        for (client, expected) in [
            ("cursor", "Bearer ${env:SWITCHBOARD_HTTP_TOKEN}"),
            ("vscode", "Bearer ${env:SWITCHBOARD_HTTP_TOKEN}"),
            ("windsurf", "Bearer ${env:SWITCHBOARD_HTTP_TOKEN}"),
            ("claude-code", "Bearer ${SWITCHBOARD_HTTP_TOKEN}"),
        ] {
            let spec = crate::client(client).unwrap();
            let entry = Entry::http_with_bearer_from_env(spec, url, "SWITCHBOARD_HTTP_TOKEN")
                .unwrap_or_else(|e| panic!("{client}: {e}"));
            let fields = render(&entry, &spec.entry);
            let headers = fields
                .iter()
                .find(|(key, _)| *key == "headers")
                .map(|(_, value)| value.clone())
                .unwrap();
            assert_eq!(headers["Authorization"], expected, "{client}");
            assert!(
                fields.iter().any(|(_, value)| value == url),
                "{client} gets the URL: {fields:?}"
            );
        }
        let zed = crate::client("zed").unwrap();
        assert!(matches!(
            Entry::http_with_bearer_from_env(zed, url, "X"),
            Err(ClientsError::EnvReferenceNotSupported { .. })
        ));
        let claude = crate::client("claude-desktop").unwrap();
        assert!(matches!(
            Entry::http_with_bearer_from_env(claude, url, "X"),
            Err(ClientsError::UrlNotSupported { .. })
        ));
    }

    #[test]
    fn zed_legacy_command_objects_read_as_stdio_entries() {
        let value = serde_json::json!({"command": {"path": "/bin/x", "args": ["a"], "env": {"K": "v"}}, "settings": {}});
        let Some(Entry::Stdio(entry)) = parse_entry(&value) else {
            panic!("legacy Zed entry should parse");
        };
        assert_eq!(entry.command, "/bin/x");
        assert_eq!(entry.args, ["a"]);
    }
}
