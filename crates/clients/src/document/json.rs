//! JSON and JSON-with-comments documents, edited through `jsonc-parser`'s concrete syntax
//! tree so that comments, key order, indentation, trailing commas and line endings of
//! everything Switchboard does not touch stay as they were.
//!
//! Owns: parsing with the format's strictness, navigating to the servers map and single
//! entry edits. Must not: decide what to edit.

use std::collections::BTreeMap;

use jsonc_parser::{
    ParseOptions,
    cst::{CstInputValue, CstObject, CstObjectProp, CstRootNode},
};
use serde_json::Value;

use super::{DocumentError, PathKey, display_path, json_kind};
use crate::spec::Format;

pub(super) struct JsonDocument {
    root: CstRootNode,
}

fn options(format: Format) -> ParseOptions {
    let comments = format == Format::Jsonc;
    ParseOptions {
        allow_comments: comments,
        allow_trailing_commas: comments,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

impl JsonDocument {
    pub(super) fn parse(format: Format, text: &str) -> Result<Self, DocumentError> {
        let malformed = |error: jsonc_parser::errors::ParseError| DocumentError::Malformed {
            format: format.display_name(),
            line: error.line_display(),
            column: error.column_display(),
            message: error.kind().to_string(),
        };
        let options = options(format);
        // The CST parser keeps comments as tokens and then does not enforce
        // `allow_comments`; the plain parser does, so strict files go through it first.
        if !options.allow_comments {
            jsonc_parser::parse_to_ast(text, &jsonc_parser::CollectOptions::default(), &options)
                .map_err(malformed)?;
        }
        let root = CstRootNode::parse(text, &options).map_err(malformed)?;
        if let Some(value) = root.value()
            && value.as_object().is_none()
        {
            let found = value
                .to_serde_value()
                .map_or("not an object", |v| json_kind(&v));
            return Err(DocumentError::NotAnObject {
                key_path: "(root)".to_owned(),
                found,
            });
        }
        Ok(Self { root })
    }

    /// The object at `path`; created (with any missing parents) when `create`.
    fn object_at(
        &self,
        path: &[PathKey],
        create: bool,
    ) -> Result<Option<CstObject>, DocumentError> {
        let mut current = match self.root.object_value() {
            Some(object) => object,
            None if create => self.root.object_value_or_set(),
            None => return Ok(None),
        };
        for (depth, segment) in path.iter().enumerate() {
            let next = match find_prop(&current, segment) {
                Some(prop) => match prop.value().and_then(|v| v.as_object()) {
                    Some(object) => object,
                    None => {
                        let found = prop
                            .value()
                            .and_then(|v| v.to_serde_value())
                            .map_or("empty", |v| json_kind(&v));
                        return Err(DocumentError::NotAnObject {
                            key_path: display_path(&path[..=depth]),
                            found,
                        });
                    }
                },
                None if create => current.object_value_or_set(&segment.key),
                None => return Ok(None),
            };
            current = next;
        }
        Ok(Some(current))
    }

    pub(super) fn servers(
        &self,
        path: &[PathKey],
    ) -> Result<Option<BTreeMap<String, Value>>, DocumentError> {
        let Some(object) = self.object_at(path, false)? else {
            return Ok(None);
        };
        let mut entries = BTreeMap::new();
        for prop in object.properties() {
            let (Some(name), Some(value)) = (prop.decoded_name(), prop.value()) else {
                continue;
            };
            entries.insert(name, value.to_serde_value().unwrap_or(Value::Null));
        }
        Ok(Some(entries))
    }

    pub(super) fn put(
        &mut self,
        path: &[PathKey],
        name: &str,
        fields: &[(String, Value)],
        owned: &[&str],
    ) -> Result<(), DocumentError> {
        let Some(servers) = self.object_at(path, true)? else {
            return Ok(());
        };
        let entry = servers.get(name);
        let existing = entry
            .as_ref()
            .and_then(|prop| prop.value())
            .and_then(|v| v.as_object());
        match (entry, existing) {
            (_, Some(object)) => {
                for (key, value) in fields {
                    match object.get(key) {
                        Some(prop) => {
                            let current = prop.value().and_then(|v| v.to_serde_value());
                            if current.as_ref() != Some(value) {
                                prop.set_value(to_input(value));
                            }
                        }
                        None => {
                            object.append(key, to_input(value));
                        }
                    }
                }
                for key in owned {
                    if !fields.iter().any(|(field, _)| field == key)
                        && let Some(prop) = object.get(key)
                    {
                        prop.remove();
                    }
                }
            }
            (Some(prop), None) => prop.set_value(object_input(fields)),
            (None, None) => {
                servers.append(name, object_input(fields));
            }
        }
        Ok(())
    }

    pub(super) fn remove(&mut self, path: &[PathKey], name: &str) -> Result<bool, DocumentError> {
        let Some(servers) = self.object_at(path, false)? else {
            return Ok(false);
        };
        match servers.get(name) {
            Some(prop) => {
                prop.remove();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    pub(super) fn to_text(&self) -> String {
        self.root.to_string()
    }
}

fn find_prop(object: &CstObject, segment: &PathKey) -> Option<CstObjectProp> {
    if let Some(prop) = object.get(&segment.key) {
        return Some(prop);
    }
    if !segment.fold_case {
        return None;
    }
    object.properties().into_iter().find(|prop| {
        prop.decoded_name()
            .is_some_and(|name| segment.matches(&name))
    })
}

fn object_input(fields: &[(String, Value)]) -> CstInputValue {
    CstInputValue::Object(
        fields
            .iter()
            .map(|(key, value)| (key.clone(), to_input(value)))
            .collect(),
    )
}

fn to_input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_input).collect()),
        Value::Object(map) => CstInputValue::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), to_input(value)))
                .collect(),
        ),
    }
}
