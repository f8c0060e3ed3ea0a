//! Secrets end to end, against a real Secret Service (scripts/test runs the suite inside a
//! D-Bus session with a throwaway gnome-keyring): a server that needs a token gets it in its
//! environment from the keychain, and the canary test: a careless server that prints its
//! token, hands it back and crashes with it, installed into two clients' config files, and
//! afterwards the token is nowhere Switchboard wrote: not in any file (client configs
//! included), the database, the logs, the call log or any process's arguments. Linux only
//! (reads /proc).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{io::Write, path::PathBuf, process::Stdio, time::Duration};

use client::{call, connect, control, text};
use serde_json::json;
use switchboard_hub::{Request, SecretStatus, ServerInfo};
use switchboard_tests::{Home, run_with_deadline, tools_dir};

fn python() -> PathBuf {
    let python = tools_dir()
        .parent()
        .unwrap()
        .join(".venv")
        .join("bin")
        .join("python");
    assert!(
        python.is_file(),
        "tests/tools/.venv is missing: run scripts/setup"
    );
    python
}

fn canary_server() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join("canary_server.py")
}

/// A value no one else would write: if it shows up anywhere, it leaked from this test.
fn canary() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cnry-{nanos:x}-{:x}-tok", std::process::id())
}

/// `switchboard secrets set <server> <name>` with the value on stdin, as a script would.
fn set_secret(home: &Home, server: &str, name: &str, value: &str) -> String {
    let mut command = home.command(&["secrets", "set", server, name]);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{value}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "secrets set failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The command lines of every process on this machine that contain `needle`.
fn command_lines_containing(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let line = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if line.contains(needle) {
                found.push(line);
            }
        }
    }
    found
}

