//! Names: a server id is used as is unless a foreign entry holds it; then
//! `<id>-switchboard` (then `-2`, …), reported so the UI can say so; Switchboard's entry
//! keeps its name afterwards, and foreign entries are never touched.

use std::path::Path;

use switchboard_clients::{ClientsError, Collision, Entry, ManagedEntries, Operation, Os, Scope};

use super::support::{Home, bridge, parse_value, put, read, remove};

#[test]
fn a_foreign_entry_of_the_same_name_gets_a_visible_collision_name() {
    let home = Home::new(Os::Linux);
    let original = b"{\n  \"mcpServers\": {\n    \"github\": { \"command\": \"npx\", \"args\": [\"-y\", \"gh\"] },\n    \"github-switchboard\": { \"command\": \"x\" }\n  }\n}\n";
    let target = home.target("cursor", &Scope::User, Some(original));

    let report = target
        .apply(&ManagedEntries::new(), &[put("github")])
        .unwrap();
    assert_eq!(
        report.collisions,
        vec![Collision {
            server: "github".into(),
            wanted: "github".into(),
            chosen: "github-switchboard-2".into(),
        }]
    );
    assert_eq!(
        report.collisions[0].message("Cursor"),
        "Cursor already had a server called github; Switchboard's is github-switchboard-2"
    );
    assert_eq!(
        report.managed,
        ManagedEntries::from([("github-switchboard-2".into(), "github".into())])
    );

    // The name sticks: a later update goes to the same entry and reports no collision.
    let update = Entry::bridge(Path::new("/usr/local/bin/switchboard"), "github").unwrap();
    let again = target
        .apply(
            &report.managed,
            &[Operation::Put {
                server: "github".into(),
                entry: update,
            }],
        )
        .unwrap();
    assert!(
        again.collisions.is_empty(),
        "no new collision: {:?}",
        again.collisions
    );
    assert_eq!(again.managed, report.managed);
    let value = parse_value(target.client().format, &read(target.path()));
    assert_eq!(
        value["mcpServers"]["github-switchboard-2"]["command"],
        "/usr/local/bin/switchboard"
    );
    assert_eq!(
        value["mcpServers"]["github"]["command"], "npx",
        "the foreign entry is untouched"
    );

    // Uninstalling removes only Switchboard's entry.
    let gone = target.apply(&again.managed, &[remove("github")]).unwrap();
    assert!(gone.managed.is_empty());
    assert_eq!(
        read(target.path()).as_bytes(),
        original,
        "the user's file is back as it was"
    );
}

#[test]
fn two_servers_never_share_a_name() {
    let home = Home::new(Os::Linux);
    let target = home.target(
        "claude-desktop",
        &Scope::User,
        Some(br#"{"mcpServers": {"github": {"command": "npx"}}}"#),
    );
    // Server "github" collides and takes "github-switchboard"; server "github-switchboard"
    // (a real id) must then take the next free name, not steal it.
    let report = target
        .apply(
            &ManagedEntries::new(),
            &[put("github"), put("github-switchboard")],
        )
        .unwrap();
    assert_eq!(
        report.managed,
        ManagedEntries::from([
            ("github-switchboard".into(), "github".into()),
            (
                "github-switchboard-switchboard".into(),
                "github-switchboard".into()
            ),
        ])
    );
}

#[test]
fn a_removed_server_that_was_never_installed_changes_nothing() {
    let home = Home::new(Os::Linux);
    let original = br#"{"mcpServers": {"notes": {"command": "theirs"}}}"#;
    let target = home.target("cursor", &Scope::User, Some(original));
    let report = target
        .apply(&ManagedEntries::new(), &[remove("notes")])
        .unwrap();
    assert!(!report.written && report.changes.is_empty(), "{report:?}");
    assert_eq!(
        read(target.path()).as_bytes(),
        original,
        "a foreign entry is never removed"
    );
}

#[test]
fn invalid_server_ids_are_refused_before_anything_is_written() {
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, None);
    let error = target
        .apply(
            &ManagedEntries::new(),
            &[Operation::Put {
                server: "my server".into(),
                entry: bridge("github"),
            }],
        )
        .unwrap_err();
    assert!(
        matches!(error, ClientsError::InvalidName(ref name) if name == "my server"),
        "{error}"
    );
    assert!(!target.path().exists(), "nothing was written");
}

#[test]
fn a_one_line_file_keeps_its_content_but_not_its_one_line_layout() {
    // Appending an entry makes a one-line servers object multi-line; removing it again
    // keeps the content, not the original layout. Clients write pretty-printed files.
    let home = Home::new(Os::Linux);
    let original = br#"{"mcpServers": {"github": {"command": "npx"}}, "theme": "dark"}"#;
    let target = home.target("cursor", &Scope::User, Some(original));
    let report = target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    target.apply(&report.managed, &[remove("notes")]).unwrap();
    let format = target.client().format;
    assert_eq!(
        parse_value(format, &read(target.path())),
        parse_value(format, std::str::from_utf8(original).unwrap())
    );
}
