//! The clock server and an rmcp client in one process over `tokio::io::duplex`: the tool
//! list (a golden snapshot), structured results and errors as a client sees them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult},
    service::{RunningService, ServiceError},
};
use serde_json::{Value, json};
use server_clock::{ClockServer, TimeConversion, ZonedTime, lookup_zone};

async fn connect() -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    let local = lookup_zone("Europe/Warsaw").expect("bundled zone");
    tokio::spawn(async move {
        if let Ok(running) = ClockServer::new(local).serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

async fn call(
    client: &RunningService<RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments are an object");
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
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
    let client = connect().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    insta::assert_json_snapshot!("clock_tools", tools);
}

#[tokio::test]
async fn current_time_defaults_to_the_local_zone() {
    let client = connect().await;
    let result = call(&client, "get_current_time", json!({})).await.unwrap();
    let time: ZonedTime =
        serde_json::from_value(result.structured_content.expect("structured")).unwrap();
    assert_eq!(time.timezone, "Europe/Warsaw");
    assert!(
        ["+01:00", "+02:00"].contains(&time.utc_offset.as_str()),
        "{time:?}"
    );
    let parsed: jiff::Timestamp = time.datetime.parse().expect("ISO 8601 with offset");
    let skew = jiff::Timestamp::now()
        .duration_since(parsed)
        .as_secs()
        .abs();
    assert!(
        skew < 60,
        "the time is now, give or take a slow machine: {skew}s"
    );
}

#[tokio::test]
async fn current_time_in_a_named_zone_uses_its_canonical_name() {
    let client = connect().await;
    let result = call(
        &client,
        "get_current_time",
        json!({"timezone": "asia/kolkata"}),
    )
    .await
    .unwrap();
    let time: ZonedTime =
        serde_json::from_value(result.structured_content.expect("structured")).unwrap();
    assert_eq!(time.timezone, "Asia/Kolkata");
    assert_eq!(time.utc_offset, "+05:30");
    assert!(!time.is_dst);
}

#[tokio::test]
async fn convert_time_returns_both_sides() {
    let client = connect().await;
    let arguments = json!({
        "source_timezone": "America/New_York",
        "time": "2026-07-01T09:00",
        "target_timezone": "Asia/Tokyo"
    });
    let result = call(&client, "convert_time", arguments).await.unwrap();
    let conversion: TimeConversion =
        serde_json::from_value(result.structured_content.expect("structured")).unwrap();
    assert_eq!(conversion.source.datetime, "2026-07-01T09:00:00-04:00");
    assert_eq!(conversion.target.datetime, "2026-07-01T22:00:00+09:00");
    assert_eq!(conversion.time_difference, "+13h");
}

#[tokio::test]
async fn unknown_zones_are_tool_errors_with_a_suggestion() {
    let client = connect().await;
    let result = call(
        &client,
        "get_current_time",
        json!({"timezone": "Europe/Pariss"}),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("Did you mean \"Europe/Paris\"?"),
        "{}",
        text_of(&result)
    );
}

#[tokio::test]
async fn list_timezones_finds_zones_by_city() {
    let client = connect().await;
    let result = call(&client, "list_timezones", json!({"query": "buenos"}))
        .await
        .unwrap();
    let list = result.structured_content.expect("structured");
    let names = list["timezones"].as_array().expect("a list of names");
    assert!(
        names.contains(&json!("America/Argentina/Buenos_Aires")),
        "{list}"
    );
    assert_eq!(list["count"], json!(names.len()));
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let client = connect().await;
    let cases = [
        ("get_current_time", json!({"timezone": 7})),
        ("convert_time", json!({"source_timezone": "UTC"})),
        (
            "convert_time",
            json!({"source_timezone": [], "time": {}, "target_timezone": 1}),
        ),
    ];
    for (tool, arguments) in cases {
        let outcome = call(&client, tool, arguments.clone()).await;
        let refused = match &outcome {
            Err(ServiceError::McpError(error)) => error.code.0 == -32602,
            Ok(result) => result.is_error == Some(true),
            Err(_) => false,
        };
        assert!(
            refused,
            "{tool} {arguments} should be refused, got {outcome:?}"
        );
    }
}
