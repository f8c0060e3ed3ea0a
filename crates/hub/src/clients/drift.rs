//! Drift: a client (or anyone) rewrote a file Switchboard wrote to and dropped or altered
//! one of its entries. The daemon watches every managed file and, as the `clients.drift`
//! setting says, writes the entries back or only tells; either way it logs and announces a
//! `ClientDrift` event.
//!
//! Owns: the watcher's life (restarted on the files managed now), the drift pass, and the
//! sentence that describes drift. Must not: decide what an entry should say (the bridge
//! or URL entry, from `entries.rs`) or compare files itself (`switchboard-clients` does).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    time::Duration,
};

use switchboard_clients::{ClientSpec, ConfigTarget, ConfigWatcher, DriftKind, DriftPolicy, Entry};
use switchboard_gateway::{DriftAction, DriftedEntry, Event};
use switchboard_store::{ClientFile, ManagedClientFile};

use super::{ClientTarget, blocking, lock, restart_hint};
use crate::{control::ControlError, hub::Hub, settings};

/// How long a client file must stay quiet after a change before it is compared.
const DRIFT_DEBOUNCE: Duration = Duration::from_millis(250);

impl Hub {
    /// Watches every client file Switchboard manages and answers drift, until the daemon
    /// stops. Checks every file once at the start (a client may have rewritten its file
    /// while the daemon was not running).
    pub(crate) async fn watch_client_files(self) {
        let Some(mut changes) = lock(&self.client_files().changes).take() else {
            return;
        };
        self.rewatch().await;
        self.check_drift(None).await;
        loop {
            tokio::select! {
                changed = changes.recv() => match changed {
                    Some(paths) => self.check_drift(Some(paths.as_slice())).await,
                    None => break,
                },
                () = self.shutdown_token().cancelled() => break,
            }
        }
        let watcher = lock(&self.client_files().watcher).take();
        drop(watcher);
    }

    /// Restarts the file watcher on the files Switchboard manages now.
    pub(super) async fn rewatch(&self) {
        let files = match self.managed_paths().await {
            Ok(files) => files,
            Err(error) => {
                tracing::warn!(%error, "could not list the client files to watch");
                return;
            }
        };
        let watcher = if files.is_empty() {
            None
        } else {
            let changed = self.client_files().changed.clone();
            match ConfigWatcher::start(&files, DRIFT_DEBOUNCE, move |paths| {
                let _ = changed.send(paths);
            }) {
                Ok(watcher) => {
                    for path in watcher.unwatched() {
                        tracing::warn!(path = %path.display(), "cannot watch this client file: its folder does not exist");
                    }
                    Some(watcher)
                }
                Err(error) => {
                    tracing::warn!(%error, "client files are not watched for drift");
                    None
                }
            }
        };
        let old = std::mem::replace(&mut *lock(&self.client_files().watcher), watcher);
        drop(old);
    }

    async fn managed_paths(&self) -> Result<Vec<PathBuf>, ControlError> {
        let mut paths = BTreeSet::new();
        for managed in self.store().managed_client_files().await? {
            match self.resolve(&ClientTarget::of_file(&managed.file)) {
                Ok((config, _)) => {
                    paths.insert(config.path().to_owned());
                }
                Err(error) => tracing::warn!(%error, "a managed client file cannot be found"),
            }
        }
        Ok(paths.into_iter().collect())
    }

    /// Compares the managed files among `changed` (all of them when `None`) with what
    /// Switchboard wrote, and re-applies or reports as the `clients.drift` setting says.
    async fn check_drift(&self, changed: Option<&[PathBuf]>) {
        let _edits = self.client_files().edits.lock().await;
        let policy = self.drift_policy().await;
        let (files, installed) = match (
            self.store().managed_client_files().await,
            self.installed_ids().await,
        ) {
            (Ok(files), Ok(installed)) => (files, installed),
            (Err(error), _) => {
                tracing::warn!(%error, "could not read the managed client files");
                return;
            }
            (_, Err(error)) => {
                tracing::warn!(%error, "could not read the installed servers");
                return;
            }
        };
        for managed in files {
            let Ok((config, file)) = self.resolve(&ClientTarget::of_file(&managed.file)) else {
                continue;
            };
            if changed.is_some_and(|paths| !paths.iter().any(|p| p == config.path())) {
                continue;
            }
            self.answer_drift(config, &file, &managed, &installed, policy)
                .await;
        }
    }

