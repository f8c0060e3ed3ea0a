//! A client's config file on disk: read its entries, apply operations (merge rules from
//! `edit`, then backup and atomic write), compare for drift, read for import.
//!
//! Owns: the read-edit-write cycle, including the check that the file did not change
//! between reading and writing (a client saving at the same moment). Must not: decide
//! merge rules (that is `edit`) or the write protocol (that is `atomic_write`).

use std::{
    collections::BTreeMap,
    fs, io,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::{
    ClientsError,
    atomic_write::AtomicWriter,
    document::{Document, DocumentError},
    drift::{self, Drift, DriftPolicy},
    edit::{self, Change, Collision, Edited, ManagedEntries, Operation},
    entry::{Entry, parse_entry},
    import::{self, ImportedServer},
    location::ConfigTarget,
};

/// How often the edit is redone when the file changes under it before giving up.
const BUSY_RETRIES: usize = 3;

/// What a client's file holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub exists: bool,
    /// Every entry of the servers map, managed or not; `None` for an entry that is
    /// neither a command nor a URL entry.
    pub entries: BTreeMap<String, Option<Entry>>,
}

/// What [`ConfigTarget::apply`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub path: PathBuf,
    pub changes: Vec<Change>,
    pub collisions: Vec<Collision>,
    /// The managed entries now: store them.
    pub managed: ManagedEntries,
    /// Whether the file was written (nothing is written when nothing changed).
    pub written: bool,
    /// The backup of the previous content, when a file was replaced.
    pub backup: Option<PathBuf>,
}

/// What [`ConfigTarget::handle_drift`] found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftOutcome {
    pub drifts: Vec<Drift>,
    /// The re-apply, when the policy said so and there was drift.
    pub repaired: Option<ApplyReport>,
}

impl ConfigTarget {
    /// Reads every entry of the servers map.
    #[tracing::instrument(skip_all, err, fields(client = self.spec.id, path = %self.path.display()))]
    pub fn read(&self) -> Result<Snapshot, ClientsError> {
        let text = read_text(&self.path)?;
        let servers = self.servers_of(text.as_deref())?;
        Ok(Snapshot {
            path: self.path.clone(),
            exists: text.is_some(),
            entries: servers
                .iter()
                .map(|(name, value)| (name.clone(), parse_entry(value)))
                .collect(),
        })
    }

    /// The merge rules alone, on text: what `operations` make of `original` (`None`: no
    /// file). No I/O; [`ConfigTarget::apply`] is this plus reading, backup and writing.
    pub fn edit_text(
        &self,
        original: Option<&str>,
        managed: &ManagedEntries,
        operations: &[Operation],
    ) -> Result<Edited, ClientsError> {
        edit::edit_text(&self.layout(), original, managed, operations).map_err(|e| e.at(&self.path))
    }

    /// Applies `operations` to the file with the default writer (5 backups kept).
    pub fn apply(
        &self,
        managed: &ManagedEntries,
        operations: &[Operation],
    ) -> Result<ApplyReport, ClientsError> {
        self.apply_with(&AtomicWriter::new(), managed, operations)
    }

    /// Applies `operations` to the file: nothing but managed entries changes; when the
    /// text changes, the old file is backed up and the new one written atomically. A
    /// file that does not parse is left byte for byte as it was.
    #[tracing::instrument(skip_all, err, fields(client = self.spec.id, path = %self.path.display()))]
    pub fn apply_with(
        &self,
        writer: &AtomicWriter,
        managed: &ManagedEntries,
        operations: &[Operation],
    ) -> Result<ApplyReport, ClientsError> {
        let layout = self.layout();
        for _ in 0..BUSY_RETRIES {
            let original = read_text(&self.path)?;
            let edited = edit::edit_text(&layout, original.as_deref(), managed, operations)
                .map_err(|error| error.at(&self.path))?;
            let mut report = ApplyReport {
                path: self.path.clone(),
                changes: edited.changes,
                collisions: edited.collisions,
                managed: edited.managed,
                written: false,
                backup: None,
            };
            let Some(text) = edited.text else {
                return Ok(report);
            };
            if read_text(&self.path)? != original {
                tracing::debug!("the file changed while being edited; editing again");
                continue;
            }
            let written = writer
                .write(&self.path, text.as_bytes())
                .map_err(|source| ClientsError::Write {
                    path: self.path.clone(),
                    source,
                })?;
            report.written = true;
            report.backup = written.backup;
            tracing::info!(
                changes = report.changes.len(),
                "updated a client config file"
            );
            return Ok(report);
        }
        Err(ClientsError::Busy {
            path: self.path.clone(),
            client: self.spec.display_name,
        })
    }

