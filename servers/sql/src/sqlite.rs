//! SQLite files: opening them (read-only for reading, read-write for `execute`) with everything
//! that reaches outside the file switched off, the authorizer and the time limit installed; a
//! small cache of idle connections; and the operations the tools run.
//!
//! Must not decide which files may be opened (that is [`crate::DatabaseFiles`], asked by the
//! caller before every call) and must not judge statements by their text: SQLite prepares each
//! statement and reports, action by action and through `sqlite3_stmt_readonly`, what it does.
//! All work here is blocking and runs on tokio's blocking pool.

mod catalog;
mod policy;

use std::{
    collections::VecDeque,
    panic::{AssertUnwindSafe, catch_unwind},
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use rusqlite::{
    Batch, Connection, ErrorCode, OpenFlags, Statement,
    config::DbConfig,
    fallible_iterator::FallibleIterator,
    hooks::{AuthContext, Authorization},
    limits::Limit,
    types::ValueRef,
};
use serde_json::Value;

use crate::{
    cells::{RowBudget, Rows, blob_cell, real_cell, text_bytes_cell},
    config::Limits,
    error::SqlError,
    journal::{Engine, WriteRecord},
    params::{Params, WriteStatement, named_value, sqlite_value},
    results::{ColumnHead, ReturnedRows, StatementOutcome, TableDescription, TableEntry},
};

pub(crate) use policy::Mode;
use policy::{Decision, decide, written_table};

/// The SQLite side of the server: limits and idle connections. Shared by every session.
#[derive(Debug)]
pub(crate) struct SqliteEngine {
    limits: Limits,
    idle: Mutex<VecDeque<Session>>,
}

/// The identity of a file on disk, so a cached connection is not reused for a file that was
/// replaced under the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

fn file_identity(path: &Path) -> Option<FileIdentity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|metadata| FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// An open connection with its guard.
struct Session {
    path: PathBuf,
    identity: Option<FileIdentity>,
    mode: Mode,
    connection: Connection,
    guard: Arc<Guard>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// State shared between a connection's authorizer and progress handler and the call running
/// on it.
#[derive(Debug)]
struct Guard {
    mode: Mode,
    /// True only while the server runs its own BEGIN/COMMIT/ROLLBACK.
    internal: AtomicBool,
    call: Mutex<Call>,
    /// Why the authorizer last refused, for the message.
    denial: Mutex<Option<String>>,
    /// Tables the statement being prepared writes to.
    written: Mutex<Vec<String>>,
    /// Whether the statement being prepared inserts at top level.
    inserts: AtomicBool,
}

/// The current call's limits, read by the progress handler.
#[derive(Debug)]
struct Call {
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Guard {
    fn new(mode: Mode) -> Self {
        Self {
            mode,
            internal: AtomicBool::new(false),
            call: Mutex::new(Call {
                deadline: Instant::now(),
                cancelled: Arc::new(AtomicBool::new(false)),
            }),
            denial: Mutex::new(None),
            written: Mutex::new(Vec::new()),
            inserts: AtomicBool::new(false),
        }
    }

    fn start(&self, deadline: Instant, cancelled: Arc<AtomicBool>) {
        *lock(&self.call) = Call {
            deadline,
            cancelled,
        };
    }

    fn set_deadline(&self, deadline: Instant) {
        lock(&self.call).deadline = deadline;
    }

    fn deadline(&self) -> Instant {
        lock(&self.call).deadline
    }

    /// Whether the running statement must stop (the progress handler asks).
    fn should_stop(&self) -> bool {
        let call = lock(&self.call);
        call.cancelled.load(Ordering::Relaxed) || Instant::now() >= call.deadline
    }

    fn was_cancelled(&self) -> bool {
        lock(&self.call).cancelled.load(Ordering::Relaxed)
    }

    fn authorize(&self, context: &AuthContext<'_>) -> Authorization {
        match decide(
            &context.action,
            self.mode,
            self.internal.load(Ordering::Relaxed),
        ) {
            Decision::Allow => {
                if let Some(table) = written_table(&context.action) {
                    let mut written = lock(&self.written);
                    if !written.iter().any(|known| known == table) {
                        written.push(table.to_owned());
                    }
                    if context.accessor.is_none()
                        && matches!(context.action, rusqlite::hooks::AuthAction::Insert { .. })
                    {
                        self.inserts.store(true, Ordering::Relaxed);
                    }
                }
                Authorization::Allow
            }
            Decision::Deny(reason) => {
                *lock(&self.denial) = Some(reason);
                Authorization::Deny
            }
        }
    }

    fn clear_statement(&self) {
        lock(&self.denial).take();
        lock(&self.written).clear();
        self.inserts.store(false, Ordering::Relaxed);
    }

    fn take_writes(&self) -> (Vec<String>, bool) {
        (
            std::mem::take(&mut *lock(&self.written)),
            self.inserts.swap(false, Ordering::Relaxed),
        )
    }

    /// Runs the server's own transaction statement.
    fn internally(&self, connection: &Connection, sql: &str) -> rusqlite::Result<()> {
        self.internal.store(true, Ordering::Relaxed);
        let result = connection.execute_batch(sql);
        self.internal.store(false, Ordering::Relaxed);
        result
    }
}

impl Session {
    fn open(path: &Path, mode: Mode, limits: &Limits) -> Result<Self, SqlError> {
        let access = match mode {
            Mode::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Mode::Write => OpenFlags::SQLITE_OPEN_READ_WRITE,
        };
        // No SQLITE_OPEN_URI (a file name is never read as a URI with options) and no CREATE.
        let flags = access
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_EXRESCODE;
        let identity = file_identity(path);
        let connection = Connection::open_with_flags(path, flags).map_err(|error| {
            SqlError::Sqlite(format!("could not open {}: {error}", path.display()))
        })?;
        let guard = Arc::new(Guard::new(mode));
        Self::harden(&connection, mode, limits, &guard).map_err(|error| {
            SqlError::Sqlite(format!("could not prepare {}: {error}", path.display()))
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            identity,
            mode,
            connection,
            guard,
        })
    }

    /// Switches off everything that reaches outside the file, and installs the limits, the
    /// authorizer and the progress handler.
    fn harden(
        connection: &Connection,
        mode: Mode,
        limits: &Limits,
        guard: &Arc<Guard>,
    ) -> rusqlite::Result<()> {
        let clamp = |value: usize| i32::try_from(value).unwrap_or(i32::MAX);
        connection.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
        connection.set_limit(Limit::SQLITE_LIMIT_LENGTH, clamp(limits.max_value_bytes))?;
        connection.set_limit(
            Limit::SQLITE_LIMIT_SQL_LENGTH,
            clamp(limits.max_sql_bytes.max(4096)),
        )?;
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false)?;
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false)?;
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false)?;
        match mode {
            Mode::Read => connection.pragma_update(None, "query_only", true)?,
            // Changes a model makes honour the schema's foreign keys (and their cascades).
            Mode::Write => connection.pragma_update(None, "foreign_keys", true)?,
        }
        let authorizer = Arc::clone(guard);
        connection.authorizer(Some(move |context: AuthContext<'_>| {
            authorizer.authorize(&context)
        }))?;
        let progress = Arc::clone(guard);
        connection.progress_handler(1000, Some(move || progress.should_stop()))?;
        Ok(())
    }

    /// Sets the largest string or BLOB SQLite may build or read on this connection.
    fn set_value_limit(&self, bytes: usize, limits: &Limits) -> Result<(), SqlError> {
        self.connection
            .set_limit(Limit::SQLITE_LIMIT_LENGTH, clamp_limit(bytes))
            .map(drop)
            .map_err(|error| self.error(&error, limits))
    }

    /// The error a model sees for a failure on this connection.
    fn error(&self, error: &rusqlite::Error, limits: &Limits) -> SqlError {
        // SQLite reports some refusals (functions) as plain errors: the authorizer's reason
        // is the better message whenever it refused something in this statement.
        if let Some(reason) = lock(&self.guard.denial).take() {
            return SqlError::NotAllowed(reason);
        }
        if let rusqlite::Error::SqliteFailure(failure, message) = error {
            match failure.code {
                ErrorCode::OperationInterrupted => {
                    return if self.guard.was_cancelled() {
                        SqlError::Cancelled
                    } else {
                        SqlError::Timeout(limits.statement_timeout)
                    };
                }
                ErrorCode::AuthorizationForStatementDenied => {
                    return SqlError::NotAllowed(
                        "the statement does something the tool does not allow".to_owned(),
                    );
                }
                ErrorCode::ReadOnly if self.mode == Mode::Read => return SqlError::NotReadOnly,
                _ => {
                    if let Some(message) = message {
                        return SqlError::Sqlite(message.clone());
                    }
                }
            }
        }
        SqlError::Sqlite(error.to_string())
    }

    /// Prepares exactly one statement; more than one, or none, is refused.
    fn prepare_one<'c>(&'c self, sql: &str, limits: &Limits) -> Result<Statement<'c>, SqlError> {
        if sql.len() > limits.max_sql_bytes {
            return Err(SqlError::TooLong {
                bytes: sql.len(),
                limit: limits.max_sql_bytes,
            });
        }
        self.guard.clear_statement();
        let mut batch = Batch::new(&self.connection, sql);
        let first = batch
            .next()
            .map_err(|error| self.error(&error, limits))?
            .ok_or(SqlError::EmptyStatement)?;
        let writes = self.guard.take_writes();
        // SQLite prepares the rest of the text: anything but comments and blanks is another
        // statement.
        match batch.next() {
            Ok(None) => {
                self.guard.clear_statement();
                *lock(&self.guard.written) = writes.0;
                self.guard.inserts.store(writes.1, Ordering::Relaxed);
                Ok(first)
            }
            Ok(Some(_)) | Err(_) => Err(SqlError::MultipleStatements),
        }
    }
}

