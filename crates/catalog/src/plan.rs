//! From a catalog entry and the user's answers to what the daemon installs: an
//! [`InstallPlan`] that says which runtime it needs (npx, uvx, docker, none for a remote or
//! a built-in), the command and arguments with every `{placeholder}` filled, the plain
//! environment, the secret environment by name (values held as [`SecretValue`]), the
//! folders to grant and with what access, and what is still missing, in plain words.
//!
//! Owns: the settings an entry asks for ([`settings`]) and the plan ([`plan`]), as pure
//! functions. Must not: store anything, touch the keychain, or ever put a secret on a
//! command line or in an address (a plan that would is refused).

mod form;
mod resolve;

use std::{collections::BTreeMap, path::PathBuf};

use serde::Serialize;
use switchboard_runtimes::Runtime;

use crate::{
    entry::{CatalogEntry, Via},
    meta::Access,
};

pub(crate) use form::Form;
pub use form::{AnswerProblem, Answers, Place, SecretValue, Setting, SettingKind};
pub(crate) use resolve::{folder_grants, missing_list};

/// What the daemon installs for one server.
#[derive(Debug, Clone)]
pub struct InstallPlan {
    /// The id it is installed under.
    pub id: String,
    /// The name shown to people.
    pub title: String,
    /// Where it came from: the `server.json` name, or the bundle's name.
    pub source_name: String,
    /// The server's version.
    pub version: String,
    pub launch: PlannedLaunch,
    /// Plain environment variables.
    pub env: BTreeMap<String, String>,
    /// Environment variables (and header values, see [`HeaderValue`]) whose values go to
    /// the keychain under this server's id and these names.
    pub secrets: Vec<PlannedSecret>,
    /// Folders to grant.
    pub folders: Vec<FolderGrant>,
    /// Runtime versions the server says it needs (bundles).
    pub requirements: Vec<RuntimeRequirement>,
    /// What still has to be answered before it can run.
    pub missing: Vec<Missing>,
}

impl InstallPlan {
    /// Whether nothing is missing.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// The program that has to be installed on this computer for the server to run.
    pub fn runtime(&self) -> Option<Runtime> {
        match &self.launch {
            PlannedLaunch::Npm { .. } => Some(Runtime::Npx),
            PlannedLaunch::Pypi { .. } => Some(Runtime::Uvx),
            PlannedLaunch::Oci { .. } => Some(Runtime::Docker),
            PlannedLaunch::Command { runtime, .. } | PlannedLaunch::Bundle { runtime, .. } => {
                *runtime
            }
            PlannedLaunch::Builtin { .. } | PlannedLaunch::Remote { .. } => None,
        }
    }

    /// The names of every secret, in order.
    pub fn secret_names(&self) -> Vec<&str> {
        self.secrets.iter().map(|s| s.name.as_str()).collect()
    }
}

/// What runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PlannedLaunch {
    /// One of Switchboard's own servers.
    Builtin { name: String },
    /// `npx -y <package>@<version> <args>`.
    Npm {
        package: String,
        version: String,
        /// Arguments for npx itself (before the package), rarely any.
        runtime_args: Vec<String>,
        args: Vec<String>,
    },
    /// `uvx <package>==<version> <args>`.
    Pypi {
        package: String,
        version: String,
        /// Arguments for uvx itself (before the package), rarely any.
        runtime_args: Vec<String>,
        args: Vec<String>,
    },
    /// `docker run -i --rm [-e NAME]… <docker_args> <image> <args>`: the environment
    /// (plain and secret) is passed by name only.
    Oci {
        image: String,
        docker_args: Vec<String>,
        args: Vec<String>,
    },
    /// Any command line.
    Command {
        command: String,
        args: Vec<String>,
        /// The runtime the command is, when it is one (`node`, `python`, `npx`, …).
        #[serde(serialize_with = "runtime_serde::option")]
        runtime: Option<Runtime>,
    },
    /// An unpacked MCP Bundle, run from its folder.
    Bundle {
        dir: PathBuf,
        command: String,
        args: Vec<String>,
        #[serde(serialize_with = "runtime_serde::option")]
        runtime: Option<Runtime>,
    },
    /// A server already running elsewhere.
    Remote {
        /// Its address; without its key when `address_secret` is set.
        url: String,
        transport: RemoteTransport,
        headers: Vec<PlannedHeader>,
        /// The secret (in [`InstallPlan::secrets`]) that holds the whole address, for an
        /// address that carries a key: the relay reads it from there.
        #[serde(skip_serializing_if = "Option::is_none")]
        address_secret: Option<String>,
    },
}

