//! One MCP session behind the HTTP front: a `session::run` fed through an in-memory duplex,
//! exactly as a bridge on the local socket feeds it, so that recording, policy, stand-ins,
//! restarts and roots work unchanged.
//!
//! HTTP requests of one session run concurrently and may reuse JSON-RPC ids and progress
//! tokens, so each request's id and token are rewritten to ones unique in the session
//! (`"sb-N"`, `"sb-p-N"`), and every line the session sends back is routed by them: the
//! answer and the progress of a request go to that request's HTTP response, and what the
//! server sends unprompted (logging, list changes, its own requests) goes to the newest
//! open request, else to the session's standalone GET stream. A request whose HTTP client
//! goes away before its answer is cancelled upstream with `notifications/cancelled`.
//!
//! Must not: look at HTTP headers or tokens (the front does), or parse a message beyond its
//! envelope.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use tokio::{
    io::{AsyncWriteExt, BufWriter},
    sync::{mpsc, watch},
};
use tokio_util::sync::CancellationToken;

use super::rewrite::{
    cancelled_request_id, notified_progress_token, progress_token, range_in, splice,
};
use crate::{
    envelope::{Envelope, Kind},
    lines::LineReader,
    policy::ServerPolicy,
    runtime::SessionId,
    session::{self, SessionContext},
};

/// A line for an HTTP response, with what the front needs to know about it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub line: Bytes,
    /// The answer to the request: the response ends after it.
    pub terminal: bool,
    /// The JSON-RPC error code of an error answer.
    pub error_code: Option<i64>,
}

/// One session, shared by the HTTP requests that use it.
#[derive(Debug)]
pub struct Exchange {
    server: String,
    /// The session's id in the daemon (call log, runtimes).
    pub session: SessionId,
    outbox: mpsc::Sender<Bytes>,
    routes: Mutex<Routes>,
    /// Milliseconds since `born` of the last request, for the idle timeout.
    last_seen: AtomicU64,
    born: Instant,
    /// Cancelled to end the session (idle, DELETE, rotation).
    close: CancellationToken,
    /// Cancelled when the session has ended.
    ended: CancellationToken,
}

#[derive(Debug, Default)]
struct Routes {
    next: u64,
    /// By rewritten id (its JSON text).
    open: HashMap<String, Route>,
    /// Rewritten ids, oldest first: the newest gets what is not addressed to anyone.
    order: Vec<String>,
    /// The client's own id (JSON text) to the rewritten one, for its cancellations.
    by_client_id: HashMap<String, String>,
    /// Rewritten progress token to (the client's token, rewritten id).
    tokens: HashMap<String, (String, String)>,
    standalone: Option<(u64, mpsc::UnboundedSender<Delivery>)>,
}

#[derive(Debug)]
struct Route {
    client_id: String,
    token: Option<String>,
    sink: mpsc::UnboundedSender<Delivery>,
}

/// The session has ended; nothing more can be sent.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the session has ended")]
pub struct Ended;

