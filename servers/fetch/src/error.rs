//! The ways a fetch can fail, each with a message a model can act on.
//!
//! Owns [`FetchError`] and [`Refusal`] and their wording. Must not hold secrets: messages
//! name URLs without their user name and password, header names but never header values.

use std::time::Duration;

use crate::address::{AddressRefusal, NameRefusal};

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The URL holds an IP address that is refused.
    Address(AddressRefusal),
    /// The URL names a host that is refused by name (`localhost`, a metadata name).
    Name(NameRefusal),
    /// The host name resolved only to refused addresses.
    Resolved {
        /// The host name that was looked up.
        host: String,
        /// Every address it resolved to, each refused.
        refusals: Vec<AddressRefusal>,
    },
}

impl Refusal {
    /// Whether the user's "allow private addresses" setting would allow the destination.
    pub fn unlocked_by_private_setting(&self) -> bool {
        match self {
            Self::Address(refusal) => refusal.class.unlocked_by_private_setting(),
            Self::Name(refusal) => refusal.unlocked_by_private_setting(),
            Self::Resolved { refusals, .. } => refusals
                .iter()
                .all(|refusal| refusal.class.unlocked_by_private_setting()),
        }
    }

    fn reason(&self) -> String {
        match self {
            Self::Address(refusal) => refusal.to_string(),
            Self::Name(refusal) => refusal.to_string(),
            Self::Resolved { host, refusals } => {
                let shown: Vec<String> = refusals.iter().take(3).map(ToString::to_string).collect();
                let more = refusals.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!(
                    "{host} resolves only to addresses outside the public internet ({}{more})",
                    shown.join("; ")
                )
            }
        }
    }
}

/// A failed fetch. The `Display` text is what the model reads.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL could not be read as an absolute http(s) URL.
    #[error("{0}")]
    InvalidUrl(String),

    /// The URL uses a scheme other than http or https.
    #[error("Only http:// and https:// URLs can be fetched; \"{scheme}:\" URLs are not supported.")]
    UnsupportedScheme {
        /// The scheme that was given.
        scheme: String,
    },

    /// The destination (or a redirect's destination) is not on the public internet.
    #[error("{}", refused_message(.target, .refusal, .redirected_from.as_deref()))]
    Refused {
        /// The refused URL, without credentials.
        target: String,
        /// What was refused and why.
        refusal: Refusal,
        /// The URL that redirected there, when the refusal happened on a redirect.
        redirected_from: Option<String>,
    },

    /// A request header that cannot be sent.
    #[error("The header \"{name}\" cannot be set: {reason}.")]
    InvalidHeader {
        /// The header name as given.
        name: String,
        /// Why it cannot be set.
        reason: &'static str,
    },

    /// An argument out of range.
    #[error("{0}")]
    InvalidArgument(String),

    /// The redirect limit was reached.
    #[error(
        "Stopped after {max} redirects without reaching a page (the next hop was {next}). \
         Fetch the final URL directly if you know it."
    )]
    TooManyRedirects {
        /// The limit.
        max: usize,
        /// The URL the last redirect pointed to.
        next: String,
    },

    /// A redirect pointed back to a URL already visited.
    #[error("{url} redirects in a loop; it never reaches a page.")]
    RedirectLoop {
        /// The URL visited twice.
        url: String,
    },

    /// A redirect without a usable `Location`.
    #[error("{from} answered with a redirect (HTTP {status}) {problem}.")]
    BadRedirect {
        /// The URL that redirected.
        from: String,
        /// The redirect status.
        status: u16,
        /// What was wrong with it.
        problem: String,
    },

    /// The whole fetch took longer than the limit.
    #[error(
        "Gave up after {} s: {host} did not deliver the page in time (the limit covers \
         connecting, redirects and the whole body). Try again later, or try another URL.",
        .limit.as_secs_f64()
    )]
    Timeout {
        /// The host being fetched when time ran out.
        host: String,
        /// The limit.
        limit: Duration,
    },

    /// The host name could not be resolved.
    #[error("Could not resolve the host name {host}: {detail}. Check the URL for typos.")]
    UnknownHost {
        /// The host name.
        host: String,
        /// What the resolver said.
        detail: String,
    },

    /// Connecting (TCP or TLS) failed.
    #[error("Could not connect to {host}: {detail}.")]
    Unreachable {
        /// The host.
        host: String,
        /// The cause, such as "connection refused" or a certificate problem.
        detail: String,
    },

    /// The connection failed while the response was being read.
    #[error("The connection to {host} failed while reading the response: {detail}.")]
    Transport {
        /// The host.
        host: String,
        /// The cause.
        detail: String,
    },

    /// The final response was not a success.
    #[error("{}", status_message(.url, *.status, .reason, .excerpt))]
    Status {
        /// The URL that answered, without credentials.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The status's reason phrase, such as "Not Found".
        reason: String,
        /// The start of the body as text, possibly empty.
        excerpt: String,
    },

    /// The body exceeded the size cap.
    #[error(
        "The response from {url} is larger than the {} limit (counted after \
         decompression), so it was not read. Fetch a smaller page or a more specific URL.",
        format_size(*.limit as u64)
    )]
    TooLarge {
        /// The URL, without credentials.
        url: String,
        /// The cap in bytes.
        limit: usize,
    },

    /// The body is not text.
    #[error(
        "{url} is {content_type}{}, which is binary content; this tool only returns text \
         (HTML, plain text, JSON, XML and the like).",
        .size.map(|size| format!(" ({})", format_size(size))).unwrap_or_default()
    )]
    Binary {
        /// The URL, without credentials.
        url: String,
        /// The content type, or a description when the server sent none.
        content_type: String,
        /// The size in bytes, when known.
        size: Option<u64>,
    },

    /// `format: json` on content that is not JSON.
    #[error(
        "The response from {url} is not JSON ({content_type}): {detail}. Fetch it with \
         format \"markdown\" or \"text\" instead."
    )]
    NotJson {
        /// The URL, without credentials.
        url: String,
        /// The content type, or "no content type".
        content_type: String,
        /// Why it is not JSON.
        detail: String,
    },

    /// The converter stopped unexpectedly.
    #[error(
        "The content could not be converted (the converter stopped unexpectedly). Try \
         format \"raw\" to get it as it was sent."
    )]
    Conversion,

    /// `start_index` beyond the end of the content.
    #[error(
        "start_index {start} is past the end of the content, which is {total} characters \
         long. Use a start_index below {total}, or 0 to read from the beginning."
    )]
    StartPastEnd {
        /// The requested start.
        start: usize,
        /// The content's length in characters.
        total: usize,
    },
}

