//! The stand-in a session talks to while its real server cannot serve it: switched off,
//! not installed, or crashing. An in-process rmcp server, so it answers in whichever
//! protocol era the client speaks: it lists nothing, and every call gets a plain message
//! saying what is wrong and what to do.

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, DiscoverResult,
        GetPromptRequestParams, GetPromptResponse, Implementation, InitializeRequestParams,
        InitializeResult, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
        ServerConfig,
    },
    service::RequestContext,
};

/// Why the real server is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    SwitchedOff,
    Unknown,
    /// Crashing repeatedly; `detail` holds its last stderr lines.
    Crashed {
        detail: String,
    },
    /// It cannot start until the user does something: `reason` says what.
    CannotStart {
        reason: String,
    },
}

/// The stand-in server for one session.
#[derive(Debug, Clone)]
pub struct Standin {
    server: String,
    absence: Absence,
}

impl Standin {
    pub fn new(server: &str, absence: Absence) -> Self {
        Self {
            server: server.to_owned(),
            absence,
        }
    }

    /// What the client is told, in words a model can pass on to its user.
    pub fn message(&self) -> String {
        let id = &self.server;
        match &self.absence {
            Absence::SwitchedOff => format!(
                "The server \"{id}\" is switched off in Switchboard. Ask the user to switch it \
                 on in the Switchboard app (or run `switchboard enable {id}`); its tools will \
                 then appear."
            ),
            Absence::Unknown => format!(
                "Switchboard has no server called \"{id}\". Run `switchboard list` to see the \
                 installed servers; this client's configuration may name a server that was \
                 removed."
            ),
            Absence::CannotStart { reason } => format!(
                "The server \"{id}\" cannot start: {reason}. Once that is done it starts by \
                 itself."
            ),
            Absence::Crashed { detail } => {
                let mut text = format!(
                    "The server \"{id}\" keeps crashing, so Switchboard stopped restarting it. \
                     Fix the problem, then switch it off and on again in Switchboard (or run \
                     `switchboard disable {id}` and `switchboard enable {id}`)."
                );
                if !detail.is_empty() {
                    text.push_str(" Its last output:\n");
                    text.push_str(detail);
                }
                text
            }
        }
    }

    fn refusal(&self) -> ErrorData {
        ErrorData::invalid_request(self.message(), None)
    }
}

impl ServerHandler for Standin {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_resources()
            .enable_resources_list_changed()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                self.server.clone(),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(self.message())
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        if self.absence == Absence::Unknown {
            return Err(self.refusal());
        }
        context.peer.set_peer_info(request.clone());
        self.negotiate_initialize(&request)
    }

    async fn discover(
        &self,
        _context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, ErrorData> {
        if self.absence == Absence::Unknown {
            return Err(self.refusal());
        }
        Ok(DiscoverResult::from_server_info(
            self.supported_protocol_versions().into_owned(),
            self.get_info(),
        ))
    }

    async fn call_tool(
        &self,
        _request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        Ok(CallToolResult::error(vec![ContentBlock::text(self.message())]).into())
    }

    async fn get_prompt(
        &self,
        _request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        Err(self.refusal())
    }

    async fn read_resource(
        &self,
        _request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Err(self.refusal())
    }
}
