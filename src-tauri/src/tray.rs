//! The tray: an icon whose look says how the servers are (all healthy, something wrong, all
//! off) and a menu with a switch per installed server, "Pause all", "Open Switchboard",
//! "Launch at login" and "Quit". What the menu shows is a pure function of the servers (the
//! `TrayModel`); this module turns it into a native menu and menu clicks into requests.
//! Must not: keep its own idea of a server's state; it redraws from the daemon's answers.

use std::sync::{Mutex, MutexGuard, PoisonError};

use switchboard_hub::{Request, ServerInfo, Setting, settings};
use switchboard_supervisor::ServerState;
use tauri::{
    AppHandle, Manager, Runtime,
    image::Image,
    menu::{CheckMenuItemBuilder, Menu, MenuBuilder, MenuEvent, MenuItemBuilder},
    tray::TrayIconBuilder,
};
use tauri_plugin_autostart::ManagerExt as _;

use crate::{daemon::DaemonLink, window};

/// The tray icon's id.
pub const TRAY_ID: &str = "switchboard";

/// How the tray icon looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Every server that is switched on is healthy or waiting for a client.
    Healthy,
    /// A server is degraded or crashed, or the daemon cannot be reached.
    Degraded,
    /// Every server is switched off.
    Off,
}

impl Look {
    fn icon(self) -> &'static [u8] {
        match self {
            Self::Healthy => include_bytes!("../../icons/tray-healthy.png"),
            Self::Degraded => include_bytes!("../../icons/tray-degraded.png"),
            Self::Off => include_bytes!("../../icons/tray-off.png"),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Healthy => "Switchboard: all good",
            Self::Degraded => "Switchboard: a server needs attention",
            Self::Off => "Switchboard: every server is off",
        }
    }
}

/// What the tray knows: the servers as the daemon last told them, whether it can reach the
/// daemon, and which servers "Pause all" switched off (for "Resume all").
#[derive(Debug, Clone, Default)]
pub struct TrayState {
    pub servers: Vec<ServerInfo>,
    pub connected: bool,
    pub paused: Vec<String>,
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    pub id: String,
    pub label: String,
    pub on: bool,
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub look: Look,
    pub servers: Vec<ServerEntry>,
    /// "Pause all" or "Resume all".
    pub pause_label: &'static str,
    pub pause_enabled: bool,
    /// Shown greyed out at the top when the daemon cannot be reached.
    pub problem: Option<String>,
}

/// The tray for `state`.
pub fn model(state: &TrayState) -> TrayModel {
    let on: Vec<&ServerInfo> = state.servers.iter().filter(|s| s.enabled).collect();
    let troubled = on.iter().any(|s| {
        matches!(
            s.runtime.state,
            ServerState::Degraded | ServerState::Crashed
        )
    });
    let look = if !state.connected || troubled {
        Look::Degraded
    } else if on.is_empty() {
        Look::Off
    } else {
        Look::Healthy
    };
    let servers = state
        .servers
        .iter()
        .map(|server| {
            let note = match (server.enabled, server.runtime.state) {
                (true, ServerState::Crashed) => " (crashed)",
                (true, ServerState::Degraded) => " (not answering)",
                _ => "",
            };
            ServerEntry {
                id: server.id.clone(),
                label: format!("{}{note}", server.name),
                on: server.enabled,
            }
        })
        .collect();
    let (pause_label, pause_enabled) = if state.paused.is_empty() {
        ("Pause all", !on.is_empty())
    } else {
        ("Resume all", true)
    };
    TrayModel {
        look,
        servers,
        pause_label,
        pause_enabled: pause_enabled && state.connected,
        problem: (!state.connected).then(|| "Switchboard is not running".to_owned()),
    }
}

/// What "Pause all" or "Resume all" does: the servers to switch, and to which side.
pub fn pause_plan(state: &TrayState) -> (Vec<String>, bool) {
    if state.paused.is_empty() {
        let on = state
            .servers
            .iter()
            .filter(|s| s.enabled)
            .map(|s| s.id.clone())
            .collect();
        (on, false)
    } else {
        let installed: Vec<String> = state
            .servers
            .iter()
            .filter(|s| state.paused.contains(&s.id))
            .map(|s| s.id.clone())
            .collect();
        (installed, true)
    }
}

/// The tray's state, shared by the menu handlers and the event listener.
#[derive(Debug, Default)]
pub struct Tray {
    state: Mutex<TrayState>,
}

impl Tray {
    pub fn state(&self) -> MutexGuard<'_, TrayState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Creates the tray icon with its menu.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let state = app.state::<Tray>().state().clone();
    let model = model(&state);
    let menu = menu(app, &model)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(model.look.icon())?)
        .tooltip(model.look.words())
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu_event(app, &event))
        .build(app)?;
    Ok(())
}

