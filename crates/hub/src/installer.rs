//! The install flow's side in the CLI and the app: from a catalog entry, an MCP Bundle
//! file or a command line to the form of questions ([`Draft`]), from the answers to a plan
//! ([`Planned`], a bundle unpacked into the data folder), the plan's secrets into the
//! keychain, and the [`InstallRequest`] the daemon carries out step by step.
//!
//! Secrets are planned and stored here, in the process the user typed them into; the
//! daemon only ever gets their names. Owns: turning a catalog plan into what the store
//! runs. Must not: print or send a secret's value, or leave an unpacked bundle behind when
//! the install does not go ahead.

mod views;

use std::{
    fmt,
    path::{Path, PathBuf},
};

use switchboard_catalog::{
    Answers, Catalog, CatalogEntry, InstallPlan, PlannedLaunch, Setting, Via,
    bundle::{self, Manifest, Places, Platform, UnpackLimits},
    entry::unique_id,
    manual,
    plan::{self, PlanError, PlannedSecret, SecretValue},
};
use switchboard_gateway::Event;
use switchboard_secrets::{
    Keychain, SecretsError,
    detect::{may_hold_secret, url_to_show},
};
use switchboard_store::{Launch, Source};

pub use views::{
    CatalogCard, CatalogPage, CategoryCount, FormAnswers, FormSecret, FormSource, FormValue,
    InstallForm, Question, QuestionKind, RuntimeNeed, catalog_page,
};

use crate::{
    client::ControlClient,
    clients::ClientTarget,
    control::{ControlError, ErrorCode, Request, ServerInfo},
    hub::{FolderRequest, InstallReport, InstallRequest},
    paths::Paths,
};

/// The catalog to install from: the curated one, then the servers of the MCP Registry the
/// daemon last read (its cached listing), minus names the curated one has.
pub async fn catalog(control: &mut ControlClient) -> Result<Catalog, ControlError> {
    let mut catalog = Catalog::curated().map_err(|e| {
        ControlError::new(
            ErrorCode::Storage,
            format!("the built-in catalog could not be read: {e}"),
        )
    })?;
    let listing: Option<crate::hub::RegistryListing> =
        control.call(Request::RegistryListing).await?;
    if let Some(listing) = listing {
        let origin = switchboard_catalog::Origin::Registry {
            base_url: listing.url.clone(),
        };
        let entries = listing.documents.iter().filter_map(|document| {
            let name = document["name"].as_str().unwrap_or("a registry entry");
            CatalogEntry::from_json(name, &document.to_string(), origin.clone()).ok()
        });
        catalog.merge(entries.collect::<Vec<_>>());
    }
    Ok(catalog)
}

/// What an install starts from, read once: the catalog, the servers installed, and the
/// runtimes this computer has.
#[derive(Debug)]
pub struct Installer {
    pub catalog: Catalog,
    pub servers: Vec<ServerInfo>,
    pub runtimes: switchboard_runtimes::Runtimes,
    /// The `switchboard` program the daemon runs as: a remote server is reached through
    /// its `remote` relay.
    pub engine: PathBuf,
}

impl Installer {
    /// Reads the catalog and the installed servers from the daemon, and looks for the
    /// runtimes (off the async threads).
    pub async fn load(control: &mut ControlClient) -> Result<Self, ControlError> {
        let servers: Vec<ServerInfo> = control.call(Request::ListServers).await?;
        let status: crate::control::DaemonStatus = control.call(Request::Status).await?;
        let catalog = catalog(control).await?;
        let runtimes = discover_runtimes().await;
        Ok(Self {
            catalog,
            servers,
            runtimes,
            engine: status.exe,
        })
    }

    /// Whether a server is installed under `id`.
    pub fn is_installed(&self, id: &str) -> bool {
        self.servers.iter().any(|server| server.id == id)
    }

