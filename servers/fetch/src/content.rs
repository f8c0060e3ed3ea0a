//! What a body is and how it is returned: HTML, JSON, other text, or binary; and the
//! requested format (Markdown, plain text, JSON, raw).
//!
//! Owns the content-type rules, sniffing when the type says nothing, and [`render`], which
//! turns a body into the text that is paged back to the model. Must not touch the
//! network: the body arrives here complete and already capped.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::charset;
use crate::error::FetchError;
use crate::json;
use crate::markdown::{self, Flavor};

/// How the content is returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// HTML converted to Markdown; JSON pretty-printed; other text as it is.
    #[default]
    Markdown,
    /// HTML reduced to plain text without markup; JSON pretty-printed; other text as it is.
    Text,
    /// The body parsed and pretty-printed as JSON; anything else is an error.
    Json,
    /// The body exactly as sent (decoded to text): the HTML source of a web page.
    #[serde(alias = "html")]
    Raw,
}

impl Format {
    /// The name used in results and notes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Text => "text",
            Self::Json => "json",
            Self::Raw => "raw",
        }
    }
}

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentKind {
    /// `text/html`, `application/xhtml+xml`.
    Html,
    /// `application/json`, `*/*+json`.
    Json,
    /// Any other text: `text/*`, XML, JavaScript, YAML and the like.
    Text,
    /// Images, audio, video, archives, PDFs, fonts…
    Binary,
}

/// The media type of a Content-Type value, lower case, without parameters.
pub(crate) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What a Content-Type says the body is, or `None` when it says nothing useful (missing,
/// `application/octet-stream` and the like): then the body is sniffed.
pub(crate) fn kind_from_content_type(content_type: Option<&str>) -> Option<ContentKind> {
    let essence = essence(content_type?);
    let kind = match essence.as_str() {
        ""
        | "application/octet-stream"
        | "binary/octet-stream"
        | "application/unknown"
        | "unknown/unknown"
        | "application/x-unknown-content-type" => return None,
        "text/html" | "application/xhtml+xml" => ContentKind::Html,
        "application/json" | "text/json" | "text/x-json" | "application/x-json" => {
            ContentKind::Json
        }
        other if other.ends_with("+json") => ContentKind::Json,
        other if other.starts_with("text/") => ContentKind::Text,
        other if other.ends_with("+xml") => ContentKind::Text,
        "application/xml"
        | "application/javascript"
        | "application/x-javascript"
        | "application/ecmascript"
        | "application/x-ndjson"
        | "application/jsonl"
        | "application/yaml"
        | "application/x-yaml"
        | "application/toml"
        | "application/x-sh"
        | "application/sql"
        | "application/graphql"
        | "application/x-www-form-urlencoded"
        | "application/x-tex"
        | "application/x-latex"
        | "application/rtf"
        | "message/rfc822" => ContentKind::Text,
        _ => ContentKind::Binary,
    };
    Some(kind)
}

/// What a body looks like from its first bytes.
pub(crate) fn sniff(bytes: &[u8]) -> ContentKind {
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"\xfe\xff") || head.starts_with(b"\xff\xfe") {
        return ContentKind::Text; // UTF-16 with a byte order mark.
    }
    if head.contains(&0) {
        return ContentKind::Binary;
    }
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the 1024-byte mark is still UTF-8.
        Err(error) => error.error_len().is_none(),
    };
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if !utf8 && control > head.len() / 10 {
        return ContentKind::Binary;
    }
    let start = head
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(head)
        .trim_ascii_start();
    let lower: Vec<u8> = start.iter().take(15).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || lower.starts_with(b"<head")
        || lower.starts_with(b"<body")
    {
        ContentKind::Html
    } else {
        ContentKind::Text
    }
}

/// Text that claims to be text but holds NUL bytes near the start is really binary.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    sniff(bytes) == ContentKind::Binary
}

/// A body rendered in the requested format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// The whole text (before paging).
    pub(crate) text: String,
    /// The format `text` is in (JSON asked as Markdown comes back as JSON).
    pub(crate) format: Format,
    /// The HTML title, if any.
    pub(crate) title: Option<String>,
    /// An HTML page nested too deeply to convert, returned as plain text instead.
    pub(crate) flattened: bool,
}

