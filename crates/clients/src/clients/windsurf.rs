//! Windsurf: `~/.codeium/windsurf/mcp_config.json`, strict JSON, `mcpServers` of
//! `{command, args, env}` entries; remote entries use `serverUrl` (a Cursor-style `url`
//! does not connect).

use crate::{
    environment::{Base, Os},
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, EnvReference, Format, KeySegment, Location,
        PathTemplate, Program, ScopeKind, UrlShape,
    },
};

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "windsurf",
    display_name: "Windsurf",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: None,
        url: Some(UrlShape {
            url_key: "serverUrl",
            type_value: None,
            env_reference: Some(EnvReference::EnvPrefixed),
        }),
    },
    locations: &[Location {
        scope: ScopeKind::User,
        os: ALL_OS,
        file: PathTemplate::new(Base::Home, &[".codeium", "windsurf", "mcp_config.json"]),
        installed_markers: &[PathTemplate::new(Base::Home, &[".codeium", "windsurf"])],
        servers_path: &[KeySegment::Key("mcpServers")],
    }],
    programs: &[
        Program {
            os: &[Os::Linux],
            name: "windsurf",
        },
        Program {
            os: &[Os::MacOs],
            name: "Windsurf",
        },
        Program {
            os: &[Os::Windows],
            name: "Windsurf.exe",
        },
    ],
    docs: &[
        DocCheck {
            source: "docs.windsurf.com/windsurf/cascade/mcp (config interpolation: ${env:NAME} in serverUrl and headers)",
            version: "docs checked 2026-11-26",
        },
        DocCheck {
            source: "docs.windsurf.com/windsurf/cascade/mcp, as quoted by vendor guides (mcp_config.json, %USERPROFILE% on Windows, serverUrl + headers; a Cursor-style url does not connect)",
            version: "guides reviewed 2026-10-29 (no client version stated)",
        },
    ],
};
