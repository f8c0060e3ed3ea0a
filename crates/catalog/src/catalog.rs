//! [`Catalog`]: the curated entries shipped inside Switchboard (`catalog/*.json`, embedded
//! at build time), Switchboard's built-ins among them, plus entries from an MCP Registry and
//! entries added by hand, merged without duplicates, searchable and browsable by category.
//!
//! Owns: the embedded files, their order (built-ins first, then by name) and merging.
//! Must not: fetch (that is `registry`) or store anything (the lead's store caches).

use std::fmt;

use crate::{
    entry::{CatalogEntry, EntryError, Origin, unique_id},
    meta::{Category, EntryKind},
    search::{self, Hit},
};

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// The curated catalog's files as shipped: (file name, contents).
pub fn curated_files() -> &'static [(&'static str, &'static str)] {
    files::FILES
}

/// Every entry Switchboard knows of.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
}

/// Curated files that are not valid entries (a build of Switchboard that ships one is a
/// bug; the tests stop it).
#[derive(Debug, thiserror::Error)]
pub struct CatalogError {
    pub problems: Vec<EntryError>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the built-in catalog has invalid entries: ")?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// An entry left out when merging, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

impl Catalog {
    /// The curated catalog shipped with Switchboard.
    pub fn curated() -> Result<Self, CatalogError> {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (file, text) in curated_files() {
            let origin = Origin::Curated {
                file: (*file).to_owned(),
            };
            match CatalogEntry::from_json(file, text, origin) {
                Ok(entry) => entries.push(entry),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(CatalogError { problems });
        }
        let mut catalog = Self { entries };
        catalog.sort();
        Ok(catalog)
    }

    /// A catalog of these entries (in this order).
    pub fn from_entries(entries: Vec<CatalogEntry>) -> Self {
        Self { entries }
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entry with this `server.json` name.
    pub fn by_name(&self, name: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.server.name == name)
    }

    /// Adds entries (from a registry, or by hand) after the ones already here. One whose
    /// `server.json` name is already in the catalog is left out (the catalog's own entry
    /// wins); one whose id is taken by another server gets the next free id (`github-2`).
    pub fn merge(&mut self, entries: impl IntoIterator<Item = CatalogEntry>) -> Vec<Skipped> {
        let mut skipped = Vec::new();
        for mut entry in entries {
            if self.by_name(&entry.server.name).is_some() {
                skipped.push(Skipped {
                    reason: format!(
                        "the catalog already has {} (as \"{}\")",
                        entry.server.name,
                        self.by_name(&entry.server.name)
                            .map_or("", |e| e.id.as_str())
                    ),
                    name: entry.server.name,
                });
                continue;
            }
            entry.id = unique_id(&entry.id, |id| self.get(id).is_some());
            self.entries.push(entry);
        }
        skipped
    }

    /// Entries matching `query` and `category`, best first (see [`search::search`]).
    pub fn search(&self, query: &str, category: Option<Category>) -> Vec<&CatalogEntry> {
        search::search(&self.entries, query, category)
            .into_iter()
            .map(|Hit { index, .. }| &self.entries[index])
            .collect()
    }

    /// Each category with how many entries are in it.
    pub fn categories(&self) -> Vec<(Category, usize)> {
        search::categories(&self.entries)
    }

    /// Built-ins first, then by name.
    fn sort(&mut self) {
        self.entries.sort_by_key(|entry| {
            (
                entry.kind != EntryKind::Builtin,
                entry.title().to_lowercase(),
            )
        });
    }
}
