//! The daemon's HTTP endpoint from the outside: the real binary with its endpoint turned on
//! at a free loopback port, its token read with `switchboard http token` from a real
//! keychain, and requests sent over plain TCP sockets. The guard (401, 403, 429, 413),
//! token rotation, /health, /metrics read with a real Prometheus text parser, both
//! protocol eras recorded in the call log, progress over SSE and cancellation by a client
//! that leaves, and a bounded load test (50 concurrent clients, loopback only).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[path = "support/client.rs"]
#[allow(dead_code)] // shared with the other test files; this one uses a part
mod client;

use client::control;
use serde_json::{Value, json};
use switchboard_hub::Request;
use switchboard_store::{CallQuery, CallStatus, StoredCall};
use switchboard_tests::{Endpoint, Home, http_request, tools_dir};

const JSON_AND_SSE: (&str, &str) = ("Accept", "application/json, text/event-stream");
const JSON_BODY: (&str, &str) = ("Content-Type", "application/json");

fn bearer(endpoint: &Endpoint) -> String {
    format!("Bearer {}", endpoint.token)
}

fn initialize(client: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": client, "version": "1"}}})
}

fn modern_meta(client: Option<&str>) -> Value {
    let mut meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    if let Some(client) = client {
        meta["io.modelcontextprotocol/clientInfo"] = json!({"name": client, "version": "1"});
    }
    meta
}

/// POSTs `message` to a server's endpoint with the token and the headers a client sends.
fn post(
    endpoint: &Endpoint,
    server: &str,
    extra: &[(&str, &str)],
    message: &Value,
) -> switchboard_tests::RawReply {
    let auth = bearer(endpoint);
    let mut headers = vec![JSON_AND_SSE, JSON_BODY, ("Authorization", auth.as_str())];
    headers.extend_from_slice(extra);
    http_request(
        endpoint.authority(),
        "POST",
        &format!("/servers/{server}/mcp"),
        &headers,
        message.to_string().as_bytes(),
    )
}

/// A stateless (2026-07-28) request with the headers that revision requires.
fn post_modern(endpoint: &Endpoint, server: &str, message: &Value) -> switchboard_tests::RawReply {
    let method = message["method"].as_str().unwrap().to_owned();
    let name = message["params"]["name"].as_str().map(str::to_owned);
    let mut extra = vec![
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method.as_str()),
    ];
    if let Some(name) = name.as_deref() {
        extra.push(("Mcp-Name", name));
    }
    post(endpoint, server, &extra, message)
}

fn json_of(reply: &switchboard_tests::RawReply) -> Value {
    serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", reply.status, reply.body))
}

fn calc_call(id: u64, expression: &str, meta: Option<Value>) -> Value {
    let mut params = json!({"name": "calculate", "arguments": {"expression": expression}});
    if let Some(meta) = meta {
        params["_meta"] = meta;
    }
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

async fn calls_of(home: &Home, server: &str) -> Vec<StoredCall> {
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

#[test]
fn every_request_needs_the_current_token() {
    let home = Home::new();
    let endpoint = home.http_endpoint();
    let message = calc_call(1, "1+1", Some(modern_meta(None)));
    let body = message.to_string();
    for (auth, why) in [
        (None, "no token"),
        (Some("Bearer sbt_not-the-token"), "a wrong token"),
        (Some("Basic c2I6c2I="), "another scheme"),
    ] {
        let mut headers = vec![
            JSON_AND_SSE,
            JSON_BODY,
            ("MCP-Protocol-Version", "2026-07-28"),
        ];
        if let Some(auth) = auth {
            headers.push(("Authorization", auth));
        }
        let reply = http_request(
            endpoint.authority(),
            "POST",
            "/servers/calc/mcp",
            &headers,
            body.as_bytes(),
        );
        assert_eq!(reply.status, 401, "{why}: {}", reply.body);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\"switchboard\""),
            "{why}: {challenge}"
        );
        assert!(
            reply.body.contains("switchboard http token"),
            "the fix is named: {}",
            reply.body
        );
    }
    let metrics = http_request(endpoint.authority(), "GET", "/metrics", &[], b"");
    assert_eq!(metrics.status, 401, "/metrics needs the token too");
    let reply = post_modern(&endpoint, "calc", &message);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        json_of(&reply)["result"]["structuredContent"]["result"],
        2.0
    );
}

