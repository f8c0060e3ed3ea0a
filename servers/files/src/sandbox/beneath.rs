//! Opening paths beneath a granted folder on Unix, on file descriptors.
//!
//! Owns: the grant-relative open (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`
//! on Linux, and a name-by-name walker with `O_NOFOLLOW` and explicit symlink expansion
//! everywhere, used when `openat2` is missing, forbidden or refuses), and [`Dir`], the
//! descriptor of a folder that writes, listings and walks work on by single names. Must not
//! open anything by a full path except a grant's own folder, and must never let a symlink,
//! `..` or an absolute link target lead out of the grant.

use std::{
    collections::{VecDeque, hash_map::RandomState},
    ffi::{OsStr, OsString},
    fs::File,
    hash::{BuildHasher, Hasher},
    io,
    os::unix::ffi::{OsStrExt, OsStringExt},
    path::{Path, PathBuf},
};

use rustix::{
    fd::{AsFd, BorrowedFd, OwnedFd},
    fs::{AtFlags, FileType, Mode, OFlags},
    io::Errno,
};

use super::{Intent, Kind, Located, Meta, SandboxError, handle::Entry, rules::Grant};

/// Flags that open a folder only to walk through it or to use it as a base for `*at`
/// calls (no read permission needed on Linux).
#[cfg(any(target_os = "linux", target_os = "android"))]
const THROUGH: OFlags = OFlags::PATH.union(OFlags::DIRECTORY);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const THROUGH: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY);

/// A folder opened for listing, syncing and creating files in.
const READ_DIR: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY);

/// A file opened for reading: never blocks on a FIFO, never becomes a controlling tty.
const READ_FILE: OFlags = OFlags::RDONLY.union(OFlags::NONBLOCK).union(OFlags::NOCTTY);

/// For metadata of anything without reading it.
#[cfg(any(target_os = "linux", target_os = "android"))]
const INSPECT: OFlags = OFlags::PATH;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const INSPECT: OFlags = READ_FILE;

/// Most symlinks expanded in one resolution (Linux's own limit).
const MAX_LINK_HOPS: usize = 40;
/// Most names pending in one resolution (bounds what link targets can expand to).
const MAX_PENDING: usize = 4096;

/// Why a walk stopped.
#[derive(Debug)]
pub(crate) enum WalkError {
    /// A symlink (named, relative to the grant) leads out of the grant.
    Escape { link: PathBuf },
    /// Too many symlinks.
    Loop,
    /// The operating system refused.
    Io(io::Error),
}

impl From<Errno> for WalkError {
    fn from(errno: Errno) -> Self {
        WalkError::Io(errno.into())
    }
}

impl WalkError {
    fn into_sandbox(self, located: &Located) -> SandboxError {
        match self {
            WalkError::Escape { link } => {
                let link = located.grant().folder.path.join(link);
                let path = located.display();
                let granted = located.granted().to_owned();
                if link == located.path() {
                    SandboxError::IsLinkOutside { path, granted }
                } else {
                    SandboxError::LinkOutside {
                        path,
                        link: link.display().to_string(),
                        granted,
                    }
                }
            }
            WalkError::Loop => SandboxError::LinkLoop {
                path: located.display(),
            },
            WalkError::Io(error) => SandboxError::from_io(located.display(), error),
        }
    }
}

/// Opens a grant's own folder by its real path ([`Located::root`]), following no symbolic
/// link on the way: the real path has none, so a link there now means a folder on it was
/// replaced since the grants were set, and the grant is refused rather than followed.
/// Everything below the folder is opened relative to this descriptor.
fn open_root(located: &Located) -> Result<OwnedFd, SandboxError> {
    let real = located.root()?;
    open_without_links(&real).map_err(|errno| match errno {
        Errno::LOOP | Errno::NOTDIR | Errno::MLINK => SandboxError::GrantReplaced {
            folder: located.grant().folder.path.display().to_string(),
        },
        errno => SandboxError::GrantUnavailable {
            folder: located.grant().folder.path.display().to_string(),
            source: errno.into(),
        },
    })
}

