//! One client session, relayed to its server.
//!
//! The session reads JSON-RPC lines from the client (a bridge on the local socket) and from
//! its upstream (a server process, an in-process built-in, or a stand-in), and passes each
//! on unchanged but for what Switchboard itself answers:
//! - calls to a tool switched off by the user, and every call while the server is switched
//!   off, unknown or crash-looping (answered by the stand-in, in the client's era);
//! - `roots/list` from the server, answered with its folder grants;
//! - its own health probes and handshake replays, which never reach the client.
//!
//! Every client request is recorded with its response. When the server process dies, the
//! calls it had are answered with an error, it is restarted with backoff and the client's
//! handshake is replayed to the new process, so the next call works. When the client
//! leaves, answers still due are delivered before the server's stdin is closed.
//!
//! One task per session owns all its state: no locks on the call path.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use rmcp::{ServerHandler, ServiceExt};
use serde_json::{Value, json, value::RawValue};
use switchboard_secrets::Redactor;
use switchboard_store::{CallRecord, CallStatus, now_ms};
use switchboard_supervisor::{Decision, RestartPolicy, RestartTracker, Running, ServerState};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufWriter},
    process::ChildStderr,
    sync::watch,
};
use tokio_util::sync::CancellationToken;

use crate::{
    envelope::{Envelope, Kind},
    lines::LineReader,
    policy::{Availability, ServerPolicy, filter_tools_result, roots_result},
    recorder::Recorder,
    runtime::{Runtimes, SessionId, SessionView},
    standin::{Absence, Standin},
};

/// The line a session sends its bridge last when the daemon stops on purpose. Never
/// forwarded to the client.
pub const STOPPING_LINE: &[u8] = br#"{"switchboard":"daemon_stopping"}"#;

/// The line a handed-over session sends its bridge when it ends as the client wanted: the
/// bridge exits.
pub const CLOSED_LINE: &[u8] = br#"{"switchboard":"session_closed"}"#;

/// The line the daemon sends a bridge whose stdio it could not take: the bridge relays.
pub const REFUSED_LINE: &[u8] = br#"{"switchboard":"handover_refused"}"#;

/// The start of the note to a bridge that a request was answered; the request's id and
/// `}` follow.
pub const ANSWERED_PREFIX: &[u8] = br#"{"switchboard":"answered","id":"#;

pub type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
pub type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// A connection to a server for one session.
pub struct Upstream {
    reader: BoxRead,
    writer: BoxWrite,
    process: Option<Running>,
    stderr: Option<ChildStderr>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("pid", &self.process.as_ref().map(Running::pid))
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// A server process, talking over its stdin and stdout.
    pub fn process(mut running: Running) -> Result<Self, UpstreamError> {
        let (Some(stdin), Some(stdout)) = (running.stdin.take(), running.stdout.take()) else {
            return Err(UpstreamError::new(
                "the server process has no stdin or stdout",
            ));
        };
        let stderr = running.stderr.take();
        Ok(Self {
            reader: Box::new(stdout),
            writer: Box::new(stdin),
            process: Some(running),
            stderr,
        })
    }

    /// Any pair of byte streams speaking JSON lines.
    pub fn from_io(reader: BoxRead, writer: BoxWrite) -> Self {
        Self {
            reader,
            writer,
            process: None,
            stderr: None,
        }
    }

    /// An rmcp server served in this process, one instance per session.
    pub fn in_process<S: ServerHandler + Send + 'static>(server: S) -> Self {
        // Boxed, so that rmcp's session loop is compiled once for every server.
        let server = server.into_dyn();
        let (ours, theirs) = tokio::io::duplex(256 * 1024);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(theirs).await {
                let _ = running.waiting().await;
            }
        });
        let (reader, writer) = tokio::io::split(ours);
        Self {
            reader: Box::new(reader),
            writer: Box::new(writer),
            process: None,
            stderr: None,
        }
    }
}

/// A server could not be started.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct UpstreamError {
    pub message: String,
    /// Trying again will not help until something changes (a secret is missing, a runtime
    /// is not installed): the session says so at once instead of restarting.
    pub permanent: bool,
}

impl UpstreamError {
    /// A failure that may pass: the session restarts the server with backoff.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    /// A failure that needs the user: the session answers with `message` until the
    /// server's launch changes.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

/// A server being started.
pub type Opening<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Upstream, UpstreamError>> + Send + 'a>,
>;

/// Starts servers. Implemented by the hub, which knows what each server is.
pub trait Upstreams: Send + Sync + 'static {
    /// Starts `server` for one session. Only called while its policy says it is on. May
    /// wait (for the keychain, say) without holding up other sessions.
    fn open<'a>(&'a self, server: &'a str) -> Opening<'a>;
}

