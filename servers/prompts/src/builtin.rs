//! The templates every Switchboard has: code review, incident postmortem and API design
//! review. Each is ordinary template data, checked by the same rules as a user's.

use crate::template::{Speaker, Template, TemplateArgument, TemplateMessage};

fn argument(name: &str, description: &str, required: bool) -> TemplateArgument {
    TemplateArgument {
        name: name.into(),
        description: description.into(),
        required,
    }
}

fn message(role: Speaker, text: &str) -> TemplateMessage {
    TemplateMessage {
        role,
        text: text.into(),
    }
}

/// The built-in templates.
pub fn templates() -> Vec<Template> {
    vec![code_review(), incident_postmortem(), api_design_review()]
}

fn code_review() -> Template {
    Template {
        name: "code_review".into(),
        title: Some("Code review".into()),
        description: "A careful review of a piece of code: correctness first, then \
                      security, performance and readability, with concrete fixes."
            .into(),
        arguments: vec![
            argument("code", "The code to review (a diff or whole files).", true),
            argument(
                "language",
                "The programming language, such as Rust or TypeScript.",
                false,
            ),
            argument(
                "focus",
                "What to look at hardest, such as security, performance, error handling or \
                 tests.",
                false,
            ),
        ],
        messages: vec![
            message(
                Speaker::User,
                "Please review the following {{#language}}{{language}} {{/language}}code as an \
                 experienced reviewer would.\n\n\
                 {{#focus}}Pay particular attention to {{focus}}.\n\n{{/focus}}\
                 ```\n{{code}}\n```",
            ),
            message(
                Speaker::Assistant,
                "I will review it in this order: bugs and incorrect behaviour, security \
                 problems, performance, then readability and tests. For each finding I will \
                 quote the line, say why it matters and propose a fix.",
            ),
            message(
                Speaker::User,
                "Go ahead. Rank the findings by severity (blocker, major, minor, nit), and end \
                 with a one-paragraph verdict: would you approve this change as it is?",
            ),
        ],
    }
}

fn incident_postmortem() -> Template {
    Template {
        name: "incident_postmortem".into(),
        title: Some("Incident postmortem".into()),
        description: "A blameless postmortem from the facts of an incident: summary, \
                      timeline, impact, root cause, what went well, and action items."
            .into(),
        arguments: vec![
            argument(
                "incident",
                "What happened, in a few sentences: what broke and how it was noticed.",
                true,
            ),
            argument(
                "timeline",
                "Timestamped events, from first signal to resolution.",
                false,
            ),
            argument(
                "impact",
                "Who or what was affected, for how long, and how badly.",
                false,
            ),
            argument("service", "The service or system involved.", false),
        ],
        messages: vec![
            message(
                Speaker::User,
                "Write a blameless postmortem{{#service}} for an incident in {{service}}\
                 {{/service}}.\n\nWhat happened:\n{{incident}}\n\n\
                 {{#timeline}}Timeline:\n{{timeline}}\n\n{{/timeline}}\
                 {{#impact}}Impact:\n{{impact}}\n\n{{/impact}}",
            ),
            message(
                Speaker::Assistant,
                "I will structure it as: Summary, Impact, Timeline, Root cause (asking \"why\" \
                 until the cause is systemic, not personal), Contributing factors, What went \
                 well, What went poorly, and Action items. Where the facts are missing I will \
                 mark the gap instead of guessing.",
            ),
            message(
                Speaker::User,
                "Yes. Make every action item specific and checkable, with a suggested owner \
                 role and a priority, and keep the tone blameless throughout.",
            ),
        ],
    }
}

fn api_design_review() -> Template {
    Template {
        name: "api_design_review".into(),
        title: Some("API design review".into()),
        description: "A review of an API design (REST, GraphQL, gRPC or a library \
                      interface): consistency, naming, errors, versioning and how it will age."
            .into(),
        arguments: vec![
            argument(
                "api",
                "The API to review: an OpenAPI document, a schema, endpoint list or function \
                 signatures.",
                true,
            ),
            argument(
                "context",
                "Who uses it and for what, and any constraints.",
                false,
            ),
            argument(
                "style",
                "The style it should follow, such as REST, GraphQL, gRPC or a named style \
                 guide.",
                false,
            ),
        ],
        messages: vec![
            message(
                Speaker::User,
                "Review this API design{{#style}} against {{style}} conventions{{/style}}.\n\n\
                 {{#context}}Context: {{context}}\n\n{{/context}}```\n{{api}}\n```",
            ),
            message(
                Speaker::Assistant,
                "I will look at resource and method naming, consistency across endpoints, \
                 request and response shapes, error model, pagination and filtering, \
                 idempotency, authentication, versioning and backward compatibility, and what \
                 will be hard to change later.",
            ),
            message(
                Speaker::User,
                "Go ahead. For each problem show the current shape and the shape you would \
                 propose, and finish with the three changes that matter most.",
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_passes_the_rules_users_follow() {
        for template in templates() {
            template
                .check()
                .unwrap_or_else(|e| panic!("{}: {e}", template.name));
            assert!(
                template.messages.len() >= 2,
                "{} is multi-turn",
                template.name
            );
        }
    }
}
