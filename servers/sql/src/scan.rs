//! Finds SQLite files below the granted folders for `list_databases`: a bounded walk (depth,
//! entries, results) that never follows symlinks and recognises a database by its 16-byte
//! header, not its name.
//!
//! Must not open databases or read more than the header of any file.

use std::{
    fs,
    io::Read,
    path::{Path, PathBuf},
};

use crate::{config::Limits, grants::Access};

/// The first 16 bytes of every SQLite 3 database file.
pub(crate) const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A SQLite file found below a granted folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundFile {
    pub(crate) path: PathBuf,
    pub(crate) folder: PathBuf,
    pub(crate) access: Access,
    pub(crate) bytes: u64,
}

/// What a scan found, and whether it stopped early.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) files: Vec<FoundFile>,
    pub(crate) incomplete: bool,
}

/// Whether a file of this size could be a SQLite database: page sizes are powers of two from
/// 512 to 65536, and a file holds whole pages.
pub(crate) fn plausible_size(bytes: u64) -> bool {
    bytes >= 512 && bytes.is_multiple_of(512)
}

/// Directories never worth walking into.
fn skipped_directory(name: &str) -> bool {
    matches!(name, ".git" | "node_modules" | ".hg" | ".svn")
}

fn has_sqlite_header(path: &Path) -> bool {
    let mut header = [0u8; 16];
    fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .is_ok()
        && &header == SQLITE_HEADER
}

/// Walks every folder breadth-first within the limits.
pub(crate) fn find_databases(folders: &[(PathBuf, Access)], limits: &Limits) -> Scan {
    let mut scan = Scan::default();
    let mut budget = limits.scan_entries;
    'walk: for (folder, access) in folders {
        let mut level = vec![folder.clone()];
        for depth in 0..=limits.scan_depth {
            let mut next = Vec::new();
            for directory in level {
                let Ok(entries) = fs::read_dir(&directory) else {
                    continue;
                };
                for entry in entries.flatten() {
                    if budget == 0 || scan.files.len() >= limits.listed_databases {
                        scan.incomplete = true;
                        break 'walk;
                    }
                    budget -= 1;
                    let Ok(kind) = entry.file_type() else {
                        continue;
                    };
                    let path = entry.path();
                    if kind.is_dir() {
                        let name = entry.file_name();
                        if !skipped_directory(&name.to_string_lossy()) {
                            if depth < limits.scan_depth {
                                next.push(path);
                            } else {
                                scan.incomplete = true;
                            }
                        }
                    } else if kind.is_file() {
                        let Ok(metadata) = entry.metadata() else {
                            continue;
                        };
                        if plausible_size(metadata.len()) && has_sqlite_header(&path) {
                            scan.files.push(FoundFile {
                                path,
                                folder: folder.clone(),
                                access: *access,
                                bytes: metadata.len(),
                            });
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
    }
    scan.files.sort_by(|a, b| a.path.cmp(&b.path));
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_database(path: &Path) {
        let connection = rusqlite::Connection::open(path).unwrap();
        connection
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }

    #[test]
    fn finds_databases_by_header_not_by_name() {
        let root = tempfile::tempdir().unwrap();
        make_database(&root.path().join("no-extension"));
        std::fs::create_dir_all(root.path().join("a/b")).unwrap();
        make_database(&root.path().join("a/b/deep.sqlite"));
        std::fs::write(root.path().join("fake.db"), vec![b'x'; 4096]).unwrap();
        std::fs::create_dir_all(root.path().join("node_modules")).unwrap();
        make_database(&root.path().join("node_modules/skip.db"));

        let folders = vec![(root.path().to_path_buf(), Access::ReadOnly)];
        let scan = find_databases(&folders, &Limits::default());
        let names: Vec<String> = scan
            .files
            .iter()
            .map(|file| {
                file.path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            vec!["deep.sqlite", "no-extension"],
            "only real databases, none under node_modules"
        );
        assert!(!scan.incomplete);
    }

    #[test]
    fn the_walk_stops_at_its_limits_and_says_so() {
        let root = tempfile::tempdir().unwrap();
        for i in 0..5 {
            make_database(&root.path().join(format!("{i}.db")));
        }
        let folders = vec![(root.path().to_path_buf(), Access::ReadOnly)];
        let limits = Limits {
            listed_databases: 2,
            ..Limits::default()
        };
        let scan = find_databases(&folders, &limits);
        assert_eq!(scan.files.len(), 2);
        assert!(scan.incomplete, "a cut-off walk must say it is incomplete");

        let nested = tempfile::tempdir().unwrap();
        let deep = nested.path().join("1/2/3");
        std::fs::create_dir_all(&deep).unwrap();
        make_database(&deep.join("x.db"));
        let limits = Limits {
            scan_depth: 1,
            ..Limits::default()
        };
        let scan = find_databases(&[(nested.path().to_path_buf(), Access::ReadOnly)], &limits);
        assert!(scan.files.is_empty() && scan.incomplete);
    }

    #[test]
    fn plausible_sizes_are_whole_pages() {
        assert!(!plausible_size(0));
        assert!(!plausible_size(100));
        assert!(plausible_size(4096));
        assert!(!plausible_size(4097));
    }
}
