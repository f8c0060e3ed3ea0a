//! The relay to a remote server (`switchboard remote`) against a Streamable HTTP server on
//! loopback that checks what a real one would: the token header, the session id and the
//! protocol version on every message after `initialize`; it answers with JSON, with an SSE
//! stream (a progress notification, then the result), with 202 for notifications, and with
//! HTTP errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::Response,
    routing::post,
};
use serde_json::{Value, json};
use switchboard_hub::remote::{RemoteError, RemoteOptions, relay};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Default)]
struct Seen {
    session_ended: AtomicBool,
}

fn reply(status: StatusCode, content_type: &str, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header("mcp-session-id", "session-1")
        .body(Body::from(body))
        .unwrap()
}

async fn mcp(headers: HeaderMap, body: String) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer s3cret") {
        return reply(StatusCode::UNAUTHORIZED, "text/plain", "no".into());
    }
    let message: Value = serde_json::from_str(&body).unwrap();
    let method = message["method"].as_str().unwrap_or_default().to_owned();
    let id = message["id"].clone();
    if method == "initialize" {
        let result = json!({"jsonrpc": "2.0", "id": id, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "remote", "version": "1"}}});
        return reply(StatusCode::OK, "application/json", result.to_string());
    }
    let in_session = headers.get("mcp-session-id").and_then(|v| v.to_str().ok())
        == Some("session-1")
        && headers
            .get("mcp-protocol-version")
            .and_then(|v| v.to_str().ok())
            == Some("2025-11-25");
    if !in_session {
        return reply(StatusCode::BAD_REQUEST, "text/plain", "no session".into());
    }
    match method.as_str() {
        "notifications/initialized" => reply(StatusCode::ACCEPTED, "text/plain", String::new()),
        "tools/call" => {
            assert_eq!(
                headers.get("mcp-name").and_then(|v| v.to_str().ok()),
                Some("add"),
                "the tool's name travels in Mcp-Name"
            );
            let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": 1, "progress": 1}});
            let result = json!({"jsonrpc": "2.0", "id": id, "result": {
                "content": [{"type": "text", "text": "3"}]}});
            reply(
                StatusCode::OK,
                "text/event-stream",
                format!("event: message\ndata: {progress}\n\nid: 2\ndata: {result}\n\n"),
            )
        }
        "boom" => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "down".into(),
        ),
        _ => {
            let error = json!({"jsonrpc": "2.0", "id": id,
                "error": {"code": -32601, "message": "no such method"}});
            reply(StatusCode::NOT_FOUND, "application/json", error.to_string())
        }
    }
}

async fn end(State(seen): State<Arc<Seen>>, headers: HeaderMap) -> StatusCode {
    if headers.get("mcp-session-id").and_then(|v| v.to_str().ok()) == Some("session-1") {
        seen.session_ended.store(true, Ordering::SeqCst);
    }
    StatusCode::NO_CONTENT
}

async fn serve() -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/mcp", post(mcp).delete(end))
        .with_state(Arc::clone(&seen));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/mcp"), seen)
}

/// Relays `lines` and returns every line that came back.
async fn run(options: RemoteOptions, lines: &[String]) -> Vec<Value> {
    let (mut client, relay_side) = tokio::io::duplex(64 * 1024);
    let (reader, writer) = tokio::io::split(relay_side);
    let relayed = tokio::spawn(relay(options, reader, writer));
    for line in lines {
        client.write_all(line.as_bytes()).await.unwrap();
        client.write_all(b"\n").await.unwrap();
    }
    client.shutdown().await.unwrap();
    let mut out = Vec::new();
    let mut answers = BufReader::new(client).lines();
    while let Some(line) = answers.next_line().await.unwrap() {
        out.push(serde_json::from_str(&line).unwrap());
    }
    relayed.await.unwrap().unwrap();
    out
}

fn token(name: &str) -> Option<String> {
    (name == "API_TOKEN").then(|| "Bearer s3cret".to_owned())
}

