//! The PostgreSQL side against a real PostgreSQL server started by the tests (a throwaway
//! cluster in a temp dir), through a real MCP client: read-only transactions, parameters,
//! limits, timeouts, types, the catalog, writes where configured, and the password never
//! showing anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;
#[path = "support/cluster.rs"]
mod cluster;
#[path = "support/fixtures.rs"]
mod fixtures;

use std::{sync::Arc, time::Duration};

use client::{call, connect, refusal, structured, text_of};
use cluster::PASSWORD;
use fixtures::MemoryJournal;
use serde_json::{Value, json};
use server_sql::{Engine, GrantedFolders, Limits, PostgresDatabase, SqlConfig, SqlServer};

const SHOP: &str = r"
    CREATE TYPE mood AS ENUM ('happy', 'sad');
    CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
    CREATE TABLE customers (
        id serial PRIMARY KEY,
        name text NOT NULL,
        email text UNIQUE,
        created timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00'
    );
    CREATE TABLE orders (
        id serial PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        total numeric(12, 2) NOT NULL,
        tags text[]
    );
    CREATE INDEX orders_by_customer ON orders (customer_id);
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    CREATE SEQUENCE tickets;
    INSERT INTO customers (name, email) VALUES
        ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com'), ('Linus', NULL);
    INSERT INTO orders (customer_id, total, tags) VALUES
        (1, 250.50, '{gift,urgent}'), (1, 20, NULL), (2, 99.99, '{}'), (3, 1000, '{bulk}');
    ANALYZE;
";

fn limits() -> Limits {
    Limits {
        statement_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

/// A server with one PostgreSQL database named "shop".
fn server_for(database: PostgresDatabase, limits: Limits) -> (SqlServer, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::default());
    let config = SqlConfig::new(Arc::new(GrantedFolders::default()))
        .with_postgres(database)
        .with_limits(limits)
        .with_journal(journal.clone());
    (SqlServer::new(config), journal)
}

async fn count_orders(client: &tokio_postgres::Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM orders", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_read_only_transaction_refuses_every_write_with_a_clear_message() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_read_only", SHOP).await;
    let (server, journal) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    for sql in [
        "INSERT INTO customers (name) VALUES ('Mallory')",
        "UPDATE orders SET total = 0",
        "DELETE FROM orders",
        "CREATE TABLE evil (x int)",
        "CREATE TEMP TABLE evil (x int)",
        "DROP TABLE orders",
        "ALTER TABLE customers ADD COLUMN x int",
        "TRUNCATE orders",
        "SELECT nextval('tickets')",
        "WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone",
        "SELECT * FROM customers FOR UPDATE",
    ] {
        let message =
            refusal(&call(&client, "query", json!({"database": "shop", "sql": sql})).await);
        assert!(
            message.contains("read-only transaction") && message.contains("execute"),
            "{sql}: {message}"
        );
    }
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT 1; DROP TABLE orders"}),
        )
        .await,
    );
    assert!(message.contains("one SQL statement"), "{message}");
    // A COMMIT of its own does not open a way out: the next statement is read-only again.
    let _ = call(
        &client,
        "query",
        json!({"database": "shop", "sql": "COMMIT"}),
    )
    .await;
    refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "DELETE FROM orders"}),
        )
        .await,
    );
    let message = refusal(
        &call(
            &client,
            "execute",
            json!({"database": "shop", "sql": "DELETE FROM orders"}),
        )
        .await,
    );
    assert!(
        message.contains("configured read-only"),
        "execute is off unless the database is writable: {message}"
    );

    let admin = cluster.connect("sql_read_only").await;
    assert_eq!(count_orders(&admin).await, 4, "nothing changed");
    assert!(journal.records.lock().unwrap().is_empty());
}

