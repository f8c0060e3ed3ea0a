//! A read-only client of an MCP Registry (the official one at
//! `https://registry.modelcontextprotocol.io`, or any registry serving the same REST API):
//! lists and searches servers through `GET /v0.1/servers` (falling back to `/v0/servers`
//! on registries that predate v0.1), following `metadata.nextCursor` page by page, and
//! returns each valid entry as a [`CatalogEntry`]; invalid ones are skipped with the reason.
//!
//! Owns: the HTTP requests (https only, except to this computer; timeouts; a byte cap per
//! page; a page and entry cap per listing; `If-None-Match` with the last ETag) and reading
//! the registry's response shape. Must not: write anything (the caller caches the listing
//! with its ETag and time) or follow a redirect to plain http.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use reqwest::{StatusCode, header, redirect};
use serde::Deserialize;
use serde_json::Value;
use url::{Host, Url};

use crate::{
    catalog::Skipped,
    entry::{CatalogEntry, Origin},
};

/// How long and how much a listing may take.
#[derive(Debug, Clone)]
pub struct RegistryLimits {
    /// Whole request, headers and body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest response body read, per page.
    pub max_page_bytes: usize,
    /// Pages read per listing.
    pub max_pages: usize,
    /// Entries asked for per page (`limit`).
    pub page_size: u32,
    /// Entries kept per listing.
    pub max_entries: usize,
}

impl Default for RegistryLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            max_page_bytes: 8 * 1024 * 1024,
            max_pages: 50,
            page_size: 100,
            max_entries: 5_000,
        }
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct RegistryQuery {
    /// Only servers whose name contains this (the registry's own substring search).
    pub search: Option<String>,
    /// Only servers updated since this RFC 3339 time.
    pub updated_since: Option<String>,
    /// Every version of each server, not only the latest.
    pub all_versions: bool,
    /// The ETag of the last listing: an unchanged first page is not read again.
    pub etag: Option<String>,
}

/// A registry's metadata about one entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryStatus {
    /// `active` or `deprecated` (deleted entries are skipped).
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub published_at: Option<String>,
    pub updated_at: Option<String>,
    pub is_latest: Option<bool>,
}

/// One server from a registry.
#[derive(Debug, Clone)]
pub struct RegistryEntry {
    pub entry: CatalogEntry,
    pub status: RegistryStatus,
}

/// The result of a listing, with what the caller stores beside it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub entries: Vec<RegistryEntry>,
    /// Entries left out, and why.
    pub skipped: Vec<Skipped>,
    /// The first page's ETag, for the next [`RegistryQuery::etag`].
    pub etag: Option<String>,
    /// When the listing was read, in Unix milliseconds.
    pub fetched_at_ms: i64,
    /// The registry said nothing changed since `etag`: keep the cached listing.
    pub not_modified: bool,
    /// False when a cap stopped the listing before its last page.
    pub complete: bool,
}

/// Why a registry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "\"{0}\" is not a registry address: give its base URL, such as \
         https://registry.modelcontextprotocol.io"
    )]
    BaseUrl(String),
    #[error(
        "{0} is not encrypted: a registry must be reached over https (plain http is allowed \
         only for this computer)"
    )]
    PlainHttp(String),
    #[error("could not set up the registry client: {0}")]
    Setup(String),
    #[error("could not reach the registry at {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("the registry at {url} did not answer within {seconds} seconds; try again later")]
    Timeout { url: String, seconds: u64 },
    #[error("the registry at {url} answered {status}{hint}")]
    Status {
        url: String,
        status: u16,
        hint: &'static str,
    },
    #[error(
        "the registry at {url} sent more than {limit} bytes for one page; Switchboard stops \
         reading there"
    )]
    TooLarge { url: String, limit: usize },
    #[error("the answer from {url} is not an MCP Registry listing: {detail}")]
    NotRegistry { url: String, detail: String },
}

/// A client for one registry.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    base: Url,
    http: reqwest::Client,
    limits: RegistryLimits,
}

