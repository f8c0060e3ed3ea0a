//! Turning an installed server into a running upstream for one session: a built-in served
//! in-process, or a process tree started through the supervisor with its command resolved
//! the way a GUI app must (absolute paths from runtime discovery, not the daemon's PATH)
//! and its secrets read from the keychain into that child's environment only.
//!
//! Must not: put a secret anywhere but the child's environment (never its arguments), or
//! log one; the redactor learns every value it hands out.

use std::{ffi::OsString, sync::Arc};

use switchboard_gateway::{Opening, Upstream, UpstreamError, Upstreams};
use switchboard_runtimes::{LaunchCommand, Runtime};
use switchboard_secrets::{SecretEnv, SecretsError};
use switchboard_store::{Launch, Source};
use switchboard_supervisor::{ChildSpec, Running};

use super::{Inner, lock};
use crate::builtins::Assignment;

/// Starts servers for sessions, from the launch the hub last read from the store.
pub(super) struct HubUpstreams {
    pub(super) hub: std::sync::Weak<Inner>,
}

impl Upstreams for HubUpstreams {
    fn open<'a>(&'a self, server: &'a str) -> Opening<'a> {
        Box::pin(async move {
            let inner = self
                .hub
                .upgrade()
                .ok_or_else(|| UpstreamError::new("Switchboard is shutting down"))?;
            let (launch, folders) = lock(&inner.servers)
                .get(server)
                .and_then(|entry| Some((entry.launch.clone()?, entry.folders.clone())))
                .ok_or_else(|| {
                    UpstreamError::new(format!("no server called \"{server}\" is installed"))
                })?;
            if let Source::Builtin { name } = &launch.source {
                return inner.builtins.open(&Assignment {
                    id: server,
                    builtin: name,
                    folders: &folders,
                    env: &launch.env,
                });
            }
            Upstream::process(spawn(&inner, server, &launch).await?)
        })
    }
}

/// Starts `server`'s process tree through the supervisor: its command resolved, its
/// secrets from the keychain in its environment.
pub(super) async fn spawn(
    inner: &Arc<Inner>,
    server: &str,
    launch: &Launch,
) -> Result<Running, UpstreamError> {
    let secrets = secrets_for(inner, server, &launch.secrets).await?;
    let runtimes = inner.runtimes().await;
    let command = command_for(&runtimes, &inner.paths.packages_dir(), server, launch)?;
    let spec = child_spec(launch, &command, &secrets);
    inner
        .launcher
        .spawn(&spec)
        .map_err(|e| UpstreamError::new(e.to_string()))
}

/// Reads `server`'s secrets from the keychain (off the async threads), and teaches the
/// redactor their values.
async fn secrets_for(
    inner: &Arc<Inner>,
    server: &str,
    names: &[String],
) -> Result<SecretEnv, UpstreamError> {
    if names.is_empty() {
        return Ok(SecretEnv::default());
    }
    let keychain = inner.keychain().map_err(|e| refusal(server, &e))?;
    let owned = (server.to_owned(), names.to_vec());
    let env = tokio::task::spawn_blocking(move || keychain.environment(&owned.0, &owned.1))
        .await
        .map_err(|e| UpstreamError::new(format!("could not read the keychain: {e}")))?
        .map_err(|e| refusal(server, &e))?;
    inner.redactor.set_source(server, env.values());
    Ok(env)
}

fn refusal(server: &str, error: &SecretsError) -> UpstreamError {
    match error {
        SecretsError::Missing { names, .. } => UpstreamError::permanent(format!(
            "it needs {} from the keychain, and it is not set: run `switchboard secrets set \
             {server} {}` (or enter it in the Switchboard app)",
            names.join(", "),
            names.first().map_or("NAME", String::as_str)
        )),
        other => UpstreamError::permanent(format!("its secrets could not be read: {other}")),
    }
}

/// What to run for `launch`, with absolute paths from runtime discovery: a package
/// prepared in `packages` runs from there (offline, at once); otherwise npx or uvx fetch it.
fn command_for(
    runtimes: &switchboard_runtimes::Runtimes,
    packages: &std::path::Path,
    server: &str,
    launch: &Launch,
) -> Result<LaunchCommand, UpstreamError> {
    let prepared = |registry, package: &str| {
        crate::packages::prepared_program(packages, registry, server, package)
    };
    let command = match &launch.source {
        Source::Command { command, args } => runtimes.resolve_command(command, args),
        Source::Npm { package, args, .. }
            if let Some(script) = prepared(crate::packages::Registry::Npm, package) =>
        {
            let mut all = vec![script.into_os_string()];
            all.extend(args.iter().map(OsString::from));
            runtimes.launch_command(Runtime::Node, &all)
        }
        Source::Pypi { package, args, .. }
            if let Some(script) = prepared(crate::packages::Registry::Pypi, package) =>
        {
            // Run by the environment's own python: a script's `#!` line names the folder
            // the environment was made in, before it was moved into place.
            let python = script.with_file_name("python");
            let mut all = vec![script.into_os_string()];
            all.extend(args.iter().map(OsString::from));
            runtimes.resolve_command(&python.to_string_lossy(), &all)
        }
        Source::Npm {
            package,
            version,
            args,
        } => {
            let mut all = vec!["-y".to_owned(), versioned(package, "@", version)];
            all.extend(args.iter().cloned());
            runtimes.launch_command(Runtime::Npx, &all)
        }
        Source::Pypi {
            package,
            version,
            args,
        } => {
            let mut all = vec![versioned(package, "==", version)];
            all.extend(args.iter().cloned());
            runtimes.launch_command(Runtime::Uvx, &all)
        }
        Source::Oci { image, args } => {
            // Settings and secrets are passed by name (`-e NAME`): their values travel in
            // the environment, never on docker's command line.
            let mut all = vec!["run".to_owned(), "-i".to_owned(), "--rm".to_owned()];
            for name in launch.env.keys().chain(launch.secrets.iter()) {
                all.push("-e".to_owned());
                all.push(name.clone());
            }
            all.push(image.clone());
            all.extend(args.iter().cloned());
            runtimes.launch_command(Runtime::Docker, &all)
        }
        Source::Bundle { command, args, .. } => runtimes.resolve_command(command, args),
        Source::Builtin { .. } => {
            return Err(UpstreamError::new("a built-in server runs in-process"));
        }
    };
    command.map_err(|e| UpstreamError::permanent(e.to_string()))
}

/// The child: the resolved command, the server's plain settings, its secrets, and a PATH
/// that finds the runtime it was resolved against.
fn child_spec(launch: &Launch, command: &LaunchCommand, secrets: &SecretEnv) -> ChildSpec {
    let mut spec = ChildSpec::new(command.program.clone()).args(command.args.clone());
    spec.env = launch.env.clone();
    if let Source::Bundle { path, .. } = &launch.source {
        spec.cwd = Some(path.into());
    }
    let path: OsString = command.path_value(std::env::var_os("PATH").as_deref());
    spec.env
        .insert("PATH".to_owned(), path.to_string_lossy().into_owned());
    for (name, value) in secrets.expose_pairs() {
        spec.env.insert(name.to_owned(), value.to_owned());
    }
    spec
}

fn versioned(package: &str, separator: &str, version: &str) -> String {
    if version.is_empty() {
        package.to_owned()
    } else {
        format!("{package}{separator}{version}")
    }
}
