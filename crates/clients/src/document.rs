//! A client's config file as an editable document: parse (strict JSON, JSON with
//! comments, or TOML), read the servers map at a key path, add, update and remove single
//! entries, and print it back with everything else byte for byte as it was.
//!
//! Owns: format-preserving edits and the file's text conventions (a UTF-8 byte-order
//! mark, CRLF line endings, a trailing newline), which survive edits; an empty or missing
//! file becomes a minimal valid one. Must not: decide which entries to touch (that is
//! `edit`) or do any I/O.

mod json;
mod toml;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::Format;

/// A file that cannot be edited safely. Messages name positions and keys, never values
/// (a value may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("it does not parse as {format}: {message} at line {line}, column {column}")]
    Malformed {
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("`{key_path}` is {found}, where an object of servers was expected")]
    NotAnObject {
        key_path: String,
        found: &'static str,
    },
}

impl DocumentError {
    /// The 1-based line and column of a parse error.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Self::Malformed { line, column, .. } => Some((*line, *column)),
            Self::NotAnObject { .. } => None,
        }
    }
}

/// One key on the way to the servers map. `fold_case` lets an existing key that differs
/// only in ASCII case match (Claude Code's project keys on Windows, whose drive letter may
/// be either case); a missing key is created as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathKey {
    pub key: String,
    pub fold_case: bool,
}

impl PathKey {
    pub(crate) fn exact(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            fold_case: false,
        }
    }

    pub(crate) fn matches(&self, candidate: &str) -> bool {
        candidate == self.key || (self.fold_case && candidate.eq_ignore_ascii_case(&self.key))
    }
}

/// A key path as people read it: `projects["/home/ada/app"].mcpServers`.
pub(crate) fn display_path(path: &[PathKey]) -> String {
    let mut text = String::new();
    for (i, segment) in path.iter().enumerate() {
        let plain = !segment.key.is_empty()
            && segment
                .key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if plain {
            if i > 0 {
                text.push('.');
            }
            text.push_str(&segment.key);
        } else {
            text.push_str(&format!("[{:?}]", segment.key));
        }
    }
    if text.is_empty() {
        "(root)".to_owned()
    } else {
        text
    }
}

/// The text conventions of the original file, put back after edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextStyle {
    bom: bool,
    crlf: bool,
    /// The original was empty or missing: end the new file with a newline.
    fresh: bool,
}

const BOM: char = '\u{feff}';

impl TextStyle {
    fn of(text: &str) -> Self {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let crlf_count = body.matches("\r\n").count();
        let lf_count = body.matches('\n').count();
        Self {
            bom: text.starts_with(BOM),
            // Only a file that uses CRLF throughout gets CRLF on new lines; a mixed file is
            // left with its mix (converting would rewrite lines that are not ours).
            crlf: crlf_count > 0 && crlf_count == lf_count,
            fresh: body.trim().is_empty(),
        }
    }

    fn apply(self, mut body: String) -> String {
        if self.crlf {
            body = to_crlf(&body);
        }
        if self.fresh && !body.ends_with('\n') {
            body.push_str(if self.crlf { "\r\n" } else { "\n" });
        }
        if self.bom {
            body.insert(0, BOM);
        }
        body
    }
}

fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut previous = '\0';
    for c in text.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

enum Body {
    Json(json::JsonDocument),
    Toml(toml::TomlDocument),
}

/// A parsed config file, ready for entry edits.
pub(crate) struct Document {
    style: TextStyle,
    body: Body,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The document may hold secrets: show only its style.
        f.debug_struct("Document")
            .field("style", &self.style)
            .finish_non_exhaustive()
    }
}

impl Document {
    /// Parses `text` (`None` for a missing file). Blank text gives an empty document.
    pub(crate) fn parse(format: Format, text: Option<&str>) -> Result<Self, DocumentError> {
        let text = text.unwrap_or("");
        let style = TextStyle::of(text);
        let body = text.strip_prefix(BOM).unwrap_or(text);
        let body = if style.fresh { "" } else { body };
        let body = match format {
            Format::Json | Format::Jsonc => Body::Json(json::JsonDocument::parse(format, body)?),
            Format::Toml => Body::Toml(toml::TomlDocument::parse(body)?),
        };
        Ok(Self { style, body })
    }

    /// The entries of the servers map at `path`, as JSON values; `None` when the path is
    /// absent.
    pub(crate) fn servers(
        &self,
        path: &[PathKey],
    ) -> Result<Option<BTreeMap<String, Value>>, DocumentError> {
        match &self.body {
            Body::Json(doc) => doc.servers(path),
            Body::Toml(doc) => doc.servers(path),
        }
    }

