//! The keychain of the platform Switchboard runs on, chosen at run time: the Secret Service
//! on Linux and the BSDs, the login Keychain on macOS, Credential Manager on Windows.
//!
//! Owns: [`PlatformOptions`] and the choice of store. Must not: fall back to anything
//! else when the platform's keychain is missing (the caller gets an Unavailable error
//! that says what to install), or touch the keychain while choosing (opening is lazy, so
//! a daemon that starts before the keyring is unlocked still starts).

use std::{sync::Arc, time::Duration};

use crate::{SecretStore, SecretsError, names::SERVICE};

/// How long a locked keychain's unlock prompt is waited for, by default.
pub const DEFAULT_UNLOCK_PROMPT: Duration = Duration::from_secs(60);

/// How the platform keychain is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformOptions {
    service: String,
    unlock_prompt: Duration,
}

impl Default for PlatformOptions {
    fn default() -> Self {
        Self {
            service: SERVICE.to_owned(),
            unlock_prompt: DEFAULT_UNLOCK_PROMPT,
        }
    }
}

impl PlatformOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Files items under another service name than `dev.switchboard.Switchboard` (tests
    /// use this to keep their items apart from a person's real ones). Letters, digits,
    /// `.`, `_` and `-` only.
    #[must_use]
    pub fn service(mut self, service: &str) -> Self {
        service.clone_into(&mut self.service);
        self
    }

    /// How long to wait for a person to answer the keyring's unlock prompt when the
    /// keychain is locked (Secret Service). Zero never prompts: a locked keychain is an
    /// error at once (headless daemons and tests).
    #[must_use]
    pub fn unlock_prompt(mut self, wait: Duration) -> Self {
        self.unlock_prompt = wait;
        self
    }

    pub fn service_name(&self) -> &str {
        &self.service
    }

    fn validate(&self) -> Result<(), SecretsError> {
        let valid = (1..=128).contains(&self.service.len())
            && self
                .service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(())
        } else {
            Err(SecretsError::Failed {
                operation: "open",
                detail: format!(
                    "\"{}\" is not a usable keychain service name (letters, digits, '.', '_' \
                     and '-' only)",
                    self.service
                ),
            })
        }
    }
}

/// The platform's keychain as a store. Nothing is opened yet.
pub fn platform_store(options: &PlatformOptions) -> Result<Arc<dyn SecretStore>, SecretsError> {
    options.validate()?;
    open(options)
}

#[cfg(all(unix, not(target_vendor = "apple")))]
fn open(options: &PlatformOptions) -> Result<Arc<dyn SecretStore>, SecretsError> {
    Ok(Arc::new(
        crate::keyring::secret_service::SecretServiceStore::new(
            &options.service,
            options.unlock_prompt,
        ),
    ))
}

#[cfg(target_vendor = "apple")]
fn open(options: &PlatformOptions) -> Result<Arc<dyn SecretStore>, SecretsError> {
    // Keychain Access shows its own prompts; there is nothing to wait for here.
    let _ = options.unlock_prompt;
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|error| {
        crate::keyring::map_error(error, crate::keyring::Operation::Connect, None)
    })?;
    Ok(Arc::new(crate::KeyringStore::with_service(
        store,
        &options.service,
    )?))
}

#[cfg(windows)]
fn open(options: &PlatformOptions) -> Result<Arc<dyn SecretStore>, SecretsError> {
    let _ = options.unlock_prompt;
    let store = windows_native_keyring_store::Store::new().map_err(|error| {
        crate::keyring::map_error(error, crate::keyring::Operation::Connect, None)
    })?;
    Ok(Arc::new(crate::KeyringStore::with_service(
        store,
        &options.service,
    )?))
}

#[cfg(not(any(unix, windows)))]
fn open(_options: &PlatformOptions) -> Result<Arc<dyn SecretStore>, SecretsError> {
    Err(SecretsError::Unavailable {
        reason: "Switchboard knows no keychain on this platform".to_owned(),
        fix: "run Switchboard on Linux, macOS or Windows".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn choosing_the_platform_store_opens_nothing() {
        // Works with no session bus at all: the store connects on first use.
        let store = platform_store(&PlatformOptions::new()).unwrap();
        assert!(!store.name().is_empty());
    }

    #[test]
    fn odd_service_names_are_refused() {
        for bad in ["", "has space", "a/b", &"x".repeat(129)] {
            let options = PlatformOptions::new().service(bad);
            assert!(platform_store(&options).is_err(), "{bad:?}");
        }
        let options = PlatformOptions::new().service("dev.switchboard.Switchboard-test_1");
        assert!(platform_store(&options).is_ok());
    }
}
