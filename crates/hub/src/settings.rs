//! The user's settings that the daemon reads: each key, what it means, its default and the
//! kind of its value (true or false, a whole number in a range, an IP address, or one of a few
//! words). The store keeps values under these keys; anything else is refused, so a typo never
//! silently does nothing. The kind tells a UI how to show a setting, so a new setting appears
//! in the app without changes there.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::control::{ControlError, ErrorCode};

/// Lets the `fetch` server reach this computer and the local network.
pub const FETCH_ALLOW_PRIVATE_ADDRESSES: &str = "fetch.allow_private_addresses";
/// How many days of calls the call log keeps.
pub const CALLS_RETENTION_DAYS: &str = "calls.retention_days";
/// What quitting the app does to the daemon: `keep_serving` or `stop_servers`.
pub const APP_ON_QUIT: &str = "app.on_quit";

/// The `app.on_quit` value that stops the daemon and its servers with the app.
pub const ON_QUIT_STOP_SERVERS: &str = "stop_servers";
/// The `app.on_quit` value that leaves the daemon serving clients after the app quits.
pub const ON_QUIT_KEEP_SERVING: &str = "keep_serving";
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

/// The entry forms with the words the app shows for them.
const ENTRY_OPTIONS: &[(&str, &str)] = &[
    (
        ENTRY_BRIDGE,
        "The bridge command (nothing secret in the file)",
    ),
    (
        ENTRY_URL,
        "The URL, with the token from an environment variable",
    ),
    (
        ENTRY_URL_WITH_TOKEN,
        "The URL with the token written into the file",
    ),
];

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
    title: &'static str,
    description: &'static str,
    kind: Kind,
}

/// The kind of a setting's value, with its default.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool(bool),
    /// A whole number in `min..=max`, with its unit in words (empty: a plain number).
    Integer {
        default: i64,
        min: i64,
        max: i64,
        unit: &'static str,
    },
    /// An IP address (v4 or v6), as text.
    Address(&'static str),
    /// One of a few values, each with the words a person reads.
    Choice {
        default: &'static str,
        options: &'static [(&'static str, &'static str)],
    },
}

impl Kind {
    fn default_value(self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(b),
            Self::Integer { default, .. } => Value::from(default),
            Self::Address(text) => Value::from(text),
            Self::Choice { default, .. } => Value::from(default),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Self::Bool(_) => value.is_boolean(),
            Self::Integer { min, max, .. } => {
                value.as_i64().is_some_and(|n| (min..=max).contains(&n))
            }
            Self::Address(_) => value
                .as_str()
                .is_some_and(|text| text.parse::<std::net::IpAddr>().is_ok()),
            Self::Choice { options, .. } => value
                .as_str()
                .is_some_and(|v| options.iter().any(|(option, _)| *option == v)),
        }
    }

    fn expected(self) -> String {
        match self {
            Self::Bool(_) => "true or false".to_owned(),
            Self::Integer {
                min, max, unit: "", ..
            } => format!("a whole number from {min} to {max}"),
            Self::Integer { min, max, unit, .. } => {
                format!("a number of {unit} from {min} to {max}")
            }
            Self::Address(_) => {
                "an IP address in quotes, such as \"127.0.0.1\" or \"::1\"".to_owned()
            }
            Self::Choice { options, .. } => {
                let names: Vec<String> = options.iter().map(|(v, _)| format!("\"{v}\"")).collect();
                format!("one of {}", names.join(", "))
            }
        }
    }

    fn shape(self) -> SettingKind {
        match self {
            Self::Bool(_) => SettingKind::Bool,
            Self::Integer { min, max, unit, .. } => SettingKind::Integer {
                min,
                max,
                unit: unit.to_owned(),
            },
            Self::Address(_) => SettingKind::Address,
            Self::Choice { options, .. } => SettingKind::Choice {
                options: options
                    .iter()
                    .map(|(value, label)| SettingOption {
                        value: (*value).to_owned(),
                        label: (*label).to_owned(),
                    })
                    .collect(),
            },
        }
    }
}

