//! What the window hears from the daemon: its events gathered into one typed batch every
//! 100 ms (so a thousand calls a second cost ten messages, not a thousand), and whether the
//! daemon can be reached. The same batches tell the tray and the notifications what changed.
//! Must not: filter or interpret calls for display; the window does that.

use std::{path::PathBuf, time::Duration};

use serde::{Deserialize, Serialize};
use switchboard_gateway::{DriftAction, Event, ServerPulse};
use switchboard_store::StoredCall;
use switchboard_supervisor::ServerState;
use tauri::{AppHandle, Runtime};
use tauri_specta::Event as _;
use tokio::sync::mpsc;

use crate::daemon::DaemonLink;

/// How often gathered events go to the window.
pub const BATCH_EVERY: Duration = Duration::from_millis(100);
/// Most calls one batch carries; beyond that the window is told how many it missed and reads
/// them from the log when it wants them.
pub const MAX_CALLS_PER_BATCH: usize = 1_000;

/// The daemon's events of the last moments, newest last.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct DaemonBatch {
    /// Calls recorded, oldest first.
    pub calls: Vec<StoredCall>,
    /// Calls recorded but not carried, because there were too many at once.
    pub missed_calls: u32,
    /// Servers whose combined state changed, with the new state (the last one each).
    pub states: Vec<StateChange>,
    /// Servers installed, removed, switched or otherwise changed.
    pub changed: Vec<String>,
    /// The newest figures of every server, if new ones came.
    pub pulse: Option<Vec<ServerPulse>>,
    /// Client config files that were rewritten behind Switchboard's back, oldest first.
    pub drifts: Vec<ClientDrift>,
    /// Installs that moved on: the newest step of each server being installed.
    pub installs: Vec<InstallStep>,
    /// Events went by without the app (it fell behind the daemon): what it shows of the
    /// servers may be out of date, so it reads them again.
    pub resync: bool,
}

/// A client rewrote its config file and dropped or altered Switchboard's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClientDrift {
    /// The client's id, such as `claude-desktop`.
    pub client: String,
    pub path: PathBuf,
    /// What the daemon did about it.
    pub action: DriftAction,
    /// What happened and what was done, in plain words.
    pub message: String,
}

/// Where an install stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct InstallStep {
    pub server: String,
    pub step: String,
    pub message: String,
}

/// A server's new combined state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct StateChange {
    pub server: String,
    pub state: ServerState,
}

/// Whether the app can reach the daemon.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct DaemonConnection {
    pub connected: bool,
    /// Why not, in plain words, when not connected.
    pub problem: Option<String>,
}

