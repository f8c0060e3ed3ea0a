//! The daemon's HTTP endpoint: every installed server over Streamable HTTP at
//! `/servers/<id>/mcp`, `/health` and `/metrics`.
//!
//! Design: the front turns Streamable HTTP into the line protocol `session::run` already
//! speaks ([`exchange`]), so recording, policy, stand-ins, restarts and roots are the same
//! code as for a bridge. Both protocol eras are served as the client speaks them:
//! - 2025-11-25 and before: `initialize` opens a session (one `session::run`, its own
//!   server process for third-party servers) named by `Mcp-Session-Id`; later POSTs,
//!   the standalone GET stream and DELETE use it; idle sessions are closed.
//! - 2026-07-28: every request stands alone; requests go to a pooled session per server
//!   and client name (the client's `_meta` names it; "http" when it does not), so a
//!   stateless client does not start a server process per request. Idle pools close.
//!
//! An answer is sent as JSON, or as an SSE stream when the server sends anything before
//! it (progress, logging); a client that goes away cancels its request upstream.
//!
//! `/mcp` is the aggregate server ([`crate::aggregate`]): every enabled server's tools in
//! one, for clients that prefer a single entry.
//!
//! Every request passes the guard first ([`guard`]): Host and Origin (403), the bearer
//! token (401 with `WWW-Authenticate`), the token's rate limit (429 with `Retry-After`),
//! then the body limit (413). `/health` needs no token from this computer.
//!
//! Must not: read the keychain (the hub sets the token), decide policy, or log a token.

pub mod exchange;
pub mod guard;
pub mod rewrite;
pub mod rules;

use std::{
    collections::HashMap,
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use rmcp::transport::{
    StreamableHttpServerConfig, StreamableHttpService,
    streamable_http_server::session::local::LocalSessionManager,
};

use self::{
    exchange::{Delivery, Exchange, InFlight, Standalone},
    guard::{Credentials, Listening, RateLimit, RateLimiter, Verdict, retry_after_seconds},
    rules::{Era, Posted, Refusal},
};
use crate::{
    aggregate::Aggregate,
    envelope::Kind,
    lines::MAX_LINE_BYTES,
    metrics::{ProcessGauges, ServerGauges},
    policy::ServerPolicy,
    runtime::SessionId,
    session::SessionContext,
};

/// What the front needs from the daemon: which servers exist, their live policies and
/// gauges, and what every session shares. Implemented by the hub.
pub trait Directory: Send + Sync + 'static {
    /// Whether a server of this id is installed.
    fn installed(&self, server: &str) -> bool;
    /// The live policy of `server`, for a new session.
    fn policy<'a>(
        &'a self,
        server: &'a str,
    ) -> Pin<Box<dyn Future<Output = watch::Receiver<ServerPolicy>> + Send + 'a>>;
    fn session_context(&self) -> SessionContext;
    fn next_session_id(&self) -> SessionId;
    /// Every installed server's gauges, and the daemon's own.
    fn gauges(&self) -> (Vec<ServerGauges>, ProcessGauges);
    /// The Prometheus exposition of the daemon's counters and `gauges`.
    fn metrics(&self) -> String;
    /// The installed servers that are switched on.
    fn enabled_servers(&self) -> Vec<String>;
    /// The daemon's events (servers changing, for the aggregate).
    fn events(&self) -> crate::Events;
}

/// Limits of the endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpLimits {
    pub rate: RateLimit,
    /// Largest request body, in bytes (the stdio limit).
    pub max_body_bytes: usize,
    /// A legacy session unused this long is closed.
    pub session_idle: Duration,
    /// A stateless pool unused this long is closed (its server stopped).
    pub pool_idle: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            rate: RateLimit {
                per_second: 100.0,
                burst: 200.0,
            },
            max_body_bytes: MAX_LINE_BYTES,
            session_idle: Duration::from_secs(30 * 60),
            pool_idle: Duration::from_secs(5 * 60),
        }
    }
}

