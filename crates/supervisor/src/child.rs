//! Starting a server process (under the shim, in a process group of its own) and stopping
//! its whole tree in stages: wait for it to leave after stdin closed, then SIGTERM to the
//! group, then SIGKILL.

use std::{
    collections::BTreeMap,
    ffi::OsString,
    path::PathBuf,
    process::{ExitStatus, Stdio},
    time::{Duration, Instant},
};

use tokio::process::{ChildStderr, ChildStdin, ChildStdout, Command};

/// What to run. Secrets arrive in `env`, never in `args`.
#[derive(Clone, PartialEq, Eq)]
pub struct ChildSpec {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
}

impl std::fmt::Debug for ChildSpec {
    /// Environment values may be secrets: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildSpec")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("cwd", &self.cwd)
            .finish()
    }
}

impl ChildSpec {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: None,
        }
    }

    pub fn args<I, A>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
}

/// A process could not be started.
#[derive(Debug, thiserror::Error)]
#[error("could not start {program}: {source}")]
pub struct SpawnError {
    program: String,
    #[source]
    source: std::io::Error,
}

/// How servers are started: through the shim (`<program> <leading args> <daemon pid> --
/// <server…>`), or directly in a process group of their own.
#[derive(Debug, Clone)]
pub struct Launcher {
    shim: Option<(PathBuf, Vec<OsString>)>,
}

impl Launcher {
    /// Start every server under the shim run by `program leading_args…`, such as
    /// `switchboard __shim`.
    pub fn with_shim(program: PathBuf, leading_args: Vec<OsString>) -> Self {
        Self {
            shim: Some((program, leading_args)),
        }
    }

    /// Start servers directly: still in a process group of their own, but nothing kills
    /// their tree if the daemon is killed.
    pub fn direct() -> Self {
        Self { shim: None }
    }

    /// Starts `spec` with piped stdin, stdout and stderr.
    pub fn spawn(&self, spec: &ChildSpec) -> Result<Running, SpawnError> {
        let mut command = match &self.shim {
            Some((shim, leading)) => {
                let mut command = Command::new(shim);
                command
                    .args(leading)
                    .arg(std::process::id().to_string())
                    .arg("--")
                    .arg(&spec.program)
                    .args(&spec.args);
                command
            }
            None => {
                let mut command = Command::new(&spec.program);
                command.args(&spec.args);
                command
            }
        };
        command
            .envs(&spec.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(false);
        if let Some(cwd) = &spec.cwd {
            command.current_dir(cwd);
        }
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn().map_err(|source| SpawnError {
            program: spec.program.to_string_lossy().into_owned(),
            source,
        })?;
        let pid = child.id().unwrap_or(0);
        Ok(Running {
            pid,
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            child,
            started: Instant::now(),
            reaped: None,
        })
    }
}

/// A running server process (its shim, on Unix) and the pipes to it.
#[derive(Debug)]
pub struct Running {
    pid: u32,
    pub stdin: Option<ChildStdin>,
    pub stdout: Option<ChildStdout>,
    pub stderr: Option<ChildStderr>,
    child: tokio::process::Child,
    started: Instant,
    reaped: Option<ExitStatus>,
}

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReport {
    /// The server left by itself once its stdin closed (or had already exited).
    Exited(Option<i32>),
    /// It left after SIGTERM.
    Terminated,
    /// It had to be killed.
    Killed,
}

impl Running {
    /// The process id (the shim's, which is also the process group id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn started(&self) -> Instant {
        self.started
    }

    /// Waits for the process to exit, then kills whatever is left of its group.
    pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        if let Some(status) = self.reaped {
            return Ok(status);
        }
        let status = self.child.wait().await?;
        self.reaped = Some(status);
        self.signal_group(GroupSignal::Kill);
        Ok(status)
    }

    /// Stops the server in stages: closes stdin, gives it `grace` to exit, then SIGTERM to
    /// its whole group and another `grace`, then SIGKILL. Leftovers of the group are killed
    /// in every case.
    pub async fn stop(&mut self, grace: Duration) -> StopReport {
        drop(self.stdin.take());
        if let Ok(Ok(status)) = tokio::time::timeout(grace, self.wait()).await {
            return StopReport::Exited(status.code());
        }
        self.signal_group(GroupSignal::Terminate);
        if tokio::time::timeout(grace, self.wait()).await.is_ok() {
            return StopReport::Terminated;
        }
        self.signal_group(GroupSignal::Kill);
        let _ = self.wait().await;
        StopReport::Killed
    }

    /// Kills the whole tree at once, without waiting.
    pub fn kill_now(&mut self) {
        self.signal_group(GroupSignal::Kill);
    }

    fn signal_group(&mut self, signal: GroupSignal) {
        #[cfg(unix)]
        {
            use nix::{
                sys::signal::{Signal, killpg},
                unistd::Pid,
            };
            let Ok(pgid) = i32::try_from(self.pid) else {
                return;
            };
            if pgid <= 1 {
                return;
            }
            let signal = match signal {
                GroupSignal::Terminate => Signal::SIGTERM,
                GroupSignal::Kill => Signal::SIGKILL,
            };
            // ESRCH (nothing left in the group) is the common, good case.
            let _ = killpg(Pid::from_raw(pgid), signal);
        }
        #[cfg(not(unix))]
        {
            let _ = signal;
            let _ = self.child.start_kill();
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum GroupSignal {
    Terminate,
    Kill,
}

impl Drop for Running {
    /// A process is never left behind, even when its owner panics or forgets to stop it.
    fn drop(&mut self) {
        if self.reaped.is_none() {
            self.signal_group(GroupSignal::Kill);
        }
    }
}
