//! The hub's side of the HTTP endpoint: its settings, its bearer token (generated from the
//! OS's CSPRNG, kept in the keychain as `switchboard`/`HTTP_TOKEN`, taught to the
//! redactor, rotated on request), the listener that follows the settings live, and what
//! the endpoint reads of the daemon (installed servers, policies, gauges, metrics).
//!
//! Must not: print, log or return the token; the CLI reads it from the keychain itself
//! when the user asks for it.

use std::{
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::Arc,
};

use base64::Engine;
use serde::{Deserialize, Serialize};
use switchboard_gateway::{
    ServerPolicy, SessionContext,
    aggregate::Aggregate,
    http::{
        Directory, Front, HttpLimits,
        guard::{Listening, RateLimit},
    },
    metrics::{ProcessGauges, ServerGauges},
};
use switchboard_secrets::{SecretsError, Sensitive};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{Hub, lock};
use crate::{
    control::{ControlError, ErrorCode},
    settings,
};

/// The keychain "server" the endpoint's token is filed under; no installed server may take
/// this id.
pub const TOKEN_OWNER: &str = "switchboard";
/// The keychain name of the endpoint's token (of the installation in the default data
/// folder; see [`token_name`]).
pub(crate) const TOKEN_NAME: &str = "HTTP_TOKEN";

/// The keychain name of the token of the installation at `paths`: `HTTP_TOKEN` for the
/// default data folder, `HTTP_TOKEN_<hash of the folder>` for any other, so that two
/// installations of one user (a test, a benchmark) never share or rotate each other's.
pub fn token_name(paths: &crate::paths::Paths) -> String {
    let default = switchboard_store::default_data_dir().is_ok_and(|d| d == paths.data_dir);
    if default {
        return TOKEN_NAME.to_owned();
    }
    // FNV-1a: stable across processes and versions, unlike the std hasher.
    let hash = paths
        .data_dir
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{TOKEN_NAME}_{hash:016X}")
}
/// The redactor's source for the current token, and for the one before it.
const REDACT_CURRENT: &str = "switchboard-http-token";
const REDACT_PREVIOUS: &str = "switchboard-http-token-previous";

/// The endpoint's settings, as the listener follows them.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    pub enabled: bool,
    pub bind: IpAddr,
    pub port: u16,
    pub rate: RateLimit,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            bind: IpAddr::from([127, 0, 0, 1]),
            port: settings::DEFAULT_HTTP_PORT,
            rate: HttpLimits::default().rate,
        }
    }
}

/// What `switchboard http` and the app show of the endpoint. Never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpStatus {
    pub enabled: bool,
    /// Where it listens, once it does: `http://127.0.0.1:8931`.
    pub url: Option<String>,
    /// Why it is not listening, when it should be.
    pub error: Option<String>,
    /// Open sessions: (legacy, stateless pools).
    pub sessions: (usize, usize),
}

/// What the listener reports back.
#[derive(Debug, Default)]
pub(super) struct Endpoint {
    pub(super) listening: Option<SocketAddr>,
    pub(super) error: Option<String>,
    pub(super) front: Option<Front>,
}

/// A fresh token: 32 bytes from the OS's CSPRNG, base64url, with a prefix that says what
/// it is (and that secret scanners can match).
pub(crate) fn generate_token() -> Result<Sensitive<String>, ControlError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ControlError::new(
            ErrorCode::Unavailable,
            format!("the operating system gave no random bytes for a token: {e}"),
        )
    })?;
    let text = format!(
        "sbt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    bytes.fill(0);
    Ok(Sensitive::new(text))
}

impl Hub {
    /// The aggregate server (every enabled server's tools in one), made on first use and
    /// shared by `/mcp` and `switchboard connect --all`.
    pub fn aggregate(&self) -> Aggregate {
        let mut slot = lock(&self.inner.aggregate);
        slot.get_or_insert_with(|| Aggregate::new(Arc::new(self.clone())))
            .clone()
    }

    /// Ends the aggregate's member sessions and lets go of it (the daemon is stopping).
    pub async fn close_aggregate(&self) {
        let aggregate = lock(&self.inner.aggregate).take();
        if let Some(aggregate) = aggregate {
            aggregate.close().await;
        }
    }

