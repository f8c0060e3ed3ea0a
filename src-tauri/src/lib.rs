//! The Switchboard desktop app: a tray icon and a window over Switchboard's daemon, for people
//! who never open a terminal. It is one more client of the hub's control API: it starts the
//! daemon if none runs, forwards the daemon's events to the window in batches, and turns
//! clicks into control requests.
//!
//! Owns: the tray, the window, the typed commands and events (TypeScript bindings generated
//! from here into `ui/src/bindings.ts`), native notifications, the folder picker and launch
//! at login. Must not: reach the store, the gateway or a server directly; everything goes
//! through `DaemonLink`.

pub mod catalog;
pub mod client_apps;
pub mod commands;
pub mod daemon;
pub mod desktop;
pub mod error;
pub mod events;
pub mod notices;
pub mod tray;
pub mod window;

use std::{path::Path, process::ExitCode, sync::Mutex};

use specta_typescript::Typescript;
use tauri::{AppHandle, Manager, RunEvent, Runtime};
use tauri_plugin_notification::NotificationExt as _;
use tauri_specta::{collect_commands, collect_events};

use crate::{
    daemon::DaemonLink,
    desktop::{DesktopHandle, NativeDesktop},
    events::{BatchListener, DaemonBatch, DaemonConnection},
    notices::Notices,
    tray::Tray,
};

/// The argument the login item starts the app with: straight to the tray, no window.
pub const HIDDEN_ARG: &str = "--hidden";

/// The typed commands and events, for the app and for the bindings generator.
pub fn bindings<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            commands::daemon_status,
            commands::list_servers,
            commands::set_server_enabled,
            commands::set_tool_enabled,
            commands::server_tools,
            commands::restart_server,
            commands::remove_server,
            commands::list_grants,
            commands::pick_folder,
            commands::grant_folder,
            commands::revoke_grant,
            commands::recent_calls,
            commands::list_settings,
            commands::change_setting,
            commands::launch_at_login,
            commands::set_launch_at_login,
            commands::list_clients,
            commands::add_to_client,
            commands::remove_from_client,
            commands::list_secrets,
            commands::store_secret,
            commands::catalog,
            commands::install_form,
            commands::install_server,
            commands::pick_file,
            commands::refresh_registry,
            commands::forget_registry,
            commands::running_clients,
            commands::restart_client,
        ])
        .events(collect_events![DaemonBatch, DaemonConnection])
        // Every integer the control API carries (epoch milliseconds, row ids, byte counts,
        // microseconds) stays far below 2^53, where a JavaScript number is exact.
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type: the window reads what the app serializes.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &Path) -> Result<(), specta_typescript::Error> {
    bindings::<tauri::Wry>().export(
        Typescript::default().header(
            "// Generated from src-tauri by tauri-specta: do not edit. Regenerate with\n\
             // `UPDATE_BINDINGS=1 cargo test -p switchboard-app --test bindings`.\n",
        ),
        path,
    )
}

/// Starts the app and runs it until "Quit".
pub fn run() -> ExitCode {
    init_logging();
    let link = DaemonLink::for_this_user();
    let hidden = std::env::args().any(|arg| arg == HIDDEN_ARG);
    let specta = bindings::<tauri::Wry>();
    let app = tauri::Builder::default()
        // First, so that a second copy hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app);
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![HIDDEN_ARG]),
        ))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(specta.invoke_handler())
        .manage(link.clone())
        .manage(Tray::default())
        .manage(catalog::CatalogCache::default())
        .setup(move |app| {
            specta.mount_events(app);
            app.manage::<DesktopHandle>(Box::new(NativeDesktop::new(app.handle().clone())));
            tray::create(app.handle())?;
            tauri::async_runtime::spawn(events::forward(
                app.handle().clone(),
                link,
                AppListener::default(),
            ));
            // Started at login, the app makes no window (and so no WebKit process at all)
            // until the tray or a second launch asks for it.
            if !hidden {
                window::show(app.handle());
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("error: Switchboard could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|_app, event| {
        // Closing the last window is not quitting: the tray stays. Only "Quit" exits.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    ExitCode::SUCCESS
}

/// What the app does with the daemon's news besides showing it in the window: redraw the
/// tray and notify about crashes.
#[derive(Debug, Default)]
struct AppListener {
    notices: Mutex<Notices>,
}

impl<R: Runtime> BatchListener<R> for AppListener {
    fn on_batch(&self, app: &AppHandle<R>, batch: &DaemonBatch) {
        for drift in &batch.drifts {
            notify(app, &notices::on_drift(drift));
        }
        if !batch.touches_servers() {
            return;
        }
        let names: Vec<(String, String)> = app
            .state::<Tray>()
            .state()
            .servers
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let notices: Vec<notices::Notice> = {
            let mut seen = self
                .notices
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            batch
                .states
                .iter()
                .filter_map(|change| {
                    let name = names
                        .iter()
                        .find(|(id, _)| *id == change.server)
                        .map_or(change.server.as_str(), |(_, name)| name.as_str());
                    seen.on_state(change, name)
                })
                .collect()
        };
        for notice in notices {
            notify(app, &notice);
        }
        tauri::async_runtime::spawn(tray::refresh(app.clone()));
    }

    fn on_connection(&self, app: &AppHandle<R>, connection: &DaemonConnection) {
        let changed = {
            let tray = app.state::<Tray>();
            let mut state = tray.state();
            let changed = state.connected != connection.connected;
            state.connected = connection.connected;
            changed
        };
        if changed {
            tauri::async_runtime::spawn(tray::refresh(app.clone()));
        }
    }
}

/// Shows a native notification; where the desktop has none, the notice is only logged.
fn notify<R: Runtime>(app: &AppHandle<R>, notice: &notices::Notice) {
    let shown = app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show();
    if let Err(error) = shown {
        tracing::info!(%error, title = %notice.title, "could not show a notification");
    }
}

/// Logs go to stderr; `RUST_LOG` says how much.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
