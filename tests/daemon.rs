//! The daemon, the gateway and the supervisor from the outside: real MCP clients (the rmcp
//! client and the official Python SDK client) launch `switchboard connect <id>` exactly as
//! Claude Desktop would, against built-in servers and third-party servers nobody here
//! wrote (`@modelcontextprotocol/server-everything` and `server-filesystem` from npm,
//! `mcp-server-time` from PyPI). Then the chaos: servers, daemons and bridges killed with
//! SIGKILL, and afterwards no process of any tree left behind. Linux only (reads /proc).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Command, Stdio},
    time::Duration,
};

#[path = "support/client.rs"]
mod client;

use client::{call, connect, control, text};
use rmcp::{ServiceExt, model::CallToolRequestParams, transport::TokioChildProcess};
use serde_json::{Value, json};
use switchboard_hub::{Request, ServerInfo};
use switchboard_store::{CallQuery, StoredCall};
use switchboard_tests::{
    Home, StdioServer,
    procs::{alive, eventually, group_members},
    run_with_deadline, tools_dir,
};

fn everything_js() -> PathBuf {
    tools_dir().join("@modelcontextprotocol/server-everything/dist/index.js")
}

fn filesystem_js() -> PathBuf {
    tools_dir().join("@modelcontextprotocol/server-filesystem/dist/index.js")
}

fn python() -> PathBuf {
    let venv = tools_dir().parent().unwrap().join(".venv").join("bin");
    assert!(
        venv.join("python").is_file(),
        "tests/tools/.venv is missing: run scripts/setup"
    );
    venv
}

fn add_everything(home: &Home) {
    home.run(&[
        "add",
        "everything",
        "--",
        "node",
        everything_js().to_str().unwrap(),
        "stdio",
    ]);
}

/// The process groups serving `server` right now.
async fn server_groups(home: &Home, server: &str) -> Vec<i32> {
    let info: ServerInfo = control(home)
        .await
        .call(Request::GetServer { id: server.into() })
        .await
        .unwrap();
    info.runtime
        .sessions
        .iter()
        .filter_map(|s| s.pid.map(|pid| i32::try_from(pid).unwrap()))
        .collect()
}

async fn all_calls(home: &Home, server: &str) -> Vec<StoredCall> {
    let mut control = control(home).await;
    let mut calls = Vec::new();
    let mut before = None;
    loop {
        let query = CallQuery {
            server: Some(server.into()),
            before_id: before,
            ..CallQuery::default()
        };
        let page: Vec<StoredCall> = control.call(Request::RecentCalls { query }).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        calls.extend(page);
    }
    calls
}

