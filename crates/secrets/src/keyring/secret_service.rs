//! The Secret Service (Linux and the BSDs): gnome-keyring, KeePassXC, KWallet and others,
//! over the D-Bus session bus.
//!
//! Owns: opening a fresh connection for each operation (so a restarted keyring daemon is
//! picked up), checking that the default collection is unlocked before keyring-core is
//! asked (keyring-core would otherwise wait on an unlock prompt forever), and naming
//! D-Bus failures as Unavailable, Locked or Denied. Must not: create collections, store
//! values itself (keyring-core does), or wait for a person longer than the configured
//! unlock prompt.

use std::time::Duration;

use dbus_secret_service::{EncryptionType, SecretService};

use super::{KeyringStore, Operation, map_error};
use crate::{Listing, SecretKey, SecretStore, SecretsError, Sensitive, ServerName};

/// The D-Bus name a Secret Service owns.
const BUS_NAME: &str = "org.freedesktop.secrets";

const FIX_NO_BUS: &str = "run Switchboard inside your desktop session, or start a session bus \
                          with `dbus-run-session`";
const FIX_NO_SERVICE: &str = "install and start one: `sudo apt install gnome-keyring` (GNOME \
                              and most desktops), or turn on KeePassXC's or KWallet's Secret \
                              Service integration; then log out and back in";
const FIX_FAILED_TO_START: &str = "check that gnome-keyring (or your Secret Service provider) \
                                   works: run `gnome-keyring-daemon --start --components=secrets` \
                                   to see its error";

