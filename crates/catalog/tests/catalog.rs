//! The curated catalog as shipped: every `catalog/*.json` file is a valid `server.json` and
//! a valid entry, ids work in every client, at least 25 third-party servers are there with
//! the ones the issue names, every secret is marked, every folder is marked, every way to
//! install each entry gives a complete plan that keeps secrets off the command line, and
//! docs/catalog.md lists every package at the version the catalog pins.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{collections::BTreeSet, path::Path};

use switchboard_catalog::{
    Answers, Catalog, CatalogEntry, Category, EntryKind, PlannedLaunch, SettingKind, Via,
    catalog::curated_files,
    entry::{BUILTIN_NAMES, is_valid_id},
    plan::{self, HeaderValue},
    server_json::{Input, ServerJson},
};

fn catalog() -> Catalog {
    Catalog::curated().unwrap_or_else(|error| panic!("{error}"))
}

/// Words in a setting's name that mean it holds a secret.
const SECRET_WORDS: [&str; 9] = [
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "API_KEY",
    "APIKEY",
    "CONNECTION_STRING",
    "DATABASE_URI",
    "AUTHORIZATION",
    "CREDENTIAL",
];

/// Every input of an entry with the key it is asked under.
fn inputs(server: &ServerJson) -> Vec<(String, Input)> {
    let mut found = Vec::new();
    let mut add = |key: Option<&str>, input: &Input| {
        if let Some(key) = key {
            found.push((key.to_owned(), input.clone()));
        }
        for (name, variable) in &input.variables {
            found.push((name.clone(), variable.clone()));
        }
    };
    for package in &server.packages {
        for argument in package
            .runtime_arguments
            .iter()
            .chain(&package.package_arguments)
        {
            add(argument.key(), &argument.input);
        }
        for variable in &package.environment_variables {
            add(Some(&variable.name), &variable.input);
        }
    }
    for remote in &server.remotes {
        for (name, variable) in &remote.variables {
            add(Some(name), variable);
        }
        for header in &remote.headers {
            add(Some(&header.name), &header.input);
        }
    }
    found
}

#[test]
fn every_file_is_a_valid_server_json_and_entry() {
    assert!(!curated_files().is_empty(), "the catalog is embedded");
    for (file, text) in curated_files() {
        ServerJson::from_json(file, text).unwrap_or_else(|error| panic!("{error}"));
    }
    let catalog = catalog();
    assert_eq!(
        catalog.len(),
        curated_files().len(),
        "every file is an entry"
    );
}

#[test]
fn ids_are_valid_in_every_client_unique_and_match_their_files() {
    let catalog = catalog();
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for entry in catalog.entries() {
        assert!(is_valid_id(&entry.id), "{} is not a valid id", entry.id);
        assert!(
            ids.insert(entry.id.clone()),
            "id {} is used twice",
            entry.id
        );
        assert!(
            names.insert(entry.server.name.clone()),
            "name {} is used twice",
            entry.server.name
        );
        let switchboard_catalog::Origin::Curated { file } = &entry.origin else {
            panic!("{} is not curated", entry.id);
        };
        let expected = match entry.kind {
            EntryKind::Builtin => format!("switchboard-{}.json", entry.id),
            _ => format!("{}.json", entry.id),
        };
        assert_eq!(file, &expected, "a file is named after its entry's id");
    }
}

#[test]
fn at_least_25_third_party_servers_including_the_ones_people_ask_for() {
    let catalog = catalog();
    let third_party: Vec<&CatalogEntry> = catalog
        .entries()
        .iter()
        .filter(|e| e.kind != EntryKind::Builtin)
        .collect();
    assert!(
        third_party.len() >= 25,
        "only {} third-party servers",
        third_party.len()
    );
    for id in [
        "filesystem",
        "memory",
        "everything",
        "mcp-server-fetch",
        "time",
        "git",
        "sequential-thinking",
        "github",
        "gitlab",
        "slack",
        "postgres",
        "sqlite",
        "brave-search",
        "playwright",
        "puppeteer",
        "google-drive",
        "notion",
        "linear",
        "sentry",
    ] {
        assert!(catalog.get(id).is_some(), "the catalog lacks {id}");
    }
}

