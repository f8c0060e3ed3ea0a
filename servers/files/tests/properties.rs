//! Property tests of the public path rules on a real folder tree with symlinks pointing
//! inside and outside: whatever path is asked for, a path `Folders::resolve` accepts lies
//! under a granted folder, and resolving it again gives it back unchanged.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    fs,
    os::unix::fs::symlink,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use proptest::prelude::*;
use server_files::{Access, Folder, Folders, Intent, SandboxError};

struct World {
    _root: tempfile::TempDir,
    base: PathBuf,
    grants: Vec<PathBuf>,
    folders: Folders,
}

/// One tree shared by every case (cases only read it): two grants, one read-only, with
/// links inside, out, and between them.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().canonicalize().unwrap();
        let a = base.join("a");
        let b = base.join("b");
        for dir in ["a/x/y", "a/z", "b/q", "out/deep"] {
            fs::create_dir_all(base.join(dir)).unwrap();
        }
        for file in [
            "a/f.txt",
            "a/x/g.txt",
            "a/x/y/h.txt",
            "b/q/r.txt",
            "out/s.txt",
        ] {
            fs::write(base.join(file), file).unwrap();
        }
        for (link, target) in [
            ("a/in", PathBuf::from("x/y")),
            ("a/x/up", PathBuf::from("../z")),
            ("a/out", PathBuf::from("../out")),
            ("a/abs_in", a.join("x")),
            ("a/abs_out", base.join("out")),
            ("a/to_b", b.clone()),
            ("b/to_a", PathBuf::from("../a")),
        ] {
            symlink(target, base.join(link)).unwrap();
        }
        let folders = Folders::new(vec![
            Folder::new(&a, Access::ReadWrite),
            Folder::new(&b, Access::ReadOnly),
        ]);
        World {
            _root: root,
            base,
            grants: vec![a, b],
            folders,
        }
    })
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "x", "y", "z", "q", "f.txt", "g.txt", "h.txt", "r.txt", "s.txt", "in", "up", "out",
            "abs_in", "abs_out", "to_b", "to_a", "deep", "new",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec!["..", ".", "", "~", "a\\b", "..\u{2215}", "%2e%2e", "n.", " n"])
            .prop_map(str::to_owned),
        1 => "[a-z.]{1,4}",
    ]
}

/// A path that exists (often through links), to start from.
fn known() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "a/x",
        "a/x/y",
        "a/z",
        "a/f.txt",
        "a/x/g.txt",
        "a/in",
        "a/in/h.txt",
        "a/x/up",
        "a/abs_in/g.txt",
        "a/to_b/q/r.txt",
        "a/to_b/q",
        "b",
        "b/q/r.txt",
        "b/to_a/f.txt",
        "b/to_a/x",
        "a/out/s.txt",
        "a/abs_out/deep",
        "out",
        "c",
    ])
}

fn raw_path() -> impl Strategy<Value = String> {
    (
        known(),
        prop::collection::vec(component(), 0..4),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(start, rest, keep, absolute)| {
            // Often keep the known path as is (so it exists), else add names after it.
            let tail = if keep == 0 { &rest[..] } else { &rest[..0] };
            let relative = std::iter::once(start.to_owned())
                .chain(tail.iter().cloned())
                .collect::<Vec<_>>()
                .join("/");
            if absolute {
                format!("{}/{relative}", world().base.display())
            } else {
                relative
            }
        })
}

fn intent() -> impl Strategy<Value = Intent> {
    prop::sample::select(vec![Intent::Read, Intent::Write, Intent::Create])
}

fn under_a_grant(path: &Path) -> bool {
    world().grants.iter().any(|g| path.starts_with(g))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_resolved_path_lies_under_a_granted_folder(raw in raw_path(), intent in intent()) {
        let world = world();
        match world.folders.resolve(&raw, intent) {
            Ok(resolved) => {
                prop_assert!(resolved.is_absolute());
                prop_assert!(
                    under_a_grant(&resolved),
                    "{} resolved to {} outside the grants", raw, resolved.display()
                );
                if intent != Intent::Read {
                    prop_assert!(
                        resolved.starts_with(&world.grants[0]),
                        "a write resolved into the read-only grant: {}", resolved.display()
                    );
                }
                prop_assert!(
                    !resolved.starts_with(world.base.join("out")),
                    "{} reached the outside folder", raw
                );
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(!message.is_empty() && message.len() < 1000);
            }
        }
    }

    #[test]
    fn resolving_a_resolved_path_gives_it_back(raw in raw_path(), intent in intent()) {
        let folders = &world().folders;
        if let Ok(resolved) = folders.resolve(&raw, intent) {
            let text = resolved.display().to_string();
            let again = folders.resolve(&text, intent);
            prop_assert!(again.is_ok(), "{} resolved to {} which then failed: {:?}", raw, text, again);
            prop_assert_eq!(again.unwrap(), resolved);
        }
    }
}

#[test]
fn resolve_refuses_links_out_and_read_only_writes() {
    let world = world();
    let a = world.grants[0].display().to_string();
    let b = world.grants[1].display().to_string();
    assert!(matches!(
        world
            .folders
            .resolve(&format!("{a}/out/s.txt"), Intent::Read),
        Err(SandboxError::LinkOutside { .. })
    ));
    assert!(matches!(
        world.folders.resolve(&format!("{a}/abs_out"), Intent::Read),
        Err(SandboxError::IsLinkOutside { .. })
    ));
    assert!(matches!(
        world
            .folders
            .resolve(&format!("{b}/q/new.db"), Intent::Write),
        Err(SandboxError::ReadOnly { .. })
    ));
    assert!(
        matches!(
            world.folders.resolve(&format!("{a}/in"), Intent::Write),
            Err(SandboxError::LinkNotFollowed { .. })
        ),
        "a caller that writes in place must not get a symlink"
    );
}

#[test]
fn resolve_gives_real_paths_for_each_intent() {
    let world = world();
    let a = &world.grants[0];
    assert_eq!(
        world
            .folders
            .resolve(&format!("{}/in/h.txt", a.display()), Intent::Read)
            .unwrap(),
        a.join("x/y/h.txt"),
        "links inside are resolved"
    );
    assert_eq!(
        world
            .folders
            .resolve(&format!("{}/x/new.db", a.display()), Intent::Write)
            .unwrap(),
        a.join("x/new.db"),
        "a new file in an existing folder"
    );
    assert_eq!(
        world
            .folders
            .resolve(&format!("{}/abs_in/p/q", a.display()), Intent::Create)
            .unwrap(),
        a.join("x/p/q"),
        "missing folders are appended to the real existing part"
    );
    assert!(matches!(
        world
            .folders
            .resolve(&format!("{}/x/missing/new.db", a.display()), Intent::Write),
        Err(SandboxError::NotFound { .. })
    ));
}
