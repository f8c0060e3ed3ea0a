//! `switchboard secrets`: store, list and delete a server's secrets. Values go straight
//! from a hidden prompt (or stdin, for scripts) into the OS keychain; the daemon is told
//! only the name, and reads the value itself when it starts the server. A value is never
//! taken from the command line, where other users' `ps` and shell history would see it.

use std::io::{IsTerminal, Read};

use anyhow::{Context, bail};
use switchboard_hub::{Paths, Request, SecretStatus, ServerInfo};
use switchboard_secrets::{Keychain, Sensitive};

use crate::manage::client;

/// Longest value read from stdin, in bytes (the keychain takes at most 2,560).
const MAX_STDIN_BYTES: u64 = 64 * 1024;

#[allow(clippy::print_stdout)]
pub(crate) async fn set(paths: &Paths, server: String, name: String) -> anyhow::Result<()> {
    let mut control = client(paths).await?;
    let _: ServerInfo = control
        .call(Request::GetServer { id: server.clone() })
        .await?;
    let value = read_value(&name)?;
    let keychain = keychain()?;
    let (who, what) = (server.clone(), name.clone());
    let store_name = keychain.store_name();
    tokio::task::spawn_blocking(move || keychain.set(&who, &what, &value))
        .await
        .context("the keychain could not be reached")??;
    control
        .call::<()>(Request::SecretStored {
            server: server.clone(),
            name: name.clone(),
        })
        .await?;
    println!(
        "Stored {name} for \"{server}\" in {store_name}. New sessions of \"{server}\" get it; \
         a client that is connected now gets it when it reconnects."
    );
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn list(paths: &Paths, server: Option<String>) -> anyhow::Result<()> {
    let secrets: Vec<SecretStatus> = client(paths)
        .await?
        .call(Request::Secrets { server })
        .await?;
    if secrets.is_empty() {
        println!(
            "No server needs a secret. `switchboard secrets set SERVER NAME` stores one (the \
             value is asked for, and goes to the keychain)."
        );
    }
    for secret in &secrets {
        let state = if secret.stored {
            "stored in the keychain"
        } else {
            "MISSING: run `switchboard secrets set` for it"
        };
        println!("{}  {}  {state}", secret.server, secret.name);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub(crate) async fn delete(paths: &Paths, server: String, name: String) -> anyhow::Result<()> {
    let mut control = client(paths).await?;
    let keychain = keychain()?;
    let (who, what) = (server.clone(), name.clone());
    let deleted = tokio::task::spawn_blocking(move || keychain.delete(&who, &what))
        .await
        .context("the keychain could not be reached")?;
    let missing = matches!(
        &deleted,
        Err(switchboard_secrets::SecretsError::NotFound { .. })
    );
    if !missing {
        deleted?;
    }
    control
        .call::<()>(Request::SecretDeleted {
            server: server.clone(),
            name: name.clone(),
        })
        .await?;
    if missing {
        println!(
            "The keychain had no {name} for \"{server}\"; \"{server}\" no longer asks for it."
        );
    } else {
        println!("Deleted {name} of \"{server}\" from the keychain.");
    }
    Ok(())
}

fn keychain() -> anyhow::Result<Keychain> {
    Ok(Keychain::platform()?)
}

/// The secret's value: from a hidden prompt on a terminal, or all of stdin otherwise (one
/// trailing newline dropped).
pub(crate) fn read_value(name: &str) -> anyhow::Result<Sensitive<String>> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Value for {name} (typing is hidden): "))
            .context("could not read the value from the terminal")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_STDIN_BYTES)
            .read_to_string(&mut text)
            .context("could not read the value from standard input")?;
        if let Some(stripped) = text.strip_suffix('\n') {
            text.truncate(stripped.strip_suffix('\r').unwrap_or(stripped).len());
        }
        text
    };
    if value.is_empty() {
        bail!("the value is empty: nothing was stored");
    }
    Ok(Sensitive::from(value))
}
