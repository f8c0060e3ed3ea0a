//! Import: hand-made entries read from real client files in a neutral shape, secrets set
//! apart (and never printed); then adopting them replaces them with bridge entries so no
//! secret stays in the file, keeping the client's own per-server keys.

use std::path::Path;

use switchboard_clients::{
    Entry, ImportedLaunch, ManagedEntries, Operation, Os, Scope, SecretReason,
};

use super::support::{Home, fixture, read};

#[test]
fn hand_made_servers_import_with_their_secrets_set_apart() {
    let home = Home::new(Os::Windows);
    let target = home.target(
        "cline",
        &Scope::User,
        Some(&fixture("cline", "real-world.json")),
    );
    let servers = target.import(&ManagedEntries::new()).unwrap();
    assert_eq!(servers.len(), 2);

    let github = &servers[0];
    assert_eq!(
        github.name,
        "github.com/modelcontextprotocol/servers/tree/main/src/github"
    );
    assert_eq!(
        github.suggested_id,
        "github-com-modelcontextprotocol-servers-tree-main-src-github"
    );
    let ImportedLaunch::Stdio {
        command,
        env,
        secret_env,
        ..
    } = &github.launch
    else {
        panic!("stdio expected");
    };
    assert_eq!(command, "C:\\Program Files\\nodejs\\node.exe");
    assert!(env.is_empty());
    let (secret, reason) = &secret_env["GITHUB_PERSONAL_ACCESS_TOKEN"];
    assert_eq!(secret.expose(), "github_pat_EXAMPLE_example_0123456789");
    assert_eq!(*reason, SecretReason::KnownShape);
    assert_eq!(github.other_keys, ["autoApprove", "disabled", "timeout"]);
    assert_eq!(github.secret_count(), 1);
    let shown = format!("{servers:?}");
    assert!(
        !shown.contains("github_pat_EXAMPLE"),
        "Debug leaked a secret: {shown}"
    );
    let snapshot = format!("{:?}", target.read().unwrap());
    assert!(
        snapshot.contains("GITHUB_PERSONAL_ACCESS_TOKEN"),
        "env names show: {snapshot}"
    );
    assert!(
        !snapshot.contains("github_pat_EXAMPLE"),
        "Debug leaked a secret: {snapshot}"
    );

    let weather = &servers[1];
    assert_eq!(weather.suggested_id, "weather");
    assert_eq!(weather.secret_count(), 0);
}

#[test]
fn url_entries_import_with_bearer_headers_as_secrets() {
    let home = Home::new(Os::Linux);
    let target = home.target(
        "lm-studio",
        &Scope::User,
        Some(&fixture("lm-studio", "real-world.json")),
    );
    let servers = target.import(&ManagedEntries::new()).unwrap();
    let hf = servers.iter().find(|s| s.name == "hf-mcp-server").unwrap();
    let ImportedLaunch::Http {
        url,
        headers,
        secret_headers,
        secret_in_url,
    } = &hf.launch
    else {
        panic!("http expected");
    };
    assert_eq!(url, "https://huggingface.co/mcp");
    assert!(headers.is_empty() && !secret_in_url);
    assert_eq!(
        secret_headers["Authorization"].0.expose(),
        "Bearer hf_EXAMPLEexampleEXAMPLE"
    );
}

#[test]
fn adopting_an_imported_entry_removes_the_secret_from_the_file_and_keeps_client_keys() {
    let home = Home::new(Os::Linux);
    let target = home.target(
        "cline",
        &Scope::User,
        Some(&fixture("cline", "real-world.json")),
    );
    let imported = target.import(&ManagedEntries::new()).unwrap();
    let github = &imported[0];
    let entry = Entry::bridge(
        Path::new("/opt/switchboard/bin/switchboard"),
        &github.suggested_id,
    )
    .unwrap();
    let report = target
        .apply(
            &ManagedEntries::new(),
            &[Operation::Adopt {
                name: github.name.clone(),
                server: github.suggested_id.clone(),
                entry,
            }],
        )
        .unwrap();
    // Cline's `github.com/…` name breaks the name rule: the entry is renamed to the id.
    assert_eq!(
        report.managed.get(&github.suggested_id),
        Some(&github.suggested_id)
    );
    let text = read(target.path());
    insta::assert_snapshot!("cline-adopted", text);
    assert!(!text.contains("github_pat_"), "the secret left the file");
    assert!(
        !text.contains("github.com/modelcontextprotocol"),
        "the old entry is gone"
    );
    assert!(
        text.contains("\"autoApprove\": [\"search_repositories\"]"),
        "Cline's own keys stay"
    );

    // Imported again, the entry shows as Switchboard's own.
    let again = target.import(&report.managed).unwrap();
    assert!(
        again
            .iter()
            .find(|s| s.name == github.suggested_id)
            .unwrap()
            .managed
    );

    // A valid name is taken over in place.
    let weather = Entry::bridge(Path::new("/opt/switchboard/bin/switchboard"), "weather").unwrap();
    let report = target
        .apply(
            &report.managed,
            &[Operation::Adopt {
                name: "weather".into(),
                server: "weather".into(),
                entry: weather,
            }],
        )
        .unwrap();
    assert_eq!(report.managed.len(), 2);
    let value: serde_json::Value = serde_json::from_str(&read(target.path())).unwrap();
    assert_eq!(
        value["mcpServers"]["weather"]["disabled"], true,
        "Cline's switch stays"
    );
    assert_eq!(
        value["mcpServers"]["weather"]["args"],
        serde_json::json!(["connect", "weather"])
    );
}