#[tokio::test]
async fn parameters_take_the_types_postgres_infers() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_params", SHOP).await;
    let (server, _) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    let cases = [
        (
            "SELECT name FROM customers WHERE id = $1",
            json!([2]),
            json!([["Grace"]]),
        ),
        (
            "SELECT count(*) FROM customers WHERE created >= $1",
            json!(["2025-12-31"]),
            json!([[3]]),
        ),
        (
            "SELECT id FROM orders WHERE customer_id = ANY($1) ORDER BY id",
            json!([[1, 3]]),
            json!([[1], [2], [4]]),
        ),
        (
            "SELECT id FROM orders WHERE tags @> $1",
            json!([["gift"]]),
            json!([[1]]),
        ),
        (
            "SELECT $1::bytea, $2::int IS NULL, $3::jsonb -> 'a'",
            json!([{"base64": "AAE="}, null, {"a": [1, 2]}]),
            json!([[{"base64": "AAE=", "bytes": 2}, true, [1, 2]]]),
        ),
        (
            "SELECT total FROM orders WHERE total > $1 ORDER BY total",
            json!([99.5]),
            json!([["99.99"], ["250.50"], ["1000.00"]]),
        ),
    ];
    for (sql, params, expected) in cases {
        let answer = structured(
            &call(
                &client,
                "query",
                json!({"database": "shop", "sql": sql, "params": params}),
            )
            .await,
        );
        assert_eq!(answer["rows"], expected, "{sql}");
    }
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT $1, $2", "params": [1]}),
        )
        .await,
    );
    assert!(message.contains("2 parameter(s)"), "{message}");
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT $1", "params": {"a": 1}}),
        )
        .await,
    );
    assert!(message.contains("by position"), "{message}");
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT 1 WHERE 1 = $1", "params": ["one"]}),
        )
        .await,
    );
    assert!(
        message.starts_with("PostgreSQL: invalid input syntax"),
        "{message}"
    );
}

#[tokio::test]
async fn rows_are_limited_without_waiting_for_the_rest() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_rows", SHOP).await;
    let (server, _) = server_for(
        PostgresDatabase::new("shop", url),
        Limits {
            statement_timeout: Duration::from_secs(30),
            ..Limits::default()
        },
    );
    let client = connect(server).await;
    let started = std::time::Instant::now();
    let answer = structured(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT a.i * 10000 + b.j AS n, md5(b.j::text) FROM generate_series(0, 4999) AS a(i), generate_series(1, 10000) AS b(j)", "max_rows": 5}),
        )
        .await,
    );
    assert_eq!(answer["row_count"], json!(5));
    assert_eq!(answer["truncated"], json!(true));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the rest of a large result is not awaited: {:?}",
        started.elapsed()
    );
    let next = structured(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT count(*) FROM customers"}),
        )
        .await,
    );
    assert_eq!(next["rows"], json!([[3]]));
}

#[tokio::test]
async fn a_long_statement_is_stopped_at_the_timeout() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_timeout", SHOP).await;
    let (server, _) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    let started = std::time::Instant::now();
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT pg_sleep(30)"}),
        )
        .await,
    );
    assert!(message.contains("2 s limit"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let message = refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT set_config('statement_timeout', '0', false), pg_sleep(30)"}),
        )
        .await,
    );
    assert!(
        message.contains("limit"),
        "changing the timeout inside the statement does not help: {message}"
    );
    let next = structured(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "SELECT 1 AS one"}),
        )
        .await,
    );
    assert_eq!(next["rows"], json!([[1]]));
}

#[tokio::test]
async fn values_of_many_types_come_back_as_json() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_types", SHOP).await;
    let (server, _) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    let sql = r#"SELECT
        true, 32767::int2, 2147483647::int4, 9223372036854775807::int8, 1.5::float4,
        'NaN'::float8, 12345.678::numeric, (-0.00001)::numeric, 'héllo'::varchar,
        'x'::char(3), '\x00ff'::bytea, '{"a": [1, null]}'::json, '{"b": 2}'::jsonb,
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '2026-03-01'::date,
        '12:34:56.5'::time, '2026-03-01 12:34:56.5'::timestamp,
        '2026-03-01 12:34:56+02'::timestamptz, '1 year 2 mons 3 days 04:05:06.5'::interval,
        '192.168.1.1'::inet, '10.0.0.0/8'::cidr, ARRAY[[1, 2], [3, 4]], ARRAY['a', NULL],
        'happy'::mood, 5::positive, 'a b'::tsvector, NULL::text, 'infinity'::timestamp,
        '0044-03-15 BC'::date"#;
    let answer = structured(&call(&client, "query", json!({"database": "shop", "sql": sql})).await);
    assert_eq!(
        answer["rows"][0],
        json!([
            true,
            32767,
            2_147_483_647,
            9_223_372_036_854_775_807i64,
            1.5,
            "NaN",
            "12345.678",
            "-0.00001",
            "héllo",
            "x  ",
            {"base64": "AP8=", "bytes": 2},
            {"a": [1, null]},
            {"b": 2},
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "2026-03-01",
            "12:34:56.5",
            "2026-03-01T12:34:56.5",
            "2026-03-01T10:34:56Z",
            "P1Y2M3DT4H5M6.5S",
            "192.168.1.1",
            "10.0.0.0/8",
            [[1, 2], [3, 4]],
            ["a", null],
            "happy",
            5,
            "<tsvector value: select it as column::text to see it>",
            null,
            "infinity",
            "0044-03-15 BC"
        ])
    );
    let types: Vec<&str> = answer["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|column| column["type"].as_str().unwrap())
        .collect();
    assert_eq!(&types[..3], &["bool", "int2", "int4"]);
}

