//! Granted folders and the path rules that keep every read, write and index entry inside
//! them: which names are notes, which folders are skipped, how a path a model typed is
//! resolved to a file within a granted folder.
//!
//! Owns the sandbox rules. Most functions are pure (lexical, no I/O) so they can be tested
//! exhaustively; the few that touch the disk (`canonical_within`, `GrantedFolder::new`)
//! only read metadata. Must not read note contents or touch the index.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File extensions (lower case, without the dot) that are notes.
pub(crate) const NOTE_EXTENSIONS: [&str; 3] = ["md", "markdown", "txt"];

/// Folder names never walked into, besides hidden ones (names starting with a dot).
const SKIPPED_FOLDER_NAMES: [&str; 2] = ["node_modules", "__pycache__"];

/// A folder the user granted to the notes server, as the host supplies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NotesFolder {
    /// Absolute path of the folder.
    pub path: PathBuf,
    /// Whether `write_note` may create files in it.
    pub writable: bool,
}

impl NotesFolder {
    /// A folder that may be searched and read, not written.
    pub fn read_only(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            writable: false,
        }
    }

    /// A folder that may also receive new notes.
    pub fn writable(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            writable: true,
        }
    }
}

/// A granted folder after normalisation: `root` is the canonical path (symlinks resolved)
/// when the folder exists, else the path as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantedFolder {
    pub(crate) root: PathBuf,
    pub(crate) given: PathBuf,
    pub(crate) writable: bool,
    pub(crate) available: bool,
}

impl GrantedFolder {
    fn new(folder: NotesFolder) -> Self {
        let NotesFolder {
            path: given,
            writable,
        } = folder;
        match std::fs::canonicalize(&given) {
            Ok(root) if root.is_dir() => Self {
                root,
                given,
                writable,
                available: true,
            },
            _ => Self {
                root: given.clone(),
                given,
                writable,
                available: false,
            },
        }
    }

    /// The root as text, the form stored in the index. `None` for a non-UTF-8 path.
    pub(crate) fn root_text(&self) -> Option<&str> {
        self.root.to_str()
    }

    /// Whether a model's name for a folder (its path, as given or canonical, or its last
    /// component) names this folder.
    fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        let trimmed = name.trim_end_matches(['/', '\\']);
        let as_path = Path::new(trimmed);
        as_path == self.root
            || as_path == self.given
            || self
                .root
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.eq_ignore_ascii_case(trimmed))
    }
}

/// Normalises the host's folder list: canonical roots, relative paths dropped, duplicates
/// merged (writable if any grant is). Returns the folders and a warning per problem.
pub(crate) fn normalise(folders: Vec<NotesFolder>) -> (Vec<GrantedFolder>, Vec<String>) {
    let mut granted: Vec<GrantedFolder> = Vec::new();
    let mut warnings = Vec::new();
    for folder in folders {
        if !folder.path.is_absolute() {
            warnings.push(format!(
                "The folder {} is not an absolute path and was ignored.",
                folder.path.display()
            ));
            continue;
        }
        let candidate = GrantedFolder::new(folder);
        if !candidate.available {
            warnings.push(format!(
                "The folder {} does not exist or is not a folder; it is not indexed.",
                candidate.given.display()
            ));
        } else if candidate.root_text().is_none() {
            warnings.push(format!(
                "The folder {} has a name that is not valid UTF-8 and was ignored.",
                candidate.given.display()
            ));
            continue;
        }
        if let Some(existing) = granted.iter_mut().find(|g| g.root == candidate.root) {
            existing.writable |= candidate.writable;
        } else {
            granted.push(candidate);
        }
    }
    (granted, warnings)
}

/// The granted folder that owns `path`: the most specific root containing it (folders may
/// be nested). Lexical: `path` must already be absolute and normalised.
pub(crate) fn owner_of<'a>(folders: &'a [GrantedFolder], path: &Path) -> Option<&'a GrantedFolder> {
    folders
        .iter()
        .filter(|f| f.available && path.starts_with(&f.root))
        .max_by_key(|f| f.root.components().count())
}

