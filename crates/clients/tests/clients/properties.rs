//! Property tests of the merge rules (pure, on text): over thousands of random existing
//! configs (random foreign keys and values, foreign servers whose names collide with
//! Switchboard's ids, comments, indentation, CRLF) and random install/uninstall
//! sequences, no foreign key, entry or comment is ever lost or changed, Switchboard's
//! entries are exactly as expected, and uninstalling everything gives back the original
//! bytes.

use std::{collections::BTreeMap, path::PathBuf};

use proptest::prelude::*;
use serde_json::{Map, Value};
use switchboard_clients::{
    ConfigTarget, Entry, Environment, ManagedEntries, Operation, Os, Scope, candidate_names,
};

use super::support::{at, parse_value};

const IDS: &[&str] = &["github", "notes", "fs", "github-switchboard", "x1"];
const BINARIES: &[&str] = &[
    "/opt/switchboard/bin/switchboard",
    "C:\\Program Files\\Switchboard\\switchboard.exe",
];

fn target(client: &str, scope: &Scope) -> ConfigTarget {
    let env = Environment::new(Os::Linux, PathBuf::from("/home/prop"));
    switchboard_clients::client(client)
        .unwrap()
        .target(scope, &env)
        .unwrap()
}

#[derive(Debug, Clone)]
struct Style {
    indent: &'static str,
    crlf: bool,
    comments: bool,
    trailing_commas: bool,
    final_newline: bool,
}

/// Random JSON values, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        "\\PC{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_ .\"\\\\/-]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn server_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(IDS).prop_map(str::to_owned),
        Just("github-switchboard-2".to_owned()),
        "[a-z][a-z0-9-]{0,5}",
    ]
}

/// A foreign server entry: usually a plausible one, sometimes anything.
fn foreign_entry() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => ("[a-z/]{1,10}", prop::collection::vec("[ -~]{0,8}", 0..3), prop::collection::btree_map("[A-Z_]{1,6}", "[ -~]{0,8}", 0..2), any::<bool>())
            .prop_map(|(command, args, env, disabled)| {
                let mut entry = serde_json::json!({"command": command, "args": args, "env": env});
                if disabled {
                    entry["disabled"] = Value::Bool(true);
                }
                entry
            }),
        1 => "[ -~]{1,12}".prop_map(|url| serde_json::json!({"url": url})),
        1 => json_value(),
    ]
}

/// A random document holding, along `path`, random siblings and (maybe) a servers map.
fn json_document(path: Vec<&'static str>) -> impl Strategy<Value = Value> {
    let levels = path.len();
    (
        prop::collection::vec(
            prop::collection::btree_map("[a-zA-Z_]{1,8}", json_value(), 0..4),
            levels,
        ),
        0..=levels,
        prop::collection::btree_map(server_name(), foreign_entry(), 0..5),
    )
        .prop_map(move |(siblings, depth, servers)| {
            // Build from the innermost level outwards; levels at or past `depth` are absent.
            let mut inner: Option<Value> =
                (depth == levels).then(|| Value::Object(servers.into_iter().collect()));
            for level in (0..levels).rev() {
                let mut object: Map<String, Value> = siblings[level]
                    .iter()
                    .filter(|(key, _)| key.as_str() != path[level])
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if let Some(value) = inner.take() {
                    object.insert(path[level].to_owned(), value);
                }
                if level < depth || level == 0 {
                    inner = Some(Value::Object(object));
                }
            }
            inner.unwrap_or_else(|| Value::Object(Map::new()))
        })
}

