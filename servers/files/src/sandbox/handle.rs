//! What an opened path looks like to the rest of the crate: [`Meta`], [`Kind`], [`Entry`],
//! and the platform's opener ([`beneath`](super::beneath) on Unix,
//! [`portable`](super::portable) elsewhere) behind one set of names.
//!
//! Owns: the platform-neutral metadata types. Must not open anything itself.

use std::{fs::File, io, time::SystemTime};

#[cfg(unix)]
pub(crate) use super::beneath::{
    Dir, create_directories, metadata, open_directory, open_file, open_parent, real_path,
};
#[cfg(not(unix))]
pub(crate) use super::portable::{
    Dir, create_directories, metadata, open_directory, open_file, open_parent, real_path,
};

/// What kind of thing a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl Kind {
    /// A short noun for messages and results.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Directory => "directory",
            Kind::Symlink => "symlink",
            Kind::Fifo => "FIFO (named pipe)",
            Kind::Socket => "socket",
            Kind::CharDevice => "character device",
            Kind::BlockDevice => "block device",
            Kind::Other => "special file",
        }
    }

    pub(crate) fn from_std(file_type: std::fs::FileType) -> Kind {
        if file_type.is_file() {
            return Kind::File;
        }
        if file_type.is_dir() {
            return Kind::Directory;
        }
        if file_type.is_symlink() {
            return Kind::Symlink;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Kind::Fifo;
            }
            if file_type.is_socket() {
                return Kind::Socket;
            }
            if file_type.is_char_device() {
                return Kind::CharDevice;
            }
            if file_type.is_block_device() {
                return Kind::BlockDevice;
            }
        }
        Kind::Other
    }

    #[cfg(unix)]
    pub(crate) fn from_file_type(file_type: rustix::fs::FileType) -> Kind {
        use rustix::fs::FileType;
        match file_type {
            FileType::RegularFile => Kind::File,
            FileType::Directory => Kind::Directory,
            FileType::Symlink => Kind::Symlink,
            FileType::Fifo => Kind::Fifo,
            FileType::Socket => Kind::Socket,
            FileType::CharacterDevice => Kind::CharDevice,
            FileType::BlockDevice => Kind::BlockDevice,
            _ => Kind::Other,
        }
    }
}

/// The facts about a file the tools decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) kind: Kind,
    pub(crate) len: u64,
    /// Hard links to the same file.
    pub(crate) links: u64,
    /// Permission bits (`0o644`); on Windows `0o444` or `0o666` from the read-only flag.
    pub(crate) mode: u32,
    pub(crate) modified: Option<SystemTime>,
    /// Device and inode, to notice a file replaced behind our back (0 where unknown).
    pub(crate) device: u64,
    pub(crate) inode: u64,
}

impl Meta {
    pub(crate) fn of_file(file: &File) -> io::Result<Meta> {
        file.metadata().map(|m| Meta::from_std(&m))
    }

    pub(crate) fn from_std(metadata: &std::fs::Metadata) -> Meta {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Meta {
                kind: Kind::from_std(metadata.file_type()),
                len: metadata.len(),
                links: metadata.nlink(),
                mode: metadata.mode() & 0o7777,
                modified: metadata.modified().ok(),
                device: metadata.dev(),
                inode: metadata.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            Meta {
                kind: Kind::from_std(metadata.file_type()),
                len: metadata.len(),
                links: 1,
                mode: if metadata.permissions().readonly() {
                    0o444
                } else {
                    0o666
                },
                modified: metadata.modified().ok(),
                device: 0,
                inode: 0,
            }
        }
    }

    #[cfg(unix)]
    pub(crate) fn of_fd(fd: rustix::fd::BorrowedFd<'_>) -> io::Result<Meta> {
        rustix::fs::fstat(fd)
            .map(|st| Meta::from_stat(&st))
            .map_err(io::Error::from)
    }

    #[cfg(unix)]
    #[allow(clippy::unnecessary_cast)] // field types differ between platforms
    pub(crate) fn from_stat(stat: &rustix::fs::Stat) -> Meta {
        let modified = u64::try_from(stat.st_mtime).ok().map(|secs| {
            SystemTime::UNIX_EPOCH
                + std::time::Duration::new(secs, u32::try_from(stat.st_mtime_nsec).unwrap_or(0))
        });
        Meta {
            kind: Kind::from_file_type(rustix::fs::FileType::from_raw_mode(stat.st_mode)),
            len: u64::try_from(stat.st_size).unwrap_or(0),
            links: stat.st_nlink as u64,
            mode: (stat.st_mode as u32) & 0o7777,
            modified,
            device: stat.st_dev as u64,
            inode: stat.st_ino as u64,
        }
    }

    /// Whether the owner may write the file (its read-only bit, on Windows).
    pub(crate) fn owner_writable(&self) -> bool {
        self.mode & 0o200 != 0
    }
}

/// One entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    /// The name is not valid UTF-8; `name` is a lossy rendering that can't be opened.
    pub(crate) lossy: bool,
    pub(crate) kind: Kind,
}
