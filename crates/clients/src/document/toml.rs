//! TOML documents, edited through `toml_edit` so that comments, key order, whitespace and
//! the choice between `[table]` sections and inline tables stay as they were.
//!
//! Owns: parsing, navigating to the servers table and single entry edits; new entries
//! are `[<path>.<name>]` sections (or inline tables inside an inline servers table).
//! Must not: decide what to edit.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike};

use super::{DocumentError, PathKey, display_path, json_kind, line_and_column};

pub(super) struct TomlDocument {
    doc: DocumentMut,
}

impl TomlDocument {
    pub(super) fn parse(text: &str) -> Result<Self, DocumentError> {
        let doc = text.parse::<DocumentMut>().map_err(|error| {
            let (line, column) = error
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            DocumentError::Malformed {
                format: "TOML",
                line,
                column,
                // The message alone: the error's Display quotes the offending line, which
                // may hold a secret.
                message: error.message().trim().to_owned(),
            }
        })?;
        Ok(Self { doc })
    }

    fn table_at(&self, path: &[PathKey]) -> Result<Option<&dyn TableLike>, DocumentError> {
        let mut current: &dyn TableLike = self.doc.as_table();
        for (depth, segment) in path.iter().enumerate() {
            let Some(key) = find_key(current, segment) else {
                return Ok(None);
            };
            let item = current.get(&key);
            current = match item.and_then(Item::as_table_like) {
                Some(table) => table,
                None => {
                    return Err(not_a_table(path, depth, item));
                }
            };
        }
        Ok(Some(current))
    }

    /// The table at `path`, created (with missing parents) as needed, and whether it is an
    /// inline table (`{ … }`), so new entries inside take the same style.
    fn table_at_mut(
        &mut self,
        path: &[PathKey],
    ) -> Result<(&mut dyn TableLike, bool), DocumentError> {
        let mut current: &mut dyn TableLike = self.doc.as_table_mut();
        let mut inline = false;
        for (depth, segment) in path.iter().enumerate() {
            let key = match find_key(current, segment) {
                Some(key) => key,
                None => {
                    let item = if inline {
                        Item::Value(toml_edit::Value::InlineTable(InlineTable::new()))
                    } else {
                        let mut table = Table::new();
                        table.set_implicit(true);
                        Item::Table(table)
                    };
                    current.insert(&segment.key, item);
                    segment.key.clone()
                }
            };
            let item = current.get(&key);
            if item.and_then(Item::as_table_like).is_none() {
                return Err(not_a_table(path, depth, item));
            }
            inline = item.is_some_and(Item::is_inline_table);
            current = match current.get_mut(&key).and_then(Item::as_table_like_mut) {
                Some(table) => table,
                None => return Err(not_a_table(path, depth, None)),
            };
        }
        Ok((current, inline))
    }

    pub(super) fn servers(
        &self,
        path: &[PathKey],
    ) -> Result<Option<BTreeMap<String, Value>>, DocumentError> {
        let Some(table) = self.table_at(path)? else {
            return Ok(None);
        };
        Ok(Some(
            table
                .iter()
                .map(|(key, item)| (key.to_owned(), item_to_json(item)))
                .collect(),
        ))
    }

    pub(super) fn put(
        &mut self,
        path: &[PathKey],
        name: &str,
        fields: &[(String, Value)],
        owned: &[&str],
    ) -> Result<(), DocumentError> {
        let (servers, inline_servers) = self.table_at_mut(path)?;
        match servers.get_mut(name).and_then(Item::as_table_like_mut) {
            Some(entry) => {
                for (key, value) in fields {
                    let current = entry.get(key).map(item_to_json);
                    if current.as_ref() == Some(value) {
                        continue;
                    }
                    let as_section = entry.get(key).is_some_and(Item::is_table);
                    let item = if as_section {
                        json_to_section_item(value)
                    } else {
                        Item::Value(json_to_value(value))
                    };
                    entry.insert(key, item);
                }
                for key in owned {
                    if !fields.iter().any(|(field, _)| field == key) {
                        entry.remove(key);
                    }
                }
            }
            None => {
                let item = if inline_servers {
                    let mut table = InlineTable::new();
                    for (key, value) in fields {
                        table.insert(key, json_to_value(value));
                    }
                    table.fmt();
                    Item::Value(toml_edit::Value::InlineTable(table))
                } else {
                    let mut table = Table::new();
                    for (key, value) in fields {
                        table.insert(key, Item::Value(json_to_value(value)));
                    }
                    Item::Table(table)
                };
                servers.insert(name, item);
            }
        }
        Ok(())
    }