#[test]
fn every_builtin_is_listed_as_a_builtin_first() {
    let catalog = catalog();
    let builtins: Vec<&str> = catalog
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Builtin)
        .map(|e| e.meta.builtin.as_deref().unwrap_or_default())
        .collect();
    let expected: BTreeSet<&str> = BUILTIN_NAMES.into_iter().collect();
    assert_eq!(
        builtins.iter().copied().collect::<BTreeSet<_>>(),
        expected,
        "all seven built-ins, each once"
    );
    assert!(
        catalog.entries()[..builtins.len()]
            .iter()
            .all(|e| e.kind == EntryKind::Builtin),
        "built-ins come first"
    );
    for entry in catalog
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Builtin)
    {
        assert_eq!(entry.vias(), [Via::Builtin]);
        assert!(entry.server.packages.is_empty() && entry.server.remotes.is_empty());
    }
}

#[test]
fn every_entry_is_described_and_categorised() {
    for entry in catalog().entries() {
        assert!(
            !entry.categories().is_empty(),
            "{} has no category",
            entry.id
        );
        let capabilities = entry.meta.capabilities.as_deref().unwrap_or_default();
        assert!(
            capabilities.len() >= 20,
            "{} says too little about what it can do",
            entry.id
        );
        assert!(entry.description().chars().count() <= 100);
        assert!(entry.server.title.is_some(), "{} has no title", entry.id);
    }
}

#[test]
fn every_secret_is_marked_secret() {
    for entry in catalog().entries() {
        for (key, input) in inputs(&entry.server) {
            let upper = key.to_uppercase();
            let sounds_secret = SECRET_WORDS.iter().any(|word| upper.contains(word))
                || upper.ends_with("_KEY")
                || upper == "KEY";
            let is_path = input.format() == switchboard_catalog::server_json::InputFormat::Filepath;
            if sounds_secret && !is_path && input.value.is_none() {
                assert!(
                    input.is_secret,
                    "{}: {key} looks like a secret and is not marked isSecret",
                    entry.id
                );
            }
        }
    }
}

#[test]
fn every_folder_input_is_marked_for_the_folder_picker() {
    for entry in catalog().entries() {
        for (key, input) in inputs(&entry.server) {
            let about = format!("{key} {}", input.description.as_deref().unwrap_or_default())
                .to_lowercase();
            let names_a_folder = ["folder", "director", "repositor"]
                .iter()
                .any(|word| about.contains(word));
            let is_path = input.format() == switchboard_catalog::server_json::InputFormat::Filepath;
            if names_a_folder && is_path {
                assert!(
                    entry.meta.folder(&key).is_some(),
                    "{}: {key} takes a folder and is not in _meta folders",
                    entry.id
                );
            }
        }
    }
    let folders_of = |id: &str| catalog().get(id).unwrap().meta.folders.len();
    for id in ["files", "notes", "sql", "filesystem", "git"] {
        assert!(folders_of(id) > 0, "{id} offers the folder picker");
    }
}

/// Answers every setting: secrets with a canary, folders and files with absolute paths,
/// choices with the first, the rest with text.
fn answer_everything(settings: &[switchboard_catalog::Setting], canary: &str) -> Answers {
    let root = std::env::temp_dir();
    let mut answers = Answers::new();
    for setting in settings {
        if setting.secret {
            answers.set_secret(&setting.key, canary.into());
            continue;
        }
        let value = match &setting.kind {
            SettingKind::Folder { .. } | SettingKind::File => {
                root.join("catalog-test").display().to_string()
            }
            SettingKind::Choice { choices } => choices[0].clone(),
            SettingKind::Boolean => "true".to_owned(),
            SettingKind::Number { .. } => "7".to_owned(),
            SettingKind::Text => setting
                .defaults
                .first()
                .cloned()
                .unwrap_or_else(|| "x".to_owned()),
        };
        answers.set(&setting.key, value);
    }
    answers
}

