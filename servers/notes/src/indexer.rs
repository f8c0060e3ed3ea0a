//! The indexer: one thread that owns the index's only writing connection, the file
//! watcher, the scan queue and the published [`IndexStatus`].
//!
//! Everything that changes the index happens here, in short transactions (a batch of files
//! or one debounced burst of events), so that searches on their own read connections never
//! wait (WAL). Urgent requests (`IndexNow` from `write_note`, folder changes, shutdown) are
//! handled between batches. Must not serve searches or decide what a model may read.

mod debounce;
mod walk;

use std::{
    collections::{HashSet, VecDeque},
    fs, io,
    path::{Path, PathBuf},
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use notify::{
    Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher,
    event::{AccessKind, AccessMode},
};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::{
    MAX_NOTE_BYTES, MAX_NOTES,
    document::{self, NoteKind},
    folders::{GrantedFolder, has_hidden_component, is_note_file_name, owner_of},
    index::{self, FileState, NoteRecord},
};
use debounce::Debouncer;
use walk::{FileFacts, modified_ns, walk};

/// Files indexed per transaction during a scan.
const BATCH_FILES: usize = 256;
/// Longest a scan transaction runs before it commits (so progress shows and urgent requests
/// are not kept waiting).
const BATCH_TIME: Duration = Duration::from_millis(120);
/// A changed path is handled once it has been quiet this long...
const DEBOUNCE_QUIET: Duration = Duration::from_millis(150);
/// ...or once it has waited this long under a steady stream of changes.
const DEBOUNCE_MAX_DELAY: Duration = Duration::from_secs(1);
/// Paths waiting in the debouncer before the indexer falls back to a full rescan.
const DEBOUNCE_CAPACITY: usize = 20_000;
/// When the folders cannot be watched, they are rescanned this often instead.
const POLL_INTERVAL: Duration = Duration::from_secs(60);
/// How long the idle indexer sleeps between checks.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// Command queue length; the watcher never blocks on it (a full queue means a rescan).
pub(crate) const COMMAND_CAPACITY: usize = 1_024;
/// Scans that indexed at least this many files end with an FTS5 merge.
const OPTIMIZE_AFTER_FILES: u64 = 1_000;
/// Bytes looked at to tell a text file from a binary one.
const BINARY_SNIFF_BYTES: usize = 8_192;

/// Where indexing stands, for the app's progress display and for search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexState {
    /// Files are being indexed; searches work and may miss files not yet indexed.
    Scanning,
    /// Every file found has been indexed; changes are picked up as they happen.
    Ready,
    /// The knowledge base was shut down.
    Stopped,
}

/// A snapshot of the index's progress and health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexStatus {
    pub state: IndexState,
    /// Files of the current scan that are done (indexed or found unchanged).
    pub files_done: u64,
    /// Files the current scan found to check.
    pub files_total: u64,
    /// Note files in the index.
    pub notes_indexed: u64,
    /// Note files left out: over the size limit, binary, unreadable or past the file limit.
    pub files_skipped: u64,
    /// Whether changes on disk are picked up as they happen (else folders are rescanned
    /// every minute).
    pub watching: bool,
    /// Problems worth showing the user (a missing folder, a watch that failed, a rebuilt
    /// index).
    pub warnings: Vec<String>,
}

impl IndexStatus {
    pub(crate) fn starting() -> Self {
        Self {
            state: IndexState::Scanning,
            files_done: 0,
            files_total: 0,
            notes_indexed: 0,
            files_skipped: 0,
            watching: false,
            warnings: Vec::new(),
        }
    }
}

/// State shared by the knowledge base handle, the indexer thread and the watcher callback.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) folders: RwLock<Arc<Vec<GrantedFolder>>>,
    pub(crate) status: tokio::sync::watch::Sender<IndexStatus>,
    /// Bumped whenever the index file is replaced; readers reopen their connections.
    pub(crate) generation: AtomicU64,
    /// Set when events were lost (queue full, watcher overflow): a full rescan follows.
    pub(crate) overflow: AtomicBool,
}

impl Shared {
    pub(crate) fn new(folders: Vec<GrantedFolder>) -> Self {
        Self {
            folders: RwLock::new(Arc::new(folders)),
            status: tokio::sync::watch::Sender::new(IndexStatus::starting()),
            generation: AtomicU64::new(0),
            overflow: AtomicBool::new(false),
        }
    }

