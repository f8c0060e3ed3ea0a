//! The argument preview kept in the call log: enough to recognise a call, never a secret.
//! Values of keys that name secrets, and any secret value the redactor knows wherever it
//! appears (in a string, in an object's key, or as a number's digits; before anything is
//! cut, so a cut can never leave half a secret), become `<redacted>`; long strings, keys
//! and lists are cut. The finished preview is scrubbed once more as a whole, so no known
//! secret's text survives in it whatever shape carried it.
//!
//! Out of scope: a secret split across several values (`["ghp_abc", "def"]`). Each part is
//! shorter than the secret and could be any text; recognising the parts would mean
//! guessing how a server joins them.

use serde_json::{Map, Value};
use switchboard_secrets::Redactor;

/// Strings longer than this many characters are cut.
const MAX_STRING_CHARS: usize = 120;
/// Lists longer than this are cut.
const MAX_ITEMS: usize = 20;
/// Deeper nesting is summarised.
const MAX_DEPTH: usize = 8;

pub const REDACTED: &str = "<redacted>";

/// A preview of `arguments` (raw JSON) with secrets redacted: keys that look like secrets,
/// and every value `secrets` knows wherever it appears in a string.
pub fn preview(arguments: &[u8], secrets: &Redactor) -> Option<String> {
    let value: Value = serde_json::from_slice(arguments).ok()?;
    let value = redact(value, secrets, 0);
    let shown = serde_json::to_string(&value).ok()?;
    Some(scrub(&shown, secrets))
}

/// Whether a key names something secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "authorization",
        "cookie",
        "credential",
        "privatekey",
        "sessionid",
        "bearer",
    ]
    .iter()
    .any(|word| key.contains(word))
}

fn redact(value: Value, secrets: &Redactor, depth: usize) -> Value {
    match value {
        Value::String(text) => Value::String(shorten(&scrub(&text, secrets))),
        Value::Array(items) if depth >= MAX_DEPTH => {
            Value::String(format!("[{} items]", items.len()))
        }
        Value::Object(map) if depth >= MAX_DEPTH => {
            Value::String(format!("{{{} keys}}", map.len()))
        }
        Value::Array(items) => {
            let total = items.len();
            let mut kept: Vec<Value> = items
                .into_iter()
                .take(MAX_ITEMS)
                .map(|item| redact(item, secrets, depth + 1))
                .collect();
            if total > MAX_ITEMS {
                kept.push(Value::String(format!("…(+{} more)", total - MAX_ITEMS)));
            }
            Value::Array(kept)
        }
        Value::Object(map) => {
            let mut kept = Map::new();
            for (key, value) in map {
                let value = if is_secret_key(&key) {
                    Value::String(REDACTED.to_owned())
                } else {
                    redact(value, secrets, depth + 1)
                };
                kept.insert(unique_key(&kept, shorten(&scrub(&key, secrets))), value);
            }
            Value::Object(kept)
        }
        Value::Number(number) => {
            // A PIN or an account number may be a secret, and JSON may carry it as a number.
            let digits = number.to_string();
            if scrub(&digits, secrets) == digits {
                Value::Number(number)
            } else {
                Value::String(REDACTED.to_owned())
            }
        }
        other => other,
    }
}

/// `key`, or `key (2)`, `key (3)`, … when redacting or cutting made it equal to one kept
/// already (two secrets used as keys both become `<redacted>`).
fn unique_key(kept: &Map<String, Value>, key: String) -> String {
    if !kept.contains_key(&key) {
        return key;
    }
    (2..)
        .map(|n| format!("{key} ({n})"))
        .find(|candidate| !kept.contains_key(candidate))
        .unwrap_or(key)
}

fn scrub(text: &str, secrets: &Redactor) -> String {
    secrets.redact(text).into_owned()
}

