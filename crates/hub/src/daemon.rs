//! The daemon: one per user (a lock file), listening on the local socket, serving bridge
//! sessions through the gateway and control peers through the hub, until asked to stop or
//! signalled; meanwhile it samples usage, tells watchers the figures, prunes the call log
//! and watches the MCP clients' files it wrote to, for drift. On the way out every session
//! ends politely, so every server process tree is stopped, and the call log is flushed.

use std::{
    fs::File,
    io::{Read, Seek, Write},
    time::Duration,
};

use switchboard_gateway::{
    endpoint::{self, Endpoint, Hello, Welcome},
    lines::LineReader,
    session,
};
use switchboard_store::Store;
use switchboard_supervisor::Launcher;
use tokio::{
    io::{AsyncWriteExt, BufWriter},
    sync::mpsc,
    task::JoinSet,
};

use crate::{
    clients::ClientsOptions,
    control::{ControlError, ErrorCode, ReplyMessage, Request, RequestMessage},
    hub::Hub,
    paths::Paths,
};

/// Why the daemon could not run.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("could not prepare {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] switchboard_store::StoreError),
    #[error("{0}")]
    Control(#[from] ControlError),
}

/// How the daemon ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It ran and was stopped.
    Stopped,
    /// Another daemon holds the lock; this one did nothing.
    AlreadyRunning { pid: Option<u32> },
}

/// What a daemon needs to run.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    pub paths: Paths,
    pub launcher: Launcher,
    pub session: switchboard_gateway::SessionConfig,
    /// Scrubs secrets; the CLI shares it with its log writer so log lines are scrubbed too.
    pub redactor: switchboard_secrets::Redactor,
    /// The absolute path of the `switchboard` executable, which the entries Switchboard
    /// writes into MCP clients' config files run (`<it> connect <id>`).
    pub switchboard_exe: std::path::PathBuf,
    /// Where every recorded call is also logged (the CLI's JSON log file), if anywhere.
    pub call_lines: Option<switchboard_gateway::recorder::CallLines>,
}

/// Runs the daemon until it is stopped. Returns at once if another daemon runs.
pub async fn run(options: DaemonOptions) -> Result<Outcome, DaemonError> {
    let paths = options.paths.clone();
    let io = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| DaemonError::Io { path, source }
    };
    create_private_dir(&paths.runtime_dir).map_err(io(&paths.runtime_dir))?;
    let lock_path = paths.lock_file();
    let mut lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    if lock.try_lock().is_err() {
        let mut text = String::new();
        let _ = lock.read_to_string(&mut text);
        return Ok(Outcome::AlreadyRunning {
            pid: text.trim().parse().ok(),
        });
    }
    write_pid(&mut lock).map_err(io(&lock_path))?;

    let store = Store::open_in(&paths.data_dir).await?;
    let hub = Hub::new(
        store.clone(),
        paths.clone(),
        options.launcher,
        options.session,
        options.redactor,
        ClientsOptions::from_process(options.switchboard_exe),
    );
    if let Some(lines) = options.call_lines {
        hub.recorder().log_lines_to(lines);
    }
    hub.prepare().await?;
    let endpoint = Endpoint::in_dir(&paths.runtime_dir);
    let listener = endpoint.bind().map_err(io(endpoint.path()))?;
    tracing::info!(socket = %endpoint.path().display(), pid = std::process::id(), "daemon listening");

    let shutdown = hub.shutdown_token().clone();
    let writer = tokio::spawn(hub.recorder().clone().run_writer(
        store.clone(),
        hub.events().clone(),
        {
            let shutdown = shutdown.clone();
            async move { shutdown.cancelled().await }
        },
    ));
    tokio::spawn(sample_usage(hub.clone()));
    tokio::spawn(prune_calls(hub.clone()));
    let http = tokio::spawn(hub.clone().serve_http());
    let client_files = tokio::spawn(hub.clone().watch_client_files());
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            interrupted().await;
            tracing::info!("signal received; stopping");
            shutdown.cancel();
        }
    });

    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(stream) => {
                    connections.spawn(serve_peer(hub.clone(), stream));
                }
                Err(error) => tracing::warn!(%error, "could not accept a peer"),
            },
            () = shutdown.cancelled() => break,
            Some(_) = connections.join_next() => {}
        }
    }

    // Sessions see the cancelled token and end politely, stopping their servers.
    let drained = tokio::time::timeout(Duration::from_secs(15), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("some sessions did not end in time; stopping anyway");
        connections.shutdown().await;
    }
    let _ = http.await;
    hub.close_aggregate().await;
    let _ = writer.await;
    let _ = client_files.await;
    hub.shutdown_builtins();
    let _ = std::fs::remove_file(endpoint.path());
    store.close().await;
    tracing::info!("daemon stopped");
    Ok(Outcome::Stopped)
}

