//! Prompt templates: what a template is, how one is checked, and how it is filled in.
//!
//! The language is deliberately tiny: `{{name}}` is replaced by the argument's value, and
//! `{{#name}}…{{/name}}` keeps its text only when the argument was given and is not empty.
//! Nothing else is interpreted, so a value can never inject template syntax: values are
//! inserted after parsing. A template is checked when it is made (every placeholder names
//! a declared argument, sections balance), so filling one in fails only on the caller's
//! arguments.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The longest template text (all messages together), in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// The longest value of one argument, in bytes.
pub const MAX_ARGUMENT_BYTES: usize = 256 * 1024;
/// The most arguments and messages a template may declare.
pub const MAX_PARTS: usize = 32;

/// Who says a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    User,
    Assistant,
}

/// An argument a template takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateArgument {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub required: bool,
}

/// One message of a template, with placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMessage {
    pub role: Speaker,
    pub text: String,
}

/// A prompt template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub arguments: Vec<TemplateArgument>,
    pub messages: Vec<TemplateMessage>,
}

/// A template that cannot be used, or arguments that do not fit it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("\"{0}\" is not a valid name: use 1 to 64 letters, digits, '_' or '-' (no spaces)")]
    InvalidName(String),
    #[error("the template has no messages; add at least one [[messages]] with a role and text")]
    NoMessages,
    #[error("the template is too large ({0} bytes; at most {MAX_TEMPLATE_BYTES})")]
    TooLarge(usize),
    #[error("the template declares too many arguments or messages (at most {MAX_PARTS} each)")]
    TooManyParts,
    #[error("the argument \"{0}\" is declared twice")]
    DuplicateArgument(String),
    #[error(
        "message {message} uses {{{{{name}}}}}, but the template declares no argument \"{name}\"; declared: {declared}"
    )]
    UndeclaredPlaceholder {
        message: usize,
        name: String,
        declared: String,
    },
    #[error("message {message} has {problem}")]
    Syntax { message: usize, problem: String },
    #[error("not a valid template file: {0}")]
    Parse(String),
    #[error("the argument \"{name}\" is required: {description}")]
    MissingArgument { name: String, description: String },
    #[error("the prompt \"{prompt}\" has no argument \"{name}\"; its arguments are: {known}")]
    UnknownArgument {
        prompt: String,
        name: String,
        known: String,
    },
    #[error("the argument \"{0}\" is too long (at most {MAX_ARGUMENT_BYTES} bytes)")]
    ArgumentTooLong(String),
}

