//! The prompts server and an rmcp client in one process over `tokio::io::duplex`: the
//! prompt list (a golden snapshot), filling templates in, the user's own templates arriving
//! live from the host's library, and the settings resource.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::sync::{Arc, Mutex};

use rmcp::{
    RoleClient, ServiceExt,
    model::{GetPromptRequestParams, ReadResourceRequestParams, Role},
    service::RunningService,
};
use serde_json::{Value, json};
use server_prompts::{Library, PromptsServer, SETTINGS_URI, Template};

/// A host library whose templates the test changes while a session is open.
#[derive(Default)]
struct TestLibrary {
    templates: Mutex<Vec<Template>>,
}

impl Library for TestLibrary {
    fn user_templates(&self) -> Vec<Template> {
        self.templates.lock().unwrap().clone()
    }

    fn settings(&self) -> Value {
        json!({"settings": {"log_retention_days": 30}, "servers": [{"id": "github", "secrets": ["GITHUB_TOKEN"]}]})
    }
}

async fn connect(library: Arc<TestLibrary>) -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = PromptsServer::new(library).serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

fn args(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments are an object, not {other}"),
    }
}

#[tokio::test]
async fn prompts_list_matches_the_golden_snapshot() {
    let client = connect(Arc::default()).await;
    let prompts = client.list_all_prompts().await.unwrap();
    insta::assert_json_snapshot!("prompts_list", prompts);
}

#[tokio::test]
async fn a_builtin_template_is_filled_in_as_several_turns() {
    let client = connect(Arc::default()).await;
    let result = client
        .get_prompt(
            GetPromptRequestParams::new("code_review")
                .with_arguments(args(json!({"code": "fn main() {}", "language": "Rust"}))),
        )
        .await
        .unwrap();
    let roles: Vec<Role> = result.messages.iter().map(|m| m.role.clone()).collect();
    assert_eq!(
        roles,
        [Role::User, Role::Assistant, Role::User],
        "multi-turn"
    );
    let first = serde_json::to_value(&result.messages[0].content).unwrap();
    let text = first["text"].as_str().unwrap();
    assert!(text.contains("following Rust code"), "{text}");
    assert!(text.contains("fn main() {}"), "{text}");
    assert!(
        !text.contains("attention to"),
        "no focus given, so no focus sentence: {text}"
    );
}

#[tokio::test]
async fn a_missing_required_argument_is_a_clear_error() {
    let client = connect(Arc::default()).await;
    let error = client
        .get_prompt(GetPromptRequestParams::new("incident_postmortem"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("the argument \\\"incident\\\" is required")
            || error.contains("the argument \"incident\" is required"),
        "{error}"
    );
    let error = client
        .get_prompt(GetPromptRequestParams::new("nope"))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("api_design_review, code_review"), "{error}");
}

#[tokio::test]
async fn a_user_template_appears_on_the_next_list_and_can_replace_a_builtin() {
    let library = Arc::new(TestLibrary::default());
    let client = connect(library.clone()).await;
    assert_eq!(client.list_all_prompts().await.unwrap().len(), 3);

    let standup = Template::from_toml(
        "standup",
        r#"
            description = "Stand-up from notes"
            [[arguments]]
            name = "notes"
            required = true
            [[messages]]
            role = "user"
            text = "Stand-up please: {{notes}}"
        "#,
    )
    .unwrap();
    let mut review = standup.clone();
    review.name = "code_review".into();
    review.description = "My team's review".into();
    *library.templates.lock().unwrap() = vec![standup, review];

    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "api_design_review",
            "code_review",
            "incident_postmortem",
            "standup"
        ]
    );
    let replaced = prompts.iter().find(|p| p.name == "code_review").unwrap();
    assert_eq!(replaced.description.as_deref(), Some("My team's review"));
    let result = client
        .get_prompt(
            GetPromptRequestParams::new("standup")
                .with_arguments(args(json!({"notes": "fixed the build"}))),
        )
        .await
        .unwrap();
    let text = serde_json::to_value(&result.messages[0].content).unwrap();
    assert_eq!(text["text"], "Stand-up please: fixed the build");
}

#[tokio::test]
async fn the_settings_resource_is_read_only_json() {
    let client = connect(Arc::new(TestLibrary::default())).await;
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].uri, SETTINGS_URI);
    let read = client
        .read_resource(ReadResourceRequestParams::new(SETTINGS_URI))
        .await
        .unwrap();
    let contents = serde_json::to_value(&read.contents[0]).unwrap();
    assert_eq!(contents["mimeType"], "application/json");
    let settings: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    assert_eq!(settings["settings"]["log_retention_days"], 30);
    let missing = client
        .read_resource(ReadResourceRequestParams::new(
            "config://switchboard/secrets",
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("has only config://switchboard/settings"),
        "{missing}"
    );
}