/// Finds the granted folder a model named (by path or by last component).
pub(crate) fn find_named<'a>(
    folders: &'a [GrantedFolder],
    name: &str,
) -> Result<&'a GrantedFolder, PathRuleError> {
    let matches: Vec<&GrantedFolder> = folders.iter().filter(|f| f.is_named(name)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [first, ..] if matches.iter().all(|f| f.root == first.root) => Ok(first),
        [] => Err(PathRuleError::UnknownFolder),
        _ => Err(PathRuleError::AmbiguousFolder),
    }
}

/// Why a path a model gave was refused, before any I/O.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathRuleError {
    #[error("the path is empty")]
    Empty,
    #[error("the path contains a NUL character")]
    Nul,
    #[error("the path contains \"..\"; give a path inside a granted folder")]
    ParentComponent,
    #[error("the path must be relative to the folder, not absolute")]
    Absolute,
    #[error("the name \"{0}\" is hidden (starts with a dot) or a skipped folder")]
    Hidden(String),
    #[error(
        "the name \"{0}\" contains a character that is not allowed in file names (\\ : * ? \" < > |)"
    )]
    BadCharacter(String),
    #[error("the path is nested too deeply (at most {MAX_SUBFOLDER_DEPTH} folders)")]
    TooDeep,
    #[error("no granted folder has that name")]
    UnknownFolder,
    #[error("several granted folders have that name; give the folder's full path")]
    AmbiguousFolder,
}

/// How deep a subfolder given to `write_note` may go.
pub(crate) const MAX_SUBFOLDER_DEPTH: usize = 8;

/// Whether a file name is a note the server indexes and reads: a visible file whose
/// extension is one of [`NOTE_EXTENSIONS`] (any case).
pub(crate) fn is_note_file_name(name: &str) -> bool {
    if name.starts_with('.') {
        return false;
    }
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => NOTE_EXTENSIONS
            .iter()
            .any(|known| extension.eq_ignore_ascii_case(known)),
        _ => false,
    }
}

/// Whether a folder name is skipped by the index: hidden folders (`.git`, `.obsidian`) and
/// tool folders such as `node_modules`.
pub(crate) fn is_skipped_folder_name(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_FOLDER_NAMES.contains(&name)
}

/// Checks a relative path a model typed (a subfolder, a path prefix or a note path
/// relative to a folder) and returns its normal components. `.` components are dropped;
/// `..`, roots, NUL and hidden or skipped names are refused. Accepts `/` and, on every
/// platform, `\` as separators.
pub(crate) fn relative_components(text: &str) -> Result<Vec<String>, PathRuleError> {
    if text.contains('\0') {
        return Err(PathRuleError::Nul);
    }
    let trimmed = text.trim();
    if trimmed.starts_with('/') || trimmed.starts_with('\\') || has_drive_prefix(trimmed) {
        return Err(PathRuleError::Absolute);
    }
    let mut components = Vec::new();
    for part in trimmed.split(['/', '\\']) {
        match part {
            "" | "." => continue,
            ".." => return Err(PathRuleError::ParentComponent),
            name if is_skipped_folder_name(name) => {
                return Err(PathRuleError::Hidden(name.to_owned()));
            }
            name => components.push(name.to_owned()),
        }
    }
    Ok(components)
}

/// Checks a subfolder for `write_note`: like [`relative_components`], plus characters that
/// are not portable in file names and a depth limit.
pub(crate) fn subfolder_components(text: &str) -> Result<Vec<String>, PathRuleError> {
    let components = relative_components(text)?;
    if components.len() > MAX_SUBFOLDER_DEPTH {
        return Err(PathRuleError::TooDeep);
    }
    for name in &components {
        if name
            .chars()
            .any(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control())
        {
            return Err(PathRuleError::BadCharacter(name.clone()));
        }
    }
    Ok(components)
}

