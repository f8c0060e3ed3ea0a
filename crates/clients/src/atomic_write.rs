//! Replacing a file so that, whatever happens (a crash, a full disk, a kill), the path
//! holds either the old content or the new one, never a mix: a timestamped backup first,
//! then a temp file in the same folder, written, fsynced, given the original's
//! permissions, renamed over the original, and the folder fsynced.
//!
//! Backups are `<file>.switchboard-backup-<UTC yyyymmddThhmmss.mmmZ>` beside the file;
//! after each successful write only the newest [`DEFAULT_KEEP_BACKUPS`] (or the number
//! set) are kept, and temp files older than ten minutes (left by a writer that was killed)
//! are removed. A symlinked config file is written through: its target is replaced and
//! the link stays.
//!
//! Owns: the write protocol and its injectable steps ([`WriteHook`]), for crash tests.
//! Must not: know what the content means.

use std::{
    fmt,
    fs::{self, File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

/// How many backups per file are kept by default.
pub const DEFAULT_KEEP_BACKUPS: usize = 5;

/// What sits between a file's name and the timestamp in its backups' names.
pub const BACKUP_INFIX: &str = ".switchboard-backup-";

const TEMP_INFIX: &str = ".switchboard-tmp-";

/// The steps of a write, in order. A [`WriteHook`] is called before each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteStep {
    /// Copying the current file to its backup (only when the file exists).
    Backup,
    /// Creating the temp file in the same folder.
    CreateTemp,
    /// Writing the first half of the content.
    WriteTemp,
    /// Writing the rest (a failure here leaves a half-written temp file behind the
    /// scenes, never in place).
    WriteTempRest,
    /// fsync of the temp file.
    SyncTemp,
    /// Renaming the temp file over the original.
    Rename,
    /// fsync of the folder, so the rename survives a power cut.
    SyncFolder,
}

impl WriteStep {
    /// Every step, in order.
    pub const ALL: [Self; 7] = [
        Self::Backup,
        Self::CreateTemp,
        Self::WriteTemp,
        Self::WriteTempRest,
        Self::SyncTemp,
        Self::Rename,
        Self::SyncFolder,
    ];
}

/// Called before each step of a write; an error aborts the write there, as a crash or a
/// failing disk would. For tests.
pub trait WriteHook: Send + Sync {
    fn before(&self, step: WriteStep) -> io::Result<()>;
}

/// Writes files atomically with backups. Cheap to clone.
#[derive(Clone)]
pub struct AtomicWriter {
    keep_backups: usize,
    hook: Option<Arc<dyn WriteHook>>,
}

impl fmt::Debug for AtomicWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicWriter")
            .field("keep_backups", &self.keep_backups)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl Default for AtomicWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// What a successful write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    /// The backup of the previous content, if there was a file.
    pub backup: Option<PathBuf>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl AtomicWriter {
    pub fn new() -> Self {
        Self {
            keep_backups: DEFAULT_KEEP_BACKUPS,
            hook: None,
        }
    }

    /// Keep the newest `count` backups per file (at least 1).
    pub fn keep_backups(mut self, count: usize) -> Self {
        self.keep_backups = count.max(1);
        self
    }

    /// Calls `hook` before each step (crash injection in tests).
    pub fn with_hook(mut self, hook: Arc<dyn WriteHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    fn step(&self, step: WriteStep) -> io::Result<()> {
        match &self.hook {
            Some(hook) => hook.before(step),
            None => Ok(()),
        }
    }

    /// Replaces `path`'s content with `contents`, creating the file (and its folder) if
    /// missing. On error the file is as it was.
    pub(crate) fn write(&self, path: &Path, contents: &[u8]) -> io::Result<Written> {
        let path = write_through_symlink(path)?;
        let folder = match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&folder)?;
        let original = match fs::metadata(&path) {
            Ok(metadata) => Some(metadata),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        let backup = match &original {
            Some(metadata) => {
                self.step(WriteStep::Backup)?;
                Some(self.back_up(&path, metadata)?)
            }
            None => None,
        };

        self.step(WriteStep::CreateTemp)?;
        let temp = temp_path(&path);
        let result = self
            .write_temp(&temp, contents, original.as_ref())
            .and_then(|()| {
                self.step(WriteStep::Rename)?;
                fs::rename(&temp, &path)
            });
        if let Err(error) = result {
            // Best effort: the temp file is ours and must not linger.
            let _ = fs::remove_file(&temp);
            return Err(error);
        }

        // The new content is in place. A failing folder sync leaves it there but perhaps
        // not durable across a power cut: worth a warning, not a failure.
        if let Err(error) = self
            .step(WriteStep::SyncFolder)
            .and_then(|()| sync_folder(&folder))
        {
            tracing::warn!(path = %path.display(), %error, "could not fsync the folder after writing");
        }
        if let Err(error) = prune_backups(&path, self.keep_backups) {
            tracing::warn!(path = %path.display(), %error, "could not remove old backups");
        }
        if let Err(error) = remove_stale_temps(&path) {
            tracing::warn!(path = %path.display(), %error, "could not remove stale temp files");
        }
        Ok(Written { backup })
    }

    fn write_temp(
        &self,
        temp: &Path,
        contents: &[u8],
        original: Option<&fs::Metadata>,
    ) -> io::Result<()> {
        let mut file = create_new(temp, original)?;
        self.step(WriteStep::WriteTemp)?;
        let half = contents.len() / 2;
        file.write_all(&contents[..half])?;
        self.step(WriteStep::WriteTempRest)?;
        file.write_all(&contents[half..])?;
        self.step(WriteStep::SyncTemp)?;
        file.sync_all()?;
        if let Some(metadata) = original {
            fs::set_permissions(temp, metadata.permissions())?;
        }
        Ok(())
    }

    /// Copies the file to a fresh backup name through a temp file, so a backup is either
    /// complete or absent.
    fn back_up(&self, path: &Path, metadata: &fs::Metadata) -> io::Result<PathBuf> {
        let backup = free_backup_path(path, SystemTime::now())?;
        let temp = temp_path(path);
        let result = (|| {
            let mut source = File::open(path)?;
            let mut copy = create_new(&temp, Some(metadata))?;
            io::copy(&mut source, &mut copy)?;
            copy.sync_all()?;
            fs::set_permissions(&temp, metadata.permissions())?;
            fs::rename(&temp, &backup)
        })();
        if let Err(error) = result {
            let _ = fs::remove_file(&temp);
            return Err(error);
        }
        Ok(backup)
    }
}

/// A config file that is a symlink (a dotfiles repo) is written through: the link stays,
/// its target gets the new content.
fn write_through_symlink(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => Ok(target),
            // A dangling link: write where it points.
            Err(_) => {
                let link = fs::read_link(path)?;
                Ok(match path.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                })
            }
        },
        _ => Ok(path.to_path_buf()),
    }
}

