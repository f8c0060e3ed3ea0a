//! [`Environment`]: everything discovery reads from the outside world (HOME, PATH, the OS,
//! the login shell, the variables version managers honour, the install roots), gathered in
//! one value so that tests can point discovery at a temporary HOME full of fake installs.
//!
//! Owns: reading the process environment once ([`Environment::current`]) and the default
//! install roots per OS. Must not: look at the filesystem or run anything.

use std::{
    collections::BTreeMap,
    ffi::{OsStr, OsString},
    path::{Path, PathBuf},
    time::Duration,
};

/// The operating system discovery reasons about (not necessarily the one it runs on:
/// tests check Windows rules on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The OS this program was built for (BSDs count as Linux: same layout, same shells).
    pub fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else if cfg!(target_vendor = "apple") {
            Self::MacOs
        } else {
            Self::Linux
        }
    }

    /// The PATH separator.
    pub fn path_separator(self) -> char {
        match self {
            Self::Windows => ';',
            Self::Linux | Self::MacOs => ':',
        }
    }
}

/// How long the login shell may take to print its PATH, by default.
pub const DEFAULT_LOGIN_SHELL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a `--version` may take, by default (docker can be slow on a cold start).
pub const DEFAULT_VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// The variables version managers and installers honour; [`Environment::current`] copies
/// these (and no others) from the process environment.
pub const KNOWN_VARIABLES: &[&str] = &[
    "NVM_DIR",
    "NVM_HOME",
    "NVM_SYMLINK",
    "FNM_DIR",
    "VOLTA_HOME",
    "MISE_DATA_DIR",
    "ASDF_DATA_DIR",
    "PYENV_ROOT",
    "CARGO_HOME",
    "XDG_DATA_HOME",
    "XDG_BIN_HOME",
    "UV_INSTALL_DIR",
    "LOCALAPPDATA",
    "APPDATA",
    "ProgramFiles",
    "USERPROFILE",
    "ComSpec",
];

/// What discovery looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub os: Os,
    /// The user's home folder.
    pub home: PathBuf,
    /// The process's own PATH (a GUI app's is often minimal).
    pub path: Option<OsString>,
    /// The login shell to ask for its PATH (`$SHELL`); `None` skips that source.
    pub shell: Option<PathBuf>,
    /// Variables from [`KNOWN_VARIABLES`] (`NVM_DIR`, `VOLTA_HOME`, …).
    pub vars: BTreeMap<String, OsString>,
    /// Homebrew prefixes whose `bin` is searched (`/opt/homebrew`, `/usr/local`, …).
    pub homebrew_roots: Vec<PathBuf>,
    /// The usual install folders, searched last (`/usr/local/bin`, `/usr/bin`, …).
    pub system_dirs: Vec<PathBuf>,
    pub login_shell_timeout: Duration,
    pub version_timeout: Duration,
    /// Whether to run `--version` on what is found (off only for tests of another OS).
    pub probe_versions: bool,
}

impl Environment {
    /// A bare environment: this HOME, this PATH, this OS, and nothing else (no login
    /// shell, no Homebrew, no system folders). Tests start here and add what they need.
    pub fn new(home: impl Into<PathBuf>, path: Option<OsString>, os: Os) -> Self {
        Self {
            os,
            home: home.into(),
            path,
            shell: None,
            vars: BTreeMap::new(),
            homebrew_roots: Vec::new(),
            system_dirs: Vec::new(),
            login_shell_timeout: DEFAULT_LOGIN_SHELL_TIMEOUT,
            version_timeout: DEFAULT_VERSION_TIMEOUT,
            probe_versions: true,
        }
    }

    /// The environment of this process, with the default install roots for its OS.
    /// `None` when no home folder can be found.
    pub fn current() -> Option<Self> {
        let os = Os::current();
        let home = home_dir(os)?;
        let mut env = Self::new(home, std::env::var_os("PATH"), os);
        if os != Os::Windows {
            env.shell = std::env::var_os("SHELL")
                .filter(|shell| !shell.is_empty())
                .map(PathBuf::from)
                .or_else(account_shell);
        }
        for name in KNOWN_VARIABLES {
            if let Some(value) = std::env::var_os(name).filter(|value| !value.is_empty()) {
                env.vars.insert((*name).to_owned(), value);
            }
        }
        env.homebrew_roots = default_homebrew_roots(os, &env.home);
        env.system_dirs = default_system_dirs(os, &env);
        Some(env)
    }

    #[must_use]
    pub fn with_shell(mut self, shell: impl Into<PathBuf>) -> Self {
        self.shell = Some(shell.into());
        self
    }

    #[must_use]
    pub fn with_var(mut self, name: &str, value: impl Into<OsString>) -> Self {
        self.vars.insert(name.to_owned(), value.into());
        self
    }