#[test]
fn foreign_pages_and_rebound_host_names_are_forbidden() {
    let home = Home::new();
    let endpoint = home.http_endpoint();
    let auth = bearer(&endpoint);
    let body = calc_call(1, "1+1", Some(modern_meta(None))).to_string();
    let own_origin = endpoint.base.clone();
    for (extra, status, why) in [
        (
            vec![("Origin", "http://evil.example.com")],
            403,
            "a foreign origin",
        ),
        (
            vec![("Origin", "http://127.0.0.1:1")],
            403,
            "another port on this computer",
        ),
        (
            vec![("Host", "evil.example.com")],
            403,
            "a rebound host name",
        ),
        (
            vec![("Origin", own_origin.as_str())],
            200,
            "a page of this endpoint",
        ),
    ] {
        let mut headers = vec![
            JSON_AND_SSE,
            JSON_BODY,
            ("Authorization", auth.as_str()),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "calculate"),
        ];
        headers.extend(extra);
        let reply = http_request(
            endpoint.authority(),
            "POST",
            "/servers/calc/mcp",
            &headers,
            body.as_bytes(),
        );
        assert_eq!(reply.status, status, "{why}: {}", reply.body);
    }
}

#[test]
fn a_token_past_its_rate_limit_gets_429_with_retry_after() {
    let home = Home::new();
    home.run(&["settings", "http.rate_limit_per_second", "1"]);
    home.run(&["settings", "http.rate_limit_burst", "3"]);
    let endpoint = home.http_endpoint();
    let statuses: Vec<(u16, Option<String>)> = (0..6)
        .map(|i| {
            let reply = post_modern(
                &endpoint,
                "calc",
                &calc_call(i, "2+2", Some(modern_meta(None))),
            );
            (reply.status, reply.header("retry-after").map(str::to_owned))
        })
        .collect();
    assert!(
        statuses[..3].iter().all(|(s, _)| *s == 200),
        "the burst passes: {statuses:?}"
    );
    let limited: Vec<_> = statuses.iter().filter(|(s, _)| *s == 429).collect();
    assert!(!limited.is_empty(), "beyond the burst, 429: {statuses:?}");
    for (_, retry) in limited {
        let seconds: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
        assert!((1..=2).contains(&seconds), "Retry-After {seconds}");
    }
}

#[test]
fn a_body_over_the_relay_limit_gets_413() {
    let home = Home::new();
    let endpoint = home.http_endpoint();
    let auth = bearer(&endpoint);
    let huge = vec![b' '; 65 * 1024 * 1024];
    let reply = http_request(
        endpoint.authority(),
        "POST",
        "/servers/calc/mcp",
        &[JSON_AND_SSE, JSON_BODY, ("Authorization", auth.as_str())],
        &huge,
    );
    assert_eq!(reply.status, 413, "{}", reply.body);
    let error = json_of(&reply);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("64 MiB"),
        "{error}"
    );
}

#[test]
fn rotation_refuses_the_old_token_at_once_and_no_token_is_written_anywhere() {
    let home = Home::new();
    let old = home.http_endpoint();
    let message = calc_call(1, "3*3", Some(modern_meta(Some("rotation-test"))));
    assert_eq!(post_modern(&old, "calc", &message).status, 200);
    let said = home.run(&["http", "rotate"]);
    assert!(said.contains("old one is refused"), "{said}");
    let new = Endpoint {
        base: old.base.clone(),
        token: home.run(&["http", "token"]).trim().to_owned(),
    };
    assert_ne!(new.token, old.token, "a new token");
    let refused = post_modern(&old, "calc", &message);
    assert_eq!(refused.status, 401, "the old token is refused at once");
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    assert_eq!(
        post_modern(&new, "calc", &message).status,
        200,
        "the new one works"
    );
    // Neither token is in any file of the installation: database, logs, anything.
    home.run(&["stop"]);
    for token in [&old.token, &new.token] {
        let found = switchboard_tests::files_containing(&home.data, token.as_bytes());
        assert!(found.is_empty(), "the token leaked into {found:?}");
    }
}