/// The API paths tried, newest first.
const API_VERSIONS: [&str; 2] = ["v0.1", "v0"];

impl RegistryClient {
    /// A client for the registry at `base_url` (https, or http to this computer).
    pub fn new(base_url: &str, limits: RegistryLimits) -> Result<Self, RegistryError> {
        let mut base =
            Url::parse(base_url.trim()).map_err(|_| RegistryError::BaseUrl(base_url.to_owned()))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => return Err(RegistryError::PlainHttp(base.to_string())),
            _ => return Err(RegistryError::BaseUrl(base_url.to_owned())),
        }
        if base.cannot_be_a_base() || base.query().is_some() {
            return Err(RegistryError::BaseUrl(base_url.to_owned()));
        }
        let trimmed = base.path().trim_end_matches('/').to_owned();
        base.set_path(&trimmed);
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .no_proxy()
            .redirect(redirect::Policy::custom(|attempt| {
                let safe = attempt.url().scheme() == "https" || is_loopback(attempt.url());
                if attempt.previous().len() >= 3 || !safe {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RegistryError::Setup(e.to_string()))?;
        Ok(Self { base, http, limits })
    }

    /// The registry's base URL.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// Lists the servers matching `query`, page by page, within the limits.
    #[tracing::instrument(skip_all, fields(registry = %self.base), err)]
    pub async fn list(&self, query: &RegistryQuery) -> Result<Listing, RegistryError> {
        let roots = self.api_roots();
        let last = roots.len().saturating_sub(1);
        for (index, root) in roots.iter().enumerate() {
            match self.list_at(root, query).await {
                Err(RegistryError::Status { status: 404, .. }) if index < last => {
                    tracing::debug!(api = %root, "not found; trying an older API version");
                }
                other => return other,
            }
        }
        Err(RegistryError::BaseUrl(self.base.to_string()))
    }

    /// The latest version of the server with this name, if the registry has it.
    #[tracing::instrument(skip_all, fields(registry = %self.base, server = name), err)]
    pub async fn get(&self, name: &str) -> Result<Option<RegistryEntry>, RegistryError> {
        for root in self.api_roots() {
            let mut url = root.clone();
            url.path_segments_mut()
                .map_err(|()| RegistryError::BaseUrl(self.base.to_string()))?
                .extend(["servers", name, "versions", "latest"]);
            match self.fetch(&url, None).await {
                Err(RegistryError::Status { status: 404, .. }) => continue,
                Err(error) => return Err(error),
                Ok(Fetched::NotModified { .. }) => return Ok(None),
                Ok(Fetched::Body { bytes, .. }) => {
                    let item: Value =
                        serde_json::from_slice(&bytes).map_err(|e| RegistryError::NotRegistry {
                            url: url.to_string(),
                            detail: e.to_string(),
                        })?;
                    return match self.read_item(item) {
                        Ok(entry) => Ok(Some(entry)),
                        Err(skipped) => Err(RegistryError::NotRegistry {
                            url: url.to_string(),
                            detail: skipped.reason,
                        }),
                    };
                }
            }
        }
        Ok(None)
    }

    /// `<base>/v0.1` and `<base>/v0`, or the base itself when it already names a version.
    fn api_roots(&self) -> Vec<Url> {
        let path = self.base.path();
        if API_VERSIONS
            .iter()
            .any(|version| path.ends_with(&format!("/{version}")))
        {
            return vec![self.base.clone()];
        }
        API_VERSIONS
            .iter()
            .map(|version| {
                let mut url = self.base.clone();
                url.set_path(&format!("{}/{version}", path.trim_end_matches('/')));
                url
            })
            .collect()
    }

    async fn list_at(&self, root: &Url, query: &RegistryQuery) -> Result<Listing, RegistryError> {
        let mut listing = Listing {
            entries: Vec::new(),
            skipped: Vec::new(),
            etag: None,
            fetched_at_ms: now_ms(),
            not_modified: false,
            complete: false,
        };
        let mut cursor: Option<String> = None;
        let mut seen_cursors: Vec<String> = Vec::new();
        for page in 0..self.limits.max_pages {
            let url = self.page_url(root, query, cursor.as_deref());
            let etag = if page == 0 {
                query.etag.as_deref()
            } else {
                None
            };
            let bytes = match self.fetch(&url, etag).await? {
                Fetched::NotModified { etag } => {
                    listing.not_modified = true;
                    listing.complete = true;
                    listing.etag = etag.or_else(|| query.etag.clone());
                    return Ok(listing);
                }
                Fetched::Body { bytes, etag } => {
                    if page == 0 {
                        listing.etag = etag;
                    }
                    bytes
                }
            };
            let parsed: Page =
                serde_json::from_slice(&bytes).map_err(|e| RegistryError::NotRegistry {
                    url: url.to_string(),
                    detail: e.to_string(),
                })?;
            for item in parsed.servers {
                if listing.entries.len() >= self.limits.max_entries {
                    return Ok(listing);
                }
                match self.read_item(item) {
                    Ok(entry) => listing.entries.push(entry),
                    Err(skipped) => listing.skipped.push(skipped),
                }
            }
            match parsed.metadata.and_then(|m| m.next_cursor) {
                Some(next) if !next.is_empty() => {
                    if seen_cursors.contains(&next) {
                        return Err(RegistryError::NotRegistry {
                            url: url.to_string(),
                            detail: "it sent the same page cursor twice".to_owned(),
                        });
                    }
                    seen_cursors.push(next.clone());
                    cursor = Some(next);
                }
                _ => {
                    listing.complete = true;
                    return Ok(listing);
                }
            }
        }
        Ok(listing)
    }

    fn page_url(&self, root: &Url, query: &RegistryQuery, cursor: Option<&str>) -> Url {
        let mut url = root.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("servers");
        }
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("limit", &self.limits.page_size.to_string());
            if !query.all_versions {
                pairs.append_pair("version", "latest");
            }
            if let Some(search) = query.search.as_deref().filter(|s| !s.trim().is_empty()) {
                pairs.append_pair("search", search.trim());
            }
            if let Some(since) = &query.updated_since {
                pairs.append_pair("updated_since", since);
            }
            if let Some(cursor) = cursor {
                pairs.append_pair("cursor", cursor);
            }
        }
        url
    }