#[tokio::test]
async fn messages_go_to_the_remote_server_with_its_session_and_token_and_answers_come_back() {
    let (url, seen) = serve().await;
    let options = RemoteOptions::new(
        &url,
        &[],
        &[("Authorization".into(), "API_TOKEN".into())],
        token,
    )
    .unwrap();
    assert!(
        !format!("{options:?}").contains("s3cret"),
        "the options never print a header's value"
    );
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "add", "arguments": {"a": 1, "b": 2}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "boom"}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "nothing/here"}),
    ]
    .map(|m| m.to_string());
    let mut lines = lines.to_vec();
    lines.push("{not json".to_owned());
    let answers = run(options, &lines).await;

    let by_id = |id: i64| {
        answers
            .iter()
            .find(|a| a["id"] == id && a.get("method").is_none())
            .unwrap_or_else(|| panic!("no answer to {id}: {answers:?}"))
    };
    assert_eq!(by_id(1)["result"]["serverInfo"]["name"], "remote");
    assert_eq!(
        by_id(2)["result"]["content"][0]["text"],
        "3",
        "from the SSE stream"
    );
    assert!(
        answers
            .iter()
            .any(|a| a["method"] == "notifications/progress"),
        "the stream's notification is relayed too: {answers:?}"
    );
    let boom = by_id(3)["error"]["message"].as_str().unwrap();
    assert!(boom.contains("HTTP 500"), "{boom}");
    assert_eq!(
        by_id(4)["error"]["code"],
        -32601,
        "a JSON-RPC error in an HTTP error is passed on as written"
    );
    assert!(
        answers
            .iter()
            .any(|a| a["id"].is_null() && a["error"]["code"] == -32700),
        "a line that is not JSON gets a parse error: {answers:?}"
    );
    assert_eq!(answers.len(), 6, "no notification is answered: {answers:?}");
    assert!(
        seen.session_ended.load(Ordering::SeqCst),
        "the session is ended when the client goes"
    );
}

#[tokio::test]
async fn a_wrong_token_is_told_in_plain_words_for_the_request() {
    let (url, _seen) = serve().await;
    let options = RemoteOptions::new(
        &url,
        &[("Authorization".into(), "Bearer wrong".into())],
        &[],
        |_| None,
    )
    .unwrap();
    let line = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}});
    let answers = run(options, &[line.to_string()]).await;
    let message = answers[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("HTTP 401") && message.contains("switchboard secrets set"),
        "{message}"
    );
}

#[test]
fn plain_http_off_this_computer_and_a_missing_secret_are_refused_before_anything_is_sent() {
    let refused = RemoteOptions::new("http://example.com/mcp", &[], &[], |_| None).unwrap_err();
    assert!(matches!(refused, RemoteError::Address(_)), "{refused}");
    let refused = RemoteOptions::new("ftp://example.com/", &[], &[], |_| None).unwrap_err();
    assert!(matches!(refused, RemoteError::Address(_)), "{refused}");
    // The message names the address without what may be a key in it.
    for keyed in [
        "http://example.com/mcp?api_key=sk-live-999",
        "https://example.com:99999/mcp?api_key=sk-live-999",
        "http://me:sk-live-999@example.com/mcp",
    ] {
        let refused = RemoteOptions::new(keyed, &[], &[], |_| None).unwrap_err();
        assert!(matches!(refused, RemoteError::Address(_)), "{refused}");
        assert!(!refused.to_string().contains("sk-live-999"), "{refused}");
    }
    let options = RemoteOptions::new(
        "https://example.com/mcp?api_key=sk-live-999",
        &[],
        &[],
        |_| None,
    );
    let shown = format!("{:?}", options.unwrap());
    assert!(!shown.contains("sk-live-999"), "{shown}");
    let missing = RemoteOptions::new(
        "https://example.com/mcp",
        &[],
        &[("Authorization".into(), "API_TOKEN".into())],
        |_| None,
    )
    .unwrap_err();
    assert!(
        missing.to_string().contains("API_TOKEN"),
        "the message names the variable: {missing}"
    );
    assert!(RemoteOptions::new("http://127.0.0.1:9/mcp", &[], &[], |_| None).is_ok());
    assert!(RemoteOptions::new("http://localhost:9/mcp", &[], &[], |_| None).is_ok());
}
