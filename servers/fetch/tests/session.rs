//! The fetch server and an rmcp client in one process over `tokio::io::duplex`, fetching
//! from a local HTTP server: the tool list (a golden snapshot), the instructions, results
//! as a client sees them (readable text plus structured content), errors, and both
//! protocol eras.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/local_server.rs"]
mod local_server;

use std::time::Duration;

use local_server::LocalServer;
use rmcp::{
    ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ProtocolVersion},
    service::{RunningService, ServiceError},
};
use serde_json::{Value, json};
use server_fetch::{FetchConfig, FetchServer, FetchedPage, Format};

fn loopback_only() -> FetchConfig {
    FetchConfig {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        timeout: Duration::from_secs(5),
        ..FetchConfig::default()
    }
}

async fn connect(config: FetchConfig) -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(256 * 1024);
    let server = FetchServer::new(config).expect("the server builds");
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

async fn call(
    client: &RunningService<RoleClient, ()>,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments are an object");
    client
        .call_tool(CallToolRequestParams::new("fetch").with_arguments(arguments))
        .await
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

#[tokio::test]
async fn tools_list_matches_the_golden_schema() {
    let client = connect(FetchConfig::default()).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    insta::assert_json_snapshot!("fetch_tools", tools);
}

#[tokio::test]
async fn the_server_tells_a_model_how_to_use_it() {
    let client = connect(FetchConfig::default()).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|server| server.name.as_str()),
        Some("fetch")
    );
    let instructions = info.instructions.clone().expect("instructions");
    assert!(instructions.contains("next_start_index"), "{instructions}");
    assert!(
        instructions.contains("Switchboard's settings"),
        "{instructions}"
    );
    let open = connect(FetchConfig {
        allow_private_addresses: true,
        ..FetchConfig::default()
    })
    .await;
    let instructions = open.peer_info().unwrap().instructions.clone().unwrap();
    assert!(
        instructions.contains("has allowed addresses on their own computer"),
        "{instructions}"
    );
}

#[tokio::test]
async fn a_page_arrives_as_readable_text_and_structured_content() {
    let site = LocalServer::start("127.0.0.1").await;
    let client = connect(loopback_only()).await;
    let result = call(
        &client,
        json!({"url": site.url("/big"), "max_length": 2000}),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    let page: FetchedPage =
        serde_json::from_value(result.structured_content.clone().expect("structured")).unwrap();
    assert_eq!(page.format, Format::Markdown);
    assert_eq!(page.title.as_deref(), Some("Big"));
    let next = page.next_start_index.expect("a long page has a next page");
    let text = text_of(&result);
    assert!(
        text.starts_with("## Section 1\n\nParagraph 1.1: żółw"),
        "the text is the page itself: {text:.80}"
    );
    assert!(
        text.ends_with(&format!("and format and start_index={next}.]")),
        "the text ends with how to read on: {}",
        &text[text.len().saturating_sub(120)..]
    );
    let result = call(
        &client,
        json!({"url": site.url("/big"), "max_length": 2000, "start_index": next}),
    )
    .await
    .unwrap();
    let second: FetchedPage = serde_json::from_value(result.structured_content.unwrap()).unwrap();
    assert_eq!(second.start_index, next);
}

#[tokio::test]
async fn a_redirected_fetch_says_where_it_ended() {
    let site = LocalServer::start("127.0.0.1").await;
    let client = connect(loopback_only()).await;
    let result = call(
        &client,
        json!({"url": site.url("/redirect/1"), "format": "text"}),
    )
    .await
    .unwrap();
    let text = text_of(&result);
    assert!(
        text.starts_with(&format!(
            "[Redirected to {}]\n\nTending a Sourdough Starter",
            site.url("/article")
        )),
        "{text:.200}"
    );
}

#[tokio::test]
async fn a_refused_address_is_a_tool_error_the_model_can_act_on() {
    let site = LocalServer::start("127.0.0.1").await;
    let client = connect(FetchConfig::default()).await;
    let result = call(&client, json!({"url": site.url("/article")}))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    let text = text_of(&result);
    assert!(text.contains("127.0.0.1 is a loopback address"), "{text}");
    assert!(
        text.contains("allow private network addresses in Switchboard's settings"),
        "{text}"
    );
    assert_eq!(site.connections(), 0);
}

#[tokio::test]
async fn the_html_alias_of_raw_is_accepted() {
    let site = LocalServer::start("127.0.0.1").await;
    let client = connect(loopback_only()).await;
    let result = call(&client, json!({"url": site.url("/gzip"), "format": "html"}))
        .await
        .unwrap();
    let page: FetchedPage = serde_json::from_value(result.structured_content.unwrap()).unwrap();
    assert_eq!(page.format, Format::Raw);
    assert!(
        page.content.starts_with("<html><body><h1>Compressed"),
        "{}",
        page.content
    );
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let site = LocalServer::start("127.0.0.1").await;
    let client = connect(loopback_only()).await;
    for arguments in [
        json!({}),
        json!({"url": 42}),
        json!({"url": "https://example.com/", "format": "pdf"}),
        json!({"url": "https://example.com/", "start_index": -1}),
        json!({"url": "https://example.com/", "headers": {"X-A": 1}}),
        json!({"url": "https://example.com/", "headers": ["Accept"]}),
    ] {
        let outcome = call(&client, arguments.clone()).await;
        let refused = match &outcome {
            Err(ServiceError::McpError(error)) => error.code.0 == -32602,
            Ok(result) => result.is_error == Some(true),
            Err(_) => false,
        };
        assert!(refused, "{arguments} should be refused, got {outcome:?}");
    }
    // The session is still healthy afterwards.
    let result = call(&client, json!({"url": site.url("/text")}))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "Plain words, żółw.\n");
}

#[tokio::test]
async fn a_modern_era_client_discovers_and_calls_the_tool() {
    let site = LocalServer::start("127.0.0.1").await;
    let (server_end, client_end) = tokio::io::duplex(256 * 1024);
    let server = FetchServer::new(loopback_only()).unwrap();
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    let client = ()
        .serve_with_lifecycle(
            client_end,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover");
    assert_eq!(
        client.peer_info().map(|info| info.protocol_version.clone()),
        Some(ProtocolVersion::V_2026_07_28),
        "the session runs in the stateless era"
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 1);
    let result = call(&client, json!({"url": site.url("/json"), "format": "json"}))
        .await
        .unwrap();
    let page: FetchedPage = serde_json::from_value(result.structured_content.unwrap()).unwrap();
    assert_eq!(page.format, Format::Json);
    assert!(
        page.content.contains("\"name\": \"fetch\""),
        "{}",
        page.content
    );
}