    /// The questions for installing `source` under `id` (or a free id made from its
    /// name), by the way that works with the runtimes here.
    pub fn draft(&self, source: &InstallSource, id: Option<&str>) -> Result<Draft, InstallerError> {
        Draft::new(
            &self.catalog,
            source,
            id,
            |taken| self.is_installed(taken),
            |runtime| {
                runtime
                    .parse::<switchboard_runtimes::Runtime>()
                    .is_ok_and(|r| self.runtimes.found(r).is_some())
            },
        )
    }

    /// Plans `draft` with `answers` and installs it: the runtime versions it needs are
    /// checked, its secrets go to the system keychain, and the daemon carries out its
    /// steps, each passed to `on_progress`. Nothing is left behind when any of it fails.
    pub async fn install(
        &self,
        control: &mut ControlClient,
        draft: &Draft,
        answers: &Answers,
        paths: &Paths,
        into: Vec<ClientTarget>,
        on_progress: impl FnMut(&str, &str),
    ) -> Result<InstallReport, ControlError> {
        let planned = draft.plan(answers, paths).map_err(ControlError::from)?;
        let unmet = unmet_requirements(&planned.plan, &self.runtimes);
        if !unmet.is_empty() {
            planned.discard();
            return Err(ControlError::new(ErrorCode::Unavailable, unmet.join("\n")));
        }
        let keychain = if planned.has_secrets() {
            let opened = tokio::task::spawn_blocking(Keychain::platform)
                .await
                .map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))
                .and_then(|opened| {
                    opened.map_err(|e| ControlError::new(ErrorCode::Unavailable, e.to_string()))
                });
            match opened {
                Ok(keychain) => Some(keychain),
                Err(error) => {
                    planned.discard();
                    return Err(error);
                }
            }
        } else {
            None
        };
        install(control, keychain, planned, &self.engine, into, on_progress).await
    }
}

impl From<InstallerError> for ControlError {
    fn from(error: InstallerError) -> Self {
        let code = match &error {
            InstallerError::UnknownEntry(_) => ErrorCode::NotFound,
            InstallerError::Secrets(_) => ErrorCode::Unavailable,
            _ => ErrorCode::InvalidInput,
        };
        Self::new(code, error.to_string())
    }
}

/// The runtimes of this computer ([`switchboard_runtimes::Runtimes::discover_here`]), found
/// on a blocking thread.
pub async fn discover_runtimes() -> switchboard_runtimes::Runtimes {
    match tokio::task::spawn_blocking(switchboard_runtimes::Runtimes::discover_here).await {
        Ok(runtimes) => runtimes,
        Err(error) => {
            tracing::error!(%error, "runtime discovery stopped; trying again inline");
            switchboard_runtimes::Runtimes::discover_here()
        }
    }
}

/// What to install. Its Debug output shows an address without what may be a key in it.
#[derive(Clone, PartialEq, Eq)]
pub enum InstallSource {
    /// A catalog entry, by id or `server.json` name.
    Catalog(String),
    /// An MCP Bundle file (`.mcpb`).
    Bundle(PathBuf),
    /// A command line (`npx -y pkg@1.2.3`, `uvx pkg==1.0`, or any program).
    Command(Vec<String>),
    /// A remote server's address (Streamable HTTP).
    Url(String),
}

impl fmt::Debug for InstallSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Catalog(id) => f.debug_tuple("Catalog").field(id).finish(),
            Self::Bundle(path) => f.debug_tuple("Bundle").field(path).finish(),
            Self::Command(argv) => f.debug_tuple("Command").field(argv).finish(),
            Self::Url(url) => f.debug_tuple("Url").field(&url_to_show(url)).finish(),
        }
    }
}

impl InstallSource {
    /// What the user typed: an `https://` (or loopback `http://`) address is a remote
    /// server, a path to an existing `.mcpb` file a bundle, anything else a catalog id.
    pub fn parse(text: &str) -> Self {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Self::Url(text.trim().to_owned());
        }
        let path = Path::new(text);
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mcpb"))
            || path.is_file()
        {
            Self::Bundle(path.to_owned())
        } else {
            Self::Catalog(text.to_owned())
        }
    }
}