const SPECS: &[Spec] = &[
    Spec {
        key: FETCH_ALLOW_PRIVATE_ADDRESSES,
        title: "Let the fetch server reach this computer and your local network",
        description: "Let the fetch server reach this computer (localhost) and private, \
                      link-local and carrier-grade NAT addresses. Off by default, so that a \
                      model cannot be steered into your router, your printer or services on \
                      this computer. Cloud metadata addresses stay refused either way.",
        kind: Kind::Bool(false),
    },
    Spec {
        key: CALLS_RETENTION_DAYS,
        title: "Keep the call log for",
        description: "How many days of calls Switchboard keeps. Older calls are deleted once \
                      an hour; the figures and charts only ever look at the last ten minutes.",
        kind: Kind::Integer {
            default: 30,
            min: 1,
            max: 3650,
            unit: "days",
        },
    },
    Spec {
        key: APP_ON_QUIT,
        title: "When you quit the Switchboard app",
        description: "Whether your AI apps keep their tools after you quit the Switchboard \
                      app. Keep serving: the servers stay available and start by themselves \
                      when an app needs them. Stop servers: every server stops with the app \
                      until an app or Switchboard starts them again.",
        kind: Kind::Choice {
            default: ON_QUIT_KEEP_SERVING,
            options: &[
                (ON_QUIT_KEEP_SERVING, "Keep serving my AI apps"),
                (ON_QUIT_STOP_SERVERS, "Stop every server"),
            ],
        },
    },
    Spec {
        key: HTTP_ENABLED,
        title: "Serve over HTTP",
        description: "Serve every installed server over Streamable HTTP at \
                      http://<http.bind>:<http.port>/servers/<id>/mcp, for clients that take a \
                      URL, with /health and /metrics. Every request needs the bearer token \
                      (`switchboard http token`). Off by default: no port is opened until asked.",
        kind: Kind::Bool(false),
    },
    Spec {
        key: HTTP_PORT,
        title: "HTTP port",
        description: "The HTTP endpoint's port; 0 picks a free one at each start \
                      (`switchboard http` shows it).",
        kind: Kind::Integer {
            default: DEFAULT_HTTP_PORT as i64,
            min: 0,
            max: 65_535,
            unit: "",
        },
    },
    Spec {
        key: HTTP_BIND,
        title: "HTTP address",
        description: "The address the HTTP endpoint listens on. 127.0.0.1 (this computer \
                      only) by default; a LAN address makes it reachable from other \
                      computers, still only with the token. Put TLS in front (a reverse proxy) \
                      before you do.",
        kind: Kind::Address("127.0.0.1"),
    },
    Spec {
        key: HTTP_RATE_LIMIT,
        title: "HTTP requests per second",
        description: "Requests per second a token may make over HTTP, on average; more get \
                      429 Too Many Requests with Retry-After.",
        kind: Kind::Integer {
            default: 100,
            min: 1,
            max: 1_000_000,
            unit: "requests per second",
        },
    },
    Spec {
        key: HTTP_RATE_BURST,
        title: "HTTP burst",
        description: "Requests a token may make at once over HTTP before the average applies.",
        kind: Kind::Integer {
            default: 200,
            min: 1,
            max: 1_000_000,
            unit: "requests",
        },
    },
    Spec {
        key: CLIENTS_DRIFT,
        title: "When an AI app rewrites its settings file",
        description: "What to do when an MCP client rewrites its config file and drops or \
                      changes an entry Switchboard installed there: \"reapply\" puts the entry \
                      back at once, \"surface\" leaves the file alone and only tells you (the \
                      app shows it, the daemon logs it). Either way nothing else in the file \
                      is touched.",
        kind: Kind::Choice {
            default: DRIFT_REAPPLY,
            options: &[
                (DRIFT_REAPPLY, "Put Switchboard's entries back"),
                (DRIFT_SURFACE, "Leave the file and tell me"),
            ],
        },
    },
    Spec {
        key: CURSOR_ENTRY,
        title: "What Switchboard writes into Cursor's files",
        description: entry_description!("Cursor"),
        kind: Kind::Choice {
            default: ENTRY_BRIDGE,
            options: ENTRY_OPTIONS,
        },
    },
    Spec {
        key: VSCODE_ENTRY,
        title: "What Switchboard writes into VS Code's files",
        description: entry_description!("VS Code"),
        kind: Kind::Choice {
            default: ENTRY_BRIDGE,
            options: ENTRY_OPTIONS,
        },
    },
    Spec {
        key: CLAUDE_CODE_ENTRY,
        title: "What Switchboard writes into Claude Code's files",
        description: entry_description!("Claude Code"),
        kind: Kind::Choice {
            default: ENTRY_BRIDGE,
            options: ENTRY_OPTIONS,
        },
    },
    Spec {
        key: WINDSURF_ENTRY,
        title: "What Switchboard writes into Windsurf's files",
        description: entry_description!("Windsurf"),
        kind: Kind::Choice {
            default: ENTRY_BRIDGE,
            options: ENTRY_OPTIONS,
        },
    },
];

