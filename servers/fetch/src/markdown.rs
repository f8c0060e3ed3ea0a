//! HTML → Markdown (and plain text) for a model to read.
//!
//! Owns the conversion: parsing with html5ever (the browsers' algorithm, so broken HTML
//! comes out as a browser would see it), picking the content (a `<main>` or a lone
//! `<article>` when they hold most of the text, else the body without navigation, footers
//! and sidebars), and writing CommonMark with GFM tables, fenced code with the language,
//! and absolute links. Must not fetch anything (images and frames stay links or are
//! dropped), must not run scripts, and must not recurse without bound: past
//! [`MAX_DEPTH`] nested elements, content is written as plain text by an iterative walk.

use markup5ever_rcdom::{Handle, NodeData};
use url::Url;

use crate::tree::{self, Parsed};

/// Elements nested deeper than this are written as plain text.
pub const MAX_DEPTH: usize = 128;

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The output flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// CommonMark with GFM tables.
    Markdown,
    /// Plain text: paragraphs, list bullets and table rows, no markup.
    Text,
}

/// A converted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The document's text.
    pub text: String,
    /// The `<title>`, whitespace collapsed, if it has one.
    pub title: Option<String>,
    /// The page nests too deeply to build its tree, so `text` is its plain text.
    pub flattened: bool,
}

/// Converts an HTML document. `base` (the URL it came from) makes links absolute; a
/// `<base href>` in the document takes precedence, as in a browser.
pub fn convert(html: &str, base: Option<&Url>, flavor: Flavor) -> Converted {
    let dom = match tree::parse(html) {
        Parsed::Tree(dom) => dom,
        Parsed::Flat(text) => {
            return Converted {
                text,
                title: None,
                flattened: true,
            };
        }
    };
    let document = dom.document;
    let title = first_element(&document, |name, _| name == "title")
        .map(|title| collapse_whitespace(&raw_text(&title)))
        .filter(|title| !title.is_empty());
    let base = first_element(&document, |name, _| name == "base")
        .and_then(|element| attribute(&element, "href"))
        .and_then(|href| match base {
            Some(base) => base.join(href.trim()).ok(),
            None => Url::parse(href.trim()).ok(),
        })
        .or_else(|| base.cloned());
    let Some(body) = first_element(&document, |name, _| name == "body") else {
        return Converted {
            text: String::new(),
            title,
            flattened: false,
        };
    };
    let (root, chrome) = choose_root(&body);
    let mut renderer = Renderer {
        writer: Writer::new(flavor == Flavor::Markdown, false),
        flavor,
        base,
        filter_chrome: chrome,
        inside_content: 0,
        strong: 0,
        emphasis: 0,
        links: 0,
        lists: Vec::new(),
    };
    renderer.children(&root, 0);
    Converted {
        text: renderer.writer.finish(),
        title,
        flattened: false,
    }
}

// ---------------------------------------------------------------------------------------
// Reading the tree.

/// The local name of an HTML element, or `None` for other nodes and foreign elements.
fn html_name(node: &Handle) -> Option<&str> {
    match &node.data {
        NodeData::Element { name, .. } if &*name.ns == HTML_NS => Some(&name.local),
        _ => None,
    }
}

fn attribute(node: &Handle, wanted: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|attribute| &*attribute.name.local == wanted)
            .map(|attribute| attribute.value.to_string()),
        _ => None,
    }
}

fn has_attribute(node: &Handle, wanted: &str) -> bool {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .any(|attribute| &*attribute.name.local == wanted),
        _ => false,
    }
}

/// Elements whose content a reader never sees, or that only work with scripts or media.
fn never_rendered(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "canvas"
            | "iframe"
            | "frame"
            | "frameset"
            | "object"
            | "embed"
            | "applet"
            | "audio"
            | "video"
            | "source"
            | "track"
            | "map"
            | "area"
            | "button"
            | "input"
            | "select"
            | "option"
            | "optgroup"
            | "textarea"
            | "datalist"
            | "output"
            | "progress"
            | "meter"
            | "dialog"
            | "link"
            | "meta"
            | "base"
            | "title"
            | "param"
            | "slot"
            | "nav"
    )
}