fn style(comments_allowed: bool) -> impl Strategy<Value = Style> {
    (
        prop::sample::select(&["  ", "    ", "\t"][..]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            move |(indent, crlf, comments, trailing, final_newline)| Style {
                indent,
                crlf,
                comments: comments && comments_allowed,
                trailing_commas: trailing && comments_allowed,
                final_newline,
            },
        )
}

/// Prints `value` in `style`; comments carry unique markers, returned to check later.
fn print_json(value: &Value, style: &Style) -> (String, Vec<String>) {
    fn go(value: &Value, style: &Style, depth: usize, out: &mut String, markers: &mut Vec<String>) {
        let newline = if style.crlf { "\r\n" } else { "\n" };
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push('{');
                out.push_str(newline);
                let count = map.len();
                for (i, (key, item)) in map.iter().enumerate() {
                    let pad = style.indent.repeat(depth + 1);
                    if style.comments && (i + depth).is_multiple_of(2) {
                        let marker = format!("comment-{}-{}", depth, markers.len());
                        out.push_str(&format!("{pad}// {marker}{newline}"));
                        markers.push(marker);
                    }
                    out.push_str(&pad);
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push_str(": ");
                    go(item, style, depth + 1, out, markers);
                    if i + 1 < count || style.trailing_commas {
                        out.push(',');
                    }
                    out.push_str(newline);
                }
                out.push_str(&style.indent.repeat(depth));
                out.push('}');
            }
            other => out.push_str(&serde_json::to_string(other).unwrap()),
        }
    }
    let mut out = String::new();
    let mut markers = Vec::new();
    if style.comments {
        out.push_str(if style.crlf {
            "// header comment\r\n"
        } else {
            "// header comment\n"
        });
        markers.push("header comment".to_owned());
    }
    go(value, style, 0, &mut out, &mut markers);
    if style.final_newline {
        out.push_str(if style.crlf { "\r\n" } else { "\n" });
    }
    (out, markers)
}

fn operations() -> impl Strategy<Value = Vec<(bool, &'static str, usize)>> {
    prop::collection::vec(
        (any::<bool>(), prop::sample::select(IDS), 0..BINARIES.len()),
        1..12,
    )
}

fn bridge(id: &str, binary: usize) -> Entry {
    Entry::bridge(std::path::Path::new(BINARIES[binary]), id).unwrap()
}

/// The model of the merge rules: the name a server gets, given the foreign names.
fn model_put(managed: &mut ManagedEntries, foreign: &[String], server: &str) {
    if managed.values().any(|s| s == server) {
        return;
    }
    let name = candidate_names(server)
        .find(|name| !foreign.contains(name) && !managed.contains_key(name))
        .unwrap();
    managed.insert(name, server.to_owned());
}

