//! `switchboard connect <server>`: the stdio bridge an MCP client launches.
//!
//! It copies JSON-RPC lines between the client (stdin/stdout) and the daemon's socket,
//! starting the daemon if none runs. It reads each line just enough to remember the
//! client's handshake and which requests are still unanswered, so that when the daemon
//! dies it can start a new one, replay the handshake (its answer is swallowed), and send
//! the unanswered requests again: the client sees those calls take a little longer, and
//! nothing else. If no daemon can be reached at all, the bridge answers every request
//! itself with an error that says why, rather than going silent. When the daemon stops on
//! purpose (`switchboard stop`, quitting the app) it says so, and the bridge ends with it.

use std::time::Duration;

use bytes::Bytes;
use switchboard_gateway::{
    endpoint::{Hello, Stream},
    envelope::{Envelope, Kind},
    lines::LineReader,
    session,
};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufWriter};

use crate::{
    client::{AutoStart, connect},
    control::ControlError,
    paths::Paths,
};

/// The server name a bridge gives for the aggregate server (`switchboard connect --all`):
/// every enabled server's tools in one. Not a valid server id, so never an installed one.
pub const AGGREGATE: &str = "*";

/// How many times a lost daemon is looked for before the bridge gives up.
const RECONNECT_ATTEMPTS: u32 = 20;

/// What the bridge remembers of its client.
#[derive(Debug, Default)]
struct Memory {
    /// The client's `initialize` request and its id.
    initialize: Option<(String, Bytes)>,
    initialized: bool,
    /// Requests sent and not yet answered, oldest first.
    in_flight: Vec<(String, Bytes)>,
    /// The id of a replayed `initialize` whose answer the client must not see.
    swallow: Option<String>,
    /// The daemon said it is stopping on purpose: do not start a new one.
    daemon_stopping: bool,
}

impl Memory {
    fn note_client_line(&mut self, line: &Bytes) {
        let Some(envelope) = Envelope::parse(line) else {
            return;
        };
        match envelope.kind() {
            Some(Kind::Request) => {
                let id = envelope.id_text().unwrap_or_default().to_owned();
                if envelope.method() == Some("initialize") {
                    self.initialize = Some((id.clone(), line.clone()));
                }
                self.in_flight.push((id, line.clone()));
            }
            Some(Kind::Notification) if envelope.method() == Some("notifications/initialized") => {
                self.initialized = true;
            }
            _ => {}
        }
    }

    /// Whether the client should see this line from the daemon.
    fn keep_daemon_line(&mut self, line: &[u8]) -> bool {
        if line == session::STOPPING_LINE {
            self.daemon_stopping = true;
            return false;
        }
        let Some(envelope) = Envelope::parse(line) else {
            return true;
        };
        if !matches!(envelope.kind(), Some(Kind::Result | Kind::Error)) {
            return true;
        }
        let id = envelope.id_text().unwrap_or_default();
        if self.swallow.as_deref() == Some(id) {
            self.swallow = None;
            return false;
        }
        self.answered(id.as_bytes());
        true
    }

    /// The request with this id (its JSON text) has its answer: relayed, or in a note from
    /// a daemon that holds the client's stdio.
    fn answered(&mut self, id: &[u8]) {
        if let Some(position) = self
            .in_flight
            .iter()
            .position(|(pending, _)| pending.as_bytes() == id)
        {
            self.in_flight.remove(position);
        }
    }

    /// The lines that bring a new daemon to where the old one was.
    fn replay(&mut self) -> Vec<Bytes> {
        let mut lines = Vec::new();
        let initialize_pending = self
            .initialize
            .as_ref()
            .is_some_and(|(id, _)| self.in_flight.iter().any(|(pending, _)| pending == id));
        if let Some((id, line)) = &self.initialize
            && !initialize_pending
        {
            self.swallow = Some(id.clone());
            lines.push(line.clone());
            if self.initialized {
                lines.push(Bytes::from_static(
                    br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                ));
            }
        }
        lines.extend(self.in_flight.iter().map(|(_, line)| line.clone()));
        lines
    }
}

