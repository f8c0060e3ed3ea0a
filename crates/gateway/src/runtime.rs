//! The live state of every server: its sessions and their states, restarts, recent stderr,
//! last error, and the tools it last said it offers. Shared by the sessions (which report) and the control API (which reads);
//! a change of a server's combined state is announced as an event.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use serde::{Deserialize, Serialize};
use switchboard_supervisor::{ServerState, StderrRing};

use crate::events::{Event, Events};

/// Stderr lines kept per server.
const STDERR_LINES: usize = 50;

/// A session's id, unique within a daemon's life.
pub type SessionId = u64;

/// What the control API shows of one server's processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct RuntimeView {
    pub state: ServerState,
    pub sessions: Vec<SessionView>,
    pub restarts: u32,
    pub stderr: Vec<String>,
    pub last_error: Option<String>,
    /// The tools the server listed last (all of them, switched off or not); `None` until a
    /// session has listed them.
    pub tools: Option<Vec<ToolView>>,
}

/// A tool a server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ToolView {
    pub name: String,
    /// The server's own description, cut to a few hundred characters.
    pub description: Option<String>,
}

/// Longest tool description kept, in characters.
const DESCRIPTION_CHARS: usize = 300;

/// The tools in a `tools/list` result, with descriptions cut short; `None` if it is not
/// one.
pub fn tools_of(result: &str) -> Option<Vec<ToolView>> {
    #[derive(serde::Deserialize)]
    struct Listed {
        tools: Vec<Tool>,
    }
    #[derive(serde::Deserialize)]
    struct Tool {
        name: String,
        #[serde(default)]
        description: Option<String>,
    }
    let listed: Listed = serde_json::from_str(result).ok()?;
    Some(
        listed
            .tools
            .into_iter()
            .map(|tool| ToolView {
                name: tool.name,
                description: tool.description.map(|d| {
                    match d.char_indices().nth(DESCRIPTION_CHARS) {
                        Some((cut, _)) => format!("{}…", d[..cut].trim_end()),
                        None => d,
                    }
                }),
            })
            .collect(),
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SessionView {
    pub id: SessionId,
    pub client: String,
    pub state: ServerState,
    /// The process (group) serving the session, for third-party servers.
    pub pid: Option<u32>,
    /// Unix epoch milliseconds.
    pub since: i64,
}

#[derive(Debug)]
struct ServerRuntime {
    sessions: HashMap<SessionId, SessionView>,
    restarts: u32,
    stderr: StderrRing,
    last_error: Option<String>,
    tools: Option<Vec<ToolView>>,
    announced: ServerState,
}

impl Default for ServerRuntime {
    fn default() -> Self {
        Self {
            sessions: HashMap::new(),
            restarts: 0,
            stderr: StderrRing::new(STDERR_LINES),
            last_error: None,
            tools: None,
            announced: ServerState::Stopped,
        }
    }
}

impl ServerRuntime {
    fn state(&self) -> ServerState {
        ServerState::combine(self.sessions.values().map(|s| s.state))
    }
}

/// The registry. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Runtimes {
    servers: Arc<Mutex<HashMap<String, ServerRuntime>>>,
    events: Events,
}

impl Runtimes {
    pub fn new(events: Events) -> Self {
        Self {
            servers: Arc::default(),
            events,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, ServerRuntime>> {
        self.servers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `change` to `server`'s runtime and announces a new combined state.
    fn update(&self, server: &str, change: impl FnOnce(&mut ServerRuntime)) {
        let announce = {
            let mut servers = self.lock();
            let runtime = servers.entry(server.to_owned()).or_default();
            change(runtime);
            let state = runtime.state();
            (state != runtime.announced).then(|| {
                runtime.announced = state;
                state
            })
        };
        if let Some(state) = announce {
            let _ = self.events.send(Event::ServerState {
                server: server.to_owned(),
                state,
            });
        }
    }

    /// Records a session's state (and its process, if any).
    pub fn set_session(&self, server: &str, session: SessionView) {
        self.update(server, |runtime| {
            runtime.sessions.insert(session.id, session);
        });
    }

    pub fn set_session_state(
        &self,
        server: &str,
        session: SessionId,
        state: ServerState,
        pid: Option<u32>,
    ) {
        self.update(server, |runtime| {
            if let Some(view) = runtime.sessions.get_mut(&session) {
                view.state = state;
                view.pid = pid;
            }
        });
    }

    pub fn set_session_client(&self, server: &str, session: SessionId, client: &str) {
        self.update(server, |runtime| {
            if let Some(view) = runtime.sessions.get_mut(&session) {
                client.clone_into(&mut view.client);
            }
        });
    }

    pub fn end_session(&self, server: &str, session: SessionId) {
        self.update(server, |runtime| {
            runtime.sessions.remove(&session);
        });
    }

    pub fn note_restart(&self, server: &str, reason: String) {
        self.update(server, |runtime| {
            runtime.restarts += 1;
            runtime.last_error = Some(reason);
        });
    }

    pub fn note_error(&self, server: &str, error: String) {
        self.update(server, |runtime| runtime.last_error = Some(error));
    }

    pub fn push_stderr(&self, server: &str, line: &str) {
        self.update(server, |runtime| runtime.stderr.push(line));
    }

    /// Records the tools a server listed (its first page, unfiltered).
    pub fn set_tools(&self, server: &str, tools: Vec<ToolView>) {
        let mut servers = self.lock();
        let runtime = servers.entry(server.to_owned()).or_default();
        if runtime.tools.as_ref() != Some(&tools) {
            runtime.tools = Some(tools);
        }
    }

    /// The tools `server` listed last, if any session listed them.
    pub fn tools(&self, server: &str) -> Option<Vec<ToolView>> {
        self.lock()
            .get(server)
            .and_then(|runtime| runtime.tools.clone())
    }

    /// Forgets everything about a server (after it is removed).
    pub fn forget(&self, server: &str) {
        let mut servers = self.lock();
        if servers
            .get(server)
            .is_some_and(|runtime| runtime.sessions.is_empty())
        {
            servers.remove(server);
        }
    }

    /// The last `n` stderr lines of `server`.
    pub fn stderr_tail(&self, server: &str, n: usize) -> String {
        self.lock()
            .get(server)
            .map(|runtime| runtime.stderr.tail(n))
            .unwrap_or_default()
    }

    /// Forgets restarts and errors (after the user switches a server off and on again).
    pub fn reset(&self, server: &str) {
        self.update(server, |runtime| {
            runtime.restarts = 0;
            runtime.last_error = None;
        });
    }

    pub fn view(&self, server: &str) -> RuntimeView {
        let servers = self.lock();
        match servers.get(server) {
            Some(runtime) => {
                let mut sessions: Vec<SessionView> = runtime.sessions.values().cloned().collect();
                sessions.sort_by_key(|s| s.id);
                RuntimeView {
                    state: runtime.state(),
                    sessions,
                    restarts: runtime.restarts,
                    stderr: runtime.stderr.lines(),
                    last_error: runtime.last_error.clone(),
                    tools: runtime.tools.clone(),
                }
            }
            None => RuntimeView {
                state: ServerState::Stopped,
                sessions: Vec::new(),
                restarts: 0,
                stderr: Vec::new(),
                last_error: None,
                tools: None,
            },
        }
    }

    /// Every process serving a session, by server.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.lock()
            .iter()
            .flat_map(|(server, runtime)| {
                runtime
                    .sessions
                    .values()
                    .filter_map(|s| s.pid.map(|pid| (server.clone(), pid)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_tools_are_read_with_short_descriptions() {
        let long = "d".repeat(DESCRIPTION_CHARS + 50);
        let result = format!(
            r#"{{"tools":[{{"name":"read","description":"Reads","inputSchema":{{}}}},{{"name":"x","description":"{long}"}},{{"name":"bare"}}]}}"#
        );
        let tools = tools_of(&result).unwrap();
        assert_eq!(tools.len(), 3);
        assert_eq!(tools[0].description.as_deref(), Some("Reads"));
        assert_eq!(
            tools[1].description.as_ref().unwrap().chars().count(),
            DESCRIPTION_CHARS + 1,
            "cut with an ellipsis"
        );
        assert_eq!(tools[2].description, None);
        assert!(tools_of(r#"{"content":[]}"#).is_none(), "not a tool list");
    }

    #[test]
    fn combined_state_changes_are_announced_once() {
        let events = crate::events::channel();
        let mut watcher = events.subscribe();
        let runtimes = Runtimes::new(events);
        let session = |id, state| SessionView {
            id,
            client: "c".into(),
            state,
            pid: None,
            since: 0,
        };
        runtimes.set_session("calc", session(1, ServerState::Starting));
        runtimes.set_session_state("calc", 1, ServerState::Healthy, None);
        runtimes.set_session("calc", session(2, ServerState::Healthy));
        runtimes.end_session("calc", 1);
        runtimes.end_session("calc", 2);
        let states: Vec<ServerState> = std::iter::from_fn(|| watcher.try_recv().ok())
            .filter_map(|event| match event {
                Event::ServerState { state, .. } => Some(state),
                _ => None,
            })
            .collect();
        assert_eq!(
            states,
            [
                ServerState::Starting,
                ServerState::Healthy,
                ServerState::Stopped
            ]
        );
    }
}
