//! The clients crate on real files in temp HOMEs: every client's fixtures (real-world
//! shapes, comments, unknown keys, other servers, Windows paths, empty, missing and
//! malformed files) through install and uninstall with snapshots of the results;
//! collisions; URL entries; drift; import with secret detection; crash injection
//! (failing steps and killed processes); the watcher; and property tests over thousands
//! of random configs and install/uninstall sequences.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

mod collisions;
mod crash;
mod detection;
mod drift;
mod files;
mod fixtures;
mod import;
mod malformed;
mod properties;
mod support;
mod url_entries;
mod watch;