/// Timings of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// How often an idle server is probed.
    pub probe_every: Duration,
    /// A probe unanswered for this long makes the server degraded.
    pub probe_timeout: Duration,
    /// Each stage of a graceful stop (after stdin closes, after SIGTERM).
    pub stop_grace: Duration,
    /// Each stage of a stop when the client is already gone.
    pub abandon_grace: Duration,
    /// How long a leaving client's answers are waited for.
    pub drain_timeout: Duration,
    /// How long a handed-over session waits before telling its bridge of a request, so
    /// that a request answered within it is never told at all. A daemon killed within it
    /// leaves the bridge unaware of the requests of that moment.
    pub note_delay: Duration,
    pub restart: RestartPolicy,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            probe_every: Duration::from_secs(30),
            probe_timeout: Duration::from_secs(10),
            stop_grace: Duration::from_secs(1),
            abandon_grace: Duration::from_millis(200),
            drain_timeout: Duration::from_secs(10),
            note_delay: Duration::from_millis(2),
            restart: RestartPolicy::default(),
        }
    }
}

/// What every session shares.
#[derive(Clone)]
pub struct SessionContext {
    pub upstreams: Arc<dyn Upstreams>,
    pub recorder: Recorder,
    pub runtimes: Runtimes,
    pub config: SessionConfig,
    /// Cancelled when the daemon stops: every session then ends as if its client left.
    pub shutdown: CancellationToken,
    /// Scrubs secrets from what servers print.
    pub redactor: Redactor,
}

impl std::fmt::Debug for SessionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionContext")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A bridge that handed its client's stdio to this session (see [`crate::handover`]):
/// what the session tells it, and how it learns that the bridge is gone.
pub struct BridgeLink {
    /// The bridge's socket, for the notes it needs to resume the session elsewhere.
    pub notes: BoxWrite,
    /// Cancelled when the bridge closes its socket (killed, say): the session then ends as
    /// if the client had left.
    pub left: CancellationToken,
}

impl std::fmt::Debug for BridgeLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeLink")
            .field("left", &self.left.is_cancelled())
            .finish_non_exhaustive()
    }
}

/// Relays one session until the client leaves. `policy` is followed live.
pub async fn run<R, W>(
    context: SessionContext,
    id: SessionId,
    server: String,
    policy: watch::Receiver<ServerPolicy>,
    client_read: R,
    client_write: W,
) where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    run_as(
        context,
        id,
        (server, "unknown".to_owned()),
        policy,
        client_read,
        client_write,
        None,
    )
    .await;
}

/// [`run`] for a client known as `client` until its handshake or `_meta` names it (the
/// HTTP front calls clients that never say "http"). With `bridge`, the client's stdio was
/// handed over by its bridge, which is told what it needs to resume the session if this
/// daemon dies.
pub async fn run_as<R, W>(
    context: SessionContext,
    id: SessionId,
    (server, client): (String, String),
    mut policy: watch::Receiver<ServerPolicy>,
    client_read: R,
    client_write: W,
    bridge: Option<BridgeLink>,
) where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let left = bridge
        .as_ref()
        .map_or_else(CancellationToken::new, |b| b.left.clone());
    let current = policy.borrow_and_update().clone();
    context.runtimes.set_session(
        &server,
        SessionView {
            id,
            client: client.clone(),
            state: ServerState::Starting,
            pid: None,
            since: now_ms(),
        },
    );
    let mut session = Session {
        context: context.clone(),
        id,
        server: server.clone(),
        client,
        client_out: Some(BufWriter::with_capacity(64 * 1024, client_write)),
        client_broken: false,
        policy: current,
        handshake: Handshake::default(),
        pending: HashMap::new(),
        ours: HashMap::new(),
        next_own_id: 0,
        link: None,
        crashed: None,
        cannot_start: None,
        tracker: RestartTracker::default(),
        restart_at: None,
        held: Vec::new(),
        state: ServerState::Starting,
        probe: None,
        next_probe: Instant::now() + context.config.probe_every,
        notes: bridge.map(|b| Notes {
            out: b.notes,
            buffer: Vec::new(),
            untold: VecDeque::new(),
            due: None,
        }),
    };
    session.connect().await;
    let mut client = LineReader::new(client_read);
    let mut client_open = true;
    let mut drain_until: Option<Instant> = None;

    // Made once, not on every turn: each would register and unregister a waiter.
    let stopping = context.shutdown.cancelled();
    let gone = left.cancelled();
    let sleep = tokio::time::sleep_until(session.next_deadline(None).into());
    tokio::pin!(stopping, gone, sleep);
    loop {
        let timer = tokio::time::Instant::from(session.next_deadline(drain_until));
        if sleep.deadline() != timer {
            sleep.as_mut().reset(timer);
        }
        let event = {
            let upstream_line = async {
                match session.link.as_mut() {
                    Some(link) => link.reader.next_line().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                read = client.next_line(), if client_open => Event::Client(read.ok().flatten()),
                read = upstream_line => Event::Upstream(read.ok().flatten()),
                changed = policy.changed() => match changed {
                    Ok(()) => Event::Policy(policy.borrow_and_update().clone()),
                    Err(_) => Event::Client(None),
                },
                () = &mut sleep => Event::Timer,
                () = &mut stopping, if client_open => Event::Client(None),
                () = &mut gone, if client_open => Event::BridgeGone,
            }
        };
        match event {
            Event::Client(Some(line)) => {
                session.on_client_line(line).await;
                while let Some(line) = client.buffered_line() {
                    session.on_client_line(line).await;
                }
            }
            Event::Client(None) => {
                client_open = false;
                drain_until = Some(Instant::now() + context.config.drain_timeout);
            }
            Event::Upstream(Some(line)) => {
                session.on_upstream_line(line).await;
                while let Some(line) = session.link.as_mut().and_then(|l| l.reader.buffered_line())
                {
                    session.on_upstream_line(line).await;
                }
            }
            Event::BridgeGone => {
                // The client's stdio outlives its bridge, but the client is leaving (it
                // killed the bridge, or died): nothing more is written to it.
                tracing::info!(server = %session.server, session = id, "the bridge is gone");
                session.client_broken = true;
            }
            Event::Upstream(None) => session.upstream_ended().await,
            Event::Policy(policy) => session.follow(policy).await,
            Event::Timer => session.tick().await,
        }
        session.flush().await;
        if session.client_broken {
            break;
        }
        let drained = session.pending.is_empty() || session.link.is_none();
        if !client_open && (drained || drain_until.is_some_and(|t| Instant::now() >= t)) {
            break;
        }
    }
    let polite = !client_open && !session.client_broken;
    drop(client);
    session.finish(polite).await;
}

