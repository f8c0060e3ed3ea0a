//! Recently rendered documents, so that reading a long page in parts uses one download.
//!
//! Owns [`RecentDocuments`]: a small, bounded, short-lived memory of rendered documents,
//! keyed by what was asked (URL, format, a fingerprint of the request headers). Only
//! continuation calls (`start_index > 0`) read it, so a first call always fetches fresh and
//! the pages of one reading come from one version of the document. Must not store header
//! values: a fingerprint stands in for them.

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use crate::content::Format;

/// A rendered document, ready to be paged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    /// The final URL (after redirects), as shown.
    pub url: String,
    /// The final HTTP status.
    pub status: u16,
    /// The Content-Type header, if any.
    pub content_type: Option<String>,
    /// The format of `text`.
    pub format: Format,
    /// The HTML title, if any.
    pub title: Option<String>,
    /// The whole rendered text.
    pub text: String,
    /// Whether the body was HTML (an empty rendering then means a script-built page).
    pub from_html: bool,
    /// An HTML page too deeply nested to convert, returned as plain text.
    pub flattened: bool,
}

/// What identifies a request for the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocumentKey {
    url: String,
    format: Format,
    headers: u64,
}

/// A bounded memory of recent documents (entry count, total size and age are capped).
#[derive(Debug)]
pub(crate) struct RecentDocuments {
    entries: Mutex<VecDeque<(DocumentKey, Instant, Arc<Document>)>>,
    hasher: RandomState,
    max_entries: usize,
    max_bytes: usize,
    max_age: Duration,
}

impl RecentDocuments {
    /// A cache of at most `max_entries` documents, `max_bytes` of text, each kept for
    /// `max_age`.
    pub(crate) fn new(max_entries: usize, max_bytes: usize, max_age: Duration) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            hasher: RandomState::new(),
            max_entries,
            max_bytes,
            max_age,
        }
    }

    /// The key of a request. Headers enter only as a keyed hash.
    pub(crate) fn key(&self, url: &str, format: Format, headers: &HeaderMap) -> DocumentKey {
        let mut pairs: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        pairs.sort_unstable();
        DocumentKey {
            url: url.to_owned(),
            format,
            headers: self.hasher.hash_one(&pairs),
        }
    }

    /// The document stored under `key`, if it is still fresh.
    pub(crate) fn get(&self, key: &DocumentKey) -> Option<Arc<Document>> {
        let mut entries = self.entries.lock().ok()?;
        let now = Instant::now();
        entries.retain(|(_, stored, _)| now.duration_since(*stored) < self.max_age);
        entries
            .iter()
            .find(|(stored_key, _, _)| stored_key == key)
            .map(|(_, _, document)| Arc::clone(document))
    }

    /// Stores a document, evicting the oldest entries past the caps. A document larger
    /// than the whole budget is not stored.
    pub(crate) fn put(&self, key: DocumentKey, document: Arc<Document>) {
        if document.text.len() > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|(stored_key, _, _)| *stored_key != key);
        entries.push_back((key, Instant::now(), document));
        let mut bytes: usize = entries.iter().map(|(_, _, d)| d.text.len()).sum();
        while entries.len() > self.max_entries || bytes > self.max_bytes {
            match entries.pop_front() {
                Some((_, _, evicted)) => bytes -= evicted.text.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn document(text: &str) -> Arc<Document> {
        Arc::new(Document {
            url: "https://example.com/".into(),
            status: 200,
            content_type: None,
            format: Format::Markdown,
            title: None,
            text: text.into(),
            from_html: false,
            flattened: false,
        })
    }

    #[test]
    fn a_stored_document_is_found_by_the_same_request_only() {
        let cache = RecentDocuments::new(4, 1000, Duration::from_secs(60));
        let mut headers = HeaderMap::new();
        let key = cache.key("https://example.com/", Format::Markdown, &headers);
        cache.put(key.clone(), document("abc"));
        assert!(cache.get(&key).is_some());
        assert!(
            cache
                .get(&cache.key("https://example.com/", Format::Text, &headers))
                .is_none()
        );
        headers.insert("authorization", HeaderValue::from_static("Bearer other"));
        assert!(
            cache
                .get(&cache.key("https://example.com/", Format::Markdown, &headers))
                .is_none(),
            "other credentials never see this document"
        );
    }

    #[test]
    fn entries_and_bytes_are_capped() {
        let cache = RecentDocuments::new(2, 10, Duration::from_secs(60));
        let headers = HeaderMap::new();
        let keys: Vec<DocumentKey> = (0..3)
            .map(|i| {
                cache.key(
                    &format!("https://example.com/{i}"),
                    Format::Markdown,
                    &headers,
                )
            })
            .collect();
        for key in &keys {
            cache.put(key.clone(), document("1234"));
        }
        assert!(cache.get(&keys[0]).is_none(), "the oldest is evicted");
        assert!(cache.get(&keys[2]).is_some());
        cache.put(keys[0].clone(), document("12345678901"));
        assert!(
            cache.get(&keys[0]).is_none(),
            "larger than the budget: not stored"
        );
        cache.put(keys[0].clone(), document("123456789"));
        assert!(
            cache.get(&keys[2]).is_none(),
            "evicted to stay within 10 bytes"
        );
    }

    #[test]
    fn old_entries_expire() {
        let cache = RecentDocuments::new(2, 100, Duration::ZERO);
        let key = cache.key("https://example.com/", Format::Markdown, &HeaderMap::new());
        cache.put(key.clone(), document("x"));
        assert!(cache.get(&key).is_none());
    }
}
