//! `switchboard serve`: one built-in server, standalone, over stdio or loopback HTTP.
//!
//! Owns: the list of built-in servers the CLI can serve, turning the command line into each
//! server's configuration, and the two ways of serving one. Must not: touch the store or
//! any client's files; a standalone server is just a server, with the folders given by
//! `--allow` instead of the store's grants.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, sync::Arc};

use anyhow::Context;
use clap::ValueEnum;
use rmcp::{RoleServer, ServiceExt, service::DynService, transport::stdio_pipes};
use server_calc::CalcServer;
use server_clock::ClockServer;
use server_files::sandbox::{self, Folder, Folders};
use switchboard_hub::builtins::{SandboxedDatabases, postgres_databases};

use crate::stdio::LineTransport;

/// The built-in servers `serve` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Builtin {
    /// The current time in any IANA time zone, and converting times between zones.
    Clock,
    /// Safe arithmetic: + - * / % ^, parentheses, sqrt, round, trigonometry and more.
    Calc,
    /// Files in the folders given with --allow: read, write, edit, search, move.
    Files,
    /// Fetch web pages as Markdown, text or JSON (private addresses refused by default).
    Fetch,
    /// SQL over SQLite files in the --allow folders, and PostgreSQL databases named by
    /// POSTGRES_<NAME> environment variables.
    Sql,
    /// A knowledge base over the Markdown and text notes in the --allow folders.
    Notes,
    /// Prompt templates: code review, incident postmortem, API design review.
    Prompts,
}

/// Options for the servers that take any.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerOptions {
    /// The clock's local zone; the system's when `None`.
    pub(crate) timezone: Option<String>,
    /// Folders for files, sql and notes.
    pub(crate) allow: Vec<Folder>,
    /// Let fetch reach this computer and the local network.
    pub(crate) allow_private_addresses: bool,
    /// Where notes keeps its index.
    pub(crate) index: Option<PathBuf>,
    /// The folder for caches, when `index` is not given.
    pub(crate) cache_dir: Option<PathBuf>,
}

/// Builds the server and hands it to `serve`, whatever its type.
macro_rules! with_server {
    ($builtin:expr, $options:expr, |$server:ident| $serve:expr) => {
        match $builtin {
            Builtin::Clock => {
                let $server = clock($options)?;
                $serve
            }
            Builtin::Calc => {
                let $server = CalcServer::default();
                $serve
            }
            Builtin::Files => {
                let $server = server_files::FilesServer::new(
                    folders($options, "files")?,
                    server_files::Limits::default(),
                );
                $serve
            }
            Builtin::Fetch => {
                let $server = fetch($options)?;
                $serve
            }
            Builtin::Sql => {
                let $server = sql($options)?;
                $serve
            }
            Builtin::Notes => {
                let (base, $server) = notes($options)?;
                let outcome = $serve;
                base.shutdown();
                outcome
            }
            Builtin::Prompts => {
                let $server = server_prompts::PromptsServer::default();
                $serve
            }
        }
    };
}

/// Serves `builtin` on stdin/stdout until the client closes stdin.
pub(crate) async fn stdio(builtin: Builtin, options: &ServerOptions) -> anyhow::Result<()> {
    with_server!(builtin, options, |server| stdio_with(server.into_dyn())
        .await)
}

/// Serves `builtin` over Streamable HTTP at `http://ADDR/mcp` until interrupted. Prints the
/// URL on stdout once it is listening.
pub(crate) async fn http(
    builtin: Builtin,
    addr: SocketAddr,
    options: &ServerOptions,
) -> anyhow::Result<()> {
    with_server!(builtin, options, |server| crate::http::serve(server, addr)
        .await)
}

fn clock(options: &ServerOptions) -> anyhow::Result<ClockServer> {
    let name = options
        .timezone
        .clone()
        .or_else(server_clock::local_zone_name);
    match name {
        Some(name) => server_clock::lookup_zone(&name)
            .map(ClockServer::new)
            .with_context(|| format!("--timezone {name} is not a time zone")),
        None => Ok(ClockServer::utc()),
    }
}

