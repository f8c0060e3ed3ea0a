//! The file itself: permissions kept, new files private, symlinks written through,
//! missing folders created, backups named by UTC time and pruned to the last five, and
//! no write (and no backup) when nothing changes.

use switchboard_clients::{AtomicWriter, BACKUP_INFIX, ManagedEntries, Os, Scope};

use super::support::{Home, fixture, put, read, remove};

#[test]
fn backups_are_timestamped_and_only_the_last_five_are_kept() {
    let home = Home::new(Os::Linux);
    let target = home.target(
        "cursor",
        &Scope::User,
        Some(&fixture("cursor", "real-world.json")),
    );
    let mut managed = ManagedEntries::new();
    let mut previous = Vec::new();
    for round in 0..8 {
        previous.push(read(target.path()));
        let operation = if round % 2 == 0 {
            put("notes")
        } else {
            remove("notes")
        };
        let report = target.apply(&managed, &[operation]).unwrap();
        managed = report.managed;
        let backup = report.backup.unwrap();
        assert_eq!(
            read(&backup),
            *previous.last().unwrap(),
            "round {round}: the backup holds the old file"
        );
        let name = backup.file_name().unwrap().to_string_lossy().into_owned();
        let stamp = name.split(BACKUP_INFIX).nth(1).unwrap();
        assert!(
            stamp.len() >= 20 && stamp.as_bytes()[8] == b'T' && stamp[..20].ends_with('Z'),
            "round {round}: {name} should end in a UTC timestamp"
        );
    }
    let backups = target.backups().unwrap();
    assert_eq!(
        backups.len(),
        5,
        "only the last five backups are kept: {backups:?}"
    );
    let kept: Vec<String> = backups.iter().map(|b| read(b)).collect();
    assert_eq!(kept, previous[3..], "the newest five, oldest first");
}

#[test]
fn the_number_of_backups_kept_can_be_set() {
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, Some(b"{}"));
    let writer = AtomicWriter::new().keep_backups(2);
    let mut managed = ManagedEntries::new();
    for round in 0..4 {
        let operation = if round % 2 == 0 {
            put("notes")
        } else {
            remove("notes")
        };
        managed = target
            .apply_with(&writer, &managed, &[operation])
            .unwrap()
            .managed;
    }
    assert_eq!(target.backups().unwrap().len(), 2);
}

#[test]
fn nothing_to_change_writes_nothing() {
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, Some(b"{\"mcpServers\": {}}"));
    let report = target
        .apply(&ManagedEntries::new(), &[remove("notes")])
        .unwrap();
    assert!(!report.written && report.backup.is_none());
    assert!(target.backups().unwrap().is_empty());
}

#[test]
fn missing_folders_are_created() {
    let home = Home::new(Os::Windows);
    let target = home.target("claude-desktop", &Scope::User, None);
    assert!(!target.path().parent().unwrap().exists());
    target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    assert!(target.path().is_file());
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_new_files_are_private() {
    use std::os::unix::fs::PermissionsExt;

    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let home = Home::new(Os::Linux);
    let target = home.target("cursor", &Scope::User, Some(b"{}"));
    std::fs::set_permissions(target.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let report = target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    assert_eq!(mode(target.path()), 0o640, "the file keeps its mode");
    assert_eq!(
        mode(&report.backup.unwrap()),
        0o640,
        "the backup has the file's mode"
    );

    let fresh = home.target("windsurf", &Scope::User, None);
    fresh
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    assert_eq!(
        mode(fresh.path()),
        0o600,
        "a new file is private: it may hold a token"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_file_is_written_through() {
    let home = Home::new(Os::Linux);
    let dotfiles = home.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let real = dotfiles.join("cursor-mcp.json");
    std::fs::write(&real, b"{\"mcpServers\": {}}\n").unwrap();
    let target = home.target("cursor", &Scope::User, None);
    std::fs::create_dir_all(target.path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, target.path()).unwrap();

    target
        .apply(&ManagedEntries::new(), &[put("notes")])
        .unwrap();
    let link = std::fs::symlink_metadata(target.path()).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert!(
        read(&real).contains("\"notes\""),
        "the dotfiles copy got the entry"
    );
}
