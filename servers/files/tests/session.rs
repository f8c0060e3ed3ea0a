//! The files server and an rmcp client in one process over `tokio::io::duplex`, on real
//! files in temp folders: the tool list (a golden snapshot), every tool's happy path and
//! its errors as a client sees them, grants changing mid-session, read-only grants,
//! resources, and both protocol eras.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{fs, path::PathBuf};

use base64::Engine as _;
use client::{call, connect, connect_with, ok, read_resource, refused, structured, text_of};
use rmcp::{
    ClientLifecycleMode, ClientServiceExt, ServiceExt,
    model::{CallToolRequestParams, ProtocolVersion, ResourceContents},
    service::ServiceError,
};
use serde_json::{Value, json};
use server_files::{Access, FilesServer, Folder, Folders, Limits};
use tempfile::TempDir;

/// The smallest valid PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

const MAIN_RS: &str = "fn main() {\n    println!(\"hello\");\n}\n";

/// A temp folder with a read-write grant `work/` and a read-only grant `reference/`.
struct Fixture {
    _root: TempDir,
    work: PathBuf,
    reference: PathBuf,
    folders: Folders,
}

impl Fixture {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().canonicalize().unwrap();
        let work = base.join("work");
        let reference = base.join("reference");
        for (path, content) in [
            ("work/notes.txt", "one\ntwo\nthree\nfour\nfive\n".as_bytes()),
            ("work/src/main.rs", MAIN_RS.as_bytes()),
            (
                "work/src/lib.rs",
                b"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
            ),
            ("work/docs/guide.md", b"# Guide\n\nUse the tool.\n"),
            ("work/docs/deep/deeper/bottom.txt", b"bottom\n"),
            ("work/pixel.png", PNG),
            ("reference/readme.md", b"# Reference\n"),
        ] {
            let path = base.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
        let folders = Folders::new(vec![
            Folder::new(&work, Access::ReadWrite),
            Folder::new(&reference, Access::ReadOnly),
        ]);
        Fixture {
            _root: root,
            work,
            reference,
            folders,
        }
    }

    fn work(&self, relative: &str) -> String {
        self.work.join(relative).display().to_string()
    }
}

#[tokio::test]
async fn tools_list_matches_the_golden_schema() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let mut tools = client.list_all_tools().await.expect("tools/list");
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    for tool in &tools {
        assert!(
            tool.name.len() <= 64
                && tool
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{} is not a valid tool name",
            tool.name
        );
        assert!(
            tool.annotations.is_some(),
            "{} has no annotations",
            tool.name
        );
    }
    insta::assert_json_snapshot!("files_tools", tools);
}

#[tokio::test]
async fn every_argument_has_a_description() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    for tool in client.list_all_tools().await.unwrap() {
        let schema = Value::Object((*tool.input_schema).clone());
        let mut missing = Vec::new();
        collect_undescribed(&schema, &schema, &mut missing);
        assert!(
            missing.is_empty(),
            "{}: arguments without a description: {missing:?}",
            tool.name
        );
    }
}

fn collect_undescribed(root: &Value, schema: &Value, missing: &mut Vec<String>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        if property.get("description").is_none() {
            missing.push(name.clone());
        }
        // Follow nested objects (such as the edits of edit_file).
        let items = property.get("items").unwrap_or(property);
        if let Some(reference) = items.get("$ref").and_then(Value::as_str) {
            let key = reference.rsplit('/').next().unwrap();
            if let Some(definition) = root.get("$defs").and_then(|d| d.get(key)) {
                collect_undescribed(root, definition, missing);
            }
        }
    }
}

#[tokio::test]
async fn the_instructions_explain_grants_and_name_the_folders() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let info = client.peer_info().expect("server info");
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(
        instructions.contains("list_allowed_folders"),
        "{instructions}"
    );
    assert!(instructions.contains("Switchboard"), "{instructions}");
    assert!(
        instructions.contains(&format!("{} (read-only)", fixture.reference.display())),
        "{instructions}"
    );
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("files")
    );
}

