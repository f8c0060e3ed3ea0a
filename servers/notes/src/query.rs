//! The search language a model types and its translation into an FTS5 `MATCH` expression.
//!
//! Owns the rule that no user text can make FTS5 fail: every word and phrase is quoted as an
//! FTS5 string, so FTS5 operators, column filters and punctuation in user text are only
//! ever text. What the language offers on top: "quoted phrases", prefix* words, OR between
//! words and -word to exclude. Pure: no SQL is run here.

/// Longest query accepted, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 1_000;
/// Most words and phrases in one query.
pub(crate) const MAX_QUERY_TERMS: usize = 32;
/// A prefix shorter than this (in letters or digits) is searched as a whole word: a one-letter
/// prefix matches most of the index and is never what was meant.
const MIN_PREFIX_CHARS: usize = 2;

/// A query ready for FTS5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FtsQuery {
    /// Every word (or OR group) must match.
    pub all: String,
    /// Any word may match; `None` when the query has a single group, so it equals `all`.
    pub any: Option<String>,
    /// Each word or phrase of the query as an FTS5 string, in order (excluded ones apart).
    pub terms: Vec<String>,
    /// The `NOT ...` part that every expression ends with.
    exclusions: String,
}

impl FtsQuery {
    /// An expression that matches any of `terms` (a subset of [`FtsQuery::terms`]), still
    /// without the excluded words.
    pub(crate) fn any_of(&self, terms: &[&str]) -> String {
        format!("({}){}", terms.join(" OR "), self.exclusions)
    }
}

/// Why a query cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "The query has no words to search for. Give one or more words, a \"quoted phrase\" or a prefix such as confi*."
    )]
    NoWords,
    #[error(
        "The query is {0} characters long; the limit is {MAX_QUERY_CHARS}. Use a few distinctive words."
    )]
    TooLong(usize),
    #[error(
        "The query has {0} words; the limit is {MAX_QUERY_TERMS}. Use a few distinctive words."
    )]
    TooManyTerms(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Term { fts: String, negated: bool },
    Or,
}

/// Translates what a model typed into FTS5 syntax.
///
/// - words are matched as words (stemmed: "configure" also finds "configuration");
/// - `"two words"` is a phrase; a `*` right after a word or a closing quote makes a prefix;
/// - `OR` (upper case) between two words or phrases makes either one enough;
/// - `-word` or `-"a phrase"` excludes notes containing it (when something else is asked);
/// - every other character is text, never syntax.
pub(crate) fn parse(text: &str) -> Result<FtsQuery, QueryError> {
    let length = text.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(length));
    }
    let tokens = tokenize(text);
    let term_count = tokens
        .iter()
        .filter(|t| matches!(t, Token::Term { .. }))
        .count();
    if term_count > MAX_QUERY_TERMS {
        return Err(QueryError::TooManyTerms(term_count));
    }
    // Groups of positive terms joined by OR; negated terms apart.
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut negated: Vec<String> = Vec::new();
    let mut join_next = false;
    for token in tokens {
        match token {
            Token::Or => join_next = !groups.is_empty(),
            Token::Term { fts, negated: true } => {
                negated.push(fts);
                join_next = false;
            }
            Token::Term {
                fts,
                negated: false,
            } => {
                match groups.last_mut() {
                    Some(group) if join_next => group.push(fts),
                    _ => groups.push(vec![fts]),
                }
                join_next = false;
            }
        }
    }
    if groups.is_empty() {
        return Err(QueryError::NoWords);
    }
    let exclusions: String = negated.iter().map(|n| format!(" NOT {n}")).collect();
    let group_text = |group: &Vec<String>| {
        if group.len() == 1 {
            group[0].clone()
        } else {
            format!("({})", group.join(" OR "))
        }
    };
    let all_terms = groups
        .iter()
        .map(group_text)
        .collect::<Vec<_>>()
        .join(" AND ");
    let all = format!("({all_terms}){exclusions}");
    let terms: Vec<String> = groups.iter().flatten().cloned().collect();
    let any = (groups.len() > 1).then(|| format!("({}){exclusions}", terms.join(" OR ")));
    Ok(FtsQuery {
        all,
        any,
        terms,
        exclusions,
    })
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-' && {
            chars.next();
            matches!(chars.peek(), Some(next) if !next.is_whitespace())
        };
        if c == '-' && !negated {
            continue;
        }
        let (raw, phrase) = if chars.peek() == Some(&'"') {
            chars.next();
            let mut raw = String::new();
            for next in chars.by_ref() {
                if next == '"' {
                    break;
                }
                raw.push(next);
            }
            (raw, true)
        } else {
            let mut raw = String::new();
            while let Some(&next) = chars.peek() {
                if next.is_whitespace() || next == '"' {
                    break;
                }
                raw.push(next);
                chars.next();
            }
            (raw, false)
        };
        let mut prefix = false;
        let raw = if phrase {
            if chars.peek() == Some(&'*') {
                prefix = true;
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
            }
            raw
        } else {
            if raw == "OR" && !negated {
                tokens.push(Token::Or);
                continue;
            }
            let trimmed = raw.trim_end_matches('*');
            prefix = trimmed.len() < raw.len();
            trimmed.to_owned()
        };
        if let Some(fts) = fts_string(&raw, prefix) {
            tokens.push(Token::Term { fts, negated });
        }
    }
    tokens
}

