//! Building a page's DOM within bounds, or, for a page too deeply nested to build one
//! safely, reading its text in one linear pass.
//!
//! Owns [`parse`]. html5ever's tree builder checks element scopes by walking its stack of
//! open elements, so a page of N nested `<div>`s costs N² steps: 10,000 take a third of
//! a second, and a 10 MiB page of them would take hours. So the document is fed in chunks
//! and, between chunks, the builder's open elements (and active formatting elements) are
//! counted; past [`MAX_OPEN_ELEMENTS`], or past [`TIME_BUDGET`], parsing stops and the
//! page is read as plain text by the tokenizer alone, which is linear. Must not render:
//! that is `markdown`.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use html5ever::interface::Tracer;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{ParseOpts, parse_document};
use markup5ever_rcdom::{Handle, RcDom};

/// Open plus active formatting elements past which a tree is not built. Real pages stay
/// far below (a deep page nests 100 elements); browsers cap nesting near 512.
pub(crate) const MAX_OPEN_ELEMENTS: usize = 256;
/// How long building one tree may take before the plain-text reading is used instead.
pub(crate) const TIME_BUDGET: Duration = Duration::from_secs(3);
/// How much input is fed between two checks.
const CHUNK_BYTES: usize = 16 * 1024;

/// A parsed page.
pub(crate) enum Parsed {
    /// The DOM, as a browser would build it.
    Tree(RcDom),
    /// The page's text only: it nests too deeply to build its tree in reasonable time.
    Flat(String),
}

/// Parses `html`, or reads its text when building the tree would cost too much.
pub(crate) fn parse(html: &str) -> Parsed {
    let started = Instant::now();
    let mut parser = parse_document(RcDom::default(), ParseOpts::default());
    let mut rest = html;
    while !rest.is_empty() {
        let cut = chunk_end(rest, CHUNK_BYTES);
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        let counter = HandleCounter::default();
        parser.tokenizer.sink.trace_handles(&counter);
        if counter.count.get() > MAX_OPEN_ELEMENTS || started.elapsed() > TIME_BUDGET {
            tracing::debug!(
                open = counter.count.get(),
                "page nests too deeply for a tree; reading its text"
            );
            return Parsed::Flat(flat_text(html));
        }
    }
    Parsed::Tree(parser.finish())
}

/// The largest char boundary at or below `limit` (or the whole text).
fn chunk_end(text: &str, limit: usize) -> usize {
    if text.len() <= limit {
        return text.len();
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

/// Counts the handles the tree builder holds: open elements and active formatting
/// elements (plus the document, head and form).
#[derive(Default)]
struct HandleCounter {
    count: Cell<usize>,
}

impl Tracer for HandleCounter {
    type Handle = Handle;

    fn trace_handle(&self, _node: &Handle) {
        self.count.set(self.count.get() + 1);
    }
}

/// The text of a document by the tokenizer alone: linear in its size whatever its shape.
/// Scripts and styles are left out; block elements end lines.
pub(crate) fn flat_text(html: &str) -> String {
    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    let mut rest = html;
    while !rest.is_empty() {
        let cut = chunk_end(rest, CHUNK_BYTES);
        input.push_back(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        let _ = tokenizer.feed(&input);
    }
    tokenizer.end();
    let text = tokenizer.sink.text.take();
    text.trim_end().to_owned()
}

#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    /// Inside a script, style or similar element whose text is not content.
    hidden: Cell<bool>,
    pending_space: Cell<bool>,
    pending_break: Cell<bool>,
}

impl TextSink {
    fn push_text(&self, chunk: &str) {
        let mut text = self.text.borrow_mut();
        for (index, word) in chunk.split(|c: char| c.is_whitespace()).enumerate() {
            if index > 0 {
                self.pending_space.set(true);
            }
            if word.is_empty() {
                continue;
            }
            if self.pending_break.take() && !text.is_empty() {
                text.push_str("\n\n");
                self.pending_space.set(false);
            }
            if self.pending_space.take() && !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let name = &*tag.name;
                let start = tag.kind == TagKind::StartTag;
                let raw = match name {
                    "script" => Some(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        Some(RawKind::Rawtext)
                    }
                    "title" | "textarea" => Some(RawKind::Rcdata),
                    _ => None,
                };
                if let Some(kind) = raw {
                    self.hidden.set(start && name != "xmp");
                    if start && !tag.self_closing {
                        return TokenSinkResult::RawData(kind);
                    }
                    return TokenSinkResult::Continue;
                }
                if matches!(
                    name,
                    "p" | "div"
                        | "br"
                        | "li"
                        | "tr"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "pre"
                        | "blockquote"
                        | "section"
                        | "article"
                        | "table"
                        | "ul"
                        | "ol"
                        | "hr"
                ) {
                    self.pending_break.set(true);
                }
                if start && name == "plaintext" {
                    return TokenSinkResult::Plaintext;
                }
            }
            Token::CharacterTokens(text) if !self.hidden.get() => self.push_text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_get_a_tree() {
        let html = format!("<p>{}</p>", "<div><span>x</span></div>".repeat(10_000));
        assert!(matches!(parse(&html), Parsed::Tree(_)));
        let nested = format!("{}x{}", "<div>".repeat(100), "</div>".repeat(100));
        assert!(matches!(parse(&nested), Parsed::Tree(_)));
    }

    #[test]
    fn deep_nesting_is_read_as_text_quickly() {
        let depth = 200_000;
        let html = format!(
            "<title>t</title>{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let started = Instant::now();
        match parse(&html) {
            Parsed::Flat(text) => assert_eq!(text, "deep text"),
            Parsed::Tree(_) => panic!("a 200,000-deep page must not be built as a tree"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn unclosed_formatting_elements_count_too() {
        let html = "<b id=x>".repeat(5_000) + "<p>text";
        assert!(matches!(parse(&html), Parsed::Flat(_)));
    }

    #[test]
    fn flat_text_skips_scripts_and_breaks_blocks() {
        let text = flat_text(
            "<script>if (a < b) { x('<p>') }</script><style>p{}</style><h1>Title</h1><p>One\n two</p><p>Three</p>",
        );
        assert_eq!(text, "Title\n\nOne two\n\nThree");
    }
}
