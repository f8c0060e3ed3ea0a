//! Installing a server in one step, and uninstalling it without leaving anything behind.
//!
//! The CLI or the app plans the install (crates/catalog), writes its secrets to the
//! keychain, and sends an [`InstallRequest`]. The daemon then walks the steps of
//! [`InstallStep`], announcing each one as an [`Event::Install`]: check the id and the
//! runtime, register the server switched off, check its secrets are in the keychain,
//! grant its folders, prepare its package (npm or PyPI, into the data folder, so the first
//! client call is not a download), start it once and check it answers the handshake and
//! lists its tools, switch it on, and write the chosen clients' config files. A step that
//! fails undoes what the earlier ones did and says which step failed, with the server's
//! own last stderr lines.
//!
//! Must not: leave a half-installed server, touch another server's secrets, grants or
//! entries, or put a secret anywhere but the server's environment (stderr shown in errors
//! passes the redactor).

use std::{
    collections::VecDeque,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use switchboard_gateway::Event;
use switchboard_runtimes::Runtime;
use switchboard_secrets::SecretsError;
use switchboard_store::{Access, Launch, Source};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::{Hub, Inner, lock, parse_id, upstreams};
use crate::{
    clients::{ClientTarget, ClientsChange},
    control::{ControlError, ErrorCode, ServerInfo},
    packages::{self, Registry},
};

/// How long the first start may take to answer the handshake and list its tools.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(60);
/// How many of the server's last stderr lines a failure shows.
const STDERR_LINES: usize = 20;
/// How many pages of tools/list are read at most.
const TOOL_PAGES: usize = 50;

/// A server to install, planned by the CLI or the app; its secrets are in the keychain
/// already (under `id` and the names in `launch.secrets`), never in the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallRequest {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub launch: Launch,
    /// Folders to grant to this server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderRequest>,
    /// Client files to write its entry into once it works.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub into: Vec<ClientTarget>,
}

/// A folder an install grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRequest {
    pub path: PathBuf,
    pub access: Access,
}

/// The steps of an install, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallStep {
    Check,
    Register,
    Secrets,
    Folders,
    Prepare,
    Verify,
    Enable,
    Clients,
}

impl InstallStep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Register => "register",
            Self::Secrets => "secrets",
            Self::Folders => "folders",
            Self::Prepare => "prepare",
            Self::Verify => "verify",
            Self::Enable => "enable",
            Self::Clients => "clients",
        }
    }
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct InstallReport {
    pub server: ServerInfo,
    /// The tools the server listed when it was started once (empty for a built-in,
    /// which is not started ahead).
    pub tools: Vec<String>,
    /// Where its package was prepared, for an npm or PyPI server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PathBuf>,
    /// The client files written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<ClientsChange>,
}

/// What an uninstall removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct UninstallReport {
    pub id: String,
    pub clients: ClientsChange,
    /// The names of the secrets deleted from the keychain.
    pub secrets: Vec<String>,
    /// How many folder grants went with it.
    pub grants: usize,
    /// Whether a prepared package or unpacked bundle folder was deleted.
    pub files_removed: bool,
}

/// What has to be undone if a later step fails.
#[derive(Default)]
struct Undo {
    registered: bool,
    clients: bool,
}

impl Hub {
    /// Installs a server in one step (see the module documentation).
    #[tracing::instrument(skip_all, fields(server = %request.id), err)]
    pub async fn install(&self, request: InstallRequest) -> Result<InstallReport, ControlError> {
        let id = request.id.clone();
        let server_id = parse_id(&id)?;
        if self.inner.store.server(&server_id).await?.is_some() {
            // Not ours to undo: the installed server keeps everything.
            return Err(failed(
                InstallStep::Check,
                ErrorCode::AlreadyExists,
                format!(
                    "a server called \"{id}\" is installed already; pick another id, or \
                     uninstall it first (`switchboard uninstall {id}`)"
                ),
            ));
        }
        let mut undo = Undo::default();
        match self.install_steps(&request, &mut undo).await {
            Ok(report) => Ok(report),
            Err(error) => {
                self.roll_back(&request, &undo).await;
                Err(error)
            }
        }
    }

