//! The HTTP side of a fetch: one pooled client per server, redirects followed by hand with
//! every hop checked again, bodies read under a byte cap.
//!
//! Owns the reqwest client (built once: TLS, the guarded resolver, no system proxy, no
//! automatic redirects), the redirect loop, the check of the connected peer, and the
//! translation of transport failures into [`FetchError`]s. Must not decide what content
//! means (that is `content`), and must not log URLs or header values: logs carry the host
//! and the outcome only.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Response, redirect};
use url::Url;

use crate::address::{AddressPolicy, address_allowed};
use crate::config::FetchConfig;
use crate::destination::{check_destination, host_of, shown};
use crate::error::{FetchError, Refusal};
use crate::request_headers::cross_origin_headers;
use crate::resolver::{GuardedResolver, ResolveFailure};
use crate::tls;

/// Why a server could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The TLS configuration could not be built.
    #[error("could not set up TLS for the fetch server: {0}")]
    Tls(#[from] rustls::Error),
    /// The HTTP client could not be built.
    #[error("could not build the fetch server's HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The pooled HTTP client and the rules every hop obeys.
#[derive(Debug)]
pub(crate) struct Fetcher {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    max_redirects: usize,
}

/// The response that ended the redirect chain, and where it came from.
#[derive(Debug)]
pub(crate) struct Arrived {
    /// The final URL.
    pub(crate) url: Url,
    /// The response, body not yet read.
    pub(crate) response: Response,
}

impl Fetcher {
    pub(crate) fn new(config: &FetchConfig) -> Result<Self, SetupError> {
        let policy = Arc::new(AddressPolicy {
            allow_private: config.allow_private_addresses,
            allowed: config.allowed_addresses.clone(),
        });
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::client_config()?)
            // Proxies from HTTP_PROXY and friends would connect on our behalf to places
            // the resolver never saw: they are not used at all.
            .no_proxy()
            // Redirects are followed by hand, so every hop is checked and counted.
            .redirect(redirect::Policy::none())
            .referer(false)
            .dns_resolver(GuardedResolver::new(Arc::clone(&policy)))
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(8)
            .tcp_nodelay(true)
            .user_agent(config.user_agent.as_str())
            .build()?;
        Ok(Self {
            client,
            policy,
            max_redirects: config.max_redirects,
        })
    }

    /// GETs `url` with `headers`, following redirects (each checked, counted, and sent
    /// only the headers its origin may see), and returns the final response unread.
    pub(crate) async fn get(&self, url: Url, headers: &HeaderMap) -> Result<Arrived, FetchError> {
        let origin = url.origin();
        let mut visited: Vec<Url> = Vec::new();
        let mut current = url;
        loop {
            let previous = visited.last();
            check_destination(&current, &self.policy, previous)?;
            let hop_headers = if current.origin() == origin {
                headers.clone()
            } else {
                cross_origin_headers(headers)
            };
            let response = self
                .client
                .get(current.clone())
                .headers(hop_headers)
                .send()
                .await
                .map_err(|error| send_error(&error, &current, previous))?;
            // Belt and braces: the resolver only hands out allowed addresses and IP
            // literals were checked above, but the connected peer is checked as well.
            if let Some(peer) = response.remote_addr()
                && let Err(refusal) = address_allowed(peer.ip(), &self.policy)
            {
                return Err(FetchError::Refused {
                    target: shown(&current),
                    refusal: Refusal::Address(refusal),
                    redirected_from: previous.map(shown),
                });
            }
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                tracing::debug!(host = %host_of(&current), status, redirects = visited.len(), "arrived");
                return Ok(Arrived {
                    url: current,
                    response,
                });
            }
            let next = redirect_target(&current, &response, status)?;
            if visited.len() >= self.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    max: self.max_redirects,
                    next: shown(&next),
                });
            }
            if next == current || visited.contains(&next) {
                return Err(FetchError::RedirectLoop { url: shown(&next) });
            }
            visited.push(current);
            current = next;
        }
    }
}

/// Where a redirect response points, resolved against the URL that answered.
fn redirect_target(from: &Url, response: &Response, status: u16) -> Result<Url, FetchError> {
    let bad = |problem: &str| FetchError::BadRedirect {
        from: shown(from),
        status,
        problem: problem.to_owned(),
    };
    let location = response
        .headers()
        .get(LOCATION)
        .ok_or_else(|| bad("without a Location header"))?;
    let location = location
        .to_str()
        .map_err(|_| bad("whose Location header is not readable text"))?;
    let mut next = from
        .join(location)
        .map_err(|error| bad(&format!("to an invalid URL ({error})")))?;
    next.set_fragment(None);
    Ok(next)
}

/// Reads the whole body, refusing it once it passes `limit` bytes (counted after
/// decompression, so a decompression bomb stops at the cap).
pub(crate) async fn read_body(
    response: &mut Response,
    url: &Url,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::TooLarge {
        url: shown(url),
        limit,
    };
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let capacity = announced.map_or(16 * 1024, |length| length as usize);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| body_error(&error, url))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `limit` bytes of the body, for quoting an error page. Failures end the
/// excerpt early; they are not errors.
pub(crate) async fn read_excerpt(response: &mut Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// Turns a failed request into the error a model can act on.
fn send_error(error: &reqwest::Error, url: &Url, from: Option<&Url>) -> FetchError {
    if let Some(failure) = find_cause::<ResolveFailure>(error) {
        let refused = |refusal| FetchError::Refused {
            target: shown(url),
            refusal,
            redirected_from: from.map(shown),
        };
        return match failure {
            ResolveFailure::NameRefused(refusal) => refused(Refusal::Name(refusal.clone())),
            ResolveFailure::AddressesRefused { host, refusals } => refused(Refusal::Resolved {
                host: host.clone(),
                refusals: refusals.clone(),
            }),
            ResolveFailure::Lookup { host, detail } => FetchError::UnknownHost {
                host: host.clone(),
                detail: detail.clone(),
            },
        };
    }
    let host = host_of(url);
    if error.is_connect() {
        let detail = if error.is_timeout() {
            "the connection attempt timed out".to_owned()
        } else {
            root_cause(error)
        };
        return FetchError::Unreachable { host, detail };
    }
    FetchError::Transport {
        host,
        detail: root_cause(error),
    }
}

fn body_error(error: &reqwest::Error, url: &Url) -> FetchError {
    let detail = if error.is_decode() {
        format!("the body could not be decompressed ({})", root_cause(error))
    } else {
        root_cause(error)
    };
    FetchError::Transport {
        host: host_of(url),
        detail,
    }
}

/// The first error of type `T` in the chain of causes.
fn find_cause<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// The innermost cause's message, such as "Connection refused (os error 111)".
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut innermost = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}
