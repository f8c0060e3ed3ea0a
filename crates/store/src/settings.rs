//! User settings: JSON values under stable keys. Which keys exist and what they mean is
//! decided by the code that reads them; the store only keeps them.

use serde::{Serialize, de::DeserializeOwned};

use crate::{Result, Store, StoreError, now_ms};

impl Store {
    /// The setting under `key`, if set.
    pub async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        value
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("setting {key}: {e}")))
            })
            .transpose()
    }

    /// Sets `key` to `value`, replacing what was there.
    pub async fn set_setting<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let json = serde_json::to_string(value)
            .map_err(|e| StoreError::Corrupt(format!("setting {key}: {e}")))?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(json)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets `key`, so that its default applies again. Returns whether it was set.
    pub async fn clear_setting(&self, key: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM settings WHERE key = ?1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