/// The statement's parameters as SQLite names them (":id", "?2"), for messages.
fn parameter_names(statement: &Statement<'_>) -> String {
    (1..=statement.parameter_count())
        .map(|index| {
            statement
                .parameter_name(index)
                .map_or_else(|| format!("?{index}"), str::to_owned)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds `params` to the statement's parameters; returns how many values were bound.
fn bind(statement: &mut Statement<'_>, params: Option<&Params>) -> Result<usize, SqlError> {
    let expected = statement.parameter_count();
    let bind_error = |error: rusqlite::Error| SqlError::Parameters(error.to_string());
    match params {
        None if expected == 0 => Ok(0),
        Some(given) if given.is_empty() && expected == 0 => Ok(0),
        None => Err(SqlError::Parameters(format!(
            "the statement has {expected} parameter(s) ({}) but no params were given; pass \
             params as an array (by position) or an object (by name)",
            parameter_names(statement)
        ))),
        Some(Params::Positional(values)) => {
            if values.len() != expected {
                return Err(SqlError::Parameters(format!(
                    "the statement has {expected} parameter(s){} but {} value(s) were given",
                    if expected > 0 {
                        format!(" ({})", parameter_names(statement))
                    } else {
                        String::new()
                    },
                    values.len()
                )));
            }
            for (index, value) in values.iter().enumerate() {
                let value = sqlite_value(value).map_err(SqlError::Parameters)?;
                statement
                    .raw_bind_parameter(index + 1, value)
                    .map_err(bind_error)?;
            }
            Ok(expected)
        }
        Some(Params::Named(values)) => {
            let mut used = Vec::new();
            for index in 1..=expected {
                let Some(name) = statement.parameter_name(index).map(str::to_owned) else {
                    return Err(SqlError::Parameters(format!(
                        "parameter ?{index} has no name, so it cannot take a named value; pass \
                         params as an array"
                    )));
                };
                let Some(value) = named_value(values, &name) else {
                    return Err(SqlError::Parameters(format!(
                        "no value for the parameter {name}; the statement's parameters are: {}",
                        parameter_names(statement)
                    )));
                };
                used.push(name);
                let value = sqlite_value(value).map_err(SqlError::Parameters)?;
                statement
                    .raw_bind_parameter(index, value)
                    .map_err(bind_error)?;
            }
            let unused: Vec<&String> = values
                .keys()
                .filter(|key| {
                    !used.iter().any(|name| {
                        name == *key || name.trim_start_matches([':', '@', '$']) == key.as_str()
                    })
                })
                .collect();
            if !unused.is_empty() {
                return Err(SqlError::Parameters(format!(
                    "params names values the statement does not use: {}; its parameters are: {}",
                    unused
                        .iter()
                        .map(|key| key.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if expected == 0 {
                        "none".to_owned()
                    } else {
                        parameter_names(statement)
                    }
                )));
            }
            Ok(expected)
        }
    }
}

/// A column's name, even when a crafted file holds one that is not UTF-8.
fn column_name(statement: &Statement<'_>, index: usize) -> String {
    catch_unwind(AssertUnwindSafe(|| {
        statement.column_name(index).map(str::to_owned).ok()
    }))
    .ok()
    .flatten()
    .unwrap_or_else(|| format!("column {}", index + 1))
}

/// One row's values as JSON, and how many were cut.
fn row_values(
    row: &rusqlite::Row<'_>,
    count: usize,
    max_cell_bytes: usize,
) -> rusqlite::Result<(Vec<Value>, usize)> {
    let mut values = Vec::with_capacity(count);
    let mut cut = 0;
    for index in 0..count {
        let (value, was_cut) = match row.get_ref(index)? {
            ValueRef::Null => (Value::Null, false),
            ValueRef::Integer(integer) => (Value::from(integer), false),
            ValueRef::Real(real) => (real_cell(real), false),
            ValueRef::Text(bytes) => text_bytes_cell(bytes, max_cell_bytes),
            ValueRef::Blob(bytes) => blob_cell(bytes, max_cell_bytes),
        };
        cut += usize::from(was_cut);
        values.push(value);
    }
    Ok((values, cut))
}

/// Holds SQLite's value length limit (SQLITE_LIMIT_LENGTH) to one statement's share of
/// the row limit while its rows are stepped, and puts the connection's own limit back when
/// dropped. SQLite checks the limit as it builds or reads each value, so a wide row of
/// large values fails at the first value over its share, before the row is held.
struct RowWidthLimit<'s> {
    session: &'s Session,
    restore: usize,
    value_limit: usize,
    row_limit: usize,
    columns: usize,
}

impl<'s> RowWidthLimit<'s> {
    fn hold(session: &'s Session, columns: usize, limits: &Limits) -> Result<Self, SqlError> {
        let value_limit = limits.value_bytes_for(columns);
        session.set_value_limit(value_limit, limits)?;
        Ok(Self {
            session,
            restore: limits.max_value_bytes,
            value_limit,
            row_limit: limits.max_row_bytes,
            columns,
        })
    }

    /// The error a model sees for a failure while stepping.
    fn error(&self, error: &rusqlite::Error, limits: &Limits) -> SqlError {
        if error.sqlite_error_code() == Some(ErrorCode::TooBig) {
            return SqlError::ValueTooLarge {
                value_limit: self.value_limit,
                row_limit: self.row_limit,
                columns: self.columns,
            };
        }
        self.session.error(error, limits)
    }
}

impl Drop for RowWidthLimit<'_> {
    fn drop(&mut self) {
        // Only fails for a negative value, which `clamp_limit` never gives.
        let _ = self
            .session
            .connection
            .set_limit(Limit::SQLITE_LIMIT_LENGTH, clamp_limit(self.restore));
    }
}

/// A limit as SQLite takes it.
fn clamp_limit(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Steps through a statement's rows, keeping what the budget takes. While it steps, no
/// value may be larger than the statement's share of `max_row_bytes`.
fn collect_rows(
    session: &Session,
    statement: &mut Statement<'_>,
    mut budget: RowBudget,
    limits: &Limits,
    drain: bool,
) -> Result<RowBudget, SqlError> {
    let count = statement.column_count();
    let width = RowWidthLimit::hold(session, count, limits)?;
    let mut rows = statement.raw_query();
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(error) => return Err(width.error(&error, limits)),
        };
        if !budget.wants_more() {
            if drain {
                continue;
            }
            break;
        }
        let (values, cut) = row_values(row, count, limits.max_cell_bytes)
            .map_err(|error| width.error(&error, limits))?;
        budget.push(values, cut);
    }
    Ok(budget)
}

/// Clears the interrupt target when a call ends, so a late timeout never interrupts the next
/// call on the same connection.
type InterruptSlot = Arc<Mutex<Option<rusqlite::InterruptHandle>>>;

/// Sets the cancelled flag and interrupts the running statement when the caller goes away.
struct CancelOnDrop {
    cancelled: Arc<AtomicBool>,
    interrupt: InterruptSlot,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
        if let Some(handle) = lock(&self.interrupt).as_ref() {
            handle.interrupt();
        }
    }
}

