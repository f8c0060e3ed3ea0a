//! The `switchboard-app` executable: starts the desktop app (see the library for what it
//! does). Must not: hold any logic of its own.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    switchboard_app::run()
}
