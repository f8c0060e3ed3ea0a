//! The commands the window calls, through generated bindings. Each is a thin adapter: take
//! the state, make one request (to the daemon, or to the desktop: the folder picker and the
//! login items), map the
//! error to `{code, message}`. Must not: hold logic of its own.

use std::path::PathBuf;

use switchboard_gateway::ToolView;
use switchboard_hub::{
    ClientInfo, ClientTarget, ClientsChange, DaemonStatus, InstallReport, RegistryReport, Request,
    SecretStatus, ServerInfo, Setting, UninstallReport,
    installer::{CatalogPage, FormAnswers, FormSource, InstallForm, Installer, catalog_page},
};
use switchboard_secrets::{Keychain, Sensitive};
use switchboard_store::{Access, CallQuery, Grant, StoredCall};
use tauri::State;

use crate::{
    catalog::CatalogCache,
    client_apps::{self, Processes},
    daemon::DaemonLink,
    desktop::{DesktopHandle, FileKind},
    error::{UiError, UiErrorCode, capitalized},
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

/// Uninstalls a server with everything its install made: its entries in the clients' files,
/// its secrets, its folder grants and its downloaded files.
#[tauri::command]
#[specta::specta]
pub async fn remove_server(daemon: State<'_, DaemonLink>, id: String) -> Answer<UninstallReport> {
    Ok(daemon.call(Request::Uninstall { id }).await?)
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

/// The catalog's entries matching `query` (all for an empty one) in `category` (a slug), as
/// cards. `reload` reads the catalog and the installed servers again; the page does when it
/// opens and after an install.
#[tauri::command]
#[specta::specta]
pub async fn catalog(
    daemon: State<'_, DaemonLink>,
    cache: State<'_, CatalogCache>,
    query: String,
    category: Option<String>,
    reload: bool,
) -> Answer<CatalogPage> {
    let read = cache.get(&daemon, reload).await?;
    Ok(catalog_page(
        &read.catalog,
        &query,
        category.as_deref(),
        |id| read.installed.iter().any(|installed| installed == id),
    ))
}

/// The questions of installing `source`, and what this computer lacks to run it.
#[tauri::command]
#[specta::specta]
pub async fn install_form(
    daemon: State<'_, DaemonLink>,
    source: FormSource,
) -> Answer<InstallForm> {
    let installer = Installer::load(&mut daemon.connection().await?).await?;
    let draft = installer
        .draft(&source.into(), None)
        .map_err(switchboard_hub::ControlError::from)?;
    Ok(InstallForm::new(&draft, &installer.runtimes))
}

/// Installs `source` under `id` with the form's answers (its secrets go straight to the
/// system keychain, from this process) and adds it to `into` (client ids). Its steps reach
/// the window as the daemon's install events while it runs.
#[tauri::command]
#[specta::specta]
pub async fn install_server(
    daemon: State<'_, DaemonLink>,
    cache: State<'_, CatalogCache>,
    source: FormSource,
    id: String,
    answers: FormAnswers,
    into: Vec<String>,
) -> Answer<InstallReport> {
    let mut control = daemon.connection().await?;
    let installer = Installer::load(&mut control).await?;
    let draft = installer
        .draft(&source.into(), Some(&id))
        .map_err(switchboard_hub::ControlError::from)?;
    let answers = answers
        .into_answers(&draft)
        .map_err(switchboard_hub::ControlError::from)?;
    let into = into.into_iter().map(ClientTarget::user).collect();
    let report = installer
        .install(
            &mut control,
            &draft,
            &answers,
            daemon.paths()?,
            into,
            |_, _| {},
        )
        .await?;
    cache.get(&daemon, true).await?;
    Ok(report)
}

/// Shows the system's file picker: for an MCP Bundle to install, or any file a server asks
/// for. `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_file(
    desktop: State<'_, DesktopHandle>,
    kind: FileKind,
) -> Answer<Option<PathBuf>> {
    desktop.pick_file(kind).await
}

/// Reads an MCP Registry (`url`, or the one read last time, or the official one) into the
/// catalog.
#[tauri::command]
#[specta::specta]
pub async fn refresh_registry(
    daemon: State<'_, DaemonLink>,
    cache: State<'_, CatalogCache>,
    url: Option<String>,
) -> Answer<RegistryReport> {
    let report = daemon.call(Request::RefreshRegistry { url }).await?;
    cache.get(&daemon, true).await?;
    Ok(report)
}

/// Takes the registry's servers out of the catalog again.
#[tauri::command]
#[specta::specta]
pub async fn forget_registry(
    daemon: State<'_, DaemonLink>,
    cache: State<'_, CatalogCache>,
) -> Answer<()> {
    daemon.call::<()>(Request::ForgetRegistry).await?;
    cache.get(&daemon, true).await?;
    Ok(())
}

/// The clients whose desktop program is running now (their ids).
#[tauri::command]
#[specta::specta]
pub async fn running_clients(daemon: State<'_, DaemonLink>) -> Answer<Vec<String>> {
    let clients: Vec<ClientInfo> = daemon.call(Request::ListClients).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let Some(processes) = Processes::snapshot() else {
            return Vec::new();
        };
        clients
            .into_iter()
            .filter(|client| !processes.find(&client.programs).is_empty())
            .map(|client| client.id)
            .collect()
    })
    .await
    .map_err(|e| UiError::new(UiErrorCode::Unavailable, e.to_string()))
}

/// Quits a client's desktop program and opens it again, so that it reads its settings file
/// (with a server just added or removed); answers how many copies were restarted.
#[tauri::command]
#[specta::specta]
pub async fn restart_client(daemon: State<'_, DaemonLink>, client: String) -> Answer<u32> {
    let clients: Vec<ClientInfo> = daemon.call(Request::ListClients).await?;
    let found = clients
        .into_iter()
        .find(|known| known.id == client)
        .ok_or_else(|| {
            UiError::new(
                UiErrorCode::NotFound,
                format!("Switchboard does not know an AI app called \"{client}\"."),
            )
        })?;
    let restarted = tauri::async_runtime::spawn_blocking(move || {
        client_apps::restart(&found.name, &found.programs)
    })
    .await
    .map_err(|e| UiError::new(UiErrorCode::Unavailable, e.to_string()))?
    .map_err(|e| UiError::new(UiErrorCode::ClientApp, capitalized(&e.to_string())))?;
    Ok(u32::try_from(restarted).unwrap_or(u32::MAX))
}
