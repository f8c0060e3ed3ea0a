//! The keychain against a real Secret Service (gnome-keyring in a D-Bus session): values
//! written through one handle are read back through a fresh one and from another process,
//! items carry the label people see, and a locked keyring, a bus without a Secret Service
//! and no bus at all each give their own clear error.
//!
//! Run under a session bus with an unlocked gnome-keyring, as `scripts/test` does:
//!
//! ```sh
//! dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test -p switchboard-secrets'
//! ```
//!
//! Without one, these tests fail and say so; they never skip. The cases that need another
//! bus (locked, no service, no bus) run this test binary again as a child process, under a
//! bus of their own, with `SWITCHBOARD_SECRETS_TEST_CHILD` naming what the child does.

#![cfg(all(unix, not(target_vendor = "apple")))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose
#![allow(clippy::print_stdout)] // the child process reports to its parent on stdout

use std::{
    collections::HashMap,
    io::Read,
    path::Path,
    process::{Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    thread,
    time::{Duration, Instant},
};

use dbus_secret_service::{EncryptionType, SecretService};
use switchboard_secrets::{ErrorCode, Keychain, PlatformOptions, SecretsError, Sensitive};

/// Items made by these tests live under their own service, apart from a person's own.
const TEST_SERVICE: &str = "dev.switchboard.Switchboard.test";
const CHILD_MODE: &str = "SWITCHBOARD_SECRETS_TEST_CHILD";
const CHILD_TIMEOUT: Duration = Duration::from_secs(90);

const RUN_UNDER: &str = "these tests need a real Secret Service: run them with scripts/test, \
     which starts one, or by hand with\n  dbus-run-session -- sh -c 'echo -n ci | \
     gnome-keyring-daemon --unlock --components=secrets >/dev/null && cargo test -p \
     switchboard-secrets'\n(apt-get install dbus gnome-keyring if they are missing)";

fn options() -> PlatformOptions {
    PlatformOptions::new()
        .service(TEST_SERVICE)
        .unlock_prompt(Duration::ZERO)
}

/// A keychain on the real Secret Service, or a failure that says how to get one.
fn keychain() -> Keychain {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        panic!("DBUS_SESSION_BUS_ADDRESS is not set.\n{RUN_UNDER}");
    }
    let keychain = Keychain::platform_with(&options()).unwrap();
    if let Err(error) = keychain.check() {
        panic!("the Secret Service is not usable: {error}\n{RUN_UNDER}");
    }
    keychain
}

