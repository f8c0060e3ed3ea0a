//! Which SQLite files a call may open: the [`DatabaseFiles`] trait the host implements, and
//! [`GrantedFolders`], a plain implementation for tests and standalone use.
//!
//! The host (Switchboard's daemon) plugs in its hardened path sandbox; this module must stay
//! small and must not open databases. Every open asks [`DatabaseFiles::locate`] again, so a
//! grant taken back or narrowed applies to the next call.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

/// What a grant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Reading only: `query`, `list_tables`, `describe_table`.
    ReadOnly,
    /// Reading and `execute`.
    ReadWrite,
}

impl Access {
    /// Whether this access allows writing.
    pub fn allows_write(self) -> bool {
        self == Self::ReadWrite
    }

    fn label(self) -> &'static str {
        match self {
            Self::ReadOnly => "read-only",
            Self::ReadWrite => "read-write",
        }
    }
}

/// The files the server may open, as the host decides. Implemented by the host (the daemon
/// backs it with its file sandbox); [`GrantedFolders`] is a plain implementation.
pub trait DatabaseFiles: Send + Sync + 'static {
    /// The granted folders, for listing databases and for messages.
    fn folders(&self) -> Vec<(PathBuf, Access)>;

    /// Checks a path a model gave (absolute, or relative to a granted folder) and returns the
    /// real path to open, or a refusal a model can act on (naming the granted folders). `write`
    /// asks for read-write access.
    fn locate(&self, requested: &str, write: bool) -> Result<PathBuf, LocateError>;
}

/// Why a path may not be opened: a message for the model, such as "/etc/x.db is outside the
/// granted folders; the granted folders are: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LocateError {
    message: String,
}

impl LocateError {
    /// A refusal with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<String> for LocateError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

/// The access the most specific granted folder containing `path` gives, if any. Both `path`
/// and the folders must be canonical (absolute, no `..`, no symlinks): the check compares
/// whole path components, so `/data/a` does not contain `/data/ab`.
pub fn access_for(path: &Path, folders: &[(PathBuf, Access)]) -> Option<Access> {
    folders
        .iter()
        .filter(|(folder, _)| path.starts_with(folder))
        .max_by_key(|(folder, _)| folder.components().count())
        .map(|(_, access)| *access)
}

/// Granted folders checked by canonicalizing and comparing prefixes. Good for tests and for
/// standalone use; the daemon plugs in its hardened sandbox instead.
#[derive(Clone, Default)]
pub struct GrantedFolders {
    folders: Vec<(PathBuf, Access)>,
}

impl GrantedFolders {
    /// Folders that do not exist are left out.
    pub fn new(folders: impl IntoIterator<Item = (PathBuf, Access)>) -> Self {
        let folders = folders
            .into_iter()
            .filter_map(|(folder, access)| {
                std::fs::canonicalize(&folder)
                    .ok()
                    .filter(|path| path.is_dir())
                    .map(|path| (path, access))
            })
            .collect();
        Self { folders }
    }

    fn listing(&self) -> String {
        if self.folders.is_empty() {
            return "none (the user has not granted any folder)".to_owned();
        }
        self.folders
            .iter()
            .map(|(folder, access)| format!("{} ({})", folder.display(), access.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Debug for GrantedFolders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.folders).finish()
    }
}

impl DatabaseFiles for GrantedFolders {
    fn folders(&self) -> Vec<(PathBuf, Access)> {
        self.folders.clone()
    }