    async fn install_steps(
        &self,
        request: &InstallRequest,
        undo: &mut Undo,
    ) -> Result<InstallReport, ControlError> {
        let id = request.id.as_str();
        let server_id = parse_id(id)?;
        let launch = &request.launch;

        self.progress(id, InstallStep::Check, "checking what it needs");
        self.check_runtime(launch)
            .await
            .map_err(|message| failed(InstallStep::Check, ErrorCode::InvalidInput, message))?;
        for folder in &request.folders {
            if !folder.path.is_dir() {
                return Err(failed(
                    InstallStep::Check,
                    ErrorCode::InvalidInput,
                    format!(
                        "{} is not a folder on this computer; choose an existing folder",
                        folder.path.display()
                    ),
                ));
            }
        }

        self.progress(
            id,
            InstallStep::Register,
            "adding it to Switchboard, switched off",
        );
        self.add_server(id, request.name.clone(), launch.clone())
            .await
            .map_err(|e| at(InstallStep::Register, e))?;
        undo.registered = true;
        self.inner
            .store
            .set_server_enabled(&server_id, false)
            .await
            .map_err(|e| at(InstallStep::Register, e.into()))?;
        self.refresh(id)
            .await
            .map_err(|e| at(InstallStep::Register, e))?;

        if !launch.secrets.is_empty() {
            self.progress(
                id,
                InstallStep::Secrets,
                "checking its secrets are in the keychain",
            );
            self.check_secrets(id, &launch.secrets)
                .await
                .map_err(|e| at(InstallStep::Secrets, e))?;
            self.learn_secrets(id).await;
        }

        if !request.folders.is_empty() {
            self.progress(id, InstallStep::Folders, "granting its folders");
            for folder in &request.folders {
                self.grant(&folder.path, folder.access, Some(id))
                    .await
                    .map_err(|e| at(InstallStep::Folders, e))?;
            }
        }

        let package = match prepared_registry(launch) {
            Some((registry, package, version)) => {
                self.progress(
                    id,
                    InstallStep::Prepare,
                    &format!("downloading {package} so the first call is quick"),
                );
                let runtimes = self.inner.runtimes().await;
                let events = self.inner.events.clone();
                let redactor = self.inner.redactor.clone();
                let server = id.to_owned();
                let report = move |line: String| {
                    let _ = events.send(Event::Install {
                        server: server.clone(),
                        step: InstallStep::Prepare.as_str().to_owned(),
                        message: redactor.redact(&line).into_owned(),
                    });
                };
                let program = packages::prepare(
                    &runtimes,
                    &self.inner.paths.packages_dir(),
                    registry,
                    id,
                    package,
                    version,
                    &report,
                )
                .await
                .map_err(|e| {
                    failed(
                        InstallStep::Prepare,
                        ErrorCode::Unavailable,
                        self.inner.redactor.redact(&e.to_string()).into_owned(),
                    )
                })?;
                Some(program)
            }
            None => None,
        };

        let tools = if matches!(launch.source, Source::Builtin { .. }) {
            Vec::new()
        } else {
            self.progress(
                id,
                InstallStep::Verify,
                "starting it once to check it works",
            );
            let tools = verify(&self.inner, id, launch).await?;
            self.progress(
                id,
                InstallStep::Verify,
                &format!("it answered and offers {} tools", tools.len()),
            );
            tools
        };

        self.progress(id, InstallStep::Enable, "switching it on");
        self.set_enabled(id, true)
            .await
            .map_err(|e| at(InstallStep::Enable, e))?;

        let clients = if request.into.is_empty() {
            None
        } else {
            self.progress(id, InstallStep::Clients, "adding it to your apps");
            undo.clients = true;
            Some(
                self.install_server(id, &request.into)
                    .await
                    .map_err(|e| at(InstallStep::Clients, e))?,
            )
        };

        Ok(InstallReport {
            server: self.get_server(id).await?,
            tools,
            package,
            clients,
        })
    }

    /// Undoes a failed install: the client entries it wrote, the server with its grants
    /// and secrets, its prepared package and unpacked bundle.
    async fn roll_back(&self, request: &InstallRequest, undo: &Undo) {
        let id = request.id.as_str();
        if undo.clients
            && let Err(error) = self.uninstall_everywhere(id).await
        {
            tracing::warn!(
                server = id,
                "rolling back the client entries failed: {error}"
            );
        }
        if undo.registered {
            if let Err(error) = self.forget_server(id).await {
                tracing::warn!(server = id, "rolling back the registration failed: {error}");
            }
        } else {
            // The CLI or app stored these for this install just before asking.
            self.forget_secrets(id, request.launch.secrets.clone())
                .await;
            self.remove_files(id, &request.launch);
        }
    }

