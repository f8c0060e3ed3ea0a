//! Creating note files: the file name a title gets (a slug, `-2` on collision), the text
//! of a new note, and the atomic write (temp file, fsync, rename or no-clobber link).
//!
//! Owns the rules for names and writes. Must not decide which folder is writable (the
//! knowledge base checks grants first) and never follows a symlink: folders on the way are
//! created or checked one component at a time.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
};

/// Longest slug, in characters (the file name adds `-NNN.md`).
const MAX_SLUG_CHARS: usize = 80;
/// Longest title accepted, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 200;
/// Largest body accepted, in bytes.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How many numbered names (`-2`, `-3`, ...) are tried before giving up.
const MAX_COLLISION_SUFFIX: u32 = 999;

/// Names Windows reserves in any folder, with or without an extension.
const RESERVED_NAMES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The file name stem for a title: lower-case letters and digits (any script), other runs
/// of characters become one `-`, at most 80 characters, never empty, never a name Windows
/// reserves. "My Title: v2!" becomes "my-title-v2".
pub(crate) fn slug(title: &str) -> String {
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in title.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
        if slug.chars().count() >= MAX_SLUG_CHARS {
            break;
        }
    }
    let slug: String = slug.chars().take(MAX_SLUG_CHARS).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "note".to_owned()
    } else if RESERVED_NAMES.contains(&slug.as_str()) {
        format!("{slug}-note")
    } else {
        slug
    }
}

/// The file name to try for a slug on attempt `n` (1 is the plain name, then `-2`, `-3`...).
pub(crate) fn numbered_file_name(slug: &str, attempt: u32) -> String {
    if attempt <= 1 {
        format!("{slug}.md")
    } else {
        format!("{slug}-{attempt}.md")
    }
}

/// Why a title or body cannot become a note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteTextError {
    #[error("The title is empty; give the note a short title.")]
    EmptyTitle,
    #[error(
        "The title is {0} characters long; the limit is {MAX_TITLE_CHARS}. Put the details in the body."
    )]
    TitleTooLong(usize),
    #[error("The title contains a line break or control character; give a one-line title.")]
    TitleNotOneLine,
    #[error("The body is {0} bytes; the limit is {MAX_BODY_BYTES}. Split it into several notes.")]
    BodyTooLarge(usize),
    #[error("The body contains a NUL character; notes are text.")]
    BodyNotText,
}

/// The text of a new note: a level-1 heading with the title, a blank line, the body, and a
/// final newline. Checks the title and body first.
pub(crate) fn note_text(title: &str, body: &str) -> Result<String, NoteTextError> {
    let title = clean_title(title);
    if title.is_empty() {
        return Err(NoteTextError::EmptyTitle);
    }
    let length = title.chars().count();
    if length > MAX_TITLE_CHARS {
        return Err(NoteTextError::TitleTooLong(length));
    }
    if title.chars().any(char::is_control) {
        return Err(NoteTextError::TitleNotOneLine);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(NoteTextError::BodyTooLarge(body.len()));
    }
    if body.contains('\0') {
        return Err(NoteTextError::BodyNotText);
    }
    let body = without_repeated_title(body.trim_matches(['\n', '\r']), title);
    Ok(if body.trim().is_empty() {
        format!("# {title}\n")
    } else {
        format!("# {title}\n\n{body}\n")
    })
}

/// A title as a model may give it ("# Plan ") without heading marks or surrounding space.
pub(crate) fn clean_title(title: &str) -> &str {
    title.trim().trim_start_matches('#').trim()
}

/// The body without a first line that repeats the title as a level-1 heading (models often
/// start the body with it, which would show the title twice).
fn without_repeated_title<'b>(body: &'b str, title: &str) -> &'b str {
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    let repeated = first
        .trim()
        .strip_prefix("# ")
        .is_some_and(|heading| heading.trim().eq_ignore_ascii_case(title));
    if repeated {
        rest.trim_start_matches(['\n', '\r'])
    } else {
        body
    }
}

