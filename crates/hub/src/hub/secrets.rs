//! The hub's side of secrets: which secrets each server needs (names in the registry), and
//! teaching the redactor their values. Values are written to the keychain by the CLI or the
//! app, never sent to the daemon; the daemon reads them only to hand a server its
//! environment and to know what to scrub.

use serde::{Deserialize, Serialize};
use switchboard_secrets::{SecretsError, Sensitive};
use switchboard_store::ServerId;

use super::{Hub, not_installed, parse_id};
use crate::control::{ControlError, ErrorCode};

/// A secret a server needs, and whether the keychain has it. Never a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SecretStatus {
    pub server: String,
    pub name: String,
    pub stored: bool,
}

impl Hub {
    /// A secret of `server` was just stored in the keychain: the server needs it from now
    /// on (new sessions get it), and its value is scrubbed wherever it shows up.
    pub async fn secret_stored(&self, server: &str, name: &str) -> Result<(), ControlError> {
        self.change_secret_names(server, |names| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        })
        .await?;
        self.learn_secrets(server).await;
        Ok(())
    }

    /// A secret of `server` was deleted from the keychain: the server no longer gets it.
    pub async fn secret_deleted(&self, server: &str, name: &str) -> Result<(), ControlError> {
        self.change_secret_names(server, |names| names.retain(|n| n != name))
            .await?;
        self.learn_secrets(server).await;
        Ok(())
    }

    async fn change_secret_names(
        &self,
        server: &str,
        change: impl FnOnce(&mut Vec<String>),
    ) -> Result<(), ControlError> {
        let id: ServerId = parse_id(server)?;
        let store = &self.inner.store;
        let record = store
            .server(&id)
            .await?
            .ok_or_else(|| not_installed(server))?;
        let mut launch = record.launch;
        change(&mut launch.secrets);
        store.upsert_server(&id, &record.name, &launch).await?;
        self.refresh(server).await?;
        self.announce(server);
        self.refresh_library().await
    }

    /// The secrets each server (or one) needs, and whether the keychain holds them.
    pub async fn secrets(&self, server: Option<&str>) -> Result<Vec<SecretStatus>, ControlError> {
        let mut wanted = Vec::new();
        for record in self.inner.store.servers().await? {
            let id = record.id.to_string();
            if server.is_some_and(|s| s != id) {
                continue;
            }
            for name in record.launch.secrets {
                wanted.push((id.clone(), name));
            }
        }
        if let Some(server) = server
            && self.inner.store.server(&parse_id(server)?).await?.is_none()
        {
            return Err(not_installed(server));
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let keychain = self.inner.keychain().map_err(|e| keychain_error(&e))?;
        tokio::task::spawn_blocking(move || {
            wanted
                .into_iter()
                .map(|(server, name)| {
                    let stored = keychain.contains(&server, &name)?;
                    Ok(SecretStatus {
                        server,
                        name,
                        stored,
                    })
                })
                .collect::<Result<Vec<_>, SecretsError>>()
        })
        .await
        .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))?
        .map_err(|e| keychain_error(&e))
    }

    /// Reads `server`'s secrets (those the keychain has) so the redactor knows them. A
    /// keychain that cannot be read is logged, not fatal: the secrets are then unusable
    /// anyway, and the server's start says why.
    pub(crate) async fn learn_secrets(&self, server: &str) {
        let names = match parse_id(server) {
            Ok(id) => match self.inner.store.server(&id).await {
                Ok(Some(record)) => record.launch.secrets,
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        if names.is_empty() {
            self.inner.redactor.remove_source(server);
            return;
        }
        let keychain = match self.inner.keychain() {
            Ok(keychain) => keychain,
            Err(error) => {
                tracing::warn!(
                    server,
                    code = error.code().as_str(),
                    "the keychain cannot be read: {error}"
                );
                return;
            }
        };
        let owned = server.to_owned();
        let read = tokio::task::spawn_blocking(move || {
            names
                .iter()
                .filter_map(|name| keychain.get(&owned, name).ok())
                .collect::<Vec<Sensitive<String>>>()
        })
        .await;
        if let Ok(values) = read {
            let summary = self.inner.redactor.set_source(server, values.iter());
            if summary.too_short > 0 {
                tracing::warn!(
                    server,
                    count = summary.too_short,
                    "some secrets are too short to be redacted reliably"
                );
            }
        }
    }

    /// Teaches the redactor every installed server's secrets (at start, in the background).
    pub(super) async fn learn_all_secrets(&self) {
        let Ok(servers) = self.inner.store.servers().await else {
            return;
        };
        for record in servers {
            if !record.launch.secrets.is_empty() {
                self.learn_secrets(record.id.as_str()).await;
            }
        }
    }

    /// Deletes a removed server's secrets from the keychain.
    pub(super) async fn forget_secrets(&self, server: &str, names: Vec<String>) {
        if names.is_empty() {
            return;
        }
        self.inner.redactor.remove_source(server);
        let keychain = match self.inner.keychain() {
            Ok(keychain) => keychain,
            Err(error) => {
                tracing::warn!(
                    server,
                    "the removed server's secrets stay in the keychain: {error}"
                );
                return;
            }
        };
        let owned = server.to_owned();
        let deleted = tokio::task::spawn_blocking(move || {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            keychain.delete_all(&owned, &known)
        })
        .await;
        if let Ok(Err(error)) = deleted {
            tracing::warn!(
                server,
                "the removed server's secrets stay in the keychain: {error}"
            );
        }
    }
}

fn keychain_error(error: &SecretsError) -> ControlError {
    ControlError::new(ErrorCode::Unavailable, error.to_string())
}