fn write_pid(lock: &mut File) -> std::io::Result<()> {
    lock.set_len(0)?;
    lock.rewind()?;
    write!(lock, "{}", std::process::id())?;
    lock.flush()
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Samples CPU and memory, then tells watchers the figures, every few seconds.
async fn sample_usage(hub: Hub) {
    let mut sampler = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(Hub::SAMPLE_EVERY) => {
                hub.sample_usage(&mut sampler).await;
                if let Err(error) = hub.pulse().await {
                    tracing::warn!(%error, "could not gather the servers' figures");
                }
            }
            () = hub.shutdown_token().cancelled() => return,
        }
    }
}

/// Deletes calls older than the retention setting now and then every hour.
async fn prune_calls(hub: Hub) {
    const EVERY: Duration = Duration::from_secs(60 * 60);
    loop {
        match hub.prune_calls().await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "deleted calls older than the retention setting"),
            Err(error) => tracing::warn!(%error, "could not prune the call log"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = hub.shutdown_token().cancelled() => return,
        }
    }
}

/// Serves one peer: a bridge session or a control connection.
async fn serve_peer(hub: Hub, mut stream: endpoint::Stream) {
    let hello =
        match tokio::time::timeout(Duration::from_secs(5), endpoint::read_hello(&mut stream)).await
        {
            Ok(Ok(hello)) => hello,
            Ok(Err(reason)) => {
                let _ = endpoint::write_welcome(&mut stream, &Welcome::refused(reason)).await;
                return;
            }
            Err(_) => return,
        };
    let welcome = Welcome {
        // Linux daemons take a bridge's stdio when it offers (`gateway::handover`).
        handover: cfg!(target_os = "linux")
            && matches!(hello, Hello::Bridge { handover: true, .. }),
        ..Welcome::ok()
    };
    if endpoint::write_welcome(&mut stream, &welcome)
        .await
        .is_err()
    {
        return;
    }
    match hello {
        Hello::Bridge { server, .. } if server == crate::bridge::AGGREGATE => {
            serve_aggregate(hub, stream).await;
        }
        #[cfg(target_os = "linux")]
        Hello::Bridge {
            server,
            resume,
            handover: true,
        } => serve_handed_over(hub, stream, server, resume).await,
        Hello::Bridge { server, resume, .. } => {
            let id = hub.next_session_id();
            tracing::info!(server = %server, session = id, resume, "session opened");
            let policy = hub.policy(&server).await;
            let (read, write) = tokio::io::split(stream);
            session::run(
                hub.session_context(),
                id,
                server.clone(),
                policy,
                read,
                write,
            )
            .await;
            tracing::info!(server = %server, session = id, "session closed");
        }
        Hello::Control => serve_control(hub, stream).await,
    }
}

/// A session on the client's own stdio, handed over by its bridge: the daemon reads and
/// answers the client itself, and the socket carries only notes to the bridge.
#[cfg(target_os = "linux")]
async fn serve_handed_over(hub: Hub, stream: endpoint::Stream, server: String, resume: bool) {
    use switchboard_gateway::handover;
    use tokio::io::AsyncReadExt;
    let (client_read, client_write) = match handover::receive_stdio(&stream).await {
        Ok(stdio) => stdio,
        Err(error) => {
            tracing::warn!(%error, "could not take a bridge's stdio; it relays instead");
            let mut stream = stream;
            let line = [session::REFUSED_LINE, b"\n"].concat();
            let _ = stream.write_all(&line).await;
            return;
        }
    };
    let id = hub.next_session_id();
    tracing::info!(server = %server, session = id, resume, "session opened on the client's stdio");
    let (mut from_bridge, to_bridge) = stream.into_split();
    let left = tokio_util::sync::CancellationToken::new();
    // The bridge sends nothing more: its socket closing means it is gone.
    let watch = tokio::spawn({
        let left = left.clone();
        async move {
            let mut sink = [0u8; 64];
            while matches!(from_bridge.read(&mut sink).await, Ok(n) if n > 0) {}
            left.cancel();
        }
    });
    let policy = hub.policy(&server).await;
    session::run_as(
        hub.session_context(),
        id,
        (server.clone(), "unknown".to_owned()),
        policy,
        client_read,
        client_write,
        Some(session::BridgeLink {
            notes: Box::new(to_bridge),
            left,
        }),
    )
    .await;
    watch.abort();
    tracing::info!(server = %server, session = id, "session closed");
}

