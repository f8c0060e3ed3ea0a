//! Where runtimes are installed: the folders to search, best first, each tagged with the
//! [`Source`] that put it there (the login shell's PATH, this process's PATH, Volta, fnm,
//! nvm, mise, asdf, pyenv, uv's installer, cargo, Homebrew, the usual system folders),
//! and finding an executable in them.
//!
//! Owns: the search order and the per-manager layouts. Reads folders (to pick a version
//! manager's newest install) but runs nothing. Must not: decide between two finds by
//! anything but this order (the companion rule lives in discovery).

use std::{
    collections::HashSet,
    fmt,
    path::{Path, PathBuf},
};

use crate::{Environment, Os, Version};

/// Where a runtime was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// The PATH the user's login shell sets up.
    LoginShell,
    /// This process's own PATH.
    ProcessPath,
    Volta,
    Fnm,
    Nvm,
    Mise,
    Asdf,
    Pyenv,
    /// uv's standalone installer (`~/.local/bin`).
    UvInstaller,
    /// `~/.cargo/bin`.
    Cargo,
    Homebrew,
    /// The usual install folders (`/usr/local/bin`, `/usr/bin`, `C:\Program Files\nodejs`).
    System,
}

impl Source {
    /// How a report says it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::LoginShell => "your login shell's PATH",
            Self::ProcessPath => "Switchboard's PATH",
            Self::Volta => "Volta",
            Self::Fnm => "fnm",
            Self::Nvm => "nvm",
            Self::Mise => "mise",
            Self::Asdf => "asdf",
            Self::Pyenv => "pyenv",
            Self::UvInstaller => "uv's installer folder",
            Self::Cargo => "cargo's bin folder",
            Self::Homebrew => "Homebrew",
            Self::System => "a standard install folder",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.describe())
    }
}

/// One folder to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub dir: PathBuf,
    pub source: Source,
}

/// Every folder to search, best first, without repeats.
///
/// Order: the login shell's PATH (what the person's terminal runs), this process's PATH,
/// then version managers (Volta, fnm, nvm, mise, asdf, pyenv), uv's and cargo's install
/// folders, Homebrew, and the usual system folders last.
pub fn candidate_dirs(env: &Environment, login_path: &[PathBuf]) -> Vec<Candidate> {
    let mut all: Vec<Candidate> = Vec::new();
    let mut add = |source: Source, dirs: Vec<PathBuf>| {
        all.extend(dirs.into_iter().map(|dir| Candidate { dir, source }));
    };
    add(Source::LoginShell, login_path.to_vec());
    add(
        Source::ProcessPath,
        env.path
            .as_ref()
            .map(|path| env.split_path(path))
            .unwrap_or_default(),
    );
    add(Source::Volta, volta(env));
    add(Source::Fnm, fnm(env));
    add(Source::Nvm, nvm(env));
    add(
        Source::Mise,
        tool_manager(env, &mise_root(env), &["node", "python", "uv"]),
    );
    add(
        Source::Asdf,
        tool_manager(
            env,
            &env.dir_or_home("ASDF_DATA_DIR", &[".asdf"]),
            &["nodejs", "python", "uv"],
        ),
    );
    add(Source::Pyenv, pyenv(env));
    add(Source::UvInstaller, uv_installer(env));
    add(
        Source::Cargo,
        vec![env.dir_or_home("CARGO_HOME", &[".cargo"]).join("bin")],
    );
    add(
        Source::Homebrew,
        env.homebrew_roots
            .iter()
            .map(|root| root.join("bin"))
            .collect(),
    );
    add(Source::System, system(env));

    let mut seen = HashSet::new();
    all.retain(|candidate| candidate.dir.is_absolute() && seen.insert(candidate.dir.clone()));
    all
}

fn volta(env: &Environment) -> Vec<PathBuf> {
    match env.os {
        Os::Windows => {
            let local = env.dir_or_home("LOCALAPPDATA", &["AppData", "Local"]);
            vec![local.join("Volta").join("bin")]
        }
        Os::Linux | Os::MacOs => vec![env.dir_or_home("VOLTA_HOME", &[".volta"]).join("bin")],
    }
}

fn fnm(env: &Environment) -> Vec<PathBuf> {
    let roots = match env.var("FNM_DIR") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![env.data_dir().join("fnm"), env.home.join(".fnm")],
    };
    let bin = |installation: PathBuf| match env.os {
        Os::Windows => installation,
        Os::Linux | Os::MacOs => installation.join("bin"),
    };
    let mut dirs = Vec::new();
    for root in roots {
        dirs.push(bin(root.join("aliases").join("default")));
        if let Some(newest) = newest_subdir(&root.join("node-versions")) {
            dirs.push(bin(newest.join("installation")));
        }
    }
    dirs
}

fn nvm(env: &Environment) -> Vec<PathBuf> {
    match env.os {
        // nvm-windows: versions under %APPDATA%\nvm, the active one linked at NVM_SYMLINK.
        Os::Windows => {
            let mut dirs: Vec<PathBuf> = env
                .var("NVM_SYMLINK")
                .map(PathBuf::from)
                .into_iter()
                .collect();
            let home = env
                .var("NVM_HOME")
                .map_or_else(|| env.data_dir().join("nvm"), PathBuf::from);
            dirs.extend(newest_subdir(&home));
            dirs
        }
        Os::Linux | Os::MacOs => {
            let root = env.dir_or_home("NVM_DIR", &[".nvm"]);
            newest_subdir(&root.join("versions").join("node"))
                .map(|newest| newest.join("bin"))
                .into_iter()
                .collect()
        }
    }
}

