//! Every client's fixture files, written into a temp HOME at the place the client reads,
//! through install (bridge entries for `github` and `notes`) and uninstall, with insta
//! snapshots of the resulting files. Foreign keys, entries and comments must survive;
//! uninstalling from a file that had servers gives back the original bytes.

use std::path::PathBuf;

use switchboard_clients::{Change, ManagedEntries, Os, Scope};

use super::support::{self, Home, at, fixture, parse_value, put, read, remove, without_entries};

struct Case {
    /// Snapshot name.
    name: &'static str,
    client: &'static str,
    os: Os,
    scope: fn(&Home) -> Scope,
    /// `None`: the file is missing.
    fixture: Option<&'static str>,
    /// Texts that must still be in the file after install (comments, foreign values).
    kept: &'static [&'static str],
}

fn user(_: &Home) -> Scope {
    Scope::User
}

fn project(home: &Home) -> Scope {
    Scope::Project(home.path().join("src").join("app"))
}

fn local_app(_: &Home) -> Scope {
    Scope::Local(PathBuf::from("/home/ada/src/app"))
}

fn local_other(_: &Home) -> Scope {
    Scope::Local(PathBuf::from("/home/ada/src/other"))
}

const CASES: &[Case] = &[
    Case {
        name: "claude-desktop-macos-real-world",
        client: "claude-desktop",
        os: Os::MacOs,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &["double-tap-option", "C:\\\\Users\\\\ada\\\\Documents"],
    },
    Case {
        name: "claude-desktop-windows-msix-real-world",
        client: "claude-desktop",
        os: Os::Windows,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &["isUsingBuiltInNodeForMcp"],
    },
    Case {
        name: "claude-desktop-linux-no-servers",
        client: "claude-desktop",
        os: Os::Linux,
        scope: user,
        fixture: Some("no-servers.json"),
        kept: &["menuBarEnabled"],
    },
    Case {
        name: "claude-desktop-windows-notepad-crlf-bom",
        client: "claude-desktop",
        os: Os::Windows,
        scope: user,
        fixture: Some("windows-notepad.json"),
        kept: &["\u{feff}{\r\n", "mcp-server-sqlite"],
    },
    Case {
        name: "claude-desktop-empty",
        client: "claude-desktop",
        os: Os::Linux,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "claude-desktop-missing",
        client: "claude-desktop",
        os: Os::MacOs,
        scope: user,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "cursor-real-world",
        client: "cursor",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &["${env:GITHUB_TOKEN}", "envFile"],
    },
    Case {
        name: "cursor-project-missing",
        client: "cursor",
        os: Os::Windows,
        scope: project,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "cursor-empty",
        client: "cursor",
        os: Os::MacOs,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "vscode-user-real-world",
        client: "vscode",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &[
            "// Secrets are prompted for once",
            "/* Remote GitHub server */",
            "// from inputs",
            "\t\t\t\"password\": true",
        ],
    },
    Case {
        name: "vscode-workspace-missing",
        client: "vscode",
        os: Os::MacOs,
        scope: project,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "vscode-empty",
        client: "vscode",
        os: Os::Windows,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "windsurf-real-world",
        client: "windsurf",
        os: Os::MacOs,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &["serverUrl", "BSA-example-0000"],
    },
    Case {
        name: "windsurf-missing",
        client: "windsurf",
        os: Os::Windows,
        scope: user,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "claude-code-user-real-world",
        client: "claude-code",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &[
            "\"numStartups\": 42",
            "hasTrustDialogAccepted",
            "https://mcp.sentry.dev/mcp",
        ],
    },
    Case {
        name: "claude-code-local-existing-project",
        client: "claude-code",
        os: Os::Linux,
        scope: local_app,
        fixture: Some("real-world.json"),
        kept: &["@playwright/mcp@latest", "\"lastCost\": 0.1234"],
    },
    Case {
        name: "claude-code-local-new-project",
        client: "claude-code",
        os: Os::MacOs,
        scope: local_other,
        fixture: Some("real-world.json"),
        kept: &["\"/home/ada/src/app\": {"],
    },
    Case {
        name: "claude-code-project-mcp-json",
        client: "claude-code",
        os: Os::Linux,
        scope: project,
        fixture: Some("project-mcp.json"),
        kept: &["${DB_URL}"],
    },
    Case {
        name: "claude-code-empty",
        client: "claude-code",
        os: Os::Linux,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "lm-studio-real-world",
        client: "lm-studio",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &["hf-mcp-server"],
    },
    Case {
        name: "lm-studio-empty",
        client: "lm-studio",
        os: Os::MacOs,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "cline-real-world",
        client: "cline",
        os: Os::Windows,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &[
            "\"autoApprove\": [\"search_repositories\"]",
            "C:\\\\Users\\\\ada\\\\Documents\\\\Cline",
        ],
    },
    Case {
        name: "cline-missing",
        client: "cline",
        os: Os::Linux,
        scope: user,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "codex-real-world",
        client: "codex",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.toml"),
        kept: &[
            "# Codex configuration",
            "# ask before running commands",
            "# The docs server runs from a local checkout.",
            "[mcp_servers.docs.env]",
            "[profiles.fast]",
            "'C:\\tools\\docs-server.exe'",
        ],
    },
    Case {
        name: "codex-inline-servers",
        client: "codex",
        os: Os::MacOs,
        scope: user,
        fixture: Some("inline-servers.toml"),
        kept: &["model = \"o3\""],
    },
    Case {
        name: "codex-empty",
        client: "codex",
        os: Os::Windows,
        scope: user,
        fixture: Some("empty.toml"),
        kept: &[],
    },
    Case {
        name: "codex-missing",
        client: "codex",
        os: Os::Linux,
        scope: user,
        fixture: None,
        kept: &[],
    },
    Case {
        name: "gemini-real-world",
        client: "gemini",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &[
            "// Gemini CLI strips comments before parsing.",
            "$DB_CONNECTION_STRING",
            "httpUrl",
        ],
    },
    Case {
        name: "gemini-empty",
        client: "gemini",
        os: Os::MacOs,
        scope: user,
        fixture: Some("empty.json"),
        kept: &[],
    },
    Case {
        name: "zed-real-world",
        client: "zed",
        os: Os::Linux,
        scope: user,
        fixture: Some("real-world.json"),
        kept: &[
            "// Zed settings",
            "// An extension-provided server",
            "\"source\": \"custom\"",
            "\"vim_mode\": false,",
        ],
    },
    Case {
        name: "zed-windows-missing",
        client: "zed",
        os: Os::Windows,
        scope: user,
        fixture: None,
        kept: &[],
    },
];

