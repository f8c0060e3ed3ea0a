//! The rules of the Streamable HTTP transport that the front applies before a message
//! reaches a session: which protocol era a POST belongs to, the `MCP-Protocol-Version`,
//! `Mcp-Method` and `Mcp-Name` headers checked against the body, what the client accepts,
//! and which HTTP status an answer gets.
//!
//! Pure functions over headers and message text; no I/O. Must not: look at a session, a
//! token or a server.

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::envelope::{Envelope, Kind};

/// Every protocol revision the front accepts in `MCP-Protocol-Version`, oldest first.
pub const KNOWN_VERSIONS: &[&str] = &[
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

/// The first revision without the `initialize` handshake (stateless, per-request `_meta`)
/// and with the SEP-2243 routing headers.
pub const STATELESS_VERSION: &str = "2026-07-28";

/// The version assumed when a legacy request names none (the transport's own rule).
const DEFAULT_VERSION: &str = "2025-03-26";

pub const PROTOCOL_VERSION_HEADER: &str = "mcp-protocol-version";
pub const SESSION_HEADER: &str = "mcp-session-id";
pub const METHOD_HEADER: &str = "mcp-method";
pub const NAME_HEADER: &str = "mcp-name";

/// JSON-RPC error codes of the transport.
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const PARSE_ERROR: i64 = -32700;
pub const HEADER_MISMATCH: i64 = -32020;
pub const MISSING_CAPABILITY: i64 = -32021;
pub const UNSUPPORTED_VERSION: i64 = -32022;

/// Which lifecycle a message follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2025-11-25 and before: an `initialize` handshake, then a session (`Mcp-Session-Id`).
    Legacy,
    /// 2026-07-28: every request stands alone, with its context in `_meta`.
    Stateless,
}

/// A message the client POSTed, read just enough to route and check it.
#[derive(Debug)]
pub struct Posted<'a> {
    pub envelope: Envelope<'a>,
    pub kind: Kind,
    meta: Meta,
}

/// What the front reads from a request's `params._meta`.
#[derive(Debug, Default)]
struct Meta {
    /// `io.modelcontextprotocol/protocolVersion`, when it is a string.
    protocol_version: Option<String>,
    /// Whether `io.modelcontextprotocol/clientCapabilities` is an object.
    has_capabilities: bool,
}

/// Why a POST was refused before it reached a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub body: RefusalBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalBody {
    /// Plain text (the transport's own refusals).
    Text(String),
    /// A JSON-RPC error answering the request with this id (JSON text, or `null`).
    JsonRpc {
        id: String,
        code: i64,
        message: String,
    },
}

impl Refusal {
    pub fn text(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: RefusalBody::Text(message.into()),
        }
    }

    pub fn json_rpc(status: StatusCode, id: Option<&str>, code: i64, message: String) -> Self {
        Self {
            status,
            body: RefusalBody::JsonRpc {
                id: id.unwrap_or("null").to_owned(),
                code,
                message,
            },
        }
    }

    /// The response body and its content type.
    pub fn body_and_type(&self) -> (Vec<u8>, &'static str) {
        match &self.body {
            RefusalBody::Text(text) => (text.clone().into_bytes(), "text/plain; charset=utf-8"),
            RefusalBody::JsonRpc { id, code, message } => {
                let id: serde_json::Value = serde_json::from_str(id).unwrap_or_default();
                let body = serde_json::json!({
                    "jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}
                });
                (
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "application/json",
                )
            }
        }
    }
}