enum Event {
    Client(Option<Bytes>),
    /// A handed-over session's bridge closed its socket.
    BridgeGone,
    Upstream(Option<Bytes>),
    Policy(ServerPolicy),
    Timer,
}

/// The client's handshake, replayed to every new upstream.
#[derive(Debug, Default)]
struct Handshake {
    /// The `initialize` request as sent upstream (with roots declared when granted).
    initialize: Option<Value>,
    initialized: bool,
    /// The `_meta` of the client's latest 2026-07-28 era request, for probes.
    meta: Option<Box<RawValue>>,
}

/// A client request waiting for its answer.
#[derive(Debug)]
struct Pending {
    method: String,
    tool: Option<String>,
    arguments: Option<Bytes>,
    at: i64,
    started: Instant,
    request_bytes: usize,
    /// A `tools/list` asking for a later page.
    paged: bool,
    /// The request as the client sent it, until its bridge is told of it (handed-over
    /// sessions only).
    line: Option<Bytes>,
    /// Its bridge was told of it, so must be told of its answer.
    told: bool,
}

/// A request of the gateway's own, whose answer is consumed.
#[derive(Debug, Clone, Copy)]
enum Own {
    Replay,
    Probe(Instant),
}

struct Link {
    reader: LineReader<BoxRead>,
    writer: BufWriter<BoxWrite>,
    process: Option<Running>,
    standin: bool,
}

struct Session<W> {
    context: SessionContext,
    id: SessionId,
    server: String,
    client: String,
    /// Taken when a handed-over session closes the client's stdout early.
    client_out: Option<BufWriter<W>>,
    client_broken: bool,
    policy: ServerPolicy,
    handshake: Handshake,
    pending: HashMap<String, Pending>,
    ours: HashMap<String, Own>,
    next_own_id: u64,
    link: Option<Link>,
    /// Set while crash-looping: the last output, for the stand-in's message.
    crashed: Option<String>,
    /// Set when the server cannot start until its launch changes: the reason.
    cannot_start: Option<String>,
    tracker: RestartTracker,
    restart_at: Option<Instant>,
    /// Client messages waiting for a restart.
    held: Vec<Bytes>,
    state: ServerState,
    probe: Option<String>,
    next_probe: Instant,
    /// Set when the bridge handed over the client's stdio.
    notes: Option<Notes>,
}

/// What the bridge of a handed-over session is told: the client's handshake, and its
/// requests that stay unanswered for more than [`SessionConfig::note_delay`], then their answers. Enough
/// to resume the session if the daemon dies; a request answered quickly is never told.
struct Notes {
    out: BoxWrite,
    /// Notes waiting to go out.
    buffer: Vec<u8>,
    /// Requests not yet told, by id, oldest first.
    untold: VecDeque<String>,
    /// When what is waiting must go out.
    due: Option<Instant>,
}

impl<W: AsyncWrite + Unpin + Send> Session<W> {
    fn next_deadline(&self, drain_until: Option<Instant>) -> Instant {
        let notes_due = self.notes.as_ref().and_then(|n| n.due);
        [
            Some(self.next_probe),
            self.restart_at,
            drain_until,
            notes_due,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.next_probe)
    }

    fn set_state(&mut self, state: ServerState) {
        self.state = state;
        let pid = self
            .link
            .as_ref()
            .and_then(|l| l.process.as_ref().map(Running::pid));
        self.context
            .runtimes
            .set_session_state(&self.server, self.id, state, pid);
    }

