//! An rmcp client talking to a `SqlServer` in the same process over `tokio::io::duplex`, and
//! helpers to call tools and read their results. Included by the test files with `#[path]`.

#![allow(dead_code)] // each test file uses a different part

use rmcp::{
    ClientHandler, ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ProtocolVersion},
    service::RunningService,
};
use serde_json::Value;
use server_sql::SqlServer;

/// A client in the legacy era (the `initialize` handshake), the default rmcp client.
pub(crate) async fn connect(server: SqlServer) -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(1024 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DiscoverClient;

impl ClientHandler for DiscoverClient {}

/// A client in the 2026-07-28 era: `server/discover`, then stateless requests with `_meta`.
pub(crate) async fn connect_discovering(
    server: SqlServer,
) -> RunningService<RoleClient, DiscoverClient> {
    let (server_end, client_end) = tokio::io::duplex(1024 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    DiscoverClient
        .serve_with_lifecycle(
            client_end,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("discover handshake")
}

/// Calls a tool; a protocol-level error fails the test (tools answer with tool errors).
pub(crate) async fn call<H: ClientHandler>(
    client: &RunningService<RoleClient, H>,
    tool: &'static str,
    arguments: Value,
) -> CallToolResult {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments are an object");
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .unwrap_or_else(|error| panic!("{tool} failed at the protocol level: {error:?}"))
}

pub(crate) fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|content| content.as_text().map(|text| text.text.clone()))
        .collect()
}

/// The structured result of a call that must have succeeded.
pub(crate) fn structured(result: &CallToolResult) -> Value {
    assert_ne!(
        result.is_error,
        Some(true),
        "expected success, got the tool error: {}",
        text_of(result)
    );
    result
        .structured_content
        .clone()
        .expect("a successful call has structured content")
}

/// The message of a call that must have failed as a tool error.
pub(crate) fn refusal(result: &CallToolResult) -> String {
    assert_eq!(
        result.is_error,
        Some(true),
        "expected a tool error, got: {}",
        text_of(result)
    );
    text_of(result)
}
