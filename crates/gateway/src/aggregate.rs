//! The aggregate server: one MCP server whose tools are every enabled server's tools, named
//! `<server>__<tool>`, for clients that prefer one entry (`/mcp` on the HTTP endpoint,
//! `switchboard connect --all`).
//!
//! Each member server is reached through its own `session::run` (one per server and client
//! name, kept while the daemon runs), so its calls are recorded, switched and supervised
//! exactly like a direct session's; the aggregate only names, lists and routes. Names are
//! valid for every client (`^[a-zA-Z0-9_-]{1,64}$`); a name taken twice gets a numbered
//! suffix, logged and said in the tool's description. Servers switched on or off, or whose
//! tools change, make the aggregate send `notifications/tools/list_changed`.
//!
//! Must not: call a tool of a server that is switched off (its session's stand-in answers),
//! or keep its own call log.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard, PoisonError, Weak},
};

use rmcp::{
    ClientHandler, ErrorData, RoleClient, RoleServer, ServerHandler, ServiceExt,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities, ClientConfig,
        ContentBlock, Implementation, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
        ServerCapabilities, ServerConfig, Tool,
    },
    service::{NotificationContext, Peer, RequestContext, RunningService},
};

use crate::{http::Directory, session};

/// Longest tool name every client accepts.
pub const MAX_NAME: usize = 64;

/// The aggregate server. Cheap to clone; clones share members and routes.
#[derive(Clone)]
pub struct Aggregate {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Aggregate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregate").finish_non_exhaustive()
    }
}

struct Inner {
    directory: Arc<dyn Directory>,
    /// A client of each member server's session, by (server, client name).
    members: tokio::sync::Mutex<HashMap<(String, String), RunningService<RoleClient, Member>>>,
    /// Exposed name → (server, tool), as last listed.
    routes: Mutex<HashMap<String, (String, String)>>,
    /// Connected clients, told when the list changes.
    peers: Mutex<Vec<Peer<RoleServer>>>,
}

/// The aggregate's client of one member session: it passes list changes on.
#[derive(Clone)]
struct Member {
    aggregate: Weak<Inner>,
    info: ClientConfig,
}

impl ClientHandler for Member {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        if let Some(inner) = self.aggregate.upgrade() {
            Aggregate { inner }.tools_changed().await;
        }
    }
}

