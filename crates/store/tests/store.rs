//! The store on real SQLite files in temporary folders: opening, migrating, re-opening,
//! concurrent writers, and every table's reads and writes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::path::Path;

use sqlx::{Connection, SqliteConnection};
use switchboard_store::{
    Access, CallQuery, CallRecord, CallStatus, ClientFile, ClientScope, DB_FILE_NAME, Launch,
    PREVIEW_MAX_CHARS, ServerId, Source, SqlWrite, Store, StoreError,
};
use tempfile::TempDir;

async fn fresh() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open_in(dir.path()).await.unwrap();
    (dir, store)
}

async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

fn id(text: &str) -> ServerId {
    text.parse().unwrap()
}

fn builtin(name: &str) -> Launch {
    Launch::new(Source::Builtin { name: name.into() })
}

fn call(server: &str, tool: &str, at: i64) -> CallRecord {
    CallRecord {
        at,
        client: "claude-ai".into(),
        server: server.into(),
        method: "tools/call".into(),
        tool: Some(tool.into()),
        duration_us: 420,
        status: CallStatus::Ok,
        error_code: None,
        request_bytes: 120,
        response_bytes: 300,
        args_preview: Some(format!(r#"{{"tool":"{tool}"}}"#)),
    }
}

#[tokio::test]
async fn opening_creates_a_private_folder_and_a_wal_database() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("nested").join("data");
    let store = Store::open_in(&data).await.unwrap();
    assert_eq!(store.path(), data.join(DB_FILE_NAME));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o700,
            "the data folder holds the call log: owner only"
        );
    }
    let mut conn = raw(store.path()).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version()
    );
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_migrate_twice() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_in(dir.path()).await.unwrap();
    store
        .upsert_server(&id("clock"), "Clock", &builtin("clock"))
        .await
        .unwrap();
    store.set_setting("log_retention_days", &30).await.unwrap();
    store.close().await;

    let store = Store::open_in(dir.path()).await.unwrap();
    let servers = store.servers().await.unwrap();
    assert_eq!(servers.len(), 1, "the server survives a reopen");
    assert_eq!(servers[0].launch, builtin("clock"));
    assert_eq!(
        store.setting::<u32>("log_retention_days").await.unwrap(),
        Some(30)
    );

    let mut conn = raw(store.path()).await;
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        applied,
        Store::latest_schema_version(),
        "each migration is applied once"
    );
}

#[tokio::test]
async fn an_existing_empty_file_is_migrated_in_place() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version()
    );
}

