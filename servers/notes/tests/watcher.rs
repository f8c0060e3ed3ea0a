//! Files changed on disk by someone else (an editor, a sync tool) reach the index through
//! the watcher: created, edited, deleted, renamed files and moved folders show up in
//! searches within a bounded wait. The waits poll; they are not timing assertions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    fs,
    path::{Path, PathBuf},
    thread,
    time::{Duration, Instant},
};

use server_notes::{
    IndexState, KnowledgeBase, NotesFolder,
    tools::{SearchRequest, SearchResults},
};
use tempfile::TempDir;

/// How long a change may take to reach the index before the test fails.
const PATIENCE: Duration = Duration::from_secs(10);

struct Fixture {
    _root: TempDir,
    notes: PathBuf,
    kb: KnowledgeBase,
}

fn fixture() -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(notes.join("seed.md"), "# Seed\nthe first note\n").unwrap();
    let notes = notes.canonicalize().unwrap();
    let kb = KnowledgeBase::open(
        root.path().join("index.sqlite"),
        vec![NotesFolder::writable(&notes)],
    )
    .unwrap();
    eventually("the first scan finishes", || {
        kb.status().state == IndexState::Ready
    });
    assert!(
        kb.status().watching,
        "the folder is watched: {:?}",
        kb.status()
    );
    Fixture {
        _root: root,
        notes,
        kb,
    }
}

fn search(kb: &KnowledgeBase, query: &str) -> SearchResults {
    kb.search(&SearchRequest {
        query: query.to_owned(),
        ..SearchRequest::default()
    })
    .unwrap()
}

fn paths(kb: &KnowledgeBase, query: &str) -> Vec<PathBuf> {
    search(kb, query)
        .results
        .into_iter()
        .map(|hit| PathBuf::from(hit.path))
        .collect()
}

/// Polls `condition` until it holds, failing after [`PATIENCE`].
fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < PATIENCE,
            "{what} did not happen within {PATIENCE:?}"
        );
        thread::sleep(Duration::from_millis(25));
    }
}

fn found_only(kb: &KnowledgeBase, query: &str, path: &Path) -> bool {
    paths(kb, query) == vec![path.to_owned()]
}

#[test]
fn a_file_created_on_disk_becomes_searchable() {
    let fixture = fixture();
    let path = fixture.notes.join("fresh.md");
    fs::write(&path, "# Fresh\nmentions the narwhal\n").unwrap();
    eventually("the new file is found", || {
        found_only(&fixture.kb, "narwhal", &path)
    });
}

#[test]
fn an_edited_file_is_reindexed() {
    let fixture = fixture();
    let path = fixture.notes.join("seed.md");
    fs::write(&path, "# Seed\nnow about the albatross\n").unwrap();
    eventually("the new words are found", || {
        found_only(&fixture.kb, "albatross", &path)
    });
    assert!(
        paths(&fixture.kb, "\"first note\"").is_empty(),
        "the old words are gone"
    );
}

#[test]
fn a_deleted_file_leaves_the_index() {
    let fixture = fixture();
    fs::remove_file(fixture.notes.join("seed.md")).unwrap();
    eventually("the deleted file is gone", || {
        paths(&fixture.kb, "first").is_empty()
    });
    assert_eq!(fixture.kb.status().notes_indexed, 0);
}

#[test]
fn a_renamed_file_is_found_under_its_new_name() {
    let fixture = fixture();
    let renamed = fixture.notes.join("renamed.md");
    fs::rename(fixture.notes.join("seed.md"), &renamed).unwrap();
    eventually("the file is found under its new name", || {
        found_only(&fixture.kb, "first", &renamed)
    });
}

#[test]
fn a_folder_moved_in_renamed_and_out_is_followed() {
    let fixture = fixture();
    // Built outside the granted folder, then moved in: one event for the whole tree.
    let staging = fixture.notes.parent().unwrap().join("staging");
    fs::create_dir_all(staging.join("deep")).unwrap();
    fs::write(staging.join("deep/one.md"), "# One\nthe wombat\n").unwrap();
    fs::write(staging.join("two.txt"), "another wombat\n").unwrap();
    let moved = fixture.notes.join("project");
    fs::rename(&staging, &moved).unwrap();
    eventually("the moved-in tree is indexed", || {
        paths(&fixture.kb, "wombat").len() == 2
    });

    let renamed = fixture.notes.join("archive");
    fs::rename(&moved, &renamed).unwrap();
    eventually("the renamed tree is found under its new path", || {
        let mut found = paths(&fixture.kb, "wombat");
        found.sort();
        found == vec![renamed.join("deep/one.md"), renamed.join("two.txt")]
    });

    let outside = fixture.notes.parent().unwrap().join("gone");
    fs::rename(&renamed, &outside).unwrap();
    eventually("the moved-out tree is gone", || {
        paths(&fixture.kb, "wombat").is_empty()
    });
}

#[test]
fn a_burst_of_edits_settles_on_the_last_version() {
    let fixture = fixture();
    let path = fixture.notes.join("draft.md");
    for version in 0..50 {
        fs::write(&path, format!("# Draft\nversion{version} of the text\n")).unwrap();
    }
    eventually("the last version is indexed", || {
        found_only(&fixture.kb, "version49", &path)
    });
    assert!(paths(&fixture.kb, "version48").is_empty());
}

#[test]
fn files_in_hidden_folders_and_other_kinds_stay_out() {
    let fixture = fixture();
    fs::create_dir_all(fixture.notes.join(".git")).unwrap();
    fs::write(fixture.notes.join(".git/notes.md"), "okapi in git\n").unwrap();
    fs::write(fixture.notes.join("data.json"), "{\"okapi\": 1}\n").unwrap();
    // A visible marker written last: once it is found, the others had their chance.
    let marker = fixture.notes.join("marker.md");
    fs::write(&marker, "okapi marker\n").unwrap();
    eventually("the marker is indexed", || {
        !paths(&fixture.kb, "marker").is_empty()
    });
    assert_eq!(paths(&fixture.kb, "okapi"), vec![marker]);
}

#[test]
fn shutdown_stops_the_watcher() {
    let fixture = fixture();
    fixture.kb.shutdown();
    assert_eq!(fixture.kb.status().state, IndexState::Stopped);
    assert!(!fixture.kb.status().watching);
    fs::write(fixture.notes.join("late.md"), "too late\n").unwrap();
    let error = fixture
        .kb
        .search(&SearchRequest {
            query: "late".into(),
            ..SearchRequest::default()
        })
        .unwrap_err();
    assert!(error.to_string().contains("shut down"), "{error}");
}
