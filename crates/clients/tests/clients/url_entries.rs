//! URL entries (Streamable HTTP with a bearer token) for the clients that take them, in
//! each client's own shape; switching a server between bridge and URL replaces only
//! Switchboard's keys; clients without URL entries refuse them.

use switchboard_clients::{ClientsError, Entry, ManagedEntries, Operation, Os, Scope, Secret};

use super::support::{Home, put, read};

fn url_entry() -> Entry {
    Entry::http_with_bearer(
        "http://127.0.0.1:47100/mcp/github",
        &Secret::new("sbt_test_token"),
    )
}

#[test]
fn url_entries_take_each_clients_shape() {
    for client in [
        "cursor",
        "vscode",
        "claude-code",
        "windsurf",
        "zed",
        "lm-studio",
    ] {
        let home = Home::new(Os::Linux);
        let target = home.target(client, &Scope::User, None);
        assert!(target.client().accepts_urls(), "{client} takes URL entries");
        let operation = Operation::Put {
            server: "github".into(),
            entry: url_entry(),
        };
        target.apply(&ManagedEntries::new(), &[operation]).unwrap();
        insta::assert_snapshot!(format!("{client}-url-entry"), read(target.path()));
    }
}

#[test]
fn switching_between_bridge_and_url_keeps_the_users_own_keys() {
    let home = Home::new(Os::Linux);
    let target = home.target("vscode", &Scope::User, None);
    let report = target
        .apply(&ManagedEntries::new(), &[put("github")])
        .unwrap();
    // The user adds a key of their own to Switchboard's entry.
    let text = read(target.path()).replace(
        "\"type\": \"stdio\",",
        "\"type\": \"stdio\",\n      \"dev\": { \"watch\": \"src/**\" },",
    );
    std::fs::write(target.path(), &text).unwrap();

    let operation = Operation::Put {
        server: "github".into(),
        entry: url_entry(),
    };
    let report = target.apply(&report.managed, &[operation]).unwrap();
    let switched = read(target.path());
    insta::assert_snapshot!("vscode-bridge-switched-to-url", switched);
    assert!(switched.contains("\"dev\""), "the user's key stays");
    assert!(!switched.contains("\"command\""), "the bridge keys go");

    target.apply(&report.managed, &[put("github")]).unwrap();
    let back = read(target.path());
    assert!(
        back.contains("\"dev\"") && back.contains("\"command\"") && !back.contains("\"url\""),
        "{back}"
    );
}

#[test]
fn clients_without_url_entries_refuse_them() {
    for client in ["claude-desktop", "cline", "codex", "gemini"] {
        let home = Home::new(Os::Linux);
        let target = home.target(client, &Scope::User, None);
        let operation = Operation::Put {
            server: "github".into(),
            entry: url_entry(),
        };
        let error = target
            .apply(&ManagedEntries::new(), &[operation])
            .unwrap_err();
        assert!(
            matches!(error, ClientsError::UrlNotSupported { .. }),
            "{client}: {error}"
        );
        assert!(
            error.to_string().contains("use the bridge entry"),
            "{error}"
        );
        assert!(!target.path().exists(), "{client}: nothing written");
    }
}
