//! Switchboard's SQLite store: the registry of installed servers, settings, folder grants,
//! the call log, what the built-in servers keep (prompt templates, the SQL write journal)
//! and which entries of MCP clients' config files are Switchboard's, in one file in the
//! user's data folder.
//!
//! Owns: the database file, its schema (`migrations/*.sql`, applied when the store opens)
//! and typed reads and writes of it. Must not: hold a secret (the registry names the
//! secrets a server needs; values live in the OS keychain), decide policy (what a grant
//! allows, when to prune the log), or know about processes, the shape of clients' config
//! files or the UI.
//!
//! The file is opened in WAL mode with foreign keys on and a busy timeout, so that the
//! daemon, the CLI and the app can share it, and so that the call log survives a crash of
//! any of them.

mod calls;
mod client_entries;
mod grants;
mod prompts;
mod registry_cache;
mod servers;
mod settings;
mod sql_writes;
mod tools;

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sqlx::{
    SqlitePool,
    migrate::{MigrateError, Migrator},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use calls::{CallQuery, CallRecord, CallStatus, PREVIEW_MAX_CHARS, QUERY_MAX_ROWS, StoredCall};
pub use client_entries::{ClientEntry, ClientFile, ClientScope, ManagedClientFile};
pub use grants::{Access, Grant};
pub use prompts::StoredPrompt;
pub use registry_cache::RegistryCache;
pub use servers::{InvalidServerId, Launch, ServerId, ServerRecord, Source};
pub use sql_writes::SqlWrite;

/// The database's file name inside the data folder.
pub const DB_FILE_NAME: &str = "switchboard.db";

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a pooled connection may sit unused before it is closed.
const IDLE_CONNECTION_CLOSED_AFTER: Duration = Duration::from_secs(30);

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// What went wrong with the store, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no data folder could be found for this user (is HOME set?); pass --data-dir")]
    NoDataDir,
    #[error("could not create the data folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "the database {path} was written by a newer Switchboard (schema version {version}); \
         update Switchboard, or use another --data-dir"
    )]
    FromNewerVersion { path: PathBuf, version: i64 },
    #[error("could not update the database {path} to this version of Switchboard: {source}")]
    Migrate {
        path: PathBuf,
        #[source]
        source: MigrateError,
    },
    #[error("{0}")]
    InvalidServerId(#[from] InvalidServerId),
    #[error("the grant path must be absolute: {0}")]
    RelativeGrantPath(PathBuf),
    #[error("no installed server is called \"{0}\"")]
    UnknownServer(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens the store in `data_dir` (created owner-only if missing), bringing its schema up
    /// to date.
    #[tracing::instrument(skip_all, err, fields(data_dir = %data_dir.display()))]
    pub async fn open_in(data_dir: &Path) -> Result<Self> {
        create_private_dir(data_dir)?;
        Self::open(&data_dir.join(DB_FILE_NAME)).await
    }

    /// Opens (creating if missing) the database file at `path` and applies any migrations
    /// it lacks.
    #[tracing::instrument(skip_all, err, fields(path = %path.display()))]
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // Each connection is a thread with SQLite's caches: one idle for a while is closed.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .idle_timeout(IDLE_CONNECTION_CLOSED_AFTER)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        MIGRATOR.run(&pool).await.map_err(|source| match source {
            MigrateError::VersionMissing(version) => StoreError::FromNewerVersion {
                path: path.to_owned(),
                version,
            },
            source => StoreError::Migrate {
                path: path.to_owned(),
                source,
            },
        })?;
        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (the newest migration applied).
    pub async fn schema_version(&self) -> Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// The newest schema version this build knows.
    pub fn latest_schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Closes every connection, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// The default data folder: `~/.local/share/switchboard` on Linux,
/// `~/Library/Application Support/dev.switchboard.Switchboard` on macOS,
/// `%APPDATA%\switchboard\Switchboard\data` on Windows.
pub fn default_data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("dev", "switchboard", "Switchboard")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or(StoreError::NoDataDir)
}

/// Creates `dir` and its parents; the folder itself is readable by its owner only, since
/// the call log holds previews of what tools were asked.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let error = |source| StoreError::CreateDir {
        path: dir.to_owned(),
        source,
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(error)?;
    }
    Ok(())
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
