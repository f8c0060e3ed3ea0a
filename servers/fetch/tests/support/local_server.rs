//! Local HTTP servers for the tests, on loopback addresses only: an axum server with the
//! pages the tests fetch (articles, text, JSON, redirects, gzip, a decompression bomb,
//! slow answers, binary), and a raw TCP responder for answers axum will not give (a body
//! that trickles in, a chunked body without a length). Each counts the connections and
//! requests it saw, so a test can prove that a refused fetch never reached it.

#![allow(dead_code)] // Each test file uses a different part of this.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The realistic article page the Markdown snapshot is taken of.
pub(crate) const ARTICLE: &str = include_str!("../pages/article.html");

/// What a test server saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    connections: AtomicUsize,
    requests: AtomicUsize,
    last_headers: Mutex<Option<HeaderMap>>,
}

/// A running test server.
#[derive(Debug, Clone)]
pub(crate) struct LocalServer {
    pub(crate) addr: SocketAddr,
    seen: Arc<Seen>,
}

impl LocalServer {
    /// Starts the page server on `ip`, port chosen by the system.
    pub(crate) async fn start(ip: &str) -> Self {
        let ip: IpAddr = ip.parse().expect("a test address");
        let listener = TcpListener::bind((ip, 0))
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Seen::default());
        let counter = Arc::clone(&seen);
        let listener = listener.tap_io(move |_| {
            counter.connections.fetch_add(1, Ordering::SeqCst);
        });
        let app = routes(&seen);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen }
    }

    /// `http://<addr><path>`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many TCP connections the server accepted.
    pub(crate) fn connections(&self) -> usize {
        self.seen.connections.load(Ordering::SeqCst)
    }

    /// How many requests the server answered.
    pub(crate) fn requests(&self) -> usize {
        self.seen.requests.load(Ordering::SeqCst)
    }

    /// The headers of the last request.
    pub(crate) fn last_headers(&self) -> Option<HeaderMap> {
        self.seen.last_headers.lock().expect("headers lock").clone()
    }
}

fn routes(seen: &Arc<Seen>) -> Router {
    let recorder = Arc::clone(seen);
    Router::new()
        .route("/article", get(|| async { html(ARTICLE) }))
        .route("/text", get(|| async { typed("text/plain; charset=utf-8", "Plain words, żółw.\n") }))
        .route(
            "/json",
            get(|| async { typed("application/json", r#"{"name":"fetch","tags":["a","b"],"nested":{"ok":true,"n":1.50}}"#) }),
        )
        .route("/not-json", get(|| async { typed("text/plain", "{\"a\": nope}") }))
        .route("/latin1", get(|| async { latin1() }))
        .route("/meta-charset", get(|| async { meta_charset() }))
        .route("/octet", get(|| async { typed("application/octet-stream", "Just text, mislabelled.") }))
        .route("/unlabelled-binary", get(|| async { bytes(None, png()) }))
        .route("/binary", get(|| async { bytes(Some("image/png"), png()) }))
        .route("/big", get(|| async { html(&big_page()) }))
        .route("/huge", get(|| async { typed("text/plain", &"x".repeat(2 * 1024 * 1024)) }))
        .route("/gzip", get(|| async { gzip_page() }))
        .route("/bomb", get(|| async { bomb() }))
        .route("/redirect/{n}", get(redirect_chain))
        .route("/loop/a", get(|| async { found("/loop/b") }))
        .route("/loop/b", get(|| async { found("/loop/a") }))
        .route("/redirect-to", get(redirect_to))
        .route("/no-location", get(|| async { StatusCode::FOUND }))
        .route("/slow", get(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            html("<p>late</p>")
        }))
        .route("/headers", get(echo_headers))
        .route("/status/{code}", get(status))
        .route("/script-only", get(|| async {
            html("<html><head><title>App</title></head><body><div id=root></div><script>render()</script></body></html>")
        }))
        .route("/deep", get(|| async {
            html(&format!("<p>Before</p>{}Deep down{}", "<div>".repeat(50_000), "</div>".repeat(50_000)))
        }))
        .route("/empty", get(|| async { typed("text/plain", "") }))
        .layer(axum::middleware::from_fn(move |request: Request, next: axum::middleware::Next| {
            let recorder = Arc::clone(&recorder);
            async move {
                recorder.requests.fetch_add(1, Ordering::SeqCst);
                *recorder.last_headers.lock().expect("headers lock") = Some(request.headers().clone());
                next.run(request).await
            }
        }))
}

fn html(body: &str) -> Response {
    typed("text/html; charset=utf-8", body)
}

fn typed(content_type: &str, body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, content_type.to_owned())],
        body.to_owned(),
    )
        .into_response()
}

