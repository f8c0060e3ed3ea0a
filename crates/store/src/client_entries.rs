//! The entries Switchboard manages in MCP clients' config files: for each client file
//! (client id, scope, project folder), which entry name belongs to which server, where the
//! file was and when Switchboard last wrote the entry.
//!
//! Owns: typed reads and writes of the `client_entries` table. Must not: know what a
//! client's file looks like or touch one (the clients crate does, driven by the hub), or
//! decide which entries a file should have.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
};

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, ServerId, Store, StoreError, now_ms};

/// Which of a client's files: its user-wide one, one inside a project, or the user's own
/// settings for one project kept in a user-wide file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ClientScope {
    User,
    Project,
    Local,
}

impl ClientScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Project => "project",
            Self::Local => "local",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "user" => Ok(Self::User),
            "project" => Ok(Self::Project),
            "local" => Ok(Self::Local),
            other => Err(StoreError::Corrupt(format!(
                "unknown client file scope {other:?}"
            ))),
        }
    }
}

/// One client config file, as the store names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientFile {
    /// The client's id, such as `cursor`.
    pub client: String,
    pub scope: ClientScope,
    /// The project folder (absolute), for the project and local scopes; `None` for user.
    pub project: Option<PathBuf>,
    /// The file itself, as it was resolved when Switchboard last wrote it.
    pub path: PathBuf,
}

impl ClientFile {
    /// Whether `other` names the same file (same client, scope and project; the path
    /// may have been resolved differently).
    pub fn same_file(&self, other: &Self) -> bool {
        self.client == other.client && self.scope == other.scope && self.project == other.project
    }
}

/// One managed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEntry {
    /// The entry's name in the client's file.
    pub name: String,
    pub server: ServerId,
    /// When Switchboard last wrote it (Unix epoch milliseconds).
    pub written_at: i64,
}

/// A client file and the entries Switchboard manages in it, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedClientFile {
    pub file: ClientFile,
    pub entries: Vec<ClientEntry>,
}

impl ManagedClientFile {
    /// Entry name → server id, the shape the clients crate takes.
    pub fn names(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .map(|entry| (entry.name.clone(), entry.server.to_string()))
            .collect()
    }
}

impl Store {
    /// Every client file with managed entries, ordered by client, then user, project and
    /// local scope, then project folder.
    pub async fn managed_client_files(&self) -> Result<Vec<ManagedClientFile>> {
        let rows = sqlx::query(
            "SELECT client, scope, project, path, name, server_id, written_at FROM client_entries
             ORDER BY client,
                      CASE scope WHEN 'user' THEN 0 WHEN 'project' THEN 1 ELSE 2 END,
                      ifnull(project, ''), name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut files: Vec<ManagedClientFile> = Vec::new();
        for row in &rows {
            let (file, entry) = entry_from_row(row)?;
            match files.last_mut() {
                Some(last) if last.file.same_file(&file) => last.entries.push(entry),
                _ => files.push(ManagedClientFile {
                    file,
                    entries: vec![entry],
                }),
            }
        }
        Ok(files)
    }

    /// The entries managed in `file` (matched by client, scope and project): name →
    /// server id. Empty when Switchboard manages none there.
    pub async fn managed_client_entries(
        &self,
        file: &ClientFile,
    ) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, server_id FROM client_entries
             WHERE client = ?1 AND scope = ?2 AND ifnull(project, '') = ?3 ORDER BY name",
        )
        .bind(&file.client)
        .bind(file.scope.as_str())
        .bind(project_text(file)?)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Records that `file` now holds exactly `entries` (name → server id) of
    /// Switchboard's, replacing what was recorded for it. Entries that are new, moved to
    /// another server, or named in `written` get the current time; the others keep theirs.
    /// An empty `entries` forgets the file.
    pub async fn record_client_entries(
        &self,
        file: &ClientFile,
        entries: &BTreeMap<String, String>,
        written: &BTreeSet<String>,
    ) -> Result<()> {
        let path = path_text(&file.path)?;
        let project = project_text(file)?;
        for (name, server) in entries {
            let _: ServerId = server.parse()?;
            if !is_entry_name(name) {
                return Err(StoreError::Corrupt(format!(
                    "\"{name}\" is not an entry name every client accepts"
                )));
            }
        }
        let now = now_ms();
        // IMMEDIATE: this transaction reads, then writes; a deferred one would fail at once
        // (SQLITE_BUSY, no waiting) if another writer, such as the call log, committed
        // between its read and its write.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT name, server_id, written_at FROM client_entries
             WHERE client = ?1 AND scope = ?2 AND ifnull(project, '') = ?3",
        )
        .bind(&file.client)
        .bind(file.scope.as_str())
        .bind(&project)
        .fetch_all(&mut *tx)
        .await?;
        let kept: BTreeMap<String, (String, i64)> = existing
            .into_iter()
            .map(|(name, server, at)| (name, (server, at)))
            .collect();
        sqlx::query(
            "DELETE FROM client_entries
             WHERE client = ?1 AND scope = ?2 AND ifnull(project, '') = ?3",
        )
        .bind(&file.client)
        .bind(file.scope.as_str())
        .bind(&project)
        .execute(&mut *tx)
        .await?;
        for (name, server) in entries {
            let written_at = match kept.get(name) {
                Some((old_server, at)) if old_server == server && !written.contains(name) => *at,
                _ => now,
            };
            sqlx::query(
                "INSERT INTO client_entries
                     (client, scope, project, path, name, server_id, written_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(&file.client)
            .bind(file.scope.as_str())
            .bind(file.project.as_ref().map(|_| project.as_str()))
            .bind(&path)
            .bind(name)
            .bind(server)
            .bind(written_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<(ClientFile, ClientEntry)> {
    let project: Option<String> = row.try_get("project")?;
    let path: String = row.try_get("path")?;
    let server: String = row.try_get("server_id")?;
    Ok((
        ClientFile {
            client: row.try_get("client")?,
            scope: ClientScope::parse(row.try_get("scope")?)?,
            project: project.map(PathBuf::from),
            path: PathBuf::from(path),
        },
        ClientEntry {
            name: row.try_get("name")?,
            server: server.parse()?,
            written_at: row.try_get("written_at")?,
        },
    ))
}

fn path_text(path: &std::path::Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| StoreError::Corrupt(format!("{} is not valid UTF-8", path.display())))
}

/// The project column as compared: the folder, or `''` for the user scope.
fn project_text(file: &ClientFile) -> Result<String> {
    match (&file.project, file.scope) {
        (None, ClientScope::User) => Ok(String::new()),
        (Some(project), ClientScope::Project | ClientScope::Local) if project.is_absolute() => {
            path_text(project)
        }
        (Some(project), ClientScope::Project | ClientScope::Local) => Err(StoreError::Corrupt(
            format!("the project folder must be absolute: {}", project.display()),
        )),
        (None, scope) => Err(StoreError::Corrupt(format!(
            "a {} scope file needs its project folder",
            scope.as_str()
        ))),
        (Some(_), ClientScope::User) => Err(StoreError::Corrupt(
            "a user scope file has no project folder".to_owned(),
        )),
    }
}

fn is_entry_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