    /// What happened to Switchboard's entries since it wrote them: `managed` says which
    /// entry belongs to which server, `expected` (server id → entry) what each should
    /// say. A missing file drops every entry.
    #[tracing::instrument(skip_all, err, fields(client = self.spec.id, path = %self.path.display()))]
    pub fn drift(
        &self,
        managed: &ManagedEntries,
        expected: &BTreeMap<String, Entry>,
    ) -> Result<Vec<Drift>, ClientsError> {
        let text = read_text(&self.path)?;
        let servers = self.servers_of(text.as_deref())?;
        Ok(drift::compare(
            &servers,
            managed,
            expected,
            &self.spec.entry,
        ))
    }

    /// Drift handled as the user's setting says: the drifts found and, with
    /// [`DriftPolicy::Reapply`], the write that put Switchboard's entries back (store its
    /// `managed`). A file that no longer parses is an error under either policy: nothing
    /// is written into a file a client left broken.
    pub fn handle_drift(
        &self,
        managed: &ManagedEntries,
        expected: &BTreeMap<String, Entry>,
        policy: DriftPolicy,
    ) -> Result<DriftOutcome, ClientsError> {
        let drifts = self.drift(managed, expected)?;
        let repaired = match policy {
            DriftPolicy::Reapply if !drifts.is_empty() => {
                Some(self.apply(managed, &Drift::repair(&drifts, expected))?)
            }
            _ => None,
        };
        Ok(DriftOutcome { drifts, repaired })
    }

    /// Every entry of the file in a neutral shape for import, with secret-looking values
    /// set apart. Entries in `managed` are Switchboard's own and are marked so.
    #[tracing::instrument(skip_all, err, fields(client = self.spec.id, path = %self.path.display()))]
    pub fn import(&self, managed: &ManagedEntries) -> Result<Vec<ImportedServer>, ClientsError> {
        let text = read_text(&self.path)?;
        let servers = self.servers_of(text.as_deref())?;
        Ok(import::read_servers(&servers, managed))
    }

    /// The backups Switchboard made of this file, oldest first (for a "restore" action,
    /// or to delete after an import moved secrets out of the file: backups of a file
    /// that held secrets still hold them).
    pub fn backups(&self) -> Result<Vec<PathBuf>, ClientsError> {
        match crate::atomic_write::backups_of(&self.path) {
            Ok(backups) => Ok(backups),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(ClientsError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn servers_of(
        &self,
        text: Option<&str>,
    ) -> Result<BTreeMap<String, serde_json::Value>, ClientsError> {
        let document =
            Document::parse(self.spec.format, text).map_err(|source| self.error(source))?;
        Ok(document
            .servers(&self.servers_path)
            .map_err(|source| self.error(source))?
            .unwrap_or_default())
    }

    fn error(&self, source: DocumentError) -> ClientsError {
        ClientsError::Document {
            path: self.path.clone(),
            source,
        }
    }
}

/// The file's text; `None` when it does not exist. Text that is not UTF-8 is reported
/// with the position of the first bad byte.
fn read_text(path: &Path) -> Result<Option<String>, ClientsError> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|error| {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, column) = crate::document::line_and_column(&prefix, prefix.len());
            ClientsError::Document {
                path: path.to_path_buf(),
                source: DocumentError::Malformed {
                    format: "UTF-8 text",
                    line,
                    column,
                    message: "invalid UTF-8 byte".to_owned(),
                },
            }
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ClientsError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}
