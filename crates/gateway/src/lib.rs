//! Switchboard's gateway: every client session passes through here.
//!
//! Owns: the local socket (who may connect, and the first line a peer sends), the relay of
//! one MCP session between a client and its server (both protocol eras, as the two ends
//! negotiate them), recording every request/response pair into the call log, switching a
//! server or one of its tools off at once, answering `roots/list` with the server's folder
//! grants, health probes, and restarting a crashed server process with its handshake
//! replayed; the HTTP endpoint in front of the same sessions, the call counters behind
//! `/metrics`, and the call figures (rate, errors, latency) of every server. Must not:
//! decide policy (the hub publishes it), open the keychain, or touch
//! client config files.

pub mod aggregate;
pub mod endpoint;
pub mod envelope;
pub mod events;
#[cfg(target_os = "linux")]
pub mod handover;
pub mod http;
pub mod lines;
pub mod metrics;
pub mod policy;
pub mod preview;
pub mod recorder;
pub mod runtime;
pub mod session;
pub mod standin;
pub mod stats;

pub use events::{DriftAction, DriftedEntry, Event, Events, ServerPulse};
pub use policy::{Availability, Root, ServerPolicy};
pub use recorder::Recorder;
pub use runtime::{RuntimeView, Runtimes, SessionId, SessionView, ToolView};
pub use session::{Opening, SessionConfig, SessionContext, Upstream, UpstreamError, Upstreams};
pub use standin::{Absence, Standin};
pub use stats::{CallStats, ServerStats, StatsPoint};