#[tokio::test]
async fn a_database_from_a_newer_switchboard_is_refused_clearly() {
    let (_dir, store) = fresh().await;
    let path = store.path().to_owned();
    store.close().await;
    let mut conn = raw(&path).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (9999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let error = Store::open(&path).await.unwrap_err();
    assert!(
        matches!(error, StoreError::FromNewerVersion { version: 9999, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer Switchboard"), "{error}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported_and_left_alone() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let junk = b"this is someone's notes, not a database\n".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    let error = Store::open(&path).await.unwrap_err();
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        junk,
        "the file must not be changed"
    );
}

#[tokio::test]
async fn servers_can_be_installed_toggled_and_removed() {
    let (_dir, store) = fresh().await;
    let github = id("github");
    let launch = Launch {
        secrets: vec!["GITHUB_PERSONAL_ACCESS_TOKEN".into()],
        ..Launch::new(Source::Npm {
            package: "@modelcontextprotocol/server-github".into(),
            version: "2025.4.8".into(),
            args: vec![],
        })
    };
    store
        .upsert_server(&github, "GitHub", &launch)
        .await
        .unwrap();
    let record = store.server(&github).await.unwrap().expect("installed");
    assert!(record.enabled, "a new server starts enabled");
    assert_eq!(record.launch, launch);

    store.set_server_enabled(&github, false).await.unwrap();
    store
        .upsert_server(&github, "GitHub (renamed)", &launch)
        .await
        .unwrap();
    let record = store.server(&github).await.unwrap().unwrap();
    assert!(!record.enabled, "reinstalling keeps the user's toggle");
    assert_eq!(record.name, "GitHub (renamed)");

    let error = store
        .set_server_enabled(&id("nope"), true)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UnknownServer(_)));
    assert!(store.remove_server(&github).await.unwrap());
    assert!(!store.remove_server(&github).await.unwrap());
    assert!(store.servers().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_schema_refuses_ids_no_client_accepts() {
    let (_dir, store) = fresh().await;
    let mut conn = raw(store.path()).await;
    let outcome = sqlx::query(
        "INSERT INTO servers (id, name, kind, launch, created_at, updated_at)
         VALUES ('bad id!', 'x', 'builtin', '{}', 0, 0)",
    )
    .execute(&mut conn)
    .await;
    assert!(outcome.is_err(), "the CHECK constraint backs up ServerId");
}

#[tokio::test]
async fn settings_round_trip_as_json() {
    let (_dir, store) = fresh().await;
    assert_eq!(
        store.setting::<bool>("launch_at_login").await.unwrap(),
        None
    );
    store.set_setting("launch_at_login", &true).await.unwrap();
    store
        .set_setting("quit_action", "keep_serving")
        .await
        .unwrap();
    assert_eq!(
        store.setting::<bool>("launch_at_login").await.unwrap(),
        Some(true)
    );
    assert_eq!(
        store
            .setting::<String>("quit_action")
            .await
            .unwrap()
            .as_deref(),
        Some("keep_serving")
    );
    assert!(store.clear_setting("launch_at_login").await.unwrap());
    assert_eq!(
        store.setting::<bool>("launch_at_login").await.unwrap(),
        None
    );
    let wrong_type = store.setting::<u32>("quit_action").await.unwrap_err();
    assert!(matches!(wrong_type, StoreError::Corrupt(_)));
}

#[tokio::test]
async fn grants_are_scoped_upserted_and_removed_with_their_server() {
    let (dir, store) = fresh().await;
    let files = id("files");
    store
        .upsert_server(&files, "Files", &builtin("files"))
        .await
        .unwrap();
    let docs = dir.path().join("Documents");
    let photos = dir.path().join("Photos");

    let everyone = store.grant(&docs, Access::ReadOnly, None).await.unwrap();
    let own = store
        .grant(&photos, Access::ReadOnly, Some(&files))
        .await
        .unwrap();
    let again = store
        .grant(&photos, Access::ReadWrite, Some(&files))
        .await
        .unwrap();
    assert_eq!(
        own, again,
        "granting again in the same scope updates the grant"
    );

    let for_files = store.grants_for(&files).await.unwrap();
    assert_eq!(for_files.len(), 2, "its own grant and the one for everyone");
    assert_eq!(for_files[1].access, Access::ReadWrite);
    assert!(
        store
            .grants_for(&id("other"))
            .await
            .unwrap()
            .iter()
            .all(|g| g.id == everyone)
    );

    let relative = store
        .grant(Path::new("Documents"), Access::ReadOnly, None)
        .await;
    assert!(matches!(relative, Err(StoreError::RelativeGrantPath(_))));
    let unknown = store
        .grant(&docs, Access::ReadOnly, Some(&id("ghost")))
        .await;
    assert!(matches!(unknown, Err(StoreError::UnknownServer(_))));

    store.remove_server(&files).await.unwrap();
    let left = store.grants().await.unwrap();
    assert_eq!(
        left.len(),
        1,
        "a server's own grants go with it (foreign keys are on)"
    );
    assert_eq!(left[0].id, everyone);
    assert!(store.revoke(everyone).await.unwrap());
    assert!(!store.revoke(everyone).await.unwrap());
}

#[tokio::test]
async fn calls_are_logged_filtered_paged_and_pruned() {
    let (_dir, store) = fresh().await;
    let mut batch: Vec<CallRecord> = (0..300)
        .map(|i| call("clock", "get_current_time", i))
        .collect();
    batch.push(CallRecord {
        status: CallStatus::ToolError,
        args_preview: Some(r#"{"expression":"50%_off"}"#.into()),
        ..call("calc", "calculate", 1_000)
    });
    batch.push(CallRecord {
        args_preview: Some("x".repeat(PREVIEW_MAX_CHARS * 3)),
        client: "cursor".into(),
        ..call("calc", "calculate", 1_001)
    });
    let ids = store.record_calls(&batch).await.unwrap();
    assert_eq!(ids.len(), batch.len());
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "ids come back in order"
    );

    let newest = store
        .calls(&CallQuery {
            limit: 5,
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(newest.len(), 5);
    assert_eq!(newest[0].record.at, 1_001, "newest first");
    assert_eq!(
        newest[0].record.args_preview.as_ref().unwrap().len(),
        PREVIEW_MAX_CHARS,
        "previews are capped"
    );

    let errors = store
        .calls(&CallQuery {
            status: Some(CallStatus::ToolError),
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].record.server, "calc");

    let by_text = store
        .calls(&CallQuery {
            text: Some("50%_".into()),
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_text.len(), 1, "% and _ in the search are literal");
    let by_client = store
        .calls(&CallQuery {
            client: Some("cursor".into()),
            ..CallQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_client.len(), 1);

    let mut seen = 0;
    let mut before = None;
    loop {
        let page = store
            .calls(&CallQuery {
                server: Some("clock".into()),
                before_id: before,
                limit: 128,
                ..CallQuery::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen += page.len();
    }
    assert_eq!(seen, 300, "paging back visits every call once");

    assert_eq!(store.prune_calls(100).await.unwrap(), 100);
    let left = store.calls(&CallQuery::default()).await.unwrap();
    assert_eq!(left.len(), 202);
    assert!(left.iter().all(|c| c.record.at >= 100));
}

#[tokio::test]
async fn the_call_log_survives_a_process_that_never_closed_the_store() {
    let (dir, store) = fresh().await;
    store
        .record_calls(&[call("clock", "get_current_time", 7)])
        .await
        .unwrap();
    // Dropping without close() is what a crash looks like to the file: the WAL is not
    // checkpointed. A new handle must still see the call.
    std::mem::forget(store);
    let reopened = Store::open_in(dir.path()).await.unwrap();
    let calls = reopened.calls(&CallQuery::default()).await.unwrap();
    assert_eq!(calls.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_worth_of_writers_share_the_file() {
    let (dir, first) = fresh().await;
    let second = Store::open_in(dir.path()).await.unwrap();
    let write = |store: Store, server: &'static str| {
        tokio::spawn(async move {
            for i in 0..100 {
                store.record_calls(&[call(server, "t", i)]).await?;
            }
            Ok::<_, StoreError>(())
        })
    };
    let (a, b) = tokio::join!(write(first.clone(), "a"), write(second, "b"));
    a.unwrap().unwrap();
    b.unwrap().unwrap();
    let all = first.calls(&CallQuery::default()).await.unwrap();
    assert_eq!(
        all.len(),
        200,
        "the busy timeout makes writers wait, not fail"
    );
}

#[tokio::test]
async fn tools_can_be_switched_off_and_on_and_go_with_their_server() {
    let (_dir, store) = fresh().await;
    let files = id("files");
    store
        .upsert_server(&files, "Files", &builtin("files"))
        .await
        .unwrap();
    store
        .set_tool_enabled(&files, "write_file", false)
        .await
        .unwrap();
    store
        .set_tool_enabled(&files, "write_file", false)
        .await
        .unwrap();
    store
        .set_tool_enabled(&files, "move_file", false)
        .await
        .unwrap();
    let off: Vec<String> = store
        .disabled_tools(&files)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(off, ["move_file", "write_file"]);
    store
        .set_tool_enabled(&files, "move_file", true)
        .await
        .unwrap();
    assert_eq!(store.disabled_tools(&files).await.unwrap().len(), 1);
    let unknown = store.set_tool_enabled(&id("ghost"), "x", false).await;
    assert!(matches!(unknown, Err(StoreError::UnknownServer(_))));
    store.remove_server(&files).await.unwrap();
    assert!(store.disabled_tools(&files).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_database_from_the_first_release_is_migrated_and_keeps_its_data() {
    // Build a database exactly as schema version 1 left it, with data in it.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    let migrator = sqlx::migrate::Migrator::new(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )))
    .await
    .unwrap();
    migrator.run_to(1, &mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO servers (id, name, kind, launch, enabled, created_at, updated_at)
         VALUES ('clock', 'Clock', 'builtin', '{\"kind\":\"builtin\",\"name\":\"clock\"}', 1, 0, 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version()
    );
    let clock = store
        .server(&id("clock"))
        .await
        .unwrap()
        .expect("kept across the migration");
    assert_eq!(clock.launch, builtin("clock"));
    store
        .set_tool_enabled(&clock.id, "convert_time", false)
        .await
        .unwrap();
}

#[tokio::test]
async fn prompt_templates_are_kept_by_name_and_replaced_whole() {
    let (_dir, store) = fresh().await;
    assert!(store.prompt_templates().await.unwrap().is_empty());
    store
        .save_prompt_template("standup", r#"{"name":"standup","messages":[]}"#)
        .await
        .unwrap();
    store
        .save_prompt_template("standup", r#"{"name":"standup","v":2}"#)
        .await
        .unwrap();
    let stored = store.prompt_templates().await.unwrap();
    assert_eq!(stored.len(), 1, "saving again replaces");
    assert_eq!(stored[0].definition, r#"{"name":"standup","v":2}"#);
    let bad_name = store.save_prompt_template("two words", "{}").await;
    assert!(
        bad_name.is_err(),
        "the schema refuses names clients cannot use"
    );
    let not_json = store.save_prompt_template("x", "{").await;
    assert!(
        not_json.is_err(),
        "the schema refuses a definition that is not JSON"
    );
    assert!(store.remove_prompt_template("standup").await.unwrap());
    assert!(!store.remove_prompt_template("standup").await.unwrap());
}

#[tokio::test]
async fn sql_writes_are_journalled_newest_first() {
    let (_dir, store) = fresh().await;
    for rows in [1, 2] {
        store
            .record_sql_write(&SqlWrite {
                at: rows,
                server: "sql".into(),
                engine: "sqlite".into(),
                database: "/data/app.db".into(),
                statement: "UPDATE t SET a = ?1".into(),
                parameters: 1,
                rows_changed: rows,
                last_insert_id: None,
                tables: vec!["t".into()],
            })
            .await
            .unwrap();
    }
    let writes = store.sql_writes(10).await.unwrap();
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[0].rows_changed, 2, "newest first");
    assert_eq!(writes[0].tables, ["t"]);
}

#[tokio::test]
async fn call_samples_are_the_newest_calls_since_a_time_with_their_figures() {
    let (_dir, store) = fresh().await;
    let mut calls: Vec<CallRecord> = (0..10).map(|i| call("calc", "add", 1_000 + i)).collect();
    calls[9].status = CallStatus::RpcError;
    calls[9].duration_us = 9_000;
    store.record_calls(&calls).await.unwrap();
    let samples = store.call_samples(1_005, 3).await.unwrap();
    let times: Vec<i64> = samples.iter().map(|c| c.at).collect();
    assert_eq!(
        times,
        [1_009, 1_008, 1_007],
        "newest first, capped at the limit"
    );
    assert_eq!(samples[0].status, CallStatus::RpcError, "status is kept");
    assert_eq!(samples[0].duration_us, 9_000, "duration is kept");
    assert_eq!(samples[0].server, "calc");
    assert!(
        store.call_samples(2_000, 10).await.unwrap().is_empty(),
        "nothing after the newest call"
    );
}

fn client_file(client: &str, scope: ClientScope, project: Option<&str>, path: &str) -> ClientFile {
    ClientFile {
        client: client.into(),
        scope,
        project: project.map(Into::into),
        path: path.into(),
    }
}

fn names(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, server)| ((*name).to_owned(), (*server).to_owned()))
        .collect()
}

#[tokio::test]
async fn client_entries_are_kept_per_file_and_replaced_whole() {
    let (_dir, store) = fresh().await;
    let cursor = client_file("cursor", ClientScope::User, None, "/h/.cursor/mcp.json");
    let cursor_app = client_file(
        "cursor",
        ClientScope::Project,
        Some("/src/app"),
        "/src/app/.cursor/mcp.json",
    );
    let claude_local = client_file(
        "claude-code",
        ClientScope::Local,
        Some("/src/app"),
        "/h/.claude.json",
    );
    let none = std::collections::BTreeSet::new();
    store
        .record_client_entries(
            &cursor,
            &names(&[("github-switchboard", "github"), ("clock", "clock")]),
            &none,
        )
        .await
        .unwrap();
    store
        .record_client_entries(&cursor_app, &names(&[("clock", "clock")]), &none)
        .await
        .unwrap();
    store
        .record_client_entries(&claude_local, &names(&[("files", "files")]), &none)
        .await
        .unwrap();

    assert_eq!(
        store.managed_client_entries(&cursor).await.unwrap(),
        names(&[("clock", "clock"), ("github-switchboard", "github")]),
        "the user file's entries, not the project's"
    );
    let files = store.managed_client_files().await.unwrap();
    let listed: Vec<(&str, ClientScope, usize)> = files
        .iter()
        .map(|f| (f.file.client.as_str(), f.file.scope, f.entries.len()))
        .collect();
    assert_eq!(
        listed,
        [
            ("claude-code", ClientScope::Local, 1),
            ("cursor", ClientScope::User, 2),
            ("cursor", ClientScope::Project, 1),
        ],
        "one group per file, ordered by client and scope"
    );
    let first_written = files[1].entries[0].written_at;

    // Replacing keeps the time of untouched entries, bumps the written ones, drops the rest.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let written = std::collections::BTreeSet::from(["clock".to_owned()]);
    store
        .record_client_entries(
            &cursor,
            &names(&[("clock", "clock"), ("notes", "notes")]),
            &written,
        )
        .await
        .unwrap();
    let files = store.managed_client_files().await.unwrap();
    let user = files
        .iter()
        .find(|f| f.file.same_file(&cursor))
        .expect("the user file is still managed");
    assert_eq!(
        user.names(),
        names(&[("clock", "clock"), ("notes", "notes")])
    );
    assert!(
        user.entries[0].written_at > first_written,
        "a rewritten entry gets a new time"
    );

    // Forgetting every entry forgets the file.
    store
        .record_client_entries(&cursor_app, &names(&[]), &none)
        .await
        .unwrap();
    assert!(
        store
            .managed_client_entries(&cursor_app)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.managed_client_files().await.unwrap().len(), 2);
}

#[tokio::test]
async fn client_entries_refuse_names_clients_reject_and_one_server_twice_in_a_file() {
    let (_dir, store) = fresh().await;
    let file = client_file("cursor", ClientScope::User, None, "/h/.cursor/mcp.json");
    let none = std::collections::BTreeSet::new();
    let error = store
        .record_client_entries(&file, &names(&[("has space", "clock")]), &none)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("has space"), "{error}");
    let error = store
        .record_client_entries(&file, &names(&[("a", "clock"), ("b", "clock")]), &none)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("UNIQUE"),
        "one entry per server and file: {error}"
    );
    assert!(
        store
            .managed_client_entries(&file)
            .await
            .unwrap()
            .is_empty(),
        "a refused write leaves nothing behind"
    );
    let relative = client_file(
        "cursor",
        ClientScope::Project,
        Some("app"),
        "app/.cursor/mcp.json",
    );
    let error = store
        .record_client_entries(&relative, &names(&[("clock", "clock")]), &none)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("absolute"), "{error}");
}

#[tokio::test]
async fn a_database_from_before_client_entries_gains_the_table_and_keeps_its_servers() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    let migrator = sqlx::migrate::Migrator::new(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )))
    .await
    .unwrap();
    migrator.run_to(3, &mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO servers (id, name, kind, launch, enabled, created_at, updated_at)
         VALUES ('clock', 'Clock', 'builtin', '{\"kind\":\"builtin\",\"name\":\"clock\"}', 1, 0, 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version(),
        "migrated to the latest, through 4"
    );
    assert!(store.server(&id("clock")).await.unwrap().is_some());
    let file = client_file(
        "zed",
        ClientScope::User,
        None,
        "/h/.config/zed/settings.json",
    );
    store
        .record_client_entries(
            &file,
            &names(&[("clock", "clock")]),
            &std::collections::BTreeSet::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.managed_client_entries(&file).await.unwrap(),
        names(&[("clock", "clock")])
    );
}
