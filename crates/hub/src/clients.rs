//! MCP clients' config files, as the daemon manages them: which clients are on this
//! computer and what each lists, installing a server's bridge entry (`switchboard connect
//! <id>`) into chosen client files and taking it out again, watching those files and
//! answering drift as the user's `clients.drift` setting says, and importing the servers
//! a user configured by hand, with their secrets moved into the keychain.
//!
//! Owns: which entries of which client file are Switchboard's (recorded in the store after
//! every write), the control API's types for all of the above, naming client files
//! (`cursor:project=/abs/path`), and install and uninstall; drift is in `clients/drift.rs`,
//! import in `clients/import.rs`. Must not: know a client's file format, paths or merge
//! rules (that is `switchboard-clients`), or keep a secret value anywhere but the keychain:
//! values found on import go straight to it and are dropped.

use std::{
    collections::BTreeSet,
    fmt,
    path::PathBuf,
    sync::{Mutex, MutexGuard, PoisonError},
};

use serde::{Deserialize, Serialize};
use switchboard_clients::{
    self as clients, Change, ClientSpec, ClientsError, ConfigTarget, ConfigWatcher, Entry,
    Environment, ManagedEntries, Operation, Scope,
};
use switchboard_store::{ClientFile, ClientScope};
use tokio::sync::mpsc;

mod drift;
mod entries;
mod import;

use crate::{
    control::{ControlError, ErrorCode},
    hub::Hub,
};

/// What the hub needs to manage client files.
#[derive(Debug)]
pub struct ClientsOptions {
    /// The absolute path of the `switchboard` executable: what bridge entries run.
    pub binary: PathBuf,
    /// Where clients keep their files for this user, from the daemon's environment
    /// (HOME, APPDATA, XDG_CONFIG_HOME, …); the error says why it is unknown.
    pub environment: Result<Environment, String>,
}

impl ClientsOptions {
    /// Options from this process's environment.
    pub fn from_process(binary: PathBuf) -> Self {
        Self {
            binary,
            environment: Environment::from_process().map_err(|e| e.to_string()),
        }
    }
}

/// The hub's part that manages client files: one edit at a time, and the watcher.
#[derive(Debug)]
pub(crate) struct ClientFiles {
    binary: PathBuf,
    environment: Result<Environment, String>,
    /// Held for every read-edit-record cycle, so that an install, an import and a drift
    /// repair never interleave on one file or in the store.
    edits: tokio::sync::Mutex<()>,
    watcher: Mutex<Option<ConfigWatcher>>,
    changed: mpsc::UnboundedSender<Vec<PathBuf>>,
    changes: Mutex<Option<mpsc::UnboundedReceiver<Vec<PathBuf>>>>,
}

impl ClientFiles {
    /// The `switchboard` program entries run.
    pub(crate) fn binary(&self) -> &std::path::Path {
        &self.binary
    }

    pub(crate) fn new(options: ClientsOptions) -> Self {
        let (changed, changes) = mpsc::unbounded_channel();
        Self {
            binary: options.binary,
            environment: options.environment,
            edits: tokio::sync::Mutex::new(()),
            watcher: Mutex::new(None),
            changed,
            changes: Mutex::new(Some(changes)),
        }
    }
}

/// A client file named in a request: a client id and a scope (user by default; project
/// and local scopes with an absolute project folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClientTarget {
    pub client: String,
    #[serde(default = "user_scope")]
    pub scope: ClientScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<PathBuf>,
}

fn user_scope() -> ClientScope {
    ClientScope::User
}

