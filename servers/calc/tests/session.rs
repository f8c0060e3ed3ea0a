//! The calc server and an rmcp client in one process over `tokio::io::duplex`: what a real
//! client sees, including the tool list (a golden snapshot), results and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult},
    service::{RunningService, ServiceError},
};
use serde_json::{Value, json};
use server_calc::CalcServer;

async fn connect() -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = CalcServer::default().serve(server_end).await {
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
        .call_tool(CallToolRequestParams::new("calculate").with_arguments(arguments))
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
    insta::assert_json_snapshot!("calc_tools", tools);
}

#[tokio::test]
async fn calculate_returns_structured_content() {
    let client = connect().await;
    let result = call(&client, json!({"expression": "round(100 * 7 / 9, 2)"}))
        .await
        .unwrap();
    assert_ne!(
        result.is_error,
        Some(true),
        "a valid expression is not an error"
    );
    assert_eq!(
        result.structured_content,
        Some(json!({"expression": "round(100 * 7 / 9, 2)", "result": 77.78, "text": "77.78"})),
    );
}

#[tokio::test]
async fn a_bad_expression_is_a_tool_error_the_model_can_act_on() {
    let client = connect().await;
    let result = call(&client, json!({"expression": "2 + * 3"}))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("at character 5"),
        "{}",
        text_of(&result)
    );
}

#[tokio::test]
async fn hostile_expressions_fail_fast_with_clear_errors() {
    let client = connect().await;
    let cases = [
        ("9^9^9^9".to_owned(), "largest magnitude"),
        ("1+".repeat(512 * 1024) + "1", "the limit is 4096"),
        (
            format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)),
            "the limit is 4096",
        ),
        (
            format!("{}1{}", "(".repeat(1_000), ")".repeat(1_000)),
            "nests deeper than 64",
        ),
    ];
    for (expression, expected) in cases {
        let started = std::time::Instant::now();
        let result = call(&client, json!({ "expression": expression }))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true));
        let text = text_of(&result);
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        assert!(text.len() < 500, "the error must not echo the input");
        // Not a benchmark: a guard against an evaluation that walks the whole input.
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let client = connect().await;
    for arguments in [
        json!({"expression": 42}),
        json!({}),
        json!({"expression": null}),
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
    let result = call(&client, json!({"expression": "1+1"})).await.unwrap();
    assert_eq!(
        text_of(&result),
        r#"{"expression":"1+1","result":2.0,"text":"2"}"#
    );
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error() {
    let client = connect().await;
    let outcome = client
        .call_tool(CallToolRequestParams::new("evaluate_python"))
        .await;
    match outcome {
        Err(ServiceError::McpError(error)) => {
            assert!(
                error.message.contains("evaluate_python") || error.code.0 == -32602,
                "{error:?}"
            )
        }
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}