fn bytes(content_type: Option<&str>, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    if let Some(content_type) = content_type {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            content_type.parse().expect("content type"),
        );
    }
    response
}

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(4096, 0);
    png
}

fn latin1() -> Response {
    let body = b"<html><body><p>Caf\xe9 cr\xe8me</p></body></html>".to_vec();
    bytes(Some("text/html; charset=ISO-8859-1"), body)
}

fn meta_charset() -> Response {
    let mut body = b"<html><head><meta charset=\"windows-1250\"></head><body><p>Za\xbf\xf3\xb3\xe6 g\xea\x9cl\xb9 ja\x9f\xf1</p></body></html>".to_vec();
    body.shrink_to_fit();
    bytes(Some("text/html"), body)
}

/// About 120 KiB of HTML: sections of numbered paragraphs.
pub(crate) fn big_page() -> String {
    let mut page = String::from("<html><head><title>Big</title></head><body><main>");
    for section in 1..=40 {
        page.push_str(&format!("<h2>Section {section}</h2>"));
        for paragraph in 1..=6 {
            page.push_str(&format!(
                "<p>Paragraph {section}.{paragraph}: żółw and more words to make a long line of text that a model reads in pages, with a <a href=\"/s{section}\">link</a>.</p>"
            ));
        }
    }
    page.push_str("</main></body></html>");
    page
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

fn gzip_page() -> Response {
    let mut response = bytes(
        Some("text/html; charset=utf-8"),
        gzip(b"<html><body><h1>Compressed</h1><p>Served with gzip.</p></body></html>"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().expect("coding"));
    response
}

/// 64 MiB of spaces, gzipped to about 64 KiB.
fn bomb() -> Response {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    let compressed = BOMB
        .get_or_init(|| gzip(&vec![b' '; 64 * 1024 * 1024]))
        .clone();
    let mut response = bytes(Some("text/plain"), compressed);
    response
        .headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().expect("coding"));
    response
}

async fn redirect_chain(Path(n): Path<u32>) -> Response {
    if n == 0 {
        found("/article")
    } else {
        found(&format!("/redirect/{}", n - 1))
    }
}

async fn redirect_to(request: Request) -> Response {
    let target = request
        .uri()
        .query()
        .and_then(|query| query.strip_prefix("target="))
        .unwrap_or("/article")
        .to_owned();
    found(&target)
}

async fn echo_headers(headers: HeaderMap) -> Response {
    let map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                serde_json::Value::String(value.to_str().unwrap_or("<binary>").to_owned()),
            )
        })
        .collect();
    typed(
        "application/json",
        &serde_json::Value::Object(map).to_string(),
    )
}

async fn status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = format!(
        "<html><head><title>{code}</title><style>h1{{}}</style></head><body><h1>Nothing here</h1><p>The page you wanted is gone.</p></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], body).into_response()
}

/// A raw TCP responder on `127.0.0.1` that answers every connection with `respond`.
#[derive(Debug, Clone)]
pub(crate) struct RawServer {
    pub(crate) addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

/// What a raw server sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawAnswer {
    /// Headers at once, then one byte every 100 ms for 50 bytes.
    Trickle,
    /// A 200 with a chunked body of `bytes` bytes and no Content-Length.
    Chunked { bytes: usize },
}

impl RawServer {
    pub(crate) async fn start(answer: RawAnswer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request).await;
                    let _ = answer_with(&mut stream, answer).await;
                });
            }
        });
        Self { addr, connections }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn answer_with(stream: &mut tokio::net::TcpStream, answer: RawAnswer) -> std::io::Result<()> {
    match answer {
        RawAnswer::Trickle => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 50\r\n\r\n",
                )
                .await?;
            for _ in 0..50 {
                stream.write_all(b"x").await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        RawAnswer::Chunked { bytes } => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            let chunk = vec![b'y'; 64 * 1024];
            let mut sent = 0;
            while sent < bytes {
                let size = chunk.len().min(bytes - sent);
                stream.write_all(format!("{size:x}\r\n").as_bytes()).await?;
                stream.write_all(&chunk[..size]).await?;
                stream.write_all(b"\r\n").await?;
                sent += size;
            }
            stream.write_all(b"0\r\n\r\n").await?;
        }
    }
    stream.flush().await
}
