//! The registry client against a real HTTP server on loopback that answers in the shape of
//! the MCP Registry's REST API (recorded from its OpenAPI description): paging, skipped
//! entries, ETags, the v0 fallback, and every limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use switchboard_catalog::{
    EntryKind,
    registry::{RegistryClient, RegistryError, RegistryLimits, RegistryQuery},
};

fn server_json(name: &str, version: &str) -> Value {
    json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "name": name,
        "description": format!("The {name} server"),
        "version": version,
        "packages": [{
            "registryType": "npm", "identifier": format!("{}-mcp", name.rsplit('/').next().unwrap_or("x")),
            "version": version, "transport": {"type": "stdio"},
            "environmentVariables": [{"name": "API_KEY", "isSecret": true, "isRequired": true}]
        }]
    })
}

fn item(server: &Value, status: &str) -> Value {
    json!({
        "server": server,
        "_meta": {"io.modelcontextprotocol.registry/official": {
            "status": status, "publishedAt": "2026-01-02T03:04:05Z",
            "updatedAt": "2026-02-03T04:05:06Z", "isLatest": true
        }}
    })
}

/// What the test registry saw.
#[derive(Default)]
struct Seen {
    queries: Vec<String>,
    if_none_match: Vec<Option<String>>,
}

async fn registry(uri: Uri, headers: HeaderMap, seen: Arc<Mutex<Seen>>) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    {
        let mut seen = seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.queries.push(format!("{path}?{query}"));
        seen.if_none_match.push(
            headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        );
    }
    let json_reply = |body: Value| {
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::ETAG, "\"v1\""),
            ],
            body.to_string(),
        )
            .into_response()
    };
    match path.as_str() {
        "/v0.1/servers" => {
            if headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v == "\"v1\"")
            {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            if query.contains("cursor=page-2") {
                json_reply(json!({
                    "servers": [item(&server_json("io.github.acme/third", "3.0.0"), "deprecated")],
                    "metadata": {"count": 1}
                }))
            } else {
                json_reply(json!({
                    "servers": [
                        item(&server_json("io.github.acme/first", "1.0.0"), "active"),
                        item(&server_json("not a valid name", "1.0.0"), "active"),
                        item(&server_json("io.github.acme/gone", "1.0.0"), "deleted"),
                        item(&server_json("io.github.acme/second", "2.0.0"), "active"),
                        {"server": {"name": "io.github.acme/shapeless"}}
                    ],
                    "metadata": {"nextCursor": "page-2", "count": 5}
                }))
            }
        }
        "/v0.1/servers/io.github.acme%2Ffirst/versions/latest" => json_reply(item(
            &server_json("io.github.acme/first", "1.0.0"),
            "active",
        )),
        "/old/v0/servers" => json_reply(json!({
            "servers": [item(&server_json("io.github.acme/legacy", "0.1.0"), "active")],
            "metadata": {"next_cursor": "", "count": 1}
        })),
        "/huge/v0.1/servers" => {
            let servers: Vec<Value> = (0..2000)
                .map(|n| {
                    item(
                        &server_json(&format!("io.github.acme/s{n}"), "1.0.0"),
                        "active",
                    )
                })
                .collect();
            json_reply(json!({"servers": servers}))
        }
        "/slow/v0.1/servers" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json_reply(json!({"servers": []}))
        }
        "/broken/v0.1/servers" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/loop/v0.1/servers" => json_reply(json!({
            "servers": [], "metadata": {"nextCursor": "same"}
        })),
        "/html/v0.1/servers" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html>not a registry</html>",
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (SocketAddr, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = Arc::clone(&seen);
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let seen = Arc::clone(&state);
        async move { registry(uri, headers, seen).await }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (address, seen)
}

fn limits() -> RegistryLimits {
    RegistryLimits {
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(800),
        ..RegistryLimits::default()
    }
}

#[tokio::test]
async fn a_listing_follows_cursors_and_skips_invalid_entries_with_reasons() {
    let (address, seen) = start().await;
    let client = RegistryClient::new(&format!("http://{address}"), limits()).expect("client");
    let query = RegistryQuery {
        search: Some("acme".into()),
        ..RegistryQuery::default()
    };
    let listing = client.list(&query).await.expect("listing");
    let names: Vec<&str> = listing
        .entries
        .iter()
        .map(|e| e.entry.server.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "io.github.acme/first",
            "io.github.acme/second",
            "io.github.acme/third"
        ],
        "both pages read, valid entries kept in order"
    );
    assert!(listing.complete, "the last page had no cursor");
    assert_eq!(listing.etag.as_deref(), Some("\"v1\""));
    assert!(listing.fetched_at_ms > 1_700_000_000_000, "a real time");
    assert_eq!(
        listing.entries[2].status.status.as_deref(),
        Some("deprecated")
    );
    assert_eq!(listing.entries[0].entry.kind, EntryKind::Package);
    assert_eq!(listing.entries[0].entry.id, "first");

    let reasons: Vec<String> = listing
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.name, s.reason))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("not a valid name 1.0.0:") && reasons[0].contains("reverse-DNS"),
        "an invalid name is named: {reasons:#?}"
    );
    assert!(
        reasons[1].contains("deleted from the registry"),
        "deleted entries are left out: {reasons:#?}"
    );
    assert!(
        reasons[2].starts_with("io.github.acme/shapeless") && reasons[2].contains("description"),
        "a missing field is named: {reasons:#?}"
    );

    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(
        seen.queries,
        [
            "/v0.1/servers?limit=100&version=latest&search=acme",
            "/v0.1/servers?limit=100&version=latest&search=acme&cursor=page-2"
        ]
    );
}

