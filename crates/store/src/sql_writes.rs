//! The journal of writes the built-in `sql` server made to the user's databases: what was
//! run, where, and what it changed. Parameter values are never stored, only their count.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// One committed write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlWrite {
    /// Unix epoch milliseconds.
    pub at: i64,
    /// The installed server that made it.
    pub server: String,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// The SQLite file, or the PostgreSQL database's name.
    pub database: String,
    pub statement: String,
    pub parameters: i64,
    pub rows_changed: i64,
    pub last_insert_id: Option<i64>,
    /// The tables the statement wrote to.
    pub tables: Vec<String>,
}

impl Store {
    /// Appends one write to the journal.
    pub async fn record_sql_write(&self, write: &SqlWrite) -> Result<()> {
        let tables = serde_json::to_string(&write.tables)
            .map_err(|e| StoreError::Corrupt(format!("sql write tables: {e}")))?;
        sqlx::query(
            "INSERT INTO sql_writes (at, server_id, engine, database, statement, parameters,
                                     rows_changed, last_insert_id, tables)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(write.at)
        .bind(&write.server)
        .bind(&write.engine)
        .bind(&write.database)
        .bind(&write.statement)
        .bind(write.parameters)
        .bind(write.rows_changed)
        .bind(write.last_insert_id)
        .bind(tables)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The most recent writes, newest first (at most `limit`, capped at 1000).
    pub async fn sql_writes(&self, limit: u32) -> Result<Vec<SqlWrite>> {
        let limit = if limit == 0 { 1000 } else { limit.min(1000) };
        let rows = sqlx::query(
            "SELECT at, server_id, engine, database, statement, parameters, rows_changed,
                    last_insert_id, tables
             FROM sql_writes ORDER BY id DESC LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let tables: String = row.try_get("tables")?;
                Ok(SqlWrite {
                    at: row.try_get("at")?,
                    server: row.try_get("server_id")?,
                    engine: row.try_get("engine")?,
                    database: row.try_get("database")?,
                    statement: row.try_get("statement")?,
                    parameters: row.try_get("parameters")?,
                    rows_changed: row.try_get("rows_changed")?,
                    last_insert_id: row.try_get("last_insert_id")?,
                    tables: serde_json::from_str(&tables)
                        .map_err(|e| StoreError::Corrupt(format!("sql write tables: {e}")))?,
                })
            })
            .collect()
    }
}
