//! `switchboard catalog`, `switchboard install <catalog-id | file.mcpb | -- command…>` and
//! `switchboard uninstall <id>`: thin adapters over the hub's installer. Questions the
//! install asks are answered with `--set KEY=VALUE` or at prompts; secrets only at a hidden
//! prompt, or as `KEY=VALUE` lines on stdin for scripts, never as arguments.

use std::{
    collections::BTreeMap,
    io::{BufRead, IsTerminal, Read, Write},
};

use anyhow::{Context, bail};
use switchboard_catalog::{Answers, Category, SecretValue, SettingKind};
use switchboard_hub::{
    ClientTarget, ControlClient, InstallReport, Paths, RegistryReport, Request, UninstallReport,
    installer::{self, Draft, InstallSource, Installer},
};

use crate::manage::client;

/// Longest stdin read for secrets, in bytes.
const MAX_STDIN_BYTES: u64 = 64 * 1024;

/// `catalog [search TEXT] [--category C]`.
#[allow(clippy::print_stdout)]
pub(crate) async fn catalog(
    paths: &Paths,
    query: &str,
    category: Option<&str>,
) -> anyhow::Result<()> {
    let catalog = installer::catalog(&mut client(paths).await?).await?;
    let category = category.map(parse_category).transpose()?;
    let found = catalog.search(query, category);
    if found.is_empty() {
        println!(
            "Nothing in the catalog matches \"{query}\". Any command can be installed too: \
             switchboard install --id NAME -- COMMAND ARGS…"
        );
        return Ok(());
    }
    for entry in found {
        let from = match &entry.origin {
            switchboard_catalog::Origin::Registry { .. } => "  [registry]",
            _ => "",
        };
        println!("{:<22} {}{from}", entry.id, entry.title());
        println!("{:<22} {}", "", entry.description());
    }
    println!(
        "\n`switchboard catalog show ID` tells what one needs; `switchboard install ID` installs it."
    );
    Ok(())
}

/// `catalog refresh [URL]`: read an MCP Registry into the catalog.
#[allow(clippy::print_stdout)]
pub(crate) async fn refresh(paths: &Paths, url: Option<String>) -> anyhow::Result<()> {
    let report: RegistryReport = client(paths)
        .await?
        .call(Request::RefreshRegistry { url })
        .await?;
    if report.not_modified {
        println!(
            "{} has not changed since the last refresh: {} servers.",
            report.url, report.entries
        );
    } else {
        println!("Read {} servers from {}.", report.entries, report.url);
    }
    if !report.complete {
        println!("The listing was cut short by Switchboard's limits; the first part is kept.");
    }
    if !report.skipped.is_empty() {
        println!("Left out {}:", report.skipped.len());
        for reason in report.skipped.iter().take(20) {
            println!("  {reason}");
        }
    }
    Ok(())
}

/// `catalog forget`: back to the curated catalog.
#[allow(clippy::print_stdout)]
pub(crate) async fn forget(paths: &Paths) -> anyhow::Result<()> {
    client(paths)
        .await?
        .call::<()>(Request::ForgetRegistry)
        .await?;
    println!("The catalog is the one shipped with Switchboard again.");
    Ok(())
}

/// `catalog show ID`: what it does and the questions its install asks.
#[allow(clippy::print_stdout)]
pub(crate) async fn show(paths: &Paths, id: &str) -> anyhow::Result<()> {
    let catalog = installer::catalog(&mut client(paths).await?).await?;
    let draft = Draft::new(
        &catalog,
        &InstallSource::Catalog(id.to_owned()),
        None,
        |_| false,
        |_| true,
    )?;
    println!("{} ({})\n{}", draft.title, draft.id, draft.description);
    if draft.settings.is_empty() {
        println!("\nIt asks nothing: `switchboard install {id}` installs it as it is.");
    } else {
        println!("\nIt asks:");
        for setting in &draft.settings {
            println!("  {}", describe(setting));
        }
    }
    Ok(())
}