#[tokio::test]
async fn list_and_describe_show_the_schema() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_catalog", SHOP).await;
    let (server, _) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    let tables = structured(&call(&client, "list_tables", json!({"database": "shop"})).await);
    assert_eq!(
        tables["tables"],
        json!([
            {"schema": "public", "name": "big_orders", "kind": "view"},
            {"schema": "public", "name": "customers", "kind": "table", "row_estimate": 3},
            {"schema": "public", "name": "orders", "kind": "table", "row_estimate": 4},
        ])
    );
    let orders = structured(
        &call(
            &client,
            "describe_table",
            json!({"database": "shop", "table": "Orders"}),
        )
        .await,
    );
    assert_eq!(orders["table"], json!("orders"));
    assert_eq!(orders["schema"], json!("public"));
    assert_eq!(orders["primary_key"], json!(["id"]));
    assert_eq!(
        orders["columns"][2],
        json!({"name": "total", "type": "numeric(12,2)", "nullable": false})
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
        json!([
            {"name": "orders_by_customer", "columns": ["customer_id"], "unique": false, "partial": false},
            {"name": "orders_pkey", "columns": ["id"], "unique": true, "partial": false},
        ])
    );
    let view = structured(
        &call(
            &client,
            "describe_table",
            json!({"database": "shop", "table": "big_orders", "schema": "public"}),
        )
        .await,
    );
    assert!(
        view["definition"].as_str().unwrap().contains("total > 100"),
        "{view}"
    );
    let missing = refusal(
        &call(
            &client,
            "describe_table",
            json!({"database": "shop", "table": "invoices"}),
        )
        .await,
    );
    assert!(missing.contains("public.customers"), "{missing}");
}

#[tokio::test]
async fn a_writable_database_takes_changes_and_journals_them() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_writes", SHOP).await;
    let (server, journal) = server_for(PostgresDatabase::new("shop", url).writable(true), limits());
    let client = connect(server).await;
    let inserted = structured(
        &call(
            &client,
            "execute",
            json!({
                "database": "shop",
                "sql": "INSERT INTO customers (name, email) VALUES ($1, $2) RETURNING id",
                "params": ["Margaret", "secret-value@example.com"],
            }),
        )
        .await,
    );
    assert_eq!(inserted["rows_changed"], json!(1));
    assert_eq!(inserted["statements"][0]["returned"]["rows"], json!([[4]]));

    let message = refusal(
        &call(
            &client,
            "execute",
            json!({
                "database": "shop",
                "sql": "DELETE FROM orders",
                "more_statements": [{"sql": "INSERT INTO orders (customer_id, total) VALUES (999, 1)"}],
            }),
        )
        .await,
    );
    assert!(
        message.contains("statement 2 of 2") && message.contains("foreign key"),
        "{message}"
    );
    let admin = cluster.connect("sql_writes").await;
    assert_eq!(
        count_orders(&admin).await,
        4,
        "the failed transaction rolled back"
    );

    // Reads stay read-only on a writable database.
    refusal(
        &call(
            &client,
            "query",
            json!({"database": "shop", "sql": "DELETE FROM orders"}),
        )
        .await,
    );

    let records = journal.records.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].engine, Engine::Postgres);
    assert_eq!(records[0].database, "shop");
    assert_eq!(records[0].parameters, 2);
    assert_eq!(records[0].rows_changed, 1);
    assert!(!format!("{records:?}").contains("secret-value"));
    assert!(!format!("{records:?}").contains(PASSWORD));
}

