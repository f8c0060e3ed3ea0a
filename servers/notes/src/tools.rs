//! The arguments and results of the notes tools: their JSON schemas (every field's doc
//! comment is the description a model reads) and their serialised shape.
//!
//! Owns only data shapes. Must not hold behaviour: the knowledge base fills them in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Arguments of `search_knowledge`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SearchRequest {
    /// What to look for. Words must all appear (if no note has them all, notes with any of them are returned instead); word forms match ("configure" finds "configuration"). Also: "an exact phrase" in double quotes, a prefix such as kube*, OR between two alternatives, -word to exclude. At most 1000 characters.
    pub query: String,
    /// Most results to return, 1 to 50 (default 10). At most 3 results come from one file.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only search one granted folder: its full path, or its name (the last part of its path).
    #[serde(default)]
    pub folder: Option<String>,
    /// Only notes whose path starts with this, relative to the granted folder (such as "projects/2026/") or absolute.
    #[serde(default)]
    pub path_prefix: Option<String>,
}

/// How the results of a search matched its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Every result contains all the words (or phrases) of the query.
    AllWords,
    /// No note contained all the words; results contain at least one of them.
    AnyWord,
}

/// The result of `search_knowledge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// "all_words" when every result has all the words; "any_word" when no note had them all and results have some of them.
    pub matched: MatchMode,
    /// Matching passages, most relevant first.
    pub results: Vec<SearchHit>,
    /// Something that affects the results, such as indexing still being in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// One matching passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
    /// Absolute path of the note file; pass it to read_note.
    pub path: String,
    /// The granted folder the note is in.
    pub folder: String,
    /// The note's title (front matter title, first level-1 heading, or file name).
    pub title: String,
    /// The heading of the section the passage is in (null for text before the first heading); pass it to read_note to read just that section.
    pub heading: Option<String>,
    /// 1-based line where the section (or the part of a long section that holds the passage) starts.
    pub line: u32,
    /// The passage, with the matched words between ** and **.
    pub snippet: String,
    /// Relevance (BM25, title and headings weigh more than body text); higher is better, comparable only within one search.
    pub score: f64,
}

/// Arguments of `read_note`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ReadNoteRequest {
    /// The note's path: absolute (as search_knowledge and list_notes return it) or relative to a granted folder (such as "projects/plan.md").
    pub path: String,
    /// Read only the section under this heading (with its subsections), such as "Setup" or "Guide > Setup". Leave it out to read the whole note.
    #[serde(default)]
    pub heading: Option<String>,
}

/// A heading in a note's outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoteHeading {
    /// 1 for "#", 2 for "##", and so on.
    pub level: u8,
    /// The heading text.
    pub text: String,
    /// 1-based line of the heading.
    pub line: u32,
}

/// The result of `read_note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    /// Absolute path of the note file.
    pub path: String,
    /// The granted folder the note is in.
    pub folder: String,
    /// The note's title.
    pub title: String,
    /// The heading whose section was read, if one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// 1-based first line of `content` in the file.
    pub start_line: u32,
    /// 1-based last line of `content` in the file.
    pub end_line: u32,
    /// The text read (the whole note or the section).
    pub content: String,
    /// True when `content` was cut at the size limit (100 KB); read a section by heading to see the rest.
    pub truncated: bool,
    /// The note's headings (at most 200), to read sections by heading.
    pub headings: Vec<NoteHeading>,
    /// When the file was last modified (RFC 3339, UTC).
    pub modified: String,
    /// Size of the whole file in bytes.
    pub size_bytes: u64,
}

/// Arguments of `write_note`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct WriteNoteRequest {
    /// The note's title, one line of at most 200 characters. It becomes the first heading and, as a slug, the file name ("Meeting notes: May" is saved as meeting-notes-may.md).
    pub title: String,
    /// The note's text in Markdown, written below the title (at most 1 MiB). Use "##" headings for sections.
    #[serde(default)]
    pub body: String,
    /// Which writable granted folder to save in: its full path or its name. Leave it out to use the first writable folder.
    #[serde(default)]
    pub folder: Option<String>,
    /// A subfolder inside the folder, such as "meetings/2026"; created if missing. No "..", no hidden names.
    #[serde(default)]
    pub subfolder: Option<String>,
    /// Replace an existing note with the same file name. Without it, an existing note is never replaced: a numbered name (such as plan-2.md) is used.
    #[serde(default)]
    pub overwrite: bool,
}

/// The result of `write_note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WrittenNote {
    /// Absolute path of the note file written.
    pub path: String,
    /// The granted folder it is in.
    pub folder: String,
    /// Its path relative to that folder.
    pub relative_path: String,
    /// The title written.
    pub title: String,
    /// True when an existing file was replaced (only with overwrite).
    pub replaced: bool,
    /// True when the note is already searchable.
    pub indexed: bool,
}

/// Arguments of `list_notes`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ListNotesRequest {
    /// Only notes in one granted folder: its full path or its name.
    #[serde(default)]
    pub folder: Option<String>,
    /// Only notes whose path starts with this, relative to the granted folder (such as "projects/") or absolute.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// Most notes to return, 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A note in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoteSummary {
    /// Absolute path of the note file; pass it to read_note.
    pub path: String,
    /// The granted folder it is in.
    pub folder: String,
    /// The note's title.
    pub title: String,
    /// When it was last modified (RFC 3339, UTC).
    pub modified: String,
    /// Its size in bytes.
    pub size_bytes: u64,
}

/// A granted folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FolderSummary {
    /// Absolute path of the folder.
    pub path: String,
    /// Whether write_note may save notes in it.
    pub writable: bool,
    /// False when the folder is missing on disk.
    pub available: bool,
}

/// The result of `list_notes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoteList {
    /// The granted folders.
    pub folders: Vec<FolderSummary>,
    /// How many notes match the filters.
    pub total: u64,
    /// The most recently modified of them, newest first.
    pub notes: Vec<NoteSummary>,
    /// Something that affects the list, such as indexing still being in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}