/// Names what a Secret Service error means for the user, when it is one we know.
pub(crate) fn map_platform_error(
    error: &(dyn std::error::Error + Send + Sync + 'static),
    what: &str,
) -> Option<SecretsError> {
    let error = error.downcast_ref::<dbus_secret_service::Error>()?;
    service_error_kind(error, what)
}

fn service_error_kind(error: &dbus_secret_service::Error, what: &str) -> Option<SecretsError> {
    use dbus_secret_service::Error;
    match error {
        Error::Locked | Error::Prompt => Some(SecretsError::Locked),
        Error::NoResult => Some(SecretsError::NoDefaultKeyring),
        Error::Unavailable => Some(unavailable("no Secret Service was found", FIX_NO_SERVICE)),
        Error::Dbus(dbus) => classify_dbus_error(dbus.name().unwrap_or_default(), what),
        _ => None,
    }
}

fn unavailable(reason: &str, fix: &str) -> SecretsError {
    SecretsError::Unavailable {
        reason: reason.to_owned(),
        fix: fix.to_owned(),
    }
}

/// What a D-Bus error name says about the keychain. Pure, so every case is tested.
pub(crate) fn classify_dbus_error(name: &str, what: &str) -> Option<SecretsError> {
    const DBUS: &str = "org.freedesktop.DBus.Error.";
    let short = name.strip_prefix(DBUS);
    match short {
        // libdbus reports "cannot autolaunch without $DISPLAY" as NotSupported.
        Some("NotSupported") => Some(unavailable(
            "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set",
            FIX_NO_BUS,
        )),
        Some(
            "FileNotFound" | "NoServer" | "BadAddress" | "Disconnected" | "AuthFailed"
            | "NoNetwork" | "IOError",
        ) => Some(unavailable(
            "the D-Bus session bus cannot be reached",
            FIX_NO_BUS,
        )),
        Some("ServiceUnknown" | "NameHasNoOwner") => Some(unavailable(
            &format!("no Secret Service ({BUS_NAME}) is running on the session bus"),
            FIX_NO_SERVICE,
        )),
        Some(spawn) if spawn.starts_with("Spawn.") => Some(unavailable(
            "the Secret Service failed to start",
            FIX_FAILED_TO_START,
        )),
        Some("AccessDenied") => Some(SecretsError::Denied {
            what: what.to_owned(),
        }),
        _ if name == "org.freedesktop.Secret.Error.IsLocked" => Some(SecretsError::Locked),
        _ => None,
    }
}

fn service_error(error: &dbus_secret_service::Error) -> SecretsError {
    service_error_kind(error, "the keychain").unwrap_or_else(|| SecretsError::Failed {
        operation: "open",
        detail: error.to_string(),
    })
}

/// The Secret Service as a [`SecretStore`].
#[derive(Debug)]
pub(crate) struct SecretServiceStore {
    service: String,
    unlock_prompt: Duration,
}

impl SecretServiceStore {
    pub(crate) fn new(service: &str, unlock_prompt: Duration) -> Self {
        Self {
            service: service.to_owned(),
            unlock_prompt,
        }
    }

    /// A keyring-core store on a fresh connection, after making sure the default
    /// collection is there and unlocked.
    fn open(&self) -> Result<KeyringStore, SecretsError> {
        self.ensure_unlocked()?;
        let store = dbus_secret_service_keyring_store::Store::new()
            .map_err(|error| map_error(error, Operation::Connect, None))?;
        KeyringStore::with_service(store, &self.service)
    }

    /// Asks the keyring to unlock (it shows its own password prompt on a desktop) and
    /// waits up to `unlock_prompt` for the person; with no wait, a locked keyring is an
    /// error at once.
    fn ensure_unlocked(&self) -> Result<(), SecretsError> {
        let seconds = match self.unlock_prompt.as_secs() {
            0 if self.unlock_prompt.is_zero() => 0,
            0 => 1,
            seconds => seconds,
        };
        // No secret crosses this connection, so it needs no encryption.
        let bus = SecretService::connect_with_max_prompt_timeout(EncryptionType::Plain, seconds)
            .map_err(|error| service_error(&error))?;
        let collection = bus
            .get_default_collection()
            .map_err(|error| service_error(&error))?;
        if collection
            .is_locked()
            .map_err(|error| service_error(&error))?
        {
            if seconds == 0 {
                return Err(SecretsError::Locked);
            }
            tracing::info!("the keychain is locked; asking the keyring to unlock it");
            collection.unlock().map_err(|error| service_error(&error))?;
        }
        Ok(())
    }
}

impl SecretStore for SecretServiceStore {
    fn name(&self) -> String {
        "Secret Service".to_owned()
    }

    fn check(&self) -> Result<(), SecretsError> {
        self.open()?.check()
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretsError> {
        self.open()?.set(key, value)
    }

    fn get(&self, key: &SecretKey) -> Result<Sensitive<String>, SecretsError> {
        self.open()?.get(key)
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretsError> {
        self.open()?.delete(key)
    }

    fn list(&self, server: &ServerName) -> Result<Listing, SecretsError> {
        self.open()?.list(server)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::ErrorCode;

    fn code(name: &str) -> Option<ErrorCode> {
        classify_dbus_error(name, "x").map(|error| error.code())
    }

    #[test]
    fn no_bus_and_no_service_are_unavailable_with_a_fix() {
        for name in [
            "org.freedesktop.DBus.Error.NotSupported",
            "org.freedesktop.DBus.Error.FileNotFound",
            "org.freedesktop.DBus.Error.NoServer",
            "org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner",
            "org.freedesktop.DBus.Error.Spawn.ChildExited",
        ] {
            assert_eq!(code(name), Some(ErrorCode::Unavailable), "{name}");
        }
        let message = classify_dbus_error("org.freedesktop.DBus.Error.ServiceUnknown", "x")
            .unwrap()
            .to_string();
        assert!(message.contains("apt install gnome-keyring"), "{message}");
        let message = classify_dbus_error("org.freedesktop.DBus.Error.NotSupported", "x")
            .unwrap()
            .to_string();
        assert!(message.contains("DBUS_SESSION_BUS_ADDRESS"), "{message}");
    }

    #[test]
    fn locked_and_denied_are_told_apart() {
        assert_eq!(
            code("org.freedesktop.Secret.Error.IsLocked"),
            Some(ErrorCode::Locked)
        );
        assert_eq!(
            code("org.freedesktop.DBus.Error.AccessDenied"),
            Some(ErrorCode::Denied)
        );
        assert_eq!(code("org.freedesktop.DBus.Error.NoReply"), None);
        assert_eq!(
            service_error_kind(&dbus_secret_service::Error::Prompt, "x").map(|e| e.code()),
            Some(ErrorCode::Locked)
        );
        assert_eq!(
            service_error_kind(&dbus_secret_service::Error::NoResult, "x").map(|e| e.code()),
            Some(ErrorCode::Unavailable)
        );
    }
}