/// The `--allow` folders, which must exist.
fn folders(options: &ServerOptions, server: &str) -> anyhow::Result<Folders> {
    if options.allow.is_empty() {
        tracing::warn!(
            "serving {server} with no folder: give one with --allow PATH (read-write) or \
             --allow PATH:ro (read-only)"
        );
    }
    for folder in &options.allow {
        anyhow::ensure!(
            folder.path.is_dir(),
            "--allow {}: there is no such folder",
            folder.path.display()
        );
    }
    Ok(Folders::new(options.allow.clone()))
}

fn fetch(options: &ServerOptions) -> anyhow::Result<server_fetch::FetchServer> {
    let config = server_fetch::FetchConfig {
        allow_private_addresses: options.allow_private_addresses,
        ..server_fetch::FetchConfig::default()
    };
    server_fetch::FetchServer::new(config).context("could not prepare fetching")
}

fn sql(options: &ServerOptions) -> anyhow::Result<server_sql::SqlServer> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let mut config =
        server_sql::SqlConfig::new(Arc::new(SandboxedDatabases(folders(options, "sql")?)));
    for (name, connection) in postgres_databases(&env) {
        config = config.with_postgres(server_sql::PostgresDatabase::new(name, connection));
    }
    Ok(server_sql::SqlServer::new(config))
}

fn notes(
    options: &ServerOptions,
) -> anyhow::Result<(server_notes::KnowledgeBase, server_notes::NotesServer)> {
    let folders: Vec<server_notes::NotesFolder> = folders(options, "notes")?
        .snapshot()
        .iter()
        .map(|folder| server_notes::NotesFolder {
            path: folder.path.clone(),
            writable: folder.access == sandbox::Access::ReadWrite,
        })
        .collect();
    let index = match (&options.index, &options.cache_dir) {
        (Some(index), _) => index.clone(),
        (None, Some(cache)) => cache.join("notes").join(standalone_index_name(&folders)),
        (None, None) => anyhow::bail!("no folder for the notes index: pass --index FILE"),
    };
    let base = server_notes::KnowledgeBase::open(index.clone(), folders)
        .with_context(|| format!("could not open the notes index {}", index.display()))?;
    let server = server_notes::NotesServer::new(base.clone());
    Ok((base, server))
}

/// An index file name of its own for each set of folders, so that standalone servers over
/// different folders never share (or fight over) an index.
fn standalone_index_name(folders: &[server_notes::NotesFolder]) -> String {
    // FNV-1a: stable across runs and platforms, unlike the standard hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for folder in folders {
        for byte in folder
            .path
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .chain(b"\0")
        {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("serve-{hash:016x}.db")
}

/// Serves one client on stdin/stdout. The server comes boxed (`into_dyn`), so that rmcp's
/// session loop is compiled once for all of them.
async fn stdio_with(server: Box<dyn DynService<RoleServer>>) -> anyhow::Result<()> {
    let (stdin, stdout) = stdio_pipes();
    let running = server
        .serve(LineTransport::new(stdin, stdout))
        .await
        .context("the client did not complete the MCP handshake")?;
    running
        .waiting()
        .await
        .context("the session ended abnormally")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_timezone_option_is_a_clear_error() {
        let options = ServerOptions {
            timezone: Some("Mars/Base".into()),
            ..ServerOptions::default()
        };
        let error = clock(&options).unwrap_err();
        assert!(
            format!("{error:#}").contains("Unknown time zone"),
            "{error:#}"
        );
    }

    #[test]
    fn a_missing_allow_folder_is_a_clear_error() {
        let options = ServerOptions {
            allow: vec![Folder::parse_allow("/no/such/folder:ro").unwrap()],
            ..ServerOptions::default()
        };
        let error = folders(&options, "files").unwrap_err();
        assert_eq!(
            error.to_string(),
            "--allow /no/such/folder: there is no such folder"
        );
    }

    #[test]
    fn standalone_notes_indexes_differ_by_folder() {
        let a = [server_notes::NotesFolder::writable("/a")];
        let b = [server_notes::NotesFolder::writable("/b")];
        assert_ne!(standalone_index_name(&a), standalone_index_name(&b));
        assert_eq!(standalone_index_name(&a), standalone_index_name(&a));
    }
}