#[tokio::test]
async fn read_file_returns_the_text_exactly_and_by_lines() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let path = fixture.work("notes.txt");
    let whole = ok(&client, "read_file", json!({ "path": path })).await;
    assert_eq!(text_of(&whole), "one\ntwo\nthree\nfour\nfive\n");
    assert!(
        whole.structured_content.is_none(),
        "file text is returned as plain text only"
    );
    for (arguments, expected) in [
        (json!({"path": path, "head": 2}), "one\ntwo\n"),
        (json!({"path": path, "tail": 2}), "four\nfive\n"),
        (
            json!({"path": path, "offset": 2, "limit": 2}),
            "two\nthree\n",
        ),
        (json!({"path": path, "offset": 5}), "five\n"),
    ] {
        let result = ok(&client, "read_file", arguments.clone()).await;
        assert_eq!(text_of(&result), expected, "{arguments}");
    }
    let message = refused(
        &client,
        "read_file",
        json!({"path": path, "head": 1, "tail": 1}),
    )
    .await;
    assert!(message.contains("only one way"), "{message}");
    // A relative path needs a single grant; with two it is ambiguous and says so.
    let message = refused(&client, "read_file", json!({"path": "notes.txt"})).await;
    assert!(message.contains("relative path"), "{message}");
    let result = ok(&client, "read_file", json!({"path": "work/notes.txt"})).await;
    assert!(
        text_of(&result).starts_with("one"),
        "a relative path may start with a granted folder's name"
    );
}

#[tokio::test]
async fn read_file_refuses_binary_and_points_to_read_media_and_the_resource() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let message = refused(
        &client,
        "read_file",
        json!({"path": fixture.work("pixel.png")}),
    )
    .await;
    assert!(message.contains("binary (image/png)"), "{message}");
    assert!(message.contains("read_media"), "{message}");
    assert!(message.contains("file://"), "{message}");
}

#[tokio::test]
async fn large_files_are_read_in_parts_within_the_cap() {
    let fixture = Fixture::new();
    let lines: String = (1..=2000).map(|i| format!("line {i}\n")).collect();
    fs::write(fixture.work("big.log"), &lines).unwrap();
    let limits = Limits {
        max_read_bytes: 4096,
        ..Limits::default()
    };
    let client = connect_with(&fixture.folders, limits).await;
    let path = fixture.work("big.log");
    let message = refused(&client, "read_file", json!({ "path": path })).await;
    assert!(message.contains("4 KiB limit"), "{message}");
    assert!(message.contains("head, tail"), "{message}");
    let head = ok(&client, "read_file", json!({"path": path, "head": 3})).await;
    assert_eq!(text_of(&head), "line 1\nline 2\nline 3\n");
    let tail = ok(&client, "read_file", json!({"path": path, "tail": 2})).await;
    assert_eq!(text_of(&tail), "line 1999\nline 2000\n");
    let message = refused(&client, "read_file", json!({"path": path, "offset": 1900})).await;
    assert!(message.contains("beyond the part"), "{message}");
}

#[tokio::test]
async fn read_multiple_files_returns_each_file_or_its_error() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let result = ok(
        &client,
        "read_multiple_files",
        json!({"paths": [fixture.work("src/main.rs"), fixture.work("missing.txt"), "/etc/hostname"]}),
    )
    .await;
    assert_eq!(result.content.len(), 3, "one block per file");
    let text = text_of(&result);
    assert!(
        text.contains(&format!(
            "==> {} <==\n{MAIN_RS}",
            fixture.work("src/main.rs")
        )),
        "{text}"
    );
    assert!(text.contains("missing.txt does not exist"), "{text}");
    assert!(text.contains("outside the granted folders"), "{text}");
}

#[tokio::test]
async fn read_media_returns_an_image_the_client_can_show() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let result = ok(
        &client,
        "read_media",
        json!({"path": fixture.work("pixel.png")}),
    )
    .await;
    let image = result.content[0].as_image().expect("image content");
    assert_eq!(image.mime_type, "image/png");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&image.data)
            .unwrap(),
        PNG
    );
    let message = refused(
        &client,
        "read_media",
        json!({"path": fixture.work("notes.txt")}),
    )
    .await;
    assert!(message.contains("not an image or audio"), "{message}");
}

