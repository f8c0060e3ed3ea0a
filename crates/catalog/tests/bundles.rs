//! MCP Bundles built in the test with the zip crate and unpacked into real folders: good
//! bundles unpack with sane permissions and plan like catalog entries; every malformed,
//! oversized, path-traversing or otherwise unsafe bundle is refused with a precise error
//! and leaves nothing behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    fs,
    io::{Cursor, Write},
    path::{Path, PathBuf},
};

use serde_json::{Value, json};
use switchboard_catalog::{
    Access, Answers, PlannedLaunch, SettingKind,
    bundle::{self, BundleError, Places, Platform, UnpackLimits},
};
use switchboard_runtimes::Runtime;
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

/// One entry of a bundle under construction.
enum Item {
    File {
        name: String,
        data: Vec<u8>,
        mode: u32,
        method: CompressionMethod,
    },
    Dir(String),
    Symlink(String, String),
    Attributes(String, Vec<u8>, u32),
}

#[derive(Default)]
struct Bundle {
    items: Vec<Item>,
    /// Byte-for-byte name replacements applied to the finished archive (same length), to
    /// write names no zip writer would.
    patches: Vec<(String, String)>,
}

impl Bundle {
    fn file(mut self, name: &str, data: impl AsRef<[u8]>) -> Self {
        self.items.push(Item::File {
            name: name.to_owned(),
            data: data.as_ref().to_vec(),
            mode: 0o644,
            method: CompressionMethod::Deflated,
        });
        self
    }

    fn executable(mut self, name: &str, data: &str) -> Self {
        self.items.push(Item::File {
            name: name.to_owned(),
            data: data.as_bytes().to_vec(),
            mode: 0o755,
            method: CompressionMethod::Stored,
        });
        self
    }

    fn dir(mut self, name: &str) -> Self {
        self.items.push(Item::Dir(name.to_owned()));
        self
    }

    fn symlink(mut self, name: &str, target: &str) -> Self {
        self.items
            .push(Item::Symlink(name.to_owned(), target.to_owned()));
        self
    }

    fn with_attributes(mut self, name: &str, data: &str, attributes: u32) -> Self {
        self.items.push(Item::Attributes(
            name.to_owned(),
            data.as_bytes().to_vec(),
            attributes,
        ));
        self
    }

    fn manifest(self, manifest: &Value) -> Self {
        self.file(
            "manifest.json",
            serde_json::to_vec_pretty(manifest).unwrap(),
        )
    }

    /// Writes the file as `placeholder`, then renames it to `name` in the archive bytes.
    fn renamed(mut self, placeholder: &str, name: &str, data: &str) -> Self {
        assert_eq!(placeholder.len(), name.len(), "same length names only");
        self = self.file(placeholder, data);
        self.patches.push((placeholder.to_owned(), name.to_owned()));
        self
    }

