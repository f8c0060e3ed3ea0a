//! The user's settings that the daemon reads: each key, what it means, its default and the
//! type of its value (true or false, a whole number in a range, an IP address, or one of a few
//! words). The store keeps values under these keys; anything else is refused, so
//! a typo never silently does nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::control::{ControlError, ErrorCode};

/// Lets the `fetch` server reach this computer and the local network.
pub const FETCH_ALLOW_PRIVATE_ADDRESSES: &str = "fetch.allow_private_addresses";
/// Serves every installed server over Streamable HTTP.
pub const HTTP_ENABLED: &str = "http.enabled";
/// The HTTP endpoint's port (0: any free port, chosen at each start).
pub const HTTP_PORT: &str = "http.port";
/// The address the HTTP endpoint listens on.
pub const HTTP_BIND: &str = "http.bind";
/// Requests per second a token may make on average.
pub const HTTP_RATE_LIMIT: &str = "http.rate_limit_per_second";
/// Requests a token may make at once above the average.
pub const HTTP_RATE_BURST: &str = "http.rate_limit_burst";

/// The HTTP endpoint's default port.
pub const DEFAULT_HTTP_PORT: u16 = 8931;

/// What the daemon does when a client rewrites its config file and drops or alters an entry
/// Switchboard manages: `reapply` or `surface`.
pub const CLIENTS_DRIFT: &str = "clients.drift";

/// The values of [`CLIENTS_DRIFT`].
pub const DRIFT_REAPPLY: &str = "reapply";
pub const DRIFT_SURFACE: &str = "surface";

/// Which entry Switchboard writes into the files of a client that takes URL entries:
/// `bridge`, `url` or `url-with-token` (see [`ENTRY_FORMS`]).
pub const CURSOR_ENTRY: &str = "clients.cursor.entry";
pub const VSCODE_ENTRY: &str = "clients.vscode.entry";
pub const CLAUDE_CODE_ENTRY: &str = "clients.claude-code.entry";
pub const WINDSURF_ENTRY: &str = "clients.windsurf.entry";

/// The values of the `clients.<client>.entry` settings: the bridge command (the default),
/// a URL entry whose header names the `SWITCHBOARD_HTTP_TOKEN` environment variable, or a
/// URL entry holding the token itself.
pub const ENTRY_BRIDGE: &str = "bridge";
pub const ENTRY_URL: &str = "url";
pub const ENTRY_URL_WITH_TOKEN: &str = "url-with-token";
pub const ENTRY_FORMS: &[&str] = &[ENTRY_BRIDGE, ENTRY_URL, ENTRY_URL_WITH_TOKEN];

/// The `clients.<client>.entry` setting of `client`, for the clients that take URL entries.
pub fn client_entry_key(client: &str) -> Option<&'static str> {
    match client {
        "cursor" => Some(CURSOR_ENTRY),
        "vscode" => Some(VSCODE_ENTRY),
        "claude-code" => Some(CLAUDE_CODE_ENTRY),
        "windsurf" => Some(WINDSURF_ENTRY),
        _ => None,
    }
}

/// Whether `key` is one of the `clients.<client>.entry` settings.
pub fn is_client_entry_key(key: &str) -> bool {
    [
        CURSOR_ENTRY,
        VSCODE_ENTRY,
        CLAUDE_CODE_ENTRY,
        WINDSURF_ENTRY,
    ]
    .contains(&key)
}

/// The description of a `clients.<client>.entry` setting.
macro_rules! entry_description {
    ($name:literal) => {
        concat!(
            "Which entry Switchboard writes into ",
            $name,
            "'s files: \"bridge\" runs `switchboard connect <id>` (the default; nothing \
             secret in the file); \"url\" points at the HTTP endpoint \
             (http://127.0.0.1:<http.port>/servers/<id>/mcp) with an Authorization header \
             that names the SWITCHBOARD_HTTP_TOKEN environment variable, which ",
            $name,
            " must see (export it from `switchboard http token`); \"url-with-token\" writes \
             the token itself into the header, so the file then holds a secret (it is \
             rewritten when the token is rotated). URL entries need the HTTP endpoint on, at \
             a fixed port. Changing this rewrites Switchboard's entries in those files."
        )
    };
}

/// One known setting.
#[derive(Debug, Clone, Copy)]
struct Spec {
    key: &'static str,
    description: &'static str,
    default: Default,
}

