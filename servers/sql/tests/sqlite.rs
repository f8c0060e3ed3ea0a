//! The SQLite side through a real MCP client: real database files in temp dirs, read-only
//! enforcement decided by SQLite, grants, the write journal, limits on time and size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;
#[path = "support/fixtures.rs"]
mod fixtures;

use std::{sync::Arc, time::Duration};

use client::{call, connect, refusal, structured, text_of};
use fixtures::{LiveGrants, Shop, make_shop, server};
use serde_json::json;
use server_sql::{Access, Engine, Limits, SqlConfig, SqlServer};

fn quick_limits() -> Limits {
    Limits {
        statement_timeout: Duration::from_millis(700),
        ..Limits::default()
    }
}

#[tokio::test]
async fn query_returns_columns_and_rows_with_parameters() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;

    let result = call(
        &client,
        "query",
        json!({
            "database": shop.database(),
            "sql": "SELECT name, email FROM customers WHERE id >= ?1 AND id <= ?2 ORDER BY id",
            "params": [1, 2],
        }),
    )
    .await;
    let answer = structured(&result);
    assert_eq!(
        answer["columns"],
        json!([{"name": "name"}, {"name": "email"}])
    );
    assert_eq!(
        answer["rows"],
        json!([["Ada", "ada@example.com"], ["Grace", "grace@example.com"]])
    );
    assert_eq!(answer["truncated"], json!(false));
    assert_eq!(answer["row_count"], json!(2));

    let named = structured(
        &call(
            &client,
            "query",
            json!({
                "database": shop.database(),
                "sql": "SELECT count(*) AS n, sum(total) AS total FROM orders WHERE customer_id = :who",
                "params": {"who": 1},
            }),
        )
        .await,
    );
    assert_eq!(named["rows"], json!([[2, 270.5]]), "named parameters bind");

    let relative = structured(
        &call(
            &client,
            "query",
            json!({"database": "shop.db", "sql": "SELECT photo FROM customers WHERE id = 1"}),
        )
        .await,
    );
    assert_eq!(
        relative["rows"],
        json!([[{"base64": "AAECAw==", "bytes": 4}]]),
        "a path relative to the granted folder works, BLOBs come as base64"
    );
}

#[tokio::test]
async fn parameters_that_do_not_fit_are_refused_with_the_statements_parameters() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let cases = [
        (
            json!({"sql": "SELECT ?1, ?2", "params": [1]}),
            "2 parameter(s)",
        ),
        (json!({"sql": "SELECT :a"}), "no params were given"),
        (
            json!({"sql": "SELECT :a", "params": {"b": 1}}),
            "no value for the parameter :a",
        ),
        (
            json!({"sql": "SELECT :a", "params": {"a": 1, "zzz": 2}}),
            "does not use: zzz",
        ),
        (
            json!({"sql": "SELECT ?", "params": {"a": 1}}),
            "pass params as an array",
        ),
    ];
    for (mut arguments, expected) in cases {
        arguments["database"] = json!(shop.database());
        let message = refusal(&call(&client, "query", arguments.clone()).await);
        assert!(
            message.contains(expected),
            "{arguments}: expected {expected:?} in {message}"
        );
    }
}

