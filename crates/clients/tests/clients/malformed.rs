//! A file that does not parse is left byte for byte as it was, with no backup and no temp
//! file, and the error says where the problem is without quoting any value.

use std::fs;

use switchboard_clients::{ClientsError, DocumentError, ManagedEntries, Os, Scope};

use super::support::{Home, fixture, put, remove, temp_files};

/// (client, fixture, line, column) of each malformed fixture's error: the missing comma,
/// the trailing comma, the stray comment, the unterminated object (pointed at its
/// opening brace), the unterminated string.
const CASES: &[(&str, &str, usize, usize)] = &[
    ("claude-desktop", "malformed.json", 4, 23),
    ("claude-desktop", "comments.json", 2, 3),
    ("cursor", "malformed.json", 4, 44),
    ("vscode", "malformed.json", 7, 3),
    ("windsurf", "malformed.json", 1, 1),
    ("claude-code", "malformed.json", 5, 24),
    ("lm-studio", "malformed.json", 4, 18),
    ("cline", "malformed.json", 5, 51),
    ("codex", "malformed.toml", 5, 56),
    ("gemini", "malformed.json", 6, 20),
    ("zed", "malformed.json", 8, 5),
];

#[test]
fn malformed_files_are_left_untouched_and_the_error_points_at_the_problem() {
    let mut mismatches = Vec::new();
    for &(client, name, line, column) in CASES {
        let home = Home::new(Os::Linux);
        let original = fixture(client, name);
        let target = home.target(client, &Scope::User, Some(&original));
        for operations in [vec![put("github")], vec![remove("github")]] {
            let managed = ManagedEntries::from([("github".to_owned(), "github".to_owned())]);
            let error = target.apply(&managed, &operations).unwrap_err();
            let ClientsError::Document { path, source } = &error else {
                panic!("{client}/{name}: expected a document error, got {error}");
            };
            assert_eq!(
                path,
                target.path(),
                "{client}/{name}: the error names the file"
            );
            assert!(
                matches!(source, DocumentError::Malformed { .. }),
                "{client}/{name}: {source}"
            );
            if error.position() != Some((line, column)) {
                mismatches.push(format!(
                    "{client}/{name}: expected {line}:{column}, got {:?}",
                    error.position()
                ));
                continue;
            }
            let message = error.to_string();
            assert!(
                message.contains(&format!("line {line}, column {column}")),
                "{message}"
            );
            assert!(
                message.contains("fix the file"),
                "the message says what to do: {message}"
            );
            assert!(
                !message.contains("SECRET"),
                "the message quotes a value: {message}"
            );
            assert_eq!(
                fs::read(target.path()).unwrap(),
                original,
                "{client}/{name}: the file changed"
            );
        }
        assert!(
            target.read().is_err(),
            "{client}/{name}: reading reports it too"
        );
        assert!(
            target.backups().unwrap().is_empty(),
            "{client}/{name}: no backup of a file not written"
        );
        assert!(temp_files(target.path().parent().unwrap()).is_empty());
    }
    assert!(
        mismatches.is_empty(),
        "positions:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn a_servers_key_that_is_not_an_object_is_refused() {
    let home = Home::new(Os::Linux);
    let original = br#"{"mcpServers": ["github"], "other": 1}"#;
    let target = home.target("cursor", &Scope::User, Some(original));
    let error = target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} was left unchanged because `mcpServers` is a list, where an object of servers \
             was expected; fix the file by hand (or restore one of its backups) and try again",
            target.path().display()
        )
    );
    assert_eq!(fs::read(target.path()).unwrap(), original);
}

#[test]
fn a_root_that_is_not_an_object_is_refused() {
    let home = Home::new(Os::Linux);
    let target = home.target("gemini", &Scope::User, Some(b"[1, 2]\n"));
    let error = target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap_err();
    assert!(error.to_string().contains("`(root)` is a list"), "{error}");
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let home = Home::new(Os::Linux);
    let original = b"{\n  \"a\": \"\xff\"\n}\n";
    let target = home.target("cursor", &Scope::User, Some(original));
    let error = target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap_err();
    assert_eq!(error.position(), Some((2, 9)), "{error}");
    assert_eq!(fs::read(target.path()).unwrap(), original);
}
