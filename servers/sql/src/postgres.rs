//! Configured PostgreSQL databases: a small pool of connections per database, every read in a
//! READ ONLY transaction with a statement timeout, writes (only where configured writable) in
//! one transaction, and errors scrubbed of the connection string and password.
//!
//! Must not let a connection string or password reach an error, a log line, Debug output or a
//! result; must not decide what is read-only by reading SQL (PostgreSQL's read-only
//! transaction does). Plain TCP or Unix sockets (no TLS).

mod binding;
mod catalog;
mod decode;

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use futures_util::StreamExt;
use serde_json::Value;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    task::JoinHandle,
};
use tokio_postgres::{
    Client, NoTls, Row, Statement,
    error::SqlState,
    types::{FromSql, Type},
};

use crate::{
    cells::{RowBudget, Rows},
    config::{InvalidConnectionString, Limits, PostgresDatabase, scrub},
    error::SqlError,
    journal::{Engine, WriteRecord},
    params::{Params, WriteStatement},
    results::{ColumnHead, ReturnedRows, StatementOutcome, TableDescription, TableEntry},
};

use binding::{TextParam, text_for};

/// Time allowed for ROLLBACK or COMMIT bookkeeping after the statement itself.
const GRACE: Duration = Duration::from_secs(2);

/// One configured database and its idle connections.
pub(crate) struct PgDatabase {
    config: PostgresDatabase,
    settings: Result<tokio_postgres::Config, InvalidConnectionString>,
    secrets: Vec<String>,
    server: String,
    idle: Mutex<Vec<PgConnection>>,
    permits: Arc<Semaphore>,
}

impl fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgDatabase")
            .field("name", &self.config.name())
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// A connection and the task that drives it; dropping it closes the socket at once.
struct PgConnection {
    client: Client,
    driver: JoinHandle<()>,
}

impl Drop for PgConnection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// A connection inside an open transaction. Dropping it without [`Self::finish`] discards
/// the connection, which ends the transaction on the server.
struct Transaction {
    database: Arc<PgDatabase>,
    connection: PgConnection,
    _permit: OwnedSemaphorePermit,
}

impl Transaction {
    fn client(&self) -> &Client {
        &self.connection.client
    }

    /// Ends the transaction (COMMIT when `commit`, else ROLLBACK) and keeps the connection
    /// for reuse when that worked.
    async fn finish(self, commit: bool) -> Result<(), tokio_postgres::Error> {
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        match tokio::time::timeout(GRACE, self.connection.client.batch_execute(sql)).await {
            Ok(Ok(())) => {
                let Self {
                    database,
                    connection,
                    _permit,
                } = self;
                database.checkin(connection);
                Ok(())
            }
            Ok(Err(error)) => Err(error),
            // The connection is dropped, which rolls back on the server.
            Err(_) => Ok(()),
        }
    }
}

/// Reads any value's raw bytes, whatever its type.
struct RawCell<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for RawCell<'a> {
    fn from_sql(
        _ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self(Some(raw)))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn millis(duration: Duration) -> u128 {
    duration.as_millis().max(1)
}

/// One row as JSON, and how many cells were cut.
fn row_values(row: &Row, max_cell_bytes: usize) -> (Vec<Value>, usize) {
    let mut cut = 0;
    let values = row
        .columns()
        .iter()
        .enumerate()
        .map(
            |(index, column)| match row.try_get::<_, RawCell<'_>>(index) {
                Ok(RawCell(None)) => Value::Null,
                Ok(RawCell(Some(raw))) => {
                    let (value, was_cut) = decode::decode(column.type_(), raw, max_cell_bytes);
                    cut += usize::from(was_cut);
                    value
                }
                Err(_) => Value::String(format!(
                    "<{} value that could not be read>",
                    column.type_().name()
                )),
            },
        )
        .collect();
    (values, cut)
}

