//! `sql`: an MCP server for SQL over SQLite database files in granted folders and over
//! configured PostgreSQL databases.
//!
//! Owns the five tools (`list_databases`, `list_tables`, `describe_table`, `query`, `execute`),
//! their arguments and results, and which engine serves a `database` argument. Reads are
//! read-only by construction: SQLite files are opened read-only and SQLite itself reports
//! whether a statement writes; PostgreSQL runs every read in a READ ONLY transaction. Writes go
//! through `execute` only, only on read-write grants (or PostgreSQL databases configured
//! writable), and every committed write is recorded in the [`WriteJournal`].
//!
//! Knows nothing of Switchboard: it is a plain rmcp `ServerHandler`. The host supplies the
//! granted folders ([`DatabaseFiles`]), the PostgreSQL connection strings and the journal.

mod cells;
mod config;
mod error;
mod grants;
mod journal;
mod params;
mod postgres;
mod results;
mod scan;
mod sqlite;

use std::{fmt, sync::Arc};

use rmcp::{
    Json, ServerHandler,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{Implementation, ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

pub use config::{
    DEFAULT_WRITE_ACCESS_HINT, InvalidConnectionString, Limits, PostgresDatabase, SqlConfig,
};
pub use error::SqlError;
pub use grants::{Access, DatabaseFiles, GrantedFolders, LocateError, access_for};
pub use journal::{Engine, TracingJournal, WriteJournal, WriteRecord};
pub use params::Params;
pub use results::{
    ColumnHead, ColumnInfo, DatabaseList, ExecuteResult, FolderEntry, ForeignKey, IndexInfo,
    PostgresEntry, QueryResult, ReturnedRows, SqliteFile, StatementOutcome, TableDescription,
    TableEntry, TableList,
};

use params::WriteStatement;
use postgres::PgDatabase;
use sqlite::SqliteEngine;

/// Most statements one `execute` call may run.
const MAX_STATEMENTS: usize = 100;

/// The SQL server. Cheap to clone: clones share connections and limits, so one instance may
/// serve many sessions.
#[derive(Clone)]
pub struct SqlServer {
    shared: Arc<Shared>,
}

struct Shared {
    files: Arc<dyn DatabaseFiles>,
    limits: Limits,
    journal: Arc<dyn WriteJournal>,
    write_access_hint: String,
    sqlite: Arc<SqliteEngine>,
    postgres: Vec<Arc<PgDatabase>>,
}

impl fmt::Debug for SqlServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlServer")
            .field("folders", &self.shared.files.folders())
            .field("postgres", &self.shared.postgres)
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

/// Arguments of `list_tables`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListTablesRequest {
    /// The database: a SQLite file's path (as list_databases shows it, or relative to a granted folder) or a configured PostgreSQL database's name.
    pub database: String,
    /// PostgreSQL only: list only this schema, such as "public". Leave it out for every schema.
    #[serde(default)]
    pub schema: Option<String>,
}

/// Arguments of `describe_table`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DescribeTableRequest {
    /// The database: a SQLite file's path or a configured PostgreSQL database's name.
    pub database: String,
    /// The table or view, as list_tables shows it (matched case-insensitively if there is no exact match).
    pub table: String,
    /// PostgreSQL only: the table's schema, such as "public". Leave it out to search the search path first, then every schema.
    #[serde(default)]
    pub schema: Option<String>,
}

/// Arguments of `query`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QueryRequest {
    /// The database: a SQLite file's path or a configured PostgreSQL database's name.
    pub database: String,
    /// One SQL statement that reads, such as "SELECT name, total FROM orders WHERE customer_id = ?1 ORDER BY total DESC". Put values in params, not in the text.
    pub sql: String,
    /// Values for the statement's parameters: an array bound by position (?1, ?2 … or ? in SQLite; $1, $2 … in PostgreSQL), or an object bound by name (:name, @name or $name, SQLite only). Numbers, text, true/false and null as themselves; {"base64": "…"} for a BLOB/bytea; other arrays and objects as JSON text (arrays become PostgreSQL arrays for array parameters).
    #[serde(default)]
    pub params: Option<Params>,
    /// The most rows to return (default 100, capped by the server's limit, usually 1000). `truncated` says when there were more.
    #[serde(default)]
    pub max_rows: Option<u32>,
}

/// Arguments of `execute`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExecuteRequest {
    /// The database: a SQLite file in a folder granted read-write, or a PostgreSQL database configured writable.
    pub database: String,
    /// One SQL statement that changes data or schema, such as "UPDATE tasks SET done = 1 WHERE id = ?1" (INSERT, UPDATE, DELETE, CREATE, ALTER, DROP …; RETURNING works). Put values in params, not in the text.
    pub sql: String,
    /// Values for the statement's parameters, as in query: an array by position, or an object by name (SQLite only).
    #[serde(default)]
    pub params: Option<Params>,
    /// Further statements to run after `sql` in the same transaction: all are committed together, or none is (at most 99).
    #[serde(default)]
    pub more_statements: Vec<StatementInput>,
}

