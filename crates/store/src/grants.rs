//! Folder grants: which folders a server may use, read-only or read-write. The store keeps
//! them; the path rules that enforce them live with the servers that read files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, ServerId, Store, StoreError, now_ms};

/// What a grant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

impl Access {
    fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read_only",
            Self::ReadWrite => "read_write",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "read_only" => Ok(Self::ReadOnly),
            "read_write" => Ok(Self::ReadWrite),
            other => Err(StoreError::Corrupt(format!(
                "unknown grant access {other:?}"
            ))),
        }
    }
}

/// A folder granted to one server, or to all of them when `server` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Grant {
    pub id: i64,
    pub path: PathBuf,
    pub access: Access,
    pub server: Option<ServerId>,
    pub created_at: i64,
}

impl Store {
    /// Grants `path` (absolute) to `server`, or to every server. Granting a folder again in
    /// the same scope changes its access. Returns the grant's id.
    pub async fn grant(
        &self,
        path: &Path,
        access: Access,
        server: Option<&ServerId>,
    ) -> Result<i64> {
        if !path.is_absolute() {
            return Err(StoreError::RelativeGrantPath(path.to_owned()));
        }
        let path_text = path
            .to_str()
            .ok_or_else(|| StoreError::Corrupt(format!("{} is not valid UTF-8", path.display())))?;
        let server = server.map(ServerId::as_str);
        if let Some(id) = server
            && self.server(&id.parse()?).await?.is_none()
        {
            return Err(StoreError::UnknownServer(id.to_owned()));
        }
        let id = sqlx::query_scalar(
            "INSERT INTO grants (path, access, server_id, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (path, ifnull(server_id, '')) DO UPDATE SET access = excluded.access
             RETURNING id",
        )
        .bind(path_text)
        .bind(access.as_str())
        .bind(server)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every grant, oldest first.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        sqlx::query("SELECT id, path, access, server_id, created_at FROM grants ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(grant_from_row)
            .collect()
    }

    /// The grants that apply to `server`: its own and those given to every server.
    pub async fn grants_for(&self, server: &ServerId) -> Result<Vec<Grant>> {
        sqlx::query(
            "SELECT id, path, access, server_id, created_at FROM grants
             WHERE server_id IS NULL OR server_id = ?1 ORDER BY id",
        )
        .bind(server.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(grant_from_row)
        .collect()
    }

    /// Revokes a grant. Returns whether it existed.
    pub async fn revoke(&self, grant_id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM grants WHERE id = ?1")
            .bind(grant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn grant_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Grant> {
    let server: Option<String> = row.try_get("server_id")?;
    let path: String = row.try_get("path")?;
    Ok(Grant {
        id: row.try_get("id")?,
        path: PathBuf::from(path),
        access: Access::parse(row.try_get("access")?)?,
        server: server.map(|s| s.parse()).transpose()?,
        created_at: row.try_get("created_at")?,
    })
}