fn describe(setting: &switchboard_catalog::Setting) -> String {
    let kind = match &setting.kind {
        SettingKind::Folder { .. } => " (a folder, granted to it)",
        SettingKind::File => " (a file)",
        _ if setting.secret => " (secret: kept in the keychain)",
        _ => "",
    };
    let need = if setting.required {
        "required"
    } else {
        "optional"
    };
    let about = setting
        .description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    format!("{}  {need}{kind}{about}", setting.key)
}

fn parse_category(text: &str) -> anyhow::Result<Category> {
    Category::ALL
        .into_iter()
        .find(|c| c.slug().eq_ignore_ascii_case(text) || c.title().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let all: Vec<&str> = Category::ALL.iter().map(|c| c.slug()).collect();
            anyhow::anyhow!(
                "no category \"{text}\"; the categories are: {}",
                all.join(", ")
            )
        })
}

/// What `install <text>` names. `-` reads an address from a hidden prompt or stdin (one
/// with a key in it); an address with a key on the command line, where other programs and
/// the shell's history see it, is refused. Neither error repeats what was given.
pub(crate) fn source(text: &str) -> anyhow::Result<InstallSource> {
    if text == "-" {
        let address = crate::secrets::read_value("the server's address")?;
        return match InstallSource::parse(address.expose()) {
            InstallSource::Url(url) => Ok(InstallSource::Url(url)),
            _ => bail!(
                "what was given is not a server's address: give the whole address, starting \
                 with https://"
            ),
        };
    }
    let source = InstallSource::parse(text);
    if matches!(source, InstallSource::Url(_))
        && switchboard_secrets::detect::secret_in_url(text).is_some()
    {
        bail!(
            "the address carries what looks like a key, and a command line is seen by other \
             programs and kept in your shell's history. Give the address on standard input \
             instead: `switchboard install -` asks for it (typing hidden); it is kept in the \
             keychain"
        );
    }
    Ok(source)
}

