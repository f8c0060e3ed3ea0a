//! Reading and unpacking a `.mcpb` archive (a zip) without trusting it: every entry's name
//! is checked before anything is written (no absolute paths, no `..`, no backslashes, no
//! duplicates, even by case), only regular files and folders (no symbolic links or
//! devices), stored or deflated, within caps on the archive's size, the number of entries,
//! each entry's size, the total and the compression ratio (no zip bombs), with sizes
//! checked again while writing. Files are written into a temporary folder beside the
//! target, which is renamed into place only when everything is in; on any error nothing is
//! left behind.
//!
//! Owns: the archive rules and the unpacking. Must not: run anything from the bundle, or
//! follow a link it wrote.

use std::{
    collections::BTreeSet,
    fmt,
    fs::{self, File},
    io::{self, Read, Write},
    path::{Path, PathBuf},
};

use zip::{CompressionMethod, ZipArchive, result::ZipError};

use super::manifest::{Manifest, ManifestError, Platform};
use crate::server_json::validate::shown;

/// The manifest's name inside a bundle.
pub const MANIFEST_FILE: &str = "manifest.json";

/// How big a bundle may be.
#[derive(Debug, Clone)]
pub struct UnpackLimits {
    /// The `.mcpb` file itself.
    pub max_archive_bytes: u64,
    pub max_entries: usize,
    /// One file, unpacked.
    pub max_entry_bytes: u64,
    /// Everything, unpacked.
    pub max_total_bytes: u64,
    /// Largest unpacked/packed ratio, for files bigger than `ratio_floor_bytes`.
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
    pub max_manifest_bytes: u64,
    /// Longest entry name, in bytes.
    pub max_name_bytes: usize,
    /// Deepest folder nesting.
    pub max_depth: usize,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self {
            max_archive_bytes: 512 * 1024 * 1024,
            max_entries: 50_000,
            max_entry_bytes: 512 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor_bytes: 1024 * 1024,
            max_manifest_bytes: 1024 * 1024,
            max_name_bytes: 1024,
            max_depth: 64,
        }
    }
}

/// Why an entry's name is not a safe path inside the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    Absolute,
    Parent,
    Backslash,
    EmptyPart,
    Dot,
    Forbidden(char),
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "the name is empty",
            Self::Absolute => "it is an absolute path, which would write outside the bundle",
            Self::Parent => "it contains \"..\", which would write outside the bundle",
            Self::Backslash => "it contains a backslash (bundles separate folders with /)",
            Self::EmptyPart => "it contains an empty folder name (//)",
            Self::Dot => "it contains a \".\" folder name",
            Self::Forbidden(c) => {
                return write!(f, "it contains {c:?}, which a file name cannot hold");
            }
        })
    }
}

/// The parts of an entry's path (`server/index.js` → `["server", "index.js"]`), or why it
/// is not a safe relative path. A trailing `/` (a folder) is allowed.
pub fn entry_path(name: &str) -> Result<Vec<&str>, PathProblem> {
    if name.is_empty() || name == "/" {
        return Err(PathProblem::Empty);
    }
    if name.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    let bytes = name.as_bytes();
    if name.starts_with('/')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
    {
        return Err(PathProblem::Absolute);
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    let mut parts = Vec::new();
    for part in trimmed.split('/') {
        match part {
            "" => return Err(PathProblem::EmptyPart),
            ".." => return Err(PathProblem::Parent),
            "." => return Err(PathProblem::Dot),
            _ => {}
        }
        if let Some(c) = part.chars().find(|c| c.is_control() || *c == ':') {
            return Err(PathProblem::Forbidden(c));
        }
        parts.push(part);
    }
    Ok(parts)
}

/// Why a bundle was refused. Every message names the entry and the rule.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("could not read the bundle {path}: {detail}")]
    Open { path: String, detail: String },
    #[error("the bundle is {size} bytes; Switchboard installs bundles up to {limit} bytes")]
    ArchiveTooLarge { size: u64, limit: u64 },
    #[error("the file is not a valid MCP Bundle (.mcpb is a zip archive): {detail}")]
    Malformed { detail: String },
    #[error("the bundle holds {count} files and folders; the limit is {limit}")]
    TooManyEntries { count: usize, limit: usize },
    #[error("the bundle entry {name} is refused: {problem}")]
    UnsafePath { name: String, problem: PathProblem },
    #[error("the bundle entry {name} has a name that is not UTF-8")]
    NameEncoding { name: String },
    #[error("the bundle entry {name} is too long a name or too deeply nested")]
    NameTooLong { name: String },
    #[error("the bundle entry {name} is a symbolic link; bundles may hold only files and folders")]
    Symlink { name: String },
    #[error("the bundle entry {name} is not a regular file or folder (a device, pipe or socket)")]
    NotRegular { name: String },
    #[error("the bundle holds {name} twice (names that differ only in case count as the same)")]
    Duplicate { name: String },
    #[error("the bundle lists two entries under one name; a bundle lists each file once")]
    DuplicateNames,
    #[error("the bundle entry {name} is both a file and a folder")]
    FileAndFolder { name: String },
    #[error("the bundle entry {name} is encrypted; Switchboard cannot read it")]
    Encrypted { name: String },
    #[error(
        "the bundle entry {name} is compressed with {method}; Switchboard reads stored and \
         deflated entries only"
    )]
    Compression { name: String, method: String },
    #[error("the bundle entry {name} unpacks to {size} bytes; the limit is {limit}")]
    EntryTooLarge { name: String, size: u64, limit: u64 },
    #[error("the bundle unpacks to more than {limit} bytes in all")]
    TotalTooLarge { limit: u64 },
    #[error(
        "the bundle entry {name} expands {ratio} times its packed size (more than {limit}); \
         it looks like a zip bomb"
    )]
    ZipBomb {
        name: String,
        ratio: u64,
        limit: u64,
    },
    #[error("the bundle entry {name} holds more data than its header says")]
    SizeMismatch { name: String },
    #[error("the bundle has no manifest.json at its top level; it is not an MCP Bundle")]
    NoManifest,
    #[error("the bundle's manifest.json is larger than {limit} bytes")]
    ManifestTooLarge { limit: u64 },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(
        "the bundle's entry point {entry_point} is not in the archive (as a file); the \
         bundle is incomplete"
    )]
    EntryPointMissing { entry_point: String },
    #[error(
        "{path} already exists and is not an empty folder; choose another folder or remove \
         it first"
    )]
    TargetExists { path: String },
    #[error("could not unpack the bundle into {path}: {detail}")]
    Write { path: String, detail: String },
}

