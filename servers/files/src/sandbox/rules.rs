//! The path rules, as pure functions over text: how a path a model typed is checked and
//! split into components, and which granted folder it falls in.
//!
//! Owns: the refusals that need no filesystem (NUL, control characters, backslashes,
//! `..`, `~`, separator and dot lookalikes, names ending in a dot or a space, drive letters
//! on Unix, lengths) and grant matching (component-wise, byte-exact on Unix, outermost
//! grant with the needed access wins). Must not touch the filesystem: everything here is
//! decided from the text alone, so it can be property-tested. Symlinks, hard links and file
//! types are decided later, on file descriptors, by `beneath`.

use std::path::{Component, Path, PathBuf};

use super::{Access, Folder, Intent, SandboxError};

/// Longest path accepted, in bytes (Linux `PATH_MAX`).
pub(crate) const MAX_PATH_BYTES: usize = 4096;
/// Longest single name accepted, in bytes (`NAME_MAX` on common filesystems).
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// How paths are spelled on the platform whose rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `/` separates names; a backslash is refused; names compare byte for byte.
    Unix,
    /// `\` and `/` both separate names; a drive prefix such as `C:` starts an absolute
    /// path; names compare ignoring ASCII case; `:` inside a name and device names refused.
    Windows,
}

impl Style {
    /// The rules of the platform this was built for.
    pub(crate) const NATIVE: Style = if cfg!(windows) {
        Style::Windows
    } else {
        Style::Unix
    };

    fn is_separator(self, c: char) -> bool {
        c == '/' || (self == Style::Windows && c == '\\')
    }

    fn same_name(self, a: &str, b: &str) -> bool {
        match self {
            Style::Unix => a == b,
            Style::Windows => a.eq_ignore_ascii_case(b),
        }
    }
}

/// A path as a model gave it, checked and split into names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// Whether it started at a root (`/`, or a drive such as `C:\` on Windows).
    pub(crate) absolute: bool,
    /// Drive prefix on Windows, such as `C:`, upper-cased.
    pub(crate) prefix: Option<String>,
    /// The names, in order, without empty names and `.`.
    pub(crate) components: Vec<String>,
}

/// Where a granted folder really is, as found when the grants were set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Root {
    /// Its real path: absolute, with no symbolic link anywhere in it. The folder is opened
    /// by this path, following no link, so a name on it swapped for a link since is noticed.
    Real(PathBuf),
    /// It could not be found then (not there yet, or unreadable); looked up again on use.
    Unresolved,
    /// Reaching it means following `link`, which lies inside the read-write grant `holder`
    /// and points out of it. A model can put such a link there (by moving a granted folder
    /// away and a link into its place), so it is never followed to find a grant.
    ThroughLink { link: PathBuf, holder: PathBuf },
}

/// A granted folder prepared for matching: its path split into names once, when the
/// grants are set, not on every call.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) folder: Folder,
    /// The grant's path (absolute, lexically normalised) split into names.
    pub(crate) components: Vec<String>,
    /// Drive prefix on Windows.
    pub(crate) prefix: Option<String>,
    /// Where the folder really is.
    pub(crate) root: Root,
    /// The real path when it differs from the grant's (such as `/tmp` and `/private/tmp`
    /// on macOS), so either spelling is accepted.
    pub(crate) canonical: Option<PathBuf>,
    pub(crate) canonical_components: Option<Vec<String>>,
    /// The last name of the path, for relative paths that start with it.
    pub(crate) name: String,
}

impl Grant {
    /// Prepares a folder whose path is already absolute and normalised, found at `root`.
    pub(crate) fn new(folder: Folder, root: Root) -> Self {
        let (prefix, components) = split_path(&folder.path);
        let canonical = match &root {
            Root::Real(real) if real != &folder.path => Some(real.clone()),
            _ => None,
        };
        let canonical_components = canonical.as_deref().map(|c| split_path(c).1);
        let name = components.last().cloned().unwrap_or_default();
        Self {
            folder,
            components,
            prefix,
            root,
            canonical,
            canonical_components,
            name,
        }
    }
}

