//! keyring-core as a [`SecretStore`]: any keyring-core credential store (Secret Service,
//! macOS Keychain, Windows Credential Manager) filed under Switchboard's naming scheme,
//! with keyring's errors turned into [`SecretsError`]s.
//!
//! Owns: entries, labels, enumeration per store, the refusal of in-memory stores, and the
//! error mapping (pure functions, tested without a keychain). Must not: choose the
//! platform (that is [`crate::platform`]), keep a value longer than a call, or format a
//! keyring error with `{:?}` (some variants hold the bytes of a secret).

#[cfg(all(unix, not(target_vendor = "apple")))]
pub(crate) mod secret_service;

use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    sync::Arc,
};

use keyring_core::{CredentialPersistence, CredentialStore, Entry, Error as KeyringError};
use zeroize::Zeroize;

use crate::{
    Listing, SecretKey, SecretName, SecretStore, SecretsError, Sensitive, ServerName,
    names::SERVICE,
};

/// Which keyring-core store is underneath, for the few things that differ between them
/// (labels, search specs, how a search result names its item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    SecretService,
    AppleKeychain,
    WindowsCredentials,
    Other,
}

impl Flavor {
    pub(crate) fn from_vendor(vendor: &str) -> Self {
        let vendor = vendor.to_ascii_lowercase();
        if vendor.contains("secret service") || vendor.contains("secret-service") {
            Self::SecretService
        } else if vendor.contains("apple") || vendor.contains("macos") {
            Self::AppleKeychain
        } else if vendor.contains("windows") {
            Self::WindowsCredentials
        } else {
            Self::Other
        }
    }

    fn display_name(self) -> &'static str {
        match self {
            Self::SecretService => "Secret Service",
            Self::AppleKeychain => "macOS Keychain",
            Self::WindowsCredentials => "Windows Credential Manager",
            Self::Other => "keychain",
        }
    }
}

