//! `prompts`: an MCP server of reusable prompt templates, with arguments and multi-turn
//! messages: the built-in ones (code review, incident postmortem, API design review) and
//! the user's own, plus Switchboard's settings as a read-only resource.
//!
//! Owns: serving templates as MCP prompts and the settings resource. The template language
//! lives in `template`, the built-in templates in `builtin`. Knows nothing of Switchboard's
//! store: the host hands it a [`Library`] that supplies the user's templates and the
//! settings (with secrets already left out) at the moment they are asked for.

pub mod builtin;
pub mod template;

use std::sync::Arc;

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation,
        ListPromptsResult, ListResourcesResult, PaginatedRequestParams, Prompt, PromptArgument,
        PromptMessage, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
        Resource, ResourceContents, Role, ServerCapabilities, ServerConfig,
    },
    service::RequestContext,
};

pub use template::{Speaker, Template, TemplateArgument, TemplateError, TemplateMessage};

/// The URI of the settings resource.
pub const SETTINGS_URI: &str = "config://switchboard/settings";

/// Where the user's templates and the settings come from. Called on every request, so a
/// template the user adds shows on the next `prompts/list`.
pub trait Library: Send + Sync + 'static {
    /// The user's own templates. A user template with a built-in's name replaces it.
    fn user_templates(&self) -> Vec<Template>;
    /// Switchboard's settings as JSON, without any secret value.
    fn settings(&self) -> serde_json::Value;
}

/// A library with no user templates and empty settings, for standalone use.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLibrary;

impl Library for NoLibrary {
    fn user_templates(&self) -> Vec<Template> {
        Vec::new()
    }

    fn settings(&self) -> serde_json::Value {
        serde_json::json!({})
    }
}

/// The prompts server. Cheap to clone.
#[derive(Clone)]
pub struct PromptsServer {
    library: Arc<dyn Library>,
}

impl std::fmt::Debug for PromptsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptsServer").finish_non_exhaustive()
    }
}

impl Default for PromptsServer {
    fn default() -> Self {
        Self::new(Arc::new(NoLibrary))
    }
}

impl PromptsServer {
    pub fn new(library: Arc<dyn Library>) -> Self {
        Self { library }
    }

    /// Every template offered now: the built-ins, then the user's, a user template
    /// replacing a built-in of the same name. Sorted by name.
    pub fn templates(&self) -> Vec<Template> {
        let mut templates = builtin::templates();
        for user in self.library.user_templates() {
            templates.retain(|t| t.name != user.name);
            templates.push(user);
        }
        templates.sort_by(|a, b| a.name.cmp(&b.name));
        templates
    }
}

fn prompt_of(template: &Template) -> Prompt {
    let arguments = template
        .arguments
        .iter()
        .map(|argument| {
            PromptArgument::new(&argument.name)
                .with_description(&argument.description)
                .with_required(argument.required)
        })
        .collect();
    let mut prompt = Prompt::new(&template.name, Some(&template.description), Some(arguments));
    prompt.title = template.title.clone();
    prompt
}

impl ServerHandler for PromptsServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_prompts()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new(
            "switchboard-prompts",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "Reusable prompt templates: pick one with prompts/list, fill in its arguments and \
             get the messages with prompts/get. The user can add their own templates in \
             Switchboard. The resource config://switchboard/settings shows Switchboard's \
             settings (never any secret).",
        )
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(
            self.templates().iter().map(prompt_of).collect(),
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let templates = self.templates();
        let Some(template) = templates.iter().find(|t| t.name == request.name) else {
            let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
            return Err(ErrorData::invalid_params(
                format!(
                    "there is no prompt \"{}\"; the prompts are: {}",
                    request.name,
                    names.join(", ")
                ),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let messages = template
            .render(&arguments)
            .map_err(|error| ErrorData::invalid_params(error.to_string(), None))?;
        let messages = messages
            .into_iter()
            .map(|(speaker, text)| {
                let role = match speaker {
                    Speaker::User => Role::User,
                    Speaker::Assistant => Role::Assistant,
                };
                PromptMessage::new_text(role, text)
            })
            .collect();
        let mut result = GetPromptResult::new(messages);
        result.description = Some(template.description.clone());
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let resource = Resource::new(SETTINGS_URI, "settings")
            .with_title("Switchboard settings")
            .with_description(
                "Switchboard's settings, installed servers and folder grants (read-only; \
                 never any secret).",
            )
            .with_mime_type("application/json");
        Ok(ListResourcesResult::with_all_items(vec![resource]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != SETTINGS_URI {
            return Err(ErrorData::resource_not_found(
                format!(
                    "there is no resource \"{}\"; this server has only {SETTINGS_URI}",
                    request.uri
                ),
                Some(serde_json::json!({ "uri": request.uri })),
            ));
        }
        let text = serde_json::to_string_pretty(&self.library.settings())
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let contents =
            ResourceContents::text(text, SETTINGS_URI).with_mime_type("application/json");
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}
