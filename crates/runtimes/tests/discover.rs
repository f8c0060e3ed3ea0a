//! Discovery on real files: fake installs in a temporary HOME (executable shell scripts
//! that print versions, laid out as nvm, fnm, Volta, mise, asdf, pyenv, uv, cargo and
//! Homebrew lay them out), a fake login shell, hanging programs, Windows shims, and the
//! real `node` and `npx` of this machine.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    ffi::OsString,
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use switchboard_runtimes::{
    Environment, LaunchError, LoginShellError, Os, Resolution, Runtime, Runtimes, Source,
    default_system_dirs,
};
use tempfile::TempDir;

/// Writes an executable script that answers `--version` with `version_output` and
/// otherwise prints its name and arguments.
fn fake(dir: &Path, name: &str, version_output: &str) -> PathBuf {
    script(
        dir,
        name,
        &format!(
            "if [ \"$1\" = --version ]; then echo '{version_output}'; exit 0; fi\necho \"{name} $*\"\n"
        ),
    )
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A temporary HOME and a bare Linux environment over it (no PATH, shell or system dirs:
/// only what a test puts there is found).
fn fresh_home() -> (TempDir, Environment) {
    let dir = TempDir::new().unwrap();
    let env = Environment::new(dir.path(), None, Os::Linux);
    (dir, env)
}

fn found(runtimes: &Runtimes, runtime: Runtime) -> &switchboard_runtimes::Found {
    runtimes
        .found(runtime)
        .unwrap_or_else(|| panic!("{runtime} not found: {:?}", runtimes.get(runtime)))
}

#[test]
fn nvm_newest_version_wins_and_npx_comes_with_it() {
    let (home, env) = fresh_home();
    let versions = home.path().join(".nvm/versions/node");
    for version in ["v9.11.2", "v20.1.0", "v22.1.0"] {
        let bin = versions.join(version).join("bin");
        fake(&bin, "node", version);
        fake(&bin, "npx", "10.7.0");
    }
    let runtimes = Runtimes::discover(&env);
    let node = found(&runtimes, Runtime::Node);
    assert_eq!(
        node.path,
        versions.join("v22.1.0/bin/node"),
        "v22 is newer than v9 (numbers, not text)"
    );
    assert_eq!(node.source, Source::Nvm);
    assert_eq!(node.version.as_ref().unwrap().to_string(), "22.1.0");
    assert_eq!(node.problem, None);
    assert_eq!(
        found(&runtimes, Runtime::Npx).path,
        versions.join("v22.1.0/bin/npx")
    );
}

#[test]
fn every_install_layout_is_found_with_its_source() {
    let cases: &[(&str, &str, Runtime, Source)] = &[
        (".volta/bin", "node", Runtime::Node, Source::Volta),
        (".volta/bin", "npx", Runtime::Npx, Source::Volta),
        (
            ".local/share/fnm/node-versions/v22.1.0/installation/bin",
            "node",
            Runtime::Node,
            Source::Fnm,
        ),
        (
            ".local/share/fnm/aliases/default/bin",
            "node",
            Runtime::Node,
            Source::Fnm,
        ),
        (
            ".local/share/mise/installs/node/22.1.0/bin",
            "node",
            Runtime::Node,
            Source::Mise,
        ),
        (".local/share/mise/shims", "uvx", Runtime::Uvx, Source::Mise),
        (
            ".local/share/mise/installs/python/3.12.1/bin",
            "python3",
            Runtime::Python,
            Source::Mise,
        ),
        (".asdf/shims", "node", Runtime::Node, Source::Asdf),
        (
            ".asdf/installs/python/3.11.9/bin",
            "python3",
            Runtime::Python,
            Source::Asdf,
        ),
        (".pyenv/shims", "python3", Runtime::Python, Source::Pyenv),
        (".pyenv/shims", "python", Runtime::Python, Source::Pyenv),
        (".local/bin", "uv", Runtime::Uv, Source::UvInstaller),
        (".local/bin", "uvx", Runtime::Uvx, Source::UvInstaller),
        (".cargo/bin", "uv", Runtime::Uv, Source::Cargo),
    ];
    for (dir, name, runtime, source) in cases {
        let (home, env) = fresh_home();
        let path = fake(&home.path().join(dir), name, "9.9.9");
        let runtimes = Runtimes::discover(&env);
        let hit = found(&runtimes, *runtime);
        assert_eq!(&hit.path, &path, "{runtime} in {dir}");
        assert_eq!(hit.source, *source, "{runtime} in {dir}");
        assert_eq!(hit.version.as_ref().unwrap().to_string(), "9.9.9");
    }
}

#[test]
fn homebrew_root_is_configurable() {
    let (home, env) = fresh_home();
    let brew = home.path().join("opt-homebrew");
    let node = fake(&brew.join("bin"), "node", "v23.3.0");
    let docker = fake(
        &brew.join("bin"),
        "docker",
        "Docker version 27.3.1, build ce12230",
    );
    let runtimes = Runtimes::discover(&env.with_homebrew_root(&brew));
    assert_eq!(found(&runtimes, Runtime::Node).path, node);
    assert_eq!(found(&runtimes, Runtime::Node).source, Source::Homebrew);
    let docker_found = found(&runtimes, Runtime::Docker);
    assert_eq!(docker_found.path, docker);
    assert_eq!(docker_found.version.as_ref().unwrap().to_string(), "27.3.1");
}

#[test]
fn environment_variables_move_the_managers() {
    let (home, env) = fresh_home();
    let nvm = home.path().join("elsewhere/nvm");
    let node = fake(&nvm.join("versions/node/v21.0.0/bin"), "node", "v21.0.0");
    let volta = home.path().join("elsewhere/volta");
    let uv = fake(&home.path().join("elsewhere/uvbin"), "uv", "uv 0.5.1");
    let fake_volta_npx = fake(&volta.join("bin"), "npx", "10.0.0");
    let runtimes = Runtimes::discover(
        &env.with_var("NVM_DIR", &nvm)
            .with_var("VOLTA_HOME", &volta)
            .with_var("UV_INSTALL_DIR", home.path().join("elsewhere/uvbin")),
    );
    assert_eq!(found(&runtimes, Runtime::Node).path, node);
    assert_eq!(found(&runtimes, Runtime::Uv).path, uv);
    assert_eq!(found(&runtimes, Runtime::Npx).path, fake_volta_npx);
}

#[test]
fn npx_comes_from_the_folder_of_the_node_that_was_chosen() {
    let (home, env) = fresh_home();
    // Volta is searched before nvm, but only has npx; node comes from nvm.
    fake(&home.path().join(".volta/bin"), "npx", "9.0.0");
    let nvm_bin = home.path().join(".nvm/versions/node/v22.1.0/bin");
    fake(&nvm_bin, "node", "v22.1.0");
    let npx = fake(&nvm_bin, "npx", "10.7.0");
    let runtimes = Runtimes::discover(&env);
    assert_eq!(found(&runtimes, Runtime::Node).source, Source::Nvm);
    assert_eq!(
        found(&runtimes, Runtime::Npx).path,
        npx,
        "npx must be the one that runs the chosen node"
    );
}

#[test]
fn npx_finds_its_node_through_the_launch_path_even_with_an_empty_path() {
    let (home, env) = fresh_home();
    let bin = home.path().join(".nvm/versions/node/v22.1.0/bin");
    fake(&bin, "node", "v22.1.0");
    // Like the real npx (`#!/usr/bin/env node`), this one needs node on PATH.
    script(
        &bin,
        "npx",
        "if [ \"$1\" = --version ]; then exec node --version; fi\nexec node npx-cli \"$@\"\n",
    );
    let runtimes = Runtimes::discover(&env);
    let npx = found(&runtimes, Runtime::Npx);
    assert_eq!(
        npx.version.as_ref().map(ToString::to_string).as_deref(),
        Some("22.1.0"),
        "the version probe gives npx its folder on PATH: {:?}",
        npx.problem
    );

    let launch = runtimes
        .launch_command(Runtime::Npx, &["-y", "@modelcontextprotocol/server-memory"])
        .unwrap();
    assert!(launch.program.is_absolute());
    let output = Command::new(&launch.program)
        .args(&launch.args)
        .env("PATH", launch.path_value(Some("/nonexistent".as_ref())))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "node npx-cli -y @modelcontextprotocol/server-memory",
        "a GUI-like PATH plus the launch folders runs the right node: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn login_shell_path_is_asked_and_its_noise_ignored() {
    let (home, env) = fresh_home();
    let only_in_shell = home.path().join("from-rc-files/bin");
    let node = fake(&only_in_shell, "node", "v22.2.0");
    // A login shell whose rc files print before and after, and add a folder to PATH.
    let shell = script(
        &home.path().join("shells"),
        "fakesh",
        &format!(
            "echo 'Welcome to fakesh'\necho 'args: '\"$*\" >&2\n\
             [ \"$1 $2 $3\" = '-l -i -c' ] || exit 9\n\
             PATH='{}':/usr/bin:/bin; export PATH\nsh -c \"$4\"\necho 'bye'\n",
            only_in_shell.display()
        ),
    );
    let runtimes = Runtimes::discover(&env.with_shell(&shell));
    assert_eq!(runtimes.login_shell_error(), None);
    let hit = found(&runtimes, Runtime::Node);
    assert_eq!(hit.path, node);
    assert_eq!(hit.source, Source::LoginShell);
}

#[test]
fn login_shell_path_beats_the_process_path() {
    let (home, env) = fresh_home();
    let process_dir = home.path().join("process-path");
    let shell_dir = home.path().join("shell-path");
    fake(&process_dir, "uv", "uv 0.1.0");
    let preferred = fake(&shell_dir, "uv", "uv 0.5.0");
    let shell = script(
        &home.path().join("shells"),
        "fakesh",
        &format!("PATH='{}'; /bin/sh -c \"$4\"\n", shell_dir.display()),
    );
    let mut env = env.with_shell(&shell);
    env.path = Some(OsString::from(process_dir.as_os_str()));
    let runtimes = Runtimes::discover(&env);
    assert_eq!(runtimes.login_shell_error(), None);
    assert_eq!(found(&runtimes, Runtime::Uv).path, preferred);
}

#[test]
fn a_hanging_login_shell_is_abandoned_in_time() {
    let (home, env) = fresh_home();
    let shell = script(&home.path().join("shells"), "slowsh", "sleep 30\n");
    let node = fake(&home.path().join(".volta/bin"), "node", "v20.0.0");
    let env = env
        .with_shell(&shell)
        .with_timeouts(Duration::from_millis(400), Duration::from_secs(5));
    let started = Instant::now();
    let runtimes = Runtimes::discover(&env);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "discovery waited {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            runtimes.login_shell_error(),
            Some(LoginShellError::Timeout { .. })
        ),
        "{:?}",
        runtimes.login_shell_error()
    );
    assert_eq!(
        found(&runtimes, Runtime::Node).path,
        node,
        "other sources still work"
    );
}