    pub(crate) fn folders(&self) -> Arc<Vec<GrantedFolder>> {
        self.folders
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What the indexer is asked to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Paths that changed on disk (from the watcher).
    Changed(Vec<PathBuf>),
    /// Nothing but a wake-up (the overflow flag may be set).
    Wake,
    /// Index this file now and say whether it is in the index (from `write_note`).
    IndexNow {
        path: PathBuf,
        reply: SyncSender<bool>,
    },
    /// The grants changed: index what is new, drop what is gone.
    SetFolders {
        folders: Arc<Vec<GrantedFolder>>,
        warnings: Vec<String>,
    },
    /// A reader found the index damaged.
    Rebuild,
    Shutdown,
}

/// Starts the indexer thread on the writer connection. It scans the folders at once.
pub(crate) fn spawn(
    db: Connection,
    index_file: PathBuf,
    shared: Arc<Shared>,
    (commands, receiver): (SyncSender<Command>, Receiver<Command>),
    folder_warnings: Vec<String>,
    rebuilt: Option<String>,
) -> io::Result<JoinHandle<()>> {
    let mut notices = Vec::new();
    if let Some(reason) = rebuilt {
        notices.push(format!(
            "The search index was rebuilt from the notes because the old index file could not be used: {reason}."
        ));
    }
    let folders = shared.folders();
    let indexer = Indexer {
        db,
        index_file,
        shared,
        commands: receiver,
        sender: commands,
        watcher: None,
        watched: Vec::new(),
        watch_failed: false,
        folders,
        folder_warnings,
        notices,
        debouncer: Debouncer::new(DEBOUNCE_QUIET, DEBOUNCE_MAX_DELAY, DEBOUNCE_CAPACITY),
        queue: VecDeque::new(),
        queued: HashSet::new(),
        files_done: 0,
        files_total: 0,
        indexed_this_scan: 0,
        skipped: 0,
        truncated: false,
        last_full_scan: Instant::now(),
        broken: false,
    };
    std::thread::Builder::new()
        .name("notes-indexer".into())
        .spawn(move || indexer.run())
}

struct Indexer {
    db: Connection,
    index_file: PathBuf,
    shared: Arc<Shared>,
    commands: Receiver<Command>,
    sender: SyncSender<Command>,
    watcher: Option<RecommendedWatcher>,
    watched: Vec<PathBuf>,
    watch_failed: bool,
    folders: Arc<Vec<GrantedFolder>>,
    folder_warnings: Vec<String>,
    notices: Vec<String>,
    debouncer: Debouncer,
    /// Files to (re)index, with the folder that owns each.
    queue: VecDeque<(String, String)>,
    queued: HashSet<String>,
    files_done: u64,
    files_total: u64,
    indexed_this_scan: u64,
    skipped: u64,
    truncated: bool,
    last_full_scan: Instant,
    /// The index could not be opened again after damage; nothing more is written.
    broken: bool,
}

/// Whether a watcher event may change what the index holds. Opening or reading a file
/// (which the indexer itself does) does not.
fn is_relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Whether a path the watcher reported could hold notes: inside a granted folder and not
/// under a hidden or skipped folder.
fn is_visible(folders: &[GrantedFolder], path: &Path) -> bool {
    owner_of(folders, path).is_some_and(|owner| {
        path.strip_prefix(&owner.root)
            .is_ok_and(|relative| !has_hidden_component(relative))
    })
}

/// Whether every folder between `root` and `path` is a real folder (no symlink on the way).
fn reached_without_links(path: &Path) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    fs::canonicalize(parent).is_ok_and(|real| real == parent)
}

fn content_hash(bytes: &[u8]) -> i64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    i64::from_ne_bytes(hasher.finish().to_ne_bytes())
}

/// What indexing one file did.
#[derive(Debug, PartialEq, Eq)]
enum Indexed {
    Stored,
    Unchanged,
    Removed,
    Skipped,
}