fn mise_root(env: &Environment) -> PathBuf {
    match env.var("MISE_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match env.os {
            Os::Windows => env
                .dir_or_home("LOCALAPPDATA", &["AppData", "Local"])
                .join("mise"),
            // mise keeps the XDG layout on macOS too.
            Os::MacOs => env.home.join(".local").join("share").join("mise"),
            Os::Linux => env.data_dir().join("mise"),
        },
    }
}

/// mise and asdf: their shims folder, then the newest install of each tool.
fn tool_manager(env: &Environment, root: &Path, tools: &[&str]) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("shims")];
    for tool in tools {
        if let Some(newest) = newest_subdir(&root.join("installs").join(tool)) {
            dirs.push(newest.join("bin"));
            if env.os == Os::Windows || *tool == "uv" {
                dirs.push(newest);
            }
        }
    }
    dirs
}

fn pyenv(env: &Environment) -> Vec<PathBuf> {
    let root = env.dir_or_home("PYENV_ROOT", &[".pyenv"]);
    match env.os {
        Os::Windows => vec![root.join("pyenv-win").join("shims")],
        Os::Linux | Os::MacOs => vec![root.join("shims")],
    }
}

fn uv_installer(env: &Environment) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["UV_INSTALL_DIR", "XDG_BIN_HOME"]
        .iter()
        .filter_map(|name| env.var(name).map(PathBuf::from))
        .collect();
    dirs.push(env.home.join(".local").join("bin"));
    dirs
}

fn system(env: &Environment) -> Vec<PathBuf> {
    let mut dirs = env.system_dirs.clone();
    if env.os == Os::Windows {
        // The python.org installer: %LOCALAPPDATA%\Programs\Python\Python312.
        let pythons = env
            .dir_or_home("LOCALAPPDATA", &["AppData", "Local"])
            .join("Programs")
            .join("Python");
        dirs.extend(newest_subdir(&pythons));
    }
    dirs
}

/// The subfolder whose name holds the highest version (`v22.1.0` over `v9.11.2`).
pub(crate) fn newest_subdir(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            Version::find_in(&name).map(|version| (version, name, entry.path()))
        })
        .max_by(|(a, a_name, _), (b, b_name, _)| a.cmp(b).then_with(|| a_name.cmp(b_name)))
        .map(|(_, _, path)| path)
}

/// The executable called `name` in `dir`, if there is one. Windows looks for `.exe`,
/// then `.cmd`, then `.bat`; elsewhere the file must be executable.
pub(crate) fn executable_in(dir: &Path, name: &str, os: Os) -> Option<PathBuf> {
    match os {
        Os::Windows => [".exe", ".cmd", ".bat"]
            .iter()
            .map(|extension| dir.join(format!("{name}{extension}")))
            .find(|path| path.is_file()),
        Os::Linux | Os::MacOs => {
            let path = dir.join(name);
            is_executable_file(&path).then_some(path)
        }
    }
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn search_order_puts_the_login_shell_first_and_system_last() {
        let env = Environment::new("/home/u", Some("/usr/bin:/custom".into()), Os::Linux)
            .with_homebrew_root("/opt/homebrew")
            .with_system_dir("/usr/bin");
        let dirs = candidate_dirs(
            &env,
            &[PathBuf::from("/login/bin"), PathBuf::from("/usr/bin")],
        );
        let first: Vec<(&Path, Source)> = dirs
            .iter()
            .take(3)
            .map(|c| (c.dir.as_path(), c.source))
            .collect();
        assert_eq!(
            first,
            [
                (Path::new("/login/bin"), Source::LoginShell),
                (Path::new("/usr/bin"), Source::LoginShell),
                (Path::new("/custom"), Source::ProcessPath),
            ],
            "repeats keep their first, best source"
        );
        let sources: Vec<Source> = dirs.iter().map(|c| c.source).collect();
        let position = |source| sources.iter().position(|s| *s == source).unwrap();
        let order = [
            Source::ProcessPath,
            Source::Volta,
            Source::Fnm,
            Source::Mise,
            Source::Asdf,
            Source::Pyenv,
            Source::UvInstaller,
            Source::Cargo,
            Source::Homebrew,
        ];
        for pair in order.windows(2) {
            assert!(
                position(pair[0]) < position(pair[1]),
                "{:?} before {:?}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(
            dirs.iter()
                .filter(|c| c.dir == Path::new("/usr/bin"))
                .count(),
            1,
            "each folder once"
        );
        assert!(dirs.iter().any(|c| c.dir == Path::new("/opt/homebrew/bin")));
    }

    #[test]
    fn relative_path_entries_are_ignored() {
        let env = Environment::new("/home/u", Some(".:bin:/ok".into()), Os::Linux);
        let dirs = candidate_dirs(&env, &[]);
        assert!(dirs.iter().all(|c| c.dir.is_absolute()));
        assert!(dirs.iter().any(|c| c.dir == Path::new("/ok")));
    }
}
