//! `switchboard serve`: one built-in server, standalone, over stdio or loopback HTTP.
//!
//! Owns: the list of built-in servers the CLI can serve, and the two ways of serving one.
//! Must not: touch the store or any client's files; a standalone server is just a server.

use std::net::SocketAddr;

use anyhow::Context;
use clap::ValueEnum;
use rmcp::{ServerHandler, ServiceExt, transport::stdio_pipes};
use server_calc::CalcServer;
use server_clock::ClockServer;

use crate::stdio::LineTransport;

/// The built-in servers `serve` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Builtin {
    /// The current time in any IANA time zone, and converting times between zones.
    Clock,
    /// Safe arithmetic: + - * / % ^, parentheses, sqrt, round, trigonometry and more.
    Calc,
}

/// Options for the servers that take any.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerOptions {
    /// The clock's local zone; the system's when `None`.
    pub(crate) timezone: Option<String>,
}

/// Serves `builtin` on stdin/stdout until the client closes stdin.
pub(crate) async fn stdio(builtin: Builtin, options: &ServerOptions) -> anyhow::Result<()> {
    match builtin {
        Builtin::Clock => stdio_with(clock(options)?).await,
        Builtin::Calc => stdio_with(CalcServer::default()).await,
    }
}

/// Serves `builtin` over Streamable HTTP at `http://ADDR/mcp` until interrupted. Prints the
/// URL on stdout once it is listening.
pub(crate) async fn http(
    builtin: Builtin,
    addr: SocketAddr,
    options: &ServerOptions,
) -> anyhow::Result<()> {
    match builtin {
        Builtin::Clock => crate::http::serve(clock(options)?, addr).await,
        Builtin::Calc => crate::http::serve(CalcServer::default(), addr).await,
    }
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

async fn stdio_with<S: ServerHandler>(server: S) -> anyhow::Result<()> {
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
        };
        let error = clock(&options).unwrap_err();
        assert!(
            format!("{error:#}").contains("Unknown time zone"),
            "{error:#}"
        );
    }
}