/// The endpoint's state. Cheap to clone.
#[derive(Clone)]
pub struct Front {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Front {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Front")
            .field("listening", &self.inner.listening)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

struct Inner {
    directory: Arc<dyn Directory>,
    aggregate: Aggregate,
    credentials: Arc<Credentials>,
    limiter: RateLimiter,
    limits: HttpLimits,
    listening: Listening,
    /// Legacy sessions by `Mcp-Session-Id`.
    sessions: Mutex<HashMap<String, Arc<Exchange>>>,
    /// Stateless pools by (server, client name).
    pools: Mutex<HashMap<(String, String), Arc<Exchange>>>,
}

impl Front {
    pub fn new(
        directory: Arc<dyn Directory>,
        aggregate: Aggregate,
        credentials: Arc<Credentials>,
        limits: HttpLimits,
        listening: Listening,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                directory,
                aggregate,
                credentials,
                limiter: RateLimiter::default(),
                limits,
                listening,
                sessions: Mutex::new(HashMap::new()),
                pools: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The routes, behind the guard. `/mcp` is the aggregate server, served by rmcp's own
    /// Streamable HTTP transport (it is an rmcp server, not a relayed session); the guard
    /// has checked Host, Origin and the token before it sees a request.
    pub fn router(&self, shutdown: &CancellationToken) -> Router {
        let aggregate = self.inner.aggregate.clone();
        let config = StreamableHttpServerConfig::default()
            .disable_allowed_hosts()
            .disable_allowed_origins()
            .with_max_request_body_bytes(self.inner.limits.max_body_bytes)
            .with_cancellation_token(shutdown.child_token());
        let aggregate = StreamableHttpService::new(
            move || Ok(aggregate.clone()),
            LocalSessionManager::default().into(),
            config,
        );
        Router::new()
            .route("/health", get(health))
            .route("/metrics", get(metrics))
            .route("/servers/{server}/mcp", any(server_mcp))
            .nest_service("/mcp", aggregate)
            .layer(middleware::from_fn_with_state(self.clone(), guard))
            .with_state(self.clone())
    }

    /// Serves on `listener` until `shutdown`; closes idle sessions meanwhile. On shutdown
    /// every session is closed (which ends its streams), and connections get a few seconds
    /// to finish.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: CancellationToken,
    ) -> std::io::Result<()> {
        let reaper = tokio::spawn(self.clone().reap(shutdown.clone()));
        let app = self
            .router(&shutdown)
            .into_make_service_with_connect_info::<SocketAddr>();
        let closing = {
            let (front, shutdown) = (self.clone(), shutdown.clone());
            async move {
                shutdown.cancelled().await;
                front.close_all();
            }
        };
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(closing)
            .into_future();
        let result = tokio::select! {
            result = served => result,
            () = async {
                shutdown.cancelled().await;
                tokio::time::sleep(Duration::from_secs(5)).await;
            } => Ok(()),
        };
        reaper.abort();
        self.close_all();
        result
    }

    /// Closes every session (the endpoint is stopping).
    pub fn close_all(&self) {
        for (_, exchange) in lock(&self.inner.sessions).drain() {
            exchange.close();
        }
        for (_, exchange) in lock(&self.inner.pools).drain() {
            exchange.close();
        }
    }

    /// How many sessions are open (legacy, pooled).
    pub fn session_counts(&self) -> (usize, usize) {
        (
            lock(&self.inner.sessions).len(),
            lock(&self.inner.pools).len(),
        )
    }

    async fn reap(self, shutdown: CancellationToken) {
        let every = Duration::from_secs(5).min(self.inner.limits.pool_idle);
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = shutdown.cancelled() => return,
            }
            let limits = &self.inner.limits;
            lock(&self.inner.sessions).retain(|_, exchange| keep(exchange, limits.session_idle));
            lock(&self.inner.pools).retain(|_, exchange| keep(exchange, limits.pool_idle));
        }
    }

