//! Cline: `cline_mcp_settings.json` in the VS Code extension's global storage
//! (`<VS Code user folder>/globalStorage/saoudrizwan.claude-dev/settings/`), or for the
//! Cline CLI `~/.cline/data/settings/`. Strict JSON, `mcpServers` of
//! `{command, args, env}` entries, to which Cline adds `disabled` and `autoApprove`
//! (kept as they are).

use crate::{
    environment::{Base, Os},
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate,
        Program, ScopeKind,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("mcpServers")];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "cline",
    display_name: "Cline",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: None,
        url: None,
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(
                Base::VsCodeUser,
                &[
                    "globalStorage",
                    "saoudrizwan.claude-dev",
                    "settings",
                    "cline_mcp_settings.json",
                ],
            ),
            installed_markers: &[PathTemplate::new(
                Base::VsCodeUser,
                &["globalStorage", "saoudrizwan.claude-dev"],
            )],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(
                Base::Home,
                &[".cline", "data", "settings", "cline_mcp_settings.json"],
            ),
            installed_markers: &[PathTemplate::new(Base::Home, &[".cline"])],
            servers_path: SERVERS,
        },
    ],
    programs: &[
        Program {
            os: &[Os::Linux],
            name: "code",
        },
        Program {
            os: &[Os::MacOs],
            name: "Code",
        },
        Program {
            os: &[Os::Windows],
            name: "Code.exe",
        },
    ],
    docs: &[
        DocCheck {
            source: "IvanMurzak/Unity-MCP#565 (globalStorage path per OS, global only) and Cline entries with disabled/autoApprove/timeout",
            version: "Cline extension, 2026-03",
        },
        DocCheck {
            source: "github.com/cline/cline/issues/7249 (CLI keeps ~/.cline/data/settings/cline_mcp_settings.json)",
            version: "Cline CLI 1.0.4 / core 3.35.0",
        },
    ],
};
