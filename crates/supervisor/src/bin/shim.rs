//! The shim as a binary of its own, for this crate's tests. Switchboard itself runs the same
//! code as `switchboard __shim`.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let (Some(daemon), Some(rest)) = (args.first(), args.get(2..)) else {
        return std::process::ExitCode::from(2);
    };
    let daemon = daemon.to_string_lossy().parse().unwrap_or(0);
    match rest.split_first() {
        Some((program, args)) => switchboard_supervisor::shim::run(daemon, program, args),
        None => std::process::ExitCode::from(2),
    }
}

#[cfg(not(unix))]
fn main() {}
