//! The sandbox: which folders are granted, and the only way this crate reaches a file.
//!
//! Owns: the grant types ([`Access`], [`Folder`], [`Folders`]), the refusals
//! ([`SandboxError`]), and resolution of a path a model gave into an open handle beneath a
//! granted folder. Every tool and resource goes through [`Folders::locate`] and then the
//! handle-based openers here; nothing else in the crate turns a model's text into a path.
//! Must not decide what a tool does with a file (that is the tools' business) and must not
//! follow anything out of a grant.
//!
//! The rules, in order:
//! 1. Text rules, pure ([`rules`]): NUL, control characters, backslashes (on Unix), `..`
//!    anywhere, a leading `~`, separator and dot lookalikes, names ending in a dot or a
//!    space, drive letters on Unix, over-long paths and names are refused outright.
//! 2. Grant matching, pure: an absolute path must start with a granted folder, compared
//!    name by name and byte for byte (so `/tmp/grant` is not `/tmp/Grant`); a relative
//!    path is relative to the only granted folder, or must start with the last name of
//!    exactly one of several. Writes need a read-write grant.
//! 3. Opening, on file descriptors ([`beneath`] on Unix): the grant's folder is opened by
//!    its real path, found when the grants were set ([`roots`]), following no symbolic link
//!    at all, so a folder replaced by a link since is refused rather than followed; and
//!    finding that real path never follows a link inside a read-write grant out of that
//!    grant, so the files of one grant can't redirect a grant nested in it. Then the path
//!    is opened relative to the folder in one step with `openat2(RESOLVE_BENEATH |
//!    RESOLVE_NO_MAGICLINKS)` on Linux, or name by name with `openat(O_NOFOLLOW)` and
//!    explicit symlink expansion elsewhere (and whenever `openat2` is unavailable or
//!    refuses). A symlink may be followed only while it stays beneath the grant; anything
//!    that would leave it (`..` past the root, an absolute target outside) is refused. The
//!    tools then work on the opened descriptor, so swapping a checked path for a symlink
//!    afterwards changes nothing.
//! 4. File rules, on the opened descriptor: only regular files are read (no FIFOs,
//!    devices or sockets; opening never blocks because it uses `O_NONBLOCK`); a regular
//!    file with more than one hard link is refused for reading, because it may be the same
//!    file as one outside the grant, and is not written either. Writes never write through
//!    a file: they create a new file beside it and rename it over the name; a symlink at
//!    the name is refused, never followed.
//!
//! Known limits: a folder mounted inside a grant is part of the grant; a folder moved out
//! of a grant by another program while a call holds it open is still used by that call;
//! links in a grant's own path are resolved when the grants are set, so a link the user
//! re-points later takes effect at the next change of grants; a grant reached through a
//! link that lies inside a read-write grant and leads out of it is refused even when the
//! user made that link (grant the folder it leads to instead).

#[cfg(unix)]
mod beneath;
mod handle;
#[cfg(not(unix))]
mod portable;
mod roots;
pub(crate) mod rules;

use std::{
    fmt,
    fs::File,
    io,
    path::{Path, PathBuf},
    sync::{Arc, PoisonError, RwLock},
};

use serde::{Deserialize, Serialize};

pub(crate) use handle::{Dir, Entry, Kind, Meta};
use rules::{Grant, Root, Style};

/// What a grant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Files may be read, listed and searched, never changed.
    ReadOnly,
    /// Files may also be written, edited, moved and folders created.
    ReadWrite,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::ReadOnly => "read-only",
            Access::ReadWrite => "read-write",
        })
    }
}

/// One granted folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// The folder. Made absolute and normalised when handed to [`Folders`].
    pub path: PathBuf,
    /// What may be done inside it.
    pub access: Access,
}

impl Folder {
    pub fn new(path: impl Into<PathBuf>, access: Access) -> Self {
        Self {
            path: path.into(),
            access,
        }
    }

