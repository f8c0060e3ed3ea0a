//! Searching files by name and by content, under caps.
//!
//! Owns: glob-to-regex translation and name filters (pure), content matchers (literal or
//! regular expression, never backtracking: `regex-lite` and `memchr` run in time linear in
//! the input), and the search walk with its result, entry, byte and time caps. Must not
//! follow symlinks while walking, and must not read files that the sandbox would refuse
//! (links, special files, files with several hard links).
//!
//! Linear is not fast: a regular expression's cost is its size times the text's, and a
//! large pattern over a large file can take minutes. So content is matched line by line
//! (like grep), long lines in pieces, and the time limit is checked between them: a search
//! never runs much past `walk_timeout`, however costly its pattern.

use memchr::memmem;
use regex_lite::{Regex, RegexBuilder};
use schemars::JsonSchema;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::{
    error::FilesError,
    limits::Limits,
    reading,
    sandbox::{Dir, Kind, Located, Meta},
    walk::{self, Budget, EntryKind, Stop},
};

/// Most bytes of a pattern (globs and content patterns alike).
const MAX_PATTERN_BYTES: usize = 1000;
/// Longest line text shown for a content match, in characters.
const MAX_LINE_CHARS: usize = 240;
/// Most bytes of one line a regular expression runs over at once; longer lines are
/// searched in windows this long that overlap by half.
const MAX_PIECE_BYTES: usize = 16 * 1024;
/// Bytes matched between two looks at the clock.
const CHECK_EVERY_BYTES: usize = 4 * 1024;

/// Translates a glob to an anchored regular expression: `*` is any run of characters
/// within a name, `**` any run across folders (`**/` also matches no folder), `?` one
/// character, `[abc]`/`[!abc]` a class, `{a,b}` alternatives. Everything else is literal.
pub(crate) fn glob_to_regex(glob: &str) -> Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^");
    let mut braces = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    i += 1;
                    if chars.get(i + 1) == Some(&'/') {
                        i += 1;
                        out.push_str("(?:.*/)?");
                    } else {
                        out.push_str(".*");
                    }
                } else {
                    out.push_str("[^/]*");
                }
            }
            '?' => out.push_str("[^/]"),
            '[' => match chars[i + 1..].iter().skip(1).position(|&c| c == ']') {
                Some(offset) => {
                    let end = i + 1 + offset + 1;
                    let class = &chars[i + 1..end];
                    out.push('[');
                    let (negate, body) = match class.first() {
                        Some('!' | '^') => (true, &class[1..]),
                        _ => (false, class),
                    };
                    if negate {
                        out.push('^');
                    }
                    for &c in body {
                        if c == '-' || c.is_alphanumeric() {
                            out.push(c);
                        } else {
                            out.push('\\');
                            out.push(c);
                        }
                    }
                    out.push(']');
                    i = end;
                }
                None => out.push_str(r"\["),
            },
            '{' => {
                braces += 1;
                out.push_str("(?:");
            }
            '}' if braces > 0 => {
                braces -= 1;
                out.push(')');
            }
            ',' if braces > 0 => out.push('|'),
            other => out.push_str(&regex_lite::escape(other.encode_utf8(&mut [0; 4]))),
        }
        i += 1;
    }
    if braces > 0 {
        return Err(format!(
            "the pattern {glob:?} has a '{{' without a matching '}}'"
        ));
    }
    out.push('$');
    Ok(out)
}

fn has_glob_syntax(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

fn build(pattern: &str, case_sensitive: bool, what: &str) -> Result<Regex, FilesError> {
    RegexBuilder::new(pattern)
        .case_insensitive(!case_sensitive)
        .multi_line(true)
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .map_err(|e| FilesError::Argument(format!("The {what} is not valid: {e}")))
}

fn check_length(pattern: &str, what: &str) -> Result<(), FilesError> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(FilesError::Argument(format!(
            "The {what} is {} bytes long; the limit is {MAX_PATTERN_BYTES}.",
            pattern.len()
        )));
    }
    Ok(())
}