    fn locate(&self, requested: &str, write: bool) -> Result<PathBuf, LocateError> {
        if requested.trim().is_empty() || requested.contains('\0') {
            return Err(LocateError::new(format!(
                "give the path of a SQLite file in a granted folder; the granted folders are: {}",
                self.listing()
            )));
        }
        let requested_path = Path::new(requested);
        let candidates: Vec<PathBuf> = if requested_path.is_absolute() {
            vec![requested_path.to_path_buf()]
        } else {
            self.folders
                .iter()
                .map(|(folder, _)| folder.join(requested_path))
                .collect()
        };
        let mut outside = None;
        for candidate in candidates {
            let Ok(real) = std::fs::canonicalize(&candidate) else {
                continue;
            };
            match access_for(&real, &self.folders) {
                None => outside = Some(real),
                Some(_) if !real.is_file() => {
                    return Err(LocateError::new(format!(
                        "{} is not a file; give the path of a SQLite database file",
                        real.display()
                    )));
                }
                Some(Access::ReadOnly) if write => {
                    return Err(LocateError::new(format!(
                        "{} is in a folder granted read-only; the granted folders are: {}",
                        real.display(),
                        self.listing()
                    )));
                }
                Some(_) => return Ok(real),
            }
        }
        Err(LocateError::new(match outside {
            Some(real) => format!(
                "{} is outside the granted folders; the granted folders are: {}",
                real.display(),
                self.listing()
            ),
            None => format!(
                "there is no file at {requested}; give an absolute path, or one relative to a \
                 granted folder (list_databases shows the files found); the granted folders \
                 are: {}",
                self.listing()
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn folders() -> Vec<(PathBuf, Access)> {
        vec![
            (PathBuf::from("/data"), Access::ReadWrite),
            (PathBuf::from("/data/archive"), Access::ReadOnly),
            (PathBuf::from("/srv/db"), Access::ReadOnly),
        ]
    }

    #[test]
    fn the_most_specific_folder_decides() {
        let folders = folders();
        assert_eq!(
            access_for(Path::new("/data/a.db"), &folders),
            Some(Access::ReadWrite)
        );
        assert_eq!(
            access_for(Path::new("/data/archive/old.db"), &folders),
            Some(Access::ReadOnly),
            "a read-only folder inside a read-write one stays read-only"
        );
        assert_eq!(access_for(Path::new("/srv/dbx/a.db"), &folders), None);
        assert_eq!(access_for(Path::new("/etc/passwd"), &folders), None);
    }

    proptest! {
        #[test]
        fn a_path_under_no_folder_never_gets_access(
            parts in proptest::collection::vec("[a-z]{1,6}", 1..5),
        ) {
            let path = PathBuf::from("/elsewhere").join(parts.join("/"));
            prop_assert_eq!(access_for(&path, &folders()), None);
        }

        #[test]
        fn a_path_under_a_folder_gets_at_most_that_folders_access(
            parts in proptest::collection::vec("[a-z]{1,6}", 1..5),
        ) {
            let path = PathBuf::from("/srv/db").join(parts.join("/"));
            prop_assert_eq!(access_for(&path, &folders()), Some(Access::ReadOnly));
        }

        #[test]
        fn a_sibling_with_a_shared_prefix_is_not_inside(suffix in "[a-z]{1,6}") {
            let path = PathBuf::from(format!("/srv/db{suffix}/x.db"));
            prop_assert_eq!(access_for(&path, &folders()), None);
        }
    }

    #[test]
    fn locate_refuses_outside_paths_and_names_the_folders() {
        let granted = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let file = outside.path().join("x.db");
        std::fs::write(&file, b"").unwrap();
        let folders = GrantedFolders::new([(granted.path().to_path_buf(), Access::ReadWrite)]);
        let error = folders
            .locate(&file.display().to_string(), false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("outside the granted folders"), "{error}");
        let root = std::fs::canonicalize(granted.path()).unwrap();
        assert!(
            error.contains(&root.display().to_string()),
            "the message names the granted folders: {error}"
        );
    }

    #[test]
    fn locate_refuses_dot_dot_and_symlink_escapes() {
        let granted = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.db");
        std::fs::write(&secret, b"").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&secret, granted.path().join("link.db")).unwrap();
        let folders = GrantedFolders::new([(granted.path().to_path_buf(), Access::ReadOnly)]);
        let escape = format!(
            "{}/../{}/secret.db",
            granted.path().display(),
            outside.path().file_name().unwrap().to_string_lossy()
        );
        assert!(
            folders.locate(&escape, false).is_err(),
            "`..` must not escape"
        );
        #[cfg(unix)]
        assert!(
            folders.locate("link.db", false).is_err(),
            "a symlink out of the folder must not escape"
        );
    }

    #[test]
    fn locate_resolves_relative_paths_and_checks_write_access() {
        let granted = tempfile::tempdir().unwrap();
        std::fs::write(granted.path().join("a.db"), b"").unwrap();
        let folders = GrantedFolders::new([(granted.path().to_path_buf(), Access::ReadOnly)]);
        let found = folders.locate("a.db", false).unwrap();
        assert!(found.is_absolute() && found.ends_with("a.db"));
        let error = folders.locate("a.db", true).unwrap_err().to_string();
        assert!(error.contains("read-only"), "{error}");
    }
}
