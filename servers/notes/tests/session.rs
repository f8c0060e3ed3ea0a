//! The notes server and an rmcp client in one process over `tokio::io::duplex`, on a real
//! knowledge base (real note files in temp folders, a real SQLite index): the tool list (a
//! golden snapshot), search, read, write and list as a client sees them, the errors a model
//! gets, and both protocol eras.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use rmcp::{
    ClientLifecycleMode, ClientServiceExt, RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ProtocolVersion},
    service::{RunningService, ServiceError},
};
use serde_json::{Value, json};
use server_notes::{
    IndexState, KnowledgeBase, NotesFolder, NotesServer,
    tools::{MatchMode, Note, NoteList, SearchResults, WrittenNote},
};
use tempfile::TempDir;

/// Temp folders with notes, an index file and a knowledge base over them.
struct Fixture {
    root: TempDir,
    kb: KnowledgeBase,
}

impl Fixture {
    fn notes(&self) -> PathBuf {
        self.root.path().join("notes").canonicalize().unwrap()
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const KAYAK: &str = "---\ntags: [outdoors]\n---\n# Kayak trip\n\nPlanning the summer trip.\n\n## Gear\nPaddles, a dry bag and the spare skeg.\n\n## Route\nDown the river to the old mill, then portage.\n";
const RECIPES: &str = "# Recipes\n\n## Bread\nFlour, water, salt and a long, slow rise.\n\n## Soup\nLentils and smoked paprika.\n";

/// A knowledge base over `notes/` (writable unless `read_only`) seeded with two notes,
/// fully indexed.
async fn fixture(read_only: bool) -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let notes = root.path().join("notes");
    write(&notes.join("trips/kayak.md"), KAYAK);
    write(&notes.join("recipes.md"), RECIPES);
    write(&notes.join("log.txt"), "plain text about the skeg repair\n");
    let folder = NotesFolder {
        path: notes,
        writable: !read_only,
    };
    let kb = KnowledgeBase::open(root.path().join("cache/index.sqlite"), vec![folder]).unwrap();
    wait_ready(&kb).await;
    Fixture { root, kb }
}

async fn wait_ready(kb: &KnowledgeBase) {
    let mut status = kb.subscribe();
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.state == IndexState::Ready),
    )
    .await
    .expect("indexing finishes within 30 s")
    .expect("the indexer is running");
}

async fn connect(kb: &KnowledgeBase) -> RunningService<RoleClient, ()> {
    let (server_end, client_end) = tokio::io::duplex(256 * 1024);
    let server = NotesServer::new(kb.clone());
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_end).await.expect("client handshake")
}

async fn call(
    client: &RunningService<RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments are an object");
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
}

/// Calls a tool that must succeed and decodes its structured content.
async fn ok<T: serde::de::DeserializeOwned>(
    client: &RunningService<RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
) -> T {
    let result = call(client, tool, arguments.clone()).await.unwrap();
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool} {arguments} failed: {}",
        text_of(&result)
    );
    serde_json::from_value(result.structured_content.expect("structured content")).unwrap()
}

/// Calls a tool that must fail with a tool error and returns its message.
async fn tool_error(
    client: &RunningService<RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
) -> String {
    let result = call(client, tool, arguments.clone()).await.unwrap();
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} {arguments} should fail, got {}",
        text_of(&result)
    );
    text_of(&result)
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

#[tokio::test]
async fn tools_list_matches_the_golden_schema() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    insta::assert_json_snapshot!("notes_tools", tools);
}

#[tokio::test]
async fn the_server_tells_a_model_how_to_use_it() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let info = client.peer_info().expect("server info");
    let instructions = info.instructions.clone().unwrap_or_default();
    for expected in ["search_knowledge", "read_note", "write_note", "list_notes"] {
        assert!(
            instructions.contains(expected),
            "instructions mention {expected}: {instructions}"
        );
    }
}

