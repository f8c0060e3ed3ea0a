//! The shapes tools return as structured output (and their JSON schemas): databases, tables,
//! table descriptions, query rows and write outcomes. The same shapes serve SQLite and
//! PostgreSQL.
//!
//! Plain data: must not run anything.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::grants::Access;

/// The result of `list_databases`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseList {
    /// SQLite files found in the granted folders. Pass `database` to the other tools.
    pub sqlite: Vec<SqliteFile>,
    /// Configured PostgreSQL databases. Pass `database` (the name) to the other tools.
    pub postgres: Vec<PostgresEntry>,
    /// The granted folders; a SQLite file anywhere below them may be used by its path, even if the search did not list it.
    pub folders: Vec<FolderEntry>,
    /// True when the search of the folders stopped at its limits (depth, entries or count), so some files may be missing from `sqlite`.
    pub search_incomplete: bool,
}

/// A SQLite file in a granted folder.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SqliteFile {
    /// The file's path: the value to pass as `database`.
    pub database: String,
    /// Whether `execute` may change it.
    pub access: Access,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// A configured PostgreSQL database.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PostgresEntry {
    /// The name: the value to pass as `database`.
    pub database: String,
    /// Where it is, as postgres://user@host:port/db (never a password).
    pub server: String,
    /// Whether `execute` may change it.
    pub writable: bool,
}

/// A granted folder.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FolderEntry {
    /// The folder's path.
    pub folder: String,
    /// What the grant allows.
    pub access: Access,
}

/// The result of `list_tables`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TableList {
    /// The database, as given.
    pub database: String,
    /// Tables and views, sorted by schema and name.
    pub tables: Vec<TableEntry>,
    /// True when there were more tables than listed (1000 at most).
    pub truncated: bool,
}

/// One table or view.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TableEntry {
    /// The PostgreSQL schema (absent for SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
    /// "table", "view", "virtual table", "materialized view", "partitioned table" or "foreign table".
    pub kind: String,
    /// Number of rows: exact for small SQLite tables, from the planner's statistics otherwise. Absent when unknown (views, or no statistics yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_estimate: Option<i64>,
}

/// The result of `describe_table`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TableDescription {
    /// The database, as given.
    pub database: String,
    /// The PostgreSQL schema (absent for SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The table's name as the database spells it.
    pub table: String,
    /// "table", "view", "virtual table", "materialized view", "partitioned table" or "foreign table".
    pub kind: String,
    /// Columns in order.
    pub columns: Vec<ColumnInfo>,
    /// Primary key columns in key order (empty if none).
    pub primary_key: Vec<String>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes.
    pub indexes: Vec<IndexInfo>,
    /// The CREATE statement (SQLite) or view definition, when the database keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}

/// One column.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ColumnInfo {
    /// The column's name.
    pub name: String,
    /// The declared type (may be empty in SQLite).
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default value's SQL expression, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// "generated" or "hidden" for columns that are not stored plainly (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A foreign key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ForeignKey {
    /// Columns of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references_table: String,
    /// The referenced columns (empty when SQLite refers to the primary key implicitly).
    pub references_columns: Vec<String>,
    /// ON DELETE action, such as "CASCADE".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    /// ON UPDATE action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
}

/// An index.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct IndexInfo {
    /// The index's name.
    pub name: String,
    /// Indexed columns or expressions, in order.
    pub columns: Vec<String>,
    /// Whether values must be unique.
    pub unique: bool,
    /// Whether it only covers rows matching a WHERE clause.
    pub partial: bool,
}

/// The result of `query`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct QueryResult {
    /// The database, as given.
    pub database: String,
    /// Result columns, in order.
    pub columns: Vec<ColumnHead>,
    /// Rows, each an array of values in column order. Integers and reals are numbers (PostgreSQL numeric is text, to stay exact); BLOB/bytea values are {"base64", "bytes"} objects, or {"bytes", "note"} when too large; long text is cut with a note.
    pub rows: Vec<Vec<Value>>,
    /// How many rows are shown.
    pub row_count: usize,
    /// True when the statement produced more rows than shown.
    pub truncated: bool,
    /// What was left out or cut, and how to see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A result column.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ColumnHead {
    /// The column's name.
    pub name: String,
    /// The type name in PostgreSQL (absent for SQLite, where each value carries its own type).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
}

/// The result of `execute`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExecuteResult {
    /// The database, as given.
    pub database: String,
    /// One outcome per statement, in order. All were committed together.
    pub statements: Vec<StatementOutcome>,
    /// Rows changed by all statements.
    pub rows_changed: u64,
}

/// What one statement changed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StatementOutcome {
    /// Rows inserted, updated or deleted.
    pub rows_changed: u64,
    /// The rowid of the last inserted row (SQLite, when the statement inserted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_insert_id: Option<i64>,
    /// Tables the statement writes to (SQLite).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Rows the statement returned (INSERT … RETURNING and the like).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<ReturnedRows>,
}

/// Rows returned by a write statement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReturnedRows {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows in column order.
    pub rows: Vec<Vec<Value>>,
    /// True when more rows were returned than shown.
    pub truncated: bool,
}