/// One checked entry.
#[derive(Debug, Clone)]
struct Planned {
    index: usize,
    /// The normalised relative path (`/`-separated, no trailing slash).
    path: String,
    is_dir: bool,
    size: u64,
    executable: bool,
}

/// A bundle that passed every check (nothing written yet).
#[derive(Debug, Clone)]
pub struct Inspected {
    pub manifest: Manifest,
    /// Files and folders in it.
    pub entries: usize,
    /// Unpacked size, as the archive declares it.
    pub total_bytes: u64,
}

/// A bundle unpacked into its folder.
#[derive(Debug, Clone)]
pub struct Unpacked {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub files: usize,
    pub bytes: u64,
}

fn malformed(error: &ZipError) -> BundleError {
    BundleError::Malformed {
        detail: error.to_string(),
    }
}

fn open_archive(
    path: &Path,
    limits: &UnpackLimits,
) -> Result<ZipArchive<io::BufReader<File>>, BundleError> {
    let open_error = |e: io::Error| BundleError::Open {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let file = File::open(path).map_err(open_error)?;
    let size = file.metadata().map_err(open_error)?.len();
    if size > limits.max_archive_bytes {
        return Err(BundleError::ArchiveTooLarge {
            size,
            limit: limits.max_archive_bytes,
        });
    }
    ZipArchive::new(io::BufReader::new(file)).map_err(|e| malformed(&e))
}

/// Checks every entry's header against the rules, before anything is read.
fn plan_entries<R: Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    limits: &UnpackLimits,
) -> Result<(Vec<Planned>, u64), BundleError> {
    if archive.len() > limits.max_entries {
        return Err(BundleError::TooManyEntries {
            count: archive.len(),
            limit: limits.max_entries,
        });
    }
    // The reader keeps one entry per name: it says when the archive had more.
    if archive.has_duplicate_names() {
        return Err(BundleError::DuplicateNames);
    }
    let mut planned = Vec::with_capacity(archive.len());
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(|e| malformed(&e))?;
        let Ok(raw_name) = std::str::from_utf8(file.name_raw()) else {
            return Err(BundleError::NameEncoding {
                name: String::from_utf8_lossy(file.name_raw()).into_owned(),
            });
        };
        let name = format!("{:?}", shown(raw_name));
        let parts = entry_path(raw_name).map_err(|problem| BundleError::UnsafePath {
            name: name.clone(),
            problem,
        })?;
        if raw_name.len() > limits.max_name_bytes || parts.len() > limits.max_depth {
            return Err(BundleError::NameTooLong { name });
        }
        if file.encrypted() {
            return Err(BundleError::Encrypted { name });
        }
        let mode = file.unix_mode();
        let file_type = mode.map_or(0, |m| m & 0o170_000);
        if file.is_symlink() || file_type == 0o120_000 {
            return Err(BundleError::Symlink { name });
        }
        let is_dir = file.is_dir();
        if !matches!(file_type, 0 | 0o100_000 | 0o040_000) || (file_type == 0o040_000 && !is_dir) {
            return Err(BundleError::NotRegular { name });
        }
        let method = file.compression();
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(BundleError::Compression {
                name,
                method: format!("{method}"),
            });
        }
        let size = file.size();
        if size > limits.max_entry_bytes {
            return Err(BundleError::EntryTooLarge {
                name,
                size,
                limit: limits.max_entry_bytes,
            });
        }
        if size > limits.ratio_floor_bytes {
            let ratio = size / file.compressed_size().max(1);
            if ratio > limits.max_ratio {
                return Err(BundleError::ZipBomb {
                    name,
                    ratio,
                    limit: limits.max_ratio,
                });
            }
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(BundleError::TotalTooLarge {
                limit: limits.max_total_bytes,
            });
        }
        let path = parts.join("/");
        if !seen.insert(path.to_lowercase()) {
            return Err(BundleError::Duplicate { name });
        }
        planned.push(Planned {
            index,
            path,
            is_dir,
            size,
            executable: mode.is_some_and(|m| m & 0o111 != 0),
        });
    }
    // A file may not also be a folder that holds other entries.
    for entry in planned.iter().filter(|e| !e.is_dir) {
        let prefix = format!("{}/", entry.path.to_lowercase());
        if seen.iter().any(|other| other.starts_with(&prefix)) {
            return Err(BundleError::FileAndFolder {
                name: format!("{:?}", shown(&entry.path)),
            });
        }
    }
    Ok((planned, total))
}