/// A further statement for `execute`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct StatementInput {
    /// One SQL statement.
    pub sql: String,
    /// Values for its parameters, as in query.
    #[serde(default)]
    pub params: Option<Params>,
}

/// Which engine serves a `database` argument.
enum Target {
    Sqlite(std::path::PathBuf),
    Postgres(Arc<PgDatabase>),
}

fn logged<T>(tool: &str, result: Result<T, SqlError>) -> Result<T, SqlError> {
    if let Err(error) = &result {
        tracing::debug!(tool, %error, "sql tool refused or failed");
    }
    result
}

#[tool_router]
impl SqlServer {
    /// A server over `config`. PostgreSQL connections are opened on first use.
    pub fn new(config: SqlConfig) -> Self {
        let postgres = config
            .postgres
            .into_iter()
            .map(|database| Arc::new(PgDatabase::new(database, &config.limits)))
            .collect();
        Self {
            shared: Arc::new(Shared {
                files: config.files,
                sqlite: Arc::new(SqliteEngine::new(config.limits.clone())),
                limits: config.limits,
                journal: config.journal,
                write_access_hint: config.write_access_hint,
                postgres,
            }),
        }
    }

    fn target(&self, database: &str, write: bool) -> Result<Target, SqlError> {
        let shared = &self.shared;
        if let Some(found) = shared
            .postgres
            .iter()
            .find(|candidate| candidate.name() == database)
        {
            return Ok(Target::Postgres(Arc::clone(found)));
        }
        match shared.files.locate(database, write) {
            Ok(path) => Ok(Target::Sqlite(path)),
            Err(refusal) => {
                if write && shared.files.locate(database, false).is_ok() {
                    return Err(SqlError::ReadOnlyGrant {
                        path: database.to_owned(),
                        hint: shared.write_access_hint.clone(),
                    });
                }
                let mut message = refusal.to_string();
                if !shared.postgres.is_empty() {
                    let names: Vec<&str> = shared.postgres.iter().map(|db| db.name()).collect();
                    message.push_str(&format!(
                        ". It is not a configured PostgreSQL database either; those are: {}",
                        names.join(", ")
                    ));
                }
                Err(SqlError::NotGranted(message))
            }
        }
    }

