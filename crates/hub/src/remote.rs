//! The relay to a remote MCP server (`switchboard remote <url>`): a stdio MCP server, run by
//! the supervisor like any other, that carries each message of its client to a server at an
//! address over Streamable HTTP and brings the answers back. So a server that lives on the
//! web is installed, switched, recorded and supervised like one on this computer.
//!
//! Each message is POSTed as it comes: `initialize` alone (it opens the session), every
//! other one at once, so that a long call does not hold up the rest. An answer is read as
//! JSON or as an SSE stream, and every message in it is written back as one line. The
//! session id and the protocol version the server gave go with every later message; the
//! session is ended (DELETE) when the client goes. Plain headers come from the command line,
//! secret ones from environment variables (the daemon fills those from the keychain), so a
//! token is never on a command line. An HTTP failure becomes a JSON-RPC error for the request
//! that caused it, in plain words.
//!
//! Must not: speak plain HTTP to anything but this computer, follow a redirect there, or
//! print a header's value.

use std::{fmt, net::IpAddr, sync::Arc, time::Duration};

use reqwest::{
    StatusCode,
    header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue},
    redirect,
};
use serde_json::{Value, json};
use switchboard_secrets::detect::url_to_show;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader},
    sync::{Mutex, mpsc},
    task::JoinSet,
};

/// The longest message either way, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// How long connecting to the remote server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The JSON-RPC error code for a request the remote server could not answer.
const REMOTE_FAILED: i64 = -32000;

/// Why the relay cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error(
        "\"{0}\" is not an address Switchboard relays to: use https:// (plain http:// only for \
         this computer)"
    )]
    Address(String),
    #[error("\"{0}\" is not a valid HTTP header (NAME=VALUE)")]
    Header(String),
    #[error(
        "the header {header} takes its value from the variable {variable}, which is not set; \
         store it with `switchboard secrets set SERVER {variable}`"
    )]
    MissingVariable { header: String, variable: String },
    #[error("HTTPS could not be set up: {0}")]
    Setup(String),
    #[error("reading from or writing to the client failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the relay goes and the headers it sends.
#[derive(Clone)]
pub struct RemoteOptions {
    url: reqwest::Url,
    headers: HeaderMap,
}

