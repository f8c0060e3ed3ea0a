//! Switchboard's secrets: values that live only in the OS keychain, a type that will not
//! print them, and redaction of any value that shows up in text Switchboard keeps.
//!
//! - [`Keychain`]: one item per server and variable (service
//!   `dev.switchboard.Switchboard`, account `<server>/<NAME>`, label
//!   `Switchboard: <NAME> for <server>`), in the platform's keychain through keyring-core:
//!   the Secret Service on Linux, the login Keychain on macOS, Credential Manager on
//!   Windows. A locked or missing keychain is an error that says what to do; there is no
//!   in-memory fallback, and keyring's mock store is refused.
//! - [`Sensitive`]: prints `<redacted>`, cannot be serialised, zeroed on drop.
//! - [`detect`]: whether a value, argument or address looks like a secret, by its name
//!   and its shape.
//! - [`Redactor`]: replaces secret values (raw, JSON- and Debug-escaped, URL-encoded,
//!   base64) with `<redacted>` in call records, stderr lines and log lines
//!   ([`RedactingMakeWriter`]).
//!
//! Owns: the keychain items and everything above. Must not: write a value to a file, the
//! database, a log line, an error message, Debug output or a command line; the daemon
//! puts values into a child's environment only, through [`SecretEnv::expose_pairs`].
//! Keychain calls block: async callers use `spawn_blocking`.

pub mod detect;
mod error;
mod keychain;
mod keyring;
mod names;
mod platform;
mod redacted_log;
mod redactor;
mod sensitive;
mod store;

pub use error::{ErrorCode, SecretsError};
pub use keychain::{Keychain, SecretEnv, VALUE_MAX_BYTES};
pub use keyring::KeyringStore;
pub use names::{SECRET_NAME_MAX, SERVER_ID_MAX, SERVICE, SecretKey, SecretName, ServerName};
pub use platform::{DEFAULT_UNLOCK_PROMPT, PlatformOptions, platform_store};
pub use redacted_log::{RedactingMakeWriter, RedactingWriter};
pub use redactor::{MIN_SECRET_CHARS, Redactor, RedactorSummary};
pub use sensitive::{REDACTED, Sensitive};
pub use store::{Listing, SecretStore};

/// keyring-core, re-exported so that callers can hand [`KeyringStore::new`] a store of
/// their own without depending on the same version separately.
pub use keyring_core;