/// Why an install could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum InstallerError {
    #[error(
        "the catalog has no server \"{0}\"; `switchboard catalog search TEXT` finds one, or \
         install a command with `switchboard install --id NAME -- COMMAND ARGS…`"
    )]
    UnknownEntry(String),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Bundle(#[from] bundle::BundleError),
    #[error(transparent)]
    Manual(#[from] manual::ManualError),
    #[error("{0}")]
    Unsupported(String),
    #[error("still to answer: {}", .0.join("; "))]
    Incomplete(Vec<String>),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

/// An install with its questions, before the answers.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The id it installs under.
    pub id: String,
    pub title: String,
    pub description: String,
    /// The questions, in order.
    pub settings: Vec<Setting>,
    kind: DraftKind,
    /// An address given with a key in it, whole: it goes to the keychain as
    /// [`ADDRESS_SECRET`], and the entry holds the address without the key.
    address: Option<SecretValue>,
}

/// The secret that holds a remote server's whole address when the address carries a key.
pub const ADDRESS_SECRET: &str = "MCP_ADDRESS";

#[derive(Debug, Clone)]
enum DraftKind {
    Entry {
        entry: Box<CatalogEntry>,
        via: Via,
    },
    Bundle {
        archive: PathBuf,
        manifest: Box<Manifest>,
    },
}

impl Draft {
    /// The questions for installing `source`, under `id` or the entry's own id made
    /// unique (`taken` says which ids are in use). `available` says whether a runtime
    /// (`npx`, `uvx`, `docker`) is installed, to pick the way that works here.
    pub fn new(
        catalog: &Catalog,
        source: &InstallSource,
        id: Option<&str>,
        taken: impl Fn(&str) -> bool,
        available: impl Fn(&str) -> bool,
    ) -> Result<Self, InstallerError> {
        let pick_id = |base: &str| id.map_or_else(|| unique_id(base, &taken), str::to_owned);
        match source {
            InstallSource::Catalog(name) => {
                let entry = catalog
                    .get(name)
                    .or_else(|| catalog.by_name(name))
                    .ok_or_else(|| InstallerError::UnknownEntry(name.clone()))?;
                Self::for_entry(entry.clone(), pick_id(&entry.id), &available)
            }
            InstallSource::Command(argv) => {
                let base = argv
                    .first()
                    .map(|program| switchboard_catalog::entry::id_from_name(program))
                    .unwrap_or_default();
                let id = pick_id(&base);
                let entry = manual::from_command_line(&id, &id, argv, &[])?;
                Self::for_entry(entry, id, &available)
            }
            InstallSource::Url(url) => {
                let host = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                let id = pick_id(&switchboard_catalog::entry::id_from_name(
                    host.split('.')
                        .find(|part| *part != "www" && *part != "mcp")
                        .unwrap_or("remote"),
                ));
                // An address that may hold a key: the entry (stored, shown) gets it without
                // one, and the whole address waits here for the keychain.
                let keyed = may_hold_secret(url.trim());
                let shown = url_to_show(url);
                let entry = manual::from_url(&id, &id, if keyed { &shown } else { url }, &[])?;
                let mut draft = Self::for_entry(entry, id, &available)?;
                if keyed {
                    draft.address = Some(SecretValue::new(url.trim().to_owned()));
                }
                Ok(draft)
            }
            InstallSource::Bundle(archive) => {
                let inspected =
                    bundle::inspect(archive, Platform::current(), &UnpackLimits::default())?;
                let manifest = inspected.manifest;
                let settings = bundle::settings(&manifest, &places())?;
                Ok(Self {
                    id: pick_id(&bundle::suggested_id(&manifest)),
                    title: manifest.title().to_owned(),
                    description: manifest.description.clone(),
                    settings,
                    kind: DraftKind::Bundle {
                        archive: archive.clone(),
                        manifest: Box::new(manifest),
                    },
                    address: None,
                })
            }
        }
    }

    fn for_entry(
        entry: CatalogEntry,
        id: String,
        available: &impl Fn(&str) -> bool,
    ) -> Result<Self, InstallerError> {
        let via = entry.preferred_via(available).ok_or_else(|| {
            InstallerError::Unsupported(format!("{} has no way to be installed", entry.id))
        })?;
        if let Some(problem) = views::remote_problem(&entry, via) {
            return Err(InstallerError::Unsupported(format!(
                "{} {problem}",
                entry.title()
            )));
        }
        let settings = plan::settings(&entry, via)?;
        Ok(Self {
            id,
            title: entry.title().to_owned(),
            description: entry.description().to_owned(),
            settings,
            kind: DraftKind::Entry {
                entry: Box::new(entry),
                via,
            },
            address: None,
        })
    }

    /// The plan with no answers given (nothing is unpacked): which runtime it needs and
    /// what it requires of it. `None` when it cannot be planned yet.
    pub fn preview(&self) -> Option<InstallPlan> {
        let none = Answers::new();
        match &self.kind {
            DraftKind::Entry { entry, via } => plan::plan(entry, *via, &self.id, &none).ok(),
            DraftKind::Bundle { manifest, .. } => bundle::plan(
                manifest,
                &PathBuf::from("bundle"),
                &self.id,
                &none,
                Platform::current(),
                &places(),
            )
            .ok(),
        }
    }

    /// The plan for these answers. A bundle is unpacked into `<data>/bundles/<id>` now
    /// (and removed again by [`Planned::discard`] or by the daemon's rollback).
    pub fn plan(&self, answers: &Answers, paths: &Paths) -> Result<Planned, InstallerError> {
        match &self.kind {
            DraftKind::Entry { entry, via } => {
                let mut plan = plan::plan(entry, *via, &self.id, answers)?;
                complete(&plan)?;
                if let Some(address) = &self.address {
                    let PlannedLaunch::Remote { address_secret, .. } = &mut plan.launch else {
                        return Err(InstallerError::Unsupported(
                            "an address was given, but the plan is not a remote server".into(),
                        ));
                    };
                    *address_secret = Some(ADDRESS_SECRET.to_owned());
                    plan.secrets.push(PlannedSecret {
                        name: ADDRESS_SECRET.to_owned(),
                        value: Some(address.clone()),
                    });
                }
                Ok(Planned {
                    plan,
                    unpacked: None,
                })
            }
            DraftKind::Bundle { archive, manifest } => {
                // Checked before anything is written, so a wrong answer leaves nothing.
                let dry = bundle::plan(
                    manifest,
                    &paths.bundles_dir().join(&self.id),
                    &self.id,
                    answers,
                    Platform::current(),
                    &places(),
                )?;
                complete(&dry)?;
                let target = paths.bundles_dir().join(&self.id);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        InstallerError::Unsupported(format!(
                            "could not create {}: {e}",
                            parent.display()
                        ))
                    })?;
                }
                let unpacked = bundle::unpack(
                    archive,
                    &target,
                    Platform::current(),
                    &UnpackLimits::default(),
                )?;
                let planned = Planned {
                    plan: bundle::plan(
                        manifest,
                        &unpacked.dir,
                        &self.id,
                        answers,
                        Platform::current(),
                        &places(),
                    )?,
                    unpacked: Some(unpacked.dir),
                };
                Ok(planned)
            }
        }
    }
}

