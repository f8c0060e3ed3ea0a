//! Packages prepared ahead of time: an npm or PyPI server is installed into Switchboard's
//! own folder (`<data>/packages/npm/<id>` or `<data>/packages/pypi/<id>`) when it is
//! installed, so that a client's first call does not wait for a download, later sessions
//! start offline, and uninstalling removes exactly what was installed.
//!
//! Owns: running npm and pip for that (through the runtimes discovery found, never the
//! daemon's PATH), staging into a `.partial` folder renamed into place only when the
//! install succeeded, and finding the program a prepared package runs. Must not: touch any
//! folder but its own, or run anything but npm, python's venv and pip.
//!
//! npm and pip honour their usual configuration (`npm_config_*`, `PIP_*`), which is how a
//! user points them at a mirror and how the tests keep them offline.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use switchboard_runtimes::{Runtime, Runtimes};
use tokio::io::{AsyncBufReadExt, BufReader};

/// How long one npm or pip install may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Output lines kept for an error message.
const KEPT_LINES: usize = 12;

/// Which registry a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    Npm,
    Pypi,
}

impl Registry {
    fn folder(self) -> &'static str {
        match self {
            Self::Npm => "npm",
            Self::Pypi => "pypi",
        }
    }
}

/// A package could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0}")]
    MissingRuntime(String),
    #[error("{tool} could not install {package}: {detail}")]
    Install {
        tool: &'static str,
        package: String,
        detail: String,
    },
    #[error("{package} was installed, but {problem}")]
    NoProgram { package: String, problem: String },
    #[error("could not prepare {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where server `id`'s package of `registry` lives.
pub fn folder(root: &Path, registry: Registry, id: &str) -> PathBuf {
    root.join(registry.folder()).join(id)
}

/// Installs `package` (at `version`, or the newest when empty) for server `id`, replacing
/// what was there only once the new install succeeded. `progress` hears each step and the
/// tool's output lines.
pub async fn prepare(
    runtimes: &Runtimes,
    root: &Path,
    registry: Registry,
    id: &str,
    package: &str,
    version: &str,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<PathBuf, PackageError> {
    let target = folder(root, registry, id);
    let staging = target.with_extension("partial");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| PackageError::Io { path, source }
    };
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let installed = match registry {
        Registry::Npm => install_npm(runtimes, &staging, package, version, progress).await,
        Registry::Pypi => install_pypi(runtimes, &staging, package, version, progress).await,
    };
    let program = installed.and_then(|()| program_in(&staging, registry, package));
    if let Err(error) = program {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(io(&target))?;
    }
    std::fs::rename(&staging, &target).map_err(io(&target))?;
    // Paths inside the folder are found again from the final place.
    program_in(&target, registry, package)
}

/// The program a prepared package runs, if it is prepared.
pub fn prepared_program(
    root: &Path,
    registry: Registry,
    id: &str,
    package: &str,
) -> Option<PathBuf> {
    let folder = folder(root, registry, id);
    folder
        .is_dir()
        .then(|| program_in(&folder, registry, package).ok())
        .flatten()
}

/// Removes server `id`'s prepared packages; returns whether there were any.
pub fn remove(root: &Path, id: &str) -> bool {
    let mut removed = false;
    for registry in [Registry::Npm, Registry::Pypi] {
        let folder = folder(root, registry, id);
        for path in [folder.with_extension("partial"), folder] {
            if path.exists() && std::fs::remove_dir_all(&path).is_ok() {
                removed = true;
            }
        }
    }
    removed
}

