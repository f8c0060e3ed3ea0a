//! When to restart a server that exited: exponential backoff with jitter, reset after a
//! stable run, and a crash loop (too many failures too close together) that stops trying.
//! Pure: time and randomness come in as arguments.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

/// The restart rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartPolicy {
    /// Delay before the first restart.
    pub initial: Duration,
    /// Longest delay between restarts.
    pub max: Duration,
    /// Each consecutive failure multiplies the delay by this.
    pub multiplier: f64,
    /// Up to this fraction of the delay is added or removed at random, so that many
    /// sessions of one server do not restart in lockstep.
    pub jitter: f64,
    /// A run this long counts as stable: the next failure starts the backoff afresh.
    pub stable_after: Duration,
    /// This many failures within `crash_window` is a crash loop.
    pub crash_limit: usize,
    pub crash_window: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.2,
            stable_after: Duration::from_secs(30),
            crash_limit: 5,
            crash_window: Duration::from_secs(60),
        }
    }
}

/// What to do about an exit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Start it again after this delay.
    RestartAfter(Duration),
    /// Too many failures too quickly: leave it stopped until someone acts.
    CrashLoop,
}

/// The failure history of one server (or one session's process).
#[derive(Debug, Clone, Default)]
pub struct RestartTracker {
    consecutive: u32,
    failures: VecDeque<Instant>,
}

impl RestartTracker {
    /// Records an exit of a process that ran from `started` to `exited` and decides what to
    /// do. `random` is uniform in [0, 1).
    pub fn on_exit(
        &mut self,
        policy: &RestartPolicy,
        started: Instant,
        exited: Instant,
        random: f64,
    ) -> Decision {
        if exited.saturating_duration_since(started) >= policy.stable_after {
            self.consecutive = 0;
        }
        self.consecutive = self.consecutive.saturating_add(1);
        self.failures.push_back(exited);
        while let Some(&oldest) = self.failures.front() {
            if exited.saturating_duration_since(oldest) > policy.crash_window {
                self.failures.pop_front();
            } else {
                break;
            }
        }
        if self.failures.len() >= policy.crash_limit {
            return Decision::CrashLoop;
        }
        let exponent = i32::try_from(self.consecutive - 1).unwrap_or(i32::MAX);
        let base = policy.initial.as_secs_f64() * policy.multiplier.powi(exponent);
        let capped = base.min(policy.max.as_secs_f64());
        let spread = capped * policy.jitter * (2.0 * random.clamp(0.0, 1.0) - 1.0);
        Decision::RestartAfter(Duration::from_secs_f64((capped + spread).max(0.0)))
    }

    /// Forgets the history (after the user restarts a server by hand).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Failures counted since the last stable run.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_jitter() -> RestartPolicy {
        RestartPolicy {
            jitter: 0.0,
            ..RestartPolicy::default()
        }
    }

    fn delay(decision: Decision) -> Duration {
        match decision {
            Decision::RestartAfter(d) => d,
            Decision::CrashLoop => panic!("unexpected crash loop"),
        }
    }

    #[test]
    fn delays_double_up_to_the_cap() {
        let policy = RestartPolicy {
            crash_limit: 100,
            ..no_jitter()
        };
        let mut tracker = RestartTracker::default();
        let t0 = Instant::now();
        let delays: Vec<Duration> = (0..12)
            .map(|i| {
                let at = t0 + Duration::from_secs(i);
                delay(tracker.on_exit(&policy, at, at + Duration::from_millis(10), 0.5))
            })
            .collect();
        assert_eq!(delays[0], Duration::from_millis(100));
        assert_eq!(delays[1], Duration::from_millis(200));
        assert_eq!(delays[3], Duration::from_millis(800));
        assert_eq!(delays[11], Duration::from_secs(30), "capped at max");
    }

    #[test]
    fn a_stable_run_resets_the_backoff() {
        let policy = RestartPolicy {
            crash_limit: 100,
            ..no_jitter()
        };
        let mut tracker = RestartTracker::default();
        let t0 = Instant::now();
        for i in 0..4 {
            let at = t0 + Duration::from_secs(i);
            tracker.on_exit(&policy, at, at, 0.5);
        }
        let started = t0 + Duration::from_secs(10);
        let stable_exit = started + Duration::from_secs(31);
        let decision = tracker.on_exit(&policy, started, stable_exit, 0.5);
        assert_eq!(delay(decision), Duration::from_millis(100));
        assert_eq!(tracker.consecutive_failures(), 1);
    }

    #[test]
    fn five_quick_failures_are_a_crash_loop() {
        let policy = no_jitter();
        let mut tracker = RestartTracker::default();
        let t0 = Instant::now();
        let decisions: Vec<Decision> = (0..5)
            .map(|i| {
                let at = t0 + Duration::from_secs(i);
                tracker.on_exit(&policy, at, at, 0.5)
            })
            .collect();
        assert!(matches!(decisions[3], Decision::RestartAfter(_)));
        assert_eq!(decisions[4], Decision::CrashLoop);
    }

    #[test]
    fn failures_spread_out_in_time_are_not_a_crash_loop() {
        let policy = no_jitter();
        let mut tracker = RestartTracker::default();
        let t0 = Instant::now();
        for i in 0..20 {
            let at = t0 + Duration::from_secs(i * 20);
            let decision = tracker.on_exit(&policy, at, at, 0.5);
            assert!(matches!(decision, Decision::RestartAfter(_)), "failure {i}");
        }
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let policy = RestartPolicy::default();
        let t0 = Instant::now();
        for random in [0.0, 0.25, 0.5, 0.999] {
            let mut tracker = RestartTracker::default();
            let d = delay(tracker.on_exit(&policy, t0, t0, random)).as_secs_f64();
            assert!((0.08..=0.12).contains(&d), "{random} gave {d}");
        }
    }
}