fn complete(plan: &InstallPlan) -> Result<(), InstallerError> {
    if plan.is_complete() {
        Ok(())
    } else {
        Err(InstallerError::Incomplete(
            plan.missing.iter().map(|m| m.message.clone()).collect(),
        ))
    }
}

fn places() -> Places {
    Places::under_home(&std::env::var_os("HOME").map_or_else(PathBuf::new, PathBuf::from))
}

/// The runtime versions a plan needs (a bundle's `compatibility.runtimes`, such as node
/// `>=18.0.0`) that this computer does not meet, each as a sentence with what to do. A
/// requirement in a form other than `>=X.Y.Z`, `>X`, `^X` or `X` is not judged.
pub fn unmet_requirements(
    plan: &InstallPlan,
    runtimes: &switchboard_runtimes::Runtimes,
) -> Vec<String> {
    use switchboard_runtimes::Version;
    let mut unmet = Vec::new();
    for requirement in &plan.requirements {
        let wanted = requirement.version.trim();
        let minimum = wanted
            .strip_prefix(">=")
            .or_else(|| wanted.strip_prefix('>'))
            .or_else(|| wanted.strip_prefix('^'))
            .or_else(|| wanted.strip_prefix('~'))
            .unwrap_or(wanted)
            .trim();
        let Some(minimum) = Version::find_in(minimum) else {
            continue;
        };
        let runtime = requirement.runtime;
        let advice = runtime.install_advice(runtimes.os());
        match runtimes.found(runtime) {
            None => unmet.push(format!(
                "{} needs {} {wanted}, which is not installed: {advice}",
                plan.title,
                runtime.name()
            )),
            Some(found) => match &found.version {
                Some(version) if version < &minimum => unmet.push(format!(
                    "{} needs {} {wanted}, and this computer has {}: {advice}",
                    plan.title,
                    runtime.name(),
                    version
                        .parts()
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(".")
                )),
                _ => {}
            },
        }
    }
    unmet
}