impl ClientTarget {
    /// A client's user-wide file.
    pub fn user(client: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            scope: ClientScope::User,
            project: None,
        }
    }

    /// Reads `client`, `client:user`, `client:project=/abs/path` or
    /// `client:local=/abs/path`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (client, scope) = text.split_once(':').unwrap_or((text, "user"));
        if client.is_empty() {
            return Err(format!(
                "\"{text}\" names no client; use a client id such as cursor, or \
                 cursor:project=/abs/path"
            ));
        }
        let (scope, project) = scope
            .split_once('=')
            .map_or((scope, None), |(scope, path)| {
                (scope, Some(PathBuf::from(path)))
            });
        let scope = match scope {
            "user" => ClientScope::User,
            "project" => ClientScope::Project,
            "local" => ClientScope::Local,
            other => {
                return Err(format!(
                    "\"{other}\" is not a scope; use {client}, {client}:project=/abs/path or \
                     {client}:local=/abs/path"
                ));
            }
        };
        let target = Self {
            client: client.to_owned(),
            scope,
            project,
        };
        target.check()?;
        Ok(target)
    }

    /// Reads a comma-separated list of targets.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        let targets: Vec<Self> = text
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Self::parse)
            .collect::<Result<_, _>>()?;
        if targets.is_empty() {
            return Err("name at least one client, such as claude-desktop,cursor".to_owned());
        }
        Ok(targets)
    }

    /// The scope and project folder fit together.
    fn check(&self) -> Result<(), String> {
        match (self.scope, &self.project) {
            (ClientScope::User, None) => Ok(()),
            (ClientScope::User, Some(_)) => Err(format!(
                "the user scope of {} takes no project folder",
                self.client
            )),
            (scope, None) => Err(format!(
                "the {} scope needs the project folder: {}:{}=/abs/path",
                scope.as_str(),
                self.client,
                scope.as_str()
            )),
            (_, Some(project)) if !project.is_absolute() => Err(format!(
                "the project folder must be an absolute path, got {}",
                project.display()
            )),
            (_, Some(_)) => Ok(()),
        }
    }

    fn scope(&self) -> Result<Scope, String> {
        self.check()?;
        Ok(match (self.scope, &self.project) {
            (ClientScope::Project, Some(project)) => Scope::Project(project.clone()),
            (ClientScope::Local, Some(project)) => Scope::Local(project.clone()),
            _ => Scope::User,
        })
    }

    fn of_file(file: &ClientFile) -> Self {
        Self {
            client: file.client.clone(),
            scope: file.scope,
            project: file.project.clone(),
        }
    }
}

impl fmt::Display for ClientTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.project {
            None => f.write_str(&self.client),
            Some(project) => write!(
                f,
                "{}:{}={}",
                self.client,
                self.scope.as_str(),
                project.display()
            ),
        }
    }
}

/// One known client and what its files hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClientInfo {
    /// The client's id, such as `cursor`.
    pub id: String,
    pub name: String,
    /// Its config folder, an install folder or its file exists.
    pub installed: bool,
    /// Its user-wide file first, then any project or local file Switchboard wrote to.
    pub files: Vec<ClientFileInfo>,
    /// The file names of its desktop program on this system (to find it running, and quit
    /// and reopen it); empty for a program that runs in a terminal.
    pub programs: Vec<String>,
}

/// One client file: Switchboard's entries in it and everyone else's, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClientFileInfo {
    pub scope: ClientScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<PathBuf>,
    pub path: PathBuf,
    pub exists: bool,
    /// The entries Switchboard manages here.
    pub managed: Vec<ManagedEntryInfo>,
    /// The names of entries Switchboard does not manage (the user's own, or another
    /// tool's); `switchboard import` can take them over.
    pub others: Vec<String>,
    /// Why the file could not be read, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ManagedEntryInfo {
    pub name: String,
    pub server: String,
    /// The entry is in the file now (it may have been removed by hand).
    pub present: bool,
}

/// What happened to one managed entry of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum EntryChangeKind {
    Added,
    Updated,
    Unchanged,
    Removed,
    /// Removal was asked for, but the entry was already gone from the file.
    AlreadyAbsent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct EntryChange {
    pub name: String,
    pub server: String,
    pub change: EntryChangeKind,
}

/// What one client file went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FileReport {
    pub client: String,
    pub client_name: String,
    pub scope: ClientScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<PathBuf>,
    pub path: PathBuf,
    pub changes: Vec<EntryChange>,
    /// Sentences such as "Cursor already had a server called github; Switchboard's is
    /// github-switchboard".
    pub collisions: Vec<String>,
    /// Whether the file was written (nothing is written when nothing changed).
    pub written: bool,
    /// The copy of the file as it was before, when it was replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
    /// What the user does next to see the change, when the file was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A client file that could not be changed; it was left as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FileFailure {
    pub client: String,
    pub client_name: String,
    pub path: PathBuf,
    pub message: String,
    /// Where a file that does not parse breaks (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// The result of installing or uninstalling a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClientsChange {
    pub server: String,
    pub files: Vec<FileReport>,
    /// Files that could not be changed (others may have been).
    pub failures: Vec<FileFailure>,
}