#[test]
fn health_needs_no_token_on_this_computer_and_shows_each_server() {
    let home = Home::new();
    home.run(&["disable", "fetch"]);
    let endpoint = home.http_endpoint();
    let reply = http_request(endpoint.authority(), "GET", "/health", &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let health = json_of(&reply);
    assert_eq!(health["status"], "ok");
    let servers = health["servers"].as_array().unwrap();
    let find = |id: &str| {
        servers
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {health}"))
    };
    assert_eq!(find("calc")["up"], true);
    assert_eq!(find("fetch")["up"], false, "switched off");
    assert_eq!(find("fetch")["enabled"], false);
    assert!(!reply.body.contains(&endpoint.token), "no secrets");
    let wrong = http_request(
        endpoint.authority(),
        "GET",
        "/health",
        &[("Authorization", "Bearer nope")],
        b"",
    );
    assert_eq!(wrong.status, 401, "a token that is sent is checked");
}

#[test]
fn metrics_are_prometheus_text_counting_every_call() {
    let home = Home::new();
    let endpoint = home.http_endpoint();
    for i in 0..5 {
        let reply = post_modern(
            &endpoint,
            "calc",
            &calc_call(i, "6*7", Some(modern_meta(Some("metrics-test")))),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let failing = post_modern(
        &endpoint,
        "calc",
        &calc_call(9, "1/0", Some(modern_meta(Some("metrics-test")))),
    );
    assert_eq!(failing.status, 200);
    let auth = bearer(&endpoint);
    let scrape = http_request(
        endpoint.authority(),
        "GET",
        "/metrics",
        &[("Authorization", auth.as_str())],
        b"",
    );
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    assert!(
        scrape
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let lines = scrape.body.lines().map(|l| Ok(l.to_owned()));
    let parsed = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text format");
    let value_of = |name: &str, labels: &[(&str, &str)]| {
        parsed
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| s.value.clone())
    };
    match value_of(
        "mcp_tool_calls_total",
        &[("server", "calc"), ("tool", "calculate"), ("status", "ok")],
    ) {
        Some(prometheus_parse::Value::Counter(n)) => assert_eq!(n, 5.0),
        other => panic!("a counter of 5 ok calls, got {other:?}\n{}", scrape.body),
    }
    match value_of(
        "mcp_tool_calls_total",
        &[("server", "calc"), ("status", "tool_error")],
    ) {
        Some(prometheus_parse::Value::Counter(n)) => assert_eq!(n, 1.0),
        other => panic!("one failed call, got {other:?}"),
    }
    match value_of(
        "mcp_tool_duration_seconds",
        &[("server", "calc"), ("tool", "calculate")],
    ) {
        Some(prometheus_parse::Value::Histogram(buckets)) => {
            let inf = buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .expect("+Inf bucket");
            assert_eq!(inf.count, 6.0, "every call observed");
            assert!(
                buckets.windows(2).all(|w| w[0].count <= w[1].count),
                "cumulative"
            );
        }
        other => panic!("a histogram, got {other:?}"),
    }
    for gauge in [
        "mcp_server_up",
        "mcp_server_restarts_total",
        "mcp_server_cpu_percent",
        "mcp_server_memory_bytes",
    ] {
        assert!(
            value_of(gauge, &[("server", "calc")]).is_some(),
            "{gauge} for calc"
        );
    }
    assert!(value_of("switchboard_process_resident_memory_bytes", &[]).is_some());
    assert!(!scrape.body.contains("6*7"), "no argument text in metrics");

    // Every call is also a JSON line in the daemon's log file, with tool, duration_ms and
    // status.
    home.run(&["stop"]);
    let logs = home.data.join("logs");
    let lines: Vec<Value> = std::fs::read_dir(&logs)
        .unwrap_or_else(|e| panic!("{}: {e}", logs.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            name.starts_with("switchboard-daemon").then_some(path)
        })
        .flat_map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .map(|line| serde_json::from_str::<Value>(line).expect("JSON lines"))
                .collect::<Vec<_>>()
        })
        .filter(|line| line["target"] == "switchboard::calls" && line["tool"] == "calculate")
        .collect();
    assert_eq!(lines.len(), 6, "one line per call: {lines:#?}");
    assert_eq!(
        lines.iter().filter(|l| l["status"] == "ok").count(),
        5,
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["duration_ms"].as_f64().is_some() && l["server"] == "calc"),
        "{lines:#?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.to_string().contains(&endpoint.token))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_eras_over_http_are_recorded_like_stdio_calls() {
    let home = Home::new();
    let endpoint = home.http_endpoint();
    // Legacy: initialize opens a session named in Mcp-Session-Id.
    let opened = post(&endpoint, "calc", &[], &initialize("legacy-http-client"));
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(json_of(&opened)["id"], 0, "the client's own id comes back");
    let session = opened
        .header("mcp-session-id")
        .expect("a session id")
        .to_owned();
    let with_session = [
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(&endpoint, "calc", &with_session, &note).status, 202);
    let answer = post(
        &endpoint,
        "calc",
        &with_session,
        &calc_call(7, "2^10", None),
    );
    assert_eq!(json_of(&answer)["id"], 7);
    assert_eq!(
        json_of(&answer)["result"]["structuredContent"]["result"],
        1024.0
    );
    let no_session = post(
        &endpoint,
        "calc",
        &[("MCP-Protocol-Version", "2025-11-25")],
        &calc_call(8, "1", None),
    );
    assert_eq!(no_session.status, 400, "a legacy request needs its session");
    let auth = bearer(&endpoint);
    let ended = http_request(
        endpoint.authority(),
        "DELETE",
        "/servers/calc/mcp",
        &[
            ("Authorization", auth.as_str()),
            ("Mcp-Session-Id", session.as_str()),
        ],
        b"",
    );
    assert_eq!(ended.status, 202);
    let gone = post(&endpoint, "calc", &with_session, &calc_call(9, "1", None));
    assert_eq!(gone.status, 404, "an ended session is gone");
    // Stateless: the client's name comes from _meta, or "http" when there is none.
    let named = post_modern(
        &endpoint,
        "calc",
        &calc_call(1, "5+5", Some(modern_meta(Some("modern-http-client")))),
    );
    assert_eq!(
        json_of(&named)["result"]["structuredContent"]["result"],
        10.0
    );
    let anonymous = post_modern(
        &endpoint,
        "calc",
        &calc_call(1, "5+6", Some(modern_meta(None))),
    );
    assert_eq!(
        json_of(&anonymous)["result"]["structuredContent"]["result"],
        11.0
    );
    // An unknown server is a plain 404.
    let unknown = post_modern(
        &endpoint,
        "nope",
        &calc_call(1, "1", Some(modern_meta(None))),
    );
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body.contains("switchboard list"),
        "{}",
        unknown.body
    );

    let calls = calls_of(&home, "calc").await;
    let client_of = |expression: &str| {
        calls
            .iter()
            .find(|c| {
                c.record.method == "tools/call"
                    && c.record
                        .args_preview
                        .as_deref()
                        .is_some_and(|p| p.contains(expression))
            })
            .unwrap_or_else(|| panic!("the call {expression} is in the log: {calls:#?}"))
            .record
            .client
            .clone()
    };
    assert_eq!(client_of("2^10"), "legacy-http-client");
    assert_eq!(client_of("5+5"), "modern-http-client");
    assert_eq!(client_of("5+6"), "http");
}