#[tokio::test]
async fn write_file_creates_and_replaces_atomically_with_a_summary() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let path = fixture.work("new.txt");
    let created = ok(
        &client,
        "write_file",
        json!({"path": path, "content": "a\nb\n"}),
    )
    .await;
    let summary = created.structured_content.clone().unwrap();
    assert_eq!(summary["created"], true);
    assert_eq!(summary["bytes_written"], 4);
    assert_eq!(summary["lines"], 2);
    assert!(text_of(&created).starts_with(&format!("Created {path}")));
    assert_eq!(fs::read_to_string(&path).unwrap(), "a\nb\n");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let replaced = ok(
        &client,
        "write_file",
        json!({"path": path, "content": "a\nB\nc\n"}),
    )
    .await;
    let summary = replaced.structured_content.clone().unwrap();
    assert_eq!(summary["created"], false);
    assert_eq!(summary["previous_bytes"], 4);
    assert_eq!(
        (
            summary["lines_added"].as_u64(),
            summary["lines_removed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let diff = summary["diff"].as_str().unwrap();
    assert!(diff.contains("-b\n+B\n+c\n"), "{diff}");
    assert!(
        text_of(&replaced).contains("-b\n+B"),
        "the text shows the diff"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "a\nB\nc\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "permissions survive a replace");
    }
    let leftovers: Vec<_> = fs::read_dir(&fixture.work)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files are left: {leftovers:?}"
    );

    let message = refused(
        &client,
        "write_file",
        json!({"path": fixture.work("no/such/dir/x.txt"), "content": "x"}),
    )
    .await;
    assert!(message.contains("does not exist"), "{message}");
    let message = refused(
        &client,
        "write_file",
        json!({"path": fixture.work("src"), "content": "x"}),
    )
    .await;
    assert!(message.contains("is a folder"), "{message}");
}

#[tokio::test]
async fn write_file_refuses_content_over_the_cap_and_files_read_only_on_disk() {
    let fixture = Fixture::new();
    let limits = Limits {
        max_write_bytes: 10,
        ..Limits::default()
    };
    let client = connect_with(&fixture.folders, limits).await;
    let message = refused(
        &client,
        "write_file",
        json!({"path": fixture.work("x.txt"), "content": "0123456789A"}),
    )
    .await;
    assert!(message.contains("write limit"), "{message}");
    assert!(!fixture.work.join("x.txt").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = fixture.work("notes.txt");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
        let message = refused(
            &client,
            "write_file",
            json!({"path": locked, "content": "x"}),
        )
        .await;
        assert!(message.contains("read-only on disk"), "{message}");
        assert!(fs::read_to_string(&locked).unwrap().starts_with("one"));
    }
}

#[tokio::test]
async fn edit_file_applies_exact_edits_and_returns_a_diff() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let path = fixture.work("src/main.rs");
    let edit = json!({
        "path": path,
        "edits": [
            {"old_text": "println!(\"hello\");", "new_text": "println!(\"hello, world\");"},
            {"old_text": "fn main() {\n", "new_text": "/// Entry point.\nfn main() {\n"}
        ]
    });
    let mut preview = edit.clone();
    preview["dry_run"] = json!(true);
    let dry = ok(&client, "edit_file", preview).await;
    let summary = dry.structured_content.clone().unwrap();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["replacements"], 2);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        MAIN_RS,
        "a dry run writes nothing"
    );
    assert!(
        text_of(&dry).starts_with("Dry run, nothing written"),
        "{}",
        text_of(&dry)
    );

    let done = ok(&client, "edit_file", edit).await;
    let summary = done.structured_content.clone().unwrap();
    assert_eq!(
        (
            summary["lines_added"].as_u64(),
            summary["lines_removed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let diff = summary["diff"].as_str().unwrap();
    assert!(
        diff.starts_with(&format!("--- {path}\n+++ {path}\n")),
        "{diff}"
    );
    assert!(diff.contains("+/// Entry point.\n"), "{diff}");
    assert!(
        text_of(&done).contains("+    println!(\"hello, world\");"),
        "{}",
        text_of(&done)
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "/// Entry point.\nfn main() {\n    println!(\"hello, world\");\n}\n"
    );

    // A failing edit among several writes nothing, and says which one and why.
    let before = fs::read_to_string(fixture.work("src/lib.rs")).unwrap();
    let message = refused(
        &client,
        "edit_file",
        json!({"path": fixture.work("src/lib.rs"), "edits": [
            {"old_text": "a + b", "new_text": "a.wrapping_add(b)"},
            {"old_text": "    a.wrapping_add(c)", "new_text": "x"}
        ]}),
    )
    .await;
    assert!(message.starts_with("Edit 2 of"), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    assert_eq!(
        fs::read_to_string(fixture.work("src/lib.rs")).unwrap(),
        before
    );
    let message = refused(
        &client,
        "edit_file",
        json!({"path": fixture.work("notes.txt"), "edits": [{"old_text": "o", "new_text": "0"}]}),
    )
    .await;
    assert!(
        message.contains("occurs 3 times (at lines 1, 2, 4)"),
        "{message}"
    );
    let message = refused(
        &client,
        "edit_file",
        json!({"path": fixture.work("src/lib.rs"), "edits": [{"old_text": "pub fn add(a: i32, b: i32) -> i32 {\na + b", "new_text": ""}]}),
    )
    .await;
    assert!(
        message.contains("line 1 matches it except for whitespace"),
        "{message}"
    );
}

#[tokio::test]
async fn edit_file_stops_edits_that_grow_past_the_write_cap_even_in_a_dry_run() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("note.txt"), "hello\n").unwrap();
    let folders = Folders::new(vec![Folder::new(root.path(), Access::ReadOnly)]);
    let limits = Limits {
        max_write_bytes: 64 * 1024,
        ..Limits::default()
    };
    let client = connect_with(&folders, limits).await;
    // Each edit doubles every "l": 20 of them would make 2 MiB, and 30 of them gigabytes.
    let edits: Vec<Value> = (0..20)
        .map(|_| json!({"old_text": "l", "new_text": "ll", "replace_all": true}))
        .collect();
    let message = refused(
        &client,
        "edit_file",
        json!({"path": "note.txt", "edits": edits, "dry_run": true}),
    )
    .await;
    // 2 "l"s become 2^(n+1) after n edits: edit 15 is the first past 64 KiB.
    assert!(
        message.starts_with("Edit 15 of ") && message.contains("64 KiB write limit"),
        "the edit that crosses the cap is named, before the text grows further: {message}"
    );
    assert_eq!(
        fs::read_to_string(root.path().join("note.txt")).unwrap(),
        "hello\n"
    );
}

#[tokio::test]
async fn list_directory_puts_folders_first_with_file_sizes() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let listing = structured(&client, "list_directory", json!({"path": fixture.work("")})).await;
    assert_eq!(listing["truncated"], false);
    let entries: Vec<(String, String)> = listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("docs", "directory"),
        ("src", "directory"),
        ("notes.txt", "file"),
        ("pixel.png", "file"),
    ];
    assert_eq!(entries, expected.map(|(n, t)| (n.to_owned(), t.to_owned())),);
    assert_eq!(listing["entries"][2]["size"], 24);
    assert!(
        listing["entries"][0].get("size").is_none(),
        "folders have no size"
    );
}