/// Why a note file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} exists and is not a folder (or is a link); choose another subfolder")]
    NotAFolder(PathBuf),
    #[error("{0} exists and is not a regular file (or is a link); it was left alone")]
    NotAFile(PathBuf),
    #[error("every name from {slug}.md to {slug}-{MAX_COLLISION_SUFFIX}.md is taken in {folder}")]
    NamesExhausted { slug: String, folder: PathBuf },
    #[error("could not write in {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates (or checks) each subfolder below `root`, one component at a time, refusing any
/// component that exists as something other than a real folder (such as a symlink).
pub(crate) fn ensure_subfolders(root: &Path, components: &[String]) -> Result<PathBuf, WriteError> {
    let mut folder = root.to_owned();
    for name in components {
        folder.push(name);
        match fs::symlink_metadata(&folder) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(WriteError::NotAFolder(folder)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                match fs::create_dir(&folder) {
                    Ok(()) => {}
                    // Created by someone else meanwhile: check what it is.
                    Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                        if !fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
                            return Err(WriteError::NotAFolder(folder));
                        }
                    }
                    Err(error) => return Err(io_at(&folder)(error)),
                }
            }
            Err(error) => return Err(io_at(&folder)(error)),
        }
    }
    Ok(folder)
}

/// What [`write_note_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub path: PathBuf,
    /// True when an existing file was replaced.
    pub replaced: bool,
}

/// Writes `text` to `<folder>/<slug>.md` atomically. Without `overwrite`, an existing file
/// is never replaced: the next free numbered name is used. With `overwrite`, the plain name
/// is replaced if it is a regular file.
pub(crate) fn write_note_file(
    folder: &Path,
    slug: &str,
    text: &str,
    overwrite: bool,
) -> Result<Written, WriteError> {
    let temp = write_temp(folder, slug, text)?;
    let result = place(folder, slug, &temp, overwrite);
    // The temp file is gone after a rename; after a link (or a failure) it must go.
    let _ = fs::remove_file(&temp);
    let written = result?;
    sync_folder(folder);
    Ok(written)
}

fn place(folder: &Path, slug: &str, temp: &Path, overwrite: bool) -> Result<Written, WriteError> {
    if overwrite {
        let path = folder.join(numbered_file_name(slug, 1));
        let replaced = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => true,
            Ok(_) => return Err(WriteError::NotAFile(path)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            Err(error) => return Err(io_at(&path)(error)),
        };
        fs::rename(temp, &path).map_err(io_at(&path))?;
        return Ok(Written { path, replaced });
    }
    for attempt in 1..=MAX_COLLISION_SUFFIX {
        let path = folder.join(numbered_file_name(slug, attempt));
        if fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        // A hard link never replaces an existing file, so a file created meanwhile by
        // someone else is safe; the temp file is removed by the caller.
        match fs::hard_link(temp, &path) {
            Ok(()) => {
                return Ok(Written {
                    path,
                    replaced: false,
                });
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                // Some file systems have no hard links: fall back to a rename, after checking
                // again that the name is still free.
                if fs::symlink_metadata(&path).is_ok() {
                    continue;
                }
                fs::rename(temp, &path).map_err(io_at(&path))?;
                return Ok(Written {
                    path,
                    replaced: false,
                });
            }
        }
    }
    Err(WriteError::NamesExhausted {
        slug: slug.to_owned(),
        folder: folder.to_owned(),
    })
}

fn write_temp(folder: &Path, slug: &str, text: &str) -> Result<PathBuf, WriteError> {
    for _ in 0..16 {
        let temp = folder.join(format!(".{slug}.{:016x}.tmp", fastrand::u64(..)));
        let file = OpenOptions::new().write(true).create_new(true).open(&temp);
        let mut file: File = match file {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(io_at(folder)(error)),
        };
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(error) = written {
            drop(file);
            let _ = fs::remove_file(&temp);
            return Err(io_at(&temp)(error));
        }
        return Ok(temp);
    }
    Err(io_at(folder)(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "could not pick a free temporary file name",
    )))
}