/// A piece of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Value(&'a str),
    Open(&'a str),
    Close(&'a str),
}

/// Splits a message into pieces; checks that every `{{` closes and sections balance.
fn parse(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut open: Vec<&str> = Vec::new();
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "a '{{' that is never closed with '}}'".to_owned())?;
        let inner = after[..end].trim();
        let (piece, name) = if let Some(name) = inner.strip_prefix('#') {
            (Piece::Open(name.trim()), name.trim())
        } else if let Some(name) = inner.strip_prefix('/') {
            (Piece::Close(name.trim()), name.trim())
        } else {
            (Piece::Value(inner), inner)
        };
        if !valid_name(name) {
            return Err(format!(
                "a placeholder {{{{{inner}}}}} that is not an argument name"
            ));
        }
        match piece {
            Piece::Open(name) => {
                if open.contains(&name) {
                    return Err(format!("a section {{{{#{name}}}}} inside itself"));
                }
                open.push(name);
            }
            Piece::Close(name) if open.pop() != Some(name) => {
                return Err(format!("a {{{{/{name}}}}} that closes no open section"));
            }
            _ => {}
        }
        pieces.push(piece);
        rest = &after[end + 2..];
    }
    if let Some(name) = open.pop() {
        return Err(format!("a section {{{{#{name}}}}} that is never closed"));
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// Names of prompts and arguments: what every MCP client accepts.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Template {
    /// Reads a template from TOML (the format users write), naming it `name` unless the
    /// file gives a `name`. The result is checked.
    pub fn from_toml(name: &str, text: &str) -> Result<Self, TemplateError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            name: Option<String>,
            title: Option<String>,
            #[serde(default)]
            description: String,
            #[serde(default)]
            arguments: Vec<TemplateArgument>,
            #[serde(default)]
            messages: Vec<TemplateMessage>,
        }
        if text.len() > MAX_TEMPLATE_BYTES * 2 {
            return Err(TemplateError::TooLarge(text.len()));
        }
        let file: File = toml::from_str(text).map_err(|e| TemplateError::Parse(e.to_string()))?;
        let template = Self {
            name: file.name.unwrap_or_else(|| name.to_owned()),
            title: file.title,
            description: file.description,
            arguments: file.arguments,
            messages: file.messages,
        };
        template.check()?;
        Ok(template)
    }

    /// Checks that the template can be used: valid names, no duplicates, every placeholder
    /// declared, sections balanced, within the size limits.
    pub fn check(&self) -> Result<(), TemplateError> {
        if !valid_name(&self.name) {
            return Err(TemplateError::InvalidName(self.name.clone()));
        }
        if self.messages.is_empty() {
            return Err(TemplateError::NoMessages);
        }
        if self.messages.len() > MAX_PARTS || self.arguments.len() > MAX_PARTS {
            return Err(TemplateError::TooManyParts);
        }
        let size: usize =
            self.messages.iter().map(|m| m.text.len()).sum::<usize>() + self.description.len();
        if size > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLarge(size));
        }
        for (i, argument) in self.arguments.iter().enumerate() {
            if !valid_name(&argument.name) {
                return Err(TemplateError::InvalidName(argument.name.clone()));
            }
            if self.arguments[..i].iter().any(|a| a.name == argument.name) {
                return Err(TemplateError::DuplicateArgument(argument.name.clone()));
            }
        }
        for (index, message) in self.messages.iter().enumerate() {
            let pieces = parse(&message.text).map_err(|problem| TemplateError::Syntax {
                message: index + 1,
                problem,
            })?;
            for piece in pieces {
                let name = match piece {
                    Piece::Value(name) | Piece::Open(name) | Piece::Close(name) => name,
                    Piece::Text(_) => continue,
                };
                if !self.arguments.iter().any(|a| a.name == name) {
                    return Err(TemplateError::UndeclaredPlaceholder {
                        message: index + 1,
                        name: name.to_owned(),
                        declared: self.argument_names(),
                    });
                }
            }
        }
        Ok(())
    }

    fn argument_names(&self) -> String {
        if self.arguments.is_empty() {
            return "none".to_owned();
        }
        self.arguments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Fills the template in with `arguments` (strings; other JSON values are used as
    /// their JSON text). Returns each message's speaker and text.
    pub fn render(
        &self,
        arguments: &Map<String, Value>,
    ) -> Result<Vec<(Speaker, String)>, TemplateError> {
        let mut values: Vec<(&str, String)> = Vec::new();
        for (name, value) in arguments {
            if !self.arguments.iter().any(|a| &a.name == name) {
                return Err(TemplateError::UnknownArgument {
                    prompt: self.name.clone(),
                    name: name.clone(),
                    known: self.argument_names(),
                });
            }
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            if text.len() > MAX_ARGUMENT_BYTES {
                return Err(TemplateError::ArgumentTooLong(name.clone()));
            }
            values.push((name.as_str(), text));
        }
        for argument in &self.arguments {
            let given = values
                .iter()
                .any(|(name, text)| *name == argument.name && !text.trim().is_empty());
            if argument.required && !given {
                return Err(TemplateError::MissingArgument {
                    name: argument.name.clone(),
                    description: argument.description.clone(),
                });
            }
        }
        let value_of = |name: &str| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, text)| text.as_str())
        };
        let mut messages = Vec::with_capacity(self.messages.len());
        for (index, message) in self.messages.iter().enumerate() {
            let pieces = parse(&message.text).map_err(|problem| TemplateError::Syntax {
                message: index + 1,
                problem,
            })?;
            let mut text = String::with_capacity(message.text.len());
            // Depth of sections being skipped because their argument is empty.
            let mut skipping: Option<&str> = None;
            for piece in pieces {
                match (piece, skipping) {
                    (Piece::Close(name), Some(skipped)) if name == skipped => skipping = None,
                    (_, Some(_)) => {}
                    (Piece::Text(part), None) => text.push_str(part),
                    (Piece::Value(name), None) => text.push_str(value_of(name)),
                    (Piece::Open(name), None) => {
                        if value_of(name).trim().is_empty() {
                            skipping = Some(name);
                        }
                    }
                    (Piece::Close(_), None) => {}
                }
            }
            let text = tidy(&text);
            if !text.is_empty() {
                messages.push((message.role, text));
            }
        }
        Ok(messages)
    }
}

