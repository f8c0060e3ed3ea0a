//! The registry of installed servers: their ids, how to launch them and whether they are
//! switched on. Holds secret *names* only, never values.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, Store, StoreError, now_ms};

/// A server's id: 1 to 64 ASCII letters, digits, `_` or `-`, the one shape every MCP client
/// accepts as an entry name.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(try_from = "String", into = "String")]
pub struct ServerId(String);

/// An id that is not of the shape `^[a-zA-Z0-9_-]{1,64}$`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a valid server id: use 1 to 64 letters, digits, '_' or '-' (no spaces \
     or dots)"
)]
pub struct InvalidServerId(String);

impl ServerId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServerId {
    type Err = InvalidServerId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let valid = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            let shown: String = text.chars().take(80).collect();
            Err(InvalidServerId(shown))
        }
    }
}

impl TryFrom<String> for ServerId {
    type Error = InvalidServerId;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<ServerId> for String {
    fn from(id: ServerId) -> Self {
        id.0
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a server is started: what to run, plus the environment it gets. `secrets` lists the
/// environment variables whose values the daemon reads from the keychain at spawn time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Launch {
    #[serde(flatten)]
    pub source: Source,
    /// Plain (non-secret) environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Names of environment variables whose values live in the keychain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

/// What runs: the `kind` column is its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A server built into Switchboard, served in-process.
    Builtin { name: String },
    /// Any command line.
    Command {
        command: String,
        #[serde(default)]
        args: Vec<String>,
    },
    /// An npm package, run through npx.
    Npm {
        package: String,
        version: String,
        #[serde(default)]
        args: Vec<String>,
    },
    /// A PyPI package, run through uvx.
    Pypi {
        package: String,
        version: String,
        #[serde(default)]
        args: Vec<String>,
    },
    /// A container image.
    Oci {
        image: String,
        #[serde(default)]
        args: Vec<String>,
    },
    /// An unpacked MCP Bundle (`.mcpb`) in Switchboard's data folder, run from there:
    /// `command` and `args` are the manifest's, with `${__dirname}` already filled in.
    Bundle {
        path: String,
        command: String,
        #[serde(default)]
        args: Vec<String>,
    },
}

impl Launch {
    /// A launch with no extra environment.
    pub fn new(source: Source) -> Self {
        Self {
            source,
            env: BTreeMap::new(),
            secrets: Vec::new(),
        }
    }
}

impl Source {
    /// The `kind` column: the serde tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Builtin { .. } => "builtin",
            Self::Command { .. } => "command",
            Self::Npm { .. } => "npm",
            Self::Pypi { .. } => "pypi",
            Self::Oci { .. } => "oci",
            Self::Bundle { .. } => "bundle",
        }
    }
}

/// An installed server as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ServerRecord {
    pub id: ServerId,
    /// The name shown to people, such as "GitHub".
    pub name: String,
    pub launch: Launch,
    pub enabled: bool,
    /// Unix epoch milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// Adds a server, or replaces the name and launch of the one with the same id (keeping
    /// whether it is enabled and when it was installed).
    pub async fn upsert_server(&self, id: &ServerId, name: &str, launch: &Launch) -> Result<()> {
        let launch_json =
            serde_json::to_string(launch).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO servers (id, name, kind, launch, enabled, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)
             ON CONFLICT (id) DO UPDATE SET
                 name = excluded.name, kind = excluded.kind, launch = excluded.launch,
                 updated_at = excluded.updated_at",
        )
        .bind(id.as_str())
        .bind(name)
        .bind(launch.source.kind())
        .bind(launch_json)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One server, if installed.
    pub async fn server(&self, id: &ServerId) -> Result<Option<ServerRecord>> {
        sqlx::query(
            "SELECT id, name, launch, enabled, created_at, updated_at FROM servers WHERE id = ?1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .map(|row| server_from_row(&row))
        .transpose()
    }

    /// Every installed server, by id.
    pub async fn servers(&self) -> Result<Vec<ServerRecord>> {
        sqlx::query(
            "SELECT id, name, launch, enabled, created_at, updated_at FROM servers ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(server_from_row)
        .collect()
    }

    /// Switches a server on or off.
    pub async fn set_server_enabled(&self, id: &ServerId, enabled: bool) -> Result<()> {
        let done = sqlx::query("UPDATE servers SET enabled = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(id.as_str())
            .bind(enabled)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownServer(id.to_string()));
        }
        Ok(())
    }

    /// Removes a server and the grants given to it alone. Its calls stay in the log.
    /// Returns whether it was installed.
    pub async fn remove_server(&self, id: &ServerId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM servers WHERE id = ?1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn server_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ServerRecord> {
    let id: String = row.try_get("id")?;
    let launch: String = row.try_get("launch")?;
    Ok(ServerRecord {
        id: id.parse()?,
        name: row.try_get("name")?,
        launch: serde_json::from_str(&launch)
            .map_err(|e| StoreError::Corrupt(format!("server {id}: launch: {e}")))?,
        enabled: row.try_get("enabled")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_the_shape_every_client_accepts() {
        for good in ["github", "my-server_2", "A", &"x".repeat(64)] {
            assert!(good.parse::<ServerId>().is_ok(), "{good} should be valid");
        }
        for bad in [
            "",
            "has space",
            "dot.ted",
            "ünïcode",
            "slash/y",
            &"x".repeat(65),
        ] {
            let error = bad.parse::<ServerId>().unwrap_err();
            assert!(
                error.to_string().contains("not a valid server id"),
                "{error}"
            );
        }
    }

    #[test]
    fn launch_round_trips_through_json_with_its_kind_tag() {
        let launch = Launch {
            secrets: vec!["GITHUB_PERSONAL_ACCESS_TOKEN".into()],
            ..Launch::new(Source::Npm {
                package: "@modelcontextprotocol/server-github".into(),
                version: "2025.4.8".into(),
                args: vec![],
            })
        };
        let json = serde_json::to_value(&launch).unwrap();
        assert_eq!(json["kind"], "npm");
        assert_eq!(json["secrets"][0], "GITHUB_PERSONAL_ACCESS_TOKEN");
        assert_eq!(serde_json::from_value::<Launch>(json).unwrap(), launch);
    }
}