#[tokio::test]
async fn directory_tree_is_bounded_by_depth_and_honours_excludes() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let tree = structured(
        &client,
        "directory_tree",
        json!({"path": fixture.work(""), "depth": 2, "exclude": ["src"]}),
    )
    .await;
    let names: Vec<&str> = tree["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["docs", "notes.txt", "pixel.png"], "src is excluded");
    let docs = &tree["entries"][0];
    assert_eq!(docs["children"][0]["name"], "deep");
    assert!(
        docs["children"][0].get("children").is_none(),
        "folders below the depth are not expanded"
    );
    assert_eq!(tree["truncated"], false);

    let limited = connect_with(
        &fixture.folders,
        Limits {
            max_tree_entries: 3,
            ..Limits::default()
        },
    )
    .await;
    let tree = structured(
        &limited,
        "directory_tree",
        json!({"path": fixture.work("")}),
    )
    .await;
    assert_eq!(tree["truncated"], true);
    assert!(tree["note"].as_str().unwrap().contains("first 3 entries"));
    let message = refused(
        &client,
        "directory_tree",
        json!({"path": fixture.work(""), "depth": 99}),
    )
    .await;
    assert!(message.contains("between 1 and 20"), "{message}");
}

#[tokio::test]
async fn search_files_finds_names_and_content_lines() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let found = structured(
        &client,
        "search_files",
        json!({"path": fixture.work(""), "name": "*.rs"}),
    )
    .await;
    let paths: Vec<&str> = found["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [fixture.work("src/lib.rs"), fixture.work("src/main.rs")]
    );

    let found = structured(
        &client,
        "search_files",
        json!({"path": fixture.work(""), "content": "PRINTLN"}),
    )
    .await;
    assert_eq!(found["matches"][0]["path"], fixture.work("src/main.rs"));
    assert_eq!(found["matches"][0]["line"], 2);
    assert_eq!(found["matches"][0]["text"], "    println!(\"hello\");");
    assert!(
        found["files_skipped"].as_u64().unwrap() >= 1,
        "the PNG is skipped as binary"
    );

    let found = structured(
        &client,
        "search_files",
        json!({"path": fixture.work(""), "content": "^pub fn \\w+", "regex": true, "name": "*.rs", "case_sensitive": true}),
    )
    .await;
    assert_eq!(found["matches"].as_array().unwrap().len(), 1);
    assert_eq!(found["matches"][0]["line"], 1);

    let found = structured(
        &client,
        "search_files",
        json!({"path": fixture.work(""), "name": "o", "max_results": 2}),
    )
    .await;
    assert_eq!(found["matches"].as_array().unwrap().len(), 2);
    assert_eq!(found["truncated"], true);

    let shallow = connect_with(
        &fixture.folders,
        Limits {
            max_search_depth: 2,
            ..Limits::default()
        },
    )
    .await;
    let found = structured(
        &shallow,
        "search_files",
        json!({"path": fixture.work(""), "name": "bottom.txt"}),
    )
    .await;
    assert_eq!(found["matches"], json!([]));
    assert_eq!(found["truncated"], true);
    assert!(
        found["note"]
            .as_str()
            .unwrap()
            .contains("deeper than 2 levels"),
        "{found}"
    );

    let message = refused(&client, "search_files", json!({"path": fixture.work("")})).await;
    assert!(message.contains("Give name"), "{message}");
    let message = refused(
        &client,
        "search_files",
        json!({"path": fixture.work(""), "content": "(", "regex": true}),
    )
    .await;
    assert!(message.contains("not valid"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_costly_content_pattern_stops_at_the_time_limit_with_what_it_found() {
    let root = tempfile::tempdir().unwrap();
    let line = "the quick brown fox jumps over the lazy dog 0123456789\n";
    let text = format!("needle\n{}", line.repeat(512 * 1024 / line.len()));
    fs::write(root.path().join("big.txt"), text).unwrap();
    let folders = Folders::new(vec![Folder::new(root.path(), Access::ReadOnly)]);
    let limits = Limits {
        walk_timeout: std::time::Duration::from_millis(200),
        ..Limits::default()
    };
    let client = connect_with(&folders, limits).await;
    // Linear time, but thousands of states over every byte: minutes for a few MiB.
    let alternatives: Vec<String> = (1..60).map(|i| format!("[a-z0-9 ]{{{i}}}x")).collect();
    let pattern = format!("(?:{})+#|^needle$", alternatives.join("|"));
    let started = std::time::Instant::now();
    let found = structured(
        &client,
        "search_files",
        json!({"path": root.path(), "content": pattern, "regex": true}),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(found["truncated"], true, "{found}");
    assert!(
        found["note"].as_str().unwrap().contains("0.2 s time limit"),
        "{found}"
    );
    assert_eq!(
        found["matches"][0]["line"], 1,
        "what was found is kept: {found}"
    );
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "the search answered {elapsed:?} after it started"
    );
}

#[tokio::test]
async fn move_file_renames_and_refuses_to_overwrite_unless_told() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let moved = structured(
        &client,
        "move_file",
        json!({"source": fixture.work("notes.txt"), "destination": fixture.work("docs/notes.md")}),
    )
    .await;
    assert_eq!(moved["type"], "file");
    assert_eq!(moved["replaced"], false);
    assert!(!fixture.work.join("notes.txt").exists());
    assert!(fixture.work.join("docs/notes.md").exists());

    let message = refused(
        &client,
        "move_file",
        json!({"source": fixture.work("docs/notes.md"), "destination": fixture.work("docs/guide.md")}),
    )
    .await;
    assert!(message.contains("already exists"), "{message}");
    assert!(message.contains("overwrite"), "{message}");
    assert_eq!(
        fs::read_to_string(fixture.work("docs/guide.md")).unwrap(),
        "# Guide\n\nUse the tool.\n"
    );

    let moved = structured(
        &client,
        "move_file",
        json!({"source": fixture.work("docs/notes.md"), "destination": fixture.work("docs/guide.md"), "overwrite": true}),
    )
    .await;
    assert_eq!(moved["replaced"], true);
    assert!(
        fs::read_to_string(fixture.work("docs/guide.md"))
            .unwrap()
            .starts_with("one")
    );

    let moved = structured(
        &client,
        "move_file",
        json!({"source": fixture.work("src"), "destination": fixture.work("code")}),
    )
    .await;
    assert_eq!(moved["type"], "directory");
    assert!(fixture.work.join("code/main.rs").exists());
    let message = refused(
        &client,
        "move_file",
        json!({"source": fixture.work("code"), "destination": fixture.work("code/inner")}),
    )
    .await;
    assert!(message.contains("into itself"), "{message}");
}

#[tokio::test]
async fn create_directory_makes_missing_parents_and_lists_them() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let created = structured(
        &client,
        "create_directory",
        json!({"path": fixture.work("a/b/c")}),
    )
    .await;
    assert_eq!(
        created["created"],
        json!([
            fixture.work("a"),
            fixture.work("a/b"),
            fixture.work("a/b/c")
        ])
    );
    assert!(fixture.work.join("a/b/c").is_dir());
    let again = structured(
        &client,
        "create_directory",
        json!({"path": fixture.work("a/b/c")}),
    )
    .await;
    assert_eq!(again["already_existed"], true);
    let message = refused(
        &client,
        "create_directory",
        json!({"path": fixture.work("notes.txt/x")}),
    )
    .await;
    assert!(message.contains("not a folder"), "{message}");
}

