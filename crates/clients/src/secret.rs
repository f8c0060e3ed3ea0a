//! Secret values found in or written to client files. The rules that tell whether a value
//! looks like one are `switchboard_secrets::detect`'s.
//!
//! Owns: [`Secret`], a value that never prints (Debug shows `<redacted>`, no Display, no
//! Serialize). Must not: store a secret anywhere (the hub puts them in the keychain) or log
//! one.

use std::fmt;

/// A secret value. Its Debug output is `Secret(<redacted>)`; it has no Display and no
/// Serialize, so it cannot end up in a log line, an error message or a JSON reply by
/// accident. Read it with [`Secret::expose`] only where it must go (the keychain, a
/// client file's header the user asked for).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value itself, consuming the wrapper.
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("ghp_"), "Debug leaked the value: {shown}");
        assert!(
            shown.contains("<redacted>"),
            "Debug should say redacted: {shown}"
        );
    }
}