fn shorten(text: &str) -> String {
    let total = text.chars().count();
    if total <= MAX_STRING_CHARS {
        return text.to_owned();
    }
    let head: String = text.chars().take(MAX_STRING_CHARS / 2).collect();
    format!("{head}…(+{} chars)", total - MAX_STRING_CHARS / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_redacted_at_any_depth() {
        let args = br#"{"query":"x","headers":{"Authorization":"Bearer abc","X-Api-Key":"k"},"db":{"password":"p"}}"#;
        let shown = preview(args, &Redactor::new()).unwrap();
        assert!(
            !shown.contains("abc") && !shown.contains("\"k\"") && !shown.contains("\"p\""),
            "{shown}"
        );
        assert!(shown.contains(r#""query":"x""#), "{shown}");
    }

    #[test]
    fn known_secret_values_are_redacted_inside_strings() {
        let secret = switchboard_secrets::Sensitive::from("ghp_supersecret123");
        let secrets = Redactor::with_values([&secret]);
        let args = br#"{"command":"curl -H 'token: ghp_supersecret123' https://x"}"#;
        let shown = preview(args, &secrets).unwrap();
        assert!(!shown.contains("ghp_supersecret123"), "{shown}");
        assert!(shown.contains(REDACTED));
    }

    #[test]
    fn a_long_secret_is_redacted_before_the_value_is_cut() {
        let secret = switchboard_secrets::Sensitive::from("s3cr3t-".repeat(40));
        let secrets = Redactor::with_values([&secret]);
        let args = serde_json::json!({"note": format!("x{}", secret.expose())});
        let shown = preview(args.to_string().as_bytes(), &secrets).unwrap();
        assert!(
            !shown.contains("s3cr3t-s3cr3t"),
            "no part of it survives: {shown}"
        );
        assert!(shown.contains(REDACTED), "{shown}");
    }

    #[test]
    fn a_secret_used_as_a_key_is_redacted_and_keys_stay_distinct() {
        let first = switchboard_secrets::Sensitive::from("ghp_abcdef123456");
        let second = switchboard_secrets::Sensitive::from("xoxb-987654321");
        let secrets = Redactor::with_values([&first, &second]);
        let args = br#"{"ghp_abcdef123456": "one", "xoxb-987654321": "two", "name": "x"}"#;
        let shown = preview(args, &secrets).unwrap();
        assert!(
            !shown.contains("ghp_abcdef123456") && !shown.contains("xoxb-987654321"),
            "{shown}"
        );
        let value: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(value["<redacted>"], "one", "{shown}");
        assert_eq!(value["<redacted> (2)"], "two", "no value is lost: {shown}");
        assert_eq!(value["name"], "x");
    }

    #[test]
    fn a_secret_carried_as_a_number_is_redacted() {
        let pin = switchboard_secrets::Sensitive::from("90817263544");
        let secrets = Redactor::with_values([&pin]);
        for args in [
            r#"{"account": 90817263544}"#,
            r#"{"list": [1, 90817263544]}"#,
            r#"{"amount": 90817263544.0}"#,
        ] {
            let shown = preview(args.as_bytes(), &secrets).unwrap();
            assert!(!shown.contains("90817263544"), "{args} => {shown}");
            assert!(shown.contains(REDACTED), "{args} => {shown}");
        }
        let shown = preview(br#"{"count": 42, "ratio": 0.5}"#, &secrets).unwrap();
        assert_eq!(shown, r#"{"count":42,"ratio":0.5}"#, "other numbers stay");
    }

    #[test]
    fn a_secret_that_is_the_whole_value_is_redacted() {
        let secret = switchboard_secrets::Sensitive::from("ghp_abcdef123456");
        let secrets = Redactor::with_values([&secret]);
        let shown = preview(br#"{"note": "ghp_abcdef123456"}"#, &secrets).unwrap();
        assert_eq!(shown, r#"{"note":"<redacted>"}"#);
    }

    #[test]
    fn long_keys_are_cut() {
        let args = serde_json::json!({ "k".repeat(1000): 1 });
        let shown = preview(args.to_string().as_bytes(), &Redactor::new()).unwrap();
        assert!(shown.len() < 200, "{shown}");
    }

    #[test]
    fn long_values_are_cut() {
        let long = "a".repeat(10_000);
        let args = serde_json::json!({"content": long, "list": (0..100).collect::<Vec<_>>()});
        let shown = preview(args.to_string().as_bytes(), &Redactor::new()).unwrap();
        assert!(shown.len() < 600, "{}", shown.len());
        assert!(
            shown.contains("…(+9940 chars)") && shown.contains("…(+80 more)"),
            "{shown}"
        );
    }

    #[test]
    fn key_names_that_look_secret() {
        for key in [
            "password",
            "API_KEY",
            "githubToken",
            "client-secret",
            "Cookie",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["path", "query", "name", "content"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
