//! The servers built into Switchboard, served in-process: one rmcp service per session,
//! given what each needs from the daemon: its folder grants, live (files, sql, notes), its
//! settings (fetch, sql), the knowledge base it shares across sessions (notes), and the
//! user's templates and the settings snapshot (prompts).
//!
//! Owns: which built-in servers exist, and adapting the daemon's state to each server's
//! own interface. Must not: decide policy (grants and settings come from the store through
//! the hub) or open the keychain.

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock},
};

use serde::{Deserialize, Serialize};
use server_files::sandbox::{self, Folders, Intent};
use server_notes::{KnowledgeBase, NotesFolder};
use server_prompts::{Library, Template};
use switchboard_gateway::{Upstream, UpstreamError};
use switchboard_store::{Access, Grant, SqlWrite, Store};
use tokio::sync::mpsc;

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
    Builtin {
        name: "files",
        title: "Files",
        description: "Read, write, edit, search and organise files in the folders you grant.",
    },
    Builtin {
        name: "fetch",
        title: "Fetch",
        description: "Fetch web pages as Markdown, text or JSON (never your own network).",
    },
    Builtin {
        name: "sql",
        title: "SQL",
        description: "Query SQLite databases in the folders you grant, and PostgreSQL.",
    },
    Builtin {
        name: "notes",
        title: "Notes",
        description: "Search, read and write the Markdown notes in the folders you grant.",
    },
    Builtin {
        name: "prompts",
        title: "Prompts",
        description: "Prompt templates: code review, postmortems, API reviews and your own.",
    },
];

/// The environment variable prefix that names a PostgreSQL database for the `sql` server:
/// `POSTGRES_ANALYTICS=postgres://user@host/db` offers the database "analytics".
pub const POSTGRES_PREFIX: &str = "POSTGRES_";

/// What one server id's sessions are given.
#[derive(Debug, Clone)]
pub(crate) struct Assignment<'a> {
    /// The installed server's id.
    pub id: &'a str,
    /// Which built-in it is.
    pub builtin: &'a str,
    /// The server's folder grants, kept current by the hub.
    pub folders: &'a Folders,
    /// The server's plain settings (never secrets).
    pub env: &'a BTreeMap<String, String>,
}

/// The daemon's state for the built-in servers, shared by every session.
pub(crate) struct BuiltinState {
    store: Store,
    /// Where the notes servers keep their indexes (a cache).
    index_dir: PathBuf,
    knowledge: Mutex<HashMap<String, KnowledgeBase>>,
    library: Arc<HubLibrary>,
    allow_private_addresses: RwLock<bool>,
    /// One fetch server for every session (it pools connections), made for the setting it
    /// was made with.
    fetch: Mutex<Option<(bool, server_fetch::FetchServer)>>,
    /// The queue of SQL writes to journal, written in order by one task (started with the
    /// first `sql` session).
    journal: Mutex<Option<mpsc::UnboundedSender<SqlWrite>>>,
}

impl std::fmt::Debug for BuiltinState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinState")
            .field("index_dir", &self.index_dir)
            .finish_non_exhaustive()
    }
}

impl BuiltinState {
    pub(crate) fn new(store: Store, cache_dir: &Path) -> Self {
        Self {
            store,
            index_dir: cache_dir.join("notes"),
            knowledge: Mutex::new(HashMap::new()),
            library: Arc::new(HubLibrary::default()),
            allow_private_addresses: RwLock::new(false),
            fetch: Mutex::new(None),
            journal: Mutex::new(None),
        }
    }

    pub(crate) fn library(&self) -> &HubLibrary {
        &self.library
    }

    pub(crate) fn set_allow_private_addresses(&self, allow: bool) {
        *self
            .allow_private_addresses
            .write()
            .unwrap_or_else(PoisonError::into_inner) = allow;
    }

    /// A fresh in-process instance of a built-in server for one session.
    pub(crate) fn open(&self, assignment: &Assignment<'_>) -> Result<Upstream, UpstreamError> {
        Ok(match assignment.builtin {
            "clock" => {
                let zone = server_clock::local_zone_name()
                    .and_then(|zone| server_clock::lookup_zone(&zone).ok());
                let server = zone.map_or_else(
                    server_clock::ClockServer::utc,
                    server_clock::ClockServer::new,
                );
                Upstream::in_process(server)
            }
            "calc" => Upstream::in_process(server_calc::CalcServer::default()),
            "files" => Upstream::in_process(server_files::FilesServer::new(
                assignment.folders.clone(),
                server_files::Limits::default(),
            )),
            "fetch" => Upstream::in_process(self.fetch_server()?),
            "sql" => Upstream::in_process(server_sql::SqlServer::new(self.sql_config(assignment)?)),
            "notes" => Upstream::in_process(server_notes::NotesServer::new(
                self.knowledge_base(assignment)?,
            )),
            "prompts" => Upstream::in_process(server_prompts::PromptsServer::new(
                self.library.clone() as Arc<dyn Library>,
            )),
            other => {
                return Err(UpstreamError::new(format!(
                    "there is no built-in server \"{other}\""
                )));
            }
        })
    }

