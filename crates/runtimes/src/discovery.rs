//! [`Runtimes::discover`]: finds each runtime once, with its version, and says for each
//! one either where it is or exactly how to install it.
//!
//! Owns: choosing among the finds (search order, then the companion rule: `npx` from the
//! folder its `node` came from, `uvx` from `uv`'s; a find whose `--version` fails gives way
//! to the next one), probing versions in parallel with a deadline, and the per-runtime
//! verdict. Must not: install or download anything, or change any environment.

use std::{
    collections::{BTreeMap, HashSet},
    ffi::OsString,
    path::{Path, PathBuf},
    process::Command,
    thread,
};

use crate::{
    Candidate, Environment, LoginShellError, Os, Runtime, Source, Version,
    locations::{candidate_dirs, executable_in},
    login_shell::login_shell_path,
    probe::run_bounded,
};

/// Finds tried per runtime before settling for one whose `--version` failed.
const MAX_TRIES: usize = 3;

/// A runtime that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The absolute path to run (a link such as Homebrew's `/opt/homebrew/bin/node` is
    /// kept as it is, so it survives upgrades).
    pub path: PathBuf,
    pub source: Source,
    /// From `--version`; `None` when it was not run or said nothing readable.
    pub version: Option<Version>,
    /// What is wrong with it, with what to do (too old; `--version` failed).
    pub problem: Option<String>,
    /// Folders the program needs on its PATH (its own; for `npx`, also `node`'s).
    pub path_dirs: Vec<PathBuf>,
}

/// What discovery concluded about one runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(Found),
    /// Not found anywhere; `fix` says how to install it on this OS (words only).
    Missing {
        fix: String,
    },
}

impl Resolution {
    pub fn found(&self) -> Option<&Found> {
        match self {
            Self::Found(found) => Some(found),
            Self::Missing { .. } => None,
        }
    }
}

/// The runtimes of this machine, resolved once. Cheap to clone and to keep.
#[derive(Debug, Clone)]
pub struct Runtimes {
    pub(crate) os: Os,
    pub(crate) comspec: Option<PathBuf>,
    pub(crate) candidates: Vec<Candidate>,
    resolutions: BTreeMap<Runtime, Resolution>,
    login_shell: Option<LoginShellError>,
}

impl Runtimes {
    /// Looks everywhere [`crate::candidate_dirs`] lists, asking the login shell first.
    /// Blocking: it may take up to the login-shell timeout plus a few version timeouts
    /// (run it on a blocking thread from async code).
    pub fn discover(env: &Environment) -> Self {
        let (login_path, login_shell) = match env.shell {
            Some(_) => match login_shell_path(env) {
                Ok(path) => (path, None),
                Err(error) => {
                    tracing::info!(%error, "runtime discovery goes on without the login shell's PATH");
                    (Vec::new(), Some(error))
                }
            },
            None => (Vec::new(), None),
        };
        let candidates = candidate_dirs(env, &login_path);
        let families: [&[Runtime]; 4] = [
            &[Runtime::Node, Runtime::Npx],
            &[Runtime::Uv, Runtime::Uvx],
            &[Runtime::Python],
            &[Runtime::Docker],
        ];
        let mut resolutions = BTreeMap::new();
        thread::scope(|scope| {
            let handles: Vec<_> = families
                .iter()
                .map(|family| scope.spawn(|| resolve_family(env, &candidates, family)))
                .collect();
            for handle in handles {
                match handle.join() {
                    Ok(resolved) => resolutions.extend(resolved),
                    Err(_) => tracing::error!("a runtime probe thread panicked"),
                }
            }
        });
        for runtime in Runtime::ALL {
            resolutions
                .entry(runtime)
                .or_insert_with(|| Resolution::Missing {
                    fix: runtime.install_advice(env.os),
                });
        }
        Self {
            os: env.os,
            comspec: env.var("ComSpec").map(PathBuf::from),
            candidates,
            resolutions,
            login_shell,
        }
    }

