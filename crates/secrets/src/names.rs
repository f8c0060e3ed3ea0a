//! The names a secret is filed under: the server it belongs to, the environment variable
//! it becomes, and how the pair is spelled as a keychain item (service, account, label).
//!
//! Owns: validation of server ids and secret names, and the item naming scheme. Pure
//! functions over strings. Must not: touch a keychain or ever see a secret's value.

use std::{fmt, str::FromStr};

use crate::SecretsError;

/// The keychain service every Switchboard item is filed under.
pub const SERVICE: &str = "dev.switchboard.Switchboard";

/// Longest secret name, in characters.
pub const SECRET_NAME_MAX: usize = 128;

/// Longest server id, in characters (the same rule as the registry and every MCP client).
pub const SERVER_ID_MAX: usize = 64;

/// A server id, `^[a-zA-Z0-9_-]{1,64}$` (the registry's rule; no `/` or `.`, so the item
/// account `<server>/<NAME>` splits one way only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerName(String);

impl ServerName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServerName {
    type Err = SecretsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let valid = (1..=SERVER_ID_MAX).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(SecretsError::InvalidServer(text.to_owned()))
        }
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ServerName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The name of a secret: the environment variable it becomes in the server's process,
/// `^[A-Z_][A-Z0-9_]{0,127}$` (like `GITHUB_TOKEN`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SecretName {
    type Err = SecretsError;

    /// The text is not echoed in the error: someone who pasted a token where its name
    /// belongs must not find the token in a log.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut bytes = text.bytes();
        let valid = text.len() <= SECRET_NAME_MAX
            && bytes
                .next()
                .is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
            && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(SecretsError::InvalidName)
        }
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SecretName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One keychain item: one secret of one server.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretKey {
    pub server: ServerName,
    pub name: SecretName,
}

impl SecretKey {
    pub fn new(server: ServerName, name: SecretName) -> Self {
        Self { server, name }
    }

    /// Validates both parts.
    pub fn parse(server: &str, name: &str) -> Result<Self, SecretsError> {
        Ok(Self::new(server.parse()?, name.parse()?))
    }

    /// The item's account (user) under [`SERVICE`]: `<server>/<NAME>`.
    pub fn account(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    /// Reads an account back; `None` for an item that Switchboard did not name.
    pub fn from_account(account: &str) -> Option<Self> {
        let (server, name) = account.split_once('/')?;
        Self::parse(server, name).ok()
    }

    /// The label a person sees in Passwords and Keys (Seahorse), Keychain Access or
    /// Credential Manager.
    pub fn label(&self) -> String {
        format!("Switchboard: {} for {}", self.name, self.server)
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {}", self.name, self.server)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn secret_names_follow_the_environment_variable_rule() {
        for good in ["GITHUB_TOKEN", "_X", "A", "API_KEY_2", &"A".repeat(128)] {
            assert!(good.parse::<SecretName>().is_ok(), "{good} should be valid");
        }
        for bad in [
            "",
            "github_token",
            "2FA",
            "API-KEY",
            "API KEY",
            "ÄPI",
            "A/B",
            &"A".repeat(129),
        ] {
            assert!(
                bad.parse::<SecretName>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn invalid_secret_name_is_not_echoed() {
        let pasted_token = "ghp_abcdefghijklmnop";
        let error = pasted_token.parse::<SecretName>().unwrap_err();
        assert!(
            !error.to_string().contains(pasted_token),
            "the error must not repeat what may be a token: {error}"
        );
        assert_eq!(error.code(), crate::ErrorCode::Invalid);
    }

    #[test]
    fn server_names_follow_the_registry_rule() {
        for good in ["github", "my-server_2", &"x".repeat(64)] {
            assert!(good.parse::<ServerName>().is_ok(), "{good} should be valid");
        }
        for bad in ["", "a/b", "a.b", "a b", &"x".repeat(65)] {
            assert!(
                bad.parse::<ServerName>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn item_is_named_for_people_and_for_lookups() {
        let key = SecretKey::parse("github", "GITHUB_TOKEN").unwrap();
        assert_eq!(key.account(), "github/GITHUB_TOKEN");
        assert_eq!(key.label(), "Switchboard: GITHUB_TOKEN for github");
        assert_eq!(key.to_string(), "GITHUB_TOKEN of github");
    }

    #[test]
    fn foreign_accounts_are_not_mistaken_for_ours() {
        for foreign in ["github", "github/token", "a.b/TOKEN", "/TOKEN", "github/"] {
            assert_eq!(SecretKey::from_account(foreign), None, "{foreign:?}");
        }
    }

    proptest! {
        #[test]
        fn account_round_trips(server in "[a-zA-Z0-9_-]{1,64}", name in "[A-Z_][A-Z0-9_]{0,127}") {
            let key = SecretKey::parse(&server, &name).unwrap();
            prop_assert_eq!(SecretKey::from_account(&key.account()), Some(key));
        }
    }
}