fn everything_js() -> PathBuf {
    tools_dir().join("@modelcontextprotocol/server-everything/dist/index.js")
}

/// Opens a legacy session of `server` over a raw socket and returns the session id.
fn open_session(endpoint: &Endpoint, server: &str) -> String {
    let opened = post(endpoint, server, &[], &initialize("progress-test"));
    assert_eq!(opened.status, 200, "{}", opened.body);
    let session = opened.header("mcp-session-id").unwrap().to_owned();
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    post(
        endpoint,
        server,
        &[("Mcp-Session-Id", session.as_str())],
        &note,
    );
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_streams_as_sse_and_a_client_that_leaves_cancels_its_call() {
    let home = Home::new();
    home.run(&[
        "add",
        "everything",
        "--",
        "node",
        everything_js().to_str().unwrap(),
        "stdio",
    ]);
    let endpoint = home.http_endpoint();
    let session = open_session(&endpoint, "everything");
    let call = |id: u64, duration: u64, steps: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "trigger-long-running-operation",
            "arguments": {"duration": duration, "steps": steps},
            "_meta": {"progressToken": "my-token"}}})
    };
    // A whole call: progress events with the client's own token, then the answer, as SSE.
    let streamed = post(
        &endpoint,
        "everything",
        &[("Mcp-Session-Id", session.as_str())],
        &call(5, 1, 4),
    );
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("content-type"), Some("text/event-stream"));
    let events: Vec<Value> = streamed
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let progress: Vec<&Value> = events
        .iter()
        .filter(|e| e["method"] == "notifications/progress")
        .collect();
    assert_eq!(progress.len(), 4, "{events:#?}");
    assert!(
        progress
            .iter()
            .all(|p| p["params"]["progressToken"] == "my-token"),
        "the client's token: {progress:?}"
    );
    let last = events.last().unwrap();
    assert_eq!(
        last["id"], 5,
        "the answer ends the stream with the client's id"
    );

    // A client that leaves after the first progress event: the call is cancelled upstream
    // (noticed at the next event written to the closed connection: one a second here;
    // uncancelled, the call would last 20 s).
    let body = call(6, 20, 20).to_string();
    let mut stream = TcpStream::connect(endpoint.authority()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /servers/everything/mcp HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         Mcp-Session-Id: {session}\r\nContent-Length: {}\r\n\r\n",
        endpoint.authority(),
        endpoint.token,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the stream ended early"
        );
        if line.contains("notifications/progress") {
            break;
        }
    }
    drop(reader);
    let started = Instant::now();
    loop {
        let calls = calls_of(&home, "everything").await;
        let cancelled = calls.iter().any(|c| {
            c.record.tool.as_deref() == Some("trigger-long-running-operation")
                && c.record.status == CallStatus::Cancelled
        });
        if cancelled {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the call is recorded as cancelled: {calls:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A keep-alive HTTP/1.1 connection that POSTs and reads JSON answers (Content-Length).
struct KeepAlive {
    reader: BufReader<TcpStream>,
    authority: String,
    auth: String,
}

impl KeepAlive {
    fn connect(endpoint: &Endpoint) -> Self {
        let stream = TcpStream::connect(endpoint.authority()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            reader: BufReader::new(stream),
            authority: endpoint.authority().to_owned(),
            auth: bearer(endpoint),
        }
    }

    /// POSTs a stateless call; the answer's status and body.
    fn call(&mut self, message: &Value) -> (u16, String) {
        let body = message.to_string();
        let head = format!(
            "POST /servers/calc/mcp HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
             Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
             MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: calculate\r\n\
             Content-Length: {}\r\n\r\n",
            self.authority,
            self.auth,
            body.len()
        );
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, String::from_utf8(body).unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_clients_for_thirty_seconds_lose_no_call() {
    let home = Home::new();
    // The default limit (100 requests/s per token) is for one user's clients; a load test
    // of one token needs more.
    home.run(&["settings", "http.rate_limit_per_second", "1000000"]);
    home.run(&["settings", "http.rate_limit_burst", "1000000"]);
    let endpoint = home.http_endpoint();
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..50)
        .map(|n| {
            let (endpoint, stop, answered, latencies) = (
                endpoint.clone(),
                stop.clone(),
                answered.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let mut connection = KeepAlive::connect(&endpoint);
                let meta = modern_meta(Some(&format!("load-{n}")));
                let mut mine = Vec::new();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let started = Instant::now();
                    let (status, body) =
                        connection.call(&calc_call(i, &format!("{n}+{i}"), Some(meta.clone())));
                    mine.push(started.elapsed());
                    assert_eq!(status, 200, "client {n} call {i}: {body}");
                    let answer: Value = serde_json::from_str(&body).unwrap();
                    assert_eq!(answer["id"], i, "client {n} gets its own answer");
                    assert_eq!(
                        answer["result"]["structuredContent"]["result"],
                        (n + i) as f64,
                        "client {n} call {i}"
                    );
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                latencies.lock().unwrap().extend(mine);
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(30));
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().expect("no client failed");
    }
    let answered = answered.load(Ordering::Relaxed);
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    eprintln!(
        "load: {answered} calls in 30 s by 50 clients ({:.0}/s), p50 {:?}, p99 {:?}",
        answered as f64 / 30.0,
        p(0.5),
        p(0.99)
    );
    assert!(answered > 50, "every client made calls");
    let recorded = calls_of(&home, "calc")
        .await
        .into_iter()
        .filter(|c| {
            c.record.method == "tools/call"
                && c.record.client.starts_with("load-")
                && c.record.status == CallStatus::Ok
        })
        .count() as u64;
    assert_eq!(recorded, answered, "every answered call is in the call log");
}

/// The `data:` JSON of the first SSE event (or the body itself when it is JSON).
fn first_message(reply: &switchboard_tests::RawReply) -> Value {
    let data = reply
        .body
        .lines()
        .find_map(|line| line.strip_prefix("data: ").filter(|d| d.starts_with('{')))
        .unwrap_or(reply.body.as_str());
    serde_json::from_str(data).unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aggregate_names_every_enabled_server_s_tools_and_routes_calls() {
    use rmcp::{ServiceExt, model::CallToolRequestParams, transport::TokioChildProcess};
    let home = Home::new();
    home.run(&["disable", "fetch"]);
    let command = tokio::process::Command::from(home.command(&["connect", "--all"]));
    let client = ().serve(TokioChildProcess::new(command).unwrap()).await.expect("handshake");
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    for expected in ["calc__calculate", "clock__get_current_time"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.starts_with("fetch__")),
        "fetch is switched off: {names:?}"
    );
    assert!(
        names.iter().all(|n| n.len() <= 64
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')),
        "valid names for every client: {names:?}"
    );
    let arguments = json!({"expression": "6*7"}).as_object().cloned().unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("calc__calculate").with_arguments(arguments))
        .await
        .unwrap();
    assert_eq!(result.structured_content.unwrap()["result"], 42.0);
    client.cancel().await.unwrap();
    let calls = calls_of(&home, "calc").await;
    let call = calls
        .iter()
        .find(|c| c.record.method == "tools/call")
        .expect("the call is recorded under the real server");
    assert_eq!(
        call.record.tool.as_deref(),
        Some("calculate"),
        "with the server's own tool name"
    );
    assert_eq!(call.record.client, "rmcp");

    // The same over HTTP at /mcp.
    let endpoint = home.http_endpoint();
    let auth = bearer(&endpoint);
    let headers = [JSON_AND_SSE, JSON_BODY, ("Authorization", auth.as_str())];
    let opened = http_request(
        endpoint.authority(),
        "POST",
        "/mcp",
        &headers,
        initialize("aggregate-http").to_string().as_bytes(),
    );
    assert_eq!(opened.status, 200, "{}", opened.body);
    let session = opened
        .header("mcp-session-id")
        .expect("a session")
        .to_owned();
    let with_session = [
        JSON_AND_SSE,
        JSON_BODY,
        ("Authorization", auth.as_str()),
        ("Mcp-Session-Id", session.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string();
    http_request(
        endpoint.authority(),
        "POST",
        "/mcp",
        &with_session,
        note.as_bytes(),
    );
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    let listed = first_message(&http_request(
        endpoint.authority(),
        "POST",
        "/mcp",
        &with_session,
        list.as_bytes(),
    ));
    let tools = listed["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(
        tools.iter().any(|t| t["name"] == "calc__calculate"),
        "{listed}"
    );
    let unauthenticated = http_request(
        endpoint.authority(),
        "POST",
        "/mcp",
        &[JSON_AND_SSE, JSON_BODY],
        list.as_bytes(),
    );
    assert_eq!(
        unauthenticated.status, 401,
        "the aggregate is behind the token too"
    );
}

/// Cursor's user file: `~/.cursor/mcp.json`.
fn cursor_file(home: &Home) -> PathBuf {
    home.home.join(".cursor").join("mcp.json")
}

fn cursor_entry(home: &Home, name: &str) -> Value {
    let text = std::fs::read_to_string(cursor_file(home)).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["mcpServers"][name].clone()
}

/// A request made the way a client would from a URL entry: to its URL, with its headers.
fn post_as_entry(entry: &Value, authorization: &str) -> switchboard_tests::RawReply {
    let url = entry["url"].as_str().unwrap();
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let message = calc_call(1, "20+22", Some(modern_meta(Some("cursor"))));
    http_request(
        authority,
        "POST",
        path,
        &[
            JSON_AND_SSE,
            JSON_BODY,
            ("Authorization", authorization),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "calculate"),
        ],
        message.to_string().as_bytes(),
    )
}

#[test]
fn url_entries_name_the_token_variable_or_hold_the_token_and_follow_rotation() {
    let home = Home::new();
    let said = home.run_failing(&["settings", "clients.cursor.entry", "url"]);
    assert!(
        said.contains("switchboard http enable"),
        "URL entries need the endpoint, and the fix is named: {said}"
    );
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    home.run(&["http", "enable", "--port", &port.to_string()]);
    let token = home.run(&["http", "token"]).trim().to_owned();
    let file = cursor_file(&home);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let own = json!({"url": "https://example.com/mcp", "headers": {"X-Mine": "1"}});
    std::fs::write(&file, json!({"mcpServers": {"mine": own}}).to_string()).unwrap();

    // `url`: the header names the variable in Cursor's syntax; no token in the file.
    home.run(&["settings", "clients.cursor.entry", "url"]);
    home.run(&["install", "calc", "--into", "cursor"]);
    let entry = cursor_entry(&home, "calc");
    assert_eq!(
        entry,
        json!({"url": format!("http://127.0.0.1:{port}/servers/calc/mcp"),
               "headers": {"Authorization": "Bearer ${env:SWITCHBOARD_HTTP_TOKEN}"}}),
        "a URL entry naming the variable"
    );
    assert!(!std::fs::read_to_string(&file).unwrap().contains(&token));
    let expanded = entry["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .replace("${env:SWITCHBOARD_HTTP_TOKEN}", &token);
    let reply = post_as_entry(&entry, &expanded);
    assert_eq!(
        reply.status, 200,
        "the entry, expanded, reaches calc: {}",
        reply.body
    );
    assert_eq!(
        json_of(&reply)["result"]["structuredContent"]["result"],
        42.0
    );

    // `url-with-token`: changing the setting rewrites the entry with the token itself.
    home.run(&["settings", "clients.cursor.entry", "url-with-token"]);
    let entry = cursor_entry(&home, "calc");
    let header = entry["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(header, format!("Bearer {token}"), "the token itself");
    assert_eq!(
        post_as_entry(&entry, &header).status,
        200,
        "the entry as written works"
    );

    // Rotation rewrites the file: the new token works from it, the old one is gone.
    home.run(&["http", "rotate"]);
    let rotated = home.run(&["http", "token"]).trim().to_owned();
    assert_ne!(rotated, token);
    let entry = cursor_entry(&home, "calc");
    let header = entry["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        header,
        format!("Bearer {rotated}"),
        "the file follows rotation"
    );
    assert_eq!(post_as_entry(&entry, &header).status, 200);
    assert!(!std::fs::read_to_string(&file).unwrap().contains(&token));

    // Back to the bridge; the user's own entry was never touched.
    home.run(&["settings", "clients.cursor.entry", "bridge"]);
    let entry = cursor_entry(&home, "calc");
    assert_eq!(entry["args"], json!(["connect", "calc"]), "{entry}");
    assert!(
        entry.get("url").is_none() && entry.get("headers").is_none(),
        "{entry}"
    );
    assert_eq!(
        cursor_entry(&home, "mine"),
        own,
        "the user's entry is as it was"
    );
    let said = home.run_failing(&["settings", "clients.claude-desktop.entry", "url"]);
    assert!(
        said.contains("clients.cursor.entry"),
        "known settings listed: {said}"
    );
    home.run(&["stop"]);
    // The tokens are in no file of the installation (database, logs): only the client's
    // file held one while asked to, and its backups (documented in docs/clients.md).
    for token in [&token, &rotated] {
        let found = switchboard_tests::files_containing(&home.data, token.as_bytes());
        assert!(found.is_empty(), "a token leaked into {found:?}");
    }
}
