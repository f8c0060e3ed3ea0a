//! The seam between Switchboard and a keychain: [`SecretStore`], one item per server and
//! secret name.
//!
//! Owns: the trait that the platform keychain implements and that the daemon and tests
//! compose a [`crate::Keychain`] from. Must not: decide naming (that is
//! [`crate::SecretKey`]), fall back to memory, or log values.

use std::{collections::BTreeSet, fmt};

use crate::{SecretKey, SecretName, SecretsError, Sensitive, ServerName};

/// What a store can say about the secrets it holds for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// The store enumerated its items: these are all of the server's secrets.
    Names(BTreeSet<SecretName>),
    /// The store cannot enumerate; the caller must ask about the names it knows.
    NotSupported,
}

/// A keychain that keeps each secret as one item. Every call is blocking (a D-Bus or OS
/// call); from async code, run it with `spawn_blocking`.
///
/// Implementations persist outside the process: an in-memory store must not implement
/// this trait for production use (the platform constructor refuses keyring's mock).
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// What a person would call this keychain ("Secret Service", "macOS Keychain").
    fn name(&self) -> String;

    /// Succeeds when the keychain is reachable and unlocked; the error says what to do.
    fn check(&self) -> Result<(), SecretsError>;

    /// Creates or replaces the item.
    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretsError>;

    /// The item's value; [`SecretsError::NotFound`] when there is none.
    fn get(&self, key: &SecretKey) -> Result<Sensitive<String>, SecretsError>;

    /// Removes the item; [`SecretsError::NotFound`] when there is none.
    fn delete(&self, key: &SecretKey) -> Result<(), SecretsError>;

    /// The names of the server's items, where the store can enumerate them.
    fn list(&self, server: &ServerName) -> Result<Listing, SecretsError>;
}
