//! Walking a folder for note files: visible `.md`, `.markdown` and `.txt` files, never
//! following a symlink, skipping hidden and tool folders and nested granted folders (they
//! are walked on their own).
//!
//! Owns the traversal and its bounds (files, entries visited, file size). Reads metadata
//! only: never file contents, never the index.

use std::{
    fs,
    path::{Path, PathBuf},
    time::UNIX_EPOCH,
};

use crate::{
    MAX_NOTE_BYTES,
    folders::{is_note_file_name, is_skipped_folder_name},
};

/// Directory entries looked at in one walk before it stops (a guard against a granted
/// folder that holds a whole disk).
const MAX_ENTRIES_VISITED: usize = 2_000_000;

/// A note file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileFacts {
    pub(crate) path: String,
    pub(crate) modified_ns: i64,
    pub(crate) size: i64,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub(crate) files: Vec<FileFacts>,
    /// Note files over [`MAX_NOTE_BYTES`], left out.
    pub(crate) too_large: u64,
    /// Whether the walk stopped at a bound before seeing everything.
    pub(crate) truncated: bool,
}

/// Nanoseconds since the Unix epoch of a file's modification time (0 when unknown).
pub(crate) fn modified_ns(metadata: &fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .and_then(|since| i64::try_from(since.as_nanos()).ok())
        .unwrap_or(0)
}

/// Walks `dir` for note files, skipping the folders in `skip`, returning at most
/// `max_files` files.
pub(crate) fn walk(dir: &Path, skip: &[PathBuf], max_files: usize) -> Walked {
    let mut walked = Walked::default();
    let mut stack = vec![dir.to_owned()];
    let mut visited = 0usize;
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            visited += 1;
            if visited > MAX_ENTRIES_VISITED || walked.files.len() >= max_files {
                walked.truncated = true;
                return walked;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if !is_skipped_folder_name(name) && !skip.contains(&path) {
                    stack.push(path);
                }
            } else if kind.is_file() && is_note_file_name(name) {
                let (Ok(metadata), Some(text)) = (entry.metadata(), path.to_str()) else {
                    continue;
                };
                if metadata.len() > MAX_NOTE_BYTES {
                    walked.too_large += 1;
                    continue;
                }
                walked.files.push(FileFacts {
                    path: text.to_owned(),
                    modified_ns: modified_ns(&metadata),
                    size: i64::try_from(metadata.len()).unwrap_or(i64::MAX),
                });
            }
            // Symlinks and other kinds are never followed.
        }
    }
    walked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(walked: &Walked, root: &Path) -> Vec<String> {
        let mut names: Vec<String> = walked
            .files
            .iter()
            .map(|f| {
                Path::new(&f.path)
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn walks_visible_notes_and_skips_hidden_tool_and_nested_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("a.md", "a"),
            ("sub/b.markdown", "b"),
            ("sub/deeper/c.txt", "c"),
            ("sub/not-a-note.pdf", "x"),
            (".git/HEAD.md", "x"),
            ("node_modules/pkg/readme.md", "x"),
            (".hidden.md", "x"),
            ("nested/inside.md", "x"),
        ] {
            let full = root.join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        let walked = walk(root, &[root.join("nested")], 100);
        assert_eq!(
            names(&walked, root),
            vec!["a.md", "sub/b.markdown", "sub/deeper/c.txt"]
        );
        assert!(!walked.truncated);
    }

    #[test]
    fn oversized_notes_are_counted_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("small.md"), "x").unwrap();
        let big = fs::File::create(dir.path().join("big.md")).unwrap();
        big.set_len(MAX_NOTE_BYTES + 1).unwrap();
        let walked = walk(dir.path(), &[], 100);
        assert_eq!(names(&walked, dir.path()), vec!["small.md"]);
        assert_eq!(walked.too_large, 1);
    }

    #[test]
    fn the_file_bound_truncates_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            fs::write(dir.path().join(format!("{i}.md")), "x").unwrap();
        }
        let walked = walk(dir.path(), &[], 4);
        assert_eq!(walked.files.len(), 4);
        assert!(walked.truncated);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            dir.path().join("alias.md"),
        )
        .unwrap();
        let walked = walk(dir.path(), &[], 100);
        assert!(walked.files.is_empty(), "{:?}", walked.files);
    }
}