/// `switchboard connect --all`: the aggregate server over the socket, until the client or
/// the daemon goes.
async fn serve_aggregate(hub: Hub, stream: endpoint::Stream) {
    use rmcp::ServiceExt;
    tracing::info!("aggregate session opened");
    let running = match hub.aggregate().serve(stream).await {
        Ok(running) => running,
        Err(error) => {
            tracing::warn!(%error, "the aggregate session did not start");
            return;
        }
    };
    let token = running.cancellation_token();
    tokio::select! {
        _ = running.waiting() => {}
        () = hub.shutdown_token().cancelled() => token.cancel(),
    }
    tracing::info!("aggregate session closed");
}

/// Answers control requests one line at a time; events go out on the same connection after
/// `subscribe`. One writer task owns the write side.
async fn serve_control(hub: Hub, stream: endpoint::Stream) {
    let (read, write) = tokio::io::split(stream);
    let (out, mut outbox) = mpsc::channel::<ReplyMessage>(1024);
    let writer = tokio::spawn(async move {
        let mut write = BufWriter::new(write);
        while let Some(message) = outbox.recv().await {
            let Ok(mut line) = serde_json::to_vec(&message) else {
                continue;
            };
            line.push(b'\n');
            if write.write_all(&line).await.is_err() {
                return;
            }
            if outbox.is_empty() && write.flush().await.is_err() {
                return;
            }
        }
    });
    let mut lines = LineReader::new(read);
    let mut subscribed = false;
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line,
            () = hub.shutdown_token().cancelled() => break,
        };
        let Ok(Some(line)) = line else { break };
        let message: RequestMessage = match serde_json::from_slice(&line) {
            Ok(message) => message,
            Err(error) => {
                let reply = failure(
                    None,
                    ControlError::new(
                        ErrorCode::Protocol,
                        format!("not a control request: {error}"),
                    ),
                );
                if out.send(reply).await.is_err() {
                    break;
                }
                continue;
            }
        };
        let id = message.id;
        let stop = message.request == Request::Stop;
        if message.request == Request::Subscribe && !subscribed {
            subscribed = true;
            tokio::spawn(forward_events(hub.events().subscribe(), out.clone()));
        }
        let reply = match dispatch(&hub, message.request).await {
            Ok(result) => ReplyMessage {
                jsonrpc: "2.0".into(),
                id: Some(id),
                result: Some(result),
                error: None,
                method: None,
                params: None,
            },
            Err(error) => failure(Some(id), error),
        };
        if out.send(reply).await.is_err() {
            break;
        }
        if stop {
            tracing::info!("stop requested");
            hub.shutdown_token().cancel();
        }
    }
    drop(out);
    let _ = writer.await;
}

/// Sends every event to a subscribed peer (subscribed before the reply to `subscribe`, so
/// nothing after it is missed).
async fn forward_events(
    mut events: tokio::sync::broadcast::Receiver<switchboard_gateway::Event>,
    out: mpsc::Sender<ReplyMessage>,
) {
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            () = out.closed() => return,
        };
        let event = match event {
            Ok(event) => event,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "a watcher fell behind");
                switchboard_gateway::Event::Missed { events: missed }
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let message = ReplyMessage {
            jsonrpc: "2.0".into(),
            id: None,
            result: None,
            error: None,
            method: Some("event".into()),
            params: Some(event),
        };
        if out.send(message).await.is_err() {
            return;
        }
    }
}