impl Aggregate {
    pub fn new(directory: Arc<dyn Directory>) -> Self {
        let aggregate = Self {
            inner: Arc::new(Inner {
                directory,
                members: tokio::sync::Mutex::new(HashMap::new()),
                routes: Mutex::new(HashMap::new()),
                peers: Mutex::new(Vec::new()),
            }),
        };
        // Servers installed, removed, switched on or off change the list.
        let mut events = aggregate.inner.directory.events().subscribe();
        let weak = Arc::downgrade(&aggregate.inner);
        tokio::spawn(async move {
            loop {
                match may_change_tools(&events.recv().await) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return,
                }
                let Some(inner) = weak.upgrade() else { return };
                Aggregate { inner }.tools_changed().await;
            }
        });
        aggregate
    }

    /// Ends every member session (the daemon is stopping).
    pub async fn close(&self) {
        let members: Vec<_> = self.inner.members.lock().await.drain().collect();
        for (_, member) in members {
            let _ = member.cancel().await;
        }
        lock(&self.inner.peers).clear();
    }

    async fn tools_changed(&self) {
        let peers: Vec<Peer<RoleServer>> = lock(&self.inner.peers).clone();
        let mut gone = Vec::new();
        for (index, peer) in peers.iter().enumerate() {
            if peer.notify_tool_list_changed().await.is_err() {
                gone.push(index);
            }
        }
        if !gone.is_empty() {
            let mut peers = lock(&self.inner.peers);
            peers.retain(|p| !p.is_transport_closed());
        }
    }

    /// A client of `server`'s session for `client`, started on first use.
    async fn member(&self, server: &str, client: &str) -> Result<Peer<RoleClient>, String> {
        let mut members = self.inner.members.lock().await;
        let key = (server.to_owned(), client.to_owned());
        if let Some(member) = members.get(&key)
            && !member.is_transport_closed()
        {
            return Ok(member.peer().clone());
        }
        let directory = &self.inner.directory;
        let (ours, theirs) = tokio::io::duplex(256 * 1024);
        let (read, write) = tokio::io::split(theirs);
        let policy = directory.policy(server).await;
        tokio::spawn(session::run_as(
            directory.session_context(),
            directory.next_session_id(),
            (server.to_owned(), client.to_owned()),
            policy,
            read,
            write,
            None,
        ));
        let handler = Member {
            aggregate: Arc::downgrade(&self.inner),
            info: ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new(client.to_owned(), env!("CARGO_PKG_VERSION")),
            )
            .with_protocol_version(ProtocolVersion::V_2025_11_25),
        };
        let running = handler
            .serve(ours)
            .await
            .map_err(|e| format!("the server \"{server}\" did not start: {e}"))?;
        let peer = running.peer().clone();
        members.insert(key, running);
        Ok(peer)
    }

    /// Every enabled server's tools, named and routed.
    async fn list(&self, client: &str) -> Vec<Tool> {
        let mut servers = self.inner.directory.enabled_servers();
        servers.sort();
        let mut tasks = tokio::task::JoinSet::new();
        for (order, server) in servers.into_iter().enumerate() {
            let (aggregate, client) = (self.clone(), client.to_owned());
            tasks.spawn(async move {
                let tools = match aggregate.member(&server, &client).await {
                    Ok(peer) => peer.list_all_tools().await.map_err(|e| e.to_string()),
                    Err(error) => Err(error),
                };
                (order, server, tools)
            });
        }
        let mut listed = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let Ok((order, server, tools)) = joined else {
                continue;
            };
            match tools {
                Ok(tools) => listed.push((order, server, tools)),
                Err(error) => {
                    tracing::warn!(server, %error, "the aggregate lists no tools of this server");
                }
            }
        }
        listed.sort_by_key(|(order, _, _)| *order);
        let flat: Vec<(String, Tool)> = listed
            .into_iter()
            .flat_map(|(_, server, tools)| tools.into_iter().map(move |t| (server.clone(), t)))
            .collect();
        let named = namespace(flat);
        let mut routes = HashMap::new();
        let mut tools = Vec::new();
        for entry in named {
            if let Some(taken) = &entry.collided_with {
                tracing::warn!(server = entry.server, tool = entry.original, exposed = %entry.tool.name, taken, "tool name taken in the aggregate; numbered");
            }
            routes.insert(
                entry.tool.name.to_string(),
                (entry.server.clone(), entry.original.clone()),
            );
            tools.push(entry.tool);
        }
        *lock(&self.inner.routes) = routes;
        tools
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The client's name for the call log: from its handshake, else "http".
fn client_name(context: &RequestContext<RoleServer>) -> String {
    context
        .peer
        .peer_info()
        .map(|info| info.client_info.name.clone())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "http".to_owned())
}

impl ServerHandler for Aggregate {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                "switchboard",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Every server switched on in Switchboard, in one: each tool is named \
                 <server>__<tool>.",
            )
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        lock(&self.inner.peers).push(context.peer);
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.list(&client_name(&context)).await;
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let client = client_name(&context);
        let mut route = lock(&self.inner.routes).get(request.name.as_ref()).cloned();
        if route.is_none() {
            // A client that calls before listing, or after a change: list again.
            self.list(&client).await;
            route = lock(&self.inner.routes).get(request.name.as_ref()).cloned();
        }
        let Some((server, tool)) = route else {
            let text = format!(
                "Switchboard has no tool \"{}\" among the servers switched on; tools/list shows \
                 them, named <server>__<tool>.",
                request.name
            );
            return Ok(CallToolResult::error(vec![ContentBlock::text(text)]).into());
        };
        let peer = self
            .member(&server, &client)
            .await
            .map_err(|e| ErrorData::internal_error(e, None))?;
        let mut inner = request;
        inner.name = Cow::Owned(tool);
        peer.call_tool_once(inner).await.map_err(|e| {
            ErrorData::internal_error(format!("the server \"{server}\" failed: {e}"), None)
        })
    }
}

/// One tool as the aggregate shows it.
#[derive(Debug, Clone)]
pub struct Named {
    pub server: String,
    pub original: String,
    /// The tool with its exposed name (and description saying where it is from).
    pub tool: Tool,
    /// The name it would have had, when another tool had it first.
    pub collided_with: Option<String>,
}

