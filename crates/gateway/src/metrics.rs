//! The daemon's own counters of calls, and their Prometheus text exposition: tool calls by
//! server, tool and status, a latency histogram, and the gauges the hub supplies (servers
//! up, restarts, CPU, memory).
//!
//! Counted as calls are recorded (every session, stdio or HTTP, goes through the
//! recorder), so a scrape never reads the database. Rendering is a pure function. Must
//! not: count anything but what the recorder saw, or put argument text in a label.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{Arc, Mutex, PoisonError},
};

use switchboard_store::CallRecord;
use switchboard_supervisor::ServerState;

/// Upper bounds of the latency histogram's buckets, in seconds: from a fast in-process
/// tool (well under a millisecond) to a slow web fetch.
pub const DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// Call counters. Cheap to clone; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Counters>>,
}

#[derive(Debug, Default)]
struct Counters {
    /// (server, tool, status) → calls.
    tool_calls: BTreeMap<(String, String, &'static str), u64>,
    /// (server, tool) → latency histogram.
    durations: BTreeMap<(String, String), Histogram>,
    /// (server, method, status) → requests of every kind.
    requests: BTreeMap<(String, String, &'static str), u64>,
}

#[derive(Debug, Clone)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last one is +Inf.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; DURATION_BUCKETS.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let index = DURATION_BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(DURATION_BUCKETS.len());
        self.counts[index] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

/// What the hub knows of one installed server, for gauges.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerGauges {
    pub server: String,
    pub enabled: bool,
    pub state: ServerState,
    pub sessions: usize,
    pub restarts: u32,
    /// Percent of one CPU over the last sample, summed over the server's processes.
    pub cpu_percent: f32,
    pub memory_bytes: u64,
}

/// The daemon process itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessGauges {
    pub cpu_percent: f32,
    pub memory_bytes: u64,
    pub started_at_seconds: f64,
}

impl Metrics {
    /// Counts one recorded call.
    pub fn observe(&self, record: &CallRecord) {
        let status = record.status.as_str();
        let seconds = record.duration_us.max(0) as f64 / 1e6;
        let mut counters = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        *counters
            .requests
            .entry((record.server.clone(), record.method.clone(), status))
            .or_default() += 1;
        if record.method == "tools/call" {
            let tool = record.tool.clone().unwrap_or_default();
            *counters
                .tool_calls
                .entry((record.server.clone(), tool.clone(), status))
                .or_default() += 1;
            counters
                .durations
                .entry((record.server.clone(), tool))
                .or_default()
                .observe(seconds);
        }
    }

    /// How many tool calls were counted, for tests and `status`.
    pub fn tool_calls_total(&self) -> u64 {
        let counters = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        counters.tool_calls.values().sum()
    }

    /// The Prometheus text exposition (format 0.0.4) of the counters and `servers`.
    pub fn render(&self, servers: &[ServerGauges], process: ProcessGauges) -> String {
        let counters = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone_for_render();
        render(&counters, servers, process)
    }
}

impl Counters {
    fn clone_for_render(&self) -> Self {
        Self {
            tool_calls: self.tool_calls.clone(),
            durations: self.durations.clone(),
            requests: self.requests.clone(),
        }
    }
}

const STATES: &[(ServerState, &str)] = &[
    (ServerState::Starting, "starting"),
    (ServerState::Healthy, "healthy"),
    (ServerState::Degraded, "degraded"),
    (ServerState::Crashed, "crashed"),
    (ServerState::Stopped, "stopped"),
];