/// Hidden by attribute or inline style, or marked as navigation.
fn hidden(node: &Handle) -> bool {
    if has_attribute(node, "hidden") {
        return true;
    }
    if attribute(node, "aria-hidden").is_some_and(|value| value.trim() == "true") {
        return true;
    }
    if attribute(node, "role").is_some_and(|role| role.trim() == "navigation") {
        return true;
    }
    attribute(node, "style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Page furniture outside the content: footers, sidebars, banners.
fn page_chrome(name: &str, node: &Handle) -> bool {
    if matches!(name, "footer" | "aside") {
        return true;
    }
    attribute(node, "role").is_some_and(|role| {
        matches!(
            role.trim(),
            "banner" | "contentinfo" | "complementary" | "search"
        )
    })
}

/// Words in a class or id that mark page furniture: menus, navigation boxes, cookie
/// banners, share bars, edit links. Matched against whole words of the class and id tokens
/// (`vector-dropdown` holds the word `dropdown`), never against content.
const FURNITURE_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navbox",
    "navigation",
    "menu",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "dropdown",
    "cookie",
    "cookies",
    "consent",
    "toolbar",
    "popup",
    "modal",
    "catlinks",
    "noprint",
    "editsection",
    "skip",
    "jump",
    "ads",
    "advert",
    "advertisement",
];

/// Whole class or id tokens of text meant for screen readers only.
const SCREEN_READER_TOKENS: &[&str] = &[
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader-text",
];

/// Whether an element's class or id marks it as page furniture rather than content.
fn furniture(node: &Handle) -> bool {
    ["class", "id"].into_iter().any(|name| {
        attribute(node, name).is_some_and(|value| {
            value.split_ascii_whitespace().any(|token| {
                let token = token.to_ascii_lowercase();
                SCREEN_READER_TOKENS.contains(&token.as_str())
                    || token
                        .split(['-', '_'])
                        .any(|word| FURNITURE_WORDS.contains(&word))
            })
        })
    })
}

/// Whether a node is skipped wherever it is (foreign content, never-rendered, hidden).
fn skipped(node: &Handle) -> bool {
    match &node.data {
        NodeData::Element { name, .. } => {
            &*name.ns != HTML_NS || never_rendered(&name.local) || hidden(node)
        }
        NodeData::Comment { .. }
        | NodeData::ProcessingInstruction { .. }
        | NodeData::Doctype { .. } => true,
        NodeData::Text { .. } | NodeData::Document => false,
    }
}

/// The first element in document order (skipping foreign content) that `wanted` accepts.
fn first_element(root: &Handle, wanted: impl Fn(&str, &Handle) -> bool) -> Option<Handle> {
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if let Some(name) = html_name(&node)
            && wanted(name, &node)
        {
            return Some(node);
        }
        if matches!(&node.data, NodeData::Element { name, .. } if &*name.ns != HTML_NS) {
            continue;
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    None
}

/// How many bytes of visible text a subtree holds (roughly: whitespace counted).
fn text_length(root: &Handle) -> usize {
    let mut total = 0;
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => total += contents.borrow().trim().len(),
            NodeData::Element { .. } if skipped(&node) => {}
            NodeData::Element { .. } | NodeData::Document => {
                stack.extend(node.children.borrow().iter().cloned());
            }
            _ => {}
        }
    }
    total
}

