//! Real process trees under the real shim: staged stops, exit codes, orphans, and the whole
//! tree dying with the daemon. Linux only (reads /proc).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    time::Duration,
};

use switchboard_supervisor::{ChildSpec, Launcher, StopReport, TreeSampler};
use switchboard_tests::procs::{alive, descendants, eventually, group_members};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};

fn shim() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_switchboard-shim"))
}

fn launcher() -> Launcher {
    Launcher::with_shim(shim(), Vec::new())
}

fn sh(script: &str) -> ChildSpec {
    ChildSpec::new("sh").args(["-c", script])
}

fn pgid(pid: u32) -> i32 {
    i32::try_from(pid).unwrap()
}

#[tokio::test]
async fn a_server_that_leaves_when_stdin_closes_stops_in_the_first_stage() {
    let mut running = launcher().spawn(&ChildSpec::new("cat")).unwrap();
    let mut stdin = running.stdin.take().unwrap();
    let mut stdout = AsyncBufReader::new(running.stdout.take().unwrap()).lines();
    stdin.write_all(b"hello\n").await.unwrap();
    assert_eq!(
        stdout.next_line().await.unwrap().as_deref(),
        Some("hello"),
        "stdio passes through"
    );
    drop(stdin);
    let report = running.stop(Duration::from_secs(5)).await;
    assert_eq!(report, StopReport::Exited(Some(0)));
}

#[tokio::test]
async fn stopping_kills_the_whole_tree() {
    let mut running = launcher()
        .spawn(&sh("sleep 300 & sleep 300 & sh -c 'sleep 300' & wait"))
        .unwrap();
    let group = pgid(running.pid());
    assert!(
        eventually(Duration::from_secs(5), || group_members(group).len() >= 5),
        "shim, sh and three children: {:?}",
        group_members(group)
    );
    let report = running.stop(Duration::from_millis(300)).await;
    assert_eq!(report, StopReport::Terminated, "sh dies of SIGTERM");
    assert!(
        eventually(Duration::from_secs(1), || group_members(group).is_empty()),
        "left over: {:?}",
        group_members(group)
    );
}

#[tokio::test]
async fn a_tree_that_ignores_sigterm_is_killed() {
    let mut running = launcher()
        .spawn(&sh("trap '' TERM; sleep 300 & wait"))
        .unwrap();
    let group = pgid(running.pid());
    assert!(eventually(Duration::from_secs(5), || group_members(group)
        .len()
        >= 3));
    let report = running.stop(Duration::from_millis(200)).await;
    assert_eq!(report, StopReport::Killed);
    assert!(eventually(Duration::from_secs(1), || group_members(group).is_empty()));
}

#[tokio::test]
async fn the_servers_exit_code_comes_through_the_shim() {
    let mut running = launcher().spawn(&sh("echo oops >&2; exit 3")).unwrap();
    let mut stderr = AsyncBufReader::new(running.stderr.take().unwrap()).lines();
    assert_eq!(stderr.next_line().await.unwrap().as_deref(), Some("oops"));
    let status = running.wait().await.unwrap();
    assert_eq!(status.code(), Some(3));
}

#[tokio::test]
async fn a_missing_program_is_reported_by_the_shim() {
    let mut running = launcher()
        .spawn(&ChildSpec::new("/nonexistent/server"))
        .unwrap();
    let mut stderr = AsyncBufReader::new(running.stderr.take().unwrap()).lines();
    let line = stderr.next_line().await.unwrap().unwrap();
    assert!(
        line.contains("could not start /nonexistent/server"),
        "{line}"
    );
    assert_eq!(running.wait().await.unwrap().code(), Some(127));
}

#[tokio::test]
async fn leftovers_of_a_server_that_exits_are_killed() {
    // The server exits but leaves a background process holding nothing: it must not
    // outlive it.
    let mut running = launcher()
        .spawn(&sh("sleep 300 > /dev/null 2>&1 < /dev/null & exit 0"))
        .unwrap();
    let group = pgid(running.pid());
    running.wait().await.unwrap();
    assert!(
        eventually(Duration::from_secs(1), || group_members(group).is_empty()),
        "left over: {:?}",
        group_members(group)
    );
}

#[tokio::test]
async fn orphans_stay_in_the_measured_tree() {
    // sh starts sleep in the background and exits: sleep is adopted by the shim (a child
    // subreaper), so the tree still counts it.
    let mut running = launcher()
        .spawn(&sh(
            "sleep 300 > /dev/null 2>&1 < /dev/null & echo started; cat > /dev/null",
        ))
        .unwrap();
    let mut stdout = AsyncBufReader::new(running.stdout.take().unwrap()).lines();
    assert_eq!(
        stdout.next_line().await.unwrap().as_deref(),
        Some("started")
    );
    let mut sampler = TreeSampler::default();
    let usage = sampler.sample(&[running.pid()])[&running.pid()];
    assert!(
        (3..=4).contains(&usage.processes),
        "shim, sh, sleep (threads not counted): {usage:?}"
    );
    assert!(usage.memory_bytes > 0);
    assert!(
        usage.memory_bytes < 64 << 20,
        "three small processes: {usage:?}"
    );
    running.stop(Duration::from_millis(200)).await;
}

#[test]
fn with_no_tree_to_measure_the_sampler_still_reads_its_own_process() {
    let mut sampler = TreeSampler::default();
    assert!(sampler.sample(&[]).is_empty());
    let own = sampler.process(std::process::id());
    assert_eq!(own.processes, 1, "{own:?}");
    assert!(own.memory_bytes > 0, "{own:?}");
    assert_eq!(
        sampler.process(1).processes,
        0,
        "no other process is read when no server runs"
    );
}

#[test]
fn the_tree_dies_with_the_daemon_even_on_sigkill() {
    // A stand-in daemon (sh) starts the shim with its own pid, as the real daemon does;
    // then the stand-in is killed with SIGKILL.
    let mut daemon = Command::new("sh")
        .args([
            "-c",
            r#""$0" $$ -- sh -c 'sleep 300 & sleep 300 & wait' & echo $!; wait"#,
        ])
        .arg(shim())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let shim_pid: i32 = line.trim().parse().unwrap();
    assert!(eventually(Duration::from_secs(5), || descendants(shim_pid)
        .len()
        >= 3));
    let tree = [vec![shim_pid], descendants(shim_pid)].concat();

    daemon.kill().unwrap(); // SIGKILL
    daemon.wait().unwrap();
    assert!(
        eventually(Duration::from_secs(1), || tree
            .iter()
            .all(|&pid| !alive(pid))),
        "left over: {:?}",
        tree.iter().filter(|&&pid| alive(pid)).collect::<Vec<_>>()
    );
}
