//! The control API: typed JSON-RPC over the daemon's socket, used by the CLI and the app.
//!
//! A control peer sends `{"jsonrpc":"2.0","id":N,"method":…,"params":…}` lines and gets a
//! result or an error for each. After `subscribe`, the daemon also sends
//! `{"jsonrpc":"2.0","method":"event","params":<Event>}` lines as things happen.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use server_prompts::Template;
use switchboard_gateway::{Event, RuntimeView, ServerStats};
use switchboard_store::{Access, CallQuery, Grant, Launch, StoreError};
use switchboard_supervisor::TreeUsage;

use crate::{clients::ClientTarget, hub::InstallRequest};

/// Every request the daemon understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", content = "params", rename_all = "snake_case")]
pub enum Request {
    Status,
    ListServers,
    GetServer {
        id: String,
    },
    AddServer {
        id: String,
        #[serde(default)]
        name: Option<String>,
        launch: Launch,
    },
    RemoveServer {
        id: String,
    },
    /// Restart a server's processes in every open session (answers how many).
    RestartServer {
        id: String,
    },
    /// The tools a server offers, switched off or not (asking the server if need be).
    ListTools {
        id: String,
    },
    /// Call figures (rate, errors, latency, a ten-minute series) of one server or all.
    ServerStats {
        #[serde(default)]
        id: Option<String>,
    },
    SetEnabled {
        id: String,
        enabled: bool,
    },
    SetToolEnabled {
        server: String,
        tool: String,
        enabled: bool,
    },
    ListGrants {
        #[serde(default)]
        server: Option<String>,
    },
    Grant {
        path: PathBuf,
        access: Access,
        #[serde(default)]
        server: Option<String>,
    },
    Revoke {
        id: i64,
    },
    RecentCalls {
        #[serde(default)]
        query: CallQuery,
    },
    /// Every setting with its value and default.
    Settings,
    SetSetting {
        key: String,
        value: serde_json::Value,
    },
    /// The user's own prompt templates (for the built-in `prompts` server).
    ListPrompts,
    /// Saves a template, replacing one of the same name.
    SavePrompt {
        template: Template,
    },
    RemovePrompt {
        name: String,
    },
    /// The secrets each server (or one) needs and whether the keychain has them (names
    /// only; values never cross the control API).
    Secrets {
        #[serde(default)]
        server: Option<String>,
    },
    /// The CLI or the app stored a secret in the keychain: the server needs it from now on.
    SecretStored {
        server: String,
        name: String,
    },
    /// The CLI or the app deleted a secret from the keychain.
    SecretDeleted {
        server: String,
        name: String,
    },
    /// The newest writes the built-in `sql` server made (at most `limit`).
    SqlWrites {
        #[serde(default)]
        limit: u32,
    },
    /// The HTTP endpoint: whether it is on, where it listens, why not. Never the token.
    HttpStatus,
    /// Replaces the HTTP endpoint's token (the old one is refused at once); the new one is
    /// in the keychain.
    RotateHttpToken,
    /// Every known MCP client: whether it is on this computer, and the entries of its
    /// files, Switchboard's and others'.
    ListClients,
    /// Writes server `id`'s bridge entry into each client file of `into`.
    InstallServer {
        id: String,
        into: Vec<ClientTarget>,
    },
    /// Takes server `id`'s entry out of each client file of `from` (every file it is in
    /// when absent).
    UninstallServer {
        id: String,
        #[serde(default)]
        from: Option<Vec<ClientTarget>>,
    },
    /// Imports the hand-made entries of a client's file as servers, secrets into the
    /// keychain, each entry replaced by its bridge entry.
    ImportClient {
        from: ClientTarget,
    },
    /// Installs a server in one step: checks, registers, prepares, verifies, enables and
    /// writes client files, undoing everything if a step fails (see `Hub::install`).
    /// Progress arrives as `install` events to subscribers.
    Install(InstallRequest),
    /// Uninstalls a server: its client entries, secrets, grants and files, then itself.
    Uninstall {
        id: String,
    },
    /// Reads the MCP Registry at `url` (or the one read last) into the catalog's cache.
    RefreshRegistry {
        #[serde(default)]
        url: Option<String>,
    },
    /// The cached registry listing (`null` when no registry was read).
    RegistryListing,
    /// Forgets the registry: the catalog is the curated one again.
    ForgetRegistry,
    /// Start receiving events on this connection.
    Subscribe,
    /// Stop the daemon and every server it runs.
    Stop,
}

/// A request line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestMessage {
    pub jsonrpc: String,
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// A response or event line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyMessage {
    pub jsonrpc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ControlError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Event>,
}

/// The daemon itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DaemonStatus {
    pub pid: u32,
    pub version: String,
    pub data_dir: PathBuf,
    /// Unix epoch milliseconds.
    pub started_at: i64,
    pub servers: usize,
    pub sessions: usize,
    /// The `switchboard` program client entries (and relays to remote servers) run.
    pub exe: PathBuf,
}

/// One installed server with its live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerInfo {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub launch: Launch,
    pub disabled_tools: Vec<String>,
    pub runtime: RuntimeView,
    pub usage: TreeUsage,
    /// Call figures over the last minutes.
    pub stats: ServerStats,
}

/// A failed request: a stable code for programs, a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ControlError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    AlreadyExists,
    Storage,
    /// The daemon could not be reached or started.
    Unavailable,
    Protocol,
}

impl ControlError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ControlError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::UnknownServer(_) => ErrorCode::NotFound,
            StoreError::InvalidServerId(_) | StoreError::RelativeGrantPath(_) => {
                ErrorCode::InvalidInput
            }
            _ => ErrorCode::Storage,
        };
        Self::new(code, error.to_string())
    }
}

/// A grant as the control API shows it.
pub type GrantInfo = Grant;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_a_stable_wire_shape() {
        let message = RequestMessage {
            jsonrpc: "2.0".into(),
            id: 3,
            request: Request::SetEnabled {
                id: "github".into(),
                enabled: false,
            },
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "set_enabled",
                               "params": {"id": "github", "enabled": false}})
        );
        let status: RequestMessage =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":1,"method":"status"}"#).unwrap();
        assert_eq!(status.request, Request::Status);
    }
}
