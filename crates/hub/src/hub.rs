//! The hub: the daemon's state and every operation of the control API, composed from the
//! store (what is installed), the supervisor (how processes start) and the gateway (the
//! sessions). Each operation changes the store, then republishes the server's policy so
//! that open sessions follow at once. It also keeps the call figures and prunes the call log.

use std::{
    collections::HashMap,
    path::Path,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

pub(crate) mod http;
mod install;
mod registry;
mod secrets;
mod upstreams;

pub use http::{
    HttpSettings, HttpStatus, TOKEN_OWNER as HTTP_TOKEN_OWNER, token_name as http_token_name,
};
pub use install::{FolderRequest, InstallReport, InstallRequest, InstallStep, UninstallReport};
pub use registry::{RegistryListing, RegistryReport};
pub use secrets::SecretStatus;

use switchboard_gateway::{
    Availability, Event, Events, Recorder, Root, Runtimes, ServerPolicy, ServerPulse, ServerStats,
    SessionConfig, SessionContext, ToolView,
    lines::LineReader,
    session,
    stats::{BUCKET_MS, SERIES_BUCKETS},
};
use switchboard_secrets::{Keychain, Redactor, SecretsError};
use switchboard_store::{
    Access, CallQuery, Grant, Launch, ServerId, Source, SqlWrite, Store, StoredCall, now_ms,
};
use switchboard_supervisor::{Launcher, TreeSampler, TreeUsage};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use server_files::sandbox::Folders;
use server_prompts::Template;

use crate::{
    builtins::{self, BuiltinState},
    clients::{ClientFiles, ClientsOptions},
    control::{ControlError, DaemonStatus, ErrorCode, ServerInfo},
    paths::Paths,
    settings::{self, Setting},
};

/// The setting that records that the built-in servers were installed once (so that a
/// user who removes one does not get it back).
const BUILTINS_INSTALLED: &str = "builtins_installed";

/// A cheap handle on the daemon's state.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("data_dir", &self.inner.paths.data_dir)
            .finish_non_exhaustive()
    }
}

struct Inner {
    store: Store,
    paths: Paths,
    recorder: Recorder,
    runtimes: Runtimes,
    events: Events,
    launcher: Launcher,
    session_config: SessionConfig,
    servers: Mutex<HashMap<String, Entry>>,
    usage: Mutex<HashMap<String, TreeUsage>>,
    builtins: BuiltinState,
    /// Scrubs every secret the daemon hands out from the call log, stderr and logs.
    redactor: Redactor,
    /// The OS keychain, opened on first need (a missing or locked one is an error then,
    /// with what to do, not at start).
    keychain: Mutex<Option<Keychain>>,
    /// Where node, npx, uvx, python and docker are, found once in the background.
    discovered: tokio::sync::OnceCell<Arc<switchboard_runtimes::Runtimes>>,
    clients: ClientFiles,
    started_at: i64,
    shutdown: CancellationToken,
    next_session: AtomicU64,
    /// The HTTP endpoint's token (set from the keychain when the endpoint starts).
    http_credentials: Arc<switchboard_gateway::http::guard::Credentials>,
    /// The endpoint's settings, followed live by its listener.
    http_settings: watch::Sender<HttpSettings>,
    /// Where the endpoint listens, or why it does not.
    http_endpoint: Mutex<http::Endpoint>,
    /// The daemon process's own CPU and memory.
    own_usage: Mutex<TreeUsage>,
    /// The aggregate server, once something asked for it.
    aggregate: Mutex<Option<switchboard_gateway::aggregate::Aggregate>>,
}

/// What the hub keeps per server for its sessions.
struct Entry {
    policy: watch::Sender<ServerPolicy>,
    launch: Option<Launch>,
    /// The server's folder grants, for the built-in servers that read files.
    folders: Folders,
    /// How many times the user restarted it (see `ServerPolicy::generation`).
    generation: u64,
}