fn has_drive_prefix(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Whether an absolute path is free of `..` (lexically normal). Absolute paths a model gives
/// must be normal before they are compared with granted roots.
pub(crate) fn is_normal_absolute(path: &Path) -> bool {
    path.is_absolute()
        && path
            .components()
            .all(|c| !matches!(c, Component::ParentDir | Component::CurDir))
}

/// Whether any component of `relative` (a path below a granted root) is hidden or skipped,
/// so that the index and `read_note` agree on what is visible.
pub(crate) fn has_hidden_component(relative: &Path) -> bool {
    relative.components().any(|c| match c {
        Component::Normal(name) => name.to_str().is_none_or(is_skipped_folder_name),
        _ => true,
    })
}

/// The candidate absolute paths for a note path a model typed: an absolute path inside a
/// granted folder (matched against the canonical or the given root), or a path relative to
/// a granted folder (one candidate per folder, in grant order). Lexical only.
pub(crate) fn note_candidates(
    folders: &[GrantedFolder],
    text: &str,
) -> Result<Vec<(GrantedFolder, PathBuf)>, NoteLocationError> {
    if text.contains('\0') {
        return Err(NoteLocationError::Rule(PathRuleError::Nul));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(NoteLocationError::Rule(PathRuleError::Empty));
    }
    let path = Path::new(trimmed);
    if path.is_absolute() {
        if !is_normal_absolute(path) {
            return Err(NoteLocationError::Rule(PathRuleError::ParentComponent));
        }
        let owner = folders
            .iter()
            .filter_map(|f| {
                let relative = path
                    .strip_prefix(&f.root)
                    .or_else(|_| path.strip_prefix(&f.given))
                    .ok()?;
                Some((f, relative))
            })
            .max_by_key(|(f, _)| f.root.components().count());
        let Some((folder, relative)) = owner else {
            return Err(NoteLocationError::OutsideFolders);
        };
        if has_hidden_component(relative) {
            return Err(NoteLocationError::Hidden);
        }
        return Ok(vec![(folder.clone(), folder.root.join(relative))]);
    }
    let components = relative_components(trimmed).map_err(|e| match e {
        PathRuleError::Hidden(_) => NoteLocationError::Hidden,
        other => NoteLocationError::Rule(other),
    })?;
    if components.is_empty() {
        return Err(NoteLocationError::Rule(PathRuleError::Empty));
    }
    Ok(folders
        .iter()
        .filter(|f| f.available)
        .map(|f| {
            let mut full = f.root.clone();
            full.extend(&components);
            (f.clone(), full)
        })
        .collect())
}

/// Why a note path could not be placed inside a granted folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoteLocationError {
    Rule(PathRuleError),
    OutsideFolders,
    Hidden,
}

