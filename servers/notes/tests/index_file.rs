//! The index file is a cache: a damaged or foreign file is rebuilt from the notes without
//! an error for the user, an intact one is reused across restarts without re-reading
//! unchanged notes, and notes that are too large or binary are skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    fs,
    path::Path,
    thread,
    time::{Duration, Instant},
};

use server_notes::{
    IndexState, KnowledgeBase, MAX_NOTE_BYTES, NotesFolder,
    tools::{ListNotesRequest, SearchRequest},
};

fn wait_ready(kb: &KnowledgeBase) {
    let started = Instant::now();
    while kb.status().state != IndexState::Ready {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "indexing did not finish: {:?}",
            kb.status()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

fn hits(kb: &KnowledgeBase, query: &str) -> usize {
    kb.search(&SearchRequest {
        query: query.to_owned(),
        ..SearchRequest::default()
    })
    .unwrap()
    .results
    .len()
}

fn seed(notes: &Path, count: usize) {
    fs::create_dir_all(notes).unwrap();
    for i in 0..count {
        fs::write(
            notes.join(format!("note-{i}.md")),
            format!("# Note {i}\nabout pelicans and number{i}\n"),
        )
        .unwrap();
    }
}

#[test]
fn a_corrupt_index_file_is_rebuilt_from_the_notes() {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    seed(&notes, 5);
    let index = root.path().join("cache/index.sqlite");
    fs::create_dir_all(index.parent().unwrap()).unwrap();
    fs::write(&index, vec![0xA5u8; 64 * 1024]).unwrap();
    let kb = KnowledgeBase::open(index, vec![NotesFolder::read_only(&notes)])
        .expect("a corrupt index is not an error");
    wait_ready(&kb);
    assert_eq!(hits(&kb, "pelicans"), 5);
    let status = kb.status();
    assert_eq!(status.notes_indexed, 5);
    assert!(
        status.warnings.iter().any(|w| w.contains("rebuilt")),
        "the status says the index was rebuilt: {status:?}"
    );
}

#[test]
fn an_index_damaged_inside_is_rebuilt_when_reopened() {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    seed(&notes, 20);
    let index = root.path().join("index.sqlite");
    {
        let kb = KnowledgeBase::open(index.clone(), vec![NotesFolder::read_only(&notes)]).unwrap();
        wait_ready(&kb);
        kb.shutdown();
    }
    // Keep the SQLite header, trash the pages after it.
    let mut bytes = fs::read(&index).unwrap();
    for byte in bytes.iter_mut().skip(100) {
        *byte = 0x5A;
    }
    fs::write(&index, bytes).unwrap();
    let kb = KnowledgeBase::open(index, vec![NotesFolder::read_only(&notes)]).unwrap();
    wait_ready(&kb);
    assert_eq!(
        hits(&kb, "pelicans"),
        10,
        "a search returns its default limit"
    );
    assert_eq!(kb.status().notes_indexed, 20);
}

#[test]
fn an_intact_index_is_reused_after_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    seed(&notes, 30);
    let index = root.path().join("index.sqlite");
    let first = KnowledgeBase::open(index.clone(), vec![NotesFolder::read_only(&notes)]).unwrap();
    wait_ready(&first);
    first.shutdown();
    drop(first);
    // While the server was down: one note edited, one deleted, one added.
    fs::write(notes.join("note-0.md"), "# Note 0\nnow about herons\n").unwrap();
    fs::remove_file(notes.join("note-1.md")).unwrap();
    fs::write(notes.join("extra.md"), "# Extra\npelicans again\n").unwrap();
    let second = KnowledgeBase::open(index, vec![NotesFolder::read_only(&notes)]).unwrap();
    wait_ready(&second);
    let status = second.status();
    assert!(status.warnings.is_empty(), "{status:?}");
    assert_eq!(status.notes_indexed, 30);
    assert_eq!(status.files_total, 30);
    assert_eq!(hits(&second, "herons"), 1);
    let listed = second
        .list_notes(&ListNotesRequest {
            limit: Some(100),
            ..ListNotesRequest::default()
        })
        .unwrap();
    assert!(listed.notes.iter().all(|n| !n.path.ends_with("note-1.md")));
    assert!(listed.notes.iter().any(|n| n.path.ends_with("extra.md")));
}

#[test]
fn oversized_and_binary_notes_are_skipped() {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    seed(&notes, 1);
    let big = fs::File::create(notes.join("huge.md")).unwrap();
    big.set_len(MAX_NOTE_BYTES + 1).unwrap();
    fs::write(notes.join("binary.txt"), b"pelicans\0\x01\x02").unwrap();
    let kb = KnowledgeBase::open(
        root.path().join("index.sqlite"),
        vec![NotesFolder::read_only(&notes)],
    )
    .unwrap();
    wait_ready(&kb);
    assert_eq!(hits(&kb, "pelicans"), 1);
    assert_eq!(kb.status().files_skipped, 2, "{:?}", kb.status());
    let error = kb
        .read_note(&server_notes::tools::ReadNoteRequest {
            path: "huge.md".into(),
            heading: None,
        })
        .unwrap_err();
    assert!(error.to_string().contains("up to 2097152 bytes"), "{error}");
}

#[test]
fn a_missing_folder_is_a_warning_not_an_error() {
    let root = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(
        root.path().join("index.sqlite"),
        vec![NotesFolder::writable(root.path().join("not-there"))],
    )
    .unwrap();
    wait_ready(&kb);
    assert!(
        kb.status()
            .warnings
            .iter()
            .any(|w| w.contains("does not exist")),
        "{:?}",
        kb.status()
    );
    assert_eq!(hits(&kb, "anything"), 0);
}

#[test]
fn an_index_file_that_cannot_be_created_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    let blocker = root.path().join("file");
    fs::write(&blocker, "not a folder").unwrap();
    let outcome = KnowledgeBase::open(blocker.join("index.sqlite"), Vec::new());
    assert!(
        outcome.is_err(),
        "the host must learn that the cache is unusable"
    );
}

#[test]
fn an_index_damaged_while_running_is_rebuilt_and_searches_recover() {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    seed(&notes, 20);
    let index = root.path().join("index.sqlite");
    let kb = KnowledgeBase::open(index.clone(), vec![NotesFolder::read_only(&notes)]).unwrap();
    wait_ready(&kb);
    // Another program scribbles over the index and its write-ahead log.
    for file in [index.clone(), index.with_extension("sqlite-wal")] {
        let length = fs::metadata(&file).unwrap().len() as usize;
        fs::write(&file, vec![0x5Au8; length]).unwrap();
    }
    let first = kb.search(&SearchRequest {
        query: "pelicans".into(),
        ..SearchRequest::default()
    });
    match first {
        Err(error) => assert!(error.to_string().contains("rebuilt"), "{error}"),
        Ok(found) => panic!("a search on a damaged index cannot succeed: {found:?}"),
    }
    let started = Instant::now();
    loop {
        let found = kb.search(&SearchRequest {
            query: "pelicans".into(),
            limit: Some(50),
            ..SearchRequest::default()
        });
        if matches!(&found, Ok(found) if found.results.len() == 20) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "searches did not recover: {found:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        kb.status().warnings.iter().any(|w| w.contains("damaged")),
        "{:?}",
        kb.status()
    );
}
