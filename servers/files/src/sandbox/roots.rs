//! Where each granted folder really is.
//!
//! Owns: resolving a grant's own path to its real path, when the grants are set (and on use
//! while it can't be found), by one rule: a symbolic link met on the way that lies inside a
//! read-write grant must stay inside that grant. A grant's path is the user's choice, so
//! links in it are followed; but a link inside a read-write grant may have been put there
//! by a model (move a granted folder away, move a link into its place), and following it
//! would let the files of one grant redirect another out of every grant. Must not open
//! anything inside a grant (that is `beneath`'s and `portable`'s).

use std::{
    io,
    path::{Component, Path, PathBuf},
};

use super::rules::Root;

/// Most symbolic links expanded while resolving one grant (Linux's own limit).
const MAX_LINK_HOPS: usize = 40;

/// Why a grant's path could not be resolved.
#[derive(Debug)]
pub(crate) enum Unreached {
    /// A link inside the read-write grant `holder` leads out of it.
    ThroughLink { link: PathBuf, holder: PathBuf },
    /// The operating system refused, or the folder is not there.
    Io(io::Error),
}

impl Unreached {
    /// What a grant keeps of a failed resolution: a refusal sticks, anything else is tried
    /// again on use.
    pub(crate) fn into_root(self) -> Root {
        match self {
            Unreached::ThroughLink { link, holder } => Root::ThroughLink { link, holder },
            Unreached::Io(_) => Root::Unresolved,
        }
    }
}

/// The real path of the grant `path` (absolute and lexically normalised), where `holders`
/// are the real paths of the other read-write grants.
#[cfg(unix)]
pub(crate) fn resolve(path: &Path, holders: &[PathBuf]) -> Result<PathBuf, Unreached> {
    use std::collections::VecDeque;

    let mut real = PathBuf::from("/");
    let mut pending: VecDeque<PathBuf> = names(path).collect();
    let mut hops = 0usize;
    while let Some(name) = pending.pop_front() {
        if name.as_os_str() == ".." {
            // `real` has no links in it, so its parent is its text's parent.
            real.pop();
            continue;
        }
        let candidate = real.join(&name);
        let meta = std::fs::symlink_metadata(&candidate).map_err(Unreached::Io)?;
        if !meta.file_type().is_symlink() {
            real = candidate;
            continue;
        }
        hops += 1;
        if hops > MAX_LINK_HOPS {
            return Err(Unreached::Io(io::Error::other(
                "too many levels of symbolic links",
            )));
        }
        let target = std::fs::read_link(&candidate).map_err(Unreached::Io)?;
        let lands = normalize(&real.join(&target));
        if let Some(holder) = holders.iter().find(|h| real.starts_with(h)) {
            // `lands` is lexical: a link further on is checked when it is met, and `..`
            // through one only ever counts against the grant.
            if !lands.starts_with(holder) {
                return Err(Unreached::ThroughLink {
                    link: candidate,
                    holder: holder.clone(),
                });
            }
        }
        if target.is_absolute() {
            real = PathBuf::from("/");
        }
        for name in names(&target).collect::<Vec<_>>().into_iter().rev() {
            pending.push_front(name);
        }
    }
    Ok(real)
}

/// The real path of the grant `path`, where `holders` are the real paths of the other
/// read-write grants. Without `*at` calls and with junctions and verbatim prefixes about,
/// only nesting by path is checked here: a grant whose path lies inside a read-write grant
/// must resolve inside it.
#[cfg(not(unix))]
pub(crate) fn resolve(path: &Path, holders: &[PathBuf]) -> Result<PathBuf, Unreached> {
    // `canonicalize` spells paths `\\?\C:\...`; grants are spelled `C:\...`.
    fn plain(path: &Path) -> PathBuf {
        let text = path.to_string_lossy();
        match text.strip_prefix(r"\\?\") {
            Some(rest) if !rest.starts_with("UNC") => PathBuf::from(rest),
            _ => path.to_path_buf(),
        }
    }
    let real = std::fs::canonicalize(path).map_err(Unreached::Io)?;
    for holder in holders {
        let nested = path.starts_with(holder) || path.starts_with(plain(holder));
        if nested && !(real.starts_with(holder) || plain(&real).starts_with(plain(holder))) {
            return Err(Unreached::ThroughLink {
                link: path.to_path_buf(),
                holder: holder.clone(),
            });
        }
    }
    Ok(real)
}

/// The names of a path, with `.` left out and `..` kept as a name.
#[cfg_attr(not(unix), allow(dead_code))]
fn names(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    path.components().filter_map(|c| match c {
        Component::Normal(name) => Some(PathBuf::from(name)),
        Component::ParentDir => Some(PathBuf::from("..")),
        Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
    })
}

/// Removes `.` and applies `..` to the text of an absolute path.
#[cfg_attr(not(unix), allow(dead_code))]
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
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

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::{fs, os::unix::fs::symlink};

    use super::*;

    struct Tree {
        _dir: tempfile::TempDir,
        base: PathBuf,
    }

    /// base/w (a read-write grant) with a real folder `docs`, a link `shared` to
    /// base/outside, a link `inner` to docs, and base/alias, a link to base/w/docs.
    fn tree() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        fs::create_dir_all(base.join("w/docs")).unwrap();
        fs::create_dir_all(base.join("outside")).unwrap();
        symlink("../outside", base.join("w/shared")).unwrap();
        symlink("docs", base.join("w/inner")).unwrap();
        symlink(base.join("w/docs"), base.join("alias")).unwrap();
        Tree { _dir: dir, base }
    }

    #[test]
    fn links_outside_every_grant_are_the_users_and_are_followed() {
        let tree = tree();
        let real = resolve(&tree.base.join("alias"), &[]).unwrap();
        assert_eq!(real, tree.base.join("w/docs"));
        let real = resolve(&tree.base.join("w/shared"), &[]).unwrap();
        assert_eq!(
            real,
            tree.base.join("outside"),
            "no read-write grant holds it"
        );
    }

    #[test]
    fn a_link_inside_a_read_write_grant_may_lead_only_within_it() {
        let tree = tree();
        let holders = [tree.base.join("w")];
        let real = resolve(&tree.base.join("w/inner"), &holders).unwrap();
        assert_eq!(real, tree.base.join("w/docs"));
        match resolve(&tree.base.join("w/shared"), &holders) {
            Err(Unreached::ThroughLink { link, holder }) => {
                assert_eq!(link, tree.base.join("w/shared"));
                assert_eq!(holder, tree.base.join("w"));
            }
            other => panic!("the link leaves the grant: {other:?}"),
        }
    }

    #[test]
    fn a_grant_reached_through_another_grants_link_is_checked_too() {
        let tree = tree();
        // base/alias -> base/w/docs; the model swaps w/docs for a link to base/outside.
        fs::rename(tree.base.join("w/docs"), tree.base.join("w/docs-old")).unwrap();
        fs::rename(tree.base.join("w/shared"), tree.base.join("w/docs")).unwrap();
        let holders = [tree.base.join("w")];
        assert!(
            matches!(
                resolve(&tree.base.join("alias"), &holders),
                Err(Unreached::ThroughLink { .. })
            ),
            "the outer link is the user's, the inner one is not"
        );
    }

    #[test]
    fn a_missing_folder_is_not_a_refusal() {
        let tree = tree();
        let missing = resolve(&tree.base.join("w/nope"), &[tree.base.join("w")]);
        assert!(matches!(missing, Err(Unreached::Io(e)) if e.kind() == io::ErrorKind::NotFound));
    }
}
