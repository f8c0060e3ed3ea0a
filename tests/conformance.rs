//! The official MCP conformance suite against each built-in server, served by the real
//! `switchboard serve <name> --http 127.0.0.1:0`, and against the daemon's HTTP endpoint
//! (`/servers/<id>/mcp`) for a built-in and for a third-party server behind the gateway.
//! The suite cannot send headers, so it reaches the daemon through a loopback proxy that
//! adds the bearer token (tests/support/auth_proxy.mjs); the daemon has no bypass.
//!
//! Two releases run: 0.1.16 (its active suite, the 2025-11-25 era with sessions) and
//! 0.2.0-alpha.12 with `--requirements 2026-07-28` (the stateless era). Every scenario the
//! suite runs must be classified below, as required or as not applicable with a reason, so
//! that a new scenario fails this test until someone decides about it. Whether a scenario
//! applies follows from what the server offers (tools, resources, prompts): a scenario
//! about prompts is required of the prompts server and not applicable to the calculator.
//! Required scenarios must pass every check, apart from the few checks listed with the
//! reason they cannot be exercised; in every scenario, applicable or not, everything our
//! server sent must be valid per the specification's JSON schema (the suite's
//! `wire-schema-valid` check).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{collections::BTreeMap, path::Path, time::Duration};

use serde_json::Value;
use switchboard_tests::{AuthProxy, Home, HttpServer, node_command, run_with_deadline, tools_dir};

/// What a server offers, which decides the scenarios that apply to it.
#[derive(Debug, Clone, Copy)]
struct Offers {
    tools: bool,
    resources: bool,
    prompts: bool,
}

const TOOLS_ONLY: Offers = Offers {
    tools: true,
    resources: false,
    prompts: false,
};

/// What a scenario or check needs the server to offer in order to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Nothing,
    Tools,
    Resources,
    Prompts,
}

impl Needs {
    fn met_by(self, offers: Offers) -> bool {
        match self {
            Self::Nothing => true,
            Self::Tools => offers.tools,
            Self::Resources => offers.resources,
            Self::Prompts => offers.prompts,
        }
    }
}

/// A release of the suite and how our servers are judged by it.
struct Suite {
    package: &'static str,
    args: &'static [&'static str],
    /// Required of every server that offers what the scenario needs.
    required: &'static [(&'static str, Needs)],
    not_applicable: &'static [(&'static str, &'static str)],
    /// (scenario, check id, why it cannot be exercised, unless the server offers this)
    untestable_checks: &'static [(&'static str, &'static str, &'static str, Needs)],
}

/// Whether a check that failed is excused for a server: `Needs::Nothing` never lifts the
/// excuse; anything else lifts it when the server offers it.
fn excused(needs: Needs, offers: Offers) -> bool {
    needs == Needs::Nothing || !needs.met_by(offers)
}

const NO_LOGGING: &str = "the server declares no logging capability: it sends no log messages";
const NO_COMPLETIONS: &str = "the server declares no completions capability";
const NO_RESOURCES: &str = "the server declares no resources capability";
const NO_PROMPTS: &str = "the server declares no prompts capability";
const NO_TOOLS: &str = "the server offers no tools (it serves prompts and resources)";
const FIXTURE_RESOURCE: &str = "reads the suite's fixture resources (test://...), which only its \
                                reference server has; our resources are tested in \
                                servers/files/tests and servers/prompts/tests";
const FIXTURE_PROMPT: &str = "gets the suite's fixture prompts (test_*), which only its \
                              reference server has; our prompts are tested in \
                              servers/prompts/tests";
const NO_SUBSCRIPTIONS: &str = "no server here offers resource subscriptions";
const FIXTURE_TOOL: &str = "calls a tool (test_*) that only the suite's reference server has; \
                            our tools' results and errors are tested in servers/*/tests and tests/cli.rs";
const ASKS_CLIENT: &str = "needs a tool that asks the client for sampling, elicitation or roots; \
                           these servers never ask the client for anything";
const NO_TASKS: &str = "tasks are an optional extension these servers do not offer (not scored)";
const NO_HEADER_TOOLS: &str = "needs a tool with x-mcp-header parameters; these servers have none";