/// `install SOURCE [--id] [--set K=V]… [--into …]`.
#[allow(clippy::print_stdout)]
pub(crate) async fn install(
    paths: &Paths,
    source: InstallSource,
    id: Option<String>,
    sets: Vec<(String, String)>,
    into: Vec<ClientTarget>,
) -> anyhow::Result<()> {
    let mut control = client(paths).await?;
    let installer = Installer::load(&mut control).await?;
    if let InstallSource::Catalog(name) = &source
        && id.is_none()
        && installer.is_installed(name)
    {
        // An installed server: only its client entries are asked for.
        if into.is_empty() {
            bail!(
                "\"{name}\" is installed already; add it to clients with: switchboard install \
                 {name} --into claude-desktop,cursor (or install another copy with --id)"
            );
        }
        return crate::clients::install(paths, name.clone(), into).await;
    }
    let draft = installer.draft(&source, id.as_deref())?;
    println!("Installing {} as \"{}\"", draft.title, draft.id);
    let answers = answer(&draft, sets)?;
    let report = installer
        .install(
            &mut control,
            &draft,
            &answers,
            paths,
            into,
            |step, message| {
                println!("  [{step}] {message}");
            },
        )
        .await?;
    print_report(&report);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_report(report: &InstallReport) {
    let server = &report.server;
    if report.tools.is_empty() {
        println!(
            "Installed \"{}\" ({}), switched on.",
            server.name, server.id
        );
    } else {
        println!(
            "Installed \"{}\" ({}), switched on. It offers {} tools: {}",
            server.name,
            server.id,
            report.tools.len(),
            report.tools.join(", ")
        );
    }
    match &report.clients {
        Some(change) => crate::clients::print_installed(change),
        None => println!(
            "Add it to a client with: switchboard install {} --into claude-desktop",
            server.id
        ),
    }
}

/// The answers: `--set` values, then prompts (on a terminal) or stdin lines (secrets, in
/// scripts) for what is left.
#[allow(clippy::print_stdout)]
fn answer(draft: &Draft, sets: Vec<(String, String)>) -> anyhow::Result<Answers> {
    let mut answers = Answers::new();
    let known = |key: &str| draft.settings.iter().find(|s| s.key == key);
    let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in sets {
        let Some(setting) = known(&key) else {
            let keys: Vec<&str> = draft.settings.iter().map(|s| s.key.as_str()).collect();
            bail!(
                "{} asks no \"{key}\"{}",
                draft.title,
                if keys.is_empty() {
                    String::new()
                } else {
                    format!("; it asks: {}", keys.join(", "))
                }
            );
        };
        if setting.secret {
            bail!(
                "{key} is a secret, and secrets are never taken from the command line (other \
                 users' `ps` and your shell history would see it): leave out --set {key}, and \
                 type it at the prompt, or pipe `{key}=VALUE` on stdin"
            );
        }
        given.entry(key).or_default().push(value);
    }
    let terminal = std::io::stdin().is_terminal();
    let wants_secret = draft
        .settings
        .iter()
        .any(|s| s.secret && !given.contains_key(&s.key));
    let mut piped = if wants_secret && !terminal {
        read_stdin_pairs()?
    } else {
        BTreeMap::new()
    };
    let mut missing = Vec::new();
    for setting in &draft.settings {
        let key = setting.key.as_str();
        if let Some(values) = given.remove(key) {
            for value in values {
                answers.add(key, value);
            }
            continue;
        }
        if setting.secret {
            let value = match piped.remove(key) {
                Some(value) => Some(value),
                None if terminal => {
                    let need = if setting.required {
                        ""
                    } else {
                        ", Enter to skip"
                    };
                    let typed = rpassword::prompt_password(format!(
                        "{} ({key}, typing is hidden{need}): ",
                        setting.title
                    ))
                    .context("could not read from the terminal")?;
                    (!typed.is_empty()).then_some(typed)
                }
                None => None,
            };
            match value {
                Some(value) => {
                    answers.set_secret(key, SecretValue::from(value));
                }
                None if setting.required => missing.push(format!(
                    "{key} (a secret: type it at the prompt, or pipe `{key}=VALUE` on stdin)"
                )),
                None => {}
            }
            continue;
        }
        if !setting.required || !setting.defaults.is_empty() {
            continue;
        }
        if terminal {
            let what = match setting.kind {
                SettingKind::Folder { .. } => " (a folder's full path)",
                _ => "",
            };
            print!("{}{what} [{key}]: ", setting.title);
            std::io::stdout().flush().ok();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("could not read from the terminal")?;
            let line = line.trim();
            if !line.is_empty() {
                answers.set(key, line);
                continue;
            }
        }
        missing.push(format!("{key} (--set {key}=VALUE)"));
    }
    if !missing.is_empty() {
        bail!("{} still needs: {}", draft.title, missing.join("; "));
    }
    Ok(answers)
}

/// `KEY=VALUE` lines from stdin.
fn read_stdin_pairs() -> anyhow::Result<BTreeMap<String, String>> {
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_STDIN_BYTES)
        .read_to_string(&mut text)
        .context("could not read standard input")?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            Some((
                key.trim().to_owned(),
                value.trim_end_matches('\r').to_owned(),
            ))
        })
        .collect())
}

/// `uninstall ID`: everything the install made.
#[allow(clippy::print_stdout)]
pub(crate) async fn uninstall(paths: &Paths, id: String) -> anyhow::Result<()> {
    let mut control: ControlClient = client(paths).await?;
    let report: UninstallReport = control.call(Request::Uninstall { id: id.clone() }).await?;
    crate::clients::print_installed(&report.clients);
    let mut gone = Vec::new();
    if !report.secrets.is_empty() {
        gone.push(format!("its secrets ({})", report.secrets.join(", ")));
    }
    if report.grants > 0 {
        gone.push(match report.grants {
            1 => "its folder grant".to_owned(),
            n => format!("its {n} folder grants"),
        });
    }
    if report.files_removed {
        gone.push("its downloaded files".to_owned());
    }
    match gone.split_last() {
        None => println!("Uninstalled \"{id}\"."),
        Some((last, [])) => println!("Uninstalled \"{id}\" with {last}."),
        Some((last, rest)) => println!("Uninstalled \"{id}\" with {} and {last}.", rest.join(", ")),
    }
    Ok(())
}