fn failure(id: Option<u64>, error: ControlError) -> ReplyMessage {
    ReplyMessage {
        jsonrpc: "2.0".into(),
        id,
        result: None,
        error: Some(error),
        method: None,
        params: None,
    }
}

async fn dispatch(hub: &Hub, request: Request) -> Result<serde_json::Value, ControlError> {
    fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ControlError> {
        serde_json::to_value(value)
            .map_err(|e| ControlError::new(ErrorCode::Protocol, e.to_string()))
    }
    match request {
        Request::Status => json(&hub.status().await?),
        Request::ListServers => json(&hub.list_servers().await?),
        Request::GetServer { id } => json(&hub.get_server(&id).await?),
        Request::AddServer { id, name, launch } => json(&hub.add_server(&id, name, launch).await?),
        Request::RemoveServer { id } => json(&hub.remove_server(&id).await?),
        Request::RestartServer { id } => json(&hub.restart_server(&id).await?),
        Request::ListTools { id } => json(&hub.tools(&id).await?),
        Request::ServerStats { id } => json(&hub.server_stats(id.as_deref()).await?),
        Request::SetEnabled { id, enabled } => json(&hub.set_enabled(&id, enabled).await?),
        Request::SetToolEnabled {
            server,
            tool,
            enabled,
        } => json(&hub.set_tool_enabled(&server, &tool, enabled).await?),
        Request::ListGrants { server } => json(&hub.list_grants(server.as_deref()).await?),
        Request::Grant {
            path,
            access,
            server,
        } => json(&hub.grant(&path, access, server.as_deref()).await?),
        Request::Revoke { id } => json(&hub.revoke(id).await?),
        Request::RecentCalls { query } => json(&hub.recent_calls(&query).await?),
        Request::Settings => json(&hub.settings().await?),
        Request::SetSetting { key, value } => json(&hub.set_setting(&key, value).await?),
        Request::ListPrompts => json(&hub.prompts().await?),
        Request::SavePrompt { template } => json(&hub.save_prompt(template).await?),
        Request::RemovePrompt { name } => json(&hub.remove_prompt(&name).await?),
        Request::SqlWrites { limit } => json(&hub.sql_writes(limit).await?),
        Request::Secrets { server } => json(&hub.secrets(server.as_deref()).await?),
        Request::SecretStored { server, name } => json(&hub.secret_stored(&server, &name).await?),
        Request::SecretDeleted { server, name } => json(&hub.secret_deleted(&server, &name).await?),
        Request::HttpStatus => json(&hub.http_status().await?),
        Request::RotateHttpToken => json(&hub.rotate_http_token().await?),
        Request::ListClients => json(&hub.list_clients().await?),
        Request::InstallServer { id, into } => json(&hub.install_server(&id, &into).await?),
        Request::UninstallServer { id, from } => {
            json(&hub.uninstall_server(&id, from.as_deref()).await?)
        }
        Request::ImportClient { from } => json(&hub.import_client(&from).await?),
        Request::Install(request) => json(&hub.install(request).await?),
        Request::Uninstall { id } => json(&hub.uninstall(&id).await?),
        Request::RefreshRegistry { url } => json(&hub.refresh_registry(url).await?),
        Request::RegistryListing => json(&hub.registry_listing().await?),
        Request::ForgetRegistry => json(&hub.forget_registry().await?),
        Request::Subscribe | Request::Stop => Ok(serde_json::Value::Bool(true)),
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM or SIGHUP.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use switchboard_gateway::Event;

    use super::*;

    #[tokio::test]
    async fn a_watcher_that_falls_behind_is_told_how_many_events_it_missed() {
        let changed = |n: usize| Event::ServerChanged {
            server: format!("s{n}"),
        };
        let (events, watcher) = tokio::sync::broadcast::channel(4);
        for n in 0..10 {
            events.send(changed(n)).unwrap();
        }
        let (out, mut received) = mpsc::channel(16);
        let forwarder = tokio::spawn(forward_events(watcher, out));
        let first = received.recv().await.unwrap().params;
        assert_eq!(first, Some(Event::Missed { events: 6 }));
        for n in 6..10 {
            assert_eq!(received.recv().await.unwrap().params, Some(changed(n)));
        }
        drop(events);
        forwarder.await.unwrap();
    }
}