    /// The endpoint's settings as stored.
    pub(crate) async fn http_settings(&self) -> Result<HttpSettings, ControlError> {
        let mut out = HttpSettings::default();
        for setting in self.settings().await? {
            let value = &setting.value;
            match setting.key.as_str() {
                settings::HTTP_ENABLED => out.enabled = value.as_bool().unwrap_or(false),
                settings::HTTP_PORT => {
                    out.port = value
                        .as_u64()
                        .and_then(|p| u16::try_from(p).ok())
                        .unwrap_or(out.port);
                }
                settings::HTTP_BIND => {
                    if let Some(ip) = value.as_str().and_then(|t| t.parse().ok()) {
                        out.bind = ip;
                    }
                }
                settings::HTTP_RATE_LIMIT => {
                    out.rate.per_second = value.as_f64().unwrap_or(out.rate.per_second);
                }
                settings::HTTP_RATE_BURST => {
                    out.rate.burst = value.as_f64().unwrap_or(out.rate.burst);
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Loads the token from the keychain, creating it the first time; the endpoint accepts
    /// it and the redactor scrubs it from then on.
    pub(crate) async fn ensure_http_token(&self) -> Result<(), ControlError> {
        if self.inner.http_credentials.is_set() {
            return Ok(());
        }
        let keychain = self.inner.keychain().map_err(|e| keychain_error(&e))?;
        let name = token_name(&self.inner.paths);
        let token = tokio::task::spawn_blocking(move || match keychain.get(TOKEN_OWNER, &name) {
            Ok(token) => Ok(token),
            Err(SecretsError::NotFound { .. }) => {
                let token = generate_token().map_err(SecretsErrorOrControl::Control)?;
                keychain
                    .set(TOKEN_OWNER, &name, &token)
                    .map_err(SecretsErrorOrControl::Secrets)?;
                tracing::info!("created the HTTP endpoint's token in the keychain");
                Ok(token)
            }
            Err(error) => Err(SecretsErrorOrControl::Secrets(error)),
        })
        .await
        .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))?
        .map_err(|e| match e {
            SecretsErrorOrControl::Secrets(e) => keychain_error(&e),
            SecretsErrorOrControl::Control(e) => e,
        })?;
        self.inner.redactor.set_source(REDACT_CURRENT, [&token]);
        self.inner.http_credentials.set(token);
        Ok(())
    }

    /// The token the endpoint accepts now, once it has been loaded.
    pub(crate) fn http_token(&self) -> Option<Sensitive<String>> {
        self.inner.http_credentials.current()
    }

    /// Replaces the token: the old one is refused at once. The new one is in the keychain
    /// for `switchboard http token` (and for client configs that use the URL).
    pub async fn rotate_http_token(&self) -> Result<HttpStatus, ControlError> {
        let keychain = self.inner.keychain().map_err(|e| keychain_error(&e))?;
        let token = generate_token()?;
        let stored = token.clone();
        let name = token_name(&self.inner.paths);
        let previous = tokio::task::spawn_blocking(move || {
            let previous = keychain.get(TOKEN_OWNER, &name).ok();
            keychain.set(TOKEN_OWNER, &name, &stored).map(|()| previous)
        })
        .await
        .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))?
        .map_err(|e| keychain_error(&e))?;
        // The old value is still scrubbed: it may sit in a client's config or a log.
        if let Some(previous) = previous {
            self.inner.redactor.set_source(REDACT_PREVIOUS, [&previous]);
        }
        self.inner.redactor.set_source(REDACT_CURRENT, [&token]);
        self.inner.http_credentials.set(token);
        tracing::info!("the HTTP endpoint's token was rotated; the old one is refused");
        // Client files holding the token itself get the new one.
        self.refresh_client_entries(None).await;
        self.http_status().await
    }

    /// The endpoint's state.
    pub async fn http_status(&self) -> Result<HttpStatus, ControlError> {
        let settings = self.http_settings().await?;
        let endpoint = lock(&self.inner.http_endpoint);
        Ok(HttpStatus {
            enabled: settings.enabled,
            url: endpoint.listening.map(|addr| format!("http://{addr}")),
            error: endpoint.error.clone(),
            sessions: endpoint
                .front
                .as_ref()
                .map(Front::session_counts)
                .unwrap_or_default(),
        })
    }

    /// Tells the listener the settings may have changed.
    pub(super) async fn republish_http_settings(&self) -> Result<(), ControlError> {
        let settings = self.http_settings().await?;
        self.inner.http_settings.send_if_modified(|current| {
            let changed = *current != settings;
            *current = settings;
            changed
        });
        Ok(())
    }

    /// Listens as the settings say until the daemon stops, rebinding when they change.
    pub async fn serve_http(self) {
        let mut settings = self.inner.http_settings.subscribe();
        let shutdown = self.inner.shutdown.clone();
        loop {
            let current = settings.borrow_and_update().clone();
            let stop = shutdown.child_token();
            let serving = async {
                if current.enabled {
                    self.start_endpoint(&current, stop.clone()).await;
                } else {
                    stop.cancelled().await;
                }
            };
            tokio::pin!(serving);
            let ended_alone = tokio::select! {
                () = &mut serving => true,
                changed = settings.changed() => {
                    stop.cancel();
                    serving.await;
                    if changed.is_err() {
                        return;
                    }
                    false
                }
                () = shutdown.cancelled() => {
                    stop.cancel();
                    serving.await;
                    return;
                }
            };
            if ended_alone {
                // It could not bind, or stopped with an error (kept for `http_status`):
                // wait for new settings.
                tokio::select! {
                    changed = settings.changed() => if changed.is_err() { return; },
                    () = shutdown.cancelled() => return,
                }
            }
            *lock(&self.inner.http_endpoint) = Endpoint::default();
        }
    }

