//! Detection in real temp HOMEs laid out like macOS and Windows: installed clients are
//! found by their folders or files, and each reports where its file is or would be.

use std::path::PathBuf;

use switchboard_clients::{Environment, Os, Scope, detect};

use super::support::{Home, write};

#[test]
fn installed_clients_are_found_by_their_folders_on_macos() {
    let home = Home::new(Os::MacOs);
    let support = home.path().join("Library").join("Application Support");
    std::fs::create_dir_all(support.join("Claude")).unwrap();
    std::fs::create_dir_all(support.join("Code").join("User")).unwrap();
    write(
        &home.path().join(".codex").join("config.toml"),
        b"model = \"o3\"\n",
    );

    let found = detect(&home.env);
    let installed: Vec<&str> = found
        .iter()
        .filter(|d| d.installed)
        .map(|d| d.client)
        .collect();
    assert_eq!(installed, ["claude-desktop", "vscode", "codex"]);
    let claude = &found[0];
    assert_eq!(
        claude.path,
        support.join("Claude").join("claude_desktop_config.json")
    );
    assert!(!claude.file_exists);
    let codex = found.iter().find(|d| d.client == "codex").unwrap();
    assert!(codex.file_exists);
}

#[test]
fn the_windows_store_claude_desktop_is_found_in_its_package_folder() {
    let home = Home::new(Os::Windows);
    let package = home
        .path()
        .join("AppData")
        .join("Local")
        .join("Packages")
        .join("Claude_pzs8sxrjxfjjc");
    std::fs::create_dir_all(&package).unwrap();
    let found = detect(&home.env);
    let claude = found.iter().find(|d| d.client == "claude-desktop").unwrap();
    assert!(claude.installed);
    assert_eq!(
        claude.path,
        package
            .join("LocalCache")
            .join("Roaming")
            .join("Claude")
            .join("claude_desktop_config.json")
    );
}

#[test]
fn lm_studio_uses_the_cache_folder_when_that_is_where_it_lives() {
    let home = Home::new(Os::Linux);
    write(
        &home
            .path()
            .join(".cache")
            .join("lm-studio")
            .join("mcp.json"),
        b"{}",
    );
    let target = home.target("lm-studio", &Scope::User, None);
    assert_eq!(
        target.path(),
        home.path()
            .join(".cache")
            .join("lm-studio")
            .join("mcp.json")
    );
}

#[test]
fn cline_cli_is_found_when_the_extension_is_absent() {
    let home = Home::new(Os::Linux);
    std::fs::create_dir_all(home.path().join(".cline")).unwrap();
    let target = home.target("cline", &Scope::User, None);
    assert!(
        target
            .path()
            .ends_with(".cline/data/settings/cline_mcp_settings.json"),
        "{:?}",
        target.path()
    );
}

#[test]
fn a_portable_or_custom_vscode_folder_is_honoured() {
    let home = Home::new(Os::Linux);
    let custom = home.path().join("portable").join("user-data").join("User");
    let env = Environment::new(Os::Linux, home.path()).with_vscode_user_dir(&custom);
    let spec = switchboard_clients::client("vscode").unwrap();
    assert_eq!(
        spec.target(&Scope::User, &env).unwrap().path(),
        custom.join("mcp.json")
    );
    let cline = switchboard_clients::client("cline").unwrap();
    assert!(
        cline
            .target(&Scope::User, &env)
            .unwrap()
            .path()
            .starts_with(&custom)
    );
}

#[test]
fn every_client_has_a_user_file_on_every_os_and_documented_sources() {
    for spec in switchboard_clients::all_clients() {
        assert!(
            !spec.docs.is_empty(),
            "{} lists the docs it was checked against",
            spec.id
        );
        for os in [Os::MacOs, Os::Windows, Os::Linux] {
            let env = Environment::new(os, PathBuf::from("/home/test"));
            assert!(
                spec.target(&Scope::User, &env).is_ok(),
                "{} on {os:?}",
                spec.id
            );
        }
    }
}