    /// Discovery for this process's user: [`Environment::current`], or with no home folder
    /// the process's PATH alone. Blocking, as [`Runtimes::discover`] is.
    pub fn discover_here() -> Self {
        let env = Environment::current().unwrap_or_else(|| {
            Environment::new(PathBuf::new(), std::env::var_os("PATH"), Os::current())
        });
        Self::discover(&env)
    }

    /// What was concluded about `runtime`.
    pub fn get(&self, runtime: Runtime) -> &Resolution {
        static MISSING: Resolution = Resolution::Missing { fix: String::new() };
        self.resolutions.get(&runtime).unwrap_or(&MISSING)
    }

    /// The runtime, when found.
    pub fn found(&self, runtime: Runtime) -> Option<&Found> {
        self.get(runtime).found()
    }

    /// Every runtime and its resolution, in [`Runtime::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Runtime, &Resolution)> {
        self.resolutions
            .iter()
            .map(|(runtime, resolution)| (*runtime, resolution))
    }

    /// Why the login shell's PATH could not be used, if it could not (for the doctor).
    pub fn login_shell_error(&self) -> Option<&LoginShellError> {
        self.login_shell.as_ref()
    }

    /// The OS these runtimes were resolved for.
    pub fn os(&self) -> Os {
        self.os
    }

    /// The folders searched, best first.
    pub fn searched(&self) -> &[Candidate] {
        &self.candidates
    }
}

fn resolve_family(
    env: &Environment,
    candidates: &[Candidate],
    family: &[Runtime],
) -> Vec<(Runtime, Resolution)> {
    let mut resolved: Vec<(Runtime, Resolution)> = Vec::new();
    for runtime in family {
        let companion = runtime.companion_of().and_then(|companion| {
            resolved
                .iter()
                .find(|(done, _)| *done == companion)
                .and_then(|(_, resolution)| resolution.found())
                .cloned()
        });
        let resolution = resolve(env, candidates, *runtime, companion.as_ref());
        resolved.push((*runtime, resolution));
    }
    resolved
}

/// Every place `runtime` is, best first, the same file only once.
pub(crate) fn finds(os: Os, candidates: &[Candidate], names: &[&str]) -> Vec<(PathBuf, Source)> {
    let mut seen = HashSet::new();
    let mut finds = Vec::new();
    for candidate in candidates {
        for name in names {
            let Some(path) = executable_in(&candidate.dir, name, os) else {
                continue;
            };
            if is_store_alias(&path, os) {
                continue;
            }
            // /bin/node and /usr/bin/node are one file on merged-/usr systems.
            let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.insert(identity) {
                finds.push((path, candidate.source));
            }
        }
    }
    finds
}

