//! The MCP tools: argument schemas, descriptions, annotations, and thin bodies that place
//! the path in a grant and call the module that does the work.
//!
//! Owns: what a model sees of each tool and how results are shaped (structured output
//! with a readable text, or plain text for file contents). Must not touch the filesystem
//! except through the sandbox and the `reading`, `writing`, `walk` and `search` modules.
//! Quick, bounded calls run inline; walks and writes (which sync to disk) run on the
//! blocking pool so a slow disk never stalls other sessions.

use std::sync::Arc;

use base64::Engine as _;
use rmcp::{
    Json,
    handler::server::{tool::schema_for_output, wrapper::Parameters},
    model::{CallToolResult, ContentBlock},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::{
    FilesServer,
    edit::Replacement,
    error::FilesError,
    limits::format_size,
    mime,
    reading::{self, Lines},
    sandbox::{Access, Intent, Kind, Meta},
    search::{self, ContentMatcher, NameFilter, Query, SearchResults},
    walk::{self, EntryKind, Listing, Tree},
    writing::{self, CreatedDirectories, EditSummary, MoveSummary, WriteSummary},
};

/// Most edits in one edit_file call.
const MAX_EDITS: usize = 100;
/// Default depth of directory_tree.
const DEFAULT_TREE_DEPTH: usize = 3;
/// Default number of search results.
const DEFAULT_SEARCH_RESULTS: usize = 100;

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct PathRequest {
    /// Absolute path inside a granted folder, such as "/home/me/project/README.md". A path relative to the granted folder works when exactly one folder is granted; list_allowed_folders shows the folders.
    pub(crate) path: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ReadFileRequest {
    /// Absolute path of the file, inside a granted folder (a relative path works when exactly one folder is granted).
    pub(crate) path: String,
    /// Return only the first N lines.
    #[serde(default)]
    pub(crate) head: Option<usize>,
    /// Return only the last N lines.
    #[serde(default)]
    pub(crate) tail: Option<usize>,
    /// First line to return, counting from 1; combine with limit to read a range of lines.
    #[serde(default)]
    pub(crate) offset: Option<usize>,
    /// How many lines to return from offset (default: to the end of the file).
    #[serde(default)]
    pub(crate) limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ReadMultipleRequest {
    /// Absolute paths of the files to read (at most 50).
    pub(crate) paths: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct WriteFileRequest {
    /// Absolute path of the file to create or replace; its folder must exist (create_directory makes folders).
    pub(crate) path: String,
    /// The complete new content of the file, as text (UTF-8).
    pub(crate) content: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct EditRequest {
    /// Exact text to find, copied from the file including whitespace and indentation. It must occur exactly once unless replace_all is true; include surrounding lines to make it unique.
    pub(crate) old_text: String,
    /// Text to put in its place (empty to delete it).
    pub(crate) new_text: String,
    /// Replace every occurrence instead of requiring exactly one.
    #[serde(default)]
    pub(crate) replace_all: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct EditFileRequest {
    /// Absolute path of the text file to edit.
    pub(crate) path: String,
    /// Replacements, applied in order, each to the result of the ones before (at most 100). If any fails, nothing is written.
    pub(crate) edits: Vec<EditRequest>,
    /// Only show the diff the edits would make, without writing.
    #[serde(default)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct TreeRequest {
    /// Absolute path of the folder at the top of the tree.
    pub(crate) path: String,
    /// How many levels to expand (default 3, at most 20).
    #[serde(default)]
    pub(crate) depth: Option<usize>,
    /// Names or globs of entries to leave out, such as ["node_modules", ".git", "*.log"]; a pattern with a '/' is matched against the path relative to the top folder.
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct SearchRequest {
    /// Absolute path of the folder to search in (with everything below it).
    pub(crate) path: String,
    /// File or folder names to find: a glob such as "*.rs", "test_*.py" or "src/**/*.ts" (a pattern with a '/' is matched against the path relative to the searched folder), or plain text that names must contain.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// Text to find inside files; each matching line is returned with its number. Lines are matched one at a time, so a match never spans lines. Plain text unless regex is true.
    #[serde(default)]
    pub(crate) content: Option<String>,
    /// Treat content as a regular expression (Rust regex syntax, such as "fn \w+\(" or "^import "); multi-line mode, so ^ and $ match at the start and end of each line.
    #[serde(default)]
    pub(crate) regex: bool,
    /// Match letter case exactly (default: ignore case, for names and content).
    #[serde(default)]
    pub(crate) case_sensitive: bool,
    /// Names or globs of files and folders to skip, such as ["node_modules", ".git", "target"].
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    /// Most matches to return (default 100, at most 1000).
    #[serde(default)]
    pub(crate) max_results: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct MoveRequest {
    /// Absolute path of the file or folder to move or rename.
    pub(crate) source: String,
    /// Absolute path it should have afterwards (its folder must exist).
    pub(crate) destination: String,
    /// Replace an existing file at the destination (never a folder). Default false: an existing destination is an error.
    #[serde(default)]
    pub(crate) overwrite: bool,
}

/// The result of get_file_info.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileInfo {
    /// The path asked about.
    pub path: String,
    /// What it is (for a symbolic link: what it points to).
    #[serde(rename = "type")]
    pub kind: EntryKind,
    /// True when the path itself is a symbolic link (the other facts describe what it points to).
    pub symlink: bool,
    /// The target written in the link, when the path is a symbolic link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Last change of the content, RFC 3339 (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Last access, RFC 3339 (UTC), where the system records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accessed: Option<String>,
    /// Creation, RFC 3339 (UTC), where the system records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Permissions as "rwxr-xr-x".
    pub permissions: String,
    /// Permissions in octal, such as "644".
    pub mode: String,
    /// Number of hard links (files with more than one are not read or changed).
    pub hard_links: u64,
    /// MIME type from the name (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Access of the grant it is in.
    pub grant_access: Access,
    /// Whether this server may change it: a read-write grant and not marked read-only on disk.
    pub writable: bool,
}

/// The result of list_allowed_folders.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AllowedFolders {
    /// The granted folders.
    pub folders: Vec<AllowedFolder>,
    /// How grants work.
    pub note: String,
}

/// One granted folder.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AllowedFolder {
    /// Absolute path.
    pub path: String,
    /// What may be done inside it.
    pub access: Access,
    /// Whether it exists and is a folder right now.
    pub exists: bool,
}

/// Runs bounded blocking work (walks, writes that sync to disk) off the async workers.
async fn blocking<T, F>(work: F) -> Result<T, FilesError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, FilesError> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        FilesError::Internal(format!("the operation stopped unexpectedly: {error}"))
    })?
}

/// A tool result whose text is readable (a summary line and a diff) and whose structured
/// content is the summary.
fn summary_result<T: Serialize>(text: String, summary: &T) -> Result<CallToolResult, FilesError> {
    let value = serde_json::to_value(summary)
        .map_err(|e| FilesError::Internal(format!("could not encode the result: {e}")))?;
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value);
    Ok(result)
}

fn timestamp(time: std::io::Result<std::time::SystemTime>) -> Option<String> {
    let time = time.ok()?;
    let stamp = jiff::Timestamp::try_from(time).ok()?;
    Some(format!("{stamp:.0}"))
}

/// `rwxr-xr-x` from permission bits.
pub(crate) fn permission_string(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 0o4 != 0 { 'r' } else { '-' });
        out.push(if bits & 0o2 != 0 { 'w' } else { '-' });
        out.push(if bits & 0o1 != 0 { 'x' } else { '-' });
    }
    out
}