#[tokio::test]
async fn query_refuses_every_write_form_and_the_file_stays_byte_identical() {
    let shop = Shop::new();
    let before = shop.bytes();
    let escape = shop.dir.path().join("escape.db");
    let (server, journal) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    let attempts = [
        "INSERT INTO customers (name) VALUES ('Mallory')".to_owned(),
        "UPDATE orders SET total = 0".to_owned(),
        "DELETE FROM orders".to_owned(),
        "CREATE TABLE evil (x)".to_owned(),
        "CREATE TEMP TABLE evil (x)".to_owned(),
        "DROP TABLE orders".to_owned(),
        "ALTER TABLE customers ADD COLUMN x".to_owned(),
        "CREATE INDEX evil ON customers(name)".to_owned(),
        "REINDEX".to_owned(),
        "ANALYZE".to_owned(),
        "PRAGMA user_version = 42".to_owned(),
        "PRAGMA journal_mode = WAL".to_owned(),
        "PRAGMA query_only = 0".to_owned(),
        "PRAGMA writable_schema = 1".to_owned(),
        "PRAGMA wal_checkpoint".to_owned(),
        format!("ATTACH DATABASE '{}' AS other", escape.display()),
        "DETACH DATABASE main".to_owned(),
        format!("VACUUM INTO '{}'", escape.display()),
        "VACUUM".to_owned(),
        "SELECT load_extension('/tmp/evil.so')".to_owned(),
        "SELECT 1; DROP TABLE orders".to_owned(),
        "SELECT 1; INSERT INTO customers (name) VALUES ('x')".to_owned(),
        "SELECT 1 /* hide */; DELETE FROM orders -- more".to_owned(),
        "-- a comment\nDELETE FROM orders".to_owned(),
        "/* SELECT */ DELETE FROM orders".to_owned(),
        "WITH x AS (SELECT 1) INSERT INTO customers (name) SELECT 'x' FROM x".to_owned(),
        "WITH x AS (SELECT 1) DELETE FROM orders WHERE id IN (SELECT * FROM x)".to_owned(),
        "INSERT INTO customers (name) VALUES ('x') RETURNING id".to_owned(),
        "REPLACE INTO customers (id, name) VALUES (1, 'x')".to_owned(),
        "BEGIN".to_owned(),
        "BEGIN IMMEDIATE".to_owned(),
        "SAVEPOINT s".to_owned(),
        "COMMIT".to_owned(),
        "CREATE VIRTUAL TABLE evil USING fts5(x)".to_owned(),
    ];
    for sql in &attempts {
        let result = call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": sql}),
        )
        .await;
        let message = refusal(&result);
        assert!(
            !message.is_empty() && message.len() < 600,
            "{sql}: the refusal is a short message: {message}"
        );
    }
    assert_eq!(
        shop.bytes(),
        before,
        "the database file must be byte-identical after every refused statement"
    );
    assert!(!escape.exists(), "nothing may be written outside the file");
    assert!(journal.records.lock().unwrap().is_empty());

    // The refusals say what to do.
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "DELETE FROM orders"}),
        )
        .await,
    );
    assert!(message.contains("execute"), "points at execute: {message}");
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT 1; DROP TABLE orders"}),
        )
        .await,
    );
    assert!(message.contains("one SQL statement"), "{message}");
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": format!("ATTACH '{}' AS x", escape.display())}),
        )
        .await,
    );
    assert!(message.contains("ATTACH"), "{message}");

    // Reading pragmas still work.
    let info = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT name FROM pragma_table_info('customers')"}),
        )
        .await,
    );
    assert_eq!(info["row_count"], json!(4));
    let version = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "PRAGMA user_version"}),
        )
        .await,
    );
    assert_eq!(version["rows"], json!([[0]]));
}

#[tokio::test]
async fn execute_refuses_what_reaches_outside_the_file() {
    let shop = Shop::new();
    let escape = shop.dir.path().join("escape.db");
    let (server, journal) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    for sql in [
        format!("ATTACH DATABASE '{}' AS other", escape.display()),
        format!("VACUUM INTO '{}'", escape.display()),
        "SELECT load_extension('/tmp/evil.so')".to_owned(),
        "PRAGMA journal_mode = OFF".to_owned(),
        "PRAGMA writable_schema = ON".to_owned(),
        "BEGIN".to_owned(),
        "COMMIT".to_owned(),
        "UPDATE orders SET total = 1; DROP TABLE customers".to_owned(),
    ] {
        let result = call(
            &client,
            "execute",
            json!({"database": shop.database(), "sql": sql}),
        )
        .await;
        let message = refusal(&result);
        assert!(message.len() < 600, "{sql}: {message}");
    }
    assert!(!escape.exists(), "nothing may be written outside the file");
    assert!(journal.records.lock().unwrap().is_empty());
    let count = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT count(*) FROM orders WHERE total = 1"}),
        )
        .await,
    );
    assert_eq!(
        count["rows"],
        json!([[0]]),
        "the refused UPDATE did not run"
    );
}

