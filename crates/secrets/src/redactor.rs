//! [`Redactor`]: replaces every known secret value, in every form listed in
//! [`forms`](self::forms), with `<redacted>` before text is stored: call records, captured
//! stderr, log lines.
//!
//! Owns: the set of values to hide (grouped by source, usually a server id), the matcher
//! built from them (Aho–Corasick, leftmost-longest), and swapping it for every clone at
//! once when secrets change. Must not: log or expose a value, or match values so short
//! that ordinary text would be mangled.
//!
//! Values shorter than [`MIN_SECRET_CHARS`] characters are not matched: a short value
//! (a port, a word, `true`) also occurs in ordinary text, so replacing it would garble
//! logs and, by what it garbles, tell a reader the secret. [`RedactorSummary::too_short`]
//! counts them so the daemon can warn. Values that occur inside the marker `<redacted>`
//! itself are skipped for the same reason.
//!
//! Limits: text is matched as a whole, so redact whole lines (or whole records) before
//! cutting them; a value split across two separately redacted chunks is not found. The
//! matcher holds copies of the values in memory that are not zeroed when it is dropped
//! (the `aho-corasick` crate offers no way to); the values kept for rebuilding it are.

mod forms;

use std::{
    borrow::Cow,
    collections::BTreeMap,
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use aho_corasick::{AhoCorasick, MatchKind};
use arc_swap::ArcSwap;

use crate::{REDACTED, Sensitive};

/// Values shorter than this many characters are not redacted (see the module comment).
pub const MIN_SECRET_CHARS: usize = 6;

/// Replacement passes before giving up and redacting the whole text (a value can reappear
/// only when it straddles a marker, which takes a value containing `<` or `>`).
const MAX_PASSES: usize = 3;

/// What the current set of values turned into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedactorSummary {
    /// Values that are matched, in all their forms.
    pub values: usize,
    /// Patterns in the matcher (every form of every value).
    pub patterns: usize,
    /// Values too short to redact (or found inside the marker itself).
    pub too_short: usize,
}

/// The compiled matcher for one set of values.
struct Matcher {
    automaton: Option<AhoCorasick>,
    summary: RedactorSummary,
}

impl Matcher {
    fn empty() -> Self {
        Self {
            automaton: None,
            summary: RedactorSummary::default(),
        }
    }

    fn build<'a>(values: impl Iterator<Item = &'a Sensitive<String>>) -> Self {
        let mut summary = RedactorSummary::default();
        let mut patterns = Vec::new();
        for value in values {
            let text = value.expose();
            if text.chars().count() < MIN_SECRET_CHARS || REDACTED.contains(text.as_str()) {
                summary.too_short += 1;
                continue;
            }
            summary.values += 1;
            for form in forms::forms(text) {
                if !patterns.contains(&form) {
                    patterns.push(form);
                }
            }
        }
        summary.patterns = patterns.len();
        let automaton = if patterns.is_empty() {
            None
        } else {
            match AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(patterns.iter().map(|pattern| pattern.as_bytes()))
            {
                Ok(automaton) => Some(automaton),
                Err(error) => {
                    // Only a pattern set beyond the crate's size limits gets here.
                    tracing::error!(%error, "could not build the secret redactor");
                    None
                }
            }
        };
        Self { automaton, summary }
    }

    fn redact<'t>(&self, text: &'t [u8]) -> Cow<'t, [u8]> {
        let Some(automaton) = &self.automaton else {
            return Cow::Borrowed(text);
        };
        if !automaton.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut current = text.to_vec();
        for _ in 0..MAX_PASSES {
            let mut next = Vec::with_capacity(current.len());
            let replaced =
                automaton.try_replace_all_with_bytes(&current, &mut next, |_, _, dst| {
                    dst.extend_from_slice(REDACTED.as_bytes());
                    true
                });
            if replaced.is_err() {
                break;
            }
            if !automaton.is_match(next.as_slice()) {
                return Cow::Owned(next);
            }
            current = next;
        }
        Cow::Owned(REDACTED.as_bytes().to_vec())
    }
}

/// The values to hide, by source (a server id, or any name the caller picks).
type Sources = BTreeMap<String, Vec<Sensitive<String>>>;

struct Shared {
    matcher: ArcSwap<Matcher>,
    sources: Mutex<Sources>,
}

/// Replaces secret values in text with `<redacted>`. Cheap to clone: clones share the
/// matcher, and [`Redactor::set_source`] swaps it for all of them at once, without
/// blocking a `redact` in progress.
#[derive(Clone)]
pub struct Redactor {
    shared: Arc<Shared>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("summary", &self.summary())
            .finish()
    }
}

