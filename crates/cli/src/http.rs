//! Serving one MCP server over Streamable HTTP on loopback: the listener, the Origin and
//! Host checks (403 for anything not on this computer), body limits, and JSON-RPC error
//! bodies for requests that are not JSON-RPC.
//!
//! Must not: listen on anything but a loopback address.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use axum::{
    body::Body,
    extract::Request,
    http::{Method, StatusCode, header},
    middleware::{self, Next},
    response::Response,
};
use rmcp::{
    ErrorData, ServerHandler,
    model::{ClientJsonRpcMessage, JsonRpcMessage, ServerJsonRpcMessage},
    transport::{
        StreamableHttpServerConfig, StreamableHttpService,
        streamable_http_server::session::local::LocalSessionManager,
    },
};
use tokio_util::sync::CancellationToken;

use crate::{rejection, stdio::MAX_MESSAGE_BYTES};

/// Serves `server` at `http://ADDR/mcp` until interrupted; prints the URL on stdout once
/// listening.
pub(crate) async fn serve<S: ServerHandler + Clone + Send + Sync + 'static>(
    server: S,
    addr: SocketAddr,
) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() {
        bail!(
            "refusing to listen on {addr}: `serve --http` listens on loopback only (127.0.0.1 \
             or [::1]), so that nothing outside this computer can reach the server"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("could not listen on {addr}; is the port in use? Use port 0 to pick a free one")
    })?;
    let bound = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_origins(loopback_origins(bound.port()))
        .enforce_origin_validation()
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES)
        .with_cancellation_token(shutdown.child_token());
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        config,
    );
    let app = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(middleware::from_fn(answer_non_json_rpc));

    let url = format!("http://{bound}/mcp");
    tracing::info!(%url, "serving over Streamable HTTP");
    #[allow(clippy::print_stdout)] // the URL is this mode's output, for scripts and tests
    {
        println!("{url}");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            interrupted().await;
            shutdown.cancel();
        })
        .await
        .context("the HTTP server stopped with an error")
}

/// Browser origins that may call a loopback server: pages served from this same computer
/// and port. Any other `Origin` gets 403 (DNS rebinding and cross-site requests).
fn loopback_origins(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|host| format!("http://{host}:{port}"))
        .collect()
}

/// Answers a POST whose body is not a JSON-RPC message with a JSON-RPC error (400, or 413
/// when too large) instead of the transport's plain-text refusal; passes the rest on.
async fn answer_non_json_rpc(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        let error = ErrorData::invalid_request(
            format!(
                "Invalid Request: message larger than {} MiB",
                MAX_MESSAGE_BYTES / (1024 * 1024)
            ),
            None,
        );
        return json_rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &JsonRpcMessage::error(error, None),
        );
    };
    if let Err(error) = serde_json::from_slice::<ClientJsonRpcMessage>(&bytes) {
        let rejection = rejection::reject(&bytes, &error);
        let message = JsonRpcMessage::error(rejection.error, rejection.id);
        return json_rpc_error(StatusCode::BAD_REQUEST, &message);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn json_rpc_error(status: StatusCode, message: &ServerJsonRpcMessage) -> Response {
    let body = serde_json::to_vec(message).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_port_loopback_origins_are_allowed() {
        assert_eq!(
            loopback_origins(8080),
            [
                "http://127.0.0.1:8080",
                "http://localhost:8080",
                "http://[::1]:8080"
            ]
        );
    }

    #[tokio::test]
    async fn non_loopback_addresses_are_refused_before_binding() {
        let server = server_calc::CalcServer::default();
        let error = serve(server, "0.0.0.0:0".parse().unwrap())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("loopback only"), "{error}");
    }
}
