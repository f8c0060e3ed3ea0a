//! The main window: made and shown on launch (not when started at login), and made again
//! from the tray and when a second copy of the app is started; closing it destroys it and
//! the tray stays, so that an app sitting in the tray costs no web page (WebKit's web
//! process goes with the window). Tauri does not make it at start (`"create": false` in
//! tauri.conf.json): [`show`] does.
//! Must not: quit the app; only the tray's "Quit" does.

use tauri::{Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

/// The main window's label, as in tauri.conf.json.
pub const MAIN: &str = "main";

/// Shows the main window (making it first if it is not there) and brings it to the front.
pub fn show<R: Runtime, M: Manager<R>>(manager: &M) {
    let window = match manager.get_webview_window(MAIN) {
        Some(window) => window,
        None => match make(manager) {
            Ok(window) => window,
            Err(error) => {
                tracing::warn!(%error, "could not make the main window");
                return;
            }
        },
    };
    let shown = window
        .show()
        .and_then(|()| window.unminimize())
        .and_then(|()| window.set_focus());
    if let Err(error) = shown {
        tracing::warn!(%error, "could not show the main window");
    }
}

/// Makes the main window as tauri.conf.json describes it (hidden until shown).
fn make<R: Runtime, M: Manager<R>>(manager: &M) -> tauri::Result<WebviewWindow<R>> {
    let config = manager
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(manager.app_handle(), &config)?.build()
}
