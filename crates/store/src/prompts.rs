//! The user's own prompt templates, for the built-in `prompts` server. The store keeps each
//! as JSON under its name; what a template is and whether it is valid is the prompts
//! server's business, checked before anything reaches the store.

use crate::{Result, Store, now_ms};

/// A stored prompt template: its name and its definition as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPrompt {
    pub name: String,
    pub definition: String,
    pub updated_at: i64,
}

impl Store {
    /// Every stored template, by name.
    pub async fn prompt_templates(&self) -> Result<Vec<StoredPrompt>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT name, definition, updated_at FROM prompt_templates ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, definition, updated_at)| StoredPrompt {
                name,
                definition,
                updated_at,
            })
            .collect())
    }

    /// Stores `definition` (JSON) under `name`, replacing a template of that name.
    pub async fn save_prompt_template(&self, name: &str, definition: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO prompt_templates (name, definition, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
                                              updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(definition)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the template `name`; returns whether there was one.
    pub async fn remove_prompt_template(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM prompt_templates WHERE name = ?1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