/// SIGKILL: a crash, with no chance to clean up.
fn kill9(pid: i32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

/// server-everything's tool that takes `seconds` to answer.
fn long_operation(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    seconds: u64,
) -> impl std::future::Future<Output = Result<rmcp::model::CallToolResult, rmcp::ServiceError>> + '_
{
    client.call_tool(
        CallToolRequestParams::new("trigger-long-running-operation").with_arguments(
            json!({"duration": seconds, "steps": seconds})
                .as_object()
                .cloned()
                .unwrap(),
        ),
    )
}

fn gone(groups: &[i32]) -> bool {
    groups.iter().all(|&g| group_members(g).is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_starts_the_daemon_and_every_call_is_recorded() {
    let home = Home::new();
    let client = connect(&home, "calc").await;
    let result = call(&client, "calculate", json!({"expression": "6 * 7"})).await;
    assert_eq!(result.structured_content.unwrap()["result"], 42.0);
    assert!(
        home.daemon_pid().is_some_and(alive),
        "the bridge started a daemon"
    );
    client.cancel().await.unwrap();

    let calls = all_calls(&home, "calc").await;
    let call = calls
        .iter()
        .find(|c| c.record.method == "tools/call")
        .expect("the call is logged");
    assert_eq!(call.record.tool.as_deref(), Some("calculate"));
    assert_eq!(call.record.client, "rmcp");
    assert!(
        call.record
            .args_preview
            .as_deref()
            .unwrap()
            .contains("6 * 7")
    );
    let logs = home.run(&["logs", "--server", "calc"]);
    assert!(logs.contains("tools/call calculate  ok"), "{logs}");
}

#[test]
fn a_second_daemon_exits_cleanly_saying_one_is_running() {
    let home = Home::new();
    let mut first = home
        .command(&["daemon"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(eventually(Duration::from_secs(10), || home
        .socket()
        .exists()));
    let second = home.run(&["daemon"]);
    assert!(second.contains("already running"), "{second}");
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first daemon still runs"
    );
    home.run(&["stop"]);
    assert!(eventually(Duration::from_secs(10), || first
        .try_wait()
        .unwrap()
        .is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_server_gets_a_clear_mcp_error() {
    let home = Home::new();
    let command = tokio::process::Command::from(home.command(&["connect", "nope"]));
    let outcome = ().serve(TokioChildProcess::new(command).unwrap()).await;
    let error = outcome.expect_err("the handshake is refused").to_string();
    assert!(
        error.contains("no server called \\\"nope\\\"")
            || error.contains("no server called \"nope\""),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_off_in_the_cli_acts_on_an_open_session_at_once() {
    let home = Home::new();
    let client = connect(&home, "clock").await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 3);

    home.run(&["disable", "clock"]);
    assert!(
        client.list_all_tools().await.unwrap().is_empty(),
        "no tools while off"
    );
    let refused = call(&client, "get_current_time", json!({})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("switched off in Switchboard"),
        "{}",
        text(&refused)
    );

    home.run(&["enable", "clock"]);
    home.run(&["tools", "clock", "--disable", "convert_time"]);
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["get_current_time", "list_timezones"]);
    let result = call(&client, "get_current_time", json!({"timezone": "UTC"})).await;
    assert_eq!(result.structured_content.unwrap()["timezone"], "UTC");
    let refused = call(
        &client,
        "convert_time",
        json!({"source_timezone": "UTC", "time": "now", "target_timezone": "UTC"}),
    )
    .await;
    assert!(text(&refused).contains("switchboard tools clock --enable convert_time"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_everything_from_npm_works_through_the_gateway() {
    let home = Home::new();
    add_everything(&home);
    let client = connect(&home, "everything").await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    let result = call(&client, "echo", json!({"message": "through switchboard"})).await;
    assert!(
        text(&result).contains("through switchboard"),
        "{}",
        text(&result)
    );
    let sum = call(&client, "get-sum", json!({"a": 2, "b": 40})).await;
    assert!(text(&sum).contains("42"), "{}", text(&sum));
    let groups = server_groups(&home, "everything").await;
    assert_eq!(groups.len(), 1, "one process tree for one session");
    client.cancel().await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || gone(&groups)),
        "the server's tree ends with its session"
    );
}

#[test]
fn server_filesystem_gets_its_folders_from_grants_as_roots() {
    let home = Home::new();
    let granted = home.folder("Documents");
    std::fs::write(granted.join("note.txt"), "hello from a granted folder").unwrap();
    home.run(&[
        "add",
        "filesystem",
        "--",
        "node",
        filesystem_js().to_str().unwrap(),
    ]);
    home.run(&["grant", granted.to_str().unwrap(), "--server", "filesystem"]);

    // The official Python SDK client, as a third party would use Switchboard.
    // server-filesystem asks for roots/list only after the handshake and applies the answer
    // asynchronously, so its first call may come before the roots have arrived: the client
    // repeats that call (for at most 5 s) until the folder shows.
    let canonical = std::fs::canonicalize(&granted).unwrap();
    let mut command = Command::new(python().join("python"));
    command
        .arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("python")
                .join("mcp_client.py"),
        )
        .args(["--first-until", canonical.to_str().unwrap()])
        .args(["--call", r#"{"name": "list_allowed_directories"}"#])
        .args([
            "--call",
            &json!({"name": "read_text_file", "arguments": {"path": granted.join("note.txt")}})
                .to_string(),
        ])
        .arg("--")
        .arg(switchboard_tests::switchboard_bin())
        .args(["connect", "filesystem"])
        .env("SWITCHBOARD_DATA_DIR", &home.data);
    let output = run_with_deadline(command, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    let allowed = report["calls"][0]["content"][0]["text"].as_str().unwrap();
    assert!(
        allowed.contains(canonical.to_str().unwrap()),
        "the grant is the server's root: {allowed}"
    );
    let read = report["calls"][1]["content"][0]["text"].as_str().unwrap();
    assert_eq!(read, "hello from a granted folder");
}

#[test]
fn mcp_server_time_from_pypi_works_through_the_gateway() {
    let home = Home::new();
    let server = python().join("mcp-server-time");
    home.run(&[
        "add",
        "time",
        "--",
        server.to_str().unwrap(),
        "--local-timezone",
        "UTC",
    ]);
    let mut command = Command::new(python().join("python"));
    command
        .arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("python")
                .join("mcp_client.py"),
        )
        .args([
            "--call",
            r#"{"name": "get_current_time", "arguments": {"timezone": "Asia/Tokyo"}}"#,
        ])
        .arg("--")
        .arg(switchboard_tests::switchboard_bin())
        .args(["connect", "time"])
        .env("SWITCHBOARD_DATA_DIR", &home.data);
    let output = run_with_deadline(command, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(
        report["tools"]
            .as_array()
            .unwrap()
            .contains(&json!("convert_time"))
    );
    let answer = report["calls"][0]["content"][0]["text"].as_str().unwrap();
    assert!(
        answer.contains("Asia/Tokyo") && answer.contains("+09:00"),
        "{answer}"
    );
}

/// The 2026-07-28 era's per-request metadata, as a stateless client sends it.
fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "modern-client", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    })
}

fn legacy_initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "legacy-client", "version": "1"}}})
}

fn modern_discover() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
           "params": {"_meta": modern_meta()}})
}

