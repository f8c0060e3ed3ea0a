//! The built-in servers as a user gets them: installed in the daemon, reached through
//! `switchboard connect` by a real MCP client, with folders granted and settings changed
//! through the CLI while sessions are open. Linux only (the daemon's socket and the files
//! sandbox's fd-relative opens are tested here on Linux).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{
    io::{Read, Write},
    net::TcpListener,
    time::{Duration, Instant},
};

use client::{call, connect, control, text};
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams};
use serde_json::{Value, json};
use switchboard_hub::Request;
use switchboard_store::SqlWrite;
use switchboard_tests::Home;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_change_reaches_an_open_files_session_on_its_next_call() {
    let home = Home::new();
    let docs = home.folder("docs");
    std::fs::write(docs.join("plan.txt"), "ship it\n").unwrap();
    let plan = docs.join("plan.txt").display().to_string();
    let client = connect(&home, "files").await;

    let refused = call(&client, "read_file", json!({"path": plan})).await;
    assert_eq!(refused.is_error, Some(true), "nothing granted yet");
    assert!(
        text(&refused).contains("No folders are granted"),
        "{}",
        text(&refused)
    );

    home.run(&["grant", docs.to_str().unwrap(), "--server", "files"]);
    let read = call(&client, "read_file", json!({"path": plan})).await;
    assert_eq!(text(&read), "ship it\n", "the same session, no restart");
    let write = call(
        &client,
        "write_file",
        json!({"path": plan, "content": "changed\n"}),
    )
    .await;
    assert_eq!(write.is_error, Some(true), "granted read-only");
    assert!(text(&write).contains("read-only"), "{}", text(&write));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), "ship it\n");

    home.run(&[
        "grant",
        docs.to_str().unwrap(),
        "--server",
        "files",
        "--read-write",
    ]);
    let write = call(
        &client,
        "write_file",
        json!({"path": plan, "content": "changed\n"}),
    )
    .await;
    assert_ne!(write.is_error, Some(true), "{}", text(&write));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), "changed\n");

    let grants = home.run(&["grants", "--server", "files"]);
    let id = grants
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches('#');
    home.run(&["revoke", id]);
    let refused = call(&client, "read_file", json!({"path": plan})).await;
    assert_eq!(refused.is_error, Some(true), "revoked on the next call");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_written_in_one_session_are_found_by_another() {
    let home = Home::new();
    let notes = home.folder("notes");
    home.run(&[
        "grant",
        notes.to_str().unwrap(),
        "--server",
        "notes",
        "--read-write",
    ]);
    let writer = connect(&home, "notes").await;
    let written = call(
        &writer,
        "write_note",
        json!({"title": "Heron migration", "body": "The herons leave the marsh in October."}),
    )
    .await;
    assert_ne!(written.is_error, Some(true), "{}", text(&written));
    let path = written.structured_content.unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(path.starts_with(notes.to_str().unwrap()), "{path}");

    // One knowledge base serves every session of the server.
    let reader = connect(&home, "notes").await;
    let found = call(
        &reader,
        "search_knowledge",
        json!({"query": "herons october"}),
    )
    .await;
    let results = &found.structured_content.unwrap()["results"];
    assert_eq!(results[0]["path"], path, "{results}");
    writer.cancel().await.unwrap();
    reader.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_writes_are_journalled_and_reads_stay_read_only() {
    let home = Home::new();
    let data = home.folder("data");
    let db = data.join("shop.db");
    let database = db.display().to_string();
    home.run(&[
        "grant",
        data.to_str().unwrap(),
        "--server",
        "sql",
        "--read-write",
    ]);
    let client = connect(&home, "sql").await;
    // execute does not create files: make an empty database first.
    std::fs::File::create(&db).unwrap();
    let created = call(
        &client,
        "execute",
        json!({"database": database, "sql": "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)",
               "more_statements": [{"sql": "INSERT INTO orders (total) VALUES (?1), (?2)", "params": [9.5, 20]}]}),
    )
    .await;
    assert_ne!(created.is_error, Some(true), "{}", text(&created));
    let refused = call(
        &client,
        "query",
        json!({"database": database, "sql": "DELETE FROM orders"}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true), "query never writes");
    let sum = call(
        &client,
        "query",
        json!({"database": database, "sql": "SELECT sum(total) AS total FROM orders"}),
    )
    .await;
    assert!(
        sum.structured_content.unwrap().to_string().contains("29.5"),
        "both rows are there"
    );

    let mut control = control(&home).await;
    let mut writes: Vec<SqlWrite> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while writes.len() < 2 && Instant::now() < deadline {
        writes = control
            .call(Request::SqlWrites { limit: 10 })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        writes.len(),
        2,
        "both statements are journalled: {writes:?}"
    );
    let insert = &writes[0];
    assert_eq!(insert.server, "sql");
    assert_eq!(insert.rows_changed, 2);
    assert_eq!(insert.parameters, 2);
    assert!(
        !format!("{writes:?}").contains("9.5"),
        "parameter values are never journalled"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_added_in_the_cli_is_offered_and_the_settings_resource_hides_values() {
    let home = Home::new();
    home.run(&[
        "add",
        "mine",
        "--env",
        "API_TOKEN=tok_canary_123456",
        "--",
        "true",
    ]);
    let client = connect(&home, "prompts").await;
    let before = client.list_all_prompts().await.unwrap().len();

    let file = home.folder("templates").join("standup.toml");
    std::fs::write(
        &file,
        r#"
description = "Stand-up from notes"
[[arguments]]
name = "notes"
required = true
[[messages]]
role = "user"
text = "Write my stand-up from: {{notes}}"
"#,
    )
    .unwrap();
    let said = home.run(&["prompts", "add", file.to_str().unwrap()]);
    assert!(said.contains("Saved the template \"standup\""), "{said}");
    assert_eq!(
        client.list_all_prompts().await.unwrap().len(),
        before + 1,
        "the open session sees it"
    );
    let prompt = client
        .get_prompt(
            GetPromptRequestParams::new("standup")
                .with_arguments(json!({"notes": "fixed CI"}).as_object().cloned().unwrap()),
        )
        .await
        .unwrap();
    let first = serde_json::to_value(&prompt.messages[0].content).unwrap();
    assert_eq!(first["text"], "Write my stand-up from: fixed CI");

    let settings = client
        .read_resource(ReadResourceRequestParams::new(
            "config://switchboard/settings",
        ))
        .await
        .unwrap();
    let body = serde_json::to_value(&settings.contents[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let parsed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed["settings"]["fetch.allow_private_addresses"], false);
    let mine = parsed["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "mine")
        .unwrap();
    assert_eq!(mine["settings"], json!(["API_TOKEN"]), "names only");
    assert!(
        !body.contains("tok_canary_123456"),
        "a value never reaches the model: {body}"
    );

    let bad = home.folder("templates").join("bad.toml");
    std::fs::write(
        &bad,
        "[[messages]]\nrole = \"user\"\ntext = \"{{undeclared}}\"\n",
    )
    .unwrap();
    let output = home
        .command(&["prompts", "add", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("declares no argument \"undeclared\""),
        "{error}"
    );
    client.cancel().await.unwrap();
}

/// A one-page HTTP server on loopback that counts the requests it answers.
fn local_page() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/page", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = "<html><head><title>Local</title></head><body><h1>Hello from here</h1></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_refuses_this_computer_until_the_user_allows_private_addresses() {
    let home = Home::new();
    let (url, served) = local_page();
    let client = connect(&home, "fetch").await;
    let refused = call(&client, "fetch", json!({"url": url})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("allow private network addresses in Switchboard's settings"),
        "{}",
        text(&refused)
    );
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing reached the page"
    );

    let said = home.run(&["settings", "fetch.allow_private_addresses", "true"]);
    assert!(
        said.contains("fetch.allow_private_addresses = true"),
        "{said}"
    );
    let fresh = connect(&home, "fetch").await;
    let fetched = call(&fresh, "fetch", json!({"url": url})).await;
    assert_ne!(fetched.is_error, Some(true), "{}", text(&fetched));
    assert!(
        text(&fetched).contains("# Hello from here"),
        "{}",
        text(&fetched)
    );

    let wrong = home
        .command(&["settings", "fetch.allow_private_addresses", "maybe"])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("is true or false, not \"maybe\""),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    client.cancel().await.unwrap();
    fresh.cancel().await.unwrap();
}