    /// Connects the link the policy calls for and replays the handshake to it.
    async fn connect(&mut self) {
        let absence = match self.policy.availability {
            Availability::Unknown => Some(Absence::Unknown),
            Availability::Off => Some(Absence::SwitchedOff),
            Availability::On => match (&self.cannot_start, &self.crashed) {
                (Some(reason), _) => Some(Absence::CannotStart {
                    reason: reason.clone(),
                }),
                (None, Some(detail)) => Some(Absence::Crashed {
                    detail: detail.clone(),
                }),
                (None, None) => None,
            },
        };
        let standin = absence.is_some();
        let upstream = match absence {
            Some(absence) => Upstream::in_process(Standin::new(&self.server, absence)),
            None => match self.context.upstreams.open(&self.server).await {
                Ok(upstream) => upstream,
                Err(error) if error.permanent => {
                    tracing::warn!(server = %self.server, session = self.id, %error, "server cannot start");
                    self.context
                        .runtimes
                        .note_error(&self.server, error.to_string());
                    self.cannot_start = Some(error.message);
                    // Answer with the reason at once, from a stand-in.
                    Box::pin(self.connect()).await;
                    return;
                }
                Err(error) => {
                    self.context
                        .runtimes
                        .note_error(&self.server, error.to_string());
                    self.crash(format!("could not start: {error}"), Instant::now())
                        .await;
                    return;
                }
            },
        };
        if let Some(stderr) = upstream.stderr {
            spawn_stderr_reader(
                self.context.runtimes.clone(),
                self.context.redactor.clone(),
                self.server.clone(),
                stderr,
            );
        }
        self.link = Some(Link {
            reader: LineReader::new(upstream.reader),
            writer: BufWriter::with_capacity(64 * 1024, upstream.writer),
            process: upstream.process,
            standin,
        });
        self.set_state(if standin {
            if self.crashed.is_some() || self.cannot_start.is_some() {
                ServerState::Crashed
            } else {
                ServerState::Stopped
            }
        } else {
            ServerState::Starting
        });
        self.replay().await;
        for line in std::mem::take(&mut self.held) {
            self.send_link(&line).await;
        }
    }

    /// Sends the client's handshake to a new link; its answer is consumed.
    async fn replay(&mut self) {
        if self.policy.availability == Availability::Unknown {
            return;
        }
        if let Some(mut initialize) = self.handshake.initialize.clone() {
            let id = self.own_id(Own::Replay);
            initialize["id"] = Value::String(id);
            self.send_link_json(&initialize).await;
            if self.handshake.initialized {
                self.send_link_json(
                    &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                )
                .await;
            }
        }
    }

    /// A fresh id for a request of the gateway's own. Kept by its JSON text, the key
    /// answers are matched by.
    fn own_id(&mut self, purpose: Own) -> String {
        self.next_own_id += 1;
        let id = format!("switchboard-{}-{}", self.id, self.next_own_id);
        self.ours.insert(format!("\"{id}\""), purpose);
        id
    }

