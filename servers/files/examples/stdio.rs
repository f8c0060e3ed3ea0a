//! Serves the files server on stdin/stdout, for trying it with any MCP client and for
//! benchmarks: `cargo run -p server-files --example stdio -- --allow DIR[:ro] ...`.
//! (Switchboard itself serves it in-process, or with `switchboard serve files`.)

use rmcp::{ServiceExt, transport::stdio_pipes};
use server_files::{FilesServer, Folder, Folders, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut folders = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let spec = match arg.strip_prefix("--allow=") {
            Some(spec) => spec.to_owned(),
            None if arg == "--allow" => args.next().ok_or("--allow needs a folder")?,
            None => {
                return Err(format!("unknown argument {arg:?}; use --allow DIR[:ro|:rw]").into());
            }
        };
        folders.push(Folder::parse_allow(&spec)?);
    }
    let server = FilesServer::new(Folders::new(folders), Limits::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (stdin, stdout) = stdio_pipes();
        let running = server.serve((stdin, stdout)).await?;
        running.waiting().await?;
        Ok(())
    })
}
