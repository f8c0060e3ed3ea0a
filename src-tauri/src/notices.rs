//! Native notifications: when a server crashes (it kept failing, so Switchboard stopped
//! restarting it) and when an MCP client rewrote its config file behind Switchboard's back. Which changes deserve a notice is a pure function of the states seen;
//! the listener shows them. Must not: notify twice for one crash.

use std::collections::HashMap;

use switchboard_supervisor::ServerState;

use switchboard_gateway::DriftAction;

use crate::events::{ClientDrift, StateChange};

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The last state seen of each server.
#[derive(Debug, Default)]
pub struct Notices {
    last: HashMap<String, ServerState>,
}

impl Notices {
    /// The notice a state change calls for, if any. `name` is the server's display name.
    pub fn on_state(&mut self, change: &StateChange, name: &str) -> Option<Notice> {
        let before = self.last.insert(change.server.clone(), change.state);
        (change.state == ServerState::Crashed && before != Some(ServerState::Crashed)).then(|| {
            Notice {
                title: format!("{name} stopped working"),
                body: format!(
                    "{name} kept crashing, so Switchboard stopped restarting it. Open \
                     Switchboard to see its last output, then restart it."
                ),
            }
        })
    }
}

/// The notice a client file's drift calls for: always one, since the person may have to act
/// (or at least should know their AI app's settings file was changed).
pub fn on_drift(drift: &ClientDrift) -> Notice {
    let title = match drift.action {
        DriftAction::Reapplied => "Switchboard put its entries back",
        DriftAction::Surfaced => "An AI app changed Switchboard's entries",
        DriftAction::Failed => "Switchboard could not put its entries back",
    };
    Notice {
        title: title.to_owned(),
        body: drift.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_told_with_what_was_done() {
        let drift = ClientDrift {
            client: "claude-desktop".into(),
            path: "/home/a/.config/Claude/claude_desktop_config.json".into(),
            action: DriftAction::Failed,
            message: "Claude Desktop's file no longer parses; fix it and Switchboard retries"
                .into(),
        };
        let notice = on_drift(&drift);
        assert_eq!(notice.title, "Switchboard could not put its entries back");
        assert_eq!(notice.body, drift.message, "the daemon's words are shown");
    }

    fn change(state: ServerState) -> StateChange {
        StateChange {
            server: "fetch".into(),
            state,
        }
    }

    #[test]
    fn a_crash_is_told_once_and_again_after_recovery() {
        let mut notices = Notices::default();
        assert_eq!(
            notices.on_state(&change(ServerState::Healthy), "Fetch"),
            None
        );
        let notice = notices
            .on_state(&change(ServerState::Crashed), "Fetch")
            .expect("a crash is told");
        assert_eq!(notice.title, "Fetch stopped working");
        assert!(notice.body.contains("restart it"), "{}", notice.body);
        assert_eq!(
            notices.on_state(&change(ServerState::Crashed), "Fetch"),
            None,
            "not twice for one crash"
        );
        notices.on_state(&change(ServerState::Starting), "Fetch");
        assert!(
            notices
                .on_state(&change(ServerState::Crashed), "Fetch")
                .is_some(),
            "a new crash after a restart is told"
        );
    }

    #[test]
    fn degraded_is_shown_in_the_tray_not_notified() {
        let mut notices = Notices::default();
        assert_eq!(
            notices.on_state(&change(ServerState::Degraded), "Fetch"),
            None
        );
    }
}
