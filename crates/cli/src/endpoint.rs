//! `switchboard http`: the daemon's HTTP endpoint. Turn it on or off, see where it
//! listens, show its bearer token (read from the keychain here, only when asked, for
//! pasting into a client), and rotate it. Thin adapters over the control API.

use std::{net::IpAddr, time::Duration};

use anyhow::{Context, bail};
use switchboard_hub::{HTTP_TOKEN_OWNER, HttpStatus, Paths, Request, Setting, http_token_name};
use switchboard_secrets::Keychain;

use crate::manage::client;

#[allow(clippy::print_stdout)]
pub(crate) async fn status(paths: &Paths) -> anyhow::Result<()> {
    let status: HttpStatus = client(paths).await?.call(Request::HttpStatus).await?;
    print_status(&status);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_status(status: &HttpStatus) {
    match (&status.url, &status.error) {
        (Some(url), _) => {
            println!("The HTTP endpoint is on: {url}");
            println!("  each server:  {url}/servers/<id>/mcp   (Authorization: Bearer <token>)");
            println!("  health:       {url}/health   metrics: {url}/metrics");
            println!(
                "  sessions:     {} with a session, {} stateless pools",
                status.sessions.0, status.sessions.1
            );
            println!(
                "`switchboard http token` shows the token; `switchboard http rotate` replaces it."
            );
        }
        (None, Some(error)) => println!("The HTTP endpoint is on but not serving: {error}"),
        (None, None) if status.enabled => println!("The HTTP endpoint is starting."),
        (None, None) => {
            println!("The HTTP endpoint is off. `switchboard http enable` turns it on.");
        }
    }
}

/// Turns the endpoint on (with a port or address if given) and waits until it listens.
#[allow(clippy::print_stdout)]
pub(crate) async fn enable(
    paths: &Paths,
    port: Option<u16>,
    bind: Option<IpAddr>,
) -> anyhow::Result<()> {
    let mut control = client(paths).await?;
    if let Some(port) = port {
        let _: Setting = control
            .call(Request::SetSetting {
                key: "http.port".into(),
                value: port.into(),
            })
            .await?;
    }
    if let Some(bind) = bind {
        let _: Setting = control
            .call(Request::SetSetting {
                key: "http.bind".into(),
                value: bind.to_string().into(),
            })
            .await?;
    }
    let _: Setting = control
        .call(Request::SetSetting {
            key: "http.enabled".into(),
            value: true.into(),
        })
        .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status: HttpStatus = control.call(Request::HttpStatus).await?;
        if status.url.is_some() || status.error.is_some() {
            print_status(&status);
            if let Some(error) = status.error {
                bail!("the HTTP endpoint could not start: {error}");
            }
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "the HTTP endpoint did not start within 10 seconds; `switchboard status` and the daemon's log say more"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[allow(clippy::print_stdout)]
pub(crate) async fn disable(paths: &Paths) -> anyhow::Result<()> {
    let _: Setting = client(paths)
        .await?
        .call(Request::SetSetting {
            key: "http.enabled".into(),
            value: false.into(),
        })
        .await?;
    println!("The HTTP endpoint is off; clients that used its URL get no answer now.");
    Ok(())
}

/// Prints the token (and nothing else, for scripts) from the keychain.
#[allow(clippy::print_stdout)]
pub(crate) async fn token(paths: &Paths) -> anyhow::Result<()> {
    let status: HttpStatus = client(paths).await?.call(Request::HttpStatus).await?;
    if status.url.is_none() {
        bail!(
            "the HTTP endpoint is not serving, so it has no token yet: `switchboard http enable` \
             turns it on (and creates the token)"
        );
    }
    let keychain = Keychain::platform()?;
    let name = http_token_name(paths);
    let token = tokio::task::spawn_blocking(move || keychain.get(HTTP_TOKEN_OWNER, &name))
        .await
        .context("the keychain could not be reached")??;
    println!("{}", token.expose());
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn rotate(paths: &Paths) -> anyhow::Result<()> {
    let status: HttpStatus = client(paths).await?.call(Request::RotateHttpToken).await?;
    println!(
        "The HTTP endpoint has a new token; the old one is refused from now on. \
         `switchboard http token` shows the new one: update the clients that use the URL."
    );
    if status.url.is_none() {
        println!("(The endpoint is off; the token applies when it is turned on.)");
    }
    Ok(())
}