async fn install_npm(
    runtimes: &Runtimes,
    folder: &Path,
    package: &str,
    version: &str,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<(), PackageError> {
    let npm = runtimes
        .resolve_command(
            "npm",
            &[
                OsString::from("install"),
                OsString::from("--prefix"),
                folder.as_os_str().to_owned(),
                OsString::from("--no-audit"),
                OsString::from("--no-fund"),
                OsString::from("--omit=dev"),
                OsString::from("--loglevel=error"),
                OsString::from(versioned(package, "@", version)),
            ],
        )
        .map_err(|e| PackageError::MissingRuntime(e.to_string()))?;
    progress(format!(
        "installing {} with npm",
        versioned(package, "@", version)
    ));
    run(
        "npm",
        package,
        &npm.program,
        &npm.args,
        &npm.path_dirs,
        progress,
    )
    .await
}

async fn install_pypi(
    runtimes: &Runtimes,
    folder: &Path,
    package: &str,
    version: &str,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<(), PackageError> {
    let venv = folder.join("venv");
    let python = runtimes
        .launch_command(
            Runtime::Python,
            &[
                OsString::from("-m"),
                OsString::from("venv"),
                venv.as_os_str().to_owned(),
            ],
        )
        .map_err(|e| PackageError::MissingRuntime(e.to_string()))?;
    progress("creating a Python environment".to_owned());
    run(
        "python -m venv",
        package,
        &python.program,
        &python.args,
        &python.path_dirs,
        progress,
    )
    .await?;
    progress(format!(
        "installing {} with pip",
        versioned(package, "==", version)
    ));
    let pip = venv.join("bin").join("pip");
    let args = [
        OsString::from("install"),
        OsString::from("--disable-pip-version-check"),
        OsString::from("--quiet"),
        OsString::from(versioned(package, "==", version)),
    ];
    run("pip", package, &pip, &args, &[], progress).await
}

/// Runs an installer, forwarding its output to `progress` and keeping the last lines for
/// the error message.
async fn run(
    tool: &'static str,
    package: &str,
    program: &Path,
    args: &[OsString],
    path_dirs: &[PathBuf],
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<(), PackageError> {
    let failed = |detail: String| PackageError::Install {
        tool,
        package: package.to_owned(),
        detail,
    };
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // No "new version of npm available" lines in the install's progress.
        .env("npm_config_update_notifier", "false")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .kill_on_drop(true);
    if !path_dirs.is_empty() {
        let mut dirs: Vec<PathBuf> = path_dirs.to_vec();
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        if let Ok(path) = std::env::join_paths(dirs) {
            command.env("PATH", path);
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| failed(format!("could not start {}: {e}", program.display())))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(failed("its output could not be read".into()));
    };
    let mut kept: Vec<String> = Vec::new();
    let mut out = BufReader::new(stdout).lines();
    let mut err = BufReader::new(stderr).lines();
    let finished = tokio::time::timeout(INSTALL_TIMEOUT, async {
        let (mut out_open, mut err_open) = (true, true);
        while out_open || err_open {
            let line = tokio::select! {
                line = out.next_line(), if out_open => line.ok().flatten().or_else(|| { out_open = false; None }),
                line = err.next_line(), if err_open => line.ok().flatten().or_else(|| { err_open = false; None }),
            };
            if let Some(line) = line.filter(|l| !l.trim().is_empty()) {
                progress(line.clone());
                kept.push(line);
                if kept.len() > KEPT_LINES {
                    kept.remove(0);
                }
            }
        }
        child.wait().await
    })
    .await;
    match finished {
        Err(_) => Err(failed(format!(
            "it did not finish within {} minutes",
            INSTALL_TIMEOUT.as_secs() / 60
        ))),
        Ok(Err(error)) => Err(failed(error.to_string())),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(failed(format!(
            "it exited with {status}{}",
            if kept.is_empty() {
                String::new()
            } else {
                format!("; its last output:\n{}", kept.join("\n"))
            }
        ))),
    }
}

/// The program a package installed in `folder` runs.
fn program_in(folder: &Path, registry: Registry, package: &str) -> Result<PathBuf, PackageError> {
    let missing = |problem: String| PackageError::NoProgram {
        package: package.to_owned(),
        problem,
    };
    match registry {
        Registry::Npm => {
            let dir = folder.join("node_modules").join(package);
            let manifest = std::fs::read_to_string(dir.join("package.json"))
                .map_err(|e| missing(format!("its package.json cannot be read ({e})")))?;
            let bin = npm_bin(&manifest, package).map_err(missing)?;
            Ok(dir.join(bin))
        }
        Registry::Pypi => {
            let site = std::fs::read_dir(folder.join("venv").join("lib"))
                .ok()
                .and_then(|mut dirs| dirs.next())
                .and_then(Result::ok)
                .map(|python| python.path().join("site-packages"))
                .ok_or_else(|| missing("its Python environment has no site-packages".into()))?;
            let entry_points = std::fs::read_dir(&site)
                .map_err(|e| missing(format!("{} cannot be read ({e})", site.display())))?
                .filter_map(Result::ok)
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy().to_lowercase();
                    // `<distribution>-<version>.dist-info`; names compare normalised.
                    name.ends_with(".dist-info")
                        && name
                            .split_once('-')
                            .is_some_and(|(dist, _)| normalise(dist) == normalise(package))
                })
                .find_map(|entry| {
                    std::fs::read_to_string(entry.path().join("entry_points.txt")).ok()
                })
                .ok_or_else(|| missing("it declares no command to run (no entry points)".into()))?;
            let script = console_script(&entry_points, package).map_err(missing)?;
            Ok(folder.join("venv").join("bin").join(script))
        }
    }
}

/// The `bin` of an npm package.json that runs the package: the only one, or the one
/// named like the package.
fn npm_bin(manifest: &str, package: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(manifest)
        .map_err(|e| format!("its package.json is not JSON ({e})"))?;
    let unscoped = package.rsplit('/').next().unwrap_or(package);
    match value.get("bin") {
        Some(serde_json::Value::String(path)) => Ok(path.clone()),
        Some(serde_json::Value::Object(bins)) => {
            if bins.len() == 1
                && let Some(serde_json::Value::String(path)) = bins.values().next()
            {
                return Ok(path.clone());
            }
            match bins.get(unscoped).or_else(|| bins.get(package)) {
                Some(serde_json::Value::String(path)) => Ok(path.clone()),
                _ => Err(format!(
                    "it has several commands ({}) and none is named after it",
                    bins.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            }
        }
        _ => Err("it declares no command to run (no \"bin\" in its package.json)".into()),
    }
}

/// The console script of a Python distribution that runs the package: the only one, or the
/// one named like the package.
fn console_script(entry_points: &str, package: &str) -> Result<String, String> {
    let mut in_scripts = false;
    let mut scripts = Vec::new();
    for line in entry_points.lines().map(str::trim) {
        if line.starts_with('[') {
            in_scripts = line == "[console_scripts]";
        } else if in_scripts && let Some((name, _)) = line.split_once('=') {
            scripts.push(name.trim().to_owned());
        }
    }
    match scripts.as_slice() {
        [] => Err("it declares no console script to run".into()),
        [only] => Ok(only.clone()),
        many => many
            .iter()
            .find(|name| normalise(name) == normalise(package))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "it has several console scripts ({}) and none is named after it",
                    many.join(", ")
                )
            }),
    }
}