/// Opens the folder at the absolute path `real`, refusing (`ELOOP` or `ENOTDIR`) if any
/// name on it is a symbolic link.
fn open_without_links(real: &Path) -> Result<OwnedFd, Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::ResolveFlags;
        match rustix::fs::openat2(
            rustix::fs::CWD,
            real,
            THROUGH | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
        ) {
            // No `openat2` (old kernel, seccomp filter): name by name below.
            Err(Errno::NOSYS | Errno::PERM | Errno::AGAIN) => {}
            result => return result,
        }
    }
    let mut fd = rustix::fs::open("/", THROUGH | OFlags::CLOEXEC, Mode::empty())?;
    for component in real.components() {
        let std::path::Component::Normal(name) = component else {
            continue;
        };
        fd = rustix::fs::openat(
            &fd,
            name,
            THROUGH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
    }
    Ok(fd)
}

/// Opens `names` beneath `root` with `flags` for the last name.
fn open_beneath(
    root: BorrowedFd<'_>,
    grant: &Grant,
    names: &[String],
    flags: OFlags,
) -> Result<OwnedFd, WalkError> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(result) = open_kernel_beneath(root, names, flags) {
        return result;
    }
    walk(root, grant, names, flags).map(|walked| walked.fd)
}

/// The one-syscall path: the kernel resolves beneath `root` and refuses any escape. `None`
/// when the walker must decide (no `openat2`, a seccomp filter, or a refusal the walker can
/// explain or allow, such as an absolute symlink that points back inside).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn open_kernel_beneath(
    root: BorrowedFd<'_>,
    names: &[String],
    flags: OFlags,
) -> Option<Result<OwnedFd, WalkError>> {
    use rustix::fs::ResolveFlags;
    let path = if names.is_empty() {
        ".".to_owned()
    } else {
        names.join("/")
    };
    match rustix::fs::openat2(
        root,
        path.as_str(),
        flags | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
    ) {
        Ok(fd) => Some(Ok(fd)),
        Err(
            Errno::XDEV | Errno::LOOP | Errno::NOSYS | Errno::PERM | Errno::INVAL | Errno::AGAIN,
        ) => None,
        Err(errno) => Some(Err(errno.into())),
    }
}

/// What a walk opened, and the real names that lead to it from the grant's folder.
#[derive(Debug)]
pub(crate) struct Walked {
    pub(crate) fd: OwnedFd,
    pub(crate) real: Vec<OsString>,
}

/// Resolves `names` beneath `root` one name at a time, never letting the kernel follow a
/// symlink: each link is read and its target queued, `..` pops a folder this walk opened
/// (and refuses to pop the grant's own), and an absolute target must name a place inside
/// the grant, which is then walked from the grant's descriptor.
pub(crate) fn walk(
    root: BorrowedFd<'_>,
    grant: &Grant,
    names: &[String],
    flags: OFlags,
) -> Result<Walked, WalkError> {
    let mut pending: VecDeque<OsString> = names.iter().map(OsString::from).collect();
    // Folders opened so far, below the root, with their names.
    let mut stack: Vec<(OwnedFd, OsString)> = Vec::new();
    let mut hops = 0usize;
    let mut last_link = PathBuf::new();

    while let Some(name) = pending.pop_front() {
        let is_last = pending.is_empty();
        if name.is_empty() || name == "." {
            continue;
        }
        if name == ".." {
            if stack.pop().is_none() {
                return Err(WalkError::Escape { link: last_link });
            }
            continue;
        }
        let here = stack.last().map_or(root, |(fd, _)| fd.as_fd());
        let attempt = if is_last {
            rustix::fs::openat(
                here,
                name.as_os_str(),
                flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
        } else {
            rustix::fs::openat(
                here,
                name.as_os_str(),
                THROUGH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
        };
        let opened_link = match &attempt {
            // O_PATH | O_NOFOLLOW opens a symlink itself rather than failing.
            Ok(fd) if is_last && opens_links(flags) && is_symlink(fd.as_fd()) => true,
            Ok(_) => false,
            Err(Errno::LOOP | Errno::NOTDIR | Errno::MLINK) => true,
            Err(_) => false,
        };
        if !opened_link {
            let fd = attempt?;
            if is_last {
                let mut real: Vec<OsString> = stack.into_iter().map(|(_, n)| n).collect();
                real.push(name);
                return Ok(Walked { fd, real });
            }
            stack.push((fd, name));
            continue;
        }
        // Maybe a symlink: read it (fails with EINVAL when it is not one).
        let target = match rustix::fs::readlinkat(here, name.as_os_str(), Vec::new()) {
            Ok(target) => target.into_bytes(),
            Err(Errno::INVAL) => {
                return Err(match attempt {
                    Err(errno) => errno.into(),
                    Ok(_) => WalkError::Io(io::Error::from(io::ErrorKind::NotADirectory)),
                });
            }
            Err(errno) => return Err(errno.into()),
        };
        hops += 1;
        if hops > MAX_LINK_HOPS {
            return Err(WalkError::Loop);
        }
        last_link = stack.iter().map(|(_, n)| n.as_os_str()).collect();
        last_link.push(&name);
        let target = PathBuf::from(OsString::from_vec(target));
        let mut queued: Vec<OsString> = if target.is_absolute() {
            let Some(inside) = strip_grant(grant, &target) else {
                return Err(WalkError::Escape { link: last_link });
            };
            stack.clear();
            inside
        } else {
            target
                .components()
                .map(|c| c.as_os_str().to_os_string())
                .collect()
        };
        if pending.len() + queued.len() > MAX_PENDING {
            return Err(WalkError::Loop);
        }
        while let Some(component) = queued.pop() {
            pending.push_front(component);
        }
        if pending.is_empty() {
            // A link to "." or to the grant itself: the target is the current folder.
            pending.push_back(OsString::from("."));
        }
    }
    // The walk ended on a folder reached through "." or "..": open it with the final flags.
    let here = stack.last().map_or(root, |(fd, _)| fd.as_fd());
    let fd = rustix::fs::openat(here, ".", flags | OFlags::CLOEXEC, Mode::empty())?;
    Ok(Walked {
        fd,
        real: stack.into_iter().map(|(_, n)| n).collect(),
    })
}

/// Whether opening with `flags` and `O_NOFOLLOW` opens a symlink itself (Linux `O_PATH`)
/// instead of failing.
fn opens_links(flags: OFlags) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        flags.contains(OFlags::PATH)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = flags;
        false
    }
}

