//! MCP clients' config files as a user meets them: the real `switchboard` binary and daemon
//! with a temporary HOME, writing into Claude Desktop's and Cursor's files that already
//! hold the user's own servers and settings; collisions, uninstall, removal, a malformed
//! file, drift (re-applied, or surfaced as an event), and import of a hand-made entry that
//! a real MCP client then reaches through the bridge entry. The import tests that move
//! secrets need a Secret Service; scripts/test runs the suite inside one:
//!
//! dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test --test clients'
//!
//! Without one, those tests fail and say so; they never skip. Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

// Servers are reached through the entries the clients' files hold, not `connect`.
#[allow(dead_code)]
#[path = "support/client.rs"]
mod client;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use client::{call, control, text};
use rmcp::{ServiceExt, transport::TokioChildProcess};
use serde_json::{Value, json};
use switchboard_gateway::{DriftAction, Event};
use switchboard_hub::{Request, ServerInfo};
use switchboard_tests::{Home, run_with_deadline, switchboard_bin, tools_dir};

/// Claude Desktop's file on Linux: `$XDG_CONFIG_HOME/Claude/claude_desktop_config.json`.
fn claude_file(home: &Home) -> PathBuf {
    home.xdg_config()
        .join("Claude")
        .join("claude_desktop_config.json")
}

/// Cursor's user file: `~/.cursor/mcp.json`.
fn cursor_file(home: &Home) -> PathBuf {
    home.home.join(".cursor").join("mcp.json")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}):\n{text}", path.display()))
}

/// The bridge entry Switchboard writes for `id`.
fn bridge(id: &str) -> Value {
    json!({
        "command": switchboard_bin().to_str().unwrap(),
        "args": ["connect", id],
    })
}

/// `switchboard <args>` expected to fail: its stderr.
fn run_failing(home: &Home, args: &[&str]) -> String {
    let output = run_with_deadline(home.command(args), Duration::from_secs(60));
    assert!(
        !output.status.success(),
        "switchboard {args:?} should have failed:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Files beside `path` whose name starts with its name and the backup infix.
fn backups_of(path: &Path) -> Vec<PathBuf> {
    let name = path.file_name().unwrap().to_str().unwrap().to_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}.switchboard-backup-")))
        })
        .collect();
    found.sort();
    found
}

/// Polls `check` every 50 ms for at most `limit`.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

const CLAUDE_BEFORE: &str = r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "weather": {
      "command": "npx",
      "args": ["-y", "@example/weather-mcp"]
    }
  },
  "preferences": {"quickEntry": true, "menuBarEnabled": false}
}
"#;

const CURSOR_BEFORE: &str = r#"{
  "mcpServers": {
    "clock": {
      "command": "uvx",
      "args": ["mcp-server-time"]
    }
  },
  "theme": "dark"
}
"#;

#[test]
fn install_writes_bridge_entries_keeps_everything_else_and_uninstall_gives_the_bytes_back() {
    let home = Home::new();
    write(&claude_file(&home), CLAUDE_BEFORE);
    write(&cursor_file(&home), CURSOR_BEFORE);

    let out = home.run(&["install", "clock", "--into", "claude-desktop,cursor"]);
    assert!(
        out.contains(
            "Cursor already had a server called clock; Switchboard's is clock-switchboard"
        ),
        "the collision is reported in plain words:\n{out}"
    );
    assert!(
        out.contains("Quit and reopen Claude Desktop to see the change."),
        "a hint per client:\n{out}"
    );
    assert!(out.contains("backup of the previous file:"), "{out}");

    let claude = read_json(&claude_file(&home));
    assert_eq!(claude["mcpServers"]["clock"], bridge("clock"), "{claude}");
    assert_eq!(
        claude["mcpServers"]["weather"],
        json!({"command": "npx", "args": ["-y", "@example/weather-mcp"]}),
        "the user's own server is kept"
    );
    assert_eq!(
        claude["globalShortcut"], "Ctrl+Space",
        "the app's own keys are kept"
    );
    assert_eq!(
        claude["preferences"],
        json!({"quickEntry": true, "menuBarEnabled": false})
    );
    let cursor = read_json(&cursor_file(&home));
    assert_eq!(
        cursor["mcpServers"]["clock"],
        json!({"command": "uvx", "args": ["mcp-server-time"]}),
        "the foreign entry called clock is not touched"
    );
    assert_eq!(cursor["mcpServers"]["clock-switchboard"], bridge("clock"));
    assert_eq!(cursor["theme"], "dark");
    assert_eq!(
        backups_of(&claude_file(&home)).len(),
        1,
        "one backup per write"
    );

    // Installing again changes nothing and writes nothing.
    let again = home.run(&["install", "clock", "--into", "cursor"]);
    assert!(again.contains("already there, unchanged"), "{again}");
    assert_eq!(
        backups_of(&cursor_file(&home)).len(),
        1,
        "no write, no new backup"
    );

    let listed = home.run(&["clients"]);
    assert!(
        listed.contains("Claude Desktop (claude-desktop)  found"),
        "{listed}"
    );
    assert!(listed.contains("Switchboard's: clock"), "{listed}");
    assert!(listed.contains("others: weather"), "{listed}");
    assert!(
        listed.contains("Switchboard's: clock-switchboard (server clock)"),
        "{listed}"
    );

    let out = home.run(&["uninstall", "clock"]);
    assert!(out.contains("\"clock\" removed"), "{out}");
    assert_eq!(
        std::fs::read_to_string(claude_file(&home)).unwrap(),
        CLAUDE_BEFORE,
        "uninstalling gives back the file byte for byte"
    );
    assert_eq!(
        std::fs::read_to_string(cursor_file(&home)).unwrap(),
        CURSOR_BEFORE
    );
    let listed = home.run(&["clients"]);
    assert!(!listed.contains("Switchboard's: clock"), "{listed}");
}

