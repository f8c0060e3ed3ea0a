//! `fetch`: an MCP server that fetches a URL safely and returns it as Markdown, text or
//! JSON, in pages.
//!
//! Owns the `fetch` tool, its arguments and result, and the flow of one call: read the
//! arguments, download (within one time limit), render, page. The parts live in their own
//! modules: address rules (`address`), URL checks (`destination`), the DNS hook
//! (`resolver`), the HTTP client and redirects (`fetcher`), content types and formats
//! (`content`), HTML → Markdown (`markdown`), paging (`page`) and the continuation cache
//! (`cache`). Knows nothing of Switchboard: it is a plain rmcp `ServerHandler`; build one
//! with [`FetchServer::new`] and clone it for every session (clones share one connection
//! pool).

pub mod address;
mod cache;
mod charset;
mod config;
mod content;
mod destination;
mod error;
mod fetcher;
mod json;
pub mod markdown;
mod page;
mod request_headers;
mod resolver;
mod tls;
mod tree;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use rmcp::{
    ServerHandler,
    handler::server::{common::schema_for_output, router::tool::ToolRouter, wrapper::Parameters},
    model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use url::Url;

use crate::cache::{Document, RecentDocuments};
use crate::content::{ContentKind, essence, kind_from_content_type, looks_binary, sniff};
use crate::destination::{host_of, parse_url, shown};
use crate::fetcher::{Fetcher, read_body, read_excerpt};
use crate::markdown::Flavor;

pub use crate::address::{AddressPolicy, address_allowed, host_name_allowed};
pub use crate::config::FetchConfig;
pub use crate::content::Format;
pub use crate::error::{FetchError, Refusal};
pub use crate::fetcher::SetupError;

/// The largest `max_length` a call may ask for.
pub const MAX_LENGTH_LIMIT: usize = 1_000_000;
/// Fetches in flight at once per server (others wait): bounds memory to this many bodies.
const MAX_CONCURRENT_FETCHES: usize = 16;
/// How much of an error page is read to quote from it.
const ERROR_EXCERPT_BYTES: usize = 16 * 1024;
/// How many characters of an error page are quoted.
const ERROR_EXCERPT_CHARS: usize = 300;
/// Bodies at least this large are rendered on the blocking pool, off the async workers.
const BLOCKING_RENDER_BYTES: usize = 256 * 1024;

/// The fetch server. Cheap to clone; clones share the HTTP client, its connection pool
/// and the continuation cache.
#[derive(Debug, Clone)]
pub struct FetchServer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: FetchConfig,
    fetcher: Fetcher,
    recent: RecentDocuments,
    permits: Semaphore,
}

/// Arguments of `fetch`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct FetchRequest {
    /// The http:// or https:// URL to fetch, such as "https://example.com/page".
    pub url: String,
    /// How to return the content. "markdown" (default): web pages as Markdown (main content, absolute links, tables, code blocks), JSON pretty-printed, other text as it is. "text": web pages as plain text without markup. "json": the body pretty-printed as JSON (an error if it is not JSON). "raw": the body exactly as sent, such as a page's HTML source.
    #[serde(default)]
    pub format: Format,
    /// Extra request headers, such as {"Accept-Language": "de"} or {"Authorization": "Bearer …"}. Host, Content-Length, Accept-Encoding and hop-by-hop headers cannot be set. Headers go only to the URL's own origin: after a redirect to another origin only Accept and Accept-Language are sent.
    #[serde(default)]
    pub headers: Option<BTreeMap<String, String>>,
    /// Where to start reading, in characters of the converted content: 0 (default) for the beginning, or the next_start_index of the previous result to read on.
    #[serde(default)]
    pub start_index: usize,
    /// The most characters to return in this call (default 20000, at most 1000000). Longer content is cut and continues at next_start_index.
    #[serde(default)]
    pub max_length: Option<usize>,
}

/// The result of `fetch`: one page of the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FetchedPage {
    /// The URL the content came from, after any redirects.
    pub url: String,
    /// The HTTP status of the response, such as 200.
    pub status: u16,
    /// The response's Content-Type header, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The format of content: "markdown", "text", "json" or "raw".
    pub format: Format,
    /// The title of the web page, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// This page of the content.
    pub content: String,
    /// Where this page starts within the whole content, in characters.
    pub start_index: usize,
    /// The length of the whole content, in characters.
    pub total_length: usize,
    /// Where the next page starts, in characters; absent when this page reaches the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_start_index: Option<usize>,
    /// A note for the reader, such as how to get the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[tool_router]