    async fn on_client_line(&mut self, line: Bytes) {
        let Some(envelope) = Envelope::parse(&line) else {
            // Not JSON-RPC: the server answers it as it sees fit.
            self.send_link_or_hold(line).await;
            return;
        };
        match envelope.kind() {
            Some(Kind::Request) => {}
            Some(Kind::Notification) => {
                match envelope.method() {
                    Some("notifications/initialized") => {
                        self.handshake.initialized = true;
                        self.tell_now(&line);
                    }
                    Some("notifications/cancelled") => {
                        // The client stopped waiting: the call ends here, recorded as
                        // cancelled at once (a server may never answer a cancelled
                        // request); an answer that still comes goes to the client as it
                        // is, which ignores it.
                        if let Some(id) = cancelled_id(&envelope)
                            && let Some(pending) = self.pending.remove(&id)
                        {
                            self.answered(&id, &pending);
                            self.record(pending, CallStatus::Cancelled, None, 0);
                        }
                    }
                    _ => {}
                }
                self.send_link_or_hold(line).await;
                return;
            }
            _ => {
                self.send_link_or_hold(line).await;
                return;
            }
        }
        let id = envelope.id_text().unwrap_or_default().to_owned();
        let method = envelope.method().unwrap_or_default().to_owned();
        // The client's name and era come with its handshake (legacy) or with every request
        // (2026-07-28); read them once rather than on every call, and look for `_meta`
        // before parsing for it.
        let has_meta = envelope
            .params
            .is_some_and(|p| memchr::memmem::find(p.get().as_bytes(), b"\"_meta\"").is_some());
        if (method == "initialize" || (self.handshake.meta.is_none() && has_meta))
            && let Some(name) = envelope.client_name()
            && name != self.client
        {
            self.context
                .runtimes
                .set_session_client(&self.server, self.id, &name);
            self.client = name;
        }
        if self.handshake.meta.is_none()
            && has_meta
            && method != "initialize"
            && let Some(meta) = request_meta(&envelope)
        {
            self.handshake.meta = Some(meta);
        }
        let (tool, arguments) =
            if method == "tools/call" || method == "prompts/get" || method == "resources/read" {
                let (name, arguments) = envelope.target();
                (
                    name,
                    arguments.map(|raw| Bytes::copy_from_slice(raw.get().as_bytes())),
                )
            } else {
                (None, None)
            };
        let paged = method == "tools/list"
            && envelope
                .params
                .is_some_and(|params| params.get().contains("\"cursor\""));
        let pending = Pending {
            method: method.clone(),
            tool: tool.clone(),
            arguments,
            at: now_ms(),
            started: Instant::now(),
            request_bytes: line.len(),
            paged,
            line: None,
            told: false,
        };

        if method == "tools/call"
            && let Some(tool) = tool.as_deref()
            && self.policy.disabled_tools.contains(tool)
        {
            let text = format!(
                "The tool \"{tool}\" of \"{server}\" is switched off in Switchboard. Ask the user \
                 to switch it on in the Switchboard app (or run `switchboard tools {server} \
                 --enable {tool}`).",
                server = self.server
            );
            let result = json!({"content": [{"type": "text", "text": text}], "isError": true});
            let reply = response(&id, "result", result);
            self.send_client(&reply).await;
            self.record(pending, CallStatus::ToolError, None, reply.len());
            return;
        }
        if method == "initialize" {
            let mut request: Value = serde_json::from_slice(&line).unwrap_or(Value::Null);
            if !self.policy.roots.is_empty()
                && let Some(capabilities) = request
                    .pointer_mut("/params/capabilities")
                    .and_then(Value::as_object_mut)
            {
                capabilities
                    .entry("roots")
                    .or_insert_with(|| json!({"listChanged": true}));
            }
            self.handshake.initialize = Some(request.clone());
            // The bridge needs the handshake to resume, however soon it is answered.
            self.tell_now(&line);
            self.pending.insert(
                id,
                Pending {
                    told: self.notes.is_some(),
                    ..pending
                },
            );
            self.send_link_json_or_hold(&request).await;
            return;
        }
        self.add_pending(id, pending, &line);
        self.send_link_or_hold(line).await;
    }

    /// Keeps a request until its answer; a handed-over session's bridge is told of it if
    /// the answer takes a while.
    fn add_pending(&mut self, id: String, mut pending: Pending, line: &Bytes) {
        if let Some(notes) = self.notes.as_mut() {
            pending.line = Some(line.clone());
            notes.untold.push_back(id.clone());
            let delay = self.context.config.note_delay;
            notes.due.get_or_insert_with(|| Instant::now() + delay);
        }
        self.pending.insert(id, pending);
    }

    /// Tells the bridge `line` at the end of this turn.
    fn tell_now(&mut self, line: &[u8]) {
        if let Some(notes) = self.notes.as_mut() {
            notes.buffer.extend_from_slice(line);
            notes.buffer.push(b'\n');
            notes.due = Some(Instant::now());
        }
    }

    /// A request left the pending set: its bridge, if told of it, is told it is done.
    fn answered(&mut self, id: &str, pending: &Pending) {
        if pending.told
            && let Some(notes) = self.notes.as_mut()
        {
            notes.buffer.extend_from_slice(ANSWERED_PREFIX);
            notes.buffer.extend_from_slice(id.as_bytes());
            notes.buffer.extend_from_slice(b"}\n");
            // At the end of this turn, just after the answer itself: were the daemon to
            // die in between, the bridge would send the request again.
            notes.due = Some(Instant::now());
        }
    }

    /// Sends the bridge what is due: the requests still unanswered, and the answers to
    /// those it was told of.
    async fn send_notes(&mut self) {
        let Some(notes) = self.notes.as_mut() else {
            return;
        };
        let now = Instant::now();
        if notes.due.is_none_or(|due| now < due) {
            return;
        }
        notes.due = None;
        // Oldest first: each request is told once it has waited `note_delay`.
        let delay = self.context.config.note_delay;
        while let Some(id) = notes.untold.front() {
            if let Some(pending) = self.pending.get_mut(id)
                && let Some(line) = &pending.line
            {
                let ripe = pending.started + delay;
                if ripe > now {
                    notes.due = Some(ripe);
                    break;
                }
                notes.buffer.extend_from_slice(line);
                notes.buffer.push(b'\n');
                pending.line = None;
                pending.told = true;
            }
            notes.untold.pop_front();
        }
        if notes.buffer.is_empty() {
            return;
        }
        // A bridge that is gone says so through its closed socket.
        let _ = notes.out.write_all(&notes.buffer).await;
        let _ = notes.out.flush().await;
        notes.buffer.clear();
    }

