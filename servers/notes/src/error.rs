//! The errors of the knowledge base, worded for the model that will read them: each says
//! what happened and what to do next (search first, grant a folder, pick another name).
//!
//! Owns only the wording and the error type. Must not include note contents in messages.

use crate::{
    MAX_NOTE_BYTES, authoring::NoteTextError, authoring::WriteError, folders::PathRuleError,
    index::IndexError, query::QueryError,
};

/// Something the knowledge base could not do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotesError {
    #[error(
        "No folder is granted to the notes server, so there are no notes to search, read or \
         write. Ask the user to grant a folder of notes to the notes server in Switchboard, \
         then try again."
    )]
    NoFolders,
    #[error(
        "None of the granted folders allows writing ({folders} are read-only). Ask the user to \
         grant the notes server a folder with write access in Switchboard, then try again."
    )]
    NoWritableFolder { folders: String },
    #[error(
        "The folder {folder} is read-only for the notes server. Writable folders: {writable}. \
         Leave out `folder` to use the first writable one."
    )]
    FolderReadOnly { folder: String, writable: String },
    #[error("No granted folder matches \"{name}\" ({reason}). The granted folders are: {folders}.")]
    UnknownFolder {
        name: String,
        reason: PathRuleError,
        folders: String,
    },
    #[error("{path} is outside the granted folders; the granted folders are: {folders}.")]
    OutsideFolders { path: String, folders: String },
    #[error(
        "{path} is inside a hidden or skipped folder (such as .git or node_modules), which the \
         notes server does not read."
    )]
    Hidden { path: String },
    #[error("The {what} \"{value}\" is not allowed: {reason}.")]
    InvalidPath {
        what: &'static str,
        value: String,
        reason: PathRuleError,
    },
    #[error(
        "There is no note at {path} in the granted folders. Use search_knowledge or list_notes \
         to find a note's path."
    )]
    NotFound { path: String },
    #[error("{path} is not a note: the notes server reads .md, .markdown and .txt files.")]
    NotANote { path: String },
    #[error("{path} is {size} bytes; the notes server reads notes up to {MAX_NOTE_BYTES} bytes.")]
    TooLarge { path: String, size: u64 },
    #[error("{path} has no heading \"{heading}\". Its headings are: {headings}.")]
    NoSuchHeading {
        path: String,
        heading: String,
        headings: String,
    },
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    NoteText(#[from] NoteTextError),
    #[error("Could not write the note: {0}.")]
    Write(#[from] WriteError),
    #[error("Could not read {path}: {source}.")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "The search took too long and was stopped. Use more specific words, fewer prefix* \
         words, or a folder or path_prefix filter."
    )]
    Timeout,
    #[error("The search index was damaged and is being rebuilt; try again in a few seconds.")]
    Rebuilding,
    #[error("{0}")]
    Index(#[from] IndexError),
    #[error("The notes server has been shut down.")]
    Stopped,
}

impl From<rusqlite::Error> for NotesError {
    fn from(error: rusqlite::Error) -> Self {
        if crate::index::is_interrupt(&error) {
            Self::Timeout
        } else {
            Self::Index(IndexError::Sqlite(error))
        }
    }
}
