//! Searching the catalog: every word of the query must match an entry's id, name,
//! categories, keywords, description or "what it can do"; hits are ranked by where the
//! words matched (an exact id or name beats a word in the description) and then by name.
//!
//! Owns: the ranking, as a pure function over entries. Must not: fetch or cache.

use std::cmp::Reverse;

use crate::{entry::CatalogEntry, meta::Category};

/// How much a match in each field counts.
const EXACT_ID: u32 = 100;
const EXACT_TITLE: u32 = 90;
const ID_PREFIX: u32 = 40;
const TITLE_WORD: u32 = 30;
const TITLE_PREFIX: u32 = 20;
const CATEGORY: u32 = 15;
const KEYWORD: u32 = 12;
const DESCRIPTION_WORD: u32 = 8;
const DESCRIPTION_PREFIX: u32 = 5;
const ANYWHERE: u32 = 1;

/// One hit: the entry's index in the slice searched, and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: u32,
}

/// The entries that match `query` (every word somewhere) and `category` (when given),
/// best first. An empty query matches everything, in the order given.
pub fn search(entries: &[CatalogEntry], query: &str, category: Option<Category>) -> Vec<Hit> {
    let words = words(query);
    let mut hits: Vec<Hit> = entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| category.is_none_or(|c| entry.categories().contains(&c)))
        .filter_map(|(index, entry)| {
            let mut total = 0;
            for word in &words {
                let score = word_score(entry, word);
                if score == 0 {
                    return None;
                }
                total += score;
            }
            Some(Hit {
                index,
                score: total,
            })
        })
        .collect();
    if !words.is_empty() {
        hits.sort_by_key(|hit| {
            (
                Reverse(hit.score),
                entries[hit.index].title().to_lowercase(),
                hit.index,
            )
        });
    }
    hits
}

/// How many entries are in each category that has any, in the catalog's category order.
pub fn categories(entries: &[CatalogEntry]) -> Vec<(Category, usize)> {
    Category::ALL
        .into_iter()
        .map(|category| {
            let count = entries
                .iter()
                .filter(|e| e.categories().contains(&category))
                .count();
            (category, count)
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn word_score(entry: &CatalogEntry, word: &str) -> u32 {
    let id = entry.id.to_lowercase();
    let title = entry.title().to_lowercase();
    let title_words = words(&title);
    let id_words = words(&id);
    let mut score = 0;
    if id == word || id_words.iter().any(|w| w == word) {
        score += EXACT_ID;
    } else if id.starts_with(word) || id_words.iter().any(|w| w.starts_with(word)) {
        score += ID_PREFIX;
    }
    if title == word {
        score += EXACT_TITLE;
    } else if title_words.iter().any(|w| w == word) {
        score += TITLE_WORD;
    } else if title_words.iter().any(|w| w.starts_with(word)) {
        score += TITLE_PREFIX;
    }
    if entry.categories().iter().any(|c| {
        words(c.slug()).iter().any(|w| w.starts_with(word))
            || words(c.title())
                .iter()
                .any(|w| w.to_lowercase().starts_with(word))
    }) {
        score += CATEGORY;
    }
    if entry
        .meta
        .keywords
        .iter()
        .any(|k| words(k).iter().any(|w| w.starts_with(word)))
    {
        score += KEYWORD;
    }
    let description = words(entry.description());
    if description.iter().any(|w| w == word) {
        score += DESCRIPTION_WORD;
    } else if description.iter().any(|w| w.starts_with(word)) {
        score += DESCRIPTION_PREFIX;
    }
    if score == 0 {
        let everywhere = [
            entry.server.name.to_lowercase(),
            entry
                .meta
                .capabilities
                .as_deref()
                .unwrap_or_default()
                .to_lowercase(),
            entry.description().to_lowercase(),
        ];
        if everywhere.iter().any(|text| text.contains(word)) {
            score += ANYWHERE;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::{entry::Origin, meta::META_KEY};

    fn entry(id: &str, title: &str, description: &str, categories: &[&str]) -> CatalogEntry {
        let document = json!({
            "name": format!("io.github.test/{id}"), "title": title,
            "description": description, "version": "1.0.0",
            "remotes": [{"type": "streamable-http", "url": "https://example.com/mcp"}],
            "_meta": {META_KEY: {"id": id, "categories": categories,
                                 "capabilities": "Does things with widgets."}}
        });
        CatalogEntry::from_json("t", &document.to_string(), Origin::Manual).expect("valid")
    }

    fn entries() -> Vec<CatalogEntry> {
        vec![
            entry(
                "gitlab",
                "GitLab",
                "Projects, issues and merge requests on GitLab",
                &["version-control"],
            ),
            entry(
                "github",
                "GitHub",
                "Repositories, issues and pull requests on GitHub",
                &["version-control", "developer"],
            ),
            entry(
                "git",
                "Git",
                "Read and change a local Git repository",
                &["version-control"],
            ),
            entry(
                "slack",
                "Slack",
                "Read and post messages in Slack channels",
                &["communication"],
            ),
            entry(
                "memory",
                "Memory",
                "A knowledge graph that remembers facts about you",
                &["knowledge"],
            ),
        ]
    }

    fn ids(found: &[Hit], all: &[CatalogEntry]) -> Vec<String> {
        found.iter().map(|h| all[h.index].id.clone()).collect()
    }

    #[test]
    fn an_exact_id_ranks_first() {
        let all = entries();
        let found = search(&all, "git", None);
        assert_eq!(
            ids(&found, &all).first().map(String::as_str),
            Some("git"),
            "exact id first: {:?}",
            ids(&found, &all)
        );
        assert!(
            ids(&found, &all).contains(&"github".to_owned()),
            "prefix matches too"
        );
    }

    #[test]
    fn every_word_must_match() {
        let all = entries();
        assert_eq!(
            ids(&search(&all, "issues pull", None), &all),
            vec!["github"]
        );
        assert!(search(&all, "issues banana", None).is_empty());
    }

    #[test]
    fn categories_filter_and_count() {
        let all = entries();
        let found = search(&all, "", Some(Category::VersionControl));
        assert_eq!(
            ids(&found, &all),
            vec!["gitlab", "github", "git"],
            "catalog order kept"
        );
        let counts = categories(&all);
        assert_eq!(counts[0], (Category::Developer, 1));
        assert!(counts.contains(&(Category::VersionControl, 3)));
        assert!(
            !counts.iter().any(|(c, _)| *c == Category::Payments),
            "empty ones left out"
        );
    }

    #[test]
    fn search_is_case_insensitive_and_ignores_punctuation() {
        let all = entries();
        assert_eq!(ids(&search(&all, "  SLACK!! ", None), &all), vec!["slack"]);
        assert_eq!(ids(&search(&all, "knowledge", None), &all), vec!["memory"]);
    }

    #[test]
    fn capabilities_are_searched_last() {
        let all = entries();
        assert_eq!(search(&all, "widgets", None).len(), all.len());
    }

    proptest! {
        #[test]
        fn hits_are_sorted_and_in_range(query in "[a-z ]{0,12}") {
            let all = entries();
            let found = search(&all, &query, None);
            prop_assert!(found.iter().all(|h| h.index < all.len()));
            if !query.trim().is_empty() {
                prop_assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
            }
        }
    }
}