    async fn on_upstream_line(&mut self, line: Bytes) {
        let Some(envelope) = Envelope::parse(&line) else {
            self.send_client(&line).await;
            return;
        };
        match envelope.kind() {
            Some(kind @ (Kind::Result | Kind::Error)) => {
                let id = envelope.id_text().unwrap_or_default();
                if let Some(own) = self.ours.remove(id) {
                    self.own_answered(own, kind);
                    return;
                }
                let Some(pending) = self.pending.remove(id) else {
                    self.send_client(&line).await;
                    return;
                };
                self.answered(id, &pending);
                if self.state == ServerState::Starting
                    && !self.link.as_ref().is_some_and(|l| l.standin)
                {
                    self.set_state(ServerState::Healthy);
                }
                let from_server = !self.link.as_ref().is_some_and(|l| l.standin);
                let filtered = match (pending.method.as_str(), envelope.result) {
                    ("tools/list", Some(result)) => {
                        // The first page tells the app which tools there are to switch.
                        if from_server
                            && !pending.paged
                            && let Some(tools) = crate::runtime::tools_of(result.get())
                        {
                            self.context.runtimes.set_tools(&self.server, tools);
                        }
                        filter_tools_result(result.get(), &self.policy.disabled_tools)
                    }
                    _ => None,
                };
                let (status, code) = match kind {
                    Kind::Error => (CallStatus::RpcError, envelope.error_code()),
                    _ if envelope.is_tool_error() => (CallStatus::ToolError, None),
                    _ => (CallStatus::Ok, None),
                };
                match filtered {
                    Some(result) => {
                        let reply =
                            response(envelope.id_text().unwrap_or("null"), "result", result);
                        self.send_client(&reply).await;
                        self.record(pending, status, code, reply.len());
                    }
                    None => {
                        self.send_client(&line).await;
                        self.record(pending, status, code, line.len());
                    }
                }
            }
            Some(Kind::Request) if envelope.method() == Some("roots/list") => {
                let id = envelope.id_text().unwrap_or("null").to_owned();
                let reply = response(&id, "result", roots_result(&self.policy.roots));
                self.send_link(&reply).await;
            }
            _ => self.send_client(&line).await,
        }
    }

    fn own_answered(&mut self, own: Own, kind: Kind) {
        if self.link.as_ref().is_some_and(|l| l.standin) {
            return;
        }
        match own {
            Own::Replay if kind == Kind::Result => self.set_state(ServerState::Healthy),
            Own::Replay => {}
            Own::Probe(_) => {
                self.probe = None;
                // Any answer, even an error, shows the server is alive and reading.
                if self.state != ServerState::Healthy {
                    self.set_state(ServerState::Healthy);
                }
            }
        }
    }

    /// The upstream closed its output: a crash, unless it was a stand-in.
    async fn upstream_ended(&mut self) {
        let Some(link) = self.link.take() else { return };
        if link.standin {
            // A stand-in ends only after refusing the handshake (unknown server); a fresh
            // one is made for the next message.
            return;
        }
        let started = link
            .process
            .as_ref()
            .map_or_else(Instant::now, Running::started);
        let exit = stop_link(link, self.context.config.abandon_grace).await;
        self.crash(format!("the server process {exit}"), started)
            .await;
    }

    /// Answers what the dead link owed, then restarts it after a backoff or gives up.
    async fn crash(&mut self, reason: String, started: Instant) {
        let tail = self.context.runtimes.stderr_tail(&self.server, 5);
        let mut message = format!(
            "The server \"{}\" stopped while handling this request ({reason}). Switchboard is \
             restarting it; try again.",
            self.server
        );
        if !tail.is_empty() {
            message.push_str(" Its last output:\n");
            message.push_str(&tail);
        }
        self.fail_pending(-32603, &message).await;
        self.ours.clear();
        self.probe = None;
        let now = Instant::now();
        match self
            .tracker
            .on_exit(&self.context.config.restart, started, now, fastrand::f64())
        {
            Decision::RestartAfter(delay) => {
                tracing::warn!(server = %self.server, session = self.id, ?delay, %reason, "server stopped; restarting");
                self.context.runtimes.note_restart(&self.server, reason);
                self.restart_at = Some(now + delay);
                self.set_state(ServerState::Starting);
            }
            Decision::CrashLoop => {
                tracing::error!(server = %self.server, session = self.id, %reason, "server keeps crashing; not restarting it");
                self.context
                    .runtimes
                    .note_error(&self.server, format!("crash loop: {reason}"));
                self.crashed = Some(tail);
                // The timer connects the stand-in that explains the crash loop.
                self.restart_at = Some(now);
                self.set_state(ServerState::Crashed);
            }
        }
    }

    async fn fail_pending(&mut self, code: i64, message: &str) {
        let pending: Vec<(String, Pending)> = self.pending.drain().collect();
        for (id, request) in pending {
            self.answered(&id, &request);
            let reply = response(&id, "error", json!({"code": code, "message": message}));
            self.send_client(&reply).await;
            self.record(request, CallStatus::RpcError, Some(code), reply.len());
        }
    }