    fn pooled(
        &self,
        server: &str,
        client: &str,
        policy: watch::Receiver<ServerPolicy>,
    ) -> Arc<Exchange> {
        let mut pools = lock(&self.inner.pools);
        let key = (server.to_owned(), client.to_owned());
        if let Some(exchange) = pools.get(&key)
            && !exchange.has_ended()
        {
            return exchange.clone();
        }
        let directory = &self.inner.directory;
        let exchange = Exchange::open(
            directory.session_context(),
            directory.next_session_id(),
            server,
            client,
            policy,
        );
        tracing::info!(
            server,
            client,
            session = exchange.session,
            "stateless HTTP pool opened"
        );
        pools.insert(key, exchange.clone());
        exchange
    }
}

fn keep(exchange: &Exchange, idle: Duration) -> bool {
    if exchange.has_ended() {
        return false;
    }
    if exchange.idle_for() >= idle {
        tracing::info!(
            server = exchange.server(),
            session = exchange.session,
            "closing an idle HTTP session"
        );
        exchange.close();
        return false;
    }
    true
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Host, Origin, token and rate limit, before any route.
async fn guard(
    State(front): State<Front>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let inner = &front.inner;
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !inner.listening.host_allowed(host) {
        tracing::warn!(peer = %peer, "refused a request whose Host is not this endpoint (DNS rebinding?)");
        return text(
            StatusCode::FORBIDDEN,
            "Forbidden: the Host header does not name this server",
        );
    }
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("invalid"));
    if !inner.listening.origin_allowed(origin) {
        tracing::warn!(peer = %peer, "refused a request from a foreign web page (Origin)");
        return text(
            StatusCode::FORBIDDEN,
            "Forbidden: requests from other web pages are not allowed",
        );
    }
    let verdict = inner.credentials.check(headers);
    let open_health =
        request.uri().path() == "/health" && peer.ip().is_loopback() && verdict == Verdict::Missing;
    let generation = match verdict {
        Verdict::Valid { generation } => generation,
        _ if open_health => return next.run(request).await,
        Verdict::Missing => return unauthorized(false),
        Verdict::Invalid => return unauthorized(true),
    };
    if let Err(wait) = inner
        .limiter
        .take(generation, inner.limits.rate, Instant::now())
    {
        let seconds = retry_after_seconds(wait);
        let mut response = text(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too Many Requests: this token's rate limit is reached; retry in {seconds} s"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return response;
    }
    next.run(request).await
}

fn unauthorized(invalid: bool) -> Response {
    let (challenge, message) = if invalid {
        (
            r#"Bearer realm="switchboard", error="invalid_token", error_description="the token is not Switchboard's current token""#,
            "Unauthorized: this token is not valid (it may have been rotated). `switchboard http token` shows the current one.",
        )
    } else {
        (
            r#"Bearer realm="switchboard""#,
            "Unauthorized: send `Authorization: Bearer <token>`; `switchboard http token` shows the token.",
        )
    };
    let mut response = text(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

fn text(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

fn refused(refusal: &Refusal) -> Response {
    let (body, content_type) = refusal.body_and_type();
    (refusal.status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn json_rpc_error(status: StatusCode, id: Option<&str>, code: i64, message: String) -> Response {
    refused(&Refusal::json_rpc(status, id, code, message))
}

/// What `/health` shows: liveness and each server's state. No secrets, no paths.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    servers: Vec<ServerHealth>,
}

#[derive(Debug, Serialize)]
struct ServerHealth {
    id: String,
    enabled: bool,
    up: bool,
    state: switchboard_supervisor::ServerState,
    sessions: usize,
    restarts: u32,
}

async fn health(State(front): State<Front>) -> Response {
    let (servers, _) = front.inner.directory.gauges();
    let health = Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        servers: servers
            .into_iter()
            .map(|s| ServerHealth {
                up: s.enabled && s.state != switchboard_supervisor::ServerState::Crashed,
                id: s.server,
                enabled: s.enabled,
                state: s.state,
                sessions: s.sessions,
                restarts: s.restarts,
            })
            .collect(),
    };
    let body = serde_json::to_vec(&health).unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

async fn metrics(State(front): State<Front>) -> Response {
    let body = front.inner.directory.metrics();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `/servers/<id>/mcp`: POST, GET (legacy standalone stream) and DELETE (end a session).
async fn server_mcp(
    State(front): State<Front>,
    Path(server): Path<String>,
    request: Request,
) -> Response {
    if !front.inner.directory.installed(&server) {
        return json_rpc_error(
            StatusCode::NOT_FOUND,
            None,
            rules::INVALID_REQUEST,
            format!(
                "Switchboard has no server called \"{server}\"; `switchboard list` shows the \
                 installed ones, and each is served at /servers/<id>/mcp"
            ),
        );
    }
    match *request.method() {
        Method::POST => post(front, server, request).await,
        Method::GET => get_stream(&front, &server, request.headers()),
        Method::DELETE => delete(&front, &server, request.headers()),
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, POST, DELETE")],
            "Method Not Allowed",
        )
            .into_response(),
    }
}

async fn post(front: Front, server: String, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let (json, sse) = rules::accepts(headers);
    if !json || !sse {
        return text(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: the client must accept both application/json and text/event-stream",
        );
    }
    if !rules::is_json(headers) {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type: Content-Type must be application/json",
        );
    }
    let limit = front.inner.limits.max_body_bytes;
    let Some(body) = read_body(body, limit).await else {
        return json_rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            rules::INVALID_REQUEST,
            format!(
                "Invalid Request: the message is larger than {} MiB, the most Switchboard relays",
                limit / (1024 * 1024)
            ),
        );
    };
    let posted = match Posted::parse(&body) {
        Ok(posted) => posted,
        Err(refusal) => return refused(&refusal),
    };
    let session_id = rules::header_text(headers, rules::SESSION_HEADER);
    let era = posted.era(headers);
    let discover_without_session = session_id.is_none()
        && posted.kind == Kind::Request
        && posted.method() == Some("server/discover");
    if era == Era::Stateless || discover_without_session {
        return stateless(&front, &server, headers, &posted, &body).await;
    }
    if let Err(refusal) = rules::check_versions(headers, &posted)
        .and_then(|()| rules::check_routing_headers(headers, &posted))
    {
        return refused(&refusal);
    }
    match session_id {
        Some(id) => {
            let Some(exchange) = lock(&front.inner.sessions).get(id).cloned() else {
                return text(
                    StatusCode::NOT_FOUND,
                    "Not Found: no such session (it ended or expired); initialize a new one",
                );
            };
            if exchange.server() != server || exchange.has_ended() {
                return text(
                    StatusCode::NOT_FOUND,
                    "Not Found: no such session (it ended or expired); initialize a new one",
                );
            }
            match posted.kind {
                Kind::Request => match exchange.request(&body, &posted.envelope).await {
                    Ok(in_flight) => answer(in_flight, None, &posted).await,
                    Err(_) => session_gone(&posted),
                },
                _ => match exchange.notify(&body, &posted.envelope).await {
                    Ok(()) => StatusCode::ACCEPTED.into_response(),
                    Err(_) => session_gone(&posted),
                },
            }
        }
        None if posted.is_initialize() => initialize(&front, &server, &posted, &body).await,
        None => text(
            StatusCode::BAD_REQUEST,
            "Bad Request: the Mcp-Session-Id header is required (send initialize first to get one)",
        ),
    }
}

/// The body, or `None` when it is larger than `limit`. An oversized body is still read
/// (and dropped) up to twice the limit or a few seconds, so that the client, still sending,
/// gets the 413 instead of a reset connection.
async fn read_body(body: Body, limit: usize) -> Option<Bytes> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut total = 0usize;
    let drain_until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let next = if total > limit {
            match tokio::time::timeout_at(drain_until, stream.next()).await {
                Ok(next) => next,
                Err(_) => return None,
            }
        } else {
            stream.next().await
        };
        let Some(Ok(chunk)) = next else { break };
        total = total.saturating_add(chunk.len());
        if total <= limit {
            kept.extend_from_slice(&chunk);
        } else if total > limit.saturating_mul(2) {
            return None;
        }
    }
    (total <= limit).then(|| Bytes::from(kept))
}

/// `initialize` without a session: a new session, named in the answer's `Mcp-Session-Id`.
async fn initialize(front: &Front, server: &str, posted: &Posted<'_>, body: &[u8]) -> Response {
    let directory = &front.inner.directory;
    let policy = directory.policy(server).await;
    let client = posted
        .envelope
        .client_name()
        .unwrap_or_else(|| "http".to_owned());
    let exchange = Exchange::open(
        directory.session_context(),
        directory.next_session_id(),
        server,
        &client,
        policy,
    );
    let Ok(mut in_flight) = exchange.request(body, &posted.envelope).await else {
        exchange.close();
        return session_gone(posted);
    };
    let Some(first) = in_flight.next().await else {
        exchange.close();
        return session_gone(posted);
    };
    if !first.terminal || first.error_code.is_some() {
        exchange.close();
        return json_response(StatusCode::OK, first.line);
    }
    let id = session_token();
    tracing::info!(
        server,
        client,
        session = exchange.session,
        "HTTP session opened"
    );
    lock(&front.inner.sessions).insert(id.clone(), exchange);
    let mut response = json_response(StatusCode::OK, first.line);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(rules::SESSION_HEADER, value);
    }
    response
}

