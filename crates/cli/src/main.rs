//! `switchboard`: the command line of Switchboard.
//!
//! Owns: argument parsing, logging set-up and turning errors into plain messages and exit
//! codes. Each subcommand is a thin adapter over a library crate; nothing here decides
//! policy.

mod clients;
mod doctor;
mod endpoint;
mod http;
mod install;
mod manage;
mod rejection;
mod secrets;
mod serve;
mod stdio;

use std::{ffi::OsString, net::SocketAddr, path::PathBuf, process::ExitCode};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use switchboard_gateway::recorder::CallLines;
use switchboard_hub::{
    AutoStart, ClientTarget, DaemonOptions, Outcome, Paths, installer::InstallSource,
};
use switchboard_secrets::{RedactingMakeWriter, Redactor};
use tracing_subscriber::EnvFilter;

use crate::{
    manage::What,
    serve::{Builtin, ServerOptions},
};

/// Switchboard manages the MCP tool servers that Claude Desktop, Cursor and other AI apps
/// use on this computer.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, propagate_version = true)]
struct Cli {
    /// Where Switchboard keeps its database and data [default: the OS data folder, such as
    /// ~/.local/share/switchboard].
    #[arg(long, global = true, env = "SWITCHBOARD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Log more to stderr (-v: info, -vv: debug). RUST_LOG overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

// `defer`: a subcommand's arguments are built only when it is the one run. `serve` and
// `connect` start for every client session, and building all 20 subcommands' arguments was a
// fifth of their start-up.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
enum Command {
    /// Serve a built-in MCP server on stdin/stdout (what MCP clients launch), or over
    /// Streamable HTTP on this computer with --http.
    #[command(after_help = "Examples:\n  \
        switchboard serve clock\n  \
        switchboard serve calc --http 127.0.0.1:8931\n  \
        switchboard serve files --allow ~/Documents --allow ~/Pictures:ro\n  \
        POSTGRES_SHOP=postgres://me@localhost/shop switchboard serve sql --allow ~/data\n\n\
        Claude Desktop and Cursor entry:\n  \
        \"clock\": { \"command\": \"/path/to/switchboard\", \"args\": [\"serve\", \"clock\"] }\n\n\
        Installed through the daemon instead (`switchboard connect`), files, sql and notes \
        use the folders granted with `switchboard grant`.")]
    Serve {
        /// Which built-in server.
        #[arg(value_enum)]
        server: Builtin,

        /// Serve over Streamable HTTP at http://ADDR/mcp instead of stdio. Loopback only;
        /// port 0 picks a free port. The URL is printed on stdout.
        #[arg(long, value_name = "ADDR")]
        http: Option<SocketAddr>,

        /// The local time zone for `clock` (an IANA name such as Europe/Warsaw)
        /// [default: the system's].
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,

        /// A folder `files`, `sql` and `notes` may use: read-write, or read-only with a
        /// `:ro` suffix. Repeat for more folders.
        #[arg(long, value_name = "PATH[:ro]", value_parser = parse_allow)]
        allow: Vec<server_files::sandbox::Folder>,

        /// Let `fetch` reach this computer and the local network (refused by default).
        #[arg(long)]
        allow_private_addresses: bool,

        /// The search index file for `notes` [default: one per set of folders, in the data
        /// folder's cache].
        #[arg(long, value_name = "FILE")]
        index: Option<PathBuf>,
    },

    /// Give an MCP client one installed server through Switchboard (this is the command
    /// client config entries run). Starts the daemon if it is not running.
    #[command(after_help = "Claude Desktop and Cursor entry:\n  \
        \"github\": { \"command\": \"/path/to/switchboard\", \"args\": [\"connect\", \"github\"] }\n\n\
        One entry for every server switched on (tools named <server>__<tool>):\n  \
        \"switchboard\": { \"command\": \"/path/to/switchboard\", \"args\": [\"connect\", \"--all\"] }")]
    Connect {
        /// The installed server's id, as `switchboard list` shows it.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        server: Option<String>,
        /// Every server switched on, in one MCP server whose tools are named
        /// <server>__<tool> (for clients that prefer one entry).
        #[arg(long)]
        all: bool,
    },

    /// Serve a remote MCP server (Streamable HTTP, at an https:// address) over stdio: the
    /// relay an install from an address runs. Secret headers come from environment
    /// variables, never from the command line.
    #[command(after_help = "Example:\n  \
        API_TOKEN=… switchboard remote https://mcp.example.com/mcp --header-env 'Authorization=API_TOKEN'\n  \
        MCP_ADDRESS=… switchboard remote --url-env MCP_ADDRESS")]
    Remote {
        /// The server's address: https://, or http:// on this computer only.
        #[arg(required_unless_present = "url_env")]
        url: Option<String>,
        /// Read the address from the environment variable VARIABLE instead: for an address
        /// that carries a key, kept in the keychain (`add --secret`).
        #[arg(long = "url-env", value_name = "VARIABLE", conflicts_with = "url")]
        url_env: Option<String>,
        /// A header with a plain value (not for secrets).
        #[arg(long = "header", value_name = "NAME=VALUE", value_parser = parse_env)]
        headers: Vec<(String, String)>,
        /// A header whose value is the environment variable VARIABLE's.
        #[arg(long = "header-env", value_name = "NAME=VARIABLE", value_parser = parse_env)]
        header_env: Vec<(String, String)>,
    },

    /// Run Switchboard's daemon in the foreground (it usually starts by itself).
    Daemon,

    /// List the installed servers with their state.
    List,

    /// Install a server: a built-in, an npm or PyPI package, or any command.
    #[command(after_help = "Examples:\n  \
        switchboard add clock --builtin clock\n  \
        switchboard add everything --npm @modelcontextprotocol/server-everything\n  \
        switchboard add time --pypi mcp-server-time\n  \
        switchboard add mine -- node /path/to/server.js --flag")]
    Add {
        /// The id clients use for it: letters, digits, '_' and '-', up to 64.
        id: String,
        /// The name shown to people [default: the id].
        #[arg(long)]
        name: Option<String>,
        /// An environment variable for the server, KEY=VALUE (not for secrets).
        #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
        env: Vec<(String, String)>,
        /// A secret the server needs in its environment, by NAME only; store its value with
        /// `switchboard secrets set`.
        #[arg(long = "secret", value_name = "NAME")]
        secrets: Vec<String>,
        #[command(flatten)]
        what: AddWhat,
    },

    /// Uninstall a server (its entries in MCP clients' files go too).
    Remove { id: String },

    /// Show the MCP clients on this computer and the servers in each of their files.
    Clients,

    /// Install a server in one step, from the catalog, an MCP Bundle file or a command
    /// line: it is checked, downloaded ahead, started once to see that it works, switched
    /// on, and (with --into) added to MCP clients. For an installed server, --into only
    /// adds it to clients.
    #[command(after_help = "Examples:\n  \
        switchboard install github --into claude-desktop\n  \
        switchboard install filesystem --set path=/home/me/Documents\n  \
        switchboard install ./weather.mcpb --into cursor\n  \
        switchboard install --id mine -- npx -y some-mcp-server@1.2.3\n  \
        switchboard install clock --into claude-desktop,cursor\n  \
        switchboard install notes --into cursor:project=/home/me/app\n\n\
        Secrets are asked for at a hidden prompt (or read as KEY=VALUE lines from stdin) \
        and go to the keychain; never pass them with --set.\n\n\
        Clients: claude-desktop, cursor, vscode, windsurf, claude-code, lm-studio, cline, \
        codex, gemini, zed. Nothing else in a client's file changes; the old file is kept \
        as a backup beside it.")]
    Install {
        /// A catalog id (`switchboard catalog`), a .mcpb file, an installed server's id, or
        /// a remote server's address (https://…, Streamable HTTP; run through
        /// `switchboard remote`). `-` reads an address with a key in it from a hidden
        /// prompt or stdin, and keeps it in the keychain.
        #[arg(required_unless_present = "command")]
        source: Option<String>,
        /// The id to install it under [default: the catalog's, made unique].
        #[arg(long)]
        id: Option<String>,
        /// Answer one of its settings (see `switchboard catalog show ID`); not for secrets.
        #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_env)]
        sets: Vec<(String, String)>,
        /// The clients, comma-separated; CLIENT:project=/abs/path (or :local=) for a
        /// project's file.
        #[arg(long, value_name = "CLIENTS", value_parser = clients::parse_targets)]
        into: Vec<ClientTargets>,
        /// A command line to install instead (after --).
        #[arg(last = true, conflicts_with = "source")]
        command: Vec<String>,
    },

    /// Uninstall a server: its entries in clients, its secrets, its folder grants and its
    /// downloaded files go. With --from, only take its entries out of those clients.
    Uninstall {
        id: String,
        /// The clients, comma-separated (only their entries are taken out).
        #[arg(long, value_name = "CLIENTS", value_parser = clients::parse_targets)]
        from: Vec<ClientTargets>,
    },

    /// Browse the catalog of servers to install.
    Catalog {
        #[command(subcommand)]
        action: Option<CatalogAction>,
    },

    /// Take over the servers you configured by hand in a client: each becomes a
    /// Switchboard server (secrets moved into the keychain) and its entry runs through
    /// Switchboard.
    Import {
        /// The client, such as claude-desktop (CLIENT:project=/abs/path for a project's file).
        #[arg(value_parser = clients::parse_target)]
        client: ClientTarget,
    },

    /// Switch a server on: clients see its tools at once.
    Enable { id: String },

    /// Switch a server off: its tools disappear from clients at once.
    Disable { id: String },

    /// Restart a server's processes; connected clients keep their sessions.
    Restart { id: String },

    /// Show or change which tools of a server are switched off.
    Tools {
        server: String,
        /// Switch this tool on again.
        #[arg(long, value_name = "TOOL")]
        enable: Vec<String>,
        /// Switch this tool off.
        #[arg(long, value_name = "TOOL")]
        disable: Vec<String>,
    },

    /// Show the daemon and every server's state, sessions, restarts, CPU and memory, and
    /// its calls in the last five minutes (per minute, errors, median and p95 latency).
    Status,

    /// Show recent calls clients made through Switchboard.
    Logs {
        /// Keep showing calls as they happen.
        #[arg(short, long)]
        follow: bool,
        /// Only calls to this server.
        #[arg(long)]
        server: Option<String>,
        /// How many recent calls to show.
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: u32,
    },

    /// Let servers use a folder (read only unless --read-write).
    Grant {
        path: PathBuf,
        /// Allow changes too.
        #[arg(long)]
        read_write: bool,
        /// Only for this server [default: every server].
        #[arg(long)]
        server: Option<String>,
    },

    /// List granted folders.
    Grants {
        /// Only those that apply to this server.
        #[arg(long)]
        server: Option<String>,
    },

    /// Take back a folder grant (by its number, as `switchboard grants` shows it).
    Revoke { id: i64 },

    /// Store, list or delete servers' secrets (tokens, passwords) in the OS keychain.
    #[command(after_help = "Examples:\n  \
        switchboard secrets set github GITHUB_TOKEN     (asks for the value, hidden)\n  \
        printf %s \"$TOKEN\" | switchboard secrets set github GITHUB_TOKEN\n  \
        switchboard secrets list\n\n\
        A value is never accepted on the command line.")]
    Secrets {
        #[command(subcommand)]
        action: Option<SecretsAction>,
    },

    /// Show, add or remove your own prompt templates (served by the `prompts` server).
    #[command(after_help = "A template is a TOML file:\n\n  \
        description = \"Turns notes into a stand-up update\"\n\n  \
        [[arguments]]\n  name = \"notes\"\n  description = \"What happened yesterday\"\n  \
        required = true\n\n  \
        [[messages]]\n  role = \"user\"\n  text = \"Write my stand-up from: {{notes}}\"\n\n\
        {{name}} is replaced by the argument; {{#name}}...{{/name}} is kept only when the \
        argument is given.")]
    Prompts {
        #[command(subcommand)]
        action: Option<PromptsAction>,
    },

    /// Show the settings, or change one: `switchboard settings KEY VALUE`.
    Settings {
        /// The setting to show or change.
        key: Option<String>,
        /// The new value (JSON: true, 30, "text").
        value: Option<String>,
    },

    /// The daemon's HTTP endpoint: every installed server over Streamable HTTP, for
    /// clients that take a URL, with /health and /metrics.
    #[command(after_help = "Examples:\n  \
        switchboard http enable                 (127.0.0.1:8931)\n  \
        switchboard http enable --port 0        (any free port)\n  \
        switchboard http token                  (prints the bearer token, for pasting)\n  \
        switchboard http rotate                 (a new token; the old one stops working)\n\n\
        A client entry that takes a URL (Cursor, VS Code, Claude Code):\n  \
        { \"url\": \"http://127.0.0.1:8931/servers/clock/mcp\",\n    \
        \"headers\": { \"Authorization\": \"Bearer <token>\" } }")]
    Http {
        #[command(subcommand)]
        action: Option<HttpAction>,
    },

    /// Stop the daemon and every server it runs.
    Stop,

    /// Check Switchboard's set-up on this computer (data, daemon, keychain, runtimes,
    /// MCP clients) and say what to fix.
    Doctor,

    /// (internal) Run a server process under Switchboard's supervision.
    #[command(name = "__shim", hide = true)]
    Shim {
        daemon: u32,
        #[arg(last = true, required = true)]
        command: Vec<OsString>,
    },
}

