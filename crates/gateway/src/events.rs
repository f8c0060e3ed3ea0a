//! What the daemon tells its watchers (the app, `switchboard logs --follow`): one enum on a
//! broadcast channel. A watcher that falls behind misses events and is told how many; the
//! daemon never waits for it.

use serde::{Deserialize, Serialize};
use switchboard_store::StoredCall;
use switchboard_supervisor::{ServerState, TreeUsage};

use crate::stats::ServerStats;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A server's combined state changed.
    ServerState { server: String, state: ServerState },
    /// A call was recorded in the log.
    Call { call: StoredCall },
    /// A server was installed, removed, switched on or off, or its tools or grants changed.
    ServerChanged { server: String },
    /// Every few seconds while someone watches: each installed server's CPU, memory and
    /// call figures.
    Pulse { servers: Vec<ServerPulse> },
}

/// One server's live figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerPulse {
    pub server: String,
    pub usage: TreeUsage,
    pub stats: ServerStats,
}

/// The sending side every part of the daemon shares.
pub type Events = tokio::sync::broadcast::Sender<Event>;

/// A channel with room for bursts of calls.
pub fn channel() -> Events {
    tokio::sync::broadcast::channel(4096).0
}