fn render(counters: &Counters, servers: &[ServerGauges], process: ProcessGauges) -> String {
    let mut out = String::with_capacity(4096);
    header(
        &mut out,
        "mcp_tool_calls_total",
        "counter",
        "Tool calls relayed by Switchboard, by server, tool and outcome.",
    );
    for ((server, tool, status), count) in &counters.tool_calls {
        let _ = writeln!(
            out,
            "mcp_tool_calls_total{{server=\"{}\",tool=\"{}\",status=\"{status}\"}} {count}",
            escape(server),
            escape(tool)
        );
    }
    header(
        &mut out,
        "mcp_tool_duration_seconds",
        "histogram",
        "How long tool calls took, from the request reaching Switchboard to its answer.",
    );
    for ((server, tool), histogram) in &counters.durations {
        let labels = format!("server=\"{}\",tool=\"{}\"", escape(server), escape(tool));
        let mut cumulative = 0;
        for (bound, count) in DURATION_BUCKETS.iter().zip(&histogram.counts) {
            cumulative += count;
            let _ = writeln!(
                out,
                "mcp_tool_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "mcp_tool_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            histogram.count
        );
        let _ = writeln!(
            out,
            "mcp_tool_duration_seconds_sum{{{labels}}} {}",
            histogram.sum
        );
        let _ = writeln!(
            out,
            "mcp_tool_duration_seconds_count{{{labels}}} {}",
            histogram.count
        );
    }
    header(
        &mut out,
        "mcp_requests_total",
        "counter",
        "Every request relayed by Switchboard (tools, resources, prompts, lists), by server, method and outcome.",
    );
    for ((server, method, status), count) in &counters.requests {
        let _ = writeln!(
            out,
            "mcp_requests_total{{server=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
            escape(server),
            escape(method)
        );
    }
    header(
        &mut out,
        "mcp_server_up",
        "gauge",
        "1 when the server is switched on and not crash-looping, so a call to it can be served; 0 otherwise.",
    );
    for s in servers {
        let up = s.enabled && s.state != ServerState::Crashed;
        let _ = writeln!(
            out,
            "mcp_server_up{{server=\"{}\"}} {}",
            escape(&s.server),
            u8::from(up)
        );
    }
    header(
        &mut out,
        "mcp_server_state",
        "gauge",
        "The server's combined state: 1 for the current one.",
    );
    for s in servers {
        for (state, name) in STATES {
            let _ = writeln!(
                out,
                "mcp_server_state{{server=\"{}\",state=\"{name}\"}} {}",
                escape(&s.server),
                u8::from(s.state == *state)
            );
        }
    }
    header(
        &mut out,
        "mcp_server_sessions",
        "gauge",
        "Open client sessions of the server.",
    );
    for s in servers {
        let _ = writeln!(
            out,
            "mcp_server_sessions{{server=\"{}\"}} {}",
            escape(&s.server),
            s.sessions
        );
    }
    header(
        &mut out,
        "mcp_server_restarts_total",
        "counter",
        "Times the server's process was restarted after it stopped on its own.",
    );
    for s in servers {
        let _ = writeln!(
            out,
            "mcp_server_restarts_total{{server=\"{}\"}} {}",
            escape(&s.server),
            s.restarts
        );
    }
    header(
        &mut out,
        "mcp_server_cpu_percent",
        "gauge",
        "CPU used by the server's processes over the last sample, in percent of one core.",
    );
    for s in servers {
        let _ = writeln!(
            out,
            "mcp_server_cpu_percent{{server=\"{}\"}} {}",
            escape(&s.server),
            s.cpu_percent
        );
    }
    header(
        &mut out,
        "mcp_server_memory_bytes",
        "gauge",
        "Resident memory of the server's processes.",
    );
    for s in servers {
        let _ = writeln!(
            out,
            "mcp_server_memory_bytes{{server=\"{}\"}} {}",
            escape(&s.server),
            s.memory_bytes
        );
    }
    header(
        &mut out,
        "switchboard_process_cpu_percent",
        "gauge",
        "CPU used by the Switchboard daemon itself over the last sample, in percent of one core.",
    );
    let _ = writeln!(
        out,
        "switchboard_process_cpu_percent {}",
        process.cpu_percent
    );
    header(
        &mut out,
        "switchboard_process_resident_memory_bytes",
        "gauge",
        "Resident memory of the Switchboard daemon itself.",
    );
    let _ = writeln!(
        out,
        "switchboard_process_resident_memory_bytes {}",
        process.memory_bytes
    );
    header(
        &mut out,
        "switchboard_process_start_time_seconds",
        "gauge",
        "When the daemon started, in seconds since the Unix epoch.",
    );
    let _ = writeln!(
        out,
        "switchboard_process_start_time_seconds {}",
        process.started_at_seconds
    );
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use switchboard_store::CallStatus;

    use super::*;

    fn call(server: &str, tool: &str, status: CallStatus, duration_us: i64) -> CallRecord {
        CallRecord {
            at: 0,
            client: "c".into(),
            server: server.into(),
            method: "tools/call".into(),
            tool: Some(tool.into()),
            duration_us,
            status,
            error_code: None,
            request_bytes: 1,
            response_bytes: 1,
            args_preview: None,
        }
    }

    #[test]
    fn calls_are_counted_by_server_tool_and_status_with_a_cumulative_histogram() {
        let metrics = Metrics::default();
        metrics.observe(&call("calc", "calculate", CallStatus::Ok, 300));
        metrics.observe(&call("calc", "calculate", CallStatus::Ok, 2_000_000));
        metrics.observe(&call(
            "calc",
            "calculate",
            CallStatus::ToolError,
            70_000_000,
        ));
        let text = metrics.render(&[], ProcessGauges::default());
        assert!(
            text.contains(r#"mcp_tool_calls_total{server="calc",tool="calculate",status="ok"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mcp_tool_calls_total{server="calc",tool="calculate",status="tool_error"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mcp_tool_duration_seconds_bucket{server="calc",tool="calculate",le="0.0005"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mcp_tool_duration_seconds_bucket{server="calc",tool="calculate",le="2.5"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mcp_tool_duration_seconds_bucket{server="calc",tool="calculate",le="60"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mcp_tool_duration_seconds_bucket{server="calc",tool="calculate",le="+Inf"} 3"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"mcp_tool_duration_seconds_count{server="calc",tool="calculate"} 3"#),
            "{text}"
        );
        assert_eq!(metrics.tool_calls_total(), 3);
    }

    #[test]
    fn label_values_are_escaped() {
        let metrics = Metrics::default();
        metrics.observe(&call("s", "we\"ird\\tool\nname", CallStatus::Ok, 1));
        let text = metrics.render(&[], ProcessGauges::default());
        assert!(text.contains(r#"tool="we\"ird\\tool\nname""#), "{text}");
    }

    #[test]
    fn server_gauges_say_up_state_restarts_and_usage() {
        let servers = [
            ServerGauges {
                server: "calc".into(),
                enabled: true,
                state: ServerState::Healthy,
                sessions: 2,
                restarts: 1,
                cpu_percent: 1.5,
                memory_bytes: 1024,
            },
            ServerGauges {
                server: "broken".into(),
                enabled: true,
                state: ServerState::Crashed,
                sessions: 1,
                restarts: 5,
                cpu_percent: 0.0,
                memory_bytes: 0,
            },
        ];
        let text = Metrics::default().render(&servers, ProcessGauges::default());
        for line in [
            r#"mcp_server_up{server="calc"} 1"#,
            r#"mcp_server_up{server="broken"} 0"#,
            r#"mcp_server_state{server="calc",state="healthy"} 1"#,
            r#"mcp_server_state{server="calc",state="crashed"} 0"#,
            r#"mcp_server_restarts_total{server="broken"} 5"#,
            r#"mcp_server_memory_bytes{server="calc"} 1024"#,
            r#"mcp_server_cpu_percent{server="calc"} 1.5"#,
            r#"mcp_server_sessions{server="calc"} 2"#,
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }
}