const LEGACY: Suite = Suite {
    package: "conformance-0.1",
    args: &[],
    required: &[
        ("server-initialize", Needs::Nothing),
        ("ping", Needs::Nothing),
        ("tools-list", Needs::Tools),
        ("resources-list", Needs::Resources),
        ("prompts-list", Needs::Prompts),
        ("server-sse-multiple-streams", Needs::Nothing),
        ("dns-rebinding-protection", Needs::Nothing),
    ],
    not_applicable: &[
        ("logging-set-level", NO_LOGGING),
        ("tools-call-with-logging", NO_LOGGING),
        ("completion-complete", NO_COMPLETIONS),
        ("tools-call-simple-text", FIXTURE_TOOL),
        ("tools-call-image", FIXTURE_TOOL),
        ("tools-call-audio", FIXTURE_TOOL),
        ("tools-call-embedded-resource", FIXTURE_TOOL),
        ("tools-call-mixed-content", FIXTURE_TOOL),
        ("tools-call-error", FIXTURE_TOOL),
        ("tools-call-with-progress", FIXTURE_TOOL),
        ("tools-call-sampling", ASKS_CLIENT),
        ("tools-call-elicitation", ASKS_CLIENT),
        ("elicitation-sep1034-defaults", ASKS_CLIENT),
        ("elicitation-sep1330-enums", ASKS_CLIENT),
        ("resources-read-text", FIXTURE_RESOURCE),
        ("resources-read-binary", FIXTURE_RESOURCE),
        ("resources-templates-read", FIXTURE_RESOURCE),
        ("resources-subscribe", NO_SUBSCRIPTIONS),
        ("resources-unsubscribe", NO_SUBSCRIPTIONS),
        ("prompts-get-simple", FIXTURE_PROMPT),
        ("prompts-get-with-args", FIXTURE_PROMPT),
        ("prompts-get-embedded-resource", FIXTURE_PROMPT),
        ("prompts-get-with-image", FIXTURE_PROMPT),
    ],
    untestable_checks: &[],
};