/// Windows' "App execution aliases" for python open the Microsoft Store instead of
/// running Python.
fn is_store_alias(path: &Path, os: Os) -> bool {
    os == Os::Windows
        && path
            .to_string_lossy()
            .to_ascii_lowercase()
            .contains(r"\microsoft\windowsapps\")
}

fn resolve(
    env: &Environment,
    candidates: &[Candidate],
    runtime: Runtime,
    companion: Option<&Found>,
) -> Resolution {
    let mut finds = finds(env.os, candidates, runtime.executables(env.os));
    if let Some(companion) = companion {
        // Same install as the companion when that folder has it.
        let home = companion.path.parent();
        if let Some(index) = finds.iter().position(|(path, _)| path.parent() == home) {
            let preferred = finds.remove(index);
            finds.insert(0, preferred);
        }
    }
    let extra_dirs: Vec<PathBuf> = companion
        .and_then(|found| found.path.parent().map(Path::to_path_buf))
        .into_iter()
        .collect();

    let mut first_failure: Option<Found> = None;
    for (path, source) in finds.into_iter().take(MAX_TRIES) {
        let mut path_dirs: Vec<PathBuf> =
            path.parent().map(Path::to_path_buf).into_iter().collect();
        for dir in &extra_dirs {
            if !path_dirs.contains(dir) {
                path_dirs.push(dir.clone());
            }
        }
        let mut found = Found {
            path,
            source,
            version: None,
            problem: None,
            path_dirs,
        };
        if !env.probe_versions {
            return Resolution::Found(found);
        }
        match probe_version(env, runtime, &found) {
            Ok(version) => {
                found.problem = version.as_ref().and_then(|v| too_old(runtime, v, env.os));
                found.version = version;
                return Resolution::Found(found);
            }
            Err(problem) => {
                tracing::debug!(%runtime, path = %found.path.display(), %problem, "version probe failed");
                found.problem = Some(problem);
                first_failure.get_or_insert(found);
            }
        }
    }
    match first_failure {
        Some(found) => Resolution::Found(found),
        None => Resolution::Missing {
            fix: runtime.install_advice(env.os),
        },
    }
}

/// Runs `<path> --version` with the folders it needs on PATH and a deadline.
fn probe_version(
    env: &Environment,
    runtime: Runtime,
    found: &Found,
) -> Result<Option<Version>, String> {
    let mut dirs = found.path_dirs.clone();
    if let Some(path) = &env.path {
        dirs.extend(env.split_path(path));
    }
    let path_value: OsString = env.join_path(dirs.iter().map(PathBuf::as_path));
    let mut command = Command::new(&found.path);
    command
        .arg("--version")
        .env("PATH", path_value)
        .env("HOME", &env.home);
    let shown = format!("`{} --version`", found.path.display());
    let finished = run_bounded(&mut command, env.version_timeout)
        .map_err(|error| format!("{shown} could not be started: {error}"))?;
    if finished.status.is_none() {
        return Err(format!(
            "{shown} did not answer within {} s",
            env.version_timeout.as_secs().max(1)
        ));
    }
    if !finished.succeeded() {
        let why = finished.first_line();
        return Err(if why.is_empty() {
            format!("{shown} failed")
        } else {
            format!("{shown} failed: {why}")
        });
    }
    let text = String::from_utf8_lossy(&finished.stdout);
    let text = if text.trim().is_empty() {
        String::from_utf8_lossy(&finished.stderr)
    } else {
        text
    };
    let version = Version::find_in(&text);
    if version.is_none() {
        tracing::debug!(%runtime, "no version in the output of --version");
    }
    Ok(version)
}

/// The problem with a version below the runtime's minimum.
pub(crate) fn too_old(runtime: Runtime, version: &Version, os: Os) -> Option<String> {
    let minimum = runtime.minimum()?;
    (version < &minimum).then(|| {
        format!(
            "{runtime} {version} is older than {minimum}, which MCP servers need. {}",
            runtime.install_advice(os)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_versions_are_a_problem_with_the_fix() {
        let problem = too_old(Runtime::Node, &Version::new(&[16, 20, 0]), Os::Linux);
        assert_eq!(
            problem.as_deref(),
            Some(
                "node 16.20.0 is older than 20, which MCP servers need. Install Node.js 20 or \
                 newer from https://nodejs.org, or `sudo apt install nodejs npm`"
            )
        );
        assert_eq!(
            too_old(Runtime::Node, &Version::new(&[22, 1]), Os::Linux),
            None
        );
        assert!(too_old(Runtime::Python, &Version::new(&[2, 7, 18]), Os::MacOs).is_some());
        assert_eq!(
            too_old(Runtime::Docker, &Version::new(&[1]), Os::MacOs),
            None
        );
    }

    #[test]
    fn windows_store_python_aliases_are_not_python() {
        let alias = Path::new(r"C:\Users\u\AppData\Local\Microsoft\WindowsApps\python.exe");
        assert!(is_store_alias(alias, Os::Windows));
        assert!(!is_store_alias(
            Path::new(r"C:\Python312\python.exe"),
            Os::Windows
        ));
    }
}
