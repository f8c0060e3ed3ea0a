//! The MCP Inspector CLI (the official debugging client) launching `switchboard serve clock`
//! over stdio and calling a tool, as a developer would from a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::time::Duration;

use serde_json::Value;
use switchboard_tests::{node_command, run_with_deadline, switchboard_bin, tools_dir};

fn inspector(args: &[&str]) -> Value {
    let script = tools_dir()
        .join("@modelcontextprotocol")
        .join("inspector")
        .join("clients")
        .join("launcher")
        .join("build")
        .join("index.js");
    let mut command = node_command(&script);
    command.arg("--cli").arg(switchboard_bin()).args(args);
    let output = run_with_deadline(command, Duration::from_secs(120));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Inspector failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn the_inspector_calls_a_clock_tool_over_stdio() {
    let result = inspector(&[
        "serve",
        "clock",
        "--method",
        "tools/call",
        "--tool-name",
        "convert_time",
        "--tool-arg",
        "source_timezone=Europe/Warsaw",
        "--tool-arg",
        "time=2026-07-01T12:00",
        "--tool-arg",
        "target_timezone=America/New_York",
    ]);
    assert_eq!(result["isError"], false, "{result}");
    let target = &result["structuredContent"]["target"];
    assert_eq!(target["datetime"], "2026-07-01T06:00:00-04:00", "{result}");
}

#[test]
fn the_inspector_lists_the_clock_tools() {
    let result = inspector(&["serve", "clock", "--method", "tools/list"]);
    let names: Vec<&str> = result["tools"]
        .as_array()
        .expect("a tool list")
        .iter()
        .filter_map(|tool| tool["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["convert_time", "get_current_time", "list_timezones"]
    );
}