/// Matches entry names (or paths relative to the search root, for patterns with a `/`).
#[derive(Debug, Default)]
pub(crate) struct NameFilter {
    by_name: Option<Regex>,
    by_path: Option<Regex>,
}

impl NameFilter {
    /// A filter for `patterns`: globs, or plain text. Plain text means the exact name when
    /// `plain_is_substring` is false (excludes) and any name containing it otherwise
    /// (searches).
    pub(crate) fn new(
        patterns: &[String],
        case_sensitive: bool,
        plain_is_substring: bool,
    ) -> Result<Self, FilesError> {
        let mut by_name = Vec::new();
        let mut by_path = Vec::new();
        for pattern in patterns {
            check_length(pattern, "name pattern")?;
            let trimmed = pattern.trim_matches('/');
            if trimmed.is_empty() {
                continue;
            }
            let regex = if has_glob_syntax(trimmed) {
                glob_to_regex(trimmed).map_err(|e| FilesError::Argument(format!("In {e}.")))?
            } else if plain_is_substring {
                regex_lite::escape(trimmed)
            } else {
                format!("^{}$", regex_lite::escape(trimmed))
            };
            if trimmed.contains('/') {
                by_path.push(regex);
            } else {
                by_name.push(regex);
            }
        }
        let join = |parts: Vec<String>| -> Result<Option<Regex>, FilesError> {
            if parts.is_empty() {
                return Ok(None);
            }
            let joined = parts
                .iter()
                .map(|p| format!("(?:{p})"))
                .collect::<Vec<_>>()
                .join("|");
            build(&joined, case_sensitive, "name pattern").map(Some)
        };
        Ok(Self {
            by_name: join(by_name)?,
            by_path: join(by_path)?,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_name.is_none() && self.by_path.is_none()
    }

    /// Whether an entry matches: by its `name`, or by its `path` relative to the root.
    pub(crate) fn matches(&self, name: &str, path: &str) -> bool {
        self.by_name.as_ref().is_some_and(|r| r.is_match(name))
            || self.by_path.as_ref().is_some_and(|r| r.is_match(path))
    }
}

/// Finds lines that contain a pattern.
#[derive(Debug)]
pub(crate) enum ContentMatcher {
    /// Case-sensitive plain text: SIMD substring search.
    Literal(Box<memmem::Finder<'static>>),
    /// A regular expression (or case-insensitive plain text), multi-line mode.
    Regex(Regex),
}

impl ContentMatcher {
    pub(crate) fn new(
        pattern: &str,
        is_regex: bool,
        case_sensitive: bool,
    ) -> Result<Self, FilesError> {
        check_length(pattern, "content pattern")?;
        if pattern.is_empty() {
            return Err(FilesError::Argument(
                "The content pattern is empty; give some text to look for.".to_owned(),
            ));
        }
        if pattern.contains('\n') {
            return Err(FilesError::Argument(
                "The content pattern holds a line break, but content is matched line by line; \
                 search for one line of it."
                    .to_owned(),
            ));
        }
        if !is_regex && case_sensitive {
            return Ok(ContentMatcher::Literal(Box::new(
                memmem::Finder::new(pattern.as_bytes()).into_owned(),
            )));
        }
        let pattern = if is_regex {
            pattern.to_owned()
        } else {
            regex_lite::escape(pattern)
        };
        build(&pattern, case_sensitive, "content pattern").map(ContentMatcher::Regex)
    }

    /// Whether `line` (without its line break) matches. A regular expression runs over at
    /// most [`MAX_PIECE_BYTES`] at a time: a longer line is searched in windows that overlap
    /// by half, with `check` asked before each, so a match up to half a window long is
    /// always found and a longer one in such a line may not be.
    fn line_matches(
        &self,
        line: &str,
        check: &mut dyn FnMut() -> Result<(), Stop>,
    ) -> Result<bool, Stop> {
        let regex = match self {
            // Linear and fast (SIMD), whatever the pattern.
            ContentMatcher::Literal(finder) => return Ok(finder.find(line.as_bytes()).is_some()),
            ContentMatcher::Regex(regex) => regex,
        };
        if line.len() <= MAX_PIECE_BYTES {
            return Ok(regex.is_match(line));
        }
        let mut from = 0;
        loop {
            check()?;
            let mut to = (from + MAX_PIECE_BYTES).min(line.len());
            while !line.is_char_boundary(to) {
                to -= 1;
            }
            // The text before `from` still counts for `^` and `\b`; the text after `to` does
            // not, so a match ending at `to` inside the line may be one only because the
            // window ends there (`$`, `\b`): the next window sees it with what follows.
            if let Some(found) = regex.find_at(&line[..to], from)
                && (found.end() < to || to == line.len())
            {
                return Ok(true);
            }
            if to == line.len() {
                return Ok(false);
            }
            from += MAX_PIECE_BYTES / 2;
            while !line.is_char_boundary(from) {
                from += 1;
            }
        }
    }

    /// Matching lines of `text`: (1-based line number, line text), at most `limit`. A
    /// match never spans lines. `check` is asked every few KiB (and between the pieces of a
    /// long line); when it says stop, the lines found so far are returned with the reason.
    pub(crate) fn matching_lines(
        &self,
        text: &str,
        limit: usize,
        check: &mut dyn FnMut() -> Result<(), Stop>,
    ) -> (Vec<(u64, String)>, Option<Stop>) {
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        let mut start = 0;
        let mut number = 0u64;
        let mut unchecked = 0usize;
        while hits.len() < limit && start <= text.len() {
            number += 1;
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |i| start + i);
            let line = &text[start..end];
            if unchecked >= CHECK_EVERY_BYTES {
                unchecked = 0;
                if let Err(stop) = check() {
                    return (hits, Some(stop));
                }
            }
            unchecked += line.len() + 1;
            match self.line_matches(line, check) {
                Ok(true) => hits.push((number, shorten(line.trim_end_matches('\r')))),
                Ok(false) => {}
                Err(stop) => return (hits, Some(stop)),
            }
            start = end + 1;
        }
        (hits, None)
    }
}

fn shorten(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// What search_files looks for.
#[derive(Debug)]
pub(crate) struct Query {
    pub(crate) names: NameFilter,
    pub(crate) content: Option<ContentMatcher>,
    pub(crate) exclude: NameFilter,
    pub(crate) max_results: usize,
}

/// The result of search_files.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchResults {
    /// The folder searched.
    pub path: String,
    /// Matches in walk order (folders in name order). Name searches list matching files and folders; content searches list one entry per matching line.
    pub matches: Vec<SearchMatch>,
    /// Files whose content was scanned.
    pub files_scanned: usize,
    /// Files not scanned: binary, larger than the per-file limit, unreadable, or with several hard links.
    pub files_skipped: usize,
    /// True when the search stopped before looking everywhere; `note` says why.
    pub truncated: bool,
    /// Why the search is incomplete, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One match.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchMatch {
    /// Absolute path of the file or folder.
    pub path: String,
    /// What it is.
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// Line number of a content match (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The matching line (cut at 240 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

struct Search<'a> {
    query: &'a Query,
    limits: &'a Limits,
    root: &'a Located,
    budget: Budget,
    bytes_left: u64,
    results: Vec<SearchMatch>,
    files_scanned: usize,
    files_skipped: usize,
    stop: Option<String>,
    /// Folders left out for being deeper than the depth limit.
    too_deep: usize,
}

pub(crate) fn search(
    located: &Located,
    query: &Query,
    limits: &Limits,
    cancel: CancellationToken,
) -> Result<SearchResults, FilesError> {
    let dir = located.open_directory()?;
    let mut search = Search {
        query,
        limits,
        root: located,
        budget: Budget::new(limits.walk_timeout, cancel, limits.max_search_entries),
        bytes_left: limits.max_search_bytes,
        results: Vec::new(),
        files_scanned: 0,
        files_skipped: 0,
        stop: None,
        too_deep: 0,
    };
    search.folder(&dir, "", 0);
    if search.stop.is_none() && search.too_deep > 0 {
        search.stop = Some(format!(
            "{} folders deeper than {} levels were not searched; search from a deeper folder",
            search.too_deep, limits.max_search_depth
        ));
    }
    Ok(SearchResults {
        path: located.display(),
        truncated: search.stop.is_some(),
        note: search.stop,
        matches: search.results,
        files_scanned: search.files_scanned,
        files_skipped: search.files_skipped,
    })
}

impl Search<'_> {
    fn halt(&mut self, reason: Stop) {
        self.stop = Some(reason.describe());
    }

    /// Whether the search must stop: a cap was hit or enough results were found.
    fn stopped(&mut self) -> bool {
        if self.stop.is_some() {
            return true;
        }
        if self.results.len() >= self.query.max_results {
            self.stop = Some(format!(
                "stopped at {} matches; narrow the search or raise max_results",
                self.query.max_results
            ));
            return true;
        }
        false
    }

    fn folder(&mut self, dir: &Dir, relative: &str, depth: usize) {
        let limit = self.budget.entries_left().max(1);
        let Ok((mut entries, more)) = dir.entries(limit) else {
            return; // an unreadable sub-folder is skipped, not fatal
        };
        entries.sort_by(walk::listing_order);
        for entry in entries {
            if self.stopped() {
                return;
            }
            if let Err(reason) = self.budget.take(1) {
                self.halt(reason);
                return;
            }
            if entry.lossy {
                continue;
            }
            let path = walk::join_relative(relative, &entry.name);
            if self.query.exclude.matches(&entry.name, &path) {
                continue;
            }
            let name_ok =
                self.query.names.is_empty() || self.query.names.matches(&entry.name, &path);
            match (&self.query.content, entry.kind) {
                (None, kind) if name_ok => self.results.push(SearchMatch {
                    path: self.root.descendant(&path).display(),
                    kind: kind.into(),
                    line: None,
                    text: None,
                }),
                (Some(matcher), Kind::File) if name_ok => {
                    self.scan(dir, &entry.name, &path, matcher);
                }
                _ => {}
            }
            if entry.kind == Kind::Directory {
                if depth + 1 >= self.limits.max_search_depth {
                    self.too_deep += 1;
                } else if let Ok(sub) = dir.subdir(&entry.name) {
                    self.folder(&sub, &path, depth + 1);
                }
            }
        }
        if more && self.stop.is_none() {
            self.halt(Stop::Entries(self.limits.max_search_entries));
        }
    }

    fn scan(&mut self, dir: &Dir, name: &str, path: &str, matcher: &ContentMatcher) {
        let Ok(file) = dir.open_file(name) else {
            self.files_skipped += 1;
            return;
        };
        let Ok(meta) = Meta::of_file(&file) else {
            self.files_skipped += 1;
            return;
        };
        if meta.kind != Kind::File || meta.links > 1 || meta.len > self.limits.max_search_file_bytes
        {
            self.files_skipped += 1;
            return;
        }
        if meta.len > self.bytes_left {
            self.stop = Some(format!(
                "stopped after scanning {} of content; narrow the folder or the file names",
                crate::limits::format_size(self.limits.max_search_bytes)
            ));
            return;
        }
        let at = self.root.descendant(path);
        let Ok(bytes) = reading::read_bytes(
            &at,
            file,
            &meta,
            self.limits.max_search_file_bytes,
            "a search",
        ) else {
            self.files_skipped += 1;
            return;
        };
        self.bytes_left = self.bytes_left.saturating_sub(bytes.len() as u64);
        let Ok(text) = std::str::from_utf8(&bytes) else {
            self.files_skipped += 1;
            return;
        };
        if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
            self.files_skipped += 1;
            return;
        }
        self.files_scanned += 1;
        let room = self.query.max_results.saturating_sub(self.results.len());
        let shown = at.display();
        let budget = &self.budget;
        let (hits, stop) = matcher.matching_lines(text, room, &mut || budget.check());
        for (line, text) in hits {
            self.results.push(SearchMatch {
                path: shown.clone(),
                kind: EntryKind::File,
                line: Some(line),
                text: Some(text),
            });
        }
        if let Some(reason) = stop {
            self.halt(reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use proptest::prelude::*;

    fn glob(pattern: &str) -> Regex {
        Regex::new(&glob_to_regex(pattern).unwrap()).unwrap()
    }

    #[test]
    fn globs_match_like_a_shell() {
        let rs = glob("*.rs");
        assert!(rs.is_match("main.rs"));
        assert!(!rs.is_match("src/main.rs"), "* stays within a name");
        assert!(!rs.is_match("main.rsx"));
        let deep = glob("src/**/*.rs");
        assert!(deep.is_match("src/main.rs"), "**/ matches no folder too");
        assert!(deep.is_match("src/a/b/c.rs"));
        assert!(!deep.is_match("tests/a.rs"));
        let alt = glob("*.{md,txt}");
        assert!(alt.is_match("a.md") && alt.is_match("b.txt") && !alt.is_match("c.rs"));
        let class = glob("file[0-9].[!t]*");
        assert!(class.is_match("file7.md"));
        assert!(!class.is_match("file7.txt"));
        let q = glob("?.txt");
        assert!(q.is_match("a.txt") && !q.is_match("ab.txt"));
        let literal = glob("a+b(1).txt");
        assert!(
            literal.is_match("a+b(1).txt"),
            "regex syntax is literal in globs"
        );
        assert!(glob("[unclosed").is_match("[unclosed"));
        assert!(glob_to_regex("{a,b").is_err());
    }

    #[test]
    fn plain_names_are_substrings_for_search_and_exact_for_exclude() {
        let search = NameFilter::new(&["config".into()], false, true).unwrap();
        assert!(search.matches("app.CONFIG.json", "x/app.CONFIG.json"));
        let exclude = NameFilter::new(&["node_modules".into()], false, false).unwrap();
        assert!(exclude.matches("node_modules", "a/node_modules"));
        assert!(!exclude.matches("node_modules_old", "node_modules_old"));
        let by_path = NameFilter::new(&["src/*.rs".into()], true, false).unwrap();
        assert!(by_path.matches("lib.rs", "src/lib.rs"));
        assert!(!by_path.matches("lib.rs", "other/lib.rs"));
    }

    /// All matching lines, with no time limit.
    fn lines_of(matcher: &ContentMatcher, text: &str, limit: usize) -> Vec<(u64, String)> {
        let (hits, stop) = matcher.matching_lines(text, limit, &mut || Ok(()));
        assert!(stop.is_none());
        hits
    }

    #[test]
    fn content_matches_report_lines() {
        let text = "alpha\nbeta gamma\r\nGamma ray\ndelta\n";
        let literal = ContentMatcher::new("gamma", false, true).unwrap();
        assert_eq!(lines_of(&literal, text, 10), [(2, "beta gamma".to_owned())]);
        let folded = ContentMatcher::new("gamma", false, false).unwrap();
        let lines: Vec<u64> = lines_of(&folded, text, 10).iter().map(|h| h.0).collect();
        assert_eq!(lines, [2, 3]);
        let regex = ContentMatcher::new(r"^d\w+$", true, true).unwrap();
        assert_eq!(lines_of(&regex, text, 10), [(4, "delta".to_owned())]);
        assert_eq!(lines_of(&folded, text, 1).len(), 1, "the limit holds");
        let empty_match = ContentMatcher::new("x*", true, true).unwrap();
        assert_eq!(
            lines_of(&empty_match, "a\nb\n", 10).len(),
            3,
            "one hit per line"
        );
    }

    #[test]
    fn a_match_never_spans_lines() {
        let text = "one\ntwo\n";
        let across = ContentMatcher::new(r"one\stwo", true, true).unwrap();
        assert!(lines_of(&across, text, 10).is_empty());
        let error = ContentMatcher::new("one\ntwo", false, true).unwrap_err();
        assert!(error.to_string().contains("line by line"), "{error}");
    }

    #[test]
    fn long_lines_are_matched_in_windows_with_anchors_kept() {
        let line = format!(
            "{}needle{}",
            "a".repeat(3 * MAX_PIECE_BYTES),
            "b".repeat(100)
        );
        let text = format!("first\n{line}\nlast\n");
        let found = |pattern: &str| -> Vec<u64> {
            let matcher = ContentMatcher::new(pattern, true, true).unwrap();
            lines_of(&matcher, &text, 10).iter().map(|h| h.0).collect()
        };
        assert_eq!(found("needle"), [2]);
        assert_eq!(
            found("a{100}needleb{100}$"),
            [2],
            "a short match across windows"
        );
        assert_eq!(found("^a{100}"), [2]);
        assert_eq!(found("b$"), [2]);
        assert!(
            found("^needle").is_empty(),
            "^ inside a line is not a line start"
        );
        assert!(
            found("a$").is_empty(),
            "$ where a window ends is not a line end"
        );
        assert!(found(r"a\b").is_empty(), "nor is a word boundary");
    }

    #[test]
    fn a_costly_pattern_stops_when_the_check_says_so_and_keeps_what_it_found() {
        // 59 counted alternatives: thousands of states, each run over every byte.
        let alternatives: Vec<String> = (1..60).map(|i| format!("[a-z0-9 ]{{{i}}}x")).collect();
        let pattern = format!("(?:{})+#|^hit$", alternatives.join("|"));
        let matcher = ContentMatcher::new(&pattern, true, true).unwrap();
        let line = "the quick brown fox jumps over the lazy dog 0123456789\n";
        let text = format!("hit\n{}", line.repeat(2000));
        let mut checks = 0;
        let (hits, stop) = matcher.matching_lines(&text, 10, &mut || {
            checks += 1;
            if checks > 3 {
                Err(Stop::Time(Duration::from_secs(10)))
            } else {
                Ok(())
            }
        });
        assert_eq!(hits, [(1, "hit".to_owned())], "what was found is kept");
        assert!(matches!(stop, Some(Stop::Time(_))), "{stop:?}");
        assert_eq!(checks, 4, "the clock is looked at every few KiB");
    }

    #[test]
    fn bad_patterns_are_argument_errors() {
        assert!(ContentMatcher::new("(", true, true).is_err());
        assert!(ContentMatcher::new("", false, true).is_err());
        assert!(ContentMatcher::new(&"a".repeat(2000), false, true).is_err());
        assert!(
            ContentMatcher::new("(a{1000}){1000}", true, true).is_err(),
            "size limit"
        );
    }

    #[test]
    fn long_lines_are_cut() {
        let line = "x".repeat(1000);
        let hits = lines_of(&ContentMatcher::new("x", false, true).unwrap(), &line, 1);
        assert_eq!(hits[0].1.chars().count(), MAX_LINE_CHARS + 1);
    }

    proptest! {
        #[test]
        fn any_glob_translates_or_errors(pattern in ".{0,40}") {
            if let Ok(regex) = glob_to_regex(&pattern) {
                let _ = RegexBuilder::new(&regex).size_limit(1 << 20).build();
            }
        }

        #[test]
        fn a_glob_without_wildcards_matches_only_itself(name in "[a-zA-Z0-9._+()$^-]{1,20}") {
            let regex = glob(&name);
            prop_assert!(regex.is_match(&name));
            let other = format!("{name}x");
            prop_assert!(!regex.is_match(&other));
        }
    }
}
