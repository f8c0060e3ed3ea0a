//! The merge rules: given a file's text, the entries Switchboard manages in it (tracked by
//! the hub in the store) and the operations asked for, produce the new text and say what
//! changed. Pure: text in, text out, no I/O, so the rules are tested over thousands of
//! random files.
//!
//! Owns: which entry name a server gets (its id, or `<id>-switchboard`… when a foreign
//! entry has the name), when an entry counts as unchanged, and that nothing but managed
//! entries is ever touched. Must not: read or write files, or know which servers exist.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::{
    ClientsError,
    document::{Document, DocumentError, PathKey},
    entry::{self, Entry, candidate_names, is_valid_name},
    spec::{EntryShape, Format},
};

/// The entries Switchboard manages in one file: entry name → server id. The hub keeps
/// this in the store per client file and passes it in; every edit returns the new one.
pub type ManagedEntries = BTreeMap<String, String>;

/// One change asked of a client file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Add or update server `server`'s entry. Its name is the one Switchboard already
    /// manages for it, else the server id, else `<id>-switchboard`… if a foreign entry
    /// holds the id (reported as a [`Collision`]).
    Put { server: String, entry: Entry },
    /// Remove server `server`'s managed entry (foreign entries are never removed).
    Remove { server: String },
    /// Take over entry `name` for server `server` (after an import): replace it with
    /// `entry` and manage it from now on, keeping the entry's keys Switchboard does not
    /// own (Cline's `autoApprove`, `disabled`, …). A `name` outside the name rule (Cline's
    /// `github.com/…` names) is replaced by an entry named as [`Operation::Put`] would,
    /// carrying those keys over.
    Adopt {
        name: String,
        server: String,
        entry: Entry,
    },
}

impl Operation {
    /// The server the operation is about.
    pub fn server(&self) -> &str {
        match self {
            Self::Put { server, .. } | Self::Remove { server } | Self::Adopt { server, .. } => {
                server
            }
        }
    }
}

/// What happened to one managed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    Added {
        name: String,
        server: String,
    },
    Updated {
        name: String,
        server: String,
    },
    Unchanged {
        name: String,
        server: String,
    },
    Removed {
        name: String,
        server: String,
    },
    /// Removal asked for an entry that was not in the file (the user or the client had
    /// removed it already).
    AlreadyAbsent {
        name: String,
        server: String,
    },
}

impl Change {
    /// Whether the file's text changed for it.
    pub fn touches_file(&self) -> bool {
        matches!(
            self,
            Self::Added { .. } | Self::Updated { .. } | Self::Removed { .. }
        )
    }
}

/// A server that could not use its id as entry name because the client's file already
/// had a foreign entry of that name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    pub server: String,
    /// The name the server wanted (its id).
    pub wanted: String,
    /// The name it got.
    pub chosen: String,
}

impl Collision {
    /// The sentence a UI shows, e.g. "Cursor already had a server called github;
    /// Switchboard's is github-switchboard".
    pub fn message(&self, client_display_name: &str) -> String {
        format!(
            "{client_display_name} already had a server called {}; Switchboard's is {}",
            self.wanted, self.chosen
        )
    }
}

/// The result of [`ConfigTarget::edit_text`](crate::ConfigTarget::edit_text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The new text, or `None` when nothing changed (the file need not be written).
    pub text: Option<String>,
    pub changes: Vec<Change>,
    pub collisions: Vec<Collision>,
    /// The managed entries after the edit, to store.
    pub managed: ManagedEntries,
}

/// Where and how entries go in one file: the servers map's key path and the entry shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub format: Format,
    pub path: Vec<PathKey>,
    pub shape: EntryShape,
    pub client: &'static str,
}

/// Applies `operations` in order to `original` (`None`: the file does not exist).
///
/// Rules: only entries named in `managed` (or added now) are ever written or removed;
/// every other key, entry, comment and byte stays. An update that changes nothing leaves
/// the text alone. A file that does not parse, or whose servers path is not an object,
/// is an error and nothing changes.
pub(crate) fn edit_text(
    layout: &Layout,
    original: Option<&str>,
    managed: &ManagedEntries,
    operations: &[Operation],
) -> Result<Edited, ClientsError> {
    let document = Document::parse(layout.format, original).map_err(ClientsError::from_document)?;
    let present = document
        .servers(&layout.path)
        .map_err(ClientsError::from_document)?
        .unwrap_or_default();
    let mut editor = Editor {
        layout,
        owned: layout.shape.owned_keys(),
        document,
        present,
        managed: managed.clone(),
        changes: Vec::with_capacity(operations.len()),
        collisions: Vec::new(),
    };
    for operation in operations {
        check(layout, operation)?;
        match operation {
            Operation::Put { server, entry } => {
                let name = match managed_name(&editor.managed, server) {
                    Some(name) => name,
                    None => editor.fresh_name(server)?,
                };
                editor.put(&name, server, entry)?;
            }
            Operation::Adopt {
                name,
                server,
                entry,
            } => editor.adopt(name, server, entry)?,
            Operation::Remove { server } => {
                if let Some(name) = managed_name(&editor.managed, server) {
                    editor.remove(&name, server)?;
                }
            }
        }
    }

    let Editor {
        document,
        managed,
        changes,
        collisions,
        ..
    } = editor;
    let text = changes
        .iter()
        .any(Change::touches_file)
        .then(|| document.to_text())
        .filter(|text| Some(text.as_str()) != original);
    Ok(Edited {
        text,
        changes,
        collisions,
        managed,
    })
}

/// The state of one edit: the document, its entries as they stand, the managed set and
/// what was done so far.
struct Editor<'a> {
    layout: &'a Layout,
    owned: Vec<&'static str>,
    document: Document,
    present: BTreeMap<String, Value>,
    managed: ManagedEntries,
    changes: Vec<Change>,
    collisions: Vec<Collision>,
}

