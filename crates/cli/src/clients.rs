//! The commands about MCP clients' config files: `clients`, `install`, `uninstall` and
//! `import`, and what `remove` says about the client files it changed. Thin adapters: parse
//! the client list, call the daemon, print its answer in plain words.

use anyhow::bail;
use switchboard_hub::{
    ClientInfo, ClientTarget, ClientsChange, ControlClient, EntryChangeKind, FileFailure,
    FileReport, ImportReport, Paths, Request,
};
use switchboard_store::ClientScope;

use crate::manage::client;

/// `--into a,b[,c:project=/abs/path]` and `--from`.
pub(crate) fn parse_targets(text: &str) -> Result<Vec<ClientTarget>, String> {
    ClientTarget::parse_list(text)
}

/// `import <client>`.
pub(crate) fn parse_target(text: &str) -> Result<ClientTarget, String> {
    ClientTarget::parse(text)
}

#[allow(clippy::print_stdout)]
pub(crate) async fn list(paths: &Paths) -> anyhow::Result<()> {
    let clients: Vec<ClientInfo> = client(paths).await?.call(Request::ListClients).await?;
    let (shown, absent): (Vec<&ClientInfo>, Vec<&ClientInfo>) = clients
        .iter()
        .partition(|c| c.installed || c.files.iter().any(|f| f.exists || !f.managed.is_empty()));
    if shown.is_empty() {
        println!("No MCP client was found on this computer.");
    }
    for info in &shown {
        let found = if info.installed { "found" } else { "not found" };
        println!("{} ({})  {found}", info.name, info.id);
        for file in &info.files {
            let scope = match (&file.scope, &file.project) {
                (ClientScope::User, _) | (_, None) => file.scope.as_str().to_owned(),
                (scope, Some(project)) => format!("{} {}", scope.as_str(), project.display()),
            };
            let state = if file.exists { "" } else { "  (no file yet)" };
            println!("  {scope}: {}{state}", file.path.display());
            if let Some(error) = &file.error {
                println!("    cannot read it: {error}");
                continue;
            }
            if file.managed.is_empty() {
                println!("    Switchboard's: none");
            } else {
                let names: Vec<String> = file
                    .managed
                    .iter()
                    .map(|entry| {
                        let mut text = if entry.name == entry.server {
                            entry.name.clone()
                        } else {
                            format!("{} (server {})", entry.name, entry.server)
                        };
                        if !entry.present {
                            text.push_str(" [missing from the file]");
                        }
                        text
                    })
                    .collect();
                println!("    Switchboard's: {}", names.join(", "));
            }
            if !file.others.is_empty() {
                println!(
                    "    others: {}  (`switchboard import {}` takes them over)",
                    file.others.join(", "),
                    info.id
                );
            }
        }
    }
    if !absent.is_empty() {
        let names: Vec<&str> = absent.iter().map(|c| c.id.as_str()).collect();
        println!("Not found: {}", names.join(", "));
    }
    Ok(())
}

pub(crate) async fn install(
    paths: &Paths,
    id: String,
    into: Vec<ClientTarget>,
) -> anyhow::Result<()> {
    let change: ClientsChange = client(paths)
        .await?
        .call(Request::InstallServer { id, into })
        .await?;
    print_change(&change);
    fail_on(&change.failures)
}

pub(crate) async fn uninstall(
    paths: &Paths,
    id: String,
    from: Option<Vec<ClientTarget>>,
) -> anyhow::Result<()> {
    let change: ClientsChange = client(paths)
        .await?
        .call(Request::UninstallServer {
            id: id.clone(),
            from,
        })
        .await?;
    if change.files.is_empty() && change.failures.is_empty() {
        #[allow(clippy::print_stdout)]
        {
            println!("\"{id}\" was not installed in any client.");
        }
    }
    print_change(&change);
    fail_on(&change.failures)
}

/// Before `remove`: takes the server out of every client file, printing what changed. A
/// file that cannot be changed is a warning; the removal goes on.
#[allow(clippy::print_stdout)]
pub(crate) async fn uninstall_before_remove(client: &mut ControlClient, id: &str) {
    let request = Request::UninstallServer {
        id: id.to_owned(),
        from: None,
    };
    match client.call::<ClientsChange>(request).await {
        Ok(change) => {
            print_change(&change);
            print_failures(&change.failures);
        }
        Err(error) => println!("warning: {error}"),
    }
}

#[allow(clippy::print_stdout)]
pub(crate) async fn import(paths: &Paths, from: ClientTarget) -> anyhow::Result<()> {
    let report: ImportReport = client(paths)
        .await?
        .call(Request::ImportClient { from })
        .await?;
    if report.imported.is_empty() && report.skipped.is_empty() {
        println!(
            "{} has no servers in {} to import.",
            report.client_name,
            report.path.display()
        );
        return Ok(());
    }
    for entry in &report.imported {
        let mut line = if entry.existing {
            format!(
                "Imported \"{}\": it now goes through the installed server \"{}\"",
                entry.name, entry.server
            )
        } else {
            format!("Imported \"{}\" as server \"{}\"", entry.name, entry.server)
        };
        if !entry.secrets.is_empty() {
            line.push_str(&format!(
                "; moved to the keychain: {}",
                entry.secrets.join(", ")
            ));
        }
        println!("{line}.");
    }
    for skipped in &report.skipped {
        println!("Left \"{}\" as it is: {}.", skipped.name, skipped.reason);
    }
    if let Some(file) = &report.file {
        print_file(file, "");
    }
    for warning in &report.warnings {
        println!("note: {warning}");
    }
    Ok(())
}

/// What an install or uninstall did to client files, failures included.
pub(crate) fn print_installed(change: &ClientsChange) {
    print_change(change);
    print_failures(&change.failures);
}

#[allow(clippy::print_stdout)]
fn print_change(change: &ClientsChange) {
    for file in &change.files {
        print_file(file, &change.server);
    }
}

#[allow(clippy::print_stdout)]
fn print_file(file: &FileReport, server: &str) {
    let mut said = false;
    for entry in &file.changes {
        if !server.is_empty() && entry.server != server {
            continue;
        }
        let what = match entry.change {
            EntryChangeKind::Added => "added",
            EntryChangeKind::Updated => "updated",
            EntryChangeKind::Unchanged => "already there, unchanged",
            EntryChangeKind::Removed => "removed",
            EntryChangeKind::AlreadyAbsent => "already gone from the file",
        };
        println!(
            "{}: \"{}\" {what} in {}",
            file.client_name,
            entry.name,
            file.path.display()
        );
        said = true;
    }
    if !said && !file.written {
        println!(
            "{}: nothing to change in {}",
            file.client_name,
            file.path.display()
        );
    }
    for collision in &file.collisions {
        println!("  {collision}");
    }
    if let Some(backup) = &file.backup {
        println!("  backup of the previous file: {}", backup.display());
    }
    if let Some(hint) = &file.hint {
        let mut hint = hint.clone();
        if let Some(first) = hint.get(..1) {
            hint.replace_range(..1, &first.to_uppercase());
        }
        println!("  {hint}.");
    }
}

#[allow(clippy::print_stdout)]
fn print_failures(failures: &[FileFailure]) {
    for failure in failures {
        println!("warning: {}: {}", failure.client_name, failure.message);
    }
}

fn fail_on(failures: &[FileFailure]) -> anyhow::Result<()> {
    match failures {
        [] => Ok(()),
        failures => {
            let messages: Vec<String> = failures
                .iter()
                .map(|f| format!("{}: {}", f.client_name, f.message))
                .collect();
            bail!("{}", messages.join("\n"))
        }
    }
}