impl Exchange {
    /// Starts `session::run` for `server` and the tasks that feed and read it.
    pub fn open(
        context: SessionContext,
        session: SessionId,
        server: &str,
        client: &str,
        policy: watch::Receiver<ServerPolicy>,
    ) -> Arc<Self> {
        let (ours, theirs) = tokio::io::duplex(256 * 1024);
        let (their_read, their_write) = tokio::io::split(theirs);
        let (our_read, our_write) = tokio::io::split(ours);
        let (outbox, inbox) = mpsc::channel::<Bytes>(1024);
        let exchange = Arc::new(Self {
            server: server.to_owned(),
            session,
            outbox,
            routes: Mutex::new(Routes::default()),
            last_seen: AtomicU64::new(0),
            born: Instant::now(),
            close: CancellationToken::new(),
            ended: CancellationToken::new(),
        });
        tokio::spawn(session::run_as(
            context,
            session,
            (server.to_owned(), client.to_owned()),
            policy,
            their_read,
            their_write,
            None,
        ));
        tokio::spawn(write_lines(inbox, our_write, exchange.close.clone()));
        tokio::spawn(read_lines(exchange.clone(), our_read));
        exchange
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    fn routes(&self) -> MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn touch(&self) {
        let now = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_seen.store(now, Ordering::Relaxed);
    }

    /// How long nothing has used the session; zero while a request or stream is open.
    pub fn idle_for(&self) -> Duration {
        {
            let routes = self.routes();
            if !routes.open.is_empty() || routes.standalone.is_some() {
                return Duration::ZERO;
            }
        }
        let seen = Duration::from_millis(self.last_seen.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(seen)
    }

    pub fn has_ended(&self) -> bool {
        self.ended.is_cancelled()
    }

    /// Resolves when the session has ended.
    pub async fn ended(&self) {
        self.ended.cancelled().await;
    }

    /// Ends the session: the server sees its client leave (answers still due are waited
    /// for, then it is stopped like any session's).
    pub fn close(&self) {
        self.close.cancel();
    }

    /// Sends a client request (its JSON text `body`, parsed as `envelope`); its answer and
    /// progress arrive on the returned request.
    pub async fn request(
        self: &Arc<Self>,
        body: &[u8],
        envelope: &Envelope<'_>,
    ) -> Result<InFlight, Ended> {
        self.touch();
        let client_id = envelope.id_text().unwrap_or("null").to_owned();
        let (sink, answers) = mpsc::unbounded_channel();
        let (line, key) = {
            let mut routes = self.routes();
            routes.next += 1;
            let key = format!("\"sb-{}\"", routes.next);
            let mut edits = Vec::new();
            if let Some(range) = envelope.id.and_then(|id| range_in(body, id.get())) {
                edits.push((range, key.clone()));
            }
            let mut token = None;
            if let Some(raw) = envelope.params.and_then(progress_token)
                && let Some(range) = range_in(body, raw.get())
            {
                let ours = format!("\"sb-p-{}\"", routes.next);
                routes
                    .tokens
                    .insert(ours.clone(), (raw.get().to_owned(), key.clone()));
                edits.push((range, ours.clone()));
                token = Some(ours);
            }
            let line = splice(
                body,
                edits.iter().map(|(r, t)| (r.clone(), t.as_str())).collect(),
            );
            routes.by_client_id.insert(client_id.clone(), key.clone());
            routes.order.push(key.clone());
            routes.open.insert(
                key.clone(),
                Route {
                    client_id,
                    token,
                    sink,
                },
            );
            (line, key)
        };
        if self.ended.is_cancelled() || self.outbox.send(Bytes::from(line)).await.is_err() {
            self.forget(&key);
            return Err(Ended);
        }
        Ok(InFlight {
            exchange: self.clone(),
            key,
            answers,
            done: false,
        })
    }

    /// Sends a client notification or response. A `notifications/cancelled` names the
    /// client's id, which is rewritten to the one the session knows.
    pub async fn notify(&self, body: &[u8], envelope: &Envelope<'_>) -> Result<(), Ended> {
        self.touch();
        let mut line = Bytes::copy_from_slice(body);
        if envelope.method() == Some("notifications/cancelled")
            && let Some(raw) = envelope.params.and_then(cancelled_request_id)
            && let Some(range) = range_in(body, raw.get())
        {
            let ours = self.routes().by_client_id.get(raw.get()).cloned();
            if let Some(ours) = ours {
                line = Bytes::from(splice(body, vec![(range, ours.as_str())]));
            }
        }
        self.outbox.send(line).await.map_err(|_| Ended)
    }

    /// Opens the standalone stream (legacy GET): what the server sends unprompted arrives
    /// here while it is open. A newer stream replaces an older one.
    pub fn standalone(self: &Arc<Self>) -> Standalone {
        self.touch();
        let (sink, messages) = mpsc::unbounded_channel();
        let mut routes = self.routes();
        routes.next += 1;
        let id = routes.next;
        routes.standalone = Some((id, sink));
        Standalone {
            exchange: self.clone(),
            id,
            messages,
        }
    }

    fn forget(&self, key: &str) -> Option<Route> {
        let mut routes = self.routes();
        let route = routes.open.remove(key)?;
        routes.order.retain(|k| k != key);
        if routes
            .by_client_id
            .get(&route.client_id)
            .map(String::as_str)
            == Some(key)
        {
            routes.by_client_id.remove(&route.client_id);
        }
        if let Some(token) = &route.token {
            routes.tokens.remove(token);
        }
        Some(route)
    }

    /// Cancels a request whose HTTP client went away.
    fn abandon(&self, key: &str) {
        if self.forget(key).is_none() {
            return;
        }
        let line = format!(
            r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":{key},"reason":"the HTTP client went away"}}}}"#
        );
        // The session counts the call as cancelled; a full outbox means the session is
        // stuck or gone, and then the call is recorded when it ends.
        let _ = self.outbox.try_send(Bytes::from(line));
    }

    /// Routes one line the session sent.
    fn route(&self, line: Bytes) {
        let Some(envelope) = Envelope::parse(&line) else {
            return;
        };
        match envelope.kind() {
            Some(kind @ (Kind::Result | Kind::Error)) => {
                let Some(id) = envelope.id else { return };
                let Some(route) = self.forget(id.get()) else {
                    return;
                };
                let error_code = (kind == Kind::Error)
                    .then(|| envelope.error_code())
                    .flatten();
                let out = match range_in(&line, id.get()) {
                    Some(range) => {
                        Bytes::from(splice(&line, vec![(range, route.client_id.as_str())]))
                    }
                    None => line.clone(),
                };
                let _ = route.sink.send(Delivery {
                    line: out,
                    terminal: true,
                    error_code,
                });
            }
            Some(Kind::Notification) if envelope.method() == Some("notifications/progress") => {
                let Some(raw) = envelope.params.and_then(notified_progress_token) else {
                    return;
                };
                let routes = self.routes();
                let Some((theirs, key)) = routes.tokens.get(raw.get()) else {
                    return;
                };
                let Some(route) = routes.open.get(key) else {
                    return;
                };
                let out = match range_in(&line, raw.get()) {
                    Some(range) => Bytes::from(splice(&line, vec![(range, theirs.as_str())])),
                    None => line.clone(),
                };
                let _ = route.sink.send(Delivery {
                    line: out,
                    terminal: false,
                    error_code: None,
                });
            }
            Some(Kind::Notification | Kind::Request) => {
                let routes = self.routes();
                let sink = routes
                    .order
                    .last()
                    .and_then(|key| routes.open.get(key))
                    .map(|route| &route.sink)
                    .or(routes.standalone.as_ref().map(|(_, sink)| sink));
                if let Some(sink) = sink {
                    let _ = sink.send(Delivery {
                        line,
                        terminal: false,
                        error_code: None,
                    });
                }
            }
            None => {}
        }
    }

    /// The session ended: every open request and stream ends too.
    fn end(&self) {
        self.ended.cancel();
        self.close.cancel();
        let mut routes = self.routes();
        routes.open.clear();
        routes.order.clear();
        routes.tokens.clear();
        routes.standalone = None;
    }
}

/// A request waiting for its answer. Dropped before the answer (the HTTP client went
/// away), it cancels the request upstream.
#[derive(Debug)]
pub struct InFlight {
    exchange: Arc<Exchange>,
    key: String,
    answers: mpsc::UnboundedReceiver<Delivery>,
    done: bool,
}

impl InFlight {
    /// The next line for this request; `None` once it was answered or the session ended.
    pub async fn next(&mut self) -> Option<Delivery> {
        if self.done {
            return None;
        }
        let delivery = self.answers.recv().await;
        match &delivery {
            Some(d) if d.terminal => self.done = true,
            Some(_) => {}
            None => self.done = true,
        }
        delivery
    }

    /// Polled form of [`InFlight::next`], for response bodies.
    pub fn poll_next(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Delivery>> {
        if self.done {
            return std::task::Poll::Ready(None);
        }
        let polled = self.answers.poll_recv(cx);
        if let std::task::Poll::Ready(delivery) = &polled {
            match delivery {
                Some(d) if !d.terminal => {}
                _ => self.done = true,
            }
        }
        polled
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.done {
            self.exchange.abandon(&self.key);
        }
    }
}

/// The standalone stream of a legacy session, closed when dropped.
#[derive(Debug)]
pub struct Standalone {
    exchange: Arc<Exchange>,
    id: u64,
    messages: mpsc::UnboundedReceiver<Delivery>,
}

impl Standalone {
    pub fn poll_next(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Delivery>> {
        self.messages.poll_recv(cx)
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let mut routes = self.exchange.routes();
        if routes
            .standalone
            .as_ref()
            .is_some_and(|(id, _)| *id == self.id)
        {
            routes.standalone = None;
        }
        drop(routes);
        self.exchange.touch();
    }
}

/// Writes the client's lines into the session until the exchange closes.
async fn write_lines(
    mut inbox: mpsc::Receiver<Bytes>,
    write: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    close: CancellationToken,
) {
    let mut out = BufWriter::with_capacity(64 * 1024, write);
    loop {
        let line = tokio::select! {
            line = inbox.recv() => line,
            () = close.cancelled() => None,
        };
        let Some(line) = line else { break };
        if out.write_all(&line).await.is_err() || out.write_all(b"\n").await.is_err() {
            break;
        }
        // Gather what is already queued into one write.
        while let Ok(line) = inbox.try_recv() {
            if out.write_all(&line).await.is_err() || out.write_all(b"\n").await.is_err() {
                return;
            }
        }
        if out.flush().await.is_err() {
            break;
        }
    }
    let _ = out.shutdown().await;
}

/// Routes the session's lines until it ends.
async fn read_lines(exchange: Arc<Exchange>, read: tokio::io::ReadHalf<tokio::io::DuplexStream>) {
    let mut lines = LineReader::new(read);
    while let Ok(Some(line)) = lines.next_line().await {
        exchange.route(line);
        while let Some(line) = lines.buffered_line() {
            exchange.route(line);
        }
    }
    exchange.end();
}
