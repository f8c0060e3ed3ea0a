//! Install plans for each kind of entry, built from documents written in the tests.

use serde_json::{Value, json};

use super::*;
use crate::{
    entry::Origin,
    meta::{Access, EntryKind, META_KEY},
};

fn entry(document: &Value) -> CatalogEntry {
    CatalogEntry::from_json("test.json", &document.to_string(), Origin::Manual)
        .unwrap_or_else(|error| panic!("test document invalid: {error}"))
}

fn root(name: &str) -> String {
    if cfg!(windows) {
        format!("C:\\{name}")
    } else {
        format!("/{name}")
    }
}

fn npm_entry() -> CatalogEntry {
    entry(&json!({
        "name": "io.github.acme/tracker", "description": "Issues", "version": "2.0.0",
        "packages": [{
            "registryType": "npm", "identifier": "@acme/tracker-mcp", "version": "2.0.1",
            "transport": {"type": "stdio"},
            "packageArguments": [
                {"type": "positional", "valueHint": "folders", "isRepeated": true,
                 "isRequired": true, "format": "filepath"},
                {"type": "named", "name": "--read-only", "format": "boolean", "default": "false"},
                {"type": "named", "name": "--mode", "choices": ["fast", "safe"], "default": "safe"},
                {"type": "named", "name": "--label"}
            ],
            "environmentVariables": [
                {"name": "TRACKER_TOKEN", "isSecret": true, "isRequired": true,
                 "description": "Your tracker API token"},
                {"name": "TRACKER_URL", "default": "https://tracker.example.com"},
                {"name": "TRACKER_ORG"}
            ]
        }],
        "_meta": {META_KEY: {"id": "tracker",
            "folders": [{"input": "folders", "access": "read-write"}]}}
    }))
}

#[test]
fn an_npm_entry_asks_for_each_input_once_with_its_kind() {
    let entry = npm_entry();
    let form = settings(&entry, Via::Package(0)).expect("settings");
    let keys: Vec<&str> = form.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "folders",
            "--read-only",
            "--mode",
            "--label",
            "TRACKER_TOKEN",
            "TRACKER_URL",
            "TRACKER_ORG"
        ]
    );
    assert_eq!(
        form[0].kind,
        SettingKind::Folder {
            access: Access::ReadWrite
        },
        "folders are offered with the folder picker"
    );
    assert!(form[0].multiple && form[0].required);
    assert_eq!(form[1].kind, SettingKind::Boolean);
    assert!(matches!(form[2].kind, SettingKind::Choice { .. }));
    assert!(form[4].secret, "the token is a secret");
    assert_eq!(form[4].place, Place::Environment);
}

#[test]
fn an_npm_plan_fills_arguments_environment_secrets_and_folders() {
    let entry = npm_entry();
    let mut answers = Answers::new();
    answers
        .add("folders", root("work"))
        .add("folders", root("notes"))
        .set("--read-only", "true")
        .set("--label", "team a")
        .set_secret("TRACKER_TOKEN", "tok-0123456789".into());
    let plan = plan(&entry, Via::Package(0), "tracker", &answers).expect("plan");
    assert!(plan.is_complete(), "nothing missing: {:?}", plan.missing);
    assert_eq!(plan.runtime(), Some(Runtime::Npx));
    assert_eq!(
        plan.version, "2.0.1",
        "the package's version is the one run"
    );
    let PlannedLaunch::Npm {
        package,
        version,
        args,
        ..
    } = &plan.launch
    else {
        panic!("an npm launch: {:?}", plan.launch);
    };
    assert_eq!(package, "@acme/tracker-mcp");
    assert_eq!(version, "2.0.1");
    assert_eq!(
        args,
        &[
            root("work"),
            root("notes"),
            "--read-only".to_owned(),
            "--mode".to_owned(),
            "safe".to_owned(),
            "--label".to_owned(),
            "team a".to_owned()
        ],
        "repeated folders, a true boolean as a bare flag, a default, an answer"
    );
    assert_eq!(
        plan.env.get("TRACKER_URL").map(String::as_str),
        Some("https://tracker.example.com")
    );
    assert!(
        !plan.env.contains_key("TRACKER_ORG"),
        "an optional setting left blank is left out"
    );
    assert!(
        !plan.env.contains_key("TRACKER_TOKEN"),
        "a secret is never plain"
    );
    assert_eq!(plan.secret_names(), ["TRACKER_TOKEN"]);
    assert_eq!(
        plan.secrets[0].value.as_ref().map(|v| v.expose().as_str()),
        Some("tok-0123456789")
    );
    assert_eq!(plan.folders.len(), 2);
    assert!(plan.folders.iter().all(|f| f.access == Access::ReadWrite));
    let printed = format!("{plan:?}");
    assert!(
        !printed.contains("tok-0123456789"),
        "Debug of a plan hides secrets: {printed}"
    );
}

