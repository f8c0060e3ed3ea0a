//! Switchboard's catalog: the servers a person can install, and how.
//!
//! - [`server_json`]: the MCP Registry's `server.json` format (schema 2025-12-11), lossless,
//!   with validation that names every problem by its place in the document.
//! - [`meta`]: Switchboard's own data in `_meta["dev.switchboard/catalog"]` (id, kind,
//!   categories, what it can do, which inputs are folders).
//! - [`CatalogEntry`] and [`Catalog`]: the curated catalog shipped inside Switchboard
//!   (`catalog/*.json`, Switchboard's built-ins among them), entries from an MCP Registry,
//!   and entries added by hand ([`manual`]); [`search`] over them.
//! - [`plan`]: an entry plus the user's answers → an [`InstallPlan`] (runtime, command and
//!   arguments, plain environment, secret names with redacted values, folders to grant,
//!   what is missing).
//! - [`registry`]: a read-only client of an MCP Registry's REST API (`/v0.1/servers`,
//!   cursor paging), with timeouts and size caps.
//! - [`bundle`]: MCP Bundles (`.mcpb`): the manifest, platform compatibility, safe
//!   unpacking, and the same kind of install plan.
//!
//! Owns: knowledge of servers before they are installed. Must not: write the store, the
//! keychain or client config files, or start a server (the daemon does, from the plan);
//! must not print a secret's value anywhere.

pub mod bundle;
pub mod catalog;
pub mod entry;
pub mod manual;
pub mod meta;
pub mod placeholder;
pub mod plan;
pub mod registry;
pub mod search;
pub mod server_json;

pub use catalog::{Catalog, CatalogError, Skipped};
pub use entry::{CatalogEntry, EntryError, Origin, Via};
pub use meta::{Access, Category, EntryKind, SwitchboardMeta};
pub use plan::{
    Answers, InstallPlan, Missing, PlanError, PlannedLaunch, SecretValue, Setting, SettingKind,
};
pub use server_json::ServerJson;
