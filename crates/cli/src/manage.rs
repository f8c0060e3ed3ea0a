//! The commands that manage Switchboard through the daemon's control API: list, add,
//! remove, enable, disable, restart, tools, status, logs, grant, grants, revoke, prompts,
//! settings, stop (the client-file commands are in `clients`). Each is a thin adapter: build
//! a request, call the daemon, print the answer.

use std::{collections::BTreeMap, path::PathBuf};

use anyhow::{Context, bail};
use server_prompts::Template;
use switchboard_gateway::{Event, ToolView};
use switchboard_hub::{
    AutoStart, ControlClient, DaemonStatus, Paths, Request, ServerInfo, Setting,
};
use switchboard_store::{Access, CallQuery, Grant, Launch, Source, StoredCall};

/// What `add` was told to run.
#[derive(Debug, Clone)]
pub(crate) enum What {
    Builtin(String),
    Npm(String),
    Pypi(String),
    Command(Vec<String>),
}

pub(crate) async fn client(paths: &Paths) -> anyhow::Result<ControlClient> {
    let exe = std::env::current_exe().context("cannot find the switchboard executable")?;
    Ok(ControlClient::connect(paths, &AutoStart::With(exe)).await?)
}

#[allow(clippy::print_stdout)]
pub(crate) async fn list(paths: &Paths) -> anyhow::Result<()> {
    let servers: Vec<ServerInfo> = client(paths).await?.call(Request::ListServers).await?;
    if servers.is_empty() {
        println!("No servers are installed. Add one with `switchboard add`, for example:");
        println!("  switchboard add time --pypi mcp-server-time");
        return Ok(());
    }
    print_servers(&servers);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_servers(servers: &[ServerInfo]) {
    let rows: Vec<[String; 12]> = servers
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                s.name.clone(),
                if s.enabled { "on".into() } else { "off".into() },
                format!("{:?}", s.runtime.state).to_lowercase(),
                s.runtime.sessions.len().to_string(),
                s.runtime.restarts.to_string(),
                format!("{:.1}%", s.usage.cpu_percent),
                bytes(s.usage.memory_bytes),
                format!("{:.1}", s.stats.calls_per_minute),
                percent(s.stats.error_rate),
                millis(s.stats.p50_ms),
                millis(s.stats.p95_ms),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "NAME",
            "SWITCH",
            "STATE",
            "SESSIONS",
            "RESTARTS",
            "CPU",
            "MEMORY",
            "CALLS/MIN",
            "ERRORS",
            "P50",
            "P95",
        ],
        &rows,
    );
}

#[allow(clippy::print_stdout)]
fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    println!("{}", line(header.to_vec()));
    for row in rows {
        println!("{}", line(row.iter().map(String::as_str).collect()));
    }
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

fn millis(ms: Option<f64>) -> String {
    match ms {
        None => "-".into(),
        Some(ms) if ms < 10.0 => format!("{ms:.2} ms"),
        Some(ms) => format!("{ms:.0} ms"),
    }
}

fn bytes(n: u64) -> String {
    match n {
        0 => "-".into(),
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n => format!("{} KiB", n / 1024),
    }
}

