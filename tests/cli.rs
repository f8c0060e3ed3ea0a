//! The real `switchboard` binary from the outside: its help and errors, and bad input over
//! stdio and HTTP, each answered with a JSON-RPC or tool error and never a crash or a hang.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{process::Command, time::Duration};

use serde_json::{Value, json};
use switchboard_tests::{HttpServer, StdioServer, post_mcp, run_with_deadline, switchboard_bin};

fn switchboard(args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(switchboard_bin());
    command.args(args);
    let output = run_with_deadline(command, Duration::from_secs(20));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn call(id: u64, tool: &str, arguments: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": arguments}})
}

#[test]
fn help_explains_serve_and_shows_a_client_snippet() {
    let (ok, out, _) = switchboard(&["serve", "--help"]);
    assert!(ok);
    assert!(out.contains("clock:") && out.contains("calc:"), "{out}");
    assert!(out.contains(r#""args": ["serve", "clock"]"#), "{out}");
    let (ok, out, _) = switchboard(&["--version"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        format!("switchboard {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_server_name_lists_the_known_ones() {
    let (ok, _, err) = switchboard(&["serve", "github"]);
    assert!(!ok);
    assert!(
        err.contains("'github'") && err.contains("clock, calc"),
        "{err}"
    );
}

#[test]
fn http_refuses_anything_but_loopback() {
    let (ok, _, err) = switchboard(&["serve", "clock", "--http", "0.0.0.0:0"]);
    assert!(!ok);
    assert!(err.contains("loopback only"), "{err}");
}

#[test]
fn doctor_creates_the_store_where_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut command = Command::new(switchboard_bin());
    command.arg("doctor").env("SWITCHBOARD_DATA_DIR", &data);
    let output = run_with_deadline(command, Duration::from_secs(20));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(data.join("switchboard.db").is_file(), "{out}");
    assert!(out.contains("0 installed"), "{out}");
    // The flag wins over the environment variable.
    let other = dir.path().join("other");
    let (ok, out, _) = switchboard(&["doctor", "--data-dir", other.to_str().unwrap()]);
    assert!(ok && other.join("switchboard.db").is_file(), "{out}");
}

#[test]
fn stdio_calls_work_end_to_end() {
    let mut server = StdioServer::initialized("calc");
    let reply = server.request(&call(1, "calculate", &json!({"expression": "(2 + 3) * 4"})));
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["structuredContent"]["result"], 20.0);
    assert!(
        server.close().success(),
        "a clean exit when the client closes stdin"
    );
}

#[test]
fn malformed_json_gets_a_parse_error_and_the_session_goes_on() {
    let mut server = StdioServer::initialized("calc");
    server.send_line(r#"{"jsonrpc": "2.0", "id": 5, "method": "tools/call", "par"#);
    let reply = server.recv();
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    server.send_bytes(b"\xff\xfe not utf-8\n");
    assert_eq!(server.recv()["error"]["code"], -32700);
    let reply = server.request(&call(6, "calculate", &json!({"expression": "1+1"})));
    assert_eq!(
        reply["result"]["structuredContent"]["result"], 2.0,
        "{reply}"
    );
}

#[test]
fn unknown_methods_and_tools_get_json_rpc_errors() {
    let mut server = StdioServer::initialized("clock");
    let reply = server.request(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/destroy"}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    let reply = server.request(&call(3, "rm_rf", &json!({})));
    assert_eq!(reply["id"], 3);
    assert!(reply["error"]["code"].is_i64(), "{reply}");
    let reply = server.request(&json!({"jsonrpc": "2.0", "id": 4, "method": 17}));
    assert_eq!(
        (reply["id"].clone(), reply["error"]["code"].clone()),
        (json!(4), json!(-32600))
    );
}

#[test]
fn wrong_argument_types_get_errors_not_crashes() {
    let mut server = StdioServer::initialized("clock");
    let cases = [
        call(10, "get_current_time", &json!({"timezone": 42})),
        call(11, "convert_time", &json!({"time": ["10:00"]})),
        json!({"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": "get_current_time"}),
    ];
    for request in cases {
        let reply = server.request(&request);
        let refused = reply["error"]["code"].is_i64() || reply["result"]["isError"] == true;
        assert!(refused, "{request} should be refused: {reply}");
    }
    let reply = server.request(&call(13, "get_current_time", &json!({"timezone": "UTC"})));
    assert_eq!(
        reply["result"]["structuredContent"]["timezone"], "UTC",
        "still serving"
    );
}

#[test]
fn oversized_inputs_are_refused_quickly() {
    let mut server = StdioServer::initialized("calc");
    let megabyte = "1+".repeat(512 * 1024) + "1";
    let reply = server.request(&call(20, "calculate", &json!({"expression": megabyte})));
    assert_eq!(
        reply["result"]["isError"], true,
        "a tool error, not a crash"
    );
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("the limit is 4096"), "{text}");

    // A single line beyond the transport's 16 MiB bound is refused as a whole.
    let mut huge = vec![b' '; 17 * 1024 * 1024];
    huge.push(b'\n');
    server.send_bytes(&huge);
    let reply = server.recv();
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    let reply = server.request(&call(21, "calculate", &json!({"expression": "6*7"})));
    assert_eq!(reply["result"]["structuredContent"]["result"], 42.0);
}

#[test]
fn http_rejects_foreign_origins_with_403() {
    let server = HttpServer::start("clock");
    let ping = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let foreign = post_mcp(
        server.authority(),
        &[("Origin", "https://evil.example")],
        ping,
    );
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    let null_origin = post_mcp(server.authority(), &[("Origin", "null")], ping);
    assert_eq!(null_origin.status, 403);
    let same = format!("http://{}", server.authority());
    let own = post_mcp(server.authority(), &[("Origin", &same)], ping);
    assert_ne!(
        own.status, 403,
        "a page on the same loopback origin may call"
    );
}

#[test]
fn http_answers_malformed_bodies_with_json_rpc_errors() {
    let server = HttpServer::start("calc");
    let reply = post_mcp(server.authority(), &[], b"{not json");
    assert_eq!(reply.status, 400);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["error"]["code"], -32700, "{body}");
    let reply = post_mcp(
        server.authority(),
        &[],
        br#"{"jsonrpc":"2.0","id":9,"method":[]}"#,
    );
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(
        (reply.status, body["id"].clone()),
        (400, json!(9)),
        "{body}"
    );
    let reply = post_mcp(server.authority(), &[], &vec![b' '; 17 * 1024 * 1024]);
    assert_eq!(reply.status, 413);
}

#[test]
fn the_relay_can_read_its_address_from_the_environment() {
    // For an address that carries a key: kept in the keychain and handed over in the
    // environment, so it is in no file and no process's command line.
    let remote = HttpServer::start("calc");
    let mut command = Command::new(switchboard_bin());
    command
        .args(["remote", "--url-env", "CALC_ADDRESS"])
        .env("CALC_ADDRESS", &remote.url);
    let mut relay = StdioServer::spawn(command);
    let reply = relay.request(&json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "switchboard-tests", "version": "1"}}
    }));
    assert_eq!(reply["result"]["serverInfo"]["name"], "calc", "{reply}");
    relay.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    let answer = relay.request(&call(1, "calculate", &json!({"expression": "6 * 7"})));
    assert!(answer.to_string().contains("42"), "{answer}");
    relay.close();

    let (ok, _, err) = switchboard(&["remote", "--url-env", "SWITCHBOARD_TEST_UNSET"]);
    assert!(!ok);
    assert!(
        err.contains("SWITCHBOARD_TEST_UNSET") && err.contains("not set"),
        "{err}"
    );
}
