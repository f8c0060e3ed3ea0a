//! The catalog and the install form as a window shows them: a page of catalog cards with
//! their categories ([`catalog_page`]), the questions of one install with what this
//! computer lacks to run it ([`InstallForm`]), and the answers coming back
//! ([`FormAnswers`]), checked against the questions before anything is planned.
//!
//! Owns: these shapes and the words on them. Must not: keep a secret's value longer than it
//! takes to hand it to [`Answers`], or print it (its `Debug` is redacted).

use std::{collections::BTreeSet, fmt};

use serde::{Deserialize, Serialize};
use switchboard_catalog::{
    Answers, Catalog, CatalogEntry, Category, Origin, SecretValue, Setting, SettingKind, Via,
    server_json::{RegistryType, TransportKind},
};
use switchboard_runtimes::{Runtime, Runtimes};

use super::{Draft, InstallerError};

/// A page of the catalog: the entries matching a search, best first, and every category
/// with how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CatalogPage {
    pub entries: Vec<CatalogCard>,
    /// Every category with at least one entry, in the catalog's order.
    pub categories: Vec<CategoryCount>,
    /// How many entries the whole catalog has.
    pub total: u32,
    /// The MCP Registry the catalog includes, if one was read.
    pub registry: Option<String>,
}

/// A category and how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CategoryCount {
    pub slug: String,
    pub title: String,
    pub count: u32,
}

/// One catalog entry, as a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CatalogCard {
    /// The catalog id (also the id it installs under, when free).
    pub id: String,
    /// The `server.json` name, such as `io.github.owner/server`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// What it lets an AI app do, in a sentence or two.
    pub capabilities: Option<String>,
    /// Category titles.
    pub categories: Vec<String>,
    /// How it runs, in a few words: "Built into Switchboard", "npm package …".
    pub runs_with: String,
    /// Read from an MCP Registry rather than shipped with Switchboard.
    pub from_registry: bool,
    /// A server with this id is installed already.
    pub installed: bool,
    /// Why it cannot be installed here, when it cannot.
    pub not_installable: Option<String>,
}

/// What to install, as the window names it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FormSource {
    /// A catalog entry by id.
    Catalog { id: String },
    /// An MCP Bundle file the person chose.
    Bundle { path: std::path::PathBuf },
    /// A remote server's address (Streamable HTTP).
    Url { url: String },
}

/// As [`super::InstallSource`] shows it: an address without what may be a key in it.
impl std::fmt::Debug for FormSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&super::InstallSource::from(self.clone()), f)
    }
}

impl From<FormSource> for super::InstallSource {
    fn from(source: FormSource) -> Self {
        match source {
            FormSource::Catalog { id } => Self::Catalog(id),
            FormSource::Bundle { path } => Self::Bundle(path),
            FormSource::Url { url } => Self::Url(url),
        }
    }
}

/// The questions of one install, and what this computer lacks to run the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct InstallForm {
    /// The id it will be installed under.
    pub id: String,
    pub title: String,
    pub description: String,
    pub questions: Vec<Question>,
    /// The program it runs with, when it needs one.
    pub runtime: Option<RuntimeNeed>,
    /// Why it cannot be installed yet, each with the fix; empty when it can.
    pub blockers: Vec<String>,
}

/// The program a server runs with, and whether this computer has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct RuntimeNeed {
    /// The program's name, such as `npx`.
    pub program: String,
    /// Where it was found, when it was.
    pub found: Option<String>,
}

/// One question of an install form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Question {
    /// What the answer is given under.
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub kind: QuestionKind,
    /// Typed into a masked field and kept in the system keychain.
    pub secret: bool,
    pub required: bool,
    /// Several values may be given.
    pub multiple: bool,
    /// What is used when nothing is given.
    pub defaults: Vec<String>,
    pub placeholder: Option<String>,
}

/// Which control asks a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum QuestionKind {
    Text,
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Choice {
        choices: Vec<String>,
    },
    /// A file: the file picker is offered.
    File,
    /// A folder: the folder picker is offered; the folder is granted to the server.
    Folder {
        read_write: bool,
    },
}

