//! `file://` URIs, as pure functions: a path to its URI and a URI back to the path text
//! the sandbox checks.
//!
//! Owns: percent-encoding and -decoding, and the refusal of URIs that name another host,
//! carry a query or fragment, or decode to bytes that are not UTF-8. Must not decide
//! whether a path is allowed: a decoded path (`%2e%2e` is `..`, `%00` is NUL) goes through
//! the same sandbox rules as any other.

use std::{fmt::Write, path::Path};

/// Why a URI was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("{uri} is not a file:// URI; resources here look like file:///absolute/path.")]
    NotFile { uri: String },
    #[error("{uri} names the host {host:?}; only local files (file:///path) are served.")]
    RemoteHost { uri: String, host: String },
    #[error("{uri} has a query or fragment ('?' or '#'); write those characters as %3F and %23.")]
    QueryOrFragment { uri: String },
    #[error("{uri} has a broken percent escape; use %XX with two hexadecimal digits.")]
    BadEscape { uri: String },
    #[error("{uri} decodes to bytes that are not UTF-8 text.")]
    NotUtf8 { uri: String },
}

/// Whether `text` is written as a `file:` URI rather than a path.
pub(crate) fn is_file_uri(text: &str) -> bool {
    text.get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("file:"))
}

/// The `file://` URI of an absolute path. Every byte outside the unreserved set and `/`
/// is percent-encoded, so the URI round-trips through [`path_of_uri`].
pub(crate) fn uri_of_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if cfg!(windows) {
        format!("/{}", text.replace('\\', "/"))
    } else {
        text.into_owned()
    };
    let mut uri = String::with_capacity(text.len() + 8);
    uri.push_str("file://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

/// The path text of a `file:` URI: `file:///a/b`, `file://localhost/a/b` or `file:/a/b`,
/// percent-decoded. On Windows `file:///C:/x` gives `C:/x`.
pub(crate) fn path_of_uri(uri: &str) -> Result<String, UriError> {
    let shown = crate::sandbox::rules::quote(uri);
    if !is_file_uri(uri) {
        return Err(UriError::NotFile { uri: shown });
    }
    let rest = &uri[5..];
    let path = if let Some(after) = rest.strip_prefix("//") {
        let slash = after.find('/').unwrap_or(after.len());
        let host = &after[..slash];
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return Err(UriError::RemoteHost {
                uri: shown,
                host: host.to_owned(),
            });
        }
        &after[slash..]
    } else {
        rest
    };
    if path.contains(['?', '#']) {
        return Err(UriError::QueryOrFragment { uri: shown });
    }
    let bytes = percent_decode(path).ok_or_else(|| UriError::BadEscape { uri: shown.clone() })?;
    let decoded = String::from_utf8(bytes).map_err(|_| UriError::NotUtf8 { uri: shown })?;
    if cfg!(windows) {
        let b = decoded.as_bytes();
        if b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
            return Ok(decoded[1..].to_owned());
        }
    }
    Ok(decoded)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uris_percent_encode_everything_but_plain_characters() {
        assert_eq!(
            uri_of_path(Path::new("/home/me/My Notes/a#1%.md")),
            "file:///home/me/My%20Notes/a%231%25.md"
        );
        assert_eq!(
            uri_of_path(Path::new("/tmp/zażółć")),
            "file:///tmp/za%C5%BC%C3%B3%C5%82%C4%87"
        );
    }

    #[test]
    fn uris_decode_to_the_path_text() {
        assert_eq!(path_of_uri("file:///a/b%20c").unwrap(), "/a/b c");
        assert_eq!(path_of_uri("FILE://localhost/a").unwrap(), "/a");
        assert_eq!(path_of_uri("file:/a").unwrap(), "/a");
        assert_eq!(
            path_of_uri("file:///g/%2e%2e/etc").unwrap(),
            "/g/../etc",
            "decoding happens before the sandbox rules, which refuse '..'"
        );
    }

    #[test]
    fn foreign_or_malformed_uris_are_refused() {
        assert!(matches!(
            path_of_uri("http://x/a"),
            Err(UriError::NotFile { .. })
        ));
        assert!(matches!(
            path_of_uri("file://evil.example/etc/passwd"),
            Err(UriError::RemoteHost { .. })
        ));
        assert!(matches!(
            path_of_uri("file:///a?x=1"),
            Err(UriError::QueryOrFragment { .. })
        ));
        assert!(matches!(
            path_of_uri("file:///a%2"),
            Err(UriError::BadEscape { .. })
        ));
        assert!(matches!(
            path_of_uri("file:///a%zz"),
            Err(UriError::BadEscape { .. })
        ));
        assert!(matches!(
            path_of_uri("file:///a%ff"),
            Err(UriError::NotUtf8 { .. })
        ));
    }

    proptest! {
        #[test]
        fn a_path_round_trips_through_its_uri(path in "(/[^/\0]{1,12}){1,6}") {
            let uri = uri_of_path(Path::new(&path));
            prop_assert!(uri.is_ascii());
            prop_assert_eq!(path_of_uri(&uri).unwrap(), path);
        }

        #[test]
        fn decoding_never_panics(uri in "file:[/a-z%0-9?#.]{0,40}") {
            let _ = path_of_uri(&uri);
        }
    }
}
