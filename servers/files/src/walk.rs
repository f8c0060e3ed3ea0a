//! Listing folders: one folder (list_directory) or a bounded tree (directory_tree), and
//! the budget that bounds every walk.
//!
//! Owns: listing order (folders first, then by name), entry kinds as reported, the depth,
//! entry and time caps of walks. Must not follow symlinks while walking (a link is listed
//! as a link, never entered), and must not open anything except through a sandbox `Dir`.

use std::{
    cmp::Ordering,
    time::{Duration, Instant},
};

use schemars::JsonSchema;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::{
    error::FilesError,
    limits::Limits,
    sandbox::{Dir, Entry, Kind, Located, SandboxError},
    search::NameFilter,
};

/// What an entry is, as reported to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Directory,
    /// A symbolic link: listed, never followed (get_file_info describes what it points to).
    Symlink,
    /// A FIFO, socket or device: never opened.
    Other,
}

impl From<Kind> for EntryKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::File => EntryKind::File,
            Kind::Directory => EntryKind::Directory,
            Kind::Symlink => EntryKind::Symlink,
            _ => EntryKind::Other,
        }
    }
}

/// Why a walk stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Time(Duration),
    Cancelled,
    Entries(usize),
}

impl Stop {
    pub(crate) fn describe(self) -> String {
        match self {
            Stop::Time(limit) => format!(
                "stopped after the {} time limit; narrow the folder or the pattern",
                seconds(limit)
            ),
            Stop::Cancelled => "cancelled".to_owned(),
            Stop::Entries(n) => format!(
                "stopped after looking at {n} names; narrow the folder or exclude large folders"
            ),
        }
    }
}

/// `10 s`, or `0.5 s` for a limit that is not whole seconds.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// Time, cancellation and entry bounds shared by one walk.
#[derive(Debug)]
pub(crate) struct Budget {
    started: Instant,
    timeout: Duration,
    cancel: CancellationToken,
    entries_left: usize,
    entries_max: usize,
}

impl Budget {
    pub(crate) fn new(timeout: Duration, cancel: CancellationToken, entries: usize) -> Self {
        Self {
            started: Instant::now(),
            timeout,
            cancel,
            entries_left: entries,
            entries_max: entries,
        }
    }

    /// Takes `n` entries from the budget; `Err` once it is spent, time is up or the call
    /// was cancelled.
    pub(crate) fn take(&mut self, n: usize) -> Result<(), Stop> {
        self.check()?;
        if n > self.entries_left {
            self.entries_left = 0;
            return Err(Stop::Entries(self.entries_max));
        }
        self.entries_left -= n;
        Ok(())
    }

    /// `Err` once time is up or the call was cancelled; takes nothing from the budget.
    pub(crate) fn check(&self) -> Result<(), Stop> {
        if self.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        if self.started.elapsed() > self.timeout {
            return Err(Stop::Time(self.timeout));
        }
        Ok(())
    }

    pub(crate) fn entries_left(&self) -> usize {
        self.entries_left
    }
}

/// Folders first, then by name ignoring case, then by exact name.
pub(crate) fn listing_order(a: &Entry, b: &Entry) -> Ordering {
    let rank = |e: &Entry| u8::from(e.kind != Kind::Directory);
    rank(a)
        .cmp(&rank(b))
        .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        .then_with(|| a.name.cmp(&b.name))
}

/// The entries of a folder in listing order, at most `limit` of them after sorting the
/// first `10 * limit` read; and whether some were left out.
pub(crate) fn sorted_entries(
    dir: &Dir,
    limit: usize,
    at: &Located,
) -> Result<(Vec<Entry>, bool), FilesError> {
    let (mut entries, more) = dir
        .entries(limit.saturating_mul(10))
        .map_err(|e| SandboxError::from_io(at.display(), e))?;
    entries.sort_by(listing_order);
    let truncated = more || entries.len() > limit;
    entries.truncate(limit);
    Ok((entries, truncated))
}

/// The result of list_directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Listing {
    /// The folder listed.
    pub path: String,
    /// Its entries: folders first, then the rest, each group by name.
    pub entries: Vec<ListedEntry>,
    /// True when the folder has more entries than were listed.
    pub truncated: bool,
}

/// One entry of a listing.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListedEntry {
    /// The entry's name.
    pub name: String,
    /// What it is.
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// Size in bytes (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