    pub(super) fn remove(&mut self, path: &[PathKey], name: &str) -> Result<bool, DocumentError> {
        if self.table_at(path)?.is_none() {
            return Ok(false);
        }
        let (servers, _) = self.table_at_mut(path)?;
        Ok(servers.remove(name).is_some())
    }

    pub(super) fn to_text(&self) -> String {
        self.doc.to_string()
    }
}

fn find_key(table: &dyn TableLike, segment: &PathKey) -> Option<String> {
    if table.contains_key(&segment.key) {
        return Some(segment.key.clone());
    }
    if !segment.fold_case {
        return None;
    }
    table
        .iter()
        .map(|(key, _)| key)
        .find(|key| segment.matches(key))
        .map(str::to_owned)
}

fn not_a_table(path: &[PathKey], depth: usize, item: Option<&Item>) -> DocumentError {
    DocumentError::NotAnObject {
        key_path: display_path(&path[..=depth]),
        found: item.map_or("missing", |item| json_kind(&item_to_json(item))),
    }
}

/// A TOML item as a JSON value (dates become their text).
pub(super) fn item_to_json(item: &Item) -> Value {
    match item {
        Item::None => Value::Null,
        Item::Value(value) => value_to_json(value),
        Item::Table(table) => table_to_json(table),
        Item::ArrayOfTables(tables) => {
            Value::Array(tables.iter().map(|t| table_to_json(t)).collect())
        }
    }
}

fn table_to_json(table: &dyn TableLike) -> Value {
    Value::Object(
        table
            .iter()
            .map(|(key, item)| (key.to_owned(), item_to_json(item)))
            .collect::<Map<String, Value>>(),
    )
}

fn value_to_json(value: &toml_edit::Value) -> Value {
    match value {
        toml_edit::Value::String(s) => Value::from(s.value().as_str()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => {
            serde_json::Number::from_f64(*f.value()).map_or(Value::Null, Value::Number)
        }
        toml_edit::Value::Boolean(b) => Value::from(*b.value()),
        toml_edit::Value::Datetime(d) => Value::from(d.value().to_string()),
        toml_edit::Value::Array(array) => Value::Array(array.iter().map(value_to_json).collect()),
        toml_edit::Value::InlineTable(table) => table_to_json(table),
    }
}

fn json_to_value(value: &Value) -> toml_edit::Value {
    match value {
        // TOML has no null; Switchboard never writes one.
        Value::Null => toml_edit::Value::from(""),
        Value::Bool(b) => toml_edit::Value::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml_edit::Value::from(i),
            None => toml_edit::Value::from(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => toml_edit::Value::from(s.as_str()),
        Value::Array(items) => {
            let mut array: Array = items.iter().map(json_to_value).collect();
            array.fmt();
            toml_edit::Value::Array(array)
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (key, value) in map {
                table.insert(key, json_to_value(value));
            }
            table.fmt();
            toml_edit::Value::InlineTable(table)
        }
    }
}

/// A JSON object as a `[section]` (for a key that was a section before).
fn json_to_section_item(value: &Value) -> Item {
    match value {
        Value::Object(map) => {
            let mut table = Table::new();
            for (key, value) in map {
                table.insert(key, Item::Value(json_to_value(value)));
            }
            Item::Table(table)
        }
        other => Item::Value(json_to_value(other)),
    }
}