/// The answers a window sends back: plain values by key, and secrets by key.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FormAnswers {
    pub values: Vec<FormValue>,
    pub secrets: Vec<FormSecret>,
}

/// The plain values given for one question (blank ones are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FormValue {
    pub key: String,
    pub values: Vec<String>,
}

/// A secret typed into a masked field.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct FormSecret {
    pub key: String,
    pub value: String,
}

impl fmt::Debug for FormAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormAnswers")
            .field("values", &self.values)
            .field(
                "secrets",
                &self.secrets.iter().map(|s| &s.key).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl fmt::Debug for FormSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormSecret")
            .field("key", &self.key)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// The entries matching `query` (all of them for an empty one) in `category` (a slug),
/// as cards. `installed` says whether an id is taken by an installed server.
pub fn catalog_page(
    catalog: &Catalog,
    query: &str,
    category: Option<&str>,
    installed: impl Fn(&str) -> bool,
) -> CatalogPage {
    let category = category.and_then(Category::from_slug);
    let registry = catalog
        .entries()
        .iter()
        .find_map(|entry| match &entry.origin {
            Origin::Registry { base_url } => Some(base_url.clone()),
            _ => None,
        });
    CatalogPage {
        entries: catalog
            .search(query, category)
            .into_iter()
            .map(|entry| card(entry, installed(&entry.id)))
            .collect(),
        categories: catalog
            .categories()
            .into_iter()
            .map(|(category, count)| CategoryCount {
                slug: category.slug().to_owned(),
                title: category.title().to_owned(),
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect(),
        total: u32::try_from(catalog.len()).unwrap_or(u32::MAX),
        registry,
    }
}

/// Why a remote server cannot be reached through Switchboard's relay: it speaks only the
/// older SSE transport.
pub(crate) const SSE_ONLY: &str = "is reached over the older SSE transport, which \
     Switchboard's relay does not speak; add its address to your AI app directly";

/// What is wrong with reaching `entry` through `via`, when `via` is a remote that
/// Switchboard's relay cannot speak to (SSE, or a transport it does not know).
pub(crate) fn remote_problem(entry: &CatalogEntry, via: Via) -> Option<&'static str> {
    let Via::Remote(index) = via else {
        return None;
    };
    match entry.server.remotes.get(index).map(|remote| &remote.kind) {
        Some(TransportKind::StreamableHttp) => None,
        _ => Some(SSE_ONLY),
    }
}

fn card(entry: &CatalogEntry, installed: bool) -> CatalogCard {
    let via = entry.preferred_via(|_| true);
    let not_installable = match via {
        None => Some("It lists no way to run it.".to_owned()),
        Some(via) => remote_problem(entry, via).map(|problem| format!("It {problem}.")),
    };
    CatalogCard {
        id: entry.id.clone(),
        name: entry.server.name.clone(),
        title: entry.title().to_owned(),
        description: entry.description().to_owned(),
        capabilities: entry.meta.capabilities.clone(),
        categories: entry
            .categories()
            .iter()
            .map(|c| c.title().to_owned())
            .collect(),
        runs_with: runs_with(entry, via),
        from_registry: matches!(entry.origin, Origin::Registry { .. }),
        installed,
        not_installable,
    }
}

fn runs_with(entry: &CatalogEntry, via: Option<Via>) -> String {
    match via {
        Some(Via::Builtin) => "Built into Switchboard".to_owned(),
        Some(Via::Command) => entry.meta.command.as_ref().map_or_else(
            || "A command".to_owned(),
            |command| format!("The command {}", command.command),
        ),
        Some(Via::Package(index)) => match entry.server.packages.get(index) {
            Some(package) => match &package.registry_type {
                RegistryType::Npm => format!("npm package {} (Node.js)", package.identifier),
                RegistryType::Pypi => format!("PyPI package {} (Python)", package.identifier),
                RegistryType::Oci => format!("Container image {} (Docker)", package.identifier),
                RegistryType::Mcpb => "MCP Bundle".to_owned(),
                other => format!("{} package {}", other.as_str(), package.identifier),
            },
            None => "A package".to_owned(),
        },
        Some(Via::Remote(index)) => entry
            .server
            .remotes
            .get(index)
            .and_then(|remote| remote.url.as_deref())
            .map_or_else(
                || "A remote server".to_owned(),
                |url| format!("A remote server at {url}"),
            ),
        None => "Nothing this computer can run".to_owned(),
    }
}

impl InstallForm {
    /// The form for `draft`, with what `runtimes` says this computer lacks.
    pub fn new(draft: &Draft, runtimes: &Runtimes) -> Self {
        let preview = draft.preview();
        let runtime = preview.as_ref().and_then(|plan| plan.runtime());
        let mut blockers = Vec::new();
        let need = runtime.map(|runtime| {
            let found = runtimes
                .found(runtime)
                .map(|found| found.path.display().to_string());
            if found.is_none() {
                blockers.push(missing_runtime(&draft.title, runtime, runtimes));
            }
            RuntimeNeed {
                program: runtime.name().to_owned(),
                found,
            }
        });
        if let Some(plan) = &preview {
            blockers.extend(super::unmet_requirements(plan, runtimes));
        }
        Self {
            id: draft.id.clone(),
            title: draft.title.clone(),
            description: draft.description.clone(),
            questions: draft.settings.iter().map(question).collect(),
            runtime: need,
            blockers,
        }
    }
}

fn missing_runtime(title: &str, runtime: Runtime, runtimes: &Runtimes) -> String {
    format!(
        "{title} runs with {}, which is not installed on this computer: {}",
        runtime.name(),
        runtime.install_advice(runtimes.os())
    )
}

fn question(setting: &Setting) -> Question {
    Question {
        key: setting.key.clone(),
        title: setting.title.clone(),
        description: setting.description.clone(),
        kind: match &setting.kind {
            SettingKind::Text => QuestionKind::Text,
            SettingKind::Number { min, max } => QuestionKind::Number {
                min: *min,
                max: *max,
            },
            SettingKind::Boolean => QuestionKind::Boolean,
            SettingKind::Choice { choices } => QuestionKind::Choice {
                choices: choices.clone(),
            },
            SettingKind::File => QuestionKind::File,
            SettingKind::Folder { access } => QuestionKind::Folder {
                read_write: *access == switchboard_catalog::Access::ReadWrite,
            },
        },
        secret: setting.secret,
        required: setting.required,
        multiple: setting.multiple,
        defaults: setting.defaults.clone(),
        placeholder: setting.placeholder.clone(),
    }
}

impl FormAnswers {
    /// These answers for `draft`'s questions. A key the form does not ask, a secret sent as
    /// a plain value or a plain value sent as a secret is refused; so is the same key twice.
    pub fn into_answers(self, draft: &Draft) -> Result<Answers, InstallerError> {
        let mut answers = Answers::new();
        let mut seen = BTreeSet::new();
        let asked = |key: &str| draft.settings.iter().find(|s| s.key == key);
        for value in self.values {
            let setting = asked(&value.key).ok_or_else(|| unknown(draft, &value.key))?;
            if setting.secret {
                return Err(InstallerError::Unsupported(format!(
                    "{} is a secret: it goes in its masked field",
                    setting.title
                )));
            }
            if !seen.insert(value.key.clone()) {
                return Err(twice(&value.key));
            }
            for one in value.values {
                answers.add(value.key.as_str(), one);
            }
        }
        for secret in self.secrets {
            let setting = asked(&secret.key).ok_or_else(|| unknown(draft, &secret.key))?;
            if !setting.secret {
                return Err(InstallerError::Unsupported(format!(
                    "{} is not a secret",
                    setting.title
                )));
            }
            if !seen.insert(secret.key.clone()) {
                return Err(twice(&secret.key));
            }
            if !secret.value.is_empty() {
                answers.set_secret(secret.key, SecretValue::from(secret.value));
            }
        }
        Ok(answers)
    }
}

fn unknown(draft: &Draft, key: &str) -> InstallerError {
    InstallerError::Unsupported(format!("{} asks no \"{key}\"", draft.title))
}

fn twice(key: &str) -> InstallerError {
    InstallerError::Unsupported(format!("\"{key}\" was answered twice"))
}
