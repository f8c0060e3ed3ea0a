//! What a session may do right now: whether its server is known and switched on, which of
//! its tools are switched off, which folders it is granted (answered as MCP roots), and
//! which start of the server it should be talking to (a restart asked for by the user).
//! The hub publishes a policy per server; sessions follow it live. The rewriting of
//! messages it implies is pure and lives here.

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// One server's policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerPolicy {
    pub availability: Availability,
    /// Tools switched off by the user: hidden from tools/list, calls refused.
    pub disabled_tools: BTreeSet<String>,
    /// Granted folders as `file://` URIs with display names.
    pub roots: Vec<Root>,
    /// Raised by one each time the user restarts the server: a session whose server was
    /// started under an older generation stops it and starts a fresh one.
    pub generation: u64,
    /// Changes whenever how the server starts changes (its command, settings or secrets),
    /// so that a session that could not start it tries again.
    pub revision: u64,
}

/// Whether the session can reach its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Availability {
    /// Installed and switched on.
    On,
    /// Installed and switched off in Switchboard.
    #[default]
    Off,
    /// No server of that id is installed.
    Unknown,
}

/// A granted folder as an MCP root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    pub uri: String,
    pub name: String,
}

impl Root {
    /// The root for an absolute folder path.
    pub fn for_path(path: &std::path::Path) -> Self {
        let text = path.to_string_lossy();
        let mut uri = String::from("file://");
        for byte in text.replace('\\', "/").bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                    uri.push(char::from(byte));
                }
                other => uri.push_str(&format!("%{other:02X}")),
            }
        }
        let name = path
            .file_name()
            .map_or_else(|| text.to_string(), |n| n.to_string_lossy().into_owned());
        Self { uri, name }
    }
}

/// A `tools/list` result with the switched-off tools removed; `None` when nothing changes.
pub fn filter_tools_result(result: &str, disabled: &BTreeSet<String>) -> Option<Value> {
    if disabled.is_empty() {
        return None;
    }
    let mut value: Value = serde_json::from_str(result).ok()?;
    let tools = value.get_mut("tools")?.as_array_mut()?;
    let before = tools.len();
    tools.retain(|tool| {
        tool.get("name")
            .and_then(Value::as_str)
            .is_none_or(|name| !disabled.contains(name))
    });
    (tools.len() != before).then_some(value)
}

/// The `roots/list` result for `roots`.
pub fn roots_result(roots: &[Root]) -> Value {
    json!({
        "roots": roots
            .iter()
            .map(|root| json!({"uri": root.uri, "name": root.name}))
            .collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switched_off_tools_are_removed_from_the_list() {
        let result = r#"{"tools":[{"name":"read_file"},{"name":"write_file"},{"name":"list"}],"nextCursor":"x"}"#;
        let disabled = BTreeSet::from(["write_file".to_owned()]);
        let filtered = filter_tools_result(result, &disabled).unwrap();
        let names: Vec<&str> = filtered["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["read_file", "list"]);
        assert_eq!(filtered["nextCursor"], "x", "other fields are kept");
        assert!(filter_tools_result(result, &BTreeSet::new()).is_none());
        let other = BTreeSet::from(["nope".to_owned()]);
        assert!(
            filter_tools_result(result, &other).is_none(),
            "unchanged: None"
        );
    }

    #[test]
    fn roots_are_file_uris_with_names() {
        let root = Root::for_path(std::path::Path::new("/home/ann/My Documents"));
        assert_eq!(root.uri, "file:///home/ann/My%20Documents");
        assert_eq!(root.name, "My Documents");
        let result = roots_result(&[root]);
        assert_eq!(result["roots"][0]["uri"], "file:///home/ann/My%20Documents");
    }
}