const STATELESS: Suite = Suite {
    package: "conformance-0.2",
    args: &["--requirements", "2026-07-28"],
    required: &[
        ("server-stateless", Needs::Nothing),
        ("tools-list", Needs::Tools),
        ("resources-list", Needs::Resources),
        ("sep-2164-resource-not-found", Needs::Resources),
        ("prompts-list", Needs::Prompts),
        // Both open several streams with tools/list calls.
        ("server-sse-multiple-streams", Needs::Tools),
        ("http-header-validation", Needs::Tools),
        ("dns-rebinding-protection", Needs::Nothing),
        ("caching", Needs::Nothing),
        ("input-required-result-unsupported-methods", Needs::Nothing),
        ("input-required-result-validate-input", Needs::Nothing),
    ],
    not_applicable: &[
        ("completion-complete", NO_COMPLETIONS),
        ("tools-call-simple-text", FIXTURE_TOOL),
        ("tools-call-image", FIXTURE_TOOL),
        ("tools-call-audio", FIXTURE_TOOL),
        ("tools-call-embedded-resource", FIXTURE_TOOL),
        ("tools-call-mixed-content", FIXTURE_TOOL),
        ("tools-call-error", FIXTURE_TOOL),
        ("tools-call-with-progress", FIXTURE_TOOL),
        ("json-schema-2020-12", FIXTURE_TOOL),
        ("resources-read-text", FIXTURE_RESOURCE),
        ("resources-read-binary", FIXTURE_RESOURCE),
        ("resources-templates-read", FIXTURE_RESOURCE),
        ("prompts-get-simple", FIXTURE_PROMPT),
        ("prompts-get-with-args", FIXTURE_PROMPT),
        ("prompts-get-embedded-resource", FIXTURE_PROMPT),
        ("prompts-get-with-image", FIXTURE_PROMPT),
        ("input-required-result-basic-elicitation", ASKS_CLIENT),
        ("input-required-result-basic-sampling", ASKS_CLIENT),
        ("input-required-result-basic-list-roots", ASKS_CLIENT),
        ("input-required-result-request-state", ASKS_CLIENT),
        ("input-required-result-multiple-input-requests", ASKS_CLIENT),
        ("input-required-result-multi-round", ASKS_CLIENT),
        ("input-required-result-missing-input-response", ASKS_CLIENT),
        ("input-required-result-non-tool-request", ASKS_CLIENT),
        ("input-required-result-result-type", ASKS_CLIENT),
        ("input-required-result-tampered-state", ASKS_CLIENT),
        ("input-required-result-capability-check", ASKS_CLIENT),
        ("input-required-result-ignore-extra-params", ASKS_CLIENT),
        ("tasks-lifecycle", NO_TASKS),
        ("tasks-capability-negotiation", NO_TASKS),
        ("tasks-wire-fields", NO_TASKS),
        ("tasks-request-state-removal", NO_TASKS),
        ("tasks-mrtr-input", NO_TASKS),
        ("tasks-request-headers", NO_TASKS),
        ("tasks-dispatch-and-envelope", NO_TASKS),
        ("tasks-status-notifications", NO_TASKS),
        ("tasks-required-task-error", NO_TASKS),
        ("tasks-mrtr-composition", NO_TASKS),
        ("http-custom-header-server-validation", NO_HEADER_TOOLS),
    ],
    untestable_checks: &[
        (
            "server-stateless",
            "sep-2575-server-rejects-undeclared-capability",
            "needs the diagnostic tool test_missing_capability",
            Needs::Nothing,
        ),
        (
            "server-stateless",
            "sep-2575-missing-capability-http-400",
            "needs the diagnostic tool test_missing_capability",
            Needs::Nothing,
        ),
        (
            "server-stateless",
            "sep-2575-http-server-no-independent-requests-on-stream",
            "needs the diagnostic tool test_streaming_elicitation",
            Needs::Nothing,
        ),
        (
            "server-stateless",
            "sep-2575-server-no-log-without-loglevel",
            "needs the diagnostic tool test_logging_tool; these servers never log to the client",
            Needs::Nothing,
        ),
        (
            "caching",
            "sep-2549-tools-list-caching-hints",
            NO_TOOLS,
            Needs::Tools,
        ),
        (
            "caching",
            "sep-2549-prompts-list-caching-hints",
            NO_PROMPTS,
            Needs::Prompts,
        ),
        (
            "caching",
            "sep-2549-resources-list-caching-hints",
            NO_RESOURCES,
            Needs::Resources,
        ),
        (
            "caching",
            "sep-2549-resources-templates-list-caching-hints",
            NO_RESOURCES,
            Needs::Resources,
        ),
    ],
};

/// One check the suite reported.
#[derive(Debug)]
struct Check {
    id: String,
    status: String,
    message: String,
}

/// Runs `suite` against a fresh `switchboard serve <server> --http` and returns its checks
/// per scenario.
fn run_suite(server: &str, suite: &Suite) -> BTreeMap<String, Vec<Check>> {
    // files, sql and notes get a folder of their own to work in.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("note.md"), "# A note\n\nHello.\n").unwrap();
    let index = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    if matches!(server, "files" | "sql" | "notes") {
        args.push("--allow".into());
        args.push(folder.path().into());
    }
    if server == "notes" {
        args.push("--index".into());
        args.push(index.path().join("index.db").into());
    }
    let http = HttpServer::start_with(server, &args);
    run_suite_at(&http.url, suite)
}