#[tokio::test]
async fn an_unchanged_listing_is_not_read_again() {
    let (address, seen) = start().await;
    let client = RegistryClient::new(&format!("http://{address}/"), limits()).expect("client");
    let query = RegistryQuery {
        etag: Some("\"v1\"".into()),
        ..RegistryQuery::default()
    };
    let listing = client.list(&query).await.expect("listing");
    assert!(listing.not_modified, "304 reported");
    assert!(listing.entries.is_empty());
    assert_eq!(listing.etag.as_deref(), Some("\"v1\""), "the ETag is kept");
    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(seen.if_none_match, [Some("\"v1\"".to_owned())]);
}

#[tokio::test]
async fn a_registry_without_v0_1_is_read_through_v0() {
    let (address, seen) = start().await;
    let client = RegistryClient::new(&format!("http://{address}/old"), limits()).expect("client");
    let listing = client
        .list(&RegistryQuery::default())
        .await
        .expect("listing");
    assert_eq!(listing.entries.len(), 1);
    assert_eq!(
        listing.entries[0].entry.server.name,
        "io.github.acme/legacy"
    );
    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert!(
        seen.queries[0].starts_with("/old/v0.1/servers"),
        "{:?}",
        seen.queries
    );
    assert!(
        seen.queries[1].starts_with("/old/v0/servers"),
        "{:?}",
        seen.queries
    );
}

#[tokio::test]
async fn one_server_is_read_by_name() {
    let (address, _) = start().await;
    let client = RegistryClient::new(&format!("http://{address}"), limits()).expect("client");
    let found = client
        .get("io.github.acme/first")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(found.entry.server.version, "1.0.0");
    assert!(
        client
            .get("io.github.acme/none")
            .await
            .expect("read")
            .is_none(),
        "a server the registry lacks is None"
    );
}

#[tokio::test]
async fn a_page_over_the_size_cap_is_refused() {
    let (address, _) = start().await;
    let small = RegistryLimits {
        max_page_bytes: 64 * 1024,
        ..limits()
    };
    let client = RegistryClient::new(&format!("http://{address}/huge"), small).expect("client");
    let error = client
        .list(&RegistryQuery::default())
        .await
        .expect_err("too large");
    assert!(
        matches!(error, RegistryError::TooLarge { limit: 65536, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn the_entry_cap_stops_a_listing_early() {
    let (address, _) = start().await;
    let few = RegistryLimits {
        max_entries: 10,
        ..limits()
    };
    let client = RegistryClient::new(&format!("http://{address}/huge"), few).expect("client");
    let listing = client
        .list(&RegistryQuery::default())
        .await
        .expect("listing");
    assert_eq!(listing.entries.len(), 10);
    assert!(!listing.complete, "a capped listing says so");
}

#[tokio::test]
async fn a_slow_registry_times_out_with_a_plain_message() {
    let (address, _) = start().await;
    let client = RegistryClient::new(&format!("http://{address}/slow"), limits()).expect("client");
    let started = std::time::Instant::now();
    let error = client
        .list(&RegistryQuery::default())
        .await
        .expect_err("timeout");
    assert!(matches!(error, RegistryError::Timeout { .. }), "{error}");
    assert!(
        error.to_string().contains("did not answer within"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the timeout"
    );
}

#[tokio::test]
async fn server_errors_and_non_registries_are_reported() {
    let (address, _) = start().await;
    let broken =
        RegistryClient::new(&format!("http://{address}/broken"), limits()).expect("client");
    let error = broken
        .list(&RegistryQuery::default())
        .await
        .expect_err("500");
    assert!(error.to_string().contains("answered 500"), "{error}");

    let html = RegistryClient::new(&format!("http://{address}/html"), limits()).expect("client");
    let error = html
        .list(&RegistryQuery::default())
        .await
        .expect_err("html");
    assert!(
        error.to_string().contains("not an MCP Registry listing"),
        "{error}"
    );

    let looping = RegistryClient::new(&format!("http://{address}/loop"), limits()).expect("client");
    let error = looping
        .list(&RegistryQuery::default())
        .await
        .expect_err("loop");
    assert!(
        error.to_string().contains("same page cursor twice"),
        "{error}"
    );

    let nothing =
        RegistryClient::new(&format!("http://{address}/nothing"), limits()).expect("client");
    let error = nothing
        .list(&RegistryQuery::default())
        .await
        .expect_err("404");
    assert!(error.to_string().contains("404"), "{error}");
}

#[tokio::test]
async fn an_unreachable_registry_says_so() {
    // Bind and drop a listener so the port is closed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = RegistryClient::new(&format!("http://{address}"), limits()).expect("client");
    let error = client
        .list(&RegistryQuery::default())
        .await
        .expect_err("closed");
    assert!(
        error.to_string().contains("could not reach the registry"),
        "{error}"
    );
}
