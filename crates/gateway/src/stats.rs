//! Call statistics per server over a sliding window: calls per minute, error rate and
//! p50/p95 latency, and a short series of points for the app's live charts.
//!
//! Fed with every call the recorder stores (and seeded from the call log when the daemon
//! starts), so the figures are the log's. Memory is bounded: a server keeps one bucket per
//! ten seconds for ten minutes, each with a sparse latency histogram. Must not: read the
//! store or the clock itself; callers pass the time, so the arithmetic is pure and tested
//! here.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use serde::{Deserialize, Serialize};
use switchboard_store::{CallRecord, CallStatus};

/// Width of one bucket of the series, in milliseconds.
pub const BUCKET_MS: i64 = 10_000;
/// Buckets in the series the charts draw: ten minutes.
pub const SERIES_BUCKETS: usize = 60;
/// Buckets the headline figures cover: the last five minutes.
pub const SUMMARY_BUCKETS: usize = 30;
/// Histogram bins per doubling of latency: a bin is about 4.4% wide.
const BINS_PER_DOUBLING: f64 = 16.0;

/// One server's figures, as the control API and the app show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerStats {
    pub server: String,
    /// Calls in the last five minutes.
    pub calls: u32,
    /// Of those, how many failed (a tool error, an error response or no answer in time).
    pub errors: u32,
    pub calls_per_minute: f64,
    /// `errors / calls`, 0 when there were no calls.
    pub error_rate: f64,
    /// Median latency in milliseconds, when there were calls.
    pub p50_ms: Option<f64>,
    /// 95th percentile latency in milliseconds, when there were calls.
    pub p95_ms: Option<f64>,
    /// The last ten minutes, oldest first, one point per ten seconds.
    pub series: Vec<StatsPoint>,
}

/// One ten-second bucket of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct StatsPoint {
    /// Start of the bucket, Unix epoch milliseconds.
    pub at: i64,
    pub calls: u32,
    pub errors: u32,
    pub p95_ms: Option<f64>,
}

/// Latencies on a log scale: bin `b` holds durations around `2^(b/16)` microseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    bins: BTreeMap<u16, u32>,
    count: u64,
}

impl Histogram {
    pub fn add(&mut self, duration_us: i64) {
        *self.bins.entry(bin_of(duration_us)).or_default() += 1;
        self.count += 1;
    }

    pub fn merge(&mut self, other: &Self) {
        for (bin, n) in &other.bins {
            *self.bins.entry(*bin).or_default() += n;
        }
        self.count += other.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The latency below which a fraction `q` (0 to 1) of the calls fall, in milliseconds;
    /// `None` when empty. Accurate to the width of a bin (about 4.4%).
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bin, n) in &self.bins {
            seen += u64::from(*n);
            if seen >= rank {
                return Some(bin_value_us(*bin) / 1000.0);
            }
        }
        self.bins
            .keys()
            .next_back()
            .map(|b| bin_value_us(*b) / 1000.0)
    }
}

/// The bin of a duration in microseconds (anything under 1 µs goes into bin 0).
fn bin_of(duration_us: i64) -> u16 {
    if duration_us <= 1 {
        return 0;
    }
    let bin = ((duration_us as f64).log2() * BINS_PER_DOUBLING).floor();
    bin.min(f64::from(u16::MAX)) as u16
}

/// The middle of a bin (geometric), in microseconds.
fn bin_value_us(bin: u16) -> f64 {
    ((f64::from(bin) + 0.5) / BINS_PER_DOUBLING).exp2()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Bucket {
    calls: u32,
    errors: u32,
    latency: Histogram,
}

/// One server's buckets, keyed by their start time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    buckets: BTreeMap<i64, Bucket>,
}

/// Whether a call counts as failed: the client did not get what it asked for. A call the
/// client cancelled is its own choice, not a failure.
pub fn is_failure(status: CallStatus) -> bool {
    matches!(
        status,
        CallStatus::ToolError | CallStatus::RpcError | CallStatus::Timeout
    )
}

fn bucket_start(at_ms: i64) -> i64 {
    at_ms.div_euclid(BUCKET_MS) * BUCKET_MS
}

impl Window {
    /// Counts one call made at `at_ms`; buckets older than the series are dropped.
    pub fn add(&mut self, at_ms: i64, duration_us: i64, status: CallStatus) {
        let bucket = self.buckets.entry(bucket_start(at_ms)).or_default();
        bucket.calls += 1;
        if is_failure(status) {
            bucket.errors += 1;
        }
        bucket.latency.add(duration_us);
        let newest = self.buckets.keys().next_back().copied().unwrap_or(at_ms);
        let keep_from = newest - BUCKET_MS * (SERIES_BUCKETS as i64 - 1);
        self.buckets = self.buckets.split_off(&keep_from);
    }

    /// The figures as of `now_ms`.
    pub fn stats(&self, server: &str, now_ms: i64) -> ServerStats {
        let current = bucket_start(now_ms);
        let first = current - BUCKET_MS * (SERIES_BUCKETS as i64 - 1);
        let summary_from = current - BUCKET_MS * (SUMMARY_BUCKETS as i64 - 1);
        let mut series = Vec::with_capacity(SERIES_BUCKETS);
        let mut latency = Histogram::default();
        let (mut calls, mut errors) = (0u32, 0u32);
        for i in 0..SERIES_BUCKETS as i64 {
            let at = first + i * BUCKET_MS;
            let point = match self.buckets.get(&at) {
                Some(bucket) => {
                    if at >= summary_from {
                        calls += bucket.calls;
                        errors += bucket.errors;
                        latency.merge(&bucket.latency);
                    }
                    StatsPoint {
                        at,
                        calls: bucket.calls,
                        errors: bucket.errors,
                        p95_ms: bucket.latency.quantile_ms(0.95),
                    }
                }
                None => StatsPoint {
                    at,
                    calls: 0,
                    errors: 0,
                    p95_ms: None,
                },
            };
            series.push(point);
        }
        let minutes = (SUMMARY_BUCKETS as f64 * BUCKET_MS as f64) / 60_000.0;
        ServerStats {
            server: server.to_owned(),
            calls,
            errors,
            calls_per_minute: f64::from(calls) / minutes,
            error_rate: if calls == 0 {
                0.0
            } else {
                f64::from(errors) / f64::from(calls)
            },
            p50_ms: latency.quantile_ms(0.50),
            p95_ms: latency.quantile_ms(0.95),
            series,
        }
    }
}