impl fmt::Debug for RemoteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteOptions")
            .field("url", &url_to_show(self.url.as_str()))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RemoteOptions {
    /// The relay to `url`, sending `plain` headers (`(NAME, VALUE)`) and `from_variables`
    /// (`(NAME, VARIABLE)`, the value read through `variable`).
    pub fn new(
        url: &str,
        plain: &[(String, String)],
        from_variables: &[(String, String)],
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, RemoteError> {
        let parsed =
            reqwest::Url::parse(url.trim()).map_err(|_| RemoteError::Address(url_to_show(url)))?;
        let allowed = match parsed.scheme() {
            "https" => true,
            "http" => is_loopback(&parsed),
            _ => false,
        };
        if !allowed || parsed.host_str().is_none() {
            return Err(RemoteError::Address(url_to_show(url)));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in plain {
            let (name, value) =
                header(name, value).ok_or_else(|| RemoteError::Header(format!("{name}=…")))?;
            headers.append(name, value);
        }
        for (name, source) in from_variables {
            let value = variable(source).ok_or_else(|| RemoteError::MissingVariable {
                header: name.clone(),
                variable: source.clone(),
            })?;
            let (name, mut value) =
                header(name, &value).ok_or_else(|| RemoteError::Header(format!("{name}=…")))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        Ok(Self {
            url: parsed,
            headers,
        })
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

fn header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    Some((
        HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
        HeaderValue::from_str(value).ok()?,
    ))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// What the server said about the session.
#[derive(Debug, Default)]
struct Session {
    id: Option<HeaderValue>,
    version: Option<HeaderValue>,
}

struct Relay {
    http: reqwest::Client,
    options: RemoteOptions,
    session: Mutex<Session>,
    out: mpsc::Sender<String>,
}

/// Relays `input` (the client's messages, one per line) to the remote server and its answers
/// to `output`, until the client closes `input`; then ends the session.
pub async fn relay(
    options: RemoteOptions,
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Result<(), RemoteError> {
    let http = client(&options.url)?;
    let (out, mut lines_out) = mpsc::channel::<String>(256);
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(line) = lines_out.recv().await {
            let written = async {
                output.write_all(line.as_bytes()).await?;
                output.write_all(b"\n").await?;
                output.flush().await
            };
            if written.await.is_err() {
                break;
            }
        }
    });
    let relay = Arc::new(Relay {
        http,
        options,
        session: Mutex::new(Session::default()),
        out,
    });
    let mut input = BufReader::new(input);
    let mut tasks = JoinSet::new();
    let mut line = Vec::new();
    loop {
        match read_line(&mut input, &mut line).await? {
            Line::End => break,
            Line::TooLong => {
                relay
                    .write(&error_response(
                        &Value::Null,
                        -32600,
                        "the message is longer than Switchboard relays",
                    ))
                    .await;
            }
            Line::Text => {
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    continue;
                }
                let message: Value = match serde_json::from_str(&text) {
                    Ok(message) => message,
                    Err(error) => {
                        relay
                            .write(&error_response(
                                &Value::Null,
                                -32700,
                                &format!("the message is not JSON: {error}"),
                            ))
                            .await;
                        continue;
                    }
                };
                if message.get("method").and_then(Value::as_str) == Some("initialize") {
                    relay.send(message).await;
                } else {
                    let relay = Arc::clone(&relay);
                    tasks.spawn(async move { relay.send(message).await });
                }
                while tasks.try_join_next().is_some() {}
            }
        }
    }
    while tasks.join_next().await.is_some() {}
    relay.end_session().await;
    drop(relay);
    let _ = writer.await;
    Ok(())
}

enum Line {
    Text,
    TooLong,
    End,
}

/// Reads one line into `line` (without its end), holding at most [`MAX_MESSAGE_BYTES`].
async fn read_line(
    input: &mut BufReader<impl AsyncRead + Unpin>,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    line.clear();
    let limit = u64::try_from(MAX_MESSAGE_BYTES).unwrap_or(u64::MAX) + 1;
    let read = (&mut *input).take(limit).read_until(b'\n', line).await?;
    if read == 0 {
        return Ok(Line::End);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(Line::Text);
    }
    if line.len() <= MAX_MESSAGE_BYTES {
        return Ok(Line::Text); // the last line, without an end
    }
    // Too long: skip the rest of it.
    loop {
        line.clear();
        let read = (&mut *input).take(limit).read_until(b'\n', line).await?;
        if read == 0 || line.last() == Some(&b'\n') {
            return Ok(Line::TooLong);
        }
    }
}

fn client(url: &reqwest::Url) -> Result<reqwest::Client, RemoteError> {
    let tls = switchboard_catalog::registry::tls_config()
        .map_err(|e| RemoteError::Setup(e.to_string()))?;
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(redirect::Policy::custom(|attempt| {
            let safe = attempt.url().scheme() == "https" || is_loopback(attempt.url());
            if attempt.previous().len() >= 5 || !safe {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }));
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| RemoteError::Setup(e.to_string()))
}

impl Relay {
    async fn write(&self, message: &Value) {
        let _ = self.out.send(message.to_string()).await;
    }

    /// Sends one message and relays what comes back.
    async fn send(&self, message: Value) {
        // Only a request (a method and an id) is answered.
        let id = message
            .get("method")
            .and(message.get("id"))
            .filter(|id| !id.is_null())
            .cloned();
        let mut request = self
            .http
            .post(self.options.url.clone())
            .headers(self.options.headers.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json");
        {
            let session = self.session.lock().await;
            if let Some(value) = &session.id {
                request = request.header("mcp-session-id", value.clone());
            }
            if let Some(value) = &session.version {
                request = request.header("mcp-protocol-version", value.clone());
            }
        }
        if let Some(method) = message.get("method").and_then(Value::as_str)
            && let Ok(value) = HeaderValue::from_str(method)
        {
            request = request.header("mcp-method", value);
            let name = message
                .pointer("/params/name")
                .or_else(|| message.pointer("/params/uri"))
                .and_then(Value::as_str)
                .and_then(|name| HeaderValue::from_str(name).ok());
            if let Some(name) = name {
                request = request.header("mcp-name", name);
            }
        }
        let response = match request.body(message.to_string()).send().await {
            Ok(response) => response,
            Err(error) => {
                let message = format!(
                    "could not reach the remote server at {}: {}",
                    self.host(),
                    plain_error(&error)
                );
                self.fail(id.as_ref(), &message).await;
                return;
            }
        };
        if let Some(value) = response.headers().get("mcp-session-id") {
            self.session.lock().await.id = Some(value.clone());
        }
        let status = response.status();
        if status == StatusCode::ACCEPTED || status == StatusCode::NO_CONTENT {
            return;
        }
        let event_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !status.is_success() {
            let body = read_body(response).await.unwrap_or_default();
            // A JSON-RPC error for this request is passed on as the server wrote it.
            if let Ok(answer) = serde_json::from_slice::<Value>(&body)
                && id.is_some()
                && answer.get("id") == id.as_ref()
            {
                self.write(&answer).await;
                return;
            }
            self.fail(id.as_ref(), &http_failure(status, &self.host()))
                .await;
            return;
        }
        let answered = if event_stream {
            self.relay_events(response, id.as_ref()).await
        } else {
            match read_body(response).await {
                Some(body) if body.is_empty() => false,
                Some(body) => match serde_json::from_slice::<Value>(&body) {
                    Ok(answer) => self.forward(answer, id.as_ref()).await,
                    Err(_) => {
                        let message = "the remote server's answer is not JSON";
                        self.fail(id.as_ref(), message).await;
                        return;
                    }
                },
                None => {
                    let message = "the remote server's answer was too long or cut off";
                    self.fail(id.as_ref(), message).await;
                    return;
                }
            }
        };
        if !answered && id.is_some() {
            let message = "the remote server closed the connection without answering";
            self.fail(id.as_ref(), message).await;
        }
    }

    /// Writes the messages of `answer` (one, or a batch); whether the answer to `id` was
    /// among them. Notes the protocol version an `initialize` answer names.
    async fn forward(&self, answer: Value, id: Option<&Value>) -> bool {
        let messages = match answer {
            Value::Array(messages) => messages,
            one => vec![one],
        };
        let mut answered = false;
        for message in messages {
            if let Some(version) = message
                .pointer("/result/protocolVersion")
                .and_then(Value::as_str)
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                self.session.lock().await.version = Some(version);
            }
            if id.is_some() && message.get("id") == id && message.get("method").is_none() {
                answered = true;
            }
            self.write(&message).await;
        }
        answered
    }

    /// Relays the events of an SSE answer as they come; whether the answer to `id` was
    /// among them.
    async fn relay_events(&self, mut response: reqwest::Response, id: Option<&Value>) -> bool {
        let mut answered = false;
        let mut buffer: Vec<u8> = Vec::new();
        let mut data = String::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) | Err(_) => break,
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = buffer.drain(..=end).collect();
                let text = String::from_utf8_lossy(&raw);
                let text = text.trim_end_matches(['\n', '\r']);
                if text.is_empty() {
                    answered |= self.dispatch(&mut data, id).await;
                } else if let Some(rest) = text.strip_prefix("data:") {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                }
                // `event:`, `id:`, `retry:` and comments carry nothing to relay.
            }
            if buffer.len() + data.len() > MAX_MESSAGE_BYTES {
                break;
            }
        }
        answered |= self.dispatch(&mut data, id).await;
        answered
    }

    async fn dispatch(&self, data: &mut String, id: Option<&Value>) -> bool {
        if data.trim().is_empty() {
            data.clear();
            return false;
        }
        let answered = match serde_json::from_str::<Value>(data) {
            Ok(message) => self.forward(message, id).await,
            Err(_) => false,
        };
        data.clear();
        answered
    }

    /// Answers request `id` (if it is one) with `message`, and says so on stderr.
    async fn fail(&self, id: Option<&Value>, message: &str) {
        eprintln!("switchboard remote: {message}");
        if let Some(id) = id {
            self.write(&error_response(id, REMOTE_FAILED, message))
                .await;
        }
    }

    async fn end_session(&self) {
        let Some(id) = self.session.lock().await.id.clone() else {
            return;
        };
        let _ = self
            .http
            .delete(self.options.url.clone())
            .headers(self.options.headers.clone())
            .header("mcp-session-id", id)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
    }

    fn host(&self) -> String {
        self.options.url.host_str().unwrap_or_default().to_owned()
    }
}

/// The whole body, or `None` when it is longer than [`MAX_MESSAGE_BYTES`] or breaks off.
async fn read_body(mut response: reqwest::Response) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_MESSAGE_BYTES {
            return None;
        }
    }
    Some(body)
}

fn error_response(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// An HTTP failure in plain words, with what to do.
fn http_failure(status: StatusCode, host: &str) -> String {
    let what = match status.as_u16() {
        401 | 403 => {
            "refused the credentials; check the token Switchboard keeps for this server \
             (`switchboard secrets set`)"
        }
        404 => "has no MCP server at this address, or the session ended",
        429 => "is limiting how often it may be called; try again in a moment",
        500..=599 => "had an error of its own; try again later",
        _ => "refused the request",
    };
    format!("the remote server at {host} answered HTTP {status}: it {what}")
}

/// A reqwest error without the URL (which may carry a key in its query).
fn plain_error(error: &reqwest::Error) -> String {
    if error.is_connect() {
        "the connection failed".to_owned()
    } else if error.is_timeout() {
        "it did not answer in time".to_owned()
    } else if error.is_redirect() {
        "it redirected too often, or off HTTPS".to_owned()
    } else {
        "the request failed".to_owned()
    }
}