#[derive(Debug, Subcommand)]
enum SecretsAction {
    /// Store a secret: the value is asked for (hidden), or read from stdin.
    Set { server: String, name: String },
    /// List the secrets servers need (names only) and whether they are stored.
    List { server: Option<String> },
    /// Delete a secret from the keychain.
    Delete { server: String, name: String },
}

#[derive(Debug, Subcommand)]
enum HttpAction {
    /// Whether the endpoint is on, and its URLs.
    Status,
    /// Turn the endpoint on (it stays on across restarts).
    Enable {
        /// The port [default: the http.port setting, 8931]; 0 picks a free one.
        #[arg(long)]
        port: Option<u16>,
        /// The address to listen on [default: the http.bind setting, 127.0.0.1]. Any other
        /// address makes the endpoint reachable from other computers (still with the token).
        #[arg(long)]
        bind: Option<std::net::IpAddr>,
    },
    /// Turn the endpoint off.
    Disable,
    /// Print the bearer token (from the keychain) for pasting into a client.
    Token,
    /// Replace the token; the old one is refused at once.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum PromptsAction {
    /// List your templates.
    List,
    /// Add a template from a TOML file, named after the file unless it says `name = ...`.
    Add { file: PathBuf },
    /// Show one template as stored.
    Show { name: String },
    /// Remove one of your templates.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
enum CatalogAction {
    /// Find servers by words in their name, description or keywords.
    Search {
        text: Vec<String>,
        /// Only this category (files, developer, databases, search, web, …).
        #[arg(long)]
        category: Option<String>,
    },
    /// What a server does and what its install asks.
    Show { id: String },
    /// Add the servers of an MCP Registry (read-only; kept for offline use). Without a
    /// URL, reads the registry set last again.
    Refresh {
        /// Such as https://registry.modelcontextprotocol.io
        url: Option<String>,
    },
    /// Forget the registry: back to the catalog shipped with Switchboard.
    Forget,
}

/// A comma-separated list of client files, as one argument.
type ClientTargets = Vec<ClientTarget>;

// What `add` installs: exactly one of these. (A plain comment: a doc comment here would
// become `add`'s about text, because `add`'s arguments are built after it.)
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct AddWhat {
    /// A server built into Switchboard: clock, calc, files, fetch, sql, notes or prompts.
    #[arg(long, value_name = "NAME")]
    builtin: Option<String>,
    /// An npm package, run with npx: NAME or NAME@VERSION.
    #[arg(long, value_name = "PACKAGE")]
    npm: Option<String>,
    /// A PyPI package, run with uvx: NAME or NAME==VERSION.
    #[arg(long, value_name = "PACKAGE")]
    pypi: Option<String>,
    /// Any command, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

impl AddWhat {
    fn into_what(self) -> What {
        if let Some(name) = self.builtin {
            What::Builtin(name)
        } else if let Some(spec) = self.npm {
            What::Npm(spec)
        } else if let Some(spec) = self.pypi {
            What::Pypi(spec)
        } else {
            What::Command(self.command)
        }
    }
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("\"{text}\" is not KEY=VALUE")),
    }
}