#[test]
fn what_is_missing_is_said_in_plain_words() {
    let entry = npm_entry();
    let plan = plan(&entry, Via::Package(0), "tracker", &Answers::new()).expect("plan");
    assert!(!plan.is_complete());
    let messages: Vec<&str> = plan.missing.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Choose a folder for folders",
            "Enter the secret TRACKER_TOKEN: Your tracker API token (it is kept in your keychain)"
        ]
    );
}

#[test]
fn a_kept_secret_stays_in_the_keychain() {
    let entry = npm_entry();
    let mut answers = Answers::new();
    answers
        .add("folders", root("a"))
        .keep_secret("TRACKER_TOKEN");
    let plan = plan(&entry, Via::Package(0), "tracker", &answers).expect("plan");
    assert!(plan.is_complete(), "{:?}", plan.missing);
    assert_eq!(plan.secret_names(), ["TRACKER_TOKEN"]);
    assert!(plan.secrets[0].value.is_none(), "kept, not replaced");
}

#[test]
fn wrong_answers_are_an_error_naming_each() {
    let entry = npm_entry();
    let mut answers = Answers::new();
    answers
        .set("--mode", "reckless")
        .set("TRACKER_TOKEN", "plain-leak")
        .add("folders", "relative");
    let error = plan(&entry, Via::Package(0), "tracker", &answers).expect_err("bad answers");
    let PlanError::Answers { problems } = &error else {
        panic!("answer problems: {error}");
    };
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        !error.to_string().contains("plain-leak"),
        "never echo a secret: {error}"
    );
}

#[test]
fn a_docker_entry_in_the_registry_style_passes_its_token_by_name() {
    let entry = entry(&json!({
        "name": "io.github.github/github-mcp-server", "description": "GitHub",
        "version": "1.11.0",
        "packages": [{
            "registryType": "oci", "identifier": "ghcr.io/github/github-mcp-server:v1.11.0",
            "transport": {"type": "stdio"},
            "runtimeArguments": [
                {"type": "positional", "value": "run"},
                {"type": "named", "name": "-i", "value": "true", "format": "boolean"},
                {"type": "named", "name": "--rm", "value": "true", "format": "boolean"},
                {"type": "named", "name": "-e", "value": "GITHUB_PERSONAL_ACCESS_TOKEN={token}",
                 "variables": {"token": {"isRequired": true, "isSecret": true}}},
                {"type": "named", "name": "--mount", "value": "type=bind,src={dir},dst=/work",
                 "variables": {"dir": {"isRequired": false, "format": "filepath"}}},
                {"type": "positional", "valueHint": "image_name", "value": "ghcr.io/github/github-mcp-server"}
            ],
            "packageArguments": [{"type": "positional", "value": "stdio"}]
        }]
    }));
    let form = settings(&entry, Via::Package(0)).expect("settings");
    let keys: Vec<&str> = form.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["token", "dir"]);
    let mut answers = Answers::new();
    answers.set_secret("token", "ghp_abcdefghijklmnop".into());
    let plan = plan(&entry, Via::Package(0), "github", &answers).expect("plan");
    let PlannedLaunch::Oci {
        image,
        docker_args,
        args,
    } = &plan.launch
    else {
        panic!("an OCI launch: {:?}", plan.launch);
    };
    assert_eq!(image, "ghcr.io/github/github-mcp-server:v1.11.0");
    assert!(
        docker_args.is_empty(),
        "run, -i, --rm, the image and an unanswered mount are left to the daemon: \
         {docker_args:?}"
    );
    assert_eq!(args, &["stdio"]);
    assert_eq!(plan.secret_names(), ["GITHUB_PERSONAL_ACCESS_TOKEN"]);
    assert_eq!(
        plan.secrets[0].value.as_ref().map(|v| v.expose().as_str()),
        Some("ghp_abcdefghijklmnop")
    );
    assert_eq!(plan.runtime(), Some(Runtime::Docker));
}