/// The text of a subtree with its whitespace kept, `<br>` as a line break and block
/// children ending their line (for `<pre>`, `<code>` and `<title>`). Iterative.
fn raw_text(root: &Handle) -> String {
    enum Step {
        Enter(Handle),
        EndLine,
    }
    let mut text = String::new();
    let mut stack = vec![Step::Enter(root.clone())];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Enter(node) => node,
            Step::EndLine => {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                continue;
            }
        };
        match &node.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            NodeData::Element { name, .. } => {
                if &*name.ns != HTML_NS {
                    continue;
                }
                match &*name.local {
                    "br" => text.push('\n'),
                    "script" | "style" | "template" => {}
                    local => {
                        if matches!(local, "div" | "p" | "li" | "tr") {
                            stack.push(Step::EndLine);
                        }
                        stack.extend(
                            node.children
                                .borrow()
                                .iter()
                                .rev()
                                .map(|child| Step::Enter(child.clone())),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    text
}

fn is_html_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{a0}')
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(is_html_whitespace)
        .filter(|word| !word.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The content root: `<main>` (or `role=main`), else a lone top-level `<article>`, when
/// it holds at least a third of the body's text; else the body itself, with page chrome
/// filtered out (the `bool`).
fn choose_root(body: &Handle) -> (Handle, bool) {
    let body_length = text_length(body);
    let holds_most = |candidate: &Handle| text_length(candidate) * 3 >= body_length;
    if let Some(main) = first_element(body, |name, node| {
        name == "main" || attribute(node, "role").is_some_and(|role| role.trim() == "main")
    }) && !skipped(&main)
        && holds_most(&main)
    {
        return (main, false);
    }
    let mut articles = Vec::new();
    let mut stack = vec![body.clone()];
    while let Some(node) = stack.pop() {
        if skipped(&node) {
            continue;
        }
        if html_name(&node) == Some("article") {
            articles.push(node);
            if articles.len() > 1 {
                break;
            }
            continue;
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
    if let [article] = articles.as_slice()
        && holds_most(article)
    {
        return (article.clone(), false);
    }
    (body.clone(), true)
}

// ---------------------------------------------------------------------------------------
// Writing Markdown.

/// A line prefix of an enclosing block: a list item's marker then its indentation, a
/// quote's `> `, a heading's `## `.
#[derive(Debug)]
struct Prefix {
    first: String,
    rest: String,
    used: bool,
}

/// An inline style whose delimiters are written lazily around the first content, so
/// empty elements vanish and surrounding spaces stay outside the delimiters.
#[derive(Debug)]
struct Style {
    open: String,
    close: String,
    opened: bool,
}

/// Streams Markdown into a string: collapses whitespace, owes blank lines until content
/// comes, writes prefixes at line starts, and escapes text.
#[derive(Debug)]
struct Writer {
    out: String,
    prefixes: Vec<Prefix>,
    styles: Vec<Style>,
    /// Newlines owed before the next content: 1 ends the line, 2 leaves a blank line.
    pending_breaks: u8,
    pending_space: bool,
    /// The line ending the previous line has been written (or nothing has been).
    at_line_start: bool,
    /// Inside a table cell or heading: line breaks become spaces.
    single_line: usize,
    /// Escape Markdown syntax in text.
    escape: bool,
    /// A table cell's writer: one line, no block prefixes.
    cell: bool,
}

impl Writer {
    fn new(escape: bool, single_line: bool) -> Self {
        Self {
            out: String::new(),
            prefixes: Vec::new(),
            styles: Vec::new(),
            pending_breaks: 0,
            pending_space: false,
            at_line_start: true,
            single_line: usize::from(single_line),
            escape,
            cell: single_line,
        }
    }

    fn finish(mut self) -> String {
        self.close_styles();
        let kept = self.out.trim_end().len();
        self.out.truncate(kept);
        self.out
    }

    /// Starts a new block after `breaks` newlines (1: a new line, 2: a blank line).
    fn block(&mut self, breaks: u8) {
        if self.single_line > 0 {
            self.soft_space();
            return;
        }
        self.close_styles();
        // A container that has written nothing yet adds no space before its first block.
        let fresh_container = self.prefixes.last().is_some_and(|prefix| !prefix.used);
        if !fresh_container || self.pending_breaks == 0 {
            self.pending_breaks = self.pending_breaks.max(breaks);
        }
        self.pending_space = false;
    }

    /// Sets the owed newlines to exactly `breaks` (a list item's end keeps lists tight).
    fn block_exactly(&mut self, breaks: u8) {
        if self.single_line > 0 {
            self.soft_space();
            return;
        }
        self.close_styles();
        if self.pending_breaks > 0 || !self.at_line_start {
            self.pending_breaks = breaks;
        }
        self.pending_space = false;
    }

    fn soft_space(&mut self) {
        if !self.out.is_empty() && !self.at_line_start {
            self.pending_space = true;
        }
    }

    fn push_prefix(&mut self, first: String, rest: String) {
        self.prefixes.push(Prefix {
            first,
            rest,
            used: false,
        });
    }

    fn pop_prefix(&mut self) {
        self.prefixes.pop();
    }

    fn push_style(&mut self, open: String, close: String) {
        self.styles.push(Style {
            open,
            close,
            opened: false,
        });
    }

    fn pop_style(&mut self) {
        if let Some(style) = self.styles.pop()
            && style.opened
        {
            self.out.push_str(&style.close);
        }
    }

    fn close_styles(&mut self) {
        for style in self.styles.iter_mut().rev() {
            if style.opened {
                self.out.push_str(&style.close);
                style.opened = false;
            }
        }
    }

    fn flush_breaks(&mut self) {
        if self.pending_breaks == 0 {
            return;
        }
        if !self.out.is_empty() {
            if !self.at_line_start {
                self.out.push('\n');
            }
            for _ in 1..self.pending_breaks {
                // A container that has not begun (its first line is still to come) does
                // not mark the blank line before it.
                let blank: String = self
                    .prefixes
                    .iter()
                    .filter(|p| p.used)
                    .map(|p| p.rest.as_str())
                    .collect();
                self.out.push_str(blank.trim_end());
                self.out.push('\n');
            }
            self.at_line_start = true;
        }
        self.pending_breaks = 0;
    }

    fn write_prefixes(&mut self) {
        if !self.cell {
            for prefix in &mut self.prefixes {
                if prefix.used {
                    self.out.push_str(&prefix.rest);
                } else {
                    self.out.push_str(&prefix.first);
                    prefix.used = true;
                }
            }
        }
        self.at_line_start = false;
    }

    /// Gets ready for visible content: owed newlines, prefixes or a space, then the
    /// delimiters of styles that have not opened yet.
    fn start_content(&mut self) {
        self.flush_breaks();
        if self.at_line_start {
            self.write_prefixes();
        } else if self.pending_space {
            self.out.push(' ');
        }
        self.pending_space = false;
        for style in &mut self.styles {
            if !style.opened {
                self.out.push_str(&style.open);
                style.opened = true;
            }
        }
    }

    /// Writes flowing text: whitespace collapses, Markdown syntax is escaped.
    fn text(&mut self, text: &str) {
        let mut first = true;
        for word in text.split(is_html_whitespace) {
            if !first {
                self.soft_space();
            }
            first = false;
            if !word.is_empty() {
                self.word(word);
            }
        }
    }

    fn word(&mut self, word: &str) {
        let starts_line = (self.at_line_start || (self.pending_breaks > 0 && !self.out.is_empty()))
            && self.styles.iter().all(|style| style.opened);
        self.start_content();
        if self.escape {
            escape_word(&mut self.out, word, starts_line && self.single_line == 0);
        } else {
            self.out.push_str(word);
        }
    }

    /// Writes text as it is (already Markdown, such as an image or a code span).
    fn atom(&mut self, text: &str) {
        self.start_content();
        self.out.push_str(text);
    }

    /// Writes one whole line as it is (code, table rows, rules), under the prefixes.
    fn line(&mut self, line: &str) {
        self.close_styles();
        self.flush_breaks();
        if !self.at_line_start && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.at_line_start = true;
        if line.is_empty() {
            let blank: String = self.prefixes.iter().map(|p| p.rest.as_str()).collect();
            self.out.push_str(blank.trim_end());
            self.at_line_start = false;
        } else {
            self.write_prefixes();
            self.out.push_str(line);
        }
        self.pending_space = false;
    }
}

/// Escapes what would otherwise read as Markdown syntax.
fn escape_word(out: &mut String, word: &str, starts_line: bool) {
    if starts_line {
        let bytes = word.as_bytes();
        let marker_like = match bytes.first() {
            Some(b'#' | b'>' | b'+' | b'-' | b'=') => bytes.iter().all(|&b| b == bytes[0]),
            _ => false,
        };
        if marker_like {
            out.push('\\');
        } else if let Some(cut) = ordered_marker(word) {
            out.push_str(&word[..cut]);
            out.push('\\');
            out.push_str(&word[cut..]);
            return;
        }
    }
    let mut previous: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '*' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let inside_word = previous.is_some_and(char::is_alphanumeric)
                    && chars.peek().is_some_and(|next| next.is_alphanumeric());
                if !inside_word {
                    out.push('\\');
                }
                out.push('_');
            }
            _ => out.push(c),
        }
        previous = Some(c);
    }
}

/// For a word like `12.` or `3)`, the index of the punctuation.
fn ordered_marker(word: &str) -> Option<usize> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0
        && digits <= 9
        && word.len() == digits + 1
        && matches!(word.as_bytes()[digits], b'.' | b')'))
    .then_some(digits)
}

// ---------------------------------------------------------------------------------------
// Rendering elements.

#[derive(Debug)]
struct ListState {
    ordered: bool,
    next: u64,
}

struct Renderer {
    writer: Writer,
    flavor: Flavor,
    base: Option<Url>,
    /// Rendering the whole body: drop footers, sidebars and banners outside articles.
    filter_chrome: bool,
    inside_content: usize,
    strong: usize,
    emphasis: usize,
    links: usize,
    lists: Vec<ListState>,
}

impl Renderer {
    fn markdown(&self) -> bool {
        self.flavor == Flavor::Markdown
    }

    fn children(&mut self, node: &Handle, depth: usize) {
        for child in node.children.borrow().iter() {
            self.node(child, depth + 1);
        }
    }

    fn node(&mut self, node: &Handle, depth: usize) {
        match &node.data {
            NodeData::Text { contents } => self.writer.text(&contents.borrow()),
            NodeData::Element { name, .. } => {
                if skipped(node) {
                    return;
                }
                let name = &*name.local;
                if self.filter_chrome && self.inside_content == 0 && page_chrome(name, node) {
                    return;
                }
                if !matches!(name, "html" | "body" | "main" | "article") && furniture(node) {
                    return;
                }
                if depth > MAX_DEPTH {
                    self.flat_text(node);
                    return;
                }
                self.element(name, node, depth);
            }
            NodeData::Document => self.children(node, depth),
            _ => {}
        }
    }

    /// The text of a too-deep subtree, written without recursion.
    fn flat_text(&mut self, root: &Handle) {
        let mut stack = vec![root.clone()];
        while let Some(node) = stack.pop() {
            match &node.data {
                NodeData::Text { contents } => self.writer.text(&contents.borrow()),
                NodeData::Element { .. } if skipped(&node) => {}
                NodeData::Element { .. } => {
                    self.writer.soft_space();
                    stack.extend(node.children.borrow().iter().rev().cloned());
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, name: &str, node: &Handle, depth: usize) {
        match name {
            "p" | "div" | "section" | "header" | "footer" | "aside" | "address" | "figure"
            | "figcaption" | "fieldset" | "legend" | "details" | "summary" | "hgroup"
            | "center" | "form" | "search" | "caption" | "label" | "body" => {
                self.block(node, depth, 2);
            }
            "article" | "main" => {
                self.inside_content += 1;
                self.block(node, depth, 2);
                self.inside_content -= 1;
            }
            "tr" => self.block(node, depth, 1),
            "td" | "th" => self.block(node, depth, 2),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.heading(node, depth, level);
            }
            "blockquote" => self.quote(node, depth),
            "ul" | "menu" | "dir" => self.list(node, depth, false),
            "ol" => self.list(node, depth, true),
            "li" => self.item(node, depth),
            "dl" => self.block(node, depth, 2),
            "dt" => {
                self.writer.block(1);
                self.styled(node, depth, "**", "**", |r| &mut r.strong);
                self.writer.block(1);
            }
            "dd" => {
                self.writer.block(1);
                self.writer.push_prefix(": ".to_owned(), "  ".to_owned());
                self.children(node, depth);
                self.writer.pop_prefix();
                self.writer.block(1);
            }
            "pre" | "listing" | "xmp" | "plaintext" => self.code_block(node),
            "code" | "kbd" | "samp" | "tt" => self.inline_code(node),
            "br" => {
                if self.writer.single_line > 0 {
                    self.writer.soft_space();
                } else {
                    self.writer.block_exactly(1);
                }
            }
            "hr" => {
                self.writer.block(2);
                if self.markdown() {
                    self.writer.line("---");
                }
                self.writer.block(2);
            }
            "table" => self.table(node, depth),
            "img" => self.image(node),
            "a" => self.link(node, depth),
            "strong" | "b" => self.styled(node, depth, "**", "**", |r| &mut r.strong),
            "em" | "i" | "cite" | "dfn" => self.styled(node, depth, "*", "*", |r| &mut r.emphasis),
            "del" | "s" | "strike" => self.styled(node, depth, "~~", "~~", |r| &mut r.emphasis),
            "q" => {
                self.writer
                    .push_style("\u{201c}".to_owned(), "\u{201d}".to_owned());
                self.children(node, depth);
                self.writer.pop_style();
            }
            _ => self.children(node, depth),
        }
    }

    fn block(&mut self, node: &Handle, depth: usize, breaks: u8) {
        self.writer.block(breaks);
        self.children(node, depth);
        self.writer.block(breaks);
    }

    /// An inline style, not nested in itself (`<b><b>x</b></b>` is `**x**`).
    fn styled(
        &mut self,
        node: &Handle,
        depth: usize,
        open: &str,
        close: &str,
        counter: fn(&mut Self) -> &mut usize,
    ) {
        let apply = self.markdown() && *counter(self) == 0;
        if apply {
            self.writer.push_style(open.to_owned(), close.to_owned());
        }
        *counter(self) += 1;
        self.children(node, depth);
        *counter(self) -= 1;
        if apply {
            self.writer.pop_style();
        }
    }

    fn heading(&mut self, node: &Handle, depth: usize, level: usize) {
        if self.writer.single_line > 0 {
            self.styled(node, depth, "**", "**", |r| &mut r.strong);
            return;
        }
        self.writer.block(2);
        if self.markdown() {
            self.writer
                .push_prefix(format!("{} ", "#".repeat(level)), String::new());
        }
        self.writer.single_line += 1;
        self.children(node, depth);
        self.writer.single_line -= 1;
        if self.markdown() {
            self.writer.pop_prefix();
        }
        self.writer.block(2);
    }

    fn quote(&mut self, node: &Handle, depth: usize) {
        let prefix = if self.markdown() { "> " } else { "  " };
        self.writer.block(2);
        self.writer
            .push_prefix(prefix.to_owned(), prefix.to_owned());
        self.children(node, depth);
        self.writer.pop_prefix();
        self.writer.block(2);
    }

    fn list(&mut self, node: &Handle, depth: usize, ordered: bool) {
        let nested = !self.lists.is_empty();
        let breaks = if nested { 1 } else { 2 };
        let next = if ordered {
            attribute(node, "start")
                .and_then(|start| start.trim().parse::<u64>().ok())
                .unwrap_or(1)
                .min(999_999_999)
        } else {
            0
        };
        self.writer.block(breaks);
        self.lists.push(ListState { ordered, next });
        self.children(node, depth);
        self.lists.pop();
        self.writer.block(breaks);
    }

    fn item(&mut self, node: &Handle, depth: usize) {
        let marker = match self.lists.last_mut() {
            Some(ListState {
                ordered: true,
                next,
            }) => {
                let marker = format!("{next}. ");
                *next = next.saturating_add(1).min(999_999_999);
                marker
            }
            _ => "- ".to_owned(),
        };
        let indent = " ".repeat(marker.len());
        self.writer.block(1);
        self.writer.push_prefix(marker, indent);
        self.children(node, depth);
        self.writer.pop_prefix();
        self.writer.block_exactly(1);
    }

    fn code_block(&mut self, node: &Handle) {
        let text = raw_text(node);
        if self.writer.single_line > 0 {
            self.inline_code_text(&collapse_whitespace(&text));
            return;
        }
        let text = text.trim_end().trim_start_matches(['\n', '\r']);
        if text.trim().is_empty() {
            return;
        }
        self.writer.block(2);
        if self.markdown() {
            let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
            let language = code_language(node).unwrap_or_default();
            self.writer.line(&format!("{fence}{language}"));
            for line in text.lines() {
                self.writer.line(line);
            }
            self.writer.line(&fence);
        } else {
            for line in text.lines() {
                self.writer.line(line);
            }
        }
        self.writer.block(2);
    }

    fn inline_code(&mut self, node: &Handle) {
        let text = collapse_whitespace(&raw_text(node));
        self.inline_code_text(&text);
    }

    fn inline_code_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if !self.markdown() {
            self.writer.atom(text);
            return;
        }
        let fence = "`".repeat(longest_run(text, '`') + 1);
        let pad = if text.starts_with('`') || text.ends_with('`') {
            " "
        } else {
            ""
        };
        self.writer.atom(&format!("{fence}{pad}{text}{pad}{fence}"));
    }

    fn image(&mut self, node: &Handle) {
        if !self.markdown() {
            return;
        }
        let alt = attribute(node, "alt")
            .map(|alt| collapse_whitespace(&alt))
            .unwrap_or_default();
        if alt.is_empty() {
            return;
        }
        let source = attribute(node, "src")
            .filter(|src| !src.trim().is_empty())
            .or_else(|| attribute(node, "data-src"))
            .and_then(|src| self.resolve(&src));
        let mut alt_text = String::new();
        escape_word(&mut alt_text, &alt, false);
        match source {
            Some(source) => self.writer.atom(&format!("![{alt_text}]({source})")),
            None => self.writer.text(&alt),
        }
    }

    fn link(&mut self, node: &Handle, depth: usize) {
        let target = if self.markdown() && self.links == 0 {
            attribute(node, "href").and_then(|href| self.resolve(&href))
        } else {
            None
        };
        match target {
            Some(target) => {
                self.writer
                    .push_style("[".to_owned(), format!("]({target})"));
                self.links += 1;
                self.children(node, depth);
                self.links -= 1;
                self.writer.pop_style();
            }
            None => self.children(node, depth),
        }
    }

    /// An absolute URL for a link or image, or `None` for in-page anchors, scripts and
    /// inline data. Parentheses and spaces are escaped so the Markdown link holds.
    fn resolve(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let scheme: String = href
            .chars()
            .take(11)
            .collect::<String>()
            .to_ascii_lowercase();
        if ["javascript:", "data:", "vbscript:", "blob:"]
            .iter()
            .any(|refused| scheme.starts_with(refused))
        {
            return None;
        }
        let url = match &self.base {
            Some(base) => base.join(href).ok()?,
            None => Url::parse(href).ok()?,
        };
        let text = String::from(url);
        Some(if text.contains(['(', ')', ' ', '<', '>']) {
            text.replace('(', "%28")
                .replace(')', "%29")
                .replace(' ', "%20")
                .replace('<', "%3C")
                .replace('>', "%3E")
        } else {
            text
        })
    }

    fn table(&mut self, node: &Handle, depth: usize) {
        let rows = table_rows(node);
        let nested = rows.iter().any(|(row, _)| {
            row.children
                .borrow()
                .iter()
                .any(|cell| first_element(cell, |name, _| name == "table").is_some())
        });
        let columns = rows
            .iter()
            .map(|(row, _)| cells(row).len())
            .max()
            .unwrap_or(0);
        if nested || columns < 2 || self.writer.single_line > 0 {
            // A layout table: its cells are just blocks.
            self.block(node, depth, 2);
            return;
        }
        let header = rows.first().is_some_and(|(row, in_head)| {
            *in_head || cells(row).iter().all(|cell| html_name(cell) == Some("th"))
        });
        let mut grid: Vec<Vec<String>> = Vec::with_capacity(rows.len());
        for (row, _) in &rows {
            let mut line = Vec::with_capacity(columns);
            for cell in cells(row) {
                line.push(self.cell_text(&cell, depth));
                let span = attribute(&cell, "colspan")
                    .and_then(|span| span.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, columns);
                line.extend(std::iter::repeat_n(String::new(), span - 1));
            }
            line.truncate(columns);
            line.resize(columns, String::new());
            grid.push(line);
        }
        if let Some(caption) = first_element(node, |name, _| name == "caption") {
            self.block(&caption, depth, 2);
        }
        self.writer.block(2);
        if self.markdown() {
            let blank_header = vec![String::new(); columns];
            let (head, body) = if header {
                grid.split_first()
                    .map_or((&blank_header, &grid[..]), |(head, body)| (head, body))
            } else {
                (&blank_header, &grid[..])
            };
            self.writer.line(&markdown_row(head));
            self.writer
                .line(&markdown_row(&vec!["---".to_owned(); columns]));
            for row in body {
                self.writer.line(&markdown_row(row));
            }
        } else {
            for row in &grid {
                self.writer.line(row.join(" | ").trim_end());
            }
        }
        self.writer.block(2);
    }

    /// A cell's content as one line, rendered by a fresh writer.
    fn cell_text(&mut self, cell: &Handle, depth: usize) -> String {
        let cell_writer = Writer::new(self.markdown(), true);
        let outer = std::mem::replace(&mut self.writer, cell_writer);
        let outer_lists = std::mem::take(&mut self.lists);
        self.children(cell, depth + 1);
        self.lists = outer_lists;
        let text = std::mem::replace(&mut self.writer, outer).finish();
        if self.markdown() {
            text.replace('|', "\\|")
        } else {
            text
        }
    }
}

fn markdown_row(cells: &[String]) -> String {
    let mut line = String::from("|");
    for cell in cells {
        line.push(' ');
        line.push_str(cell);
        line.push_str(" |");
    }
    line
}

/// The rows of a table (`tr` children of the table and of its sections), each with
/// whether it sits in the `<thead>`.
fn table_rows(table: &Handle) -> Vec<(Handle, bool)> {
    let mut rows = Vec::new();
    for child in table.children.borrow().iter() {
        match html_name(child) {
            Some("tr") if !skipped(child) => rows.push((child.clone(), false)),
            Some(section @ ("thead" | "tbody" | "tfoot")) if !skipped(child) => {
                let in_head = section == "thead";
                rows.extend(
                    child
                        .children
                        .borrow()
                        .iter()
                        .filter(|row| html_name(row) == Some("tr") && !skipped(row))
                        .map(|row| (row.clone(), in_head)),
                );
            }
            _ => {}
        }
    }
    rows
}

fn cells(row: &Handle) -> Vec<Handle> {
    row.children
        .borrow()
        .iter()
        .filter(|cell| matches!(html_name(cell), Some("td" | "th")) && !skipped(cell))
        .cloned()
        .collect()
}

/// The language of a code block, from `class="language-rust"` (or `lang-`) on the `<pre>`
/// or its `<code>`, or a `data-lang` attribute.
fn code_language(pre: &Handle) -> Option<String> {
    let code = pre
        .children
        .borrow()
        .iter()
        .find(|child| html_name(child) == Some("code"))
        .cloned();
    let nodes = std::iter::once(pre.clone()).chain(code);
    for node in nodes {
        if let Some(language) = attribute(&node, "data-lang") {
            return clean_language(&language);
        }
        if let Some(class) = attribute(&node, "class") {
            for token in class.split_ascii_whitespace() {
                if let Some(language) = token
                    .strip_prefix("language-")
                    .or_else(|| token.strip_prefix("lang-"))
                {
                    return clean_language(language);
                }
            }
        }
    }
    None
}

fn clean_language(language: &str) -> Option<String> {
    let language: String = language
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '#' | '.' | '_'))
        .take(32)
        .collect();
    (!language.is_empty()).then_some(language)
}