    fn fetch_server(&self) -> Result<server_fetch::FetchServer, UpstreamError> {
        let allow = *self
            .allow_private_addresses
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let mut cached = lock(&self.fetch);
        if let Some((made_with, server)) = cached.as_ref()
            && *made_with == allow
        {
            return Ok(server.clone());
        }
        let config = server_fetch::FetchConfig {
            allow_private_addresses: allow,
            ..server_fetch::FetchConfig::default()
        };
        let server = server_fetch::FetchServer::new(config)
            .map_err(|e| UpstreamError::new(format!("could not prepare fetching: {e}")))?;
        *cached = Some((allow, server.clone()));
        Ok(server)
    }

    fn sql_config(
        &self,
        assignment: &Assignment<'_>,
    ) -> Result<server_sql::SqlConfig, UpstreamError> {
        let mut config =
            server_sql::SqlConfig::new(Arc::new(SandboxedDatabases(assignment.folders.clone())))
                .with_journal(Arc::new(StoreJournal {
                    server: assignment.id.to_owned(),
                    queue: self.journal_queue(),
                }));
        for (name, connection) in postgres_databases(assignment.env) {
            config = config.with_postgres(server_sql::PostgresDatabase::new(name, connection));
        }
        Ok(config)
    }

    /// The journal's queue, and the task that empties it into the store, in order.
    fn journal_queue(&self) -> mpsc::UnboundedSender<SqlWrite> {
        let mut journal = lock(&self.journal);
        if let Some(queue) = journal.as_ref().filter(|q| !q.is_closed()) {
            return queue.clone();
        }
        let (queue, mut writes) = mpsc::unbounded_channel::<SqlWrite>();
        let store = self.store.clone();
        tokio::spawn(async move {
            while let Some(write) = writes.recv().await {
                if let Err(error) = store.record_sql_write(&write).await {
                    tracing::error!(%error, server = %write.server, "could not journal a SQL write");
                }
            }
        });
        *journal = Some(queue.clone());
        queue
    }

    /// The knowledge base of server `id`, opened on its first session.
    fn knowledge_base(&self, assignment: &Assignment<'_>) -> Result<KnowledgeBase, UpstreamError> {
        let mut bases = lock(&self.knowledge);
        if let Some(base) = bases.get(assignment.id) {
            return Ok(base.clone());
        }
        let index = self.index_dir.join(format!("{}.db", assignment.id));
        let base = KnowledgeBase::open(index, notes_folders(&assignment.folders.snapshot()))
            .map_err(|e| UpstreamError::new(format!("could not open the notes index: {e}")))?;
        bases.insert(assignment.id.to_owned(), base.clone());
        Ok(base)
    }

    /// Follows a change of server `id`'s grants in what is already open for it.
    pub(crate) fn grants_changed(&self, id: &str, folders: &Folders) {
        if let Some(base) = lock(&self.knowledge).get(id) {
            base.set_folders(notes_folders(&folders.snapshot()));
        }
    }

