//! The PATH a person's terminal has: asks their login shell (`$SHELL -l -i -c`) to print
//! it between two markers, so that whatever rc files print around it is cut away.
//!
//! Owns: the question, its deadline, and reading the answer (a pure function). Must not:
//! pass anything from outside into the shell's command string, or wait past the timeout.

use std::{path::PathBuf, process::Command};

use crate::{Environment, probe::run_bounded};

/// Printed before and after the PATH; chosen to occur in no rc file's output.
const MARKER: &str = "__SWITCHBOARD_LOGIN_PATH_7c1e__";

/// Why the login shell gave no PATH (discovery goes on without it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginShellError {
    #[error("no login shell is set (SHELL is empty)")]
    NoShell,
    #[error("the login shell {shell} could not be started: {reason}")]
    Start { shell: PathBuf, reason: String },
    #[error("the login shell {shell} did not print its PATH within {seconds} s (slow rc files?)")]
    Timeout { shell: PathBuf, seconds: u64 },
    #[error("the login shell {shell} printed no PATH{}", detail(.first_line))]
    NoAnswer { shell: PathBuf, first_line: String },
}

fn detail(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!(": {line}")
    }
}

/// The login shell's PATH entries, in its order.
pub fn login_shell_path(env: &Environment) -> Result<Vec<PathBuf>, LoginShellError> {
    let shell = env.shell.clone().ok_or(LoginShellError::NoShell)?;
    let script = format!("printf '%s%s%s' '{MARKER}' \"$PATH\" '{MARKER}'");
    let mut command = Command::new(&shell);
    command
        .args(["-l", "-i", "-c", &script])
        .env("HOME", &env.home)
        // Keep rc files from drawing prompts, colours or pagers.
        .env("TERM", "dumb");
    let finished = run_bounded(&mut command, env.login_shell_timeout).map_err(|error| {
        LoginShellError::Start {
            shell: shell.clone(),
            reason: error.to_string(),
        }
    })?;
    if finished.status.is_none() {
        return Err(LoginShellError::Timeout {
            shell,
            seconds: env.login_shell_timeout.as_secs().max(1),
        });
    }
    let stdout = String::from_utf8_lossy(&finished.stdout);
    match between_markers(&stdout) {
        Some(path) if !path.is_empty() => Ok(env.split_path(path.as_ref())),
        _ => Err(LoginShellError::NoAnswer {
            shell,
            first_line: finished.first_line(),
        }),
    }
}

/// The text between the first two markers, if both are there.
pub(crate) fn between_markers(output: &str) -> Option<&str> {
    let start = output.find(MARKER)? + MARKER.len();
    let length = output[start..].find(MARKER)?;
    Some(&output[start..start + length])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc_noise_around_the_markers_is_cut() {
        let output =
            format!("Welcome!\nlast login: today\n{MARKER}/a:/b{MARKER}bye\n{MARKER}junk{MARKER}");
        assert_eq!(between_markers(&output), Some("/a:/b"));
        assert_eq!(between_markers("no markers at all"), None);
        assert_eq!(between_markers(&format!("{MARKER}/only/one")), None);
    }
}
