//! Opening paths beneath a granted folder where there are no `*at` calls (Windows and
//! other non-Unix systems).
//!
//! Owns: the same openers as `beneath`, by path: the target is resolved with
//! `canonicalize` (which follows links and junctions) and must lie under the grant's own
//! resolved folder; links at a name are refused for writes and not followed in walks. Must
//! not be used on Unix, where the descriptor-based `beneath` closes the window between the
//! check and the open that this fallback leaves.

use std::{
    collections::hash_map::RandomState,
    fs::{self, File},
    hash::{BuildHasher, Hasher},
    io,
    path::PathBuf,
};

use super::{Intent, Kind, Located, Meta, SandboxError, handle::Entry};

/// The grant's real folder as found when the grants were set; refused when the folder
/// there now resolves elsewhere (a link or junction put in its place since).
fn grant_root(located: &Located) -> Result<PathBuf, SandboxError> {
    let real = located.root()?;
    let folder = &located.grant().folder.path;
    let now = fs::canonicalize(&real).map_err(|source| SandboxError::GrantUnavailable {
        folder: folder.display().to_string(),
        source,
    })?;
    if now != real {
        return Err(SandboxError::GrantReplaced {
            folder: folder.display().to_string(),
        });
    }
    Ok(real)
}

/// The real path of `names` beneath the grant, refused if it resolves outside.
fn checked(located: &Located, names: &[String]) -> Result<PathBuf, SandboxError> {
    let root = grant_root(located)?;
    let mut path = root.clone();
    path.extend(names);
    let real = fs::canonicalize(&path).map_err(|e| SandboxError::from_io(located.display(), e))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(SandboxError::LinkOutside {
            path: located.display(),
            link: located.display(),
            granted: located.granted().to_owned(),
        })
    }
}

pub(crate) fn open_file(located: &Located) -> Result<File, SandboxError> {
    let real = checked(located, &located.rest)?;
    File::open(real).map_err(|e| SandboxError::from_io(located.display(), e))
}

pub(crate) fn open_directory(located: &Located) -> Result<Dir, SandboxError> {
    let path = checked(located, &located.rest)?;
    if !fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false) {
        return Err(SandboxError::NotADirectory {
            path: located.display(),
        });
    }
    Ok(Dir { path })
}

pub(crate) fn metadata(located: &Located) -> Result<fs::Metadata, SandboxError> {
    let real = checked(located, &located.rest)?;
    fs::metadata(real).map_err(|e| SandboxError::from_io(located.display(), e))
}

pub(crate) fn open_parent(located: &Located) -> Result<Dir, SandboxError> {
    let parent = &located.rest[..located.rest.len().saturating_sub(1)];
    Ok(Dir {
        path: checked(located, parent)?,
    })
}

pub(crate) fn create_directories(located: &Located) -> Result<Vec<String>, SandboxError> {
    let mut created = Vec::new();
    for depth in 1..=located.rest.len() {
        let step = Located {
            rest: located.rest[..depth].to_vec(),
            ..located.clone()
        };
        match checked(located, &step.rest) {
            Ok(path) if path.is_dir() => {}
            Ok(_) => {
                return Err(SandboxError::NotADirectory {
                    path: step.display(),
                });
            }
            Err(SandboxError::NotFound { .. }) => {
                let parent = checked(located, &located.rest[..depth - 1])?;
                match fs::create_dir(parent.join(&located.rest[depth - 1])) {
                    Ok(()) => created.push(step.display()),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(SandboxError::from_io(step.display(), e)),
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(created)
}

pub(crate) fn real_path(located: &Located, intent: Intent) -> Result<PathBuf, SandboxError> {
    match intent {
        Intent::Read => checked(located, &located.rest),
        Intent::Write => {
            let Some((name, parent)) = located.rest.split_last() else {
                return Err(SandboxError::GrantRoot {
                    path: located.display(),
                });
            };
            let dir = checked(located, parent)?;
            let path = dir.join(name);
            if let Ok(meta) = fs::symlink_metadata(&path) {
                if meta.file_type().is_symlink() {
                    return Err(SandboxError::LinkNotFollowed {
                        path: located.display(),
                    });
                }
            }
            Ok(path)
        }
        Intent::Create => {
            for split in (0..=located.rest.len()).rev() {
                match checked(located, &located.rest[..split]) {
                    Ok(mut path) => {
                        path.extend(&located.rest[split..]);
                        return Ok(path);
                    }
                    Err(SandboxError::NotFound { .. }) => continue,
                    Err(error) => return Err(error),
                }
            }
            Err(SandboxError::NotFound {
                path: located.display(),
            })
        }
    }
}

/// An open folder inside a grant (by its checked path).
#[derive(Debug)]
pub(crate) struct Dir {
    path: PathBuf,
}

impl Dir {
    fn not_a_link(&self, name: &str) -> io::Result<PathBuf> {
        let path = self.path.join(name);
        if fs::symlink_metadata(&path)?.file_type().is_symlink() {
            return Err(io::Error::other("is a symbolic link"));
        }
        Ok(path)
    }

    pub(crate) fn open_file(&self, name: &str) -> io::Result<File> {
        File::open(self.not_a_link(name)?)
    }

    pub(crate) fn entry_meta(&self, name: &str) -> io::Result<Meta> {
        fs::symlink_metadata(self.path.join(name)).map(|m| Meta::from_std(&m))
    }

    pub(crate) fn subdir(&self, name: &str) -> io::Result<Dir> {
        let path = self.not_a_link(name)?;
        if !path.is_dir() {
            return Err(io::Error::from(io::ErrorKind::NotADirectory));
        }
        Ok(Dir { path })
    }

    pub(crate) fn create_temp(&self, _mode: u32) -> io::Result<(File, String)> {
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        for _ in 0..8 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u32(std::process::id());
            let name = format!(".sb-{:016x}.tmp", hasher.finish());
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path.join(&name))
            {
                Ok(file) => return Ok((file, name)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    pub(crate) fn rename(
        &self,
        from: &str,
        target: &Dir,
        to: &str,
        replace: bool,
    ) -> io::Result<()> {
        let destination = target.path.join(to);
        if !replace && fs::symlink_metadata(&destination).is_ok() {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        fs::rename(self.path.join(from), destination)
    }

    pub(crate) fn read_link(&self, name: &str) -> io::Result<PathBuf> {
        fs::read_link(self.path.join(name))
    }

    pub(crate) fn remove_file(&self, name: &str) -> io::Result<()> {
        fs::remove_file(self.path.join(name))
    }

    pub(crate) fn sync(&self) -> io::Result<()> {
        Ok(())
    }

    pub(crate) fn entries(&self, limit: usize) -> io::Result<(Vec<Entry>, bool)> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(&self.path)? {
            let entry = entry?;
            if entries.len() == limit {
                return Ok((entries, true));
            }
            let name = entry.file_name();
            let kind = entry.file_type().map_or(Kind::Other, Kind::from_std);
            entries.push(Entry {
                lossy: name.to_str().is_none(),
                name: name.to_string_lossy().into_owned(),
                kind,
            });
        }
        Ok((entries, false))
    }
}