#[test]
fn install_into_a_project_file_and_remove_takes_the_entries_out_of_every_file() {
    let home = Home::new();
    let project = home.folder("app");
    write(&claude_file(&home), CLAUDE_BEFORE);
    let target = format!("claude-desktop,cursor:project={}", project.display());
    home.run(&["install", "calc", "--into", &target]);
    let project_file = project.join(".cursor").join("mcp.json");
    assert_eq!(
        read_json(&project_file)["mcpServers"]["calc"],
        bridge("calc"),
        "a missing project file is created"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&project_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "a new client file is private");
    }

    let out = home.run(&["remove", "calc"]);
    assert!(out.contains("Removed \"calc\""), "{out}");
    assert!(
        out.contains("\"calc\" removed in"),
        "what changed in client files:\n{out}"
    );
    assert_eq!(
        std::fs::read_to_string(claude_file(&home)).unwrap(),
        CLAUDE_BEFORE,
        "the server's entry left Claude Desktop's file"
    );
    let project_json = read_json(&project_file);
    assert!(
        project_json["mcpServers"].get("calc").is_none(),
        "and the project's file: {project_json}"
    );
    let relative = run_failing(&home, &["install", "clock", "--into", "cursor:project=app"]);
    assert!(relative.contains("absolute"), "{relative}");
    let unknown = run_failing(&home, &["install", "clock", "--into", "notepad"]);
    assert!(
        unknown.contains("there is no client \"notepad\"") && unknown.contains("claude-desktop"),
        "{unknown}"
    );
}

#[test]
fn a_malformed_file_is_left_unchanged_and_the_error_points_at_the_line() {
    let home = Home::new();
    // Cursor's JSON is strict: a trailing comma breaks it.
    let broken = "{\n  \"mcpServers\": {\n    \"x\": {\"command\": \"y\"},\n  }\n}\n";
    write(&cursor_file(&home), broken);
    write(&claude_file(&home), CLAUDE_BEFORE);

    let error = run_failing(&home, &["install", "clock", "--into", "cursor"]);
    assert!(
        error.contains("Trailing commas are not allowed at line 3, column 26"),
        "the line and column of the comma: {error}"
    );
    assert!(error.contains("left unchanged"), "{error}");
    assert_eq!(std::fs::read_to_string(cursor_file(&home)).unwrap(), broken);
    assert!(
        backups_of(&cursor_file(&home)).is_empty(),
        "nothing was written"
    );

    // With a good file beside it, the good one is written and the bad one reported.
    let error = run_failing(
        &home,
        &["install", "clock", "--into", "claude-desktop,cursor"],
    );
    assert!(error.contains("Cursor: "), "{error}");
    assert_eq!(
        read_json(&claude_file(&home))["mcpServers"]["clock"],
        bridge("clock")
    );
    assert_eq!(std::fs::read_to_string(cursor_file(&home)).unwrap(), broken);
    let listed = home.run(&["clients"]);
    assert!(listed.contains("cannot read it:"), "{listed}");
}