#[test]
fn every_way_to_install_every_entry_gives_a_complete_plan_with_no_secret_in_arguments() {
    let canary = "canary-secret-7f3a";
    let mut plans = 0;
    for entry in catalog().entries() {
        for via in entry.vias() {
            let settings = plan::settings(entry, via)
                .unwrap_or_else(|error| panic!("{} via {via}: {error}", entry.id));
            let answers = answer_everything(&settings, canary);
            let planned = plan::plan(entry, via, &entry.id, &answers)
                .unwrap_or_else(|error| panic!("{} via {via}: {error}", entry.id));
            assert!(
                planned.is_complete(),
                "{} via {via} still misses {:?}",
                entry.id,
                planned.missing
            );
            let shown = serde_json::to_string(&planned.launch).unwrap();
            assert!(
                !shown.contains(canary),
                "{} via {via} puts a secret in its launch: {shown}",
                entry.id
            );
            assert!(
                planned.env.values().all(|v| !v.contains(canary)),
                "{} via {via} puts a secret in the plain environment",
                entry.id
            );
            let has_secret_setting = settings.iter().any(|s| s.secret);
            assert_eq!(
                has_secret_setting,
                !planned.secrets.is_empty(),
                "{} via {via}: secret settings become keychain secrets",
                entry.id
            );
            if let PlannedLaunch::Remote { headers, .. } = &planned.launch {
                for header in headers {
                    if let HeaderValue::Secret { secret } = &header.value {
                        assert!(planned.secret_names().contains(&secret.as_str()));
                    }
                }
            }
            plans += 1;
        }
    }
    assert!(plans > catalog().len(), "every way was tried ({plans})");
}

#[test]
fn required_settings_left_blank_are_reported_missing() {
    for entry in catalog().entries() {
        for via in entry.vias() {
            let settings = plan::settings(entry, via).unwrap();
            let required: Vec<&str> = settings
                .iter()
                .filter(|s| s.required && s.defaults.is_empty())
                .map(|s| s.key.as_str())
                .collect();
            let planned = plan::plan(entry, via, &entry.id, &Answers::new()).unwrap();
            let missing: Vec<&str> = planned.missing.iter().map(|m| m.setting.as_str()).collect();
            assert_eq!(missing, required, "{} via {via}", entry.id);
        }
    }
}

#[test]
fn search_finds_what_people_type() {
    let catalog = catalog();
    let top = |query: &str| {
        catalog
            .search(query, None)
            .first()
            .map(|e| e.id.clone())
            .unwrap_or_default()
    };
    assert_eq!(top("github"), "github");
    assert_eq!(top("postgres"), "postgres");
    assert_eq!(top("files"), "files", "the built-in is the exact match");
    assert_eq!(top("jira"), "atlassian");
    let browsers: Vec<String> = catalog
        .search("", Some(Category::Browser))
        .iter()
        .map(|e| e.id.clone())
        .collect();
    for id in ["playwright", "puppeteer", "chrome-devtools"] {
        assert!(browsers.contains(&id.to_owned()), "{id} in {browsers:?}");
    }
    assert!(catalog.categories().iter().all(|(_, count)| *count > 0));
}

#[test]
fn docs_list_every_package_at_its_pinned_version() {
    let docs_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalog.md");
    let docs = std::fs::read_to_string(&docs_path).expect("docs/catalog.md exists");
    for entry in catalog().entries() {
        assert!(
            docs.contains(&format!("`{}`", entry.id)),
            "docs/catalog.md does not list {}",
            entry.id
        );
        for package in &entry.server.packages {
            let pinned = match &package.version {
                Some(version) => format!("`{}@{version}`", package.identifier),
                None => format!("`{}`", package.identifier),
            };
            assert!(
                docs.contains(&pinned),
                "docs/catalog.md does not list {pinned} for {}",
                entry.id
            );
        }
        for remote in &entry.server.remotes {
            let url = remote.url.as_deref().unwrap_or_default();
            assert!(docs.contains(url), "docs/catalog.md does not list {url}");
        }
    }
}
