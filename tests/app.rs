//! The desktop app end to end: the real `switchboard-app` on a virtual display, driven
//! through WebDriver (tauri-driver and WebKitWebDriver) as a person would use it, over the
//! real daemon of a temporary home. It adds a built-in server to Claude Desktop's file with one
//! click on the Clients page, shares a folder through the Folders page (only the OS
//! folder dialog is stood in for), switches a server off from the tray menu (a real tray
//! host, trayer, clicked with xdotool), sees a live call in the Call log after a real MCP
//! client calls through `switchboard connect`, and installs the reference "everything" server
//! from the Catalog into Claude Desktop (from npm's cache: no network), watching its steps.
//! It saves a screenshot of every page.
//!
//! Needs a display: scripts/test runs it under xvfb-run (`cargo test -p switchboard-tests
//! --test app -- --ignored`). Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
#[allow(dead_code)] // shared with the other end-to-end tests
mod client;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use client::{call, connect};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::json;
use switchboard_tests::{Home, offline, switchboard_bin};

/// A child process stopped with SIGTERM when dropped (never SIGKILL first: tauri-driver
/// must take its WebKitWebDriver down with it).
struct Proc {
    child: Child,
    name: &'static str,
}

impl Proc {
    fn spawn(name: &'static str, command: &mut Command) -> Self {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e} (scripts/setup installs it)"));
        Self { child, name }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn app_bin() -> PathBuf {
    let bin = switchboard_bin().with_file_name("switchboard-app");
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p switchboard-app` (scripts/test does)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, limit: Duration) {
    let deadline = Instant::now() + limit;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "port {port} did not open in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Where screenshots go: `SWITCHBOARD_SCREENSHOTS`, or target/screenshots.
fn screenshots_dir() -> PathBuf {
    let dir = std::env::var_os("SWITCHBOARD_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| switchboard_bin().parent().unwrap().join("../screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The whole virtual screen, tray included.
fn screenshot_screen(path: &Path) {
    let status = Command::new("import")
        .args(["-window", "root", path.to_str().unwrap()])
        .status()
        .expect("ImageMagick's import (scripts/setup installs it)");
    assert!(status.success(), "import took no screenshot");
}

async fn screenshot_window(driver: &Client, name: &str) {
    let png = driver.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn find(driver: &Client, css: &str) -> Element {
    driver
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Waits until `check` holds, polling the page.
async fn until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within {limit:?}");
}

async fn open_page(driver: &Client, page: &str) {
    find(driver, &format!("#nav-{page}"))
        .await
        .click()
        .await
        .unwrap();
    let current = find(driver, &format!("#nav-{page}")).await;
    assert_eq!(
        current.attr("aria-current").await.unwrap().as_deref(),
        Some("page"),
        "{page} is the current page"
    );
}

async fn switch_state(driver: &Client, server: &str) -> Option<String> {
    match driver
        .find(Locator::Css(&format!("#switch-{server}")))
        .await
    {
        Ok(switch) => switch.attr("aria-checked").await.ok().flatten(),
        Err(_) => None,
    }
}

/// xdotool on the test's display.
fn xdotool(args: &[&str]) -> String {
    let output = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Opens the tray icon's menu (a click on the icon in trayer) and picks the item `steps`
/// down from the top with the keyboard.
fn pick_from_tray_menu(steps: usize) {
    let trayer = xdotool(&[
        "search",
        "--sync",
        "--onlyvisible",
        "--limit",
        "1",
        "--class",
        "trayer",
    ]);
    assert!(!trayer.is_empty(), "trayer's window is on the screen");
    let geometry = xdotool(&["getwindowgeometry", "--shell", &trayer]);
    let value = |key: &str| -> i32 {
        geometry
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {geometry}"))
    };
    let (x, y, width, height) = (value("X"), value("Y"), value("WIDTH"), value("HEIGHT"));
    // trayer packs the icon at its right end, at half its height (libayatana's fallback may
    // show a stale copy below it for a moment): try the top spot, then the bottom one, until
    // the app's menu opens (one more visible window of the app).
    let windows = || {
        xdotool(&["search", "--onlyvisible", "--class", "switchboard-app"])
            .lines()
            .count()
    };
    let before = windows();
    let opened = [height / 4, 3 * height / 4].into_iter().any(|dy| {
        xdotool(&[
            "mousemove",
            &(x + width - height / 3).to_string(),
            &(y + dy).to_string(),
            "click",
            "1",
        ]);
        std::thread::sleep(Duration::from_millis(900));
        if windows() > before {
            return true;
        }
        xdotool(&["key", "Escape"]);
        false
    });
    assert!(opened, "the tray icon's menu opened on a click");
    for _ in 0..steps {
        xdotool(&["key", "Down"]);
        std::thread::sleep(Duration::from_millis(80));
    }
    screenshot_screen(&screenshots_dir().join("tray-menu.png"));
    xdotool(&["key", "Return"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: scripts/test runs it under xvfb-run with --ignored"]
async fn a_person_shares_a_folder_switches_a_server_from_the_tray_and_watches_a_live_call() {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    assert!(
        !display.is_empty(),
        "no display: run this under xvfb-run, as scripts/test does"
    );
    let home = Home::new();
    let shared = home.folder("Shared Documents");
    std::fs::write(shared.join("plan.md"), "# The plan\n").unwrap();
    // The daemon runs (offline: the catalog install below comes from npm's cache) and the
    // built-in servers are installed.
    let mut list = home.command(&["list"]);
    offline(&mut list);
    assert!(list.status().unwrap().success());

    // The app gets a session bus of its own (single instance, notifications) and a tray host.
    let bus_dir = home.folder("bus");
    let bus = format!("unix:path={}", bus_dir.join("socket").display());
    let _dbus = Proc::spawn(
        "dbus-daemon",
        Command::new("dbus-daemon").args(["--session", "--nofork", &format!("--address={bus}")]),
    );
    let _trayer = Proc::spawn(
        "trayer",
        Command::new("trayer").args([
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "pixel",
            "--width",
            "160",
            "--heighttype",
            "pixel",
            "--height",
            "32",
            "--SetDockType",
            "true",
            "--transparent",
            "false",
            "--tint",
            "0x333333",
        ]),
    );

    let port = free_port();
    let native_port = free_port();
    let _driver = Proc::spawn(
        "tauri-driver",
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("HOME", &home.home)
            .env("XDG_CONFIG_HOME", home.xdg_config())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("SWITCHBOARD_DATA_DIR", &home.data)
            .env_remove("SWITCHBOARD_RUNTIME_DIR")
            .env("SWITCHBOARD_BIN", switchboard_bin())
            .env("SWITCHBOARD_E2E_PICKED_FOLDER", &shared)
            .env("GTK_THEME", "Adwaita"),
    );
    // tauri-driver listens at once, but answers only once WebKitWebDriver behind it does.
    wait_for_port(port, Duration::from_secs(20));
    wait_for_port(native_port, Duration::from_secs(20));

    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("wry"));
    capabilities.insert("tauri:options".into(), json!({"application": app_bin()}));
    let launched = Instant::now();
    let mut attempts = 0;
    let driver = loop {
        attempts += 1;
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(driver) => break driver,
            // The connection dropped before the session began (the drivers still starting).
            Err(fantoccini::error::NewSessionError::FailedC(error)) if attempts < 3 => {
                eprintln!("WebDriver not ready ({error}); trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(error) => panic!("a WebDriver session with the app: {error}"),
        }
    };

    // Servers: live data from the daemon.
    find(&driver, "[data-server=\"files\"]").await;
    let live_after = launched.elapsed();
    eprintln!("the window showed live data {live_after:?} after launch");
    assert_eq!(
        switch_state(&driver, "clock").await.as_deref(),
        Some("true")
    );
    screenshot_window(&driver, "servers").await;

    // Clients: add the files server to Claude Desktop with one click; the file says so.
    let claude = home
        .xdg_config()
        .join("Claude")
        .join("claude_desktop_config.json");
    std::fs::create_dir_all(claude.parent().unwrap()).unwrap();
    std::fs::write(&claude, "{\"mcpServers\": {}}\n").unwrap();
    open_page(&driver, "clients").await;
    find(
        &driver,
        "[data-client=\"claude-desktop\"] button[data-server=\"files\"][data-action=\"add\"]",
    )
    .await
    .click()
    .await
    .unwrap();
    let outcome = find(&driver, "#client-outcome").await.text().await.unwrap();
    assert!(
        outcome.contains("Claude Desktop"),
        "the result names the client and what to do next: {outcome}"
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&claude).unwrap()).unwrap();
    assert_eq!(
        config["mcpServers"]["files"]["args"],
        json!(["connect", "files"]),
        "Claude Desktop's file runs the files server through Switchboard: {config}"
    );
    find(
        &driver,
        "[data-client=\"claude-desktop\"] button[data-server=\"files\"][data-action=\"remove\"]",
    )
    .await;
    screenshot_window(&driver, "clients").await;

    // Folders: share a folder through the (stood-in) system dialog, read and write.
    open_page(&driver, "folders").await;
    find(&driver, "#add-folder").await.click().await.unwrap();
    find(&driver, "input[name=access][value=read_write]")
        .await
        .click()
        .await
        .unwrap();
    find(&driver, "#confirm-grant").await.click().await.unwrap();
    let granted = shared.canonicalize().unwrap();
    let card = find(&driver, &format!("[data-grant=\"{}\"]", granted.display())).await;
    let text = card.text().await.unwrap();
    assert!(text.contains("Read and write"), "{text}");
    let grants = home.run(&["grants"]);
    assert!(
        grants.contains(&granted.display().to_string()) && grants.contains("read and write"),
        "the daemon has the grant: {grants}"
    );
    screenshot_window(&driver, "folders").await;

    // The tray: switch the clock off from its menu.
    open_page(&driver, "servers").await;
    let order: Vec<String> = {
        let cards = driver
            .find_all(Locator::Css("[data-server]"))
            .await
            .unwrap();
        let mut ids = Vec::new();
        for card in cards {
            ids.push(card.attr("data-server").await.unwrap().unwrap());
        }
        ids
    };
    let clock = order
        .iter()
        .position(|id| id == "clock")
        .expect("clock is listed");
    pick_from_tray_menu(clock + 1);
    until(
        "the clock switched off",
        Duration::from_secs(10),
        || async {
            home.run(&["list"])
                .lines()
                .any(|line| line.starts_with("clock ") && line.contains(" off "))
        },
    )
    .await;
    until(
        "the window shows the clock off",
        Duration::from_secs(10),
        || async { switch_state(&driver, "clock").await.as_deref() == Some("false") },
    )
    .await;

    // The call log: a real client calls the calculator through the bridge.
    open_page(&driver, "calls").await;
    let client = connect(&home, "calc").await;
    call(&client, "calculate", json!({"expression": "6 * 7"})).await;
    let row = driver
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@data-call][contains(., 'calculate')]"))
        .await
        .expect("the call appears in the log while the page is open");
    row.click().await.unwrap();
    let detail = find(&driver, ".call-detail").await.text().await.unwrap();
    assert!(
        detail.contains("6 * 7"),
        "the detail shows the arguments: {detail}"
    );
    screenshot_window(&driver, "call-log").await;
    client.cancel().await.unwrap();

    // The catalog: find the reference "everything" server, install it into Claude Desktop
    // with one click, and watch its steps go by.
    open_page(&driver, "catalog").await;
    find(&driver, "[data-entry=\"github\"]").await;
    screenshot_window(&driver, "catalog").await;
    find(&driver, "#catalog-search")
        .await
        .send_keys("everything")
        .await
        .unwrap();
    until(
        "the search narrows the catalog",
        Duration::from_secs(10),
        || async {
            driver
                .find_all(Locator::Css("[data-entry]"))
                .await
                .map(|cards| cards.len())
                .unwrap_or(0)
                <= 3
        },
    )
    .await;
    find(&driver, "[data-entry=\"everything\"]")
        .await
        .click()
        .await
        .unwrap();
    find(&driver, "input[name=into][value=claude-desktop]")
        .await
        .click()
        .await
        .unwrap();
    find(&driver, "#install-confirm")
        .await
        .click()
        .await
        .unwrap();
    let mut steps_seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    let outcome = loop {
        if let Ok(outcome) = driver.find(Locator::Css("#install-outcome")).await {
            break outcome.text().await.unwrap();
        }
        if let Ok(failure) = driver.find(Locator::Css("#install-failure")).await {
            panic!("the install failed: {}", failure.text().await.unwrap());
        }
        if let Ok(step) = driver
            .find(Locator::Css("[data-step][aria-current=step]"))
            .await
            && let Ok(Some(id)) = step.attr("data-step").await
            && !steps_seen.contains(&id)
        {
            if id == "prepare" {
                screenshot_window(&driver, "catalog-install").await;
            }
            steps_seen.push(id);
        }
        assert!(
            Instant::now() < deadline,
            "the install finished within 3 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("install steps the window showed: {steps_seen:?}");
    assert!(
        !steps_seen.is_empty(),
        "the window showed the install's steps as they happened"
    );
    assert!(
        outcome.contains("Claude Desktop") && outcome.contains("It offers"),
        "the outcome names the tools and the app it was added to: {outcome}"
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&claude).unwrap()).unwrap();
    assert_eq!(
        config["mcpServers"]["everything"]["args"],
        json!(["connect", "everything"]),
        "Claude Desktop's file runs the new server through Switchboard: {config}"
    );
    assert!(
        home.run(&["list"])
            .lines()
            .any(|line| line.starts_with("everything ")),
        "the daemon has it installed"
    );
    screenshot_window(&driver, "catalog-installed").await;

    open_page(&driver, "settings").await;
    find(&driver, "[data-setting=\"calls.retention_days\"]").await;
    screenshot_window(&driver, "settings").await;
    screenshot_screen(&screenshots_dir().join("screen.png"));

    // Everything is checked; the drivers and the app are stopped when dropped either way.
    if let Err(error) = driver.close().await {
        eprintln!("the WebDriver session did not close cleanly: {error}");
    }
}
