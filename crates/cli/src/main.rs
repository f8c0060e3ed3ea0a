//! `switchboard`: the command line of Switchboard.
//!
//! Owns: argument parsing, logging set-up and turning errors into plain messages and exit
//! codes. Each subcommand is a thin adapter over a library crate; nothing here decides
//! policy.

mod doctor;
mod http;
mod rejection;
mod serve;
mod stdio;

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::serve::{Builtin, ServerOptions};

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

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a built-in MCP server on stdin/stdout (what MCP clients launch), or over
    /// Streamable HTTP on this computer with --http.
    #[command(after_help = "Examples:\n  \
        switchboard serve clock\n  \
        switchboard serve calc --http 127.0.0.1:8931\n\n\
        Claude Desktop and Cursor entry:\n  \
        \"clock\": { \"command\": \"/path/to/switchboard\", \"args\": [\"serve\", \"clock\"] }")]
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
    },

    /// Check Switchboard's set-up on this computer and say what to fix.
    Doctor,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    // A stdio server has one client: one thread serves it with the least memory and start-up
    // time. Everything else gets a small thread pool.
    let one_client = matches!(cli.command, Command::Serve { http: None, .. });
    let mut builder = if one_client {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::new(error).context("could not start")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            server,
            http,
            timezone,
        } => {
            let options = ServerOptions { timezone };
            match http {
                Some(addr) => serve::http(server, addr, &options).await,
                None => serve::stdio(server, &options).await,
            }
        }
        Command::Doctor => doctor::run(cli.data_dir).await,
    }
}

/// Logs go to stderr only: stdout carries the MCP protocol.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}
