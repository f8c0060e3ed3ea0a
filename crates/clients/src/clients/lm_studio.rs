//! LM Studio: `~/.lmstudio/mcp.json` (some installs keep it in `~/.cache/lm-studio`),
//! strict JSON in Cursor's notation: `mcpServers` of `{command, args, env}` or
//! `{url, headers}` entries.

use crate::{
    environment::{Base, Os},
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate,
        Program, ScopeKind, UrlShape,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("mcpServers")];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "lm-studio",
    display_name: "LM Studio",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: None,
        url: Some(UrlShape {
            url_key: "url",
            type_value: None,
            env_reference: None,
        }),
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(Base::Home, &[".lmstudio", "mcp.json"]),
            installed_markers: &[PathTemplate::new(Base::Home, &[".lmstudio"])],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(Base::Home, &[".cache", "lm-studio", "mcp.json"]),
            installed_markers: &[PathTemplate::new(Base::Home, &[".cache", "lm-studio"])],
            servers_path: SERVERS,
        },
    ],
    programs: &[
        Program {
            os: &[Os::Linux],
            name: "lm-studio",
        },
        Program {
            os: &[Os::MacOs],
            name: "LM Studio",
        },
        Program {
            os: &[Os::Windows],
            name: "LM Studio.exe",
        },
    ],
    docs: &[
        DocCheck {
            source: "lmstudio.ai/docs/app/mcp (mcp.json, Cursor notation, url + headers)",
            version: "LM Studio 0.3.17+",
        },
        DocCheck {
            source: "github.com/lmstudio-ai/lmstudio-bug-tracker/issues/1371 (~/.cache/lm-studio/mcp.json on some installs)",
            version: "LM Studio 0.3.33",
        },
    ],
};
