//! Running a program found on disk (a `--version`, the login shell) with a deadline, and
//! never hanging on it: the child runs in its own process group, which is killed whole on
//! timeout, and output is read by threads that are not waited for past a short grace.
//!
//! Owns: bounded runs and capped output. Must not: run anything through a shell string it
//! builds from untrusted text, or wait without a deadline.

use std::{
    io::{self, Read},
    process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex, PoisonError},
    thread,
    time::{Duration, Instant},
};

/// Output kept per stream; the rest is read and dropped.
const OUTPUT_CAP: usize = 64 * 1024;
/// How long to wait for output after the child exited (a grandchild may hold the pipe).
const DRAIN_GRACE: Duration = Duration::from_millis(300);
const POLL: Duration = Duration::from_millis(5);

/// How a bounded run ended.
#[derive(Debug)]
pub(crate) struct Finished {
    /// `None` when the deadline passed and the process group was killed.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

impl Finished {
    pub(crate) fn succeeded(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// The first non-empty line of stderr, else of stdout, for an error message.
    pub(crate) fn first_line(&self) -> String {
        [&self.stderr, &self.stdout]
            .into_iter()
            .flat_map(|bytes| {
                String::from_utf8_lossy(bytes)
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .next()
            .unwrap_or_default()
    }
}

/// Output collected by a reader thread, shared so a run need not wait for the thread.
struct Collector {
    buffer: Arc<Mutex<Vec<u8>>>,
    reader: thread::JoinHandle<()>,
}

impl Collector {
    fn start(mut source: impl Read + Send + 'static) -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let reader = thread::spawn(move || {
            let mut chunk = [0_u8; 8192];
            loop {
                match source.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => {
                        let mut kept = sink.lock().unwrap_or_else(PoisonError::into_inner);
                        let room = OUTPUT_CAP.saturating_sub(kept.len());
                        kept.extend_from_slice(&chunk[..read.min(room)]);
                    }
                }
            }
        });
        Self { buffer, reader }
    }

    fn take(self) -> Vec<u8> {
        std::mem::take(&mut *self.buffer.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Runs `command` with stdin closed, and gives up after `timeout`.
pub(crate) fn run_bounded(command: &mut Command, timeout: Duration) -> io::Result<Finished> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = spawn(command)?;
    let stdout = child
        .stdout
        .take()
        .map(|out: ChildStdout| Collector::start(out));
    let stderr = child
        .stderr
        .take()
        .map(|err: ChildStderr| Collector::start(err));

    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            kill_tree(&mut child);
            let _ = child.wait();
            break None;
        }
        thread::sleep(POLL);
    };

    let drain_until = Instant::now() + DRAIN_GRACE;
    let collectors: Vec<&Collector> = stdout.iter().chain(stderr.iter()).collect();
    while collectors.iter().any(|c| !c.reader.is_finished()) && Instant::now() < drain_until {
        thread::sleep(POLL);
    }
    if collectors.iter().any(|c| !c.reader.is_finished()) {
        // Something the child started still holds the pipe: end what is left of its group.
        kill_group(&child);
    }
    Ok(Finished {
        status,
        stdout: stdout.map(Collector::take).unwrap_or_default(),
        stderr: stderr.map(Collector::take).unwrap_or_default(),
    })
}

/// Spawns, retrying briefly while the file is busy being written (a runtime that is being
/// installed, or a script another thread of this process has just written).
fn spawn(command: &mut Command) -> io::Result<Child> {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(error) if error.kind() == io::ErrorKind::ExecutableFileBusy && tries < 10 => {
                tries += 1;
                thread::sleep(Duration::from_millis(20));
            }
            result => return result,
        }
    }
}

fn kill_tree(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
}

#[cfg(unix)]
fn kill_group(child: &Child) {
    use nix::{sys::signal, unistd::Pid};
    if let Ok(pid) = i32::try_from(child.id()) {
        // The group was made for this child alone (process_group(0) above).
        let _ = signal::killpg(Pid::from_raw(pid), signal::Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_child: &Child) {}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn output_and_status_are_collected() {
        let done = run_bounded(
            &mut sh("echo out; echo err >&2; exit 3"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr, b"err\n");
        assert_eq!(done.status.and_then(|s| s.code()), Some(3));
        assert!(!done.succeeded());
        assert_eq!(done.first_line(), "err");
    }

    #[test]
    fn a_hanging_program_is_killed_at_the_deadline() {
        let started = Instant::now();
        let done = run_bounded(
            &mut sh("echo partial; sleep 30"),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(done.status.is_none(), "a timeout has no exit status");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(
            done.stdout, b"partial\n",
            "output before the deadline is kept"
        );
    }

    #[test]
    fn a_background_grandchild_holding_the_pipe_does_not_block() {
        let started = Instant::now();
        let done = run_bounded(&mut sh("sleep 30 & echo quick"), Duration::from_secs(10)).unwrap();
        assert!(done.succeeded());
        assert_eq!(done.stdout, b"quick\n");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn output_is_capped() {
        let done =
            run_bounded(&mut sh("head -c 200000 /dev/zero"), Duration::from_secs(10)).unwrap();
        assert_eq!(done.stdout.len(), OUTPUT_CAP);
    }
}