/// A plan ready to install.
#[derive(Debug)]
pub struct Planned {
    pub plan: InstallPlan,
    /// Where a bundle was unpacked.
    pub unpacked: Option<PathBuf>,
}

impl Planned {
    /// What the daemon is asked to do: the plan as the store runs it (a remote server
    /// through `engine`'s `remote` relay), folders to grant, clients to write. Never a
    /// secret's value.
    pub fn request(
        &self,
        engine: &Path,
        into: Vec<ClientTarget>,
    ) -> Result<InstallRequest, InstallerError> {
        let plan = &self.plan;
        let source = match &plan.launch {
            PlannedLaunch::Builtin { name } => Source::Builtin { name: name.clone() },
            PlannedLaunch::Npm {
                package,
                version,
                runtime_args,
                args,
            }
            | PlannedLaunch::Pypi {
                package,
                version,
                runtime_args,
                args,
            } => {
                if !runtime_args.is_empty() {
                    return Err(InstallerError::Unsupported(format!(
                        "{} needs options for its runtime ({}), which Switchboard does not \
                         pass yet",
                        plan.title,
                        runtime_args.join(" ")
                    )));
                }
                let (package, version, args) = (package.clone(), version.clone(), args.clone());
                if matches!(plan.launch, PlannedLaunch::Npm { .. }) {
                    Source::Npm {
                        package,
                        version,
                        args,
                    }
                } else {
                    Source::Pypi {
                        package,
                        version,
                        args,
                    }
                }
            }
            PlannedLaunch::Oci {
                image,
                docker_args,
                args,
            } => {
                if docker_args.is_empty() {
                    Source::Oci {
                        image: image.clone(),
                        args: args.clone(),
                    }
                } else {
                    return Err(InstallerError::Unsupported(format!(
                        "{} needs docker options ({}), which Switchboard does not pass yet",
                        plan.title,
                        docker_args.join(" ")
                    )));
                }
            }
            PlannedLaunch::Command { command, args, .. } => Source::Command {
                command: command.clone(),
                args: args.clone(),
            },
            PlannedLaunch::Bundle {
                dir, command, args, ..
            } => Source::Bundle {
                path: dir.to_string_lossy().into_owned(),
                command: command.clone(),
                args: args.clone(),
            },
            PlannedLaunch::Remote {
                url,
                transport,
                headers,
                address_secret,
            } => {
                if *transport != switchboard_catalog::plan::RemoteTransport::StreamableHttp {
                    return Err(InstallerError::Unsupported(format!(
                        "{} {}",
                        plan.title,
                        views::SSE_ONLY
                    )));
                }
                let mut args = match address_secret {
                    Some(secret) => {
                        vec!["remote".to_owned(), "--url-env".to_owned(), secret.clone()]
                    }
                    None => vec!["remote".to_owned(), url.clone()],
                };
                for header in headers {
                    match &header.value {
                        switchboard_catalog::plan::HeaderValue::Plain { value } => {
                            args.push("--header".to_owned());
                            args.push(format!("{}={value}", header.name));
                        }
                        switchboard_catalog::plan::HeaderValue::Secret { secret } => {
                            args.push("--header-env".to_owned());
                            args.push(format!("{}={secret}", header.name));
                        }
                    }
                }
                Source::Command {
                    command: engine.to_string_lossy().into_owned(),
                    args,
                }
            }
        };
        let mut launch = Launch::new(source);
        launch.env = plan.env.clone();
        launch.secrets = plan.secret_names().into_iter().map(str::to_owned).collect();
        Ok(InstallRequest {
            id: plan.id.clone(),
            name: Some(plan.title.clone()),
            launch,
            folders: plan
                .folders
                .iter()
                .map(|folder| FolderRequest {
                    path: folder.path.clone(),
                    access: match folder.access {
                        switchboard_catalog::Access::ReadOnly => {
                            switchboard_store::Access::ReadOnly
                        }
                        switchboard_catalog::Access::ReadWrite => {
                            switchboard_store::Access::ReadWrite
                        }
                    },
                })
                .collect(),
            into,
        })
    }

