//! The fetch server against real local HTTP servers: address safety (refusals the server
//! never sees, redirects to forbidden places, DNS answers), limits (time, size,
//! decompression bombs, redirects), content (Markdown, text, JSON, charsets, binary),
//! paging and headers. All traffic stays on loopback addresses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/local_server.rs"]
mod local_server;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use local_server::{LocalServer, RawAnswer, RawServer};
use server_fetch::{
    FetchConfig, FetchError, FetchRequest, FetchServer, FetchedPage, Format, Refusal,
};

fn loopback_only() -> FetchConfig {
    FetchConfig {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        timeout: Duration::from_secs(5),
        max_response_bytes: 1024 * 1024,
        ..FetchConfig::default()
    }
}

fn server(config: FetchConfig) -> FetchServer {
    FetchServer::new(config).expect("the server builds")
}

fn request(url: &str) -> FetchRequest {
    FetchRequest {
        url: url.to_owned(),
        ..FetchRequest::default()
    }
}

async fn fetch(server: &FetchServer, url: &str) -> Result<FetchedPage, FetchError> {
    server.fetch_page(request(url)).await
}

async fn fetch_ok(server: &FetchServer, url: &str) -> FetchedPage {
    match fetch(server, url).await {
        Ok(page) => page,
        Err(error) => panic!("fetching {url} failed: {error}"),
    }
}

async fn fetch_err(server: &FetchServer, request: FetchRequest) -> FetchError {
    let url = request.url.clone();
    match server.fetch_page(request).await {
        Ok(page) => panic!("fetching {url} should fail, got {page:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn by_default_loopback_is_refused_in_every_spelling_and_the_server_sees_nothing() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(FetchConfig::default());
    let port = site.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/article"),
        format!("http://localhost:{port}/article"),
        format!("http://LOCALHOST.:{port}/article"),
        format!("http://app.localhost:{port}/article"),
        format!("http://2130706433:{port}/article"),
        format!("http://0x7f.1:{port}/article"),
        format!("http://127.1:{port}/article"),
        format!("http://0177.0.0.1:{port}/article"),
        format!("http://[::ffff:127.0.0.1]:{port}/article"),
        format!("http://[::1]:{port}/article"),
        format!("http://0.0.0.0:{port}/article"),
    ] {
        let error = fetch_err(&fetcher, request(&url)).await;
        assert!(
            matches!(error, FetchError::Refused { .. }),
            "{url} must be refused, got {error:?}"
        );
        let text = error.to_string();
        assert!(text.starts_with("Refused to fetch"), "{text}");
    }
    let text = fetch_err(&fetcher, request(&site.url("/article")))
        .await
        .to_string();
    assert!(text.contains("127.0.0.1 is a loopback address"), "{text}");
    assert!(
        text.contains("Switchboard's settings"),
        "the user's way out is named: {text}"
    );
    assert_eq!(
        site.connections(),
        0,
        "a refused fetch never reaches the server"
    );
}

#[tokio::test]
async fn allowing_private_addresses_reaches_localhost() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(FetchConfig {
        allow_private_addresses: true,
        ..FetchConfig::default()
    });
    let page = fetch_ok(
        &fetcher,
        &format!("http://localhost:{}/text", site.addr.port()),
    )
    .await;
    assert_eq!(page.content, "Plain words, żółw.\n");
    assert_eq!(site.requests(), 1);
}

#[tokio::test]
async fn the_loopback_exception_converts_a_realistic_article_to_markdown() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let page = fetch_ok(&fetcher, &site.url("/article")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.format, Format::Markdown);
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        page.title.as_deref(),
        Some("Tending a Sourdough Starter | The Slow Kitchen")
    );
    assert_eq!(page.next_start_index, None, "the article fits one page");
    assert_eq!(page.total_length, page.content.chars().count());
    let port = site.addr.port();
    let markdown = page.content.replace(&port.to_string(), "PORT");
    insta::assert_snapshot!("article_markdown", markdown);
}

#[tokio::test]
async fn plain_text_and_raw_formats() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let text = fetcher
        .fetch_page(FetchRequest {
            format: Format::Text,
            ..request(&site.url("/article"))
        })
        .await
        .unwrap();
    assert_eq!(text.format, Format::Text);
    assert!(
        text.content
            .starts_with("Tending a Sourdough Starter\n\nBy Ada Baker"),
        "{}",
        text.content
    );
    assert!(
        !text.content.contains("**") && !text.content.contains("]("),
        "no markup: {}",
        text.content
    );
    let raw = fetcher
        .fetch_page(FetchRequest {
            format: Format::Raw,
            ..request(&site.url("/article"))
        })
        .await
        .unwrap();
    assert_eq!(raw.format, Format::Raw);
    assert_eq!(
        raw.content,
        local_server::ARTICLE,
        "raw is the body as sent"
    );
}

