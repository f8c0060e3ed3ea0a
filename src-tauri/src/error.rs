//! The errors the window sees: a stable code for the UI's logic and a message in plain words
//! that says what to do. Every command returns this, never a bare string.

use serde::Serialize;
use switchboard_hub::{ControlError, ErrorCode};

/// A failed command, as the front end receives it: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct UiError {
    pub code: UiErrorCode,
    pub message: String,
}

/// What kind of failure, for the front end to choose how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum UiErrorCode {
    NotFound,
    InvalidInput,
    AlreadyExists,
    Storage,
    /// Switchboard's daemon could not be reached or started.
    Unavailable,
    Protocol,
    /// The system refused to change whether Switchboard starts at login.
    LaunchAtLogin,
    /// The folder picker could not be shown.
    FolderPicker,
    /// The system keychain could not store or read a secret.
    Keychain,
    /// An AI app's program could not be quit and reopened.
    ClientApp,
}

impl UiError {
    pub fn new(code: UiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<ControlError> for UiError {
    fn from(error: ControlError) -> Self {
        let code = match error.code {
            ErrorCode::NotFound => UiErrorCode::NotFound,
            ErrorCode::InvalidInput => UiErrorCode::InvalidInput,
            ErrorCode::AlreadyExists => UiErrorCode::AlreadyExists,
            ErrorCode::Storage => UiErrorCode::Storage,
            ErrorCode::Unavailable => UiErrorCode::Unavailable,
            ErrorCode::Protocol => UiErrorCode::Protocol,
        };
        Self::new(code, capitalized(&error.message))
    }
}

/// Messages from the daemon start in lower case (they read well after "error: " in a
/// terminal); in a window they are sentences.
pub(crate) fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_errors_keep_their_code_and_read_as_sentences() {
        let error = UiError::from(ControlError::new(
            ErrorCode::NotFound,
            "no server called \"x\" is installed",
        ));
        assert_eq!(error.code, UiErrorCode::NotFound);
        assert_eq!(error.message, "No server called \"x\" is installed");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No server called \"x\" is installed"}),
            "the UI boundary is {{code, message}}"
        );
    }
}
