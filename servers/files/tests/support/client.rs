//! Shared by the integration tests: a files server and an rmcp client in one process over
//! `tokio::io::duplex`, and helpers to call tools and read their text.

#![allow(dead_code)] // each test file uses a different part

use std::time::Duration;

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents},
    service::{RunningService, ServiceError},
};
use serde_json::Value;
use server_files::{FilesServer, Folders, Limits};

pub(crate) type Client = RunningService<RoleClient, ()>;

/// A legacy-era session (the default rmcp client: `initialize` handshake).
pub(crate) async fn connect(folders: &Folders) -> Client {
    connect_with(folders, Limits::default()).await
}

pub(crate) async fn connect_with(folders: &Folders, limits: Limits) -> Client {
    let (server_end, client_end) = tokio::io::duplex(1024 * 1024);
    let server = FilesServer::new(folders.clone(), limits);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

/// Calls a tool, bounded in time so a hang fails the test instead of stalling it.
pub(crate) async fn call(
    client: &Client,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments are an object");
    let request =
        client.call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments));
    tokio::time::timeout(Duration::from_secs(10), request)
        .await
        .unwrap_or_else(|_| panic!("{tool} did not answer within 10 s"))
}

/// All text of a result.
pub(crate) fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Calls a tool that must succeed; returns the result.
pub(crate) async fn ok(client: &Client, tool: &str, arguments: Value) -> CallToolResult {
    let result = call(client, tool, arguments.clone())
        .await
        .unwrap_or_else(|e| panic!("{tool} {arguments} failed at the protocol level: {e:?}"));
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool} {arguments} failed: {}",
        text_of(&result)
    );
    result
}

/// Calls a tool that must succeed with structured content; returns it.
pub(crate) async fn structured(client: &Client, tool: &str, arguments: Value) -> Value {
    ok(client, tool, arguments)
        .await
        .structured_content
        .expect("structured content")
}

/// Calls a tool that must fail; returns the message (a tool error's text, or a protocol
/// error's message).
pub(crate) async fn refused(client: &Client, tool: &str, arguments: Value) -> String {
    match call(client, tool, arguments.clone()).await {
        Ok(result) => {
            assert_eq!(
                result.is_error,
                Some(true),
                "{tool} {arguments} should fail but returned: {}",
                text_of(&result)
            );
            text_of(&result)
        }
        Err(ServiceError::McpError(error)) => error.message.to_string(),
        Err(other) => panic!("{tool} {arguments}: unexpected failure {other:?}"),
    }
}

/// Reads a resource: Ok(contents) or Err(the error message).
pub(crate) async fn read_resource(
    client: &Client,
    uri: &str,
) -> Result<Vec<ResourceContents>, String> {
    let request = client.read_resource(ReadResourceRequestParams::new(uri.to_owned()));
    match tokio::time::timeout(Duration::from_secs(10), request).await {
        Err(_) => panic!("resources/read {uri} did not answer within 10 s"),
        Ok(Ok(result)) => Ok(result.contents),
        Ok(Err(ServiceError::McpError(error))) => Err(error.message.to_string()),
        Ok(Err(other)) => Err(format!("{other:?}")),
    }
}