    /// Uninstalls a server: its entries in every client file, its secrets, its grants,
    /// its prepared package or unpacked bundle, and the server itself. Nothing else.
    #[tracing::instrument(skip(self), err)]
    pub async fn uninstall(&self, id: &str) -> Result<UninstallReport, ControlError> {
        let server_id = parse_id(id)?;
        let record = self
            .inner
            .store
            .server(&server_id)
            .await?
            .ok_or_else(|| super::not_installed(id))?;
        let grants = self.inner.store.grants_for(&server_id).await?.len();
        let files = has_files(&self.inner, id, &record.launch);
        let clients = self.uninstall_everywhere(id).await?;
        self.forget_server(id).await?;
        Ok(UninstallReport {
            id: id.to_owned(),
            clients,
            secrets: record.launch.secrets,
            grants,
            files_removed: files,
        })
    }

    /// Deletes the package prepared for `id` and, for a bundle, its unpacked folder (only
    /// when it is inside Switchboard's bundles folder).
    pub(super) fn remove_files(&self, id: &str, launch: &Launch) {
        packages::remove(&self.inner.paths.packages_dir(), id);
        if let Some(dir) = own_bundle_dir(&self.inner, launch)
            && let Err(error) = std::fs::remove_dir_all(&dir)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(server = id, "could not delete {}: {error}", dir.display());
        }
    }

    fn progress(&self, server: &str, step: InstallStep, message: &str) {
        tracing::info!(server, step = step.as_str(), "{message}");
        let _ = self.inner.events.send(Event::Install {
            server: server.to_owned(),
            step: step.as_str().to_owned(),
            message: message.to_owned(),
        });
    }

    /// Whether the program the server needs is on this computer; if not, exactly what to
    /// install.
    async fn check_runtime(&self, launch: &Launch) -> Result<(), String> {
        let runtimes = self.inner.runtimes().await;
        let needs = |runtime: Runtime| match runtimes.launch_command(runtime, &[] as &[&str]) {
            Ok(_) => Ok(()),
            Err(_) => Err(format!(
                "it needs {}, which is not installed: {}",
                runtime.name(),
                runtime.install_advice(runtimes.os())
            )),
        };
        match &launch.source {
            Source::Builtin { .. } => Ok(()),
            Source::Npm { .. } => needs(Runtime::Node),
            Source::Pypi { .. } => needs(Runtime::Python),
            Source::Oci { .. } => needs(Runtime::Docker),
            Source::Command { command, .. } | Source::Bundle { command, .. } => {
                match command.parse::<Runtime>() {
                    Ok(runtime) => needs(runtime),
                    Err(_) => runtimes
                        .resolve_command(command, &[] as &[&str])
                        .map(|_| ())
                        .map_err(|_| {
                            format!(
                                "its command \"{command}\" was not found on this computer; \
                                 install it, or give its full path"
                            )
                        }),
                }
            }
        }
    }

    async fn check_secrets(&self, id: &str, names: &[String]) -> Result<(), ControlError> {
        let keychain = self
            .inner
            .keychain()
            .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))?;
        let owned = (id.to_owned(), names.to_vec());
        let read = tokio::task::spawn_blocking(move || {
            keychain
                .environment(&owned.0, &owned.1)
                .map(|env| env.len())
        })
        .await
        .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))?;
        match read {
            Ok(_) => Ok(()),
            Err(SecretsError::Missing { names, .. }) => Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "the keychain has no {} for \"{id}\"; enter it when installing",
                    names.join(", ")
                ),
            )),
            Err(other) => Err(ControlError::new(ErrorCode::Unavailable, other.to_string())),
        }
    }
}

/// The npm or PyPI package to prepare ahead, if the server is one.
fn prepared_registry(launch: &Launch) -> Option<(Registry, &str, &str)> {
    match &launch.source {
        Source::Npm {
            package, version, ..
        } => Some((Registry::Npm, package, version)),
        Source::Pypi {
            package, version, ..
        } => Some((Registry::Pypi, package, version)),
        _ => None,
    }
}

/// A bundle's folder, when it is one Switchboard unpacked (inside its bundles folder).
fn own_bundle_dir(inner: &Inner, launch: &Launch) -> Option<PathBuf> {
    let Source::Bundle { path, .. } = &launch.source else {
        return None;
    };
    let path = Path::new(path);
    let bundles = inner.paths.bundles_dir();
    (path.parent() == Some(bundles.as_path())).then(|| path.to_owned())
}

fn has_files(inner: &Inner, id: &str, launch: &Launch) -> bool {
    let packages = inner.paths.packages_dir();
    let prepared = [Registry::Npm, Registry::Pypi]
        .into_iter()
        .any(|registry| packages::folder(&packages, registry, id).exists());
    prepared || own_bundle_dir(inner, launch).is_some_and(|dir| dir.exists())
}

