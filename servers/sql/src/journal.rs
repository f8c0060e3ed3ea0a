//! The record of every write: [`WriteRecord`] (what changed, never parameter values), the
//! [`WriteJournal`] the host implements to store them, and [`TracingJournal`], the default
//! that logs through `tracing`.
//!
//! Must not hold parameter values or connection strings, and must not block a call for long:
//! the host's `record` runs on the call's thread after the change is committed.

/// Which kind of database a write went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// A SQLite file.
    Sqlite,
    /// A configured PostgreSQL database.
    Postgres,
}

impl Engine {
    /// "sqlite" or "postgres", for storing.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// One committed write statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRecord {
    /// The SQLite file's path, or the PostgreSQL database's name.
    pub database: String,
    /// Which kind of database.
    pub engine: Engine,
    /// The statement as the model wrote it (values passed as parameters are not in it).
    pub statement: String,
    /// How many parameter values were bound (the values are not recorded).
    pub parameters: usize,
    /// Rows inserted, updated or deleted, as the database reports.
    pub rows_changed: u64,
    /// SQLite's rowid of the last inserted row, when the statement inserted.
    pub last_insert_id: Option<i64>,
    /// Tables the statement writes to, as SQLite's authorizer reported them while preparing
    /// it (including tables written by triggers). Empty for PostgreSQL.
    pub tables: Vec<String>,
    /// When the change was committed.
    pub at: jiff::Timestamp,
}

/// Where writes are recorded. The daemon stores them; [`TracingJournal`] logs them.
pub trait WriteJournal: Send + Sync + 'static {
    /// Called once per committed statement, after the commit.
    fn record(&self, entry: &WriteRecord);
}

/// Logs each write at INFO through `tracing` (statement cut to 500 characters, no values).
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingJournal;

impl WriteJournal for TracingJournal {
    fn record(&self, entry: &WriteRecord) {
        let statement: String = entry.statement.chars().take(500).collect();
        tracing::info!(
            database = %entry.database,
            engine = entry.engine.as_str(),
            statement = %statement,
            parameters = entry.parameters,
            rows_changed = entry.rows_changed,
            last_insert_id = ?entry.last_insert_id,
            tables = ?entry.tables,
            "sql write"
        );
    }
}
