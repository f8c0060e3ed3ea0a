//! The app's commands and its event forwarding on Tauri's mock runtime (no display), against
//! a real daemon running in this process on a temporary data folder: what the window gets
//! back for each command, the `{code, message}` of a failure, the link coming back after the
//! daemon restarts, and calls arriving as batched events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use switchboard_app::{
    catalog::CatalogCache,
    daemon::DaemonLink,
    desktop::{Desktop, DesktopHandle, FileKind, Picked},
    error::UiError,
    events::{BatchListener, DaemonBatch, DaemonConnection},
    tray::Tray,
};
use switchboard_hub::{AutoStart, DaemonOptions, Paths, Request};
use tauri::{
    AppHandle, WebviewWindowBuilder,
    ipc::{CallbackFn, InvokeBody},
    test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets},
    webview::InvokeRequest,
};

/// A daemon on its own thread and runtime, as a separate process would be.
struct Daemon {
    paths: Paths,
    thread: Option<JoinHandle<()>>,
}

impl Daemon {
    fn start(paths: &Paths) -> Self {
        let options = DaemonOptions {
            paths: paths.clone(),
            launcher: switchboard_supervisor::Launcher::direct(),
            session: switchboard_gateway::SessionConfig::default(),
            redactor: switchboard_secrets::Redactor::new(),
            // What client entries would run; these tests write none.
            switchboard_exe: PathBuf::from("/usr/bin/switchboard"),
            call_lines: None,
        };
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime
                .block_on(switchboard_hub::daemon::run(options))
                .unwrap();
        });
        let socket = paths.runtime_dir.join("daemon.sock");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "the daemon opens its socket within 20 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            paths: paths.clone(),
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        let link = DaemonLink::new(self.paths.clone(), AutoStart::No);
        tauri::async_runtime::block_on(async {
            let _ = link.call::<bool>(Request::Stop).await;
        });
        thread.join().unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn paths(dir: &tempfile::TempDir) -> Paths {
    let data_dir = dir.path().join("data");
    Paths {
        runtime_dir: data_dir.join("run"),
        data_dir,
    }
}

/// Stands in for the person at the OS dialog and for the login items.
#[derive(Default)]
struct StandIn {
    folder: Option<PathBuf>,
    bundle: Option<PathBuf>,
    at_login: Mutex<bool>,
}

impl Desktop for StandIn {
    fn pick_folder(&self) -> Picked<'_> {
        Box::pin(async move { Ok(self.folder.clone()) })
    }

    fn pick_file(&self, kind: FileKind) -> Picked<'_> {
        Box::pin(async move {
            Ok(match kind {
                FileKind::Bundle => self.bundle.clone(),
                FileKind::Any => None,
            })
        })
    }

    fn launch_at_login(&self) -> Result<bool, UiError> {
        Ok(*self.at_login.lock().unwrap())
    }

    fn set_launch_at_login(&self, enabled: bool) -> Result<bool, UiError> {
        *self.at_login.lock().unwrap() = enabled;
        Ok(enabled)
    }
}

fn app(link: DaemonLink) -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>) {
    app_with(link, StandIn::default())
}

