//! Embeds the curated catalog: every `catalog/*.json` file becomes an entry of
//! `$OUT_DIR/catalog_files.rs` (`(file name, include_str!(…))`), so adding a server to the
//! catalog is adding a file. Parsing and validation happen in the crate and its tests.

use std::{env, error::Error, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let catalog = manifest_dir.join("catalog");
    println!("cargo::rerun-if-changed=catalog");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for item in fs::read_dir(&catalog)? {
        let path = item?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or("a catalog file name is not UTF-8")?
                .to_owned();
            files.push((name, path));
        }
    }
    files.sort();
    let mut code = String::from(
        "/// The curated catalog's files: (file name, contents), by file name.\n\
         pub(crate) const FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &files {
        let path = path.to_str().ok_or("a catalog path is not UTF-8")?;
        code.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR")?).join("catalog_files.rs");
    fs::write(out, code)?;
    Ok(())
}
