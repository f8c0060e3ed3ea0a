//! VS Code: the user profile's `mcp.json` and a workspace's `.vscode/mcp.json`, JSON with
//! comments, `servers` of `{type: "stdio", command, args, env}` or
//! `{type: "http", url, headers}` entries beside an `inputs` list.

use crate::{
    environment::{Base, Os},
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, EnvReference, Format, KeySegment, Location,
        PathTemplate, Program, ScopeKind, UrlShape,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("servers")];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "vscode",
    display_name: "VS Code",
    format: Format::Jsonc,
    entry: EntryShape {
        stdio_type: Some("stdio"),
        url: Some(UrlShape {
            url_key: "url",
            type_value: Some("http"),
            env_reference: Some(EnvReference::EnvPrefixed),
        }),
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: PathTemplate::new(Base::VsCodeUser, &["mcp.json"]),
            installed_markers: &[PathTemplate::new(Base::VsCodeUser, &[])],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::Project,
            os: ALL_OS,
            file: PathTemplate::new(Base::Project, &[".vscode", "mcp.json"]),
            installed_markers: &[],
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
            source: "code.visualstudio.com/docs/copilot/reference/mcp-configuration (headers; variables ${env:NAME}, ${input:id})",
            version: "docs checked 2026-11-26",
        },
        DocCheck {
            source: "code.visualstudio.com/docs/copilot/reference/mcp-configuration (servers, inputs, stdio/http fields, user profile and .vscode/mcp.json)",
            version: "docs of late 2026 (no client version stated)",
        },
    ],
};