/// A server id no other test (or earlier run) uses.
fn server(test: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{test}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn secret(text: &str) -> Sensitive<String> {
    Sensitive::from(text)
}

/// The items the Secret Service itself holds for an account, read without keyring-core.
fn raw_items(account: &str) -> Vec<(String, Vec<u8>)> {
    let bus = SecretService::connect(EncryptionType::Dh).unwrap();
    let found = bus
        .search_items(HashMap::from([
            ("service", TEST_SERVICE),
            ("username", account),
        ]))
        .unwrap();
    assert!(found.locked.is_empty(), "the test keyring must be unlocked");
    found
        .unlocked
        .iter()
        .map(|item| (item.get_label().unwrap(), item.get_secret().unwrap()))
        .collect()
}

#[test]
fn secret_written_through_one_handle_reads_back_through_a_fresh_one() {
    let server = server("fresh");
    let writer = keychain();
    writer
        .set(
            &server,
            "GITHUB_TOKEN",
            &secret("ghp_written-by-one-handle"),
        )
        .unwrap();
    drop(writer);

    let reader = Keychain::platform_with(&options()).unwrap();
    let value = reader.get(&server, "GITHUB_TOKEN").unwrap();
    assert_eq!(
        value.expose(),
        "ghp_written-by-one-handle",
        "a fresh handle must read what another handle wrote"
    );
    reader.delete(&server, "GITHUB_TOKEN").unwrap();
}

#[test]
fn secret_is_in_the_secret_service_itself_with_a_label_people_recognise() {
    let server = server("label");
    let keychain = keychain();
    keychain
        .set(&server, "API_KEY", &secret("sk-live-in-the-keyring"))
        .unwrap();

    let items = raw_items(&format!("{server}/API_KEY"));
    assert_eq!(items.len(), 1, "exactly one item per server and variable");
    let (label, value) = &items[0];
    assert_eq!(label, &format!("Switchboard: API_KEY for {server}"));
    assert_eq!(
        value, b"sk-live-in-the-keyring",
        "the Secret Service holds the value"
    );
    keychain.delete(&server, "API_KEY").unwrap();
}

#[test]
fn another_process_reads_what_this_one_wrote() {
    let server = server("process");
    let keychain = keychain();
    keychain
        .set(&server, "SHARED_TOKEN", &secret("tok-across-processes"))
        .unwrap();

    let mut child = child_command("read");
    child.env("CHILD_SERVER", &server);
    let report = run(child);
    assert!(
        report.contains("read=tok-across-processes"),
        "the child process must read the value from the keyring: {report}"
    );
    keychain.delete(&server, "SHARED_TOKEN").unwrap();
}

#[test]
fn setting_again_replaces_the_value_in_the_same_item() {
    let server = server("replace");
    let keychain = keychain();
    keychain
        .set(&server, "TOKEN", &secret("first-value"))
        .unwrap();
    keychain
        .set(&server, "TOKEN", &secret("second-value"))
        .unwrap();
    assert_eq!(
        keychain.get(&server, "TOKEN").unwrap().expose(),
        "second-value"
    );
    assert_eq!(
        raw_items(&format!("{server}/TOKEN")).len(),
        1,
        "no duplicate item"
    );
    keychain.delete(&server, "TOKEN").unwrap();
}

#[test]
fn deleted_secret_is_gone_and_says_not_found() {
    let server = server("delete");
    let keychain = keychain();
    keychain
        .set(&server, "TOKEN", &secret("soon-deleted"))
        .unwrap();
    keychain.delete(&server, "TOKEN").unwrap();

    let fresh = Keychain::platform_with(&options()).unwrap();
    let error = fresh.get(&server, "TOKEN").unwrap_err();
    assert_eq!(error.code(), ErrorCode::NotFound, "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("switchboard secrets set {server} TOKEN")),
        "the message says how to set it: {error}"
    );
    assert!(!fresh.contains(&server, "TOKEN").unwrap());
    let again = fresh.delete(&server, "TOKEN").unwrap_err();
    assert_eq!(again.code(), ErrorCode::NotFound, "{again}");
    assert!(raw_items(&format!("{server}/TOKEN")).is_empty());
}

#[test]
fn names_lists_one_servers_secrets_from_the_keyring() {
    let one = server("names-a");
    let other = server("names-b");
    let keychain = keychain();
    keychain
        .set(&one, "B_TOKEN", &secret("value-b-123"))
        .unwrap();
    keychain
        .set(&one, "A_TOKEN", &secret("value-a-123"))
        .unwrap();
    keychain
        .set(&other, "C_TOKEN", &secret("value-c-123"))
        .unwrap();

    // No known names are passed: the Secret Service's own search is the index.
    let names: Vec<String> = keychain
        .names(&one, &[])
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        ["A_TOKEN", "B_TOKEN"],
        "sorted, and only this server's"
    );

    keychain.delete_all(&one, &[]).unwrap();
    keychain.delete_all(&other, &[]).unwrap();
}

#[test]
fn delete_all_removes_every_secret_of_a_server_and_no_other() {
    let gone = server("all-a");
    let kept = server("all-b");
    let keychain = keychain();
    keychain.set(&gone, "ONE", &secret("value-one-1")).unwrap();
    keychain.set(&gone, "TWO", &secret("value-two-2")).unwrap();
    keychain.set(&kept, "ONE", &secret("value-kept-1")).unwrap();

    let deleted: Vec<String> = keychain
        .delete_all(&gone, &["NEVER_SET"])
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(deleted, ["ONE", "TWO"]);
    assert!(keychain.names(&gone, &[]).unwrap().is_empty());
    assert_eq!(
        keychain.get(&kept, "ONE").unwrap().expose(),
        "value-kept-1",
        "another server's secret with the same name survives"
    );
    keychain.delete_all(&kept, &[]).unwrap();
}