#[tokio::test]
async fn a_path_outside_the_grant_is_refused_and_the_folders_are_named() {
    let shop = Shop::new();
    let elsewhere = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    for tool in ["query", "execute", "list_tables"] {
        let message = refusal(
            &call(
                &client,
                tool,
                json!({"database": elsewhere.database(), "sql": "SELECT 1"}),
            )
            .await,
        );
        assert!(
            message.contains("outside the granted folders"),
            "{tool}: {message}"
        );
        let folder = std::fs::canonicalize(shop.dir.path()).unwrap();
        assert!(
            message.contains(&folder.display().to_string()),
            "{tool}: names the granted folder: {message}"
        );
    }
    let dotted = format!(
        "{}/../{}/shop.db",
        shop.dir.path().display(),
        elsewhere.dir.path().file_name().unwrap().to_string_lossy()
    );
    refusal(
        &call(
            &client,
            "query",
            json!({"database": dotted, "sql": "SELECT 1"}),
        )
        .await,
    );
}

#[tokio::test]
async fn a_read_only_grant_refuses_execute_and_says_how_to_grant_writes() {
    let shop = Shop::new();
    let before = shop.bytes();
    let (server, journal) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let message = refusal(
        &call(
            &client,
            "execute",
            json!({"database": shop.database(), "sql": "DELETE FROM orders"}),
        )
        .await,
    );
    assert!(message.contains("read-only"), "{message}");
    assert!(
        message.contains("switchboard grant") && message.contains("--read-write"),
        "says how the user grants write access: {message}"
    );
    assert_eq!(shop.bytes(), before);
    assert!(journal.records.lock().unwrap().is_empty());
}

#[tokio::test]
async fn execute_changes_the_file_and_journals_what_changed_without_values() {
    let shop = Shop::new();
    let (server, journal) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    let result = call(
        &client,
        "execute",
        json!({
            "database": shop.database(),
            "sql": "INSERT INTO customers (name, email) VALUES (?1, ?2)",
            "params": ["Margaret", "secret-value@example.com"],
        }),
    )
    .await;
    let answer = structured(&result);
    assert_eq!(answer["rows_changed"], json!(1));
    assert_eq!(answer["statements"][0]["last_insert_id"], json!(4));
    assert_eq!(answer["statements"][0]["tables"], json!(["customers"]));

    let update = structured(
        &call(
            &client,
            "execute",
            json!({
                "database": shop.database(),
                "sql": "UPDATE orders SET total = total * 2 WHERE customer_id = :who RETURNING id, total",
                "params": {":who": 1},
            }),
        )
        .await,
    );
    assert_eq!(update["rows_changed"], json!(2));
    assert_eq!(
        update["statements"][0]["returned"]["rows"],
        json!([[1, 501.0], [2, 40.0]])
    );

    let records = journal.records.lock().unwrap().clone();
    assert_eq!(records.len(), 2, "one record per committed statement");
    let first = &records[0];
    assert_eq!(first.engine, Engine::Sqlite);
    assert_eq!(first.database, shop.database());
    assert_eq!(first.parameters, 2);
    assert_eq!(first.rows_changed, 1);
    assert_eq!(first.last_insert_id, Some(4));
    assert_eq!(first.tables, vec!["customers".to_owned()]);
    assert!(
        !format!("{records:?}").contains("secret-value"),
        "parameter values are never recorded"
    );

    // Another connection sees the change: it was committed to the file.
    let reader = rusqlite::Connection::open(&shop.path).unwrap();
    let name: String = reader
        .query_row("SELECT name FROM customers WHERE id = 4", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(name, "Margaret");
}

#[tokio::test]
async fn several_statements_commit_together_or_not_at_all() {
    let shop = Shop::new();
    let (server, journal) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    let before = shop.bytes();
    let message = refusal(
        &call(
            &client,
            "execute",
            json!({
                "database": shop.database(),
                "sql": "DELETE FROM orders",
                "more_statements": [
                    {"sql": "INSERT INTO customers (id, name) VALUES (?1, 'dup')", "params": [1]},
                ],
            }),
        )
        .await,
    );
    assert!(
        message.contains("statement 2 of 2") && message.contains("nothing was changed"),
        "{message}"
    );
    assert_eq!(shop.bytes(), before, "the failed transaction left no trace");
    assert!(journal.records.lock().unwrap().is_empty());

    let both = structured(
        &call(
            &client,
            "execute",
            json!({
                "database": shop.database(),
                "sql": "CREATE TABLE tags (name TEXT PRIMARY KEY)",
                "more_statements": [
                    {"sql": "INSERT INTO tags VALUES ('a'), ('b')"},
                    {"sql": "DELETE FROM orders WHERE total < ?1", "params": [50]},
                ],
            }),
        )
        .await,
    );
    assert_eq!(both["rows_changed"], json!(3));
    assert_eq!(journal.records.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_runaway_query_is_stopped_and_the_database_stays_usable() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadWrite, quick_limits());
    let client = connect(server).await;
    for (tool, sql) in [
        (
            "query",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        ),
        (
            "query",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n ORDER BY 1",
        ),
        (
            "execute",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
             INSERT INTO orders (customer_id, total) SELECT 1, i FROM n",
        ),
    ] {
        let started = std::time::Instant::now();
        let result = call(
            &client,
            tool,
            json!({"database": shop.database(), "sql": sql}),
        )
        .await;
        let message = refusal(&result);
        assert!(message.contains("0.7 s limit"), "{tool}: {message}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{tool} was stopped near its limit, took {:?}",
            started.elapsed()
        );
    }
    let after = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT count(*) FROM orders"}),
        )
        .await,
    );
    assert_eq!(
        after["rows"],
        json!([[4]]),
        "the stopped INSERT was rolled back"
    );
}