    /// Reads a `--allow` value: `PATH`, `PATH:ro` or `PATH:rw`. Without a suffix the folder
    /// is read-write (as with the reference filesystem server, whose folders are all
    /// writable); add `:ro` for read-only. Only a trailing `:ro` or `:rw` counts, so a
    /// Windows path such as `C:\work` keeps its colon. A relative path is taken against
    /// the current directory.
    pub fn parse_allow(spec: &str) -> Result<Folder, SandboxError> {
        let (path, access) = if let Some(path) = spec.strip_suffix(":ro") {
            (path, Access::ReadOnly)
        } else if let Some(path) = spec.strip_suffix(":rw") {
            (path, Access::ReadWrite)
        } else {
            (spec, Access::ReadWrite)
        };
        if path.trim().is_empty() {
            return Err(SandboxError::InvalidAllow {
                spec: rules::quote(spec),
                reason: "the folder is missing; use PATH, PATH:ro or PATH:rw",
            });
        }
        if path.contains('\0') {
            return Err(SandboxError::InvalidAllow {
                spec: rules::quote(spec),
                reason: "the folder contains a NUL byte",
            });
        }
        Ok(Folder {
            path: rules::normalize_grant_path(Path::new(path)),
            access,
        })
    }
}

/// What a caller means to do with a path; decides which grants qualify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Read, list, search or inspect something that exists.
    Read,
    /// Change or create a file whose folder exists.
    Write,
    /// Create a folder, with any missing parents.
    Create,
}

impl Intent {
    pub(crate) fn needs_write(self) -> bool {
        !matches!(self, Intent::Read)
    }
}

