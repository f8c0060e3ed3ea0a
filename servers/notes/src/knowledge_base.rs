//! The knowledge base: one per host, shared by every session. A cheap `Clone` handle over
//! the granted folders, the indexer thread (writer, watcher, scans) and a small pool of
//! read connections that serve searches without ever waiting for indexing.
//!
//! Owns the operations the tools call (search, read, write, list) and the checks that keep
//! them inside the granted folders. Blocking: call it from a blocking thread (the server
//! uses `spawn_blocking`). Must not know about MCP.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
        mpsc::{self, SyncSender},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use rusqlite::Connection;

use crate::{
    MAX_NOTE_BYTES,
    authoring::{clean_title, ensure_subfolders, note_text, slug, write_note_file},
    document::{self, NoteKind},
    error::NotesError,
    folders::{
        self, GrantedFolder, NoteLocationError, NotesFolder, PathRuleError, canonical_within,
        find_named, is_normal_absolute, is_note_file_name, note_candidates, relative_components,
        subfolder_components,
    },
    index::{self, IndexError, Scope},
    indexer::{self, COMMAND_CAPACITY, Command, IndexState, IndexStatus, Shared},
    query,
    tools::{
        FolderSummary, ListNotesRequest, MatchMode, Note, NoteHeading, NoteList, NoteSummary,
        ReadNoteRequest, SearchHit, SearchRequest, SearchResults, WriteNoteRequest, WrittenNote,
    },
};

/// Default and largest number of search results.
const DEFAULT_SEARCH_LIMIT: usize = 10;
const MAX_SEARCH_LIMIT: usize = 50;
/// Hits from one file in one search.
const HITS_PER_FILE: usize = 3;
/// Default and largest number of notes listed.
const DEFAULT_LIST_LIMIT: usize = 20;
const MAX_LIST_LIMIT: usize = 100;
/// In an any-word search, words found in at least this many chunks are left out (they
/// carry no ranking signal and would make BM25 score most of the index).
const COMMON_TERM_ROWS: usize = 2_000;
/// A search (or listing) is interrupted after this long.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long `write_note` waits for the indexer to take the new note in.
const INDEX_NOW_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest text `read_note` returns at once, in bytes.
pub const MAX_READ_BYTES: usize = 100_000;
/// Headings listed by `read_note`.
const MAX_OUTLINE_HEADINGS: usize = 200;
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 4;

/// The notes index and the folders it covers. Clone it freely: every clone is the same
/// knowledge base. The indexer stops when [`KnowledgeBase::shutdown`] is called or the last
/// clone is dropped.
#[derive(Clone)]
pub struct KnowledgeBase {
    inner: Arc<Inner>,
}

impl fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("index_file", &self.inner.index_file)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

struct Inner {
    index_file: PathBuf,
    shared: Arc<Shared>,
    commands: SyncSender<Command>,
    readers: Mutex<Vec<(u64, Connection)>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    stopped: AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Inner {
    fn stop(&self) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        let _ = self.commands.send(Command::Shutdown);
        let handle = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
        self.readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.shared.status.send_modify(|status| {
            status.state = IndexState::Stopped;
            status.watching = false;
        });
    }
}

impl KnowledgeBase {
    /// Opens (or creates) the index at `index_file` and starts indexing `folders` in the
    /// background. The index is a cache: a damaged, foreign or old-schema file is replaced.
    /// Fails only when the index file cannot be created at all (or the indexer thread
    /// cannot start).
    #[tracing::instrument(skip_all, err, fields(index_file = %index_file.display()))]
    pub fn open(index_file: PathBuf, folders: Vec<NotesFolder>) -> Result<Self, NotesError> {
        let (granted, warnings) = folders::normalise(folders);
        let (db, rebuilt) = index::open_writer(&index_file)?;
        if let Some(reason) = &rebuilt {
            tracing::warn!(%reason, "replaced the notes index file");
        }
        let shared = Arc::new(Shared::new(granted));
        let (commands, receiver) = mpsc::sync_channel(COMMAND_CAPACITY);
        let writer = indexer::spawn(
            db,
            index_file.clone(),
            Arc::clone(&shared),
            (commands.clone(), receiver),
            warnings,
            rebuilt,
        )
        .map_err(IndexError::Thread)?;
        Ok(Self {
            inner: Arc::new(Inner {
                index_file,
                shared,
                commands,
                readers: Mutex::new(Vec::new()),
                writer: Mutex::new(Some(writer)),
                stopped: AtomicBool::new(false),
            }),
        })
    }

