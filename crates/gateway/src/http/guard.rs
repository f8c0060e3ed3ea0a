//! Who may use the HTTP endpoint: the Host and Origin checks (DNS rebinding and cross-site
//! requests), the bearer token (compared in constant time), and rate limits per token
//! (token buckets).
//!
//! The checks are pure functions and the bucket is plain data over `Instant`s, tested
//! without sockets or clocks. Must not: read the keychain (the hub hands the token in),
//! log a token, or put one in an error.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError, RwLock},
    time::{Duration, Instant},
};

use axum::http::{HeaderMap, header};
use subtle::ConstantTimeEq;
use switchboard_secrets::Sensitive;

/// Where the endpoint listens, which decides the Host and Origin values it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listening {
    pub ip: IpAddr,
    pub port: u16,
}

impl Listening {
    /// Whether `host` (a Host header value) names this endpoint: a loopback name, or the
    /// address it listens on. Any Host passes when it listens on every address (then the
    /// token is the only guard; the docs say so).
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        if self.ip.is_unspecified() {
            return true;
        }
        let Some(host) = host else { return false };
        let name = strip_port(host);
        is_loopback_name(name) || name.parse::<IpAddr>().is_ok_and(|ip| ip == self.ip)
    }

    /// Whether a browser page at `origin` may call: pages of this same endpoint only. No
    /// `Origin` (every non-browser client) passes.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        let Some(origin) = origin else { return true };
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            return false;
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.port) {
            return false;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        is_loopback_name(host) || host.parse::<IpAddr>().is_ok_and(|ip| ip == self.ip)
    }
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.parse::<u16>().is_ok() => name,
        _ => host,
    }
}

fn is_loopback_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The bearer token the endpoint accepts, replaceable at once (rotation).
#[derive(Debug, Default)]
pub struct Credentials {
    current: RwLock<Option<Token>>,
}

#[derive(Debug)]
struct Token {
    value: Sensitive<String>,
    generation: u64,
}

/// What the `Authorization` header of a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The current token; its generation keys the rate limit.
    Valid { generation: u64 },
    /// No bearer token.
    Missing,
    /// A token that is not the current one.
    Invalid,
}

impl Credentials {
    /// Replaces the token; requests with the previous one are refused from now on.
    pub fn set(&self, value: Sensitive<String>) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let generation = current.as_ref().map_or(1, |t| t.generation + 1);
        *current = Some(Token { value, generation });
    }

    /// The token accepted now, for writing a client's URL entry that must hold it.
    pub fn current(&self) -> Option<Sensitive<String>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|token| token.value.clone())
    }

    pub fn is_set(&self) -> bool {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Checks the request's `Authorization: Bearer …` header.
    pub fn check(&self, headers: &HeaderMap) -> Verdict {
        let Some(presented) = bearer(headers) else {
            return Verdict::Missing;
        };
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        match current.as_ref() {
            Some(token)
                if bool::from(token.value.expose().as_bytes().ct_eq(presented.as_bytes())) =>
            {
                Verdict::Valid {
                    generation: token.generation,
                }
            }
            _ => Verdict::Invalid,
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// How many requests a token may make: `per_second` on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

/// A token bucket: full at `burst`, refilled at `per_second`, one token per request.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(limit: RateLimit, now: Instant) -> Self {
        Self {
            tokens: limit.burst,
            at: now,
        }
    }

    /// Takes one token, or says how long until one is there.
    pub fn take(&mut self, limit: RateLimit, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.per_second).min(limit.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        if limit.per_second <= 0.0 {
            return Err(Duration::from_secs(60));
        }
        Err(Duration::from_secs_f64(
            (1.0 - self.tokens) / limit.per_second,
        ))
    }
}

/// A bucket per token generation.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<u64, Bucket>>,
}

impl RateLimiter {
    pub fn take(&self, key: u64, limit: RateLimit, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(key)
            .or_insert_with(|| Bucket::full(limit, now))
            .take(limit, now)
    }
}

