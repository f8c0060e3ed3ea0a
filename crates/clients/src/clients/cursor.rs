//! Cursor: `~/.cursor/mcp.json` (user) and `<project>/.cursor/mcp.json`, strict JSON
//! (Cursor rejects trailing commas), `mcpServers` of `{command, args, env}` or
//! `{url, headers}` entries.

use crate::{
    environment::{Base, Os},
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, EnvReference, Format, KeySegment, Location,
        PathTemplate, Program, ScopeKind, UrlShape,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("mcpServers")];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "cursor",
    display_name: "Cursor",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: None,
        url: Some(UrlShape {
            url_key: "url",
            type_value: None,
            env_reference: Some(EnvReference::EnvPrefixed),
        }),
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(Base::Home, &[".cursor", "mcp.json"]),
            installed_markers: &[
                PathTemplate::new(Base::Home, &[".cursor"]),
                PathTemplate::new(Base::MacAppSupport, &["Cursor"]),
                PathTemplate::new(Base::AppData, &["Cursor"]),
                PathTemplate::new(Base::XdgConfig, &["Cursor"]),
            ],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::Project,
            os: ALL_OS,
            file: PathTemplate::new(Base::Project, &[".cursor", "mcp.json"]),
            installed_markers: &[],
            servers_path: SERVERS,
        },
    ],
    programs: &[
        Program {
            os: &[Os::Linux],
            name: "cursor",
        },
        Program {
            os: &[Os::MacOs],
            name: "Cursor",
        },
        Program {
            os: &[Os::Windows],
            name: "Cursor.exe",
        },
    ],
    docs: &[
        DocCheck {
            source: "cursor.com/docs/mcp (url entries: headers expand ${env:NAME})",
            version: "docs checked 2026-11-26",
        },
        DocCheck {
            source: "cursor.com/docs/mcp.md (~/.cursor/mcp.json, .cursor/mcp.json, command/args/env or url/headers), as quoted by integrators",
            version: "docs checked 2026-06-19 (no client version stated)",
        },
        DocCheck {
            source: "github.com/upstash/context7/issues/563 (trailing comma breaks Cursor's mcp.json)",
            version: "Cursor, 2025-08",
        },
    ],
};
