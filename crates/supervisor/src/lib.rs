//! Child processes for Switchboard's third-party servers.
//!
//! Owns: starting a server so that its whole process tree can be stopped (also when the
//! daemon itself is killed), stopping it in stages, the restart policy, the health states a
//! server can be in, its recent stderr, and the CPU and memory of its tree.
//! Must not: speak MCP (the gateway does), read the store, or hold secrets beyond handing
//! the environment it is given to the child.
//!
//! On Unix every server runs under a small shim, `switchboard __shim`, which leads the
//! server's process group, adopts its orphaned descendants (Linux: child subreaper) and
//! kills the whole group when the daemon dies (Linux: parent-death signal; elsewhere: it
//! watches its parent). So `npx → npm exec → sh → node` dies as one, even after `kill -9`
//! of the daemon.

mod child;
mod restart;
#[cfg(unix)]
pub mod shim;
mod stats;
mod status;

pub use child::{ChildSpec, Launcher, Running, SpawnError, StopReport};
pub use restart::{Decision, RestartPolicy, RestartTracker};
pub use stats::{TreeSampler, TreeUsage};
pub use status::{ServerState, StderrRing};