    /// Writes the plan's secrets into the keychain under its id (blocking: call it off
    /// the async threads). Secrets the plan keeps are left as they are.
    pub fn store_secrets(&self, keychain: &Keychain) -> Result<(), SecretsError> {
        for secret in &self.plan.secrets {
            if let Some(value) = &secret.value {
                keychain.set(&self.plan.id, &secret.name, value)?;
            }
        }
        Ok(())
    }

    /// Whether the plan has secret values to store.
    pub fn has_secrets(&self) -> bool {
        self.plan.secrets.iter().any(|s| s.value.is_some())
    }

    /// Removes what planning wrote (an unpacked bundle) when the install does not go
    /// ahead.
    pub fn discard(&self) {
        if let Some(dir) = &self.unpacked {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Carries out a planned install: its secrets into `keychain` (when it has any), then the
/// daemon's steps, with every `install` event for this server passed to `on_progress`.
/// On failure the daemon has undone its part; the unpacked bundle and the stored secrets
/// go too.
pub async fn install(
    control: &mut ControlClient,
    keychain: Option<Keychain>,
    planned: Planned,
    engine: &Path,
    into: Vec<ClientTarget>,
    mut on_progress: impl FnMut(&str, &str),
) -> Result<InstallReport, ControlError> {
    let request = match planned.request(engine, into) {
        Ok(request) => request,
        Err(error) => {
            planned.discard();
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                error.to_string(),
            ));
        }
    };
    let id = request.id.clone();
    // Secrets are stored under the id: never over an installed server's.
    if control
        .call::<ServerInfo>(Request::GetServer { id: id.clone() })
        .await
        .is_ok()
    {
        planned.discard();
        return Err(ControlError::new(
            ErrorCode::AlreadyExists,
            format!(
                "a server called \"{id}\" is installed already; pick another id, or \
                 uninstall it first (`switchboard uninstall {id}`)"
            ),
        ));
    }
    let planned = std::sync::Arc::new(planned);
    if planned.has_secrets() {
        let Some(keychain) = keychain else {
            planned.discard();
            return Err(ControlError::new(
                ErrorCode::Unavailable,
                "this server needs secrets and the keychain is not available",
            ));
        };
        let stored = {
            let planned = std::sync::Arc::clone(&planned);
            tokio::task::spawn_blocking(move || planned.store_secrets(&keychain)).await
        };
        let stored = stored
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        if let Err(message) = stored {
            planned.discard();
            return Err(ControlError::new(ErrorCode::Unavailable, message));
        }
    }
    let _: bool = control.call(Request::Subscribe).await?;
    let result = control
        .call_with_events::<InstallReport>(Request::Install(request), |event| {
            if let Event::Install {
                server,
                step,
                message,
            } = event
                && *server == id
            {
                on_progress(step, message);
            }
        })
        .await;
    if result.is_err() {
        // The daemon removed the secrets and the unpacked bundle it knew of; this is for
        // an install refused before it got that far.
        planned.discard();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draft and the plan for installing `url`, with no answers; the folder the plan's
    /// data would go to lives as long as the returned guard.
    fn planned(url: &str) -> (Draft, Planned, tempfile::TempDir) {
        let catalog = Catalog::from_entries(Vec::new());
        let source = InstallSource::Url(url.to_owned());
        let draft = Draft::new(&catalog, &source, None, |_| false, |_| true).unwrap();
        let data = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(data.path().to_owned())).unwrap();
        let planned = draft.plan(&Answers::new(), &paths).unwrap();
        (draft, planned, data)
    }

    fn relay_args(planned: &Planned) -> (Vec<String>, Launch) {
        let request = planned
            .request(Path::new("/opt/switchboard"), Vec::new())
            .unwrap();
        let Source::Command { args, .. } = &request.launch.source else {
            panic!("a relay: {:?}", request.launch);
        };
        (args.clone(), request.launch)
    }

    #[test]
    fn an_address_with_a_key_is_planned_with_the_whole_address_as_a_secret() {
        let url = "https://mcp.example.com/mcp?api_key=sk-live-4242";
        let (draft, planned, _data) = planned(url);
        assert!(!format!("{draft:?}").contains("sk-live-4242"), "{draft:?}");
        assert!(!draft.description.contains("sk-live-4242"));
        let secret = planned
            .plan
            .secrets
            .iter()
            .find(|s| s.name == ADDRESS_SECRET);
        let value = secret
            .and_then(|s| s.value.as_ref())
            .map(|v| v.expose().clone());
        assert_eq!(value.as_deref(), Some(url));

        let (args, launch) = relay_args(&planned);
        let stored = serde_json::to_string(&launch).unwrap();
        assert!(!stored.contains("sk-live-4242"), "{stored}");
        assert_eq!(args, ["remote", "--url-env", ADDRESS_SECRET]);
        assert_eq!(launch.secrets, [ADDRESS_SECRET]);
    }

    #[test]
    fn an_address_with_any_query_is_kept_whole_and_debug_never_shows_it() {
        // The rules see no key in `k=abc123`, but a query may hold one.
        let url = "https://mcp.example.com/mcp?k=abc123";
        let source = InstallSource::Url(url.to_owned());
        assert_eq!(
            format!("{source:?}"),
            r#"Url("https://mcp.example.com/mcp")"#
        );
        let form = views::FormSource::Url {
            url: url.to_owned(),
        };
        assert!(!format!("{form:?}").contains("abc123"));
        let (_, planned, _data) = planned(url);
        assert_eq!(planned.plan.secret_names(), [ADDRESS_SECRET]);
    }

    #[test]
    fn an_address_without_a_key_is_relayed_by_its_address() {
        let url = "https://mcp.example.com/mcp";
        let (_, planned, _data) = planned(url);
        assert!(planned.plan.secrets.is_empty());
        assert_eq!(relay_args(&planned).0, ["remote", url]);
    }
}