/// Starts `home`'s daemon logging at info level (so that servers' stderr lines are logged)
/// to the file a detached daemon logs to.
fn start_verbose_daemon(home: &Home) -> std::process::Child {
    let logs = home.data.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let log = std::fs::File::create(logs.join("daemon.log")).unwrap();
    let mut command = home.command(&["daemon"]);
    command
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log);
    let daemon = command.spawn().unwrap();
    assert!(
        switchboard_tests::procs::eventually(Duration::from_secs(10), || home.socket().exists()),
        "the daemon listens"
    );
    daemon
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_with_a_key_kept_in_the_keychain_is_relayed_and_on_no_command_line() {
    let home = Home::new();
    // The remote server: Switchboard's calculator over HTTP on loopback. Its address
    // carries a key in the query, as some services want (the calculator ignores it).
    let remote = switchboard_tests::HttpServer::start("calc");
    let key = canary();
    let address = format!("{}?api_key={key}", remote.url);
    // What the refusal of such an address suggests; `switchboard` is this very engine,
    // whatever PATH holds.
    home.run(&[
        "add",
        "keyed",
        "--secret",
        "MCP_ADDRESS",
        "--",
        "switchboard",
        "remote",
        "--url-env",
        "MCP_ADDRESS",
    ]);
    set_secret(&home, "keyed", "MCP_ADDRESS", &address);

    let client = connect(&home, "keyed").await;
    let answer = text(&call(&client, "calculate", json!({"expression": "6 * 7"})).await);
    assert!(answer.contains("42"), "{answer}");
    assert!(
        command_lines_containing(&key).is_empty(),
        "the address is in no process's command line"
    );
    client.cancel().await.unwrap();
    home.run(&["stop"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_reaches_its_server_and_appears_nowhere_else() {
    let home = Home::new();
    let token = canary();
    let mut daemon = start_verbose_daemon(&home);
    let said = home.run(&[
        "add",
        "canary",
        "--secret",
        "CANARY_TOKEN",
        "--",
        python().to_str().unwrap(),
        canary_server().to_str().unwrap(),
    ]);
    assert!(
        said.contains("switchboard secrets set canary CANARY_TOKEN"),
        "{said}"
    );

    // Before the value is stored, the server cannot start, and says why.
    let listed = home.run(&["secrets", "list"]);
    assert!(listed.contains("canary  CANARY_TOKEN  MISSING"), "{listed}");

    let stored = set_secret(&home, "canary", "CANARY_TOKEN", &token);
    assert!(stored.contains("Stored CANARY_TOKEN"), "{stored}");
    assert!(!stored.contains(&token), "{stored}");

    // The value is in the real keychain: a fresh handle in another process reads it back.
    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert_eq!(
        keychain.get("canary", "CANARY_TOKEN").unwrap().expose(),
        &token
    );
    let statuses: Vec<SecretStatus> = control(&home)
        .await
        .call(Request::Secrets {
            server: Some("canary".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        statuses,
        [SecretStatus {
            server: "canary".into(),
            name: "CANARY_TOKEN".into(),
            stored: true
        }]
    );

    // Client config files get the bridge entry, never the value.
    let written = home.run(&["install", "canary", "--into", "claude-desktop,cursor"]);
    assert!(written.contains("Claude Desktop"), "{written}");

    // The server has it in its environment; the careless server hands it back and echoes
    // it, and its crash prints it.
    let client = connect(&home, "canary").await;
    let revealed = call(&client, "reveal", json!({})).await;
    assert_eq!(text(&revealed), token, "the server got its secret");
    let echoed = call(
        &client,
        "echo",
        json!({"message": format!("use {token} please")}),
    )
    .await;
    assert!(text(&echoed).contains(&token));
    let crashed = client
        .call_tool(rmcp::model::CallToolRequestParams::new("crash"))
        .await;
    assert!(crashed.is_err(), "the crash fails that call");
    let again = call(&client, "reveal", json!({})).await;
    assert_eq!(text(&again), token, "restarted with the secret again");

    // Nothing of the token in what a person or another program can read of Switchboard:
    let command_lines = command_lines_containing(&token);
    assert!(
        command_lines.is_empty(),
        "no process has the token in its arguments: {command_lines:?}"
    );
    let info: ServerInfo = control(&home)
        .await
        .call(Request::GetServer {
            id: "canary".into(),
        })
        .await
        .unwrap();
    let shown = serde_json::to_string(&info).unwrap();
    assert!(
        shown.contains("fatal: could not authenticate with <redacted>"),
        "the kept stderr is scrubbed: {shown}"
    );
    assert!(!shown.contains(&token), "{shown}");
    let logs = home.run(&["logs", "--server", "canary", "-n", "50"]);
    assert!(
        logs.contains("<redacted>"),
        "the echo's preview is scrubbed: {logs}"
    );
    assert!(!logs.contains(&token), "{logs}");
    client.cancel().await.unwrap();

    // After the daemon stops: no file Switchboard wrote (database, WAL, logs, caches, the
    // clients' config files and their backups, all inside this home) has it.
    home.run(&["stop"]);
    daemon.wait().unwrap();
    let leaked = switchboard_tests::files_containing(home.root(), token.as_bytes());
    assert!(leaked.is_empty(), "the token is in {leaked:?}");
    let log =
        std::fs::read_to_string(home.data.join("logs").join("daemon.log")).unwrap_or_default();
    assert!(
        log.contains("token=<redacted>"),
        "the daemon logged the server's stderr, scrubbed: {log}"
    );

    // Removing the server takes its secret out of the keychain.
    home.run(&["remove", "canary"]);
    assert!(!keychain.contains("canary", "CANARY_TOKEN").unwrap());
}

#[test]
fn a_server_whose_secret_is_missing_says_how_to_set_it() {
    let home = Home::new();
    home.run(&[
        "add",
        "needy",
        "--secret",
        "NEEDY_TOKEN",
        "--",
        python().to_str().unwrap(),
        canary_server().to_str().unwrap(),
    ]);
    let mut peer = switchboard_tests::StdioServer::spawn(home.command(&["connect", "needy"]));
    let init = peer.request(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}));
    assert!(
        init.to_string()
            .contains("switchboard secrets set needy NEEDY_TOKEN"),
        "{init}"
    );
    drop(peer);
    let output = run_with_deadline(
        home.command(&["secrets", "set", "needy", "BAD NAME"]),
        Duration::from_secs(30),
    );
    assert!(
        !output.status.success(),
        "a name that is not a variable name is refused"
    );
}
