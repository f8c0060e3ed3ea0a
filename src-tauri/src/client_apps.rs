//! The AI apps' own programs as they run on this desktop: which are running, and quitting
//! and reopening one so that it reads its settings file again (Claude Desktop, Cursor and
//! most others read it only at start).
//!
//! A program is found by its file name (the client's [`programs`](switchboard_hub::ClientInfo)
//! for this system) among this user's processes; only the first process of each tree is
//! asked to quit (an Electron app's helpers go with it). It is asked politely (SIGTERM, so
//! it saves what it must), never killed: one that is still running after the grace period is
//! left running, and the person is told to quit it themselves. It is reopened with the same
//! program (an AppImage's image file), arguments, working folder and environment, in a
//! process group of its own so that it outlives Switchboard.
//!
//! Must not: signal a process it did not find by those names, or one of another user.

use std::{
    ffi::OsString,
    path::PathBuf,
    time::{Duration, Instant},
};

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

/// How long a program has to quit before Switchboard gives up on reopening it.
pub const QUIT_GRACE: Duration = Duration::from_secs(10);

/// A running copy of a client's program: the first process of its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningApp {
    pub pid: u32,
    pub exe: PathBuf,
    /// Its arguments after the program.
    pub args: Vec<OsString>,
    pub cwd: Option<PathBuf>,
    /// `NAME=value` pairs, as it was started with.
    pub environ: Vec<OsString>,
}

/// Why a program could not be restarted, in plain words with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestartError {
    #[error("{name} is not running; open it and it reads its settings file")]
    NotRunning { name: String },
    #[error(
        "{name} did not quit within {} seconds (it may be asking to save something); quit it \
         yourself, then open it again",
        QUIT_GRACE.as_secs()
    )]
    StillRunning { name: String },
    #[error("{name} quit, but could not be opened again ({reason}); open it yourself")]
    Reopen { name: String, reason: String },
    #[error(
        "Switchboard cannot quit and reopen programs on this system; quit and reopen {name} yourself"
    )]
    Unsupported { name: String },
}

/// This user's processes at one moment, to look programs up in.
pub struct Processes {
    system: System,
    me: Option<sysinfo::Uid>,
}

impl std::fmt::Debug for Processes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processes")
            .field("processes", &self.system.processes().len())
            .field("me", &self.me)
            .finish()
    }
}

impl Processes {
    /// Reads the process table once.
    pub fn snapshot() -> Option<Self> {
        let mut system = System::new().ok()?;
        system.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing()
                .with_exe(UpdateKind::Always)
                .with_cmd(UpdateKind::Always)
                .with_cwd(UpdateKind::Always)
                .with_environ(UpdateKind::Always)
                .with_user(UpdateKind::Always),
        );
        let me = sysinfo::get_current_pid()
            .ok()
            .and_then(|pid| system.process(pid))
            .and_then(|process| process.user_id().cloned());
        Some(Self { system, me })
    }

    /// The running copies of a program with one of these file names.
    pub fn find(&self, programs: &[String]) -> Vec<RunningApp> {
        let Some(me) = &self.me else {
            return Vec::new();
        };
        if programs.is_empty() {
            return Vec::new();
        }
        let matches = |pid: Pid| {
            self.system.process(pid).is_some_and(|process| {
                process.thread_kind().is_none()
                    && process.user_id() == Some(me)
                    && process
                        .exe()
                        .and_then(|exe| exe.file_name())
                        .is_some_and(|file| programs.iter().any(|name| file == name.as_str()))
            })
        };
        let mut found: Vec<RunningApp> = self
            .system
            .processes()
            .iter()
            .filter(|(pid, _)| matches(**pid))
            .filter(|(_, process)| !process.parent().is_some_and(matches))
            .filter_map(|(pid, process)| {
                Some(RunningApp {
                    pid: pid.as_u32(),
                    exe: process.exe()?.to_owned(),
                    args: process.cmd().iter().skip(1).cloned().collect(),
                    cwd: process.cwd().map(ToOwned::to_owned),
                    environ: process.environ().to_vec(),
                })
            })
            .collect();
        found.sort_by_key(|app| app.pid);
        found
    }
}

/// Quits every running copy of `name`'s program and opens it again; answers how many.
/// Blocking (up to [`QUIT_GRACE`]): call it off the async threads.
pub fn restart(name: &str, programs: &[String]) -> Result<usize, RestartError> {
    if !cfg!(unix) {
        return Err(RestartError::Unsupported {
            name: name.to_owned(),
        });
    }
    let running = Processes::snapshot()
        .map(|processes| processes.find(programs))
        .unwrap_or_default();
    if running.is_empty() {
        return Err(RestartError::NotRunning {
            name: name.to_owned(),
        });
    }
    for app in &running {
        ask_to_quit(app.pid);
    }
    let deadline = Instant::now() + QUIT_GRACE;
    while running.iter().any(|app| alive(app.pid)) {
        if Instant::now() >= deadline {
            return Err(RestartError::StillRunning {
                name: name.to_owned(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    for app in &running {
        reopen(app).map_err(|reason| RestartError::Reopen {
            name: name.to_owned(),
            reason,
        })?;
    }
    Ok(running.len())
}

/// Sends SIGTERM (on Windows, a request to close) to `pid`.
fn ask_to_quit(pid: u32) {
    let Ok(mut system) = System::new() else {
        return;
    };
    let pid = Pid::from_u32(pid);
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing(),
    );
    if let Some(process) = system.process(pid) {
        let _ = process.kill_with(sysinfo::Signal::Term);
    }
}

/// Whether `pid` still runs (a zombie, quit but not yet collected, does not).
fn alive(pid: u32) -> bool {
    let Ok(mut system) = System::new() else {
        return false;
    };
    let pid = Pid::from_u32(pid);
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing(),
    );
    system
        .process(pid)
        .is_some_and(|process| process.status() != sysinfo::ProcessStatus::Zombie)
}

/// What to run to open `app` again: its program, or for an AppImage the image file (the
/// program inside lives in a mount that goes away when it quits).
fn program_of(app: &RunningApp) -> PathBuf {
    app.environ
        .iter()
        .find_map(|pair| {
            pair.to_str()?
                .strip_prefix("APPIMAGE=")
                .map(PathBuf::from)
                .filter(|image| image.is_file())
        })
        .unwrap_or_else(|| app.exe.clone())
}

fn reopen(app: &RunningApp) -> Result<(), String> {
    let mut command = std::process::Command::new(program_of(app));
    command
        .args(&app.args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(cwd) = app.cwd.as_ref().filter(|cwd| cwd.is_dir()) {
        command.current_dir(cwd);
    }
    if !app.environ.is_empty() {
        command.env_clear();
        for pair in &app.environ {
            let text = pair.to_string_lossy();
            if let Some((key, value)) = text.split_once('=') {
                command.env(key, value);
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // A process group of its own: it outlives Switchboard and gets none of its signals.
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|e| e.to_string())?;
    // Collected when it ends, so that it never lingers as a zombie of this app.
    std::thread::spawn(move || child.wait());
    Ok(())
}
