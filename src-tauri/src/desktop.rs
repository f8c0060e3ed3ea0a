//! What the app asks of the desktop itself: the system's folder and file pickers (the OS
//! dialogs, through tauri-plugin-dialog) and the login items (tauri-plugin-autostart).
//! Behind a trait so that commands stay plain functions and tests can stand in for the OS at
//! this boundary, and nowhere else. In development builds only, `SWITCHBOARD_E2E_PICKED_FOLDER` and
//! `SWITCHBOARD_E2E_PICKED_BUNDLE` stand in for the person choosing in the dialog, for the
//! end-to-end test.
//! Must not: grant anything or start anything; it only answers.

use std::{future::Future, path::PathBuf, pin::Pin};

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_dialog::DialogExt as _;

use crate::error::{UiError, UiErrorCode};

/// A folder chosen by the person, or `None` when they cancelled.
pub type Picked<'a> = Pin<Box<dyn Future<Output = Result<Option<PathBuf>, UiError>> + Send + 'a>>;

/// Which files a file picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// An MCP Bundle (`.mcpb`) to install.
    Bundle,
    /// Any file a server asks for.
    Any,
}

/// The desktop's services the window uses.
pub trait Desktop: Send + Sync + 'static {
    /// Shows the system's folder picker.
    fn pick_folder(&self) -> Picked<'_>;
    /// Shows the system's file picker for `kind`.
    fn pick_file(&self, kind: FileKind) -> Picked<'_>;
    /// Whether Switchboard starts (in the tray) when the user logs in.
    fn launch_at_login(&self) -> Result<bool, UiError>;
    /// Makes Switchboard start at login, or not; answers the new state.
    fn set_launch_at_login(&self, enabled: bool) -> Result<bool, UiError>;
}

/// The state commands take.
pub type DesktopHandle = Box<dyn Desktop>;

/// The real desktop, through Tauri's plugins.
#[derive(Debug)]
pub struct NativeDesktop<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> NativeDesktop<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Desktop for NativeDesktop<R> {
    fn pick_folder(&self) -> Picked<'_> {
        Box::pin(async move {
            #[cfg(debug_assertions)]
            if let Some(chosen) = std::env::var_os("SWITCHBOARD_E2E_PICKED_FOLDER") {
                return Ok(Some(PathBuf::from(chosen)));
            }
            let (chosen, answer) = tokio::sync::oneshot::channel();
            self.app
                .dialog()
                .file()
                .set_title("Choose a folder to share with your AI apps")
                .pick_folder(move |folder| {
                    let _ = chosen.send(folder);
                });
            let folder = answer.await.map_err(|_| {
                UiError::new(
                    UiErrorCode::FolderPicker,
                    "The folder picker closed unexpectedly; try again.",
                )
            })?;
            folder
                .map(|folder| {
                    folder.into_path().map_err(|e| {
                        UiError::new(
                            UiErrorCode::FolderPicker,
                            format!(
                                "That folder cannot be shared ({e}); choose a folder on this \
                                 computer."
                            ),
                        )
                    })
                })
                .transpose()
        })
    }

    fn pick_file(&self, kind: FileKind) -> Picked<'_> {
        Box::pin(async move {
            #[cfg(debug_assertions)]
            if let (FileKind::Bundle, Some(chosen)) =
                (kind, std::env::var_os("SWITCHBOARD_E2E_PICKED_BUNDLE"))
            {
                return Ok(Some(PathBuf::from(chosen)));
            }
            let (chosen, answer) = tokio::sync::oneshot::channel();
            let dialog = self.app.dialog().file();
            let dialog = match kind {
                FileKind::Bundle => dialog
                    .set_title("Choose an MCP Bundle to install")
                    .add_filter("MCP Bundle", &["mcpb"]),
                FileKind::Any => dialog.set_title("Choose a file"),
            };
            dialog.pick_file(move |file| {
                let _ = chosen.send(file);
            });
            let file = answer.await.map_err(|_| {
                UiError::new(
                    UiErrorCode::FolderPicker,
                    "The file picker closed unexpectedly; try again.",
                )
            })?;
            file.map(|file| {
                file.into_path().map_err(|e| {
                    UiError::new(
                        UiErrorCode::FolderPicker,
                        format!("That file cannot be used ({e}); choose a file on this computer."),
                    )
                })
            })
            .transpose()
        })
    }

    fn launch_at_login(&self) -> Result<bool, UiError> {
        self.app.autolaunch().is_enabled().map_err(login_error)
    }

    fn set_launch_at_login(&self, enabled: bool) -> Result<bool, UiError> {
        let autolaunch = self.app.autolaunch();
        let changed = if enabled {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(login_error)?;
        crate::tray::redraw(&self.app);
        autolaunch.is_enabled().map_err(login_error)
    }
}

fn login_error(error: impl std::fmt::Display) -> UiError {
    UiError::new(
        UiErrorCode::LaunchAtLogin,
        format!(
            "The system would not change Switchboard's start at login ({error}). Check that \
             your login items folder can be written to, then try again."
        ),
    )
}