    #[tool(
        description = "List the databases you can use: SQLite files found in the folders the \
                       user granted (with whether each is read-only or read-write) and the \
                       configured PostgreSQL databases. Start here; pass an entry's `database` \
                       value to the other tools.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_databases(&self) -> Result<Json<DatabaseList>, SqlError> {
        let folders = self.shared.files.folders();
        let limits = self.shared.limits.clone();
        let scanned = folders.clone();
        let scan = tokio::task::spawn_blocking(move || scan::find_databases(&scanned, &limits))
            .await
            .map_err(|error| SqlError::Internal(format!("the folder search failed: {error}")))?;
        Ok(Json(DatabaseList {
            sqlite: scan
                .files
                .into_iter()
                .map(|file| SqliteFile {
                    database: file.path.display().to_string(),
                    access: file.access,
                    bytes: file.bytes,
                })
                .collect(),
            postgres: self
                .shared
                .postgres
                .iter()
                .map(|database| PostgresEntry {
                    database: database.name().to_owned(),
                    server: database.server().to_owned(),
                    writable: database.is_writable(),
                })
                .collect(),
            folders: folders
                .into_iter()
                .map(|(folder, access)| FolderEntry {
                    folder: folder.display().to_string(),
                    access,
                })
                .collect(),
            search_incomplete: scan.incomplete,
        }))
    }

    #[tool(
        description = "List the tables and views of a database, with row counts (exact for \
                       small SQLite tables, estimates otherwise). Use describe_table next to \
                       see a table's columns before writing a query.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_tables(
        &self,
        Parameters(request): Parameters<ListTablesRequest>,
    ) -> Result<Json<TableList>, SqlError> {
        let result = async {
            let (tables, truncated) = match self.target(&request.database, false)? {
                Target::Sqlite(path) => self.shared.sqlite.list_tables(path).await?,
                Target::Postgres(database) => {
                    database
                        .list_tables(&self.shared.limits, request.schema.as_deref())
                        .await?
                }
            };
            Ok(Json(TableList {
                database: request.database.clone(),
                tables,
                truncated,
            }))
        }
        .await;
        logged("list_tables", result)
    }

    #[tool(
        description = "Describe one table or view: its columns (name, declared type, \
                       nullable, default), primary key, foreign keys and indexes, and for \
                       SQLite its CREATE statement.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn describe_table(
        &self,
        Parameters(request): Parameters<DescribeTableRequest>,
    ) -> Result<Json<TableDescription>, SqlError> {
        let result = async {
            let mut description = match self.target(&request.database, false)? {
                Target::Sqlite(path) => {
                    self.shared
                        .sqlite
                        .describe_table(path, request.table.clone())
                        .await?
                }
                Target::Postgres(database) => {
                    database
                        .describe_table(
                            &self.shared.limits,
                            &request.table,
                            request.schema.as_deref(),
                        )
                        .await?
                }
            };
            description.database = request.database.clone();
            Ok(Json(description))
        }
        .await;
        logged("describe_table", result)
    }

    #[tool(
        description = "Run one read-only SQL statement (SELECT, WITH … SELECT, EXPLAIN, \
                       read-only PRAGMA) and get the rows back as structured data. The \
                       database decides what is read-only (SQLite checks the prepared \
                       statement; PostgreSQL runs it in a READ ONLY transaction), so a \
                       statement that would change anything is refused: use execute for \
                       changes. Pass values through params instead of writing them into the \
                       SQL. Returns at most max_rows rows (default 100) and stops statements \
                       that run past the time limit.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn query(
        &self,
        Parameters(request): Parameters<QueryRequest>,
    ) -> Result<Json<QueryResult>, SqlError> {
        let result = async {
            let max_rows = self
                .shared
                .limits
                .rows_for(request.max_rows.map(|rows| rows as usize));
            let rows = match self.target(&request.database, false)? {
                Target::Sqlite(path) => {
                    self.shared
                        .sqlite
                        .query(path, request.sql.clone(), request.params.clone(), max_rows)
                        .await?
                }
                Target::Postgres(database) => {
                    database
                        .query(
                            &self.shared.limits,
                            &request.sql,
                            request.params.as_ref(),
                            max_rows,
                        )
                        .await?
                }
            };
            let note = rows.budget.note();
            Ok(Json(QueryResult {
                database: request.database.clone(),
                columns: rows.columns,
                row_count: rows.budget.rows.len(),
                truncated: rows.budget.stopped.is_some(),
                rows: rows.budget.rows,
                note,
            }))
        }
        .await;
        logged("query", result)
    }

    #[tool(
        description = "Change a database: run one SQL statement (INSERT, UPDATE, DELETE, \
                       CREATE, ALTER, DROP …), or several in one transaction through \
                       more_statements (all are committed, or none). Works only on SQLite \
                       files in folders the user granted read-write and on PostgreSQL \
                       databases configured writable; elsewhere it is refused and says how the \
                       user can allow it. Returns the rows changed and, for SQLite inserts, the \
                       last inserted rowid. Every change is recorded. Transaction statements \
                       (BEGIN, COMMIT), ATTACH, VACUUM and pragmas that change settings are \
                       refused.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn execute(
        &self,
        Parameters(request): Parameters<ExecuteRequest>,
    ) -> Result<Json<ExecuteResult>, SqlError> {
        let result = async {
            if request.more_statements.len() + 1 > MAX_STATEMENTS {
                return Err(SqlError::Parameters(format!(
                    "one execute call runs at most {MAX_STATEMENTS} statements; {} were given",
                    request.more_statements.len() + 1
                )));
            }
            let ExecuteRequest {
                database: name,
                sql,
                params,
                more_statements,
            } = request;
            let statements: Vec<WriteStatement> = std::iter::once(WriteStatement { sql, params })
                .chain(more_statements.into_iter().map(|statement| WriteStatement {
                    sql: statement.sql,
                    params: statement.params,
                }))
                .collect();
            let (outcomes, records) = match self.target(&name, true)? {
                Target::Sqlite(path) => self.shared.sqlite.execute(path, statements).await?,
                Target::Postgres(database) => {
                    database.execute(&self.shared.limits, &statements).await?
                }
            };
            for record in &records {
                self.shared.journal.record(record);
            }
            Ok(Json(ExecuteResult {
                database: name,
                rows_changed: outcomes.iter().map(|outcome| outcome.rows_changed).sum(),
                statements: outcomes,
            }))
        }
        .await;
        logged("execute", result)
    }
}

impl SqlServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<SqlServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for SqlServer {
    fn get_info(&self) -> ServerConfig {
        let limits = &self.shared.limits;
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("sql", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Runs SQL on the user's SQLite database files (in folders the user granted) \
                 and on configured PostgreSQL databases. Work in this order: list_databases to \
                 find a database, list_tables and describe_table to learn its schema, then \
                 query with one read-only statement. Never guess table or column names. Pass \
                 values through params (?1 or :name in SQLite, $1 in PostgreSQL) instead of \
                 writing them into the SQL. Results hold at most {} rows (ask for fewer with \
                 max_rows, or aggregate with COUNT/GROUP BY/LIMIT); `truncated` says when rows \
                 were left out. Statements are stopped after {} seconds. Changes go through \
                 execute only, which works only where the user granted write access; check \
                 with the user before changing or deleting data.",
                limits.max_rows,
                limits.statement_timeout.as_secs_f64()
            ))
    }
}
