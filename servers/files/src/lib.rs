//! `files`: an MCP server that reads, writes, edits, lists and searches files inside the
//! folders a user granted, and refuses everything else.
//!
//! Owns: [`FilesServer`] (the tools and the `file://` resources) and the public sandbox
//! ([`sandbox`]) that every file access goes through. The grants live in a [`Folders`]
//! handle the embedder owns; replacing them takes effect on the next call of every
//! session. Knows nothing of Switchboard: it is a plain rmcp `ServerHandler`.
//!
//! Modules: `sandbox` (grants, path rules, descriptor-based opening), `reading`, `writing`,
//! `edit`, `walk`, `search` (what the tools do), `resources`, `tools` (what a model sees),
//! `uri`, `mime`, `limits`, `error`.

mod edit;
mod error;
mod limits;
mod mime;
mod reading;
mod resources;
pub mod sandbox;
mod search;
mod tools;
mod uri;
mod walk;
mod writing;

use std::sync::Arc;

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    handler::server::router::tool::ToolRouter,
    model::{
        Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
        ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
    },
    service::RequestContext,
    tool_handler,
};

pub use error::FilesError;
pub use limits::Limits;
pub use sandbox::{Access, Folder, Folders, Intent, SandboxError};
pub use search::{SearchMatch, SearchResults};
pub use tools::{AllowedFolder, AllowedFolders, FileInfo};
pub use uri::UriError;
pub use walk::{EntryKind, ListedEntry, Listing, Tree, TreeEntry};
pub use writing::{CreatedDirectories, EditSummary, MoveSummary, WriteSummary};

/// The files server. Cheap to clone; one instance (or one clone per session) may serve
/// many sessions, all seeing the grants of the same [`Folders`].
#[derive(Debug, Clone)]
pub struct FilesServer {
    folders: Folders,
    limits: Arc<Limits>,
}

impl FilesServer {
    /// A server over `folders` (shared: the embedder keeps a clone and calls
    /// [`Folders::replace`] when grants change) with `limits` on every call.
    pub fn new(folders: Folders, limits: Limits) -> Self {
        Self {
            folders,
            limits: Arc::new(limits),
        }
    }

    /// The grants this server uses.
    pub fn folders(&self) -> &Folders {
        &self.folders
    }

    fn instructions(&self) -> String {
        let grants = self.folders.grants();
        let now = if grants.folders().is_empty() {
            "No folder is granted yet; until the user grants one, every call is refused.".to_owned()
        } else {
            format!("Granted when this session started: {}.", grants.describe())
        };
        format!(
            "Reads, writes, edits and searches files inside the folders the user granted to \
             this server, and nothing outside them. {now} The user grants folders (read-only or \
             read-write) in Switchboard and may change them at any time: call \
             list_allowed_folders for the current ones. Use absolute paths inside a granted \
             folder (a relative path works when exactly one folder is granted). Read text with \
             read_file (head, tail, or offset and limit for parts of large files) and images or \
             audio with read_media. Change files with edit_file (exact text replacements; it \
             returns a diff, and dry_run previews one) rather than rewriting them with \
             write_file. search_files finds files by name glob and by content. Read-only \
             folders refuse every change, and only the user can change a grant. Files are also \
             resources at file:///absolute/path."
        )
    }
}

impl FilesServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<FilesServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for FilesServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("files", env!("CARGO_PKG_VERSION")))
        .with_instructions(self.instructions())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let grants = self.folders.grants();
        let limits = Arc::clone(&self.limits);
        let resources = tokio::task::spawn_blocking(move || resources::list(&grants, &limits))
            .await
            .map_err(|e| McpError::internal_error(format!("listing failed: {e}"), None))?;
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let grants = self.folders.grants();
        let limits = Arc::clone(&self.limits);
        tokio::task::spawn_blocking(move || resources::read(&grants, &request.uri, &limits))
            .await
            .map_err(|e| McpError::internal_error(format!("reading failed: {e}"), None))?
            .map(ReadResourceResponse::from)
    }
}