/// An error with its causes ("error connecting to server: Connection refused"), or for a
/// server error its message, detail and hint. Not yet scrubbed.
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db_error) = error.as_db_error() {
        let mut text = db_error.message().to_owned();
        if let Some(detail) = db_error.detail() {
            text.push_str(" (");
            text.push_str(detail);
            text.push(')');
        }
        if let Some(hint) = db_error.hint() {
            text.push_str("; hint: ");
            text.push_str(hint);
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The parameters in PostgreSQL's positional form.
fn positional(params: Option<&Params>) -> Result<&[Value], SqlError> {
    match params {
        None => Ok(&[]),
        Some(Params::Positional(values)) => Ok(values),
        Some(Params::Named(values)) if values.is_empty() => Ok(&[]),
        Some(Params::Named(_)) => Err(SqlError::Parameters(
            "PostgreSQL takes parameters by position ($1, $2, …): pass params as an array"
                .to_owned(),
        )),
    }
}

fn bind(statement: &Statement, values: &[Value]) -> Result<Vec<TextParam>, SqlError> {
    let types = statement.params();
    if types.len() != values.len() {
        return Err(SqlError::Parameters(format!(
            "the statement has {} parameter(s){} but {} value(s) were given",
            types.len(),
            if types.is_empty() {
                String::new()
            } else {
                format!(" ($1…${})", types.len())
            },
            values.len()
        )));
    }
    types
        .iter()
        .zip(values)
        .enumerate()
        .map(|(index, (ty, value))| {
            text_for(value, ty)
                .map_err(|error| SqlError::Parameters(format!("parameter ${}: {error}", index + 1)))
        })
        .collect()
}

fn column_heads(statement: &Statement) -> Vec<ColumnHead> {
    statement
        .columns()
        .iter()
        .map(|column| ColumnHead {
            name: column.name().to_owned(),
            type_name: Some(column.type_().name().to_owned()),
        })
        .collect()
}

impl PgDatabase {
    pub(crate) fn new(config: PostgresDatabase, limits: &Limits) -> Self {
        Self {
            settings: config.settings(),
            secrets: config.secrets(),
            server: config.display(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(limits.postgres_connections.max(1))),
            config,
        }
    }

    pub(crate) fn name(&self) -> &str {
        self.config.name()
    }

    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    pub(crate) fn is_writable(&self) -> bool {
        self.config.is_writable()
    }

    fn scrubbed(&self, text: &str) -> String {
        scrub(text, &self.secrets)
    }

    /// The error a model sees: PostgreSQL's message, detail and hint, scrubbed of secrets.
    fn error(&self, error: &tokio_postgres::Error, limits: &Limits) -> SqlError {
        let Some(db_error) = error.as_db_error() else {
            return SqlError::Postgres(self.scrubbed(&describe(error)));
        };
        let code = db_error.code();
        if *code == SqlState::QUERY_CANCELED {
            return SqlError::Timeout(limits.statement_timeout);
        }
        if *code == SqlState::SYNTAX_ERROR
            && db_error
                .message()
                .starts_with("cannot insert multiple commands")
        {
            return SqlError::MultipleStatements;
        }
        let mut message = describe(error);
        if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            message.push_str(
                ". query runs in a READ ONLY transaction; use the execute tool for changes (it \
                 works only on databases configured writable)",
            );
        }
        SqlError::Postgres(self.scrubbed(&message))
    }

    fn connect_error(&self, reason: &str) -> SqlError {
        SqlError::Connect {
            name: self.name().to_owned(),
            server: self.server.clone(),
            reason: self.scrubbed(reason),
        }
    }

    async fn connect(&self, limits: &Limits) -> Result<PgConnection, SqlError> {
        let mut settings = self
            .settings
            .clone()
            .map_err(|error| self.connect_error(&error.to_string()))?;
        let wait = limits.statement_timeout.min(Duration::from_secs(10));
        settings.connect_timeout(wait);
        if settings.get_application_name().is_none() {
            settings.application_name("mcp-sql");
        }
        let (client, connection) = tokio::time::timeout(wait, settings.connect(NoTls))
            .await
            .map_err(|_| self.connect_error("the connection timed out"))?
            .map_err(|error| self.connect_error(&describe(&error)))?;
        let driver = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "postgres connection ended");
            }
        });
        Ok(PgConnection { client, driver })
    }

    fn checkin(&self, connection: PgConnection) {
        if !connection.client.is_closed() {
            lock(&self.idle).push(connection);
        }
    }

    /// Opens a transaction with the statement timeout set: READ ONLY unless `write`.
    async fn begin(
        self: &Arc<Self>,
        limits: &Limits,
        write: bool,
    ) -> Result<Transaction, SqlError> {
        let permit = tokio::time::timeout(
            limits.statement_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        .map_err(|_| {
            self.connect_error("every connection to it stayed busy for the whole time limit")
        })?
        .map_err(|_| SqlError::Internal("the connection pool is closed".to_owned()))?;
        let timeout = millis(limits.statement_timeout);
        let begin = format!(
            "BEGIN {}; SET LOCAL statement_timeout = {timeout}; SET LOCAL lock_timeout = \
             {timeout}; SET LOCAL idle_in_transaction_session_timeout = {}",
            if write { "READ WRITE" } else { "READ ONLY" },
            timeout + millis(GRACE) * 2
        );
        // An idle connection the server closed meanwhile fails at BEGIN: it is dropped and the
        // next one (or a new one) is tried. A new connection that fails is an error.
        let connection = loop {
            let idle = lock(&self.idle).pop();
            let reused = idle.is_some();
            let connection = match idle {
                Some(connection) => connection,
                None => self.connect(limits).await?,
            };
            if reused && connection.client.is_closed() {
                continue;
            }
            match tokio::time::timeout(
                limits.statement_timeout,
                connection.client.batch_execute(&begin),
            )
            .await
            {
                Ok(Ok(())) => break connection,
                Ok(Err(error)) if reused && error.as_db_error().is_none() => continue,
                Ok(Err(error)) => return Err(self.error(&error, limits)),
                Err(_) => return Err(SqlError::Timeout(limits.statement_timeout)),
            }
        };
        Ok(Transaction {
            database: Arc::clone(self),
            connection,
            _permit: permit,
        })
    }

    /// Runs one statement in a READ ONLY transaction and returns up to `max_rows` rows.
    pub(crate) async fn query(
        self: &Arc<Self>,
        limits: &Limits,
        sql: &str,
        params: Option<&Params>,
        max_rows: usize,
    ) -> Result<Rows, SqlError> {
        if sql.len() > limits.max_sql_bytes {
            return Err(SqlError::TooLong {
                bytes: sql.len(),
                limit: limits.max_sql_bytes,
            });
        }
        let values = positional(params)?;
        let transaction = self.begin(limits, false).await?;
        let work = async {
            let client = transaction.client();
            let statement = client
                .prepare(sql)
                .await
                .map_err(|error| self.error(&error, limits))?;
            let bound = bind(&statement, values)?;
            let stream = client
                .query_raw(&statement, bound.iter())
                .await
                .map_err(|error| self.error(&error, limits))?;
            let mut stream = std::pin::pin!(stream);
            let mut budget = RowBudget::new(max_rows, limits.max_result_bytes);
            let mut finished = true;
            while let Some(row) = stream.next().await {
                let row = row.map_err(|error| self.error(&error, limits))?;
                if !budget.wants_more() {
                    finished = false;
                    break;
                }
                let (values, cut) = row_values(&row, limits.max_cell_bytes);
                budget.push(values, cut);
                if budget.stopped.is_some() {
                    finished = false;
                    break;
                }
            }
            Ok::<_, SqlError>((column_heads(&statement), budget, finished))
        };
        match tokio::time::timeout(limits.statement_timeout + GRACE, work).await {
            Ok(Ok((columns, budget, finished))) => {
                // A statement still sending rows would have to be drained first: the
                // connection is dropped instead, which stops it on the server.
                if finished {
                    let _ = transaction.finish(false).await;
                }
                Ok(Rows { columns, budget })
            }
            Ok(Err(error)) => {
                let _ = transaction.finish(false).await;
                Err(error)
            }
            Err(_) => Err(SqlError::Timeout(limits.statement_timeout)),
        }
    }

    /// Runs the statements in one transaction (all committed, or none).
    pub(crate) async fn execute(
        self: &Arc<Self>,
        limits: &Limits,
        statements: &[WriteStatement],
    ) -> Result<(Vec<StatementOutcome>, Vec<WriteRecord>), SqlError> {
        if !self.is_writable() {
            return Err(SqlError::PostgresReadOnly(self.name().to_owned()));
        }
        if let Some(long) = statements
            .iter()
            .find(|statement| statement.sql.len() > limits.max_sql_bytes)
        {
            return Err(SqlError::TooLong {
                bytes: long.sql.len(),
                limit: limits.max_sql_bytes,
            });
        }
        let total = statements.len();
        let transaction = self.begin(limits, true).await?;
        let work = async {
            let mut outcomes = Vec::with_capacity(total);
            for (index, statement) in statements.iter().enumerate() {
                let outcome = self
                    .run_write(transaction.client(), statement, limits)
                    .await
                    .map_err(|error| {
                        if total > 1 {
                            SqlError::InStatement {
                                index: index + 1,
                                total,
                                reason: Box::new(error),
                            }
                        } else {
                            error
                        }
                    })?;
                outcomes.push(outcome);
            }
            Ok::<_, SqlError>(outcomes)
        };
        let outcomes = match tokio::time::timeout(limits.statement_timeout + GRACE, work).await {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(error)) => {
                let _ = transaction.finish(false).await;
                return Err(error);
            }
            Err(_) => return Err(SqlError::Timeout(limits.statement_timeout)),
        };
        transaction
            .finish(true)
            .await
            .map_err(|error| self.error(&error, limits))?;
        let at = jiff::Timestamp::now();
        let records = statements
            .iter()
            .zip(&outcomes)
            .map(|(statement, outcome)| WriteRecord {
                database: self.name().to_owned(),
                engine: Engine::Postgres,
                statement: statement.sql.clone(),
                parameters: statement.params.as_ref().map_or(0, Params::len),
                rows_changed: outcome.rows_changed,
                last_insert_id: None,
                tables: Vec::new(),
                at,
            })
            .collect();
        Ok((outcomes, records))
    }

    async fn run_write(
        &self,
        client: &Client,
        statement: &WriteStatement,
        limits: &Limits,
    ) -> Result<StatementOutcome, SqlError> {
        let values = positional(statement.params.as_ref())?;
        let prepared = client
            .prepare(&statement.sql)
            .await
            .map_err(|error| self.error(&error, limits))?;
        let bound = bind(&prepared, values)?;
        let stream = client
            .query_raw(&prepared, bound.iter())
            .await
            .map_err(|error| self.error(&error, limits))?;
        let mut stream = std::pin::pin!(stream);
        let mut budget = RowBudget::new(limits.default_rows, limits.max_result_bytes);
        // Every row is read so the statement completes; only the first ones are kept.
        while let Some(row) = stream.next().await {
            let row = row.map_err(|error| self.error(&error, limits))?;
            if budget.wants_more() {
                let (values, cut) = row_values(&row, limits.max_cell_bytes);
                budget.push(values, cut);
            }
        }
        let rows_changed = stream.as_ref().rows_affected().unwrap_or(0);
        let returned = (!prepared.columns().is_empty()).then(|| ReturnedRows {
            columns: prepared
                .columns()
                .iter()
                .map(|column| column.name().to_owned())
                .collect(),
            truncated: budget.stopped.is_some(),
            rows: budget.rows,
        });
        Ok(StatementOutcome {
            rows_changed,
            last_insert_id: None,
            tables: Vec::new(),
            returned,
        })
    }

    /// Tables and views, optionally of one schema.
    pub(crate) async fn list_tables(
        self: &Arc<Self>,
        limits: &Limits,
        schema: Option<&str>,
    ) -> Result<(Vec<TableEntry>, bool), SqlError> {
        let transaction = self.begin(limits, false).await?;
        let work = catalog::list_tables(transaction.client(), schema);
        match tokio::time::timeout(limits.statement_timeout + GRACE, work).await {
            Ok(Ok(listing)) => {
                let _ = transaction.finish(false).await;
                Ok(listing)
            }
            Ok(Err(error)) => {
                let _ = transaction.finish(false).await;
                Err(self.error(&error, limits))
            }
            Err(_) => Err(SqlError::Timeout(limits.statement_timeout)),
        }
    }

    /// Columns, keys and indexes of one table or view.
    pub(crate) async fn describe_table(
        self: &Arc<Self>,
        limits: &Limits,
        table: &str,
        schema: Option<&str>,
    ) -> Result<TableDescription, SqlError> {
        let transaction = self.begin(limits, false).await?;
        let work = catalog::describe_table(transaction.client(), table, schema);
        match tokio::time::timeout(limits.statement_timeout + GRACE, work).await {
            Ok(Ok(Ok(description))) => {
                let _ = transaction.finish(false).await;
                Ok(description)
            }
            Ok(Ok(Err(missing))) => {
                let _ = transaction.finish(false).await;
                Err(missing)
            }
            Ok(Err(error)) => {
                let _ = transaction.finish(false).await;
                Err(self.error(&error, limits))
            }
            Err(_) => Err(SqlError::Timeout(limits.statement_timeout)),
        }
    }
}
