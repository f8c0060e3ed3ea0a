//! Character encodings: turning a body's bytes into text.
//!
//! Owns the choice of encoding, in the order a browser uses: a byte order mark, then the
//! `charset` of the Content-Type header, then (for HTML) a `<meta>` declaration in the
//! first 1024 bytes, then UTF-8 when the bytes are valid UTF-8, else windows-1252. JSON is
//! always UTF-8 (RFC 8259). Must not guess from the content beyond that.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into an HTML document a `<meta charset>` is looked for.
const META_SCAN: usize = 1024;

/// Decodes `bytes` as the text they are. `html` enables the `<meta>` prescan; `json`
/// forces UTF-8. Undecodable bytes become U+FFFD rather than failing.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    html: bool,
    json: bool,
) -> Cow<'a, str> {
    let declared = if json {
        Some(UTF_8)
    } else {
        content_type
            .and_then(charset_parameter)
            .and_then(|label| Encoding::for_label(label.as_bytes()))
            .or_else(|| html.then(|| meta_charset(bytes)).flatten())
    };
    let encoding = declared.map(Encoding::output_encoding).unwrap_or_else(|| {
        if std::str::from_utf8(bytes).is_ok() {
            UTF_8
        } else {
            WINDOWS_1252
        }
    });
    // `decode` lets a byte order mark override the choice, as browsers do.
    let (text, _, _) = encoding.decode(bytes);
    text
}

/// The `charset` parameter of a Content-Type value, unquoted.
pub(crate) fn charset_parameter(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|value| !value.is_empty())
    })
}

/// The encoding declared by a `<meta charset="…">` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">` near the start of a document.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(offset) = find(&lower[from..], b"<meta") {
        let start = from + offset + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| start + p);
        let tag = &lower[start..end];
        if let Some(at) = find(tag, b"charset") {
            let rest = &tag[at + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label_end = rest
                    .iter()
                    .position(|&b| {
                        matches!(
                            b,
                            b'"' | b'\'' | b';' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'>'
                        )
                    })
                    .unwrap_or(rest.len());
                if let Some(encoding) = Encoding::for_label(&rest[..label_end]) {
                    // A page cannot really be UTF-16 if its meta tag is readable as ASCII.
                    return Some(
                        if encoding == encoding_rs::UTF_16BE || encoding == encoding_rs::UTF_16LE {
                            UTF_8
                        } else {
                            encoding
                        },
                    );
                }
            }
        }
        from = end.min(lower.len());
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_charset_wins_over_the_default() {
        let bytes = b"caf\xe9";
        assert_eq!(
            decode(bytes, Some("text/plain; charset=ISO-8859-1"), false, false),
            "café"
        );
        assert_eq!(
            decode(bytes, Some("text/plain; charset=\"latin1\""), false, false),
            "café"
        );
    }

    #[test]
    fn a_meta_declaration_is_read_for_html() {
        let html = b"<html><head><meta charset=\"windows-1250\"><title>\xb9</title>";
        assert!(decode(html, Some("text/html"), true, false).contains("<title>ą</title>"));
        let html = b"<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'>\xc1";
        assert!(decode(html, None, true, false).ends_with('а'));
    }

    #[test]
    fn a_byte_order_mark_overrides_everything() {
        let bytes = b"\xef\xbb\xbfza\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87";
        assert_eq!(
            decode(bytes, Some("text/plain; charset=latin1"), false, false),
            "zażółć"
        );
    }

    #[test]
    fn undeclared_text_is_utf8_when_valid_and_windows_1252_otherwise() {
        assert_eq!(decode("żółw".as_bytes(), None, false, false), "żółw");
        assert_eq!(
            decode(b"\x93quoted\x94", None, false, false),
            "\u{201c}quoted\u{201d}"
        );
    }

    #[test]
    fn json_is_always_utf8() {
        assert_eq!(
            decode(
                "{\"a\":\"ż\"}".as_bytes(),
                Some("application/json; charset=latin1"),
                false,
                true
            ),
            "{\"a\":\"ż\"}"
        );
    }

    #[test]
    fn charset_parameters_are_found_in_any_position_and_case() {
        assert_eq!(charset_parameter("text/html;CHARSET=utf-8"), Some("utf-8"));
        assert_eq!(charset_parameter("text/html; q=1; charset='x'"), Some("x"));
        assert_eq!(charset_parameter("text/html"), None);
        assert_eq!(charset_parameter("text/html; charset="), None);
    }
}
