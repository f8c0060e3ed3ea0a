//! Claude Desktop: `claude_desktop_config.json`, strict JSON, `mcpServers` of command
//! entries only (it ignores `url` entries). The file also holds the app's own settings.
//! On Windows the Microsoft Store (MSIX) install reads a virtualised copy under its
//! package folder, which wins when that package exists.

use crate::{
    environment::{Base, Os},
    spec::{
        ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate, Program,
        ScopeKind,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("mcpServers")];
const MSIX_PACKAGE: &[&str] = &["Packages", "Claude_pzs8sxrjxfjjc"];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "claude-desktop",
    display_name: "Claude Desktop",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: None,
        url: None,
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: &[Os::MacOs],
            file: PathTemplate::new(
                Base::MacAppSupport,
                &["Claude", "claude_desktop_config.json"],
            ),
            installed_markers: &[PathTemplate::new(Base::MacAppSupport, &["Claude"])],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: &[Os::Windows],
            file: PathTemplate::new(
                Base::LocalAppData,
                &[
                    "Packages",
                    "Claude_pzs8sxrjxfjjc",
                    "LocalCache",
                    "Roaming",
                    "Claude",
                    "claude_desktop_config.json",
                ],
            ),
            installed_markers: &[PathTemplate::new(Base::LocalAppData, MSIX_PACKAGE)],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: &[Os::Windows],
            file: PathTemplate::new(Base::AppData, &["Claude", "claude_desktop_config.json"]),
            installed_markers: &[
                PathTemplate::new(Base::AppData, &["Claude"]),
                PathTemplate::new(Base::LocalAppData, &["AnthropicClaude"]),
            ],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: &[Os::Linux],
            file: PathTemplate::new(Base::XdgConfig, &["Claude", "claude_desktop_config.json"]),
            installed_markers: &[PathTemplate::new(Base::XdgConfig, &["Claude"])],
            servers_path: SERVERS,
        },
    ],
    programs: &[
        Program {
            os: &[Os::MacOs],
            name: "Claude",
        },
        Program {
            os: &[Os::Windows],
            name: "Claude.exe",
        },
        Program {
            os: &[Os::Linux],
            name: "claude-desktop",
        },
    ],
    docs: &[
        DocCheck {
            source: "modelcontextprotocol.io/docs/develop/connect-local-servers (file per OS, mcpServers command/args/env); taiste/harvest-mcp-server#12 (both Windows paths)",
            version: "Claude Desktop 1.3036.0 (Windows 11, 2026-04)",
        },
        DocCheck {
            source: "github.com/anthropics/claude-code/issues/26073 (MSIX install reads %LOCALAPPDATA%\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude)",
            version: "Claude Desktop 1.1.3189.0 MSIX (2026-02)",
        },
    ],
};
