//! The sql server and rmcp clients in one process over `tokio::io::duplex`: what a real client
//! sees in both protocol eras, including the tool list (a golden snapshot), instructions,
//! structured results and tool errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;
#[path = "support/fixtures.rs"]
mod fixtures;

use client::{call, connect, connect_discovering, refusal, structured};
use fixtures::{Shop, server};
use rmcp::{model::CallToolRequestParams, service::ServiceError};
use serde_json::json;
use server_sql::{Access, GrantedFolders, Limits, PostgresDatabase, SqlConfig, SqlServer};

#[tokio::test]
async fn tools_list_matches_the_golden_schema() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    insta::assert_json_snapshot!("sql_tools", tools);
}

#[tokio::test]
async fn every_argument_is_described_and_every_tool_has_output_schema() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        vec![
            "describe_table",
            "execute",
            "list_databases",
            "list_tables",
            "query"
        ]
    );
    for tool in &tools {
        let schema = serde_json::to_value(&tool.input_schema).unwrap();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                assert!(
                    property.get("description").is_some(),
                    "{}.{name} has no description",
                    tool.name
                );
            }
        }
        assert!(
            tool.output_schema.is_some(),
            "{} returns structured output",
            tool.name
        );
        let annotations = tool.annotations.as_ref().expect("annotations");
        assert_eq!(
            annotations.read_only_hint,
            Some(tool.name != "execute"),
            "{} read-only hint",
            tool.name
        );
    }
}

#[tokio::test]
async fn a_legacy_session_lists_queries_and_gets_instructions() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    let info = client.peer_info().expect("the server introduced itself");
    let instructions = info.instructions.clone().expect("instructions");
    assert!(
        instructions.contains("list_databases") && instructions.contains("params"),
        "{instructions}"
    );

    let databases = structured(&call(&client, "list_databases", json!({})).await);
    let database = databases["sqlite"][0]["database"]
        .as_str()
        .unwrap()
        .to_owned();
    let tables = structured(&call(&client, "list_tables", json!({"database": database})).await);
    assert_eq!(tables["tables"].as_array().unwrap().len(), 3);
    let rows = structured(
        &call(
            &client,
            "query",
            json!({"database": database, "sql": "SELECT name FROM customers ORDER BY id LIMIT 1"}),
        )
        .await,
    );
    assert_eq!(rows["rows"], json!([["Ada"]]));
    let changed = structured(
        &call(
            &client,
            "execute",
            json!({"database": database, "sql": "DELETE FROM orders WHERE id = ?1", "params": [1]}),
        )
        .await,
    );
    assert_eq!(changed["rows_changed"], json!(1));
}

#[tokio::test]
async fn a_stateless_2026_session_works_the_same() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect_discovering(server).await;
    let tools = client.list_tools(None).await.expect("tools/list");
    assert_eq!(tools.tools.len(), 5);
    let rows = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT count(*) FROM orders"}),
        )
        .await,
    );
    assert_eq!(rows["rows"], json!([[4]]));
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "DROP TABLE orders"}),
        )
        .await,
    );
    assert!(message.contains("execute"), "{message}");
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    for (tool, arguments) in [
        ("query", json!({"database": 42, "sql": "SELECT 1"})),
        ("query", json!({"database": shop.database()})),
        (
            "query",
            json!({"database": shop.database(), "sql": "SELECT 1", "params": "nope"}),
        ),
        (
            "query",
            json!({"database": shop.database(), "sql": "SELECT 1", "max_rows": -1}),
        ),
        ("execute", json!({"database": shop.database(), "sql": null})),
        ("describe_table", json!({})),
    ] {
        let outcome = client
            .call_tool(
                CallToolRequestParams::new(tool)
                    .with_arguments(arguments.as_object().cloned().unwrap()),
            )
            .await;
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
    let still = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT 1"}),
        )
        .await,
    );
    assert_eq!(still["rows"], json!([[1]]), "the session is still healthy");
}

#[tokio::test]
async fn an_unknown_database_names_both_kinds_of_database() {
    let shop = Shop::new();
    let files = std::sync::Arc::new(GrantedFolders::new([(
        shop.dir.path().to_path_buf(),
        Access::ReadOnly,
    )]));
    let config = SqlConfig::new(files).with_postgres(PostgresDatabase::new(
        "analytics",
        "postgres://reader:hunter2@127.0.0.1:1/analytics",
    ));
    let server = SqlServer::new(config);
    let debug = format!("{server:?}");
    assert!(
        !debug.contains("hunter2"),
        "Debug hides the password: {debug}"
    );
    let client = connect(server).await;
    let message = refusal(&call(&client, "list_tables", json!({"database": "analytcs"})).await);
    assert!(
        message.contains("granted folders") && message.contains("analytics"),
        "{message}"
    );
    let listing = structured(&call(&client, "list_databases", json!({})).await);
    assert_eq!(
        listing["postgres"],
        json!([{"database": "analytics", "server": "postgres://reader@127.0.0.1:1/analytics", "writable": false}])
    );
    assert!(!listing.to_string().contains("hunter2"));
}