impl FetchServer {
    /// A server with `config`. Builds the HTTP client (TLS, guarded resolver, pool) once;
    /// the system's root certificates are read on the first https fetch.
    pub fn new(config: FetchConfig) -> Result<Self, SetupError> {
        let fetcher = Fetcher::new(&config)?;
        let recent = RecentDocuments::new(
            8,
            config
                .max_response_bytes
                .clamp(1024 * 1024, 32 * 1024 * 1024),
            Duration::from_secs(600),
        );
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                fetcher,
                recent,
                permits: Semaphore::new(MAX_CONCURRENT_FETCHES),
            }),
        })
    }

    /// The configuration the server was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.shared.config
    }

    #[tool(
        description = "Fetch a URL (http or https, GET) and return its content as text: web \
                       pages as Markdown of their main content (with absolute links, tables \
                       and code blocks), JSON pretty-printed, other text as it is. Long \
                       content comes in pages: when the result has next_start_index, call \
                       fetch again with the same url and format and start_index set to it. \
                       Binary files (images, PDFs, archives) are refused. Addresses on the \
                       user's computer or private network, and cloud metadata endpoints, are \
                       refused unless the user allowed private addresses.",
        annotations(
            title = "Fetch a URL",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        ),
        output_schema = schema_for_output::<FetchedPage>()
    )]
    async fn fetch(
        &self,
        Parameters(request): Parameters<FetchRequest>,
    ) -> Result<CallToolResult, String> {
        let requested = parse_url(&request.url).ok().map(|url| shown(&url));
        match self.fetch_page(request).await {
            Ok(page) => Ok(tool_result(&page, requested.as_deref())),
            Err(error) => {
                tracing::debug!(kind = error.kind(), "fetch failed");
                Err(error.to_string())
            }
        }
    }
}

impl FetchServer {
    /// Does what the `fetch` tool does and returns the page, or the error whose text the
    /// tool returns.
    #[tracing::instrument(
        skip_all,
        fields(format = request.format.name(), start_index = request.start_index)
    )]
    pub async fn fetch_page(&self, request: FetchRequest) -> Result<FetchedPage, FetchError> {
        let url = parse_url(&request.url)?;
        let max_length = match request.max_length {
            None => self.shared.config.default_max_length.max(1),
            Some(0) => {
                return Err(FetchError::InvalidArgument(
                    "max_length must be at least 1.".to_owned(),
                ));
            }
            Some(length) if length > MAX_LENGTH_LIMIT => {
                return Err(FetchError::InvalidArgument(format!(
                    "max_length {length} is above the limit of {MAX_LENGTH_LIMIT} characters."
                )));
            }
            Some(length) => length,
        };
        let headers = request_headers::request_headers(&request.headers.unwrap_or_default())?;
        let key = self
            .shared
            .recent
            .key(url.as_str(), request.format, &headers);
        let remembered = if request.start_index > 0 {
            self.shared.recent.get(&key)
        } else {
            None
        };
        let document = match remembered {
            Some(document) => document,
            None => {
                let document = Arc::new(self.download(url, headers, request.format).await?);
                if document.text.len() > max_length {
                    self.shared.recent.put(key, Arc::clone(&document));
                }
                document
            }
        };
        paginate(&document, request.start_index, max_length)
    }

    /// Downloads and renders `url` within the configured time limit.
    #[tracing::instrument(skip_all, fields(host = %host_of(&url), format = format.name()))]
    async fn download(
        &self,
        url: Url,
        mut headers: HeaderMap,
        format: Format,
    ) -> Result<Document, FetchError> {
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, accept_for(format));
        }
        // The semaphore is never closed; without a permit the fetch simply goes ahead.
        let _permit = self.shared.permits.acquire().await.ok();
        let host = host_of(&url);
        let limit = self.shared.config.timeout;
        let received = tokio::time::timeout(limit, self.receive(url, &headers))
            .await
            .map_err(|_| FetchError::Timeout { host, limit })??;
        let Received {
            url,
            status,
            content_type,
            kind,
            body,
        } = received;
        let shown_url = shown(&url);
        let from_html = kind == ContentKind::Html;
        let large = body.len() >= BLOCKING_RENDER_BYTES && format != Format::Raw;
        let render = move || {
            content::render(&body, content_type.as_deref(), kind, format, &url)
                .map(|rendered| (rendered, content_type))
        };
        // Converting a large page takes milliseconds of CPU: off the async workers.
        let (rendered, content_type) = if large {
            tokio::task::spawn_blocking(render)
                .await
                .map_err(|_| FetchError::Conversion)??
        } else {
            render()?
        };
        Ok(Document {
            url: shown_url,
            status,
            content_type,
            format: rendered.format,
            title: rendered.title,
            text: rendered.text,
            from_html,
            flattened: rendered.flattened,
        })
    }

    /// Follows redirects to the final response and reads its body under the cap.
    async fn receive(&self, url: Url, headers: &HeaderMap) -> Result<Received, FetchError> {
        let arrived = self.shared.fetcher.get(url, headers).await?;
        let url = arrived.url;
        let mut response = arrived.response;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        if !status.is_success() {
            let body = read_excerpt(&mut response, ERROR_EXCERPT_BYTES).await;
            return Err(FetchError::Status {
                url: shown(&url),
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_owned(),
                excerpt: error_excerpt(&body, content_type.as_deref(), &url),
            });
        }
        let declared = kind_from_content_type(content_type.as_deref());
        if declared == Some(ContentKind::Binary) {
            return Err(FetchError::Binary {
                url: shown(&url),
                content_type: content_type.as_deref().map(essence).unwrap_or_default(),
                size: response.content_length(),
            });
        }
        let body = read_body(&mut response, &url, self.shared.config.max_response_bytes).await?;
        let kind = match declared {
            Some(kind) if !looks_binary(&body) => kind,
            Some(_) => ContentKind::Binary,
            None => sniff(&body),
        };
        Ok(Received {
            url,
            status: status.as_u16(),
            content_type,
            kind,
            body,
        })
    }
}

