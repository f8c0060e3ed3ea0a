//! Crash injection: a failure at each step of the write leaves either the old or the new
//! file, never a broken one and never a temp file; and a writer process killed at random
//! moments leaves a whole file each time.

use std::{
    io,
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use switchboard_clients::{
    AtomicWriter, ClientsError, Entry, Environment, ManagedEntries, Operation, Os, Scope,
    StdioEntry, WriteHook, WriteStep,
};

use super::support::{BINARY, Home, fixture, put, read, temp_files};

struct FailAt(WriteStep);

impl WriteHook for FailAt {
    fn before(&self, step: WriteStep) -> io::Result<()> {
        if step == self.0 {
            Err(io::Error::other(format!(
                "injected failure before {step:?}"
            )))
        } else {
            Ok(())
        }
    }
}

#[test]
fn a_failure_at_any_write_step_leaves_the_old_or_the_new_file() {
    for step in WriteStep::ALL {
        let home = Home::new(Os::Linux);
        let original = fixture("cursor", "real-world.json");
        let target = home.target("cursor", &Scope::User, Some(&original));
        let old = String::from_utf8(original).unwrap();
        let new = target
            .edit_text(Some(&old), &ManagedEntries::new(), &[put("notes")])
            .unwrap()
            .text
            .unwrap();
        let writer = AtomicWriter::new().with_hook(Arc::new(FailAt(step)));
        let result = target.apply_with(&writer, &ManagedEntries::new(), &[put("notes")]);
        let now = read(target.path());
        match step {
            WriteStep::SyncFolder => {
                // The rename happened; only durability is in doubt, which is logged.
                assert!(result.is_ok(), "{step:?}: {result:?}");
                assert_eq!(now, new, "{step:?}: the new file is in place");
            }
            _ => {
                let error = result.unwrap_err();
                assert!(
                    matches!(error, ClientsError::Write { .. }),
                    "{step:?}: {error}"
                );
                assert!(
                    error.to_string().contains("the file was left as it was"),
                    "{error}"
                );
                assert_eq!(now, old, "{step:?}: the old file is in place");
            }
        }
        let folder = target.path().parent().unwrap();
        assert!(
            temp_files(folder).is_empty(),
            "{step:?}: temp files left: {:?}",
            temp_files(folder)
        );
        for backup in target.backups().unwrap() {
            assert_eq!(read(&backup), old, "{step:?}: a backup is always whole");
        }
    }
}

#[test]
fn a_failure_creating_a_new_file_leaves_no_file() {
    for step in [
        WriteStep::CreateTemp,
        WriteStep::WriteTempRest,
        WriteStep::Rename,
    ] {
        let home = Home::new(Os::Linux);
        let target = home.target("cursor", &Scope::User, None);
        let writer = AtomicWriter::new().with_hook(Arc::new(FailAt(step)));
        assert!(
            target
                .apply_with(&writer, &ManagedEntries::new(), &[put("notes")])
                .is_err()
        );
        assert!(
            !target.path().exists(),
            "{step:?}: a half-made file appeared"
        );
    }
}

const CHILD_DIR: &str = "SWITCHBOARD_CLIENTS_CRASH_CHILD_HOME";
const CHILD_TEST: &str = "crash::child_process_rewrites_its_file_until_killed";
/// Each version's big argument: the round number repeated, so a torn write shows.
const PAYLOAD_REPEAT: usize = 40_000;

fn payload(version: usize) -> String {
    format!("{version:06}-").repeat(PAYLOAD_REPEAT)
}

/// The child side of `a_killed_writer_leaves_a_whole_file`: does nothing unless started
/// by it.
#[test]
fn child_process_rewrites_its_file_until_killed() {
    let Ok(home) = std::env::var(CHILD_DIR) else {
        return;
    };
    let env = Environment::new(Os::Linux, home);
    let target = switchboard_clients::client("cursor")
        .unwrap()
        .target(&Scope::User, &env)
        .unwrap();
    let mut managed = ManagedEntries::new();
    let started = Instant::now();
    // Bounded, should the parent die before killing it.
    for version in 0..10_000 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        let entry = Entry::Stdio(StdioEntry {
            command: BINARY.to_owned(),
            args: vec!["connect".to_owned(), payload(version)],
            env: Default::default(),
        });
        let report = target
            .apply(
                &managed,
                &[Operation::Put {
                    server: "big".to_owned(),
                    entry,
                }],
            )
            .unwrap();
        managed = report.managed;
    }
}

fn assert_whole(text: &str, what: &str) {
    let value: serde_json::Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what} is broken JSON ({e}), {} bytes", text.len()));
    let arg = value["mcpServers"]["big"]["args"][1].as_str().unwrap();
    let version: usize = arg[..6].parse().unwrap();
    assert_eq!(arg, payload(version), "{what} holds a torn payload");
}

#[test]
fn a_killed_writer_leaves_a_whole_file() {
    let exe = std::env::current_exe().unwrap();
    let mut killed_mid_write = 0;
    for round in 0..12_u64 {
        let home = Home::new(Os::Linux);
        let target = home.target("cursor", &Scope::User, None);
        let mut child = Command::new(&exe)
            .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the first write, then kill at a different moment each round.
        let started = Instant::now();
        while !target.path().exists() && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(round * 29 % 113));
        child.kill().unwrap();
        child.wait().unwrap();

        assert!(
            target.path().exists(),
            "round {round}: the child never wrote"
        );
        if !temp_files(target.path().parent().unwrap()).is_empty() {
            killed_mid_write += 1;
        }
        assert_whole(
            &read(target.path()),
            &format!("round {round}: the config file"),
        );
        for backup in target.backups().unwrap() {
            assert_whole(
                &read(&backup),
                &format!("round {round}: backup {}", backup.display()),
            );
        }
    }
    // A temp file left behind shows the kill landed mid-write (about half the rounds).
    assert!(killed_mid_write > 0, "no round killed the writer mid-write");
}

#[test]
fn temp_files_left_by_a_dead_writer_are_cleaned_up_by_the_next_write() {
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, Some(b"{}"));
    let folder = target.path().parent().unwrap();
    let stale = folder.join(".mcp.json.switchboard-tmp-99999-0-0");
    let fresh = folder.join(".mcp.json.switchboard-tmp-99999-1-0");
    std::fs::write(&stale, "half a fi").unwrap();
    std::fs::write(&fresh, "another writer at wo").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();

    target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    assert!(!stale.exists(), "a temp file from a dead writer is removed");
    assert!(
        fresh.exists(),
        "a recent temp file may belong to a writer at work"
    );
}