    async fn follow(&mut self, policy: ServerPolicy) {
        let old = std::mem::replace(&mut self.policy, policy);
        let switched = old.availability != self.policy.availability;
        let restarted = old.generation != self.policy.generation;
        // A server that could not start is tried again as soon as how it starts changes
        // (the missing secret was stored, say).
        let retry = self.cannot_start.is_some() && old.revision != self.policy.revision;
        if switched || restarted || retry {
            tracing::info!(server = %self.server, session = self.id, from = ?old.availability, to = ?self.policy.availability, restarted, "server switched or restarted");
            if let Some(link) = self.link.take() {
                let grace = self.context.config.abandon_grace;
                stop_link(link, grace).await;
            }
            let message = match self.policy.availability {
                Availability::On if switched => None,
                Availability::On => Some(format!(
                    "The server \"{}\" was restarted in Switchboard while this request ran; \
                     try again.",
                    self.server
                )),
                Availability::Off => Some(format!(
                    "The server \"{}\" was switched off in Switchboard while this request ran.",
                    self.server
                )),
                Availability::Unknown => Some(format!(
                    "The server \"{}\" was removed from Switchboard while this request ran.",
                    self.server
                )),
            };
            if let Some(message) = message {
                self.fail_pending(-32000, &message).await;
            }
            self.ours.clear();
            self.probe = None;
            self.crashed = None;
            self.cannot_start = None;
            self.tracker.reset();
            self.restart_at = None;
            self.connect().await;
            for list in ["tools", "prompts", "resources"] {
                let method = format!("notifications/{list}/list_changed");
                self.send_client_json(&json!({"jsonrpc": "2.0", "method": method}))
                    .await;
            }
            return;
        }
        if old.disabled_tools != self.policy.disabled_tools {
            self.send_client_json(
                &json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}),
            )
            .await;
        }
        if old.roots != self.policy.roots && self.handshake.initialized {
            self.send_link_json(
                &json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}),
            )
            .await;
        }
    }

    async fn tick(&mut self) {
        let now = Instant::now();
        if self.restart_at.is_some_and(|t| now >= t) {
            self.restart_at = None;
            self.connect().await;
        }
        if now >= self.next_probe {
            self.next_probe = now + self.context.config.probe_every;
            self.probe_now().await;
        }
        // A probe unanswered past its timeout degrades the server until it answers.
        let overdue = self.ours.values().any(|own| {
            matches!(own, Own::Probe(sent) if now.duration_since(*sent) >= self.context.config.probe_timeout)
        });
        if overdue && self.state == ServerState::Healthy {
            self.set_state(ServerState::Degraded);
        }
        if self.probe.is_some() {
            self.next_probe = self.next_probe.min(now + self.context.config.probe_timeout);
        }
    }

    async fn probe_now(&mut self) {
        let ready = self.link.as_ref().is_some_and(|l| !l.standin) && self.probe.is_none();
        if !ready {
            return;
        }
        let request = if self.handshake.initialized {
            let id = self.own_id(Own::Probe(Instant::now()));
            self.probe = Some(id.clone());
            json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
        } else if let Some(meta) = self.handshake.meta.clone() {
            let id = self.own_id(Own::Probe(Instant::now()));
            self.probe = Some(id.clone());
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": {"_meta": meta}})
        } else {
            return;
        };
        self.send_link_json(&request).await;
    }

    fn record(
        &self,
        pending: Pending,
        status: CallStatus,
        error_code: Option<i64>,
        response_bytes: usize,
    ) {
        let record = CallRecord {
            at: pending.at,
            client: self.client.clone(),
            server: self.server.clone(),
            method: pending.method,
            tool: pending.tool,
            duration_us: i64::try_from(pending.started.elapsed().as_micros()).unwrap_or(i64::MAX),
            status,
            error_code,
            request_bytes: i64::try_from(pending.request_bytes).unwrap_or(i64::MAX),
            response_bytes: i64::try_from(response_bytes).unwrap_or(i64::MAX),
            args_preview: None,
        };
        self.context.recorder.push(record, pending.arguments);
    }

    async fn send_client(&mut self, line: &[u8]) {
        if self.client_broken {
            return;
        }
        let Some(out) = self.client_out.as_mut() else {
            return;
        };
        let written = async {
            out.write_all(line).await?;
            out.write_all(b"\n").await
        };
        if written.await.is_err() {
            self.client_broken = true;
        }
    }

    async fn send_client_json(&mut self, value: &Value) {
        let line = serde_json::to_vec(value).unwrap_or_default();
        self.send_client(&line).await;
    }

    async fn send_link(&mut self, line: &[u8]) {
        if let Some(link) = self.link.as_mut() {
            // A write error means the server is gone; its closed output says so next.
            let _ = link.writer.write_all(line).await;
            let _ = link.writer.write_all(b"\n").await;
        }
    }

    async fn send_link_json(&mut self, value: &Value) {
        let line = serde_json::to_vec(value).unwrap_or_default();
        self.send_link(&line).await;
    }

    /// Sends to the link; with none (restarting), holds the message for the next one, or
    /// makes a fresh stand-in when nothing is pending.
    async fn send_link_or_hold(&mut self, line: Bytes) {
        if self.link.is_none() {
            if self.restart_at.is_some() {
                self.held.push(line);
                return;
            }
            self.connect().await;
        }
        self.send_link(&line).await;
    }

    async fn send_link_json_or_hold(&mut self, value: &Value) {
        let line = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
        self.send_link_or_hold(line).await;
    }

    async fn flush(&mut self) {
        if !self.client_broken
            && let Some(out) = self.client_out.as_mut()
            && out.flush().await.is_err()
        {
            self.client_broken = true;
        }
        if let Some(link) = self.link.as_mut() {
            let _ = link.writer.flush().await;
        }
        self.send_notes().await;
    }

    /// Ends the session: records what was never answered, stops the server (gracefully if
    /// the client left politely), and closes the client's side.
    async fn finish(mut self, polite: bool) {
        // Tells the bridge that the daemon stops on purpose, so that it ends too instead of
        // starting a new daemon; a handed-over session's bridge, that the session is over.
        let stopping = self.context.shutdown.is_cancelled();
        if let Some(mut notes) = self.notes.take() {
            // The client sees its stdout end now (the bridge's copy closes as it exits), not
            // once its server has stopped.
            if let Some(mut out) = self.client_out.take() {
                let _ = out.shutdown().await;
            }
            let last = if stopping { STOPPING_LINE } else { CLOSED_LINE };
            let _ = notes.out.write_all(&[last, b"\n"].concat()).await;
            let _ = notes.out.flush().await;
        }
        for (_, pending) in std::mem::take(&mut self.pending) {
            let status = if polite {
                CallStatus::Timeout
            } else {
                CallStatus::Cancelled
            };
            self.record(pending, status, None, 0);
        }
        if let Some(link) = self.link.take() {
            let grace = if polite {
                self.context.config.stop_grace
            } else {
                self.context.config.abandon_grace
            };
            stop_link(link, grace).await;
        }
        self.context.runtimes.end_session(&self.server, self.id);
        // A relayed session's bridge reads this from the client's stream (in a handed-over
        // one, `client_out` is gone and this writes nothing).
        if self.context.shutdown.is_cancelled() {
            self.send_client(STOPPING_LINE).await;
        }
        if let Some(mut out) = self.client_out.take() {
            let _ = out.shutdown().await;
        }
    }
}