#[allow(clippy::print_stdout)]
pub(crate) async fn add(
    paths: &Paths,
    id: String,
    name: Option<String>,
    env: Vec<(String, String)>,
    secrets: Vec<String>,
    what: What,
) -> anyhow::Result<()> {
    let source = match what {
        What::Builtin(name) => Source::Builtin { name },
        What::Npm(spec) => {
            let (package, version) = split_npm(&spec);
            Source::Npm {
                package,
                version,
                args: Vec::new(),
            }
        }
        What::Pypi(spec) => {
            let (package, version) = spec
                .split_once("==")
                .map_or((spec.clone(), String::new()), |(p, v)| {
                    (p.to_owned(), v.to_owned())
                });
            Source::Pypi {
                package,
                version,
                args: Vec::new(),
            }
        }
        What::Command(words) => {
            let Some((command, args)) = words.split_first() else {
                bail!(
                    "give the command after `--`, such as: switchboard add my-server -- node server.js"
                );
            };
            // `switchboard` is this engine (a relay such as `switchboard remote`): the daemon
            // runs it by its full path, as it does for installs, not whatever PATH holds.
            let command = match std::env::current_exe() {
                Ok(engine) if command == "switchboard" => engine.to_string_lossy().into_owned(),
                _ => command.clone(),
            };
            Source::Command {
                command,
                args: args.to_vec(),
            }
        }
    };
    let launch = Launch {
        env: env.into_iter().collect::<BTreeMap<_, _>>(),
        secrets: secrets.clone(),
        ..Launch::new(source)
    };
    let info: ServerInfo = client(paths)
        .await?
        .call(Request::AddServer {
            id: id.clone(),
            name,
            launch,
        })
        .await?;
    println!(
        "Added \"{}\". A client can use it with this entry:",
        info.id
    );
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("switchboard"));
    println!(
        "  \"{id}\": {{ \"command\": \"{}\", \"args\": [\"connect\", \"{id}\"] }}",
        exe.display()
    );
    for secret in &secrets {
        println!(
            "It needs the secret {secret}: store it with `switchboard secrets set {id} {secret}`."
        );
    }
    Ok(())
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`); `name` → (`name`, ``).
fn split_npm(spec: &str) -> (String, String) {
    match spec[1..].rfind('@') {
        Some(at) => (spec[..=at].to_owned(), spec[at + 2..].to_owned()),
        None => (spec.to_owned(), String::new()),
    }
}

#[allow(clippy::print_stdout)]
pub(crate) async fn remove(paths: &Paths, id: String) -> anyhow::Result<()> {
    let mut client = client(paths).await?;
    crate::clients::uninstall_before_remove(&mut client, &id).await;
    let removed: bool = client
        .call(Request::RemoveServer { id: id.clone() })
        .await?;
    if removed {
        println!("Removed \"{id}\". Clients that still list it get an error saying it is gone.");
    } else {
        bail!(
            "no server called \"{id}\" is installed; `switchboard list` shows the installed ones"
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn set_enabled(paths: &Paths, id: String, enabled: bool) -> anyhow::Result<()> {
    let info: ServerInfo = client(paths)
        .await?
        .call(Request::SetEnabled { id, enabled })
        .await?;
    let word = if enabled { "on" } else { "off" };
    println!(
        "\"{}\" is switched {word}; connected clients see the change at once.",
        info.id
    );
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn restart(paths: &Paths, id: String) -> anyhow::Result<()> {
    let sessions: usize = client(paths)
        .await?
        .call(Request::RestartServer { id: id.clone() })
        .await?;
    match sessions {
        0 => println!(
            "\"{id}\" is not running (no client is connected to it); it starts fresh when one \
             connects."
        ),
        1 => println!("Restarted \"{id}\" for the one client using it."),
        n => println!("Restarted \"{id}\" for the {n} clients using it."),
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn tools(
    paths: &Paths,
    server: String,
    enable: Vec<String>,
    disable: Vec<String>,
) -> anyhow::Result<()> {
    let mut client = client(paths).await?;
    let changes = enable
        .into_iter()
        .map(|t| (t, true))
        .chain(disable.into_iter().map(|t| (t, false)));
    let mut info: Option<ServerInfo> = None;
    for (tool, enabled) in changes {
        info = Some(
            client
                .call(Request::SetToolEnabled {
                    server: server.clone(),
                    tool,
                    enabled,
                })
                .await?,
        );
    }
    let info = match info {
        Some(info) => info,
        None => client.call(Request::GetServer { id: server }).await?,
    };
    // Every tool with its switch, when the server can say which it has.
    if let Ok(listed) = client
        .call::<Vec<ToolView>>(Request::ListTools {
            id: info.id.clone(),
        })
        .await
    {
        let rows: Vec<[String; 3]> = listed
            .iter()
            .map(|tool| {
                let on = !info.disabled_tools.contains(&tool.name);
                [
                    tool.name.clone(),
                    if on { "on".into() } else { "off".into() },
                    tool.description
                        .as_deref()
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(70)
                        .collect(),
                ]
            })
            .collect();
        table(&["TOOL", "SWITCH", "DESCRIPTION"], &rows);
        return Ok(());
    }
    if info.disabled_tools.is_empty() {
        println!("Every tool of \"{}\" is on.", info.id);
    } else {
        println!(
            "Switched off in \"{}\": {}",
            info.id,
            info.disabled_tools.join(", ")
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn status(paths: &Paths) -> anyhow::Result<()> {
    let mut client = match ControlClient::connect(paths, &AutoStart::No).await {
        Ok(client) => client,
        Err(_) => {
            println!(
                "Switchboard's daemon is not running. It starts by itself when a client connects,"
            );
            println!("or with `switchboard daemon`.");
            return Ok(());
        }
    };
    let status: DaemonStatus = client.call(Request::Status).await?;
    let servers: Vec<ServerInfo> = client.call(Request::ListServers).await?;
    let uptime = (switchboard_store::now_ms() - status.started_at).max(0) / 1000;
    println!(
        "daemon: running, pid {}, version {}, up {}h{:02}m{:02}s",
        status.pid,
        status.version,
        uptime / 3600,
        uptime / 60 % 60,
        uptime % 60
    );
    println!("data:   {}", status.data_dir.display());
    println!();
    print_servers(&servers);
    for server in servers.iter().filter(|s| s.runtime.last_error.is_some()) {
        println!();
        println!(
            "{}: {}",
            server.id,
            server.runtime.last_error.as_deref().unwrap_or_default()
        );
        for line in server.runtime.stderr.iter().rev().take(5).rev() {
            println!("  | {line}");
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn logs(
    paths: &Paths,
    server: Option<String>,
    limit: u32,
    follow: bool,
) -> anyhow::Result<()> {
    let mut client = client(paths).await?;
    if follow {
        let _: bool = client.call(Request::Subscribe).await?;
    }
    let query = CallQuery {
        server: server.clone(),
        limit,
        ..CallQuery::default()
    };
    let mut calls: Vec<StoredCall> = client.call(Request::RecentCalls { query }).await?;
    calls.reverse();
    if calls.is_empty() && !follow {
        println!(
            "No calls yet. Calls appear here once a client uses a server through Switchboard."
        );
    }
    let mut last = 0;
    for call in &calls {
        println!("{}", format_call(call));
        last = call.id;
    }
    if !follow {
        return Ok(());
    }
    while let Some(event) = client.next_event().await? {
        match event {
            Event::Call { call }
                if call.id > last && server.as_ref().is_none_or(|s| *s == call.record.server) =>
            {
                println!("{}", format_call(&call));
            }
            Event::ServerState { server: id, state }
                if server.as_ref().is_none_or(|s| *s == id) =>
            {
                println!("-- {id} is now {}", format!("{state:?}").to_lowercase());
            }
            Event::Missed { events } => {
                println!("-- {events} events went by faster than this terminal showed them");
            }
            _ => {}
        }
    }
    Ok(())
}

fn format_call(call: &StoredCall) -> String {
    let record = &call.record;
    let when = jiff::Timestamp::from_millisecond(record.at)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
        .unwrap_or_default();
    let target = record.tool.as_deref().unwrap_or("");
    let status = format!("{:?}", record.status).to_lowercase();
    let mut line = format!(
        "{when}  {client}  {server}  {method} {target}  {status}  {ms:.2} ms",
        client = record.client,
        server = record.server,
        method = record.method,
        ms = record.duration_us as f64 / 1000.0
    );
    if let Some(preview) = &record.args_preview {
        line.push_str("  ");
        line.push_str(preview);
    }
    line
}

#[allow(clippy::print_stdout)]
pub(crate) async fn grant(
    paths: &Paths,
    path: PathBuf,
    read_write: bool,
    server: Option<String>,
) -> anyhow::Result<()> {
    let access = if read_write {
        Access::ReadWrite
    } else {
        Access::ReadOnly
    };
    let grant: Grant = client(paths)
        .await?
        .call(Request::Grant {
            path,
            access,
            server,
        })
        .await?;
    println!("{}", describe_grant(&grant));
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn grants(paths: &Paths, server: Option<String>) -> anyhow::Result<()> {
    let grants: Vec<Grant> = client(paths)
        .await?
        .call(Request::ListGrants { server })
        .await?;
    if grants.is_empty() {
        println!("No folders are granted. `switchboard grant ~/Documents` lets servers read one.");
    }
    for grant in &grants {
        println!("{}", describe_grant(grant));
    }
    Ok(())
}

fn describe_grant(grant: &Grant) -> String {
    let access = match grant.access {
        Access::ReadOnly => "read only",
        Access::ReadWrite => "read and write",
    };
    let who = grant
        .server
        .as_ref()
        .map_or_else(|| "every server".to_owned(), |s| format!("\"{s}\""));
    format!(
        "#{}  {}  {access}  for {who}",
        grant.id,
        grant.path.display()
    )
}

#[allow(clippy::print_stdout)]
pub(crate) async fn revoke(paths: &Paths, id: i64) -> anyhow::Result<()> {
    let revoked: bool = client(paths).await?.call(Request::Revoke { id }).await?;
    if !revoked {
        bail!("there is no grant #{id}; `switchboard grants` lists them");
    }
    println!("Revoked grant #{id}.");
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn prompts(paths: &Paths, action: crate::PromptsAction) -> anyhow::Result<()> {
    use crate::PromptsAction;
    let mut client = client(paths).await?;
    match action {
        PromptsAction::List => {
            let templates: Vec<Template> = client.call(Request::ListPrompts).await?;
            if templates.is_empty() {
                println!(
                    "You have no templates of your own; the built-in ones are code_review, \
                     incident_postmortem and api_design_review. Add one with \
                     `switchboard prompts add FILE.toml` (`switchboard prompts --help` shows \
                     the format)."
                );
            }
            for template in &templates {
                let arguments: Vec<String> = template
                    .arguments
                    .iter()
                    .map(|a| {
                        if a.required {
                            a.name.clone()
                        } else {
                            format!("[{}]", a.name)
                        }
                    })
                    .collect();
                println!(
                    "{}({})  {}",
                    template.name,
                    arguments.join(", "),
                    template.description
                );
            }
        }
        PromptsAction::Add { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .replace(' ', "_");
            let template = Template::from_toml(&stem, &text)
                .with_context(|| format!("{} is not a usable template", file.display()))?;
            let saved: Template = client.call(Request::SavePrompt { template }).await?;
            println!(
                "Saved the template \"{}\"; clients that use the prompts server see it now.",
                saved.name
            );
        }
        PromptsAction::Show { name } => {
            let templates: Vec<Template> = client.call(Request::ListPrompts).await?;
            let template = templates
                .into_iter()
                .find(|t| t.name == name)
                .with_context(|| format!("you have no template \"{name}\""))?;
            println!("{}", serde_json::to_string_pretty(&template)?);
        }
        PromptsAction::Remove { name } => {
            let removed: bool = client
                .call(Request::RemovePrompt { name: name.clone() })
                .await?;
            if !removed {
                bail!("you have no template \"{name}\"; `switchboard prompts` lists yours");
            }
            println!("Removed the template \"{name}\".");
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn settings(
    paths: &Paths,
    key: Option<String>,
    value: Option<String>,
) -> anyhow::Result<()> {
    let mut client = client(paths).await?;
    let shown: Vec<Setting> = match (key, value) {
        (Some(key), Some(value)) => {
            // Plain words are taken as text, so `... name Ada` needs no quotes.
            let value = serde_json::from_str(&value).unwrap_or(serde_json::Value::String(value));
            vec![client.call(Request::SetSetting { key, value }).await?]
        }
        (Some(key), None) => {
            let all: Vec<Setting> = client.call(Request::Settings).await?;
            let one = all.into_iter().filter(|s| s.key == key).collect::<Vec<_>>();
            if one.is_empty() {
                bail!("there is no setting \"{key}\"; `switchboard settings` lists them");
            }
            one
        }
        _ => client.call(Request::Settings).await?,
    };
    for setting in &shown {
        let note = if setting.value == setting.default {
            " (default)"
        } else {
            ""
        };
        println!("{} = {}{note}", setting.key, setting.value);
        println!("    {}", setting.description);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn stop(paths: &Paths) -> anyhow::Result<()> {
    let Ok(mut client) = ControlClient::connect(paths, &AutoStart::No).await else {
        println!("Switchboard's daemon is not running.");
        return Ok(());
    };
    let _: bool = client.call(Request::Stop).await?;
    // The daemon closes the connection once every session has ended.
    while client.next_event().await.ok().flatten().is_some() {}
    println!("Stopped Switchboard's daemon and its servers.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_specs_split_at_the_version() {
        assert_eq!(
            split_npm("@modelcontextprotocol/server-everything@2026.8.31"),
            (
                "@modelcontextprotocol/server-everything".into(),
                "2026.8.31".into()
            )
        );
        assert_eq!(
            split_npm("@scope/name"),
            ("@scope/name".into(), String::new())
        );
        assert_eq!(
            split_npm("left-pad@1.0.0"),
            ("left-pad".into(), "1.0.0".into())
        );
        assert_eq!(split_npm("left-pad"), ("left-pad".into(), String::new()));
    }

    #[test]
    fn figures_read_like_a_person_would_say_them() {
        assert_eq!(percent(0.125), "12%");
        assert_eq!(millis(None), "-");
        assert_eq!(millis(Some(0.4321)), "0.43 ms");
        assert_eq!(millis(Some(123.4)), "123 ms");
    }

    #[test]
    fn sizes_read_like_a_person_would_say_them() {
        assert_eq!(bytes(0), "-");
        assert_eq!(bytes(5 * 1024), "5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }
}
