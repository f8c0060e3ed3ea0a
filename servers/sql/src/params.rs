//! Parameter values as a model sends them (a JSON array bound by position, or an object bound
//! by name) and their conversion to SQLite values: the rules, not the binding.
//!
//! Must not build SQL text from values: values are always bound, never pasted.

use base64::Engine as _;
use rusqlite::types::Value as SqliteValue;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Values for the statement's parameters.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Params {
    /// Bound in order: to ?1, ?2, … (or plain ?) in SQLite, to $1, $2, … in PostgreSQL.
    Positional(Vec<Value>),
    /// Bound by name to :name, @name or $name (SQLite only); keys may leave out the prefix.
    Named(Map<String, Value>),
}

impl Params {
    /// How many values were given.
    pub fn len(&self) -> usize {
        match self {
            Self::Positional(values) => values.len(),
            Self::Named(values) => values.len(),
        }
    }

    /// Whether no values were given.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One statement for `execute`, with its values.
#[derive(Debug, Clone)]
pub(crate) struct WriteStatement {
    pub(crate) sql: String,
    pub(crate) params: Option<Params>,
}

/// The bytes of `{"base64": "..."}`, the one way to pass a BLOB; `None` for any other value.
pub(crate) fn blob_of(value: &Value) -> Option<Result<Vec<u8>, String>> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let encoded = object.get("base64")?.as_str()?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|error| format!("a {{\"base64\": …}} value is not valid base64: {error}")),
    )
}

/// The SQLite value for a JSON value: null, integers, reals and text as themselves, booleans
/// as 1/0, `{"base64": "…"}` as a BLOB, any other array or object as its JSON text.
pub(crate) fn sqlite_value(value: &Value) -> Result<SqliteValue, String> {
    Ok(match value {
        Value::Null => SqliteValue::Null,
        Value::Bool(flag) => SqliteValue::Integer(i64::from(*flag)),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => SqliteValue::Integer(integer),
            None => SqliteValue::Real(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => SqliteValue::Text(text.clone()),
        Value::Array(_) => SqliteValue::Text(value.to_string()),
        Value::Object(_) => match blob_of(value) {
            Some(bytes) => SqliteValue::Blob(bytes?),
            None => SqliteValue::Text(value.to_string()),
        },
    })
}

/// The value for the parameter SQLite calls `name` (such as ":id"), looked up with or without
/// its prefix.
pub(crate) fn named_value<'a>(values: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    values.get(name).or_else(|| {
        let bare = name.trim_start_matches([':', '@', '$']);
        values.get(bare)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn json_values_become_the_natural_sqlite_values() {
        assert_eq!(sqlite_value(&json!(null)).unwrap(), SqliteValue::Null);
        assert_eq!(sqlite_value(&json!(true)).unwrap(), SqliteValue::Integer(1));
        assert_eq!(sqlite_value(&json!(42)).unwrap(), SqliteValue::Integer(42));
        assert_eq!(sqlite_value(&json!(1.5)).unwrap(), SqliteValue::Real(1.5));
        assert_eq!(
            sqlite_value(&json!("x")).unwrap(),
            SqliteValue::Text("x".into())
        );
        assert_eq!(
            sqlite_value(&json!({"base64": "AAEC"})).unwrap(),
            SqliteValue::Blob(vec![0, 1, 2])
        );
        assert_eq!(
            sqlite_value(&json!({"a": [1, 2]})).unwrap(),
            SqliteValue::Text(r#"{"a":[1,2]}"#.into()),
            "other objects are JSON text, for SQLite's json functions"
        );
        assert!(sqlite_value(&json!({"base64": "!!"})).is_err());
    }

    #[test]
    fn named_values_are_found_with_or_without_their_prefix() {
        let values = json!({"id": 1, ":name": "x"});
        let values = values.as_object().unwrap();
        assert_eq!(named_value(values, ":id"), Some(&json!(1)));
        assert_eq!(named_value(values, "@id"), Some(&json!(1)));
        assert_eq!(named_value(values, ":name"), Some(&json!("x")));
        assert_eq!(named_value(values, ":other"), None);
    }

    proptest! {
        #[test]
        fn integers_stay_exact(integer in any::<i64>()) {
            prop_assert_eq!(sqlite_value(&json!(integer)).unwrap(), SqliteValue::Integer(integer));
        }

        #[test]
        fn text_is_never_altered(text in ".*") {
            prop_assert_eq!(sqlite_value(&json!(&text)).unwrap(), SqliteValue::Text(text));
        }
    }
}