/// Redraws the tray from its state.
pub fn redraw<R: Runtime>(app: &AppHandle<R>) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let model = model(&app.state::<Tray>().state());
    let drawn = menu(app, &model).and_then(|menu| {
        tray.set_menu(Some(menu))?;
        tray.set_icon(Some(Image::from_bytes(model.look.icon())?))?;
        tray.set_tooltip(Some(model.look.words()))
    });
    if let Err(error) = drawn {
        tracing::warn!(%error, "could not redraw the tray");
    }
}

/// Reads the servers from the daemon and redraws.
pub async fn refresh<R: Runtime>(app: AppHandle<R>) {
    let link = app.state::<DaemonLink>().inner().clone();
    match link.call::<Vec<ServerInfo>>(Request::ListServers).await {
        Ok(servers) => {
            let tray = app.state::<Tray>();
            let mut state = tray.state();
            state
                .paused
                .retain(|id| servers.iter().any(|s| s.id == *id && !s.enabled));
            state.servers = servers;
        }
        Err(error) => tracing::warn!(%error, "could not read the servers for the tray"),
    }
    redraw(&app);
}

fn menu<R: Runtime>(app: &AppHandle<R>, model: &TrayModel) -> tauri::Result<Menu<R>> {
    let mut builder = MenuBuilder::new(app);
    if let Some(problem) = &model.problem {
        builder = builder
            .item(
                &MenuItemBuilder::with_id("problem", problem)
                    .enabled(false)
                    .build(app)?,
            )
            .separator();
    }
    for server in &model.servers {
        builder = builder.item(
            &CheckMenuItemBuilder::with_id(format!("server:{}", server.id), &server.label)
                .checked(server.on)
                .enabled(model.problem.is_none())
                .build(app)?,
        );
    }
    if !model.servers.is_empty() {
        builder = builder.separator();
    }
    let launch_at_login = app.autolaunch().is_enabled().unwrap_or(false);
    builder
        .item(
            &MenuItemBuilder::with_id("pause", model.pause_label)
                .enabled(model.pause_enabled)
                .build(app)?,
        )
        .item(&MenuItemBuilder::with_id("open", "Open Switchboard").build(app)?)
        .separator()
        .item(
            &CheckMenuItemBuilder::with_id("launch_at_login", "Launch at login")
                .checked(launch_at_login)
                .build(app)?,
        )
        .item(&MenuItemBuilder::with_id("quit", "Quit Switchboard").build(app)?)
        .build()
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent) {
    let id = event.id().as_ref().to_owned();
    let app = app.clone();
    match id.as_str() {
        "open" => window::show(&app),
        "quit" => {
            tauri::async_runtime::spawn(quit(app));
        }
        "launch_at_login" => {
            let autolaunch = app.autolaunch();
            let result = match autolaunch.is_enabled() {
                Ok(true) => autolaunch.disable(),
                _ => autolaunch.enable(),
            };
            if let Err(error) = result {
                tracing::warn!(%error, "could not change launch at login");
            }
            redraw(&app);
        }
        "pause" => {
            tauri::async_runtime::spawn(pause_or_resume(app));
        }
        other => {
            if let Some(server) = other.strip_prefix("server:") {
                tauri::async_runtime::spawn(toggle(app, server.to_owned()));
            }
        }
    }
}

/// Switches a server the other way from what the tray last knew.
async fn toggle<R: Runtime>(app: AppHandle<R>, server: String) {
    let enabled = {
        let tray = app.state::<Tray>();
        let mut state = tray.state();
        let now_on = state
            .servers
            .iter()
            .find(|s| s.id == server)
            .is_some_and(|s| s.enabled);
        if !now_on {
            state.paused.retain(|id| *id != server);
        }
        !now_on
    };
    let link = app.state::<DaemonLink>().inner().clone();
    if let Err(error) = link
        .call::<ServerInfo>(Request::SetEnabled {
            id: server.clone(),
            enabled,
        })
        .await
    {
        tracing::warn!(%error, server, "could not switch the server from the tray");
    }
    refresh(app).await;
}

async fn pause_or_resume<R: Runtime>(app: AppHandle<R>) {
    let (ids, enabled) = pause_plan(&app.state::<Tray>().state());
    let link = app.state::<DaemonLink>().inner().clone();
    let mut switched = Vec::new();
    for id in ids {
        match link
            .call::<ServerInfo>(Request::SetEnabled {
                id: id.clone(),
                enabled,
            })
            .await
        {
            Ok(_) => switched.push(id),
            Err(error) => tracing::warn!(%error, id, "could not switch a server"),
        }
    }
    {
        let tray = app.state::<Tray>();
        let mut state = tray.state();
        state.paused = if enabled { Vec::new() } else { switched };
    }
    refresh(app).await;
}