#[tokio::test]
async fn search_names_the_file_heading_and_line_of_each_hit() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "skeg"})).await;
    assert_eq!(found.matched, MatchMode::AllWords);
    let kayak = found
        .results
        .iter()
        .find(|hit| hit.path.ends_with("kayak.md"))
        .expect("the kayak note matches");
    assert_eq!(kayak.title, "Kayak trip");
    assert_eq!(kayak.heading.as_deref(), Some("Gear"));
    assert_eq!(kayak.line, 8, "the Gear heading is on line 8");
    assert!(kayak.snippet.contains("**skeg**"), "{}", kayak.snippet);
    assert_eq!(
        Path::new(&kayak.folder),
        fixture.notes(),
        "the hit names its granted folder"
    );
    assert!(
        found
            .results
            .iter()
            .any(|hit| hit.path.ends_with("log.txt")),
        "plain text files are searched too: {found:?}"
    );
    assert!(found.notice.is_none(), "{:?}", found.notice);
}

#[tokio::test]
async fn stemming_phrases_prefixes_and_fallback_to_any_word() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let stemmed: SearchResults = ok(
        &client,
        "search_knowledge",
        json!({"query": "planned paddle"}),
    )
    .await;
    assert_eq!(stemmed.results[0].title, "Kayak trip", "{stemmed:?}");

    let phrase: SearchResults = ok(
        &client,
        "search_knowledge",
        json!({"query": "\"smoked paprika\""}),
    )
    .await;
    assert_eq!(phrase.results.len(), 1);
    assert_eq!(phrase.results[0].heading.as_deref(), Some("Soup"));

    let prefix: SearchResults = ok(&client, "search_knowledge", json!({"query": "portag*"})).await;
    assert_eq!(prefix.results[0].heading.as_deref(), Some("Route"));

    let any: SearchResults = ok(
        &client,
        "search_knowledge",
        json!({"query": "lentils kayak"}),
    )
    .await;
    assert_eq!(any.matched, MatchMode::AnyWord, "no note has both words");
    assert!(any.results.len() >= 2, "{any:?}");
    assert!(any.notice.unwrap().contains("some of them"));

    let none: SearchResults = ok(&client, "search_knowledge", json!({"query": "xylophone"})).await;
    assert!(none.results.is_empty());
    assert!(none.notice.unwrap().contains("No note matched"));
}

#[tokio::test]
async fn any_query_text_is_searched_without_a_syntax_error() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    for query in [
        "\"unclosed phrase",
        "NEAR(kayak route, 3)",
        "title:secret",
        "kayak AND OR NOT",
        "(((kayak",
        "^skeg",
        "c++ && rust || go",
        "-kayak skeg",
        "ščřž 会议 🚣",
    ] {
        let result = call(&client, "search_knowledge", json!({ "query": query }))
            .await
            .unwrap();
        assert_ne!(
            result.is_error,
            Some(true),
            "{query:?} failed: {}",
            text_of(&result)
        );
    }
    let message = tool_error(&client, "search_knowledge", json!({"query": "?!"})).await;
    assert!(message.contains("no words"), "{message}");
    let message = tool_error(
        &client,
        "search_knowledge",
        json!({"query": "x".repeat(5000)}),
    )
    .await;
    assert!(
        message.contains("limit is 1000") && message.len() < 300,
        "{message}"
    );
}

#[tokio::test]
async fn search_filters_by_folder_and_path_prefix() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let in_trips: SearchResults = ok(
        &client,
        "search_knowledge",
        json!({"query": "skeg", "path_prefix": "trips/"}),
    )
    .await;
    assert!(!in_trips.results.is_empty());
    assert!(
        in_trips
            .results
            .iter()
            .all(|hit| hit.path.contains("/trips/"))
    );
    let by_name: SearchResults = ok(
        &client,
        "search_knowledge",
        json!({"query": "skeg", "folder": "notes", "limit": 1}),
    )
    .await;
    assert_eq!(by_name.results.len(), 1);
    let message = tool_error(
        &client,
        "search_knowledge",
        json!({"query": "skeg", "folder": "elsewhere"}),
    )
    .await;
    assert!(message.contains("granted folders are"), "{message}");
}

