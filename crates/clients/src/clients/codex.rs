//! Codex CLI: `~/.codex/config.toml` (or `$CODEX_HOME/config.toml`), TOML, one
//! `[mcp_servers.<name>]` table per server with `command`, `args` and `env`. Comments,
//! key order and table style survive edits.

use crate::{
    environment::Base,
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate,
        ScopeKind,
    },
};

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "codex",
    display_name: "Codex CLI",
    format: Format::Toml,
    entry: EntryShape {
        stdio_type: None,
        url: None,
    },
    locations: &[Location {
        scope: ScopeKind::User,
        os: ALL_OS,
        file: PathTemplate::new(Base::CodexHome, &["config.toml"]),
        installed_markers: &[PathTemplate::new(Base::CodexHome, &[])],
        servers_path: &[KeySegment::Key("mcp_servers")],
    }],
    programs: &[],
    docs: &[DocCheck {
        source: "openai/codex docs/config.md (mcp_servers.<name>: command, args, env) and the codex-wrapper crate (CODEX_HOME/config.toml, forms accepted by --strict-config)",
        version: "Codex CLI 0.145.0",
    }],
};