    fn bytes(self) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for item in self.items {
            match item {
                Item::File {
                    name,
                    data,
                    mode,
                    method,
                } => {
                    let options = SimpleFileOptions::default()
                        .compression_method(method)
                        .unix_permissions(mode);
                    writer.start_file(name, options).unwrap();
                    writer.write_all(&data).unwrap();
                }
                Item::Dir(name) => writer
                    .add_directory(name, SimpleFileOptions::default())
                    .unwrap(),
                Item::Symlink(name, target) => writer
                    .add_symlink(name, target, SimpleFileOptions::default())
                    .unwrap(),
                Item::Attributes(name, data, attributes) => {
                    let options = SimpleFileOptions::default()
                        .compression_method(CompressionMethod::Stored)
                        .external_attributes(attributes);
                    writer.start_file(name, options).unwrap();
                    writer.write_all(&data).unwrap();
                }
            }
        }
        let mut bytes = writer.finish().unwrap().into_inner();
        for (from, to) in self.patches {
            let mut replaced = 0;
            let mut index = 0;
            while let Some(found) = find(&bytes[index..], from.as_bytes()) {
                let at = index + found;
                bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
                index = at + to.len();
                replaced += 1;
            }
            assert!(
                replaced >= 2,
                "{from} patched in the local and central headers"
            );
        }
        bytes
    }

    fn write(self, path: &Path) -> PathBuf {
        fs::write(path, self.bytes()).unwrap();
        path.to_path_buf()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn manifest() -> Value {
    json!({
        "manifest_version": "0.3",
        "name": "hello-files",
        "display_name": "Hello Files",
        "version": "1.2.0",
        "description": "Greets and lists files",
        "author": {"name": "Test Author"},
        "server": {
            "type": "node",
            "entry_point": "server/index.js",
            "mcp_config": {
                "command": "node",
                "args": ["${__dirname}/server/index.js", "${user_config.roots}"],
                "env": {
                    "API_KEY": "${user_config.api_key}",
                    "HELLO_DEBUG": "${user_config.debug}",
                    "HELLO_HOME": "${HOME}${/}hello"
                },
                "platform_overrides": {
                    "win32": {"command": "node.exe"}
                }
            }
        },
        "user_config": {
            "api_key": {"type": "string", "title": "API key", "description": "Your key",
                        "sensitive": true, "required": true},
            "roots": {"type": "directory", "title": "Folders", "description": "Folders to list",
                      "multiple": true, "required": true},
            "debug": {"type": "boolean", "title": "Debug", "description": "More logs"}
        },
        "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"node": ">=18.0.0"}}
    })
}

fn good_bundle() -> Bundle {
    Bundle::default()
        .manifest(&manifest())
        .dir("server/")
        .file("server/index.js", "console.log('hello')\n")
        .executable("server/run.sh", "#!/bin/sh\nexec node index.js\n")
        .file("server/lib/util.js", "module.exports = {}\n")
}

/// A temporary folder with an empty `bundles/` folder to unpack into.
struct Place {
    _root: tempfile::TempDir,
    archive_dir: PathBuf,
    bundles: PathBuf,
}

impl Place {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let archive_dir = root.path().join("downloads");
        let bundles = root.path().join("bundles");
        fs::create_dir_all(&archive_dir).unwrap();
        fs::create_dir_all(&bundles).unwrap();
        Self {
            _root: root,
            archive_dir,
            bundles,
        }
    }

    fn archive(&self, bundle: Bundle) -> PathBuf {
        bundle.write(&self.archive_dir.join("test.mcpb"))
    }

    fn target(&self) -> PathBuf {
        self.bundles.join("hello-files")
    }

    fn leftovers(&self) -> Vec<String> {
        fs::read_dir(&self.bundles)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

fn places() -> Places {
    Places::under_home(Path::new(if cfg!(windows) {
        "C:\\Users\\ada"
    } else {
        "/home/ada"
    }))
}

fn folder(name: &str) -> String {
    if cfg!(windows) {
        format!("C:\\{name}")
    } else {
        format!("/{name}")
    }
}

#[test]
fn a_good_bundle_unpacks_into_its_folder_with_nothing_else_left() {
    let place = Place::new();
    let archive = place.archive(good_bundle());
    let unpacked = bundle::unpack(
        &archive,
        &place.target(),
        Platform::current(),
        &UnpackLimits::default(),
    )
    .expect("a good bundle unpacks");
    assert_eq!(unpacked.dir, place.target());
    assert_eq!(unpacked.files, 4, "manifest and three server files");
    assert_eq!(
        fs::read_to_string(place.target().join("server/index.js")).unwrap(),
        "console.log('hello')\n"
    );
    assert_eq!(
        place.leftovers(),
        ["hello-files"],
        "no temporary folder left"
    );
    assert_eq!(unpacked.manifest.title(), "Hello Files");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &str| {
            fs::metadata(place.target().join(path))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(
            mode("server/run.sh"),
            0o755,
            "executable where the archive says so"
        );
        assert_eq!(
            mode("server/index.js"),
            0o644,
            "plain files are not executable"
        );
    }
}

#[test]
fn inspecting_reads_the_manifest_and_writes_nothing() {
    let place = Place::new();
    let archive = place.archive(good_bundle());
    let inspected =
        bundle::inspect(&archive, Platform::current(), &UnpackLimits::default()).expect("valid");
    assert_eq!(inspected.manifest.name, "hello-files");
    assert_eq!(inspected.entries, 5);
    assert!(place.leftovers().is_empty(), "inspect writes nothing");
    assert_eq!(bundle::suggested_id(&inspected.manifest), "hello-files");
}

#[test]
fn an_unpacked_bundle_plans_like_a_catalog_entry() {
    let place = Place::new();
    let archive = place.archive(good_bundle());
    let unpacked = bundle::unpack(
        &archive,
        &place.target(),
        Platform::Linux,
        &UnpackLimits::default(),
    )
    .expect("unpacks");
    let settings = bundle::settings(&unpacked.manifest, &places()).expect("settings");
    let keys: Vec<&str> = settings.iter().map(|s| s.key.as_str()).collect();
    // The manifest's order (json! sorted these keys before the file was written).
    assert_eq!(keys, ["api_key", "debug", "roots"], "the manifest's order");
    let setting = |key: &str| settings.iter().find(|s| s.key == key).unwrap();
    assert!(setting("api_key").secret, "sensitive means secret");
    assert_eq!(
        setting("roots").kind,
        SettingKind::Folder {
            access: Access::ReadWrite
        },
        "directories get the folder picker"
    );

    let mut answers = Answers::new();
    answers
        .set_secret("api_key", "bundle-secret-123".into())
        .add("roots", folder("a"))
        .add("roots", folder("b"));
    let plan = bundle::plan(
        &unpacked.manifest,
        &unpacked.dir,
        "hello",
        &answers,
        Platform::Linux,
        &places(),
    )
    .expect("plan");
    assert!(plan.is_complete(), "{:?}", plan.missing);
    let PlannedLaunch::Bundle {
        dir,
        command,
        args,
        runtime,
    } = &plan.launch
    else {
        panic!("a bundle launch: {:?}", plan.launch);
    };
    assert_eq!(dir, &unpacked.dir);
    assert_eq!(command, "node");
    assert_eq!(*runtime, Some(Runtime::Node));
    assert_eq!(
        args,
        &[
            format!("{}/server/index.js", unpacked.dir.display()),
            folder("a"),
            folder("b")
        ],
        "${{__dirname}} filled, several folders as several arguments"
    );
    assert_eq!(plan.secret_names(), ["API_KEY"]);
    assert!(
        !plan.env.contains_key("HELLO_DEBUG"),
        "optional and blank: left out"
    );
    assert_eq!(
        plan.env.get("HELLO_HOME").map(String::as_str),
        Some(format!("{}/hello", places().home.display()).as_str())
    );
    assert_eq!(plan.folders.len(), 2);
    assert_eq!(plan.requirements[0].runtime, Runtime::Node);
    assert_eq!(plan.requirements[0].version, ">=18.0.0");
    assert!(
        !format!("{plan:?}").contains("bundle-secret-123"),
        "Debug hides secrets"
    );

    let windows = bundle::plan(
        &unpacked.manifest,
        &unpacked.dir,
        "hello",
        &answers,
        Platform::Win32,
        &places(),
    )
    .expect("plan");
    let PlannedLaunch::Bundle { command, .. } = &windows.launch else {
        panic!("a bundle launch");
    };
    assert_eq!(command, "node.exe", "the win32 override applies on Windows");

    let nothing = bundle::plan(
        &unpacked.manifest,
        &unpacked.dir,
        "hello",
        &Answers::new(),
        Platform::Linux,
        &places(),
    )
    .expect("plan");
    let missing: Vec<&str> = nothing.missing.iter().map(|m| m.setting.as_str()).collect();
    assert_eq!(missing, ["api_key", "roots"]);
}

#[test]
fn a_uv_bundle_without_a_command_runs_with_uv_run() {
    let mut uv = manifest();
    uv["server"] = json!({"type": "uv", "entry_point": "src/server.py"});
    uv["user_config"] = json!({});
    let place = Place::new();
    let archive = place.archive(
        Bundle::default()
            .manifest(&uv)
            .file("pyproject.toml", "[project]\nname = 'x'\n")
            .file("src/server.py", "print('hi')\n"),
    );
    let unpacked = bundle::unpack(
        &archive,
        &place.target(),
        Platform::Linux,
        &UnpackLimits::default(),
    )
    .expect("unpacks");
    let plan = bundle::plan(
        &unpacked.manifest,
        &unpacked.dir,
        "uvx",
        &Answers::new(),
        Platform::Linux,
        &places(),
    )
    .expect("plan");
    assert_eq!(plan.runtime(), Some(Runtime::Uv));
    let PlannedLaunch::Bundle { command, args, .. } = &plan.launch else {
        panic!("a bundle launch");
    };
    assert_eq!(command, "uv");
    assert_eq!(
        args,
        &[
            "run".to_owned(),
            "--directory".to_owned(),
            unpacked.dir.display().to_string(),
            "src/server.py".to_owned()
        ]
    );
}

#[test]
fn a_sensitive_setting_on_the_command_line_is_refused() {
    let mut leaky = manifest();
    leaky["server"]["mcp_config"]["args"] = json!(["index.js", "--key=${user_config.api_key}"]);
    let read: bundle::Manifest = serde_json::from_value(leaky).unwrap();
    let error = bundle::settings(&read, &places()).expect_err("refused");
    assert!(error.to_string().contains("on its command line"), "{error}");
}

/// Unpacks `bundle` and expects an error; the bundles folder must stay empty.
fn refused(bundle: Bundle, limits: &UnpackLimits) -> BundleError {
    let place = Place::new();
    let archive = place.archive(bundle);
    let error = bundle::unpack(&archive, &place.target(), Platform::current(), limits)
        .expect_err("the bundle must be refused");
    assert!(
        place.leftovers().is_empty(),
        "nothing left behind after \"{error}\": {:?}",
        place.leftovers()
    );
    error
}

fn refused_by_default(bundle: Bundle) -> String {
    refused(bundle, &UnpackLimits::default()).to_string()
}

#[test]
fn a_malformed_manifest_is_refused() {
    let error = refused_by_default(
        Bundle::default()
            .file("manifest.json", "{\"name\": \"broken\",")
            .file("server/index.js", "x"),
    );
    assert!(error.contains("manifest.json is not valid JSON"), "{error}");
}

#[test]
fn a_wrong_manifest_version_is_refused() {
    let mut future = manifest();
    future["manifest_version"] = json!("2.0");
    let error = refused_by_default(good_bundle_with(&future));
    assert!(
        error.contains("\"2.0\" is not a version Switchboard reads"),
        "{error}"
    );
}

fn good_bundle_with(manifest: &Value) -> Bundle {
    Bundle::default()
        .manifest(manifest)
        .file("server/index.js", "console.log('hello')\n")
}

#[test]
fn a_bundle_without_a_manifest_is_refused() {
    let error = refused_by_default(Bundle::default().file("server/index.js", "x"));
    assert!(error.contains("no manifest.json"), "{error}");
}

#[test]
fn a_file_that_is_not_a_zip_is_refused() {
    let place = Place::new();
    let archive = place.archive_dir.join("fake.mcpb");
    fs::write(&archive, b"this is not a zip archive at all").unwrap();
    let error = bundle::unpack(
        &archive,
        &place.target(),
        Platform::current(),
        &UnpackLimits::default(),
    )
    .expect_err("not a zip");
    assert!(
        error.to_string().contains("not a valid MCP Bundle"),
        "{error}"
    );
    assert!(place.leftovers().is_empty());
}

#[test]
fn an_oversized_archive_is_refused_before_it_is_read() {
    let limits = UnpackLimits {
        max_archive_bytes: 200,
        ..UnpackLimits::default()
    };
    let error = refused(good_bundle(), &limits);
    assert!(
        matches!(error, BundleError::ArchiveTooLarge { limit: 200, .. }),
        "{error}"
    );
}

#[test]
fn a_zip_bomb_is_refused_by_its_ratio() {
    let zeros = vec![0_u8; 8 * 1024 * 1024];
    let limits = UnpackLimits {
        ratio_floor_bytes: 1024 * 1024,
        max_ratio: 100,
        ..UnpackLimits::default()
    };
    let error = refused(good_bundle().file("server/zeros.bin", &zeros), &limits);
    assert!(
        matches!(&error, BundleError::ZipBomb { name, .. } if name.contains("zeros.bin")),
        "{error}"
    );
    assert!(error.to_string().contains("zip bomb"), "{error}");
}

#[test]
fn too_much_unpacked_data_is_refused() {
    let limits = UnpackLimits {
        max_total_bytes: 4 * 1024,
        ..UnpackLimits::default()
    };
    let error = refused(good_bundle().file("big.txt", vec![b'x'; 8 * 1024]), &limits);
    assert!(
        matches!(error, BundleError::TotalTooLarge { .. }),
        "{error}"
    );

    let one = UnpackLimits {
        max_entry_bytes: 1800,
        ..UnpackLimits::default()
    };
    let error = refused(good_bundle().file("big.txt", vec![b'x'; 2048]), &one);
    assert!(
        matches!(&error, BundleError::EntryTooLarge { name, size: 2048, .. } if name.contains("big.txt")),
        "{error}"
    );
}

#[test]
fn too_many_entries_are_refused() {
    let limits = UnpackLimits {
        max_entries: 3,
        ..UnpackLimits::default()
    };
    let error = refused(good_bundle(), &limits);
    assert!(
        matches!(error, BundleError::TooManyEntries { count: 5, limit: 3 }),
        "{error}"
    );
}

#[test]
fn every_path_traversal_is_refused_by_name() {
    for (placeholder, name, expected) in [
        ("zz/evil", "../evil", "contains \"..\""),
        ("zetc/evil", "/etc/evil", "absolute path"),
        ("z/zz/zz/evil", "a/../../evil", "contains \"..\""),
        ("zz-evil", "..\\evil", "backslash"),
        ("zC:evil", "C:/evil", "absolute path"),
    ] {
        let error = refused_by_default(good_bundle().renamed(placeholder, name, "pwned"));
        assert!(
            error.contains(&format!("{name:?}")) && error.contains(expected),
            "{name}: {error}"
        );
    }
}

#[test]
fn a_symbolic_link_is_refused() {
    let error = refused_by_default(good_bundle().symlink("server/passwd", "/etc/passwd"));
    assert!(
        error.contains("server/passwd") && error.contains("symbolic link"),
        "{error}"
    );
}

#[test]
fn a_device_or_pipe_entry_is_refused() {
    // A FIFO: file type 0o010000 in the Unix mode, in the high half of the attributes.
    let error =
        refused_by_default(good_bundle().with_attributes("server/pipe", "", (0o010_644) << 16));
    assert!(error.contains("not a regular file or folder"), "{error}");
}

#[test]
fn duplicate_entries_are_refused_even_by_case() {
    let error =
        refused_by_default(good_bundle().renamed("server/indey.js", "server/index.js", "x"));
    assert!(error.contains("two entries under one name"), "{error}");
    let error = refused_by_default(good_bundle().file("server/INDEX.js", "y"));
    assert!(error.contains("twice"), "{error}");
}

#[test]
fn a_file_that_is_also_a_folder_is_refused() {
    let error = refused_by_default(good_bundle().file("server/lib", "not a folder"));
    assert!(error.contains("both a file and a folder"), "{error}");
}

#[test]
fn an_incompatible_platform_is_refused_by_name() {
    let other = if Platform::current() == Platform::Darwin {
        "win32"
    } else {
        "darwin"
    };
    let mut only_other = manifest();
    only_other["compatibility"]["platforms"] = json!([other]);
    let error = refused_by_default(good_bundle_with(&only_other));
    assert!(
        error.contains(&format!("not on {}", Platform::current().title())),
        "{error}"
    );
}

#[test]
fn a_missing_entry_point_is_refused() {
    let error = refused_by_default(
        Bundle::default()
            .manifest(&manifest())
            .file("server/other.js", "x"),
    );
    assert!(error.contains("entry point server/index.js"), "{error}");
}

#[test]
fn a_corrupt_file_mid_way_leaves_nothing_behind() {
    // Stored, so the bytes can be spotted and flipped; the CRC check fails while writing,
    // after earlier files are already in the temporary folder.
    let mut bytes = good_bundle()
        .executable("server/zz-last.txt", "CORRUPTME-CORRUPTME")
        .bytes();
    let at = find(&bytes, b"CORRUPTME-CORRUPTME").unwrap();
    bytes[at] = b'X';
    let place = Place::new();
    let archive = place.archive_dir.join("corrupt.mcpb");
    fs::write(&archive, &bytes).unwrap();
    let error = bundle::unpack(
        &archive,
        &place.target(),
        Platform::current(),
        &UnpackLimits::default(),
    )
    .expect_err("checksum");
    assert!(error.to_string().contains("zz-last.txt"), "{error}");
    assert!(place.leftovers().is_empty(), "{:?}", place.leftovers());
}

#[test]
fn a_target_that_holds_files_is_left_alone() {
    let place = Place::new();
    let archive = place.archive(good_bundle());
    fs::create_dir_all(place.target()).unwrap();
    fs::write(place.target().join("mine.txt"), "keep me").unwrap();
    let error = bundle::unpack(
        &archive,
        &place.target(),
        Platform::current(),
        &UnpackLimits::default(),
    )
    .expect_err("occupied");
    assert!(matches!(error, BundleError::TargetExists { .. }), "{error}");
    assert_eq!(
        fs::read_to_string(place.target().join("mine.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(place.leftovers(), ["hello-files"]);

    // An empty folder is fine: it is replaced.
    fs::remove_file(place.target().join("mine.txt")).unwrap();
    bundle::unpack(
        &archive,
        &place.target(),
        Platform::current(),
        &UnpackLimits::default(),
    )
    .expect("an empty target is used");
    assert!(place.target().join("manifest.json").is_file());
}

#[test]
fn the_sha256_of_a_download_is_computed() {
    let place = Place::new();
    let path = place.archive_dir.join("abc.bin");
    fs::write(&path, "abc").unwrap();
    assert_eq!(
        bundle::sha256_hex(&path).unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

mod mangled {
    //! Bundles with random bytes changed (the way a fuzzer would): reading them never
    //! panics, and whatever the outcome, a failed unpack leaves nothing behind.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn a_mangled_bundle_is_refused_cleanly_or_unpacked_whole(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
        ) {
            let mut bytes = good_bundle().bytes();
            for (index, value) in &flips {
                let at = index.index(bytes.len());
                bytes[at] = *value;
            }
            let place = Place::new();
            let archive = place.archive_dir.join("mangled.mcpb");
            fs::write(&archive, &bytes).unwrap();
            match bundle::unpack(&archive, &place.target(), Platform::current(), &UnpackLimits::default()) {
                Ok(unpacked) => {
                    prop_assert_eq!(place.leftovers(), vec!["hello-files".to_owned()]);
                    prop_assert!(unpacked.dir.join("manifest.json").is_file());
                }
                Err(error) => {
                    prop_assert!(place.leftovers().is_empty(), "{} left {:?}", error, place.leftovers());
                }
            }
        }

        #[test]
        fn random_bytes_are_never_a_bundle(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let place = Place::new();
            let archive = place.archive_dir.join("random.mcpb");
            fs::write(&archive, &bytes).unwrap();
            let inspected = bundle::inspect(&archive, Platform::current(), &UnpackLimits::default());
            prop_assert!(inspected.is_err());
        }

        #[test]
        fn manifest_parsing_never_panics(text in ".{0,400}") {
            let _ = bundle::Manifest::parse(text.as_bytes());
        }
    }
}