fn app_with(
    link: DaemonLink,
    desktop: StandIn,
) -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>) {
    let specta = switchboard_app::bindings::<MockRuntime>();
    let app = mock_builder()
        .invoke_handler(specta.invoke_handler())
        .manage(link)
        .manage(Tray::default())
        .manage(CatalogCache::default())
        .manage::<DesktopHandle>(Box::new(desktop))
        .build(mock_context(noop_assets()))
        .unwrap();
    specta.mount_events(&app);
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

/// Invokes `command` as the window would; the answer or the error as JSON.
fn invoke(
    window: &tauri::WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

fn ids(servers: &Value) -> Vec<String> {
    servers
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn servers_are_listed_and_switched_through_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));

    let servers = invoke(&window, "list_servers", json!({})).unwrap();
    let listed = ids(&servers);
    for builtin in ["calc", "clock", "fetch", "files", "notes", "prompts", "sql"] {
        assert!(
            listed.contains(&builtin.to_owned()),
            "{builtin} is listed: {listed:?}"
        );
    }
    let clock = &servers.as_array().unwrap()[listed.iter().position(|id| id == "clock").unwrap()];
    assert_eq!(clock["enabled"], true);
    assert_eq!(
        clock["stats"]["series"].as_array().unwrap().len(),
        60,
        "figures come with it"
    );

    let off = invoke(
        &window,
        "set_server_enabled",
        json!({"id": "clock", "enabled": false}),
    )
    .unwrap();
    assert_eq!(off["enabled"], false, "the answer is the switched server");
    let tool_off = invoke(
        &window,
        "set_tool_enabled",
        json!({"server": "calc", "tool": "calculate", "enabled": false}),
    )
    .unwrap();
    assert_eq!(tool_off["disabled_tools"], json!(["calculate"]));

    let tools = invoke(&window, "server_tools", json!({"id": "calc"})).unwrap();
    assert!(
        tools
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "calculate"),
        "a switched-off tool is still listed, to be switched back on: {tools}"
    );
}

#[test]
fn a_failed_command_gives_the_window_a_code_and_a_sentence_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));

    let error = invoke(
        &window,
        "set_server_enabled",
        json!({"id": "nope", "enabled": true}),
    )
    .unwrap_err();
    assert_eq!(error["code"], "not_found", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("No ") && message.contains("\"nope\""),
        "a sentence naming the server: {message}"
    );
    let error = invoke(&window, "restart_server", json!({"id": "clock"}));
    assert_eq!(
        error.unwrap(),
        json!(0),
        "nothing running, nothing restarted"
    );

    let error = invoke(
        &window,
        "change_setting",
        json!({"key": "calls.retention_days", "value": 0}),
    )
    .unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("from 1 to 3650"),
        "{error}"
    );
}

#[test]
fn a_folder_chosen_in_the_picker_is_granted_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let folder: PathBuf = dir.path().join("Documents");
    std::fs::create_dir_all(&folder).unwrap();
    let (_app, window) = app_with(
        DaemonLink::new(paths(&dir), AutoStart::No),
        StandIn {
            folder: Some(folder.clone()),
            ..StandIn::default()
        },
    );

    let picked = invoke(&window, "pick_folder", json!({})).unwrap();
    assert_eq!(
        PathBuf::from(picked.as_str().unwrap()),
        folder,
        "the chosen folder"
    );

    let grant = invoke(
        &window,
        "grant_folder",
        json!({"path": folder, "access": "read_write", "server": "files"}),
    )
    .unwrap();
    assert_eq!(grant["access"], "read_write");
    assert_eq!(grant["server"], "files");
    let grants = invoke(&window, "list_grants", json!({})).unwrap();
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(
        PathBuf::from(grants[0]["path"].as_str().unwrap()),
        folder.canonicalize().unwrap()
    );
    let revoked = invoke(&window, "revoke_grant", json!({"id": grant["id"]})).unwrap();
    assert_eq!(revoked, true);
    assert_eq!(
        invoke(&window, "list_grants", json!({})).unwrap(),
        json!([])
    );

    let error = invoke(
        &window,
        "grant_folder",
        json!({"path": dir.path().join("missing"), "access": "read_only", "server": null}),
    )
    .unwrap_err();
    assert_eq!(error["code"], "invalid_input", "{error}");
}

#[test]
fn the_link_comes_back_after_the_daemon_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));
    invoke(&window, "list_servers", json!({})).unwrap();

    daemon.stop();
    let error = invoke(&window, "list_servers", json!({})).unwrap_err();
    assert_eq!(error["code"], "unavailable", "no daemon: {error}");

    let _again = Daemon::start(&paths(&dir));
    let servers = invoke(&window, "list_servers", json!({})).unwrap();
    assert!(
        !ids(&servers).is_empty(),
        "the same link reaches the new daemon"
    );
}

