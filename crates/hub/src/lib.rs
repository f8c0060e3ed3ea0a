//! Switchboard's hub: the daemon, composed of the store, the supervisor and the gateway;
//! the control API the CLI and the app use; and the stdio bridge MCP clients launch.
//!
//! Owns: the control API types and their meaning, which built-in servers exist, where an
//! installation keeps its files, starting the daemon on demand, and which entries of MCP
//! clients' config files are Switchboard's (written through `switchboard-clients`). Must not: depend on
//! any UI toolkit; the app is one more client of the control API.

pub mod bridge;
pub mod builtins;
pub mod client;
pub mod clients;
pub mod control;
pub mod daemon;
mod hub;
pub mod installer;
pub mod packages;
pub mod paths;
pub mod remote;
pub mod settings;

pub use client::{AutoStart, ControlClient};
pub use clients::{
    ClientFileInfo, ClientInfo, ClientTarget, ClientsChange, ClientsOptions, EntryChange,
    EntryChangeKind, FileFailure, FileReport, ImportReport, ImportedEntry, ManagedEntryInfo,
    SkippedEntry,
};
pub use control::{ControlError, DaemonStatus, ErrorCode, Request, ServerInfo};
pub use daemon::{DaemonOptions, Outcome};
pub use hub::{
    FolderRequest, HTTP_TOKEN_OWNER, HttpSettings, HttpStatus, Hub, InstallReport, InstallRequest,
    InstallStep, RegistryListing, RegistryReport, SecretStatus, UninstallReport, http_token_name,
};
pub use paths::Paths;
pub use settings::{Setting, SettingKind, SettingOption};
