//! Per-tool switches: the tools of a server the user switched off.

use std::collections::BTreeSet;

use crate::{Result, ServerId, Store, StoreError, now_ms};

impl Store {
    /// The tools of `server` that are switched off.
    pub async fn disabled_tools(&self, server: &ServerId) -> Result<BTreeSet<String>> {
        let tools: Vec<String> = sqlx::query_scalar(
            "SELECT tool FROM disabled_tools WHERE server_id = ?1 ORDER BY tool",
        )
        .bind(server.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(tools.into_iter().collect())
    }

    /// Switches one tool of `server` on or off.
    pub async fn set_tool_enabled(
        &self,
        server: &ServerId,
        tool: &str,
        enabled: bool,
    ) -> Result<()> {
        if self.server(server).await?.is_none() {
            return Err(StoreError::UnknownServer(server.to_string()));
        }
        if enabled {
            sqlx::query("DELETE FROM disabled_tools WHERE server_id = ?1 AND tool = ?2")
                .bind(server.as_str())
                .bind(tool)
                .execute(&self.pool)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO disabled_tools (server_id, tool, disabled_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(server.as_str())
            .bind(tool)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }
}
