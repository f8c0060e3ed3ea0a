//! [`Keychain`]: the handle the daemon, the CLI and the app use for secrets, one item per
//! server and variable, over any [`SecretStore`].
//!
//! Owns: validation of names before the store sees them, listing (with the registry's
//! names as the index where a store cannot enumerate), deleting a server's secrets, and
//! reading a server's secrets for its child's environment ([`SecretEnv`]). Must not: cache
//! values, log them, or put them anywhere but the returned [`Sensitive`].

use std::{collections::BTreeSet, fmt, sync::Arc};

use crate::{
    Listing, PlatformOptions, SecretKey, SecretName, SecretStore, SecretsError, Sensitive,
    ServerName, platform::platform_store,
};

/// Longest value accepted, in bytes (the smallest common keychain limit is 2,560 bytes on
/// Windows; environment variables allow more, but a token longer than this is unusual).
pub const VALUE_MAX_BYTES: usize = 2_560;

/// A cheap, cloneable handle on a keychain. Every call is blocking (D-Bus or an OS call):
/// from async code, use `tokio::task::spawn_blocking`.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<dyn SecretStore>,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keychain")
            .field("store", &self.store.name())
            .finish()
    }
}

impl Keychain {
    /// A keychain over any store (the daemon's tests compose one this way).
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    /// The platform's keychain with default options. Nothing is opened until first use.
    pub fn platform() -> Result<Self, SecretsError> {
        Self::platform_with(&PlatformOptions::default())
    }

    /// The platform's keychain with `options`.
    pub fn platform_with(options: &PlatformOptions) -> Result<Self, SecretsError> {
        Ok(Self::new(platform_store(options)?))
    }

    /// What a person calls this keychain ("Secret Service", "macOS Keychain", …).
    pub fn store_name(&self) -> String {
        self.store.name()
    }

    /// Succeeds when the keychain is reachable and unlocked (for `switchboard doctor`).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub fn check(&self) -> Result<(), SecretsError> {
        self.store.check()
    }

    /// Stores `value` as `name` for `server`, replacing any previous value.
    #[tracing::instrument(skip(self, value), err(level = "debug"))]
    pub fn set(
        &self,
        server: &str,
        name: &str,
        value: &Sensitive<String>,
    ) -> Result<(), SecretsError> {
        let key = SecretKey::parse(server, name)?;
        validate_value(&key, value)?;
        self.store.set(&key, value)
    }

    /// The value of `name` for `server`; [`SecretsError::NotFound`] if there is none.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub fn get(&self, server: &str, name: &str) -> Result<Sensitive<String>, SecretsError> {
        let key = SecretKey::parse(server, name)?;
        self.store.get(&key)
    }

    /// Whether `name` is stored for `server` (the value is read and dropped at once).
    pub fn contains(&self, server: &str, name: &str) -> Result<bool, SecretsError> {
        match self.get(server, name) {
            Ok(_) => Ok(true),
            Err(SecretsError::NotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Deletes `name` for `server`; [`SecretsError::NotFound`] if there was none.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub fn delete(&self, server: &str, name: &str) -> Result<(), SecretsError> {
        let key = SecretKey::parse(server, name)?;
        self.store.delete(&key)
    }

    /// The names of `server`'s stored secrets, sorted.
    ///
    /// Index: where the store can enumerate (Secret Service, macOS Keychain, Windows
    /// Credential Manager all can), its own search is the index, and `known` is not
    /// needed. Where it cannot, each of `known` (the names the registry lists for the
    /// server) is looked up, and the ones present are returned.
    #[tracing::instrument(skip(self, known), err(level = "debug"))]
    pub fn names(&self, server: &str, known: &[&str]) -> Result<Vec<SecretName>, SecretsError> {
        let server_name: ServerName = server.parse()?;
        match self.store.list(&server_name)? {
            Listing::Names(names) => Ok(names.into_iter().collect()),
            Listing::NotSupported => {
                let mut present = BTreeSet::new();
                for name in known {
                    let key = SecretKey::new(server_name.clone(), name.parse()?);
                    match self.store.get(&key) {
                        Ok(_) => {
                            present.insert(key.name);
                        }
                        Err(SecretsError::NotFound { .. }) => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(present.into_iter().collect())
            }
        }
    }

    /// Deletes every secret of `server` (the ones the store finds, and any of `known`),
    /// and returns the names deleted. Used when a server is removed.
    #[tracing::instrument(skip(self, known), err(level = "debug"))]
    pub fn delete_all(
        &self,
        server: &str,
        known: &[&str],
    ) -> Result<Vec<SecretName>, SecretsError> {
        let server_name: ServerName = server.parse()?;
        let mut candidates: BTreeSet<SecretName> = self.names(server, known)?.into_iter().collect();
        for name in known {
            candidates.insert(name.parse()?);
        }
        let mut deleted = Vec::new();
        for name in candidates {
            let key = SecretKey::new(server_name.clone(), name);
            match self.store.delete(&key) {
                Ok(()) => deleted.push(key.name),
                Err(SecretsError::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(deleted)
    }

    /// Reads the secrets a server needs for its process environment, when the daemon
    /// spawns it. Every missing one is named in one [`SecretsError::Missing`].
    #[tracing::instrument(skip(self, names), fields(count = names.len()), err(level = "debug"))]
    pub fn environment<S: AsRef<str>>(
        &self,
        server: &str,
        names: &[S],
    ) -> Result<SecretEnv, SecretsError> {
        let server_name: ServerName = server.parse()?;
        let mut values = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for name in names {
            let key = SecretKey::new(server_name.clone(), name.as_ref().parse()?);
            match self.store.get(&key) {
                Ok(value) => values.push((key.name, value)),
                Err(SecretsError::NotFound { .. }) => missing.push(key.name.to_string()),
                Err(error) => return Err(error),
            }
        }
        if missing.is_empty() {
            Ok(SecretEnv { values })
        } else {
            Err(SecretsError::Missing {
                server: server.to_owned(),
                names: missing,
            })
        }
    }
}

fn validate_value(key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretsError> {
    let invalid = |reason| SecretsError::InvalidValue {
        name: key.name.to_string(),
        reason,
    };
    let text = value.expose();
    if text.is_empty() {
        return Err(invalid(
            "it is empty (to remove a secret, delete it instead)",
        ));
    }
    if text.contains('\0') {
        return Err(invalid(
            "it contains a NUL character, which no environment variable can hold",
        ));
    }
    if text.len() > VALUE_MAX_BYTES {
        return Err(invalid("it is longer than 2,560 bytes"));
    }
    Ok(())
}

/// A server's secrets, read for its child process's environment. Debug shows the names
/// only.
#[derive(Default)]
pub struct SecretEnv {
    values: Vec<(SecretName, Sensitive<String>)>,
}

impl SecretEnv {
    /// The variable names, in the order asked for.
    pub fn names(&self) -> impl Iterator<Item = &SecretName> {
        self.values.iter().map(|(name, _)| name)
    }

    /// The values, for [`crate::Redactor::set_source`].
    pub fn values(&self) -> impl Iterator<Item = &Sensitive<String>> {
        self.values.iter().map(|(_, value)| value)
    }

    /// `(NAME, value)` pairs for the child's environment (`Command::envs`). This is the
    /// one place the values leave the wrapper: hand them to the child, nowhere else.
    pub fn expose_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value.expose().as_str()))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl fmt::Debug for SecretEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretEnv")
            .field("names", &self.names().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
