//! The errors the tools report, as messages a model can act on.
//!
//! Owns: [`FilesError`] and how it becomes a tool error result (`isError: true` with the
//! message as text). Must not carry file contents or anything secret: messages name paths,
//! sizes and what to do next.

use std::io;

use rmcp::model::{ContentBlock, IntoContents};

use crate::sandbox::SandboxError;

/// Why a tool call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("{path} is {size}, more than the {limit} limit for {what}. {hint}")]
    TooLarge {
        path: String,
        size: String,
        limit: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("{what} is {size}, more than the {limit} write limit; nothing was written.")]
    WriteTooLarge {
        what: String,
        size: String,
        limit: String,
    },
    #[error(
        "{path} is binary ({mime}), not text; read_file returns text only. {hint} Its bytes are \
         available as the resource {uri}."
    )]
    Binary {
        path: String,
        mime: &'static str,
        uri: String,
        hint: &'static str,
    },
    #[error(
        "{path} is not UTF-8 text (the first invalid byte is at offset {offset}); it may be \
         binary or in another encoding. Its bytes are available as the resource {uri}."
    )]
    NotUtf8 {
        path: String,
        offset: usize,
        uri: String,
    },
    #[error("Edit {number} of {path}: {problem} Nothing was changed.")]
    Edit {
        path: String,
        number: usize,
        problem: String,
    },
    #[error("{path} already exists; {hint}")]
    Exists { path: String, hint: &'static str },
    #[error(
        "{path} changed on disk while this call was working on it; nothing was written. Read \
         it again and retry."
    )]
    Changed { path: String },
    #[error(
        "{path} is marked read-only on disk (permissions {mode:o}); it was not changed. The \
         user can make it writable if it should change."
    )]
    FileReadOnly { path: String, mode: u32 },
    #[error("{0}")]
    Argument(String),
    #[error("Internal error: {0}")]
    Internal(String),
    #[error("Could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: io::Error,
    },
}

impl FilesError {
    pub(crate) fn io(action: &'static str, path: String, source: io::Error) -> Self {
        FilesError::Io {
            action,
            path,
            source,
        }
    }
}

impl IntoContents for FilesError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.to_string())]
    }
}