impl Indexer {
    fn run(mut self) {
        self.apply_folders();
        self.full_scan();
        loop {
            let timeout = self.wait_time();
            let first = match self.commands.recv_timeout(timeout) {
                Ok(command) => Some(command),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut next = first;
            let mut stop = false;
            while let Some(command) = next.take() {
                if !self.handle(command) {
                    stop = true;
                    break;
                }
                next = self.commands.try_recv().ok();
            }
            if stop {
                break;
            }
            if self.shared.overflow.swap(false, Ordering::AcqRel) {
                self.debouncer.clear();
                self.full_scan();
            }
            if self.watch_failed && self.last_full_scan.elapsed() >= POLL_INTERVAL {
                self.full_scan();
            }
            let due = self.debouncer.take_due(Instant::now());
            if !due.is_empty() {
                self.reconcile(&due);
            }
            if !self.queue.is_empty() {
                self.index_batch();
            }
        }
        // Stop watching before the connection closes.
        self.watcher = None;
        let _ = self.db.execute_batch("PRAGMA optimize;");
        self.shared.status.send_modify(|status| {
            status.state = IndexState::Stopped;
            status.watching = false;
        });
    }

    fn wait_time(&self) -> Duration {
        if !self.queue.is_empty() {
            return Duration::ZERO;
        }
        let mut wait = IDLE_WAIT;
        if self.watch_failed {
            wait = wait.min(POLL_INTERVAL.saturating_sub(self.last_full_scan.elapsed()));
        }
        if let Some(due) = self.debouncer.next_due() {
            wait = wait.min(due.saturating_duration_since(Instant::now()));
        }
        wait
    }

    /// Handles one command; false means stop.
    fn handle(&mut self, command: Command) -> bool {
        match command {
            Command::Shutdown => return false,
            Command::Wake => {}
            Command::Changed(paths) => {
                let now = Instant::now();
                for path in paths {
                    if !self.debouncer.push(path, now) {
                        self.shared.overflow.store(true, Ordering::Release);
                    }
                }
            }
            Command::IndexNow { path, reply } => {
                let indexed = self.index_now(&path);
                let _ = reply.send(indexed);
            }
            Command::SetFolders { folders, warnings } => {
                self.folders = folders;
                self.folder_warnings = warnings;
                self.apply_folders();
                self.full_scan();
            }
            Command::Rebuild => self.rebuild("a search found it damaged"),
        }
        true
    }

    /// Watches the granted folders (and no others) and drops index entries of folders no
    /// longer granted.
    fn apply_folders(&mut self) {
        let wanted: Vec<PathBuf> = self
            .folders
            .iter()
            .filter(|f| f.available)
            .map(|f| f.root.clone())
            .collect();
        if self.watcher.is_none() && !wanted.is_empty() {
            self.watcher = self.new_watcher();
        }
        self.watch_failed = false;
        match self.watcher.as_mut() {
            Some(watcher) => {
                for gone in self.watched.iter().filter(|p| !wanted.contains(p)) {
                    let _ = watcher.unwatch(gone);
                }
                let mut watched = Vec::new();
                for root in &wanted {
                    if self.watched.contains(root) {
                        watched.push(root.clone());
                        continue;
                    }
                    match watcher.watch(root, RecursiveMode::Recursive) {
                        Ok(()) => watched.push(root.clone()),
                        Err(error) => {
                            tracing::warn!(folder = %root.display(), %error, "cannot watch notes folder");
                            self.watch_failed = true;
                        }
                    }
                }
                self.watched = watched;
            }
            None => self.watch_failed = !wanted.is_empty(),
        }
        let folders = Arc::clone(&self.folders);
        let roots: Vec<&str> = folders.iter().filter_map(|f| f.root_text()).collect();
        let removed = self.write(|transaction| index::remove_folders_except(transaction, &roots));
        if let Some(removed) = removed.filter(|n| *n > 0) {
            tracing::info!(removed, "dropped notes of folders no longer granted");
        }
    }

    fn new_watcher(&self) -> Option<RecommendedWatcher> {
        let sender = self.sender.clone();
        let shared = Arc::clone(&self.shared);
        let handler = move |result: notify::Result<Event>| {
            let wake = |sender: &SyncSender<Command>| {
                shared.overflow.store(true, Ordering::Release);
                let _ = sender.try_send(Command::Wake);
            };
            match result {
                Ok(event) if event.need_rescan() => wake(&sender),
                Ok(event) if is_relevant(&event.kind) => {
                    let folders = shared.folders();
                    let paths: Vec<PathBuf> = event
                        .paths
                        .into_iter()
                        .filter(|path| is_visible(&folders, path))
                        .collect();
                    if paths.is_empty() {
                        return;
                    }
                    match sender.try_send(Command::Changed(paths)) {
                        Ok(()) | Err(TrySendError::Disconnected(_)) => {}
                        Err(TrySendError::Full(_)) => wake(&sender),
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "notes watcher error; rescanning");
                    wake(&sender);
                }
            }
        };
        let config = notify::Config::default().with_follow_symlinks(false);
        match RecommendedWatcher::new(handler, config) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                tracing::warn!(%error, "cannot create a file watcher; notes folders will be polled");
                None
            }
        }
    }

    /// Runs `work` in one transaction. On damage the index is rebuilt; other errors are
    /// logged. Returns `None` when the work did not commit.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Option<T> {
        if self.broken {
            return None;
        }
        let outcome = self.db.transaction().and_then(|transaction| {
            let value = work(&transaction)?;
            transaction.commit()?;
            Ok(value)
        });
        match outcome {
            Ok(value) => Some(value),
            Err(error) if index::is_damage(&error) => {
                self.rebuild(&error.to_string());
                None
            }
            Err(error) => {
                tracing::warn!(%error, "notes index write failed");
                None
            }
        }
    }

    /// Starts over: every granted folder is walked and every changed file queued.
    fn full_scan(&mut self) {
        self.queue.clear();
        self.queued.clear();
        self.files_done = 0;
        self.files_total = 0;
        self.indexed_this_scan = 0;
        self.skipped = 0;
        self.truncated = false;
        self.last_full_scan = Instant::now();
        let roots: Vec<PathBuf> = self
            .folders
            .iter()
            .filter(|f| f.available)
            .map(|f| f.root.clone())
            .collect();
        for root in roots {
            self.enqueue_tree(&root);
        }
        self.publish();
    }

    /// Walks `dir` (a granted root or a folder inside one), queues the files that changed
    /// and drops index entries of files that are gone.
    fn enqueue_tree(&mut self, dir: &Path) {
        let Some(dir_text) = dir.to_str() else {
            return;
        };
        if !is_visible(&self.folders, dir) && !self.folders.iter().any(|f| f.root == dir) {
            return;
        }
        // Nested granted folders are walked on their own.
        let nested: Vec<PathBuf> = self
            .folders
            .iter()
            .filter(|f| f.available && f.root != dir && f.root.starts_with(dir))
            .map(|f| f.root.clone())
            .collect();
        let room = MAX_NOTES.saturating_sub(self.files_total as usize);
        let walked = walk(dir, &nested, room);
        self.skipped += walked.too_large;
        self.truncated |= walked.truncated;
        let Some(mut known) = self.read_states(dir_text) else {
            return;
        };
        let folders = Arc::clone(&self.folders);
        for FileFacts {
            path,
            modified_ns,
            size,
        } in walked.files
        {
            self.files_total += 1;
            let Some(owner) = owner_of(&folders, Path::new(&path)).and_then(|o| o.root_text())
            else {
                self.files_done += 1;
                continue;
            };
            let unchanged = known.remove(&path).is_some_and(|state| {
                state.folder == owner && state.modified_ns == modified_ns && state.size == size
            });
            if unchanged || self.queued.contains(&path) {
                self.files_done += 1;
            } else {
                self.queued.insert(path.clone());
                self.queue.push_back((path, owner.to_owned()));
            }
        }
        // What the index holds below `dir` but the walk did not find is gone, except files
        // of nested granted folders (their own walk handles them) and, after a truncated
        // walk, files the walk did not reach.
        if walked.truncated {
            return;
        }
        let gone: Vec<String> = known
            .into_keys()
            .filter(|path| !nested.iter().any(|n| Path::new(path).starts_with(n)))
            .collect();
        if !gone.is_empty() {
            self.write(|transaction| index::remove_files(transaction, &gone));
        }
    }

    fn read_states(&mut self, dir: &str) -> Option<std::collections::HashMap<String, FileState>> {
        match index::states_below(&self.db, dir) {
            Ok(states) => Some(states),
            Err(error) if index::is_damage(&error) => {
                self.rebuild(&error.to_string());
                None
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read the notes index");
                None
            }
        }
    }

    /// Indexes the next batch of queued files in one transaction.
    fn index_batch(&mut self) {
        let started = Instant::now();
        let mut batch = Vec::new();
        while batch.len() < BATCH_FILES {
            let Some(item) = self.queue.pop_front() else {
                break;
            };
            self.queued.remove(&item.0);
            batch.push(item);
        }
        let mut done = 0u64;
        let mut stored = 0u64;
        let mut skipped = 0u64;
        let mut leftover = Vec::new();
        let committed = self.write(|transaction| {
            for (position, (path, folder)) in batch.iter().enumerate() {
                // At least one file per batch, so a slow machine still makes progress.
                if position > 0 && started.elapsed() >= BATCH_TIME {
                    leftover.extend(batch[position..].iter().cloned());
                    break;
                }
                match index_file(transaction, Path::new(path), folder)? {
                    Indexed::Stored => stored += 1,
                    Indexed::Skipped => skipped += 1,
                    Indexed::Unchanged | Indexed::Removed => {}
                }
                done += 1;
            }
            Ok(())
        });
        if committed.is_some() {
            self.files_done += done;
            self.indexed_this_scan += stored;
            self.skipped += skipped;
            for item in leftover.into_iter().rev() {
                self.queued.insert(item.0.clone());
                self.queue.push_front(item);
            }
        }
        if self.queue.is_empty() {
            if self.indexed_this_scan >= OPTIMIZE_AFTER_FILES {
                self.write(|transaction| index::optimize(transaction));
            }
            tracing::info!(
                files = self.files_total,
                indexed = self.indexed_this_scan,
                "notes index is up to date"
            );
        }
        self.publish();
    }

    /// Handles paths whose events have settled.
    fn reconcile(&mut self, paths: &[PathBuf]) {
        let folders = Arc::clone(&self.folders);
        let mut trees = Vec::new();
        self.write(|transaction| {
            for path in paths {
                let Some(owner) = owner_of(&folders, path) else {
                    continue;
                };
                let (Some(text), Some(folder)) = (path.to_str(), owner.root_text()) else {
                    continue;
                };
                if !is_visible(&folders, path) {
                    continue;
                }
                match fs::symlink_metadata(path) {
                    Ok(metadata) if metadata.is_dir() => {
                        if reached_without_links(path) {
                            trees.push(path.clone());
                        } else {
                            remove_below(transaction, text)?;
                        }
                    }
                    Ok(metadata) if metadata.is_file() => {
                        index_file(transaction, path, folder)?;
                    }
                    Ok(_) => {
                        index::remove_file(transaction, text)?;
                    }
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {
                        index::remove_file(transaction, text)?;
                        remove_below(transaction, text)?;
                    }
                    Err(_) => {}
                }
            }
            Ok(())
        });
        if !trees.is_empty() {
            if self.queue.is_empty() {
                self.files_done = 0;
                self.files_total = 0;
                self.indexed_this_scan = 0;
            }
            for tree in trees {
                self.enqueue_tree(&tree);
            }
        }
        self.publish();
    }

    /// Indexes one file at once (for `write_note`); true when it is in the index afterwards.
    fn index_now(&mut self, path: &Path) -> bool {
        let folders = Arc::clone(&self.folders);
        let Some(folder) = owner_of(&folders, path).and_then(|o| o.root_text()) else {
            return false;
        };
        let stored = self.write(|transaction| index_file(transaction, path, folder));
        self.publish();
        matches!(stored, Some(Indexed::Stored | Indexed::Unchanged))
    }

    /// Replaces a damaged index with an empty one and rescans.
    fn rebuild(&mut self, reason: &str) {
        tracing::warn!(reason, "rebuilding the notes index");
        // Close the damaged file before replacing it.
        match Connection::open_in_memory() {
            Ok(placeholder) => drop(std::mem::replace(&mut self.db, placeholder)),
            Err(_) => return,
        }
        index::remove_index_files(&self.index_file);
        match index::open_writer(&self.index_file) {
            Ok((db, _)) => {
                self.db = db;
                self.broken = false;
                self.shared.generation.fetch_add(1, Ordering::AcqRel);
                self.notices.push(format!(
                    "The search index was damaged ({reason}) and has been rebuilt from the notes."
                ));
                self.full_scan();
            }
            Err(error) => {
                tracing::error!(%error, "cannot rebuild the notes index");
                self.broken = true;
                self.notices
                    .push(format!("The search index cannot be rebuilt: {error}."));
                self.publish();
            }
        }
    }

    fn publish(&self) {
        let notes_indexed = index::file_count(&self.db).unwrap_or(0);
        let mut warnings = self.folder_warnings.clone();
        if self.watch_failed {
            warnings.push(
                "Changes on disk are not watched (the system's watch limit may be reached); \
                 folders are rescanned every minute instead."
                    .to_owned(),
            );
        }
        if self.truncated {
            warnings.push(format!(
                "The granted folders hold more than {MAX_NOTES} notes (or too many files to \
                 look through); only the first {MAX_NOTES} are indexed."
            ));
        }
        warnings.extend(self.notices.iter().cloned());
        let status = IndexStatus {
            state: if self.queue.is_empty() {
                IndexState::Ready
            } else {
                IndexState::Scanning
            },
            files_done: self.files_done.min(self.files_total),
            files_total: self.files_total,
            notes_indexed,
            files_skipped: self.skipped,
            watching: !self.watch_failed && !self.watched.is_empty(),
            warnings,
        };
        self.shared.status.send_if_modified(|current| {
            let changed = *current != status;
            *current = status;
            changed
        });
    }
}