#[tokio::test]
async fn rows_are_limited_and_the_result_says_so() {
    let shop = Shop::new();
    let limits = Limits {
        max_rows: 50,
        ..Limits::default()
    };
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, limits);
    let client = connect(server).await;
    let series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i FROM n";
    let asked = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": series, "max_rows": 10}),
        )
        .await,
    );
    assert_eq!(asked["row_count"], json!(10));
    assert_eq!(asked["truncated"], json!(true));
    assert!(asked["note"].as_str().unwrap().contains("first 10 rows"));

    let capped = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": series, "max_rows": 100000}),
        )
        .await,
    );
    assert_eq!(
        capped["row_count"],
        json!(50),
        "max_rows is capped by the limit"
    );

    let exact = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT id FROM customers", "max_rows": 3}),
        )
        .await,
    );
    assert_eq!(
        exact["truncated"],
        json!(false),
        "exactly max_rows rows is not truncated"
    );
}

#[tokio::test]
async fn huge_values_are_capped_not_returned() {
    let shop = Shop::new();
    {
        let writer = rusqlite::Connection::open(&shop.path).unwrap();
        writer
            .execute(
                "INSERT INTO customers (id, name, photo) VALUES (10, ?1, zeroblob(5000000))",
                [("x".repeat(100_000))],
            )
            .unwrap();
    }
    let limits = Limits {
        max_cell_bytes: 1000,
        ..Limits::default()
    };
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, limits);
    let client = connect(server).await;
    let result = call(
        &client,
        "query",
        json!({"database": shop.database(), "sql": "SELECT name, photo FROM customers WHERE id = 10"}),
    )
    .await;
    assert!(
        text_of(&result).len() < 10_000,
        "the whole answer stays small"
    );
    let answer = structured(&result);
    let name = answer["rows"][0][0].as_str().unwrap();
    assert!(
        name.len() < 1200 && name.contains("100000 bytes in all"),
        "long text is cut with its full size: {}",
        &name[name.len() - 80..]
    );
    assert_eq!(answer["rows"][0][1]["bytes"], json!(5_000_000));
    assert!(answer["rows"][0][1].get("base64").is_none());
    assert!(answer["note"].as_str().unwrap().contains("cut"));

    let refused = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT randomblob(1000000000)"}),
        )
        .await,
    );
    assert!(refused.contains("larger than 128 MiB"), "{refused}");
}