fn parse_allow(text: &str) -> Result<server_files::sandbox::Folder, String> {
    server_files::sandbox::Folder::parse_allow(text).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Shim { daemon, command } = &cli.command {
        return shim(*daemon, command);
    }
    // One redactor for the whole process: the daemon teaches it every secret it hands a
    // server, and every log line passes through it.
    let redactor = Redactor::new();
    // A stdio server or bridge has one client: one thread serves it with the least memory
    // and start-up time. The daemon and HTTP serving get a small thread pool.
    let many_peers = matches!(
        cli.command,
        Command::Daemon | Command::Serve { http: Some(_), .. }
    );
    // Before init_logging, whose file writer is the first thread.
    if many_peers {
        one_malloc_arena();
    }
    let log_dir = match cli.command {
        Command::Daemon => Paths::resolve(cli.data_dir.clone())
            .ok()
            .map(|paths| paths.log_dir()),
        _ => None,
    };
    let (_log_guard, call_lines) = init_logging(cli.verbose, redactor.clone(), log_dir);
    let mut builder = if many_peers {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::new(error).context("could not start")),
    };
    match runtime.block_on(run(cli, redactor, call_lines)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// glibc gives each thread that allocates an arena of its own, and every arena keeps what
/// was freed in it: for the daemon's few threads (the runtime's, the store's, the log's)
/// that was half a MiB of its idle memory. They share one; the threads seldom allocate at
/// the same moment, and each keeps a small cache of its own in front of it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn one_malloc_arena() {
    use std::ffi::c_int;
    /// glibc's `M_ARENA_MAX` (malloc.h).
    const M_ARENA_MAX: c_int = -8;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // SAFETY: `mallopt` is glibc's, declared as malloc.h does; it sets one of the
    // allocator's parameters under the allocator's own lock and touches no memory of ours.
    unsafe {
        mallopt(M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}

#[cfg(unix)]
fn shim(daemon: u32, command: &[OsString]) -> ExitCode {
    match command.split_first() {
        Some((program, args)) => switchboard_supervisor::shim::run(daemon, program, args),
        None => ExitCode::from(2),
    }
}

#[cfg(not(unix))]
fn shim(_daemon: u32, _command: &[OsString]) -> ExitCode {
    ExitCode::from(2)
}

async fn run(cli: Cli, redactor: Redactor, call_lines: Option<CallLines>) -> anyhow::Result<()> {
    let paths = || Paths::resolve(cli.data_dir.clone()).map_err(anyhow::Error::from);
    match cli.command {
        Command::Serve {
            server,
            http,
            timezone,
            allow,
            allow_private_addresses,
            index,
        } => {
            let options = ServerOptions {
                timezone,
                allow,
                allow_private_addresses,
                index,
                cache_dir: paths().ok().map(|p| p.cache_dir()),
            };
            match http {
                Some(addr) => serve::http(server, addr, &options).await,
                None => serve::stdio(server, &options).await,
            }
        }
        Command::Connect { server, all } => {
            let exe = std::env::current_exe().context("cannot find the switchboard executable")?;
            let server = match server {
                Some(server) if !all => server,
                _ => switchboard_hub::bridge::AGGREGATE.to_owned(),
            };
            let autostart = AutoStart::With(exe);
            switchboard_hub::bridge::run(
                &paths()?,
                &server,
                &autostart,
                rmcp::transport::stdio_pipes,
            )
            .await;
            Ok(())
        }
        Command::Remote {
            url,
            url_env,
            headers,
            header_env,
        } => {
            // clap asks for one of the two.
            let url = match url {
                Some(url) => url,
                None => {
                    let variable = url_env.unwrap_or_default();
                    match std::env::var_os(&variable).map(OsString::into_string) {
                        Some(Ok(url)) => url,
                        Some(Err(_)) => anyhow::bail!(
                            "the environment variable {variable} (the server's address) is not \
                             valid text"
                        ),
                        None => anyhow::bail!(
                            "the environment variable {variable} (the server's address) is not set"
                        ),
                    }
                }
            };
            let options =
                switchboard_hub::remote::RemoteOptions::new(&url, &headers, &header_env, |name| {
                    std::env::var(name).ok()
                })?;
            switchboard_hub::remote::relay(options, tokio::io::stdin(), tokio::io::stdout())
                .await?;
            Ok(())
        }
        Command::Daemon => daemon(paths()?, redactor, call_lines).await,
        Command::List => manage::list(&paths()?).await,
        Command::Add {
            id,
            name,
            env,
            secrets,
            what,
        } => manage::add(&paths()?, id, name, env, secrets, what.into_what()).await,
        Command::Remove { id } => manage::remove(&paths()?, id).await,
        Command::Clients => clients::list(&paths()?).await,
        Command::Install {
            source,
            id,
            sets,
            into,
            command,
        } => {
            let into: Vec<ClientTarget> = into.into_iter().flatten().collect();
            let source = match source {
                Some(text) => install::source(&text)?,
                None => InstallSource::Command(command),
            };
            install::install(&paths()?, source, id, sets, into).await
        }
        Command::Uninstall { id, from } => {
            let from: Vec<ClientTarget> = from.into_iter().flatten().collect();
            if from.is_empty() {
                install::uninstall(&paths()?, id).await
            } else {
                clients::uninstall(&paths()?, id, Some(from)).await
            }
        }
        Command::Catalog { action } => match action {
            None => install::catalog(&paths()?, "", None).await,
            Some(CatalogAction::Search { text, category }) => {
                install::catalog(&paths()?, &text.join(" "), category.as_deref()).await
            }
            Some(CatalogAction::Show { id }) => install::show(&paths()?, &id).await,
            Some(CatalogAction::Refresh { url }) => install::refresh(&paths()?, url).await,
            Some(CatalogAction::Forget) => install::forget(&paths()?).await,
        },
        Command::Import { client } => clients::import(&paths()?, client).await,
        Command::Enable { id } => manage::set_enabled(&paths()?, id, true).await,
        Command::Disable { id } => manage::set_enabled(&paths()?, id, false).await,
        Command::Restart { id } => manage::restart(&paths()?, id).await,
        Command::Tools {
            server,
            enable,
            disable,
        } => manage::tools(&paths()?, server, enable, disable).await,
        Command::Status => manage::status(&paths()?).await,
        Command::Logs {
            follow,
            server,
            limit,
        } => manage::logs(&paths()?, server, limit, follow).await,
        Command::Grant {
            path,
            read_write,
            server,
        } => manage::grant(&paths()?, path, read_write, server).await,
        Command::Grants { server } => manage::grants(&paths()?, server).await,
        Command::Revoke { id } => manage::revoke(&paths()?, id).await,
        Command::Secrets { action } => match action.unwrap_or(SecretsAction::List { server: None })
        {
            SecretsAction::Set { server, name } => secrets::set(&paths()?, server, name).await,
            SecretsAction::List { server } => secrets::list(&paths()?, server).await,
            SecretsAction::Delete { server, name } => {
                secrets::delete(&paths()?, server, name).await
            }
        },
        Command::Prompts { action } => {
            manage::prompts(&paths()?, action.unwrap_or(PromptsAction::List)).await
        }
        Command::Settings { key, value } => manage::settings(&paths()?, key, value).await,
        Command::Http { action } => match action.unwrap_or(HttpAction::Status) {
            HttpAction::Status => endpoint::status(&paths()?).await,
            HttpAction::Enable { port, bind } => endpoint::enable(&paths()?, port, bind).await,
            HttpAction::Disable => endpoint::disable(&paths()?).await,
            HttpAction::Token => endpoint::token(&paths()?).await,
            HttpAction::Rotate => endpoint::rotate(&paths()?).await,
        },
        Command::Stop => manage::stop(&paths()?).await,
        Command::Doctor => doctor::run(&paths()?).await,
        Command::Shim { .. } => Ok(()),
    }
}

#[allow(clippy::print_stdout)]
async fn daemon(
    paths: Paths,
    redactor: Redactor,
    call_lines: Option<CallLines>,
) -> anyhow::Result<()> {
    #[cfg(unix)]
    let launcher = switchboard_supervisor::Launcher::with_shim(
        std::env::current_exe().context("cannot find the switchboard executable")?,
        vec![OsString::from("__shim")],
    );
    #[cfg(not(unix))]
    let launcher = switchboard_supervisor::Launcher::direct();
    let options = DaemonOptions {
        paths,
        launcher,
        session: switchboard_gateway::SessionConfig::default(),
        redactor,
        switchboard_exe: std::env::current_exe()
            .context("cannot find the switchboard executable")?,
        call_lines,
    };
    match switchboard_hub::daemon::run(options).await? {
        Outcome::Stopped => Ok(()),
        Outcome::AlreadyRunning { pid } => {
            match pid {
                Some(pid) => println!("Switchboard's daemon is already running (pid {pid})."),
                None => println!("Switchboard's daemon is already running."),
            }
            Ok(())
        }
    }
}

/// Logs go to stderr (stdout carries the MCP protocol), every line scrubbed of the secrets
/// `redactor` knows. The daemon also writes JSON lines to a file in `log_dir`, rotated
/// daily, the last [`LOG_FILES_KEPT`] kept: its own events, and every call with its tool,
/// duration_ms and status (written by the call recorder through the returned
/// [`CallLines`], a batch of calls at a time). The returned guard flushes the file when
/// dropped.
fn init_logging(
    verbose: u8,
    redactor: Redactor,
    log_dir: Option<PathBuf>,
) -> (
    Option<tracing_appender::non_blocking::WorkerGuard>,
    Option<CallLines>,
) {
    use tracing_subscriber::{
        Layer, fmt::MakeWriter, layer::SubscriberExt, util::SubscriberInitExt,
    };
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(RedactingMakeWriter::new(std::io::stderr, redactor.clone()))
        .with_ansi(false)
        .with_filter(filter);
    let (file, guard, call_lines) = match log_dir.map(|dir| daemon_log_file(&dir)) {
        Some(Ok(appender)) => {
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_LINES_BUFFERED)
                .finish(appender);
            let file_filter =
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
            let calls_writer = RedactingMakeWriter::new(writer.clone(), redactor.clone());
            let call_lines = calls_logged().then(|| {
                CallLines::new(move |lines| {
                    use std::io::Write;
                    // Redacted and handed to the file's thread when dropped.
                    let _ = calls_writer.make_writer().write_all(lines);
                })
            });
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_writer(RedactingMakeWriter::new(writer, redactor))
                .with_filter(file_filter);
            (Some(layer), Some(guard), call_lines)
        }
        Some(Err(error)) => {
            eprintln!("warning: the daemon's log file cannot be written: {error:#}");
            (None, None, None)
        }
        None => (None, None, None),
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .init();
    (guard, call_lines)
}

/// Whether `RUST_LOG` (default `info`) lets the file have a line per call (target
/// `switchboard::calls`, level info). Decided once: the recorder writes those lines itself,
/// a batch at a time.
fn calls_logged() -> bool {
    calls_logged_by(std::env::var("RUST_LOG").ok().as_deref())
}

fn calls_logged_by(rust_log: Option<&str>) -> bool {
    use tracing_subscriber::filter::Targets;
    let Some(directives) = rust_log else {
        return true;
    };
    // `EnvFilter` skips empty pieces (`info,`); `Targets` would read one as `error`.
    let directives: Vec<&str> = directives
        .split(',')
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .collect();
    directives
        .join(",")
        .parse::<Targets>()
        // What `Targets` cannot read (span or field filters) keeps the default.
        .map_or(true, |targets| {
            targets.would_enable("switchboard::calls", &tracing::Level::INFO)
        })
}

/// Log lines held for the file writer's thread. The channel is allocated whole up front
/// (32 bytes a line): the library's default (128,000 lines) cost the idle daemon 4 MiB. The
/// call log's lines come a batch of calls to a line (see `CallLines`), so bursts are short;
/// past this many lines waiting, new lines are dropped rather than slow a call (every call
/// is also in the store's call log).
const LOG_LINES_BUFFERED: usize = 1024;

/// Daily log files kept before the oldest is deleted.
const LOG_FILES_KEPT: usize = 14;

fn daemon_log_file(
    dir: &std::path::Path,
) -> anyhow::Result<tracing_appender::rolling::RollingFileAppender> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("switchboard-daemon")
        .filename_suffix("jsonl")
        .max_log_files(LOG_FILES_KEPT)
        .build(dir)
        .with_context(|| format!("cannot open a log file in {}", dir.display()))
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn rust_log_decides_whether_calls_are_logged_as_for_any_line() {
        for (rust_log, logged) in [
            (None, true),
            (Some("info"), true),
            (Some("debug"), true),
            (Some("info,"), true),
            (Some("info,hyper=warn"), true),
            (Some("switchboard=debug"), true),
            (Some("warn"), false),
            (Some(""), false),
            (Some("info,switchboard::calls=off"), false),
        ] {
            assert_eq!(super::calls_logged_by(rust_log), logged, "{rust_log:?}");
        }
    }

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_keeps_its_own_description_once_built() {
        // Subcommands are deferred: their arguments are added after their description, so a
        // flattened struct's doc comment would replace it (it once did, for `add`).
        let listed: Vec<(String, Option<String>)> = Cli::command()
            .get_subcommands()
            .map(|sub| {
                let about = sub.get_about().map(ToString::to_string);
                (sub.get_name().to_owned(), about)
            })
            .collect();
        let mut built = Cli::command();
        built.build();
        for (name, about) in listed {
            let sub = built.find_subcommand(&name).map(|sub| sub.get_about());
            assert_eq!(sub.flatten().map(ToString::to_string), about, "{name}");
        }
    }
}