/// The first answer a stdio peer gives to `request`.
fn first_answer(command: Command, request: &Value) -> Value {
    let mut peer = StdioServer::spawn(command);
    let reply = peer.request(request);
    peer.close();
    reply
}

#[test]
fn both_protocol_eras_pass_through_unchanged_in_every_combination() {
    let home = Home::new();
    add_everything(&home);
    let time = python().join("mcp-server-time");
    let time_args = ["--local-timezone", "UTC"];
    let mut add_time = vec!["add", "time", "--", time.to_str().unwrap()];
    add_time.extend(time_args);
    home.run(&add_time);

    // calc is built in (both eras), server-everything speaks only the legacy era, and
    // mcp-server-time (Python SDK 2) speaks 2026-07-28 too. Through Switchboard each
    // answers exactly what it answers when a client launches it directly.
    let direct = |id: &str| -> Command {
        match id {
            "calc" => {
                let mut c = Command::new(switchboard_tests::switchboard_bin());
                c.args(["serve", "calc"]);
                c
            }
            "everything" => {
                let mut c = Command::new("node");
                c.arg(everything_js()).arg("stdio");
                c
            }
            _ => {
                let mut c = Command::new(&time);
                c.args(time_args);
                c
            }
        }
    };
    for server in ["calc", "everything", "time"] {
        for request in [legacy_initialize(), modern_discover()] {
            let method = request["method"].as_str().unwrap().to_owned();
            let through = first_answer(home.command(&["connect", server]), &request);
            let alone = first_answer(direct(server), &request);
            assert_eq!(
                through, alone,
                "{server} answers {method} through Switchboard as it does alone"
            );
        }
    }

    // A modern client in front of a legacy server sees the server's own refusal of
    // server/discover, falls back to initialize as the specification says, and works.
    let mut everything = StdioServer::spawn(home.command(&["connect", "everything"]));
    let refused = everything.request(&modern_discover());
    assert_eq!(refused["error"]["code"], -32601, "{refused}");
    let init = everything.request(&legacy_initialize());
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    everything.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    let echo = everything.request(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"message": "fell back"}}}));
    assert!(echo.to_string().contains("fell back"), "{echo}");
    everything.close();

    // A modern client calls a modern third-party server statelessly through the bridge.
    let mut modern = StdioServer::spawn(home.command(&["connect", "time"]));
    let reply = modern.request(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "get_current_time", "arguments": {"timezone": "Asia/Tokyo"},
                   "_meta": modern_meta()}}));
    assert!(reply.to_string().contains("+09:00"), "{reply}");
    modern.close();

    // What Switchboard answers itself (a switched-off server) it answers in the era the
    // client speaks.
    home.run(&["disable", "calc"]);
    let mut off = StdioServer::spawn(home.command(&["connect", "calc"]));
    let discover = off.request(&modern_discover());
    assert_eq!(
        discover["result"]["supportedVersions"]
            .as_array()
            .map(|v| v.contains(&json!("2026-07-28"))),
        Some(true),
        "{discover}"
    );
    let listed = off.request(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list",
        "params": {"_meta": modern_meta()}}));
    assert_eq!(listed["result"]["tools"], json!([]), "{listed}");
    let call = off.request(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "calculate", "arguments": {"expression": "1+1"}, "_meta": modern_meta()}}));
    assert_eq!(call["result"]["isError"], true, "{call}");
    assert!(
        call.to_string().contains("switched off in Switchboard"),
        "{call}"
    );
    off.close();

    let clients: Vec<String> = ["calc", "time"]
        .iter()
        .flat_map(|server| {
            let text = home.run(&["logs", "--server", server, "-n", "50"]);
            text.lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect();
    assert!(
        clients.iter().any(|line| line.contains("modern-client")),
        "modern clients are recorded by the name in their metadata: {clients:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_call_fails_that_call_and_the_next_call_works() {
    let home = Home::new();
    add_everything(&home);
    let client = connect(&home, "everything").await;
    call(&client, "echo", json!({"message": "warm"})).await;
    let groups = server_groups(&home, "everything").await;

    let slow = long_operation(&client, 5);
    let killer = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        // SIGKILL the node process itself (not its shim): a real crash.
        for group in &groups {
            for pid in group_members(*group).into_iter().filter(|&p| p != *group) {
                kill9(pid);
            }
        }
    };
    let (outcome, ()) = tokio::join!(slow, killer);
    let error = outcome.expect_err("the call in flight fails").to_string();
    assert!(
        error.contains("stopped while handling this request"),
        "{error}"
    );

    let result = call(&client, "echo", json!({"message": "after the crash"})).await;
    assert!(text(&result).contains("after the crash"));
    let info: ServerInfo = control(&home)
        .await
        .call(Request::GetServer {
            id: "everything".into(),
        })
        .await
        .unwrap();
    assert_eq!(info.runtime.restarts, 1);
    assert!(
        eventually(Duration::from_secs(2), || gone(&groups)),
        "the crashed tree is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_resumes_when_the_daemon_is_killed() {
    let home = Home::new();
    add_everything(&home);
    let client = connect(&home, "everything").await;
    call(&client, "echo", json!({"message": "before"})).await;
    let old_daemon = home.daemon_pid().unwrap();
    let groups = server_groups(&home, "everything").await;

    kill9(old_daemon);
    assert!(
        eventually(Duration::from_secs(2), || gone(&groups)),
        "the old daemon's servers die with it: {:?}",
        groups.iter().map(|g| group_members(*g)).collect::<Vec<_>>()
    );

    // The client notices nothing but a slower call.
    let result = call(&client, "echo", json!({"message": "after"})).await;
    assert!(text(&result).contains("after"), "{}", text(&result));
    let new_daemon = home.daemon_pid().unwrap();
    assert_ne!(new_daemon, old_daemon, "a new daemon was started");
    assert!(alive(new_daemon));
}

/// What a process's descriptor `fd` is, as /proc names it (`pipe:[123]`, `socket:[456]`).
fn descriptor(pid: u32, fd: u32) -> String {
    std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Whether process `pid` has `target` (a pipe or socket, by its /proc name) open.
fn holds(pid: i32, target: &str) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t.to_string_lossy() == target))
}