/// A 2026-07-28 message: checked, then sent to the server's pool for its client.
async fn stateless(
    front: &Front,
    server: &str,
    headers: &HeaderMap,
    posted: &Posted<'_>,
    body: &[u8],
) -> Response {
    if let Err(refusal) = rules::check_versions(headers, posted)
        .and_then(|()| rules::check_routing_headers(headers, posted))
    {
        return refused(&refusal);
    }
    if posted.is_initialize() {
        return json_rpc_error(
            StatusCode::NOT_FOUND,
            posted.envelope.id_text(),
            rules::METHOD_NOT_FOUND,
            "Method not found: initialize is not part of the 2026-07-28 revision (requests carry \
             their _meta instead); send it with protocolVersion 2025-11-25 to open a session"
                .into(),
        );
    }
    match posted.kind {
        Kind::Request => {}
        Kind::Notification => return StatusCode::ACCEPTED.into_response(),
        Kind::Result | Kind::Error => {
            return json_rpc_error(
                StatusCode::BAD_REQUEST,
                None,
                rules::INVALID_REQUEST,
                "Invalid Request: a stateless server has no request of its own to be answered"
                    .into(),
            );
        }
    }
    let client = posted
        .envelope
        .client_name()
        .unwrap_or_else(|| "http".to_owned());
    let policy = front.inner.directory.policy(server).await;
    let exchange = front.pooled(server, &client, policy);
    match exchange.request(body, &posted.envelope).await {
        Ok(in_flight) => answer(in_flight, Some(posted.meta_malformed()), posted).await,
        Err(_) => session_gone(posted),
    }
}