fn read_manifest<R: Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    planned: &[Planned],
    limits: &UnpackLimits,
) -> Result<Manifest, BundleError> {
    let entry = planned
        .iter()
        .find(|e| !e.is_dir && e.path == MANIFEST_FILE)
        .ok_or(BundleError::NoManifest)?;
    if entry.size > limits.max_manifest_bytes {
        return Err(BundleError::ManifestTooLarge {
            limit: limits.max_manifest_bytes,
        });
    }
    let file = archive.by_index(entry.index).map_err(|e| malformed(&e))?;
    let mut bytes = Vec::new();
    file.take(limits.max_manifest_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| BundleError::Malformed {
            detail: e.to_string(),
        })?;
    if bytes.len() as u64 > limits.max_manifest_bytes {
        return Err(BundleError::ManifestTooLarge {
            limit: limits.max_manifest_bytes,
        });
    }
    Ok(Manifest::parse(&bytes)?)
}

/// Every check a bundle passes before anything is written.
fn check_all<R: Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    platform: Platform,
    limits: &UnpackLimits,
) -> Result<(Vec<Planned>, u64, Manifest), BundleError> {
    let (planned, total) = plan_entries(archive, limits)?;
    let manifest = read_manifest(archive, &planned, limits)?;
    manifest.check_platform(platform)?;
    let entry_point = manifest.server.entry_point.trim_end_matches('/');
    if !planned.iter().any(|e| !e.is_dir && e.path == entry_point) {
        return Err(BundleError::EntryPointMissing {
            entry_point: manifest.server.entry_point.clone(),
        });
    }
    Ok((planned, total, manifest))
}

/// Checks a bundle (every entry's header, the manifest, this platform) without writing.
pub fn inspect(
    archive_path: &Path,
    platform: Platform,
    limits: &UnpackLimits,
) -> Result<Inspected, BundleError> {
    let mut archive = open_archive(archive_path, limits)?;
    let (planned, total_bytes, manifest) = check_all(&mut archive, platform, limits)?;
    Ok(Inspected {
        manifest,
        entries: planned.len(),
        total_bytes,
    })
}

