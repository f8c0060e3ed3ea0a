//! The call log: one row per request a client made through Switchboard. Written in batches
//! (one transaction each) so that a busy gateway costs one fsync per batch, read newest
//! first with filters, pruned by age.
//!
//! The argument preview must arrive already redacted: the store truncates it, but it cannot
//! know which values are secrets.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Result, Store, StoreError};

/// Longest argument preview kept, in characters.
pub const PREVIEW_MAX_CHARS: usize = 1024;

/// Most rows one INSERT statement writes (12 parameters each, well under SQLite's 999).
const ROWS_PER_INSERT: usize = 80;

/// Most rows one query returns.
pub const QUERY_MAX_ROWS: u32 = 1000;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// A result.
    Ok,
    /// A tool result with `isError: true`.
    ToolError,
    /// A JSON-RPC error response.
    RpcError,
    /// The client cancelled it.
    Cancelled,
    /// No answer in time.
    Timeout,
}

impl CallStatus {
    /// The status as stored and shown: `ok`, `tool_error`, `rpc_error`, `cancelled`,
    /// `timeout`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ToolError => "tool_error",
            Self::RpcError => "rpc_error",
            Self::Cancelled => "cancelled",
            Self::Timeout => "timeout",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "ok" => Self::Ok,
            "tool_error" => Self::ToolError,
            "rpc_error" => Self::RpcError,
            "cancelled" => Self::Cancelled,
            "timeout" => Self::Timeout,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown call status {other:?}"
                )));
            }
        })
    }
}

/// One call, as the gateway saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CallRecord {
    /// When the request arrived, Unix epoch milliseconds.
    pub at: i64,
    /// The client's name, such as "claude-ai" or "cursor".
    pub client: String,
    pub server: String,
    /// The JSON-RPC method, such as "tools/call".
    pub method: String,
    /// The tool, prompt or resource named by the request, if any.
    pub tool: Option<String>,
    pub duration_us: i64,
    pub status: CallStatus,
    /// The JSON-RPC error code, for `RpcError`.
    pub error_code: Option<i64>,
    pub request_bytes: i64,
    pub response_bytes: i64,
    /// The arguments, redacted, cut to `PREVIEW_MAX_CHARS`.
    pub args_preview: Option<String>,
}

/// A call read back from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct StoredCall {
    pub id: i64,
    #[serde(flatten)]
    pub record: CallRecord,
}

/// Which calls to read. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CallQuery {
    pub server: Option<String>,
    pub client: Option<String>,
    pub tool: Option<String>,
    pub status: Option<CallStatus>,
    /// Text found in the method, tool, client or argument preview.
    pub text: Option<String>,
    /// Only calls older than this id (for paging back).
    pub before_id: Option<i64>,
    /// At most this many (capped at `QUERY_MAX_ROWS`; 0 means the cap).
    pub limit: u32,
}