/// Names every `(server, tool)` as `<server>__<tool>`: characters outside
/// `[a-zA-Z0-9_-]` become `_`, long names are cut to 64, and a name already given gets
/// `_2`, `_3`, ... (the earlier tool keeps the plain name). Pure; order decides who wins.
pub fn namespace(tools: Vec<(String, Tool)>) -> Vec<Named> {
    let mut taken = HashSet::new();
    tools
        .into_iter()
        .map(|(server, mut tool)| {
            let original = tool.name.to_string();
            let base = clean(&format!("{server}__{original}"));
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                n += 1;
                let suffix = format!("_{n}");
                let mut cut = base.clone();
                cut.truncate(MAX_NAME - suffix.len());
                name = format!("{cut}{suffix}");
            }
            taken.insert(name.clone());
            let collided_with = (name != base).then_some(base);
            let from = match &collided_with {
                None => format!("[{server}] "),
                Some(base) => format!(
                    "[{server}: its tool \"{original}\"; named {name} because {base} was taken] "
                ),
            };
            tool.description = Some(Cow::Owned(format!(
                "{from}{}",
                tool.description.as_deref().unwrap_or_default()
            )));
            tool.name = Cow::Owned(name);
            Named {
                server,
                original,
                tool,
                collided_with,
            }
        })
        .collect()
}

/// `name` with every character outside `[a-zA-Z0-9_-]` replaced by `_`, at most 64 long.
fn clean(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.truncate(MAX_NAME);
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Whether what the aggregate heard of the daemon's events may have changed the tool list:
/// a server's change, or a lag, which may have swallowed one. `None` once the daemon's
/// events are over.
fn may_change_tools(
    heard: &Result<crate::Event, tokio::sync::broadcast::error::RecvError>,
) -> Option<bool> {
    use tokio::sync::broadcast::error::RecvError;
    match heard {
        Ok(crate::Event::ServerChanged { .. }) | Err(RecvError::Lagged(_)) => Some(true),
        Ok(_) => Some(false),
        Err(RecvError::Closed) => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn tool(name: &str) -> Tool {
        Tool::new(
            name.to_owned(),
            "does things",
            Arc::new(serde_json::Map::new()),
        )
    }

    #[test]
    fn a_server_change_or_a_lag_makes_the_tool_list_looked_at_again() {
        use tokio::sync::broadcast::error::RecvError;
        let changed = crate::Event::ServerChanged {
            server: "calc".into(),
        };
        let pulse = crate::Event::Pulse { servers: vec![] };
        assert_eq!(may_change_tools(&Ok(changed)), Some(true));
        assert_eq!(
            may_change_tools(&Err(RecvError::Lagged(3))),
            Some(true),
            "a lag may have swallowed a change"
        );
        assert_eq!(may_change_tools(&Ok(pulse)), Some(false));
        assert_eq!(may_change_tools(&Err(RecvError::Closed)), None);
    }

    #[test]
    fn tools_are_named_server_double_underscore_tool() {
        let named = namespace(vec![
            ("calc".into(), tool("calculate")),
            ("github".into(), tool("create.issue")),
        ]);
        assert_eq!(named[0].tool.name, "calc__calculate");
        assert_eq!(
            named[1].tool.name, "github__create_issue",
            "dots are not valid everywhere"
        );
        assert_eq!(
            named[1].original, "create.issue",
            "calls use the server's own name"
        );
        assert!(
            named[0]
                .tool
                .description
                .as_deref()
                .unwrap()
                .starts_with("[calc] ")
        );
    }

    #[test]
    fn collisions_are_numbered_and_said() {
        let named = namespace(vec![
            ("a".into(), tool("b__c")),
            ("a__b".into(), tool("c")),
            // A server that lists one name twice.
            ("a".into(), tool("b__c")),
        ]);
        let names: Vec<&str> = named.iter().map(|n| n.tool.name.as_ref()).collect();
        assert_eq!(names, ["a__b__c", "a__b__c_2", "a__b__c_3"]);
        assert_eq!(named[1].collided_with.as_deref(), Some("a__b__c"));
        let said = named[1].tool.description.as_deref().unwrap();
        assert!(said.contains("because a__b__c was taken"), "{said}");
    }

    proptest! {
        #[test]
        fn every_name_is_valid_and_unique(
            tools in proptest::collection::vec(("[a-z]{1,8}", "\\PC{1,80}"), 0..40),
        ) {
            let named = namespace(tools.into_iter().map(|(s, t)| (s, tool(&t))).collect());
            let mut seen = HashSet::new();
            for entry in &named {
                let name = entry.tool.name.as_ref();
                prop_assert!(!name.is_empty() && name.len() <= MAX_NAME, "{name}");
                prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'), "{name}");
                prop_assert!(seen.insert(name.to_owned()), "duplicate {name}");
            }
        }
    }
}