#[test]
fn launch_at_login_is_read_and_changed_through_the_desktop() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));
    assert_eq!(
        invoke(&window, "launch_at_login", json!({})).unwrap(),
        false
    );
    assert_eq!(
        invoke(&window, "set_launch_at_login", json!({"enabled": true})).unwrap(),
        true
    );
    assert_eq!(invoke(&window, "launch_at_login", json!({})).unwrap(), true);
}

/// Records what the forwarder tells the rest of the app.
#[derive(Default, Clone)]
struct Heard {
    batches: Arc<Mutex<Vec<DaemonBatch>>>,
    connections: Arc<Mutex<Vec<DaemonConnection>>>,
}

impl BatchListener<MockRuntime> for Heard {
    fn on_batch(&self, _app: &AppHandle<MockRuntime>, batch: &DaemonBatch) {
        self.batches.lock().unwrap().push(batch.clone());
    }

    fn on_connection(&self, _app: &AppHandle<MockRuntime>, connection: &DaemonConnection) {
        self.connections.lock().unwrap().push(connection.clone());
    }
}

fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    check()
}

#[test]
fn calls_reach_the_window_as_batched_typed_events() {
    use tauri_specta::Event as _;

    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let link = DaemonLink::new(paths(&dir), AutoStart::No);
    let (app, _window) = app(link.clone());
    let window_heard: Arc<Mutex<Vec<DaemonBatch>>> = Arc::default();
    DaemonBatch::listen(&app, {
        let window_heard = window_heard.clone();
        move |event| window_heard.lock().unwrap().push(event.payload)
    });
    let heard = Heard::default();
    tauri::async_runtime::spawn(switchboard_app::events::forward(
        app.handle().clone(),
        link.clone(),
        heard.clone(),
    ));
    assert!(
        eventually(Duration::from_secs(10), || {
            heard
                .connections
                .lock()
                .unwrap()
                .iter()
                .any(|c| c.connected)
        }),
        "the forwarder says it is connected"
    );

    // Asking for the clock's tools runs a short session: a handshake and a tools/list, both
    // recorded as calls.
    tauri::async_runtime::block_on(async {
        let _: Value = link
            .call(Request::ListTools { id: "clock".into() })
            .await
            .unwrap();
    });
    let seen = || -> Vec<String> {
        window_heard
            .lock()
            .unwrap()
            .iter()
            .flat_map(|b| b.calls.iter())
            .filter(|c| c.record.server == "clock")
            .map(|c| c.record.method.clone())
            .collect()
    };
    assert!(
        eventually(Duration::from_secs(10), || seen()
            .contains(&"tools/list".to_owned())),
        "the calls reach the window: {:?}",
        seen()
    );
    assert_eq!(seen(), ["initialize", "tools/list"], "in order, each once");
    let batches = heard.batches.lock().unwrap().clone();
    assert!(
        batches
            .iter()
            .any(|b| b.states.iter().any(|s| s.server == "clock")),
        "the clock's state changes come too"
    );
    assert!(
        batches.iter().all(|b| !b.is_empty()),
        "no empty batch is sent"
    );
}

#[test]
fn clients_are_listed_and_an_unknown_server_is_refused_before_any_file_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));

    let clients = invoke(&window, "list_clients", json!({})).unwrap();
    let ids: Vec<&str> = clients
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"claude-desktop") && ids.contains(&"cursor"),
        "the known clients are listed, found or not: {ids:?}"
    );
    let error = invoke(
        &window,
        "add_to_client",
        json!({"server": "nope", "client": "claude-desktop"}),
    )
    .unwrap_err();
    assert_eq!(error["code"], "not_found", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("add it first"),
        "the message says what to do: {error}"
    );
    let secrets = invoke(&window, "list_secrets", json!({})).unwrap();
    assert_eq!(secrets, json!([]), "no built-in needs a secret");
}

