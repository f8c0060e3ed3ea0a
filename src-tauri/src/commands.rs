//! The commands the window calls, through generated bindings. Each is a thin adapter: take
//! the state, make one request (to the daemon, or to the desktop: the folder picker and the
//! login items), map the
//! error to `{code, message}`. Must not: hold logic of its own.

use std::path::PathBuf;

use switchboard_gateway::ToolView;
use switchboard_hub::{
    ClientInfo, ClientTarget, ClientsChange, DaemonStatus, Request, SecretStatus, ServerInfo,
    Setting,
};
use switchboard_secrets::{Keychain, Sensitive};
use switchboard_store::{Access, CallQuery, Grant, StoredCall};
use tauri::State;

use crate::{
    daemon::DaemonLink,
    desktop::DesktopHandle,
    error::{UiError, UiErrorCode},
};

type Answer<T> = Result<T, UiError>;

/// The daemon: version, data folder, when it started.
#[tauri::command]
#[specta::specta]
pub async fn daemon_status(daemon: State<'_, DaemonLink>) -> Answer<DaemonStatus> {
    Ok(daemon.call(Request::Status).await?)
}

/// Every installed server with its state, usage and call figures.
#[tauri::command]
#[specta::specta]
pub async fn list_servers(daemon: State<'_, DaemonLink>) -> Answer<Vec<ServerInfo>> {
    Ok(daemon.call(Request::ListServers).await?)
}

/// Switches a server on or off; clients see it at once.
#[tauri::command]
#[specta::specta]
pub async fn set_server_enabled(
    daemon: State<'_, DaemonLink>,
    id: String,
    enabled: bool,
) -> Answer<ServerInfo> {
    Ok(daemon.call(Request::SetEnabled { id, enabled }).await?)
}

/// Switches one tool of a server on or off.
#[tauri::command]
#[specta::specta]
pub async fn set_tool_enabled(
    daemon: State<'_, DaemonLink>,
    server: String,
    tool: String,
    enabled: bool,
) -> Answer<ServerInfo> {
    Ok(daemon
        .call(Request::SetToolEnabled {
            server,
            tool,
            enabled,
        })
        .await?)
}

/// The tools a server offers (asking the server when no client has listed them yet).
#[tauri::command]
#[specta::specta]
pub async fn server_tools(daemon: State<'_, DaemonLink>, id: String) -> Answer<Vec<ToolView>> {
    Ok(daemon.call(Request::ListTools { id }).await?)
}

/// Restarts a server for every client using it; answers how many sessions.
#[tauri::command]
#[specta::specta]
pub async fn restart_server(daemon: State<'_, DaemonLink>, id: String) -> Answer<u32> {
    Ok(daemon.call(Request::RestartServer { id }).await?)
}

/// Uninstalls a server.
#[tauri::command]
#[specta::specta]
pub async fn remove_server(daemon: State<'_, DaemonLink>, id: String) -> Answer<bool> {
    Ok(daemon.call(Request::RemoveServer { id }).await?)
}

/// The granted folders.
#[tauri::command]
#[specta::specta]
pub async fn list_grants(daemon: State<'_, DaemonLink>) -> Answer<Vec<Grant>> {
    Ok(daemon.call(Request::ListGrants { server: None }).await?)
}

/// Shows the system's folder picker; `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_folder(desktop: State<'_, DesktopHandle>) -> Answer<Option<PathBuf>> {
    desktop.pick_folder().await
}

/// Grants a folder to one server, or to every server when `server` is `None`.
#[tauri::command]
#[specta::specta]
pub async fn grant_folder(
    daemon: State<'_, DaemonLink>,
    path: PathBuf,
    access: Access,
    server: Option<String>,
) -> Answer<Grant> {
    Ok(daemon
        .call(Request::Grant {
            path,
            access,
            server,
        })
        .await?)
}

/// Takes back a grant.
#[tauri::command]
#[specta::specta]
pub async fn revoke_grant(daemon: State<'_, DaemonLink>, id: i64) -> Answer<bool> {
    Ok(daemon.call(Request::Revoke { id }).await?)
}