#[tokio::test]
async fn write_note_then_search_finds_it_at_once() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let written: WrittenNote = ok(
        &client,
        "write_note",
        json!({
            "title": "Meeting notes: Q3 planning",
            "body": "## Decisions\nWe adopt the zeppelin roadmap.\n",
            "subfolder": "meetings/2026"
        }),
    )
    .await;
    let expected = fixture
        .notes()
        .join("meetings/2026/meeting-notes-q3-planning.md");
    assert_eq!(Path::new(&written.path), expected);
    assert_eq!(
        written.relative_path,
        "meetings/2026/meeting-notes-q3-planning.md"
    );
    assert!(written.indexed, "indexed before write_note returns");
    assert!(!written.replaced);
    assert_eq!(
        fs::read_to_string(&expected).unwrap(),
        "# Meeting notes: Q3 planning\n\n## Decisions\nWe adopt the zeppelin roadmap.\n"
    );
    // No waiting for the watcher: the very next search sees it.
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "zeppelin"})).await;
    assert_eq!(found.results.len(), 1, "{found:?}");
    assert_eq!(found.results[0].path, written.path);
    assert_eq!(found.results[0].title, "Meeting notes: Q3 planning");
    assert_eq!(found.results[0].heading.as_deref(), Some("Decisions"));
}

#[tokio::test]
async fn write_note_never_overwrites_unless_asked() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let first: WrittenNote = ok(
        &client,
        "write_note",
        json!({"title": "Recipes", "body": "new list"}),
    )
    .await;
    assert!(first.path.ends_with("recipes-2.md"), "{}", first.path);
    assert_eq!(
        fs::read_to_string(fixture.notes().join("recipes.md")).unwrap(),
        RECIPES,
        "the existing note is untouched"
    );
    let replaced: WrittenNote = ok(
        &client,
        "write_note",
        json!({"title": "Recipes", "body": "only tea now", "overwrite": true}),
    )
    .await;
    assert!(replaced.replaced);
    assert!(replaced.path.ends_with("recipes.md"));
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "paprika"})).await;
    assert!(
        found.results.is_empty(),
        "the replaced text is gone from the index: {found:?}"
    );
}

#[tokio::test]
async fn write_note_refuses_path_tricks() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    for subfolder in ["../outside", "/etc", "a/../../b", ".git", "a\u{0}b"] {
        let message = tool_error(
            &client,
            "write_note",
            json!({"title": "x", "body": "y", "subfolder": subfolder}),
        )
        .await;
        assert!(message.contains("not allowed"), "{subfolder:?}: {message}");
    }
    let message = tool_error(&client, "write_note", json!({"title": "a\nb"})).await;
    assert!(message.contains("one-line title"), "{message}");
    // A title full of path syntax is only a name.
    let written: WrittenNote = ok(
        &client,
        "write_note",
        json!({"title": "../../etc/passwd", "body": "harmless"}),
    )
    .await;
    assert_eq!(
        Path::new(&written.path),
        fixture.notes().join("etc-passwd.md")
    );
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), fixture.notes().join("escape")).unwrap();
        let message = tool_error(
            &client,
            "write_note",
            json!({"title": "x", "subfolder": "escape"}),
        )
        .await;
        assert!(message.contains("link"), "{message}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}

#[tokio::test]
async fn read_note_returns_the_whole_note_or_one_section() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let path = fixture.notes().join("trips/kayak.md");
    let whole: Note = ok(
        &client,
        "read_note",
        json!({"path": path.to_str().unwrap()}),
    )
    .await;
    assert_eq!(whole.content, KAYAK.trim_end_matches('\n'));
    assert_eq!(whole.title, "Kayak trip");
    assert_eq!((whole.start_line, whole.end_line), (1, 12));
    assert!(!whole.truncated);
    let outline: Vec<(&str, u32)> = whole
        .headings
        .iter()
        .map(|h| (h.text.as_str(), h.line))
        .collect();
    assert_eq!(outline, vec![("Kayak trip", 4), ("Gear", 8), ("Route", 11)]);

    let section: Note = ok(
        &client,
        "read_note",
        json!({"path": "trips/kayak.md", "heading": "route"}),
    )
    .await;
    assert_eq!(
        section.content,
        "## Route\nDown the river to the old mill, then portage."
    );
    assert_eq!((section.start_line, section.end_line), (11, 12));

    let message = tool_error(
        &client,
        "read_note",
        json!({"path": "trips/kayak.md", "heading": "Budget"}),
    )
    .await;
    assert!(
        message.contains("\"Gear\"") && message.contains("\"Route\""),
        "the error lists the headings: {message}"
    );
}