/// Refuses a store whose items would not outlive the process (keyring's mock store, or
/// anything else that says so): a silent in-memory fallback would lose every secret.
pub(crate) fn refuse_in_memory(
    vendor: &str,
    persistence: &CredentialPersistence,
) -> Result<(), SecretsError> {
    let lower = vendor.to_ascii_lowercase();
    let in_memory = matches!(
        persistence,
        CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly
    ) || lower.contains("mock")
        || lower.contains("sample");
    if in_memory {
        Err(SecretsError::InMemoryStore {
            vendor: vendor.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// What a call was doing, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Connect,
    Read,
    Store,
    Delete,
    List,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Self::Connect => "open",
            Self::Read => "read a secret",
            Self::Store => "store a secret",
            Self::Delete => "delete a secret",
            Self::List => "list secrets",
        }
    }
}

/// Turns a keyring error into ours. Never formats `error` with `{:?}`; wipes any secret
/// bytes it carries.
pub(crate) fn map_error(
    error: KeyringError,
    operation: Operation,
    key: Option<&SecretKey>,
) -> SecretsError {
    let what = key.map_or_else(|| "the keychain".to_owned(), |key| key.label());
    match error {
        KeyringError::NoEntry => match key {
            Some(key) => SecretsError::NotFound {
                server: key.server.to_string(),
                name: key.name.to_string(),
            },
            None => failed(operation, "the keychain found no such item".to_owned()),
        },
        KeyringError::NoStorageAccess(inner) => {
            #[cfg(all(unix, not(target_vendor = "apple")))]
            if let Some(mapped) = secret_service::map_platform_error(inner.as_ref(), &what) {
                return mapped;
            }
            drop(inner);
            SecretsError::Denied { what }
        }
        KeyringError::PlatformFailure(inner) => {
            #[cfg(all(unix, not(target_vendor = "apple")))]
            if let Some(mapped) = secret_service::map_platform_error(inner.as_ref(), &what) {
                return mapped;
            }
            failed(operation, inner.to_string())
        }
        KeyringError::BadEncoding(mut bytes) => {
            bytes.zeroize();
            failed(
                operation,
                format!("the stored value of {what} is not text; set it again"),
            )
        }
        KeyringError::BadDataFormat(mut bytes, _) => {
            bytes.zeroize();
            failed(
                operation,
                format!("the stored value of {what} is malformed; set it again"),
            )
        }
        KeyringError::BadStoreFormat(reason) => failed(operation, reason),
        KeyringError::TooLong(attribute, limit) => match key {
            Some(key) if operation == Operation::Store => SecretsError::InvalidValue {
                name: key.name.to_string(),
                reason: "it is longer than the keychain allows",
            },
            _ => failed(
                operation,
                format!("{attribute} is longer than the keychain's limit of {limit}"),
            ),
        },
        KeyringError::Invalid(attribute, reason) => match key {
            Some(key) if operation == Operation::Store && attribute.contains("password") => {
                SecretsError::InvalidValue {
                    name: key.name.to_string(),
                    reason: "the keychain does not accept it",
                }
            }
            _ => failed(operation, format!("{attribute} is invalid: {reason}")),
        },
        KeyringError::Ambiguous(entries) => SecretsError::Ambiguous {
            key: key.map_or_else(|| "this secret".to_owned(), SecretKey::account),
            label: key.map_or_else(String::new, SecretKey::label),
            count: entries.len(),
        },
        KeyringError::NoDefaultStore => failed(operation, "no credential store is set".to_owned()),
        KeyringError::NotSupportedByStore(reason) => failed(operation, reason),
        _ => failed(
            operation,
            "the keychain reported an unknown error".to_owned(),
        ),
    }
}

fn failed(operation: Operation, detail: String) -> SecretsError {
    SecretsError::Failed {
        operation: operation.verb(),
        detail,
    }
}

/// The search spec that finds this service's items in a store, if the store can search.
pub(crate) fn search_spec(flavor: Flavor, service: &str) -> HashMap<&'static str, String> {
    match flavor {
        // Windows matches a regular expression on the target name, `<user>.<service>`.
        Flavor::WindowsCredentials => {
            HashMap::from([("pattern", format!(r"\.{}$", service.replace('.', r"\.")))])
        }
        _ => HashMap::from([("service", service.to_owned())]),
    }
}

/// The account of a search result, when it is one of this service's items. Windows splits
/// its target name `<user>.<service>` at the last dot, so a dotted service name comes back
/// cut: join and split it again.
pub(crate) fn our_account(
    flavor: Flavor,
    service: &str,
    found: (String, String),
) -> Option<String> {
    let (found_service, found_user) = found;
    if found_service == service {
        return Some(found_user);
    }
    match flavor {
        Flavor::WindowsCredentials => format!("{found_user}.{found_service}")
            .strip_suffix(&format!(".{service}"))
            .map(str::to_owned),
        _ => None,
    }
}

/// A keyring-core credential store used with Switchboard's item naming.
pub struct KeyringStore {
    store: Arc<CredentialStore>,
    service: String,
    flavor: Flavor,
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("vendor", &self.store.vendor())
            .field("service", &self.service)
            .finish()
    }
}

impl KeyringStore {
    /// Uses `store` under Switchboard's service name. Refuses keyring's in-memory mock
    /// (and any store whose items would not outlive the process).
    pub fn new(store: Arc<CredentialStore>) -> Result<Self, SecretsError> {
        Self::with_service(store, SERVICE)
    }

    /// Uses `store` under another service name (tests keep their items apart this way).
    pub fn with_service(store: Arc<CredentialStore>, service: &str) -> Result<Self, SecretsError> {
        let vendor = store.vendor();
        refuse_in_memory(&vendor, &store.persistence())?;
        Ok(Self {
            flavor: Flavor::from_vendor(&vendor),
            store,
            service: service.to_owned(),
        })
    }