/// Where a request landed: the grant to resolve beneath and the names below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// Index of the grant in the list given to [`place`].
    pub(crate) grant: usize,
    /// Names beneath the grant's folder (empty for the folder itself).
    pub(crate) rest: Vec<String>,
    /// The effective access: read-write if any grant covering the path is read-write.
    pub(crate) access: Access,
}

/// Splits an absolute, normalised path into its drive prefix (Windows) and names.
pub(crate) fn split_path(path: &Path) -> (Option<String>, Vec<String>) {
    let mut prefix = None;
    let mut names = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(p) => {
                prefix = Some(p.as_os_str().to_string_lossy().to_ascii_uppercase());
            }
            Component::Normal(name) => names.push(name.to_string_lossy().into_owned()),
            Component::RootDir | Component::CurDir | Component::ParentDir => {}
        }
    }
    (prefix, names)
}

/// Makes a grant path absolute (against the working directory) and removes `.` and `..`
/// lexically. Grant paths come from the user, not from a model, so `..` is applied rather
/// than refused.
pub(crate) fn normalize_grant_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Characters that look like `/`, `\` or `.` but are not, or that hide or reorder text:
/// refused anywhere in a path so a name can't pass for a path (and so Windows "best fit"
/// conversions can't turn one into a separator). Characters with real uses in names (the
/// ellipsis, zero-width joiners in Indic and Persian script, CJK punctuation) are not here.
const LOOKALIKES: &[char] = &[
    '\u{2215}', // DIVISION SLASH
    '\u{2044}', // FRACTION SLASH
    '\u{FF0F}', // FULLWIDTH SOLIDUS
    '\u{29F8}', // BIG SOLIDUS
    '\u{1735}', // PHILIPPINE SINGLE PUNCTUATION
    '\u{2216}', // SET MINUS
    '\u{29F5}', // REVERSE SOLIDUS OPERATOR
    '\u{29F9}', // BIG REVERSE SOLIDUS
    '\u{FE68}', // SMALL REVERSE SOLIDUS
    '\u{FF3C}', // FULLWIDTH REVERSE SOLIDUS
    '\u{2024}', // ONE DOT LEADER
    '\u{2025}', // TWO DOT LEADER
    '\u{FE52}', // SMALL FULL STOP
    '\u{FF0E}', // FULLWIDTH FULL STOP
    '\u{202E}', // RIGHT-TO-LEFT OVERRIDE (hides the real extension)
    '\u{202D}', // LEFT-TO-RIGHT OVERRIDE
    '\u{2066}', // LEFT-TO-RIGHT ISOLATE
    '\u{2067}', // RIGHT-TO-LEFT ISOLATE
    '\u{2068}', // FIRST STRONG ISOLATE
    '\u{2069}', // POP DIRECTIONAL ISOLATE
    '\u{200B}', // ZERO WIDTH SPACE
    '\u{2060}', // WORD JOINER
    '\u{FEFF}', // ZERO WIDTH NO-BREAK SPACE
];

/// Colon lookalikes, refused on Windows where a best-fit conversion could turn one into
/// the `:` of an alternate data stream.
const WINDOWS_LOOKALIKES: &[char] = &['\u{A789}', '\u{FF1A}', '\u{2236}', '\u{0589}'];

const WINDOWS_DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "CONIN$",
    "CONOUT$",
];

/// Quotes a path a model gave for an error message: escaped, and cut short when long, so
/// an error never echoes a huge or terminal-hostile input.
pub(crate) fn quote(raw: &str) -> String {
    const KEEP: usize = 160;
    if raw.len() <= KEEP {
        format!("{raw:?}")
    } else {
        let mut end = KEEP;
        while !raw.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}… ({} bytes)", &raw[..end], raw.len())
    }
}

/// Checks a path a model gave and splits it into names. `granted` is only used in
/// messages.
pub(crate) fn parse(raw: &str, style: Style, granted: &str) -> Result<Request, SandboxError> {
    let path = quote(raw);
    let granted = granted.to_owned();
    if raw.trim().is_empty() {
        return Err(SandboxError::Empty { granted });
    }
    if raw.len() > MAX_PATH_BYTES {
        return Err(SandboxError::TooLong {
            path,
            length: raw.len(),
        });
    }
    if raw.contains('\0') {
        return Err(SandboxError::Nul { path });
    }
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Err(SandboxError::ControlCharacter {
            path,
            code: u32::from(c),
        });
    }
    if style == Style::Unix && raw.contains('\\') {
        return Err(SandboxError::Backslash { path, granted });
    }
    let lookalike = |c: &char| {
        LOOKALIKES.contains(c) || (style == Style::Windows && WINDOWS_LOOKALIKES.contains(c))
    };
    if let Some(c) = raw.chars().find(lookalike) {
        return Err(SandboxError::Lookalike {
            path,
            character: c,
            code: u32::from(c),
        });
    }
    if raw.starts_with('~') {
        return Err(SandboxError::Tilde { path, granted });
    }

    let (absolute, prefix, body) = split_root(raw, style).map_err(|()| SandboxError::Foreign {
        path: path.clone(),
        granted: granted.clone(),
    })?;
    let mut components = Vec::new();
    for name in body.split(|c| style.is_separator(c)) {
        match name {
            "" | "." => {}
            ".." => return Err(SandboxError::ParentStep { path, granted }),
            name => {
                check_name(name, style, &path)?;
                components.push(name.to_owned());
            }
        }
    }
    Ok(Request {
        absolute,
        prefix,
        components,
    })
}

/// Splits off the root: `(absolute, drive prefix, rest)`. `Err` for a drive letter or a
/// UNC prefix on Unix, where it can only be a mistake or a trick.
fn split_root(raw: &str, style: Style) -> Result<(bool, Option<String>, &str), ()> {
    let bytes = raw.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    match style {
        Style::Unix => {
            if has_drive {
                return Err(());
            }
            Ok((raw.starts_with('/'), None, raw))
        }
        Style::Windows => {
            if raw.starts_with("\\\\") || raw.starts_with("//") {
                // UNC and device namespaces (\\server\share, \\?\, \\.\) are never a grant.
                return Err(());
            }
            if has_drive {
                let rest = &raw[2..];
                let absolute = rest.starts_with(['/', '\\']);
                if !absolute {
                    // "C:foo" is relative to the drive's current folder: refuse.
                    return Err(());
                }
                Ok((true, Some(raw[..2].to_ascii_uppercase()), rest))
            } else {
                Ok((raw.starts_with(['/', '\\']), None, raw))
            }
        }
    }
}

fn check_name(name: &str, style: Style, path: &str) -> Result<(), SandboxError> {
    if name.len() > MAX_NAME_BYTES {
        return Err(SandboxError::TooLong {
            path: path.to_owned(),
            length: name.len(),
        });
    }
    if name.ends_with('.') || name.ends_with(' ') || name.starts_with(' ') {
        return Err(SandboxError::TrailingDotOrSpace {
            path: path.to_owned(),
            name: quote(name),
        });
    }
    if style == Style::Windows {
        if name.contains([':', '*', '?', '"', '<', '>', '|']) {
            return Err(SandboxError::ReservedName {
                path: path.to_owned(),
                name: quote(name),
            });
        }
        let stem = name.split('.').next().unwrap_or(name).trim_end();
        if WINDOWS_DEVICES.iter().any(|d| d.eq_ignore_ascii_case(stem)) {
            return Err(SandboxError::ReservedName {
                path: path.to_owned(),
                name: quote(name),
            });
        }
    }
    Ok(())
}

/// Finds the grant a request falls in.
///
/// - An absolute path must start with a granted folder's path, compared name by name
///   (byte for byte on Unix, so `/tmp/grant` is not `/tmp/Grant`). The folder's resolved
///   spelling (symlinks in its own path resolved) is accepted too.
/// - A relative path is taken relative to the granted folder when exactly one is granted;
///   with several, its first name must be the last name of exactly one granted folder
///   (`proj/src/main.rs` for a grant `/home/me/proj`).
/// - When several grants cover the path (nested grants), access is read-write if any of
///   them is; resolution happens beneath the outermost grant that gives the access the
///   intent needs, so everything reachable beneath it has that access.
pub(crate) fn place(
    grants: &[Grant],
    request: &Request,
    intent: Intent,
    style: Style,
    raw: &str,
    granted: &str,
) -> Result<Placement, SandboxError> {
    if grants.is_empty() {
        return Err(SandboxError::NoFolders);
    }
    // (grant index, names beneath it)
    let mut candidates: Vec<(usize, &[String])> = Vec::new();
    if request.absolute {
        for (index, grant) in grants.iter().enumerate() {
            if let Some(rest) = strip_grant(grant, request, style) {
                candidates.push((index, rest));
            }
        }
    } else if grants.len() == 1 {
        candidates.push((0, &request.components[..]));
    } else {
        let first = request.components.first();
        let named: Vec<usize> = grants
            .iter()
            .enumerate()
            .filter(|(_, g)| first.is_some_and(|f| style.same_name(&g.name, f)))
            .map(|(i, _)| i)
            .collect();
        if named.len() != 1 {
            return Err(SandboxError::Ambiguous {
                path: quote(raw),
                granted: granted.to_owned(),
            });
        }
        candidates.push((named[0], &request.components[1..]));
    }
    if candidates.is_empty() {
        return Err(SandboxError::Outside {
            path: quote(raw),
            granted: granted.to_owned(),
        });
    }
    // Outermost first: fewest names in the grant path, then the order given.
    candidates.sort_by_key(|(index, _)| (grants[*index].components.len(), *index));
    let writable = candidates
        .iter()
        .any(|(index, _)| grants[*index].folder.access == Access::ReadWrite);
    let access = if writable {
        Access::ReadWrite
    } else {
        Access::ReadOnly
    };
    let chosen = if intent.needs_write() {
        candidates
            .iter()
            .find(|(index, _)| grants[*index].folder.access == Access::ReadWrite)
    } else {
        candidates.first()
    };
    match chosen {
        Some((grant, rest)) => Ok(Placement {
            grant: *grant,
            rest: rest.to_vec(),
            access,
        }),
        None => {
            let innermost = candidates.last().map_or(0, |(index, _)| *index);
            Err(SandboxError::ReadOnly {
                path: display(
                    &grants[innermost].folder.path,
                    &candidates_rest(&candidates),
                ),
                folder: grants[innermost].folder.path.display().to_string(),
            })
        }
    }
}

fn candidates_rest(candidates: &[(usize, &[String])]) -> Vec<String> {
    candidates
        .last()
        .map(|(_, rest)| rest.to_vec())
        .unwrap_or_default()
}

fn strip_grant<'r>(grant: &Grant, request: &'r Request, style: Style) -> Option<&'r [String]> {
    if request.prefix.as_deref() != grant.prefix.as_deref() && style == Style::Windows {
        return None;
    }
    let spellings = std::iter::once(&grant.components).chain(grant.canonical_components.as_ref());
    for names in spellings {
        let n = names.len();
        if request.components.len() >= n
            && names
                .iter()
                .zip(&request.components)
                .all(|(g, r)| style.same_name(g, r))
        {
            return Some(&request.components[n..]);
        }
    }
    None
}

/// The path shown to a model: the grant's own spelling plus the names beneath it.
pub(crate) fn display(root: &Path, rest: &[String]) -> String {
    let mut path = root.to_path_buf();
    for name in rest {
        path.push(name);
    }
    path.display().to_string()
}

/// Describes the grants for a message: `/a (read-write), /b (read-only)`.
pub(crate) fn describe(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "none (the user grants folders in Switchboard)".to_owned();
    }
    grants
        .iter()
        .map(|g| format!("{} ({})", g.folder.path.display(), g.folder.access))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant(path: &str, access: Access) -> Grant {
        Grant::new(
            Folder {
                path: PathBuf::from(path),
                access,
            },
            Root::Unresolved,
        )
    }

    fn parse_unix(raw: &str) -> Result<Request, SandboxError> {
        parse(raw, Style::Unix, "G")
    }

    fn place_unix(grants: &[Grant], raw: &str, intent: Intent) -> Result<Placement, SandboxError> {
        let request = parse_unix(raw)?;
        place(grants, &request, intent, Style::Unix, raw, "G")
    }

    #[test]
    fn a_plain_absolute_path_splits_into_names() {
        let request = parse_unix("/home/me//proj/./src/main.rs").unwrap();
        assert!(request.absolute);
        assert_eq!(
            request.components,
            ["home", "me", "proj", "src", "main.rs"],
            "empty names and '.' are dropped"
        );
    }

    #[test]
    fn hostile_spellings_are_refused_before_any_filesystem_access() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("/a/../b", "'..'"),
            ("..", "'..'"),
            ("a/..", "'..'"),
            ("/a/b\\..\\c", "backslash"),
            ("/a/b\0c", "NUL"),
            ("/a/b\nc", "control character"),
            ("~/secret", "'~'"),
            ("~root/x", "'~'"),
            ("/a/\u{2215}etc", "looks like"),
            ("/a/\u{FF0E}\u{FF0E}/x", "looks like"),
            ("/a/file.txt.", "ends with a dot"),
            ("/a/file.txt ", "ends with a dot or a space"),
            ("C:/Windows", "Windows"),
            ("c:", "Windows"),
            ("D:x", "Windows"),
        ];
        for (raw, expected) in cases {
            let error = parse_unix(raw).expect_err(raw).to_string();
            assert!(
                error.contains(expected),
                "{raw:?} should be refused with {expected:?}, got: {error}"
            );
        }
    }

    #[test]
    fn names_with_real_world_unicode_are_accepted() {
        for raw in [
            "/a/Draft\u{2026}.docx",
            "/a/\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0645}.txt",
            "/a/\u{4F1A}\u{8BAE}\u{FF1A}\u{7EAA}\u{8981}.md",
            "/a/za\u{017C}\u{00F3}\u{0142}\u{0107}.txt",
            "/a/~backup/x~",
        ] {
            assert!(parse_unix(raw).is_ok(), "{raw} should be accepted");
        }
        assert!(
            parse("C:\\a\\x\u{FF1A}y", Style::Windows, "G").is_err(),
            "a colon lookalike could become a stream separator on Windows"
        );
    }

    #[test]
    fn overlong_paths_and_names_are_refused() {
        let long = format!("/{}", "a/".repeat(3000));
        assert!(matches!(
            parse_unix(&long),
            Err(SandboxError::TooLong { .. })
        ));
        let long_name = format!("/a/{}", "n".repeat(256));
        assert!(matches!(
            parse_unix(&long_name),
            Err(SandboxError::TooLong { .. })
        ));
        assert!(parse_unix(&format!("/a/{}", "n".repeat(255))).is_ok());
    }

    #[test]
    fn errors_do_not_echo_huge_inputs() {
        let huge = format!("/{}\0", "x".repeat(3000));
        let error = parse_unix(&huge).unwrap_err().to_string();
        assert!(error.len() < 400, "error was {} bytes", error.len());
    }

    #[test]
    fn windows_rules_accept_drives_and_backslashes_but_refuse_streams_and_devices() {
        let request = parse(r"c:\Users\me\notes.txt", Style::Windows, "G").unwrap();
        assert_eq!(request.prefix.as_deref(), Some("C:"));
        assert_eq!(request.components, ["Users", "me", "notes.txt"]);
        for raw in [
            r"C:\a\file.txt:secret",
            r"C:\a\CON",
            r"C:\a\nul.txt",
            r"\\server\share\x",
            r"\\?\C:\x",
            r"C:relative",
            r"C:\a\..\b",
        ] {
            assert!(
                parse(raw, Style::Windows, "G").is_err(),
                "{raw} must be refused"
            );
        }
    }

    #[test]
    fn absolute_paths_match_grants_name_by_name() {
        let grants = [grant("/tmp/Grant", Access::ReadWrite)];
        let placed = place_unix(&grants, "/tmp/Grant/a/b.txt", Intent::Read).unwrap();
        assert_eq!(placed.rest, ["a", "b.txt"]);
        for outside in [
            "/tmp/grant/a",
            "/tmp/GRANT",
            "/tmp/Grant2/a",
            "/tmp/Gran",
            "/tmp",
            "/",
            "/etc/passwd",
        ] {
            assert!(
                matches!(
                    place_unix(&grants, outside, Intent::Read),
                    Err(SandboxError::Outside { .. })
                ),
                "{outside} must be outside"
            );
        }
    }

    #[test]
    fn windows_grants_match_ignoring_ascii_case() {
        let grants = [Grant {
            prefix: Some("C:".into()),
            ..grant("/Users/Me", Access::ReadWrite)
        }];
        let request = parse(r"c:\users\me\x.txt", Style::Windows, "G").unwrap();
        let placed = place(&grants, &request, Intent::Read, Style::Windows, "", "G").unwrap();
        assert_eq!(placed.rest, ["x.txt"]);
        let request = parse(r"D:\users\me\x.txt", Style::Windows, "G").unwrap();
        assert!(place(&grants, &request, Intent::Read, Style::Windows, "", "G").is_err());
    }

    #[test]
    fn the_canonical_spelling_of_a_grant_is_accepted() {
        let grants = [Grant::new(
            Folder {
                path: "/tmp/g".into(),
                access: Access::ReadOnly,
            },
            Root::Real("/private/tmp/g".into()),
        )];
        let placed = place_unix(&grants, "/private/tmp/g/x", Intent::Read).unwrap();
        assert_eq!(placed.rest, ["x"]);
    }

    #[test]
    fn relative_paths_need_one_grant_or_a_grant_name() {
        let one = [grant("/home/me/proj", Access::ReadWrite)];
        let placed = place_unix(&one, "src/main.rs", Intent::Read).unwrap();
        assert_eq!(placed.rest, ["src", "main.rs"]);

        let two = [
            grant("/home/me/proj", Access::ReadWrite),
            grant("/home/me/docs", Access::ReadOnly),
        ];
        let placed = place_unix(&two, "docs/a.md", Intent::Read).unwrap();
        assert_eq!((placed.grant, placed.rest), (1, vec!["a.md".into()]));
        assert!(matches!(
            place_unix(&two, "src/main.rs", Intent::Read),
            Err(SandboxError::Ambiguous { .. })
        ));
    }

    #[test]
    fn writes_to_read_only_grants_are_refused_naming_the_folder() {
        let grants = [grant("/data", Access::ReadOnly)];
        let error = place_unix(&grants, "/data/x.txt", Intent::Write).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, SandboxError::ReadOnly { .. }));
        assert!(message.contains("/data"), "{message}");
        assert!(message.contains("read-only"), "{message}");
        assert!(message.contains("Switchboard"), "{message}");
    }

    #[test]
    fn nested_grants_resolve_beneath_the_outermost_grant_with_the_needed_access() {
        let grants = [
            grant("/a/b", Access::ReadWrite),
            grant("/a", Access::ReadOnly),
        ];
        let read = place_unix(&grants, "/a/b/c", Intent::Read).unwrap();
        assert_eq!((read.grant, read.access), (1, Access::ReadWrite));
        assert_eq!(read.rest, ["b", "c"]);
        let write = place_unix(&grants, "/a/b/c", Intent::Write).unwrap();
        assert_eq!((write.grant, write.rest), (0, vec!["c".into()]));
        assert!(place_unix(&grants, "/a/x", Intent::Write).is_err());
    }

    #[test]
    fn no_grants_means_a_message_about_granting() {
        let error = place_unix(&[], "/x", Intent::Read).unwrap_err().to_string();
        assert!(error.contains("No folders are granted"), "{error}");
    }

    #[test]
    fn grant_paths_are_made_absolute_and_normalised() {
        assert_eq!(
            normalize_grant_path(Path::new("/a/./b/../c/")),
            PathBuf::from("/a/c")
        );
        assert!(normalize_grant_path(Path::new("rel")).is_absolute());
    }

    fn names() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9_-]{1,12}",
            "[a-z]{1,4}\\.[a-z]{1,3}",
            Just(".hidden".to_owned()),
            Just("..a".to_owned()),
            Just("%2e%2e".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn parsing_never_panics(raw in ".{0,300}") {
            let _ = parse(&raw, Style::Unix, "G");
            let _ = parse(&raw, Style::Windows, "G");
        }

        #[test]
        fn accepted_components_are_plain_names(raw in "[a-z./\\\\~ \0:\u{2215}\u{FF0E}-]{0,40}") {
            if let Ok(request) = parse(&raw, Style::Unix, "G") {
                for name in &request.components {
                    prop_assert!(!name.is_empty());
                    prop_assert!(name != "." && name != "..");
                    prop_assert!(!name.contains('/') && !name.contains('\\') && !name.contains('\0'));
                    prop_assert!(!name.ends_with('.') && !name.ends_with(' '));
                }
            }
        }

        #[test]
        fn normalisation_is_idempotent(raw in "(/?[a-z.]{0,4}){0,8}") {
            if let Ok(request) = parse(&raw, Style::Unix, "G") {
                let again = format!(
                    "{}{}",
                    if request.absolute { "/" } else { "" },
                    request.components.join("/")
                );
                if !again.is_empty() {
                    let reparsed = parse(&again, Style::Unix, "G").unwrap();
                    prop_assert_eq!(reparsed, request);
                }
            }
        }

        #[test]
        fn a_placed_path_lies_under_its_grant(
            grant_names in proptest::collection::vec(names(), 1..4),
            rest in proptest::collection::vec(names(), 0..5),
            extra in proptest::collection::vec(names(), 0..3),
        ) {
            let root = format!("/{}", grant_names.join("/"));
            let grants = [grant(&root, Access::ReadWrite), grant("/other/place", Access::ReadOnly)];
            let raw = format!("/{}/{}", extra.join("/"), rest.join("/"));
            if let Ok(placed) = place_unix(&grants, &raw, Intent::Read) {
                let g = &grants[placed.grant];
                let full = display(&g.folder.path, &placed.rest);
                prop_assert!(Path::new(&full).starts_with(&g.folder.path));
                let request = parse_unix(&raw).unwrap();
                prop_assert_eq!(split_path(Path::new(&full)).1, request.components);
            }
        }

        #[test]
        fn a_path_with_a_parent_step_anywhere_is_refused(
            before in proptest::collection::vec(names(), 0..4),
            after in proptest::collection::vec(names(), 0..4),
        ) {
            let mut parts = before;
            parts.push("..".to_owned());
            parts.extend(after);
            let raw = format!("/{}", parts.join("/"));
            prop_assert!(
                matches!(parse_unix(&raw), Err(SandboxError::ParentStep { .. })),
                "{} was accepted",
                raw
            );
        }
    }
}