#[tokio::test]
async fn the_password_never_appears_in_errors_debug_or_results() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_secrets", SHOP).await;
    let wrong = format!(
        "postgres://postgres:wrong-canary-91d2@127.0.0.1:{}/sql_secrets",
        cluster.port
    );
    let closed = format!(
        "postgres://postgres:closed-canary-7a@127.0.0.1:{}/sql_secrets",
        cluster.port.wrapping_add(1).max(1024)
    );
    let config = SqlConfig::new(Arc::new(GrantedFolders::default()))
        .with_postgres(PostgresDatabase::new("good", url.clone()))
        .with_postgres(PostgresDatabase::new("wrong", wrong))
        .with_postgres(PostgresDatabase::new("closed", closed))
        .with_postgres(PostgresDatabase::new(
            "broken",
            "postgres://postgres:broken-canary@127.0.0.1:notaport/x",
        ))
        .with_postgres(
            PostgresDatabase::new(
                "keychain",
                format!("postgres://postgres@127.0.0.1:{}/sql_secrets", cluster.port),
            )
            .with_password(PASSWORD),
        )
        .with_postgres(PostgresDatabase::new(
            "socket",
            format!(
                "host={} port={} user=postgres dbname=sql_secrets",
                cluster.socket_dir(),
                cluster.port
            ),
        ))
        .with_limits(limits());
    let debug = format!("{config:?}");
    let server = SqlServer::new(config);
    let debug = format!("{debug}{server:?}");
    let client = connect(server).await;

    let mut seen = vec![debug];
    for (database, sql) in [
        ("good", "SELEC 1"),
        ("good", "SELECT * FROM nowhere"),
        ("good", "SELECT current_setting('no.such.setting')"),
        ("wrong", "SELECT 1"),
        ("closed", "SELECT 1"),
        ("broken", "SELECT 1"),
    ] {
        let result = call(&client, "query", json!({"database": database, "sql": sql})).await;
        seen.push(refusal(&result));
    }
    for database in ["good", "keychain", "socket"] {
        let answer = structured(
            &call(
                &client,
                "query",
                json!({"database": database, "sql": "SELECT current_user"}),
            )
            .await,
        );
        assert_eq!(answer["rows"], json!([["postgres"]]), "{database} connects");
        seen.push(answer.to_string());
    }
    let listing = call(&client, "list_databases", json!({})).await;
    seen.push(text_of(&listing));
    let listing: Value = structured(&listing);
    assert_eq!(
        listing["postgres"][0]["server"],
        json!(format!(
            "postgres://postgres@127.0.0.1:{}/sql_secrets",
            cluster.port
        ))
    );
    let seen = seen.join("\n");
    for canary in [
        PASSWORD,
        "wrong-canary-91d2",
        "closed-canary-7a",
        "broken-canary",
    ] {
        assert!(
            !seen.contains(canary),
            "{canary} leaked into what a model or a log sees:\n{seen}"
        );
    }
    assert!(
        seen.contains("password authentication failed"),
        "the wrong password is explained: {seen}"
    );
    assert!(
        seen.contains("could not connect to the PostgreSQL database \"closed\""),
        "{seen}"
    );
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced() {
    let cluster = cluster::shared();
    let url = cluster.database("sql_reconnect", SHOP).await;
    let (server, _) = server_for(PostgresDatabase::new("shop", url), limits());
    let client = connect(server).await;
    let query = json!({"database": "shop", "sql": "SELECT count(*) FROM customers"});
    structured(&call(&client, "query", query.clone()).await);
    let admin = cluster.connect("sql_reconnect").await;
    let ended: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'mcp-sql' AND datname = 'sql_reconnect') AS t",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(ended, 1, "the server's idle connection was ended");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = structured(&call(&client, "query", query).await);
    assert_eq!(
        answer["rows"],
        json!([[3]]),
        "a new connection took its place"
    );
}