#[tokio::test]
async fn wide_rows_of_large_values_are_stopped_before_they_are_held() {
    let shop = Shop::new();
    {
        let writer = rusqlite::Connection::open(&shop.path).unwrap();
        writer
            .execute(
                "INSERT INTO customers (id, name, photo) VALUES (10, 'big', randomblob(2000000))",
                [],
            )
            .unwrap();
    }
    // A row may hold 1 MiB: each of 3 columns a third of it, each of 2 columns half.
    let limits = Limits {
        max_row_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let (server, _) = server(shop.dir.path(), Access::ReadWrite, limits);
    let client = connect(server).await;
    let query = |sql: &str| json!({"database": shop.database(), "sql": sql});

    // The reviewer's query, scaled down: without the limit each column is built whole.
    let wide =
        "SELECT randomblob(400000) AS c0, randomblob(400000) AS c1, randomblob(400000) AS c2";
    let refused = refusal(&call(&client, "query", query(wide)).await);
    assert!(
        refused.contains("larger than 341.3 KiB") && refused.contains("3 column(s)"),
        "{refused}"
    );
    let narrower = "SELECT randomblob(400000) AS c0, randomblob(400000) AS c1";
    let answer = structured(&call(&client, "query", query(narrower)).await);
    assert_eq!(answer["rows"][0][1]["bytes"], json!(400_000), "{answer}");

    // A stored value over a row's share is not read; its length still is.
    let refused = refusal(
        &call(
            &client,
            "query",
            query("SELECT id, photo FROM customers WHERE id = 10"),
        )
        .await,
    );
    assert!(refused.contains("larger than 512 KiB"), "{refused}");
    let answer = structured(
        &call(
            &client,
            "query",
            query("SELECT id, length(photo) FROM customers WHERE id = 10"),
        )
        .await,
    );
    assert_eq!(answer["rows"], json!([[10, 2_000_000]]));

    // Rows a write returns are held to the same limit, and the write is undone.
    let refused = refusal(
        &call(
            &client,
            "execute",
            query(
                "UPDATE customers SET name = 'changed' WHERE id = 10 \
                 RETURNING randomblob(400000), randomblob(400000), randomblob(400000)",
            ),
        )
        .await,
    );
    assert!(refused.contains("3 column(s)"), "{refused}");
    let answer = structured(
        &call(
            &client,
            "query",
            query("SELECT name FROM customers WHERE id = 10"),
        )
        .await,
    );
    assert_eq!(answer["rows"], json!([["big"]]));
}

#[tokio::test]
async fn list_and_describe_show_the_schema() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let tables =
        structured(&call(&client, "list_tables", json!({"database": shop.database()})).await);
    assert_eq!(
        tables["tables"],
        json!([
            {"name": "big_orders", "kind": "view"},
            {"name": "customers", "kind": "table", "row_estimate": 3},
            {"name": "orders", "kind": "table", "row_estimate": 4},
        ])
    );

    let orders = structured(
        &call(
            &client,
            "describe_table",
            json!({"database": shop.database(), "table": "ORDERS"}),
        )
        .await,
    );
    assert_eq!(orders["table"], json!("orders"), "found case-insensitively");
    assert_eq!(orders["primary_key"], json!(["id"]));
    assert_eq!(
        orders["columns"][2],
        json!({"name": "total", "type": "REAL", "nullable": false, "default": "0"})
    );
    assert_eq!(
        orders["foreign_keys"],
        json!([{
            "columns": ["customer_id"],
            "references_table": "customers",
            "references_columns": ["id"],
            "on_delete": "CASCADE",
        }])
    );
    assert_eq!(
        orders["indexes"],
        json!([{"name": "orders_by_customer", "columns": ["customer_id"], "unique": false, "partial": false}])
    );
    assert!(
        orders["definition"]
            .as_str()
            .unwrap()
            .starts_with("CREATE TABLE orders")
    );

    let missing = refusal(
        &call(
            &client,
            "describe_table",
            json!({"database": shop.database(), "table": "invoices"}),
        )
        .await,
    );
    assert!(
        missing.contains("big_orders, customers, orders"),
        "lists what exists: {missing}"
    );
}

#[tokio::test]
async fn list_databases_finds_files_and_says_their_access() {
    let shop = Shop::new();
    std::fs::create_dir(shop.dir.path().join("nested")).unwrap();
    make_shop(&shop.dir.path().join("nested").join("archive"));
    std::fs::write(shop.dir.path().join("notes.txt"), "not a database").unwrap();
    let (server, _) = server(shop.dir.path(), Access::ReadWrite, Limits::default());
    let client = connect(server).await;
    let listing = structured(&call(&client, "list_databases", json!({})).await);
    let found: Vec<&str> = listing["sqlite"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["database"].as_str().unwrap())
        .collect();
    let folder = std::fs::canonicalize(shop.dir.path()).unwrap();
    assert_eq!(
        found,
        vec![
            folder.join("nested/archive").display().to_string(),
            folder.join("shop.db").display().to_string(),
        ]
    );
    assert_eq!(listing["sqlite"][0]["access"], json!("read_write"));
    assert_eq!(listing["postgres"], json!([]));
    assert_eq!(listing["search_incomplete"], json!(false));
}