fn calculate(bridge: &mut StdioServer, id: u64, expression: &str) -> String {
    let reply = bridge.request(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "calculate", "arguments": {"expression": expression}}}));
    reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"))
        .to_owned()
}

#[test]
fn the_bridge_hands_its_stdio_to_the_daemon_unless_told_to_relay() {
    let home = Home::new();
    for relay in [false, true] {
        let mut command = home.command(&["connect", "calc"]);
        if relay {
            command.env("SWITCHBOARD_BRIDGE", "relay");
        }
        let mut bridge = StdioServer::spawn(command);
        bridge.handshake();
        assert!(calculate(&mut bridge, 1, "6*7").contains("42"));
        let stdin = descriptor(bridge.pid(), 0);
        let stdout = descriptor(bridge.pid(), 1);
        assert!(stdin.starts_with("pipe:"), "{stdin}");
        let daemon = home.daemon_pid().unwrap();
        assert_eq!(
            (holds(daemon, &stdin), holds(daemon, &stdout)),
            (!relay, !relay),
            "the daemon reads and answers the client itself, unless the bridge relays \
             (relay: {relay})"
        );
        // The client closing stdin ends the session and the bridge with it.
        assert!(bridge.close().success());
    }
    let calls = home.run(&["logs", "--server", "calc", "-n", "10"]);
    assert_eq!(
        calls.lines().filter(|l| l.contains("calculate")).count(),
        2,
        "both sessions' calls are recorded: {calls}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_flight_when_the_daemon_dies_is_sent_again_by_the_bridge() {
    let home = Home::new();
    add_everything(&home);
    let client = connect(&home, "everything").await;
    call(&client, "echo", json!({"message": "warm"})).await;
    let old_daemon = home.daemon_pid().unwrap();

    let slow = long_operation(&client, 2);
    let killer = async {
        // Long past the moment the daemon tells the bridge of a slow request.
        tokio::time::sleep(Duration::from_millis(700)).await;
        kill9(old_daemon);
    };
    // Without the bridge knowing of it, the call would never be answered.
    let slow = tokio::time::timeout(Duration::from_secs(30), slow);
    let (outcome, ()) = tokio::join!(slow, killer);
    let result = outcome
        .expect("the call is answered within 30 s")
        .expect("the call is answered, by the new daemon's server");
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert!(text(&result).contains("completed"), "{}", text(&result));
    let new_daemon = home.daemon_pid().unwrap();
    assert_ne!(new_daemon, old_daemon);
    let after = call(&client, "echo", json!({"message": "after"})).await;
    assert!(text(&after).contains("after"));
}

#[test]
fn a_client_on_a_socket_hands_it_over_and_gets_it_back_when_the_daemon_dies() {
    use std::os::{fd::OwnedFd, unix::net::UnixStream};
    let home = Home::new();
    // Node (libuv) gives a child a socket for its stdio, not a pipe.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let mut command = home.command(&["connect", "calc"]);
    command
        .stdin(OwnedFd::from(theirs.try_clone().unwrap()))
        .stdout(OwnedFd::from(theirs));
    let mut child = command.stderr(Stdio::null()).spawn().unwrap();
    drop(command);
    ours.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(ours.try_clone().unwrap());
    let mut writer = ours;
    let mut request = |message: Value| -> Value {
        writeln!(writer, "{message}").unwrap();
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "the bridge answers"
            );
            let reply: Value = serde_json::from_str(&line).unwrap();
            if reply.get("id").is_some() {
                return reply;
            }
        }
    };
    let init = request(
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "socket-client", "version": "1"}}}),
    );
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    let calculate = |id: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": "calculate", "arguments": {"expression": "2+2"}}})
    };
    assert!(request(calculate(1)).to_string().contains("4"));
    let stdin = descriptor(child.id(), 0);
    assert!(stdin.starts_with("socket:"), "{stdin}");
    let old_daemon = home.daemon_pid().unwrap();
    assert!(
        holds(old_daemon, &stdin),
        "the daemon holds the client's socket"
    );

    kill9(old_daemon);
    assert!(eventually(Duration::from_secs(2), || !alive(old_daemon)));
    // The bridge takes the socket back, as a relay to a new daemon.
    let reply = request(calculate(2));
    assert!(reply.to_string().contains("4"), "{reply}");
    assert_ne!(home.daemon_pid().unwrap(), old_daemon);

    writer.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(
        eventually(Duration::from_secs(5), || child
            .try_wait()
            .unwrap()
            .is_some()),
        "the bridge exits when its client is done"
    );
}