/// Runs the bridge for `server` until the client closes stdin and every answer is out.
///
/// `stdio` opens this process's stdin and stdout for the bridge to relay. It is called only
/// when the bridge relays: while the daemon holds them (handed over), the bridge does not
/// even watch them.
pub async fn run<R, W>(
    paths: &Paths,
    server: &str,
    autostart: &AutoStart,
    stdio: impl FnOnce() -> (R, W),
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut memory = Memory::default();
    let mut attempt = 0u32;
    // Set only by the handover, which is Linux's.
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut unavailable = None;
    // A connection to relay on, from a daemon that did not take the stdio.
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut first: Option<switchboard_gateway::endpoint::Stream> = None;
    #[cfg(target_os = "linux")]
    if server != AGGREGATE && handover::wanted() {
        match handover::run(paths, server, autostart, &mut memory).await {
            Ok(handover::Ended::Done) => return,
            Ok(handover::Ended::DaemonLost) if handover::nothing_left(&memory) => return,
            Ok(handover::Ended::DaemonLost) => {
                tracing::warn!(server, "lost the daemon; starting it again");
                switchboard_gateway::handover::take_stdio_back();
                attempt = 1;
            }
            Ok(handover::Ended::Declined(stream)) => {
                // A daemon that took a socket and gave it back may have left it
                // non-blocking.
                switchboard_gateway::handover::take_stdio_back();
                first = stream;
            }
            Err(error) => unavailable = Some(error),
        }
    }
    let (stdin, stdout) = stdio();
    let mut client = LineReader::new(stdin);
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let mut stdin_open = true;
    if let Some(error) = unavailable {
        answer_alone(&mut client, &mut out, &mut memory, &error).await;
        return;
    }
    loop {
        let hello = Hello::Bridge {
            server: server.to_owned(),
            resume: attempt > 0,
            handover: false,
        };
        let connected = match first.take() {
            Some(stream) => Ok(stream),
            None => connect(paths, hello, autostart).await,
        };
        let stream = match connected {
            Ok(stream) => stream,
            Err(error) if attempt > 0 && attempt < RECONNECT_ATTEMPTS => {
                attempt += 1;
                tracing::warn!(%error, attempt, "the daemon is not back yet");
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                continue;
            }
            Err(error) => {
                answer_alone(&mut client, &mut out, &mut memory, &error).await;
                return;
            }
        };
        if attempt > 0 {
            tracing::info!(server, "resumed the session with a new daemon");
        }
        match relay(
            stream,
            &mut client,
            &mut out,
            &mut memory,
            &mut stdin_open,
            attempt > 0,
        )
        .await
        {
            Relay::Done => return,
            Relay::DaemonLost => {
                if !stdin_open {
                    return;
                }
                tracing::warn!(server, "lost the daemon; starting it again");
                attempt = 1;
            }
        }
    }
}

enum Relay {
    Done,
    DaemonLost,
}

