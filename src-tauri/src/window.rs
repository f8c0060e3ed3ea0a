//! The main window: shown on launch (unless started at login), from the tray and when a
//! second copy of the app is started; closing it hides it and the tray stays.
//! Must not: quit the app; only the tray's "Quit" does.

use tauri::{Manager, Runtime, Window, WindowEvent};

/// The main window's label, as in tauri.conf.json.
pub const MAIN: &str = "main";

/// Shows the main window and brings it to the front.
pub fn show<R: Runtime, M: Manager<R>>(manager: &M) {
    let Some(window) = manager.get_webview_window(MAIN) else {
        tracing::warn!("the main window is missing");
        return;
    };
    let shown = window
        .show()
        .and_then(|()| window.unminimize())
        .and_then(|()| window.set_focus());
    if let Err(error) = shown {
        tracing::warn!(%error, "could not show the main window");
    }
}

/// Closing the main window hides it: Switchboard keeps running in the tray.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.label() == MAIN
    {
        api.prevent_close();
        if let Err(error) = window.hide() {
            tracing::warn!(%error, "could not hide the main window");
        }
    }
}