impl SqliteEngine {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            idle: Mutex::new(VecDeque::new()),
        }
    }

    fn checkout(&self, path: &Path, mode: Mode) -> Result<Session, SqlError> {
        let identity = file_identity(path);
        let reused = {
            let mut idle = lock(&self.idle);
            idle.iter()
                .position(|session| {
                    session.path == path && session.mode == mode && session.identity == identity
                })
                .and_then(|index| idle.remove(index))
        };
        match reused {
            Some(session) => Ok(session),
            None => Session::open(path, mode, &self.limits),
        }
    }

    fn checkin(&self, session: Session) {
        if !session.connection.is_autocommit() || self.limits.idle_connections == 0 {
            return;
        }
        let dropped = {
            let mut idle = lock(&self.idle);
            idle.push_back(session);
            let excess = idle.len().saturating_sub(self.limits.idle_connections);
            idle.drain(..excess).collect::<Vec<_>>()
        };
        drop(dropped);
    }

    /// Runs `work` on a connection to `path` in `mode`, on the blocking pool, within the
    /// statement timeout; the caller going away cancels it.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        path: PathBuf,
        mode: Mode,
        work: impl FnOnce(&Session, &Limits) -> Result<T, SqlError> + Send + 'static,
    ) -> Result<T, SqlError> {
        let engine = Arc::clone(self);
        let cancelled = Arc::new(AtomicBool::new(false));
        let interrupt: InterruptSlot = Arc::new(Mutex::new(None));
        let _cancel = CancelOnDrop {
            cancelled: Arc::clone(&cancelled),
            interrupt: Arc::clone(&interrupt),
        };
        let timeout = self.limits.statement_timeout;
        let deadline = Instant::now() + timeout;
        let slot = Arc::clone(&interrupt);
        let task = tokio::task::spawn_blocking(move || {
            let session = engine.checkout(&path, mode)?;
            *lock(&slot) = Some(session.connection.get_interrupt_handle());
            session.guard.start(deadline, cancelled);
            let remaining = deadline.saturating_duration_since(Instant::now());
            let result = session
                .connection
                .busy_timeout(remaining.max(Duration::from_millis(1)))
                .map_err(|error| session.error(&error, &engine.limits))
                .and_then(|()| work(&session, &engine.limits));
            lock(&slot).take();
            engine.checkin(session);
            result
        });
        // A backstop: the progress handler stops statements at the deadline; this answers even
        // if SQLite is stuck somewhere it does not call it.
        match tokio::time::timeout(timeout + Duration::from_secs(2), task).await {
            Ok(Ok(result)) => result,
            Ok(Err(error)) => Err(SqlError::Internal(format!(
                "the database task failed: {error}"
            ))),
            Err(_) => {
                if let Some(handle) = lock(&interrupt).as_ref() {
                    handle.interrupt();
                }
                Err(SqlError::Timeout(timeout))
            }
        }
    }

    /// Runs one read-only statement and returns up to `max_rows` rows.
    pub(crate) async fn query(
        self: &Arc<Self>,
        path: PathBuf,
        sql: String,
        params: Option<Params>,
        max_rows: usize,
    ) -> Result<Rows, SqlError> {
        self.run(path, Mode::Read, move |session, limits| {
            let mut statement = session.prepare_one(&sql, limits)?;
            if !statement.readonly() {
                return Err(SqlError::NotReadOnly);
            }
            bind(&mut statement, params.as_ref())?;
            let columns = (0..statement.column_count())
                .map(|index| ColumnHead {
                    name: column_name(&statement, index),
                    type_name: None,
                })
                .collect();
            let budget = RowBudget::new(max_rows, limits.max_result_bytes);
            let budget = collect_rows(session, &mut statement, budget, limits, false)?;
            Ok(Rows { columns, budget })
        })
        .await
    }

    /// Runs the statements in one transaction: all are committed, or none.
    pub(crate) async fn execute(
        self: &Arc<Self>,
        path: PathBuf,
        statements: Vec<WriteStatement>,
    ) -> Result<(Vec<StatementOutcome>, Vec<WriteRecord>), SqlError> {
        self.run(path, Mode::Write, move |session, limits| {
            let total = statements.len();
            session
                .guard
                .internally(&session.connection, "BEGIN IMMEDIATE")
                .map_err(|error| session.error(&error, limits))?;
            let result = statements
                .iter()
                .enumerate()
                .map(|(index, statement)| {
                    run_write(session, statement, limits).map_err(|error| {
                        if total > 1 {
                            SqlError::InStatement {
                                index: index + 1,
                                total,
                                reason: Box::new(error),
                            }
                        } else {
                            error
                        }
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|outcomes| {
                    session
                        .guard
                        .internally(&session.connection, "COMMIT")
                        .map_err(|error| session.error(&error, limits))?;
                    Ok(outcomes)
                });
            if !session.connection.is_autocommit() {
                // Best effort: a failed rollback leaves the connection out of the cache.
                let _ = session.guard.internally(&session.connection, "ROLLBACK");
            }
            let outcomes = result?;
            let at = jiff::Timestamp::now();
            let records = statements
                .iter()
                .zip(&outcomes)
                .map(|(statement, outcome)| WriteRecord {
                    database: session.path.display().to_string(),
                    engine: Engine::Sqlite,
                    statement: statement.sql.clone(),
                    parameters: statement.params.as_ref().map_or(0, Params::len),
                    rows_changed: outcome.rows_changed,
                    last_insert_id: outcome.last_insert_id,
                    tables: outcome.tables.clone(),
                    at,
                })
                .collect();
            Ok((outcomes, records))
        })
        .await
    }

    /// Tables and views of the file.
    pub(crate) async fn list_tables(
        self: &Arc<Self>,
        path: PathBuf,
    ) -> Result<(Vec<TableEntry>, bool), SqlError> {
        self.run(path, Mode::Read, move |session, limits| {
            catalog::list_tables(session, limits)
        })
        .await
    }

    /// Columns, keys and indexes of one table or view.
    pub(crate) async fn describe_table(
        self: &Arc<Self>,
        path: PathBuf,
        table: String,
    ) -> Result<TableDescription, SqlError> {
        self.run(path, Mode::Read, move |session, limits| {
            catalog::describe_table(session, &table, limits)
        })
        .await
    }
}

/// Runs one statement of an `execute` call inside the open transaction.
fn run_write(
    session: &Session,
    statement: &WriteStatement,
    limits: &Limits,
) -> Result<StatementOutcome, SqlError> {
    let mut prepared = session.prepare_one(&statement.sql, limits)?;
    let (tables, inserts) = session.guard.take_writes();
    bind(&mut prepared, statement.params.as_ref())?;
    let returned = if prepared.column_count() > 0 {
        let columns = (0..prepared.column_count())
            .map(|index| column_name(&prepared, index))
            .collect();
        let budget = RowBudget::new(limits.default_rows, limits.max_result_bytes);
        // Every row is stepped so the whole statement runs; only the first ones are kept.
        let budget = collect_rows(session, &mut prepared, budget, limits, true)?;
        Some(ReturnedRows {
            columns,
            truncated: budget.stopped.is_some(),
            rows: budget.rows,
        })
    } else {
        prepared
            .raw_execute()
            .map_err(|error| session.error(&error, limits))?;
        None
    };
    drop(prepared);
    let rows_changed = if tables.is_empty() {
        0
    } else {
        session.connection.changes()
    };
    Ok(StatementOutcome {
        rows_changed,
        last_insert_id: (inserts && rows_changed > 0)
            .then(|| session.connection.last_insert_rowid()),
        tables,
        returned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_fixture(mode: Mode) -> (tempfile::TempDir, Session, Limits) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
            .unwrap();
        let limits = Limits::default();
        let session = Session::open(&path, mode, &limits).unwrap();
        session.guard.start(
            Instant::now() + Duration::from_secs(10),
            Arc::new(AtomicBool::new(false)),
        );
        (dir, session, limits)
    }

    fn run(session: &Session, sql: &str, limits: &Limits) -> Result<(), SqlError> {
        let mut statement = session.prepare_one(sql, limits)?;
        statement
            .raw_execute()
            .map(|_| ())
            .map_err(|error| session.error(&error, limits))
    }

    #[test]
    fn vacuum_into_fails_even_outside_a_transaction() {
        let (dir, session, limits) = open_fixture(Mode::Write);
        let copy = dir.path().join("copy.db");
        let outcome = run(
            &session,
            &format!("VACUUM INTO '{}'", copy.display()),
            &limits,
        );
        assert!(
            outcome.is_err(),
            "no attached databases are allowed, so VACUUM INTO cannot run"
        );
        assert!(!copy.exists(), "no file was written outside the database");
    }

    #[test]
    fn a_read_connection_cannot_write_even_past_the_authorizer() {
        let (_dir, session, limits) = open_fixture(Mode::Read);
        // The server never does this; it shows the file is opened read-only underneath.
        session.guard.internal.store(true, Ordering::Relaxed);
        let outcome = session.connection.execute_batch("BEGIN IMMEDIATE");
        session.guard.internal.store(false, Ordering::Relaxed);
        assert!(
            outcome.is_err(),
            "a read-only file refuses a write transaction"
        );
        let outcome = run(&session, "INSERT INTO t VALUES (3)", &limits);
        assert!(
            matches!(outcome, Err(SqlError::NotAllowed(_))),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_cancelled_call_stops_its_statement() {
        let (_dir, session, limits) = open_fixture(Mode::Read);
        session.guard.start(
            Instant::now() + Duration::from_secs(60),
            Arc::new(AtomicBool::new(true)),
        );
        let mut statement = session
            .prepare_one(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                 SELECT count(*) FROM n",
                &limits,
            )
            .unwrap();
        let outcome = collect_rows(
            &session,
            &mut statement,
            RowBudget::new(10, 1000),
            &limits,
            false,
        );
        assert!(matches!(outcome, Err(SqlError::Cancelled)), "{outcome:?}");
    }
}