/// Runs a random sequence on `original` and checks every step.
fn check_sequence(
    target: &ConfigTarget,
    original: &str,
    markers: &[String],
    steps: &[(bool, &'static str, usize)],
) -> Result<(), TestCaseError> {
    let format = target.client().format;
    let path = target.servers_path();
    let original_value = parse_value(format, original);
    let original_servers: Map<String, Value> = at(&original_value, &path)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let foreign: Vec<String> = original_servers.keys().cloned().collect();

    let mut text = original.to_owned();
    let mut managed = ManagedEntries::new();
    let mut model = ManagedEntries::new();
    let mut binaries: BTreeMap<&str, usize> = BTreeMap::new();
    for &(install, id, binary) in steps {
        let operation = if install {
            model_put(&mut model, &foreign, id);
            binaries.insert(id, binary);
            Operation::Put {
                server: id.to_owned(),
                entry: bridge(id, binary),
            }
        } else {
            model.retain(|_, server| server != id);
            binaries.remove(id);
            Operation::Remove {
                server: id.to_owned(),
            }
        };
        let edited = target
            .edit_text(Some(&text), &managed, &[operation])
            .unwrap();
        if let Some(new) = edited.text {
            text = new;
        }
        managed = edited.managed;
        prop_assert_eq!(&managed, &model, "managed entries follow the naming rules");

        let value = parse_value(format, &text);
        // Foreign content: everything outside the servers map is as it was.
        let mut outside = value.clone();
        let mut outside_original = original_value.clone();
        for v in [&mut outside, &mut outside_original] {
            if let Some(Value::Object(servers)) = path.iter().try_fold(v, |v, key| v.get_mut(*key))
            {
                servers.clear();
            }
        }
        let created = super::support::without_entries(&outside, &path, &[], &original_value);
        prop_assert_eq!(created, outside_original, "a foreign key changed");
        // Inside the servers map: foreign entries untouched, managed ones exactly expected.
        let servers = at(&value, &path)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, entry) in &servers {
            match managed.get(name) {
                Some(server) => {
                    prop_assert_eq!(
                        &entry["command"],
                        &Value::from(BINARIES[binaries[server.as_str()]])
                    );
                    prop_assert_eq!(&entry["args"], &serde_json::json!(["connect", server]));
                    if target.client().entry.stdio_type.is_some() {
                        prop_assert_eq!(&entry["type"], &Value::from("stdio"));
                    }
                }
                None => prop_assert_eq!(
                    Some(entry),
                    original_servers.get(name),
                    "foreign entry {} changed",
                    name
                ),
            }
        }
        for name in original_servers.keys() {
            prop_assert!(servers.contains_key(name), "foreign entry {} lost", name);
        }
        for name in managed.keys() {
            prop_assert!(servers.contains_key(name), "managed entry {} missing", name);
        }
        for marker in markers {
            prop_assert!(text.contains(marker.as_str()), "comment {} lost", marker);
        }
        prop_assert_eq!(
            text.starts_with('\u{feff}'),
            original.starts_with('\u{feff}')
        );
        if crlf_throughout(original) {
            prop_assert!(
                crlf_throughout(&text),
                "a CRLF file got LF lines:\n{}",
                text
            );
        }
    }

    // Uninstalling everything gives back the original bytes when the file had servers.
    let removals: Vec<Operation> = IDS
        .iter()
        .map(|id| Operation::Remove {
            server: (*id).to_owned(),
        })
        .collect();
    let edited = target.edit_text(Some(&text), &managed, &removals).unwrap();
    if let Some(new) = edited.text {
        text = new;
    }
    prop_assert!(edited.managed.is_empty());
    if !original_servers.is_empty() {
        prop_assert_eq!(
            &text,
            original,
            "uninstalling everything restores the file byte for byte"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn strict_json_files_keep_every_foreign_key_and_entry(
        document in json_document(vec!["mcpServers"]),
        style in style(false),
        steps in operations(),
    ) {
        let (text, markers) = print_json(&document, &style);
        check_sequence(&target("claude-desktop", &Scope::User), &text, &markers, &steps)?;
    }

    #[test]
    fn commented_json_files_keep_every_comment_and_foreign_entry(
        document in json_document(vec!["servers"]),
        style in style(true),
        steps in operations(),
    ) {
        let (text, markers) = print_json(&document, &style);
        check_sequence(&target("vscode", &Scope::User), &text, &markers, &steps)?;
    }

    #[test]
    fn nested_project_maps_keep_every_other_project(
        document in json_document(vec!["projects", "/p/app", "mcpServers"]),
        style in style(false),
        steps in operations(),
    ) {
        let (text, markers) = print_json(&document, &style);
        check_sequence(&target("claude-code", &Scope::Local(PathBuf::from("/p/app"))), &text, &markers, &steps)?;
    }
}

/// Random Codex-style TOML: top-level settings, other tables, foreign
/// `[mcp_servers.<name>]` tables (or an inline servers table), comments.
fn toml_document() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop::collection::btree_map("[a-z_]{1,8}", "[ -~&&[^\"\\\\]]{0,10}", 0..4),
        prop::collection::btree_map(
            server_name(),
            (
                "[a-z/]{1,8}",
                prop::collection::vec("[a-z-]{0,6}", 0..3),
                prop::option::of(("[A-Z_]{1,5}", "[a-z0-9]{0,6}")),
            ),
            0..4,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(settings, servers, comments, inline, crlf)| {
            let mut out = String::new();
            let mut markers = Vec::new();
            let mut comment = |out: &mut String| {
                if comments {
                    let marker = format!("toml-comment-{}", markers.len());
                    out.push_str(&format!("# {marker}\n"));
                    markers.push(marker);
                }
            };
            comment(&mut out);
            for (key, value) in &settings {
                out.push_str(&format!("{key} = \"{value}\"\n"));
            }
            if inline && !servers.is_empty() {
                let items: Vec<String> = servers
                    .iter()
                    .map(|(name, (command, _, _))| {
                        format!("{name} = {{ command = \"{command}\" }}")
                    })
                    .collect();
                out.push_str(&format!("mcp_servers = {{ {} }}\n", items.join(", ")));
            } else {
                for (name, (command, args, env)) in &servers {
                    out.push('\n');
                    comment(&mut out);
                    out.push_str(&format!("[mcp_servers.{name}]\ncommand = \"{command}\"\n"));
                    out.push_str(&format!("args = {:?}\n", args));
                    if let Some((key, value)) = env {
                        out.push_str(&format!("env = {{ {key} = \"{value}\" }}\n"));
                    }
                }
            }
            out.push_str("\n[profiles.fast]\nmodel = \"mini\"\n");
            comment(&mut out);
            if crlf {
                out = out.replace('\n', "\r\n");
            }
            (out, markers)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn toml_files_keep_every_comment_table_and_foreign_server(
        (text, markers) in toml_document(),
        steps in operations(),
    ) {
        check_sequence(&target("codex", &Scope::User), &text, &markers, &steps)?;
    }
}

fn crlf_throughout(text: &str) -> bool {
    text.contains("\r\n") && text.matches('\n').count() == text.matches("\r\n").count()
}
