//! What can go wrong with secrets, in words a person can act on, with a stable code for
//! the control API and the UI.
//!
//! Owns: [`SecretsError`] and [`ErrorCode`]. Must not: carry a secret's value, or a
//! platform error's debug dump (keyring errors can hold the bytes they failed to decode),
//! in any variant or message.

use std::fmt;

/// A stable, machine-readable kind of [`SecretsError`]. The strings from
/// [`ErrorCode::as_str`] never change meaning; new kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The keychain exists but is locked.
    Locked,
    /// There is no keychain to use (no Secret Service, no default keyring, an in-memory
    /// store, an unsupported platform).
    Unavailable,
    /// The secret is not in the keychain.
    NotFound,
    /// The keychain or the user refused access.
    Denied,
    /// A server id, secret name or value is not acceptable.
    Invalid,
    /// Several keychain items claim to be the same secret.
    Ambiguous,
    /// Anything else the keychain reported.
    Failed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Locked => "locked",
            Self::Unavailable => "unavailable",
            Self::NotFound => "not_found",
            Self::Denied => "denied",
            Self::Invalid => "invalid",
            Self::Ambiguous => "ambiguous",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong with the keychain or a secret. Messages say what happened and what to
/// do; none contains a secret's value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    #[error(
        "the keychain is locked: unlock it (log in again, or open Passwords and Keys / \
         Keychain Access) and try again"
    )]
    Locked,

    #[error(
        "the keychain has no default keyring to keep secrets in: open Passwords and Keys \
         (Seahorse), create a password keyring, set it as the default, and try again"
    )]
    NoDefaultKeyring,

    #[error("no keychain is available ({reason}): {fix}")]
    Unavailable { reason: String, fix: String },

    #[error(
        "refusing the in-memory credential store \"{vendor}\": secrets kept there would \
         silently vanish when Switchboard exits; use the platform keychain instead"
    )]
    InMemoryStore { vendor: String },

    #[error(
        "{server} has no secret {name} in the keychain: set it with \
         `switchboard secrets set {server} {name}` or in the server's settings"
    )]
    NotFound { server: String, name: String },

    #[error(
        "{server} needs {} that {} not in the keychain: set {} with `switchboard secrets set \
         {server} <NAME>` or in the server's settings",
        names.join(", "),
        if names.len() == 1 { "is" } else { "are" },
        if names.len() == 1 { "it" } else { "each" }
    )]
    Missing { server: String, names: Vec<String> },

    #[error(
        "the keychain refused access to {what}: allow Switchboard when the keychain asks \
         (or in Keychain Access / Passwords and Keys), and try again"
    )]
    Denied { what: String },

    #[error(
        "that secret name is not valid: use 1 to 128 capital letters, digits or '_', not \
         starting with a digit (like GITHUB_TOKEN)"
    )]
    InvalidName,

    #[error(
        "\"{0}\" is not a valid server id: use 1 to 64 letters, digits, '_' or '-' (no \
         spaces, dots or slashes)"
    )]
    InvalidServer(String),

    #[error("the value for {name} cannot be stored: {reason}")]
    InvalidValue { name: String, reason: &'static str },

    #[error(
        "the keychain holds {count} items for {key}: open Passwords and Keys / Keychain \
         Access, delete the ones labelled \"{label}\", and set the secret again"
    )]
    Ambiguous {
        key: String,
        label: String,
        count: usize,
    },

    #[error(
        "the keychain failed to {operation}: {detail}; try again, and if it keeps failing \
         run `switchboard doctor`"
    )]
    Failed {
        operation: &'static str,
        detail: String,
    },
}

impl SecretsError {
    /// The stable code for the control API and the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Locked => ErrorCode::Locked,
            Self::NoDefaultKeyring | Self::Unavailable { .. } | Self::InMemoryStore { .. } => {
                ErrorCode::Unavailable
            }
            Self::NotFound { .. } | Self::Missing { .. } => ErrorCode::NotFound,
            Self::Denied { .. } => ErrorCode::Denied,
            Self::InvalidName | Self::InvalidServer(_) | Self::InvalidValue { .. } => {
                ErrorCode::Invalid
            }
            Self::Ambiguous { .. } => ErrorCode::Ambiguous,
            Self::Failed { .. } => ErrorCode::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        let cases = [
            (SecretsError::Locked, "locked"),
            (SecretsError::NoDefaultKeyring, "unavailable"),
            (
                SecretsError::InMemoryStore {
                    vendor: "Mock".into(),
                },
                "unavailable",
            ),
            (
                SecretsError::NotFound {
                    server: "github".into(),
                    name: "GITHUB_TOKEN".into(),
                },
                "not_found",
            ),
            (SecretsError::Denied { what: "x".into() }, "denied"),
            (SecretsError::InvalidName, "invalid"),
            (
                SecretsError::Ambiguous {
                    key: "k".into(),
                    label: "l".into(),
                    count: 2,
                },
                "ambiguous",
            ),
            (
                SecretsError::Failed {
                    operation: "read",
                    detail: "d".into(),
                },
                "failed",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.code().as_str(), code, "code of {error}");
        }
    }

    #[test]
    fn locked_message_says_how_to_unlock() {
        let message = SecretsError::Locked.to_string();
        assert!(
            message.contains("locked") && message.contains("unlock it"),
            "{message}"
        );
    }

    #[test]
    fn missing_names_every_variable_and_the_fix() {
        let one = SecretsError::Missing {
            server: "github".into(),
            names: vec!["GITHUB_TOKEN".into()],
        }
        .to_string();
        assert_eq!(
            one,
            "github needs GITHUB_TOKEN that is not in the keychain: set it with \
             `switchboard secrets set github <NAME>` or in the server's settings"
        );
        let two = SecretsError::Missing {
            server: "s".into(),
            names: vec!["A_KEY".into(), "B_KEY".into()],
        }
        .to_string();
        assert!(two.contains("A_KEY, B_KEY that are not"), "{two}");
    }
}