/// Creates `path` exclusively, private to the user on Unix (the original's mode is set
/// once written).
fn create_new(path: &Path, original: Option<&fs::Metadata>) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        // New files hold what may be a bearer token: owner-only unless the original said
        // otherwise.
        let mode = original.map_or(0o600, |m| m.permissions().mode() & 0o777);
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = original;
    options.open(path)
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    path.with_file_name(format!(
        ".{name}{TEMP_INFIX}{}-{n}-{nanos}",
        std::process::id()
    ))
}

fn free_backup_path(path: &Path, now: SystemTime) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamp = utc_stamp(now);
    for n in 0..1000 {
        let candidate = if n == 0 {
            path.with_file_name(format!("{name}{BACKUP_INFIX}{stamp}"))
        } else {
            path.with_file_name(format!("{name}{BACKUP_INFIX}{stamp}-{n}"))
        };
        if fs::symlink_metadata(&candidate).is_err() {
            return Ok(candidate);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "too many backups with the same timestamp",
    ))
}

/// The backups of `path`, oldest first.
pub(crate) fn backups_of(path: &Path) -> io::Result<Vec<PathBuf>> {
    let Some(folder) = path.parent() else {
        return Ok(Vec::new());
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let prefix = format!(
        "{}{BACKUP_INFIX}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let mut backups: Vec<PathBuf> = fs::read_dir(folder)?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .map(|entry| entry.path())
        .collect();
    // Timestamps sort as text; `-n` suffixes within one millisecond sort after it.
    backups.sort_by_key(|p| backup_sort_key(p, &prefix));
    Ok(backups)
}

fn backup_sort_key(path: &Path, prefix: &str) -> (String, u32) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rest = name.strip_prefix(prefix).unwrap_or(&name);
    match rest.split_once("Z-") {
        Some((stamp, n)) => (format!("{stamp}Z"), n.parse().unwrap_or(0)),
        None => (rest.to_owned(), 0),
    }
}

fn prune_backups(path: &Path, keep: usize) -> io::Result<()> {
    let backups = backups_of(path)?;
    let excess = backups.len().saturating_sub(keep);
    for old in &backups[..excess] {
        fs::remove_file(old)?;
    }
    Ok(())
}

/// Temp files older than this were left by a writer that died (a write takes
/// milliseconds); younger ones may belong to a writer at work.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes temp files of `path` that a crashed writer left behind.
fn remove_stale_temps(path: &Path) -> io::Result<()> {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let prefix = format!(".{}{TEMP_INFIX}", name.to_string_lossy());
    let now = SystemTime::now();
    for entry in fs::read_dir(folder)?.filter_map(Result::ok) {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok());
        if age.is_some_and(|age| age >= STALE_TEMP_AGE) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    // Windows cannot open a folder for fsync; NTFS journals the rename.
    Ok(())
}

/// `yyyymmddThhmmss.mmmZ` in UTC: sorts as text, has no `:` (not allowed in Windows file
/// names).
pub(crate) fn utc_stamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn stamps_are_utc_and_sortable() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000.000Z");
        let leap = UNIX_EPOCH + Duration::from_millis(951_782_400_123); // 2000-02-29
        assert_eq!(utc_stamp(leap), "20000229T000000.123Z");
        let later = UNIX_EPOCH + Duration::from_secs(1_795_000_000); // 2026-11-18 11:06:40 UTC
        assert_eq!(utc_stamp(later), "20261118T110640.000Z");
        assert!(utc_stamp(leap) < utc_stamp(later));
    }

    #[test]
    fn backups_with_a_counter_sort_after_their_millisecond() {
        let prefix = "a.json.switchboard-backup-";
        let first = backup_sort_key(
            Path::new("a.json.switchboard-backup-20260101T000000.000Z"),
            prefix,
        );
        let second = backup_sort_key(
            Path::new("a.json.switchboard-backup-20260101T000000.000Z-2"),
            prefix,
        );
        let third = backup_sort_key(
            Path::new("a.json.switchboard-backup-20260101T000000.000Z-10"),
            prefix,
        );
        let next = backup_sort_key(
            Path::new("a.json.switchboard-backup-20260101T000000.001Z"),
            prefix,
        );
        assert!(first < second && second < third && third < next);
    }
}