/// Why a path was refused. Every message says what happened and what to do next, and
/// names the granted folders where that helps.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    #[error(
        "No folders are granted to this server, so no file can be used. The user grants \
         folders in Switchboard (the server's Folders settings), or with --allow PATH when \
         the server runs standalone."
    )]
    NoFolders,
    #[error("{path} is outside the granted folders; the granted folders are: {granted}.")]
    Outside { path: String, granted: String },
    #[error(
        "{path} is a relative path and several folders are granted, so it is ambiguous; give \
         an absolute path inside one of: {granted}."
    )]
    Ambiguous { path: String, granted: String },
    #[error("The path is empty; give a path inside one of the granted folders: {granted}.")]
    Empty { granted: String },
    #[error(
        "{path} contains '..'; paths may not step up out of a folder. Give the absolute path \
         inside one of the granted folders: {granted}."
    )]
    ParentStep { path: String, granted: String },
    #[error(
        "{path} contains a backslash; on this system '/' separates folder names (a backslash \
         would be part of a name). The granted folders are: {granted}."
    )]
    Backslash { path: String, granted: String },
    #[error("{path} contains a NUL byte, which no file name may contain.")]
    Nul { path: String },
    #[error("{path} contains a control character (U+{code:04X}); such names are refused.")]
    ControlCharacter { path: String, code: u32 },
    #[error(
        "{path} contains {character:?} (U+{code:04X}), which looks like a path separator, a \
         dot or a colon, or hides text; such characters are refused so a name can't pass for \
         a path."
    )]
    Lookalike {
        path: String,
        character: char,
        code: u32,
    },
    #[error(
        "{path} starts with '~', which is not expanded here; give the full absolute path \
         inside one of the granted folders: {granted}."
    )]
    Tilde { path: String, granted: String },
    #[error(
        "The name {name} in {path} starts with a space or ends with a dot or a space, which \
         some systems silently drop; such names are refused."
    )]
    TrailingDotOrSpace { path: String, name: String },
    #[error("The name {name} in {path} is reserved or contains a reserved character.")]
    ReservedName { path: String, name: String },
    #[error(
        "{path} looks like a Windows drive path (such as C:/x, or C:x without a slash) or a \
         network share, which can't be used here; give an absolute path inside one of the \
         granted folders: {granted}."
    )]
    Foreign { path: String, granted: String },
    #[error(
        "The path {path} is too long ({length} bytes); paths may have at most 4096 bytes and \
         each name at most 255."
    )]
    TooLong { path: String, length: usize },
    #[error(
        "{path} is in {folder}, which is granted read-only, so nothing there can be changed. \
         The user can make the folder read-write in Switchboard (the server's Folders \
         settings), or with --allow {folder}:rw when the server runs standalone."
    )]
    ReadOnly { path: String, folder: String },
    #[error("{path} is a granted folder itself, which can't be replaced, moved or written over.")]
    GrantRoot { path: String },
    #[error(
        "{path} goes through the symbolic link {link}, which points outside the granted \
         folders ({granted}); links that leave a granted folder are not followed."
    )]
    LinkOutside {
        path: String,
        link: String,
        granted: String,
    },
    #[error(
        "{path} is a symbolic link that points outside the granted folders ({granted}); links \
         that leave a granted folder are not followed."
    )]
    IsLinkOutside { path: String, granted: String },
    #[error(
        "{path} is a symbolic link; writes never follow links. Write to the file it points to \
         instead (get_file_info shows the link's target)."
    )]
    LinkNotFollowed { path: String },
    #[error("{path} has too many levels of symbolic links (or a link loop).")]
    LinkLoop { path: String },
    #[error("{path} does not exist.")]
    NotFound { path: String },
    #[error("{path} is not a folder, or a name on the way to it is a file.")]
    NotADirectory { path: String },
    #[error("{path} is a folder, not a file; list_directory shows what is in it.")]
    IsADirectory { path: String },
    #[error("{path} is a {kind}, not a regular file; only regular files and folders are used.")]
    NotRegular { path: String, kind: &'static str },
    #[error(
        "{path} has {links} hard links, so it may be the same file as one outside the granted \
         folders; files with more than one hard link are not read or changed. Ask the user for \
         a copy."
    )]
    HardLinked { path: String, links: u64 },
    #[error(
        "The granted folder {folder} can't be opened ({source}); it may have been moved or \
         deleted. The user manages granted folders in Switchboard."
    )]
    GrantUnavailable { folder: String, source: io::Error },
    #[error(
        "The granted folder {folder} is no longer the folder that was granted: a folder on its \
         path was replaced by a symbolic link or a file since. Nothing in it is used until the \
         folder is back in its place, or the user grants it again in Switchboard."
    )]
    GrantReplaced { folder: String },
    #[error(
        "The granted folder {folder} is reached through the symbolic link {link}, which lies \
         in the read-write folder {holder} and points out of it. Links inside a read-write \
         folder may have been placed there by a model, so they are never followed to find a \
         granted folder. The user can grant the folder the link points to instead."
    )]
    GrantThroughLink {
        folder: String,
        link: String,
        holder: String,
    },
    #[error("{path}: permission denied by the operating system.")]
    PermissionDenied { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error(transparent)]
    Uri(#[from] crate::uri::UriError),
    #[error("{spec} is not a valid --allow value: {reason}.")]
    InvalidAllow { spec: String, reason: &'static str },
}

impl SandboxError {
    /// Maps an operating system error on `path` to a message a model can act on.
    pub(crate) fn from_io(path: String, error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::NotFound => SandboxError::NotFound { path },
            io::ErrorKind::NotADirectory => SandboxError::NotADirectory { path },
            io::ErrorKind::IsADirectory => SandboxError::IsADirectory { path },
            io::ErrorKind::PermissionDenied => SandboxError::PermissionDenied { path },
            io::ErrorKind::InvalidFilename => SandboxError::TooLong {
                length: path.len(),
                path,
            },
            _ if is_loop(&error) => SandboxError::LinkLoop { path },
            _ => SandboxError::Io {
                path,
                source: error,
            },
        }
    }
}

fn is_loop(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// The granted folders, prepared for matching. Immutable; replaced whole.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    folders: Arc<[Folder]>,
    entries: Vec<Grant>,
    described: String,
}