#[test]
fn the_catalog_is_searched_by_words_and_category() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));

    let all = invoke(
        &window,
        "catalog",
        json!({"query": "", "category": null, "reload": true}),
    )
    .unwrap();
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 25, "the curated catalog is listed: {total}");
    assert_eq!(all["entries"].as_array().unwrap().len() as u64, total);
    let clock = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["id"] == "clock")
        .expect("the built-in clock is in the catalog");
    assert_eq!(clock["installed"], true, "the built-ins are installed");
    assert_eq!(clock["runs_with"], "Built into Switchboard");

    let found = invoke(
        &window,
        "catalog",
        json!({"query": "github", "category": null, "reload": false}),
    )
    .unwrap();
    let first = &found["entries"][0];
    assert_eq!(first["id"], "github", "the best match comes first: {found}");
    assert_eq!(first["installed"], false);

    let databases = invoke(
        &window,
        "catalog",
        json!({"query": "", "category": "databases", "reload": false}),
    )
    .unwrap();
    let titles: Vec<&str> = databases["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.is_empty()
            && databases["entries"].as_array().unwrap().len()
                < all["entries"].as_array().unwrap().len(),
        "a category narrows the list: {titles:?}"
    );
    assert!(
        databases["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|card| card["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "Databases")),
        "{databases}"
    );

    let form = invoke(
        &window,
        "install_form",
        json!({"source": {"type": "catalog", "id": "github"}}),
    )
    .unwrap();
    let token = form["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["secret"] == true)
        .expect("GitHub asks for a token");
    assert_eq!(token["required"], true, "{form}");
    let unknown = invoke(
        &window,
        "install_form",
        json!({"source": {"type": "catalog", "id": "no-such-server"}}),
    )
    .unwrap_err();
    assert_eq!(unknown["code"], "not_found", "{unknown}");

    // A remote server by its address: nothing to run here, nothing asked.
    let remote = invoke(
        &window,
        "install_form",
        json!({"source": {"type": "url", "url": "https://mcp.example.com/mcp"}}),
    )
    .unwrap();
    assert_eq!(remote["id"], "example", "{remote}");
    assert_eq!(remote["runtime"], Value::Null, "{remote}");
    assert_eq!(remote["blockers"], json!([]), "{remote}");
    let plain = invoke(
        &window,
        "install_form",
        json!({"source": {"type": "url", "url": "http://example.com/mcp"}}),
    )
    .unwrap_err();
    assert_eq!(plain["code"], "invalid_input", "{plain}");
    assert!(
        plain["message"].as_str().unwrap().contains("http"),
        "plain HTTP off this computer is refused: {plain}"
    );
}

/// A bundle whose server is a small Python program, with a secret and a folder to ask for.
fn write_bundle(path: &std::path::Path) {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("manifest.json", options).unwrap();
    zip.write_all(include_bytes!("../../tests/python/bundle_manifest.json"))
        .unwrap();
    zip.start_file("server.py", options).unwrap();
    zip.write_all(include_bytes!("../../tests/python/bundle_server.py"))
        .unwrap();
    zip.finish().unwrap();
}

