//! Switchboard's own data about a catalog entry, kept in the `server.json` under
//! `_meta["dev.switchboard/catalog"]` so that every file stays a valid `server.json`: the
//! entry's id, its kind (a package, a remote, a built-in, or a command added by hand), its
//! categories, a short "what it can do", which inputs are folders (so the folder picker is
//! offered and the folder is granted), and search keywords.
//!
//! Owns: this extension's shape and the category vocabulary. Must not: reinterpret the
//! registry's own fields.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::server_json::KeyValueInput;

/// The `_meta` key Switchboard's data lives under.
pub const META_KEY: &str = "dev.switchboard/catalog";

/// Switchboard's extension data for one entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchboardMeta {
    /// The id the server is installed under (valid for every client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What kind of entry this is; derived from the document when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntryKind>,
    /// For built-ins: which of Switchboard's servers (`files`, `clock`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    /// For commands added by hand: what to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandLine>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// A sentence or two on what the server lets an AI app do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<String>,
    /// Inputs that are folders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderInput>,
    /// More words search should find the entry by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What kind of thing installing an entry sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// Run from one of its `packages` (npm, PyPI, OCI, MCP Bundle).
    Package,
    /// Reached at one of its `remotes`.
    Remote,
    /// One of Switchboard's own servers, served in-process.
    Builtin,
    /// A command line someone added by hand.
    Command,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Package => "package",
            Self::Remote => "remote",
            Self::Builtin => "builtin",
            Self::Command => "command",
        }
    }
}

/// A command line to run, and the environment variables it takes (asked for like a
/// package's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandLine {
    pub command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<KeyValueInput>,
}

/// An input that names a folder: the folder picker is offered for it and the folder is
/// granted to the server (with this access).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderInput {
    /// The input's key: an environment variable's name, a named argument's flag, a
    /// positional argument's value hint, or a `{variable}`. For a built-in, a key of its
    /// own: the folders are granted and passed to nothing else.
    pub input: String,
    pub access: Access,
    /// A label for the picker (built-ins; others use the input's description).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Whether several folders may be chosen (built-ins; others use `isRepeated`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    /// Whether at least one folder must be chosen (built-ins; others use `isRequired`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// What a server may do in a granted folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// The categories the catalog is browsed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Files,
    Developer,
    VersionControl,
    Databases,
    Search,
    Web,
    Browser,
    Productivity,
    Communication,
    Knowledge,
    Cloud,
    Design,
    Payments,
    Monitoring,
    Utilities,
}

impl Category {
    /// Every category, in the order the catalog page lists them.
    pub const ALL: [Self; 15] = [
        Self::Files,
        Self::Developer,
        Self::VersionControl,
        Self::Databases,
        Self::Search,
        Self::Web,
        Self::Browser,
        Self::Productivity,
        Self::Communication,
        Self::Knowledge,
        Self::Cloud,
        Self::Design,
        Self::Payments,
        Self::Monitoring,
        Self::Utilities,
    ];

    /// The identifier used in files and filters (`version-control`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Developer => "developer",
            Self::VersionControl => "version-control",
            Self::Databases => "databases",
            Self::Search => "search",
            Self::Web => "web",
            Self::Browser => "browser",
            Self::Productivity => "productivity",
            Self::Communication => "communication",
            Self::Knowledge => "knowledge",
            Self::Cloud => "cloud",
            Self::Design => "design",
            Self::Payments => "payments",
            Self::Monitoring => "monitoring",
            Self::Utilities => "utilities",
        }
    }

    /// The name shown to people.
    pub fn title(self) -> &'static str {
        match self {
            Self::Files => "Files",
            Self::Developer => "Developer tools",
            Self::VersionControl => "Version control",
            Self::Databases => "Databases",
            Self::Search => "Search",
            Self::Web => "Web",
            Self::Browser => "Browser automation",
            Self::Productivity => "Productivity",
            Self::Communication => "Communication",
            Self::Knowledge => "Notes and knowledge",
            Self::Cloud => "Cloud",
            Self::Design => "Design",
            Self::Payments => "Payments",
            Self::Monitoring => "Monitoring",
            Self::Utilities => "Utilities",
        }
    }

    /// The category with this slug.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|category| category.slug() == slug)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Why the extension data could not be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "_meta.\"{META_KEY}\" is not Switchboard's catalog data: {0} (see docs/catalog.md for \
     its fields)"
)]
pub struct MetaError(#[source] serde_json::Error);

impl SwitchboardMeta {
    /// Reads Switchboard's data from a document's `_meta`; empty when there is none.
    pub fn from_meta(meta: &Map<String, Value>) -> Result<Self, MetaError> {
        match meta.get(META_KEY) {
            None => Ok(Self::default()),
            Some(value) => serde_json::from_value(value.clone()).map_err(MetaError),
        }
    }

    /// Writes this data into a document's `_meta`, replacing what was there.
    pub fn write_to(&self, meta: &mut Map<String, Value>) {
        match serde_json::to_value(self) {
            Ok(value) => {
                meta.insert(META_KEY.to_owned(), value);
            }
            // A struct of strings and enums always serialises; keep the old data if not.
            Err(error) => tracing::warn!(%error, "could not write catalog metadata"),
        }
    }

    /// The folder entry for an input key.
    pub fn folder(&self, key: &str) -> Option<&FolderInput> {
        self.folders.iter().find(|folder| folder.input == key)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_round_trips_and_keeps_unknown_fields() {
        let meta = json!({
            META_KEY: {
                "id": "files", "kind": "builtin", "builtin": "files",
                "categories": ["files", "version-control"],
                "folders": [{"input": "folders", "access": "read-write", "multiple": true}],
                "later": 1
            }
        });
        let map = meta.as_object().expect("object");
        let read = SwitchboardMeta::from_meta(map).expect("reads");
        assert_eq!(read.kind, Some(EntryKind::Builtin));
        assert_eq!(read.categories, [Category::Files, Category::VersionControl]);
        assert_eq!(
            read.folder("folders").map(|f| f.access),
            Some(Access::ReadWrite)
        );
        let mut written = Map::new();
        read.write_to(&mut written);
        assert_eq!(Value::Object(written), meta, "written back unchanged");
    }

    #[test]
    fn an_unknown_category_is_an_error_that_names_the_key() {
        let meta = json!({META_KEY: {"categories": ["gardening"]}});
        let error = SwitchboardMeta::from_meta(meta.as_object().expect("object"))
            .expect_err("not a category");
        let text = error.to_string();
        assert!(
            text.contains(META_KEY) && text.contains("gardening"),
            "{text}"
        );
    }

    #[test]
    fn slugs_and_serde_names_agree() {
        for category in Category::ALL {
            let serialised = serde_json::to_value(category).expect("serialises");
            assert_eq!(serialised, json!(category.slug()));
            assert_eq!(Category::from_slug(category.slug()), Some(category));
        }
    }
}
