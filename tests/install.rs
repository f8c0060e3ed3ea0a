//! One-step install end to end, through the real `switchboard` binary in a temp home: a
//! catalog npm server and a catalog PyPI server prepared offline (from npm's cache and a
//! folder of wheels scripts/setup made), checked by a first start, written into Claude
//! Desktop's file, used through the bridge and uninstalled without a trace; an MCP Bundle
//! with a secret (to the real keychain, nowhere else) and a folder (to a grant); and every
//! failure rolled back: a server that crashes on its first start, a command that does not
//! exist, a bundle that tries to write outside its folder. Linux only (the test peers).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Output, Stdio},
    time::Duration,
};

use client::{call, connect, control, text};
use serde_json::{Value, json};
use switchboard_hub::{Request, ServerInfo};
use switchboard_tests::{Home, HttpServer, offline, run_with_deadline, switchboard_bin};

/// `switchboard <args>` offline (and so the daemon it may start), with `stdin` piped in;
/// the whole output.
fn switchboard(home: &Home, args: &[&str], stdin: &str) -> Output {
    let mut command = home.command(args);
    offline(&mut command);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "switchboard {args:?} did not finish within 3 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn succeed(home: &Home, args: &[&str], stdin: &str) -> String {
    let output = switchboard(home, args, stdin);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "switchboard {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn fail(home: &Home, args: &[&str], stdin: &str) -> String {
    let output = switchboard(home, args, stdin);
    assert!(
        !output.status.success(),
        "switchboard {args:?} should have failed:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn claude_config(home: &Home) -> PathBuf {
    home.xdg_config()
        .join("Claude")
        .join("claude_desktop_config.json")
}

fn installed_ids(home: &Home) -> Vec<String> {
    let mut command = home.command(&["list"]);
    // The first command of a home starts its daemon, which keeps this environment.
    offline(&mut command);
    let output = run_with_deadline(command, Duration::from_secs(30));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_npm_server_installs_into_claude_desktop_works_and_uninstalls_cleanly() {
    let home = Home::new();
    let said = succeed(
        &home,
        &["install", "everything", "--into", "claude-desktop"],
        "",
    );
    for step in [
        "[check]",
        "[register]",
        "[prepare]",
        "[verify]",
        "[enable]",
        "[clients]",
    ] {
        assert!(
            said.contains(step),
            "the install shows its {step} step:\n{said}"
        );
    }
    assert!(
        said.contains("echo"),
        "the first start listed its tools:\n{said}"
    );

    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(claude_config(&home)).unwrap()).unwrap();
    let entry = &config["mcpServers"]["everything"];
    assert_eq!(entry["command"], json!(switchboard_bin().to_str().unwrap()));
    assert_eq!(entry["args"], json!(["connect", "everything"]));
    let package = home.data.join("packages/npm/everything");
    assert!(package.is_dir(), "the package was prepared ahead");
    let info: ServerInfo = control(&home)
        .await
        .call(Request::GetServer {
            id: "everything".into(),
        })
        .await
        .unwrap();
    assert!(info.enabled, "switched on once it worked");

    // The client's entry works, from the prepared package.
    let client = connect(&home, "everything").await;
    let echoed = call(&client, "echo", json!({"message": "hello"})).await;
    assert!(text(&echoed).contains("hello"), "{}", text(&echoed));
    client.cancel().await.unwrap();

    let said = succeed(&home, &["uninstall", "everything"], "");
    assert!(said.contains("downloaded files"), "{said}");
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(claude_config(&home)).unwrap()).unwrap();
    assert_eq!(config["mcpServers"], json!({}), "the entry is gone");
    assert!(!package.exists(), "the package is gone");
    assert!(!installed_ids(&home).contains(&"everything".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_pypi_server_runs_from_its_own_environment() {
    let home = Home::new();
    let said = succeed(&home, &["install", "time"], "");
    assert!(said.contains("get_current_time"), "{said}");
    assert!(home.data.join("packages/pypi/time/venv").is_dir());

    let client = connect(&home, "time").await;
    let now = call(&client, "get_current_time", json!({"timezone": "UTC"})).await;
    assert!(text(&now).contains("UTC"), "{}", text(&now));
    client.cancel().await.unwrap();

    succeed(&home, &["uninstall", "time"], "");
    assert!(!home.data.join("packages/pypi/time").exists());
}

#[test]
fn a_server_that_fails_its_first_start_is_rolled_back_with_its_own_words() {
    let home = Home::new();
    // The user's own file, which a failed install must leave byte for byte.
    let config = claude_config(&home);
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let mine = "{\n  // mine\n  \"mcpServers\": {\"own\": {\"command\": \"own-server\"}}\n}\n";
    std::fs::write(&config, mine).unwrap();

    let error = fail(
        &home,
        &[
            "install",
            "--id",
            "broken",
            "--into",
            "claude-desktop",
            "--",
            "python3",
            "-c",
            "import sys; sys.stderr.write('boom: the API key is not set\\n'); sys.exit(3)",
        ],
        "",
    );
    assert!(error.contains("\"verify\""), "names the step: {error}");
    assert!(
        error.contains("boom: the API key is not set"),
        "shows the server's own stderr: {error}"
    );
    assert!(!installed_ids(&home).contains(&"broken".to_owned()));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), mine);
}

#[test]
fn a_missing_command_is_refused_before_anything_changes() {
    let home = Home::new();
    let before = installed_ids(&home);
    let error = fail(
        &home,
        &[
            "install",
            "--id",
            "nope",
            "--",
            "definitely-not-a-program-here",
        ],
        "",
    );
    assert!(error.contains("\"check\""), "{error}");
    assert!(error.contains("was not found"), "{error}");
    assert_eq!(installed_ids(&home), before);
}

#[test]
fn secrets_are_never_taken_from_the_command_line() {
    let home = Home::new();
    let error = fail(
        &home,
        &[
            "install",
            "github",
            "--set",
            "GITHUB_PERSONAL_ACCESS_TOKEN=ghp_not_on_the_command_line",
        ],
        "",
    );
    assert!(
        error.contains("never taken from the command line"),
        "{error}"
    );
    assert!(!installed_ids(&home).contains(&"github".to_owned()));
}

#[test]
fn the_catalog_is_searched_and_explained() {
    let home = Home::new();
    let found = succeed(&home, &["catalog", "search", "knowledge", "graph"], "");
    assert!(
        found.lines().next().unwrap().starts_with("memory"),
        "{found}"
    );
    let shown = succeed(&home, &["catalog", "show", "github"], "");
    assert!(shown.contains("secret: kept in the keychain"), "{shown}");
    let shown = succeed(&home, &["catalog", "show", "filesystem"], "");
    assert!(shown.contains("a folder, granted to it"), "{shown}");
}

/// A small MCP server in plain Python: one tool that says what it was given.
const BUNDLE_SERVER: &str = include_str!("python/bundle_server.py");

/// The bundle's manifest, shared with the app's command test (src-tauri/tests/commands.rs).
fn bundle_manifest() -> Value {
    serde_json::from_str(include_str!("python/bundle_manifest.json")).unwrap()
}

/// Writes a `.mcpb` with these files.
fn write_bundle(path: &Path, files: &[(&str, &str)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, contents) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(contents.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_installs_with_its_secret_in_the_keychain_and_its_folder_granted() {
    let home = Home::new();
    let bundle = home.folder("downloads").join("hello.mcpb");
    let manifest = bundle_manifest().to_string();
    write_bundle(
        &bundle,
        &[("manifest.json", &manifest), ("server.py", BUNDLE_SERVER)],
    );
    let folder = home.folder("projects");
    let key = format!("key-{:x}-canary", std::process::id());

    let folder_answer = format!("folder={}", folder.display());
    let said = succeed(
        &home,
        &[
            "install",
            bundle.to_str().unwrap(),
            "--set",
            &folder_answer,
            "--into",
            "claude-desktop",
        ],
        &format!("api_key={key}\n"),
    );
    assert!(said.contains("whoami"), "{said}");
    let unpacked = home.data.join("bundles/hello-bundle");
    assert!(
        unpacked.join("server.py").is_file(),
        "unpacked into the data folder"
    );

    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert_eq!(
        keychain.get("hello-bundle", "API_KEY").unwrap().expose(),
        &key
    );
    let grants = succeed(&home, &["grants", "--server", "hello-bundle"], "");
    assert!(
        grants.contains(folder.canonicalize().unwrap().to_str().unwrap()),
        "{grants}"
    );

    let client = connect(&home, "hello-bundle").await;
    let answer = text(&call(&client, "whoami", json!({})).await);
    assert!(
        answer.contains(&format!("a key of {} characters", key.len())),
        "{answer}"
    );
    client.cancel().await.unwrap();
    assert_eq!(
        switchboard_tests::files_containing(home.root(), key.as_bytes()),
        Vec::<PathBuf>::new(),
        "the secret is in no file"
    );

    let said = succeed(&home, &["uninstall", "hello-bundle"], "");
    assert!(said.contains("API_KEY"), "{said}");
    assert!(!unpacked.exists(), "the unpacked bundle is gone");
    assert!(
        keychain.get("hello-bundle", "API_KEY").is_err(),
        "the secret is gone"
    );
    let grants = succeed(&home, &["grants"], "");
    assert!(grants.contains("No folders are granted"), "{grants}");
}

#[test]
fn a_bundle_that_reaches_outside_its_folder_is_refused_and_leaves_nothing() {
    let home = Home::new();
    let bundle = home.folder("downloads").join("evil.mcpb");
    let manifest = bundle_manifest().to_string();
    write_bundle(
        &bundle,
        &[
            ("manifest.json", &manifest),
            ("server.py", BUNDLE_SERVER),
            ("../escaped.txt", "out"),
        ],
    );
    let error = fail(&home, &["install", bundle.to_str().unwrap()], "");
    assert!(
        error.contains("escaped.txt"),
        "names the bad entry: {error}"
    );
    assert!(!home.root().join("escaped.txt").exists());
    assert!(!home.folder("downloads").join("../escaped.txt").exists());
    let bundles = home.data.join("bundles");
    assert!(
        !bundles.exists() || std::fs::read_dir(&bundles).unwrap().next().is_none(),
        "nothing unpacked"
    );
}

/// A registry on loopback that lists one server (the everything server under another
/// name) with ETag "v1", answering 304 to a request that already has it. Serves at most
/// `connections` requests.
fn start_registry(connections: usize) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let listing = json!({
        "servers": [{
            "server": {
                "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
                "name": "io.github.example/echo-everything",
                "title": "Echo Everything",
                "description": "Echoes, adds and more, from a registry",
                "version": "2026.8.31",
                "packages": [{
                    "registryType": "npm",
                    "identifier": "@modelcontextprotocol/server-everything",
                    "version": "2026.8.31",
                    "transport": {"type": "stdio"}
                }]
            },
            "_meta": {"io.modelcontextprotocol.registry/official": {
                "status": "active", "isLatest": true,
                "publishedAt": "2026-08-31T00:00:00Z", "updatedAt": "2026-08-31T00:00:00Z"
            }}
        }],
        "metadata": {"count": 1}
    })
    .to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut cached = false;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                let lower = line.to_ascii_lowercase();
                cached |= lower.starts_with("if-none-match:") && lower.contains("\"v1\"");
                line.clear();
            }
            let reply = if cached {
                "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n".to_owned()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"v1\"\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{listing}",
                    listing.len()
                )
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    format!("http://{address}")
}

#[test]
fn a_registry_adds_its_servers_to_the_catalog_and_they_install_like_any_other() {
    let home = Home::new();
    let registry = start_registry(10);
    let said = succeed(&home, &["catalog", "refresh", &registry], "");
    assert!(said.contains("Read 1 servers"), "{said}");
    let found = succeed(&home, &["catalog", "search", "echo", "everything"], "");
    let line = found
        .lines()
        .find(|l| l.starts_with("echo-everything"))
        .unwrap_or_else(|| panic!("the registry's server is in the catalog:\n{found}"));
    assert!(line.contains("[registry]"), "{line}");

    // Again: the registry says nothing changed, and the cache is kept.
    let said = succeed(&home, &["catalog", "refresh"], "");
    assert!(said.contains("has not changed"), "{said}");

    let said = succeed(&home, &["install", "echo-everything"], "");
    assert!(said.contains("Installed \"Echo Everything\""), "{said}");
    succeed(&home, &["uninstall", "echo-everything"], "");

    succeed(&home, &["catalog", "forget"], "");
    let found = succeed(&home, &["catalog", "search", "echo", "everything"], "");
    assert!(!found.contains("[registry]"), "{found}");
}

#[test]
fn a_bundle_needing_a_newer_runtime_says_so_and_leaves_nothing() {
    let home = Home::new();
    let bundle = home.folder("downloads").join("future.mcpb");
    let mut manifest = bundle_manifest();
    manifest["name"] = json!("future-bundle");
    manifest["compatibility"] = json!({"runtimes": {"python": ">=99.0.0"}});
    write_bundle(
        &bundle,
        &[
            ("manifest.json", &manifest.to_string()),
            ("server.py", BUNDLE_SERVER),
        ],
    );
    let folder = home.folder("projects");
    let error = fail(
        &home,
        &[
            "install",
            bundle.to_str().unwrap(),
            "--set",
            &format!("folder={}", folder.display()),
        ],
        "api_key=irrelevant-key\n",
    );
    assert!(error.contains("needs python >=99.0.0"), "{error}");
    let bundles = home.data.join("bundles");
    assert!(
        !bundles.exists() || std::fs::read_dir(&bundles).unwrap().next().is_none(),
        "the unpacked bundle is gone again"
    );
    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert!(
        keychain.get("future-bundle", "API_KEY").is_err(),
        "no secret was stored"
    );
}

#[test]
fn a_wrong_secret_fails_the_first_start_and_takes_the_secret_away_again() {
    let home = Home::new();
    let bundle = home.folder("downloads").join("picky.mcpb");
    let mut manifest = bundle_manifest();
    manifest["name"] = json!("picky-bundle");
    write_bundle(
        &bundle,
        &[
            ("manifest.json", &manifest.to_string()),
            ("server.py", BUNDLE_SERVER),
        ],
    );
    let folder = home.folder("projects");
    let error = fail(
        &home,
        &[
            "install",
            bundle.to_str().unwrap(),
            "--set",
            &format!("folder={}", folder.display()),
            "--into",
            "claude-desktop",
        ],
        "api_key=a-wrong-key\n",
    );
    assert!(error.contains("\"verify\""), "{error}");
    assert!(error.contains("the API key was rejected"), "{error}");
    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert!(
        keychain.get("picky-bundle", "API_KEY").is_err(),
        "the secret is gone"
    );
    assert!(
        !home.data.join("bundles/picky-bundle").exists(),
        "the bundle is gone"
    );
    assert!(!claude_config(&home).exists(), "no client file was written");
    let grants = succeed(&home, &["grants"], "");
    assert!(grants.contains("No folders are granted"), "{grants}");
}

#[test]
fn a_package_that_does_not_exist_is_reported_by_its_installer_and_leaves_nothing() {
    let home = Home::new();
    let error = fail(
        &home,
        &[
            "install",
            "--id",
            "ghost",
            "--",
            "npx",
            "-y",
            "@switchboard-tests/no-such-package@1.0.0",
        ],
        "",
    );
    assert!(error.contains("\"prepare\""), "{error}");
    assert!(
        error.contains("@switchboard-tests/no-such-package"),
        "{error}"
    );
    assert!(!installed_ids(&home).contains(&"ghost".to_owned()));
    assert!(!home.data.join("packages/npm/ghost").exists());
    assert!(!home.data.join("packages/npm/ghost.partial").exists());
}

#[test]
fn a_missing_runtime_is_named_with_how_to_install_it() {
    let home = Home::new();
    // An OCI server needs Docker, which this test machine does not have.
    let docker_here = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|dir| dir.join("docker").is_file());
    if docker_here {
        eprintln!("docker is installed here: the missing-runtime case cannot be shown");
        return;
    }
    let error = fail(
        &home,
        &[
            "install",
            "--id",
            "boxed",
            "--",
            "docker",
            "run",
            "-i",
            "--rm",
            "example/server",
        ],
        "",
    );
    assert!(error.contains("\"check\""), "{error}");
    assert!(
        error.contains("needs docker, which is not installed"),
        "{error}"
    );
    assert!(!installed_ids(&home).contains(&"boxed".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_with_a_key_in_it_installs_with_the_address_in_the_keychain() {
    let home = Home::new();
    // The remote server: Switchboard's calculator over HTTP on loopback. Its address
    // carries a key in the query, as some services want (the calculator ignores it).
    let remote = HttpServer::start("calc");
    let key = format!("sk-live-{}", std::process::id());
    let address = format!("{}?api_key={key}", remote.url);
    // Not on the command line, where other programs and the shell's history see it.
    let refused = fail(&home, &["install", &address, "--id", "keyed"], "");
    assert!(refused.contains("switchboard install -"), "{refused}");
    assert!(!refused.contains(&key), "{refused}");
    // Something else than an address is refused, and not repeated either.
    let refused = fail(
        &home,
        &["install", "-"],
        &format!("mcp.example.com/mcp?api_key={key}\n"),
    );
    assert!(refused.contains("not a server's address"), "{refused}");
    assert!(!refused.contains(&key), "{refused}");
    // From stdin (a hidden prompt on a terminal).
    let said = succeed(
        &home,
        &["install", "-", "--id", "keyed", "--into", "claude-desktop"],
        &format!("{address}\n"),
    );
    assert!(
        said.contains("calculate"),
        "it started once and listed tools:\n{said}"
    );
    assert!(!said.contains(&key), "{said}");

    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert_eq!(
        keychain.get("keyed", "MCP_ADDRESS").unwrap().expose(),
        &address,
        "the whole address is in the keychain"
    );
    let client = connect(&home, "keyed").await;
    let answer = text(&call(&client, "calculate", json!({"expression": "6 * 7"})).await);
    assert!(answer.contains("42"), "{answer}");
    client.cancel().await.unwrap();
    assert_eq!(
        switchboard_tests::files_containing(home.root(), key.as_bytes()),
        Vec::<PathBuf>::new(),
        "the key is in no file: not the store, not the catalog, not a client's config"
    );
    let listed = succeed(&home, &["list"], "");
    assert!(
        listed.lines().any(|line| line.starts_with("keyed ")) && !listed.contains(&key),
        "{listed}"
    );

    succeed(&home, &["uninstall", "keyed"], "");
    assert!(
        keychain.get("keyed", "MCP_ADDRESS").is_err(),
        "the address is gone with the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_server_installs_by_its_address_and_is_reached_through_the_relay() {
    let home = Home::new();
    // The "remote" server: Switchboard's calculator over Streamable HTTP on loopback.
    let remote = HttpServer::start("calc");
    let said = succeed(
        &home,
        &[
            "install",
            &remote.url,
            "--id",
            "calc-remote",
            "--into",
            "claude-desktop",
        ],
        "",
    );
    assert!(
        said.contains("[verify]") && said.contains("calculate"),
        "the install started the relay once and listed the remote's tools:\n{said}"
    );
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(claude_config(&home)).unwrap()).unwrap();
    assert_eq!(
        config["mcpServers"]["calc-remote"]["args"],
        json!(["connect", "calc-remote"]),
        "Claude Desktop runs it through Switchboard like any other: {config}"
    );

    let client = connect(&home, "calc-remote").await;
    let answer = text(&call(&client, "calculate", json!({"expression": "6 * 7"})).await);
    assert!(answer.contains("42"), "{answer}");
    client.cancel().await.unwrap();
    let listed = succeed(&home, &["list"], "");
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("calc-remote ") && line.contains("remote")),
        "it is listed as a relay to its address: {listed}"
    );

    succeed(&home, &["uninstall", "calc-remote"], "");
    assert!(!installed_ids(&home).contains(&"calc-remote".to_owned()));
}