    fn read_item(&self, item: Value) -> Result<RegistryEntry, Skipped> {
        let name = item
            .pointer("/server/name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)")
            .to_owned();
        let version = item
            .pointer("/server/version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let shown = if version.is_empty() {
            name
        } else {
            format!("{name} {version}")
        };
        let skip = |reason: String| Skipped {
            name: shown.clone(),
            reason,
        };
        let item: Item =
            serde_json::from_value(item).map_err(|e| skip(format!("not a registry entry: {e}")))?;
        let status = item
            .meta
            .and_then(|mut meta| meta.remove("io.modelcontextprotocol.registry/official"))
            .and_then(|official| serde_json::from_value::<Official>(official).ok())
            .map(|o| RegistryStatus {
                status: o.status,
                status_message: o.status_message,
                published_at: o.published_at,
                updated_at: o.updated_at,
                is_latest: o.is_latest,
            })
            .unwrap_or_default();
        if status.status.as_deref() == Some("deleted") {
            return Err(skip("it was deleted from the registry".to_owned()));
        }
        let origin = Origin::Registry {
            base_url: self.base.to_string(),
        };
        let entry = CatalogEntry::from_json(&shown, &item.server.to_string(), origin)
            .map_err(|e| skip(e.to_string()))?;
        Ok(RegistryEntry { entry, status })
    }