impl Redactor {
    /// A redactor that knows no secrets yet (it changes nothing).
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                matcher: ArcSwap::from_pointee(Matcher::empty()),
                sources: Mutex::new(Sources::new()),
            }),
        }
    }

    /// A redactor for one fixed set of values.
    pub fn with_values<'a>(values: impl IntoIterator<Item = &'a Sensitive<String>>) -> Self {
        let redactor = Self::new();
        redactor.set_source("", values);
        redactor
    }

    /// Sets the values of one source (usually a server id: its secrets, read at spawn),
    /// replacing that source's previous values, and rebuilds the matcher for every clone.
    pub fn set_source<'a>(
        &self,
        source: &str,
        values: impl IntoIterator<Item = &'a Sensitive<String>>,
    ) -> RedactorSummary {
        let mut sources = self
            .shared
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // A secret that is an address also hides the key inside it, on its own.
        let values: Vec<Sensitive<String>> = values
            .into_iter()
            .flat_map(|value| {
                let parts = crate::detect::url_secret_parts(value.expose());
                std::iter::once(value.clone()).chain(parts.into_iter().map(Sensitive::new))
            })
            .collect();
        if values.is_empty() {
            sources.remove(source);
        } else {
            sources.insert(source.to_owned(), values);
        }
        self.rebuild(&sources)
    }

    /// Forgets one source's values (a server removed, its secrets deleted).
    pub fn remove_source(&self, source: &str) -> RedactorSummary {
        let mut sources = self
            .shared
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sources.remove(source);
        self.rebuild(&sources)
    }

    fn rebuild(&self, sources: &Sources) -> RedactorSummary {
        let matcher = Matcher::build(sources.values().flatten());
        let summary = matcher.summary;
        self.shared.matcher.store(Arc::new(matcher));
        summary
    }

    /// What the current values turned into.
    pub fn summary(&self) -> RedactorSummary {
        self.shared.matcher.load().summary
    }

    /// `text` with every secret replaced; borrowed (no copy) when there was none.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.shared.matcher.load().redact(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Values and the marker are whole UTF-8 sequences, and a UTF-8 pattern only
            // matches UTF-8 text on character boundaries, so the result is UTF-8.
            Cow::Owned(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()),
            ),
        }
    }

    /// Bytes with every secret replaced (for output that may not be UTF-8).
    pub fn redact_bytes<'t>(&self, bytes: &'t [u8]) -> Cow<'t, [u8]> {
        self.shared.matcher.load().redact(bytes)
    }

    /// One line a server wrote to stderr, as text to keep: invalid UTF-8 replaced, the
    /// line ending dropped, every secret redacted. Redact before cutting a line short.
    pub fn redact_stderr_line(&self, line: &[u8]) -> String {
        let line = line
            .strip_suffix(b"\n")
            .map_or(line, |rest| rest.strip_suffix(b"\r").unwrap_or(rest));
        let text = String::from_utf8_lossy(line);
        self.redact(&text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use base64::{Engine, engine::general_purpose::STANDARD};
    use proptest::prelude::*;

    use super::*;

    fn redactor(values: &[&str]) -> Redactor {
        let values: Vec<Sensitive<String>> = values.iter().copied().map(Sensitive::from).collect();
        Redactor::with_values(&values)
    }

    #[test]
    fn every_occurrence_is_replaced() {
        let r = redactor(&["ghp_secret123"]);
        assert_eq!(
            r.redact("token=ghp_secret123 again ghp_secret123!"),
            "token=<redacted> again <redacted>!"
        );
    }

    #[test]
    fn text_without_secrets_is_borrowed_unchanged() {
        let r = redactor(&["ghp_secret123"]);
        let text = "nothing to see here";
        assert!(
            matches!(r.redact(text), Cow::Borrowed(_)),
            "no copy when clean"
        );
    }

    #[test]
    fn the_longest_overlapping_value_wins() {
        let r = redactor(&["abcdef", "abcdefghij"]);
        assert_eq!(
            r.redact("xabcdefghijx"),
            "x<redacted>x",
            "no tail of the longer value"
        );
    }

    #[test]
    fn short_values_are_not_matched_and_are_counted() {
        let r = redactor(&["12345", "true", "long-enough"]);
        let summary = r.summary();
        assert_eq!(summary.too_short, 2);
        assert_eq!(summary.values, 1);
        assert_eq!(r.redact("port 12345 is true"), "port 12345 is true");
    }

    #[test]
    fn values_inside_the_marker_are_skipped() {
        let r = redactor(&["redacted", "<redacted>"]);
        assert_eq!(r.summary().too_short, 2);
        assert_eq!(r.redact("the <redacted> marker"), "the <redacted> marker");
    }

    #[test]
    fn json_escaped_form_is_redacted() {
        let r = redactor(&["pa\"ss/wörd"]);
        let json = r#"{"password":"pa\"ss/wörd","python":"pa\"ss/w\u00f6rd"}"#;
        assert_eq!(
            r.redact(json),
            r#"{"password":"<redacted>","python":"<redacted>"}"#
        );
    }

    #[test]
    fn url_encoded_form_is_redacted() {
        let r = redactor(&["p@ss w/rd"]);
        assert_eq!(
            r.redact("GET /cb?key=p%40ss%20w%2Frd&form=p%40ss+w%2Frd"),
            "GET /cb?key=<redacted>&form=<redacted>"
        );
    }

    #[test]
    fn basic_auth_header_loses_the_secret() {
        let secret = "correct-horse-battery";
        let r = redactor(&[secret]);
        let header = format!(
            "Authorization: Basic {}",
            STANDARD.encode(format!("alice:{secret}"))
        );
        let redacted = r.redact(&header);
        assert!(
            redacted.contains(REDACTED),
            "header not redacted: {redacted}"
        );
        let kept = redacted.rsplit(REDACTED).next().unwrap_or_default();
        assert!(
            kept.len() <= 4,
            "only edge characters may remain: {redacted}"
        );
    }

    #[test]
    fn rust_debug_form_is_redacted() {
        let r = redactor(&["line1\nline2"]);
        let logged = format!("{:?}", "line1\nline2");
        assert_eq!(r.redact(&logged), "\"<redacted>\"");
    }

    #[test]
    fn a_value_straddling_the_marker_cannot_survive() {
        // A value built so that a naive single pass would leave it behind.
        let r = redactor(&["ted>QQ"]);
        let out = r.redact("xted>QQQQ");
        assert!(!out.contains("ted>QQ"), "{out}");
    }

    #[test]
    fn an_address_kept_as_a_secret_also_hides_the_key_inside_it() {
        let address =
            Sensitive::from("https://mcp.example.com/mcp?api_key=sk-live-424242".to_owned());
        let r = Redactor::with_values([&address]);
        assert_eq!(
            r.redact("the server said: bad key sk-live-424242"),
            format!("the server said: bad key {REDACTED}")
        );
    }

    #[test]
    fn clones_see_new_values_and_removed_sources() {
        let r = Redactor::new();
        let writer_side = r.clone();
        assert_eq!(writer_side.redact("tok-123456"), "tok-123456");
        r.set_source("github", &[Sensitive::from("tok-123456")]);
        assert_eq!(writer_side.redact("tok-123456"), REDACTED);
        r.set_source("slack", &[Sensitive::from("xoxb-99999")]);
        assert_eq!(
            writer_side.redact("tok-123456 xoxb-99999"),
            "<redacted> <redacted>"
        );
        r.remove_source("github");
        assert_eq!(
            writer_side.redact("tok-123456 xoxb-99999"),
            "tok-123456 <redacted>"
        );
    }

    #[test]
    fn stderr_lines_are_redacted_as_text() {
        let r = redactor(&["s3cr3t-token"]);
        assert_eq!(
            r.redact_stderr_line(b"auth s3cr3t-token failed \xff\r\n"),
            "auth <redacted> failed \u{fffd}"
        );
        assert_eq!(
            r.redact_bytes(b"\xffs3cr3t-token"),
            b"\xff<redacted>".as_slice()
        );
    }

    #[test]
    fn debug_shows_counts_not_values() {
        let r = redactor(&["super-secret-value"]);
        let shown = format!("{r:?}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(shown.contains("values: 1"), "{shown}");
    }

    proptest! {
        #[test]
        fn redacted_text_never_contains_a_secret(
            secrets in proptest::collection::vec("[ -~]{6,24}", 1..5),
            pieces in proptest::collection::vec(("[ -~]{0,12}", 0..5_usize), 0..12),
        ) {
            let r = Redactor::with_values(
                &secrets.iter().map(|s| Sensitive::from(s.as_str())).collect::<Vec<_>>(),
            );
            let mut text = String::new();
            for (filler, pick) in &pieces {
                text.push_str(filler);
                if let Some(secret) = secrets.get(*pick) {
                    text.push_str(secret);
                }
            }
            let out = r.redact(&text);
            for secret in &secrets {
                if REDACTED.contains(secret.as_str()) {
                    continue;
                }
                prop_assert!(!out.contains(secret.as_str()), "{secret:?} left in {out:?}");
            }
        }

        #[test]
        fn text_without_secrets_is_unchanged(
            secrets in proptest::collection::vec("[A-Z0-9_]{6,32}", 1..5),
            words in proptest::collection::vec("[a-z]{1,5}", 0..30),
        ) {
            let r = Redactor::with_values(
                &secrets.iter().map(|s| Sensitive::from(s.as_str())).collect::<Vec<_>>(),
            );
            // Lowercase words of at most five letters can hold no upper-case secret and no
            // base64 core (at least six characters).
            let text = words.join(" ");
            prop_assert_eq!(r.redact(&text), text.as_str());
        }

        #[test]
        fn base64_of_user_and_secret_never_decodes_to_the_secret(
            user in "[a-z]{0,10}",
            secret in "[!-~]{8,32}",
        ) {
            let r = Redactor::with_values(&[Sensitive::from(secret.as_str())]);
            let header = STANDARD.encode(format!("{user}:{secret}"));
            let out = r.redact(&header);
            prop_assert!(out.contains(REDACTED), "base64 not redacted: {header}");
        }
    }
}
