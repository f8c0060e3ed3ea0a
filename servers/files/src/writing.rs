//! Changing files: atomic writes, edits, moves and new folders, each reporting what
//! changed.
//!
//! Owns: the atomic write (a new file beside the target, written, synced, renamed over
//! the name, folder synced), the checks before a change (never through a symlink, never
//! over a folder or special file, never over a file marked read-only on disk, never over a
//! file that changed since it was read), and the summaries. Must not resolve paths itself:
//! it works on the folder handle and name the sandbox gives it.

use std::{fs::File, io::Write};

use schemars::JsonSchema;
use serde::Serialize;

use crate::{
    edit::{self, Replacement},
    error::FilesError,
    limits::{Limits, format_size},
    reading,
    sandbox::{Dir, Kind, Located, Meta, SandboxError},
    uri,
};

/// The result of write_file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WriteSummary {
    /// The file written.
    pub path: String,
    /// True if the file was created, false if an existing file was replaced.
    pub created: bool,
    /// Bytes written.
    pub bytes_written: u64,
    /// Size of the file before, when it existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_bytes: Option<u64>,
    /// Lines in the new content.
    pub lines: usize,
    /// Lines added compared with the previous content (all lines for a new file).
    pub lines_added: usize,
    /// Lines removed compared with the previous content.
    pub lines_removed: usize,
    /// Unified diff against the previous content; absent for a new file, or when the previous content was not text or is not shown (see `note`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Anything worth knowing about the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The result of edit_file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EditSummary {
    /// The file edited.
    pub path: String,
    /// True when nothing was written (a preview).
    pub dry_run: bool,
    /// Replacements made (an edit with replace_all may make several).
    pub replacements: usize,
    /// Lines added.
    pub lines_added: usize,
    /// Lines removed.
    pub lines_removed: usize,
    /// Size before.
    pub bytes_before: u64,
    /// Size after (or that it would have, for a dry run).
    pub bytes_after: u64,
    /// Unified diff of the change (empty when the edits changed nothing).
    pub diff: String,
    /// True when the diff was cut short to fit the result.
    pub diff_truncated: bool,
}

/// The result of move_file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MoveSummary {
    /// Where it was.
    pub from: String,
    /// Where it is now.
    pub to: String,
    /// What was moved: "file", "directory" or "symlink" (a link is moved as a link).
    #[serde(rename = "type")]
    pub kind: String,
    /// True when an existing file at the destination was replaced.
    pub replaced: bool,
}

/// The result of create_directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CreatedDirectories {
    /// The folder asked for.
    pub path: String,
    /// Folders created, outermost first (empty if it already existed).
    pub created: Vec<String>,
    /// True when the folder was already there.
    pub already_existed: bool,
}

fn sandbox_io(path: String) -> impl FnOnce(std::io::Error) -> FilesError {
    move |error| FilesError::Sandbox(SandboxError::from_io(path, error))
}

/// What is at a name about to be written: nothing, or a regular file that may be
/// replaced. Links, folders, special files, files with several hard links (another name
/// may be outside the grant) and files marked read-only are refused.
fn replaceable(dir: &Dir, name: &str, located: &Located) -> Result<Option<Meta>, FilesError> {
    let meta = match dir.entry_meta(name) {
        Ok(meta) => meta,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(sandbox_io(located.display())(error)),
    };
    let path = located.display();
    match meta.kind {
        Kind::File if meta.links > 1 => Err(SandboxError::HardLinked {
            path,
            links: meta.links,
        }
        .into()),
        Kind::File if !meta.owner_writable() => Err(FilesError::FileReadOnly {
            path,
            mode: meta.mode,
        }),
        Kind::File => Ok(Some(meta)),
        Kind::Symlink => Err(SandboxError::LinkNotFollowed { path }.into()),
        Kind::Directory => Err(SandboxError::IsADirectory { path }.into()),
        other => Err(SandboxError::NotRegular {
            path,
            kind: other.describe(),
        }
        .into()),
    }
}

fn same_file(a: &Meta, b: &Meta) -> bool {
    a.device == b.device && a.inode == b.inode && a.len == b.len && a.modified == b.modified
}