/// Quotes text as an FTS5 string (a phrase), with `*` when it is a prefix. `None` when the
/// text holds nothing the tokenizer would index (no letters or digits).
fn fts_string(raw: &str, prefix: bool) -> Option<String> {
    if !raw.chars().any(char::is_alphanumeric) {
        return None;
    }
    let last_word_length = raw
        .chars()
        .rev()
        .skip_while(|c| !c.is_alphanumeric())
        .take_while(|c| c.is_alphanumeric())
        .count();
    let prefix = prefix && last_word_length >= MIN_PREFIX_CHARS;
    let quoted = raw.replace('"', "\"\"");
    Some(if prefix {
        format!("\"{quoted}\"*")
    } else {
        format!("\"{quoted}\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> String {
        parse(text).unwrap().all
    }

    #[test]
    fn words_are_quoted_and_all_required() {
        let query = parse("backup schedule").unwrap();
        assert_eq!(query.all, "(\"backup\" AND \"schedule\")");
        assert_eq!(query.any.as_deref(), Some("(\"backup\" OR \"schedule\")"));
        assert_eq!(parse("single").unwrap().any, None);
        assert_eq!(query.terms, vec!["\"backup\"", "\"schedule\""]);
        let narrowed = parse("backup the -old").unwrap();
        assert_eq!(narrowed.any_of(&["\"backup\""]), "(\"backup\") NOT \"old\"");
    }

    #[test]
    fn phrases_and_prefixes_are_kept() {
        assert_eq!(
            all("\"release notes\" confi*"),
            "(\"release notes\" AND \"confi\"*)"
        );
        assert_eq!(all("\"release no\"*"), "(\"release no\"*)");
        assert_eq!(all("a*"), "(\"a\")", "a one-letter prefix is a word");
    }

    #[test]
    fn or_joins_neighbours_and_minus_excludes() {
        assert_eq!(
            all("cat OR dog food"),
            "((\"cat\" OR \"dog\") AND \"food\")"
        );
        assert_eq!(
            all("rust -\"borrow checker\" -unsafe"),
            "(\"rust\") NOT \"borrow checker\" NOT \"unsafe\""
        );
        assert_eq!(all("OR cat OR"), "(\"cat\")", "a dangling OR is ignored");
        assert_eq!(all("a - b"), "(\"a\" AND \"b\")", "a lone minus is ignored");
    }

    #[test]
    fn fts_syntax_in_user_text_is_only_text() {
        assert_eq!(
            all("title:secret NEAR(a b)"),
            "(\"title:secret\" AND \"NEAR(a\" AND \"b)\")"
        );
        assert_eq!(all("AND NOT"), "(\"AND\" AND \"NOT\")");
        assert_eq!(
            all("say \"hi"),
            "(\"say\" AND \"hi\")",
            "an unclosed quote ends the text"
        );
        assert_eq!(all("x\"\"y"), "(\"x\" AND \"y\")");
    }

    #[test]
    fn queries_without_words_are_refused_with_a_hint() {
        for text in ["", "   ", "***", "\"\"", "-secret", "!!! ???", "OR"] {
            assert_eq!(parse(text), Err(QueryError::NoWords), "{text:?}");
        }
        assert!(parse("no words").is_ok());
    }

    #[test]
    fn oversized_queries_are_refused() {
        assert_eq!(parse(&"a".repeat(1001)), Err(QueryError::TooLong(1001)));
        assert_eq!(parse(&"w ".repeat(33)), Err(QueryError::TooManyTerms(33)));
    }
}
