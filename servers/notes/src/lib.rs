//! `notes`: an MCP server over a local knowledge base, the Markdown and text notes in the
//! folders a user granted. Tools: `search_knowledge` (ranked full-text search: SQLite FTS5
//! with BM25, snippets, the file, heading and line of each hit), `read_note`, `write_note`
//! and `list_notes`.
//!
//! Owns the whole knowledge base: a [`KnowledgeBase`] (one per host, shared by every
//! session) keeps an index file up to date in the background (initial scan, then a file
//! watcher, incrementally, never blocking searches); a [`NotesServer`] per session serves
//! the tools over it. Knows nothing of Switchboard: the host supplies the index file's
//! location and the granted folders.
//!
//! Modules: `folders` (grants and path rules), `document` (titles, headings, chunks),
//! `query` (the search language), `authoring` (new note files), `index` (the SQLite
//! schema and queries), `indexer` (the writer thread and watcher), `knowledge_base` (the
//! shared handle), `tools` (arguments and results), `server` (the MCP tools).

mod authoring;
mod document;
mod error;
mod folders;
mod index;
mod indexer;
mod knowledge_base;
mod query;
mod server;
pub mod tools;

pub use authoring::{NoteTextError, WriteError};
pub use error::NotesError;
pub use folders::{NotesFolder, PathRuleError};
pub use index::{HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, IndexError};
pub use indexer::{IndexState, IndexStatus};
pub use knowledge_base::{KnowledgeBase, MAX_READ_BYTES};
pub use query::QueryError;
pub use server::NotesServer;

/// Largest note file indexed or read, in bytes (2 MiB). Larger files are skipped.
pub const MAX_NOTE_BYTES: u64 = 2 * 1024 * 1024;
/// Most note files one knowledge base indexes; past that a warning shows in the status.
pub const MAX_NOTES: usize = 100_000;