#[test]
fn a_login_shell_that_prints_no_path_is_reported() {
    let (home, env) = fresh_home();
    let shell = script(
        &home.path().join("shells"),
        "mutesh",
        "echo 'oops: bad rc' >&2\n",
    );
    let runtimes = Runtimes::discover(&env.with_shell(&shell));
    let error = runtimes.login_shell_error().unwrap().to_string();
    assert!(
        error.contains("printed no PATH") && error.contains("oops: bad rc"),
        "{error}"
    );
}

#[test]
fn missing_runtimes_say_exactly_how_to_install_them() {
    let (_home, env) = fresh_home();
    let runtimes = Runtimes::discover(&env);
    for runtime in Runtime::ALL {
        match runtimes.get(runtime) {
            Resolution::Missing { fix } => {
                assert_eq!(fix, &runtime.install_advice(Os::Linux), "{runtime}");
            }
            Resolution::Found(found) => panic!("{runtime} found in an empty HOME: {found:?}"),
        }
    }
    assert!(matches!(
        runtimes.get(Runtime::Node),
        Resolution::Missing { fix } if fix == "Install Node.js 20 or newer from https://nodejs.org, or `sudo apt install nodejs npm`"
    ));
    assert!(matches!(
        runtimes.get(Runtime::Uvx),
        Resolution::Missing { fix } if fix.contains("curl -LsSf https://astral.sh/uv/install.sh | sh")
    ));
    let error = runtimes
        .launch_command(Runtime::Npx, &["-y", "x"])
        .unwrap_err();
    assert!(
        matches!(
            &error,
            LaunchError::Missing {
                runtime: Runtime::Npx,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("https://nodejs.org"), "{error}");
}

#[test]
fn a_broken_shim_gives_way_to_a_working_install() {
    let (home, env) = fresh_home();
    script(
        &home.path().join(".asdf/shims"),
        "node",
        "echo 'No version is set for command node' >&2\nexit 126\n",
    );
    let working = fake(&home.path().join(".volta/bin"), "node", "v22.0.0");
    let runtimes = Runtimes::discover(&env);
    assert_eq!(found(&runtimes, Runtime::Node).path, working);

    let (home, env) = fresh_home();
    let broken = script(
        &home.path().join(".asdf/shims"),
        "node",
        "echo 'No version is set for command node' >&2\nexit 126\n",
    );
    let runtimes = Runtimes::discover(&env);
    let node = found(&runtimes, Runtime::Node);
    assert_eq!(
        node.path, broken,
        "when nothing works, the first find is reported"
    );
    let problem = node.problem.as_deref().unwrap();
    assert!(
        problem.contains("No version is set for command node"),
        "{problem}"
    );
}

#[test]
fn a_version_probe_that_hangs_times_out() {
    let (home, env) = fresh_home();
    script(
        &home.path().join(".local/bin"),
        "uv",
        "exec /bin/sleep 30\n",
    );
    let env = env.with_timeouts(Duration::from_secs(5), Duration::from_millis(300));
    let started = Instant::now();
    let runtimes = Runtimes::discover(&env);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let problem = found(&runtimes, Runtime::Uv).problem.clone().unwrap();
    assert!(problem.contains("did not answer within"), "{problem}");
}

#[test]
fn too_old_node_is_found_with_a_problem() {
    let (home, env) = fresh_home();
    fake(&home.path().join(".volta/bin"), "node", "v16.20.2");
    let runtimes = Runtimes::discover(&env);
    let problem = found(&runtimes, Runtime::Node).problem.clone().unwrap();
    assert!(
        problem.starts_with("node 16.20.2 is older than 20") && problem.contains("nodejs.org"),
        "{problem}"
    );
}

#[test]
fn files_that_are_not_executable_are_not_runtimes() {
    let (home, env) = fresh_home();
    let dir = home.path().join(".local/bin");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("uv"), "not a program").unwrap();
    let runtimes = Runtimes::discover(&env);
    assert!(runtimes.found(Runtime::Uv).is_none());
}

#[test]
fn windows_cmd_shims_are_wrapped_in_cmd_and_exes_are_not() {
    let dir = TempDir::new().unwrap();
    let program_files = dir.path().join("Program Files");
    let nodejs = program_files.join("nodejs");
    fs::create_dir_all(&nodejs).unwrap();
    fs::write(nodejs.join("node.exe"), "").unwrap();
    fs::write(nodejs.join("npx"), "").unwrap(); // the sh script npm ships: never chosen
    fs::write(nodejs.join("npx.cmd"), "").unwrap();
    let mut env = Environment::new(dir.path().join("Users/me"), None, Os::Windows)
        .with_var("ProgramFiles", &program_files)
        .with_var("ComSpec", r"C:\Windows\system32\cmd.exe")
        .without_version_probes();
    env.system_dirs = default_system_dirs(Os::Windows, &env);
    let runtimes = Runtimes::discover(&env);

    let npx = runtimes
        .launch_command(
            Runtime::Npx,
            &["-y", "@modelcontextprotocol/server-everything"],
        )
        .unwrap();
    assert_eq!(npx.program, PathBuf::from(r"C:\Windows\system32\cmd.exe"));
    let args: Vec<String> = npx
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        args,
        [
            "/c".to_owned(),
            nodejs.join("npx.cmd").display().to_string(),
            "-y".to_owned(),
            "@modelcontextprotocol/server-everything".to_owned(),
        ]
    );
    let node = runtimes
        .launch_command(Runtime::Node, &["server.js"])
        .unwrap();
    assert_eq!(node.program, nodejs.join("node.exe"), ".exe runs directly");
    assert_eq!(
        node.path_value(Some(r"C:\Windows;C:\Tools".as_ref())),
        OsString::from(format!(r"{};C:\Windows;C:\Tools", nodejs.display())),
        "Windows PATH uses ';'"
    );
}