impl FetchError {
    /// A short, stable name of the failure for logs (never holds URLs or header values).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidUrl(_) => "invalid_url",
            Self::UnsupportedScheme { .. } => "unsupported_scheme",
            Self::Refused { .. } => "refused_address",
            Self::InvalidHeader { .. } => "invalid_header",
            Self::InvalidArgument(_) => "invalid_argument",
            Self::TooManyRedirects { .. } => "too_many_redirects",
            Self::RedirectLoop { .. } => "redirect_loop",
            Self::BadRedirect { .. } => "bad_redirect",
            Self::Timeout { .. } => "timeout",
            Self::UnknownHost { .. } => "unknown_host",
            Self::Unreachable { .. } => "unreachable",
            Self::Transport { .. } => "transport",
            Self::Status { .. } => "http_status",
            Self::TooLarge { .. } => "too_large",
            Self::Binary { .. } => "binary",
            Self::NotJson { .. } => "not_json",
            Self::Conversion => "conversion",
            Self::StartPastEnd { .. } => "start_past_end",
        }
    }
}

fn refused_message(target: &str, refusal: &Refusal, redirected_from: Option<&str>) -> String {
    let what = match redirected_from {
        Some(from) => format!("Refused to follow the redirect from {from} to {target}"),
        None => format!("Refused to fetch {target}"),
    };
    let advice = if refusal.unlocked_by_private_setting() {
        "Loopback, private-network and link-local addresses are blocked by default to protect \
         the user's computer and local network. If the user wants this, they can allow \
         private network addresses in Switchboard's settings; do not try to reach the same \
         place through another name or address."
    } else {
        "Cloud metadata, unspecified, multicast, broadcast, documentation and reserved \
         addresses are always refused."
    };
    format!("{what}: {}. {advice}", refusal.reason())
}

fn status_message(url: &str, status: u16, reason: &str, excerpt: &str) -> String {
    let mut message = format!("{url} answered HTTP {status}");
    if !reason.is_empty() {
        message.push(' ');
        message.push_str(reason);
    }
    message.push('.');
    let hint = match status {
        401 | 403 => " The page may need authentication or may refuse automated clients.",
        404 | 410 => " The page does not exist at this URL; check it for typos.",
        429 => " The server is rate-limiting requests; wait before trying again.",
        500..=599 => " The server failed; trying again later may work.",
        _ => "",
    };
    message.push_str(hint);
    if !excerpt.is_empty() {
        message.push_str(" The response began: ");
        message.push_str(excerpt);
    }
    message
}

/// `512 bytes`, `12.3 KiB`, `10 MiB`.
pub(crate) fn format_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if value < KIB * KIB {
        tidy(value / KIB, "KiB")
    } else if value < KIB * KIB * KIB {
        tidy(value / (KIB * KIB), "MiB")
    } else {
        tidy(value / (KIB * KIB * KIB), "GiB")
    }
}

fn tidy(value: f64, unit: &str) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{} {unit}", value.round())
    } else {
        format!("{value:.1} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::AddressClass;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_size(512), "512 bytes");
        assert_eq!(format_size(12_595), "12.3 KiB");
        assert_eq!(format_size(10 * 1024 * 1024), "10 MiB");
    }

    #[test]
    fn a_refusal_names_the_target_the_reason_and_the_setting() {
        let error = FetchError::Refused {
            target: "http://127.0.0.1:8080/".into(),
            refusal: Refusal::Address(AddressRefusal {
                address: "127.0.0.1".parse().unwrap(),
                class: AddressClass::Loopback,
                embedded: None,
            }),
            redirected_from: None,
        };
        let text = error.to_string();
        assert!(
            text.starts_with(
                "Refused to fetch http://127.0.0.1:8080/: 127.0.0.1 is a loopback address"
            ),
            "{text}"
        );
        assert!(text.contains("Switchboard's settings"), "{text}");
    }

    #[test]
    fn a_metadata_refusal_does_not_suggest_the_setting() {
        let error = FetchError::Refused {
            target: "http://169.254.169.254/latest".into(),
            refusal: Refusal::Address(AddressRefusal {
                address: "169.254.169.254".parse().unwrap(),
                class: AddressClass::Metadata,
                embedded: None,
            }),
            redirected_from: Some("https://example.com/".into()),
        };
        let text = error.to_string();
        assert!(text.starts_with("Refused to follow the redirect from https://example.com/ to http://169.254.169.254/latest"), "{text}");
        assert!(!text.contains("settings"), "{text}");
        assert!(text.contains("always refused"), "{text}");
    }
}