#[test]
fn a_secret_on_the_command_line_is_refused() {
    let entry = entry(&json!({
        "name": "io.github.acme/pay", "description": "Payments", "version": "1.0.0",
        "packages": [{
            "registryType": "npm", "identifier": "pay", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [{"type": "named", "name": "--api-key", "isSecret": true}]
        }]
    }));
    let error = settings(&entry, Via::Package(0)).expect_err("refused");
    let text = error.to_string();
    assert!(
        text.contains("--api-key") && text.contains("only in the environment"),
        "{text}"
    );
}

#[test]
fn a_remote_fills_its_address_and_sends_a_secret_header_by_name() {
    let entry = entry(&json!({
        "name": "io.github.acme/hosted", "description": "Hosted", "version": "1.0.0",
        "remotes": [{
            "type": "streamable-http", "url": "https://{tenant}.acme.example/mcp",
            "variables": {"tenant": {"description": "Your workspace"}},
            "headers": [
                {"name": "Authorization", "value": "Bearer {api_key}",
                 "variables": {"api_key": {"isSecret": true, "isRequired": true}}},
                {"name": "X-Client", "value": "switchboard"}
            ]
        }]
    }));
    let form = settings(&entry, Via::Remote(0)).expect("settings");
    assert_eq!(form[0].key, "tenant");
    assert!(
        form[0].required,
        "an address variable with no default is required"
    );
    assert_eq!(form[0].place, Place::Address);
    let mut answers = Answers::new();
    answers
        .set("tenant", "blue")
        .set_secret("api_key", "key-42-secret".into());
    let plan = plan(&entry, Via::Remote(0), "hosted", &answers).expect("plan");
    let PlannedLaunch::Remote {
        url,
        transport,
        headers,
        ..
    } = &plan.launch
    else {
        panic!("a remote: {:?}", plan.launch);
    };
    assert_eq!(url, "https://blue.acme.example/mcp");
    assert_eq!(*transport, RemoteTransport::StreamableHttp);
    assert_eq!(
        headers,
        &[
            PlannedHeader {
                name: "Authorization".into(),
                value: HeaderValue::Secret {
                    secret: "HEADER_AUTHORIZATION".into()
                }
            },
            PlannedHeader {
                name: "X-Client".into(),
                value: HeaderValue::Plain {
                    value: "switchboard".into()
                }
            }
        ]
    );
    assert_eq!(
        plan.secrets[0].value.as_ref().map(|v| v.expose().as_str()),
        Some("Bearer key-42-secret"),
        "the whole header value is the secret"
    );
    assert_eq!(plan.runtime(), None, "a remote needs nothing installed");

    let unanswered = super::plan(&entry, Via::Remote(0), "hosted", &Answers::new()).expect("plan");
    let missing: Vec<&str> = unanswered
        .missing
        .iter()
        .map(|m| m.setting.as_str())
        .collect();
    assert_eq!(missing, ["tenant", "api_key"]);
}