#[tokio::test]
async fn read_note_cuts_long_notes_at_a_line() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let line = "a line of a long note that keeps going on and on\n";
    write(&fixture.notes().join("long.md"), &line.repeat(5_000));
    let note: Note = ok(&client, "read_note", json!({"path": "long.md"})).await;
    assert!(note.truncated);
    assert!(note.content.len() <= server_notes::MAX_READ_BYTES);
    assert!(note.content.ends_with("on and on"), "cut at a line end");
    assert_eq!(note.end_line as usize, note.content.lines().count());
}

#[tokio::test]
async fn read_note_stays_inside_the_granted_folders() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let secret = fixture.root.path().join("secret.md");
    write(&secret, "top secret");
    let cases = [
        (
            secret.to_str().unwrap().to_owned(),
            "outside the granted folders",
        ),
        ("../secret.md".to_owned(), "not allowed"),
        (
            format!("{}/../secret.md", fixture.notes().display()),
            "not allowed",
        ),
        ("/etc/passwd".to_owned(), "outside the granted folders"),
        (".git/config".to_owned(), "hidden"),
        ("missing.md".to_owned(), "search_knowledge or list_notes"),
    ];
    for (path, expected) in cases {
        let message = tool_error(&client, "read_note", json!({ "path": path })).await;
        assert!(message.contains(expected), "{path}: {message}");
        assert!(!message.contains("top secret"));
    }
    write(&fixture.notes().join("data.json"), "{}");
    let message = tool_error(&client, "read_note", json!({"path": "data.json"})).await;
    assert!(message.contains("not a note"), "{message}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, fixture.notes().join("alias.md")).unwrap();
        let message = tool_error(&client, "read_note", json!({"path": "alias.md"})).await;
        assert!(message.contains("links outside"), "{message}");
    }
}

#[tokio::test]
async fn list_notes_shows_folders_and_recent_notes() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let listed: NoteList = ok(&client, "list_notes", json!({})).await;
    assert_eq!(listed.total, 3);
    assert_eq!(listed.folders.len(), 1);
    assert!(listed.folders[0].writable && listed.folders[0].available);
    let titles: Vec<&str> = listed.notes.iter().map(|n| n.title.as_str()).collect();
    assert!(
        titles.contains(&"Kayak trip") && titles.contains(&"Recipes") && titles.contains(&"log")
    );
    assert!(listed.notes.iter().all(|n| n.modified.ends_with('Z')));
    let limited: NoteList = ok(
        &client,
        "list_notes",
        json!({"limit": 1, "path_prefix": "trips"}),
    )
    .await;
    assert_eq!((limited.total, limited.notes.len()), (1, 1));
}

#[tokio::test]
async fn a_read_only_folder_refuses_write_note_with_a_way_forward() {
    let fixture = fixture(true).await;
    let client = connect(&fixture.kb).await;
    let message = tool_error(&client, "write_note", json!({"title": "Plan", "body": "x"})).await;
    assert!(
        message.contains("write access in Switchboard"),
        "the message says how to get a writable folder: {message}"
    );
    assert!(!fixture.notes().join("plan.md").exists());
    // Reading and searching still work.
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "bread"})).await;
    assert_eq!(found.results.len(), 1);
}