/// Runs `suite` against the MCP endpoint at `url`.
fn run_suite_at(url: &str, suite: &Suite) -> BTreeMap<String, Vec<Check>> {
    let results = tempfile::tempdir().unwrap();
    let script = tools_dir()
        .join(suite.package)
        .join("dist")
        .join("index.js");
    let mut command = node_command(&script);
    command
        .args(["server", "--url", url, "--output-dir"])
        .arg(results.path())
        .args(suite.args);
    let output = run_with_deadline(command, Duration::from_secs(300));
    let checks = read_results(results.path());
    assert!(
        !checks.is_empty(),
        "the suite produced no results; it said:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    checks
}

/// Results are saved as `<dir>/server-<scenario>-<24-character timestamp>/checks.json`.
fn read_results(dir: &Path) -> BTreeMap<String, Vec<Check>> {
    let mut scenarios = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let folder = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = folder.strip_prefix("server-") else {
            continue;
        };
        let scenario = rest[..rest.len().saturating_sub(25)].to_owned();
        let json: Value =
            serde_json::from_slice(&std::fs::read(entry.path().join("checks.json")).unwrap())
                .unwrap();
        let checks = json
            .as_array()
            .expect("checks.json is a list")
            .iter()
            .map(|check| Check {
                id: check["id"].as_str().unwrap_or_default().to_owned(),
                status: check["status"].as_str().unwrap_or_default().to_owned(),
                message: check["errorMessage"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect();
        scenarios.insert(scenario, checks);
    }
    scenarios
}

/// Every way `results` fall short of `suite`'s expectations for a server that offers
/// `offers`, in words.
fn shortfalls(
    suite: &Suite,
    offers: Offers,
    results: &BTreeMap<String, Vec<Check>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (required, needs) in suite.required {
        if needs.met_by(offers) && !results.contains_key(*required) {
            problems.push(format!("required scenario {required} did not run"));
        }
    }
    for (scenario, checks) in results {
        let classified = suite.required.iter().find(|(name, _)| name == scenario);
        let required = classified.is_some_and(|(_, needs)| needs.met_by(offers));
        let known = classified.is_some()
            || suite
                .not_applicable
                .iter()
                .any(|(name, _)| name == scenario);
        if !known {
            problems.push(format!(
                "scenario {scenario} is new: classify it in tests/conformance.rs as required \
                 or not applicable (with the reason)"
            ));
        }
        for check in checks {
            let passed = matches!(check.status.as_str(), "SUCCESS" | "INFO" | "SKIPPED");
            if check.id == "wire-schema-valid" && !passed {
                problems.push(format!(
                    "{scenario}: a message the server sent is not valid per the spec schema: {}",
                    check.message
                ));
            }
            let untestable = suite.untestable_checks.iter().any(|(s, id, _, unless)| {
                s == scenario && *id == check.id && excused(*unless, offers)
            });
            if required && !passed && !untestable {
                problems.push(format!(
                    "{scenario}: check {} is {}: {}",
                    check.id, check.status, check.message
                ));
            }
        }
    }
    problems
}

/// A built-in server as the suite is run against it: what it offers.
struct Served {
    name: &'static str,
    offers: Offers,
}

const SERVED: &[Served] = &[
    Served {
        name: "clock",
        offers: TOOLS_ONLY,
    },
    Served {
        name: "calc",
        offers: TOOLS_ONLY,
    },
    Served {
        name: "files",
        offers: Offers {
            tools: true,
            resources: true,
            prompts: false,
        },
    },
    Served {
        name: "fetch",
        offers: TOOLS_ONLY,
    },
    Served {
        name: "sql",
        offers: TOOLS_ONLY,
    },
    Served {
        name: "notes",
        offers: TOOLS_ONLY,
    },
    Served {
        name: "prompts",
        offers: Offers {
            tools: false,
            resources: true,
            prompts: true,
        },
    },
];

fn assert_conforms(server: &str, suite: &Suite) {
    let served = SERVED
        .iter()
        .find(|s| s.name == server)
        .expect("the server is listed in SERVED");
    let results = run_suite(server, suite);
    let problems = shortfalls(suite, served.offers, &results);
    assert!(
        problems.is_empty(),
        "{server} against {}:\n  {}",
        suite.package,
        problems.join("\n  ")
    );
}

#[test]
fn clock_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("clock", &LEGACY);
}

#[test]
fn clock_meets_the_2026_07_28_requirements() {
    assert_conforms("clock", &STATELESS);
}

#[test]
fn calc_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("calc", &LEGACY);
}

#[test]
fn calc_meets_the_2026_07_28_requirements() {
    assert_conforms("calc", &STATELESS);
}

#[test]
fn files_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("files", &LEGACY);
}

#[test]
fn files_meets_the_2026_07_28_requirements() {
    assert_conforms("files", &STATELESS);
}

#[test]
fn fetch_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("fetch", &LEGACY);
}

#[test]
fn fetch_meets_the_2026_07_28_requirements() {
    assert_conforms("fetch", &STATELESS);
}

#[test]
fn sql_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("sql", &LEGACY);
}

#[test]
fn sql_meets_the_2026_07_28_requirements() {
    assert_conforms("sql", &STATELESS);
}

#[test]
fn notes_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("notes", &LEGACY);
}

