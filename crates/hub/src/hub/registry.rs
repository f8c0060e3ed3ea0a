//! The catalog's MCP Registry: the daemon reads the registry the user chose (read-only,
//! through `switchboard_catalog::registry`) and keeps its listing in the store, so that the
//! catalog offers its servers offline and a refresh only re-reads what changed (ETag).
//!
//! Must not: write anything but the cache, or install anything from a listing by itself.

use serde::{Deserialize, Serialize};
use switchboard_catalog::registry::{RegistryClient, RegistryLimits, RegistryQuery};
use switchboard_store::RegistryCache;

use super::Hub;
use crate::control::{ControlError, ErrorCode};

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct RegistryReport {
    pub url: String,
    /// Servers now cached from it.
    pub entries: usize,
    /// Entries left out, each with its reason.
    pub skipped: Vec<String>,
    /// Unix epoch milliseconds.
    pub fetched_at: i64,
    /// The registry said nothing changed since the last refresh.
    pub not_modified: bool,
    /// False when a limit stopped the listing before its end.
    pub complete: bool,
}

/// The cached listing, as the catalog reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryListing {
    pub url: String,
    pub fetched_at: i64,
    pub complete: bool,
    /// `server.json` documents.
    pub documents: Vec<serde_json::Value>,
}

impl Hub {
    /// Reads the registry at `url` (or the one read last time) and caches its listing.
    #[tracing::instrument(skip(self), err)]
    pub async fn refresh_registry(
        &self,
        url: Option<String>,
    ) -> Result<RegistryReport, ControlError> {
        let cached = self.inner.store.registry_cache().await?;
        let url = match url.or_else(|| cached.as_ref().map(|c| c.url.clone())) {
            Some(url) => url.trim().trim_end_matches('/').to_owned(),
            None => {
                return Err(ControlError::new(
                    ErrorCode::InvalidInput,
                    "no registry is set: give its address, such as `switchboard catalog \
                     refresh https://registry.modelcontextprotocol.io`",
                ));
            }
        };
        let unavailable = |e: &dyn std::fmt::Display| {
            ControlError::new(ErrorCode::Unavailable, format!("{url}: {e}"))
        };
        let client = RegistryClient::new(&url, RegistryLimits::default())
            .map_err(|e| ControlError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let same = cached.as_ref().filter(|c| c.url == url);
        let query = RegistryQuery {
            etag: same.and_then(|c| c.etag.clone()),
            ..RegistryQuery::default()
        };
        let listing = client.list(&query).await.map_err(|e| unavailable(&e))?;
        let skipped: Vec<String> = listing
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect();
        if listing.not_modified
            && let Some(same) = same
        {
            let entries = serde_json::from_str::<Vec<serde_json::Value>>(&same.documents)
                .map_or(0, |d| d.len());
            return Ok(RegistryReport {
                url,
                entries,
                skipped,
                fetched_at: same.fetched_at,
                not_modified: true,
                complete: same.complete,
            });
        }
        let documents: Vec<serde_json::Value> = listing
            .entries
            .iter()
            .filter_map(|e| serde_json::to_value(e.entry.to_server_json()).ok())
            .collect();
        let text = serde_json::to_string(&documents).map_err(|e| unavailable(&e))?;
        self.inner
            .store
            .set_registry_cache(&RegistryCache {
                url: url.clone(),
                etag: listing.etag.clone(),
                fetched_at: listing.fetched_at_ms,
                complete: listing.complete,
                documents: text,
            })
            .await?;
        Ok(RegistryReport {
            url,
            entries: documents.len(),
            skipped,
            fetched_at: listing.fetched_at_ms,
            not_modified: false,
            complete: listing.complete,
        })
    }

    /// The cached listing, if a registry was ever read.
    pub async fn registry_listing(&self) -> Result<Option<RegistryListing>, ControlError> {
        let Some(cache) = self.inner.store.registry_cache().await? else {
            return Ok(None);
        };
        let documents = serde_json::from_str(&cache.documents).map_err(|e| {
            ControlError::new(
                ErrorCode::Storage,
                format!("the registry cache is damaged: {e}"),
            )
        })?;
        Ok(Some(RegistryListing {
            url: cache.url,
            fetched_at: cache.fetched_at,
            complete: cache.complete,
            documents,
        }))
    }

    /// Forgets the registry and its listing.
    pub async fn forget_registry(&self) -> Result<(), ControlError> {
        Ok(self.inner.store.clear_registry_cache().await?)
    }
}
