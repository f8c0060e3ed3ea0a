//! The MCP Registry the catalog is refreshed from, and its last listing, kept so that the
//! catalog works offline and a refresh can ask "changed since this ETag?". The store keeps
//! the documents as JSON; what they mean is the catalog's business.

use crate::{Result, Store};

/// The registry's address and what it listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryCache {
    pub url: String,
    pub etag: Option<String>,
    /// Unix epoch milliseconds.
    pub fetched_at: i64,
    /// False when a cap stopped the listing early.
    pub complete: bool,
    /// A JSON array of `server.json` documents.
    pub documents: String,
}

impl Store {
    /// The cached listing, if a registry was ever read.
    pub async fn registry_cache(&self) -> Result<Option<RegistryCache>> {
        let row: Option<(String, Option<String>, i64, bool, String)> = sqlx::query_as(
            "SELECT url, etag, fetched_at, complete, documents FROM registry_cache WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(url, etag, fetched_at, complete, documents)| RegistryCache {
                url,
                etag,
                fetched_at,
                complete,
                documents,
            },
        ))
    }

    /// Replaces the cached listing (and the registry it came from).
    pub async fn set_registry_cache(&self, cache: &RegistryCache) -> Result<()> {
        sqlx::query(
            "INSERT INTO registry_cache (id, url, etag, fetched_at, complete, documents)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url, etag = excluded.etag,
                fetched_at = excluded.fetched_at, complete = excluded.complete,
                documents = excluded.documents",
        )
        .bind(&cache.url)
        .bind(&cache.etag)
        .bind(cache.fetched_at)
        .bind(cache.complete)
        .bind(&cache.documents)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the registry: the catalog is the curated one again.
    pub async fn clear_registry_cache(&self) -> Result<()> {
        sqlx::query("DELETE FROM registry_cache")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listing_is_kept_replaced_and_forgotten_and_bad_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).await.unwrap();
        assert_eq!(store.registry_cache().await.unwrap(), None);
        let mut cache = RegistryCache {
            url: "https://registry.example".into(),
            etag: Some("\"v1\"".into()),
            fetched_at: 1,
            complete: true,
            documents: "[{\"name\":\"a/b\"}]".into(),
        };
        store.set_registry_cache(&cache).await.unwrap();
        assert_eq!(store.registry_cache().await.unwrap(), Some(cache.clone()));
        cache.url = "http://127.0.0.1:9".into();
        cache.documents = "[]".into();
        store.set_registry_cache(&cache).await.unwrap();
        assert_eq!(store.registry_cache().await.unwrap(), Some(cache.clone()));
        cache.documents = "{\"not\": \"an array\"}".into();
        assert!(
            store.set_registry_cache(&cache).await.is_err(),
            "only an array is kept"
        );
        store.clear_registry_cache().await.unwrap();
        assert_eq!(store.registry_cache().await.unwrap(), None);
    }
}
