//! Reaching the daemon: connecting to its socket, starting it first if it is not running
//! (detached, logging to a file), and the control client the CLI and the app use.

use std::{collections::VecDeque, path::PathBuf, process::Stdio, time::Duration};

use serde::de::DeserializeOwned;
use switchboard_gateway::{
    Event,
    endpoint::{self, Endpoint, Hello, Welcome},
    lines::LineReader,
};
use tokio::io::{AsyncWriteExt, ReadHalf, WriteHalf};

use crate::{
    control::{ControlError, ErrorCode, ReplyMessage, Request, RequestMessage},
    paths::Paths,
};

/// Whether to start the daemon when none is running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoStart {
    /// Start it with this `switchboard` executable.
    With(PathBuf),
    No,
}

/// How long a freshly started daemon gets to open its socket.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the daemon (starting it if allowed) and introduces this peer.
pub async fn connect(
    paths: &Paths,
    hello: Hello,
    autostart: &AutoStart,
) -> Result<endpoint::Stream, ControlError> {
    connect_welcomed(paths, hello, autostart)
        .await
        .map(|(stream, _)| stream)
}

/// [`connect`], with the daemon's welcome.
pub async fn connect_welcomed(
    paths: &Paths,
    hello: Hello,
    autostart: &AutoStart,
) -> Result<(endpoint::Stream, Welcome), ControlError> {
    let endpoint = Endpoint::in_dir(&paths.runtime_dir);
    let mut stream = match endpoint.connect().await {
        Ok(stream) => stream,
        Err(_) => match autostart {
            AutoStart::No => {
                return Err(ControlError::new(
                    ErrorCode::Unavailable,
                    "Switchboard's daemon is not running (`switchboard daemon` starts it)",
                ));
            }
            AutoStart::With(exe) => start_and_connect(exe, paths, &endpoint).await?,
        },
    };
    let welcome = endpoint::greet(&mut stream, hello).await.map_err(|e| {
        ControlError::new(
            ErrorCode::Unavailable,
            format!("the daemon did not answer: {e}"),
        )
    })?;
    if !welcome.ok {
        return Err(ControlError::new(
            ErrorCode::Protocol,
            welcome
                .error
                .unwrap_or_else(|| "the daemon refused the connection".into()),
        ));
    }
    Ok((stream, welcome))
}

async fn start_and_connect(
    exe: &std::path::Path,
    paths: &Paths,
    endpoint: &Endpoint,
) -> Result<endpoint::Stream, ControlError> {
    let log = paths.daemon_log();
    let unavailable = |what: String| {
        ControlError::new(
            ErrorCode::Unavailable,
            format!(
                "Switchboard's daemon could not be started: {what}. Its log is {}",
                log.display()
            ),
        )
    };
    switchboard_store::create_private_dir(&paths.data_dir)
        .map_err(|e| unavailable(e.to_string()))?;
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
    }
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .map_err(|e| unavailable(format!("cannot open {}: {e}", log.display())))?;
    let mut command = tokio::process::Command::new(exe);
    command
        .arg("daemon")
        .env("SWITCHBOARD_DATA_DIR", &paths.data_dir)
        .env("SWITCHBOARD_RUNTIME_DIR", &paths.runtime_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .kill_on_drop(false);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .spawn()
        .map_err(|e| unavailable(format!("cannot run {}: {e}", exe.display())))?;
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(stream) = endpoint.connect().await {
            return Ok(stream);
        }
        if let Ok(Some(status)) = child.try_wait() {
            // It may have lost a race to another daemon that is now starting: keep trying
            // until the deadline, but a failed start is reported as such.
            if !status.success() {
                return Err(unavailable(format!("it exited with {status}")));
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(unavailable(format!(
                "it did not open {} in time",
                endpoint.path().display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A control connection.
pub struct ControlClient {
    lines: LineReader<ReadHalf<endpoint::Stream>>,
    write: WriteHalf<endpoint::Stream>,
    next_id: u64,
    events: VecDeque<Event>,
}

impl std::fmt::Debug for ControlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlClient")
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

impl ControlClient {
    pub async fn connect(paths: &Paths, autostart: &AutoStart) -> Result<Self, ControlError> {
        let stream = connect(paths, Hello::Control, autostart).await?;
        let (read, write) = tokio::io::split(stream);
        Ok(Self {
            lines: LineReader::new(read),
            write,
            next_id: 1,
            events: VecDeque::new(),
        })
    }

    /// Sends `request` and waits for its answer. Events that arrive meanwhile are kept for
    /// `next_event`.
    pub async fn call<T: DeserializeOwned>(&mut self, request: Request) -> Result<T, ControlError> {
        let events = &mut VecDeque::new();
        let result = self
            .call_with_events(request, |event| events.push_back(event.clone()))
            .await;
        self.events.append(events);
        result
    }

    /// Sends `request` and waits for its answer, handing each event that arrives meanwhile
    /// (after `Request::Subscribe`) to `on_event` as it comes: progress of a long request.
    pub async fn call_with_events<T: DeserializeOwned>(
        &mut self,
        request: Request,
        mut on_event: impl FnMut(&Event),
    ) -> Result<T, ControlError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut line = serde_json::to_vec(&RequestMessage {
            jsonrpc: "2.0".into(),
            id,
            request,
        })
        .map_err(protocol)?;
        line.push(b'\n');
        self.write.write_all(&line).await.map_err(gone)?;
        self.write.flush().await.map_err(gone)?;
        loop {
            let reply = self
                .read()
                .await?
                .ok_or_else(|| gone("the daemon closed the connection"))?;
            if let Some(event) = reply.params {
                on_event(&event);
                continue;
            }
            if reply.id != Some(id) {
                continue;
            }
            if let Some(error) = reply.error {
                return Err(error);
            }
            return serde_json::from_value(reply.result.unwrap_or_default()).map_err(protocol);
        }
    }

    /// The next event (after `Request::Subscribe`); `None` when the daemon goes away.
    pub async fn next_event(&mut self) -> Result<Option<Event>, ControlError> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        loop {
            match self.read().await? {
                None => return Ok(None),
                Some(ReplyMessage {
                    params: Some(event),
                    ..
                }) => return Ok(Some(event)),
                Some(_) => {}
            }
        }
    }

    async fn read(&mut self) -> Result<Option<ReplyMessage>, ControlError> {
        match self.lines.next_line().await {
            Ok(Some(line)) => serde_json::from_slice(&line).map(Some).map_err(protocol),
            Ok(None) => Ok(None),
            Err(error) => Err(gone(error)),
        }
    }
}

fn protocol(error: impl std::fmt::Display) -> ControlError {
    ControlError::new(
        ErrorCode::Protocol,
        format!("unexpected answer from the daemon: {error}"),
    )
}

fn gone(error: impl std::fmt::Display) -> ControlError {
    ControlError::new(ErrorCode::Unavailable, format!("lost the daemon: {error}"))
}