/// Drops every file the index holds below `dir`.
fn remove_below(transaction: &rusqlite::Transaction<'_>, dir: &str) -> rusqlite::Result<()> {
    let below: Vec<String> = index::states_below(transaction, dir)?.into_keys().collect();
    index::remove_files(transaction, &below)?;
    Ok(())
}

/// Brings the index in line with one file on disk: stores it when its content changed,
/// removes it when it is gone, too large, binary, a link or reached through a link.
fn index_file(
    transaction: &rusqlite::Transaction<'_>,
    path: &Path,
    folder: &str,
) -> rusqlite::Result<Indexed> {
    let Some(text_path) = path.to_str() else {
        return Ok(Indexed::Skipped);
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(_) => {
            index::remove_file(transaction, text_path)?;
            return Ok(Indexed::Removed);
        }
    };
    if !metadata.is_file() || !is_note_file_name(name) || !reached_without_links(path) {
        index::remove_file(transaction, text_path)?;
        return Ok(Indexed::Removed);
    }
    if metadata.len() > MAX_NOTE_BYTES {
        index::remove_file(transaction, text_path)?;
        return Ok(Indexed::Skipped);
    }
    let bytes = match read_bounded(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) | Err(_) => {
            index::remove_file(transaction, text_path)?;
            return Ok(Indexed::Skipped);
        }
    };
    if bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0) {
        index::remove_file(transaction, text_path)?;
        return Ok(Indexed::Skipped);
    }
    let hash = content_hash(&bytes);
    let modified = modified_ns(&metadata);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let known = index::file_state(transaction, text_path)?;
    if known.as_ref().is_some_and(|state| {
        state.hash == hash
            && state.folder == folder
            && state.modified_ns == modified
            && state.size == size
    }) {
        return Ok(Indexed::Unchanged);
    }
    let text = String::from_utf8_lossy(&bytes);
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    let document = document::read(&text, NoteKind::of_file_name(name), stem);
    index::upsert(
        transaction,
        &NoteRecord {
            path: text_path,
            folder,
            title: &document.title,
            modified_ns: modified,
            size,
            hash,
            chunks: &document.chunks,
        },
    )?;
    Ok(Indexed::Stored)
}

