//! An MCP client of `switchboard connect`, as Claude Desktop would launch it, and a control
//! client of the daemon, for the end-to-end test files that include this module with
//! `#[path = "support/client.rs"] mod client;`.

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult},
    service::RunningService,
    transport::TokioChildProcess,
};
use serde_json::Value;
use switchboard_hub::{AutoStart, ControlClient, Paths};
use switchboard_tests::Home;

/// Launches `switchboard connect <server>` for `home` and completes the MCP handshake.
pub(crate) async fn connect(home: &Home, server: &str) -> RunningService<RoleClient, ()> {
    let command = tokio::process::Command::from(home.command(&["connect", server]));
    let transport = TokioChildProcess::new(command).expect("spawn the bridge");
    ().serve(transport)
        .await
        .expect("MCP handshake through the bridge")
}

/// Calls `tool`; panics on a protocol error (a tool error is a result).
pub(crate) async fn call(
    client: &RunningService<RoleClient, ()>,
    tool: &str,
    arguments: Value,
) -> CallToolResult {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{tool} failed: {e}"))
}

/// The text content of a tool result.
pub(crate) fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

/// A control connection to `home`'s running daemon.
pub(crate) async fn control(home: &Home) -> ControlClient {
    let paths = Paths {
        data_dir: home.data.clone(),
        runtime_dir: home.data.join("run"),
    };
    ControlClient::connect(&paths, &AutoStart::No)
        .await
        .expect("the daemon is running")
}