#[tokio::test]
async fn json_is_pretty_printed_in_the_server_key_order() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let expected = "{\n  \"name\": \"fetch\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ],\n  \"nested\": {\n    \"ok\": true,\n    \"n\": 1.50\n  }\n}";
    for format in [Format::Markdown, Format::Json] {
        let page = fetcher
            .fetch_page(FetchRequest {
                format,
                ..request(&site.url("/json"))
            })
            .await
            .unwrap();
        assert_eq!(page.format, Format::Json);
        assert_eq!(page.content, expected);
    }
}

#[tokio::test]
async fn json_format_on_other_content_is_a_clear_error() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let error = fetch_err(
        &fetcher,
        FetchRequest {
            format: Format::Json,
            ..request(&site.url("/article"))
        },
    )
    .await
    .to_string();
    assert!(error.contains("is not JSON (text/html)"), "{error}");
    let error = fetch_err(
        &fetcher,
        FetchRequest {
            format: Format::Json,
            ..request(&site.url("/not-json"))
        },
    )
    .await
    .to_string();
    assert!(
        error.contains("expected ident at line 1 column 8"),
        "{error}"
    );
}

#[tokio::test]
async fn charsets_come_from_the_header_or_the_meta_tag() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    assert_eq!(
        fetch_ok(&fetcher, &site.url("/latin1")).await.content,
        "Café crème"
    );
    assert_eq!(
        fetch_ok(&fetcher, &site.url("/meta-charset")).await.content,
        "Zażółć gęślą jaźń"
    );
}

#[tokio::test]
async fn binary_content_is_refused_with_its_type_and_size() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let error = fetch_err(&fetcher, request(&site.url("/binary")))
        .await
        .to_string();
    assert!(
        error.contains("is image/png (4 KiB), which is binary content"),
        "{error}"
    );
    let error = fetch_err(&fetcher, request(&site.url("/unlabelled-binary")))
        .await
        .to_string();
    assert!(error.contains("unlabelled (4 KiB)"), "sniffed: {error}");
    let page = fetch_ok(&fetcher, &site.url("/octet")).await;
    assert_eq!(
        page.content, "Just text, mislabelled.",
        "text labelled octet-stream is read"
    );
}

#[tokio::test]
async fn an_error_status_is_a_tool_error_that_quotes_the_page() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let error = fetch_err(&fetcher, request(&site.url("/status/404"))).await;
    let text = error.to_string();
    assert!(
        matches!(error, FetchError::Status { status: 404, .. }),
        "{error:?}"
    );
    assert!(text.contains("answered HTTP 404 Not Found."), "{text}");
    assert!(
        text.contains("The response began: Nothing here The page you wanted is gone."),
        "the excerpt is readable text: {text}"
    );
    let text = fetch_err(&fetcher, request(&site.url("/status/503")))
        .await
        .to_string();
    assert!(
        text.contains("HTTP 503 Service Unavailable. The server failed"),
        "{text}"
    );
}

#[tokio::test]
async fn redirects_within_the_limit_are_followed() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let page = fetch_ok(&fetcher, &site.url("/redirect/4")).await;
    assert_eq!(page.url, site.url("/article"), "the final URL is reported");
    assert_eq!(
        page.title.as_deref(),
        Some("Tending a Sourdough Starter | The Slow Kitchen")
    );
}

