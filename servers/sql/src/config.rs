//! What the host gives the server: the database files it may open, the PostgreSQL databases it
//! may reach, the limits every call obeys, and where writes are recorded.
//!
//! Owns the secret handling of PostgreSQL connection strings: a connection string never
//! prints itself (Debug says `<redacted>`, there is no Display or Serialize), and the only
//! form ever shown is [`PostgresDatabase::display`] (`postgres://user@host:port/db`). This
//! module must not open connections or files.

use std::{fmt, str::FromStr, sync::Arc, time::Duration};

use tokio_postgres::config::Host;

use crate::{
    grants::DatabaseFiles,
    journal::{TracingJournal, WriteJournal},
};

/// Everything [`crate::SqlServer::new`] needs.
#[derive(Clone)]
pub struct SqlConfig {
    /// The SQLite files a call may open: granted folders, checked on every open.
    pub files: Arc<dyn DatabaseFiles>,
    /// PostgreSQL databases a model may use, by name.
    pub postgres: Vec<PostgresDatabase>,
    /// Row, size and time limits.
    pub limits: Limits,
    /// Where every successful write is recorded (the default logs through `tracing`).
    pub journal: Arc<dyn WriteJournal>,
    /// Appended to the refusal when `execute` meets a read-only grant: tells the user how to
    /// grant write access in the app that embeds this server.
    pub write_access_hint: String,
}

impl SqlConfig {
    /// A configuration with default limits, no PostgreSQL databases and the tracing journal.
    pub fn new(files: Arc<dyn DatabaseFiles>) -> Self {
        Self {
            files,
            postgres: Vec::new(),
            limits: Limits::default(),
            journal: Arc::new(TracingJournal),
            write_access_hint: DEFAULT_WRITE_ACCESS_HINT.to_owned(),
        }
    }

    /// Adds a PostgreSQL database.
    #[must_use]
    pub fn with_postgres(mut self, database: PostgresDatabase) -> Self {
        self.postgres.push(database);
        self
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the write journal.
    #[must_use]
    pub fn with_journal(mut self, journal: Arc<dyn WriteJournal>) -> Self {
        self.journal = journal;
        self
    }

    /// Replaces the hint shown when a write meets a read-only grant.
    #[must_use]
    pub fn with_write_access_hint(mut self, hint: impl Into<String>) -> Self {
        self.write_access_hint = hint.into();
        self
    }
}

impl fmt::Debug for SqlConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlConfig")
            .field("folders", &self.files.folders())
            .field("postgres", &self.postgres)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Said when `execute` meets a file whose folder is granted read-only.
pub const DEFAULT_WRITE_ACCESS_HINT: &str = "Writes need a read-write grant: the user can grant \
     the folder again with read and write access in Switchboard, or run `switchboard grant \
     <folder> --read-write`.";

/// Row, size and time limits. Every call obeys them; a model's own `max_rows` is capped by
/// `max_rows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Rows a query returns when the model does not say.
    pub default_rows: usize,
    /// The most rows a query may return.
    pub max_rows: usize,
    /// Longest text (in bytes) or BLOB (in base64 characters) shown in one cell; longer values
    /// are cut (text) or described by their size (BLOBs).
    pub max_cell_bytes: usize,
    /// Roughly the most bytes of rows in one result; rows beyond it are left out (`truncated`).
    pub max_result_bytes: usize,
    /// How long one call may run before it is stopped.
    pub statement_timeout: Duration,
    /// Longest SQL text accepted.
    pub max_sql_bytes: usize,
    /// Largest string or BLOB SQLite may build or read (SQLITE_LIMIT_LENGTH).
    pub max_value_bytes: usize,
    /// Most bytes of values one result row may hold while SQLite builds it. A statement
    /// whose rows have N columns may build or read values of at most this / N bytes (and
    /// at most `max_value_bytes`), so selecting many large values at once fails with a
    /// clear error instead of holding gigabytes: `SELECT randomblob(1e8), randomblob(1e8),
    /// …` would otherwise hold 100 MB per column before a single cell is cut.
    pub max_row_bytes: usize,
    /// Idle SQLite connections kept open for reuse, over all files.
    pub idle_connections: usize,
    /// Connections open at once to one PostgreSQL database.
    pub postgres_connections: usize,
    /// How deep `list_databases` looks below each granted folder.
    pub scan_depth: usize,
    /// How many directory entries `list_databases` looks at, over all folders.
    pub scan_entries: usize,
    /// How many SQLite files `list_databases` lists.
    pub listed_databases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_rows: 100,
            max_rows: 1000,
            max_cell_bytes: 8 * 1024,
            max_result_bytes: 1024 * 1024,
            statement_timeout: Duration::from_secs(10),
            max_sql_bytes: 100 * 1024,
            max_value_bytes: 128 * 1024 * 1024,
            max_row_bytes: 128 * 1024 * 1024,
            idle_connections: 8,
            postgres_connections: 4,
            scan_depth: 6,
            scan_entries: 20_000,
            listed_databases: 200,
        }
    }
}

impl Limits {
    /// The largest value (in bytes) a statement whose rows have `columns` columns may
    /// build or read: its share of `max_row_bytes`, at most `max_value_bytes`.
    pub fn value_bytes_for(&self, columns: usize) -> usize {
        (self.max_row_bytes / columns.max(1)).clamp(1, self.max_value_bytes.max(1))
    }

    /// The number of rows to return for a request that asked for `requested`.
    pub fn rows_for(&self, requested: Option<usize>) -> usize {
        requested
            .unwrap_or(self.default_rows)
            .clamp(1, self.max_rows.max(1))
    }
}

