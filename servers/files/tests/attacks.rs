//! The attack corpus: named attempts to reach outside the granted folders, through every
//! tool and through resources, each driven by a real rmcp client against real files,
//! symlinks, hard links and a FIFO in a temp folder. Every attempt must be refused with a
//! message that says why, must not leak the secret, and must leave everything outside the
//! grants exactly as it was.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

#[path = "support/client.rs"]
mod client;

use std::{
    collections::BTreeMap,
    fs,
    os::unix::fs::{MetadataExt, symlink},
    path::{Path, PathBuf},
    process::Command,
};

use client::{Client, call, connect, ok, read_resource, refused, structured, text_of};
use serde_json::{Value, json};
use server_files::{Access, Folder, Folders};
use tempfile::TempDir;

const SECRET: &str = "TOP SECRET";

/// A temp folder with a read-write grant `Grant/`, a read-only grant `grant-ro/`, and
/// things outside: `outside/`, and a sibling `grant/` that differs from the grant only in
/// case.
struct Fixture {
    _root: TempDir,
    base: PathBuf,
    folders: Folders,
}

impl Fixture {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().canonicalize().unwrap();
        let write = |relative: &str, content: &str| {
            let path = base.join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        };
        write("outside/secret.txt", &format!("{SECRET} outside\n"));
        write("outside/photo.png", SECRET);
        write("outside/dir/inner.txt", &format!("{SECRET} inner\n"));
        write(
            "grant/secret.txt",
            &format!("{SECRET} in the lower-case twin\n"),
        );
        write("Grant/ok.txt", "fine\n");
        write("Grant/sub/keep.txt", "kept\n");
        write("Grant/nested/readme.md", "# nested\n");
        write("grant-ro/doc.txt", "read only\n");
        let grant = base.join("Grant");
        let outside = base.join("outside");
        for (link, target) in [
            ("link_out", PathBuf::from("../outside/secret.txt")),
            ("abs_out", outside.join("secret.txt")),
            ("dir_out", PathBuf::from("../outside")),
            ("abs_dir_out", outside.clone()),
            ("nested/deep_out", PathBuf::from("../../outside/secret.txt")),
            ("loop_a", PathBuf::from("loop_b")),
            ("loop_b", PathBuf::from("loop_a")),
            ("dev_null", PathBuf::from("/dev/null")),
            (
                "proc_link",
                PathBuf::from(format!(
                    "/proc/self/root{}",
                    outside.join("secret.txt").display()
                )),
            ),
            ("root_link", PathBuf::from("/")),
            ("chain_1", PathBuf::from("chain_2")),
            ("chain_2", PathBuf::from("sub/../../outside")),
            // Controls: links that stay inside are followed.
            ("in_link", PathBuf::from("ok.txt")),
            ("abs_in_link", grant.join("ok.txt")),
            ("up_in", PathBuf::from("sub/../ok.txt")),
        ] {
            symlink(target, grant.join(link)).unwrap();
        }
        fs::hard_link(outside.join("secret.txt"), grant.join("hard")).unwrap();
        let status = Command::new("mkfifo")
            .arg(grant.join("fifo"))
            .status()
            .unwrap();
        assert!(status.success(), "mkfifo");
        let folders = Folders::new(vec![
            Folder::new(&grant, Access::ReadWrite),
            Folder::new(base.join("grant-ro"), Access::ReadOnly),
        ]);
        Fixture {
            _root: root,
            base,
            folders,
        }
    }

    fn path(&self, relative: &str) -> String {
        self.base.join(relative).display().to_string()
    }

    /// Everything outside the read-write grant, with contents, link targets and times.
    fn outside_state(&self) -> BTreeMap<PathBuf, String> {
        let mut state = BTreeMap::new();
        for top in ["outside", "grant", "grant-ro"] {
            record(&self.base.join(top), &mut state);
        }
        state
    }
}

fn record(path: &Path, state: &mut BTreeMap<PathBuf, String>) {
    let meta = fs::symlink_metadata(path).unwrap();
    let summary = if meta.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            record(&entry.unwrap().path(), state);
        }
        format!("dir {:o}", meta.mode())
    } else if meta.file_type().is_symlink() {
        format!("link -> {}", fs::read_link(path).unwrap().display())
    } else {
        format!(
            "file {:o} {} {} {:?}",
            meta.mode(),
            meta.nlink(),
            meta.mtime_nsec(),
            fs::read(path).unwrap()
        )
    };
    state.insert(path.to_path_buf(), summary);
}

