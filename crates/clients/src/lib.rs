//! Switchboard's knowledge of MCP clients' config files: where each client keeps its file
//! on each OS and scope, whether it is installed, what its entries look like, and how to
//! add, update and remove the entries Switchboard manages without disturbing anything
//! else, with a timestamped backup and an atomic write. It also notices when a client
//! rewrites its file (drift) and reads hand-made entries for import, setting aside the
//! values that look like secrets.
//!
//! Owns: the client table (`clients/<client>.rs`, data only), path resolution and
//! detection, format-preserving edits of JSON, JSON-with-comments and TOML files, the
//! merge rules, atomic writes and backups, drift comparison, a debounced file watcher and
//! import. Must not: depend on the store, the keychain or tauri. Which entries Switchboard
//! manages is told by the caller (the hub keeps it in the store) and every edit returns
//! the new set; secrets found on import are returned as [`Secret`]s for the hub to put in
//! the keychain, never logged, printed or written by this crate.
//!
//! The usual flow, for the hub:
//! 1. [`detect`] the installed clients, or [`ClientSpec::target`] one file by scope;
//! 2. [`ConfigTarget::apply`] operations ([`Operation::Put`] a bridge entry made by
//!    [`Entry::bridge`], [`Operation::Remove`]) with the stored [`ManagedEntries`]; store
//!    the returned set and show its collisions;
//! 3. [`ConfigWatcher`] reports changed files; [`ConfigTarget::handle_drift`] says what
//!    was dropped or altered and, if the user's [`DriftPolicy`] says so, puts it back;
//! 4. [`ConfigTarget::import`] reads hand-made entries; after registering them the hub
//!    takes them over with [`Operation::Adopt`].

mod atomic_write;
mod clients;
mod config_file;
mod document;
mod drift;
mod edit;
mod entry;
mod environment;
mod import;
mod location;
mod secret;
mod spec;
mod watch;

use std::path::PathBuf;

pub use atomic_write::{AtomicWriter, BACKUP_INFIX, DEFAULT_KEEP_BACKUPS, WriteHook, WriteStep};
pub use clients::{all as all_clients, get as client};
pub use config_file::{ApplyReport, DriftOutcome, Snapshot};
pub use document::DocumentError;
pub use drift::{Drift, DriftKind, DriftPolicy, compare as compare_drift};
pub use edit::{Change, Collision, Edited, ManagedEntries, Operation, sync_operations};
pub use entry::{
    COLLISION_SUFFIX, Entry, EntryKind, HttpEntry, NAME_MAX_LEN, StdioEntry, candidate_names,
    is_valid_name, sanitize_name,
};
pub use environment::{Base, Environment, Os};
pub use import::{ImportedLaunch, ImportedServer, SecretArgument};
pub use location::{ConfigTarget, Detection, Scope, detect};
pub use secret::Secret;
pub use spec::{
    ClientSpec, DocCheck, EntryShape, EnvReference, Format, KeySegment, Location, PathTemplate,
    Program, ScopeKind, UrlShape,
};
pub use switchboard_secrets::detect::{
    SecretReason, classify as classify_secret, classify_argument,
};
pub use watch::ConfigWatcher;

/// What went wrong with a client's config file, in words a user can act on. No message
/// holds a value from a file (a value may be a secret).
#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error(
        "{path} was left unchanged because {source}; fix the file by hand (or restore one of \
         its backups) and try again"
    )]
    Document {
        path: PathBuf,
        #[source]
        source: DocumentError,
    },
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "could not write {path}: {source}; the file was left as it was (check the folder's \
         permissions and free space)"
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} kept changing while Switchboard was updating it (is {client} saving it right \
         now?); nothing was written, try again in a moment"
    )]
    Busy { path: PathBuf, client: &'static str },
    #[error("{client} has no {scope} configuration file on {os}")]
    NoSuchScope {
        client: &'static str,
        scope: &'static str,
        os: &'static str,
    },
    #[error("the project folder must be an absolute path, got {0}")]
    RelativeProject(PathBuf),
    #[error(
        "\"{0}\" is not a valid server name for MCP clients: use 1 to 64 letters, digits, '_' \
         or '-'"
    )]
    InvalidName(String),
    #[error(
        "the Switchboard binary must be given as an absolute path (clients do not search \
         PATH), got {0}"
    )]
    RelativeBinary(PathBuf),
    #[error(
        "{client} does not take URL entries from Switchboard; use the bridge entry \
         (switchboard connect) for it"
    )]
    UrlNotSupported { client: &'static str },
    #[error(
        "{client} is not known to read environment variables in its file; write the token \
         itself (the url-with-token entry) or use the bridge entry"
    )]
    EnvReferenceNotSupported { client: &'static str },
    #[error(
        "no free entry name for server {server}: its id and 99 \"-switchboard\" variants are \
         all taken in this file; rename some entries and try again"
    )]
    NoFreeName { server: String },
    #[error("no home folder could be found for this user (is HOME set?)")]
    NoHome,
    #[error("could not watch {path} for changes: {source}")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error(
        "the file watcher could not start ({source}); changes clients make to their files \
         will not be noticed until it can"
    )]
    WatcherUnavailable {
        #[source]
        source: notify::Error,
    },
}

impl ClientsError {
    /// The same error naming `path` where it had none yet.
    pub(crate) fn at(self, file: &std::path::Path) -> Self {
        match self {
            Self::Document { path, source } if path.as_os_str().is_empty() => Self::Document {
                path: file.to_path_buf(),
                source,
            },
            other => other,
        }
    }

    /// The 1-based line and column of a parse error, for a UI to point at.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Self::Document { source, .. } => source.position(),
            _ => None,
        }
    }
}
