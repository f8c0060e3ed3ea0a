//! Debouncing of file change events: a path is handled once it has been quiet for a short
//! while, or once it has waited long enough under a steady stream of changes.
//!
//! Owns only the timing rule, as a pure structure over `Instant`s given by the caller (no
//! clock, no threads), so it is tested without sleeping.

use std::{
    collections::HashMap,
    path::PathBuf,
    time::{Duration, Instant},
};

#[derive(Debug, Clone, Copy)]
struct Pending {
    first: Instant,
    last: Instant,
}

/// Paths waiting for their burst of events to end.
#[derive(Debug)]
pub(crate) struct Debouncer {
    pending: HashMap<PathBuf, Pending>,
    quiet: Duration,
    max_delay: Duration,
    capacity: usize,
}

impl Debouncer {
    /// A path is due `quiet` after its last event, or `max_delay` after its first. At most
    /// `capacity` paths wait; past that, [`Debouncer::push`] reports an overflow.
    pub(crate) fn new(quiet: Duration, max_delay: Duration, capacity: usize) -> Self {
        Self {
            pending: HashMap::new(),
            quiet,
            max_delay,
            capacity,
        }
    }

    /// Records an event for `path` at `now`. Returns false when the debouncer is full (the
    /// caller should fall back to a full rescan and [`Debouncer::clear`]).
    pub(crate) fn push(&mut self, path: PathBuf, now: Instant) -> bool {
        if let Some(pending) = self.pending.get_mut(&path) {
            pending.last = now;
            return true;
        }
        if self.pending.len() >= self.capacity {
            return false;
        }
        self.pending.insert(
            path,
            Pending {
                first: now,
                last: now,
            },
        );
        true
    }

    fn due_at(&self, pending: Pending) -> Instant {
        (pending.last + self.quiet).min(pending.first + self.max_delay)
    }

    /// When the next path becomes due, if any is waiting.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|p| self.due_at(*p)).min()
    }

    /// Removes and returns the paths due at `now`, sorted.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<PathBuf> {
        let mut due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, pending)| self.due_at(**pending) <= now)
            .map(|(path, _)| path.clone())
            .collect();
        for path in &due {
            self.pending.remove(path);
        }
        due.sort();
        due
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_millis(1_000);

    fn ms(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    #[test]
    fn a_path_is_due_after_a_quiet_period() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(QUIET, MAX, 10);
        assert!(debouncer.push("a.md".into(), start));
        assert!(
            debouncer.take_due(ms(start, 99)).is_empty(),
            "still settling"
        );
        assert_eq!(debouncer.next_due(), Some(ms(start, 100)));
        assert_eq!(
            debouncer.take_due(ms(start, 100)),
            vec![PathBuf::from("a.md")]
        );
        assert!(debouncer.is_empty());
    }

    #[test]
    fn a_burst_of_events_is_handled_once() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(QUIET, MAX, 10);
        for millis in [0, 30, 60, 90] {
            debouncer.push("a.md".into(), ms(start, millis));
        }
        assert!(
            debouncer.take_due(ms(start, 150)).is_empty(),
            "the burst has not settled"
        );
        assert_eq!(
            debouncer.take_due(ms(start, 190)),
            vec![PathBuf::from("a.md")]
        );
        assert!(
            debouncer.take_due(ms(start, 500)).is_empty(),
            "handled once"
        );
    }

    #[test]
    fn a_steady_stream_is_handled_after_the_maximum_delay() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(QUIET, MAX, 10);
        let mut millis = 0;
        while millis < 1_000 {
            debouncer.push("log.txt".into(), ms(start, millis));
            assert!(debouncer.take_due(ms(start, millis)).is_empty());
            millis += 50;
        }
        assert_eq!(
            debouncer.take_due(ms(start, 1_000)),
            vec![PathBuf::from("log.txt")]
        );
    }

    #[test]
    fn a_full_debouncer_reports_an_overflow() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(QUIET, MAX, 2);
        assert!(debouncer.push("a".into(), start));
        assert!(debouncer.push("b".into(), start));
        assert!(debouncer.push("a".into(), start), "a known path still fits");
        assert!(!debouncer.push("c".into(), start));
        debouncer.clear();
        assert!(debouncer.push("c".into(), start));
    }
}