/// Every server's window. Cheap to clone; one short lock per batch of calls.
#[derive(Debug, Clone, Default)]
pub struct CallStats {
    windows: Arc<Mutex<HashMap<String, Window>>>,
}

impl CallStats {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Window>> {
        self.windows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts stored calls.
    pub fn add(&self, records: &[CallRecord]) {
        let mut windows = self.lock();
        for record in records {
            windows.entry(record.server.clone()).or_default().add(
                record.at,
                record.duration_us,
                record.status,
            );
        }
    }

    /// The figures of `server` as of `now_ms` (all zero for a server with no calls).
    pub fn stats(&self, server: &str, now_ms: i64) -> ServerStats {
        match self.lock().get(server) {
            Some(window) => window.stats(server, now_ms),
            None => Window::default().stats(server, now_ms),
        }
    }

    /// Forgets a server (after it is removed).
    pub fn forget(&self, server: &str) {
        self.lock().remove(server);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const T0: i64 = 1_800_000_000_000;

    #[test]
    fn no_calls_give_zeros_and_a_full_empty_series() {
        let stats = Window::default().stats("calc", T0);
        assert_eq!(stats.calls, 0);
        assert_eq!(stats.error_rate, 0.0, "no calls, no errors");
        assert_eq!(stats.p50_ms, None);
        assert_eq!(
            stats.series.len(),
            SERIES_BUCKETS,
            "the chart always has its points"
        );
        assert_eq!(
            stats.series.last().map(|p| p.at),
            Some(bucket_start(T0)),
            "the series ends with the current bucket"
        );
    }

    #[test]
    fn rate_errors_and_percentiles_cover_the_last_five_minutes() {
        let mut window = Window::default();
        // 90 quick calls and 10 slow ones in the last minute; one in ten failed.
        for i in 0..100 {
            let duration_us = if i < 90 { 1_000 } else { 100_000 };
            let status = if i % 10 == 0 {
                CallStatus::ToolError
            } else {
                CallStatus::Ok
            };
            window.add(T0 - 30_000 + i, duration_us, status);
        }
        // A call eight minutes ago is charted but not in the figures.
        window.add(T0 - 8 * 60_000, 5_000_000, CallStatus::RpcError);
        let stats = window.stats("calc", T0);
        assert_eq!(stats.calls, 100, "only the last five minutes count");
        assert_eq!(stats.errors, 10);
        assert!(
            (stats.calls_per_minute - 20.0).abs() < 1e-9,
            "{}",
            stats.calls_per_minute
        );
        assert!((stats.error_rate - 0.1).abs() < 1e-9);
        let p50 = stats.p50_ms.unwrap();
        let p95 = stats.p95_ms.unwrap();
        assert!((p50 - 1.0).abs() / 1.0 < 0.05, "p50 {p50} is about 1 ms");
        assert!(
            (p95 - 100.0).abs() / 100.0 < 0.05,
            "p95 {p95} is about 100 ms"
        );
        let charted: u32 = stats.series.iter().map(|p| p.calls).sum();
        assert_eq!(charted, 101, "the chart shows the older call too");
    }

    #[test]
    fn cancelled_calls_are_not_failures() {
        assert!(!is_failure(CallStatus::Cancelled));
        assert!(!is_failure(CallStatus::Ok));
        assert!(is_failure(CallStatus::Timeout));
    }

    #[test]
    fn old_buckets_are_dropped_so_memory_stays_bounded() {
        let mut window = Window::default();
        for minute in 0..120 {
            window.add(T0 + minute * 60_000, 10, CallStatus::Ok);
        }
        assert!(
            window.buckets.len() <= SERIES_BUCKETS,
            "{} buckets kept",
            window.buckets.len()
        );
        let stats = window.stats("x", T0 + 119 * 60_000);
        assert_eq!(stats.series.iter().map(|p| p.calls).sum::<u32>(), 10);
    }

    proptest! {
        #[test]
        fn quantiles_are_within_a_bin_of_the_exact_value(
            mut durations in proptest::collection::vec(1i64..10_000_000, 1..400),
            q in 0.01f64..1.0,
        ) {
            let mut histogram = Histogram::default();
            for d in &durations {
                histogram.add(*d);
            }
            durations.sort_unstable();
            let rank = ((q * durations.len() as f64).ceil() as usize).max(1);
            let exact_ms = durations[rank - 1] as f64 / 1000.0;
            let got = histogram.quantile_ms(q).unwrap();
            let ratio = got / exact_ms;
            prop_assert!((0.95..=1.05).contains(&ratio), "q {q}: got {got}, exact {exact_ms}");
        }

        #[test]
        fn quantiles_never_decrease_with_q(
            durations in proptest::collection::vec(0i64..1_000_000_000, 1..200),
        ) {
            let mut histogram = Histogram::default();
            for d in &durations {
                histogram.add(*d);
            }
            let p50 = histogram.quantile_ms(0.5).unwrap();
            let p95 = histogram.quantile_ms(0.95).unwrap();
            prop_assert!(p50 <= p95);
        }
    }
}