/// How a remote server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemoteTransport {
    StreamableHttp,
    Sse,
}

/// An HTTP header sent to a remote server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedHeader {
    pub name: String,
    pub value: HeaderValue,
}

/// A header's value: written in the plan, or read from the keychain when connecting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum HeaderValue {
    Plain {
        value: String,
    },
    /// The whole value is the secret with this name (in [`InstallPlan::secrets`]).
    Secret {
        secret: String,
    },
}

/// A secret the install stores.
#[derive(Debug, Clone)]
pub struct PlannedSecret {
    /// The environment variable it becomes (or the name a header's value is kept under).
    pub name: String,
    /// The value to store; `None` keeps the one already in the keychain.
    pub value: Option<SecretValue>,
}

/// A folder to grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderGrant {
    pub path: PathBuf,
    pub access: Access,
    /// The setting it answers.
    pub setting: String,
}

/// A runtime version the server needs, as the bundle states it (`>=18.0.0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeRequirement {
    #[serde(serialize_with = "runtime_serde::one")]
    pub runtime: Runtime,
    pub version: String,
}

/// Something still to be answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub setting: String,
    pub message: String,
}

/// Why no plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{entry} cannot be installed from {via}: it has no such way to install")]
    NoSuchVia { entry: String, via: Via },
    /// The way chosen needs something Switchboard does not do.
    #[error("{entry} cannot be installed from {via}: {reason}")]
    Unsupported {
        entry: String,
        via: Via,
        reason: String,
    },
    /// The package is an MCP Bundle to download first, then install as a file.
    #[error(
        "{entry} is an MCP Bundle: download {url}, check that its SHA-256 is {sha256}, and \
         install the file"
    )]
    BundleDownload {
        entry: String,
        url: String,
        sha256: String,
    },
    /// Answers that do not fit the settings.
    #[error("{}", answer_list(.problems))]
    Answers { problems: Vec<AnswerProblem> },
}

fn answer_list(problems: &[AnswerProblem]) -> String {
    problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The settings installing `entry` through `via` asks for.
pub fn settings(entry: &CatalogEntry, via: Via) -> Result<Vec<Setting>, PlanError> {
    resolve::form_for(entry, via).map(|form| form.settings)
}

/// The plan for installing `entry` through `via` under `id` with `answers`. Answers that
/// do not fit are an error; answers still to be given are listed in
/// [`InstallPlan::missing`].
pub fn plan(
    entry: &CatalogEntry,
    via: Via,
    id: &str,
    answers: &Answers,
) -> Result<InstallPlan, PlanError> {
    resolve::plan(entry, via, id, answers)
}

/// The runtime a command is, by its file name (`/usr/bin/node` → node).
pub fn runtime_for_command(command: &str) -> Option<Runtime> {
    let file = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let stem = file
        .strip_suffix(".exe")
        .or_else(|| file.strip_suffix(".cmd"))
        .unwrap_or(file);
    match stem {
        "node" => Some(Runtime::Node),
        "npx" => Some(Runtime::Npx),
        "uv" => Some(Runtime::Uv),
        "uvx" => Some(Runtime::Uvx),
        "python" | "python3" => Some(Runtime::Python),
        "docker" => Some(Runtime::Docker),
        _ => None,
    }
}

/// Runtimes written by the name people type (`npx`).
mod runtime_serde {
    use serde::Serializer;
    use switchboard_runtimes::Runtime;

    pub(super) fn one<S: Serializer>(runtime: &Runtime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(runtime.name())
    }

    pub(super) fn option<S: Serializer>(
        runtime: &Option<Runtime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match runtime {
            Some(runtime) => serializer.serialize_some(runtime.name()),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod command_tests {
    use super::*;

    #[test]
    fn commands_are_recognised_as_runtimes_by_file_name() {
        assert_eq!(runtime_for_command("/usr/bin/node"), Some(Runtime::Node));
        assert_eq!(runtime_for_command("C:\\x\\npx.cmd"), Some(Runtime::Npx));
        assert_eq!(runtime_for_command("python3"), Some(Runtime::Python));
        assert_eq!(runtime_for_command("/opt/my-server"), None);
    }
}

#[cfg(test)]
mod tests;