/// Makes a rename durable where the platform allows it (best effort).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(folder) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slug("My Title: v2!"), "my-title-v2");
        assert_eq!(slug("  --Hello,   World--  "), "hello-world");
        assert_eq!(slug("Zażółć gęślą jaźń"), "zażółć-gęślą-jaźń");
        assert_eq!(slug("会议记录 2026"), "会议记录-2026");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("!!!"), "note");
        assert_eq!(slug("CON"), "con-note");
        assert_eq!(slug(&"x".repeat(500)).len(), MAX_SLUG_CHARS);
    }

    #[test]
    fn numbered_names_start_at_two() {
        assert_eq!(numbered_file_name("a", 1), "a.md");
        assert_eq!(numbered_file_name("a", 2), "a-2.md");
    }

    #[test]
    fn note_text_has_the_title_as_its_first_heading() {
        assert_eq!(
            note_text(" Plan ", "\n\nBody line\n\n").unwrap(),
            "# Plan\n\nBody line\n"
        );
        assert_eq!(note_text("Plan", "").unwrap(), "# Plan\n");
        assert_eq!(
            note_text("## Plan", "# plan\n\nSteps.").unwrap(),
            "# Plan\n\nSteps.\n",
            "heading marks and a repeated title are dropped"
        );
        assert_eq!(
            note_text("Plan", "# Other\nx").unwrap(),
            "# Plan\n\n# Other\nx\n"
        );
        assert_eq!(note_text(" ", "x"), Err(NoteTextError::EmptyTitle));
        assert_eq!(note_text("a\nb", "x"), Err(NoteTextError::TitleNotOneLine));
        assert_eq!(note_text("a", "x\0"), Err(NoteTextError::BodyNotText));
        assert!(matches!(
            note_text(&"t".repeat(201), ""),
            Err(NoteTextError::TitleTooLong(201))
        ));
    }

    #[test]
    fn writing_never_replaces_an_existing_note_without_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_note_file(dir.path(), "plan", "one", false).unwrap();
        let second = write_note_file(dir.path(), "plan", "two", false).unwrap();
        assert_eq!(first.path, dir.path().join("plan.md"));
        assert_eq!(second.path, dir.path().join("plan-2.md"));
        assert_eq!(
            fs::read_to_string(&first.path).unwrap(),
            "one",
            "the first note is intact"
        );
        let replaced = write_note_file(dir.path(), "plan", "three", true).unwrap();
        assert!(replaced.replaced);
        assert_eq!(
            fs::read_to_string(dir.path().join("plan.md")).unwrap(),
            "three"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no temp files are left: {leftovers:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn subfolders_through_symlinks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let refused = ensure_subfolders(dir.path(), &["link".into(), "x".into()]);
        assert!(
            matches!(refused, Err(WriteError::NotAFolder(_))),
            "{refused:?}"
        );
        let made = ensure_subfolders(dir.path(), &["a".into(), "b".into()]).unwrap();
        assert!(made.is_dir() && made.starts_with(dir.path()));
    }

    #[cfg(unix)]
    #[test]
    fn overwrite_refuses_to_replace_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim.md");
        fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("plan.md")).unwrap();
        let refused = write_note_file(dir.path(), "plan", "evil", true);
        assert!(
            matches!(refused, Err(WriteError::NotAFile(_))),
            "{refused:?}"
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
    }

    proptest! {
        /// Any title makes a slug that is a single, visible, portable file name component.
        #[test]
        fn any_title_makes_a_safe_file_name(title in "\\PC{0,120}") {
            let name = numbered_file_name(&slug(&title), 3);
            prop_assert!(!name.starts_with('.') && !name.starts_with('-'), "{name}");
            prop_assert!(!name.contains(['/', '\\', '\0', ':', '*', '?', '"', '<', '>', '|']), "{name}");
            prop_assert!(!name.contains(".."), "{name}");
            prop_assert!(name.chars().count() <= MAX_SLUG_CHARS + 7, "{name}");
            prop_assert!(crate::folders::is_note_file_name(&name), "{name}");
        }
    }
}
