//! Races: a thread swaps a folder inside the grant with a symlink to a folder outside,
//! atomically and as fast as it can, while a client reads, lists and writes through that
//! path. Checks happen on file descriptors, so whichever state a call meets, nothing
//! outside is ever read or written. Bounded: a fixed number of calls.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{
    fs,
    os::unix::fs::symlink,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread,
};

use client::{call, connect, read_resource, text_of};
use rmcp::model::ResourceContents;
use rustix::fs::{CWD, RenameFlags, renameat_with};
use serde_json::json;
use server_files::{Access, Folder, Folders};

const CALLS: usize = 600;

struct Swapper {
    stop: Arc<AtomicBool>,
    swaps: Arc<AtomicU64>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Swapper {
    /// Exchanges `a` and `b` (a real folder and a symlink) atomically until stopped, at
    /// most 10 million times.
    fn start(a: PathBuf, b: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let swaps = Arc::new(AtomicU64::new(0));
        let handle = {
            let (stop, swaps) = (Arc::clone(&stop), Arc::clone(&swaps));
            thread::spawn(move || {
                for _ in 0..10_000_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    renameat_with(CWD, &a, CWD, &b, RenameFlags::EXCHANGE).unwrap();
                    swaps.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        Swapper {
            stop,
            swaps,
            handle: Some(handle),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            handle.join().unwrap();
        }
        self.swaps.load(Ordering::Relaxed)
    }
}

impl Drop for Swapper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// `Grant/swap` is a real folder holding `f.txt` ("INSIDE"); `Grant/alt` is a symlink to
/// `outside/`, which holds `f.txt` ("OUTSIDE SECRET") and `only-outside.txt`.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, Folders) {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().canonicalize().unwrap();
    let grant = base.join("Grant");
    let outside = base.join("outside");
    fs::create_dir_all(grant.join("swap")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(grant.join("swap/f.txt"), "INSIDE").unwrap();
    fs::write(outside.join("f.txt"), "OUTSIDE SECRET").unwrap();
    fs::write(outside.join("only-outside.txt"), "x").unwrap();
    symlink(&outside, grant.join("alt")).unwrap();
    let folders = Folders::new(vec![Folder::new(&grant, Access::ReadWrite)]);
    (root, grant, outside, folders)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_racing_a_folder_swapped_for_a_symlink_never_read_outside() {
    let (_root, grant, outside, folders) = setup();
    let client = connect(&folders).await;
    let swapper = Swapper::start(grant.join("swap"), grant.join("alt"));
    let file = grant.join("swap/f.txt").display().to_string();
    let folder = grant.join("swap").display().to_string();
    let (mut inside, mut refused) = (0, 0);
    for i in 0..CALLS {
        let text = match i % 3 {
            0 => {
                let result = call(&client, "read_file", json!({ "path": file }))
                    .await
                    .unwrap();
                if result.is_error != Some(true) {
                    inside += 1;
                    assert_eq!(text_of(&result), "INSIDE");
                } else {
                    refused += 1;
                }
                text_of(&result)
            }
            1 => match read_resource(&client, &format!("file://{file}")).await {
                Ok(contents) => match &contents[0] {
                    ResourceContents::TextResourceContents { text, .. } => {
                        inside += 1;
                        text.clone()
                    }
                    other => panic!("unexpected {other:?}"),
                },
                Err(message) => {
                    refused += 1;
                    message
                }
            },
            _ => {
                let result = call(&client, "list_directory", json!({ "path": folder }))
                    .await
                    .unwrap();
                text_of(&result)
            }
        };
        assert!(!text.contains("OUTSIDE"), "call {i} read outside: {text}");
        assert!(
            !text.contains("only-outside"),
            "call {i} listed outside: {text}"
        );
    }
    let swaps = swapper.finish();
    assert!(swaps > 100, "the swapper ran ({swaps} swaps)");
    assert!(inside > 0, "some calls met the real folder");
    assert!(refused > 0, "some calls met the symlink and were refused");
    assert_eq!(
        fs::read_to_string(outside.join("f.txt")).unwrap(),
        "OUTSIDE SECRET"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_racing_a_folder_swapped_for_a_symlink_never_land_outside() {
    let (_root, grant, outside, folders) = setup();
    let client = connect(&folders).await;
    let swapper = Swapper::start(grant.join("swap"), grant.join("alt"));
    let (mut written, mut refused) = (0, 0);
    for i in 0..CALLS / 2 {
        let path = grant
            .join(format!("swap/new-{i}.txt"))
            .display()
            .to_string();
        let result = call(
            &client,
            "write_file",
            json!({"path": path, "content": "written"}),
        )
        .await
        .unwrap();
        if result.is_error == Some(true) {
            refused += 1;
        } else {
            written += 1;
        }
        let dir = grant.join("swap").display().to_string();
        let _ = call(
            &client,
            "create_directory",
            json!({"path": format!("{dir}/made-{i}")}),
        )
        .await;
    }
    swapper.finish();
    let mut outside_names: Vec<String> = fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outside_names.sort();
    assert_eq!(
        outside_names,
        ["f.txt", "only-outside.txt"],
        "nothing was written or created outside ({written} writes, {refused} refused)"
    );
    assert!(written > 0, "some writes met the real folder");
}