/// Calls from the log, newest first, filtered.
#[tauri::command]
#[specta::specta]
pub async fn recent_calls(
    daemon: State<'_, DaemonLink>,
    query: CallQuery,
) -> Answer<Vec<StoredCall>> {
    Ok(daemon.call(Request::RecentCalls { query }).await?)
}

/// Every setting of the daemon with its value, kind and words.
#[tauri::command]
#[specta::specta]
pub async fn list_settings(daemon: State<'_, DaemonLink>) -> Answer<Vec<Setting>> {
    Ok(daemon.call(Request::Settings).await?)
}

/// Changes a setting of the daemon.
#[tauri::command]
#[specta::specta]
pub async fn change_setting(
    daemon: State<'_, DaemonLink>,
    key: String,
    value: serde_json::Value,
) -> Answer<Setting> {
    Ok(daemon.call(Request::SetSetting { key, value }).await?)
}

/// Whether Switchboard starts (in the tray) when this user logs in.
#[tauri::command]
#[specta::specta]
#[allow(clippy::needless_pass_by_value)] // Tauri hands state over by value
pub fn launch_at_login(desktop: State<'_, DesktopHandle>) -> Answer<bool> {
    desktop.launch_at_login()
}

/// Makes Switchboard start (in the tray) when this user logs in, or not.
#[tauri::command]
#[specta::specta]
#[allow(clippy::needless_pass_by_value)] // Tauri hands state over by value
pub fn set_launch_at_login(desktop: State<'_, DesktopHandle>, enabled: bool) -> Answer<bool> {
    desktop.set_launch_at_login(enabled)
}

/// The MCP clients Switchboard knows (Claude Desktop, Cursor, …): whether each is on this
/// computer and which servers its settings file lists.
#[tauri::command]
#[specta::specta]
pub async fn list_clients(daemon: State<'_, DaemonLink>) -> Answer<Vec<ClientInfo>> {
    Ok(daemon.call(Request::ListClients).await?)
}

/// Adds a server to a client's own settings file (its user-wide one), so that the client
/// starts it through Switchboard. The answer says what the person does next.
#[tauri::command]
#[specta::specta]
pub async fn add_to_client(
    daemon: State<'_, DaemonLink>,
    server: String,
    client: String,
) -> Answer<ClientsChange> {
    Ok(daemon
        .call(Request::InstallServer {
            id: server,
            into: vec![ClientTarget::user(client)],
        })
        .await?)
}

/// Takes a server out of a client's user-wide settings file.
#[tauri::command]
#[specta::specta]
pub async fn remove_from_client(
    daemon: State<'_, DaemonLink>,
    server: String,
    client: String,
) -> Answer<ClientsChange> {
    Ok(daemon
        .call(Request::UninstallServer {
            id: server,
            from: Some(vec![ClientTarget::user(client)]),
        })
        .await?)
}

/// The secrets each server needs and whether the keychain has them (never a value).
#[tauri::command]
#[specta::specta]
pub async fn list_secrets(daemon: State<'_, DaemonLink>) -> Answer<Vec<SecretStatus>> {
    Ok(daemon.call(Request::Secrets { server: None }).await?)
}

/// Puts a secret typed in the window straight into the system keychain, then tells the
/// daemon its name (the value never reaches the daemon's socket, a file or a log).
#[tauri::command]
#[specta::specta]
pub async fn store_secret(
    daemon: State<'_, DaemonLink>,
    server: String,
    name: String,
    value: String,
) -> Answer<()> {
    let value = Sensitive::from(value);
    let (who, what) = (server.clone(), name.clone());
    tauri::async_runtime::spawn_blocking(move || {
        Keychain::platform().and_then(|keychain| keychain.set(&who, &what, &value))
    })
    .await
    .map_err(|e| {
        UiError::new(
            UiErrorCode::Keychain,
            format!("The keychain could not be reached: {e}"),
        )
    })?
    .map_err(|e| {
        UiError::new(
            UiErrorCode::Keychain,
            format!(
                "Could not store {name} in the system keychain: {e}. Unlock the keychain (on \
                 Linux: GNOME Keyring or KWallet) and try again."
            ),
        )
    })?;
    Ok(daemon.call(Request::SecretStored { server, name }).await?)
}