#[derive(Debug, Clone, Copy)]
enum Default {
    Bool(bool),
    /// A whole number between `min` and `max`.
    Int {
        value: i64,
        min: i64,
        max: i64,
    },
    /// An IP address (v4 or v6), as text.
    Address(&'static str),
    /// One of a few words; the first argument is the default.
    Choice(&'static str, &'static [&'static str]),
}

impl Default {
    fn value(self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(b),
            Self::Int { value, .. } => Value::from(value),
            Self::Address(text) => Value::from(text),
            Self::Choice(word, _) => Value::from(word),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Self::Bool(_) => value.is_boolean(),
            Self::Int { min, max, .. } => value.as_i64().is_some_and(|n| (min..=max).contains(&n)),
            Self::Address(_) => value
                .as_str()
                .is_some_and(|text| text.parse::<std::net::IpAddr>().is_ok()),
            Self::Choice(_, allowed) => value.as_str().is_some_and(|text| allowed.contains(&text)),
        }
    }

    fn kind(self) -> String {
        match self {
            Self::Bool(_) => "true or false".to_owned(),
            Self::Int { min, max, .. } => format!("a whole number from {min} to {max}"),
            Self::Address(_) => {
                "an IP address in quotes, such as \"127.0.0.1\" or \"::1\"".to_owned()
            }
            Self::Choice(_, allowed) => {
                let quoted: Vec<String> =
                    allowed.iter().map(|word| format!("\"{word}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }
}

const SPECS: &[Spec] = &[
    Spec {
        key: FETCH_ALLOW_PRIVATE_ADDRESSES,
        description: "Let the fetch server reach this computer (localhost) and private, \
                      link-local and carrier-grade NAT addresses. Off by default, so that a \
                      model cannot be steered into your router, your printer or services on \
                      this computer. Cloud metadata addresses stay refused either way.",
        default: Default::Bool(false),
    },
    Spec {
        key: HTTP_ENABLED,
        description: "Serve every installed server over Streamable HTTP at \
                      http://<http.bind>:<http.port>/servers/<id>/mcp, for clients that take a \
                      URL, with /health and /metrics. Every request needs the bearer token \
                      (`switchboard http token`). Off by default: no port is opened until asked.",
        default: Default::Bool(false),
    },
    Spec {
        key: HTTP_PORT,
        description: "The HTTP endpoint's port; 0 picks a free one at each start \
                      (`switchboard http` shows it).",
        default: Default::Int {
            value: DEFAULT_HTTP_PORT as i64,
            min: 0,
            max: 65_535,
        },
    },
    Spec {
        key: HTTP_BIND,
        description: "The address the HTTP endpoint listens on. 127.0.0.1 (this computer \
                      only) by default; a LAN address makes it reachable from other \
                      computers, still only with the token. Put TLS in front (a reverse proxy) \
                      before you do.",
        default: Default::Address("127.0.0.1"),
    },
    Spec {
        key: HTTP_RATE_LIMIT,
        description: "Requests per second a token may make over HTTP, on average; more get \
                      429 Too Many Requests with Retry-After.",
        default: Default::Int {
            value: 100,
            min: 1,
            max: 1_000_000,
        },
    },
    Spec {
        key: HTTP_RATE_BURST,
        description: "Requests a token may make at once over HTTP before the average applies.",
        default: Default::Int {
            value: 200,
            min: 1,
            max: 1_000_000,
        },
    },
    Spec {
        key: CLIENTS_DRIFT,
        description: "What to do when an MCP client rewrites its config file and drops or \
                      changes an entry Switchboard installed there: \"reapply\" puts the entry \
                      back at once, \"surface\" leaves the file alone and only tells you (the \
                      app shows it, the daemon logs it). Either way nothing else in the file \
                      is touched.",
        default: Default::Choice(DRIFT_REAPPLY, &[DRIFT_REAPPLY, DRIFT_SURFACE]),
    },
    Spec {
        key: CURSOR_ENTRY,
        description: entry_description!("Cursor"),
        default: Default::Choice(ENTRY_BRIDGE, ENTRY_FORMS),
    },
    Spec {
        key: VSCODE_ENTRY,
        description: entry_description!("VS Code"),
        default: Default::Choice(ENTRY_BRIDGE, ENTRY_FORMS),
    },
    Spec {
        key: CLAUDE_CODE_ENTRY,
        description: entry_description!("Claude Code"),
        default: Default::Choice(ENTRY_BRIDGE, ENTRY_FORMS),
    },
    Spec {
        key: WINDSURF_ENTRY,
        description: entry_description!("Windsurf"),
        default: Default::Choice(ENTRY_BRIDGE, ENTRY_FORMS),
    },
];

/// A setting as the control API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub key: String,
    pub value: Value,
    pub default: Value,
    pub description: String,
}

/// The known keys with their defaults, for settings not stored.
pub(crate) fn known() -> impl Iterator<Item = (&'static str, &'static str, Value)> {
    SPECS
        .iter()
        .map(|spec| (spec.key, spec.description, spec.default.value()))
}

/// Checks that `value` may be stored under `key`.
pub(crate) fn check(key: &str, value: &Value) -> Result<(), ControlError> {
    let Some(spec) = SPECS.iter().find(|spec| spec.key == key) else {
        let keys: Vec<&str> = SPECS.iter().map(|spec| spec.key).collect();
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!(
                "there is no setting \"{key}\"; the settings are: {}",
                keys.join(", ")
            ),
        ));
    };
    if !spec.default.accepts(value) {
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!("{key} is {}, not {value}", spec.default.kind()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_the_fix() {
        let error = check("fetch.allow_private", &Value::Bool(true)).unwrap_err();
        assert!(
            error.message.contains(FETCH_ALLOW_PRIVATE_ADDRESSES),
            "{}",
            error.message
        );
        let error = check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::from("yes")).unwrap_err();
        assert_eq!(
            error.message,
            "fetch.allow_private_addresses is true or false, not \"yes\""
        );
        check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::Bool(true)).unwrap();
    }

    #[test]
    fn http_settings_take_ports_addresses_and_limits_in_range() {
        check(HTTP_PORT, &Value::from(0)).unwrap();
        check(HTTP_PORT, &Value::from(65_535)).unwrap();
        let error = check(HTTP_PORT, &Value::from(70_000)).unwrap_err();
        assert_eq!(
            error.message,
            "http.port is a whole number from 0 to 65535, not 70000"
        );
        check(HTTP_BIND, &Value::from("::1")).unwrap();
        check(HTTP_BIND, &Value::from("192.168.1.20")).unwrap();
        assert!(check(HTTP_BIND, &Value::from("localhost")).is_err());
        assert!(check(HTTP_RATE_LIMIT, &Value::from(0)).is_err());
        check(HTTP_RATE_BURST, &Value::from(10)).unwrap();
    }

    #[test]
    fn every_client_that_takes_urls_has_an_entry_setting_defaulting_to_the_bridge() {
        for client in ["cursor", "vscode", "claude-code", "windsurf"] {
            let key = client_entry_key(client).expect("a setting");
            assert!(is_client_entry_key(key));
            assert_eq!(key, format!("clients.{client}.entry"));
            let default = known().find(|(k, _, _)| *k == key).map(|(_, _, d)| d);
            assert_eq!(default, Some(Value::from("bridge")), "{key}");
            check(key, &Value::from("url-with-token")).unwrap();
            assert!(check(key, &Value::from("sse")).is_err());
        }
        assert_eq!(
            client_entry_key("claude-desktop"),
            None,
            "takes no URL entries"
        );
    }

    #[test]
    fn word_settings_take_only_their_listed_words() {
        check(CLIENTS_DRIFT, &Value::from("surface")).unwrap();
        check(CLIENTS_DRIFT, &Value::from("reapply")).unwrap();
        let error = check(CLIENTS_DRIFT, &Value::from("ignore")).unwrap_err();
        assert_eq!(
            error.message, "clients.drift is one of \"reapply\", \"surface\", not \"ignore\"",
            "the message lists what is allowed"
        );
        let error = check(CLIENTS_DRIFT, &Value::Bool(true)).unwrap_err();
        assert!(error.message.contains("\"surface\""), "{}", error.message);
        let default = known()
            .find(|(key, _, _)| *key == CLIENTS_DRIFT)
            .map(|(_, _, default)| default);
        assert_eq!(
            default,
            Some(Value::from("reapply")),
            "re-applying is the default"
        );
    }
}
