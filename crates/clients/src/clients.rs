//! The table of MCP clients Switchboard writes to: one module per client, each holding
//! that client's knowledge as a [`ClientSpec`] constant (paths per OS and scope, how
//! installation shows, format, servers key path, entry shape, the docs it was checked
//! against).
//!
//! Owns: the data. Must not: hold logic; rules that read the data live in `spec`,
//! `location` and `edit`.

mod claude_code;
mod claude_desktop;
mod cline;
mod codex;
mod cursor;
mod gemini;
mod lm_studio;
mod vscode;
mod windsurf;
mod zed;

use crate::spec::ClientSpec;

static ALL: [&ClientSpec; 10] = [
    &claude_desktop::SPEC,
    &cursor::SPEC,
    &vscode::SPEC,
    &windsurf::SPEC,
    &claude_code::SPEC,
    &lm_studio::SPEC,
    &cline::SPEC,
    &codex::SPEC,
    &gemini::SPEC,
    &zed::SPEC,
];

/// Every client Switchboard knows, in the order a UI lists them.
pub fn all() -> &'static [&'static ClientSpec] {
    &ALL
}

/// The client with this id (`"claude-desktop"`, `"cursor"`, `"vscode"`, `"windsurf"`,
/// `"claude-code"`, `"lm-studio"`, `"cline"`, `"codex"`, `"gemini"`, `"zed"`).
pub fn get(id: &str) -> Option<&'static ClientSpec> {
    ALL.iter().copied().find(|spec| spec.id == id)
}
