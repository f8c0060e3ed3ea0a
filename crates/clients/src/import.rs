//! Import: the servers a user configured by hand in a client, read into a neutral shape
//! so the hub can register them in one step: the command or URL, plain environment and
//! headers, and the values that look like secrets set apart as [`Secret`]s (for the hub to
//! move into the keychain and replace by references).
//!
//! Owns: reading entries leniently (any client's shape) and sorting their values into
//! plain and secret. Must not: store anything, or print a secret.

use std::collections::BTreeMap;

use serde_json::Value;

use switchboard_secrets::detect::{
    SecretReason, classify, classify_argument, redacted_argument, redacted_url, url_has_secret,
};

use crate::{
    edit::ManagedEntries,
    entry::{Entry, is_valid_name, parse_entry, sanitize_name},
    secret::Secret,
};

/// Keys of an entry that import reads; others are listed in
/// [`ImportedServer::other_keys`].
const READ_KEYS: &[&str] = &[
    "type",
    "command",
    "args",
    "env",
    "url",
    "serverUrl",
    "httpUrl",
    "headers",
    "http_headers",
    "cwd",
];

/// How an imported server is reached. Debug hides arguments and URLs that look like
/// secrets.
#[derive(Clone, PartialEq, Eq)]
pub enum ImportedLaunch {
    Stdio {
        command: String,
        args: Vec<String>,
        /// Environment values that look like ordinary settings.
        env: BTreeMap<String, String>,
        /// Environment values that look like secrets, with why.
        secret_env: BTreeMap<String, (Secret, SecretReason)>,
        /// The working folder, where the entry names one.
        cwd: Option<String>,
    },
    Http {
        url: String,
        headers: BTreeMap<String, String>,
        secret_headers: BTreeMap<String, (Secret, SecretReason)>,
        /// The URL itself carries what looks like a secret (a key in its path or query,
        /// or a password): the hub should warn, the URL is kept as it is.
        secret_in_url: bool,
    },
    /// Neither a command nor a URL entry; listed so the UI can say it was skipped.
    Unrecognized,
}

impl std::fmt::Debug for ImportedLaunch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stdio {
                command,
                args,
                env,
                secret_env,
                cwd,
            } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field(
                    "args",
                    &args
                        .iter()
                        .map(|a| redacted_argument(a))
                        .collect::<Vec<_>>(),
                )
                .field("env", env)
                .field("secret_env", secret_env)
                .field("cwd", cwd)
                .finish(),
            Self::Http {
                url,
                headers,
                secret_headers,
                secret_in_url,
            } => f
                .debug_struct("Http")
                .field("url", &redacted_url(url))
                .field("headers", headers)
                .field("secret_headers", secret_headers)
                .field("secret_in_url", secret_in_url)
                .finish(),
            Self::Unrecognized => f.write_str("Unrecognized"),
        }
    }
}

/// An argument that looks like a secret; it stays in the arguments (moving it needs the
/// user's say), the UI warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretArgument {
    pub index: usize,
    pub reason: SecretReason,
}

/// One entry of a client's file, ready to register as a Switchboard server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedServer {
    /// The entry's name in the file.
    pub name: String,
    /// A valid server id for it: the name if valid, else [`sanitize_name`] of it.
    pub suggested_id: String,
    /// Switchboard already manages this entry (it is one of its own bridges).
    pub managed: bool,
    pub launch: ImportedLaunch,
    pub secret_args: Vec<SecretArgument>,
    /// The entry's other keys (`disabled`, `autoApprove`, `timeout`, …), by name only.
    pub other_keys: Vec<String>,
}

impl ImportedServer {
    /// How many values were set apart as secrets.
    pub fn secret_count(&self) -> usize {
        match &self.launch {
            ImportedLaunch::Stdio { secret_env, .. } => secret_env.len(),
            ImportedLaunch::Http { secret_headers, .. } => secret_headers.len(),
            ImportedLaunch::Unrecognized => 0,
        }
    }
}

/// Reads every entry of a servers map for import.
pub(crate) fn read_servers(
    servers: &BTreeMap<String, Value>,
    managed: &ManagedEntries,
) -> Vec<ImportedServer> {
    servers
        .iter()
        .map(|(name, value)| read_server(name, value, managed.contains_key(name)))
        .collect()
}