#[tokio::test]
async fn get_file_info_reports_type_size_times_and_access() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let info = structured(
        &client,
        "get_file_info",
        json!({"path": fixture.work("pixel.png")}),
    )
    .await;
    assert_eq!(info["type"], "file");
    assert_eq!(info["size"], PNG.len());
    assert_eq!(info["mime_type"], "image/png");
    assert_eq!(info["grant_access"], "read_write");
    assert_eq!(info["writable"], true);
    assert_eq!(info["hard_links"], 1);
    assert_eq!(info["symlink"], false);
    assert!(info["modified"].as_str().unwrap().ends_with('Z'), "{info}");
    let info = structured(
        &client,
        "get_file_info",
        json!({"path": fixture.reference.join("readme.md").display().to_string()}),
    )
    .await;
    assert_eq!(info["grant_access"], "read_only");
    assert_eq!(info["writable"], false);
    let info = structured(
        &client,
        "get_file_info",
        json!({"path": fixture.work("docs")}),
    )
    .await;
    assert_eq!(info["type"], "directory");
    assert!(info.get("mime_type").is_none());
}

#[tokio::test]
async fn list_allowed_folders_shows_each_grant_and_its_access() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let allowed = structured(&client, "list_allowed_folders", json!({})).await;
    assert_eq!(
        allowed["folders"],
        json!([
            {"path": fixture.work.display().to_string(), "access": "read_write", "exists": true},
            {"path": fixture.reference.display().to_string(), "access": "read_only", "exists": true},
        ])
    );
}

