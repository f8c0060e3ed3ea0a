//! [`LaunchCommand`]: what to actually run for `npx -y pkg`, `uvx tool` or any bare
//! command: an absolute program, its arguments, and the folders its PATH needs; on
//! Windows, `.cmd`/`.bat` shims wrapped in `cmd /c`.
//!
//! Owns: turning a runtime or a command name into a launch, as pure functions over what
//! discovery found. Must not: spawn anything, or resolve a name that discovery did not
//! find (a missing runtime is an error with the install advice).

use std::{
    ffi::{OsStr, OsString},
    path::{Path, PathBuf},
};

use crate::{Os, Resolution, Runtime, Runtimes, discovery::finds};

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchCommand {
    /// An absolute path (on Windows, `cmd.exe` when the target is a `.cmd` shim).
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Folders to put first on the child's PATH (the program's own, and for `npx` the
    /// one holding `node`), so that `#!/usr/bin/env node` finds the same install.
    pub path_dirs: Vec<PathBuf>,
    separator: char,
}

impl LaunchCommand {
    /// The child's PATH: [`LaunchCommand::path_dirs`] first, then `base` (the PATH it
    /// would otherwise get), without repeats.
    pub fn path_value(&self, base: Option<&OsStr>) -> OsString {
        let mut dirs: Vec<PathBuf> = self.path_dirs.clone();
        if let Some(base) = base {
            for entry in base.to_string_lossy().split(self.separator) {
                let entry = PathBuf::from(entry);
                if !entry.as_os_str().is_empty() && !dirs.contains(&entry) {
                    dirs.push(entry);
                }
            }
        }
        let mut joined = OsString::new();
        for (index, dir) in dirs.iter().enumerate() {
            if index > 0 {
                joined.push(self.separator.to_string());
            }
            joined.push(dir.as_os_str());
        }
        joined
    }
}

/// Why there is nothing to launch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    #[error("{runtime} was not found on this computer. {fix}")]
    Missing { runtime: Runtime, fix: String },
    #[error(
        "\"{command}\" was not found in your login shell's PATH or any usual install folder: \
         install it, or give its absolute path"
    )]
    NotFound { command: String },
}

impl Runtimes {
    /// The absolute launch of `runtime` with `args` (`npx -y @scope/server` becomes
    /// `/home/me/.nvm/versions/node/v22.1.0/bin/npx -y @scope/server`, with that folder
    /// for PATH). On Windows, a `.cmd` shim runs as `cmd /c <shim> args…`.
    pub fn launch_command<S: AsRef<OsStr>>(
        &self,
        runtime: Runtime,
        args: &[S],
    ) -> Result<LaunchCommand, LaunchError> {
        match self.get(runtime) {
            Resolution::Found(found) => Ok(self.wrap(&found.path, args, found.path_dirs.clone())),
            Resolution::Missing { fix } => Err(LaunchError::Missing {
                runtime,
                fix: if fix.is_empty() {
                    runtime.install_advice(self.os)
                } else {
                    fix.clone()
                },
            }),
        }
    }

    /// Like [`Runtimes::launch_command`] for any command line from the registry: a known
    /// runtime name (`npx`, `uvx`, `python3`, …) uses what discovery found; another bare
    /// name is looked up in the same folders; an absolute path is kept.
    pub fn resolve_command<S: AsRef<OsStr>>(
        &self,
        command: &str,
        args: &[S],
    ) -> Result<LaunchCommand, LaunchError> {
        let path = Path::new(command);
        if path.is_absolute() {
            let dirs = path.parent().map(Path::to_path_buf).into_iter().collect();
            return Ok(self.wrap(path, args, dirs));
        }
        if let Ok(runtime) = command.parse::<Runtime>() {
            return self.launch_command(runtime, args);
        }
        let is_bare = !command.is_empty() && !command.contains(['/', '\\']);
        let stem = strip_windows_extension(command, self.os);
        let found = is_bare
            .then(|| self.first_find(stem))
            .flatten()
            .ok_or_else(|| LaunchError::NotFound {
                command: command.to_owned(),
            })?;
        let dirs = found.parent().map(Path::to_path_buf).into_iter().collect();
        Ok(self.wrap(&found, args, dirs))
    }

    fn first_find(&self, name: &str) -> Option<PathBuf> {
        finds(self.os, &self.candidates, &[name])
            .into_iter()
            .next()
            .map(|(path, _)| path)
    }

    fn wrap<S: AsRef<OsStr>>(
        &self,
        program: &Path,
        args: &[S],
        path_dirs: Vec<PathBuf>,
    ) -> LaunchCommand {
        let args: Vec<OsString> = args.iter().map(|arg| arg.as_ref().to_owned()).collect();
        let separator = self.os.path_separator();
        if self.os == Os::Windows && is_batch_file(program) {
            let mut wrapped: Vec<OsString> = vec!["/c".into(), program.as_os_str().to_owned()];
            wrapped.extend(args);
            return LaunchCommand {
                program: self
                    .comspec
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(r"C:\Windows\System32\cmd.exe")),
                args: wrapped,
                path_dirs,
                separator,
            };
        }
        LaunchCommand {
            program: program.to_path_buf(),
            args,
            path_dirs,
            separator,
        }
    }
}

fn is_batch_file(program: &Path) -> bool {
    program
        .extension()
        .map(|extension| extension.to_ascii_lowercase())
        .is_some_and(|extension| extension == "cmd" || extension == "bat")
}

fn strip_windows_extension(command: &str, os: Os) -> &str {
    if os != Os::Windows {
        return command;
    }
    let lower = command.to_ascii_lowercase();
    [".exe", ".cmd", ".bat"]
        .iter()
        .find(|extension| lower.ends_with(*extension))
        .map_or(command, |extension| {
            &command[..command.len() - extension.len()]
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_files_are_recognised_by_extension() {
        assert!(is_batch_file(Path::new(r"C:\nodejs\npx.cmd")));
        assert!(is_batch_file(Path::new(r"C:\x\run.BAT")));
        assert!(!is_batch_file(Path::new(r"C:\nodejs\node.exe")));
        assert_eq!(strip_windows_extension("bunx.exe", Os::Windows), "bunx");
        assert_eq!(strip_windows_extension("bunx.exe", Os::Linux), "bunx.exe");
    }
}