impl Entry {
    fn new(policy: ServerPolicy) -> Self {
        Self {
            policy: watch::channel(policy).0,
            launch: None,
            folders: Folders::default(),
            generation: 0,
        }
    }
}

impl Hub {
    pub fn new(
        store: Store,
        paths: Paths,
        launcher: Launcher,
        session_config: SessionConfig,
        redactor: Redactor,
        clients: ClientsOptions,
    ) -> Self {
        let events = switchboard_gateway::events::channel();
        let builtins = BuiltinState::new(store.clone(), &paths.cache_dir());
        Self {
            inner: Arc::new(Inner {
                store,
                paths,
                recorder: Recorder::new(redactor.clone()),
                runtimes: Runtimes::new(events.clone()),
                events,
                launcher,
                session_config,
                servers: Mutex::new(HashMap::new()),
                usage: Mutex::new(HashMap::new()),
                builtins,
                redactor,
                keychain: Mutex::new(None),
                discovered: tokio::sync::OnceCell::new(),
                clients: ClientFiles::new(clients),
                started_at: now_ms(),
                shutdown: CancellationToken::new(),
                next_session: AtomicU64::new(1),
                http_credentials: Arc::default(),
                http_settings: watch::channel(HttpSettings::default()).0,
                http_endpoint: Mutex::new(http::Endpoint::default()),
                own_usage: Mutex::new(TreeUsage::default()),
                aggregate: Mutex::new(None),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn recorder(&self) -> &Recorder {
        &self.inner.recorder
    }

    pub fn events(&self) -> &Events {
        &self.inner.events
    }

    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// The part of the hub that manages MCP clients' config files.
    pub(crate) fn client_files(&self) -> &ClientFiles {
        &self.inner.clients
    }

    /// The daemon's keychain handle, opened on first use (import moves secrets into it).
    pub(crate) fn keychain(&self) -> Result<Keychain, switchboard_secrets::SecretsError> {
        self.inner.keychain()
    }

    /// A fresh session id.
    pub fn next_session_id(&self) -> u64 {
        self.inner.next_session.fetch_add(1, Ordering::Relaxed)
    }

    /// What every session of this daemon shares.
    pub fn session_context(&self) -> SessionContext {
        SessionContext {
            upstreams: Arc::new(upstreams::HubUpstreams {
                hub: Arc::downgrade(&self.inner),
            }),
            recorder: self.inner.recorder.clone(),
            runtimes: self.inner.runtimes.clone(),
            config: self.inner.session_config.clone(),
            shutdown: self.inner.shutdown.clone(),
            redactor: self.inner.redactor.clone(),
        }
    }

    /// Gets the daemon's state ready: the built-in servers installed (the first time only),
    /// the settings applied, the prompts server's view filled in.
    pub async fn prepare(&self) -> Result<(), ControlError> {
        self.install_builtins_once().await?;
        self.apply_settings().await?;
        self.seed_stats().await?;
        self.refresh_library().await?;
        // Every installed server's policy, so that the HTTP endpoint and /metrics know
        // them before any session asks.
        for record in self.inner.store.servers().await? {
            self.refresh(record.id.as_str()).await?;
        }
        // Find the runtimes before the first npm or PyPI session needs them.
        let inner = self.inner.clone();
        tokio::spawn(async move {
            inner.runtimes().await;
        });
        // Know every secret before the first call could echo one.
        let hub = self.clone();
        tokio::spawn(async move { hub.learn_all_secrets().await });
        Ok(())
    }

    /// Fills the call figures from the log, so that charts survive a daemon restart.
    async fn seed_stats(&self) -> Result<(), ControlError> {
        /// Enough calls for ten minutes at a brisk pace; beyond, the figures start short.
        const MOST: u32 = 100_000;
        let since = now_ms() - BUCKET_MS * SERIES_BUCKETS as i64;
        let mut samples = self.inner.store.call_samples(since, MOST).await?;
        samples.reverse();
        self.inner.recorder.stats().add(&samples);
        Ok(())
    }

    /// Stops what the built-in servers run in the background.
    pub fn shutdown_builtins(&self) {
        self.inner.builtins.shutdown();
    }

    /// Installs the built-in servers the first time a daemon runs on this data folder.
    pub async fn install_builtins_once(&self) -> Result<(), ControlError> {
        let store = &self.inner.store;
        if store.setting::<bool>(BUILTINS_INSTALLED).await? == Some(true) {
            return Ok(());
        }
        for builtin in builtins::BUILTINS {
            let id: ServerId = builtin.name.parse().map_err(invalid)?;
            if store.server(&id).await?.is_none() {
                let launch = Launch::new(Source::Builtin {
                    name: builtin.name.to_owned(),
                });
                store.upsert_server(&id, builtin.title, &launch).await?;
            }
        }
        store.set_setting(BUILTINS_INSTALLED, &true).await?;
        Ok(())
    }

    /// The live policy of server `id`, for a new session.
    pub async fn policy(&self, id: &str) -> watch::Receiver<ServerPolicy> {
        if let Err(error) = self.refresh(id).await {
            tracing::warn!(server = id, %error, "could not read the server's policy");
        }
        let mut servers = lock(&self.inner.servers);
        servers
            .entry(id.to_owned())
            .or_insert_with(|| Entry::new(unknown()))
            .policy
            .subscribe()
    }

    /// Reads server `id` from the store and republishes its policy.
    async fn refresh(&self, id: &str) -> Result<(), ControlError> {
        let store = &self.inner.store;
        let (mut policy, launch, grants) = match id.parse::<ServerId>() {
            Err(_) => (unknown(), None, Vec::new()),
            Ok(server_id) => match store.server(&server_id).await? {
                None => (unknown(), None, Vec::new()),
                Some(record) => {
                    let grants = store.grants_for(&server_id).await?;
                    let roots = grants
                        .iter()
                        .map(|grant| Root::for_path(&grant.path))
                        .collect();
                    let policy = ServerPolicy {
                        availability: if record.enabled {
                            Availability::On
                        } else {
                            Availability::Off
                        },
                        disabled_tools: store.disabled_tools(&server_id).await?,
                        roots,
                        generation: 0,
                        revision: revision(&record.launch),
                    };
                    (policy, Some(record.launch), grants)
                }
            },
        };
        let mut servers = lock(&self.inner.servers);
        let entry = servers
            .entry(id.to_owned())
            .or_insert_with(|| Entry::new(policy.clone()));
        entry.launch = launch;
        policy.generation = entry.generation;
        let folders = builtins::sandbox_folders(&grants);
        if *entry.folders.snapshot() != *folders {
            entry.folders.replace(folders);
            self.inner.builtins.grants_changed(id, &entry.folders);
        }
        entry.policy.send_if_modified(|current| {
            let changed = *current != policy;
            *current = policy;
            changed
        });
        Ok(())
    }

    fn announce(&self, id: &str) {
        let _ = self.inner.events.send(Event::ServerChanged {
            server: id.to_owned(),
        });
    }

    pub async fn status(&self) -> Result<DaemonStatus, ControlError> {
        let servers = self.inner.store.servers().await?.len();
        let sessions = self.inner.runtimes.pids().len();
        Ok(DaemonStatus {
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.inner.paths.data_dir.clone(),
            started_at: self.inner.started_at,
            servers,
            sessions,
            exe: self.inner.clients.binary().to_owned(),
        })
    }

    pub async fn list_servers(&self) -> Result<Vec<ServerInfo>, ControlError> {
        let mut infos = Vec::new();
        for record in self.inner.store.servers().await? {
            infos.push(self.info(record).await?);
        }
        Ok(infos)
    }

    pub async fn get_server(&self, id: &str) -> Result<ServerInfo, ControlError> {
        let record = self
            .inner
            .store
            .server(&parse_id(id)?)
            .await?
            .ok_or_else(|| not_installed(id))?;
        self.info(record).await
    }

    async fn info(
        &self,
        record: switchboard_store::ServerRecord,
    ) -> Result<ServerInfo, ControlError> {
        let id = record.id.to_string();
        let disabled_tools = self.inner.store.disabled_tools(&record.id).await?;
        let usage = lock(&self.inner.usage)
            .get(&id)
            .copied()
            .unwrap_or_default();
        Ok(ServerInfo {
            stats: self.inner.recorder.stats().stats(&id, now_ms()),
            runtime: self.inner.runtimes.view(&id),
            id,
            name: record.name,
            enabled: record.enabled,
            launch: record.launch,
            disabled_tools: disabled_tools.into_iter().collect(),
            usage,
        })
    }

    pub async fn add_server(
        &self,
        id: &str,
        name: Option<String>,
        launch: Launch,
    ) -> Result<ServerInfo, ControlError> {
        let server_id = parse_id(id)?;
        if id == http::TOKEN_OWNER {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!("\"{id}\" is reserved for Switchboard itself; pick another id"),
            ));
        }
        if self.inner.store.server(&server_id).await?.is_some() {
            return Err(ControlError::new(
                ErrorCode::AlreadyExists,
                format!(
                    "a server called \"{id}\" is installed already; remove it first or pick another id"
                ),
            ));
        }
        if let Source::Builtin { name } = &launch.source
            && !builtins::BUILTINS.iter().any(|b| b.name == name)
        {
            let known: Vec<&str> = builtins::BUILTINS.iter().map(|b| b.name).collect();
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "there is no built-in server \"{name}\"; the built-in servers are: {}",
                    known.join(", ")
                ),
            ));
        }
        let name = name.unwrap_or_else(|| id.to_owned());
        self.inner
            .store
            .upsert_server(&server_id, &name, &launch)
            .await?;
        self.refresh(id).await?;
        self.announce(id);
        self.refresh_library().await?;
        self.get_server(id).await
    }

    /// Removes a server: first its entries from every client file Switchboard put them
    /// in (a file that cannot be changed keeps its entry until it can, and the daemon
    /// logs it), then the server.
    pub async fn remove_server(&self, id: &str) -> Result<bool, ControlError> {
        parse_id(id)?;
        self.uninstall_everywhere(id).await?;
        self.forget_server(id).await
    }

    /// Removes a server from the registry only (with its secrets in the keychain, its grants,
    /// and its prepared package or unpacked bundle).
    pub(crate) async fn forget_server(&self, id: &str) -> Result<bool, ControlError> {
        let server_id = parse_id(id)?;
        let launch = self
            .inner
            .store
            .server(&server_id)
            .await?
            .map(|record| record.launch);
        let removed = self.inner.store.remove_server(&server_id).await?;
        if let Some(launch) = launch {
            self.forget_secrets(id, launch.secrets.clone()).await;
            self.remove_files(id, &launch);
        }
        self.inner.builtins.forget(id);
        self.inner.recorder.stats().forget(id);
        self.inner.runtimes.forget(id);
        self.refresh(id).await?;
        self.announce(id);
        self.refresh_library().await?;
        Ok(removed)
    }

    pub async fn set_enabled(&self, id: &str, enabled: bool) -> Result<ServerInfo, ControlError> {
        self.inner
            .store
            .set_server_enabled(&parse_id(id)?, enabled)
            .await?;
        if enabled {
            self.inner.runtimes.reset(id);
        }
        self.refresh(id).await?;
        self.announce(id);
        self.refresh_library().await?;
        self.get_server(id).await
    }

    /// Restarts a server: every open session stops its process (or in-process instance)
    /// and starts a fresh one, replaying the client's handshake, so clients keep working.
    /// Also clears a crash loop. Returns how many sessions were restarted; with none, there
    /// is nothing running to restart.
    pub async fn restart_server(&self, id: &str) -> Result<usize, ControlError> {
        let info = self.get_server(id).await?;
        if !info.enabled {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "\"{id}\" is switched off, so there is nothing to restart; switch it on \
                     (`switchboard enable {id}`) and it starts when a client connects"
                ),
            ));
        }
        let sessions = info.runtime.sessions.len();
        lock(&self.inner.servers)
            .entry(id.to_owned())
            .or_insert_with(|| Entry::new(unknown()))
            .generation += 1;
        self.inner.runtimes.reset(id);
        self.refresh(id).await?;
        self.announce(id);
        Ok(sessions)
    }

    /// The tools a server offers, switched off or not. When no session has listed them
    /// yet, Switchboard asks the server itself (as the client "switchboard"; the calls are
    /// in the log like any other).
    pub async fn tools(&self, id: &str) -> Result<Vec<ToolView>, ControlError> {
        let info = self.get_server(id).await?;
        if let Some(tools) = self.inner.runtimes.tools(id) {
            return Ok(tools);
        }
        if !info.enabled {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!("\"{id}\" is switched off; switch it on to see its tools"),
            ));
        }
        let probed = tokio::time::timeout(TOOLS_PROBE_TIMEOUT, self.probe_tools(id)).await;
        if let Some(tools) = self.inner.runtimes.tools(id) {
            return Ok(tools);
        }
        let why = match probed {
            Err(_) => format!(
                "it did not answer within {} seconds",
                TOOLS_PROBE_TIMEOUT.as_secs()
            ),
            Ok(Err(error)) => error,
            Ok(Ok(())) => self
                .inner
                .runtimes
                .view(id)
                .last_error
                .unwrap_or_else(|| "it did not list any".to_owned()),
        };
        Err(ControlError::new(
            ErrorCode::Unavailable,
            format!(
                "could not get the tools of \"{id}\": {why}. Its recent output is on its page \
                 in the app (or `switchboard status`)."
            ),
        ))
    }

    /// Runs one short session with the server: handshake, `tools/list`, goodbye.
    async fn probe_tools(&self, id: &str) -> Result<(), String> {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let (read, write) = tokio::io::split(theirs);
        let policy = self.policy(id).await;
        let session = tokio::spawn(session::run(
            self.session_context(),
            self.next_session_id(),
            id.to_owned(),
            policy,
            read,
            write,
        ));
        let (replies, mut requests) = tokio::io::split(ours);
        let mut replies = LineReader::new(replies);
        let messages = [
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "switchboard", "version": env!("CARGO_PKG_VERSION")}}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        ];
        let mut outcome = Ok(());
        for message in messages {
            let mut line = serde_json::to_vec(&message).map_err(|e| e.to_string())?;
            line.push(b'\n');
            if let Err(error) = requests.write_all(&line).await {
                outcome = Err(error.to_string());
                break;
            }
            let Some(id) = message.get("id").cloned() else {
                continue;
            };
            // Wait for this request's answer; notifications on the way are skipped.
            loop {
                match replies.next_line().await {
                    Ok(Some(reply)) => {
                        let reply: serde_json::Value =
                            serde_json::from_slice(&reply).unwrap_or_default();
                        if reply.get("id") != Some(&id) {
                            continue;
                        }
                        if let Some(error) =
                            reply.pointer("/error/message").and_then(|m| m.as_str())
                        {
                            outcome = Err(error.to_owned());
                        }
                        break;
                    }
                    Ok(None) | Err(_) => {
                        outcome = Err("it closed the connection".to_owned());
                        break;
                    }
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        // Goodbye: the session ends on end of input. Dropping one half of a split duplex
        // closes nothing while the other half lives, so shut the writing side down and let
        // go of both.
        let _ = requests.shutdown().await;
        drop(requests);
        drop(replies);
        let _ = session.await;
        outcome
    }

    /// The call figures of one server, or of every installed server.
    pub async fn server_stats(&self, id: Option<&str>) -> Result<Vec<ServerStats>, ControlError> {
        // The figures count stored calls: wait for the ones already made.
        self.inner.recorder.flush().await;
        let now = now_ms();
        let stats = self.inner.recorder.stats();
        Ok(match id {
            Some(id) => vec![stats.stats(&self.get_server(id).await?.id, now)],
            None => self
                .inner
                .store
                .servers()
                .await?
                .iter()
                .map(|record| stats.stats(record.id.as_str(), now))
                .collect(),
        })
    }

    /// Tells watchers every installed server's CPU, memory and call figures. Skipped when
    /// nobody watches.
    pub async fn pulse(&self) -> Result<(), ControlError> {
        if self.inner.events.receiver_count() == 0 {
            return Ok(());
        }
        let now = now_ms();
        let stats = self.inner.recorder.stats();
        let usage = lock(&self.inner.usage).clone();
        let servers = self
            .inner
            .store
            .servers()
            .await?
            .into_iter()
            .map(|record| {
                let id = record.id.to_string();
                ServerPulse {
                    usage: usage.get(&id).copied().unwrap_or_default(),
                    stats: stats.stats(&id, now),
                    server: id,
                }
            })
            .collect();
        let _ = self.inner.events.send(Event::Pulse { servers });
        Ok(())
    }

    /// Deletes calls older than the retention setting; returns how many.
    pub async fn prune_calls(&self) -> Result<u64, ControlError> {
        let days = self
            .inner
            .store
            .setting::<i64>(settings::CALLS_RETENTION_DAYS)
            .await?
            .unwrap_or(30)
            .max(1);
        let cutoff = now_ms() - days * 24 * 60 * 60 * 1000;
        Ok(self.inner.store.prune_calls(cutoff).await?)
    }

    pub async fn set_tool_enabled(
        &self,
        server: &str,
        tool: &str,
        enabled: bool,
    ) -> Result<ServerInfo, ControlError> {
        if tool.is_empty() || tool.len() > 128 {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                "a tool name is 1 to 128 characters",
            ));
        }
        self.inner
            .store
            .set_tool_enabled(&parse_id(server)?, tool, enabled)
            .await?;
        self.refresh(server).await?;
        self.announce(server);
        self.get_server(server).await
    }

    pub async fn list_grants(&self, server: Option<&str>) -> Result<Vec<Grant>, ControlError> {
        Ok(match server {
            Some(id) => self.inner.store.grants_for(&parse_id(id)?).await?,
            None => self.inner.store.grants().await?,
        })
    }

    /// Grants a folder. The path must be an existing folder; it is stored resolved
    /// (absolute, symbolic links followed) so that what is granted is what is shown.
    pub async fn grant(
        &self,
        path: &Path,
        access: Access,
        server: Option<&str>,
    ) -> Result<Grant, ControlError> {
        let resolved = std::fs::canonicalize(path).map_err(|e| {
            ControlError::new(
                ErrorCode::InvalidInput,
                format!("cannot grant {}: {e}", path.display()),
            )
        })?;
        if !resolved.is_dir() {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!("cannot grant {}: it is not a folder", path.display()),
            ));
        }
        let server_id = server.map(parse_id).transpose()?;
        let id = self
            .inner
            .store
            .grant(&resolved, access, server_id.as_ref())
            .await?;
        self.refresh_all().await?;
        self.refresh_library().await?;
        let grant = self
            .inner
            .store
            .grants()
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or_else(|| ControlError::new(ErrorCode::Storage, "the grant vanished"))?;
        Ok(grant)
    }

    pub async fn revoke(&self, grant: i64) -> Result<bool, ControlError> {
        let revoked = self.inner.store.revoke(grant).await?;
        self.refresh_all().await?;
        self.refresh_library().await?;
        Ok(revoked)
    }

    /// Republishes every server's policy (after a change that may touch many).
    async fn refresh_all(&self) -> Result<(), ControlError> {
        let ids: Vec<String> = lock(&self.inner.servers).keys().cloned().collect();
        for id in ids {
            self.refresh(&id).await?;
            self.announce(&id);
        }
        Ok(())
    }

    pub async fn recent_calls(&self, query: &CallQuery) -> Result<Vec<StoredCall>, ControlError> {
        self.inner.recorder.flush().await;
        Ok(self.inner.store.calls(query).await?)
    }

    /// Every setting with its value (the default when never set).
    pub async fn settings(&self) -> Result<Vec<Setting>, ControlError> {
        let mut out = Vec::new();
        for mut setting in settings::known() {
            if let Some(value) = self
                .inner
                .store
                .setting::<serde_json::Value>(&setting.key)
                .await?
            {
                setting.value = value;
            }
            out.push(setting);
        }
        Ok(out)
    }

    /// Changes a setting; it applies to sessions that start from now on (the call log's
    /// retention at once).
    pub async fn set_setting(
        &self,
        key: &str,
        value: serde_json::Value,
    ) -> Result<Setting, ControlError> {
        settings::check(key, &value)?;
        self.check_client_entry_setting(key, &value).await?;
        self.inner.store.set_setting(key, &value).await?;
        self.apply_settings().await?;
        if key == settings::CALLS_RETENTION_DAYS {
            self.prune_calls().await?;
        }
        self.refresh_library().await?;
        if settings::is_client_entry_key(key) {
            let client = key
                .strip_prefix("clients.")
                .and_then(|rest| rest.strip_suffix(".entry"))
                .unwrap_or_default();
            self.refresh_client_entries(Some(&[client])).await;
        } else if key.starts_with("http.") {
            // URL entries name the endpoint's address, or say it is off.
            self.refresh_client_entries(None).await;
        }
        self.settings()
            .await?
            .into_iter()
            .find(|setting| setting.key == key)
            .ok_or_else(|| ControlError::new(ErrorCode::Storage, "the setting vanished"))
    }

    async fn apply_settings(&self) -> Result<(), ControlError> {
        self.republish_http_settings().await?;
        for setting in self.settings().await? {
            if setting.key == settings::FETCH_ALLOW_PRIVATE_ADDRESSES {
                self.inner
                    .builtins
                    .set_allow_private_addresses(setting.value.as_bool().unwrap_or(false));
            }
        }
        Ok(())
    }

    /// The newest writes the built-in `sql` server made.
    pub async fn sql_writes(&self, limit: u32) -> Result<Vec<SqlWrite>, ControlError> {
        Ok(self.inner.store.sql_writes(limit).await?)
    }

    /// The user's own prompt templates.
    pub async fn prompts(&self) -> Result<Vec<Template>, ControlError> {
        let mut templates = Vec::new();
        for stored in self.inner.store.prompt_templates().await? {
            match serde_json::from_str::<Template>(&stored.definition) {
                Ok(template) => templates.push(template),
                Err(error) => {
                    tracing::warn!(name = %stored.name, %error, "a stored prompt template cannot be read; skipping it");
                }
            }
        }
        Ok(templates)
    }

    /// Saves a prompt template (checked first), replacing one of the same name.
    pub async fn save_prompt(&self, template: Template) -> Result<Template, ControlError> {
        template
            .check()
            .map_err(|e| ControlError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let definition = serde_json::to_string(&template)
            .map_err(|e| ControlError::new(ErrorCode::Protocol, e.to_string()))?;
        self.inner
            .store
            .save_prompt_template(&template.name, &definition)
            .await?;
        self.refresh_library().await?;
        Ok(template)
    }

    pub async fn remove_prompt(&self, name: &str) -> Result<bool, ControlError> {
        let removed = self.inner.store.remove_prompt_template(name).await?;
        self.refresh_library().await?;
        Ok(removed)
    }

    /// Refreshes what the `prompts` server shows: the user's templates, and the settings
    /// resource (settings, servers and grants; for each server the names of its settings
    /// and secrets, never a value).
    async fn refresh_library(&self) -> Result<(), ControlError> {
        let store = &self.inner.store;
        let settings: serde_json::Map<String, serde_json::Value> = self
            .settings()
            .await?
            .into_iter()
            .map(|setting| (setting.key, setting.value))
            .collect();
        let servers: Vec<serde_json::Value> = store
            .servers()
            .await?
            .into_iter()
            .map(|record| {
                let kind = serde_json::to_value(&record.launch.source)
                    .ok()
                    .and_then(|v| v.get("kind").cloned())
                    .unwrap_or_default();
                serde_json::json!({
                    "id": record.id.to_string(),
                    "name": record.name,
                    "enabled": record.enabled,
                    "kind": kind,
                    "settings": record.launch.env.keys().collect::<Vec<_>>(),
                    "secrets": record.launch.secrets,
                })
            })
            .collect();
        let grants: Vec<serde_json::Value> = store
            .grants()
            .await?
            .into_iter()
            .map(|grant| {
                serde_json::json!({
                    "path": grant.path,
                    "access": grant.access,
                    "server": grant.server.map(|s| s.to_string()),
                })
            })
            .collect();
        let snapshot = serde_json::json!({
            "settings": settings,
            "servers": servers,
            "grants": grants,
        });
        self.inner
            .builtins
            .library()
            .set(self.prompts().await?, snapshot);
        Ok(())
    }

    /// Samples the CPU and memory of every server's processes; call it every few seconds.
    pub async fn sample_usage(&self, sampler: &mut Option<TreeSampler>) {
        let pids = self.inner.runtimes.pids();
        let mut owned = sampler.take().unwrap_or_default();
        let roots: Vec<u32> = pids.iter().map(|(_, pid)| *pid).collect();
        let Ok((back, samples)) = tokio::task::spawn_blocking(move || {
            let samples = owned.sample(&roots);
            (owned, samples)
        })
        .await
        else {
            return;
        };
        *lock(&self.inner.own_usage) = back.process(std::process::id());
        *sampler = Some(back);
        let mut by_server: HashMap<String, TreeUsage> = HashMap::new();
        for (server, pid) in pids {
            if let Some(usage) = samples.get(&pid) {
                *by_server.entry(server).or_default() += *usage;
            }
        }
        *lock(&self.inner.usage) = by_server;
    }

    /// How long to wait between usage samples.
    pub const SAMPLE_EVERY: Duration = Duration::from_secs(2);
}

