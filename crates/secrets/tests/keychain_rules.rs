//! The rules `Keychain` applies before and around a store, on a store written for this
//! test that cannot enumerate its items (so the registry's names are the index). The real
//! keychain is tested in `keychain.rs`; this file needs no Secret Service.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use switchboard_secrets::{
    ErrorCode, Keychain, Listing, SecretKey, SecretStore, SecretsError, Sensitive, ServerName,
};

/// Items in a map, and a count of calls so a test can tell the store was never reached.
#[derive(Debug, Default)]
struct TableStore {
    items: Mutex<BTreeMap<String, String>>,
    calls: Mutex<usize>,
}

impl TableStore {
    fn touched(&self) -> usize {
        *self.calls.lock().unwrap()
    }

    fn call(&self) {
        *self.calls.lock().unwrap() += 1;
    }
}

impl SecretStore for TableStore {
    fn name(&self) -> String {
        "table".into()
    }

    fn check(&self) -> Result<(), SecretsError> {
        Ok(())
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretsError> {
        self.call();
        self.items
            .lock()
            .unwrap()
            .insert(key.account(), value.expose().clone());
        Ok(())
    }

    fn get(&self, key: &SecretKey) -> Result<Sensitive<String>, SecretsError> {
        self.call();
        self.items
            .lock()
            .unwrap()
            .get(&key.account())
            .map(|value| Sensitive::from(value.as_str()))
            .ok_or_else(|| SecretsError::NotFound {
                server: key.server.to_string(),
                name: key.name.to_string(),
            })
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretsError> {
        self.call();
        self.items
            .lock()
            .unwrap()
            .remove(&key.account())
            .map(|_| ())
            .ok_or_else(|| SecretsError::NotFound {
                server: key.server.to_string(),
                name: key.name.to_string(),
            })
    }

    fn list(&self, _server: &ServerName) -> Result<Listing, SecretsError> {
        self.call();
        Ok(Listing::NotSupported)
    }
}

fn keychain() -> (Arc<TableStore>, Keychain) {
    let store = Arc::new(TableStore::default());
    (store.clone(), Keychain::new(store))
}

#[test]
fn bad_names_and_values_are_refused_before_the_store_is_reached() {
    let (store, keychain) = keychain();
    let value = Sensitive::from("value-123456");
    let cases = [
        keychain.set("github", "github_token", &value),
        keychain.set("git hub", "GITHUB_TOKEN", &value),
        keychain.set("github", "GITHUB_TOKEN", &Sensitive::from("")),
        keychain.set("github", "GITHUB_TOKEN", &Sensitive::from("a\0b-cdef")),
        keychain.set(
            "github",
            "GITHUB_TOKEN",
            &Sensitive::from("x".repeat(2_561)),
        ),
    ];
    for result in cases {
        let error = result.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Invalid, "{error}");
    }
    assert_eq!(store.touched(), 0, "nothing invalid reaches the keychain");
}

#[test]
fn invalid_value_errors_never_show_the_value() {
    let (_, keychain) = keychain();
    let error = keychain
        .set("github", "TOKEN", &Sensitive::from("ghp_secret\0tail"))
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("ghp_secret"), "value leaked: {shown}");
    assert!(shown.contains("NUL"), "{shown}");
}

#[test]
fn names_use_the_known_names_when_the_store_cannot_enumerate() {
    let (_, keychain) = keychain();
    keychain
        .set("github", "GITHUB_TOKEN", &Sensitive::from("ghp_1234567"))
        .unwrap();
    let names: Vec<String> = keychain
        .names("github", &["SLACK_TOKEN", "GITHUB_TOKEN"])
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        ["GITHUB_TOKEN"],
        "only the known names that are stored"
    );
}

#[test]
fn delete_all_deletes_the_known_names_that_exist() {
    let (store, keychain) = keychain();
    for name in ["A_KEY", "B_KEY"] {
        keychain
            .set("srv", name, &Sensitive::from("value-1234567"))
            .unwrap();
    }
    keychain
        .set("other", "A_KEY", &Sensitive::from("value-7654321"))
        .unwrap();
    let deleted: Vec<String> = keychain
        .delete_all("srv", &["A_KEY", "B_KEY", "C_KEY"])
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(deleted, ["A_KEY", "B_KEY"]);
    assert_eq!(
        store.items.lock().unwrap().len(),
        1,
        "the other server keeps its key"
    );
}

#[test]
fn environment_lists_every_missing_name_in_one_error() {
    let (_, keychain) = keychain();
    keychain
        .set("srv", "PRESENT", &Sensitive::from("value-1234567"))
        .unwrap();
    let error = keychain
        .environment("srv", &["MISSING_ONE", "PRESENT", "MISSING_TWO"])
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("MISSING_ONE, MISSING_TWO")
            && message.contains("switchboard secrets set srv"),
        "{message}"
    );
    let env = keychain.environment("srv", &["PRESENT"]).unwrap();
    assert_eq!(env.len(), 1);
    assert_eq!(
        env.expose_pairs().collect::<Vec<_>>(),
        [("PRESENT", "value-1234567")]
    );
}

#[test]
fn keychain_debug_names_the_store_only() {
    let (_, keychain) = keychain();
    keychain
        .set("srv", "TOKEN", &Sensitive::from("hidden-value"))
        .unwrap();
    let shown = format!("{keychain:?}");
    assert_eq!(shown, r#"Keychain { store: "table" }"#);
}