#[tokio::test]
async fn a_grant_change_takes_effect_on_the_next_call_of_every_session() {
    let fixture = Fixture::new();
    let first = connect(&fixture.folders).await;
    let second = connect(&fixture.folders).await;
    let path = fixture.work("notes.txt");
    ok(&first, "read_file", json!({ "path": path })).await;

    // Revoke work/: both sessions are refused on their next call, without a restart.
    fixture
        .folders
        .replace(vec![Folder::new(&fixture.reference, Access::ReadOnly)]);
    for client in [&first, &second] {
        let message = refused(client, "read_file", json!({ "path": path })).await;
        assert!(message.contains("outside the granted folders"), "{message}");
        assert!(
            message.contains(&fixture.reference.display().to_string()),
            "the message names the folders still granted: {message}"
        );
    }

    // Grant it again, read-only this time: reads work, writes are refused.
    fixture
        .folders
        .replace(vec![Folder::new(&fixture.work, Access::ReadOnly)]);
    ok(&second, "read_file", json!({ "path": path })).await;
    let message = refused(&second, "write_file", json!({"path": path, "content": "x"})).await;
    assert!(message.contains("read-only"), "{message}");

    // No grants at all.
    fixture.folders.replace(Vec::new());
    let message = refused(&first, "list_directory", json!({ "path": path })).await;
    assert!(message.contains("No folders are granted"), "{message}");
}

