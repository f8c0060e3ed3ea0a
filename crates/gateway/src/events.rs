//! What the daemon tells its watchers (the app, `switchboard logs --follow`): one enum on a
//! broadcast channel. A watcher that falls behind misses events and is told how many; the
//! daemon never waits for it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use switchboard_store::StoredCall;
use switchboard_supervisor::{ServerState, TreeUsage};

use crate::stats::ServerStats;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A server's combined state changed.
    ServerState { server: String, state: ServerState },
    /// A call was recorded in the log. Boxed: the channel holds [`channel`]'s slots of the
    /// largest event, allocated up front, and a call is the largest by far.
    Call { call: Box<StoredCall> },
    /// A server was installed, removed, switched on or off, or its tools or grants changed.
    ServerChanged { server: String },
    /// An MCP client (or someone) rewrote a client config file and dropped or altered
    /// entries Switchboard manages there; `action` says what the daemon did about it.
    ClientDrift {
        /// The client's id, such as `claude-desktop`.
        client: String,
        path: PathBuf,
        entries: Vec<DriftedEntry>,
        action: DriftAction,
        /// A sentence for people: what happened and what was done.
        message: String,
    },
    /// An install moved on: `step` is its stage (`check`, `register`, `secrets`,
    /// `folders`, `prepare`, `verify`, `enable`, `clients`), `message` says what happens,
    /// in plain words (an installer's output line, during `prepare`).
    Install {
        server: String,
        step: String,
        message: String,
    },
    /// Every few seconds while someone watches: each installed server's CPU, memory and
    /// call figures.
    Pulse { servers: Vec<ServerPulse> },
    /// To one watcher that fell behind: this many events went by without it (mostly calls),
    /// so what it shows may be out of date. Never broadcast.
    Missed { events: u64 },
}

/// One server's live figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerPulse {
    pub server: String,
    pub usage: TreeUsage,
    pub stats: ServerStats,
}

/// One managed entry a client dropped or altered. No values: they may be secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DriftedEntry {
    /// The entry's name in the client's file.
    pub name: String,
    pub server: String,
    /// `true` when the entry is gone, `false` when it says something else.
    pub dropped: bool,
    /// What differs in an altered entry (`command`, `args`, `env`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// What the daemon did about drift, as the `clients.drift` setting says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DriftAction {
    /// Switchboard's entries were written back.
    Reapplied,
    /// The file was left as it is; the user is told.
    Surfaced,
    /// Putting them back failed (the file no longer parses, say); the message says why.
    Failed,
}

/// The sending side every part of the daemon shares.
pub type Events = tokio::sync::broadcast::Sender<Event>;

/// A channel with room for two of the recorder's batches of calls (it sends each batch in
/// one go, and the next after storing it). Its slots are allocated up front, about 130
/// bytes each: 4,096 of them were half a MiB of the idle daemon.
pub fn channel() -> Events {
    tokio::sync::broadcast::channel(2 * crate::recorder::BATCH).0
}