    /// Writes entry `name` with `fields`, creating the path if needed. An existing entry
    /// keeps its position and every key not in `owned`; owned keys missing from `fields`
    /// are removed; fields whose value is already equal are left untouched.
    pub(crate) fn put(
        &mut self,
        path: &[PathKey],
        name: &str,
        fields: &[(String, Value)],
        owned: &[&str],
    ) -> Result<(), DocumentError> {
        match &mut self.body {
            Body::Json(doc) => doc.put(path, name, fields, owned),
            Body::Toml(doc) => doc.put(path, name, fields, owned),
        }
    }

    /// Removes entry `name`; whether it was there.
    pub(crate) fn remove(&mut self, path: &[PathKey], name: &str) -> Result<bool, DocumentError> {
        match &mut self.body {
            Body::Json(doc) => doc.remove(path, name),
            Body::Toml(doc) => doc.remove(path, name),
        }
    }

    /// The document's text, in the original file's conventions.
    pub(crate) fn to_text(&self) -> String {
        let body = match &self.body {
            Body::Json(doc) => doc.to_text(),
            Body::Toml(doc) => doc.to_text(),
        };
        self.style.apply(body)
    }
}

/// What a JSON value is, for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].trim_end_matches('\r').chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_is_kept_only_for_files_that_use_it_throughout() {
        assert!(TextStyle::of("{\r\n}\r\n").crlf);
        assert!(
            !TextStyle::of("{\r\n}\n").crlf,
            "a mixed file keeps its mix"
        );
        assert!(!TextStyle::of("{\n}\n").crlf);
        assert_eq!(to_crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
    }

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("ab\r\ncd", 5), (2, 2));
        assert_eq!(line_and_column("", 0), (1, 1));
    }

    fn servers_after_put(format: Format, text: &str, path: &[PathKey]) -> (String, Value) {
        let mut document = Document::parse(format, Some(text)).unwrap();
        let fields = vec![
            ("command".to_owned(), Value::from("/bin/sb")),
            ("args".to_owned(), serde_json::json!(["connect", "new"])),
        ];
        document
            .put(path, "new", &fields, &["command", "args", "env"])
            .unwrap();
        let out = document.to_text();
        let reparsed = Document::parse(format, Some(&out)).unwrap();
        let servers = reparsed.servers(path).unwrap().unwrap();
        (out, Value::Object(servers.into_iter().collect()))
    }

    #[test]
    fn toml_dotted_keys_and_inline_tables_take_new_entries_validly() {
        let path = [PathKey::exact("mcp_servers")];
        for text in [
            "mcp_servers.old.command = \"x\"\n",
            "mcp_servers = { old = { command = \"x\" } }\n",
            "[mcp_servers]\nold = { command = \"x\" }\n",
            "[mcp_servers.old]\ncommand = \"x\"\n[mcp_servers.old.env]\nA = \"1\"\n",
        ] {
            let (out, servers) = servers_after_put(Format::Toml, text, &path);
            assert_eq!(
                servers["new"]["args"],
                serde_json::json!(["connect", "new"]),
                "{out}"
            );
            assert_eq!(servers["old"]["command"], "x", "{out}");
        }
    }

    #[test]
    fn fold_case_keys_find_an_existing_project_whatever_its_drive_letter_case() {
        let path = [
            PathKey::exact("projects"),
            PathKey {
                key: "C:/work/app".into(),
                fold_case: true,
            },
            PathKey::exact("mcpServers"),
        ];
        let text = "{\"projects\": {\"c:/work/app\": {\"mcpServers\": {}, \"x\": 1}}}";
        let (out, _) = servers_after_put(Format::Json, text, &path);
        assert!(
            !out.contains("C:/work/app"),
            "no second spelling of the project: {out}"
        );
        assert!(out.contains("\"new\""), "{out}");
    }

    #[test]
    fn a_file_of_only_comments_gets_an_object_after_them() {
        let path = [PathKey::exact("context_servers")];
        let (out, servers) = servers_after_put(Format::Jsonc, "// Zed settings\n", &path);
        assert!(out.starts_with("// Zed settings\n"), "{out}");
        assert_eq!(servers["new"]["command"], "/bin/sb", "{out}");
    }

    #[test]
    fn a_path_through_a_non_object_names_the_key() {
        let mut document =
            Document::parse(Format::Json, Some("{\"projects\": {\"/a\": 3}}")).unwrap();
        let path = [
            PathKey::exact("projects"),
            PathKey::exact("/a"),
            PathKey::exact("mcpServers"),
        ];
        let error = document.put(&path, "x", &[], &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`projects[\"/a\"]` is a number, where an object of servers was expected"
        );
    }

    #[test]
    fn key_paths_display_as_people_read_them() {
        let path = [
            PathKey::exact("projects"),
            PathKey::exact("/home/ada/app"),
            PathKey::exact("mcpServers"),
        ];
        assert_eq!(
            display_path(&path),
            "projects[\"/home/ada/app\"].mcpServers"
        );
        assert_eq!(display_path(&[]), "(root)");
    }
}