/// Writes `content` to `name` in `dir` atomically: readers see the old file or the new
/// one, never a mix, and a crash leaves the old file. `mode` keeps an existing file's
/// permissions. With `unchanged`, the write is abandoned if the file at `name` is no
/// longer that one.
fn replace_contents(
    dir: &Dir,
    name: &str,
    content: &[u8],
    mode: Option<u32>,
    unchanged: Option<&Meta>,
    located: &Located,
) -> Result<(), FilesError> {
    let path = located.display();
    let (file, temp) = dir
        .create_temp(mode.unwrap_or(0o666))
        .map_err(|e| FilesError::io("create a temporary file beside", path.clone(), e))?;
    let written = fill(file, content, mode);
    let outcome = written
        .map_err(|e| FilesError::io("write", path.clone(), e))
        .and_then(|()| match unchanged {
            Some(before) => match dir.entry_meta(name) {
                Ok(now) if same_file(before, &now) => Ok(()),
                _ => Err(FilesError::Changed { path: path.clone() }),
            },
            None => Ok(()),
        })
        .and_then(|()| {
            dir.rename(&temp, dir, name, true)
                .map_err(|e| FilesError::io("replace", path.clone(), e))
        });
    if outcome.is_err() {
        let _ = dir.remove_file(&temp);
    }
    outcome?;
    // Make the rename itself durable; not all filesystems support syncing a folder.
    let _ = dir.sync();
    Ok(())
}

fn fill(mut file: File, content: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(content)?;
    file.sync_all()
}

/// Reads the text currently at `name`, for a diff; `None` when it isn't text or is too
/// large.
fn previous_text(
    dir: &Dir,
    name: &str,
    meta: &Meta,
    located: &Located,
    cap: u64,
) -> Option<String> {
    if meta.links > 1 || meta.len > cap {
        return None;
    }
    let file = dir.open_file(name).ok()?;
    let opened = Meta::of_file(&file).ok()?;
    if !same_file(meta, &opened) {
        return None;
    }
    let bytes = reading::read_bytes(located, file, &opened, cap, "a diff").ok()?;
    if reading::is_text(&bytes) {
        String::from_utf8(bytes).ok()
    } else {
        None
    }
}

fn count_lines(text: &str) -> usize {
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    if text.is_empty() || text.ends_with('\n') {
        newlines
    } else {
        newlines + 1
    }
}

pub(crate) fn write_file(
    located: &Located,
    content: &str,
    limits: &Limits,
) -> Result<WriteSummary, FilesError> {
    located.refuse_read_only()?;
    let size = content.len() as u64;
    if size > limits.max_write_bytes {
        return Err(FilesError::WriteTooLarge {
            what: "The content".to_owned(),
            size: format_size(size),
            limit: format_size(limits.max_write_bytes),
        });
    }
    let (dir, name) = located.parent()?;
    let existing = replaceable(&dir, &name, located)?;
    let before = existing
        .as_ref()
        .and_then(|meta| previous_text(&dir, &name, meta, located, limits.max_read_bytes));
    replace_contents(
        &dir,
        &name,
        content.as_bytes(),
        existing.map(|m| m.mode),
        None,
        located,
    )?;
    let lines = count_lines(content);
    let mut summary = WriteSummary {
        path: located.display(),
        created: existing.is_none(),
        bytes_written: size,
        previous_bytes: existing.map(|m| m.len),
        lines,
        lines_added: lines,
        lines_removed: 0,
        diff: None,
        note: None,
    };
    match (existing, before) {
        (None, _) => {}
        (Some(_), Some(before)) => {
            let diff = edit::diff(&before, content, &summary.path, limits.max_diff_bytes);
            summary.lines_added = diff.lines_added;
            summary.lines_removed = diff.lines_removed;
            if diff.truncated {
                summary.note = Some("The diff was cut short.".to_owned());
            }
            summary.diff = Some(diff.unified);
        }
        (Some(_), None) => {
            summary.note = Some(
                "The previous content was not text (or too large), so no diff is shown.".to_owned(),
            );
        }
    }
    Ok(summary)
}