/// Renders a complete body. `url` is where it came from (for links and messages).
pub(crate) fn render(
    body: &[u8],
    content_type: Option<&str>,
    kind: ContentKind,
    requested: Format,
    url: &Url,
) -> Result<Rendered, FetchError> {
    let plain = |text: String, format| Rendered {
        text,
        format,
        title: None,
        flattened: false,
    };
    match (requested, kind) {
        (_, ContentKind::Binary) => Err(FetchError::Binary {
            url: crate::destination::shown(url),
            content_type: content_type.map_or_else(|| "unlabelled".to_owned(), essence),
            size: Some(body.len() as u64),
        }),
        (Format::Raw, _) => {
            let text = charset::decode(body, content_type, kind == ContentKind::Html, false);
            Ok(plain(text.into_owned(), Format::Raw))
        }
        (Format::Json, ContentKind::Html) => {
            Err(not_json(url, content_type, "it is an HTML page".to_owned()))
        }
        (Format::Json, _) => {
            let text = charset::decode(body, content_type, false, true);
            json::pretty(&text)
                .map(|pretty| plain(pretty, Format::Json))
                .map_err(|error| not_json(url, content_type, error.to_string()))
        }
        (Format::Markdown | Format::Text, ContentKind::Html) => {
            let text = charset::decode(body, content_type, true, false);
            let flavor = if requested == Format::Markdown {
                Flavor::Markdown
            } else {
                Flavor::Text
            };
            let converted = markdown::convert(&text, Some(url), flavor);
            Ok(Rendered {
                text: converted.text,
                format: if converted.flattened {
                    Format::Text
                } else {
                    requested
                },
                title: converted.title,
                flattened: converted.flattened,
            })
        }
        (Format::Markdown | Format::Text, ContentKind::Json) => {
            let text = charset::decode(body, content_type, false, true);
            Ok(match json::pretty(&text) {
                Ok(pretty) => plain(pretty, Format::Json),
                // Mislabelled or broken JSON is still worth reading as text.
                Err(_) => plain(text.into_owned(), Format::Text),
            })
        }
        (Format::Markdown | Format::Text, ContentKind::Text) => {
            let text = charset::decode(body, content_type, false, false);
            Ok(plain(text.into_owned(), Format::Text))
        }
    }
}

fn not_json(url: &Url, content_type: Option<&str>, detail: String) -> FetchError {
    FetchError::NotJson {
        url: crate::destination::shown(url),
        content_type: content_type.map_or_else(|| "no content type".to_owned(), essence),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://example.com/x").unwrap()
    }

    #[test]
    fn content_types_are_classified() {
        let cases = [
            ("text/html; charset=utf-8", Some(ContentKind::Html)),
            ("application/xhtml+xml", Some(ContentKind::Html)),
            ("application/json", Some(ContentKind::Json)),
            ("application/problem+json", Some(ContentKind::Json)),
            ("text/plain", Some(ContentKind::Text)),
            ("text/csv", Some(ContentKind::Text)),
            ("application/rss+xml", Some(ContentKind::Text)),
            ("application/javascript", Some(ContentKind::Text)),
            ("image/png", Some(ContentKind::Binary)),
            ("application/pdf", Some(ContentKind::Binary)),
            ("application/zip", Some(ContentKind::Binary)),
            ("application/octet-stream", None),
            ("", None),
        ];
        for (content_type, kind) in cases {
            assert_eq!(
                kind_from_content_type(Some(content_type)),
                kind,
                "{content_type}"
            );
        }
        assert_eq!(kind_from_content_type(None), None);
    }

    #[test]
    fn sniffing_tells_html_text_and_binary_apart() {
        assert_eq!(sniff(b"  <!DOCTYPE html><html>"), ContentKind::Html);
        assert_eq!(sniff(b"\xef\xbb\xbf<html lang=en>"), ContentKind::Html);
        assert_eq!(sniff(b"just words"), ContentKind::Text);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), ContentKind::Binary);
        assert_eq!(sniff(b"PK\x03\x04\x14\0\x06\0"), ContentKind::Binary);
    }

    #[test]
    fn json_asked_as_markdown_comes_back_pretty() {
        let rendered = render(
            br#"{"b":1,"a":[true]}"#,
            Some("application/json"),
            ContentKind::Json,
            Format::Markdown,
            &url(),
        )
        .unwrap();
        assert_eq!(rendered.format, Format::Json);
        assert_eq!(
            rendered.text,
            "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}"
        );
    }

    #[test]
    fn json_format_on_html_is_a_clear_error() {
        let error = render(
            b"<html></html>",
            Some("text/html"),
            ContentKind::Html,
            Format::Json,
            &url(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not JSON (text/html)"), "{error}");
        assert!(error.contains("format \"markdown\""), "{error}");
    }

    #[test]
    fn json_format_on_broken_json_reports_the_position() {
        let error = render(
            b"{\"a\": nope}",
            Some("text/plain"),
            ContentKind::Text,
            Format::Json,
            &url(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("line 1 column"), "{error}");
    }

    #[test]
    fn raw_returns_the_source() {
        let rendered = render(
            b"<p>x</p>",
            Some("text/html"),
            ContentKind::Html,
            Format::Raw,
            &url(),
        )
        .unwrap();
        assert_eq!(rendered.text, "<p>x</p>");
        assert_eq!(rendered.format, Format::Raw);
    }

    #[test]
    fn binary_is_refused_with_its_type_and_size() {
        let error = render(
            &[0u8; 2048],
            Some("image/png"),
            ContentKind::Binary,
            Format::Markdown,
            &url(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("image/png (2 KiB)"), "{error}");
    }
}