    #[must_use]
    pub fn with_homebrew_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.homebrew_roots.push(root.into());
        self
    }

    #[must_use]
    pub fn with_system_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.system_dirs.push(dir.into());
        self
    }

    #[must_use]
    pub fn with_timeouts(mut self, login_shell: Duration, version: Duration) -> Self {
        self.login_shell_timeout = login_shell;
        self.version_timeout = version;
        self
    }

    #[must_use]
    pub fn without_version_probes(mut self) -> Self {
        self.probe_versions = false;
        self
    }

    /// A variable from [`Environment::vars`], when set and not empty.
    pub fn var(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .get(name)
            .map(OsString::as_os_str)
            .filter(|value| !value.is_empty())
    }

    /// A variable as a folder, or `default` under HOME.
    pub(crate) fn dir_or_home(&self, name: &str, default: &[&str]) -> PathBuf {
        self.var(name).map_or_else(
            || {
                default
                    .iter()
                    .fold(self.home.clone(), |dir, part| dir.join(part))
            },
            PathBuf::from,
        )
    }

    /// The user's data folder: `$XDG_DATA_HOME`, `~/.local/share` (Linux), `~/Library/
    /// Application Support` (macOS), `%APPDATA%` (Windows).
    pub(crate) fn data_dir(&self) -> PathBuf {
        match self.os {
            Os::Linux => self.dir_or_home("XDG_DATA_HOME", &[".local", "share"]),
            Os::MacOs => self.home.join("Library").join("Application Support"),
            Os::Windows => self.dir_or_home("APPDATA", &["AppData", "Roaming"]),
        }
    }

    /// The entries of a PATH-like value, split the way this OS splits them.
    pub fn split_path(&self, value: &OsStr) -> Vec<PathBuf> {
        value
            .to_string_lossy()
            .split(self.os.path_separator())
            .filter(|entry| !entry.is_empty())
            .map(PathBuf::from)
            .collect()
    }

    /// `dirs` joined as a PATH value for this OS.
    pub fn join_path<'a>(&self, dirs: impl IntoIterator<Item = &'a Path>) -> OsString {
        let mut joined = OsString::new();
        for (index, dir) in dirs.into_iter().enumerate() {
            if index > 0 {
                joined.push(self.os.path_separator().to_string());
            }
            joined.push(dir.as_os_str());
        }
        joined
    }
}

/// The login shell of this user's account, for apps started without `$SHELL`.
#[cfg(unix)]
fn account_shell() -> Option<PathBuf> {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid()).ok()??;
    (!user.shell.as_os_str().is_empty()).then_some(user.shell)
}

#[cfg(not(unix))]
fn account_shell() -> Option<PathBuf> {
    None
}

fn home_dir(os: Os) -> Option<PathBuf> {
    let var = match os {
        Os::Windows => "USERPROFILE",
        Os::Linux | Os::MacOs => "HOME",
    };
    std::env::var_os(var)
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
}

/// Where Homebrew lives on each OS.
pub fn default_homebrew_roots(os: Os, home: &Path) -> Vec<PathBuf> {
    match os {
        Os::MacOs => vec!["/opt/homebrew".into(), "/usr/local".into()],
        Os::Linux => vec!["/home/linuxbrew/.linuxbrew".into(), home.join(".linuxbrew")],
        Os::Windows => Vec::new(),
    }
}

/// The usual install folders, searched after everything else.
pub fn default_system_dirs(os: Os, env: &Environment) -> Vec<PathBuf> {
    match os {
        Os::Linux => [
            "/usr/local/bin",
            "/usr/bin",
            "/bin",
            "/snap/bin",
            "/var/lib/flatpak/exports/bin",
        ]
        .iter()
        .map(PathBuf::from)
        .collect(),
        Os::MacOs => [
            "/usr/local/bin",
            "/usr/bin",
            "/bin",
            "/opt/local/bin",
            "/Applications/Docker.app/Contents/Resources/bin",
        ]
        .iter()
        .map(PathBuf::from)
        .chain([
            env.home.join(".docker").join("bin"),
            env.home.join(".orbstack").join("bin"),
            env.home.join(".rd").join("bin"),
        ])
        .collect(),
        Os::Windows => {
            let program_files = env
                .var("ProgramFiles")
                .map_or_else(|| PathBuf::from(r"C:\Program Files"), PathBuf::from);
            vec![
                program_files.join("nodejs"),
                env.data_dir().join("npm"),
                program_files
                    .join("Docker")
                    .join("Docker")
                    .join("resources")
                    .join("bin"),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_split_and_join_per_os() {
        let unix = Environment::new("/home/u", None, Os::Linux);
        assert_eq!(
            unix.split_path(OsStr::new("/a::/b")),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let windows = Environment::new(r"C:\Users\u", None, Os::Windows);
        assert_eq!(
            windows.split_path(OsStr::new(r"C:\a;C:\b c")),
            [PathBuf::from(r"C:\a"), PathBuf::from(r"C:\b c")]
        );
        assert_eq!(
            windows.join_path([Path::new(r"C:\a"), Path::new(r"C:\b")]),
            OsString::from(r"C:\a;C:\b")
        );
    }

    #[test]
    fn variables_override_home_defaults() {
        let env = Environment::new("/home/u", None, Os::Linux);
        assert_eq!(env.data_dir(), PathBuf::from("/home/u/.local/share"));
        let env = env.with_var("XDG_DATA_HOME", "/data");
        assert_eq!(env.data_dir(), PathBuf::from("/data"));
        assert_eq!(
            env.dir_or_home("NVM_DIR", &[".nvm"]),
            PathBuf::from("/home/u/.nvm")
        );
    }

    #[test]
    fn a_bare_environment_searches_nothing_outside_home() {
        let env = Environment::new("/tmp/h", None, Os::MacOs);
        assert!(env.homebrew_roots.is_empty() && env.system_dirs.is_empty() && env.shell.is_none());
    }
}