#[tool_router(vis = "pub(crate)")]
impl FilesServer {
    #[tool(
        description = "Read a text file from a granted folder and return its content exactly. \
                       For large files read a part: head (first N lines), tail (last N lines), \
                       or offset and limit (a range of lines, counting from 1). Binary files are \
                       refused with a hint: use read_media for images and audio. Files up to 10 \
                       MiB are read whole.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn read_file(
        &self,
        Parameters(request): Parameters<ReadFileRequest>,
    ) -> Result<CallToolResult, FilesError> {
        let lines =
            Lines::from_arguments(request.head, request.tail, request.offset, request.limit)?;
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        let (file, meta) = located.open_file()?;
        let text = reading::read_text(&located, file, &meta, lines, self.limits.max_read_bytes)?;
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
    }

    #[tool(
        description = "Read several text files at once (at most 50). Each file comes as its \
                       own text block starting with \"==> path <==\"; a file that can't be read \
                       gets its error there instead, and the others are still returned.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn read_multiple_files(
        &self,
        Parameters(request): Parameters<ReadMultipleRequest>,
    ) -> Result<CallToolResult, FilesError> {
        if request.paths.is_empty() {
            return Err(FilesError::Argument(
                "paths is empty; give the absolute paths of the files to read.".to_owned(),
            ));
        }
        if request.paths.len() > self.limits.max_files_per_read {
            return Err(FilesError::Argument(format!(
                "{} paths were given; read at most {} files per call.",
                request.paths.len(),
                self.limits.max_files_per_read
            )));
        }
        let grants = self.folders.grants();
        let limits = Arc::clone(&self.limits);
        blocking(move || {
            let mut left = limits.max_total_read_bytes;
            let mut blocks = Vec::with_capacity(request.paths.len());
            for path in &request.paths {
                let read = grants
                    .locate(path, Intent::Read)
                    .map_err(FilesError::from)
                    .and_then(|located| {
                        let (file, meta) = located.open_file()?;
                        let cap = limits.max_read_bytes.min(left);
                        let text = reading::read_text(&located, file, &meta, Lines::All, cap)?;
                        Ok((located.display(), text))
                    });
                blocks.push(ContentBlock::text(match read {
                    Ok((shown, text)) => {
                        left = left.saturating_sub(text.len() as u64);
                        format!("==> {shown} <==\n{text}")
                    }
                    Err(error) => format!("==> {path} <==\nError: {error}"),
                }));
            }
            Ok(CallToolResult::success(blocks))
        })
        .await
    }

    #[tool(
        description = "Read an image (PNG, JPEG, GIF, WebP, BMP, ...) or audio file (MP3, WAV, \
                       OGG, FLAC, ...) from a granted folder and return it as image or audio \
                       content, so it can be seen or heard. Up to 10 MiB.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn read_media(
        &self,
        Parameters(request): Parameters<PathRequest>,
    ) -> Result<CallToolResult, FilesError> {
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        let name = located.rest.last().cloned().unwrap_or_default();
        let mime = mime::from_name(&name).unwrap_or("application/octet-stream");
        let is_image = mime.starts_with("image/") && mime != "image/svg+xml";
        let is_audio = mime.starts_with("audio/");
        if !is_image && !is_audio {
            return Err(FilesError::Argument(format!(
                "{} is not an image or audio file by its name ({mime}); use read_file for text, \
                 or read it as the resource {} for its bytes.",
                located.display(),
                crate::uri::uri_of_path(&located.path()),
            )));
        }
        let limits = Arc::clone(&self.limits);
        blocking(move || {
            let (file, meta) = located.open_file()?;
            let bytes = reading::read_bytes(&located, file, &meta, limits.max_read_bytes, "media")?;
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            let content = if is_image {
                ContentBlock::image(data, mime)
            } else {
                ContentBlock::audio(data, mime)
            };
            Ok(CallToolResult::success(vec![content]))
        })
        .await
    }

    #[tool(
        description = "Create a file or replace its whole content, atomically (a reader never \
                       sees half a file). The folder must exist and be granted read-write. \
                       Returns what changed: bytes, lines added and removed, and a diff against \
                       the previous content. To change part of a file, edit_file is safer.",
        output_schema = schema_for_output::<WriteSummary>(),
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn write_file(
        &self,
        Parameters(request): Parameters<WriteFileRequest>,
    ) -> Result<CallToolResult, FilesError> {
        let located = self.folders.grants().locate(&request.path, Intent::Write)?;
        let limits = Arc::clone(&self.limits);
        let summary =
            blocking(move || writing::write_file(&located, &request.content, &limits)).await?;
        let mut text = format!(
            "{} {} ({}, {} lines; +{} -{} lines).",
            if summary.created {
                "Created"
            } else {
                "Replaced"
            },
            summary.path,
            format_size(summary.bytes_written),
            summary.lines,
            summary.lines_added,
            summary.lines_removed,
        );
        if let Some(note) = &summary.note {
            text.push(' ');
            text.push_str(note);
        }
        if let Some(diff) = summary.diff.as_deref().filter(|d| !d.is_empty()) {
            text.push('\n');
            text.push_str(diff);
        }
        summary_result(text, &summary)
    }

    #[tool(
        description = "Edit a text file by exact replacements: each edit's old_text must match \
                       the file exactly once (copy it from read_file, whitespace included; add \
                       surrounding lines to make it unique, or set replace_all). Edits apply in \
                       order; if any fails, nothing is written. Returns a unified diff of the \
                       change; dry_run shows the diff without writing. Keeps the file's \
                       permissions and line endings (CRLF files accept LF edits).",
        output_schema = schema_for_output::<EditSummary>(),
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn edit_file(
        &self,
        Parameters(request): Parameters<EditFileRequest>,
    ) -> Result<CallToolResult, FilesError> {
        if request.edits.is_empty() {
            return Err(FilesError::Argument(
                "edits is empty; give at least one {old_text, new_text} pair.".to_owned(),
            ));
        }
        if request.edits.len() > MAX_EDITS {
            return Err(FilesError::Argument(format!(
                "{} edits were given; at most {MAX_EDITS} per call.",
                request.edits.len()
            )));
        }
        let intent = if request.dry_run {
            Intent::Read
        } else {
            Intent::Write
        };
        let located = self.folders.grants().locate(&request.path, intent)?;
        let limits = Arc::clone(&self.limits);
        let summary = blocking(move || {
            let edits: Vec<Replacement<'_>> = request
                .edits
                .iter()
                .map(|e| Replacement {
                    old_text: &e.old_text,
                    new_text: &e.new_text,
                    replace_all: e.replace_all,
                })
                .collect();
            writing::edit_file(&located, &edits, request.dry_run, &limits)
        })
        .await?;
        let verb = match (summary.dry_run, summary.diff.is_empty()) {
            (_, true) => "No change to",
            (true, false) => "Dry run, nothing written:",
            (false, false) => "Edited",
        };
        let mut text = format!(
            "{verb} {} ({} replacement{}; +{} -{} lines).",
            summary.path,
            summary.replacements,
            if summary.replacements == 1 { "" } else { "s" },
            summary.lines_added,
            summary.lines_removed,
        );
        if !summary.diff.is_empty() {
            text.push('\n');
            text.push_str(&summary.diff);
        }
        summary_result(text, &summary)
    }

    #[tool(
        description = "List a folder: each entry's name, type (file, directory, symlink, other) \
                       and size for files; folders first, then by name. At most 2000 entries.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn list_directory(
        &self,
        Parameters(request): Parameters<PathRequest>,
    ) -> Result<Json<Listing>, FilesError> {
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        walk::list_directory(&located, &self.limits).map(Json)
    }

    #[tool(
        description = "Show a folder's tree: nested entries with their types, to a depth \
                       (default 3) and at most 2000 entries. Symbolic links are shown, not \
                       followed. Leave out noise with exclude, such as [\"node_modules\", \
                       \".git\"].",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn directory_tree(
        &self,
        Parameters(request): Parameters<TreeRequest>,
        cancel: CancellationToken,
    ) -> Result<Json<Tree>, FilesError> {
        let depth = request.depth.unwrap_or(DEFAULT_TREE_DEPTH);
        if depth == 0 || depth > self.limits.max_tree_depth {
            return Err(FilesError::Argument(format!(
                "depth must be between 1 and {}.",
                self.limits.max_tree_depth
            )));
        }
        let exclude = NameFilter::new(&request.exclude, true, false)?;
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        let limits = Arc::clone(&self.limits);
        blocking(move || walk::directory_tree(&located, depth, &exclude, &limits, cancel))
            .await
            .map(Json)
    }

    #[tool(
        description = "Find files and folders below a folder by name (a glob such as \"*.md\" \
                       or \"src/**/*.rs\", or text the name contains) and/or by content (text or \
                       a regular expression; returns each matching line with its number). \
                       Ignores case unless case_sensitive is set. Skips binary files, files \
                       over 4 MiB and symbolic links. Bounded: at most max_results matches \
                       (default 100) and 10 seconds; the result says when it stopped early.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_files(
        &self,
        Parameters(request): Parameters<SearchRequest>,
        cancel: CancellationToken,
    ) -> Result<Json<SearchResults>, FilesError> {
        let name = request.name.filter(|n| !n.trim().is_empty());
        if name.is_none() && request.content.is_none() {
            return Err(FilesError::Argument(
                "Give name (a glob or text in file names), content (text inside files), or both."
                    .to_owned(),
            ));
        }
        let max_results = request.max_results.unwrap_or(DEFAULT_SEARCH_RESULTS);
        if max_results == 0 || max_results > self.limits.max_search_results {
            return Err(FilesError::Argument(format!(
                "max_results must be between 1 and {}.",
                self.limits.max_search_results
            )));
        }
        let query = Query {
            names: NameFilter::new(
                &name.into_iter().collect::<Vec<_>>(),
                request.case_sensitive,
                true,
            )?,
            content: request
                .content
                .as_deref()
                .map(|c| ContentMatcher::new(c, request.regex, request.case_sensitive))
                .transpose()?,
            exclude: NameFilter::new(&request.exclude, true, false)?,
            max_results,
        };
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        let limits = Arc::clone(&self.limits);
        blocking(move || search::search(&located, &query, &limits, cancel))
            .await
            .map(Json)
    }

    #[tool(
        description = "Move or rename a file or folder within the granted folders (both places \
                       must be read-write). Refuses to replace an existing destination unless \
                       overwrite is true, and never replaces a folder. A symbolic link is moved \
                       as a link.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn move_file(
        &self,
        Parameters(request): Parameters<MoveRequest>,
    ) -> Result<Json<MoveSummary>, FilesError> {
        let grants = self.folders.grants();
        let from = grants.locate(&request.source, Intent::Write)?;
        let to = grants.locate(&request.destination, Intent::Write)?;
        blocking(move || writing::move_entry(&from, &to, request.overwrite))
            .await
            .map(Json)
    }

    #[tool(
        description = "Create a folder, with any missing parent folders (like mkdir -p), in a \
                       read-write granted folder. Succeeds if it already exists; the result \
                       lists the folders created.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn create_directory(
        &self,
        Parameters(request): Parameters<PathRequest>,
    ) -> Result<Json<CreatedDirectories>, FilesError> {
        let located = self
            .folders
            .grants()
            .locate(&request.path, Intent::Create)?;
        blocking(move || writing::create_directory(&located))
            .await
            .map(Json)
    }

    #[tool(
        description = "Get facts about a file or folder: type, size, modified/accessed/created \
                       times, permissions, hard links, MIME type, a symbolic link's target, and \
                       whether this server may change it (the grant's access and the file's \
                       read-only flag).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_file_info(
        &self,
        Parameters(request): Parameters<PathRequest>,
    ) -> Result<Json<FileInfo>, FilesError> {
        let located = self.folders.grants().locate(&request.path, Intent::Read)?;
        let metadata = located.metadata()?;
        let meta = Meta::from_std(&metadata);
        let link_target = if located.is_grant_root() {
            None
        } else {
            located.parent().ok().and_then(|(dir, name)| {
                let own = dir.entry_meta(&name).ok()?;
                (own.kind == Kind::Symlink)
                    .then(|| dir.read_link(&name).ok())
                    .flatten()
                    .map(|target| target.display().to_string())
            })
        };
        let name = located.rest.last().map_or("", String::as_str);
        Ok(Json(FileInfo {
            path: located.display(),
            kind: meta.kind.into(),
            symlink: link_target.is_some(),
            link_target,
            size: meta.len,
            modified: timestamp(metadata.modified()),
            accessed: timestamp(metadata.accessed()),
            created: timestamp(metadata.created()),
            permissions: permission_string(meta.mode),
            mode: format!("{:o}", meta.mode),
            hard_links: meta.links,
            mime_type: (meta.kind == Kind::File).then(|| mime::for_content(name, true).to_owned()),
            grant_access: located.access,
            writable: located.access == Access::ReadWrite && meta.owner_writable(),
        }))
    }

    #[tool(
        description = "List the folders this server may use, each read-only or read-write. \
                       Only these folders (and what is inside them) can be used; the user \
                       grants and changes them in Switchboard, and changes apply immediately.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn list_allowed_folders(&self) -> Json<AllowedFolders> {
        let folders = self
            .folders
            .snapshot()
            .iter()
            .map(|folder| AllowedFolder {
                path: folder.path.display().to_string(),
                access: folder.access,
                exists: folder.path.is_dir(),
            })
            .collect::<Vec<_>>();
        let note = if folders.is_empty() {
            "No folders are granted. The user grants folders in Switchboard (the server's \
             Folders settings)."
        } else {
            "Paths must be inside these folders. Read-only folders refuse every change; the \
             user grants folders and changes their access in Switchboard."
        };
        Json(AllowedFolders {
            folders,
            note: note.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_read_like_ls() {
        assert_eq!(permission_string(0o644), "rw-r--r--");
        assert_eq!(permission_string(0o755), "rwxr-xr-x");
        assert_eq!(permission_string(0o000), "---------");
    }
}
