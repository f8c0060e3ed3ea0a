//! Reading just enough of a JSON-RPC message to relay and record it: its kind, id, method,
//! and for tool calls the tool and its arguments. Borrowed, no copies of the payload.

use serde::Deserialize;
use serde_json::value::RawValue;

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Notification,
    Result,
    Error,
}

/// The parts of a message the gateway looks at.
#[derive(Debug, Deserialize)]
pub struct Envelope<'a> {
    #[serde(borrow, default)]
    pub id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub method: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    pub params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub error: Option<&'a RawValue>,
}

impl<'a> Envelope<'a> {
    /// Parses `line`; `None` if it is not a JSON object.
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        serde_json::from_slice(line).ok()
    }

    pub fn kind(&self) -> Option<Kind> {
        match (&self.method, &self.id) {
            (Some(_), Some(_)) => Some(Kind::Request),
            (Some(_), None) => Some(Kind::Notification),
            (None, Some(_)) if self.error.is_some() => Some(Kind::Error),
            (None, Some(_)) if self.result.is_some() => Some(Kind::Result),
            _ => None,
        }
    }

    /// The id as its JSON text (`7`, `"abc"`), the key requests and responses are matched by.
    pub fn id_text(&self) -> Option<&'a str> {
        self.id.map(RawValue::get)
    }

    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// For `tools/call`, `prompts/get` and `resources/read`: the tool, prompt or resource,
    /// and the arguments (raw JSON).
    pub fn target(&self) -> (Option<String>, Option<&'a RawValue>) {
        #[derive(Deserialize)]
        struct Named<'b> {
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            uri: Option<String>,
            #[serde(borrow, default)]
            arguments: Option<&'b RawValue>,
        }
        let Some(params) = self.params else {
            return (None, None);
        };
        match serde_json::from_str::<Named<'a>>(params.get()) {
            Ok(named) => (named.name.or(named.uri), named.arguments),
            Err(_) => (None, None),
        }
    }

    /// Whether a tool result says `isError: true`.
    pub fn is_tool_error(&self) -> bool {
        #[derive(Deserialize)]
        struct Flag {
            #[serde(rename = "isError", default)]
            is_error: Option<bool>,
        }
        self.result
            .and_then(|r| serde_json::from_str::<Flag>(r.get()).ok())
            .and_then(|flag| flag.is_error)
            .unwrap_or(false)
    }

    /// The JSON-RPC error code of an error response.
    pub fn error_code(&self) -> Option<i64> {
        #[derive(Deserialize)]
        struct Code {
            code: i64,
        }
        self.error
            .and_then(|e| serde_json::from_str::<Code>(e.get()).ok())
            .map(|c| c.code)
    }

    /// The client's name: `params.clientInfo.name` of `initialize`, or the per-request
    /// `_meta` of the 2026-07-28 era.
    pub fn client_name(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Info {
            name: String,
        }
        #[derive(Deserialize)]
        struct Meta {
            #[serde(rename = "io.modelcontextprotocol/clientInfo", default)]
            client_info: Option<Info>,
        }
        #[derive(Deserialize)]
        struct Params {
            #[serde(rename = "clientInfo", default)]
            client_info: Option<Info>,
            #[serde(rename = "_meta", default)]
            meta: Option<Meta>,
        }
        let params: Params = serde_json::from_str(self.params?.get()).ok()?;
        params
            .client_info
            .or(params.meta.and_then(|m| m.client_info))
            .map(|info| info.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart() {
        let kind = |text: &str| Envelope::parse(text.as_bytes()).and_then(|e| e.kind());
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            Some(Kind::Request)
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Some(Kind::Notification)
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            Some(Kind::Result)
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#),
            None
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"x"}}"#),
            Some(Kind::Error)
        );
        assert_eq!(kind("[1]"), None);
        assert_eq!(kind("not json"), None);
    }

    #[test]
    fn tool_calls_name_their_tool_and_arguments() {
        let line = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}"#;
        let envelope = Envelope::parse(line).unwrap();
        assert_eq!(envelope.id_text(), Some("7"));
        let (tool, arguments) = envelope.target();
        assert_eq!(tool.as_deref(), Some("echo"));
        assert_eq!(arguments.unwrap().get(), r#"{"message":"hi"}"#);
    }

    #[test]
    fn results_and_errors_are_classified() {
        let error = Envelope::parse(br#"{"id":1,"result":{"content":[],"isError":true}}"#).unwrap();
        assert!(error.is_tool_error());
        let fine =
            Envelope::parse(br#"{"id":1,"result":{"content":[{"type":"text","text":"isError"}]}}"#)
                .unwrap();
        assert!(!fine.is_tool_error());
        let failed =
            Envelope::parse(br#"{"id":1,"error":{"code":-32601,"message":"nope"}}"#).unwrap();
        assert_eq!(failed.error_code(), Some(-32601));
    }

    #[test]
    fn the_client_name_comes_from_either_era() {
        let legacy = br#"{"id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"claude-ai","version":"1"}}}"#;
        assert_eq!(
            Envelope::parse(legacy).unwrap().client_name().as_deref(),
            Some("claude-ai")
        );
        let modern = br#"{"id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/clientInfo":{"name":"cursor","version":"2"}}}}"#;
        assert_eq!(
            Envelope::parse(modern).unwrap().client_name().as_deref(),
            Some("cursor")
        );
    }
}
