//! What the embedder decides for a fetch server: address policy, timeouts, limits and the
//! user agent.
//!
//! Owns [`FetchConfig`] and its defaults. Must not read settings files or the environment
//! (proxy variables included): the embedder passes what the user chose.

use std::net::IpAddr;
use std::time::Duration;

/// The settings of one [`FetchServer`](crate::FetchServer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The user's setting: allow loopback, private-network, link-local and CGNAT addresses
    /// (and `localhost` names). Default `false`. Cloud metadata, unspecified, multicast,
    /// broadcast, documentation and reserved addresses stay refused even when `true`.
    pub allow_private_addresses: bool,
    /// Advanced and testing knob: exact IP addresses allowed whatever their class, such as
    /// the `127.0.0.1` of a test server, while every other special address stays refused.
    /// Names (`localhost`) are not affected. Default empty.
    pub allowed_addresses: Vec<IpAddr>,
    /// Limit for one TCP connection attempt. Default 10 s.
    pub connect_timeout: Duration,
    /// Limit for one whole fetch: resolving, connecting, every redirect and the whole
    /// body. Default 30 s.
    pub timeout: Duration,
    /// Redirects followed before giving up. Default 5.
    pub max_redirects: usize,
    /// Cap on the body in bytes, counted after decompression (so a small compressed body
    /// that inflates past it is cut off, not inflated). Default 10 MiB.
    pub max_response_bytes: usize,
    /// Characters returned per call when the caller gives no `max_length`. Default 20,000.
    pub default_max_length: usize,
    /// The `User-Agent` sent unless the caller sets one. Default
    /// `Switchboard-Fetch/<version> (+MCP)`.
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            allowed_addresses: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            max_response_bytes: 10 * 1024 * 1024,
            default_max_length: 20_000,
            user_agent: concat!("Switchboard-Fetch/", env!("CARGO_PKG_VERSION"), " (+MCP)")
                .to_owned(),
        }
    }
}