impl Grants {
    fn new(folders: Vec<Folder>) -> Self {
        // Normalise, then merge duplicates: two grants of one folder allow what either does.
        let mut merged: Vec<Folder> = Vec::with_capacity(folders.len());
        for folder in folders {
            let path = rules::normalize_grant_path(&folder.path);
            match merged.iter_mut().find(|f| f.path == path) {
                Some(existing) => {
                    if folder.access == Access::ReadWrite {
                        existing.access = Access::ReadWrite;
                    }
                }
                None => merged.push(Folder {
                    path,
                    access: folder.access,
                }),
            }
        }
        let entries = resolve_roots(&merged);
        let described = rules::describe(&entries);
        Self {
            folders: merged.into(),
            entries,
            described,
        }
    }

    pub(crate) fn folders(&self) -> &[Folder] {
        &self.folders
    }

    pub(crate) fn describe(&self) -> &str {
        &self.described
    }

    /// Checks a path a model gave and finds where it falls. No filesystem access. A
    /// `file://` URI is accepted too (models copy resource URIs): it is decoded first, so
    /// `%2e%2e` becomes `..` and is refused like any other.
    pub(crate) fn locate(
        self: &Arc<Self>,
        raw: &str,
        intent: Intent,
    ) -> Result<Located, SandboxError> {
        if self.entries.is_empty() {
            return Err(SandboxError::NoFolders);
        }
        let decoded;
        let raw = if crate::uri::is_file_uri(raw) {
            decoded = crate::uri::path_of_uri(raw)?;
            decoded.as_str()
        } else {
            raw
        };
        let request = rules::parse(raw, Style::NATIVE, &self.described)?;
        let placement = rules::place(
            &self.entries,
            &request,
            intent,
            Style::NATIVE,
            raw,
            &self.described,
        )?;
        Ok(Located {
            grants: Arc::clone(self),
            grant: placement.grant,
            rest: placement.rest,
            access: placement.access,
        })
    }

    /// The root of grant `index`, for walks over whole grants.
    pub(crate) fn root(self: &Arc<Self>, index: usize) -> Located {
        let access = self
            .entries
            .get(index)
            .map_or(Access::ReadOnly, |g| g.folder.access);
        Located {
            grants: Arc::clone(self),
            grant: index,
            rest: Vec::new(),
            access,
        }
    }
}

/// The real paths of the read-write grants other than grant `except`: the folders whose
/// links are never followed out of them to find another grant.
fn holders(folders: &[Folder], provisional: &[Option<PathBuf>], except: usize) -> Vec<PathBuf> {
    folders
        .iter()
        .zip(provisional)
        .enumerate()
        .filter(|(index, (folder, _))| *index != except && folder.access == Access::ReadWrite)
        .filter_map(|(_, (_, real))| real.clone())
        .collect()
}

/// Finds where each granted folder really is ([`roots`]).
fn resolve_roots(folders: &[Folder]) -> Vec<Grant> {
    // Where each folder seems to be, following every link: only used to know which folders
    // the read-write grants cover.
    let provisional: Vec<Option<PathBuf>> = folders
        .iter()
        .map(|f| std::fs::canonicalize(&f.path).ok())
        .collect();
    folders
        .iter()
        .enumerate()
        .map(|(index, folder)| {
            let holders = holders(folders, &provisional, index);
            let root = match roots::resolve(&folder.path, &holders) {
                Ok(real) => Root::Real(real),
                Err(unreached) => unreached.into_root(),
            };
            Grant::new(folder.clone(), root)
        })
        .collect()
}

/// The granted folders: a cheap, shared handle. Clones see the same grants, and
/// [`Folders::replace`] takes effect on the next call of every session using any clone.
#[derive(Clone, Default)]
pub struct Folders {
    shared: Arc<RwLock<Arc<Grants>>>,
}

impl fmt::Debug for Folders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Folders").field(&self.snapshot()).finish()
    }
}

impl Folders {
    /// Grants `folders`. Paths are made absolute and normalised; a folder granted twice
    /// gets the wider access.
    pub fn new(folders: Vec<Folder>) -> Self {
        Self {
            shared: Arc::new(RwLock::new(Arc::new(Grants::new(folders)))),
        }
    }