/// A PostgreSQL database a model may use, under a name such as "analytics".
///
/// Reads run in READ ONLY transactions, which keeps `query` from changing the database; they
/// do not narrow what the role itself may do on the server (a superuser can still read or
/// write server files with `COPY … TO '/file'` or `pg_read_file`). Connect as a role with only
/// the privileges the model should have. Connections are plain TCP or Unix sockets (no TLS).
#[derive(Clone)]
pub struct PostgresDatabase {
    name: String,
    connection: Secret,
    password: Option<Secret>,
    writable: bool,
}

impl PostgresDatabase {
    /// A read-only database reached through `connection_string` (a URL such as
    /// `postgres://user@host:5432/db` or `key=value` pairs such as `host=/run/pg dbname=db`).
    pub fn new(name: impl Into<String>, connection_string: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            connection: Secret(connection_string.into()),
            password: None,
            writable: false,
        }
    }

    /// Sets the password (for example from the keychain); it wins over one in the string.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(Secret(password.into()));
        self
    }

    /// Allows the `execute` tool on this database (off by default).
    #[must_use]
    pub fn writable(mut self, writable: bool) -> Self {
        self.writable = writable;
        self
    }

    /// The name a model uses.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `execute` may change this database.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// The parsed connection settings, with the password applied.
    pub(crate) fn settings(&self) -> Result<tokio_postgres::Config, InvalidConnectionString> {
        let mut config = tokio_postgres::Config::from_str(&self.connection.0)
            .map_err(|_| InvalidConnectionString)?;
        if let Some(password) = &self.password {
            config.password(password.0.as_bytes());
        }
        Ok(config)
    }

    /// The secrets to scrub from any text shown: the connection string and the passwords.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.connection.0.clone()];
        if let Some(password) = &self.password {
            secrets.push(password.0.clone());
        }
        if let Ok(config) = tokio_postgres::Config::from_str(&self.connection.0)
            && let Some(password) = config.get_password()
        {
            secrets.push(String::from_utf8_lossy(password).into_owned());
        }
        secrets.retain(|secret| !secret.is_empty());
        secrets
    }

    /// The form that may be shown: `postgres://user@host:port/db`, never a password or option.
    pub fn display(&self) -> String {
        match tokio_postgres::Config::from_str(&self.connection.0) {
            Ok(config) => display_settings(&config),
            Err(_) => "postgres://(connection string not valid)".to_owned(),
        }
    }
}

impl fmt::Debug for PostgresDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresDatabase")
            .field("name", &self.name)
            .field("server", &self.display())
            .field("writable", &self.writable)
            .finish_non_exhaustive()
    }
}

/// The connection string did not parse (it is not shown: it may hold a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the connection string is not valid (it is not shown because it may hold a password)")]
pub struct InvalidConnectionString;

/// A secret string: a connection string or a password. It never prints itself.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `postgres://user@host:port/db` from parsed settings: user, first host, first port and
/// database only.
pub(crate) fn display_settings(config: &tokio_postgres::Config) -> String {
    let mut shown = String::from("postgres://");
    if let Some(user) = config.get_user() {
        shown.push_str(user);
        shown.push('@');
    }
    match config.get_hosts().first() {
        Some(Host::Tcp(host)) => shown.push_str(host),
        #[cfg(unix)]
        Some(Host::Unix(path)) => shown.push_str(&format!("[{}]", path.display())),
        None => shown.push_str("localhost"),
    }
    if let Some(port) = config.get_ports().first() {
        shown.push_str(&format!(":{port}"));
    }
    if let Some(database) = config.get_dbname() {
        shown.push('/');
        shown.push_str(database);
    }
    shown
}

/// Replaces every secret in `text` with `<redacted>`.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        if !secret.is_empty() && text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "<redacted>");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_form_shows_user_host_port_and_database_only() {
        let database = PostgresDatabase::new(
            "analytics",
            "postgres://reader:hunter2@db.example:6543/sales?application_name=x&options=-c%20a%3Db",
        );
        assert_eq!(
            database.display(),
            "postgres://reader@db.example:6543/sales",
            "only user, host, port and database may be shown"
        );
        let debug = format!("{database:?}");
        assert!(
            !debug.contains("hunter2"),
            "Debug must not show the password: {debug}"
        );
    }

    #[test]
    fn key_value_strings_and_sockets_are_shown_without_secrets() {
        let database = PostgresDatabase::new(
            "local",
            "host=/run/postgresql user=me password=s3cret dbname=app",
        );
        let shown = database.display();
        assert_eq!(shown, "postgres://me@[/run/postgresql]/app");
        assert!(!shown.contains("s3cret"));
    }

    #[test]
    fn a_broken_connection_string_is_never_echoed() {
        let database = PostgresDatabase::new("x", "postgres://u:pw-canary@host:notaport/db");
        assert!(!database.display().contains("pw-canary"));
        let error = database.settings().map(|_| ()).unwrap_err().to_string();
        assert!(!error.contains("pw-canary"), "{error}");
    }

    #[test]
    fn scrub_removes_the_string_and_the_password() {
        let database = PostgresDatabase::new("x", "postgres://u:pw-canary@h/db")
            .with_password("keychain-canary");
        let text = "failed for postgres://u:pw-canary@h/db with pw-canary and keychain-canary";
        let scrubbed = scrub(text, &database.secrets());
        assert!(
            !scrubbed.contains("canary"),
            "every secret must be scrubbed: {scrubbed}"
        );
    }

    #[test]
    fn rows_for_caps_the_request_by_the_limit() {
        let limits = Limits {
            default_rows: 10,
            max_rows: 50,
            ..Limits::default()
        };
        assert_eq!(limits.rows_for(None), 10);
        assert_eq!(limits.rows_for(Some(5)), 5);
        assert_eq!(limits.rows_for(Some(5000)), 50);
        assert_eq!(limits.rows_for(Some(0)), 1);
    }
}