#[test]
fn notes_meets_the_2026_07_28_requirements() {
    assert_conforms("notes", &STATELESS);
}

#[test]
fn prompts_passes_the_2025_11_25_conformance_suite() {
    assert_conforms("prompts", &LEGACY);
}

#[test]
fn prompts_meets_the_2026_07_28_requirements() {
    assert_conforms("prompts", &STATELESS);
}

/// Runs `suite` against `server` on the daemon's HTTP endpoint of `home`, and judges it as
/// a server that offers `offers`.
fn assert_conforms_through_the_daemon(home: &Home, server: &str, offers: Offers, suite: &Suite) {
    let endpoint = home.http_endpoint();
    let proxy = AuthProxy::start(&endpoint);
    let results = run_suite_at(&proxy.server_url(server), suite);
    let problems = shortfalls(suite, offers, &results);
    assert!(
        problems.is_empty(),
        "{server} on the daemon's endpoint against {}:\n  {}",
        suite.package,
        problems.join("\n  ")
    );
}

#[test]
fn calc_on_the_daemon_endpoint_passes_the_2025_11_25_conformance_suite() {
    assert_conforms_through_the_daemon(&Home::new(), "calc", TOOLS_ONLY, &LEGACY);
}

#[test]
fn calc_on_the_daemon_endpoint_meets_the_2026_07_28_requirements() {
    assert_conforms_through_the_daemon(&Home::new(), "calc", TOOLS_ONLY, &STATELESS);
}

/// `@modelcontextprotocol/server-everything` (npm) as a supervised child of the daemon,
/// served at `/servers/everything/mcp`. Its SDK speaks 2025-11-25 and earlier only, so the
/// 2026-07-28 requirements (which start with `server/discover`) do not apply to it; a
/// client of that era negotiates down with `initialize`, which this suite covers.
#[test]
fn server_everything_behind_the_daemon_endpoint_passes_the_2025_11_25_conformance_suite() {
    let home = Home::new();
    let script = tools_dir().join("@modelcontextprotocol/server-everything/dist/index.js");
    home.run(&[
        "add",
        "everything",
        "--",
        "node",
        script.to_str().unwrap(),
        "stdio",
    ]);
    let offers = Offers {
        tools: true,
        resources: true,
        prompts: true,
    };
    assert_conforms_through_the_daemon(&home, "everything", offers, &LEGACY);
}

#[test]
fn the_classification_catches_failures_and_new_scenarios() {
    // The judge itself must be able to fail: a failing required check, an invalid message
    // in a non-applicable scenario, and an unclassified scenario are each reported.
    let check = |id: &str, status: &str| Check {
        id: id.into(),
        status: status.into(),
        message: "boom".into(),
    };
    let mut results = BTreeMap::new();
    results.insert(
        "tools-list".to_owned(),
        vec![check("tools-list", "FAILURE")],
    );
    results.insert(
        "prompts-list".to_owned(),
        vec![
            check("prompts-list", "FAILURE"),
            check("wire-schema-valid", "FAILURE"),
        ],
    );
    results.insert("brand-new".to_owned(), vec![check("x", "SUCCESS")]);
    let problems = shortfalls(&LEGACY, TOOLS_ONLY, &results);
    let text = problems.join("\n");
    assert!(
        text.contains("tools-list: check tools-list is FAILURE"),
        "{text}"
    );
    assert!(
        text.contains("prompts-list: a message the server sent is not valid"),
        "{text}"
    );
    assert!(
        !text.contains("prompts-list: check prompts-list"),
        "not applicable: {text}"
    );
    assert!(text.contains("scenario brand-new is new"), "{text}");
    assert!(
        text.contains("required scenario ping did not run"),
        "{text}"
    );

    // What applies follows from what a server offers: prompts-list is required of a
    // server with prompts (here it failed), and tools-list is not required of one without
    // tools.
    let prompts_server = Offers {
        tools: false,
        resources: false,
        prompts: true,
    };
    let text = shortfalls(&LEGACY, prompts_server, &results).join("\n");
    assert!(
        text.contains("prompts-list: check prompts-list is FAILURE"),
        "{text}"
    );
    assert!(!text.contains("tools-list: check"), "{text}");
}