    fn entry(&self, key: &SecretKey, operation: Operation) -> Result<Entry, SecretsError> {
        let account = key.account();
        let built = match self.flavor {
            Flavor::SecretService => {
                let label = key.label();
                let modifiers = HashMap::from([("label", label.as_str())]);
                Entry::new_in_store_with_modifiers(&self.store, &self.service, &account, &modifiers)
            }
            _ => Entry::new_in_store(&self.store, &self.service, &account),
        };
        built.map_err(|error| map_error(error, operation, Some(key)))
    }

    /// Where a store keeps no label, the label goes into a comment if it has one.
    fn describe_item(&self, entry: &Entry, key: &SecretKey) {
        if self.flavor == Flavor::WindowsCredentials {
            let label = key.label();
            let attributes = HashMap::from([("comment", label.as_str())]);
            if let Err(error) = entry.update_attributes(&attributes) {
                tracing::debug!(%key, %error, "could not label the keychain item");
            }
        }
    }
}

impl SecretStore for KeyringStore {
    fn name(&self) -> String {
        self.flavor.display_name().to_owned()
    }

    fn check(&self) -> Result<(), SecretsError> {
        // Listing touches the store without reading any value.
        let probe: ServerName = "switchboard-check"
            .parse()
            .map_err(|_| failed(Operation::Connect, "bad probe name".to_owned()))?;
        self.list(&probe).map(|_| ())
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretsError> {
        let entry = self.entry(key, Operation::Store)?;
        match entry.set_password(value.expose()) {
            Ok(()) => {}
            // Duplicates (left by another tool or an interrupted write): they are all ours,
            // so replace them with the one item this call writes.
            Err(KeyringError::Ambiguous(duplicates)) => {
                for duplicate in duplicates {
                    duplicate
                        .delete_credential()
                        .or_else(|error| match error {
                            KeyringError::NoEntry => Ok(()),
                            other => Err(other),
                        })
                        .map_err(|error| map_error(error, Operation::Store, Some(key)))?;
                }
                entry
                    .set_password(value.expose())
                    .map_err(|error| map_error(error, Operation::Store, Some(key)))?;
            }
            Err(error) => return Err(map_error(error, Operation::Store, Some(key))),
        }
        self.describe_item(&entry, key);
        Ok(())
    }

    fn get(&self, key: &SecretKey) -> Result<Sensitive<String>, SecretsError> {
        let entry = self.entry(key, Operation::Read)?;
        entry
            .get_password()
            .map(Sensitive::from)
            .map_err(|error| map_error(error, Operation::Read, Some(key)))
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretsError> {
        let entry = self.entry(key, Operation::Delete)?;
        entry
            .delete_credential()
            .map_err(|error| map_error(error, Operation::Delete, Some(key)))
    }

    fn list(&self, server: &ServerName) -> Result<Listing, SecretsError> {
        let spec = search_spec(self.flavor, &self.service);
        let spec: HashMap<&str, &str> = spec.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let found = match self.store.search(&spec) {
            Ok(found) => found,
            Err(KeyringError::NotSupportedByStore(_)) => return Ok(Listing::NotSupported),
            Err(error) => return Err(map_error(error, Operation::List, None)),
        };
        let names: BTreeSet<SecretName> = found
            .iter()
            .filter_map(Entry::get_specifiers)
            .filter_map(|found| our_account(self.flavor, &self.service, found))
            .filter_map(|account| SecretKey::from_account(&account))
            .filter(|key| &key.server == server)
            .map(|key| key.name)
            .collect();
        Ok(Listing::Names(names))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::ErrorCode;

    fn key() -> SecretKey {
        SecretKey::parse("github", "GITHUB_TOKEN").unwrap()
    }

    #[test]
    fn keyring_mock_store_is_refused() {
        let mock: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let error = KeyringStore::new(mock).unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unavailable, "{error}");
        assert!(
            error.to_string().contains("in-memory"),
            "the message says why: {error}"
        );
    }

    #[test]
    fn stores_that_only_live_in_memory_are_refused_whatever_their_name() {
        assert!(refuse_in_memory("Acme vault", &CredentialPersistence::ProcessOnly).is_err());
        assert!(refuse_in_memory("Acme vault", &CredentialPersistence::EntryOnly).is_err());
        assert!(refuse_in_memory("Sample store", &CredentialPersistence::UntilDelete).is_err());
        assert!(refuse_in_memory("Acme vault", &CredentialPersistence::UntilDelete).is_ok());
    }

    #[test]
    fn vendors_are_recognised() {
        let cases = [
            (
                "Secret Service store, https://crates.io/crates/dbus-secret-service-keyring-store",
                Flavor::SecretService,
            ),
            ("Apple native keychain store", Flavor::AppleKeychain),
            (
                "Windows native credential store",
                Flavor::WindowsCredentials,
            ),
            ("Something else", Flavor::Other),
        ];
        for (vendor, flavor) in cases {
            assert_eq!(Flavor::from_vendor(vendor), flavor, "{vendor}");
        }
    }

    #[test]
    fn missing_item_is_not_found_naming_server_and_variable() {
        let error = map_error(KeyringError::NoEntry, Operation::Read, Some(&key()));
        assert_eq!(error.code(), ErrorCode::NotFound);
        let message = error.to_string();
        assert!(
            message.contains("github") && message.contains("GITHUB_TOKEN"),
            "{message}"
        );
        assert!(
            message.contains("switchboard secrets set github GITHUB_TOKEN"),
            "{message}"
        );
    }

    #[test]
    fn undecodable_value_never_reaches_the_message() {
        let secret = b"\xffsuper-secret-bytes".to_vec();
        let error = map_error(
            KeyringError::BadEncoding(secret),
            Operation::Read,
            Some(&key()),
        );
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("super-secret"), "value leaked: {shown}");
        assert_eq!(error.code(), ErrorCode::Failed);
    }

    #[test]
    fn access_refusal_is_denied() {
        let inner: keyring_core::error::PlatformError = "user canceled".into();
        let error = map_error(
            KeyringError::NoStorageAccess(inner),
            Operation::Read,
            Some(&key()),
        );
        assert_eq!(error.code(), ErrorCode::Denied, "{error}");
    }

    #[test]
    fn duplicates_are_ambiguous_with_a_way_out() {
        let error = map_error(
            KeyringError::Ambiguous(Vec::new()),
            Operation::Read,
            Some(&key()),
        );
        assert_eq!(error.code(), ErrorCode::Ambiguous);
        assert!(
            error
                .to_string()
                .contains("Switchboard: GITHUB_TOKEN for github"),
            "{error}"
        );
    }

    #[test]
    fn windows_target_names_are_split_back_into_our_accounts() {
        // Windows' own split of "github/GITHUB_TOKEN.dev.switchboard.Switchboard".
        let found = (
            "Switchboard".to_owned(),
            "github/GITHUB_TOKEN.dev.switchboard".to_owned(),
        );
        assert_eq!(
            our_account(Flavor::WindowsCredentials, SERVICE, found),
            Some("github/GITHUB_TOKEN".to_owned())
        );
        let other = ("Other".to_owned(), "someone.else".to_owned());
        assert_eq!(
            our_account(Flavor::WindowsCredentials, SERVICE, other),
            None
        );
        assert_eq!(
            search_spec(Flavor::WindowsCredentials, SERVICE)["pattern"],
            r"\.dev\.switchboard\.Switchboard$"
        );
    }

    #[test]
    fn other_services_items_are_not_ours() {
        let found = ("com.example".to_owned(), "github/GITHUB_TOKEN".to_owned());
        assert_eq!(our_account(Flavor::SecretService, SERVICE, found), None);
        let ours = (SERVICE.to_owned(), "github/GITHUB_TOKEN".to_owned());
        assert_eq!(
            our_account(Flavor::SecretService, SERVICE, ours),
            Some("github/GITHUB_TOKEN".to_owned())
        );
    }
}