/// `Retry-After` in whole seconds, at least one.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    fn loopback(port: u16) -> Listening {
        Listening {
            ip: "127.0.0.1".parse().unwrap(),
            port,
        }
    }

    #[test]
    fn only_this_computer_s_names_pass_the_host_check() {
        let listening = loopback(8931);
        for host in [
            "127.0.0.1:8931",
            "localhost:8931",
            "LOCALHOST",
            "[::1]:8931",
            "127.0.0.1",
        ] {
            assert!(listening.host_allowed(Some(host)), "{host}");
        }
        for host in [
            "evil.example.com",
            "evil.example.com:8931",
            "192.168.1.5:8931",
        ] {
            assert!(!listening.host_allowed(Some(host)), "{host}");
        }
        assert!(!listening.host_allowed(None), "HTTP/1.1 requires a Host");
        let lan = Listening {
            ip: "192.168.1.5".parse().unwrap(),
            port: 8931,
        };
        assert!(lan.host_allowed(Some("192.168.1.5:8931")));
        assert!(!lan.host_allowed(Some("evil.example.com")));
    }

    #[test]
    fn only_pages_of_this_endpoint_pass_the_origin_check() {
        let listening = loopback(8931);
        assert!(listening.origin_allowed(None));
        assert!(listening.origin_allowed(Some("http://127.0.0.1:8931")));
        assert!(listening.origin_allowed(Some("http://localhost:8931")));
        assert!(listening.origin_allowed(Some("http://[::1]:8931")));
        for origin in [
            "http://evil.example.com",
            "http://evil.example.com:8931",
            "http://127.0.0.1:3000",
            "http://localhost",
            "null",
            "file://",
        ] {
            assert!(!listening.origin_allowed(Some(origin)), "{origin}");
        }
    }

    #[test]
    fn the_current_token_passes_and_a_rotated_one_does_not() {
        let credentials = Credentials::default();
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert_eq!(
            credentials.check(&with("Bearer abc")),
            Verdict::Invalid,
            "no token yet"
        );
        credentials.set(Sensitive::new("first-token-value".to_owned()));
        assert_eq!(
            credentials.check(&with("Bearer first-token-value")),
            Verdict::Valid { generation: 1 }
        );
        assert_eq!(
            credentials.check(&with("bearer  first-token-value ")),
            Verdict::Valid { generation: 1 },
            "the scheme is case-insensitive"
        );
        assert_eq!(credentials.check(&HeaderMap::new()), Verdict::Missing);
        assert_eq!(
            credentials.check(&with("Basic Zm9vOmJhcg==")),
            Verdict::Missing
        );
        credentials.set(Sensitive::new("second-token-value".to_owned()));
        assert_eq!(
            credentials.check(&with("Bearer first-token-value")),
            Verdict::Invalid
        );
        assert_eq!(
            credentials.check(&with("Bearer second-token-value")),
            Verdict::Valid { generation: 2 }
        );
        assert!(!format!("{credentials:?}").contains("second-token-value"));
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let limit = RateLimit {
            per_second: 10.0,
            burst: 3.0,
        };
        let start = Instant::now();
        let mut bucket = Bucket::full(limit, start);
        for _ in 0..3 {
            bucket.take(limit, start).unwrap();
        }
        let wait = bucket.take(limit, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        assert_eq!(retry_after_seconds(wait), 1);
        bucket
            .take(limit, start + Duration::from_millis(100))
            .unwrap();
        assert!(
            bucket
                .take(limit, start + Duration::from_millis(100))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn a_bucket_never_allows_more_than_burst_plus_rate_times_time(
            gaps in proptest::collection::vec(0u64..50, 1..400),
            per_second in 1.0f64..100.0,
            burst in 1.0f64..20.0,
        ) {
            let limit = RateLimit { per_second, burst };
            let start = Instant::now();
            let mut bucket = Bucket::full(limit, start);
            let mut now = start;
            let mut allowed = 0u32;
            for gap in gaps {
                now += Duration::from_millis(gap);
                if bucket.take(limit, now).is_ok() {
                    allowed += 1;
                }
            }
            let ceiling = burst + per_second * now.duration_since(start).as_secs_f64();
            prop_assert!(f64::from(allowed) <= ceiling + 1e-9, "{allowed} > {ceiling}");
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }
}
