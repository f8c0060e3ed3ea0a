//! Drift: a client rewrote its file and dropped or altered an entry Switchboard manages.
//! A pure comparison of what the file has now with what Switchboard wrote, and the
//! operations that put it back.
//!
//! Owns: the comparison rules (by meaning: key order, a missing empty `args`/`env`, and
//! keys Switchboard does not own do not count) and the repair plan. Must not: read files
//! or decide the policy (the user's setting, applied by the hub).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::{
    edit::{ManagedEntries, Operation},
    entry::{Entry, altered_fields},
    spec::EntryShape,
};

/// What to do about drift, as the user's setting says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftPolicy {
    /// Write the entries back at once.
    Reapply,
    /// Tell the user and change nothing.
    Surface,
}

/// How a managed entry drifted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DriftKind {
    /// The entry is gone.
    Dropped,
    /// The entry is there but says something else; `fields` names what differs
    /// (`command`, `args`, `env`, `url`, `headers`, `type`, `kind`, or `entry` when it is
    /// no entry at all). Values are not included: they may be secrets.
    Altered { fields: Vec<&'static str> },
}

/// One managed entry that is not as Switchboard wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The entry's name in the file.
    pub name: String,
    pub server: String,
    pub kind: DriftKind,
}

impl Drift {
    /// The operations that restore these entries (for [`DriftPolicy::Reapply`]).
    pub fn repair(drifts: &[Drift], expected: &BTreeMap<String, Entry>) -> Vec<Operation> {
        drifts
            .iter()
            .filter_map(|drift| {
                expected.get(&drift.server).map(|entry| Operation::Put {
                    server: drift.server.clone(),
                    entry: entry.clone(),
                })
            })
            .collect()
    }
}

/// Compares the file's servers map (`current`) with what Switchboard wrote: for each
/// managed entry whose server has an `expected` entry, whether it was dropped or altered.
pub fn compare(
    current: &BTreeMap<String, Value>,
    managed: &ManagedEntries,
    expected: &BTreeMap<String, Entry>,
    shape: &EntryShape,
) -> Vec<Drift> {
    managed
        .iter()
        .filter_map(|(name, server)| {
            let want = expected.get(server)?;
            let kind = match current.get(name) {
                None => DriftKind::Dropped,
                Some(found) => {
                    let fields = altered_fields(want, found, shape);
                    if fields.is_empty() {
                        return None;
                    }
                    DriftKind::Altered { fields }
                }
            };
            Some(Drift {
                name: name.clone(),
                server: server.clone(),
                kind,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::entry::StdioEntry;

    const PLAIN: EntryShape = EntryShape {
        stdio_type: None,
        url: None,
    };

    fn bridge(id: &str) -> Entry {
        Entry::Stdio(StdioEntry {
            command: "/opt/sb/switchboard".into(),
            args: vec!["connect".into(), id.into()],
            env: BTreeMap::new(),
        })
    }

    fn setup() -> (ManagedEntries, BTreeMap<String, Entry>) {
        let managed = ManagedEntries::from([
            ("github".to_owned(), "github".to_owned()),
            ("notes-switchboard".to_owned(), "notes".to_owned()),
        ]);
        let expected = BTreeMap::from([
            ("github".to_owned(), bridge("github")),
            ("notes".to_owned(), bridge("notes")),
        ]);
        (managed, expected)
    }

    #[test]
    fn untouched_entries_do_not_drift_even_when_reformatted() {
        let (managed, expected) = setup();
        let current = BTreeMap::from([
            (
                "github".to_owned(),
                json!({"args": ["connect", "github"], "command": "/opt/sb/switchboard", "env": {}}),
            ),
            (
                "notes-switchboard".to_owned(),
                json!({"command": "/opt/sb/switchboard", "args": ["connect", "notes"], "disabled": false, "autoApprove": []}),
            ),
            ("other".to_owned(), json!({"command": "npx"})),
        ]);
        assert_eq!(
            compare(&current, &managed, &expected, &PLAIN),
            vec![],
            "no drift expected"
        );
    }

    #[test]
    fn dropped_and_altered_entries_are_reported_with_the_fields_that_differ() {
        let (managed, expected) = setup();
        let current = BTreeMap::from([(
            "notes-switchboard".to_owned(),
            json!({"command": "/usr/bin/other", "args": ["connect", "notes"], "env": {"X": "1"}}),
        )]);
        let drifts = compare(&current, &managed, &expected, &PLAIN);
        assert_eq!(
            drifts,
            vec![
                Drift {
                    name: "github".into(),
                    server: "github".into(),
                    kind: DriftKind::Dropped
                },
                Drift {
                    name: "notes-switchboard".into(),
                    server: "notes".into(),
                    kind: DriftKind::Altered {
                        fields: vec!["command", "env"]
                    },
                },
            ]
        );
        let repair = Drift::repair(&drifts, &expected);
        assert_eq!(repair.len(), 2, "both entries are put back");
        assert!(repair.iter().all(|op| matches!(op, Operation::Put { .. })));
    }

    #[test]
    fn an_entry_replaced_by_something_else_is_altered() {
        let (managed, expected) = setup();
        let current = BTreeMap::from([
            ("github".to_owned(), json!("oops")),
            ("notes-switchboard".to_owned(), json!({"url": "http://x"})),
        ]);
        let kinds: Vec<DriftKind> = compare(&current, &managed, &expected, &PLAIN)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                DriftKind::Altered {
                    fields: vec!["entry"]
                },
                DriftKind::Altered {
                    fields: vec!["kind"]
                },
            ]
        );
    }

    #[test]
    fn a_changed_type_is_drift_where_the_client_uses_one() {
        let shape = EntryShape {
            stdio_type: Some("stdio"),
            url: None,
        };
        let managed = ManagedEntries::from([("github".to_owned(), "github".to_owned())]);
        let expected = BTreeMap::from([("github".to_owned(), bridge("github"))]);
        let current = BTreeMap::from([(
            "github".to_owned(),
            json!({"type": "sse", "command": "/opt/sb/switchboard", "args": ["connect", "github"]}),
        )]);
        let drifts = compare(&current, &managed, &expected, &shape);
        assert_eq!(
            drifts[0].kind,
            DriftKind::Altered {
                fields: vec!["type"]
            }
        );
    }
}