/// Sends a request's answer: JSON when it comes first, else an SSE stream of everything
/// up to it. `stateless` holds whether the request's `_meta` was malformed, for the status.
async fn answer(mut in_flight: InFlight, stateless: Option<bool>, posted: &Posted<'_>) -> Response {
    let Some(first) = in_flight.next().await else {
        return session_gone(posted);
    };
    if first.terminal {
        let status = match stateless {
            Some(malformed) => rules::stateless_status(first.error_code, malformed),
            None => StatusCode::OK,
        };
        return json_response(status, first.line);
    }
    sse_response(SseBody::new(Some(first), Source::Request(in_flight)))
}

fn session_gone(posted: &Posted<'_>) -> Response {
    json_rpc_error(
        StatusCode::SERVICE_UNAVAILABLE,
        posted.envelope.id_text(),
        -32603,
        "The session ended before answering (Switchboard is stopping, or the session was \
         closed); try again."
            .into(),
    )
}

/// GET: the standalone stream of a legacy session.
fn get_stream(front: &Front, server: &str, headers: &HeaderMap) -> Response {
    if !rules::accepts(headers).1 {
        return text(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: the client must accept text/event-stream",
        );
    }
    if let Err(refusal) = rules::check_version_header(headers, None) {
        return refused(&refusal);
    }
    let legacy = rules::header_text(headers, rules::PROTOCOL_VERSION_HEADER)
        .is_none_or(|v| v < rules::STATELESS_VERSION);
    if !legacy {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            "Method Not Allowed",
        )
            .into_response();
    }
    let Some(id) = rules::header_text(headers, rules::SESSION_HEADER) else {
        return text(
            StatusCode::BAD_REQUEST,
            "Bad Request: the Mcp-Session-Id header is required",
        );
    };
    let Some(exchange) = lock(&front.inner.sessions).get(id).cloned() else {
        return text(StatusCode::NOT_FOUND, "Not Found: no such session");
    };
    if exchange.server() != server {
        return text(StatusCode::NOT_FOUND, "Not Found: no such session");
    }
    sse_response(SseBody::new(
        None,
        Source::Standalone(exchange.standalone()),
    ))
}