#[test]
fn environment_for_a_spawn_has_every_value_or_names_what_is_missing() {
    let server = server("env");
    let keychain = keychain();
    keychain
        .set(&server, "GITHUB_TOKEN", &secret("ghp_for-the-child"))
        .unwrap();

    let env = keychain.environment(&server, &["GITHUB_TOKEN"]).unwrap();
    let pairs: Vec<(&str, &str)> = env.expose_pairs().collect();
    assert_eq!(pairs, [("GITHUB_TOKEN", "ghp_for-the-child")]);
    assert!(
        !format!("{env:?}").contains("ghp_for-the-child"),
        "Debug shows names only"
    );

    let error = keychain
        .environment(&server, &["GITHUB_TOKEN", "SLACK_TOKEN", "OTHER_KEY"])
        .unwrap_err();
    match &error {
        SecretsError::Missing { names, .. } => {
            assert_eq!(
                names,
                &["SLACK_TOKEN", "OTHER_KEY"],
                "every missing one, in order"
            );
        }
        other => panic!("expected Missing, got {other}"),
    }
    assert_eq!(error.code(), ErrorCode::NotFound);
    keychain.delete_all(&server, &[]).unwrap();
}

#[test]
fn duplicate_items_are_reported_and_a_new_value_replaces_them() {
    let server = server("dupes");
    let account = format!("{server}/TOKEN");
    let bus = SecretService::connect(EncryptionType::Dh).unwrap();
    let collection = bus.get_default_collection().unwrap();
    for value in ["dupe-one-1", "dupe-two-2"] {
        collection
            .create_item(
                "left by another tool",
                HashMap::from([("service", TEST_SERVICE), ("username", account.as_str())]),
                value.as_bytes(),
                false, // keep both
                "text/plain",
            )
            .unwrap();
    }

    let keychain = keychain();
    let error = keychain.get(&server, "TOKEN").unwrap_err();
    assert_eq!(error.code(), ErrorCode::Ambiguous, "{error}");
    assert!(error.to_string().contains("2 items"), "{error}");

    keychain
        .set(&server, "TOKEN", &secret("the-one-value"))
        .unwrap();
    assert_eq!(raw_items(&account).len(), 1, "set leaves exactly one item");
    assert_eq!(
        keychain.get(&server, "TOKEN").unwrap().expose(),
        "the-one-value"
    );
    keychain.delete(&server, "TOKEN").unwrap();
}

#[test]
fn locked_keyring_gives_the_locked_error_for_every_operation() {
    let temp = tempfile::tempdir().unwrap();
    let report = run(keyring_session(temp.path(), "locked", Keyring::Unlocked));
    for operation in [
        "check",
        "get",
        "get_missing",
        "set",
        "delete",
        "names",
        "environment",
        "prompted",
    ] {
        assert!(
            report.contains(&format!("{operation}=locked")),
            "{operation} on a locked keyring must say locked: {report}"
        );
    }
    assert!(
        report.contains("unlock it"),
        "the message says what to do: {report}"
    );
}

#[test]
fn secret_service_without_a_default_keyring_says_how_to_make_one() {
    let temp = tempfile::tempdir().unwrap();
    // gnome-keyring started by D-Bus activation in an empty data folder: no login keyring.
    let report = run(keyring_session(
        temp.path(),
        "unavailable",
        Keyring::NotCreated,
    ));
    assert!(report.contains("code=unavailable"), "{report}");
    assert!(
        report.contains("no default keyring") && report.contains("Passwords and Keys"),
        "{report}"
    );
}

#[test]
fn bus_without_a_secret_service_gives_unavailable() {
    let temp = tempfile::tempdir().unwrap();
    // A session bus that can start no services at all.
    let config = temp.path().join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            temp.path().display()
        ),
    )
    .unwrap();
    let mut command = Command::new("dbus-run-session");
    command
        .arg(format!("--config-file={}", config.display()))
        .arg("--")
        .args(child_args());
    command.env(CHILD_MODE, "unavailable");
    let report = run(command);
    assert!(report.contains("code=unavailable"), "{report}");
    assert!(
        report.contains("no Secret Service") && report.contains("apt install gnome-keyring"),
        "the message names the missing service and the package: {report}"
    );
}

#[test]
fn no_session_bus_gives_unavailable() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("no-bus-here");

    let mut unreachable = child_command("unavailable");
    unreachable.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", missing.display()),
    );
    let report = run(unreachable);
    assert!(report.contains("code=unavailable"), "{report}");
    assert!(report.contains("session bus"), "{report}");

    let mut unset = child_command("unavailable");
    unset
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY");
    let report = run(unset);
    assert!(report.contains("code=unavailable"), "{report}");
    assert!(report.contains("DBUS_SESSION_BUS_ADDRESS"), "{report}");
}

// --- child processes ---------------------------------------------------------------------