/// Reads a file of at most [`MAX_NOTE_BYTES`]; `None` when it grew past that meanwhile.
fn read_bounded(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_NOTE_BYTES).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(root: &str) -> GrantedFolder {
        GrantedFolder {
            root: PathBuf::from(root),
            given: PathBuf::from(root),
            writable: true,
            available: true,
        }
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!is_relevant(&EventKind::Access(AccessKind::Open(
            notify::event::AccessMode::Any
        ))));
        assert!(!is_relevant(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_relevant(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_relevant(&EventKind::Remove(
            notify::event::RemoveKind::File
        )));
        assert!(is_relevant(&EventKind::Modify(
            notify::event::ModifyKind::Any
        )));
    }

    #[test]
    fn events_under_hidden_folders_are_ignored_but_a_hidden_granted_root_is_not() {
        let folders = vec![granted("/home/me/.notes")];
        assert!(is_visible(&folders, Path::new("/home/me/.notes/a.md")));
        assert!(!is_visible(
            &folders,
            Path::new("/home/me/.notes/.git/index")
        ));
        assert!(!is_visible(&folders, Path::new("/home/me/other.md")));
    }

    #[test]
    fn content_hashes_tell_contents_apart() {
        assert_eq!(content_hash(b"same"), content_hash(b"same"));
        assert_ne!(content_hash(b"one"), content_hash(b"two"));
    }
}
