//! `switchboard doctor`: reports where Switchboard keeps its data and whether it can use
//! it, in words a user can act on. Read-only apart from creating the store on first use.

use std::path::PathBuf;

use anyhow::Context;
use switchboard_store::{CallQuery, Store};

#[allow(clippy::print_stdout)] // the report is this command's output
pub(crate) async fn run(data_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let data_dir = match data_dir {
        Some(dir) => dir,
        None => switchboard_store::default_data_dir()?,
    };
    println!("data folder:   {}", data_dir.display());
    let store = Store::open_in(&data_dir)
        .await
        .context("the database cannot be used")?;
    println!("database:      {}", store.path().display());
    println!(
        "schema:        version {} (this build knows {})",
        store.schema_version().await?,
        Store::latest_schema_version()
    );
    let servers = store.servers().await?;
    let enabled = servers.iter().filter(|s| s.enabled).count();
    println!(
        "servers:       {} installed, {enabled} enabled",
        servers.len()
    );
    let recent = store
        .calls(&CallQuery {
            limit: 1,
            ..CallQuery::default()
        })
        .await?;
    match recent.first() {
        Some(call) => println!("last call:     #{} to {}", call.id, call.record.server),
        None => println!("last call:     none yet"),
    }
    store.close().await;
    println!("everything looks fine");
    Ok(())
}
