//! `switchboard doctor`: reports where Switchboard keeps its data and whether it can use
//! it, the daemon, the keychain, the runtimes third-party servers need, and the MCP
//! clients on this computer, each problem with what to do about it. Read-only apart from
//! creating the store on first use.

use std::fmt::Display;

use anyhow::Context;
use switchboard_hub::{AutoStart, ControlClient, DaemonStatus, Paths, Request};
use switchboard_runtimes::{Environment, Resolution, Runtime, Runtimes};
use switchboard_store::{CallQuery, Store};

/// Prints one line of the report; counts the problems.
#[derive(Debug, Default)]
struct Report {
    problems: usize,
}

impl Report {
    #[allow(clippy::print_stdout)] // the report is this command's output
    fn line(&self, label: &str, text: impl Display) {
        println!("{label:<17}{text}");
    }

    fn problem(&mut self, label: &str, text: impl Display) {
        self.problems += 1;
        self.line(label, format!("PROBLEM: {text}"));
    }
}

#[allow(clippy::print_stdout)]
pub(crate) async fn run(paths: &Paths) -> anyhow::Result<()> {
    let mut report = Report::default();
    store(&mut report, paths).await?;
    daemon(&mut report, paths).await;
    keychain(&mut report).await;
    runtimes(&mut report).await;
    clients(&mut report);
    println!();
    match report.problems {
        0 => println!("Everything looks fine."),
        1 => println!("1 problem, with what to do above."),
        n => println!("{n} problems, each with what to do above."),
    }
    Ok(())
}

async fn store(report: &mut Report, paths: &Paths) -> anyhow::Result<()> {
    report.line("data folder:", paths.data_dir.display());
    let store = Store::open_in(&paths.data_dir)
        .await
        .context("the database cannot be used")?;
    report.line("database:", store.path().display());
    report.line(
        "schema:",
        format!(
            "version {} (this build knows {})",
            store.schema_version().await?,
            Store::latest_schema_version()
        ),
    );
    let servers = store.servers().await?;
    let enabled = servers.iter().filter(|s| s.enabled).count();
    report.line(
        "servers:",
        format!("{} installed, {enabled} enabled", servers.len()),
    );
    let recent = store
        .calls(&CallQuery {
            limit: 1,
            ..CallQuery::default()
        })
        .await?;
    match recent.first() {
        Some(call) => report.line(
            "last call:",
            format!("#{} to {}", call.id, call.record.server),
        ),
        None => report.line("last call:", "none yet"),
    }
    store.close().await;
    Ok(())
}

async fn daemon(report: &mut Report, paths: &Paths) {
    let Ok(mut client) = ControlClient::connect(paths, &AutoStart::No).await else {
        report.line(
            "daemon:",
            "not running (it starts by itself when a client connects, or with `switchboard daemon`)",
        );
        return;
    };
    match client.call::<DaemonStatus>(Request::Status).await {
        Ok(status) => report.line(
            "daemon:",
            format!(
                "running, pid {}, version {}, {} sessions open",
                status.pid, status.version, status.sessions
            ),
        ),
        Err(error) => report.problem(
            "daemon:",
            format!("it answers, but not sensibly ({error}); run `switchboard stop` and try again"),
        ),
    }
}

async fn keychain(report: &mut Report) {
    let checked = tokio::task::spawn_blocking(|| {
        let keychain = switchboard_secrets::Keychain::platform()?;
        keychain.check()?;
        Ok::<_, switchboard_secrets::SecretsError>(keychain.store_name())
    })
    .await;
    match checked {
        Ok(Ok(name)) => report.line("keychain:", format!("{name}, unlocked")),
        Ok(Err(error)) => report.problem("keychain:", error),
        Err(error) => report.problem("keychain:", format!("could not be checked: {error}")),
    }
}

async fn runtimes(report: &mut Report) {
    let Some(env) = Environment::current() else {
        report.problem(
            "runtimes:",
            "no home folder was found, so runtimes cannot be looked for; set HOME",
        );
        return;
    };
    let Ok(found) = tokio::task::spawn_blocking(move || Runtimes::discover(&env)).await else {
        report.problem("runtimes:", "discovery stopped unexpectedly");
        return;
    };
    if let Some(error) = found.login_shell_error() {
        report.line(
            "login shell:",
            format!("not used ({error}); the usual install folders were searched instead"),
        );
    }
    for runtime in Runtime::ALL {
        let label = format!("{}:", runtime.name());
        match found.get(runtime) {
            Resolution::Found(found) => {
                let version = found
                    .version
                    .as_ref()
                    .map_or_else(String::new, |v| format!(" {v}"));
                match &found.problem {
                    Some(problem) => report.problem(
                        &label,
                        format!("{}{version}: {problem}", found.path.display()),
                    ),
                    None => report.line(&label, format!("{}{version}", found.path.display())),
                }
            }
            // A missing runtime only matters for the servers that need it: say what to do,
            // without calling it a problem of Switchboard's.
            Resolution::Missing { fix } => {
                report.line(
                    &label,
                    format!("not found (needed only by servers that use it). {fix}"),
                );
            }
        }
    }
}

fn clients(report: &mut Report) {
    let env = match switchboard_clients::Environment::from_process() {
        Ok(env) => env,
        Err(error) => {
            report.problem("clients:", error);
            return;
        }
    };
    for detection in switchboard_clients::detect(&env) {
        let label = format!("{}:", detection.display_name);
        let file = detection.path.display();
        let text = match (detection.installed, detection.file_exists) {
            (true, true) => format!("installed; config {file}"),
            (true, false) => format!("installed; config not created yet ({file})"),
            (false, _) => "not found".to_owned(),
        };
        report.line(&label, text);
    }
}
