//! Claude Code: user scope is the top-level `mcpServers` of `~/.claude.json` (or
//! `$CLAUDE_CONFIG_DIR/.claude.json`), local scope is `projects["<folder>"].mcpServers` in
//! the same file, project scope is `<project>/.mcp.json`. Strict JSON; entries carry
//! `type: "stdio"` or `type: "http"` as `claude mcp add` writes them. `~/.claude.json`
//! holds much else that is never Switchboard's to touch.

use crate::{
    environment::Base,
    spec::{
        ALL_OS, ClientSpec, DocCheck, EntryShape, EnvReference, Format, KeySegment, Location,
        PathTemplate, ScopeKind, UrlShape,
    },
};

const FILE: PathTemplate = PathTemplate::new(Base::ClaudeConfigDir, &[".claude.json"]);
const MARKERS: &[PathTemplate] = &[PathTemplate::new(Base::ClaudeHome, &[])];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "claude-code",
    display_name: "Claude Code",
    format: Format::Json,
    entry: EntryShape {
        stdio_type: Some("stdio"),
        url: Some(UrlShape {
            url_key: "url",
            type_value: Some("http"),
            env_reference: Some(EnvReference::Braced),
        }),
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: ALL_OS,
            file: FILE,
            installed_markers: MARKERS,
            servers_path: &[KeySegment::Key("mcpServers")],
        },
        Location {
            scope: ScopeKind::Local,
            os: ALL_OS,
            file: FILE,
            installed_markers: MARKERS,
            servers_path: &[
                KeySegment::Key("projects"),
                KeySegment::ProjectPath,
                KeySegment::Key("mcpServers"),
            ],
        },
        Location {
            scope: ScopeKind::Project,
            os: ALL_OS,
            file: PathTemplate::new(Base::Project, &[".mcp.json"]),
            installed_markers: &[],
            servers_path: &[KeySegment::Key("mcpServers")],
        },
    ],
    programs: &[],
    docs: &[
        DocCheck {
            source: "code.claude.com/docs/en/mcp (environment variable expansion in url and headers: ${NAME}, ${NAME:-default}; anthropics/claude-code#51581 reports headers left unexpanded on some versions)",
            version: "docs checked 2026-11-26",
        },
        DocCheck {
            source: "Claude Code MCP docs and anthropics/claude-code#4193 (maintainer: user ~/.claude.json, project .mcp.json, local ~/.claude.json per project path); claude mcp add writes type stdio/http",
            version: "Claude Code 2.1.238 (trailofbits/claude-code-config#55, 2026-08)",
        },
        DocCheck {
            source: "anthropics/claude-code#88418, PrefectHQ/fastmcp#5094 (projects keyed by forward-slash paths on Windows, drive letter in either case)",
            version: "Claude Code 2.1 (2026-08/09)",
        },
    ],
};
