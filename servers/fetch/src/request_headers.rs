//! Request headers a model may set, and which of them follow a redirect to another origin.
//!
//! Owns the header rules as pure functions: names that are refused (the host, hop-by-hop
//! and framing headers, content coding), the size caps, and the cross-origin filter. Must
//! never log or echo a header value: values may hold tokens. Every value is marked
//! sensitive so the HTTP stack does not index or print it either.

use std::collections::BTreeMap;

use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, HeaderMap, HeaderName, HeaderValue};

use crate::error::FetchError;

/// At most this many headers per request.
pub(crate) const MAX_HEADERS: usize = 32;
/// At most this many bytes in one header value.
pub(crate) const MAX_HEADER_VALUE: usize = 8 * 1024;

/// Headers a caller may not set, and why.
fn refused_reason(name: &HeaderName) -> Option<&'static str> {
    Some(match name.as_str() {
        "host" => "the host comes from the URL",
        "connection" | "keep-alive" | "proxy-connection" | "te" | "trailer" | "trailers"
        | "transfer-encoding" | "upgrade" | "http2-settings" => {
            "it is a hop-by-hop header that the HTTP client manages"
        }
        "proxy-authorization" | "proxy-authenticate" => "no proxy is used",
        "content-length" | "expect" => "the request is a GET without a body",
        "accept-encoding" => {
            "compression is negotiated by the fetcher, which decodes gzip, deflate and brotli itself"
        }
        _ => return None,
    })
}

/// Validates the headers a model gave and builds the header map to send.
pub(crate) fn request_headers(given: &BTreeMap<String, String>) -> Result<HeaderMap, FetchError> {
    if given.len() > MAX_HEADERS {
        return Err(FetchError::InvalidArgument(format!(
            "{} headers were given; at most {MAX_HEADERS} can be set.",
            given.len()
        )));
    }
    let mut headers = HeaderMap::with_capacity(given.len());
    for (name_text, value_text) in given {
        let invalid = |reason| FetchError::InvalidHeader {
            name: shown_name(name_text),
            reason,
        };
        let name = HeaderName::from_bytes(name_text.trim().as_bytes())
            .map_err(|_| invalid("it is not a valid header name"))?;
        if let Some(reason) = refused_reason(&name) {
            return Err(invalid(reason));
        }
        if value_text.len() > MAX_HEADER_VALUE {
            return Err(invalid("its value is longer than 8192 bytes"));
        }
        let mut value = HeaderValue::from_str(value_text.trim()).map_err(|_| {
            invalid("its value holds characters a header cannot carry (such as a line break)")
        })?;
        value.set_sensitive(true);
        if headers.contains_key(&name) {
            return Err(invalid(
                "it is given more than once (header names ignore case)",
            ));
        }
        headers.insert(name, value);
    }
    Ok(headers)
}

/// The headers that follow a redirect to another origin: only content negotiation.
/// Everything else (authorization, cookies, API keys under any name) stays with the origin
/// the caller named.
pub(crate) fn cross_origin_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [ACCEPT, ACCEPT_LANGUAGE] {
        if let Some(value) = headers.get(&name) {
            kept.insert(name, value.clone());
        }
    }
    kept
}

/// A header name for an error message: at most 64 characters, control characters removed.
fn shown_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn ordinary_headers_pass_and_are_marked_sensitive() {
        let headers = request_headers(&map(&[
            ("Authorization", "Bearer abc"),
            ("Accept-Language", "de"),
            ("X-Api-Key", "k"),
        ]))
        .unwrap();
        assert_eq!(headers.len(), 3);
        assert!(headers.values().all(HeaderValue::is_sensitive));
    }

    #[test]
    fn host_hop_by_hop_and_framing_headers_are_refused_with_a_reason() {
        for name in [
            "Host",
            "connection",
            "Keep-Alive",
            "TE",
            "Transfer-Encoding",
            "Upgrade",
            "Proxy-Authorization",
            "Content-Length",
            "Accept-Encoding",
        ] {
            let error = request_headers(&map(&[(name, "x")]))
                .unwrap_err()
                .to_string();
            assert!(error.contains(name), "the error names {name}: {error}");
        }
    }

    #[test]
    fn values_are_never_echoed() {
        let error = request_headers(&map(&[("X-Token", "secret\r\nInjected: 1")]))
            .unwrap_err()
            .to_string();
        assert!(!error.contains("secret"), "{error}");
        assert!(error.contains("line break"), "{error}");
    }

    #[test]
    fn bad_names_duplicates_and_floods_are_refused() {
        assert!(request_headers(&map(&[("Bad Name", "x")])).is_err());
        assert!(request_headers(&map(&[("", "x")])).is_err());
        let error = request_headers(&map(&[("accept", "a"), ("Accept", "b")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("more than once"), "{error}");
        let many: BTreeMap<String, String> = (0..40)
            .map(|i| (format!("X-H{i}"), "v".to_owned()))
            .collect();
        assert!(request_headers(&many).is_err());
        let long = "v".repeat(MAX_HEADER_VALUE + 1);
        assert!(request_headers(&map(&[("X-Long", &long)])).is_err());
    }

    #[test]
    fn only_content_negotiation_crosses_origins() {
        let headers = request_headers(&map(&[
            ("Authorization", "Bearer abc"),
            ("Cookie", "s=1"),
            ("X-Api-Key", "k"),
            ("Accept", "text/html"),
            ("Accept-Language", "pl"),
        ]))
        .unwrap();
        let kept = cross_origin_headers(&headers);
        let names: Vec<&str> = kept.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, vec!["accept", "accept-language"]);
    }
}