fn longest_run(text: &str, wanted: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == wanted {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        let base = Url::parse("https://example.com/docs/page.html").unwrap();
        convert(html, Some(&base), Flavor::Markdown).text
    }

    fn text(html: &str) -> String {
        convert(html, None, Flavor::Text).text
    }

    #[test]
    fn paragraphs_and_headings() {
        assert_eq!(
            md("<h1>Title</h1><p>One   two\nthree.</p><h2>Sub <em>part</em></h2><p>Four</p>"),
            "# Title\n\nOne two three.\n\n## Sub *part*\n\nFour"
        );
    }

    #[test]
    fn inline_styles_keep_spaces_outside_delimiters() {
        assert_eq!(
            md("<p>a<b> bold </b>b <i>it</i><strong></strong>.</p>"),
            "a **bold** b *it*."
        );
        assert_eq!(md("<p><b><b>twice</b></b></p>"), "**twice**");
    }

    #[test]
    fn links_and_images_become_absolute() {
        assert_eq!(
            md(
                r##"<p><a href="../a b(1).html">A</a> <a href="#top">top</a> <a href="javascript:x()">js</a> <img src="/i.png" alt="Logo"> <img src="x.png"></p>"##
            ),
            "[A](https://example.com/a%20b%281%29.html) top js ![Logo](https://example.com/i.png)"
        );
    }

    #[test]
    fn a_base_element_changes_where_links_point() {
        assert_eq!(
            md(r#"<head><base href="https://cdn.example.org/x/"></head><p><a href="y">Y</a></p>"#),
            "[Y](https://cdn.example.org/x/y)"
        );
    }

    #[test]
    fn lists_nest_and_number() {
        let html = "<ul><li>One</li><li>Two<ul><li>Inner</li></ul></li></ul><ol start=3><li><p>Three</p></li><li>Four</li></ol>";
        assert_eq!(md(html), "- One\n- Two\n  - Inner\n\n3. Three\n4. Four");
    }

    #[test]
    fn code_blocks_keep_whitespace_and_language() {
        let html = "<pre><code class=\"language-rust\">fn main() {\n    println!(\"```\");\n}\n</code></pre><p>Use <code>a | b</code> or <code>`x`</code>.</p>";
        assert_eq!(
            md(html),
            "````rust\nfn main() {\n    println!(\"```\");\n}\n````\n\nUse `a | b` or `` `x` ``."
        );
    }

    #[test]
    fn tables_become_gfm_tables() {
        let html = "<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody><tr><td>a|b</td><td><b>1</b></td></tr><tr><td colspan=2>wide</td></tr></tbody></table>";
        assert_eq!(
            md(html),
            "| Name | Value |\n| --- | --- |\n| a\\|b | **1** |\n| wide |  |"
        );
    }

    #[test]
    fn layout_tables_become_blocks() {
        assert_eq!(
            md("<table><tr><td>Only cell</td></tr><tr><td>Second</td></tr></table>"),
            "Only cell\n\nSecond"
        );
    }

    #[test]
    fn quotes_prefix_every_line() {
        assert_eq!(
            md("<blockquote><p>One</p><p>Two</p></blockquote>"),
            "> One\n>\n> Two"
        );
        assert_eq!(
            md(
                "<ul><li>Item</li></ul><blockquote><p>Quote</p></blockquote><ul><li>A<blockquote>B</blockquote></li></ul>"
            ),
            "- Item\n\n> Quote\n\n- A\n\n  > B"
        );
    }

    #[test]
    fn markdown_syntax_in_text_is_escaped() {
        assert_eq!(
            md("<p># not a heading</p><p>1. not a list; snake_case *star* [x] _y_</p>"),
            "\\# not a heading\n\n1\\. not a list; snake_case \\*star\\* \\[x\\] \\_y\\_"
        );
    }

    #[test]
    fn scripts_styles_navigation_and_hidden_content_are_dropped() {
        let html = r#"<body><nav><a href="/">Home</a></nav><script>var x = 1;</script><style>p{}</style>
            <p>Visible</p><p hidden>Hidden</p><p style="display: none">Gone</p><div aria-hidden="true">Icon</div>
            <footer>Copyright</footer></body>"#;
        assert_eq!(md(html), "Visible");
    }

    #[test]
    fn menus_and_other_furniture_are_dropped_by_class_or_id() {
        let html = r#"<main class="main-nav-open"><div class="vector-dropdown"><ul><li>Deutsch</li></ul></div>
            <p>Content</p><span class="sr-only">(opens a new tab)</span><div id="catlinks">Categories</div>
            <div class="share-price">Price 12</div><a class="skip-link" href="/">Skip</a></main>"#;
        assert_eq!(md(html), "Content\n\nPrice 12");
    }

    #[test]
    fn the_main_element_is_preferred_when_it_holds_the_content() {
        let html = "<body><header><p>Site</p></header><main><h1>Article</h1><p>Long enough body text here.</p></main><aside>Related</aside></body>";
        assert_eq!(md(html), "# Article\n\nLong enough body text here.");
    }

    #[test]
    fn the_title_is_reported_separately() {
        let converted = convert("<title> My\n Page </title><p>x</p>", None, Flavor::Markdown);
        assert_eq!(converted.title.as_deref(), Some("My Page"));
    }

    #[test]
    fn plain_text_has_no_markup() {
        assert_eq!(
            text("<h1>T</h1><p><b>a</b> <a href='/x'>link</a> *</p><ul><li>i</li></ul>"),
            "T\n\na link *\n\n- i"
        );
    }

    #[test]
    fn line_breaks_and_rules() {
        assert_eq!(md("<p>a<br>b</p><hr><p>c</p>"), "a\nb\n\n---\n\nc");
    }

    #[test]
    fn very_deep_nesting_neither_overflows_nor_loses_text() {
        let depth = 20_000;
        let html = format!(
            "{}deep text{}",
            "<div><span>".repeat(depth),
            "</span></div>".repeat(depth)
        );
        let converted = convert(&html, None, Flavor::Markdown);
        assert_eq!(converted.text, "deep text");
        assert!(converted.flattened, "read as plain text");
    }

    #[test]
    fn nesting_deeper_than_the_renderer_goes_is_written_flat() {
        // Spans do not trip the tree builder's guard, so the renderer's own depth limit
        // is what keeps this from recursing 300 levels.
        let depth = 300;
        let html = format!(
            "<p>{}deep <b>text</b>{}</p>",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        let converted = convert(&html, None, Flavor::Markdown);
        assert_eq!(converted.text, "deep text");
        assert!(!converted.flattened);
    }

    #[test]
    fn broken_html_is_read_as_a_browser_would() {
        assert_eq!(md("<p>one<p>two<li>three"), "one\n\ntwo\n\n- three");
    }
}