async fn relay<R, W>(
    stream: Stream,
    client: &mut LineReader<R>,
    out: &mut BufWriter<W>,
    memory: &mut Memory,
    stdin_open: &mut bool,
    resuming: bool,
) -> Relay
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (read, write) = tokio::io::split(stream);
    let mut daemon = LineReader::new(read);
    let mut to_daemon = BufWriter::with_capacity(64 * 1024, write);
    if resuming {
        for line in memory.replay() {
            if write_line(&mut to_daemon, &line).await.is_err() {
                return Relay::DaemonLost;
            }
        }
        if to_daemon.flush().await.is_err() {
            return Relay::DaemonLost;
        }
    }
    loop {
        tokio::select! {
            line = client.next_line(), if *stdin_open => match line {
                Ok(Some(line)) => {
                    memory.note_client_line(&line);
                    let mut sent = write_line(&mut to_daemon, &line).await;
                    while let Some(line) = client.buffered_line() {
                        memory.note_client_line(&line);
                        sent = sent.and(write_line(&mut to_daemon, &line).await);
                    }
                    if sent.and(to_daemon.flush().await).is_err() {
                        return Relay::DaemonLost;
                    }
                }
                _ => {
                    *stdin_open = false;
                    // The daemon delivers what is still due, then closes its side.
                    if to_daemon.shutdown().await.is_err() {
                        return Relay::Done;
                    }
                }
            },
            line = daemon.next_line() => match line {
                Ok(Some(line)) => {
                    let mut written = Ok(());
                    if memory.keep_daemon_line(&line) {
                        written = write_line(out, &line).await;
                    }
                    while let Some(line) = daemon.buffered_line() {
                        if memory.keep_daemon_line(&line) {
                            written = written.and(write_line(out, &line).await);
                        }
                    }
                    if written.and(out.flush().await).is_err() {
                        // The client is gone.
                        return Relay::Done;
                    }
                }
                _ if !*stdin_open || memory.daemon_stopping => return Relay::Done,
                _ => return Relay::DaemonLost,
            },
        }
    }
}

/// The bridge's side of a session on the client's own stdio (`gateway::handover`): the
/// daemon reads and answers the client, and the bridge keeps what it would need to resume
/// the session as a relay.
#[cfg(target_os = "linux")]
mod handover {
    use switchboard_gateway::{
        endpoint::{Hello, Stream},
        handover::{Client, send_stdio, stdio_can_be_handed_over},
        lines::LineReader,
        session::{ANSWERED_PREFIX, CLOSED_LINE, STOPPING_LINE},
    };

    use super::Memory;
    use crate::{
        client::{AutoStart, connect_welcomed},
        control::ControlError,
        paths::Paths,
    };

    pub(super) enum Ended {
        /// The session is over, or the daemon stopped on purpose.
        Done,
        /// The daemon died: the bridge resumes the session as a relay.
        DaemonLost,
        /// The daemon did not take the stdio: the bridge relays, on this connection if the
        /// daemon said so in its welcome (an older daemon).
        Declined(Option<Stream>),
    }

    /// Whether to offer the daemon this process's stdio: it is a pipe or a socket, and
    /// `SWITCHBOARD_BRIDGE=relay` does not ask for the plain relay.
    pub(super) fn wanted() -> bool {
        std::env::var_os("SWITCHBOARD_BRIDGE").is_none_or(|v| v != "relay")
            && stdio_can_be_handed_over()
    }

    /// Whether a session whose daemon vanished has nothing left to resume: its client is
    /// gone, or has stopped sending and waits for no answer.
    pub(super) fn nothing_left(memory: &Memory) -> bool {
        match switchboard_gateway::handover::client() {
            Client::Gone => true,
            Client::DoneSending => memory.in_flight.is_empty(),
            Client::Here => false,
        }
    }

    /// Hands this process's stdio to the daemon, then follows its notes until the session
    /// ends.
    pub(super) async fn run(
        paths: &Paths,
        server: &str,
        autostart: &AutoStart,
        memory: &mut Memory,
    ) -> Result<Ended, ControlError> {
        let hello = Hello::Bridge {
            server: server.to_owned(),
            resume: false,
            handover: true,
        };
        let (stream, welcome) = connect_welcomed(paths, hello, autostart).await?;
        if !welcome.handover {
            return Ok(Ended::Declined(Some(stream)));
        }
        if let Err(error) = send_stdio(&stream).await {
            tracing::warn!(%error, "could not hand the stdio to the daemon; relaying");
            return Ok(Ended::Declined(None));
        }
        let mut daemon = LineReader::new(stream);
        while let Ok(Some(line)) = daemon.next_line().await {
            let mut next = Some(line);
            while let Some(line) = next {
                if let Some(ended) = follow(memory, &line) {
                    return Ok(ended);
                }
                next = daemon.buffered_line();
            }
        }
        Ok(if memory.daemon_stopping {
            Ended::Done
        } else {
            Ended::DaemonLost
        })
    }

