//! `{placeholder}` templates as `server.json` writes them (`--token={token}`,
//! `https://{tenant}.example.com/mcp`): finding the names in a template and filling them.
//!
//! Owns: the template syntax, as pure functions. Must not: know where values come from.
//! A name that has no value is left exactly as written, as the schema asks.

/// The placeholder names in `template`, in order of first appearance, each once.
pub fn names(template: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for piece in pieces(template) {
        if let Piece::Name(name) = piece
            && !found.contains(&name)
        {
            found.push(name);
        }
    }
    found
}

/// `template` with every placeholder that `value` knows replaced, and the names it did
/// not know (left as written).
pub fn fill<'t, 'v>(
    template: &'t str,
    mut value: impl FnMut(&str) -> Option<&'v str>,
) -> Filled<'t> {
    let mut text = String::with_capacity(template.len());
    let mut unresolved = Vec::new();
    for piece in pieces(template) {
        match piece {
            Piece::Text(literal) => text.push_str(literal),
            Piece::Name(name) => match value(name) {
                Some(found) => text.push_str(found),
                None => {
                    text.push('{');
                    text.push_str(name);
                    text.push('}');
                    if !unresolved.contains(&name) {
                        unresolved.push(name);
                    }
                }
            },
        }
    }
    Filled { text, unresolved }
}

/// A filled template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled<'t> {
    pub text: String,
    /// Names that had no value.
    pub unresolved: Vec<&'t str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'t> {
    Text(&'t str),
    Name(&'t str),
}

/// Whether `name` is a placeholder name: a letter or `_`, then letters, digits, `_`, `-`
/// or `.` (what registry documents use). Anything else in braces is literal text.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['{', '}']) {
            Some(close) if after.as_bytes()[close] == b'}' && is_name(&after[..close]) => {
                if open > 0 {
                    out.push(Piece::Text(&rest[..open]));
                }
                out.push(Piece::Name(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                // Not a placeholder: keep the brace as text and look further on.
                out.push(Piece::Text(&rest[..=open]));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_are_found_once_in_order() {
        assert_eq!(
            names("{b}-{a}/{b}?x={c.d}"),
            vec!["b", "a", "c.d"],
            "each name once, first appearance first"
        );
        assert_eq!(names("no placeholders"), Vec::<&str>::new());
        assert_eq!(
            names("{}{ x }{1a}{ok}"),
            vec!["ok"],
            "only valid names count"
        );
    }

    #[test]
    fn known_names_are_filled_and_unknown_ones_kept() {
        let filled = fill("GITHUB_TOKEN={token} --org={org}", |name| {
            (name == "token").then_some("abc")
        });
        assert_eq!(filled.text, "GITHUB_TOKEN=abc --org={org}");
        assert_eq!(filled.unresolved, vec!["org"]);
    }

    #[test]
    fn braces_that_are_not_placeholders_stay_literal() {
        let filled = fill("{\"a\": {x}} {", |_| Some("1"));
        assert_eq!(filled.text, "{\"a\": 1} {");
        assert!(filled.unresolved.is_empty());
    }

    proptest! {
        #[test]
        fn filling_nothing_gives_the_template_back(template in ".{0,64}") {
            let filled = fill(&template, |_| None);
            prop_assert_eq!(filled.text, template.clone());
            prop_assert_eq!(filled.unresolved.len(), names(&template).len());
        }

        #[test]
        fn filled_values_appear_verbatim(value in "[^{}]{0,16}", prefix in "[a-z =/]{0,8}") {
            let template = format!("{prefix}{{name}}{prefix}");
            let filled = fill(&template, |_| Some(value.as_str()));
            prop_assert_eq!(filled.text, format!("{prefix}{value}{prefix}"));
        }
    }
}