impl Editor<'_> {
    /// The first candidate name for `server` that neither a foreign entry nor another
    /// managed entry holds; a collision is recorded when it is not the id.
    fn fresh_name(&mut self, server: &str) -> Result<String, ClientsError> {
        let name = candidate_names(server)
            .find(|name| !self.present.contains_key(name) && !self.managed.contains_key(name))
            .ok_or_else(|| ClientsError::NoFreeName {
                server: server.to_owned(),
            })?;
        if name != server {
            self.collisions.push(Collision {
                server: server.to_owned(),
                wanted: server.to_owned(),
                chosen: name.clone(),
            });
        }
        Ok(name)
    }

    /// Writes `entry` as `name` (keeping keys Switchboard does not own) and manages it.
    fn put(&mut self, name: &str, server: &str, entry: &Entry) -> Result<(), ClientsError> {
        self.put_fields(name, server, entry, Vec::new())
    }

    fn put_fields(
        &mut self,
        name: &str,
        server: &str,
        entry: &Entry,
        extra: Vec<(String, Value)>,
    ) -> Result<(), ClientsError> {
        let change = match self.present.get(name) {
            Some(current)
                if extra.is_empty()
                    && entry::altered_fields(entry, current, &self.layout.shape).is_empty() =>
            {
                Change::Unchanged {
                    name: name.to_owned(),
                    server: server.to_owned(),
                }
            }
            found => {
                let change = if found.is_some() {
                    Change::Updated {
                        name: name.to_owned(),
                        server: server.to_owned(),
                    }
                } else {
                    Change::Added {
                        name: name.to_owned(),
                        server: server.to_owned(),
                    }
                };
                let mut fields: Vec<(String, Value)> = entry::render(entry, &self.layout.shape)
                    .into_iter()
                    .map(|(key, value)| (key.to_owned(), value))
                    .collect();
                fields.extend(extra);
                self.document
                    .put(&self.layout.path, name, &fields, &self.owned)
                    .map_err(ClientsError::from_document)?;
                let written = self
                    .document
                    .servers(&self.layout.path)
                    .map_err(ClientsError::from_document)?
                    .and_then(|mut servers| servers.remove(name))
                    .unwrap_or_default();
                self.present.insert(name.to_owned(), written);
                change
            }
        };
        self.managed.insert(name.to_owned(), server.to_owned());
        self.changes.push(change);
        Ok(())
    }

    /// Removes managed entry `name` of `server`.
    fn remove(&mut self, name: &str, server: &str) -> Result<(), ClientsError> {
        self.managed.remove(name);
        let removed = self
            .document
            .remove(&self.layout.path, name)
            .map_err(ClientsError::from_document)?;
        self.present.remove(name);
        let (name, server) = (name.to_owned(), server.to_owned());
        self.changes.push(if removed {
            Change::Removed { name, server }
        } else {
            Change::AlreadyAbsent { name, server }
        });
        Ok(())
    }

    /// Takes over entry `name` for `server`; see [`Operation::Adopt`].
    fn adopt(&mut self, name: &str, server: &str, entry: &Entry) -> Result<(), ClientsError> {
        // The server may have been managed under another name; that one goes.
        if let Some(old) = managed_name(&self.managed, server)
            && old != name
        {
            self.remove(&old, server)?;
        }
        self.managed.remove(name);
        if is_valid_name(name) {
            return self.put(name, server, entry);
        }
        // A name outside the rule: the entry is renamed, its own keys move along.
        let carried: Vec<(String, Value)> = self
            .present
            .get(name)
            .and_then(Value::as_object)
            .map(|object| {
                object
                    .iter()
                    .filter(|(key, _)| !self.owned.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if self.present.contains_key(name) {
            self.remove(name, server)?;
        }
        let new_name = self.fresh_name(server)?;
        self.put_fields(&new_name, server, entry, carried)
    }
}

/// The operations that make the file hold exactly `desired` (server id → entry) among
/// Switchboard's entries: a put for each desired server, a removal for each managed
/// server no longer desired.
pub fn sync_operations(
    desired: &BTreeMap<String, Entry>,
    managed: &ManagedEntries,
) -> Vec<Operation> {
    let mut operations: Vec<Operation> = desired
        .iter()
        .map(|(server, entry)| Operation::Put {
            server: server.clone(),
            entry: entry.clone(),
        })
        .collect();
    let stale: std::collections::BTreeSet<&String> = managed
        .values()
        .filter(|server| !desired.contains_key(*server))
        .collect();
    operations.extend(stale.into_iter().map(|server| Operation::Remove {
        server: server.clone(),
    }));
    operations
}

fn check(layout: &Layout, operation: &Operation) -> Result<(), ClientsError> {
    let server = operation.server();
    if !is_valid_name(server) {
        return Err(ClientsError::InvalidName(server.to_owned()));
    }
    let entry = match operation {
        Operation::Put { entry, .. } => entry,
        Operation::Adopt { entry, .. } => entry,
        Operation::Remove { .. } => return Ok(()),
    };
    if matches!(entry, Entry::Http(_)) && layout.shape.url.is_none() {
        return Err(ClientsError::UrlNotSupported {
            client: layout.client,
        });
    }
    Ok(())
}

fn managed_name(managed: &ManagedEntries, server: &str) -> Option<String> {
    managed
        .iter()
        .find(|(_, id)| id.as_str() == server)
        .map(|(name, _)| name.clone())
}

impl ClientsError {
    /// A document error before any path is known (pure edits); the file layer adds it.
    pub(crate) fn from_document(source: DocumentError) -> Self {
        Self::Document {
            path: std::path::PathBuf::new(),
            source,
        }
    }
}