/// Needs a Secret Service: scripts/test runs it inside a D-Bus session with gnome-keyring.
#[test]
fn a_bundle_chosen_in_the_file_picker_installs_with_its_secret_in_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let bundle = dir.path().join("hello.mcpb");
    write_bundle(&bundle);
    let folder = dir.path().join("projects");
    std::fs::create_dir_all(&folder).unwrap();
    let (_app, window) = app_with(
        DaemonLink::new(paths(&dir), AutoStart::No),
        StandIn {
            bundle: Some(bundle.clone()),
            ..StandIn::default()
        },
    );

    let picked = invoke(&window, "pick_file", json!({"kind": "bundle"})).unwrap();
    assert_eq!(picked, json!(bundle), "the picker's choice comes back");
    let source = json!({"type": "bundle", "path": bundle});
    let form = invoke(&window, "install_form", json!({"source": source})).unwrap();
    assert_eq!(form["id"], "hello-bundle");
    assert_eq!(
        form["runtime"]["program"], "python",
        "it says what it runs with: {form}"
    );
    let kinds: Vec<(&str, bool, &str)> = form["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["key"].as_str().unwrap(),
                q["secret"].as_bool().unwrap(),
                q["kind"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("api_key", true, "text"), ("folder", false, "folder")],
        "a masked field and a folder picker: {form}"
    );

    // A secret sent as a plain value is refused before anything happens.
    let key = format!("key-{:x}-canary", std::process::id());
    let refused = invoke(
        &window,
        "install_server",
        json!({
            "source": source, "id": "hello-bundle", "into": [],
            "answers": {"values": [{"key": "api_key", "values": [key]}], "secrets": []}
        }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    assert!(
        !paths(&dir).data_dir.join("bundles/hello-bundle").exists(),
        "nothing was unpacked"
    );

    let report = invoke(
        &window,
        "install_server",
        json!({
            "source": source, "id": "hello-bundle", "into": [],
            "answers": {
                "values": [{"key": "folder", "values": [folder]}],
                "secrets": [{"key": "api_key", "value": key}]
            }
        }),
    )
    .unwrap();
    assert_eq!(report["tools"], json!(["whoami"]), "{report}");
    assert_eq!(report["server"]["id"], "hello-bundle");
    let keychain = switchboard_secrets::Keychain::platform().expect("a Secret Service");
    assert_eq!(
        keychain.get("hello-bundle", "API_KEY").unwrap().expose(),
        &key,
        "the secret went to the keychain"
    );
    let grants = invoke(&window, "list_grants", json!({})).unwrap();
    assert!(
        grants
            .to_string()
            .contains(folder.canonicalize().unwrap().to_str().unwrap()),
        "the folder is granted: {grants}"
    );
    let removed = invoke(&window, "remove_server", json!({"id": "hello-bundle"})).unwrap();
    assert_eq!(removed["secrets"], json!(["API_KEY"]), "{removed}");
    assert_eq!(removed["grants"], 1, "{removed}");
    assert!(
        keychain.get("hello-bundle", "API_KEY").is_err(),
        "removing it took its secret out of the keychain"
    );
    assert!(
        !paths(&dir).data_dir.join("bundles/hello-bundle").exists(),
        "and its unpacked files"
    );
}

/// A stand-in for Cursor's program: `sleep` copied under Cursor's file name, run by the test.
#[cfg(target_os = "linux")]
#[test]
fn a_running_client_is_quit_and_opened_again_with_the_same_program_and_arguments() {
    use switchboard_app::client_apps::Processes;

    let dir = tempfile::tempdir().unwrap();
    let _daemon = Daemon::start(&paths(&dir));
    let (_app, window) = app(DaemonLink::new(paths(&dir), AutoStart::No));
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let cursor = bin.join("cursor");
    std::fs::copy("/bin/sleep", &cursor).unwrap();
    let mut first = std::process::Command::new(&cursor)
        .arg("300")
        .spawn()
        .unwrap();

    let running = invoke(&window, "running_clients", json!({})).unwrap();
    assert!(
        running.as_array().unwrap().contains(&json!("cursor")),
        "Cursor's program is found running: {running}"
    );
    let restarted = invoke(&window, "restart_client", json!({"client": "cursor"})).unwrap();
    assert_eq!(restarted, 1);
    let status = first.wait().unwrap();
    assert!(
        !status.success(),
        "the first copy was asked to quit: {status}"
    );
    let again = Processes::snapshot().unwrap().find(&["cursor".to_owned()]);
    assert_eq!(again.len(), 1, "one copy runs again: {again:?}");
    let again = &again[0];
    assert_ne!(again.pid, first.id());
    assert_eq!(again.exe, cursor, "the same program");
    assert_eq!(again.args, ["300"], "with the same arguments");
    let _ = std::process::Command::new("kill")
        .arg(again.pid.to_string())
        .status();

    let error = invoke(&window, "restart_client", json!({"client": "windsurf"})).unwrap_err();
    assert_eq!(error["code"], "client_app", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("not running"),
        "{error}"
    );
    let unknown = invoke(&window, "restart_client", json!({"client": "nope"})).unwrap_err();
    assert_eq!(unknown["code"], "not_found", "{unknown}");
}