#[tokio::test]
async fn a_read_only_grant_refuses_every_change_and_says_how_to_allow_it() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let readme = fixture.reference.join("readme.md").display().to_string();
    let inside = fixture.reference.join("new").display().to_string();
    for (tool, arguments) in [
        ("write_file", json!({"path": readme, "content": "x"})),
        ("write_file", json!({"path": inside, "content": "x"})),
        (
            "edit_file",
            json!({"path": readme, "edits": [{"old_text": "#", "new_text": "x"}]}),
        ),
        ("create_directory", json!({"path": inside})),
        (
            "move_file",
            json!({"source": readme, "destination": fixture.work("stolen.md")}),
        ),
        (
            "move_file",
            json!({"source": fixture.work("notes.txt"), "destination": inside}),
        ),
    ] {
        let message = refused(&client, tool, arguments.clone()).await;
        assert!(
            message.contains("granted read-only") && message.contains("Switchboard"),
            "{tool} {arguments}: {message}"
        );
    }
    assert_eq!(fs::read_to_string(&readme).unwrap(), "# Reference\n");
    assert!(!fixture.reference.join("new").exists());
    assert!(fixture.work.join("notes.txt").exists());
    // Previewing an edit only reads, so it works on a read-only folder.
    let dry = ok(
        &client,
        "edit_file",
        json!({"path": readme, "dry_run": true, "edits": [{"old_text": "Reference", "new_text": "Ref"}]}),
    )
    .await;
    assert!(text_of(&dry).contains("+# Ref\n"), "{}", text_of(&dry));
}

