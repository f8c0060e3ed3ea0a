//! Drift on real files: a client rewrites its file (reformatted, entry dropped, entry
//! altered, file deleted); the comparison says what happened, and re-applying puts
//! Switchboard's entries back without touching the client's own changes.

use std::collections::BTreeMap;

use serde_json::json;
use switchboard_clients::{Drift, DriftKind, Entry, ManagedEntries, Os, Scope};

use super::support::{Home, bridge, put, read};

fn expected() -> BTreeMap<String, Entry> {
    BTreeMap::from([
        ("github".to_owned(), bridge("github")),
        ("notes".to_owned(), bridge("notes")),
    ])
}

#[test]
fn a_client_rewriting_its_file_in_its_own_style_is_not_drift() {
    let home = Home::new(Os::MacOs);
    let target = home.target(
        "claude-desktop",
        &Scope::User,
        Some(br#"{"globalShortcut": ""}"#),
    );
    let report = target
        .apply(&ManagedEntries::new(), &[put("github"), put("notes")])
        .unwrap();
    // Claude Desktop saves the whole file with its own formatting and key order.
    let value: serde_json::Value = serde_json::from_str(&read(target.path())).unwrap();
    std::fs::write(target.path(), serde_json::to_string(&value).unwrap()).unwrap();
    assert_eq!(target.drift(&report.managed, &expected()).unwrap(), vec![]);
}

#[test]
fn dropped_and_altered_entries_are_found_and_repaired() {
    let home = Home::new(Os::Linux);
    let target = home.target("claude-desktop", &Scope::User, None);
    let report = target
        .apply(&ManagedEntries::new(), &[put("github"), put("notes")])
        .unwrap();

    // The app rewrites the file: drops `notes`, changes `github`'s args, adds a setting.
    let mut value: serde_json::Value = serde_json::from_str(&read(target.path())).unwrap();
    value["mcpServers"].as_object_mut().unwrap().remove("notes");
    value["mcpServers"]["github"]["args"] = json!(["connect", "gitlab"]);
    value["preferences"] = json!({"menuBarEnabled": true});
    std::fs::write(target.path(), serde_json::to_string_pretty(&value).unwrap()).unwrap();

    let drifts = target.drift(&report.managed, &expected()).unwrap();
    assert_eq!(
        drifts,
        vec![
            Drift {
                name: "github".into(),
                server: "github".into(),
                kind: DriftKind::Altered {
                    fields: vec!["args"]
                }
            },
            Drift {
                name: "notes".into(),
                server: "notes".into(),
                kind: DriftKind::Dropped
            },
        ]
    );

    let repaired = target
        .apply(&report.managed, &Drift::repair(&drifts, &expected()))
        .unwrap();
    assert!(repaired.written);
    assert_eq!(
        target.drift(&repaired.managed, &expected()).unwrap(),
        vec![],
        "repaired"
    );
    let after: serde_json::Value = serde_json::from_str(&read(target.path())).unwrap();
    assert_eq!(
        after["preferences"],
        json!({"menuBarEnabled": true}),
        "the app's own change stays"
    );
}

#[test]
fn a_deleted_file_drops_every_entry() {
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, None);
    let report = target
        .apply(&ManagedEntries::new(), &[put("github")])
        .unwrap();
    std::fs::remove_file(target.path()).unwrap();
    let drifts = target.drift(&report.managed, &expected()).unwrap();
    assert_eq!(drifts.len(), 1);
    assert_eq!(drifts[0].kind, DriftKind::Dropped);
}

#[test]
fn the_users_policy_decides_between_reapplying_and_surfacing() {
    use switchboard_clients::DriftPolicy;

    let home = Home::new(Os::Linux);
    let target = home.target("windsurf", &Scope::User, None);
    let report = target
        .apply(&ManagedEntries::new(), &[put("github"), put("notes")])
        .unwrap();
    let dropped = read(target.path()).replace("\"github\"", "\"renamed-by-user\"");
    std::fs::write(target.path(), &dropped).unwrap();

    let surfaced = target
        .handle_drift(&report.managed, &expected(), DriftPolicy::Surface)
        .unwrap();
    assert_eq!(surfaced.drifts.len(), 1);
    assert!(surfaced.repaired.is_none());
    assert_eq!(read(target.path()), dropped, "surfacing changes nothing");

    let reapplied = target
        .handle_drift(&report.managed, &expected(), DriftPolicy::Reapply)
        .unwrap();
    assert_eq!(reapplied.drifts.len(), 1);
    assert!(reapplied.repaired.unwrap().written);
    let now = read(target.path());
    assert!(
        now.contains("\"github\"") && now.contains("\"renamed-by-user\""),
        "{now}"
    );
    let again = target
        .handle_drift(&report.managed, &expected(), DriftPolicy::Reapply)
        .unwrap();
    assert!(again.drifts.is_empty() && again.repaired.is_none());
}