/// Starts the server once, speaks the handshake and lists its tools, then stops it. A
/// failure carries the server's last stderr lines (redacted).
async fn verify(
    inner: &Arc<Inner>,
    id: &str,
    launch: &Launch,
) -> Result<Vec<String>, ControlError> {
    let mut running = upstreams::spawn(inner, id, launch).await.map_err(|e| {
        failed(
            InstallStep::Verify,
            ErrorCode::Unavailable,
            format!("it could not be started: {}", e.message),
        )
    })?;
    let tail: Arc<Mutex<VecDeque<String>>> = Arc::default();
    let reader = running.stderr.take().map(|stderr| {
        let tail = Arc::clone(&tail);
        let redactor = inner.redactor.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).split(b'\n');
            while let Ok(Some(line)) = lines.next_segment().await {
                let mut kept = lock(&tail);
                kept.push_back(redactor.redact_stderr_line(&line));
                if kept.len() > STDERR_LINES {
                    kept.pop_front();
                }
            }
        })
    });
    let (Some(stdin), Some(stdout)) = (running.stdin.take(), running.stdout.take()) else {
        running.kill_now();
        return Err(failed(
            InstallStep::Verify,
            ErrorCode::Unavailable,
            "it started without a stdin or stdout to talk to".to_owned(),
        ));
    };
    let answered = tokio::time::timeout(VERIFY_TIMEOUT, handshake(stdin, stdout)).await;
    running.stop(Duration::from_secs(2)).await;
    if let Some(reader) = reader {
        let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
    }
    let problem = match answered {
        Ok(Ok(tools)) => return Ok(tools),
        // A server may repeat a secret it was given (a key in an error message).
        Ok(Err(problem)) => inner.redactor.redact(&problem).into_owned(),
        Err(_) => format!(
            "it did not answer the handshake and list its tools within {} seconds",
            VERIFY_TIMEOUT.as_secs()
        ),
    };
    let tail: Vec<String> = lock(&tail).iter().cloned().collect();
    let output = if tail.is_empty() {
        " It printed nothing on stderr.".to_owned()
    } else {
        format!(" Its last output:\n{}", tail.join("\n"))
    };
    Err(failed(
        InstallStep::Verify,
        ErrorCode::Unavailable,
        format!("{problem}.{output}"),
    ))
}

/// initialize → notifications/initialized → tools/list (every page): the tools' names.
async fn handshake(
    mut stdin: impl tokio::io::AsyncWrite + Unpin,
    stdout: impl tokio::io::AsyncRead + Unpin,
) -> Result<Vec<String>, String> {
    let mut lines = BufReader::new(stdout).lines();
    let mut send = async |message: Value| -> Result<(), String> {
        let mut line = message.to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|_| "it closed its input during the handshake".to_owned())
    };
    send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "switchboard-install-check", "version": env!("CARGO_PKG_VERSION")},
        },
    }))
    .await?;
    let initialized = answer(&mut lines, 1).await?;
    if initialized.pointer("/capabilities/tools").is_none() {
        return Ok(Vec::new());
    }
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await?;
    let mut tools = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..TOOL_PAGES {
        let id = 2 + page as u64;
        let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
        send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": params})).await?;
        let listed = answer(&mut lines, id).await?;
        tools.extend(
            listed["tools"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|tool| tool["name"].as_str().map(str::to_owned)),
        );
        match listed["nextCursor"].as_str() {
            Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
            _ => break,
        }
    }
    Ok(tools)
}

/// Reads lines until the response to `id`; notifications and requests from the server are
/// passed over.
async fn answer(
    lines: &mut tokio::io::Lines<BufReader<impl tokio::io::AsyncRead + Unpin>>,
    id: u64,
) -> Result<Value, String> {
    loop {
        let Some(line) = lines
            .next_line()
            .await
            .map_err(|e| format!("its output could not be read: {e}"))?
        else {
            return Err("it exited during the handshake".to_owned());
        };
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = serde_json::from_str(&line).map_err(|_| {
            "it wrote something that is not JSON-RPC on stdout (MCP clients would fail on \
             it too)"
                .to_owned()
        })?;
        if message["id"].as_u64() != Some(id) {
            continue;
        }
        if let Some(error) = message.get("error") {
            return Err(format!(
                "it refused: {}",
                error["message"].as_str().unwrap_or("no reason given")
            ));
        }
        return Ok(message.get("result").cloned().unwrap_or(Value::Null));
    }
}

/// An error of `step`, saying which step it was.
fn failed(step: InstallStep, code: ErrorCode, message: impl std::fmt::Display) -> ControlError {
    ControlError::new(
        code,
        format!("the install stopped at \"{}\": {message}", step.as_str()),
    )
}

fn at(step: InstallStep, error: ControlError) -> ControlError {
    failed(step, error.code, error.message)
}