fn read_server(name: &str, value: &Value, managed: bool) -> ImportedServer {
    let other_keys = value
        .as_object()
        .map(|object| {
            object
                .keys()
                .filter(|key| !READ_KEYS.contains(&key.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut secret_args = Vec::new();
    let launch = match parse_entry(value) {
        Some(Entry::Stdio(stdio)) => {
            secret_args = stdio
                .args
                .iter()
                .enumerate()
                .filter_map(|(index, arg)| {
                    classify_argument(arg).map(|reason| SecretArgument { index, reason })
                })
                .collect();
            let (env, secret_env) = split(stdio.env);
            ImportedLaunch::Stdio {
                command: stdio.command,
                args: stdio.args,
                env,
                secret_env,
                cwd: value.get("cwd").and_then(Value::as_str).map(str::to_owned),
            }
        }
        Some(Entry::Http(http)) => {
            let (headers, secret_headers) = split(
                http.headers
                    .into_iter()
                    .map(|(k, v)| (k, v.into_exposed()))
                    .collect(),
            );
            ImportedLaunch::Http {
                secret_in_url: url_has_secret(&http.url),
                url: http.url,
                headers,
                secret_headers,
            }
        }
        None => ImportedLaunch::Unrecognized,
    };
    ImportedServer {
        name: name.to_owned(),
        suggested_id: if is_valid_name(name) {
            name.to_owned()
        } else {
            sanitize_name(name)
        },
        managed,
        launch,
        secret_args,
        other_keys,
    }
}

type Split = (
    BTreeMap<String, String>,
    BTreeMap<String, (Secret, SecretReason)>,
);

fn split(values: BTreeMap<String, String>) -> Split {
    let mut plain = BTreeMap::new();
    let mut secret = BTreeMap::new();
    for (key, value) in values {
        match classify(&key, &value) {
            Some(reason) => {
                secret.insert(key, (Secret::new(value), reason));
            }
            None => {
                plain.insert(key, value);
            }
        }
    }
    (plain, secret)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn environment_is_split_into_plain_and_secret_values() {
        let value = json!({
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "LOG_LEVEL": "debug"},
            "disabled": false,
            "autoApprove": []
        });
        let server = read_server("github", &value, false);
        let ImportedLaunch::Stdio {
            env, secret_env, ..
        } = &server.launch
        else {
            panic!("a command entry imports as stdio");
        };
        assert_eq!(env.keys().collect::<Vec<_>>(), ["LOG_LEVEL"]);
        assert_eq!(
            secret_env.keys().collect::<Vec<_>>(),
            ["GITHUB_PERSONAL_ACCESS_TOKEN"]
        );
        assert_eq!(server.other_keys, ["autoApprove", "disabled"]);
        let shown = format!("{server:?}");
        assert!(!shown.contains("ghp_"), "Debug leaked a secret: {shown}");
    }

    #[test]
    fn url_entries_set_apart_bearer_headers_and_flag_keys_in_urls() {
        let value = json!({"serverUrl": "https://actions.zapier.com/mcp/sk-ak-8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c/sse", "headers": {"Authorization": "Bearer abcdef0123456789", "X-Team": "core"}});
        let server = read_server("zapier", &value, false);
        let ImportedLaunch::Http {
            headers,
            secret_headers,
            secret_in_url,
            ..
        } = &server.launch
        else {
            panic!("a URL entry imports as http");
        };
        assert!(secret_in_url, "a key in the URL path is flagged");
        assert_eq!(headers.keys().collect::<Vec<_>>(), ["X-Team"]);
        assert_eq!(secret_headers.keys().collect::<Vec<_>>(), ["Authorization"]);
        assert!(!url_has_secret("https://mcp.example.com/mcp?team=core"));
        let shown = format!("{server:?}");
        assert!(
            !shown.contains("sk-ak-") && !shown.contains("abcdef0123"),
            "Debug leaked a secret: {shown}"
        );
        assert!(url_has_secret(
            "https://mcp.example.com/mcp?api_key=abc123def456"
        ));
    }

    #[test]
    fn invalid_names_get_a_valid_suggested_id() {
        let server = read_server("My Server", &json!({"command": "x"}), false);
        assert_eq!(server.suggested_id, "My-Server");
        let odd = read_server("weird", &json!({"settings": {}}), false);
        assert_eq!(odd.launch, ImportedLaunch::Unrecognized);
    }

    #[test]
    fn secret_arguments_are_pointed_at() {
        let value = json!({"command": "server", "args": ["--token=ghp_16C7e42F292c6912E7710c838347Ae178B4a", "--verbose"]});
        let server = read_server("s", &value, false);
        assert_eq!(
            server.secret_args,
            vec![SecretArgument {
                index: 0,
                reason: SecretReason::KnownShape
            }]
        );
    }
}
