//! What the user sees of a server's processes: its state and its recent stderr.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// A server's state, as the tray and `switchboard status` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ServerState {
    /// A process is starting or has not answered its handshake yet.
    Starting,
    /// Running and answering its health probe.
    Healthy,
    /// Running, but its last health probe failed or timed out.
    Degraded,
    /// Failing repeatedly; not restarted until the user acts.
    Crashed,
    /// Not running: no client session, or switched off.
    Stopped,
}

impl ServerState {
    /// The state of a server from the states of its sessions: the most telling one wins.
    pub fn combine(states: impl IntoIterator<Item = Self>) -> Self {
        states
            .into_iter()
            .max_by_key(|state| match state {
                Self::Stopped => 0,
                Self::Healthy => 1,
                Self::Starting => 2,
                Self::Degraded => 3,
                Self::Crashed => 4,
            })
            .unwrap_or(Self::Stopped)
    }
}

/// The last lines a server wrote to stderr, kept for the UI and for error messages.
#[derive(Debug, Clone)]
pub struct StderrRing {
    lines: VecDeque<String>,
    capacity: usize,
}

/// Longest stderr line kept, in characters.
const MAX_LINE_CHARS: usize = 500;

impl StderrRing {
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    pub fn push(&mut self, line: &str) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
        }
        let line = match line.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_owned(),
        };
        self.lines.push_back(line);
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lines.iter().cloned().collect()
    }

    /// The last `n` lines joined for an error message.
    pub fn tail(&self, n: usize) -> String {
        let skip = self.lines.len().saturating_sub(n);
        self.lines
            .iter()
            .skip(skip)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_telling_state_wins() {
        use ServerState::*;
        assert_eq!(ServerState::combine([]), Stopped);
        assert_eq!(ServerState::combine([Healthy, Stopped]), Healthy);
        assert_eq!(
            ServerState::combine([Healthy, Degraded, Starting]),
            Degraded
        );
        assert_eq!(ServerState::combine([Crashed, Healthy]), Crashed);
    }

    #[test]
    fn the_ring_keeps_the_last_lines_cut_to_length() {
        let mut ring = StderrRing::new(3);
        for i in 0..5 {
            ring.push(&format!("line {i}"));
        }
        assert_eq!(ring.lines(), ["line 2", "line 3", "line 4"]);
        assert_eq!(ring.tail(2), "line 3\nline 4");
        ring.push(&"x".repeat(2000));
        assert_eq!(ring.lines()[2].chars().count(), MAX_LINE_CHARS + 1);
    }
}
