//! The TypeScript bindings in `ui/src/bindings.ts` are generated from the app's commands and
//! events; this test fails when the committed file differs from what the Rust code
//! generates, so the front end can never call a command the way it no longer exists.
//! `UPDATE_BINDINGS=1` rewrites the file instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::Path;

#[test]
fn the_committed_bindings_match_the_commands_and_events() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    switchboard_app::export_bindings(&fresh).expect("the bindings can be generated");
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh_text).unwrap();
        return;
    }
    let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed_text == fresh_text,
        "ui/src/bindings.ts is out of date with the app's commands and events: regenerate it \
         with `UPDATE_BINDINGS=1 cargo test -p switchboard-app --test bindings` and commit it"
    );
    for command in [
        "listServers",
        "setServerEnabled",
        "pickFolder",
        "recentCalls",
        "addToClient",
        "storeSecret",
    ] {
        assert!(
            fresh_text.contains(&format!("{command}: (")),
            "the bindings have the command {command}"
        );
    }
    assert!(
        fresh_text.contains("daemonBatch"),
        "the bindings have the batched event"
    );
}
