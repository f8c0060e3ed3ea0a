//! The MCP face of the knowledge base: the four tools, their descriptions and annotations,
//! and the server's instructions.
//!
//! Owns the translation between MCP calls and knowledge base operations (blocking work
//! runs on tokio's blocking pool; failures become tool errors with the knowledge base's
//! message). Must not hold state of its own: one `NotesServer` per session, all sharing one
//! `KnowledgeBase`.

use rmcp::{
    Json, ServerHandler,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{Implementation, ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};

use crate::{
    error::NotesError,
    knowledge_base::KnowledgeBase,
    tools::{
        ListNotesRequest, Note, NoteList, ReadNoteRequest, SearchRequest, SearchResults,
        WriteNoteRequest, WrittenNote,
    },
};

/// The notes MCP server for one session. Cheap to create and clone.
#[derive(Debug, Clone)]
pub struct NotesServer {
    knowledge_base: KnowledgeBase,
}

/// Runs blocking knowledge base work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, NotesError> + Send + 'static,
) -> Result<Json<T>, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(Json(value)),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("The notes server failed while handling this call; try again.".to_owned()),
    }
}

#[tool_router]
impl NotesServer {
    /// A server for one session over the shared knowledge base.
    pub fn new(knowledge_base: KnowledgeBase) -> Self {
        Self { knowledge_base }
    }

    /// The knowledge base this server uses.
    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.knowledge_base
    }

    #[tool(
        description = "Search the user's notes (Markdown and text files in the folders they \
                       granted) by content. Returns the most relevant passages, best first, each \
                       with its file path, note title, the heading it falls under, its line and \
                       a snippet with the matched words in **bold**. Words must all match (if \
                       none has them all, notes with any of them are returned); also \"exact \
                       phrase\", prefix*, OR, -exclude. Follow up with read_note for the full \
                       text.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_knowledge(
        &self,
        Parameters(request): Parameters<SearchRequest>,
    ) -> Result<Json<SearchResults>, String> {
        let knowledge_base = self.knowledge_base.clone();
        blocking(move || knowledge_base.search(&request)).await
    }

    #[tool(
        description = "Read a note from the granted folders: the whole note, or just the \
                       section under one heading. Give the path from search_knowledge or \
                       list_notes (or a path relative to a granted folder). Returns the text \
                       with its line numbers, the note's title and its outline of headings. \
                       Long notes are cut at 100 KB; read them section by section.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn read_note(
        &self,
        Parameters(request): Parameters<ReadNoteRequest>,
    ) -> Result<Json<Note>, String> {
        let knowledge_base = self.knowledge_base.clone();
        blocking(move || knowledge_base.read_note(&request)).await
    }

    #[tool(
        description = "Save a new Markdown note in a writable granted folder and return its \
                       path. The title becomes the first heading and the file name (a slug \
                       such as meeting-notes.md; a numbered name such as meeting-notes-2.md if \
                       that exists). An existing note is replaced only with overwrite: true. \
                       The note is searchable at once.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn write_note(
        &self,
        Parameters(request): Parameters<WriteNoteRequest>,
    ) -> Result<Json<WrittenNote>, String> {
        let knowledge_base = self.knowledge_base.clone();
        blocking(move || knowledge_base.write_note(&request)).await
    }

    #[tool(
        description = "List the granted note folders (and which are writable) and the most \
                       recently modified notes in them, newest first, optionally in one folder \
                       or under a path prefix. Use it to see what notes exist or what changed \
                       lately; use search_knowledge to find notes by content.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_notes(
        &self,
        Parameters(request): Parameters<ListNotesRequest>,
    ) -> Result<Json<NoteList>, String> {
        let knowledge_base = self.knowledge_base.clone();
        blocking(move || knowledge_base.list_notes(&request)).await
    }
}

impl NotesServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<NotesServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for NotesServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("notes", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "The user's own knowledge base: Markdown and text notes in folders they granted. \
                 Before answering from memory about the user's projects, plans or notes, call \
                 search_knowledge with a few distinctive words; each hit names the file, the \
                 heading and the line. Then call read_note with a hit's path (and its heading, \
                 to read only that section) before quoting or relying on it. list_notes shows \
                 the folders and recently changed notes. write_note saves a new note when the \
                 user asks to record something; it returns the path and never replaces a note \
                 unless overwrite is true. Cite notes by path when you use them.",
            )
    }
}