/// Quits the app; the daemon keeps serving or stops, as the user's setting says.
pub async fn quit<R: Runtime>(app: AppHandle<R>) {
    let link = app.state::<DaemonLink>().inner().clone();
    let stop = match link.call::<Vec<Setting>>(Request::Settings).await {
        Ok(all) => all.iter().any(|setting| {
            setting.key == settings::APP_ON_QUIT && setting.value == settings::ON_QUIT_STOP_SERVERS
        }),
        Err(_) => false,
    };
    if stop && let Err(error) = link.call::<bool>(Request::Stop).await {
        tracing::warn!(%error, "could not stop the daemon on quit");
    }
    app.exit(0);
}

#[cfg(test)]
mod tests {
    use switchboard_gateway::RuntimeView;
    use switchboard_store::{Launch, Source};

    use super::*;

    fn server(id: &str, enabled: bool, state: ServerState) -> ServerInfo {
        ServerInfo {
            id: id.into(),
            name: id.to_uppercase(),
            enabled,
            launch: Launch::new(Source::Builtin { name: id.into() }),
            disabled_tools: vec![],
            runtime: RuntimeView {
                state,
                sessions: vec![],
                restarts: 0,
                stderr: vec![],
                last_error: None,
                tools: None,
            },
            usage: Default::default(),
            stats: switchboard_gateway::stats::Window::default().stats(id, 0),
        }
    }

    fn state(servers: Vec<ServerInfo>) -> TrayState {
        TrayState {
            servers,
            connected: true,
            paused: vec![],
        }
    }

    #[test]
    fn the_icon_says_healthy_degraded_or_off() {
        let healthy = state(vec![
            server("files", true, ServerState::Healthy),
            server("clock", true, ServerState::Stopped),
            server("fetch", false, ServerState::Crashed),
        ]);
        assert_eq!(
            model(&healthy).look,
            Look::Healthy,
            "a switched-off server's old crash does not count"
        );
        let degraded = state(vec![
            server("files", true, ServerState::Healthy),
            server("fetch", true, ServerState::Crashed),
        ]);
        assert_eq!(model(&degraded).look, Look::Degraded);
        let off = state(vec![server("files", false, ServerState::Stopped)]);
        assert_eq!(model(&off).look, Look::Off);
        let unreachable = TrayState {
            connected: false,
            ..off
        };
        let model = model(&unreachable);
        assert_eq!(model.look, Look::Degraded, "no daemon is a problem");
        assert_eq!(model.problem.as_deref(), Some("Switchboard is not running"));
        assert!(!model.pause_enabled);
    }

    #[test]
    fn each_server_has_a_switch_labelled_with_its_trouble() {
        let model = model(&state(vec![
            server("files", true, ServerState::Healthy),
            server("fetch", true, ServerState::Crashed),
            server("sql", false, ServerState::Stopped),
        ]));
        assert_eq!(
            model.servers,
            [
                ServerEntry {
                    id: "files".into(),
                    label: "FILES".into(),
                    on: true
                },
                ServerEntry {
                    id: "fetch".into(),
                    label: "FETCH (crashed)".into(),
                    on: true
                },
                ServerEntry {
                    id: "sql".into(),
                    label: "SQL".into(),
                    on: false
                },
            ]
        );
    }

    #[test]
    fn pause_all_switches_off_what_was_on_and_resume_brings_back_only_those() {
        let mut tray = state(vec![
            server("files", true, ServerState::Healthy),
            server("clock", true, ServerState::Stopped),
            server("sql", false, ServerState::Stopped),
        ]);
        assert_eq!(model(&tray).pause_label, "Pause all");
        let (ids, enabled) = pause_plan(&tray);
        assert_eq!(
            (ids.as_slice(), enabled),
            (&["files".to_owned(), "clock".to_owned()][..], false)
        );

        tray.paused = ids;
        for s in &mut tray.servers {
            s.enabled = false;
        }
        let paused = model(&tray);
        assert_eq!(paused.pause_label, "Resume all");
        assert!(paused.pause_enabled);
        assert_eq!(paused.look, Look::Off);
        let (ids, enabled) = pause_plan(&tray);
        assert_eq!(ids, ["files", "clock"], "sql stays off: it was off before");
        assert!(enabled);
    }

    #[test]
    fn pause_all_is_greyed_out_when_nothing_is_on() {
        let tray = state(vec![server("sql", false, ServerState::Stopped)]);
        assert!(!model(&tray).pause_enabled);
    }
}