#[tokio::test]
async fn grants_are_checked_again_on_every_call() {
    let shop = Shop::new();
    let grants = Arc::new(LiveGrants::default());
    grants.set(vec![(shop.dir.path().to_path_buf(), Access::ReadWrite)]);
    let client = connect(SqlServer::new(SqlConfig::new(grants.clone()))).await;
    let select = json!({"database": shop.database(), "sql": "SELECT count(*) FROM customers"});
    let update = json!({"database": shop.database(), "sql": "UPDATE customers SET name = name"});
    structured(&call(&client, "query", select.clone()).await);
    structured(&call(&client, "execute", update.clone()).await);

    grants.set(vec![(shop.dir.path().to_path_buf(), Access::ReadOnly)]);
    assert!(refusal(&call(&client, "execute", update.clone()).await).contains("read-only"));
    structured(&call(&client, "query", select.clone()).await);

    grants.set(Vec::new());
    let message = refusal(&call(&client, "query", select).await);
    assert!(
        message.contains("not granted any folder"),
        "a revoked grant applies at once, cached connection or not: {message}"
    );
}

#[tokio::test]
async fn a_wal_database_is_read_without_changing_its_main_file() {
    let shop = Shop::new();
    {
        let writer = rusqlite::Connection::open(&shop.path).unwrap();
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    let before = shop.bytes();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let answer = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT count(*) FROM orders"}),
        )
        .await,
    );
    assert_eq!(answer["rows"], json!([[4]]));
    assert_eq!(shop.bytes(), before);
}

#[tokio::test]
async fn unusual_values_come_back_as_json() {
    let shop = Shop::new();
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let answer = structured(
        &call(
            &client,
            "query",
            json!({
                "database": shop.database(),
                "sql": "SELECT NULL, 9223372036854775807, 1e308 * 10, -0.5, x'ff', 'héllo', ?1, ?2",
                "params": [true, {"base64": "AAE="}],
            }),
        )
        .await,
    );
    assert_eq!(
        answer["rows"][0],
        json!([
            null,
            9_223_372_036_854_775_807i64,
            "Infinity",
            -0.5,
            {"base64": "/w==", "bytes": 1},
            "héllo",
            1,
            {"base64": "AAE=", "bytes": 2}
        ])
    );
    let empty = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "  -- nothing\n"}),
        )
        .await,
    );
    assert!(empty.contains("no statement"), "{empty}");
    let broken = refusal(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELEC 1"}),
        )
        .await,
    );
    assert!(broken.starts_with("SQLite: "), "{broken}");
}

#[tokio::test]
async fn full_text_tables_are_listed_without_their_shadow_tables_and_can_be_searched() {
    let shop = Shop::new();
    {
        let writer = rusqlite::Connection::open(&shop.path).unwrap();
        writer
            .execute_batch(
                "CREATE VIRTUAL TABLE docs USING fts5(body);
                 INSERT INTO docs VALUES ('the quick brown fox'), ('lazy dogs sleep');",
            )
            .unwrap();
    }
    let (server, _) = server(shop.dir.path(), Access::ReadOnly, Limits::default());
    let client = connect(server).await;
    let tables =
        structured(&call(&client, "list_tables", json!({"database": shop.database()})).await);
    let names: Vec<(&str, &str)> = tables["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| {
            (
                table["name"].as_str().unwrap(),
                table["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("big_orders", "view"),
            ("customers", "table"),
            ("docs", "virtual table"),
            ("orders", "table"),
        ]
    );
    let found = structured(
        &call(
            &client,
            "query",
            json!({"database": shop.database(), "sql": "SELECT body FROM docs WHERE docs MATCH ?1", "params": ["fox"]}),
        )
        .await,
    );
    assert_eq!(found["rows"], json!([["the quick brown fox"]]));
}