impl<'a> Posted<'a> {
    /// Reads one JSON-RPC message; a refusal (400, with a JSON-RPC error) if it is not one.
    pub fn parse(body: &'a [u8]) -> Result<Self, Refusal> {
        let parse_error = |message: &str| {
            Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                None,
                PARSE_ERROR,
                format!("Parse error: {message}"),
            )
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return Err(parse_error("the body is not UTF-8"));
        };
        if text.trim_start().starts_with('[') {
            return Err(Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                None,
                INVALID_REQUEST,
                "Invalid Request: batches are not supported; send one message per POST".into(),
            ));
        }
        let envelope: Envelope<'a> =
            serde_json::from_str(text).map_err(|e| parse_error(&e.to_string()))?;
        let Some(kind) = envelope.kind() else {
            return Err(Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                envelope.id_text(),
                INVALID_REQUEST,
                "Invalid Request: not a JSON-RPC request, notification or response".into(),
            ));
        };
        let meta = envelope.params.map(read_meta).unwrap_or_default();
        Ok(Self {
            envelope,
            kind,
            meta,
        })
    }

    pub fn method(&self) -> Option<&str> {
        self.envelope.method()
    }

    pub fn is_initialize(&self) -> bool {
        self.kind == Kind::Request && self.method() == Some("initialize")
    }

    /// The protocol version the request names in `_meta`.
    pub fn meta_version(&self) -> Option<&str> {
        self.meta.protocol_version.as_deref()
    }

    /// Whether a 2026-07-28 request lacks the `_meta` entries that revision requires.
    pub fn meta_malformed(&self) -> bool {
        self.meta.protocol_version.is_none() || !self.meta.has_capabilities
    }

    /// `params.protocolVersion` of an `initialize` request.
    fn initialize_version(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Params {
            #[serde(rename = "protocolVersion")]
            protocol_version: Option<String>,
        }
        let params: Params = serde_json::from_str(self.envelope.params?.get()).ok()?;
        params.protocol_version
    }

    /// The lifecycle this message follows, given the `MCP-Protocol-Version` header.
    pub fn era(&self, headers: &HeaderMap) -> Era {
        if self.is_initialize() {
            // `initialize` opens a legacy session, unless its `_meta` says it is of the
            // stateless revision (where the method no longer exists).
            return match self.meta_version() {
                Some(version) if version >= STATELESS_VERSION => Era::Stateless,
                _ => Era::Legacy,
            };
        }
        if self.kind == Kind::Request && !self.meta_malformed() {
            return Era::Stateless;
        }
        let version = self
            .meta_version()
            .map(str::to_owned)
            .or_else(|| header_text(headers, PROTOCOL_VERSION_HEADER).map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_VERSION.to_owned());
        if version.as_str() < STATELESS_VERSION {
            Era::Legacy
        } else {
            Era::Stateless
        }
    }

    /// The `Mcp-Name` value the body implies: `name`, `uri` or `taskId`, by method.
    fn routing_name(&self) -> Option<String> {
        let key = match self.method()? {
            "tools/call" | "prompts/get" => "name",
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => "uri",
            "tasks/get" | "tasks/update" | "tasks/cancel" => "taskId",
            _ => return None,
        };
        let params: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(self.envelope.params?.get()).ok()?;
        params.get(key)?.as_str().map(str::to_owned)
    }
}

fn read_meta(params: &RawValue) -> Meta {
    #[derive(Deserialize)]
    struct Params<'a> {
        #[serde(rename = "_meta", borrow, default)]
        meta: Option<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct Entries {
        #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
        protocol_version: Option<serde_json::Value>,
        #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
        capabilities: Option<serde_json::Value>,
    }
    let Ok(Params { meta: Some(meta) }) = serde_json::from_str::<Params<'_>>(params.get()) else {
        return Meta::default();
    };
    let Ok(entries) = serde_json::from_str::<Entries>(meta.get()) else {
        return Meta::default();
    };
    Meta {
        protocol_version: entries
            .protocol_version
            .and_then(|v| v.as_str().map(str::to_owned)),
        has_capabilities: entries.capabilities.is_some_and(|c| c.is_object()),
    }
}

/// The one value of a header as text; `None` when absent or not text.
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What a POST or GET says it accepts: (`application/json`, `text/event-stream`).
pub fn accepts(headers: &HeaderMap) -> (bool, bool) {
    let mut json = false;
    let mut sse = false;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(text) = value.to_str() else { continue };
        for range in text.split(',') {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            if refused {
                continue;
            }
            json |= essence.eq_ignore_ascii_case("application/json")
                || essence.eq_ignore_ascii_case("application/*")
                || essence == "*/*";
            sse |= essence.eq_ignore_ascii_case("text/event-stream")
                || essence.eq_ignore_ascii_case("text/*")
                || essence == "*/*";
        }
    }
    (json, sse)
}