impl DaemonBatch {
    /// Adds one event, merging what can be merged.
    pub fn push(&mut self, event: Event) {
        match event {
            Event::Call { call } => {
                if self.calls.len() < MAX_CALLS_PER_BATCH {
                    self.calls.push(*call);
                } else {
                    self.missed_calls = self.missed_calls.saturating_add(1);
                }
            }
            Event::ServerState { server, state } => {
                self.states.retain(|change| change.server != server);
                self.states.push(StateChange { server, state });
            }
            Event::ServerChanged { server } => {
                if !self.changed.contains(&server) {
                    self.changed.push(server);
                }
            }
            Event::Pulse { servers } => self.pulse = Some(servers),
            Event::ClientDrift {
                client,
                path,
                action,
                message,
                ..
            } => self.drifts.push(ClientDrift {
                client,
                path,
                action,
                message,
            }),
            // Mostly calls: the call log says that many were left out. A server's change
            // may have gone with them.
            Event::Missed { events } => {
                let events = u32::try_from(events).unwrap_or(u32::MAX);
                self.missed_calls = self.missed_calls.saturating_add(events);
                self.resync = true;
            }
            Event::Install {
                server,
                step,
                message,
            } => {
                self.installs.retain(|install| install.server != server);
                self.installs.push(InstallStep {
                    server,
                    step,
                    message,
                });
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
            && self.missed_calls == 0
            && self.states.is_empty()
            && self.changed.is_empty()
            && self.pulse.is_none()
            && self.drifts.is_empty()
            && self.installs.is_empty()
            && !self.resync
    }

    /// Whether the servers' list or states changed (the tray then redraws).
    pub fn touches_servers(&self) -> bool {
        !self.states.is_empty() || !self.changed.is_empty() || self.resync
    }
}

/// Something the rest of the app does with each batch (the tray, the notifications).
pub trait BatchListener<R: Runtime>: Send + Sync + 'static {
    fn on_batch(&self, app: &AppHandle<R>, batch: &DaemonBatch);
    fn on_connection(&self, app: &AppHandle<R>, connection: &DaemonConnection);
}

/// Watches the daemon for as long as the app runs: forwards batches to the window and to
/// `listener`, reconnecting (and restarting the daemon) when the connection is lost.
pub async fn forward<R: Runtime>(
    app: AppHandle<R>,
    link: DaemonLink,
    listener: impl BatchListener<R>,
) {
    let mut backoff = Duration::from_millis(250);
    loop {
        let problem = match link.watch().await {
            Ok(client) => {
                backoff = Duration::from_millis(250);
                tell(
                    &app,
                    &listener,
                    &DaemonConnection {
                        connected: true,
                        problem: None,
                    },
                );
                relay(&app, client, &listener).await;
                "Switchboard's daemon stopped; starting it again.".to_owned()
            }
            Err(error) => error.message,
        };
        tell(
            &app,
            &listener,
            &DaemonConnection {
                connected: false,
                problem: Some(problem),
            },
        );
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

fn tell<R: Runtime>(
    app: &AppHandle<R>,
    listener: &impl BatchListener<R>,
    connection: &DaemonConnection,
) {
    listener.on_connection(app, connection);
    if let Err(error) = connection.emit(app) {
        tracing::warn!(%error, "could not tell the window about the daemon connection");
    }
}

/// Relays one connection's events until it ends.
async fn relay<R: Runtime>(
    app: &AppHandle<R>,
    mut client: switchboard_hub::ControlClient,
    listener: &impl BatchListener<R>,
) {
    // A reader task owns the connection, so that the batching below never cancels a read.
    let (events, mut inbox) = mpsc::channel::<Event>(8_192);
    let reader = tokio::spawn(async move {
        while let Ok(Some(event)) = client.next_event().await {
            if events.send(event).await.is_err() {
                return;
            }
        }
    });
    let mut batch = DaemonBatch::default();
    let mut ticker = tokio::time::interval(BATCH_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = inbox.recv() => match event {
                Some(event) => batch.push(event),
                None => break,
            },
            _ = ticker.tick() => {
                if !batch.is_empty() {
                    send(app, listener, &std::mem::take(&mut batch));
                }
            }
        }
    }
    if !batch.is_empty() {
        send(app, listener, &batch);
    }
    reader.abort();
}

fn send<R: Runtime>(app: &AppHandle<R>, listener: &impl BatchListener<R>, batch: &DaemonBatch) {
    listener.on_batch(app, batch);
    if let Err(error) = batch.emit(app) {
        tracing::warn!(%error, "could not send events to the window");
    }
}

#[cfg(test)]
mod tests {
    use switchboard_store::{CallRecord, CallStatus};

    use super::*;

    fn call(id: i64) -> Event {
        Event::Call {
            call: Box::new(StoredCall {
                id,
                record: CallRecord {
                    at: id,
                    client: "claude-ai".into(),
                    server: "files".into(),
                    method: "tools/call".into(),
                    tool: Some("read_file".into()),
                    duration_us: 100,
                    status: CallStatus::Ok,
                    error_code: None,
                    request_bytes: 10,
                    response_bytes: 10,
                    args_preview: None,
                },
            }),
        }
    }

    #[test]
    fn a_batch_keeps_calls_in_order_and_the_last_state_of_each_server() {
        let mut batch = DaemonBatch::default();
        assert!(batch.is_empty());
        batch.push(call(1));
        batch.push(Event::ServerState {
            server: "files".into(),
            state: ServerState::Starting,
        });
        batch.push(call(2));
        batch.push(Event::ServerState {
            server: "files".into(),
            state: ServerState::Healthy,
        });
        batch.push(Event::ServerChanged {
            server: "files".into(),
        });
        batch.push(Event::ServerChanged {
            server: "files".into(),
        });
        let ids: Vec<i64> = batch.calls.iter().map(|c| c.id).collect();
        assert_eq!(ids, [1, 2], "calls oldest first");
        assert_eq!(
            batch.states,
            [StateChange {
                server: "files".into(),
                state: ServerState::Healthy
            }],
            "only the newest state of a server"
        );
        assert_eq!(batch.changed, ["files"], "a change is told once");
        assert!(batch.touches_servers());
    }

    #[test]
    fn a_flood_of_calls_is_capped_and_the_rest_counted() {
        let mut batch = DaemonBatch::default();
        for id in 0..(MAX_CALLS_PER_BATCH as i64 + 250) {
            batch.push(call(id));
        }
        assert_eq!(batch.calls.len(), MAX_CALLS_PER_BATCH);
        assert_eq!(batch.missed_calls, 250, "the window knows what it missed");
        assert!(
            !batch.touches_servers(),
            "calls alone do not redraw the tray"
        );
    }

    #[test]
    fn events_the_daemon_says_went_by_count_as_left_out() {
        let mut batch = DaemonBatch::default();
        batch.push(Event::Missed { events: 700 });
        assert!(!batch.is_empty(), "the window is told");
        assert_eq!(batch.missed_calls, 700);
        assert!(
            batch.resync && batch.touches_servers(),
            "and reads the servers again"
        );
    }

    #[test]
    fn only_the_newest_pulse_is_kept() {
        let mut batch = DaemonBatch::default();
        batch.push(Event::Pulse { servers: vec![] });
        let newer = vec![ServerPulse {
            server: "calc".into(),
            usage: Default::default(),
            stats: switchboard_gateway::stats::Window::default().stats("calc", 0),
        }];
        batch.push(Event::Pulse {
            servers: newer.clone(),
        });
        assert_eq!(batch.pulse, Some(newer));
    }
}