impl Store {
    /// Appends calls to the log in one transaction; returns their ids, in order.
    ///
    /// Rows go in as multi-row INSERTs of up to [`ROWS_PER_INSERT`] rows, with ids given
    /// explicitly (one past the largest), so a batch of a thousand calls costs a dozen
    /// statements rather than a thousand. The transaction takes the write lock before it
    /// reads the largest id (`BEGIN IMMEDIATE`), so another writer of the same file waits
    /// its turn (busy timeout) and never picks the same ids.
    pub async fn record_calls(&self, calls: &[CallRecord]) -> Result<Vec<i64>> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let first: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM calls")
            .fetch_one(&mut *tx)
            .await?;
        let ids: Vec<i64> = (first..).take(calls.len()).collect();
        for (chunk, chunk_ids) in calls
            .chunks(ROWS_PER_INSERT)
            .zip(ids.chunks(ROWS_PER_INSERT))
        {
            let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO calls (id, at, client, server_id, method, tool, duration_us, status,
                                    error_code, request_bytes, response_bytes, args_preview) ",
            );
            insert.push_values(chunk.iter().zip(chunk_ids), |mut row, (call, id)| {
                row.push_bind(*id)
                    .push_bind(call.at)
                    .push_bind(&call.client)
                    .push_bind(&call.server)
                    .push_bind(&call.method)
                    .push_bind(&call.tool)
                    .push_bind(call.duration_us.max(0))
                    .push_bind(call.status.as_str())
                    .push_bind(call.error_code)
                    .push_bind(call.request_bytes.max(0))
                    .push_bind(call.response_bytes.max(0))
                    .push_bind(call.args_preview.as_deref().map(truncate_preview));
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Calls matching `query`, newest first.
    pub async fn calls(&self, query: &CallQuery) -> Result<Vec<StoredCall>> {
        let mut sql: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT id, at, client, server_id, method, tool, duration_us, status, error_code,
                    request_bytes, response_bytes, args_preview FROM calls WHERE 1 = 1",
        );
        if let Some(server) = &query.server {
            sql.push(" AND server_id = ").push_bind(server);
        }
        if let Some(client) = &query.client {
            sql.push(" AND client = ").push_bind(client);
        }
        if let Some(tool) = &query.tool {
            sql.push(" AND tool = ").push_bind(tool);
        }
        if let Some(status) = query.status {
            sql.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", escape_like(text));
            sql.push(" AND (");
            for (i, column) in ["method", "tool", "client", "args_preview"]
                .iter()
                .enumerate()
            {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(*column)
                    .push(" LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\'");
            }
            sql.push(")");
        }
        if let Some(before) = query.before_id {
            sql.push(" AND id < ").push_bind(before);
        }
        let limit = match query.limit {
            0 => QUERY_MAX_ROWS,
            n => n.min(QUERY_MAX_ROWS),
        };
        sql.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        sql.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(call_from_row)
            .collect()
    }

    /// The newest calls made at or after `since_ms` (at most `limit`), with only what call
    /// figures need: server, time, duration and status. Newest first.
    pub async fn call_samples(&self, since_ms: i64, limit: u32) -> Result<Vec<CallRecord>> {
        sqlx::query(
            "SELECT at, server_id, duration_us, status FROM calls
             WHERE at >= ?1 ORDER BY id DESC LIMIT ?2",
        )
        .bind(since_ms)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(CallRecord {
                at: row.try_get("at")?,
                client: String::new(),
                server: row.try_get("server_id")?,
                method: String::new(),
                tool: None,
                duration_us: row.try_get("duration_us")?,
                status: CallStatus::parse(row.try_get("status")?)?,
                error_code: None,
                request_bytes: 0,
                response_bytes: 0,
                args_preview: None,
            })
        })
        .collect()
    }

    /// Deletes calls made before `before_ms` (Unix epoch milliseconds). Returns how many.
    pub async fn prune_calls(&self, before_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM calls WHERE at < ?1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

fn truncate_preview(preview: &str) -> &str {
    match preview.char_indices().nth(PREVIEW_MAX_CHARS) {
        Some((cut, _)) => &preview[..cut],
        None => preview,
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn call_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredCall> {
    Ok(StoredCall {
        id: row.try_get("id")?,
        record: CallRecord {
            at: row.try_get("at")?,
            client: row.try_get("client")?,
            server: row.try_get("server_id")?,
            method: row.try_get("method")?,
            tool: row.try_get("tool")?,
            duration_us: row.try_get("duration_us")?,
            status: CallStatus::parse(row.try_get("status")?)?,
            error_code: row.try_get("error_code")?,
            request_bytes: row.try_get("request_bytes")?,
            response_bytes: row.try_get("response_bytes")?,
            args_preview: row.try_get("args_preview")?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_cut_on_a_character_boundary() {
        let long = "é".repeat(PREVIEW_MAX_CHARS + 10);
        assert_eq!(truncate_preview(&long).chars().count(), PREVIEW_MAX_CHARS);
        assert_eq!(truncate_preview("short"), "short");
    }

    #[test]
    fn like_wildcards_in_search_text_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