/// Resolves symlinks in `path` (which must exist) and checks that the real file is still
/// inside `root` (canonical). Returns the canonical path.
pub(crate) fn canonical_within(root: &Path, path: &Path) -> std::io::Result<Option<PathBuf>> {
    let real = std::fs::canonicalize(path)?;
    Ok(real.starts_with(root).then_some(real))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn folder(root: &str, writable: bool) -> GrantedFolder {
        GrantedFolder {
            root: PathBuf::from(root),
            given: PathBuf::from(root),
            writable,
            available: true,
        }
    }

    #[test]
    fn note_names_are_visible_files_with_a_note_extension() {
        for name in ["a.md", "Plan.MD", "x.markdown", "log.txt", "two.dots.md"] {
            assert!(is_note_file_name(name), "{name} is a note");
        }
        for name in [".hidden.md", "md", ".md", "a.mdx", "a.pdf", "a", "a.md.bak"] {
            assert!(!is_note_file_name(name), "{name} is not a note");
        }
    }

    #[test]
    fn hidden_and_tool_folders_are_skipped() {
        for name in [".git", ".obsidian", "node_modules", "__pycache__"] {
            assert!(is_skipped_folder_name(name), "{name} is skipped");
        }
        for name in ["notes", "git", "modules"] {
            assert!(!is_skipped_folder_name(name), "{name} is walked");
        }
    }

    #[test]
    fn relative_paths_refuse_escapes_and_roots() {
        assert_eq!(
            relative_components("a/./b\\c/").unwrap(),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            relative_components("a/../b"),
            Err(PathRuleError::ParentComponent)
        );
        assert_eq!(relative_components("/etc"), Err(PathRuleError::Absolute));
        assert_eq!(relative_components("\\etc"), Err(PathRuleError::Absolute));
        assert_eq!(relative_components("C:stuff"), Err(PathRuleError::Absolute));
        assert_eq!(relative_components("a\0b"), Err(PathRuleError::Nul));
        assert_eq!(
            relative_components("a/.git/config"),
            Err(PathRuleError::Hidden(".git".into()))
        );
    }

    #[test]
    fn subfolders_refuse_unportable_names_and_deep_nesting() {
        assert_eq!(
            subfolder_components("projects/2026").unwrap(),
            vec!["projects", "2026"]
        );
        assert_eq!(
            subfolder_components("notes/a:b"),
            Err(PathRuleError::BadCharacter("a:b".into()))
        );
        assert_eq!(
            subfolder_components("a/b/c/d/e/f/g/h/i"),
            Err(PathRuleError::TooDeep)
        );
    }

    #[test]
    fn absolute_note_paths_must_be_inside_a_granted_folder() {
        let folders = vec![folder("/notes", true)];
        let found = note_candidates(&folders, "/notes/a/b.md").unwrap();
        assert_eq!(found[0].1, PathBuf::from("/notes/a/b.md"));
        assert_eq!(
            note_candidates(&folders, "/etc/passwd"),
            Err(NoteLocationError::OutsideFolders)
        );
        assert_eq!(
            note_candidates(&folders, "/notes/../etc/passwd"),
            Err(NoteLocationError::Rule(PathRuleError::ParentComponent))
        );
        assert_eq!(
            note_candidates(&folders, "/notesextra/a.md"),
            Err(NoteLocationError::OutsideFolders),
            "a sibling folder sharing a name prefix is outside"
        );
        assert_eq!(
            note_candidates(&folders, "/notes/.git/HEAD"),
            Err(NoteLocationError::Hidden)
        );
    }

    #[test]
    fn relative_note_paths_are_tried_in_every_folder() {
        let folders = vec![folder("/a", false), folder("/b", true)];
        let found: Vec<PathBuf> = note_candidates(&folders, "x/y.md")
            .unwrap()
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            found,
            vec![PathBuf::from("/a/x/y.md"), PathBuf::from("/b/x/y.md")]
        );
    }

    #[test]
    fn the_most_specific_folder_owns_a_path() {
        let folders = vec![folder("/n", false), folder("/n/work", true)];
        let owner = owner_of(&folders, Path::new("/n/work/a.md")).unwrap();
        assert_eq!(owner.root, PathBuf::from("/n/work"));
        let owner = owner_of(&folders, Path::new("/n/a.md")).unwrap();
        assert_eq!(owner.root, PathBuf::from("/n"));
        assert!(owner_of(&folders, Path::new("/elsewhere/a.md")).is_none());
    }

    #[test]
    fn folders_are_found_by_path_or_name() {
        let folders = vec![folder("/home/me/Notes", true), folder("/srv/wiki", false)];
        assert_eq!(find_named(&folders, "notes").unwrap().root, folders[0].root);
        assert_eq!(
            find_named(&folders, "/srv/wiki/").unwrap().root,
            folders[1].root
        );
        assert_eq!(
            find_named(&folders, "other"),
            Err(PathRuleError::UnknownFolder)
        );
        let twins = vec![folder("/a/notes", true), folder("/b/notes", true)];
        assert_eq!(
            find_named(&twins, "notes"),
            Err(PathRuleError::AmbiguousFolder)
        );
    }

    proptest! {
        /// Whatever a model types, an accepted relative path never climbs out of its folder
        /// and never names a hidden component.
        #[test]
        fn accepted_relative_paths_stay_inside(text in "[a-z./\\\\\\x00-]{0,40}") {
            if let Ok(components) = relative_components(&text) {
                let mut path = PathBuf::from("/root");
                path.extend(&components);
                prop_assert!(path.starts_with("/root"));
                prop_assert!(is_normal_absolute(&path), "{path:?}");
                prop_assert!(!has_hidden_component(path.strip_prefix("/root").unwrap()));
            }
        }

        /// Any absolute candidate for a note lies under the root of the folder it names.
        #[test]
        fn note_candidates_lie_under_their_folder(text in "(/notes)?[a-z./\\\\-]{0,30}") {
            let folders = vec![folder("/notes", true), folder("/other", false)];
            if let Ok(candidates) = note_candidates(&folders, &text) {
                for (owner, path) in candidates {
                    prop_assert!(path.starts_with(&owner.root), "{path:?}");
                    prop_assert!(is_normal_absolute(&path), "{path:?}");
                }
            }
        }
    }
}