/// Python distribution names compare with `-`, `_` and `.` alike, case-insensitively.
fn normalise(name: &str) -> String {
    name.to_lowercase().replace(['-', '.'], "_")
}

fn versioned(package: &str, separator: &str, version: &str) -> String {
    if version.is_empty() {
        package.to_owned()
    } else {
        format!("{package}{separator}{version}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_npm_command_is_the_only_bin_or_the_one_named_after_the_package() {
        assert_eq!(
            npm_bin(r#"{"bin": "dist/index.js"}"#, "x").unwrap(),
            "dist/index.js"
        );
        assert_eq!(
            npm_bin(
                r#"{"bin": {"mcp-server-everything": "dist/index.js"}}"#,
                "@modelcontextprotocol/server-everything"
            )
            .unwrap(),
            "dist/index.js",
            "the only bin, whatever its name"
        );
        assert_eq!(
            npm_bin(
                r#"{"bin": {"tool": "a.js", "server-x": "b.js"}}"#,
                "@scope/server-x"
            )
            .unwrap(),
            "b.js"
        );
        let error = npm_bin(r#"{"bin": {"a": "a.js", "b": "b.js"}}"#, "c").unwrap_err();
        assert!(error.contains("several commands (a, b)"), "{error}");
        assert!(
            npm_bin(r#"{"name": "lib"}"#, "lib")
                .unwrap_err()
                .contains("no \"bin\"")
        );
    }

    #[test]
    fn the_python_command_is_the_only_console_script_or_the_one_named_after_it() {
        let one = "[console_scripts]\nmcp-server-time = mcp_server_time:main\n";
        assert_eq!(
            console_script(one, "mcp-server-time").unwrap(),
            "mcp-server-time"
        );
        let many = "[gui_scripts]\nx = a:b\n\n[console_scripts]\nhelper = a:h\nmy_tool = a:m\n";
        assert_eq!(console_script(many, "My-Tool").unwrap(), "my_tool");
        assert!(console_script("[other]\na = b:c\n", "a").is_err());
    }

    #[test]
    fn removing_takes_both_registries_and_leftover_staging() {
        let root = tempfile::tempdir().unwrap();
        for path in [
            folder(root.path(), Registry::Npm, "x"),
            folder(root.path(), Registry::Pypi, "x").with_extension("partial"),
            folder(root.path(), Registry::Npm, "other"),
        ] {
            std::fs::create_dir_all(path).unwrap();
        }
        assert!(remove(root.path(), "x"));
        assert!(!folder(root.path(), Registry::Npm, "x").exists());
        assert!(
            !folder(root.path(), Registry::Pypi, "x")
                .with_extension("partial")
                .exists()
        );
        assert!(
            folder(root.path(), Registry::Npm, "other").exists(),
            "only x's"
        );
        assert!(!remove(root.path(), "x"));
    }
}