enum Attempt {
    Tool(&'static str, Value),
    Resource(String),
}

/// Every attempt: a name, what is sent, and words the refusal must contain.
fn corpus(f: &Fixture) -> Vec<(&'static str, Attempt, &'static str)> {
    use Attempt::{Resource, Tool};
    let g = |relative: &str| f.path(&format!("Grant/{relative}"));
    let uri = |relative: &str| format!("file://{}", f.path(relative));
    let long = format!("{}/{}", g(""), "a/".repeat(2100));
    vec![
        // Parent steps, in every spelling.
        (
            "relative parent step",
            Tool("read_file", json!({"path": "../outside/secret.txt"})),
            "'..'",
        ),
        (
            "absolute parent step",
            Tool("read_file", json!({"path": g("../outside/secret.txt")})),
            "'..'",
        ),
        (
            "parent step after a folder",
            Tool(
                "read_file",
                json!({"path": g("sub/../../outside/secret.txt")}),
            ),
            "'..'",
        ),
        (
            "parent step after a dot",
            Tool(
                "read_file",
                json!({"path": g("sub/./../../outside/secret.txt")}),
            ),
            "'..'",
        ),
        (
            "parent step listing",
            Tool("list_directory", json!({"path": g("..")})),
            "'..'",
        ),
        (
            "percent-encoded parent step in a URI",
            Resource(uri("Grant/%2e%2e/outside/secret.txt")),
            "'..'",
        ),
        (
            "encoded slash and parent step in a URI",
            Resource(uri("Grant/..%2Foutside%2Fsecret.txt")),
            "'..'",
        ),
        (
            "percent-encoded name is literal in a tool path",
            Tool("read_file", json!({"path": g("%2e%2e/outside/secret.txt")})),
            "does not exist",
        ),
        // Absolute paths outside.
        (
            "absolute path outside",
            Tool("read_file", json!({"path": f.path("outside/secret.txt")})),
            "outside the granted folders",
        ),
        (
            "system file",
            Tool("read_file", json!({"path": "/etc/passwd"})),
            "outside the granted folders",
        ),
        (
            "proc file",
            Tool("get_file_info", json!({"path": "/proc/self/environ"})),
            "outside the granted folders",
        ),
        (
            "proc root magic path",
            Tool(
                "read_file",
                json!({"path": format!("/proc/self/root{}", f.path("outside/secret.txt"))}),
            ),
            "outside the granted folders",
        ),
        (
            "double leading slash",
            Tool(
                "read_file",
                json!({"path": format!("/{}", f.path("outside/secret.txt"))}),
            ),
            "outside the granted folders",
        ),
        (
            "file URI as a tool path",
            Tool("read_file", json!({"path": uri("outside/secret.txt")})),
            "outside the granted folders",
        ),
        (
            "resource outside",
            Resource(uri("outside/secret.txt")),
            "outside the granted folders",
        ),
        (
            "resource on another host",
            Resource(format!(
                "file://evil.example{}",
                f.path("outside/secret.txt")
            )),
            "names the host",
        ),
        (
            "case twin of the grant",
            Tool("read_file", json!({"path": f.path("grant/secret.txt")})),
            "outside the granted folders",
        ),
        (
            "prefix of the grant name",
            Tool("read_file", json!({"path": f.path("Gran")})),
            "outside the granted folders",
        ),
        // Symlinks that lead out.
        (
            "relative symlink to a file outside",
            Tool("read_file", json!({"path": g("link_out")})),
            "points outside the granted folders",
        ),
        (
            "absolute symlink to a file outside",
            Tool("read_file", json!({"path": g("abs_out")})),
            "points outside the granted folders",
        ),
        (
            "through a symlinked folder",
            Tool("read_file", json!({"path": g("dir_out/secret.txt")})),
            "points outside the granted folders",
        ),
        (
            "through an absolute symlinked folder",
            Tool("read_file", json!({"path": g("abs_dir_out/dir/inner.txt")})),
            "points outside the granted folders",
        ),
        (
            "nested symlink climbing out",
            Tool("read_file", json!({"path": g("nested/deep_out")})),
            "points outside the granted folders",
        ),
        (
            "chain of symlinks climbing out",
            Tool("read_file", json!({"path": g("chain_1/secret.txt")})),
            "points outside the granted folders",
        ),
        (
            "symlink to a device",
            Tool("read_file", json!({"path": g("dev_null")})),
            "points outside the granted folders",
        ),
        (
            "symlink through proc magic links",
            Tool("read_file", json!({"path": g("proc_link")})),
            "points outside the granted folders",
        ),
        (
            "symlink to the root",
            Tool("list_directory", json!({"path": g("root_link")})),
            "points outside the granted folders",
        ),
        (
            "symlink loop",
            Tool("read_file", json!({"path": g("loop_a")})),
            "symbolic links",
        ),
        (
            "resource through a symlink",
            Resource(uri("Grant/link_out")),
            "points outside the granted folders",
        ),
        (
            "listing through a symlinked folder",
            Tool("list_directory", json!({"path": g("dir_out")})),
            "points outside the granted folders",
        ),
        (
            "listing through an absolute symlinked folder",
            Tool("list_directory", json!({"path": g("abs_dir_out")})),
            "points outside the granted folders",
        ),
        (
            "tree through a symlinked folder",
            Tool("directory_tree", json!({"path": g("dir_out")})),
            "points outside the granted folders",
        ),
        (
            "search through a symlinked folder",
            Tool(
                "search_files",
                json!({"path": g("dir_out"), "content": "SECRET"}),
            ),
            "points outside the granted folders",
        ),
        (
            "info through a symlink",
            Tool("get_file_info", json!({"path": g("link_out")})),
            "points outside the granted folders",
        ),
        (
            "media through a symlinked folder",
            Tool("read_media", json!({"path": g("dir_out/photo.png")})),
            "points outside the granted folders",
        ),
        // Hard links and special files.
        (
            "hard link to a file outside",
            Tool("read_file", json!({"path": g("hard")})),
            "hard links",
        ),
        (
            "resource of a hard link",
            Resource(uri("Grant/hard")),
            "hard links",
        ),
        (
            "FIFO (must not block)",
            Tool("read_file", json!({"path": g("fifo")})),
            "FIFO",
        ),
        ("resource of a FIFO", Resource(uri("Grant/fifo")), "FIFO"),
        // Spellings refused outright.
        (
            "Windows separators",
            Tool(
                "read_file",
                json!({"path": format!("{}\\..\\outside\\secret.txt", g(""))}),
            ),
            "backslash",
        ),
        (
            "relative Windows separators",
            Tool("read_file", json!({"path": "..\\outside\\secret.txt"})),
            "backslash",
        ),
        (
            "Windows drive path",
            Tool("read_file", json!({"path": "C:/Windows/win.ini"})),
            "Windows drive path",
        ),
        (
            "NUL byte",
            Tool(
                "read_file",
                json!({"path": format!("{}\u{0}/../../outside/secret.txt", g("ok.txt"))}),
            ),
            "NUL",
        ),
        (
            "NUL byte in a URI",
            Resource(uri("Grant/ok.txt%00.png")),
            "NUL",
        ),
        (
            "control character",
            Tool("read_file", json!({"path": g("ok\u{1b}[2J.txt")})),
            "control character",
        ),
        (
            "division slash lookalike",
            Tool(
                "read_file",
                json!({"path": format!("{}\u{2215}..\u{2215}outside", g(""))}),
            ),
            "looks like a path separator",
        ),
        (
            "fullwidth dots lookalike",
            Tool(
                "read_file",
                json!({"path": g("\u{FF0E}\u{FF0E}/outside/secret.txt")}),
            ),
            "looks like a path separator",
        ),
        (
            "right-to-left override",
            Tool(
                "write_file",
                json!({"path": g("invoice\u{202E}txt.exe"), "content": "x"}),
            ),
            "hides text",
        ),
        (
            "home directory",
            Tool("read_file", json!({"path": "~/.ssh/id_rsa"})),
            "'~'",
        ),
        (
            "trailing dot",
            Tool("read_file", json!({"path": g("ok.txt.")})),
            "ends with a dot or a space",
        ),
        (
            "trailing space",
            Tool("read_file", json!({"path": g("ok.txt ")})),
            "ends with a dot or a space",
        ),
        (
            "very long path",
            Tool("read_file", json!({ "path": long })),
            "too long",
        ),
        // Writes.
        (
            "write outside",
            Tool(
                "write_file",
                json!({"path": f.path("outside/new.txt"), "content": "x"}),
            ),
            "outside the granted folders",
        ),
        (
            "write through a symlink to a file outside",
            Tool(
                "write_file",
                json!({"path": g("link_out"), "content": "pwned"}),
            ),
            "symbolic link",
        ),
        (
            "write into a symlinked folder",
            Tool(
                "write_file",
                json!({"path": g("dir_out/new.txt"), "content": "x"}),
            ),
            "points outside the granted folders",
        ),
        (
            "write over a hard link to a file outside",
            Tool("write_file", json!({"path": g("hard"), "content": "pwned"})),
            "hard links",
        ),
        (
            "write over a FIFO",
            Tool("write_file", json!({"path": g("fifo"), "content": "x"})),
            "FIFO",
        ),
        (
            "write to a read-only grant",
            Tool(
                "write_file",
                json!({"path": f.path("grant-ro/doc.txt"), "content": "x"}),
            ),
            "granted read-only",
        ),
        (
            "write over the grant itself",
            Tool("write_file", json!({"path": g(""), "content": "x"})),
            "granted folder itself",
        ),
        (
            "edit through a symlink to a file outside",
            Tool(
                "edit_file",
                json!({"path": g("abs_out"), "edits": [{"old_text": "TOP", "new_text": "x"}]}),
            ),
            "symbolic link",
        ),
        (
            "edit a hard link to a file outside",
            Tool(
                "edit_file",
                json!({"path": g("hard"), "edits": [{"old_text": "TOP", "new_text": "x"}]}),
            ),
            "hard links",
        ),
        (
            "move a file out",
            Tool(
                "move_file",
                json!({"source": g("ok.txt"), "destination": f.path("outside/moved.txt")}),
            ),
            "outside the granted folders",
        ),
        (
            "move a file in from outside",
            Tool(
                "move_file",
                json!({"source": f.path("outside/secret.txt"), "destination": g("stolen.txt")}),
            ),
            "outside the granted folders",
        ),
        (
            "move through a symlinked folder",
            Tool(
                "move_file",
                json!({"source": g("dir_out/secret.txt"), "destination": g("stolen.txt")}),
            ),
            "points outside the granted folders",
        ),
        (
            "move into a symlinked folder",
            Tool(
                "move_file",
                json!({"source": g("ok.txt"), "destination": g("dir_out/moved.txt")}),
            ),
            "points outside the granted folders",
        ),
        (
            "move the grant itself",
            Tool(
                "move_file",
                json!({"source": g(""), "destination": g("sub/grant")}),
            ),
            "granted folder itself",
        ),
        (
            "move out of a read-only grant",
            Tool(
                "move_file",
                json!({"source": f.path("grant-ro/doc.txt"), "destination": g("doc.txt")}),
            ),
            "granted read-only",
        ),
        (
            "create a folder through a symlinked folder",
            Tool("create_directory", json!({"path": g("dir_out/new/deeper")})),
            "points outside the granted folders",
        ),
        (
            "create a folder outside",
            Tool("create_directory", json!({"path": f.path("outside/new")})),
            "outside the granted folders",
        ),
    ]
}

async fn attempt(client: &Client, attempt: &Attempt) -> String {
    match attempt {
        Attempt::Tool(tool, arguments) => refused(client, tool, arguments.clone()).await,
        Attempt::Resource(uri) => match read_resource(client, uri).await {
            Ok(contents) => panic!("resources/read {uri} should fail but returned {contents:?}"),
            Err(message) => message,
        },
    }
}

#[tokio::test]
async fn every_escape_attempt_is_refused_usefully_and_touches_nothing_outside() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let before = fixture.outside_state();
    let grant_before: Vec<String> = listing(&fixture.base.join("Grant"));
    let corpus = corpus(&fixture);
    assert!(
        corpus.len() >= 40,
        "the corpus has {} attempts",
        corpus.len()
    );
    let mut failures = Vec::new();
    for (name, sent, expected) in &corpus {
        let message = attempt(&client, sent).await;
        if !message.contains(expected) {
            failures.push(format!("{name}: expected {expected:?} in: {message}"));
        }
        if message.contains(SECRET) {
            failures.push(format!("{name}: the secret leaked: {message}"));
        }
        if message.len() > 700 {
            failures.push(format!(
                "{name}: message too long ({} bytes)",
                message.len()
            ));
        }
        assert_eq!(
            fixture.outside_state(),
            before,
            "{name} changed something outside the grants"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        listing(&fixture.base.join("Grant")),
        grant_before,
        "nothing was created or removed in the grant either"
    );
}

fn listing(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn links_that_stay_inside_the_grant_are_followed() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    for link in ["in_link", "abs_in_link", "up_in"] {
        let result = ok(
            &client,
            "read_file",
            json!({"path": fixture.path(&format!("Grant/{link}"))}),
        )
        .await;
        assert_eq!(text_of(&result), "fine\n", "{link}");
    }
}

#[tokio::test]
async fn walks_and_listings_never_reveal_what_is_outside() {
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let grant = fixture.path("Grant");
    let found = structured(
        &client,
        "search_files",
        json!({"path": grant, "content": SECRET}),
    )
    .await;
    assert_eq!(
        found["matches"],
        json!([]),
        "links are not followed and hard-linked files are not read"
    );
    let found = structured(
        &client,
        "search_files",
        json!({"path": grant, "name": "secret"}),
    )
    .await;
    assert_eq!(
        found["matches"],
        json!([]),
        "names behind links are not listed"
    );
    let tree = structured(
        &client,
        "directory_tree",
        json!({"path": grant, "depth": 5}),
    )
    .await;
    let text = tree.to_string();
    assert!(
        !text.contains("inner.txt") && !text.contains("secret"),
        "{text}"
    );
    let dir_out = tree["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "dir_out")
        .unwrap();
    assert_eq!(dir_out["type"], "symlink");
    assert!(
        dir_out.get("children").is_none(),
        "a linked folder is not entered"
    );
    let result = ok(
        &client,
        "read_multiple_files",
        json!({"paths": [fixture.path("Grant/link_out"), fixture.path("Grant/ok.txt")]}),
    )
    .await;
    let text = text_of(&result);
    assert!(
        text.contains("points outside the granted folders"),
        "{text}"
    );
    assert!(text.contains("fine"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    let resources = client.list_all_resources().await.unwrap();
    assert!(
        resources
            .iter()
            .all(|r| r.uri.contains("/Grant/") || r.uri.contains("/grant-ro/")),
        "{resources:?}"
    );
    assert!(
        resources
            .iter()
            .all(|r| !r.uri.ends_with("/hard") || r.size.is_some()),
        "listing may name a hard link but never reads it"
    );
}

#[tokio::test]
async fn a_symlink_swapped_in_place_of_a_written_file_is_replaced_not_followed() {
    // The rename that finishes a write replaces whatever is at the name; a symlink
    // planted there after the check is replaced, and its target outside is untouched.
    let fixture = Fixture::new();
    let client = connect(&fixture.folders).await;
    let path = fixture.path("Grant/planted.txt");
    ok(
        &client,
        "write_file",
        json!({"path": path, "content": "one"}),
    )
    .await;
    let before = fixture.outside_state();
    fs::remove_file(&path).unwrap();
    symlink(fixture.base.join("outside/secret.txt"), &path).unwrap();
    let message = refused(
        &client,
        "write_file",
        json!({"path": path, "content": "two"}),
    )
    .await;
    assert!(message.contains("symbolic link"), "{message}");
    assert_eq!(fixture.outside_state(), before);
    let outcome = call(
        &client,
        "edit_file",
        json!({"path": path, "edits": [{"old_text": "TOP", "new_text": "x"}]}),
    )
    .await
    .unwrap();
    assert_eq!(outcome.is_error, Some(true));
    assert_eq!(fixture.outside_state(), before);
}

/// `base/w` granted read-write with `base/w/docs` granted inside it (`docs_access`), a link
/// `w/repo/shared` that points out of every grant (as a cloned repository might hold), and
/// a secret in `base/outside`.
fn nested_grants(docs_access: Access) -> (TempDir, PathBuf, Folders) {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().canonicalize().unwrap();
    fs::create_dir_all(base.join("outside")).unwrap();
    fs::write(base.join("outside/secret.txt"), format!("{SECRET}\n")).unwrap();
    fs::create_dir_all(base.join("w/docs")).unwrap();
    fs::write(base.join("w/docs/a.txt"), "doc\n").unwrap();
    fs::create_dir_all(base.join("w/repo")).unwrap();
    symlink("../outside", base.join("w/repo/shared")).unwrap();
    let folders = Folders::new(vec![
        Folder::new(base.join("w"), Access::ReadWrite),
        Folder::new(base.join("w/docs"), docs_access),
    ]);
    (root, base, folders)
}

/// What the model can do with the outer grant: move the inner grant's folder away and move
/// the link into its place.
async fn swap_inner_grant_for_the_link(client: &Client, base: &Path) {
    let at = |p: &str| base.join(p).display().to_string();
    ok(
        client,
        "move_file",
        json!({"source": at("w/docs"), "destination": at("w/docs-old")}),
    )
    .await;
    ok(
        client,
        "move_file",
        json!({"source": at("w/repo/shared"), "destination": at("w/docs")}),
    )
    .await;
}

#[tokio::test]
async fn a_nested_grant_swapped_for_a_link_out_is_refused_not_followed() {
    for docs_access in [Access::ReadOnly, Access::ReadWrite] {
        let (_root, base, folders) = nested_grants(docs_access);
        let client = connect(&folders).await;
        ok(&client, "read_file", json!({"path": "docs/a.txt"})).await;
        swap_inner_grant_for_the_link(&client, &base).await;

        let mut attempts = vec![
            ("read_file", json!({"path": "docs/secret.txt"})),
            ("list_directory", json!({"path": "docs"})),
            ("get_file_info", json!({"path": "docs/secret.txt"})),
            ("search_files", json!({"path": "docs", "content": "SECRET"})),
        ];
        if docs_access == Access::ReadWrite {
            attempts.push((
                "write_file",
                json!({"path": "docs/pwned.txt", "content": "x"}),
            ));
            attempts.push(("create_directory", json!({"path": "docs/made"})));
        }
        for (tool, arguments) in &attempts {
            let message = refused(&client, tool, arguments.clone()).await;
            assert!(
                message.contains("no longer the folder that was granted"),
                "{docs_access:?} {tool} {arguments}: {message}"
            );
            assert!(!message.contains(SECRET), "{tool}: {message}");
        }

        // After any change of grants the inner grant is looked up again: through the link
        // in the read-write grant, which is refused, and the link's target is no grant.
        folders.replace(folders.snapshot().to_vec());
        let message = refused(&client, "read_file", json!({"path": "docs/secret.txt"})).await;
        assert!(
            message.contains("reached through the symbolic link")
                && message.contains(&base.join("w/docs").display().to_string()),
            "{message}"
        );
        let message = refused(
            &client,
            "read_file",
            json!({"path": base.join("outside/secret.txt")}),
        )
        .await;
        assert!(message.contains("outside the granted folders"), "{message}");
        if docs_access == Access::ReadWrite {
            refused(
                &client,
                "write_file",
                json!({"path": "docs/pwned.txt", "content": "x"}),
            )
            .await;
        }
        assert_eq!(
            listing(&base.join("outside")),
            ["secret.txt"],
            "nothing was written outside"
        );
        // The outer grant still works, and the moved folder is still in it.
        let text = text_of(&ok(&client, "read_file", json!({"path": "w/docs-old/a.txt"})).await);
        assert_eq!(text, "doc\n");
    }
}

#[tokio::test]
async fn a_nested_grant_whose_folder_comes_back_is_usable_again() {
    let (_root, base, folders) = nested_grants(Access::ReadOnly);
    let client = connect(&folders).await;
    swap_inner_grant_for_the_link(&client, &base).await;
    refused(&client, "read_file", json!({"path": "docs/a.txt"})).await;
    // The link is moved away and the real folder back: the grant is that folder again.
    fs::rename(base.join("w/docs"), base.join("w/link")).unwrap();
    fs::rename(base.join("w/docs-old"), base.join("w/docs")).unwrap();
    let text = text_of(&ok(&client, "read_file", json!({"path": "docs/a.txt"})).await);
    assert_eq!(text, "doc\n");
}

#[tokio::test]
async fn a_link_inside_a_read_write_grant_to_a_folder_inside_it_still_reaches_a_nested_grant() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().canonicalize().unwrap();
    fs::create_dir_all(base.join("w/real-docs")).unwrap();
    fs::write(base.join("w/real-docs/a.txt"), "doc\n").unwrap();
    symlink("real-docs", base.join("w/docs")).unwrap();
    // Outside every read-write grant, the user's own links are followed as before.
    fs::create_dir_all(base.join("elsewhere")).unwrap();
    fs::write(base.join("elsewhere/b.txt"), "b\n").unwrap();
    symlink(base.join("elsewhere"), base.join("alias")).unwrap();
    let folders = Folders::new(vec![
        Folder::new(base.join("w"), Access::ReadWrite),
        Folder::new(base.join("w/docs"), Access::ReadOnly),
        Folder::new(base.join("alias"), Access::ReadOnly),
    ]);
    let client = connect(&folders).await;
    let text = text_of(&ok(&client, "read_file", json!({"path": "docs/a.txt"})).await);
    assert_eq!(text, "doc\n");
    let text = text_of(&ok(&client, "read_file", json!({"path": "alias/b.txt"})).await);
    assert_eq!(text, "b\n");
}
