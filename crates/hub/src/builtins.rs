//! The servers built into Switchboard, served in-process: one rmcp service per session.

use serde::{Deserialize, Serialize};
use switchboard_gateway::Upstream;

/// A built-in server as the catalog and `switchboard list` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Builtin {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
}

/// Every built-in server.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "clock",
        title: "Clock",
        description: "The current time in any time zone, and converting times between zones.",
    },
    Builtin {
        name: "calc",
        title: "Calculator",
        description: "Exact arithmetic: + - * / % ^, parentheses, sqrt, round, trigonometry.",
    },
];

/// A fresh in-process instance of the built-in server `name`.
pub fn open(name: &str) -> Option<Upstream> {
    match name {
        "clock" => {
            let zone = server_clock::local_zone_name()
                .and_then(|zone| server_clock::lookup_zone(&zone).ok());
            let server = zone.map_or_else(
                server_clock::ClockServer::utc,
                server_clock::ClockServer::new,
            );
            Some(Upstream::in_process(server))
        }
        "calc" => Some(Upstream::in_process(server_calc::CalcServer::default())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_builtin_opens() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        for builtin in BUILTINS {
            assert!(open(builtin.name).is_some(), "{}", builtin.name);
        }
        assert!(open("nope").is_none());
    }
}