fn is_symlink(fd: BorrowedFd<'_>) -> bool {
    rustix::fs::fstat(fd)
        .map(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
        .unwrap_or(false)
}

/// The names of an absolute link target beneath the grant, if it lies inside it (by the
/// grant's own spelling or its real one). Lexical: `..` in the target is kept as a name and
/// walked, never applied to the text.
fn strip_grant(grant: &Grant, target: &Path) -> Option<Vec<OsString>> {
    for root in std::iter::once(grant.folder.path.as_path()).chain(grant.canonical.as_deref()) {
        if let Ok(inside) = target.strip_prefix(root) {
            return Some(
                inside
                    .components()
                    .map(|c| c.as_os_str().to_os_string())
                    .collect(),
            );
        }
    }
    None
}

pub(crate) fn open_file(located: &Located) -> Result<File, SandboxError> {
    let root = open_root(located)?;
    open_beneath(root.as_fd(), located.grant(), &located.rest, READ_FILE)
        .map(File::from)
        .map_err(|e| e.into_sandbox(located))
}

pub(crate) fn open_directory(located: &Located) -> Result<Dir, SandboxError> {
    let root = open_root(located)?;
    open_beneath(root.as_fd(), located.grant(), &located.rest, READ_DIR)
        .map(|fd| Dir { fd })
        .map_err(|e| e.into_sandbox(located))
}

pub(crate) fn metadata(located: &Located) -> Result<std::fs::Metadata, SandboxError> {
    let root = open_root(located)?;
    let fd = open_beneath(root.as_fd(), located.grant(), &located.rest, INSPECT)
        .map_err(|e| e.into_sandbox(located))?;
    File::from(fd)
        .metadata()
        .map_err(|e| SandboxError::from_io(located.display(), e))
}

pub(crate) fn open_parent(located: &Located) -> Result<Dir, SandboxError> {
    let root = open_root(located)?;
    let parent = &located.rest[..located.rest.len().saturating_sub(1)];
    open_beneath(root.as_fd(), located.grant(), parent, READ_DIR)
        .map(|fd| Dir { fd })
        .map_err(|e| e.into_sandbox(located))
}

pub(crate) fn create_directories(located: &Located) -> Result<Vec<String>, SandboxError> {
    let root = open_root(located)?;
    let grant = located.grant();
    let mut current =
        open_beneath(root.as_fd(), grant, &[], READ_DIR).map_err(|e| e.into_sandbox(located))?;
    let mut created = Vec::new();
    for depth in 1..=located.rest.len() {
        let names = &located.rest[..depth];
        let name = &located.rest[depth - 1];
        let step = Located {
            rest: names.to_vec(),
            ..located.clone()
        };
        match open_beneath(root.as_fd(), grant, names, READ_DIR) {
            Ok(fd) => current = fd,
            Err(WalkError::Io(error)) if error.kind() == io::ErrorKind::NotFound => {
                match rustix::fs::mkdirat(&current, name.as_str(), Mode::from_bits_truncate(0o777))
                {
                    Ok(()) => created.push(step.display()),
                    Err(Errno::EXIST) => {}
                    Err(errno) => return Err(SandboxError::from_io(step.display(), errno.into())),
                }
                current = rustix::fs::openat(
                    &current,
                    name.as_str(),
                    READ_DIR | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|errno| match errno {
                    Errno::LOOP | Errno::NOTDIR | Errno::MLINK => SandboxError::LinkNotFollowed {
                        path: step.display(),
                    },
                    errno => SandboxError::from_io(step.display(), errno.into()),
                })?;
            }
            Err(WalkError::Io(error)) if error.kind() == io::ErrorKind::NotADirectory => {
                return Err(SandboxError::NotADirectory {
                    path: step.display(),
                });
            }
            Err(error) => return Err(error.into_sandbox(&step)),
        }
    }
    Ok(created)
}

pub(crate) fn real_path(located: &Located, intent: Intent) -> Result<PathBuf, SandboxError> {
    let grant = located.grant();
    let base = located.root()?;
    let root = open_root(located)?;
    let join = |real: Vec<OsString>| {
        let mut path = base.clone();
        path.extend(real);
        path
    };
    match intent {
        Intent::Read => {
            let walked = walk(root.as_fd(), grant, &located.rest, INSPECT)
                .map_err(|e| e.into_sandbox(located))?;
            check_in_place(located, Meta::of_fd(walked.fd.as_fd()))?;
            Ok(join(walked.real))
        }
        Intent::Write => {
            let Some((name, parent)) = located.rest.split_last() else {
                return Err(SandboxError::GrantRoot {
                    path: located.display(),
                });
            };
            let walked =
                walk(root.as_fd(), grant, parent, THROUGH).map_err(|e| e.into_sandbox(located))?;
            match rustix::fs::statat(&walked.fd, name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => check_in_place(located, Ok(Meta::from_stat(&stat)))?,
                Err(Errno::NOENT) => {}
                Err(errno) => return Err(SandboxError::from_io(located.display(), errno.into())),
            }
            let mut real = walked.real;
            real.push(OsString::from(name));
            Ok(join(real))
        }
        Intent::Create => {
            // The longest part that exists must resolve beneath the grant.
            for split in (0..=located.rest.len()).rev() {
                match walk(root.as_fd(), grant, &located.rest[..split], THROUGH) {
                    Ok(walked) => {
                        let mut real = walked.real;
                        real.extend(located.rest[split..].iter().map(OsString::from));
                        return Ok(join(real));
                    }
                    Err(WalkError::Io(e)) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(error) => return Err(error.into_sandbox(located)),
                }
            }
            Err(SandboxError::NotFound {
                path: located.display(),
            })
        }
    }
}

/// For callers that open a path themselves and may write in place: refuse links and
/// multiply-linked files at the last name.
fn check_in_place(located: &Located, meta: io::Result<Meta>) -> Result<(), SandboxError> {
    let meta = meta.map_err(|e| SandboxError::from_io(located.display(), e))?;
    match meta.kind {
        Kind::Symlink => Err(SandboxError::LinkNotFollowed {
            path: located.display(),
        }),
        Kind::File if meta.links > 1 => Err(SandboxError::HardLinked {
            path: located.display(),
            links: meta.links,
        }),
        Kind::File | Kind::Directory => Ok(()),
        other => Err(SandboxError::NotRegular {
            path: located.display(),
            kind: other.describe(),
        }),
    }
}

/// An open folder inside a grant. Everything done through it names a single entry, so
/// nothing done through it can leave the folder.
#[derive(Debug)]
pub(crate) struct Dir {
    fd: OwnedFd,
}

impl Dir {
    /// Opens a regular-file candidate for reading without following a symlink.
    pub(crate) fn open_file(&self, name: &str) -> io::Result<File> {
        rustix::fs::openat(
            &self.fd,
            name,
            READ_FILE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map(File::from)
        .map_err(io::Error::from)
    }

    /// Metadata of an entry itself (a symlink is reported as a symlink).
    pub(crate) fn entry_meta(&self, name: &str) -> io::Result<Meta> {
        rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .map(|st| Meta::from_stat(&st))
            .map_err(io::Error::from)
    }

    /// Opens a sub-folder; a symlink is not followed.
    pub(crate) fn subdir(&self, name: &str) -> io::Result<Dir> {
        rustix::fs::openat(
            &self.fd,
            name,
            READ_DIR | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map(|fd| Dir { fd })
        .map_err(io::Error::from)
    }

    /// Creates a new, empty file with a random hidden name, for writing then renaming.
    pub(crate) fn create_temp(&self, mode: u32) -> io::Result<(File, String)> {
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for _ in 0..8 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u32(std::process::id());
            let name = format!(".sb-{:016x}.tmp", hasher.finish());
            match rustix::fs::openat(
                &self.fd,
                name.as_str(),
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_bits_truncate(mode),
            ) {
                Ok(fd) => return Ok((File::from(fd), name)),
                Err(Errno::EXIST) => last = Errno::EXIST.into(),
                Err(errno) => return Err(errno.into()),
            }
        }
        Err(last)
    }

    /// Renames `from` in this folder to `to` in `target`. Without `replace`, fails with
    /// `AlreadyExists` if `to` exists (atomically where the system supports it).
    pub(crate) fn rename(
        &self,
        from: &str,
        target: &Dir,
        to: &str,
        replace: bool,
    ) -> io::Result<()> {
        if replace {
            return rustix::fs::renameat(&self.fd, from, &target.fd, to).map_err(io::Error::from);
        }
        #[cfg(any(
            target_os = "linux",
            target_os = "android",
            target_os = "macos",
            target_os = "ios"
        ))]
        match rustix::fs::renameat_with(
            &self.fd,
            from,
            &target.fd,
            to,
            rustix::fs::RenameFlags::NOREPLACE,
        ) {
            Ok(()) => return Ok(()),
            // Filesystems without RENAME_NOREPLACE: check, then rename.
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {}
            Err(errno) => return Err(errno.into()),
        }
        match rustix::fs::statat(&target.fd, to, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
            Err(Errno::NOENT) => {
                rustix::fs::renameat(&self.fd, from, &target.fd, to).map_err(io::Error::from)
            }
            Err(errno) => Err(errno.into()),
        }
    }

    /// The target of the symlink `name`, as written in the link.
    pub(crate) fn read_link(&self, name: &str) -> io::Result<PathBuf> {
        rustix::fs::readlinkat(&self.fd, name, Vec::new())
            .map(|target| PathBuf::from(OsString::from_vec(target.into_bytes())))
            .map_err(io::Error::from)
    }

    pub(crate) fn remove_file(&self, name: &str) -> io::Result<()> {
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()).map_err(io::Error::from)
    }

    /// Flushes the folder's entries (after a rename) to disk.
    pub(crate) fn sync(&self) -> io::Result<()> {
        rustix::fs::fsync(&self.fd).map_err(io::Error::from)
    }

    /// Up to `limit` entries (without `.` and `..`), in directory order, and whether more
    /// were left unread.
    pub(crate) fn entries(&self, limit: usize) -> io::Result<(Vec<Entry>, bool)> {
        let mut dir = rustix::fs::Dir::read_from(&self.fd)?;
        let mut entries = Vec::new();
        for entry in dir.by_ref() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            if entries.len() == limit {
                return Ok((entries, true));
            }
            let name = OsStr::from_bytes(name);
            let kind = match entry.file_type() {
                FileType::Unknown => self
                    .entry_meta(&name.to_string_lossy())
                    .map_or(Kind::Other, |m| m.kind),
                other => Kind::from_file_type(other),
            };
            entries.push(Entry {
                name: name.to_string_lossy().into_owned(),
                lossy: std::str::from_utf8(name.as_bytes()).is_err(),
                kind,
            });
        }
        Ok((entries, false))
    }
}

