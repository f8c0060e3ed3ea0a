//! Parameter values for PostgreSQL, sent in text format with the types PostgreSQL inferred
//! when it prepared the statement (as libpq does), so `WHERE id = $1` takes 42 and
//! `WHERE created > $1` takes "2026-01-01" alike. JSON arrays become array literals for array
//! parameters, `{"base64": …}` becomes bytea.
//!
//! Values are always bound, never pasted into SQL. Pure conversion plus a `ToSql` wrapper;
//! must not touch a connection.

use std::error::Error;

use bytes::BytesMut;
use serde_json::Value;
use tokio_postgres::types::{Format, IsNull, Kind, ToSql, Type, to_sql_checked};

use crate::params::blob_of;

/// One parameter in PostgreSQL's text input syntax (`None` is NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextParam(pub(crate) Option<String>);

impl ToSql for TextParam {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match &self.0 {
            None => Ok(IsNull::Yes),
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// The text for `value` as a parameter of type `ty`.
pub(crate) fn text_for(value: &Value, ty: &Type) -> Result<TextParam, String> {
    Ok(TextParam(match value {
        Value::Null => None,
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        Value::Array(items) if matches!(ty.kind(), Kind::Array(_)) => Some(array_literal(items)),
        Value::Object(_) if *ty == Type::BYTEA => match blob_of(value) {
            Some(bytes) => Some(bytea_hex(&bytes?)),
            None => Some(value.to_string()),
        },
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }))
}

/// `\x0102…`: bytea's hex input form.
fn bytea_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("\\x");
    for byte in bytes {
        text.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        text.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    text
}

/// A PostgreSQL array literal such as `{1,"a \"b\"",NULL,{2,3}}`.
pub(crate) fn array_literal(items: &[Value]) -> String {
    let elements: Vec<String> = items
        .iter()
        .map(|item| match item {
            Value::Null => "NULL".to_owned(),
            Value::Bool(flag) => flag.to_string(),
            Value::Number(number) => number.to_string(),
            Value::String(text) => quoted_element(text),
            Value::Array(inner) => array_literal(inner),
            Value::Object(_) => quoted_element(&item.to_string()),
        })
        .collect();
    format!("{{{}}}", elements.join(","))
}

fn quoted_element(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_their_text() {
        assert_eq!(text_for(&json!(null), &Type::INT4).unwrap().0, None);
        assert_eq!(
            text_for(&json!(42), &Type::INT4).unwrap().0.as_deref(),
            Some("42")
        );
        assert_eq!(
            text_for(&json!(true), &Type::BOOL).unwrap().0.as_deref(),
            Some("true")
        );
        assert_eq!(
            text_for(&json!("2026-01-01"), &Type::DATE)
                .unwrap()
                .0
                .as_deref(),
            Some("2026-01-01")
        );
    }

    #[test]
    fn arrays_become_literals_only_for_array_parameters() {
        let value = json!([1, null, "a \"b\"\\", [2, 3]]);
        assert_eq!(
            text_for(&value, &Type::TEXT_ARRAY).unwrap().0.as_deref(),
            Some(r#"{1,NULL,"a \"b\"\\",{2,3}}"#)
        );
        assert_eq!(
            text_for(&json!([1, 2]), &Type::JSONB).unwrap().0.as_deref(),
            Some("[1,2]"),
            "a JSON parameter takes JSON text"
        );
    }

    #[test]
    fn base64_objects_become_bytea() {
        assert_eq!(
            text_for(&json!({"base64": "AP8="}), &Type::BYTEA)
                .unwrap()
                .0
                .as_deref(),
            Some("\\x00ff")
        );
        assert!(text_for(&json!({"base64": "***"}), &Type::BYTEA).is_err());
    }
}
