//! Watching client config files for changes made by someone else (the client app, the
//! user, another tool), debounced, so the hub can compare them for drift.
//!
//! Owns: one `notify` watcher on the folders of the watched files (a client that saves by
//! rename replaces the file's inode, so the folder is what stays watchable) and a thread
//! that gathers events until the files have been quiet for the debounce time, then
//! reports which files changed. Must not: read or compare the files.

use std::{
    collections::{BTreeSet, HashMap},
    ffi::OsString,
    fmt,
    path::{Path, PathBuf},
    sync::mpsc::{self, RecvTimeoutError},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::ClientsError;

/// A debounce never waits longer than this many quiet periods in a row: a file that keeps
/// changing is still reported.
const MAX_DEBOUNCE_PERIODS: u32 = 10;

/// Watches client config files; dropping it stops the watch. See
/// [`ConfigWatcher::start`].
pub struct ConfigWatcher {
    watcher: Option<notify::RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
    unwatched: Vec<PathBuf>,
}

impl fmt::Debug for ConfigWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigWatcher")
            .field("running", &self.thread.is_some())
            .field("unwatched", &self.unwatched)
            .finish()
    }
}

impl ConfigWatcher {
    /// Watches `files`; when some change (created, written, renamed over, removed) and
    /// then stay quiet for `debounce`, calls `on_change` with them (sorted, each once),
    /// on the watcher's own thread. Files whose folder does not exist yet cannot be
    /// watched; they are listed by [`ConfigWatcher::unwatched`] (start a new watcher
    /// once the client is installed).
    pub fn start(
        files: &[PathBuf],
        debounce: Duration,
        on_change: impl Fn(Vec<PathBuf>) + Send + 'static,
    ) -> Result<Self, ClientsError> {
        let (sender, receiver) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(sender)
            .map_err(|source| ClientsError::WatcherUnavailable { source })?;

        // Folder → file name → the path as the caller gave it.
        let mut wanted: HashMap<PathBuf, HashMap<OsString, PathBuf>> = HashMap::new();
        for file in files {
            let (Some(folder), Some(name)) = (file.parent(), file.file_name()) else {
                continue;
            };
            wanted
                .entry(folder.to_path_buf())
                .or_default()
                .insert(name.to_owned(), file.clone());
        }
        let mut unwatched = Vec::new();
        let mut watched: HashMap<PathBuf, HashMap<OsString, PathBuf>> = HashMap::new();
        for (folder, names) in wanted {
            if !folder.is_dir() {
                unwatched.extend(names.into_values());
                continue;
            }
            watcher
                .watch(&folder, RecursiveMode::NonRecursive)
                .map_err(|source| ClientsError::Watch {
                    path: folder.clone(),
                    source,
                })?;
            // Events name paths under the folder as the OS spells it.
            let canonical = folder.canonicalize().unwrap_or_else(|_| folder.clone());
            if canonical != folder {
                watched.insert(canonical, names.clone());
            }
            watched.insert(folder, names);
        }
        unwatched.sort();

        let thread = std::thread::Builder::new()
            .name("switchboard-config-watch".to_owned())
            .spawn(move || debounce_loop(&receiver, &watched, debounce, &on_change))
            .map_err(|source| ClientsError::WatcherUnavailable {
                source: notify::Error::io(source),
            })?;
        Ok(Self {
            watcher: Some(watcher),
            thread: Some(thread),
            unwatched,
        })
    }

    /// The files that could not be watched because their folder does not exist.
    pub fn unwatched(&self) -> &[PathBuf] {
        &self.unwatched
    }
}

impl Drop for ConfigWatcher {
    fn drop(&mut self) {
        // Dropping the watcher closes the channel; the thread then ends.
        drop(self.watcher.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Events = mpsc::Receiver<notify::Result<notify::Event>>;

fn debounce_loop(
    receiver: &Events,
    watched: &HashMap<PathBuf, HashMap<OsString, PathBuf>>,
    debounce: Duration,
    on_change: &dyn Fn(Vec<PathBuf>),
) {
    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first_at: Option<Instant> = None;
    loop {
        let message = if pending.is_empty() {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            receiver.recv_timeout(debounce)
        };
        match message {
            Ok(Ok(event)) => {
                if is_change(&event.kind) {
                    for path in &event.paths {
                        if let Some(file) = watched_file(watched, path) {
                            pending.insert(file.clone());
                            first_at.get_or_insert_with(Instant::now);
                        }
                    }
                }
                let overdue =
                    first_at.is_some_and(|at| at.elapsed() >= debounce * MAX_DEBOUNCE_PERIODS);
                if overdue {
                    flush(&mut pending, &mut first_at, on_change);
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "config file watch error"),
            Err(RecvTimeoutError::Timeout) => flush(&mut pending, &mut first_at, on_change),
            Err(RecvTimeoutError::Disconnected) => {
                flush(&mut pending, &mut first_at, on_change);
                return;
            }
        }
    }
}

fn flush(
    pending: &mut BTreeSet<PathBuf>,
    first_at: &mut Option<Instant>,
    on_change: &dyn Fn(Vec<PathBuf>),
) {
    *first_at = None;
    if !pending.is_empty() {
        on_change(std::mem::take(pending).into_iter().collect());
    }
}

fn is_change(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    )
}

fn watched_file<'a>(
    watched: &'a HashMap<PathBuf, HashMap<OsString, PathBuf>>,
    path: &Path,
) -> Option<&'a PathBuf> {
    let names = watched.get(path.parent()?)?;
    names.get(path.file_name()?)
}