    async fn answer_drift(
        &self,
        config: ConfigTarget,
        file: &ClientFile,
        managed: &ManagedClientFile,
        installed: &BTreeSet<String>,
        policy: DriftPolicy,
    ) {
        let spec = config.client();
        let names = managed.names();
        let mut expected: BTreeMap<String, Entry> = BTreeMap::new();
        for server in names.values().filter(|server| installed.contains(*server)) {
            match self.client_entry(spec, server).await {
                Ok(entry) => {
                    expected.insert(server.clone(), entry);
                }
                Err(error) => {
                    tracing::warn!(client = spec.id, server = %server, error = %error.message, "the entry this client file should hold cannot be made; it is not checked");
                }
            }
        }
        let path = config.path().to_owned();
        let handled = {
            let names = names.clone();
            blocking(move || config.handle_drift(&names, &expected, policy)).await
        };
        let outcome = match handled {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(error)) => {
                let message = format!(
                    "{} changed and Switchboard's entries there could not be checked: {error}",
                    path.display()
                );
                tracing::warn!(client = spec.id, path = %path.display(), %error, "client file drift could not be checked");
                self.announce_drift(spec, &path, Vec::new(), DriftAction::Failed, message);
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "drift check did not finish");
                return;
            }
        };
        if outcome.drifts.is_empty() {
            return;
        }
        let entries: Vec<DriftedEntry> = outcome
            .drifts
            .iter()
            .map(|drift| DriftedEntry {
                name: drift.name.clone(),
                server: drift.server.clone(),
                dropped: drift.kind == DriftKind::Dropped,
                fields: match &drift.kind {
                    DriftKind::Dropped => Vec::new(),
                    DriftKind::Altered { fields } => {
                        fields.iter().map(|f| (*f).to_owned()).collect()
                    }
                },
            })
            .collect();
        let what = describe_drift(&entries);
        let (action, message) = match outcome.repaired {
            Some(repaired) => {
                let written: BTreeSet<String> =
                    entries.iter().map(|entry| entry.name.clone()).collect();
                if let Err(error) = self
                    .store()
                    .record_client_entries(file, &repaired.managed, &written)
                    .await
                {
                    tracing::warn!(%error, "could not record re-applied client entries");
                }
                (
                    DriftAction::Reapplied,
                    format!(
                        "{} changed: {what}. Switchboard put its entries back ({}).",
                        path.display(),
                        restart_hint(spec)
                    ),
                )
            }
            None => (
                DriftAction::Surfaced,
                format!(
                    "{} changed: {what}. It was left as it is because the clients.drift \
                     setting is \"surface\"; `switchboard install <server> --into {}` puts \
                     an entry back.",
                    path.display(),
                    spec.id
                ),
            ),
        };
        tracing::warn!(client = spec.id, path = %path.display(), ?action, "{message}");
        self.announce_drift(spec, &path, entries, action, message);
    }

    fn announce_drift(
        &self,
        spec: &ClientSpec,
        path: &Path,
        entries: Vec<DriftedEntry>,
        action: DriftAction,
        message: String,
    ) {
        let _ = self.events().send(Event::ClientDrift {
            client: spec.id.to_owned(),
            path: path.to_owned(),
            entries,
            action,
            message,
        });
    }

    async fn drift_policy(&self) -> DriftPolicy {
        match self
            .store()
            .setting::<String>(settings::CLIENTS_DRIFT)
            .await
        {
            Ok(Some(word)) if word == settings::DRIFT_SURFACE => DriftPolicy::Surface,
            Ok(_) => DriftPolicy::Reapply,
            Err(error) => {
                tracing::warn!(%error, "could not read clients.drift; re-applying");
                DriftPolicy::Reapply
            }
        }
    }
}

/// "the entry clock was removed, args of files changed".
fn describe_drift(entries: &[DriftedEntry]) -> String {
    entries
        .iter()
        .map(|entry| {
            if entry.dropped {
                format!("Switchboard's entry {} was removed", entry.name)
            } else if entry.fields.is_empty() {
                format!("Switchboard's entry {} was changed", entry.name)
            } else {
                format!(
                    "the {} of Switchboard's entry {} changed",
                    entry.fields.join(", "),
                    entry.name
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_reads_as_a_sentence_without_values() {
        let entries = [
            DriftedEntry {
                name: "clock".into(),
                server: "clock".into(),
                dropped: true,
                fields: Vec::new(),
            },
            DriftedEntry {
                name: "files".into(),
                server: "files".into(),
                dropped: false,
                fields: vec!["command".into(), "args".into()],
            },
        ];
        assert_eq!(
            describe_drift(&entries),
            "Switchboard's entry clock was removed; the command, args of Switchboard's entry \
             files changed"
        );
    }
}
