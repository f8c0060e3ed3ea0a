//! MCP Bundles (`.mcpb`, the format Claude Desktop extensions use), installable into any
//! client through Switchboard:
//!
//! 1. [`inspect`] a file: every entry's header checked, `manifest.json` read and validated,
//!    this platform checked; nothing written. The install dialog shows
//!    [`settings`] (the bundle's `user_config`).
//! 2. [`unpack`] it into a folder in Switchboard's data folder: written beside the target
//!    and renamed into place, nothing left behind on any error.
//! 3. [`plan`] the install: the same [`InstallPlan`](crate::InstallPlan) a catalog entry
//!    gives, with `mcp_config` filled in for the unpacked folder.
//!
//! Owns: reading bundles. Must not: run anything from a bundle, or download one (a
//! registry's `mcpb` package is downloaded by the caller and checked with [`sha256_hex`]).

mod archive;
mod manifest;
mod plan;

pub use archive::{
    BundleError, Inspected, MANIFEST_FILE, PathProblem, UnpackLimits, Unpacked, entry_path,
    inspect, sha256_hex, unpack,
};
pub use manifest::{
    Author, Compatibility, MANIFEST_VERSIONS, Manifest, ManifestError, ManifestServer, McpConfig,
    McpConfigOverride, Platform, ServerType, UserConfig, UserConfigOption, UserConfigType,
};
pub use plan::{Places, plan, settings};

/// The id a bundle installs under by default (its name, made valid for every client).
pub fn suggested_id(manifest: &Manifest) -> String {
    crate::entry::id_from_name(&manifest.name)
}