/// Whether the body is declared JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    header_text(headers, header::CONTENT_TYPE.as_str()).is_some_and(|value| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("application/json")
    })
}

/// An `MCP-Protocol-Version` header must name a known revision, unless the request
/// carries its own version in `_meta` (then the two are compared instead).
pub fn check_version_header(
    headers: &HeaderMap,
    posted: Option<&Posted<'_>>,
) -> Result<(), Refusal> {
    let Some(value) = headers.get(PROTOCOL_VERSION_HEADER) else {
        return Ok(());
    };
    let Ok(version) = value.to_str() else {
        return Err(Refusal::text(
            StatusCode::BAD_REQUEST,
            "Bad Request: the MCP-Protocol-Version header is not text",
        ));
    };
    let own_version = posted.is_some_and(|p| p.kind == Kind::Request && p.meta_version().is_some());
    if !own_version && !KNOWN_VERSIONS.contains(&version) {
        return Err(Refusal::text(
            StatusCode::BAD_REQUEST,
            format!(
                "Bad Request: unsupported MCP-Protocol-Version {version}; this server speaks {}",
                KNOWN_VERSIONS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Checks the version headers of a message against its body: an `initialize`'s
/// `protocolVersion`, or a request's `_meta` version (which then requires the header).
pub fn check_versions(headers: &HeaderMap, posted: &Posted<'_>) -> Result<(), Refusal> {
    check_version_header(headers, Some(posted))?;
    if posted.kind != Kind::Request {
        return Ok(());
    }
    let id = posted.envelope.id_text();
    let header = header_text(headers, PROTOCOL_VERSION_HEADER);
    if posted.is_initialize() {
        if let (Some(header), Some(body)) = (header, posted.initialize_version())
            && header != body
        {
            return Err(Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                id,
                INVALID_REQUEST,
                format!(
                    "Invalid Request: the MCP-Protocol-Version header ({header}) does not match \
                     initialize params.protocolVersion ({body})"
                ),
            ));
        }
        return Ok(());
    }
    match posted.meta_version() {
        None => {
            let requires_meta = posted.method() == Some("server/discover")
                || header.is_some_and(|h| h >= STATELESS_VERSION);
            if requires_meta {
                return Err(Refusal::json_rpc(
                    StatusCode::BAD_REQUEST,
                    id,
                    INVALID_PARAMS,
                    "Invalid params: request _meta is missing or has malformed required fields: \
                     io.modelcontextprotocol/protocolVersion"
                        .into(),
                ));
            }
            Ok(())
        }
        Some(meta) => match header {
            None => Err(Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                id,
                HEADER_MISMATCH,
                "request _meta protocolVersion requires the MCP-Protocol-Version header".into(),
            )),
            Some(header) if header != meta => Err(Refusal::json_rpc(
                StatusCode::BAD_REQUEST,
                id,
                HEADER_MISMATCH,
                format!(
                    "the MCP-Protocol-Version header ({header}) does not match request _meta \
                     protocolVersion ({meta})"
                ),
            )),
            Some(_) => Ok(()),
        },
    }
}

/// SEP-2243: from 2026-07-28 on, `Mcp-Method` (and `Mcp-Name` where the method names a
/// tool, prompt, resource or task) must be present, single, and match the body, so that
/// anything routing on headers routes what the server runs. `initialize` may omit them,
/// but one it sends must say `initialize`.
pub fn check_routing_headers(headers: &HeaderMap, posted: &Posted<'_>) -> Result<(), Refusal> {
    let applies = header_text(headers, PROTOCOL_VERSION_HEADER)
        .is_some_and(|version| version >= STATELESS_VERSION);
    if !applies || !matches!(posted.kind, Kind::Request | Kind::Notification) {
        return Ok(());
    }
    let id = posted.envelope.id_text();
    let mismatch =
        |message: String| Refusal::json_rpc(StatusCode::BAD_REQUEST, id, HEADER_MISMATCH, message);
    let method = posted.method().unwrap_or_default();
    let sent = single_header(headers, METHOD_HEADER).map_err(mismatch)?;
    match sent {
        None if posted.is_initialize() => return Ok(()),
        None => return Err(mismatch("missing required Mcp-Method header".into())),
        Some(value) if value != method => {
            return Err(mismatch(format!(
                "Mcp-Method header `{value}` does not match body method `{method}`"
            )));
        }
        Some(_) => {}
    }
    if let Some(expected) = posted.routing_name() {
        match single_header(headers, NAME_HEADER).map_err(mismatch)? {
            None => {
                return Err(mismatch(format!(
                    "missing required Mcp-Name header for `{method}`"
                )));
            }
            Some(raw) => {
                let decoded = decode_header_value(raw)
                    .ok_or_else(|| mismatch("Mcp-Name header is not valid Base64".into()))?;
                if decoded != expected {
                    return Err(mismatch(format!(
                        "Mcp-Name header `{decoded}` does not match body value `{expected}`"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The one value of `name`; an error for duplicates or values that are not text.
fn single_header<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, String> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(format!("duplicate {name} header"));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| format!("{name} header contains invalid characters"))
}

/// A header value in SEP-2243's encoding: plain, or `=?base64?…?=` for values that are not
/// plain ASCII.
fn decode_header_value(raw: &str) -> Option<String> {
    match raw
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            String::from_utf8(bytes).ok()
        }
        None => Some(raw.to_owned()),
    }
}

/// The HTTP status of a stateless request's answer: errors of the transport's own kinds
/// are 4xx, everything else (tool errors included) is 200.
pub fn stateless_status(error_code: Option<i64>, meta_malformed: bool) -> StatusCode {
    match error_code {
        Some(UNSUPPORTED_VERSION | MISSING_CAPABILITY | HEADER_MISMATCH) => StatusCode::BAD_REQUEST,
        Some(INVALID_PARAMS) if meta_malformed => StatusCode::BAD_REQUEST,
        Some(METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const MODERN_LIST: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"}}}}"#;
    const MODERN_CALL: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"calculate","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;

    #[test]
    fn the_era_follows_the_handshake_the_meta_and_the_header() {
        let none = HeaderMap::new();
        let legacy = Posted::parse(INITIALIZE.as_bytes()).unwrap();
        assert_eq!(
            legacy.era(&none),
            Era::Legacy,
            "initialize opens a legacy session"
        );
        let removed = Posted::parse(
            br#"{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
        )
        .unwrap();
        assert_eq!(
            removed.era(&none),
            Era::Stateless,
            "an initialize of the stateless revision is answered as that revision's"
        );
        let modern = Posted::parse(MODERN_LIST.as_bytes()).unwrap();
        assert_eq!(modern.era(&none), Era::Stateless);
        let bare = Posted::parse(br#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).unwrap();
        assert_eq!(bare.era(&none), Era::Legacy, "no version: 2025-03-26");
        let with_header = headers(&[(PROTOCOL_VERSION_HEADER, "2026-07-28")]);
        assert_eq!(bare.era(&with_header), Era::Stateless);
    }

    #[test]
    fn batches_and_garbage_are_refused_with_json_rpc_errors() {
        let batch = Posted::parse(b"[{}]").unwrap_err();
        assert_eq!(batch.status, StatusCode::BAD_REQUEST);
        assert!(matches!(
            batch.body,
            RefusalBody::JsonRpc {
                code: INVALID_REQUEST,
                ..
            }
        ));
        let garbage = Posted::parse(b"{nope").unwrap_err();
        assert!(matches!(
            garbage.body,
            RefusalBody::JsonRpc {
                code: PARSE_ERROR,
                ..
            }
        ));
    }

    #[test]
    fn unknown_versions_are_refused_unless_the_body_carries_its_own() {
        let bad = headers(&[(PROTOCOL_VERSION_HEADER, "1999-01-01")]);
        let bare = Posted::parse(br#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).unwrap();
        assert_eq!(
            check_versions(&bad, &bare).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let modern = Posted::parse(MODERN_LIST.as_bytes()).unwrap();
        let refusal = check_versions(&bad, &modern).unwrap_err();
        assert!(
            matches!(
                refusal.body,
                RefusalBody::JsonRpc {
                    code: HEADER_MISMATCH,
                    ..
                }
            ),
            "a meta version is compared with the header: {refusal:?}"
        );
        let good = headers(&[(PROTOCOL_VERSION_HEADER, "2026-07-28")]);
        check_versions(&good, &modern).unwrap();
        let missing = check_versions(&HeaderMap::new(), &modern).unwrap_err();
        assert!(matches!(
            missing.body,
            RefusalBody::JsonRpc {
                code: HEADER_MISMATCH,
                ..
            }
        ));
    }

    #[test]
    fn an_initialize_header_must_match_its_body() {
        let init = Posted::parse(INITIALIZE.as_bytes()).unwrap();
        check_versions(&headers(&[(PROTOCOL_VERSION_HEADER, "2025-11-25")]), &init).unwrap();
        let refusal = check_versions(&headers(&[(PROTOCOL_VERSION_HEADER, "2025-06-18")]), &init)
            .unwrap_err();
        assert!(
            matches!(refusal.body, RefusalBody::JsonRpc { ref id, code: INVALID_REQUEST, .. } if id == "0")
        );
    }

    #[test]
    fn routing_headers_must_match_the_body_from_2026_07_28_on() {
        let call = Posted::parse(MODERN_CALL.as_bytes()).unwrap();
        let version = (PROTOCOL_VERSION_HEADER, "2026-07-28");
        let ok = headers(&[
            version,
            (METHOD_HEADER, "tools/call"),
            (NAME_HEADER, "calculate"),
        ]);
        check_routing_headers(&ok, &call).unwrap();
        let encoded = headers(&[
            version,
            (METHOD_HEADER, "tools/call"),
            (NAME_HEADER, "=?base64?Y2FsY3VsYXRl?="),
        ]);
        check_routing_headers(&encoded, &call).unwrap();
        for (bad, why) in [
            (headers(&[version, (NAME_HEADER, "calculate")]), "no method"),
            (
                headers(&[
                    version,
                    (METHOD_HEADER, "tools/list"),
                    (NAME_HEADER, "calculate"),
                ]),
                "wrong method",
            ),
            (
                headers(&[version, (METHOD_HEADER, "tools/call")]),
                "no name",
            ),
            (
                headers(&[
                    version,
                    (METHOD_HEADER, "tools/call"),
                    (NAME_HEADER, "other"),
                ]),
                "wrong name",
            ),
            (
                headers(&[
                    version,
                    (METHOD_HEADER, "tools/call"),
                    (METHOD_HEADER, "tools/call"),
                    (NAME_HEADER, "calculate"),
                ]),
                "duplicate",
            ),
        ] {
            let refusal = check_routing_headers(&bad, &call).expect_err(why);
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST, "{why}");
        }
        // Before 2026-07-28 nothing is required.
        check_routing_headers(&HeaderMap::new(), &call).unwrap();
    }

    #[test]
    fn accept_headers_are_read_with_their_weights() {
        assert_eq!(
            accepts(&headers(&[(
                "accept",
                "application/json, text/event-stream"
            )])),
            (true, true)
        );
        assert_eq!(
            accepts(&headers(&[(
                "accept",
                "application/json;q=0, text/event-stream"
            )])),
            (false, true)
        );
        assert_eq!(accepts(&headers(&[("accept", "*/*")])), (true, true));
        assert_eq!(accepts(&HeaderMap::new()), (false, false));
    }

    #[test]
    fn transport_errors_get_client_error_statuses() {
        assert_eq!(stateless_status(None, false), StatusCode::OK);
        assert_eq!(
            stateless_status(Some(METHOD_NOT_FOUND), false),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            stateless_status(Some(HEADER_MISMATCH), false),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            stateless_status(Some(INVALID_PARAMS), true),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            stateless_status(Some(INVALID_PARAMS), false),
            StatusCode::OK
        );
        assert_eq!(stateless_status(Some(-32603), false), StatusCode::OK);
    }
}
