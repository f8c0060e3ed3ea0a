//! The user's environment as far as client config paths care: which OS layout to follow
//! and the folders (HOME, APPDATA, LOCALAPPDATA, XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR,
//! CODEX_HOME, a VS Code user folder override) that client paths are built from.
//!
//! Owns: turning a [`Base`] into an absolute folder. Must not: touch the file system, or
//! read process variables anywhere but [`Environment::from_process`], so that tests can
//! build a temp HOME that simulates macOS or Windows on Linux.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::ClientsError;

/// Which operating system's folder layout to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    MacOs,
    Windows,
    Linux,
}

impl Os {
    /// The OS this process runs on (other Unixes follow the Linux layout).
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(windows) {
            Self::Windows
        } else {
            Self::Linux
        }
    }

    /// The name people use for it.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::MacOs => "macOS",
            Self::Windows => "Windows",
            Self::Linux => "Linux",
        }
    }
}

/// A folder that client paths start from. Resolved by [`Environment::base`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// The user's home folder (`%USERPROFILE%` on Windows).
    Home,
    /// Windows `%APPDATA%` (default `<home>\AppData\Roaming`).
    AppData,
    /// Windows `%LOCALAPPDATA%` (default `<home>\AppData\Local`).
    LocalAppData,
    /// `$XDG_CONFIG_HOME` (default `<home>/.config`).
    XdgConfig,
    /// macOS `~/Library/Application Support`.
    MacAppSupport,
    /// VS Code's user folder: the override if set, else per OS
    /// (`~/Library/Application Support/Code/User`, `%APPDATA%\Code\User`,
    /// `$XDG_CONFIG_HOME/Code/User`).
    VsCodeUser,
    /// `$CLAUDE_CONFIG_DIR` if set, else the home folder: where Claude Code keeps
    /// `.claude.json`.
    ClaudeConfigDir,
    /// `$CLAUDE_CONFIG_DIR` if set, else `<home>/.claude`: Claude Code's own folder.
    ClaudeHome,
    /// `$CODEX_HOME` if set, else `<home>/.codex`.
    CodexHome,
    /// The project folder a project- or local-scope target names.
    Project,
}

/// The folders client paths are resolved against. Build one from the running process
/// with [`Environment::from_process`], or for a temp HOME with [`Environment::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    os: Os,
    home: PathBuf,
    app_data: Option<PathBuf>,
    local_app_data: Option<PathBuf>,
    xdg_config_home: Option<PathBuf>,
    claude_config_dir: Option<PathBuf>,
    codex_home: Option<PathBuf>,
    vscode_user_dir: Option<PathBuf>,
}

impl Environment {
    /// An environment with only a home folder; every other folder takes its default
    /// below `home` for `os`.
    pub fn new(os: Os, home: impl Into<PathBuf>) -> Self {
        Self {
            os,
            home: home.into(),
            app_data: None,
            local_app_data: None,
            xdg_config_home: None,
            claude_config_dir: None,
            codex_home: None,
            vscode_user_dir: None,
        }
    }

    /// The running process's OS and variables. Relative values are ignored, as the XDG
    /// specification asks.
    pub fn from_process() -> Result<Self, ClientsError> {
        let var = |name: &str| absolute(std::env::var_os(name));
        let os = Os::current();
        let home = match os {
            Os::Windows => var("USERPROFILE").or_else(|| var("HOME")),
            _ => var("HOME"),
        }
        .ok_or(ClientsError::NoHome)?;
        Ok(Self {
            os,
            home,
            app_data: var("APPDATA"),
            local_app_data: var("LOCALAPPDATA"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
            codex_home: var("CODEX_HOME"),
            // A portable VS Code keeps its user folder in its data folder.
            vscode_user_dir: var("VSCODE_PORTABLE").map(|data| data.join("user-data").join("User")),
        })
    }

    /// Sets `%APPDATA%`.
    pub fn with_app_data(mut self, path: impl Into<PathBuf>) -> Self {
        self.app_data = Some(path.into());
        self
    }

    /// Sets `%LOCALAPPDATA%`.
    pub fn with_local_app_data(mut self, path: impl Into<PathBuf>) -> Self {
        self.local_app_data = Some(path.into());
        self
    }

    /// Sets `$XDG_CONFIG_HOME`.
    pub fn with_xdg_config_home(mut self, path: impl Into<PathBuf>) -> Self {
        self.xdg_config_home = Some(path.into());
        self
    }

    /// Sets `$CLAUDE_CONFIG_DIR` (Claude Code then keeps `.claude.json` there).
    pub fn with_claude_config_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.claude_config_dir = Some(path.into());
        self
    }

    /// Sets `$CODEX_HOME`.
    pub fn with_codex_home(mut self, path: impl Into<PathBuf>) -> Self {
        self.codex_home = Some(path.into());
        self
    }

    /// Overrides VS Code's user folder (a portable install, Insiders, VSCodium).
    pub fn with_vscode_user_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.vscode_user_dir = Some(path.into());
        self
    }

    /// The OS layout followed.
    pub fn os(&self) -> Os {
        self.os
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The folder `base` stands for. `project` is used for [`Base::Project`]; without
    /// one, `None`.
    pub fn base(&self, base: Base, project: Option<&Path>) -> Option<PathBuf> {
        let home = &self.home;
        Some(match base {
            Base::Home => home.clone(),
            Base::AppData => self
                .app_data
                .clone()
                .unwrap_or_else(|| home.join("AppData").join("Roaming")),
            Base::LocalAppData => self
                .local_app_data
                .clone()
                .unwrap_or_else(|| home.join("AppData").join("Local")),
            Base::XdgConfig => self
                .xdg_config_home
                .clone()
                .unwrap_or_else(|| home.join(".config")),
            Base::MacAppSupport => home.join("Library").join("Application Support"),
            Base::VsCodeUser => match &self.vscode_user_dir {
                Some(dir) => dir.clone(),
                None => {
                    let parent = match self.os {
                        Os::MacOs => self.base(Base::MacAppSupport, None)?,
                        Os::Windows => self.base(Base::AppData, None)?,
                        Os::Linux => self.base(Base::XdgConfig, None)?,
                    };
                    parent.join("Code").join("User")
                }
            },
            Base::ClaudeConfigDir => self
                .claude_config_dir
                .clone()
                .unwrap_or_else(|| home.clone()),
            Base::ClaudeHome => self
                .claude_config_dir
                .clone()
                .unwrap_or_else(|| home.join(".claude")),
            Base::CodexHome => self
                .codex_home
                .clone()
                .unwrap_or_else(|| home.join(".codex")),
            Base::Project => project?.to_path_buf(),
        })
    }
}

fn absolute(value: Option<OsString>) -> Option<PathBuf> {
    let path = PathBuf::from(value?);
    (path.is_absolute() || looks_like_windows_absolute(&path)).then_some(path)
}

/// `C:\…` counts as absolute when reading Windows variables even off Windows.
fn looks_like_windows_absolute(path: &Path) -> bool {
    let text = path.to_string_lossy();
    let bytes = text.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes[2] == b'\\' || bytes[2] == b'/')
}
