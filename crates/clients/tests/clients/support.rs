//! Shared helpers: temp HOMEs, fixtures, bridge entries, and lenient parsing of written
//! files back into JSON values for comparisons.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use serde_json::{Map, Value};
use switchboard_clients::{ConfigTarget, Entry, Environment, Format, Operation, Os, Scope};
use tempfile::TempDir;

/// Where the tests pretend Switchboard is installed.
pub(crate) const BINARY: &str = "/opt/switchboard/bin/switchboard";

/// A temp HOME laid out for `os`.
pub(crate) struct Home {
    pub(crate) dir: TempDir,
    pub(crate) env: Environment,
}

impl Home {
    pub(crate) fn new(os: Os) -> Self {
        let dir = TempDir::new().unwrap();
        let env = Environment::new(os, dir.path());
        Self { dir, env }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `client`'s file for `scope`, holding `text` (or missing for `None`).
    pub(crate) fn target(&self, client: &str, scope: &Scope, text: Option<&[u8]>) -> ConfigTarget {
        let spec = switchboard_clients::client(client).unwrap();
        let target = spec.target(scope, &self.env).unwrap();
        if let Some(text) = text {
            write(target.path(), text);
        }
        target
    }
}

pub(crate) fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

pub(crate) fn fixture_path(client: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(client)
        .join(name)
}

pub(crate) fn fixture(client: &str, name: &str) -> Vec<u8> {
    let path = fixture_path(client, name);
    fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

pub(crate) fn bridge(id: &str) -> Entry {
    Entry::bridge(Path::new(BINARY), id).unwrap()
}

pub(crate) fn put(id: &str) -> Operation {
    Operation::Put {
        server: id.to_owned(),
        entry: bridge(id),
    }
}

pub(crate) fn remove(id: &str) -> Operation {
    Operation::Remove {
        server: id.to_owned(),
    }
}

pub(crate) fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// Files in `folder` that are Switchboard's temp files (none may linger).
pub(crate) fn temp_files(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".switchboard-tmp-"))
        .collect()
}

/// Any text of `format` as a JSON value (comments and trailing commas allowed; TOML
/// tables as objects). An empty text is an empty object.
pub(crate) fn parse_value(format: Format, text: &str) -> Value {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Value::Object(Map::new());
    }
    match format {
        Format::Json | Format::Jsonc => {
            jsonc_parser::cst::CstRootNode::parse(text, &jsonc_parser::ParseOptions::default())
                .unwrap()
                .to_serde_value()
                .unwrap_or(Value::Object(Map::new()))
        }
        Format::Toml => {
            let doc: toml_edit::DocumentMut = text.parse().unwrap();
            toml_table(doc.as_table())
        }
    }
}

fn toml_table(table: &dyn toml_edit::TableLike) -> Value {
    Value::Object(
        table
            .iter()
            .map(|(k, item)| (k.to_owned(), toml_item(item)))
            .collect(),
    )
}

fn toml_item(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::None => Value::Null,
        toml_edit::Item::Value(v) => toml_value(v),
        toml_edit::Item::Table(t) => toml_table(t),
        toml_edit::Item::ArrayOfTables(a) => {
            Value::Array(a.iter().map(|t| toml_table(t)).collect())
        }
    }
}

fn toml_value(value: &toml_edit::Value) -> Value {
    match value {
        toml_edit::Value::String(s) => Value::from(s.value().as_str()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => Value::from(*f.value()),
        toml_edit::Value::Boolean(b) => Value::from(*b.value()),
        toml_edit::Value::Datetime(d) => Value::from(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(toml_value).collect()),
        toml_edit::Value::InlineTable(t) => toml_table(t),
    }
}

/// The object at `path` in `value`, if any.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// `value` without the entries `names` at `path`, and without objects along `path` that
/// only the removal emptied and that `original` did not have.
pub(crate) fn without_entries(
    value: &Value,
    path: &[&str],
    names: &[String],
    original: &Value,
) -> Value {
    let mut value = value.clone();
    if let Some(Value::Object(servers)) = path.iter().try_fold(&mut value, |v, key| v.get_mut(*key))
    {
        for name in names {
            servers.remove(name);
        }
    }
    // Drop created-and-now-empty containers, deepest first.
    for depth in (1..=path.len()).rev() {
        let prefix = &path[..depth];
        if at(original, prefix).is_some() {
            continue;
        }
        let empty = matches!(at(&value, prefix), Some(Value::Object(m)) if m.is_empty());
        if empty
            && let Some(Value::Object(parent)) = prefix[..depth - 1]
                .iter()
                .try_fold(&mut value, |v, key| v.get_mut(*key))
        {
            parent.remove(prefix[depth - 1]);
        }
    }
    value
}

/// Managed entry names, for `without_entries`.
pub(crate) fn names(managed: &BTreeMap<String, String>) -> Vec<String> {
    managed.keys().cloned().collect()
}