/// Unpacks a checked bundle into `target`, which must not exist yet (or be an empty
/// folder). Everything is written into a temporary folder beside it and renamed into place
/// at the end; on any error, neither is left behind.
pub fn unpack(
    archive_path: &Path,
    target: &Path,
    platform: Platform,
    limits: &UnpackLimits,
) -> Result<Unpacked, BundleError> {
    let write_error = |path: &Path, e: &dyn fmt::Display| BundleError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let mut archive = open_archive(archive_path, limits)?;
    let (planned, _, manifest) = check_all(&mut archive, platform, limits)?;
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| write_error(target, &"it has no parent folder"))?;
    let target_was_empty_dir = match fs::read_dir(target) {
        Ok(mut items) => {
            if items.next().is_some() {
                return Err(BundleError::TargetExists {
                    path: target.display().to_string(),
                });
            }
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(_) => {
            return Err(BundleError::TargetExists {
                path: target.display().to_string(),
            });
        }
    };
    fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
    let stem = target
        .file_name()
        .map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{stem}.unpacking-"))
        .tempdir_in(parent)
        .map_err(|e| write_error(parent, &e))?;
    let mut written: u64 = 0;
    let mut files = 0;
    for entry in &planned {
        let destination = entry
            .path
            .split('/')
            .fold(staging.path().to_path_buf(), |path, part| path.join(part));
        if entry.is_dir {
            fs::create_dir_all(&destination).map_err(|e| write_error(&destination, &e))?;
            continue;
        }
        if let Some(folder) = destination.parent() {
            fs::create_dir_all(folder).map_err(|e| write_error(folder, &e))?;
        }
        let name = format!("{:?}", shown(&entry.path));
        let source = archive.by_index(entry.index).map_err(|e| malformed(&e))?;
        let mut output = create_file(&destination, entry.executable)
            .map_err(|e| write_error(&destination, &e))?;
        // Read one byte more than declared: an entry that lies about its size stops here.
        let mut limited = source.take(entry.size.saturating_add(1));
        let mut buffer = vec![0_u8; 64 * 1024];
        let mut copied: u64 = 0;
        loop {
            let read = limited
                .read(&mut buffer)
                .map_err(|e| BundleError::Malformed {
                    detail: format!("{name}: {e}"),
                })?;
            if read == 0 {
                break;
            }
            copied += read as u64;
            written += read as u64;
            if copied > entry.size {
                return Err(BundleError::SizeMismatch { name });
            }
            if written > limits.max_total_bytes {
                return Err(BundleError::TotalTooLarge {
                    limit: limits.max_total_bytes,
                });
            }
            output
                .write_all(&buffer[..read])
                .map_err(|e| write_error(&destination, &e))?;
        }
        if copied != entry.size {
            return Err(BundleError::SizeMismatch { name });
        }
        output
            .sync_all()
            .map_err(|e| write_error(&destination, &e))?;
        files += 1;
    }
    if target_was_empty_dir {
        fs::remove_dir(target).map_err(|e| write_error(target, &e))?;
    }
    fs::rename(staging.path(), target).map_err(|e| write_error(target, &e))?;
    // Renamed: nothing is left for the temporary folder to clean up.
    let _ = staging.keep();
    tracing::info!(dir = %target.display(), files, bytes = written, "bundle unpacked");
    Ok(Unpacked {
        dir: target.to_path_buf(),
        manifest,
        files,
        bytes: written,
    })
}

/// A new file: executable (0755) only where the archive marked it so, else 0644.
fn create_file(path: &Path, executable: bool) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if executable { 0o755 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = executable;
    options.open(path)
}

/// The SHA-256 of a file, in lowercase hex (to check a downloaded bundle against the
/// registry's `fileSha256`).
pub fn sha256_hex(path: &Path) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn safe_names_split_into_parts() {
        assert_eq!(
            entry_path("server/index.js"),
            Ok(vec!["server", "index.js"])
        );
        assert_eq!(entry_path("server/"), Ok(vec!["server"]));
        assert_eq!(entry_path("manifest.json"), Ok(vec!["manifest.json"]));
        assert_eq!(entry_path("a b/ü.txt"), Ok(vec!["a b", "ü.txt"]));
    }

    #[test]
    fn every_escape_is_refused_by_name() {
        for (name, problem) in [
            ("../x", PathProblem::Parent),
            ("a/../../x", PathProblem::Parent),
            ("a/..", PathProblem::Parent),
            ("/etc/x", PathProblem::Absolute),
            ("C:/x", PathProblem::Absolute),
            ("c:x", PathProblem::Absolute),
            ("..\\x", PathProblem::Backslash),
            ("a\\b", PathProblem::Backslash),
            ("a//b", PathProblem::EmptyPart),
            ("./a", PathProblem::Dot),
            ("", PathProblem::Empty),
            ("a/b:c", PathProblem::Forbidden(':')),
            ("a\u{0}b", PathProblem::Forbidden('\u{0}')),
        ] {
            assert_eq!(entry_path(name), Err(problem.clone()), "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn accepted_paths_never_leave_the_folder(name in "[a-z./\\\\:]{0,12}") {
            if let Ok(parts) = entry_path(&name) {
                prop_assert!(!parts.is_empty());
                for part in parts {
                    prop_assert!(!part.is_empty() && part != "." && part != "..", "{name:?}");
                    prop_assert!(!part.contains(['/', '\\', ':']), "{name:?}");
                }
                prop_assert!(!name.starts_with('/'));
            }
        }
    }
}
