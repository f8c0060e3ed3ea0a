//! The catalog as the Catalog page searches it: read from the daemon when the page opens
//! and kept, so that each keystroke of a search is answered here without a round trip.
//! Must not: plan or install; the hub's installer does.

use std::sync::Arc;

use switchboard_catalog::Catalog;
use switchboard_hub::{ControlError, Request, ServerInfo, installer};
use tokio::sync::Mutex;

use crate::daemon::DaemonLink;

/// The catalog last read, with the ids of the servers installed then.
#[derive(Debug, Default)]
pub struct CatalogCache {
    read: Mutex<Option<Arc<Read>>>,
}

#[derive(Debug)]
pub struct Read {
    pub catalog: Catalog,
    pub installed: Vec<String>,
}

impl CatalogCache {
    /// The catalog, read again from the daemon when `reload` or when never read.
    pub async fn get(&self, link: &DaemonLink, reload: bool) -> Result<Arc<Read>, ControlError> {
        let mut read = self.read.lock().await;
        if let Some(kept) = read.as_ref().filter(|_| !reload) {
            return Ok(Arc::clone(kept));
        }
        let mut control = link.connection().await?;
        let catalog = installer::catalog(&mut control).await?;
        let servers: Vec<ServerInfo> = control.call(Request::ListServers).await?;
        let fresh = Arc::new(Read {
            catalog,
            installed: servers.into_iter().map(|server| server.id).collect(),
        });
        *read = Some(Arc::clone(&fresh));
        Ok(fresh)
    }
}