pub(crate) fn list_directory(located: &Located, limits: &Limits) -> Result<Listing, FilesError> {
    let dir = located.open_directory()?;
    let (entries, truncated) = sorted_entries(&dir, limits.max_list_entries, located)?;
    let entries = entries
        .into_iter()
        .map(|entry| {
            let size = (entry.kind == Kind::File && !entry.lossy)
                .then(|| dir.entry_meta(&entry.name).ok().map(|m| m.len))
                .flatten();
            ListedEntry {
                name: entry.name,
                kind: entry.kind.into(),
                size,
            }
        })
        .collect();
    Ok(Listing {
        path: located.display(),
        entries,
        truncated,
    })
}

/// The result of directory_tree.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tree {
    /// The folder at the top of the tree.
    pub path: String,
    /// How many levels below it were expanded.
    pub depth: usize,
    /// Its entries; folders carry their own entries in `children`.
    pub entries: Vec<TreeEntry>,
    /// True when entries were left out (entry or time limit); `note` says which.
    pub truncated: bool,
    /// Why the tree is incomplete, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One entry of a tree.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TreeEntry {
    /// The entry's name.
    pub name: String,
    /// What it is.
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// A folder's entries; absent when the folder is deeper than the depth asked for (or could not be opened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<TreeEntry>>,
}

pub(crate) fn directory_tree(
    located: &Located,
    depth: usize,
    exclude: &NameFilter,
    limits: &Limits,
    cancel: CancellationToken,
) -> Result<Tree, FilesError> {
    let dir = located.open_directory()?;
    let mut budget = Budget::new(limits.walk_timeout, cancel, limits.max_tree_entries);
    let mut stop = None;
    let mut truncated = false;
    let entries = tree_level(
        &dir,
        located,
        "",
        depth,
        exclude,
        &mut budget,
        &mut stop,
        &mut truncated,
    )?;
    let truncated = truncated || stop.is_some();
    let note = match stop {
        Some(Stop::Entries(n)) => Some(format!(
            "only the first {n} entries are shown; ask for less depth, a sub-folder, or exclude \
             large folders"
        )),
        Some(other) => Some(other.describe()),
        None if truncated => Some("some folders had more entries than are shown".to_owned()),
        None => None,
    };
    Ok(Tree {
        path: located.display(),
        depth,
        entries,
        truncated,
        note,
    })
}

#[allow(clippy::too_many_arguments)]
fn tree_level(
    dir: &Dir,
    at: &Located,
    relative: &str,
    depth: usize,
    exclude: &NameFilter,
    budget: &mut Budget,
    stop: &mut Option<Stop>,
    truncated: &mut bool,
) -> Result<Vec<TreeEntry>, FilesError> {
    let limit = budget.entries_left().max(1);
    let (entries, more) = sorted_entries(dir, limit, at)?;
    *truncated |= more;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if stop.is_some() {
            break;
        }
        let path = join_relative(relative, &entry.name);
        if exclude.matches(&entry.name, &path) {
            continue;
        }
        if let Err(reason) = budget.take(1) {
            *stop = Some(reason);
            break;
        }
        let children = if entry.kind == Kind::Directory && depth > 1 && !entry.lossy {
            match dir.subdir(&entry.name) {
                Ok(sub) => Some(tree_level(
                    &sub,
                    at,
                    &path,
                    depth - 1,
                    exclude,
                    budget,
                    stop,
                    truncated,
                )?),
                Err(_) => None,
            }
        } else {
            None
        };
        out.push(TreeEntry {
            name: entry.name,
            kind: entry.kind.into(),
            children,
        });
    }
    Ok(out)
}

/// `a/b` from `a` and `b`; `b` from `` and `b`.
pub(crate) fn join_relative(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: Kind) -> Entry {
        Entry {
            name: name.to_owned(),
            lossy: false,
            kind,
        }
    }

    #[test]
    fn folders_come_first_then_names_ignoring_case() {
        let mut entries = [
            entry("b.txt", Kind::File),
            entry("Zeta", Kind::Directory),
            entry("A.txt", Kind::File),
            entry("alpha", Kind::Directory),
            entry("a.txt", Kind::File),
        ];
        entries.sort_by(listing_order);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["alpha", "Zeta", "A.txt", "a.txt", "b.txt"]);
    }

    #[test]
    fn a_budget_runs_out_of_entries_and_time() {
        let mut budget = Budget::new(Duration::from_secs(60), CancellationToken::new(), 2);
        assert!(budget.take(1).is_ok());
        assert!(budget.take(1).is_ok());
        assert_eq!(budget.take(1), Err(Stop::Entries(2)));
        let mut budget = Budget::new(Duration::ZERO, CancellationToken::new(), 10);
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(budget.take(1), Err(Stop::Time(_))));
        let cancel = CancellationToken::new();
        let mut budget = Budget::new(Duration::from_secs(60), cancel.clone(), 10);
        cancel.cancel();
        assert_eq!(budget.take(1), Err(Stop::Cancelled));
    }
}