    /// Replaces the granted folders (when the user's grants change). New folders are
    /// indexed in the background; notes of folders no longer granted disappear from results
    /// at once and from the index soon after.
    pub fn set_folders(&self, folders: Vec<NotesFolder>) {
        let (granted, warnings) = folders::normalise(folders);
        let granted = Arc::new(granted);
        *self
            .inner
            .shared
            .folders
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&granted);
        if self.inner.stopped.load(Ordering::Acquire) {
            return;
        }
        self.inner.shared.status.send_modify(|status| {
            status.state = IndexState::Scanning;
        });
        let _ = self.inner.commands.send(Command::SetFolders {
            folders: granted,
            warnings,
        });
    }

    /// The granted folders, as the host gave them (normalised).
    pub fn folders(&self) -> Vec<NotesFolder> {
        self.inner
            .shared
            .folders()
            .iter()
            .map(|f| NotesFolder {
                path: f.root.clone(),
                writable: f.writable,
            })
            .collect()
    }

    /// Where indexing stands.
    pub fn status(&self) -> IndexStatus {
        self.inner.shared.status.borrow().clone()
    }

    /// A receiver that sees every change of [`KnowledgeBase::status`] (for a progress
    /// display that updates without polling).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<IndexStatus> {
        self.inner.shared.status.subscribe()
    }

    /// Stops the watcher and the indexer thread and waits for them (at most one batch of
    /// indexing). Later calls on any clone fail with [`NotesError::Stopped`].
    pub fn shutdown(&self) {
        self.inner.stop();
    }

    /// The index file in use.
    pub fn index_file(&self) -> &Path {
        &self.inner.index_file
    }

    fn granted(&self) -> Result<Arc<Vec<GrantedFolder>>, NotesError> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(NotesError::Stopped);
        }
        let folders = self.inner.shared.folders();
        if folders.is_empty() {
            return Err(NotesError::NoFolders);
        }
        Ok(folders)
    }

    /// Runs a read on a pooled connection. A damaged index asks the indexer to rebuild.
    fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, NotesError> {
        let generation = self.inner.shared.generation.load(Ordering::Acquire);
        let pooled = {
            let mut idle = self
                .inner
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            idle.retain(|(g, _)| *g == generation);
            idle.pop()
        };
        let connection = match pooled {
            Some((_, connection)) => connection,
            None => index::open_reader(&self.inner.index_file).map_err(|error| {
                if index::is_damage(&error) {
                    self.request_rebuild()
                } else {
                    NotesError::from(error)
                }
            })?,
        };
        match work(&connection) {
            Ok(value) => {
                self.return_reader(generation, connection);
                Ok(value)
            }
            Err(error) if index::is_damage(&error) => Err(self.request_rebuild()),
            Err(error) => {
                self.return_reader(generation, connection);
                Err(error.into())
            }
        }
    }

    fn return_reader(&self, generation: u64, connection: Connection) {
        let mut idle = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS && !self.inner.stopped.load(Ordering::Acquire) {
            idle.push((generation, connection));
        }
    }

    fn request_rebuild(&self) -> NotesError {
        let _ = self.inner.commands.try_send(Command::Rebuild);
        NotesError::Rebuilding
    }

    /// A notice for results while indexing is under way.
    fn progress_notice(&self) -> Option<String> {
        let status = self.status();
        (status.state == IndexState::Scanning).then(|| {
            format!(
                "Indexing is in progress ({} of {} files done); results may be incomplete. \
                 Search again in a moment for complete results.",
                status.files_done, status.files_total
            )
        })
    }

    /// Ranked full-text search over the granted folders.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, NotesError> {
        let folders = self.granted()?;
        let parsed = query::parse(&request.query)?;
        let scope = scope(
            &folders,
            request.folder.as_deref(),
            request.path_prefix.as_deref(),
        )?;
        let limit = clamp_limit(request.limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
        let deadline = Instant::now() + QUERY_TIMEOUT;
        let (hits, matched) = self.read(|db| {
            let hits = index::search(db, &parsed.all, &scope, limit, HITS_PER_FILE, deadline)?;
            if !hits.is_empty() || parsed.any.is_none() {
                return Ok((hits, MatchMode::AllWords));
            }
            let terms = index::informative_terms(db, &parsed.terms, COMMON_TERM_ROWS, deadline)?;
            let any = parsed.any_of(&terms);
            let hits = index::search(db, &any, &scope, limit, HITS_PER_FILE, deadline)?;
            Ok((hits, MatchMode::AnyWord))
        })?;
        let mut notices: Vec<String> = self.progress_notice().into_iter().collect();
        notices.extend(missing_folders_notice(&folders));
        if hits.is_empty() {
            notices.push(
                "No note matched. Try other or fewer words, a prefix such as confi*, or \
                 list_notes to see what there is."
                    .to_owned(),
            );
        } else if matched == MatchMode::AnyWord {
            notices.push(
                "No note contains all the words; these results contain some of them.".to_owned(),
            );
        }
        Ok(SearchResults {
            query: request.query.clone(),
            matched,
            results: hits
                .into_iter()
                .map(|hit| SearchHit {
                    path: hit.path,
                    folder: hit.folder,
                    title: hit.title,
                    heading: hit.heading,
                    line: hit.line,
                    snippet: hit.snippet,
                    score: hit.score,
                })
                .collect(),
            notice: join_notices(&notices),
        })
    }

    /// The most recently modified notes, with the granted folders.
    pub fn list_notes(&self, request: &ListNotesRequest) -> Result<NoteList, NotesError> {
        let folders = self.granted()?;
        let scope = scope(
            &folders,
            request.folder.as_deref(),
            request.path_prefix.as_deref(),
        )?;
        let limit = clamp_limit(request.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
        let deadline = Instant::now() + QUERY_TIMEOUT;
        let (files, total) = self.read(|db| index::recent(db, &scope, limit, deadline))?;
        Ok(NoteList {
            folders: folders
                .iter()
                .map(|f| FolderSummary {
                    path: f.root.display().to_string(),
                    writable: f.writable,
                    available: f.available,
                })
                .collect(),
            total,
            notes: files
                .into_iter()
                .map(|file| NoteSummary {
                    path: file.path,
                    folder: file.folder,
                    title: file.title,
                    modified: rfc3339(file.modified_ns),
                    size_bytes: u64::try_from(file.size).unwrap_or(0),
                })
                .collect(),
            notice: join_notices(
                &self
                    .progress_notice()
                    .into_iter()
                    .chain(missing_folders_notice(&folders))
                    .collect::<Vec<_>>(),
            ),
        })
    }

    /// Reads a note (or one section of it) from disk.
    pub fn read_note(&self, request: &ReadNoteRequest) -> Result<Note, NotesError> {
        let folders = self.granted()?;
        let (folder, path) = locate(&folders, &request.path)?;
        let path_text = path.display().to_string();
        let metadata = fs::metadata(&path).map_err(|source| NotesError::Read {
            path: path_text.clone(),
            source,
        })?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !metadata.is_file() || !is_note_file_name(name) {
            return Err(NotesError::NotANote { path: path_text });
        }
        if metadata.len() > MAX_NOTE_BYTES {
            return Err(NotesError::TooLarge {
                path: path_text,
                size: metadata.len(),
            });
        }
        let bytes = fs::read(&path).map_err(|source| NotesError::Read {
            path: path_text.clone(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let lines = document::lines(&text);
        let kind = NoteKind::of_file_name(name);
        let outline = document::outline(&lines, kind);
        let stem = Path::new(name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(name);
        let title = document::title(&outline, stem);
        let (start, end) = match request.heading.as_deref().filter(|h| !h.trim().is_empty()) {
            None => (0, lines.len()),
            Some(heading) => document::section_range(&outline, heading).ok_or_else(|| {
                NotesError::NoSuchHeading {
                    path: path_text.clone(),
                    heading: heading.to_owned(),
                    headings: heading_list(&outline),
                }
            })?,
        };
        // A file ending in a newline has an empty last "line"; do not count it.
        let end = if end == lines.len() && lines.last() == Some(&"") && end > start {
            end - 1
        } else {
            end
        };
        let (content, shown, truncated) = bounded_lines(&lines[start..end], MAX_READ_BYTES);
        Ok(Note {
            path: path_text,
            folder: folder.root.display().to_string(),
            title,
            heading: request.heading.clone().filter(|h| !h.trim().is_empty()),
            start_line: line_number(start),
            end_line: line_number((start + shown).saturating_sub(1)).max(line_number(start)),
            content,
            truncated,
            headings: outline
                .headings
                .iter()
                .take(MAX_OUTLINE_HEADINGS)
                .map(|h| NoteHeading {
                    level: h.level,
                    text: h.text.clone(),
                    line: line_number(h.line),
                })
                .collect(),
            modified: rfc3339(indexer_modified_ns(&metadata)),
            size_bytes: metadata.len(),
        })
    }

    /// Writes a new note into a writable granted folder and indexes it at once.
    pub fn write_note(&self, request: &WriteNoteRequest) -> Result<WrittenNote, NotesError> {
        let folders = self.granted()?;
        let text = note_text(&request.title, &request.body)?;
        let writable: Vec<&GrantedFolder> = folders.iter().filter(|f| f.writable).collect();
        if writable.is_empty() {
            return Err(NotesError::NoWritableFolder {
                folders: folder_list(&folders),
            });
        }
        let folder = match request.folder.as_deref().filter(|f| !f.trim().is_empty()) {
            None => writable[0],
            Some(name) => {
                let found =
                    find_named(&folders, name).map_err(|reason| NotesError::UnknownFolder {
                        name: name.to_owned(),
                        reason,
                        folders: folder_list(&folders),
                    })?;
                if !found.writable {
                    return Err(NotesError::FolderReadOnly {
                        folder: found.root.display().to_string(),
                        writable: writable
                            .iter()
                            .map(|f| f.root.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                found
            }
        };
        if !folder.available {
            return Err(NotesError::Read {
                path: folder.given.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the granted folder does not exist; ask the user to check the grant in Switchboard",
                ),
            });
        }
        let subfolder = request.subfolder.as_deref().unwrap_or("");
        let components =
            subfolder_components(subfolder).map_err(|reason| NotesError::InvalidPath {
                what: "subfolder",
                value: subfolder.to_owned(),
                reason,
            })?;
        let directory = ensure_subfolders(&folder.root, &components)?;
        match canonical_within(&folder.root, &directory) {
            Ok(Some(_)) => {}
            _ => {
                return Err(NotesError::OutsideFolders {
                    path: directory.display().to_string(),
                    folders: folder_list(&folders),
                });
            }
        }
        let title = clean_title(&request.title);
        let written = write_note_file(&directory, &slug(title), &text, request.overwrite)?;
        let indexed = self.index_now(&written.path);
        let relative = written
            .path
            .strip_prefix(&folder.root)
            .unwrap_or(&written.path)
            .to_string_lossy()
            .into_owned();
        Ok(WrittenNote {
            path: written.path.display().to_string(),
            folder: folder.root.display().to_string(),
            relative_path: relative,
            title: title.to_owned(),
            replaced: written.replaced,
            indexed,
        })
    }

    /// Asks the indexer to take in `path` now and waits (bounded) until it has.
    fn index_now(&self, path: &Path) -> bool {
        let (reply, answer) = mpsc::sync_channel(1);
        let sent = self.inner.commands.send(Command::IndexNow {
            path: path.to_owned(),
            reply,
        });
        sent.is_ok() && answer.recv_timeout(INDEX_NOW_TIMEOUT).unwrap_or(false)
    }
}

fn clamp_limit(requested: Option<u32>, default: usize, max: usize) -> usize {
    requested
        .map_or(default, |n| usize::try_from(n).unwrap_or(max))
        .clamp(1, max)
}

fn join_notices(notices: &[String]) -> Option<String> {
    (!notices.is_empty()).then(|| notices.join(" "))
}

/// A notice naming granted folders that are missing on disk (their notes cannot be found).
fn missing_folders_notice(folders: &[GrantedFolder]) -> Option<String> {
    let missing: Vec<String> = folders
        .iter()
        .filter(|f| !f.available)
        .map(|f| f.given.display().to_string())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "These granted folders are missing on disk, so their notes are not searched: {}.",
            missing.join(", ")
        )
    })
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn indexer_modified_ns(metadata: &fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

fn rfc3339(modified_ns: i64) -> String {
    jiff::Timestamp::from_second(modified_ns.div_euclid(1_000_000_000))
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The granted folders for error messages: "/a (writable), /b (read-only)".
fn folder_list(folders: &[GrantedFolder]) -> String {
    folders
        .iter()
        .map(|f| {
            let access = if f.writable { "writable" } else { "read-only" };
            let missing = if f.available { "" } else { ", missing" };
            format!("{} ({access}{missing})", f.root.display())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A note's headings for an error message.
fn heading_list(outline: &document::Outline) -> String {
    if outline.headings.is_empty() {
        return "none (read the whole note instead)".to_owned();
    }
    let mut list: Vec<String> = outline
        .headings
        .iter()
        .take(30)
        .map(|h| format!("\"{}\"", h.text))
        .collect();
    if outline.headings.len() > 30 {
        list.push(format!("and {} more", outline.headings.len() - 30));
    }
    list.join(", ")
}

/// Takes whole lines while they fit in `max_bytes` (at least part of the first line).
/// Returns the text, how many lines it holds and whether it was cut.
fn bounded_lines(lines: &[&str], max_bytes: usize) -> (String, usize, bool) {
    let mut content = String::new();
    for (count, line) in lines.iter().enumerate() {
        let needed = line.len() + usize::from(count > 0);
        if content.len() + needed > max_bytes {
            if count == 0 {
                let mut cut = max_bytes.min(line.len());
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                content.push_str(&line[..cut]);
                return (content, 1, true);
            }
            return (content, count, true);
        }
        if count > 0 {
            content.push('\n');
        }
        content.push_str(line);
    }
    (content, lines.len(), false)
}

/// Finds the note a model named inside the granted folders, refusing anything that
/// resolves (through symlinks) outside them.
fn locate(folders: &[GrantedFolder], text: &str) -> Result<(GrantedFolder, PathBuf), NotesError> {
    let candidates = note_candidates(folders, text).map_err(|error| match error {
        NoteLocationError::OutsideFolders => NotesError::OutsideFolders {
            path: text.trim().to_owned(),
            folders: folder_list(folders),
        },
        NoteLocationError::Hidden => NotesError::Hidden {
            path: text.trim().to_owned(),
        },
        NoteLocationError::Rule(reason) => NotesError::InvalidPath {
            what: "path",
            value: text.to_owned(),
            reason,
        },
    })?;
    for (folder, path) in candidates {
        match canonical_within(&folder.root, &path) {
            Ok(Some(real)) => return Ok((folder, real)),
            Ok(None) => {
                return Err(NotesError::OutsideFolders {
                    path: format!("{} (it links outside)", path.display()),
                    folders: folder_list(folders),
                });
            }
            Err(_) => continue,
        }
    }
    Err(NotesError::NotFound {
        path: text.trim().to_owned(),
    })
}

/// Which files a search or listing covers: all granted folders or the one named, and
/// optionally only paths under a prefix.
fn scope(
    folders: &[GrantedFolder],
    folder: Option<&str>,
    path_prefix: Option<&str>,
) -> Result<Scope, NotesError> {
    let selected: Vec<&GrantedFolder> = match folder.filter(|f| !f.trim().is_empty()) {
        Some(name) => {
            vec![
                find_named(folders, name).map_err(|reason| NotesError::UnknownFolder {
                    name: name.to_owned(),
                    reason,
                    folders: folder_list(folders),
                })?,
            ]
        }
        None => folders.iter().collect(),
    };
    let mut scope = Scope {
        folders: selected
            .iter()
            .filter_map(|f| f.root_text().map(str::to_owned))
            .collect(),
        path_prefixes: Vec::new(),
    };
    let Some(prefix) = path_prefix.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(scope);
    };
    let invalid = |reason: PathRuleError| NotesError::InvalidPath {
        what: "path_prefix",
        value: prefix.to_owned(),
        reason,
    };
    let keeps_separator = prefix.ends_with(['/', '\\']);
    let as_path = Path::new(prefix);
    let mut bases: Vec<PathBuf> = Vec::new();
    if as_path.is_absolute() {
        if !is_normal_absolute(as_path) {
            return Err(invalid(PathRuleError::ParentComponent));
        }
        for folder in &selected {
            let relative = as_path
                .strip_prefix(&folder.root)
                .or_else(|_| as_path.strip_prefix(&folder.given));
            if let Ok(relative) = relative {
                bases.push(folder.root.join(relative));
            }
        }
        if bases.is_empty() {
            return Err(NotesError::OutsideFolders {
                path: prefix.to_owned(),
                folders: folder_list(folders),
            });
        }
    } else {
        let components = relative_components(prefix).map_err(invalid)?;
        for folder in &selected {
            let mut base = folder.root.clone();
            base.extend(&components);
            bases.push(base);
        }
    }
    scope.path_prefixes = bases
        .into_iter()
        .filter_map(|base| {
            let mut text = base.to_str()?.to_owned();
            if keeps_separator && !text.ends_with(std::path::MAIN_SEPARATOR) {
                text.push(std::path::MAIN_SEPARATOR);
            }
            Some(text)
        })
        .collect();
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines_cut_at_whole_lines() {
        assert_eq!(
            bounded_lines(&["ab", "cd"], 10),
            ("ab\ncd".into(), 2, false)
        );
        assert_eq!(
            bounded_lines(&["ab", "cd", "ef"], 5),
            ("ab\ncd".into(), 2, true)
        );
        assert_eq!(
            bounded_lines(&["żółw"], 3),
            ("ż".into(), 1, true),
            "a cut respects characters"
        );
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(clamp_limit(None, 10, 50), 10);
        assert_eq!(clamp_limit(Some(0), 10, 50), 1);
        assert_eq!(clamp_limit(Some(10_000), 10, 50), 50);
    }

    #[test]
    fn scopes_rebase_prefixes_on_the_selected_folders() {
        let folders = vec![
            GrantedFolder {
                root: "/a".into(),
                given: "/link-to-a".into(),
                writable: true,
                available: true,
            },
            GrantedFolder {
                root: "/b".into(),
                given: "/b".into(),
                writable: false,
                available: true,
            },
        ];
        let all = scope(&folders, None, Some("projects/")).unwrap();
        assert_eq!(all.path_prefixes, vec!["/a/projects/", "/b/projects/"]);
        let one = scope(&folders, Some("b"), None).unwrap();
        assert_eq!(one.folders, vec!["/b"]);
        let given = scope(&folders, None, Some("/link-to-a/x")).unwrap();
        assert_eq!(given.path_prefixes, vec!["/a/x"]);
        assert!(matches!(
            scope(&folders, None, Some("/elsewhere")),
            Err(NotesError::OutsideFolders { .. })
        ));
        assert!(matches!(
            scope(&folders, None, Some("../up")),
            Err(NotesError::InvalidPath { .. })
        ));
    }
}
