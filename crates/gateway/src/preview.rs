//! The argument preview kept in the call log: enough to recognise a call, never a secret.
//! Values of keys that name secrets, and any secret value the redactor knows wherever it
//! appears (before anything is cut, so a cut can never leave half a secret), become
//! `<redacted>`; long strings and lists are cut.

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
    serde_json::to_string(&value).ok()
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
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if is_secret_key(&key) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact(value, secrets, depth + 1)
                    };
                    (key, value)
                })
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
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