/// Takes `name` out of the file's `mcpServers` by hand, as a client rewriting it would.
fn drop_entry(path: &Path, name: &str) {
    let mut json = read_json(path);
    json["mcpServers"].as_object_mut().unwrap().remove(name);
    std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_entry_is_put_back_and_the_drift_announced() {
    let home = Home::new();
    write(&claude_file(&home), CLAUDE_BEFORE);
    home.run(&["install", "clock", "--into", "claude-desktop"]);
    let mut watcher = control(&home).await;
    let _: bool = watcher.call(Request::Subscribe).await.unwrap();

    drop_entry(&claude_file(&home), "clock");
    let path = claude_file(&home);
    assert!(
        eventually(Duration::from_secs(10), || {
            read_json(&path)["mcpServers"].get("clock") == Some(&bridge("clock"))
        }),
        "the daemon re-applies the entry: {}",
        read_json(&path)
    );
    assert_eq!(
        read_json(&path)["mcpServers"]["weather"]["command"],
        "npx",
        "the rest of the file stays"
    );
    let event = next_drift(&mut watcher).await;
    let Event::ClientDrift {
        client,
        entries,
        action,
        message,
        ..
    } = event
    else {
        unreachable!()
    };
    assert_eq!(client, "claude-desktop");
    assert_eq!(action, DriftAction::Reapplied, "{message}");
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].dropped && entries[0].server == "clock",
        "{entries:?}"
    );
    assert!(message.contains("put its entries back"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_drift_set_to_surface_the_file_is_left_alone_and_a_watcher_is_told() {
    let home = Home::new();
    write(&cursor_file(&home), CURSOR_BEFORE);
    let out = home.run(&["settings", "clients.drift", "surface"]);
    assert!(out.contains("clients.drift = \"surface\""), "{out}");
    home.run(&["install", "calc", "--into", "cursor"]);
    let mut watcher = control(&home).await;
    let _: bool = watcher.call(Request::Subscribe).await.unwrap();

    drop_entry(&cursor_file(&home), "calc");
    let event = next_drift(&mut watcher).await;
    let Event::ClientDrift {
        client,
        path,
        entries,
        action,
        message,
    } = event
    else {
        unreachable!()
    };
    assert_eq!(
        (client.as_str(), action),
        ("cursor", DriftAction::Surfaced),
        "{message}"
    );
    assert_eq!(path, cursor_file(&home));
    assert_eq!(entries[0].name, "calc");
    assert!(message.contains("\"surface\""), "{message}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        read_json(&cursor_file(&home))["mcpServers"]
            .get("calc")
            .is_none(),
        "surface never writes"
    );
    let listed = home.run(&["clients"]);
    assert!(listed.contains("calc [missing from the file]"), "{listed}");
    // Installing again puts it back.
    home.run(&["install", "calc", "--into", "cursor"]);
    assert_eq!(
        read_json(&cursor_file(&home))["mcpServers"]["calc"],
        bridge("calc")
    );
}

/// The next ClientDrift event, within 10 seconds.
async fn next_drift(watcher: &mut switchboard_hub::ControlClient) -> Event {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = tokio::time::timeout(left, watcher.next_event())
            .await
            .expect("a drift event within 10 s")
            .unwrap()
            .expect("the daemon is running");
        if matches!(event, Event::ClientDrift { .. }) {
            return event;
        }
    }
}

fn everything_js() -> PathBuf {
    tools_dir().join("@modelcontextprotocol/server-everything/dist/index.js")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_hand_made_entry_is_reached_by_a_real_client_through_its_bridge_entry() {
    let home = Home::new();
    let before = json!({
        "mcpServers": {
            "everything": {
                "command": "node",
                "args": [everything_js().to_str().unwrap(), "stdio"],
                "env": {"LOG_LEVEL": "info"}
            },
            "remote": {"url": "https://mcp.example.invalid/mcp"}
        },
        "globalShortcut": ""
    });
    write(
        &claude_file(&home),
        &serde_json::to_string_pretty(&before).unwrap(),
    );

    let out = home.run(&["import", "claude-desktop"]);
    assert!(
        out.contains("Imported \"everything\" as server \"everything\""),
        "{out}"
    );
    assert!(
        out.contains("Left \"remote\" as it is: it is a URL (remote) server"),
        "what cannot run yet is said plainly:\n{out}"
    );
    let after = read_json(&claude_file(&home));
    assert_eq!(after["mcpServers"]["everything"], bridge("everything"));
    assert_eq!(
        after["mcpServers"]["remote"], before["mcpServers"]["remote"],
        "the URL entry is left as it was"
    );
    assert_eq!(after["globalShortcut"], "");

    let mut control = control(&home).await;
    let info: ServerInfo = control
        .call(Request::GetServer {
            id: "everything".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&info.launch).unwrap(),
        json!({
            "kind": "command",
            "command": "node",
            "args": [everything_js().to_str().unwrap(), "stdio"],
            "env": {"LOG_LEVEL": "info"}
        })
    );

    // What Claude Desktop would run now: the entry's command and arguments.
    let entry = &after["mcpServers"]["everything"];
    assert_eq!(entry["command"], switchboard_bin().to_str().unwrap());
    let args: Vec<&str> = entry["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let command = tokio::process::Command::from(home.command(&args));
    let client =
        ().serve(TokioChildProcess::new(command).unwrap())
            .await
            .expect("MCP handshake through the adopted entry");
    let echoed = call(&client, "echo", json!({"message": "imported"})).await;
    assert!(text(&echoed).contains("imported"), "{}", text(&echoed));
    client.cancel().await.unwrap();

    // Importing again finds only Switchboard's own entry and the URL one.
    let again = home.run(&["import", "claude-desktop"]);
    assert!(
        again.contains("Left \"everything\" as it is: it is Switchboard's own entry"),
        "{again}"
    );
}

const RUN_UNDER: &str = "These tests need a Secret Service on a D-Bus session bus. scripts/test \
    starts one; by hand:\n  dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon \
    --unlock --components=secrets >/dev/null && cargo test --test clients'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_moves_secret_values_into_the_keychain_and_out_of_the_file() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "DBUS_SESSION_BUS_ADDRESS is not set.\n{RUN_UNDER}"
    );
    let home = Home::new();
    // A made-up token of GitHub's shape; the server id is this test's own.
    let token = format!("ghp_{}", "Zq8xK2mW4vN7pR1tY6uB3cD9eF5gH0jL2aS8");
    let server = format!("gh-import-{}", std::process::id());
    let before = json!({
        "mcpServers": {
            server.clone(): {
                "command": "node",
                "args": [everything_js().to_str().unwrap(), "stdio"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": token, "GITHUB_HOST": "github.com"}
            }
        }
    });
    write(
        &cursor_file(&home),
        &serde_json::to_string_pretty(&before).unwrap(),
    );

    let out = home.run(&["import", "cursor"]);
    assert!(
        out.contains("moved to the keychain: GITHUB_PERSONAL_ACCESS_TOKEN"),
        "{out}"
    );
    assert!(
        out.contains("still hold the secret values"),
        "the backup is named:\n{out}"
    );
    assert!(!out.contains(&token), "the value is never printed");
    let file = std::fs::read_to_string(cursor_file(&home)).unwrap();
    assert!(!file.contains(&token), "the value left the file:\n{file}");
    assert_eq!(
        read_json(&cursor_file(&home))["mcpServers"][&server],
        bridge(&server)
    );

    let mut control = control(&home).await;
    let info: ServerInfo = control
        .call(Request::GetServer { id: server.clone() })
        .await
        .unwrap();
    assert_eq!(info.launch.secrets, ["GITHUB_PERSONAL_ACCESS_TOKEN"]);
    assert_eq!(
        info.launch.env.get("GITHUB_HOST").map(String::as_str),
        Some("github.com"),
        "plain values stay plain"
    );

    // The client's entry now runs the bridge, and the daemon hands the server its secret
    // from the keychain: the server sees it in its environment.
    let command = tokio::process::Command::from(home.command(&["connect", &server]));
    let client =
        ().serve(TokioChildProcess::new(command).unwrap())
            .await
            .expect("MCP handshake through the adopted entry");
    let env = call(&client, "get-env", json!({})).await;
    assert!(
        text(&env).contains(&token),
        "the imported secret reaches the server's environment"
    );
    client.cancel().await.unwrap();
    // Asking for the calls flushes the call log, so that it can be searched too.
    let calls: Vec<Value> = control
        .call(Request::RecentCalls {
            query: switchboard_store::CallQuery::default(),
        })
        .await
        .unwrap();
    assert!(!calls.is_empty(), "the get-env call was logged");
    for file in ["switchboard.db", "switchboard.db-wal"] {
        let bytes = std::fs::read(home.data.join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "the value is not in the database ({file})"
        );
    }

    let keychain = switchboard_secrets::Keychain::platform().unwrap();
    let stored = keychain
        .get(&server, "GITHUB_PERSONAL_ACCESS_TOKEN")
        .unwrap_or_else(|e| panic!("the value is in the keychain: {e}\n{RUN_UNDER}"));
    assert_eq!(stored.expose(), &token);
    keychain.delete_all(&server, &[]).unwrap();
}

#[test]
fn without_a_keychain_import_of_secrets_changes_nothing_and_says_why() {
    let home = Home::new();
    let before = serde_json::to_string_pretty(&json!({
        "mcpServers": {
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_Zq8xK2mW4vN7pR1tY6uB3cD9eF5gH0jL2aS8"}
            }
        }
    }))
    .unwrap();
    write(&cursor_file(&home), &before);
    let mut command = home.command(&["import", "cursor"]);
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", home.home.join("no-bus").display()),
    );
    let output = run_with_deadline(command, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "import must fail: {stderr}");
    assert!(
        stderr.contains("nothing was imported") && stderr.contains("keychain"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(cursor_file(&home)).unwrap(), before);
    assert!(backups_of(&cursor_file(&home)).is_empty());
    let list = home.run(&["list"]);
    assert!(
        !list.contains("github"),
        "no server was registered:\n{list}"
    );
}