/// A setting as the control API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Setting {
    pub key: String,
    pub value: Value,
    pub default: Value,
    /// A short label.
    pub title: String,
    pub description: String,
    /// What values it takes, for a UI to pick the right control.
    pub kind: SettingKind,
}

/// What values a setting takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SettingKind {
    Bool,
    Integer {
        min: i64,
        max: i64,
        unit: String,
    },
    /// An IP address (v4 or v6), as text.
    Address,
    Choice {
        options: Vec<SettingOption>,
    },
}

/// One value of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SettingOption {
    pub value: String,
    pub label: String,
}

/// The known settings with their defaults, for settings not stored.
pub(crate) fn known() -> impl Iterator<Item = Setting> {
    SPECS.iter().map(|spec| Setting {
        key: spec.key.to_owned(),
        value: spec.kind.default_value(),
        default: spec.kind.default_value(),
        title: spec.title.to_owned(),
        description: spec.description.to_owned(),
        kind: spec.kind.shape(),
    })
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
    if !spec.kind.accepts(value) {
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!("{key} is {}, not {value}", spec.kind.expected()),
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
    fn numbers_must_be_whole_and_in_range() {
        check(CALLS_RETENTION_DAYS, &Value::from(7)).unwrap();
        for bad in [
            Value::from(0),
            Value::from(4000),
            Value::from(1.5),
            Value::from("7"),
        ] {
            let error = check(CALLS_RETENTION_DAYS, &bad).unwrap_err();
            assert_eq!(
                error.message,
                format!("calls.retention_days is a number of days from 1 to 3650, not {bad}"),
                "{bad} is refused with the range"
            );
        }
    }

    #[test]
    fn choices_take_only_their_options() {
        check(APP_ON_QUIT, &Value::from(ON_QUIT_STOP_SERVERS)).unwrap();
        let error = check(APP_ON_QUIT, &Value::from("explode")).unwrap_err();
        assert_eq!(
            error.message,
            "app.on_quit is one of \"keep_serving\", \"stop_servers\", not \"explode\""
        );
    }

    #[test]
    fn every_default_is_acceptable_and_every_setting_has_words() {
        for setting in known() {
            check(&setting.key, &setting.default).unwrap();
            assert!(!setting.title.is_empty(), "{} has a title", setting.key);
            assert!(
                setting.description.len() > 40,
                "{} explains itself",
                setting.key
            );
        }
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
            let default = known().find(|s| s.key == key).map(|s| s.default);
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
            .find(|setting| setting.key == CLIENTS_DRIFT)
            .map(|setting| setting.default);
        assert_eq!(
            default,
            Some(Value::from("reapply")),
            "re-applying is the default"
        );
    }
}