#[tokio::test]
async fn too_many_redirects_and_loops_are_reported() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let error = fetch_err(&fetcher, request(&site.url("/redirect/9"))).await;
    assert!(
        matches!(error, FetchError::TooManyRedirects { max: 5, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("Stopped after 5 redirects"),
        "{error}"
    );
    assert_eq!(
        site.requests(),
        6,
        "the first request and five redirects, no more"
    );
    let error = fetch_err(&fetcher, request(&site.url("/loop/a"))).await;
    assert!(
        matches!(error, FetchError::RedirectLoop { .. }),
        "{error:?}"
    );
    let error = fetch_err(&fetcher, request(&site.url("/no-location"))).await;
    assert!(
        error.to_string().contains("without a Location header"),
        "{error}"
    );
}

#[tokio::test]
async fn a_redirect_to_another_loopback_address_is_refused_and_the_target_sees_nothing() {
    let site = LocalServer::start("127.0.0.1").await;
    let target = LocalServer::start("127.0.0.2").await;
    let fetcher = server(loopback_only());
    let from = site.url(&format!("/redirect-to?target={}", target.url("/article")));
    let error = fetch_err(&fetcher, request(&from)).await;
    let text = error.to_string();
    assert!(
        matches!(
            &error,
            FetchError::Refused {
                redirected_from: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        text.starts_with(&format!(
            "Refused to follow the redirect from {from} to {}: 127.0.0.2 is a loopback address",
            target.url("/article")
        )),
        "{text}"
    );
    assert_eq!(target.connections(), 0, "the forbidden target saw nothing");
    assert_eq!(site.requests(), 1);
}

#[tokio::test]
async fn redirects_to_metadata_and_localhost_are_refused() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let cases = [
        (
            "http://169.254.169.254/latest/meta-data/",
            "a cloud metadata endpoint",
        ),
        (
            "http://[fd00:ec2::254]/latest/",
            "a cloud metadata endpoint",
        ),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "the name of a cloud metadata endpoint",
        ),
        ("http://localhost/", "a name for this computer"),
        ("http://10.0.0.1/", "a private network address"),
        (
            "http://[::ffff:169.254.169.254]/",
            "it embeds the IPv4 address 169.254.169.254",
        ),
    ];
    for (target, why) in cases {
        let error = fetch_err(
            &fetcher,
            request(&site.url(&format!("/redirect-to?target={target}"))),
        )
        .await;
        let text = error.to_string();
        assert!(
            text.contains("Refused to follow the redirect"),
            "{target}: {text}"
        );
        assert!(text.contains(why), "{target}: {text}");
    }
    let text = fetch_err(
        &fetcher,
        request(&site.url("/redirect-to?target=ftp://example.com/x")),
    )
    .await
    .to_string();
    assert!(text.contains("\"ftp:\" URLs are not supported"), "{text}");
}

/// A name from /etc/hosts (other than localhost) that resolves to a loopback address, so
/// the resolver path is exercised without any DNS traffic.
fn loopback_host_name() -> Option<(String, IpAddr)> {
    let hosts = std::fs::read_to_string("/etc/hosts").ok()?;
    hosts.lines().find_map(|line| {
        let mut fields = line.split('#').next()?.split_whitespace();
        let ip: IpAddr = fields.next()?.parse().ok()?;
        if ip != IpAddr::from([127, 0, 0, 1]) {
            return None;
        }
        fields
            .find(|name| !name.contains("localhost") && !name.contains('.'))
            .map(|name| (name.to_owned(), ip))
    })
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_by_address() {
    let Some((name, ip)) = loopback_host_name() else {
        eprintln!("no non-localhost loopback name in /etc/hosts; resolver test skipped");
        return;
    };
    let site = LocalServer::start("127.0.0.1").await;
    let url = format!("http://{name}:{}/text", site.addr.port());
    let error = fetch_err(&server(FetchConfig::default()), request(&url)).await;
    match &error {
        FetchError::Refused {
            refusal: Refusal::Resolved { host, refusals },
            ..
        } => {
            assert_eq!(host, &name);
            assert_eq!(refusals[0].address, ip);
        }
        other => panic!("expected a refusal by resolved address, got {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "{name} resolves only to addresses outside the public internet"
        )),
        "{text}"
    );
    assert_eq!(site.connections(), 0);
    // With the address allowed, the same name goes through the guarded resolver.
    let page = fetch_ok(&server(loopback_only()), &url).await;
    assert_eq!(page.content, "Plain words, żółw.\n");
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(FetchConfig {
        timeout: Duration::from_millis(500),
        ..loopback_only()
    });
    let started = Instant::now();
    let error = fetch_err(&fetcher, request(&site.url("/slow"))).await;
    assert!(matches!(error, FetchError::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("Gave up after 0.5 s"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_that_trickles_in_times_out() {
    let trickle = RawServer::start(RawAnswer::Trickle).await;
    let fetcher = server(FetchConfig {
        timeout: Duration::from_millis(700),
        ..loopback_only()
    });
    let started = Instant::now();
    let error = fetch_err(&fetcher, request(&trickle.url("/"))).await;
    assert!(matches!(error, FetchError::Timeout { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_with_or_without_a_length() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let error = fetch_err(&fetcher, request(&site.url("/huge"))).await;
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error:?}");
    assert!(
        error.to_string().contains("larger than the 1 MiB limit"),
        "{error}"
    );
    let chunked = RawServer::start(RawAnswer::Chunked {
        bytes: 3 * 1024 * 1024,
    })
    .await;
    let error = fetch_err(&fetcher, request(&chunked.url("/"))).await;
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error:?}");
    let fits = RawServer::start(RawAnswer::Chunked { bytes: 200 * 1024 }).await;
    let page = fetch_ok(&fetcher, &fits.url("/")).await;
    assert_eq!(page.total_length, 200 * 1024);
}

#[tokio::test]
async fn gzip_is_decoded_and_a_decompression_bomb_stops_at_the_cap() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let page = fetch_ok(&fetcher, &site.url("/gzip")).await;
    assert_eq!(page.content, "# Compressed\n\nServed with gzip.");
    let started = Instant::now();
    let error = fetch_err(&fetcher, request(&site.url("/bomb"))).await;
    assert!(
        matches!(
            error,
            FetchError::TooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("after decompression"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let headers = site.last_headers().unwrap();
    let accepted = headers.get("accept-encoding").unwrap().to_str().unwrap();
    assert!(
        accepted.contains("gzip") && accepted.contains("br"),
        "{accepted}"
    );
}

#[tokio::test]
async fn pages_of_a_long_document_concatenate_to_the_whole_from_one_download() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let whole = fetcher
        .fetch_page(FetchRequest {
            max_length: Some(1_000_000),
            ..request(&site.url("/big"))
        })
        .await
        .unwrap();
    assert!(
        whole.total_length > 30_000,
        "a long page: {}",
        whole.total_length
    );
    let mut joined = String::new();
    let mut start = 0;
    let mut calls = 0;
    loop {
        let page = fetcher
            .fetch_page(FetchRequest {
                start_index: start,
                max_length: Some(7_000),
                ..request(&site.url("/big"))
            })
            .await
            .unwrap();
        calls += 1;
        assert!(page.content.chars().count() <= 7_000);
        assert_eq!(page.start_index, start);
        assert_eq!(page.total_length, whole.total_length);
        joined.push_str(&page.content);
        match page.next_start_index {
            Some(next) => {
                let note = page.note.as_deref().unwrap();
                assert!(note.contains(&format!("start_index={next}")), "{note}");
                start = next;
            }
            None => break,
        }
        assert!(calls < 100, "paging ends");
    }
    assert!(calls > 4, "several pages: {calls}");
    assert_eq!(joined, whole.content, "the pages are the whole, in order");
    assert_eq!(
        site.requests(),
        2,
        "continuation pages come from the first download"
    );
    let error = fetch_err(
        &fetcher,
        FetchRequest {
            start_index: whole.total_length + 1,
            ..request(&site.url("/big"))
        },
    )
    .await;
    assert!(
        matches!(error, FetchError::StartPastEnd { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn headers_are_passed_through_and_credentials_stay_with_their_origin() {
    let site = LocalServer::start("127.0.0.1").await;
    let other = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let headers: BTreeMap<String, String> = [
        ("Authorization", "Bearer token-123"),
        ("X-Api-Key", "key-456"),
        ("Accept-Language", "pl"),
        ("User-Agent", "CustomAgent/1.0"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    let page = fetcher
        .fetch_page(FetchRequest {
            headers: Some(headers.clone()),
            ..request(&site.url("/headers"))
        })
        .await
        .unwrap();
    let echoed: serde_json::Value = serde_json::from_str(&page.content).unwrap();
    assert_eq!(echoed["authorization"], "Bearer token-123");
    assert_eq!(echoed["x-api-key"], "key-456");
    assert_eq!(echoed["accept-language"], "pl");
    assert_eq!(echoed["user-agent"], "CustomAgent/1.0");

    let page = fetcher
        .fetch_page(FetchRequest {
            headers: Some(headers),
            ..request(&site.url(&format!("/redirect-to?target={}", other.url("/headers"))))
        })
        .await
        .unwrap();
    let echoed: serde_json::Value = serde_json::from_str(&page.content).unwrap();
    assert_eq!(
        echoed.get("authorization"),
        None,
        "credentials do not follow to another origin"
    );
    assert_eq!(echoed.get("x-api-key"), None);
    assert_eq!(echoed["accept-language"], "pl", "content negotiation does");

    let page = fetch_ok(&fetcher, &site.url("/headers")).await;
    let echoed: serde_json::Value = serde_json::from_str(&page.content).unwrap();
    let agent = echoed["user-agent"].as_str().unwrap();
    assert!(agent.starts_with("Switchboard-Fetch/"), "{agent}");
}

#[tokio::test]
async fn forbidden_headers_are_refused_without_echoing_values() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    for name in ["Host", "Connection", "Transfer-Encoding", "Content-Length"] {
        let headers = BTreeMap::from([(name.to_owned(), "secret-value".to_owned())]);
        let error = fetch_err(
            &fetcher,
            FetchRequest {
                headers: Some(headers),
                ..request(&site.url("/text"))
            },
        )
        .await
        .to_string();
        assert!(
            error.contains(name) && !error.contains("secret-value"),
            "{error}"
        );
    }
    assert_eq!(site.connections(), 0);
}

#[tokio::test]
async fn bad_urls_are_refused_before_any_traffic() {
    let fetcher = server(FetchConfig::default());
    let huge = format!("https://example.com/{}", "a".repeat(10_000));
    let cases = [
        (
            "ftp://example.com/file.txt",
            "\"ftp:\" URLs are not supported",
        ),
        ("file:///etc/passwd", "\"file:\" URLs are not supported"),
        ("http://", "not a valid URL"),
        (
            "example.com/page",
            "it needs a scheme, such as https://example.com/page",
        ),
        ("", "The url is empty"),
        (huge.as_str(), "the limit is 8192"),
    ];
    for (url, expected) in cases {
        let error = fetch_err(&fetcher, request(url)).await.to_string();
        assert!(error.contains(expected), "{url:.40}: {error}");
        assert!(error.len() < 400, "errors stay short");
    }
    let error = fetch_err(
        &fetcher,
        FetchRequest {
            max_length: Some(0),
            ..request("https://example.com/")
        },
    )
    .await;
    assert!(matches!(error, FetchError::InvalidArgument(_)), "{error:?}");
}

#[tokio::test]
async fn script_built_pages_get_a_note_and_deep_pages_are_read_as_text() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let page = fetch_ok(&fetcher, &site.url("/script-only")).await;
    assert_eq!(page.content, "");
    assert!(page.note.unwrap().contains("built by JavaScript"));
    let started = Instant::now();
    let page = fetch_ok(&fetcher, &site.url("/deep")).await;
    assert_eq!(page.content, "Before\n\nDeep down");
    assert!(page.note.unwrap().contains("too deeply"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let page = fetch_ok(&fetcher, &site.url("/empty")).await;
    assert_eq!(page.note.as_deref(), Some("The response is empty."));
}

#[tokio::test]
async fn a_closed_port_and_a_server_that_does_not_speak_tls_are_reported() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let fetcher = server(loopback_only());
    let error = fetch_err(&fetcher, request(&format!("http://{closed}/"))).await;
    assert!(matches!(error, FetchError::Unreachable { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("Could not connect to 127.0.0.1"),
        "{error}"
    );
    let plain = RawServer::start(RawAnswer::Chunked { bytes: 10 }).await;
    let started = Instant::now();
    let error = fetch_err(&fetcher, request(&format!("https://{}/", plain.addr))).await;
    assert!(matches!(error, FetchError::Unreachable { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn sequential_fetches_reuse_one_pooled_connection() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    for _ in 0..10 {
        fetch_ok(&fetcher, &site.url("/text")).await;
    }
    let clone = fetcher.clone();
    fetch_ok(&clone, &site.url("/text")).await;
    assert_eq!(site.requests(), 11);
    assert_eq!(
        site.connections(),
        1,
        "one keep-alive connection, shared by clones"
    );
}

#[tokio::test]
async fn concurrent_fetches_all_complete() {
    let site = LocalServer::start("127.0.0.1").await;
    let fetcher = server(loopback_only());
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let fetcher = fetcher.clone();
        let url = site.url("/article");
        tasks.push(tokio::spawn(async move {
            fetcher.fetch_page(request(&url)).await
        }));
    }
    for task in tasks {
        let page = task.await.unwrap().unwrap();
        assert_eq!(page.status, 200);
    }
    assert_eq!(site.requests(), 40);
}