    /// Takes one note from the daemon; says when the session has ended.
    fn follow(memory: &mut Memory, line: &[u8]) -> Option<Ended> {
        if line == CLOSED_LINE || line == STOPPING_LINE {
            return Some(Ended::Done);
        }
        if line == switchboard_gateway::session::REFUSED_LINE {
            return Some(Ended::Declined(None));
        }
        match line
            .strip_prefix(ANSWERED_PREFIX)
            .and_then(|rest| rest.strip_suffix(b"}"))
        {
            Some(id) => memory.answered(id),
            None => memory.note_client_line(&bytes::Bytes::copy_from_slice(line)),
        }
        None
    }
}

async fn write_line<W: AsyncWrite + Unpin>(out: &mut W, line: &[u8]) -> std::io::Result<()> {
    out.write_all(line).await?;
    out.write_all(b"\n").await
}

/// With no daemon to talk to, answers every request with an error that says why, until
/// the client leaves.
async fn answer_alone<R, W>(
    client: &mut LineReader<R>,
    out: &mut BufWriter<W>,
    memory: &mut Memory,
    error: &ControlError,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    tracing::error!(%error, "no daemon; answering with errors");
    let message = format!("Switchboard is not available: {error}");
    let mut owed: Vec<String> = memory.in_flight.drain(..).map(|(id, _)| id).collect();
    loop {
        for id in owed.drain(..) {
            let id: serde_json::Value =
                serde_json::from_str(&id).unwrap_or(serde_json::Value::Null);
            let reply = serde_json::json!({"jsonrpc": "2.0", "id": id,
                                           "error": {"code": -32603, "message": message}});
            let line = serde_json::to_vec(&reply).unwrap_or_default();
            if write_line(out, &line).await.and(out.flush().await).is_err() {
                return;
            }
        }
        match client.next_line().await {
            Ok(Some(line)) => {
                if let Some(envelope) = Envelope::parse(&line)
                    && envelope.kind() == Some(Kind::Request)
                {
                    owed.push(envelope.id_text().unwrap_or("null").to_owned());
                }
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Bytes {
        Bytes::copy_from_slice(text.as_bytes())
    }

    #[test]
    fn a_resume_replays_the_handshake_and_resends_what_was_unanswered() {
        let mut memory = Memory::default();
        memory.note_client_line(&line(
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}"#,
        ));
        assert!(memory.keep_daemon_line(br#"{"jsonrpc":"2.0","id":0,"result":{}}"#));
        memory.note_client_line(&line(
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        ));
        memory.note_client_line(&line(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#,
        ));
        memory.note_client_line(&line(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#));
        assert!(memory.keep_daemon_line(br#"{"jsonrpc":"2.0","id":2,"result":{}}"#));

        let replay = memory.replay();
        let methods: Vec<String> = replay
            .iter()
            .map(|l| Envelope::parse(l).unwrap().method().unwrap().to_owned())
            .collect();
        assert_eq!(
            methods,
            ["initialize", "notifications/initialized", "tools/call"]
        );
        assert!(
            !memory.keep_daemon_line(br#"{"jsonrpc":"2.0","id":0,"result":{}}"#),
            "the replayed handshake's answer is swallowed"
        );
        assert!(memory.keep_daemon_line(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#));
        assert!(memory.in_flight.is_empty());
    }

    #[test]
    fn an_unanswered_initialize_is_resent_once_and_its_answer_delivered() {
        let mut memory = Memory::default();
        memory.note_client_line(&line(
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}"#,
        ));
        let replay = memory.replay();
        assert_eq!(replay.len(), 1);
        assert!(
            memory.keep_daemon_line(br#"{"jsonrpc":"2.0","id":0,"result":{}}"#),
            "the client still waits for it"
        );
    }
}