/// DELETE: ends a legacy session.
fn delete(front: &Front, server: &str, headers: &HeaderMap) -> Response {
    let Some(id) = rules::header_text(headers, rules::SESSION_HEADER) else {
        return text(
            StatusCode::BAD_REQUEST,
            "Bad Request: the Mcp-Session-Id header is required",
        );
    };
    let mut sessions = lock(&front.inner.sessions);
    match sessions.get(id) {
        Some(exchange) if exchange.server() == server => {
            if let Some(exchange) = sessions.remove(id) {
                tracing::info!(
                    server,
                    session = exchange.session,
                    "HTTP session ended by its client"
                );
                exchange.close();
            }
            StatusCode::ACCEPTED.into_response()
        }
        _ => text(StatusCode::NOT_FOUND, "Not Found: no such session"),
    }
}

/// A session id: 128 random bits, hex.
fn session_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: still unique, never reused within this daemon.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_response(status: StatusCode, line: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], line).into_response()
}

fn sse_response(body: SseBody) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// How often an open SSE stream with nothing to say sends a comment, so that proxies and
/// clients do not take it for dead.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

enum Source {
    Request(InFlight),
    Standalone(Standalone),
}

/// An SSE response body: each line as one `message` event.
struct SseBody {
    first: Option<Delivery>,
    source: Source,
    keep_alive: tokio::time::Interval,
}

impl SseBody {
    fn new(first: Option<Delivery>, source: Source) -> Self {
        let start = tokio::time::Instant::now() + KEEP_ALIVE;
        Self {
            first,
            source,
            keep_alive: tokio::time::interval_at(start, KEEP_ALIVE),
        }
    }
}

fn event(delivery: &Delivery) -> Bytes {
    let mut frame = Vec::with_capacity(delivery.line.len() + 24);
    frame.extend_from_slice(b"event: message\ndata: ");
    frame.extend_from_slice(&delivery.line);
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

impl futures_util::Stream for SseBody {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(Ok(event(&first))));
        }
        let polled = match &mut this.source {
            Source::Request(in_flight) => in_flight.poll_next(cx),
            Source::Standalone(stream) => stream.poll_next(cx),
        };
        match polled {
            Poll::Ready(Some(delivery)) => Poll::Ready(Some(Ok(event(&delivery)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.keep_alive.poll_tick(cx) {
                Poll::Ready(_) => Poll::Ready(Some(Ok(Bytes::from_static(b": keep-alive\n\n")))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
