//! The shape of a client's knowledge, as data: where its config file lives per OS and
//! scope, how installation shows, the file format, the path to its servers map and the
//! shape of one entry. One [`ClientSpec`] per client lives in `clients/<client>.rs`.
//!
//! Owns: the types of that table and the pure rules that read it (owned keys of an entry,
//! which locations apply to a scope and OS). Must not: touch files or hold behaviour that
//! belongs to one client only (that is data in its spec).

use serde::Serialize;

use crate::environment::{Base, Os};

/// How a client's config file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Strict JSON: the client fails on comments and trailing commas, so a file that has
    /// them is reported as malformed rather than edited.
    Json,
    /// JSON with comments and trailing commas (VS Code's flavour); comments survive edits.
    Jsonc,
    /// TOML; comments, key order and table style survive edits.
    Toml,
}

impl Format {
    /// The name people use for it.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Jsonc => "JSON with comments",
            Self::Toml => "TOML",
        }
    }

    /// Whether comments in the file survive Switchboard's edits.
    pub fn keeps_comments(self) -> bool {
        // Strict JSON has none to keep.
        matches!(self, Self::Jsonc | Self::Toml)
    }
}

/// Which of a client's config files: its user-wide one, a project's shared one, or the
/// user's private settings for one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// The user-wide file (Cursor "global", VS Code "user", Claude Code "user").
    User,
    /// A file inside a project folder (Cursor `.cursor/mcp.json`, VS Code workspace
    /// `.vscode/mcp.json`, Claude Code `.mcp.json`).
    Project,
    /// The user's private settings for one project kept in a user-wide file (Claude Code
    /// "local": `projects[<folder>].mcpServers` in `~/.claude.json`).
    Local,
}

impl ScopeKind {
    /// The name people use for it.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Project => "project",
            Self::Local => "local",
        }
    }
}

/// A path below a [`Base`] folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathTemplate {
    pub base: Base,
    pub rel: &'static [&'static str],
}

impl PathTemplate {
    pub const fn new(base: Base, rel: &'static [&'static str]) -> Self {
        Self { base, rel }
    }
}

/// One step of the key path from the file's root to its servers map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySegment {
    /// A fixed key, like `"mcpServers"`.
    Key(&'static str),
    /// The project folder as the client records it (Claude Code: the absolute path with
    /// forward slashes, also on Windows, where the drive letter's case may differ).
    ProjectPath,
}

/// Where one of a client's config files lives, for some OSes and one scope. Several
/// locations for the same scope and OS are candidates in order of preference: the first
/// that shows any sign of life (its file or one of its installed markers exists) wins,
/// else the first. So Claude Desktop's Microsoft Store folder beats a stale classic file
/// that the Store app never reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub scope: ScopeKind,
    pub os: &'static [Os],
    pub file: PathTemplate,
    /// Folders whose existence shows the client is installed (the file counts too).
    pub installed_markers: &'static [PathTemplate],
    /// Key path from the root to the servers map.
    pub servers_path: &'static [KeySegment],
}

/// How a client writes a URL (Streamable HTTP) entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlShape {
    /// The key holding the URL (`"url"`, Windsurf's `"serverUrl"`).
    pub url_key: &'static str,
    /// The `"type"` value it needs, if any (VS Code and Claude Code: `"http"`).
    pub type_value: Option<&'static str>,
    /// How a header value names an environment variable that the client replaces with
    /// the variable's value when it connects; `None` when the client expands none (or
    /// Switchboard does not know that it does).
    pub env_reference: Option<EnvReference>,
}

/// The syntax a client expands in a URL entry's headers to an environment variable's
/// value, so that a file can name a secret without holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvReference {
    /// `${env:NAME}` (Cursor, VS Code, Windsurf).
    EnvPrefixed,
    /// `${NAME}` (Claude Code).
    Braced,
}

impl EnvReference {
    /// The text that stands for variable `name`.
    pub fn reference(self, name: &str) -> String {
        match self {
            Self::EnvPrefixed => format!("${{env:{name}}}"),
            Self::Braced => format!("${{{name}}}"),
        }
    }
}

/// How one entry of the servers map is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryShape {
    /// The `"type"` value a command entry carries, if any (VS Code and Claude Code:
    /// `"stdio"`).
    pub stdio_type: Option<&'static str>,
    /// How URL entries are written; `None` when the client takes no URL entries (or
    /// Switchboard does not write them there).
    pub url: Option<UrlShape>,
}

impl EntryShape {
    /// The keys of an entry that Switchboard writes and so owns: on update they are
    /// replaced or removed, every other key of the entry is kept as it is.
    pub fn owned_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::with_capacity(7);
        if self.stdio_type.is_some() || self.url.is_some_and(|url| url.type_value.is_some()) {
            keys.push("type");
        }
        keys.extend(["command", "args", "env"]);
        if let Some(url) = self.url {
            keys.push(url.url_key);
            keys.push("headers");
        }
        keys
    }
}

/// Which documentation a client's paths and shapes were checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocCheck {
    /// Where the knowledge comes from (documentation page, source file or issue).
    pub source: &'static str,
    /// The client version or document date it was checked against.
    pub version: &'static str,
}

/// The file name of a client's desktop program on some systems (`Cursor.exe`), so that a
/// running one can be found, and quit and reopened after its settings file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Program {
    pub os: &'static [Os],
    pub name: &'static str,
}

/// Everything Switchboard knows about one MCP client, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSpec {
    /// Stable id, e.g. `"claude-desktop"`.
    pub id: &'static str,
    /// The name people know it by, e.g. `"Claude Desktop"`.
    pub display_name: &'static str,
    pub format: Format,
    pub entry: EntryShape,
    pub locations: &'static [Location],
    /// Its desktop program's file names; none for a program that runs in a terminal (a
    /// new session there reads the file again).
    pub programs: &'static [Program],
    pub docs: &'static [DocCheck],
}

impl ClientSpec {
    /// The candidate locations for `scope` on `os`, in order of preference.
    pub fn locations_for(&self, scope: ScopeKind, os: Os) -> impl Iterator<Item = &Location> {
        self.locations
            .iter()
            .filter(move |location| location.scope == scope && location.os.contains(&os))
    }

    /// The file names its desktop program has on `os`.
    pub fn programs_for(&self, os: Os) -> Vec<&'static str> {
        self.programs
            .iter()
            .filter(|program| program.os.contains(&os))
            .map(|program| program.name)
            .collect()
    }

    /// The scopes this client has on `os`.
    pub fn scopes(&self, os: Os) -> Vec<ScopeKind> {
        let mut scopes = Vec::new();
        for location in self.locations.iter().filter(|l| l.os.contains(&os)) {
            if !scopes.contains(&location.scope) {
                scopes.push(location.scope);
            }
        }
        scopes
    }

    /// Whether the client takes URL entries (written as [`EntryShape::url`] says).
    pub fn accepts_urls(&self) -> bool {
        self.entry.url.is_some()
    }
}

/// Every OS.
pub(crate) const ALL_OS: &[Os] = &[Os::MacOs, Os::Windows, Os::Linux];