/// Closes the server's stdin and stops its process tree in stages; says how it ended.
async fn stop_link(link: Link, grace: Duration) -> String {
    let Link {
        writer,
        process,
        reader,
        ..
    } = link;
    drop(writer);
    drop(reader);
    match process {
        Some(mut process) => match process.stop(grace).await {
            switchboard_supervisor::StopReport::Exited(Some(code)) => {
                format!("exited with code {code}")
            }
            switchboard_supervisor::StopReport::Exited(None) => "was killed".to_owned(),
            switchboard_supervisor::StopReport::Terminated => "had to be terminated".to_owned(),
            switchboard_supervisor::StopReport::Killed => "had to be killed".to_owned(),
        },
        None => "closed its connection".to_owned(),
    }
}

/// Keeps a server's stderr (the last lines for the UI, and the log), with every secret the
/// redactor knows replaced before either sees a line.
fn spawn_stderr_reader(
    runtimes: Runtimes,
    redactor: Redactor,
    server: String,
    stderr: ChildStderr,
) {
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stderr).split(b'\n');
        while let Ok(Some(line)) = lines.next_segment().await {
            let line = redactor.redact_stderr_line(line.strip_suffix(b"\r").unwrap_or(&line));
            tracing::info!(target: "server_stderr", server = %server, "{line}");
            runtimes.push_stderr(&server, &line);
        }
    });
}

/// A JSON-RPC response line with the id given as raw JSON text.
fn response(id: &str, field: &str, value: Value) -> Vec<u8> {
    let id: Value = serde_json::from_str(id).unwrap_or(Value::Null);
    let mut message = json!({"jsonrpc": "2.0", "id": id});
    message[field] = value;
    serde_json::to_vec(&message).unwrap_or_default()
}

fn cancelled_id(envelope: &Envelope<'_>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Params<'a> {
        #[serde(rename = "requestId", borrow)]
        request_id: &'a RawValue,
    }
    let params: Params<'_> = serde_json::from_str(envelope.params?.get()).ok()?;
    Some(params.request_id.get().to_owned())
}

fn request_meta(envelope: &Envelope<'_>) -> Option<Box<RawValue>> {
    #[derive(serde::Deserialize)]
    struct Params<'a> {
        #[serde(rename = "_meta", borrow)]
        meta: Option<&'a RawValue>,
    }
    let params: Params<'_> = serde_json::from_str(envelope.params?.get()).ok()?;
    let meta = params.meta?;
    meta.get()
        .contains("io.modelcontextprotocol/protocolVersion")
        .then(|| meta.to_owned())
}