#[tokio::test]
async fn every_tool_explains_how_to_grant_a_folder_when_none_is() {
    let root = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(root.path().join("index.sqlite"), Vec::new()).unwrap();
    let client = connect(&kb).await;
    for (tool, arguments) in [
        ("search_knowledge", json!({"query": "anything"})),
        ("read_note", json!({"path": "a.md"})),
        ("write_note", json!({"title": "Plan"})),
        ("list_notes", json!({})),
    ] {
        let message = tool_error(&client, tool, arguments).await;
        assert!(
            message.contains("grant a folder of notes to the notes server in Switchboard"),
            "{tool}: {message}"
        );
    }
}

#[tokio::test]
async fn revoking_a_folder_hides_its_notes_at_once() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    let other = fixture.root.path().join("other");
    write(
        &other.join("elsewhere.md"),
        "# Elsewhere\nthe skeg is here too\n",
    );
    fixture.kb.set_folders(vec![NotesFolder::read_only(&other)]);
    // Before the indexer catches up, revoked notes are already filtered out.
    let early: SearchResults = ok(&client, "search_knowledge", json!({"query": "skeg"})).await;
    assert!(
        early
            .results
            .iter()
            .all(|hit| hit.path.contains("elsewhere")),
        "{early:?}"
    );
    wait_ready(&fixture.kb).await;
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "skeg"})).await;
    assert_eq!(found.results.len(), 1, "{found:?}");
    assert!(found.results[0].path.ends_with("elsewhere.md"));
    let message = tool_error(
        &client,
        "read_note",
        json!({"path": fixture.notes().join("recipes.md").to_str().unwrap()}),
    )
    .await;
    assert!(message.contains("outside the granted folders"), "{message}");
    fixture.kb.set_folders(Vec::new());
    let message = tool_error(&client, "search_knowledge", json!({"query": "skeg"})).await;
    assert!(message.contains("grant a folder"), "{message}");
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let fixture = fixture(false).await;
    let client = connect(&fixture.kb).await;
    for (tool, arguments) in [
        ("search_knowledge", json!({"query": 42})),
        ("search_knowledge", json!({})),
        ("search_knowledge", json!({"query": "x", "limit": -1})),
        ("read_note", json!({"path": null})),
        ("write_note", json!({"body": "no title"})),
        ("write_note", json!({"title": "t", "overwrite": "yes"})),
    ] {
        let outcome = call(&client, tool, arguments.clone()).await;
        let refused = match &outcome {
            Err(ServiceError::McpError(error)) => error.code.0 == -32602,
            Ok(result) => result.is_error == Some(true),
            Err(_) => false,
        };
        assert!(
            refused,
            "{tool} {arguments} should be refused, got {outcome:?}"
        );
    }
    let found: SearchResults = ok(&client, "search_knowledge", json!({"query": "bread"})).await;
    assert_eq!(found.results.len(), 1, "the session is still healthy");
}

#[tokio::test]
async fn a_modern_era_client_discovers_and_calls_the_tools() {
    let fixture = fixture(false).await;
    let (server_end, client_end) = tokio::io::duplex(256 * 1024);
    let server = NotesServer::new(fixture.kb.clone());
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    let client = ()
        .serve_with_lifecycle(
            client_end,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover");
    assert_eq!(
        client.peer_info().map(|info| info.protocol_version.clone()),
        Some(ProtocolVersion::V_2026_07_28),
        "the session runs in the stateless era"
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 4);
    let result = client
        .call_tool(
            CallToolRequestParams::new("search_knowledge")
                .with_arguments(json!({"query": "bread"}).as_object().cloned().unwrap()),
        )
        .await
        .unwrap();
    let found: SearchResults = serde_json::from_value(result.structured_content.unwrap()).unwrap();
    assert_eq!(found.results[0].heading.as_deref(), Some("Bread"));
}

#[tokio::test]
async fn many_sessions_share_one_knowledge_base() {
    let fixture = fixture(false).await;
    let writer = connect(&fixture.kb).await;
    let reader = connect(&fixture.kb).await;
    let _: WrittenNote = ok(
        &writer,
        "write_note",
        json!({"title": "Shared", "body": "visible to every session: quokka"}),
    )
    .await;
    let found: SearchResults = ok(&reader, "search_knowledge", json!({"query": "quokka"})).await;
    assert_eq!(found.results.len(), 1);
}