pub(crate) fn edit_file(
    located: &Located,
    edits: &[Replacement<'_>],
    dry_run: bool,
    limits: &Limits,
) -> Result<EditSummary, FilesError> {
    if !dry_run {
        located.refuse_read_only()?;
    }
    let path = located.display();
    let (dir, name) = located.parent()?;
    let meta = match dir.entry_meta(&name) {
        Ok(meta) => meta,
        Err(error) => return Err(sandbox_io(path)(error)),
    };
    match meta.kind {
        Kind::File => {}
        Kind::Symlink => return Err(SandboxError::LinkNotFollowed { path }.into()),
        Kind::Directory => return Err(SandboxError::IsADirectory { path }.into()),
        other => {
            return Err(SandboxError::NotRegular {
                path,
                kind: other.describe(),
            }
            .into());
        }
    }
    if meta.links > 1 {
        return Err(SandboxError::HardLinked {
            path,
            links: meta.links,
        }
        .into());
    }
    if !dry_run && !meta.owner_writable() {
        return Err(FilesError::FileReadOnly {
            path,
            mode: meta.mode,
        });
    }
    let file = dir.open_file(&name).map_err(sandbox_io(path.clone()))?;
    let opened = Meta::of_file(&file).map_err(sandbox_io(path.clone()))?;
    if !same_file(&meta, &opened) {
        return Err(FilesError::Changed { path });
    }
    let bytes = reading::read_bytes(located, file, &opened, limits.max_read_bytes, "an edit")?;
    if memchr::memchr(0, &bytes).is_some() {
        return Err(FilesError::Binary {
            path,
            mime: crate::mime::for_content(&name, false),
            uri: uri::uri_of_path(&located.path()),
            hint: "edit_file changes text files only.",
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| FilesError::NotUtf8 {
        path: path.clone(),
        offset: e.utf8_error().valid_up_to(),
        uri: uri::uri_of_path(&located.path()),
    })?;
    let (edited, replacements) =
        edit::apply(&text, edits, limits.max_write_bytes).map_err(|(index, problem)| {
            FilesError::Edit {
                path: path.clone(),
                number: index + 1,
                problem: problem.describe(),
            }
        })?;
    let after = edited.len() as u64;
    if after > limits.max_write_bytes {
        return Err(FilesError::WriteTooLarge {
            what: format!("The edited {path}"),
            size: format_size(after),
            limit: format_size(limits.max_write_bytes),
        });
    }
    let diff = edit::diff(&text, &edited, &path, limits.max_diff_bytes);
    if !dry_run && edited != text {
        replace_contents(
            &dir,
            &name,
            edited.as_bytes(),
            Some(meta.mode),
            Some(&opened),
            located,
        )?;
    }
    Ok(EditSummary {
        path,
        dry_run,
        replacements,
        lines_added: diff.lines_added,
        lines_removed: diff.lines_removed,
        bytes_before: text.len() as u64,
        bytes_after: after,
        diff: diff.unified,
        diff_truncated: diff.truncated,
    })
}

pub(crate) fn move_entry(
    from: &Located,
    to: &Located,
    overwrite: bool,
) -> Result<MoveSummary, FilesError> {
    from.refuse_read_only()?;
    to.refuse_read_only()?;
    let (source_dir, source_name) = from.parent()?;
    let (target_dir, target_name) = to.parent()?;
    let source = source_dir
        .entry_meta(&source_name)
        .map_err(sandbox_io(from.display()))?;
    let mut replaced = false;
    if let Ok(existing) = target_dir.entry_meta(&target_name) {
        if !overwrite {
            return Err(FilesError::Exists {
                path: to.display(),
                hint: "set overwrite to true to replace it, or choose another name.",
            });
        }
        if existing.kind == Kind::Directory {
            return Err(FilesError::Exists {
                path: to.display(),
                hint: "it is a folder, and move_file never replaces a folder.",
            });
        }
        if source.kind == Kind::Directory {
            return Err(FilesError::Exists {
                path: to.display(),
                hint: "a folder can't replace a file; choose another name.",
            });
        }
        replaced = true;
    }
    source_dir
        .rename(&source_name, &target_dir, &target_name, overwrite)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => FilesError::Exists {
                path: to.display(),
                hint: "set overwrite to true to replace it, or choose another name.",
            },
            std::io::ErrorKind::CrossesDevices => FilesError::Argument(format!(
                "{} and {} are on different drives or filesystems, so it can't be moved in one \
                 step; read it and write a copy instead.",
                from.display(),
                to.display()
            )),
            std::io::ErrorKind::InvalidInput => FilesError::Argument(format!(
                "{} can't be moved into itself ({}).",
                from.display(),
                to.display()
            )),
            _ => FilesError::io("move", from.display(), error),
        })?;
    let _ = target_dir.sync();
    let _ = source_dir.sync();
    Ok(MoveSummary {
        from: from.display(),
        to: to.display(),
        kind: source.kind.describe().to_owned(),
        replaced,
    })
}

pub(crate) fn create_directory(located: &Located) -> Result<CreatedDirectories, FilesError> {
    located.refuse_read_only()?;
    let created = located.create_directories()?;
    Ok(CreatedDirectories {
        path: located.display(),
        already_existed: created.is_empty(),
        created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_like_an_editor_does() {
        assert_eq!(count_lines(""), 0);
        assert_eq!(count_lines("a"), 1);
        assert_eq!(count_lines("a\n"), 1);
        assert_eq!(count_lines("a\nb"), 2);
        assert_eq!(count_lines("\n\n"), 2);
    }
}
