//! Where a Switchboard installation keeps things: the data folder (database, logs) and the
//! runtime folder (the daemon's socket and lock). Tests and `--data-dir` move both.

use std::path::{Path, PathBuf};

/// The folders of one Switchboard installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub runtime_dir: PathBuf,
}

/// A home for Switchboard could not be found.
#[derive(Debug, thiserror::Error)]
#[error("no data folder could be found for this user (is HOME set?); pass --data-dir")]
pub struct NoHome;

impl Paths {
    /// The folders for `data_dir` (the default data folder when `None`). The runtime folder
    /// is `SWITCHBOARD_RUNTIME_DIR` if set; otherwise the user's runtime folder
    /// (`$XDG_RUNTIME_DIR/switchboard`) for the default data folder, and `<data_dir>/run`
    /// for any other, so that each data folder has its own daemon.
    pub fn resolve(data_dir: Option<PathBuf>) -> Result<Self, NoHome> {
        let runtime_override = std::env::var_os("SWITCHBOARD_RUNTIME_DIR").map(PathBuf::from);
        match data_dir {
            Some(data_dir) => {
                let data_dir = absolute(&data_dir);
                let runtime_dir = runtime_override.unwrap_or_else(|| data_dir.join("run"));
                Ok(Self {
                    data_dir,
                    runtime_dir,
                })
            }
            None => {
                let data_dir = switchboard_store::default_data_dir().map_err(|_| NoHome)?;
                let runtime_dir = runtime_override
                    .or_else(|| {
                        directories::ProjectDirs::from("dev", "switchboard", "Switchboard")
                            .and_then(|dirs| dirs.runtime_dir().map(Path::to_owned))
                    })
                    .unwrap_or_else(|| data_dir.join("run"));
                Ok(Self {
                    data_dir,
                    runtime_dir,
                })
            }
        }
    }

    /// npm and PyPI servers installed ahead of their first session.
    pub fn packages_dir(&self) -> PathBuf {
        self.data_dir.join("packages")
    }

    /// MCP Bundles, unpacked, one folder per server.
    pub fn bundles_dir(&self) -> PathBuf {
        self.data_dir.join("bundles")
    }

    /// Caches the daemon can rebuild, such as the notes servers' search indexes.
    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    /// The daemon's log file when it runs detached.
    pub fn daemon_log(&self) -> PathBuf {
        self.data_dir.join("logs").join("daemon.log")
    }

    /// Where the daemon writes its JSON log files (rotated daily): the OS log folder for
    /// the default data folder (`~/.local/state/switchboard/logs` on Linux,
    /// `~/Library/Logs/Switchboard` on macOS, `%LOCALAPPDATA%\Switchboard\logs` on
    /// Windows), and `<data folder>/logs` for any other, so that each installation keeps
    /// its own.
    pub fn log_dir(&self) -> PathBuf {
        let is_default = switchboard_store::default_data_dir().is_ok_and(|d| d == self.data_dir);
        let os_dir = is_default.then(os_log_dir).flatten();
        os_dir.unwrap_or_else(|| self.data_dir.join("logs"))
    }

    /// The lock file that makes the daemon one per user.
    pub fn lock_file(&self) -> PathBuf {
        self.runtime_dir.join("daemon.lock")
    }
}

/// The OS's folder for this app's logs.
fn os_log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "switchboard", "Switchboard")?;
    if cfg!(target_os = "macos") {
        let home = directories::BaseDirs::new()?.home_dir().to_owned();
        return Some(home.join("Library").join("Logs").join("Switchboard"));
    }
    if let Some(state) = dirs.state_dir() {
        return Some(state.join("logs"));
    }
    Some(dirs.data_local_dir().join("logs"))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
