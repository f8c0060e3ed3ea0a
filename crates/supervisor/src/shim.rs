//! The shim every server runs under on Unix: `switchboard __shim <daemon pid> -- cmd args…`.
//!
//! It is the leader of the server's process group (the daemon spawns it with a group of its
//! own), adopts orphaned descendants (Linux child subreaper) so the tree stays countable,
//! and kills the whole group the moment the daemon is gone: on Linux through the
//! parent-death signal, elsewhere by noticing that its parent changed. The server's stdin,
//! stdout and stderr are the shim's own, inherited: no byte passes through the shim.
//!
//! A staged stop from the daemon signals the whole group; the shim then simply waits for
//! the server to exit and exits with its status.

#[cfg(not(target_os = "linux"))]
use std::time::Duration;
use std::{
    ffi::OsString,
    process::{Command, ExitCode},
    thread,
};

use nix::{
    sys::signal::{Signal, killpg},
    unistd::{Pid, getpgrp, getpid, getppid, setpgid},
};
use signal_hook::{
    consts::{SIGHUP, SIGINT, SIGTERM},
    iterator::Signals,
};

/// Runs the shim: starts `program` with `args` and waits for it. Never returns early while
/// the server runs; returns the server's exit code (128 + signal if it was killed).
pub fn run(daemon: u32, program: &OsString, args: &[OsString]) -> ExitCode {
    // Lead a process group of our own, however we were started: killing "our group" must
    // never reach whoever started us.
    if setpgid(Pid::from_raw(0), Pid::from_raw(0)).is_err() && getpgrp() != getpid() {
        return ExitCode::from(72);
    }
    #[cfg(target_os = "linux")]
    {
        // SIGTERM rather than SIGKILL so that the shim can take the whole group with it.
        let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
        let _ = nix::sys::prctl::set_child_subreaper(true);
    }
    let daemon = Pid::from_raw(i32::try_from(daemon).unwrap_or(i32::MAX));
    if getppid() != daemon {
        // The daemon died before the parent-death signal was armed.
        return ExitCode::from(70);
    }
    let Ok(mut signals) = Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
        return ExitCode::from(71);
    };
    let mut child = match Command::new(program).args(args).spawn() {
        Ok(child) => child,
        Err(error) => {
            eprintln!(
                "switchboard: could not start {}: {error}",
                program.to_string_lossy()
            );
            return ExitCode::from(127);
        }
    };

    // Signals: from the daemon's staged stop (it signals the whole group itself, so there
    // is nothing to do), or the parent-death signal (kill everything).
    thread::spawn(move || {
        for _ in signals.forever() {
            if getppid() != daemon {
                kill_group();
            }
        }
    });
    // Without a parent-death signal (macOS), notice the daemon's death by polling.
    #[cfg(not(target_os = "linux"))]
    thread::spawn(move || {
        loop {
            if getppid() != daemon {
                kill_group();
            }
            thread::sleep(Duration::from_millis(200));
        }
    });
    match child.wait() {
        Ok(status) => exit_code(status),
        Err(_) => ExitCode::from(1),
    }
}

/// Kills every process in the shim's group, the shim included. Only ever the shim's own
/// group: `run` made the shim its leader.
fn kill_group() {
    if getpgrp() == getpid() {
        let _ = killpg(getpgrp(), Signal::SIGKILL);
    }
}

fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1));
    }
    let signal = status.signal().unwrap_or(0);
    ExitCode::from(u8::try_from(128 + signal).unwrap_or(255))
}