/// Trims the message and folds runs of three or more newlines (left by skipped sections)
/// into one blank line.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.trim().chars() {
        if c == '\n' {
            newlines += 1;
            if newlines <= 2 {
                out.push(c);
            }
        } else {
            newlines = 0;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(text: &str, arguments: &[(&str, bool)]) -> Template {
        Template {
            name: "t".into(),
            title: None,
            description: "a test".into(),
            arguments: arguments
                .iter()
                .map(|(name, required)| TemplateArgument {
                    name: (*name).into(),
                    description: format!("the {name}"),
                    required: *required,
                })
                .collect(),
            messages: vec![TemplateMessage {
                role: Speaker::User,
                text: text.into(),
            }],
        }
    }

    fn render(t: &Template, args: &Value) -> Result<String, TemplateError> {
        let map = args.as_object().cloned().unwrap_or_default();
        t.render(&map).map(|m| m[0].1.clone())
    }

    #[test]
    fn values_are_inserted_and_never_interpreted() {
        let t = template("Review {{code}} please", &[("code", true)]);
        t.check().unwrap();
        assert_eq!(
            render(&t, &json!({"code": "{{code}} {{#x}}"})).unwrap(),
            "Review {{code}} {{#x}} please"
        );
    }

    #[test]
    fn sections_appear_only_with_their_argument() {
        let t = template(
            "Look at this.\n\n{{#focus}}Focus on {{focus}}.\n\n{{/focus}}\n\nThanks.",
            &[("focus", false)],
        );
        t.check().unwrap();
        assert_eq!(
            render(&t, &json!({})).unwrap(),
            "Look at this.\n\nThanks.",
            "an absent optional argument drops its section"
        );
        assert_eq!(
            render(&t, &json!({"focus": "speed"})).unwrap(),
            "Look at this.\n\nFocus on speed.\n\nThanks."
        );
    }

    #[test]
    fn a_missing_required_argument_is_named_with_its_description() {
        let t = template("{{code}}", &[("code", true)]);
        let error = render(&t, &json!({"code": "  "})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the argument \"code\" is required: the code"
        );
    }

    #[test]
    fn an_unknown_argument_lists_the_known_ones() {
        let t = template("{{code}}", &[("code", false), ("language", false)]);
        let error = render(&t, &json!({"langauge": "rust"})).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("its arguments are: code, language"),
            "{error}"
        );
    }

    #[test]
    fn broken_templates_are_refused_when_made() {
        let cases = [
            ("{{code", "never closed"),
            ("{{#code}}x", "never closed"),
            ("{{/code}}", "closes no open section"),
            ("{{#code}}{{#code}}{{/code}}{{/code}}", "inside itself"),
            ("{{other}}", "declares no argument \"other\""),
            ("{{two words}}", "not an argument name"),
        ];
        for (text, expected) in cases {
            let error = template(text, &[("code", false)]).check().unwrap_err();
            assert!(error.to_string().contains(expected), "{text}: {error}");
        }
        let mut t = template("x", &[]);
        t.name = "has space".into();
        assert!(matches!(t.check(), Err(TemplateError::InvalidName(_))));
    }

    #[test]
    fn a_toml_file_becomes_a_checked_template() {
        let text = r#"
            title = "Stand-up"
            description = "Turns notes into a stand-up update"

            [[arguments]]
            name = "notes"
            description = "What happened yesterday"
            required = true

            [[messages]]
            role = "user"
            text = "Write my stand-up from: {{notes}}"

            [[messages]]
            role = "assistant"
            text = "Here is a draft."
        "#;
        let t = Template::from_toml("standup", text).unwrap();
        assert_eq!(t.name, "standup");
        assert_eq!(t.messages.len(), 2);
        let rendered = t
            .render(json!({"notes": "shipped"}).as_object().unwrap())
            .unwrap();
        assert_eq!(
            rendered[0],
            (Speaker::User, "Write my stand-up from: shipped".into())
        );
        let error = Template::from_toml("x", "messages = 3").unwrap_err();
        assert!(matches!(error, TemplateError::Parse(_)), "{error}");
        let error = Template::from_toml("x", "bogus = 1").unwrap_err();
        assert!(error.to_string().contains("unknown field"), "{error}");
    }

    proptest::proptest! {
        #[test]
        fn any_value_renders_verbatim(value in ".{0,200}") {
            let t = template("<{{v}}>", &[("v", false)]);
            let out = render(&t, &json!({"v": value})).unwrap();
            let expected = tidy(&format!("<{value}>"));
            proptest::prop_assert_eq!(out, expected);
        }

        #[test]
        fn any_text_either_checks_or_is_refused_without_panic(text in ".{0,100}") {
            let t = template(&text, &[("a", false)]);
            if t.check().is_ok() {
                let _ = t.render(json!({"a": "x"}).as_object().unwrap());
            }
        }
    }
}