    async fn fetch(&self, url: &Url, etag: Option<&str>) -> Result<Fetched, RegistryError> {
        let shown = url.to_string();
        let mut request = self
            .http
            .get(url.clone())
            .header(header::ACCEPT, "application/json");
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&shown, &e))?;
        let status = response.status();
        let etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified { etag });
        }
        if !status.is_success() {
            return Err(RegistryError::Status {
                url: shown,
                status: status.as_u16(),
                hint: match status.as_u16() {
                    404 => ": it does not serve the MCP Registry API there",
                    429 => ": too many requests; try again later",
                    500..=599 => ": the registry has a problem; try again later",
                    _ => "",
                },
            });
        }
        let limit = self.limits.max_page_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(RegistryError::TooLarge { url: shown, limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&shown, &e))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(RegistryError::TooLarge { url: shown, limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, etag })
    }

    fn transport_error(&self, url: &str, error: &reqwest::Error) -> RegistryError {
        if error.is_timeout() {
            RegistryError::Timeout {
                url: url.to_owned(),
                seconds: self.limits.timeout.as_secs().max(1),
            }
        } else {
            let mut detail = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                detail = format!("{detail}: {inner}");
                source = inner.source();
            }
            RegistryError::Connect {
                url: url.to_owned(),
                detail,
            }
        }
    }
}

enum Fetched {
    NotModified {
        etag: Option<String>,
    },
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
}

/// One page of `GET /servers`.
#[derive(Debug, Deserialize)]
struct Page {
    servers: Vec<Value>,
    #[serde(default)]
    metadata: Option<PageMetadata>,
}

#[derive(Debug, Deserialize)]
struct PageMetadata {
    /// `nextCursor` (v0.1), `next_cursor` (early v0).
    #[serde(default, rename = "nextCursor", alias = "next_cursor")]
    next_cursor: Option<String>,
}

/// One item of a listing: the `server.json` and the registry's own metadata.
#[derive(Debug, Deserialize)]
struct Item {
    server: Value,
    #[serde(default, rename = "_meta")]
    meta: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Official {
    status: Option<String>,
    status_message: Option<String>,
    published_at: Option<String>,
    updated_at: Option<String>,
    is_latest: Option<bool>,
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// rustls on the ring provider, verifying against the platform's trust store (also what
/// the hub's relay to remote servers uses).
pub fn tls_config() -> Result<rustls::ClientConfig, RegistryError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| RegistryError::Setup(e.to_string()))?
        .with_platform_verifier()
        .map_err(|e| RegistryError::Setup(e.to_string()))?
        .with_no_client_auth();
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> RegistryClient {
        RegistryClient::new(base, RegistryLimits::default()).expect("client")
    }

    #[test]
    fn plain_http_is_refused_except_to_this_computer() {
        let error = RegistryClient::new("http://registry.example.com", RegistryLimits::default())
            .expect_err("plain http");
        assert!(error.to_string().contains("not encrypted"), "{error}");
        RegistryClient::new("http://127.0.0.1:9/", RegistryLimits::default())
            .expect("loopback is fine");
        let error = RegistryClient::new("registry.example.com", RegistryLimits::default())
            .expect_err("no scheme");
        assert!(
            error.to_string().contains("not a registry address"),
            "{error}"
        );
    }

    #[test]
    fn api_roots_try_v0_1_then_v0_under_a_path_prefix() {
        let roots: Vec<String> = client("https://example.com/mcp/")
            .api_roots()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            roots,
            ["https://example.com/mcp/v0.1", "https://example.com/mcp/v0"]
        );
        let pinned: Vec<String> = client("https://example.com/v0")
            .api_roots()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(pinned, ["https://example.com/v0"]);
    }

    #[test]
    fn page_urls_carry_the_query_and_cursor() {
        let registry = client("https://example.com");
        let root = registry.api_roots()[0].clone();
        let query = RegistryQuery {
            search: Some(" file system ".into()),
            ..RegistryQuery::default()
        };
        let url = registry.page_url(&root, &query, Some("abc=="));
        assert_eq!(
            url.as_str(),
            "https://example.com/v0.1/servers?limit=100&version=latest&search=file+system&cursor=abc%3D%3D"
        );
    }
}