/// The result of importing a client's hand-made entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub client: String,
    pub client_name: String,
    pub path: PathBuf,
    pub imported: Vec<ImportedEntry>,
    /// Entries left in the file as they were, each with why.
    pub skipped: Vec<SkippedEntry>,
    /// The write that replaced the imported entries with bridge entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileReport>,
    /// Things the user should know (backups that still hold secrets, settings that could
    /// not be kept).
    pub warnings: Vec<String>,
}

/// One hand-made entry that is now a Switchboard server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedEntry {
    /// The entry's name in the client's file.
    pub name: String,
    /// The server it became (an existing one when it ran the very same thing).
    pub server: String,
    /// The server was installed already and the entry now goes through it.
    pub existing: bool,
    /// The names of the values moved into the keychain.
    pub secrets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedEntry {
    pub name: String,
    pub reason: String,
}

impl Hub {
    /// Every client Switchboard knows: whether it is on this computer, and for its
    /// user-wide file (and any other file Switchboard wrote to) which entries are
    /// Switchboard's and which are not.
    #[tracing::instrument(skip_all, err)]
    pub async fn list_clients(&self) -> Result<Vec<ClientInfo>, ControlError> {
        let environment = self.client_environment()?.clone();
        let detections = blocking(move || clients::detect(&environment)).await?;
        let managed = self.store().managed_client_files().await?;
        let mut infos = Vec::with_capacity(detections.len());
        for detection in detections {
            let mut targets = vec![ClientTarget::user(detection.client)];
            targets.extend(
                managed
                    .iter()
                    .filter(|m| {
                        m.file.client == detection.client && m.file.scope != ClientScope::User
                    })
                    .map(|m| ClientTarget::of_file(&m.file)),
            );
            let mut files = Vec::with_capacity(targets.len());
            for target in targets {
                let (config, file) = self.resolve(&target)?;
                files.push(self.file_info(config, file).await?);
            }
            infos.push(ClientInfo {
                id: detection.client.to_owned(),
                name: detection.display_name.to_owned(),
                installed: detection.installed,
                files,
                programs: switchboard_clients::client(detection.client)
                    .map(|spec| {
                        spec.programs_for(switchboard_clients::Os::current())
                            .into_iter()
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        Ok(infos)
    }

    async fn file_info(
        &self,
        config: ConfigTarget,
        file: ClientFile,
    ) -> Result<ClientFileInfo, ControlError> {
        let managed = self.store().managed_client_entries(&file).await?;
        let snapshot = blocking(move || config.read()).await?;
        let mut info = ClientFileInfo {
            scope: file.scope,
            project: file.project,
            path: file.path,
            exists: false,
            managed: Vec::new(),
            others: Vec::new(),
            error: None,
        };
        let present: BTreeSet<String> = match snapshot {
            Ok(snapshot) => {
                info.exists = snapshot.exists;
                snapshot.entries.into_keys().collect()
            }
            Err(error) => {
                info.exists = info.path.exists();
                info.error = Some(error.to_string());
                BTreeSet::new()
            }
        };
        info.managed = managed
            .iter()
            .map(|(name, server)| ManagedEntryInfo {
                name: name.clone(),
                server: server.clone(),
                present: present.contains(name),
            })
            .collect();
        info.others = present
            .into_iter()
            .filter(|name| !managed.contains_key(name))
            .collect();
        Ok(info)
    }

    /// Installs server `id` into each of `targets`: its bridge entry, named after the id
    /// (or `<id>-switchboard` where the file has a foreign entry of that name). Targets
    /// are checked before any file is touched; a file that cannot be changed (it does not
    /// parse, say) is left as it was and reported while the others go ahead.
    #[tracing::instrument(skip(self), err)]
    pub async fn install_server(
        &self,
        id: &str,
        targets: &[ClientTarget],
    ) -> Result<ClientsChange, ControlError> {
        if self.store().server(&parse_id(id)?).await?.is_none() {
            return Err(ControlError::new(
                ErrorCode::NotFound,
                format!(
                    "no server called \"{id}\" is installed in Switchboard; add it first \
                     (`switchboard add`), then install it into clients"
                ),
            ));
        }
        if targets.is_empty() {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                "name at least one client to install into, such as claude-desktop",
            ));
        }
        let mut resolved = Vec::with_capacity(targets.len());
        for target in targets {
            let (config, file) = self.resolve(target)?;
            let entry = self.client_entry(config.client(), id).await?;
            let operations = vec![Operation::Put {
                server: id.to_owned(),
                entry,
            }];
            resolved.push((config, file, operations));
        }
        let _edits = self.client_files().edits.lock().await;
        let change = self.edit_files(id, resolved).await?;
        self.rewatch().await;
        all_failed(change)
    }

    /// Takes server `id`'s entry out of each of `targets`, or out of every file it is in
    /// when `targets` is `None`.
    #[tracing::instrument(skip(self), err)]
    pub async fn uninstall_server(
        &self,
        id: &str,
        targets: Option<&[ClientTarget]>,
    ) -> Result<ClientsChange, ControlError> {
        parse_id(id)?;
        let _edits = self.client_files().edits.lock().await;
        let change = self.uninstall_locked(id, targets).await?;
        self.rewatch().await;
        all_failed(change)
    }

    /// [`Hub::uninstall_server`] everywhere, for removing the server; failures are
    /// reported in the result, never as an error.
    pub(crate) async fn uninstall_everywhere(
        &self,
        id: &str,
    ) -> Result<ClientsChange, ControlError> {
        let _edits = self.client_files().edits.lock().await;
        let change = self.uninstall_locked(id, None).await?;
        self.rewatch().await;
        for failure in &change.failures {
            tracing::warn!(
                server = id,
                path = %failure.path.display(),
                error = %failure.message,
                "could not take a removed server's entry out of a client file"
            );
        }
        Ok(change)
    }

    async fn uninstall_locked(
        &self,
        id: &str,
        targets: Option<&[ClientTarget]>,
    ) -> Result<ClientsChange, ControlError> {
        let resolved = match targets {
            Some(targets) => targets
                .iter()
                .map(|target| self.resolve(target))
                .collect::<Result<Vec<_>, _>>()?,
            None => {
                let mut resolved = Vec::new();
                for managed in self.store().managed_client_files().await? {
                    if managed.entries.iter().any(|e| e.server.as_str() == id) {
                        resolved.push(self.resolve(&ClientTarget::of_file(&managed.file))?);
                    }
                }
                resolved
            }
        };
        let operations = vec![Operation::Remove {
            server: id.to_owned(),
        }];
        let resolved = resolved
            .into_iter()
            .map(|(config, file)| (config, file, operations.clone()))
            .collect();
        self.edit_files(id, resolved).await
    }

    /// Applies each file's operations (plus the removal of entries whose server is no
    /// longer installed), recording what Switchboard manages there afterwards.
    async fn edit_files(
        &self,
        server: &str,
        files: Vec<(ConfigTarget, ClientFile, Vec<Operation>)>,
    ) -> Result<ClientsChange, ControlError> {
        let installed = self.installed_ids().await?;
        let mut change = ClientsChange {
            server: server.to_owned(),
            files: Vec::new(),
            failures: Vec::new(),
        };
        for (config, file, mut ops) in files {
            let managed = self.store().managed_client_entries(&file).await?;
            ops.extend(stale_removals(&managed, &installed, server));
            match self.apply(config.clone(), &file, managed, ops).await? {
                Ok(report) => change.files.push(report),
                Err(error) => change.failures.push(failure(&config, &error)),
            }
        }
        Ok(change)
    }

    /// One read-edit-write of a client file, then the store records the managed entries.
    /// The outer error is the store's; the inner one the file's (left unchanged).
    async fn apply(
        &self,
        config: ConfigTarget,
        file: &ClientFile,
        managed: ManagedEntries,
        operations: Vec<Operation>,
    ) -> Result<Result<FileReport, ClientsError>, ControlError> {
        let spec = config.client();
        let applied = blocking(move || config.apply(&managed, &operations)).await?;
        let report = match applied {
            Ok(report) => report,
            Err(error) => return Ok(Err(error)),
        };
        let written: BTreeSet<String> = report
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Added { name, .. } | Change::Updated { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        let recorded = ClientFile {
            path: report.path.clone(),
            ..file.clone()
        };
        self.store()
            .record_client_entries(&recorded, &report.managed, &written)
            .await?;
        Ok(Ok(FileReport {
            client: spec.id.to_owned(),
            client_name: spec.display_name.to_owned(),
            scope: file.scope,
            project: file.project.clone(),
            path: report.path,
            changes: report.changes.iter().map(entry_change).collect(),
            collisions: report
                .collisions
                .iter()
                .map(|collision| collision.message(spec.display_name))
                .collect(),
            written: report.written,
            backup: report.backup,
            hint: report.written.then(|| restart_hint(spec)),
        }))
    }

    async fn installed_ids(&self) -> Result<BTreeSet<String>, ControlError> {
        Ok(self
            .store()
            .servers()
            .await?
            .into_iter()
            .map(|record| record.id.to_string())
            .collect())
    }

    fn client_environment(&self) -> Result<&Environment, ControlError> {
        self.client_files().environment.as_ref().map_err(|why| {
            ControlError::new(
                ErrorCode::Unavailable,
                format!("Switchboard cannot find MCP clients' files: {why}"),
            )
        })
    }

    pub(super) fn bridge(&self, id: &str) -> Result<Entry, ControlError> {
        Entry::bridge(&self.client_files().binary, id).map_err(|e| clients_error(&e))
    }

    fn resolve(&self, target: &ClientTarget) -> Result<(ConfigTarget, ClientFile), ControlError> {
        let environment = self.client_environment()?;
        let spec = clients::client(&target.client).ok_or_else(|| {
            let known: Vec<&str> = clients::all_clients().iter().map(|c| c.id).collect();
            ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "there is no client \"{}\"; the clients are: {}",
                    target.client,
                    known.join(", ")
                ),
            )
        })?;
        let scope = target
            .scope()
            .map_err(|message| ControlError::new(ErrorCode::InvalidInput, message))?;
        let config = spec
            .target(&scope, environment)
            .map_err(|e| clients_error(&e))?;
        let file = ClientFile {
            client: spec.id.to_owned(),
            scope: target.scope,
            project: target.project.clone(),
            path: config.path().to_owned(),
        };
        Ok((config, file))
    }
}

/// Removals of managed entries whose server is no longer installed (a server removed
/// while its file could not be changed); never the server being worked on.
fn stale_removals(
    managed: &ManagedEntries,
    installed: &BTreeSet<String>,
    current: &str,
) -> Vec<Operation> {
    let stale: BTreeSet<&String> = managed
        .values()
        .filter(|server| server.as_str() != current && !installed.contains(*server))
        .collect();
    stale
        .into_iter()
        .map(|server| Operation::Remove {
            server: server.clone(),
        })
        .collect()
}

/// What the user does to see a change to a client's file.
fn restart_hint(spec: &ClientSpec) -> String {
    let name = spec.display_name;
    match spec.id {
        "claude-desktop" => format!("quit and reopen {name} to see the change"),
        "claude-code" | "codex" | "gemini" => {
            format!("start a new {name} session to see the change")
        }
        _ => format!("restart {name}, or reload its MCP servers, to see the change"),
    }
}

fn entry_change(change: &Change) -> EntryChange {
    let (name, server, kind) = match change {
        Change::Added { name, server } => (name, server, EntryChangeKind::Added),
        Change::Updated { name, server } => (name, server, EntryChangeKind::Updated),
        Change::Unchanged { name, server } => (name, server, EntryChangeKind::Unchanged),
        Change::Removed { name, server } => (name, server, EntryChangeKind::Removed),
        Change::AlreadyAbsent { name, server } => (name, server, EntryChangeKind::AlreadyAbsent),
    };
    EntryChange {
        name: name.clone(),
        server: server.clone(),
        change: kind,
    }
}

fn failure(config: &ConfigTarget, error: &ClientsError) -> FileFailure {
    let position = error.position();
    FileFailure {
        client: config.client().id.to_owned(),
        client_name: config.client().display_name.to_owned(),
        path: config.path().to_owned(),
        message: error.to_string(),
        line: position.map(|(line, _)| line),
        column: position.map(|(_, column)| column),
    }
}

/// A change where every file failed is an error (with each file's reason); a partial one
/// is a result that lists its failures.
fn all_failed(change: ClientsChange) -> Result<ClientsChange, ControlError> {
    if change.files.is_empty() && !change.failures.is_empty() {
        let message = change
            .failures
            .iter()
            .map(|failure| failure.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ControlError::new(ErrorCode::InvalidInput, message));
    }
    Ok(change)
}

fn clients_error(error: &ClientsError) -> ControlError {
    let code = match error {
        ClientsError::Read { .. } | ClientsError::Write { .. } | ClientsError::Busy { .. } => {
            ErrorCode::Storage
        }
        ClientsError::NoHome
        | ClientsError::Watch { .. }
        | ClientsError::WatcherUnavailable { .. } => ErrorCode::Unavailable,
        _ => ErrorCode::InvalidInput,
    };
    ControlError::new(code, error.to_string())
}

fn parse_id(id: &str) -> Result<switchboard_store::ServerId, ControlError> {
    id.parse().map_err(|e: switchboard_store::InvalidServerId| {
        ControlError::new(ErrorCode::InvalidInput, e.to_string())
    })
}

/// Runs blocking file or keychain work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ControlError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        ControlError::new(
            ErrorCode::Storage,
            format!("the work on a client file did not finish: {error}"),
        )
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn targets_read_client_scope_and_project() {
        assert_eq!(
            ClientTarget::parse("cursor").unwrap(),
            ClientTarget::user("cursor")
        );
        assert_eq!(
            ClientTarget::parse("cursor:user").unwrap(),
            ClientTarget::user("cursor")
        );
        let project = ClientTarget::parse("cursor:project=/src/app").unwrap();
        assert_eq!(project.scope, ClientScope::Project);
        assert_eq!(project.project.as_deref(), Some(Path::new("/src/app")));
        assert_eq!(
            project.to_string(),
            "cursor:project=/src/app",
            "it prints as it parses"
        );
        let local = ClientTarget::parse("claude-code:local=/src/app").unwrap();
        assert_eq!(local.scope, ClientScope::Local);
        let list = ClientTarget::parse_list("claude-desktop, cursor,cursor:project=/a").unwrap();
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn targets_refuse_what_cannot_name_a_file_and_say_how() {
        let relative = ClientTarget::parse("cursor:project=app").unwrap_err();
        assert!(relative.contains("absolute"), "{relative}");
        let bare = ClientTarget::parse("cursor:project").unwrap_err();
        assert!(bare.contains("cursor:project=/abs/path"), "{bare}");
        let scope = ClientTarget::parse("cursor:global").unwrap_err();
        assert!(scope.contains("\"global\" is not a scope"), "{scope}");
        assert!(ClientTarget::parse(":user").is_err());
        assert!(ClientTarget::parse("cursor:user=/x").is_err());
        assert!(ClientTarget::parse_list(" , ").is_err(), "an empty list");
    }

    #[test]
    fn entries_of_removed_servers_are_cleaned_but_never_the_current_one() {
        let managed = ManagedEntries::from([
            ("clock".to_owned(), "clock".to_owned()),
            ("gone".to_owned(), "gone".to_owned()),
            ("new".to_owned(), "new".to_owned()),
        ]);
        let installed = BTreeSet::from(["clock".to_owned()]);
        let removals = stale_removals(&managed, &installed, "new");
        assert_eq!(
            removals,
            [Operation::Remove {
                server: "gone".into()
            }]
        );
    }

    #[test]
    fn every_client_has_a_hint() {
        for spec in clients::all_clients() {
            let hint = restart_hint(spec);
            assert!(hint.contains(spec.display_name), "{hint}");
        }
        let claude = clients::client("claude-desktop").unwrap();
        assert_eq!(
            restart_hint(claude),
            "quit and reopen Claude Desktop to see the change"
        );
    }

    proptest::proptest! {
        #[test]
        fn targets_print_as_they_parse(
            client in "[a-z][a-z-]{0,15}",
            scope in 0usize..3,
            project in "(/[a-zA-Z0-9._-]{1,12}){1,4}",
        ) {
            let text = match scope {
                0 => client,
                1 => format!("{client}:project={project}"),
                _ => format!("{client}:local={project}"),
            };
            let target = ClientTarget::parse(&text).unwrap();
            proptest::prop_assert_eq!(target.to_string(), text);
        }
    }
}
