//! Gemini CLI: `~/.gemini/settings.json`, JSON with comments (the CLI strips comments
//! before parsing), `mcpServers` of `{command, args, env}` entries beside the CLI's
//! other settings.

use crate::{
    environment::Base,
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate,
        ScopeKind,
    },
};

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "gemini",
    display_name: "Gemini CLI",
    format: Format::Jsonc,
    entry: EntryShape {
        stdio_type: None,
        url: None,
    },
    locations: &[Location {
        scope: ScopeKind::User,
        os: ALL_OS,
        file: PathTemplate::new(Base::Home, &[".gemini", "settings.json"]),
        installed_markers: &[PathTemplate::new(Base::Home, &[".gemini"])],
        servers_path: &[KeySegment::Key("mcpServers")],
    }],
    programs: &[],
    docs: &[DocCheck {
        source: "google-gemini/gemini-cli docs/get-started/configuration.md#mcpservers; packages/cli/src/config/settings.ts (strip-json-comments, comment-preserving writes)",
        version: "gemini-cli main, 2026 (no release stated)",
    }],
};