#[cfg(test)]
mod tests {
    use std::{
        io::Read,
        os::unix::fs::symlink,
        sync::{
            Arc,
            atomic::{AtomicBool, Ordering},
        },
    };

    use super::*;
    use crate::sandbox::{Access, Folder, rules::Root};

    struct Tree {
        _root: tempfile::TempDir,
        grant: Grant,
        outside: PathBuf,
    }

    fn tree() -> Tree {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().canonicalize().unwrap();
        let grant = base.join("g");
        let outside = base.join("out");
        std::fs::create_dir_all(grant.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(grant.join("sub/in.txt"), "in").unwrap();
        std::fs::write(outside.join("secret.txt"), "secret").unwrap();
        symlink("sub/in.txt", grant.join("rel_in")).unwrap();
        symlink(grant.join("sub"), grant.join("abs_in")).unwrap();
        symlink("../out", grant.join("rel_out")).unwrap();
        symlink(&outside, grant.join("abs_out")).unwrap();
        symlink("sub/../../out/secret.txt", grant.join("climb")).unwrap();
        symlink("loop2", grant.join("loop1")).unwrap();
        symlink("loop1", grant.join("loop2")).unwrap();
        symlink(".", grant.join("here")).unwrap();
        Tree {
            _root: root,
            grant: Grant::new(Folder::new(&grant, Access::ReadOnly), Root::Real(grant)),
            outside,
        }
    }

    fn names(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    fn walk_to(tree: &Tree, path: &str, flags: OFlags) -> Result<Walked, WalkError> {
        let root = rustix::fs::open(&tree.grant.folder.path, THROUGH, Mode::empty()).unwrap();
        walk(root.as_fd(), &tree.grant, &names(path), flags)
    }

    fn read(walked: Walked) -> String {
        let mut text = String::new();
        File::from(walked.fd).read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn the_walker_follows_links_that_stay_inside_and_reports_real_names() {
        let tree = tree();
        let walked = walk_to(&tree, "rel_in", READ_FILE).unwrap();
        assert_eq!(walked.real, ["sub", "in.txt"]);
        assert_eq!(read(walked), "in");
        let walked = walk_to(&tree, "abs_in/in.txt", READ_FILE).unwrap();
        assert_eq!(
            walked.real,
            ["sub", "in.txt"],
            "absolute link inside the grant"
        );
        let walked = walk_to(&tree, "here/here/sub/in.txt", READ_FILE).unwrap();
        assert_eq!(read(walked), "in");
        let walked = walk_to(&tree, "here", READ_DIR).unwrap();
        assert!(walked.real.is_empty(), "a link to '.' is the grant itself");
    }

    #[test]
    fn the_walker_refuses_links_that_leave_and_loops() {
        let tree = tree();
        for (path, link) in [
            ("rel_out/secret.txt", "rel_out"),
            ("abs_out/secret.txt", "abs_out"),
            ("climb", "climb"),
            ("sub/../rel_out", "rel_out"),
        ] {
            match walk_to(&tree, path, READ_FILE) {
                Err(WalkError::Escape { link: found }) => {
                    assert_eq!(found, PathBuf::from(link), "{path}");
                }
                other => panic!("{path} should escape, got {other:?}"),
            }
        }
        assert!(matches!(
            walk_to(&tree, "loop1", READ_FILE),
            Err(WalkError::Loop)
        ));
        assert!(matches!(
            walk_to(&tree, "sub/in.txt/x", READ_FILE),
            Err(WalkError::Io(e)) if e.kind() == io::ErrorKind::NotADirectory
        ));
        assert!(matches!(
            walk_to(&tree, "nope", READ_FILE),
            Err(WalkError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn the_walker_never_reads_outside_while_a_folder_is_swapped_for_a_link() {
        let tree = tree();
        let grant = tree.grant.folder.path.clone();
        std::fs::write(tree.outside.join("in.txt"), "OUTSIDE").unwrap();
        symlink(&tree.outside, grant.join("alt")).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let stop = Arc::clone(&stop);
            let (a, b) = (grant.join("sub"), grant.join("alt"));
            std::thread::spawn(move || {
                for _ in 0..5_000_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    rustix::fs::renameat_with(
                        rustix::fs::CWD,
                        &a,
                        rustix::fs::CWD,
                        &b,
                        rustix::fs::RenameFlags::EXCHANGE,
                    )
                    .unwrap();
                }
            })
        };
        let (mut inside, mut refused) = (0, 0);
        for _ in 0..20_000 {
            match walk_to(&tree, "sub/in.txt", READ_FILE) {
                Ok(walked) => {
                    assert_eq!(read(walked), "in", "read outside through a swapped folder");
                    inside += 1;
                }
                Err(_) => refused += 1,
            }
        }
        stop.store(true, Ordering::Relaxed);
        swapper.join().unwrap();
        assert!(
            inside > 0 && refused > 0,
            "both states met: {inside} / {refused}"
        );
    }
}
