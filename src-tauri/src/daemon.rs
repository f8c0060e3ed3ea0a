//! The app's link to Switchboard's daemon: one control connection for requests (reopened,
//! and the daemon started, when it is lost) and fresh connections for watching events.
//! Must not: decide anything about servers; it carries requests to the hub and answers back.

use std::{path::PathBuf, sync::Arc};

use serde::de::DeserializeOwned;
use switchboard_hub::{AutoStart, ControlClient, ControlError, ErrorCode, Paths, Request};
use tokio::sync::Mutex;

/// A cheap handle on the connection to the daemon.
#[derive(Debug, Clone)]
pub struct DaemonLink {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The installation's folders, or why they could not be found.
    paths: Result<Paths, String>,
    autostart: AutoStart,
    /// Why the daemon cannot be started, when the `switchboard` program is missing.
    engine_problem: Option<String>,
    client: Mutex<Option<ControlClient>>,
}

impl DaemonLink {
    /// A link to the daemon of `paths`, started with `autostart` when none runs.
    pub fn new(paths: Paths, autostart: AutoStart) -> Self {
        Self {
            inner: Arc::new(Inner {
                paths: Ok(paths),
                autostart,
                engine_problem: None,
                client: Mutex::new(None),
            }),
        }
    }

    /// The link for this user's installation: the data folder of `SWITCHBOARD_DATA_DIR` or
    /// the default one, and the `switchboard` program installed with the app. What is
    /// missing is told by every request, so the window can show it.
    pub fn for_this_user() -> Self {
        let data_dir = std::env::var_os("SWITCHBOARD_DATA_DIR").map(PathBuf::from);
        let paths = Paths::resolve(data_dir).map_err(|e| capitalize(&e.to_string()));
        let (autostart, engine_problem) = match engine() {
            Ok(exe) => (AutoStart::With(exe), None),
            Err(error) => (AutoStart::No, Some(error.message)),
        };
        Self {
            inner: Arc::new(Inner {
                paths,
                autostart,
                engine_problem,
                client: Mutex::new(None),
            }),
        }
    }

    /// Sends a request and waits for its answer. When the connection was lost (the daemon
    /// stopped or restarted), it is reopened once, starting the daemon if need be, and the
    /// request sent again: every request the app sends may be repeated safely.
    pub async fn call<T: DeserializeOwned>(&self, request: Request) -> Result<T, ControlError> {
        let mut client = self.inner.client.lock().await;
        let mut retried = false;
        loop {
            let connected = match client.as_mut() {
                Some(connected) => connected,
                None => client.insert(self.connect().await?),
            };
            match connected.call(request.clone()).await {
                Err(error) if error.code == ErrorCode::Unavailable && !retried => {
                    tracing::info!(%error, "lost the daemon; reconnecting");
                    *client = None;
                    retried = true;
                }
                Err(error) if error.code == ErrorCode::Unavailable => {
                    *client = None;
                    return Err(error);
                }
                answer => return answer,
            }
        }
    }

    /// A connection of its own, for a long request (an install) that must not hold up the
    /// others; the daemon is started if none runs.
    pub async fn connection(&self) -> Result<ControlClient, ControlError> {
        self.connect().await
    }

    /// The installation's folders.
    pub fn paths(&self) -> Result<&Paths, ControlError> {
        self.inner
            .paths
            .as_ref()
            .map_err(|problem| ControlError::new(ErrorCode::Unavailable, problem.clone()))
    }

    /// A new connection that receives the daemon's events.
    pub async fn watch(&self) -> Result<ControlClient, ControlError> {
        let mut client = self.connect().await?;
        let _: bool = client.call(Request::Subscribe).await?;
        Ok(client)
    }

    async fn connect(&self) -> Result<ControlClient, ControlError> {
        let paths = self.paths()?;
        match ControlClient::connect(paths, &self.inner.autostart).await {
            Err(error) if error.code == ErrorCode::Unavailable => {
                Err(match &self.inner.engine_problem {
                    Some(problem) => ControlError::new(ErrorCode::Unavailable, problem.clone()),
                    None => error,
                })
            }
            connected => connected,
        }
    }
}

fn capitalize(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The `switchboard` program that runs the daemon: `SWITCHBOARD_BIN` if set, else the one
/// installed beside the app (the package puts both in the same folder; a development build
/// finds the one Cargo built beside it).
pub fn engine() -> Result<PathBuf, ControlError> {
    if let Some(path) = std::env::var_os("SWITCHBOARD_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| {
        ControlError::new(
            ErrorCode::Unavailable,
            format!("cannot tell where the Switchboard app is installed: {e}"),
        )
    })?;
    let beside = exe.with_file_name(format!("switchboard{}", std::env::consts::EXE_SUFFIX));
    if beside.is_file() {
        return Ok(beside);
    }
    Err(ControlError::new(
        ErrorCode::Unavailable,
        format!(
            "Switchboard's engine (the `switchboard` program) is missing from {}; reinstall \
             Switchboard, or for a development build run `cargo build -p switchboard-cli`",
            exe.parent().unwrap_or(&exe).display()
        ),
    ))
}
