//! The watcher on real files: a client rewriting its file (by rename, as editors and
//! apps do) is reported once after the debounce; files in missing folders are listed as
//! unwatched; dropping the watcher stops it.

use std::{
    path::PathBuf,
    sync::mpsc,
    time::{Duration, Instant},
};

use switchboard_clients::ConfigWatcher;

use super::support::Home;

const DEBOUNCE: Duration = Duration::from_millis(150);
const WAIT: Duration = Duration::from_secs(10);

fn save_by_rename(path: &std::path::Path, text: &str) {
    let temp = path.with_extension("tmp-by-client");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

#[test]
fn a_client_rewriting_its_file_is_reported_once_after_the_debounce() {
    let home = Home::new(switchboard_clients::Os::Linux);
    let folder = home.path().join(".cursor");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("mcp.json");
    std::fs::write(&file, "{}").unwrap();
    let missing = home
        .path()
        .join(".codeium")
        .join("windsurf")
        .join("mcp_config.json");

    let (sender, receiver) = mpsc::channel::<Vec<PathBuf>>();
    let watcher =
        ConfigWatcher::start(&[file.clone(), missing.clone()], DEBOUNCE, move |changed| {
            let _ = sender.send(changed);
        })
        .unwrap();
    assert_eq!(watcher.unwatched(), [missing]);

    // A burst of saves, as an app writing several times in a row.
    for n in 0..5 {
        save_by_rename(&file, &format!("{{\"n\": {n}}}"));
        std::thread::sleep(Duration::from_millis(10));
    }
    // An unrelated file in the same folder is not reported.
    std::fs::write(folder.join("other.json"), "{}").unwrap();

    let first = receiver
        .recv_timeout(WAIT)
        .expect("the change should be reported");
    assert_eq!(first, std::slice::from_ref(&file));
    let start = Instant::now();
    let mut extra = 0;
    while start.elapsed() < DEBOUNCE * 4 {
        if let Ok(more) = receiver.recv_timeout(DEBOUNCE) {
            assert_eq!(
                more,
                std::slice::from_ref(&file),
                "only the watched file is reported"
            );
            extra += 1;
        }
    }
    assert!(
        extra <= 1,
        "a burst is debounced into at most two reports, got {}",
        extra + 1
    );

    drop(watcher);
    save_by_rename(&file, "{\"after\": true}");
    assert!(
        receiver.recv_timeout(DEBOUNCE * 4).is_err(),
        "a dropped watcher reports nothing"
    );
}

#[test]
fn a_deleted_file_is_reported() {
    let home = Home::new(switchboard_clients::Os::Linux);
    let file = home.path().join("settings.json");
    std::fs::write(&file, "{}").unwrap();
    let (sender, receiver) = mpsc::channel();
    let _watcher = ConfigWatcher::start(std::slice::from_ref(&file), DEBOUNCE, move |changed| {
        let _ = sender.send(changed);
    })
    .unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(receiver.recv_timeout(WAIT).unwrap(), [file]);
}