#[tokio::test]
async fn files_are_resources_with_a_template_text_and_binary_contents() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let templates = client.list_all_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].uri_template, "file:///{+path}");

    let resources = client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    let notes_uri = format!("file://{}", fixture.work("notes.txt"));
    let png_uri = format!("file://{}", fixture.work("pixel.png"));
    assert!(uris.contains(&notes_uri.as_str()), "{uris:?}");
    assert!(uris.contains(&png_uri.as_str()), "{uris:?}");
    assert!(
        uris.iter().any(|u| u.ends_with("/src/main.rs")),
        "one level down is listed: {uris:?}"
    );
    assert!(
        !uris.iter().any(|u| u.ends_with("bottom.txt")),
        "deep files are reached through the template: {uris:?}"
    );
    let png = resources.iter().find(|r| r.uri == png_uri).unwrap();
    assert_eq!(png.mime_type.as_deref(), Some("image/png"));
    assert_eq!(png.size, Some(PNG.len() as u64));

    match &read_resource(&client, &notes_uri).await.unwrap()[0] {
        ResourceContents::TextResourceContents {
            text,
            mime_type,
            uri,
            ..
        } => {
            assert_eq!(text, "one\ntwo\nthree\nfour\nfive\n");
            assert_eq!(mime_type.as_deref(), Some("text/plain"));
            assert_eq!(uri, &notes_uri);
        }
        other => panic!("expected text, got {other:?}"),
    }
    match &read_resource(&client, &png_uri).await.unwrap()[0] {
        ResourceContents::BlobResourceContents {
            blob, mime_type, ..
        } => {
            assert_eq!(mime_type.as_deref(), Some("image/png"));
            assert_eq!(
                base64::engine::general_purpose::STANDARD
                    .decode(blob)
                    .unwrap(),
                PNG
            );
        }
        other => panic!("expected a blob, got {other:?}"),
    }
    let deep = format!("file://{}", fixture.work("docs/deep/deeper/bottom.txt"));
    assert!(
        read_resource(&client, &deep).await.is_ok(),
        "any file through the template"
    );
    let spaced = fixture.work("docs/with space.md");
    fs::write(&spaced, "# spaced\n").unwrap();
    let encoded = format!("file://{}", spaced.replace(' ', "%20"));
    match &read_resource(&client, &encoded).await.unwrap()[0] {
        ResourceContents::TextResourceContents { mime_type, .. } => {
            assert_eq!(mime_type.as_deref(), Some("text/markdown"));
        }
        other => panic!("expected text, got {other:?}"),
    }
    let error = read_resource(&client, &format!("file://{}", fixture.work("nope.txt")))
        .await
        .unwrap_err();
    assert!(error.contains("does not exist"), "{error}");
    let error = read_resource(&client, "file:///etc/passwd")
        .await
        .unwrap_err();
    assert!(error.contains("outside the granted folders"), "{error}");
}

#[tokio::test]
async fn a_modern_era_client_discovers_and_calls_the_tools() {
    let fixture = Fixture::new();
    let (server_end, client_end) = tokio::io::duplex(256 * 1024);
    let server = FilesServer::new(fixture.folders.clone(), Limits::default());
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
    assert_eq!(client.list_all_tools().await.unwrap().len(), 12);
    let result = client
        .call_tool(
            CallToolRequestParams::new("read_file").with_arguments(
                json!({"path": fixture.work("notes.txt"), "head": 1})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&result), "one\n");
    let contents = read_resource(&client, &format!("file://{}", fixture.work("notes.txt")))
        .await
        .unwrap();
    assert_eq!(contents.len(), 1);
}

#[tokio::test]
async fn wrong_argument_types_are_rejected_not_panicked_on() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    for (tool, arguments) in [
        ("read_file", json!({"path": 42})),
        ("read_file", json!({})),
        ("read_file", json!({"path": "x", "head": -1})),
        ("write_file", json!({"path": fixture.work("x")})),
        (
            "edit_file",
            json!({"path": fixture.work("notes.txt"), "edits": "nope"}),
        ),
        (
            "edit_file",
            json!({"path": fixture.work("notes.txt"), "edits": []}),
        ),
        ("read_multiple_files", json!({"paths": []})),
        ("move_file", json!({"source": fixture.work("notes.txt")})),
        (
            "search_files",
            json!({"path": fixture.work(""), "name": "x", "max_results": 0}),
        ),
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
    ok(
        &client,
        "read_file",
        json!({"path": fixture.work("notes.txt")}),
    )
    .await;
}
