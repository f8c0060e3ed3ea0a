//! JSON bodies: validated, then laid out with two-space indentation.
//!
//! Owns [`pretty`]. The layout is done on the text, not on a parsed value, so keys keep
//! the server's order, numbers keep their exact spelling and memory stays one copy of the
//! text. Must not change any token: only whitespace between tokens is rewritten.

use serde_json::value::RawValue;

/// Validates `text` as one JSON value and lays it out like `serde_json::to_string_pretty`.
pub(crate) fn pretty(text: &str) -> Result<String, serde_json::Error> {
    let _: &RawValue = serde_json::from_str(text)?;
    Ok(layout(text.trim()))
}

/// Re-indents JSON text that is known to be valid.
fn layout(valid: &str) -> String {
    let bytes = valid.as_bytes();
    let mut out = String::with_capacity(valid.len() + valid.len() / 4);
    let mut depth = 0usize;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                out.push_str(&valid[i..end]);
                i = end;
                continue;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let next = skip_whitespace(bytes, i + 1);
                if bytes.get(next) == Some(&close) {
                    out.push(open as char);
                    out.push(close as char);
                    i = next + 1;
                    continue;
                }
                out.push(open as char);
                depth += 1;
                newline(&mut out, depth);
            }
            close @ (b'}' | b']') => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(close as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => {
                // A number or a literal: copy the run up to the next structural byte.
                let end = bytes[i..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .map_or(bytes.len(), |p| i + p);
                out.push_str(&valid[i..end]);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The index just past the string that opens at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    #[test]
    fn keys_keep_their_order_and_numbers_their_spelling() {
        let text = r#"{"z":1.50,"a":[1,2,{}],"m":{"k":[]},"s":"a, \"b\": [c]"}"#;
        let expected = "{\n  \"z\": 1.50,\n  \"a\": [\n    1,\n    2,\n    {}\n  ],\n  \"m\": {\n    \"k\": []\n  },\n  \"s\": \"a, \\\"b\\\": [c]\"\n}";
        assert_eq!(pretty(text).unwrap(), expected);
    }

    #[test]
    fn scalars_and_whitespace_are_handled() {
        assert_eq!(pretty(" 42 ").unwrap(), "42");
        assert_eq!(pretty("\"x\"").unwrap(), "\"x\"");
        assert_eq!(pretty("[ ]").unwrap(), "[]");
        assert_eq!(
            pretty("{ \"a\" : true , \"b\" : null }").unwrap(),
            "{\n  \"a\": true,\n  \"b\": null\n}"
        );
    }

    #[test]
    fn invalid_json_is_an_error_with_a_position() {
        let error = pretty("{\"a\": }").unwrap_err().to_string();
        assert!(error.contains("line 1 column"), "{error}");
        assert!(pretty("<html></html>").is_err());
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[ -~\\PC]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\ ,:{}]{0,6}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn layout_matches_serde_json_pretty(v in value()) {
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(pretty(&compact).unwrap(), serde_json::to_string_pretty(&v).unwrap());
        }

        #[test]
        fn layout_keeps_the_value(v in value()) {
            let pretty_text = serde_json::to_string_pretty(&v).unwrap();
            let again = pretty(&pretty_text).unwrap();
            prop_assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), v);
        }
    }
}