/// This test binary, told to run only the child entry point.
fn child_args() -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    vec![
        exe.display().to_string(),
        "child_process_entry".to_owned(),
        "--exact".to_owned(),
        "--ignored".to_owned(),
        "--nocapture".to_owned(),
        "--test-threads=1".to_owned(),
    ]
}

fn child_command(mode: &str) -> Command {
    let args = child_args();
    let mut command = Command::new(&args[0]);
    command.args(&args[1..]).env(CHILD_MODE, mode);
    command
}

/// How the child's own gnome-keyring starts.
#[derive(Clone, Copy)]
enum Keyring {
    /// Started and unlocked with the password "ci" (a login keyring is created).
    Unlocked,
    /// Left to D-Bus activation: running, but with no keyring at all.
    NotCreated,
}

/// A child under its own session bus and its own gnome-keyring (its own data and runtime
/// folders, so it neither finds nor disturbs the keyring of the other tests).
fn keyring_session(temp: &Path, mode: &str, keyring: Keyring) -> Command {
    let data = temp.join("data");
    let runtime = temp.join("run");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    let mut command = Command::new("dbus-run-session");
    command
        .args([
            "--",
            "sh",
            "-c",
            match keyring {
                Keyring::Unlocked => {
                    "echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
                     && exec \"$@\""
                }
                Keyring::NotCreated => "exec \"$@\"",
            },
            "sh",
        ])
        .args(child_args())
        .env(CHILD_MODE, mode)
        .env("XDG_DATA_HOME", data)
        .env("XDG_RUNTIME_DIR", runtime)
        .env_remove("DISPLAY");
    command
}

/// Runs a child to the end (bounded) and returns its stdout; fails on a non-zero exit.
fn run(mut command: Command) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("could not start {command:?}: {error}\n{RUN_UNDER}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + CHILD_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child process took longer than {CHILD_TIMEOUT:?}: {command:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    assert!(
        status.success(),
        "child {command:?} failed ({status}):\n{stdout}\n{stderr}"
    );
    stdout
        .lines()
        .filter_map(|line| line.find("child-report:").map(|at| &line[at..]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn code_of<T>(result: Result<T, SecretsError>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.code().as_str().to_owned(),
    }
}

/// Where the child processes start. Run directly, it does nothing.
#[test]
#[ignore = "entry point of the child processes that other tests start"]
fn child_process_entry() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    match mode.as_str() {
        "read" => {
            let server = std::env::var("CHILD_SERVER").unwrap();
            let keychain = Keychain::platform_with(&options()).unwrap();
            let value = keychain.get(&server, "SHARED_TOKEN").unwrap();
            println!("child-report: read={}", value.expose());
        }
        "unavailable" => {
            let keychain = Keychain::platform_with(&options()).unwrap();
            let error = keychain.get("any", "TOKEN").unwrap_err();
            println!("child-report: code={} message={error}", error.code());
        }
        "locked" => child_on_a_locked_keyring(),
        other => panic!("unknown child mode {other}"),
    }
}

fn child_on_a_locked_keyring() {
    let keychain = Keychain::platform_with(&options()).unwrap();
    keychain
        .set("locked", "TOKEN", &secret("set-while-open"))
        .unwrap();

    let bus = SecretService::connect(EncryptionType::Plain).unwrap();
    let collection = bus.get_default_collection().unwrap();
    collection.lock().unwrap();
    assert!(collection.is_locked().unwrap(), "the keyring did not lock");

    let value = secret("set-while-locked");
    let report = [
        ("check", code_of(keychain.check())),
        ("get", code_of(keychain.get("locked", "TOKEN"))),
        ("get_missing", code_of(keychain.get("locked", "NEVER_SET"))),
        ("set", code_of(keychain.set("locked", "TOKEN", &value))),
        ("delete", code_of(keychain.delete("locked", "TOKEN"))),
        ("names", code_of(keychain.names("locked", &[]))),
        (
            "environment",
            code_of(keychain.environment("locked", &["TOKEN"])),
        ),
    ];
    for (operation, code) in report {
        println!("child-report: {operation}={code}");
    }
    // With an unlock prompt allowed, the keyring is asked; nobody answers here (no
    // display), so after the wait it is still an error, not a hang.
    let prompting =
        Keychain::platform_with(&options().unlock_prompt(Duration::from_secs(2))).unwrap();
    println!(
        "child-report: prompted={}",
        code_of(prompting.get("locked", "TOKEN"))
    );
    let message = keychain.get("locked", "TOKEN").unwrap_err().to_string();
    println!("child-report: message={message}");
}