#[test]
fn a_secret_in_an_address_is_refused() {
    let entry = entry(&json!({
        "name": "io.github.acme/leaky", "description": "Leaky", "version": "1.0.0",
        "remotes": [{"type": "sse", "url": "https://acme.example/sse?key={key}",
                     "variables": {"key": {"isSecret": true}}}]
    }));
    let error = settings(&entry, Via::Remote(0)).expect_err("refused");
    assert!(error.to_string().contains("in its address"), "{error}");
}

#[test]
fn a_builtin_asks_only_for_its_folders_and_grants_them() {
    let entry = entry(&json!({
        "name": "dev.switchboard/files", "description": "Files", "version": "0.1.0",
        "_meta": {META_KEY: {"id": "files", "kind": "builtin", "builtin": "files",
            "folders": [{"input": "folders", "access": "read-only", "multiple": true,
                         "required": true, "title": "Folders it may read"}]}}
    }));
    assert_eq!(entry.kind, EntryKind::Builtin);
    let form = settings(&entry, Via::Builtin).expect("settings");
    assert_eq!(form.len(), 1);
    assert_eq!(form[0].place, Place::Grant);
    let empty = plan(&entry, Via::Builtin, "files", &Answers::new()).expect("plan");
    assert_eq!(empty.missing.len(), 1, "a required folder is missing");
    let mut answers = Answers::new();
    answers.add("folders", root("docs"));
    let granted = plan(&entry, Via::Builtin, "files", &answers).expect("plan");
    assert!(granted.is_complete());
    assert_eq!(
        granted.launch,
        PlannedLaunch::Builtin {
            name: "files".into()
        }
    );
    assert_eq!(granted.folders[0].access, Access::ReadOnly);
    assert_eq!(granted.runtime(), None);
}

#[test]
fn a_command_added_by_hand_runs_as_written_with_its_secret() {
    let entry = crate::manual::from_command_line(
        "mine",
        "Mine",
        &["node".to_owned(), "/srv/server.js".to_owned()],
        &[crate::manual::ManualVariable::secret("MY_TOKEN")],
    )
    .expect("entry");
    let mut answers = Answers::new();
    answers.set_secret("MY_TOKEN", "mine-secret-1".into());
    let plan = plan(&entry, Via::Command, "mine", &answers).expect("plan");
    assert_eq!(
        plan.launch,
        PlannedLaunch::Command {
            command: "node".into(),
            args: vec!["/srv/server.js".into()],
            runtime: Some(Runtime::Node)
        }
    );
    assert_eq!(plan.secret_names(), ["MY_TOKEN"]);
}

#[test]
fn a_bundle_package_asks_to_be_downloaded_first() {
    let sha = "a".repeat(64);
    let entry = entry(&json!({
        "name": "io.github.acme/bundled", "description": "Bundled", "version": "1.0.0",
        "packages": [{"registryType": "mcpb", "identifier": "https://github.com/acme/b/releases/download/v1/b.mcpb",
                      "fileSha256": sha, "transport": {"type": "stdio"}}]
    }));
    let error = settings(&entry, Via::Package(0)).expect_err("download first");
    assert!(
        matches!(&error, PlanError::BundleDownload { sha256, .. } if *sha256 == sha),
        "{error}"
    );
}

#[test]
fn an_optional_template_with_a_blank_variable_is_left_out() {
    let entry = entry(&json!({
        "name": "io.github.acme/opt", "description": "Optional", "version": "1.0.0",
        "packages": [{"registryType": "pypi", "identifier": "opt-mcp", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [{"type": "named", "name": "--zone", "value": "zone-{zone}",
                                  "variables": {"zone": {}}}]}]
    }));
    let plan = plan(&entry, Via::Package(0), "opt", &Answers::new()).expect("plan");
    let PlannedLaunch::Pypi { args, .. } = &plan.launch else {
        panic!("pypi: {:?}", plan.launch);
    };
    assert!(args.is_empty(), "{args:?}");
    assert!(plan.is_complete());
}

#[test]
fn a_way_the_entry_does_not_have_is_an_error() {
    let error = settings(&npm_entry(), Via::Remote(3)).expect_err("no such way");
    assert!(error.to_string().contains("no such way"), "{error}");
}