#[test]
fn registry_commands_resolve_to_absolute_paths() {
    let (home, env) = fresh_home();
    let bunx = fake(&home.path().join(".local/bin"), "bunx", "1.1.0");
    let uvx = fake(&home.path().join(".local/bin"), "uvx", "uv 0.5.1");
    fake(&home.path().join(".local/bin"), "uv", "uv 0.5.1");
    let runtimes = Runtimes::discover(&env);

    let launch = runtimes
        .resolve_command("uvx", &["mcp-server-time"])
        .unwrap();
    assert_eq!(
        launch.program, uvx,
        "a runtime name uses what discovery found"
    );
    let launch = runtimes.resolve_command("bunx", &["some-server"]).unwrap();
    assert_eq!(
        launch.program, bunx,
        "another bare name is searched in the same folders"
    );
    let launch = runtimes.resolve_command("/opt/tool/run", &["x"]).unwrap();
    assert_eq!(
        launch.program,
        PathBuf::from("/opt/tool/run"),
        "absolute paths are kept"
    );
    let error = runtimes
        .resolve_command("no-such-tool", &["x"])
        .unwrap_err();
    assert!(
        error.to_string().contains("\"no-such-tool\" was not found"),
        "{error}"
    );
    assert!(runtimes.resolve_command("./relative", &["x"]).is_err());
}

#[test]
fn real_node_and_npx_of_this_machine_are_found() {
    let env = Environment::current().expect("HOME is set");
    let runtimes = Runtimes::discover(&env);
    for runtime in [Runtime::Node, Runtime::Npx] {
        let hit = runtimes.found(runtime).unwrap_or_else(|| {
            panic!(
                "{runtime} is not found on this machine ({:?}); CI needs Node.js 20+",
                runtimes.get(runtime)
            )
        });
        assert!(hit.path.is_absolute(), "{hit:?}");
        assert!(
            hit.version.is_some(),
            "{runtime} --version: {:?}",
            hit.problem
        );
    }
    // What a GUI app launched with a bare PATH would get, and it works.
    let launch = runtimes
        .launch_command(Runtime::Npx, &["--version"])
        .unwrap();
    let output = Command::new(&launch.program)
        .args(&launch.args)
        .env("PATH", launch.path_value(Some("/nonexistent".as_ref())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "npx --version with only the launch folders on PATH: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