    /// Forgets what server `id` had open (it was removed), deleting its notes index.
    pub(crate) fn forget(&self, id: &str) {
        if let Some(base) = lock(&self.knowledge).remove(id) {
            base.shutdown();
            let index = base.index_file().to_owned();
            for suffix in ["", "-wal", "-shm"] {
                let mut path = index.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Stops every background task (the daemon is stopping).
    pub(crate) fn shutdown(&self) {
        for (_, base) in lock(&self.knowledge).drain() {
            base.shutdown();
        }
    }
}

/// The grants as the files sandbox takes them.
pub(crate) fn sandbox_folders(grants: &[Grant]) -> Vec<sandbox::Folder> {
    grants
        .iter()
        .map(|grant| {
            sandbox::Folder::new(
                grant.path.clone(),
                match grant.access {
                    Access::ReadOnly => sandbox::Access::ReadOnly,
                    Access::ReadWrite => sandbox::Access::ReadWrite,
                },
            )
        })
        .collect()
}

fn notes_folders(folders: &[sandbox::Folder]) -> Vec<NotesFolder> {
    folders
        .iter()
        .map(|folder| NotesFolder {
            path: folder.path.clone(),
            writable: folder.access == sandbox::Access::ReadWrite,
        })
        .collect()
}

/// The PostgreSQL databases a server's settings name: `POSTGRES_<NAME>=<connection>`.
pub fn postgres_databases(env: &BTreeMap<String, String>) -> Vec<(String, String)> {
    env.iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix(POSTGRES_PREFIX)?;
            (!name.is_empty() && !value.is_empty())
                .then(|| (name.to_ascii_lowercase(), value.clone()))
        })
        .collect()
}

/// The `sql` server's database files, checked by the files server's sandbox.
#[derive(Debug, Clone)]
pub struct SandboxedDatabases(pub Folders);

impl server_sql::DatabaseFiles for SandboxedDatabases {
    fn folders(&self) -> Vec<(PathBuf, server_sql::Access)> {
        self.0
            .snapshot()
            .iter()
            .map(|folder| {
                let access = match folder.access {
                    sandbox::Access::ReadOnly => server_sql::Access::ReadOnly,
                    sandbox::Access::ReadWrite => server_sql::Access::ReadWrite,
                };
                (folder.path.clone(), access)
            })
            .collect()
    }

    fn locate(&self, requested: &str, write: bool) -> Result<PathBuf, server_sql::LocateError> {
        let intent = if write { Intent::Write } else { Intent::Read };
        self.0
            .resolve(requested, intent)
            .map_err(|error| server_sql::LocateError::new(error.to_string()))
    }
}

/// Records the `sql` server's writes in the store's journal, through the ordered queue.
struct StoreJournal {
    server: String,
    queue: mpsc::UnboundedSender<SqlWrite>,
}

impl server_sql::WriteJournal for StoreJournal {
    fn record(&self, entry: &server_sql::WriteRecord) {
        let write = SqlWrite {
            at: entry.at.as_millisecond(),
            server: self.server.clone(),
            engine: entry.engine.as_str().to_owned(),
            database: entry.database.clone(),
            statement: entry.statement.clone(),
            parameters: i64::try_from(entry.parameters).unwrap_or(i64::MAX),
            rows_changed: i64::try_from(entry.rows_changed).unwrap_or(i64::MAX),
            last_insert_id: entry.last_insert_id,
            tables: entry.tables.clone(),
        };
        if self.queue.send(write).is_err() {
            tracing::error!(server = %self.server, "the SQL journal is closed; a write went unrecorded");
        }
    }
}

/// The `prompts` server's view of the daemon: the user's templates and the settings,
/// refreshed by the hub whenever they change.
#[derive(Debug, Default)]
pub(crate) struct HubLibrary {
    templates: RwLock<Vec<Template>>,
    settings: RwLock<serde_json::Value>,
}

impl HubLibrary {
    pub(crate) fn set(&self, templates: Vec<Template>, settings: serde_json::Value) {
        *self
            .templates
            .write()
            .unwrap_or_else(PoisonError::into_inner) = templates;
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = settings;
    }
}

impl Library for HubLibrary {
    fn user_templates(&self) -> Vec<Template> {
        self.templates
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn settings(&self) -> serde_json::Value {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_listed_builtin_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).await.unwrap();
        let state = BuiltinState::new(store, &dir.path().join("cache"));
        let folders = Folders::default();
        let env = BTreeMap::new();
        for builtin in BUILTINS {
            let assignment = Assignment {
                id: builtin.name,
                builtin: builtin.name,
                folders: &folders,
                env: &env,
            };
            assert!(state.open(&assignment).is_ok(), "{}", builtin.name);
        }
        let unknown = Assignment {
            id: "x",
            builtin: "nope",
            folders: &folders,
            env: &env,
        };
        assert!(state.open(&unknown).is_err());
        state.shutdown();
    }

    #[test]
    fn postgres_databases_are_named_by_their_variable() {
        let env = BTreeMap::from([
            (
                "POSTGRES_ANALYTICS".to_owned(),
                "postgres://u@h/a".to_owned(),
            ),
            ("POSTGRES_".to_owned(), "postgres://u@h/x".to_owned()),
            ("OTHER".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(
            postgres_databases(&env),
            [("analytics".to_owned(), "postgres://u@h/a".to_owned())]
        );
    }
}