/// A body as it arrived, before rendering.
struct Received {
    url: Url,
    status: u16,
    content_type: Option<String>,
    kind: ContentKind,
    body: Vec<u8>,
}

fn accept_for(format: Format) -> HeaderValue {
    HeaderValue::from_static(match format {
        Format::Json => "application/json, text/plain;q=0.5, */*;q=0.1",
        _ => {
            "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,\
             application/json;q=0.9,*/*;q=0.5"
        }
    })
}

/// The start of an error page as one line of plain text.
fn error_excerpt(body: &[u8], content_type: Option<&str>, url: &Url) -> String {
    if body.is_empty() || looks_binary(body) {
        return String::new();
    }
    let html = match kind_from_content_type(content_type) {
        Some(kind) => kind == ContentKind::Html,
        None => sniff(body) == ContentKind::Html,
    };
    let text = charset::decode(body, content_type, html, false);
    let text = if html {
        markdown::convert(&text, Some(url), Flavor::Text).text
    } else {
        text.into_owned()
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(ERROR_EXCERPT_CHARS) {
        None => line,
        Some((cut, _)) => format!("{}…", &line[..cut]),
    }
}

/// One page of a document, with the note that tells a model how to go on.
fn paginate(
    document: &Document,
    start: usize,
    max_length: usize,
) -> Result<FetchedPage, FetchError> {
    let Some(one) = page::page(&document.text, start, max_length) else {
        return Err(FetchError::StartPastEnd {
            start,
            total: document.text.chars().count(),
        });
    };
    let next_start_index = one.next_start();
    let mut notes: Vec<String> = Vec::new();
    if document.flattened {
        notes.push(
            "The page nests its HTML too deeply to convert, so it is shown as plain text."
                .to_owned(),
        );
    }
    let paging = if let Some(next) = next_start_index {
        Some(format!(
            "Showing characters {}–{} of {}. To read on, call fetch again with the same url \
             and format and start_index={next}.",
            one.start, one.end, one.total
        ))
    } else if one.total == 0 && document.from_html {
        Some(
            "The page has no readable text. It may be built by JavaScript, which this tool \
             does not run; format \"raw\" returns its HTML source."
                .to_owned(),
        )
    } else if one.total == 0 {
        Some("The response is empty.".to_owned())
    } else if start > 0 && one.text.is_empty() {
        Some("This is the end of the content.".to_owned())
    } else {
        None
    };
    notes.extend(paging);
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    Ok(FetchedPage {
        url: document.url.clone(),
        status: document.status,
        content_type: document.content_type.clone(),
        format: document.format,
        title: document.title.clone(),
        content: one.text.to_owned(),
        start_index: one.start,
        total_length: one.total,
        next_start_index,
        note,
    })
}

/// The tool result: the page's text for reading (with the note and any redirect said in
/// words), and the whole page as structured content.
fn tool_result(page: &FetchedPage, requested: Option<&str>) -> CallToolResult {
    let mut text = String::with_capacity(page.content.len() + 256);
    if requested.is_some_and(|requested| requested != page.url) && page.start_index == 0 {
        text.push_str(&format!("[Redirected to {}]\n\n", page.url));
    }
    text.push_str(&page.content);
    if let Some(note) = &page.note {
        if !page.content.is_empty() {
            text.push_str("\n\n");
        }
        text.push('[');
        text.push_str(note);
        text.push(']');
    }
    match serde_json::to_value(page) {
        Ok(value) => {
            let mut result = CallToolResult::structured(value);
            result.content = vec![ContentBlock::text(text)];
            result
        }
        Err(_) => CallToolResult::success(vec![ContentBlock::text(text)]),
    }
}

impl FetchServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<FetchServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for FetchServer {
    fn get_info(&self) -> ServerConfig {
        let private = if self.shared.config.allow_private_addresses {
            "The user has allowed addresses on their own computer and private network; cloud \
             metadata endpoints stay refused."
        } else {
            "Addresses on the user's own computer (localhost) or private network, and cloud \
             metadata endpoints, are refused; only the user can allow private addresses, in \
             Switchboard's settings. Do not try to reach a refused address another way."
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("fetch", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Fetches web pages and other http(s) URLs and returns them as text: HTML as \
                 Markdown of the main content, JSON pretty-printed, other text as it is. Use \
                 format \"raw\" for a page's HTML source and \"json\" for APIs. Long content \
                 comes in pages of max_length characters (default {}): when a result has \
                 next_start_index, call fetch again with the same url and format and that \
                 start_index. Pass credentials or a language in headers when a site needs \
                 them. {private}",
                self.shared.config.default_max_length
            ))
    }
}