#[test]
fn a_killed_bridge_takes_its_server_with_it_within_a_second() {
    let home = Home::new();
    add_everything(&home);
    let mut bridge = home
        .command(&["connect", "everything"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = bridge.stdin.take().unwrap();
    let mut stdout = BufReader::new(bridge.stdout.take().unwrap());
    let handshake = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    writeln!(stdin, "{handshake}").unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("serverInfo"), "{line}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let groups = runtime.block_on(server_groups(&home, "everything"));
    assert_eq!(groups.len(), 1);
    bridge.kill().unwrap(); // SIGKILL
    bridge.wait().unwrap();
    assert!(
        eventually(Duration::from_secs(1), || gone(&groups)),
        "left over: {:?}",
        groups.iter().map(|g| group_members(*g)).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_daemon_leaves_no_process_behind() {
    let home = Home::new();
    add_everything(&home);
    let first = connect(&home, "everything").await;
    let second = connect(&home, "everything").await;
    call(&first, "echo", json!({"message": "1"})).await;
    call(&second, "echo", json!({"message": "2"})).await;
    let groups = server_groups(&home, "everything").await;
    assert_eq!(groups.len(), 2, "one server process per session");
    let daemon = home.daemon_pid().unwrap();
    home.run(&["stop"]);
    assert!(eventually(Duration::from_secs(5), || !alive(daemon)));
    assert!(eventually(Duration::from_secs(1), || gone(&groups)));
    // The bridges end too, rather than starting a new daemon.
    assert!(
        tokio::time::timeout(Duration::from_secs(5), first.waiting())
            .await
            .is_ok(),
        "the first client's session ends"
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(5), second.waiting())
            .await
            .is_ok()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!home.socket().exists(), "no new daemon was started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_are_all_in_the_log() {
    let home = Home::new();
    let client = connect(&home, "calc").await;
    const CALLS: usize = 10_000;
    let mut done = 0;
    while done < CALLS {
        // 16 in flight at a time, as a busy client would have.
        let batch = (done..(done + 16).min(CALLS)).map(|i| {
            call(
                &client,
                "calculate",
                json!({"expression": format!("{i} + 1")}),
            )
        });
        let results = futures_join_all(batch).await;
        assert!(results.iter().all(|r| r.is_error != Some(true)));
        done += results.len();
    }
    client.cancel().await.unwrap();
    let calls = all_calls(&home, "calc").await;
    let tool_calls = calls
        .iter()
        .filter(|c| c.record.method == "tools/call")
        .count();
    assert_eq!(tool_calls, CALLS, "every call is in the log");
}

/// Awaits every future, in order, without an extra dependency.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    let mut pinned = handles;
    // Poll them all concurrently by joining pairwise through a JoinSet-free loop.
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> = pinned.drain(..).map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => {
                        *result = Some(output);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.extend(results.into_iter().flatten());
    outputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_gives_a_live_session_a_fresh_process_and_the_client_keeps_working() {
    let home = Home::new();
    add_everything(&home);
    let client = connect(&home, "everything").await;
    call(&client, "echo", json!({"message": "before"})).await;
    let before = server_groups(&home, "everything").await;
    assert_eq!(before.len(), 1, "one process tree");

    let said = home.run(&["restart", "everything"]);
    assert!(
        said.contains("Restarted \"everything\" for the one client"),
        "{said}"
    );
    let result = call(&client, "echo", json!({"message": "after the restart"})).await;
    assert!(
        text(&result).contains("after the restart"),
        "{}",
        text(&result)
    );
    let after = server_groups(&home, "everything").await;
    assert_eq!(after.len(), 1, "still one session");
    assert_ne!(after, before, "a new process tree serves it");
    assert!(
        eventually(Duration::from_secs(5), || gone(&before)),
        "the old tree is gone"
    );

    home.run(&["disable", "everything"]);
    let refused = home.command(&["restart", "everything"]).output().unwrap();
    assert!(
        !refused.status.success(),
        "a switched-off server is not restarted"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("switched off") && stderr.contains("switchboard enable everything"),
        "the error says what to do: {stderr}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_figures_come_from_the_log_and_survive_a_daemon_restart() {
    let home = Home::new();
    let client = connect(&home, "calc").await;
    for i in 0..9 {
        call(
            &client,
            "calculate",
            json!({"expression": format!("{i} + 1")}),
        )
        .await;
    }
    let failed = call(&client, "calculate", json!({"expression": "1/0"})).await;
    assert_eq!(failed.is_error, Some(true));
    client.cancel().await.unwrap();

    let figures = |stats: &switchboard_gateway::ServerStats| {
        let tools_calls = stats.calls;
        (
            tools_calls,
            stats.errors,
            stats.p50_ms.is_some(),
            stats.series.len(),
        )
    };
    let mut control_client = control(&home).await;
    let stats: Vec<switchboard_gateway::ServerStats> = control_client
        .call(Request::ServerStats {
            id: Some("calc".into()),
        })
        .await
        .unwrap();
    // The handshake and tools/list count too: every request is a call.
    let (calls, errors, has_p50, points) = figures(&stats[0]);
    assert!(calls >= 10, "{calls} calls counted");
    assert_eq!(errors, 1, "the division by zero is the one failure");
    assert!(has_p50, "latency figures");
    assert_eq!(points, 60, "a ten-minute series");
    let status = home.run(&["status"]);
    assert!(
        status.contains("CALLS/MIN") && status.contains("P95"),
        "{status}"
    );

    home.run(&["stop"]);
    let restarted = home.run(&["list"]);
    assert!(restarted.contains("calc"), "{restarted}");
    let again: Vec<switchboard_gateway::ServerStats> = control(&home)
        .await
        .call(Request::ServerStats {
            id: Some("calc".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        figures(&again[0]),
        (calls, errors, true, 60),
        "the new daemon reads the figures back from the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_get_a_pulse_with_every_servers_figures() {
    let home = Home::new();
    home.run(&["list"]);
    let mut watcher = control(&home).await;
    let _: bool = watcher.call(Request::Subscribe).await.unwrap();
    let pulse = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(switchboard_gateway::Event::Pulse { servers }) =
                watcher.next_event().await.unwrap()
            {
                return servers;
            }
        }
    })
    .await
    .expect("a pulse within 10 s");
    let ids: Vec<&str> = pulse.iter().map(|p| p.server.as_str()).collect();
    assert!(
        ids.contains(&"calc") && ids.contains(&"files"),
        "every installed server: {ids:?}"
    );
}

#[test]
fn retention_and_quit_settings_are_checked_and_kept() {
    let home = Home::new();
    let shown = home.run(&["settings"]);
    assert!(
        shown.contains("calls.retention_days = 30 (default)")
            && shown.contains("app.on_quit = \"keep_serving\" (default)"),
        "{shown}"
    );
    let changed = home.run(&["settings", "calls.retention_days", "7"]);
    assert!(changed.contains("calls.retention_days = 7"), "{changed}");
    let refused = home
        .command(&["settings", "calls.retention_days", "0"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("from 1 to 3650"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn tools_lists_every_tool_with_its_switch_asking_a_server_no_client_has_used() {
    let home = Home::new();
    let shown = home.run(&["tools", "clock", "--disable", "convert_time"]);
    let switch_of = |tool: &str| {
        shown
            .lines()
            .find(|line| line.starts_with(tool))
            .and_then(|line| line.split_whitespace().nth(1))
            .map(str::to_owned)
    };
    assert_eq!(switch_of("convert_time").as_deref(), Some("off"), "{shown}");
    assert_eq!(
        switch_of("get_current_time").as_deref(),
        Some("on"),
        "{shown}"
    );
    assert_eq!(
        switch_of("list_timezones").as_deref(),
        Some("on"),
        "{shown}"
    );
    let logs = home.run(&["logs", "--server", "clock"]);
    assert!(
        logs.contains("switchboard  clock  tools/list"),
        "asking for the tools is a call like any other: {logs}"
    );
}