/// How long a server gets to start and list its tools when asked for them (an npm or PyPI
/// package may be downloaded first).
const TOOLS_PROBE_TIMEOUT: Duration = Duration::from_secs(90);

/// A number that changes when `launch` does (within this daemon's life).
fn revision(launch: &Launch) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(launch)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

fn unknown() -> ServerPolicy {
    ServerPolicy {
        availability: Availability::Unknown,
        ..ServerPolicy::default()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn parse_id(id: &str) -> Result<ServerId, ControlError> {
    id.parse().map_err(invalid)
}

fn invalid(error: impl std::fmt::Display) -> ControlError {
    ControlError::new(ErrorCode::InvalidInput, error.to_string())
}

fn not_installed(id: &str) -> ControlError {
    ControlError::new(
        ErrorCode::NotFound,
        format!(
            "no server called \"{id}\" is installed; `switchboard list` shows the installed ones"
        ),
    )
}

impl Inner {
    /// The keychain, opened on first use.
    fn keychain(&self) -> Result<Keychain, SecretsError> {
        let mut keychain = lock(&self.keychain);
        if let Some(keychain) = keychain.as_ref() {
            return Ok(keychain.clone());
        }
        let opened = Keychain::platform()?;
        *keychain = Some(opened.clone());
        Ok(opened)
    }

    /// What runtime discovery found (it runs once, off the async threads).
    async fn runtimes(&self) -> Arc<switchboard_runtimes::Runtimes> {
        self.discovered
            .get_or_init(|| async { Arc::new(crate::installer::discover_runtimes().await) })
            .await
            .clone()
    }
}