    /// Replaces the grants. Calls already running finish with the grants they started with;
    /// the next call sees the new ones.
    pub fn replace(&self, folders: Vec<Folder>) {
        let grants = Arc::new(Grants::new(folders));
        *self.shared.write().unwrap_or_else(PoisonError::into_inner) = grants;
    }

    /// The granted folders as they are now (normalised).
    pub fn snapshot(&self) -> Arc<[Folder]> {
        Arc::clone(&self.grants().folders)
    }

    pub(crate) fn grants(&self) -> Arc<Grants> {
        Arc::clone(&self.shared.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Checks `path` for a caller that will open it by path itself (such as an SQLite
    /// database), and returns the real path: absolute, with symlinks resolved, beneath a
    /// granted folder that allows `intent`.
    ///
    /// - [`Intent::Read`]: the path must exist.
    /// - [`Intent::Write`]: its folder must exist; the file itself may not.
    /// - [`Intent::Create`]: the part that exists must resolve beneath the grant; the rest
    ///   is appended as given.
    ///
    /// Because the caller opens and may write the file in place, the last name must not be
    /// a symbolic link and an existing file must be a regular file with one hard link.
    /// There is a window between this check and the caller's open that this function
    /// can't close; callers that can should use a descriptor instead.
    pub fn resolve(&self, path: &str, intent: Intent) -> Result<PathBuf, SandboxError> {
        let located = self.grants().locate(path, intent)?;
        located.real_path(intent)
    }
}

/// A path placed in a grant but not yet opened.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    grants: Arc<Grants>,
    grant: usize,
    /// Names beneath the grant's folder.
    pub(crate) rest: Vec<String>,
    /// Read-write if any grant covering the path is.
    pub(crate) access: Access,
}

impl Located {
    pub(crate) fn grant(&self) -> &Grant {
        // `place` only returns indices into the same list.
        &self.grants.entries[self.grant]
    }

    pub(crate) fn granted(&self) -> &str {
        &self.grants.described
    }

    /// The real path of the grant's folder: found when the grants were set, or now if it
    /// could not be found then. Refused when it is reached through a link that leaves a
    /// read-write grant.
    pub(crate) fn root(&self) -> Result<PathBuf, SandboxError> {
        let grant = self.grant();
        let folder = || grant.folder.path.display().to_string();
        let through = |link: &Path, holder: &Path| SandboxError::GrantThroughLink {
            folder: folder(),
            link: link.display().to_string(),
            holder: holder.display().to_string(),
        };
        match &grant.root {
            Root::Real(real) => Ok(real.clone()),
            Root::ThroughLink { link, holder } => Err(through(link, holder)),
            Root::Unresolved => {
                let folders = self.grants.folders();
                let provisional: Vec<Option<PathBuf>> = folders
                    .iter()
                    .map(|f| std::fs::canonicalize(&f.path).ok())
                    .collect();
                let holders = holders(folders, &provisional, self.grant);
                match roots::resolve(&grant.folder.path, &holders) {
                    Ok(real) => Ok(real),
                    Err(roots::Unreached::ThroughLink { link, holder }) => {
                        Err(through(&link, &holder))
                    }
                    Err(roots::Unreached::Io(source)) => Err(SandboxError::GrantUnavailable {
                        folder: folder(),
                        source,
                    }),
                }
            }
        }
    }

    /// The path as shown to a model.
    pub(crate) fn display(&self) -> String {
        rules::display(&self.grant().folder.path, &self.rest)
    }

    /// The path as a `PathBuf` (grant spelling).
    pub(crate) fn path(&self) -> PathBuf {
        let mut path = self.grant().folder.path.clone();
        path.extend(&self.rest);
        path
    }

    pub(crate) fn is_grant_root(&self) -> bool {
        self.rest.is_empty()
    }

    /// The same grant, deeper by a `/`-separated relative path of real names (for walks).
    pub(crate) fn descendant(&self, relative: &str) -> Located {
        let mut rest = self.rest.clone();
        rest.extend(
            relative
                .split('/')
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        );
        Located {
            grants: Arc::clone(&self.grants),
            grant: self.grant,
            rest,
            access: self.access,
        }
    }

    pub(crate) fn refuse_read_only(&self) -> Result<(), SandboxError> {
        if self.access == Access::ReadWrite {
            Ok(())
        } else {
            Err(SandboxError::ReadOnly {
                path: self.display(),
                folder: self.grant().folder.path.display().to_string(),
            })
        }
    }

    fn io_error(&self, error: io::Error) -> SandboxError {
        SandboxError::from_io(self.display(), error)
    }

    /// Opens a regular file for reading. Refuses folders, FIFOs, devices, sockets and files
    /// with more than one hard link. Never blocks.
    pub(crate) fn open_file(&self) -> Result<(File, Meta), SandboxError> {
        let file = handle::open_file(self)?;
        let meta = Meta::of_file(&file).map_err(|e| self.io_error(e))?;
        match meta.kind {
            Kind::File => {}
            Kind::Directory => {
                return Err(SandboxError::IsADirectory {
                    path: self.display(),
                });
            }
            other => {
                return Err(SandboxError::NotRegular {
                    path: self.display(),
                    kind: other.describe(),
                });
            }
        }
        if meta.links > 1 {
            return Err(SandboxError::HardLinked {
                path: self.display(),
                links: meta.links,
            });
        }
        Ok((file, meta))
    }

    /// Opens a folder for listing.
    pub(crate) fn open_directory(&self) -> Result<Dir, SandboxError> {
        handle::open_directory(self)
    }

    /// Metadata of whatever is at the path, following symlinks that stay in the grant.
    pub(crate) fn metadata(&self) -> Result<std::fs::Metadata, SandboxError> {
        handle::metadata(self)
    }

    /// The folder that holds the path, opened, and the last name: what writes, moves and
    /// renames work on. Refuses a grant's own folder.
    pub(crate) fn parent(&self) -> Result<(Dir, String), SandboxError> {
        match self.rest.split_last() {
            Some((name, _)) => Ok((handle::open_parent(self)?, name.clone())),
            None => Err(SandboxError::GrantRoot {
                path: self.display(),
            }),
        }
    }

    /// Creates the folder and any missing parents. Returns the display paths created.
    pub(crate) fn create_directories(&self) -> Result<Vec<String>, SandboxError> {
        handle::create_directories(self)
    }

    fn real_path(&self, intent: Intent) -> Result<PathBuf, SandboxError> {
        handle::real_path(self, intent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_values_default_to_read_write_and_keep_windows_colons() {
        let folder = Folder::parse_allow("/srv/data").unwrap();
        assert_eq!(folder, Folder::new("/srv/data", Access::ReadWrite));
        let folder = Folder::parse_allow("/srv/data:ro").unwrap();
        assert_eq!(folder.access, Access::ReadOnly);
        let folder = Folder::parse_allow("/srv/data:rw").unwrap();
        assert_eq!(folder.access, Access::ReadWrite);
        let folder = Folder::parse_allow("/srv/a:b").unwrap();
        assert_eq!(
            folder.path,
            PathBuf::from("/srv/a:b"),
            "only a suffix counts"
        );
        assert!(Folder::parse_allow(":ro").is_err());
        assert!(Folder::parse_allow("").is_err());
    }

    #[test]
    fn duplicate_grants_merge_to_the_wider_access() {
        let folders = Folders::new(vec![
            Folder::new("/srv/x/", Access::ReadOnly),
            Folder::new("/srv/./x", Access::ReadWrite),
        ]);
        let snapshot = folders.snapshot();
        assert_eq!(snapshot.len(), 1, "{snapshot:?}");
        assert_eq!(snapshot[0].access, Access::ReadWrite);
    }

    #[test]
    fn replacing_grants_is_seen_through_every_clone() {
        let folders = Folders::new(vec![Folder::new("/a", Access::ReadOnly)]);
        let clone = folders.clone();
        folders.replace(vec![Folder::new("/b", Access::ReadWrite)]);
        assert_eq!(clone.snapshot()[0].path, PathBuf::from("/b"));
    }
}
