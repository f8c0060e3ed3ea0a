//! Files as MCP resources: `resources/list`, `resources/templates/list` and
//! `resources/read` of `file://` URIs.
//!
//! Owns: which files are listed (the first two levels of each granted folder, sorted,
//! capped), the URI template, and how content is returned (text as text, anything else as
//! a base64 blob, MIME type from the name). Must not bypass the sandbox: a URI is decoded
//! to a path and then checked and opened exactly like a tool's path.

use std::sync::Arc;

use base64::Engine as _;
use rmcp::{
    ErrorData as McpError,
    model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate},
};

use crate::{
    error::FilesError,
    limits::Limits,
    mime, reading,
    sandbox::{Grants, Intent, Kind, SandboxError},
    uri, walk,
};

/// Folder levels listed below each granted folder.
const LIST_DEPTH: usize = 2;

/// The files of the granted folders, breadth first (the folder's own files, then those one
/// level down), each group in listing order, at most `limits.max_resources_listed`.
pub(crate) fn list(grants: &Arc<Grants>, limits: &Limits) -> Vec<Resource> {
    let mut resources = Vec::new();
    let cap = limits.max_resources_listed;
    for index in 0..grants.folders().len() {
        let root = grants.root(index);
        let Ok(dir) = root.open_directory() else {
            continue;
        };
        let mut level = vec![(dir, String::new())];
        for depth in 0..LIST_DEPTH {
            let mut next = Vec::new();
            for (dir, relative) in &level {
                let Ok((entries, _)) = walk::sorted_entries(dir, cap, &root) else {
                    continue;
                };
                for entry in entries {
                    if resources.len() >= cap {
                        return resources;
                    }
                    if entry.lossy {
                        continue;
                    }
                    let path = walk::join_relative(relative, &entry.name);
                    match entry.kind {
                        Kind::File => {
                            let located = root.descendant(&path);
                            let size = dir.entry_meta(&entry.name).map(|m| m.len).ok();
                            let mut resource =
                                Resource::new(uri::uri_of_path(&located.path()), located.display());
                            resource = resource.with_title(entry.name.clone());
                            if let Some(mime) = mime::from_name(&entry.name) {
                                resource = resource.with_mime_type(mime);
                            }
                            if let Some(size) = size {
                                resource = resource.with_size(size);
                            }
                            resources.push(resource);
                        }
                        Kind::Directory if depth + 1 < LIST_DEPTH => {
                            if let Ok(sub) = dir.subdir(&entry.name) {
                                next.push((sub, path));
                            }
                        }
                        _ => {}
                    }
                }
            }
            level = next;
        }
    }
    resources
}

/// The one template: any file in the granted folders by absolute path.
pub(crate) fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("file:///{+path}", "file")
            .with_title("A file in a granted folder")
            .with_description(
                "Any file inside the folders granted to this server, by absolute path, such as \
                 file:///home/me/notes/todo.md. Text files are returned as text, other files as \
                 base64 blobs, each with its MIME type. Files up to 10 MiB.",
            ),
    ]
}

/// Reads a `file://` URI through the sandbox.
pub(crate) fn read(
    grants: &Arc<Grants>,
    uri: &str,
    limits: &Limits,
) -> Result<ReadResourceResult, McpError> {
    if !crate::uri::is_file_uri(uri) {
        return Err(McpError::resource_not_found(
            format!(
                "there is no resource {uri}: this server's resources are file:// URIs of files \
                 in the granted folders (resources/list shows them)"
            ),
            Some(serde_json::json!({ "uri": uri })),
        ));
    }
    let refusal = |error| refusal(error, uri);
    let located = grants.locate(uri, Intent::Read).map_err(refusal)?;
    let (file, meta) = located.open_file().map_err(refusal)?;
    let bytes = reading::read_bytes(&located, file, &meta, limits.max_read_bytes, "a resource")
        .map_err(|e: FilesError| McpError::invalid_params(e.to_string(), None))?;
    let name = located.rest.last().map_or("", String::as_str);
    let canonical = uri.to_owned();
    let known_binary = mime::from_name(name).is_some_and(|m| !mime::is_text(m));
    let contents = if !known_binary && reading::is_text(&bytes) {
        let mime = mime::for_content(name, true);
        let text = String::from_utf8(bytes).unwrap_or_default();
        ResourceContents::text(text, canonical).with_mime_type(mime)
    } else {
        let mime = mime::for_content(name, false);
        let blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
        ResourceContents::blob(blob, canonical).with_mime_type(mime)
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// A refused read as an MCP error; an unknown file is "resource not found" with its URI,
/// as the specification asks.
fn refusal(error: SandboxError, uri: &str) -> McpError {
    let data = Some(serde_json::json!({ "uri": uri }));
    match error {
        SandboxError::NotFound { .. } => McpError::resource_not_found(error.to_string(), data),
        other => McpError::invalid_params(other.to_string(), data),
    }
}