#[test]
fn every_fixture_gets_bridge_entries_keeps_foreign_content_and_uninstalls_cleanly() {
    for case in CASES {
        check(case);
    }
}

fn check(case: &Case) {
    let label = case.name;
    let home = Home::new(case.os);
    let scope = (case.scope)(&home);
    let original = case.fixture.map(|name| fixture(case.client, name));
    let target = home.target(case.client, &scope, original.as_deref());
    let format = target.client().format;
    let original_text = original
        .as_deref()
        .map(|bytes| String::from_utf8(bytes.to_vec()).unwrap());
    let original_value = parse_value(format, original_text.as_deref().unwrap_or(""));
    let servers_path = target.servers_path();

    // Install.
    let report = target
        .apply(&ManagedEntries::new(), &[put("github"), put("notes")])
        .unwrap_or_else(|e| panic!("{label}: install failed: {e}"));
    assert!(report.written, "{label}: install should write the file");
    assert_eq!(
        report.backup.is_some(),
        original.is_some(),
        "{label}: a backup exactly when a file existed"
    );
    let installed = read(target.path());
    insta::assert_snapshot!(format!("{label}-installed"), installed);
    for kept in case.kept {
        assert!(
            installed.contains(kept),
            "{label}: lost {kept:?} on install:\n{installed}"
        );
    }
    if let Some(original) = &original_text {
        let crlf_throughout = original.contains("\r\n") && !lone_lf(original);
        assert!(
            !crlf_throughout || !lone_lf(&installed),
            "{label}: a CRLF file got LF line endings"
        );
        assert_eq!(
            installed.starts_with('\u{feff}'),
            original.starts_with('\u{feff}'),
            "{label}: the byte-order mark must be kept as it was"
        );
    }
    let installed_value = parse_value(format, &installed);
    assert_eq!(
        without_entries(
            &installed_value,
            &servers_path,
            &support::names(&report.managed),
            &original_value
        ),
        original_value,
        "{label}: install changed something that is not Switchboard's"
    );
    for (name, server) in &report.managed {
        let entry = at(&installed_value, &servers_path)
            .and_then(|servers| servers.get(name))
            .unwrap_or_else(|| panic!("{label}: {name} missing"));
        let args = entry.get("args").unwrap();
        assert_eq!(
            args,
            &serde_json::json!(["connect", server]),
            "{label}: {name}'s args"
        );
        assert_eq!(
            entry.get("command").unwrap(),
            support::BINARY,
            "{label}: {name}'s command"
        );
    }

    // Installing again changes nothing and writes nothing.
    let again = target
        .apply(&report.managed, &[put("github"), put("notes")])
        .unwrap();
    assert!(!again.written, "{label}: a second install should not write");
    assert!(
        again
            .changes
            .iter()
            .all(|c| matches!(c, Change::Unchanged { .. })),
        "{label}: {:?}",
        again.changes
    );
    assert_eq!(
        read(target.path()),
        installed,
        "{label}: a second install changed the file"
    );

    // Uninstall.
    let report = target
        .apply(&report.managed, &[remove("github"), remove("notes")])
        .unwrap();
    assert!(
        report.managed.is_empty(),
        "{label}: nothing is managed after uninstall"
    );
    let uninstalled = read(target.path());
    let had_servers = at(&original_value, &servers_path)
        .and_then(|s| s.as_object())
        .is_some_and(|s| !s.is_empty());
    if had_servers {
        assert_eq!(
            Some(&uninstalled),
            original_text.as_ref(),
            "{label}: uninstall should give back the original bytes"
        );
    } else {
        insta::assert_snapshot!(format!("{label}-uninstalled"), uninstalled);
        assert_eq!(
            without_entries(
                &parse_value(format, &uninstalled),
                &servers_path,
                &[],
                &original_value
            ),
            original_value,
            "{label}: uninstall left something behind"
        );
    }
    let folder = target.path().parent().unwrap();
    assert!(
        support::temp_files(folder).is_empty(),
        "{label}: temp files left behind"
    );
}

fn lone_lf(text: &str) -> bool {
    text.match_indices('\n')
        .any(|(i, _)| i == 0 || text.as_bytes()[i - 1] != b'\r')
}