    /// Binds and serves until `stop`; a failure is kept for `http_status`.
    async fn start_endpoint(&self, settings: &HttpSettings, stop: CancellationToken) {
        let fail = |error: String| {
            tracing::error!("the HTTP endpoint is not serving: {error}");
            *lock(&self.inner.http_endpoint) = Endpoint {
                error: Some(error),
                ..Endpoint::default()
            };
        };
        if let Err(error) = self.ensure_http_token().await {
            fail(format!(
                "its token could not be read from or stored in the keychain: {}",
                error.message
            ));
            return;
        }
        let addr = SocketAddr::new(settings.bind, settings.port);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(error) => {
                fail(format!(
                    "could not listen on {addr}: {error}. Is another program using the port? \
                     Pick another with `switchboard settings http.port N` (0 picks a free one)."
                ));
                return;
            }
        };
        let bound = listener.local_addr().unwrap_or(addr);
        let limits = HttpLimits {
            rate: settings.rate,
            ..HttpLimits::default()
        };
        let front = Front::new(
            Arc::new(self.clone()),
            self.aggregate(),
            self.inner.http_credentials.clone(),
            limits,
            Listening {
                ip: bound.ip(),
                port: bound.port(),
            },
        );
        *lock(&self.inner.http_endpoint) = Endpoint {
            listening: Some(bound),
            error: None,
            front: Some(front.clone()),
        };
        if !bound.ip().is_loopback() {
            tracing::warn!(%bound, "the HTTP endpoint listens beyond this computer; every request still needs the token");
        }
        tracing::info!(url = %format!("http://{bound}"), "HTTP endpoint listening");
        if let Err(error) = front.serve(listener, stop).await {
            fail(format!("the HTTP endpoint stopped: {error}"));
        }
    }
}

enum SecretsErrorOrControl {
    Secrets(SecretsError),
    Control(ControlError),
}

fn keychain_error(error: &SecretsError) -> ControlError {
    ControlError::new(ErrorCode::Unavailable, error.to_string())
}

impl Directory for Hub {
    fn installed(&self, server: &str) -> bool {
        lock(&self.inner.servers)
            .get(server)
            .is_some_and(|entry| entry.launch.is_some())
    }

    fn policy<'a>(
        &'a self,
        server: &'a str,
    ) -> Pin<Box<dyn Future<Output = watch::Receiver<ServerPolicy>> + Send + 'a>> {
        Box::pin(Hub::policy(self, server))
    }

    fn session_context(&self) -> SessionContext {
        Hub::session_context(self)
    }

    fn next_session_id(&self) -> u64 {
        Hub::next_session_id(self)
    }

    fn gauges(&self) -> (Vec<ServerGauges>, ProcessGauges) {
        let installed: Vec<(String, bool)> = lock(&self.inner.servers)
            .iter()
            .filter(|(_, entry)| entry.launch.is_some())
            .map(|(id, entry)| {
                let on =
                    entry.policy.borrow().availability == switchboard_gateway::Availability::On;
                (id.clone(), on)
            })
            .collect();
        let usage = lock(&self.inner.usage).clone();
        let mut servers: Vec<ServerGauges> = installed
            .into_iter()
            .map(|(id, enabled)| {
                let view = self.inner.runtimes.view(&id);
                let used = usage.get(&id).copied().unwrap_or_default();
                ServerGauges {
                    server: id,
                    enabled,
                    state: view.state,
                    sessions: view.sessions.len(),
                    restarts: view.restarts,
                    cpu_percent: used.cpu_percent,
                    memory_bytes: used.memory_bytes,
                }
            })
            .collect();
        servers.sort_by(|a, b| a.server.cmp(&b.server));
        let own = *lock(&self.inner.own_usage);
        let process = ProcessGauges {
            cpu_percent: own.cpu_percent,
            memory_bytes: own.memory_bytes,
            started_at_seconds: self.inner.started_at as f64 / 1000.0,
        };
        (servers, process)
    }

    fn metrics(&self) -> String {
        let (servers, process) = self.gauges();
        self.inner.recorder.metrics().render(&servers, process)
    }

    fn enabled_servers(&self) -> Vec<String> {
        lock(&self.inner.servers)
            .iter()
            .filter(|(_, entry)| {
                entry.launch.is_some()
                    && entry.policy.borrow().availability == switchboard_gateway::Availability::On
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn events(&self) -> switchboard_gateway::Events {
        self.inner.events.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_installation_has_its_own_token_name() {
        let paths = |dir: &str| crate::paths::Paths {
            data_dir: dir.into(),
            runtime_dir: "/run".into(),
        };
        let a = token_name(&paths("/tmp/a"));
        let b = token_name(&paths("/tmp/b"));
        assert_ne!(a, b);
        assert_eq!(a, token_name(&paths("/tmp/a")), "stable");
        assert!(a.starts_with("HTTP_TOKEN_"), "{a}");
        a.parse::<switchboard_secrets::SecretName>()
            .expect("a valid secret name");
    }

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_ne!(a.expose(), b.expose(), "two tokens differ");
        let text = a.expose();
        assert!(text.starts_with("sbt_"), "{}", text.len());
        assert_eq!(text.len(), 4 + 43, "32 bytes in unpadded base64url");
        assert!(
            text[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "base64url only"
        );
        assert_eq!(format!("{a:?}"), "<redacted>");
    }
}
