//! Servers added by hand: a command line (`npx -y pkg@1.2.3 --flag`, `uvx pkg==1.0`, or
//! any program) or a URL, with the environment variables or headers it needs, turned into
//! a [`CatalogEntry`] like any other so the same settings form and install plan apply.
//!
//! Owns: recognising pinned npx and uvx command lines as packages and writing the
//! `server.json` for what was added. Must not: run, fetch or store anything.

use std::str::FromStr;

use serde_json::Map;
use switchboard_secrets::SecretName;
use url::{Host, Url};

use crate::{
    entry::{CatalogEntry, EntryError, Origin, is_valid_id},
    meta::{CommandLine, EntryKind, SwitchboardMeta},
    server_json::{
        Argument, ArgumentKind, Input, KeyValueInput, Package, RegistryType, ServerJson, Transport,
        TransportKind, validate::version_problem,
    },
};

/// The namespace of entries added by hand.
pub const MANUAL_NAMESPACE: &str = "dev.switchboard.local";

/// An environment variable (or header) a hand-added server needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualVariable {
    pub name: String,
    /// Kept in the keychain.
    pub secret: bool,
    pub required: bool,
    pub description: Option<String>,
}

impl ManualVariable {
    /// A required secret, such as an API key.
    pub fn secret(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            secret: true,
            required: true,
            description: None,
        }
    }

    /// An optional plain setting.
    pub fn plain(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            secret: false,
            required: false,
            description: None,
        }
    }

    fn input(&self) -> KeyValueInput {
        KeyValueInput {
            name: self.name.clone(),
            input: Input {
                description: self.description.clone(),
                is_required: self.required,
                is_secret: self.secret,
                ..Input::default()
            },
        }
    }
}

/// Why a hand-added server was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManualError {
    #[error(
        "\"{0}\" is not a valid server id: use 1 to 64 letters, digits, '_' or '-' (no \
         spaces or dots)"
    )]
    Id(String),
    #[error("the command line is empty: give the program to run and its arguments")]
    EmptyCommand,
    #[error(
        "\"{0}\" is not a URL: give the server's full address, such as https://example.com/mcp"
    )]
    Url(String),
    #[error(
        "{0} is not encrypted: use an https:// address (plain http is allowed only for this \
         computer, such as http://127.0.0.1:8080/mcp)"
    )]
    PlainHttp(String),
    #[error(
        "the address carries what looks like a secret (in {what}), and Switchboard keeps \
         secrets out of files and command lines. If the service takes the key in a header, \
         add the address without it and the key as a secret header. Otherwise keep the \
         whole address in the keychain: \
         `switchboard add {id} --secret MCP_ADDRESS -- switchboard remote --url-env \
         MCP_ADDRESS`, then `switchboard secrets set {id} MCP_ADDRESS`"
    )]
    SecretInAddress { id: String, what: &'static str },
    #[error(
        "\"{0}\" cannot be a secret's name: use capitals, digits and _ (such as API_KEY), so \
         the keychain can file it"
    )]
    SecretName(String),
    #[error("\"{0}\" cannot be an environment variable or header name")]
    VariableName(String),
    #[error(transparent)]
    Entry(#[from] EntryError),
}

/// An entry for a command line. `npx [-y] <package>@<version> …` and `uvx
/// <package>==<version> …` (pinned) become npm and PyPI packages; anything else is run as
/// written.
pub fn from_command_line(
    id: &str,
    title: &str,
    argv: &[String],
    env: &[ManualVariable],
) -> Result<CatalogEntry, ManualError> {
    check_id(id)?;
    let (program, rest) = argv.split_first().ok_or(ManualError::EmptyCommand)?;
    if program.trim().is_empty() {
        return Err(ManualError::EmptyCommand);
    }
    for variable in env {
        check_variable(variable, true)?;
    }
    let variables: Vec<KeyValueInput> = env.iter().map(ManualVariable::input).collect();
    let described = shorten(&format!("Added by hand: {}", argv.join(" ")));
    let mut meta = SwitchboardMeta {
        id: Some(id.to_owned()),
        ..SwitchboardMeta::default()
    };
    let mut server = ServerJson {
        schema: Some(crate::server_json::SCHEMA_URL.to_owned()),
        name: format!("{MANUAL_NAMESPACE}/{id}"),
        description: described,
        title: Some(title_or(title, id)),
        version: "0.0.0".to_owned(),
        repository: None,
        website_url: None,
        icons: Vec::new(),
        packages: Vec::new(),
        remotes: Vec::new(),
        meta: Map::new(),
        other: Map::new(),
    };
    match recognise_package(program, rest) {
        Some((registry_type, identifier, version, args)) => {
            server.version.clone_from(&version);
            server.packages.push(Package {
                registry_type,
                registry_base_url: None,
                identifier,
                version: Some(version),
                file_sha256: None,
                runtime_hint: None,
                transport: Transport::stdio(),
                runtime_arguments: Vec::new(),
                package_arguments: args.into_iter().map(fixed_argument).collect(),
                environment_variables: variables,
                other: Map::new(),
            });
            meta.kind = Some(EntryKind::Package);
        }
        None => {
            meta.kind = Some(EntryKind::Command);
            meta.command = Some(CommandLine {
                command: program.clone(),
                args: rest.to_vec(),
                environment_variables: variables,
            });
        }
    }
    meta.write_to(&mut server.meta);
    let source = format!("the command for \"{id}\"");
    Ok(CatalogEntry::new(&source, server, Origin::Manual)?)
}

/// An entry for a server at a URL (Streamable HTTP, or SSE when the path ends in `/sse`).
pub fn from_url(
    id: &str,
    title: &str,
    url: &str,
    headers: &[ManualVariable],
) -> Result<CatalogEntry, ManualError> {
    check_id(id)?;
    // Before anything that could repeat the address: an error message is shown and logged.
    if let Some(what) = switchboard_secrets::detect::secret_in_url(url.trim()) {
        return Err(ManualError::SecretInAddress {
            id: id.to_owned(),
            what,
        });
    }
    let parsed = Url::parse(url.trim())
        .map_err(|_| ManualError::Url(switchboard_secrets::detect::url_to_show(url)))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => return Err(ManualError::PlainHttp(parsed.to_string())),
        _ => return Err(ManualError::Url(url.to_owned())),
    }
    for header in headers {
        check_variable(header, false)?;
    }
    let kind = if parsed.path().trim_end_matches('/').ends_with("/sse") {
        TransportKind::Sse
    } else {
        TransportKind::StreamableHttp
    };
    let mut meta = SwitchboardMeta {
        id: Some(id.to_owned()),
        kind: Some(EntryKind::Remote),
        ..SwitchboardMeta::default()
    };
    meta.keywords
        .push(parsed.host_str().unwrap_or_default().to_owned());
    let mut server = ServerJson {
        schema: Some(crate::server_json::SCHEMA_URL.to_owned()),
        name: format!("{MANUAL_NAMESPACE}/{id}"),
        description: shorten(&format!("Added by hand: {parsed}")),
        title: Some(title_or(title, id)),
        version: "0.0.0".to_owned(),
        repository: None,
        website_url: None,
        icons: Vec::new(),
        packages: Vec::new(),
        remotes: vec![Transport {
            kind,
            url: Some(parsed.to_string()),
            headers: headers.iter().map(ManualVariable::input).collect(),
            variables: Default::default(),
            other: Map::new(),
        }],
        meta: Map::new(),
        other: Map::new(),
    };
    meta.write_to(&mut server.meta);
    let source = format!("the address for \"{id}\"");
    Ok(CatalogEntry::new(&source, server, Origin::Manual)?)
}

fn check_id(id: &str) -> Result<(), ManualError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(ManualError::Id(id.chars().take(80).collect()))
    }
}

fn check_variable(variable: &ManualVariable, environment: bool) -> Result<(), ManualError> {
    let name = &variable.name;
    let bad = name.trim().is_empty()
        || name.contains(['=', '\0'])
        || (!environment && name.chars().any(|c| !c.is_ascii_graphic() || c == ':'));
    if bad {
        return Err(ManualError::VariableName(name.clone()));
    }
    if environment && variable.secret && SecretName::from_str(name).is_err() {
        return Err(ManualError::SecretName(name.clone()));
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn title_or(title: &str, id: &str) -> String {
    let title = title.trim();
    let chosen = if title.is_empty() { id } else { title };
    chosen.chars().take(100).collect()
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 100 {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(99).collect();
        cut.push('…');
        cut
    }
}

fn fixed_argument(value: String) -> Argument {
    Argument {
        kind: ArgumentKind::Positional,
        name: None,
        value_hint: None,
        is_repeated: false,
        input: Input {
            value: Some(value),
            ..Input::default()
        },
    }
}

/// `npx [-y|--yes] <pkg>@<version> args…` or `uvx <pkg>==<version> args…`, pinned.
fn recognise_package(
    program: &str,
    rest: &[String],
) -> Option<(RegistryType, String, String, Vec<String>)> {
    let file = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let stem = file.strip_suffix(".cmd").unwrap_or(file);
    let (registry, separator) = match stem {
        "npx" => (RegistryType::Npm, "@"),
        "uvx" => (RegistryType::Pypi, "=="),
        _ => return None,
    };
    let mut rest = rest.iter();
    let mut spec = rest.next()?;
    if registry == RegistryType::Npm && (spec == "-y" || spec == "--yes") {
        spec = rest.next()?;
    }
    if spec.starts_with('-') {
        return None; // Options this reading does not know: run the command as written.
    }
    let (package, version) = spec.rsplit_once(separator)?;
    if package.is_empty() || package.ends_with('/') || version_problem(version).is_some() {
        return None;
    }
    Some((
        registry,
        package.to_owned(),
        version.to_owned(),
        rest.cloned().collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Via;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_pinned_npx_command_becomes_an_npm_package() {
        let entry = from_command_line(
            "everything",
            "Everything",
            &argv(&[
                "npx",
                "-y",
                "@modelcontextprotocol/server-everything@2026.8.31",
                "stdio",
            ]),
            &[ManualVariable::secret("API_KEY")],
        )
        .expect("valid");
        assert_eq!(entry.kind, EntryKind::Package);
        let package = &entry.server.packages[0];
        assert_eq!(package.registry_type, RegistryType::Npm);
        assert_eq!(
            package.identifier,
            "@modelcontextprotocol/server-everything"
        );
        assert_eq!(package.version.as_deref(), Some("2026.8.31"));
        assert_eq!(package.package_arguments.len(), 1);
        assert!(package.environment_variables[0].input.is_secret);
        assert_eq!(entry.server.name, "dev.switchboard.local/everything");
        entry.server.validate().expect("a valid server.json");
    }

    #[test]
    fn a_pinned_uvx_command_becomes_a_pypi_package() {
        let entry = from_command_line(
            "time",
            "",
            &argv(&[
                "uvx",
                "mcp-server-time==2026.10.19",
                "--local-timezone",
                "UTC",
            ]),
            &[],
        )
        .expect("valid");
        let package = &entry.server.packages[0];
        assert_eq!(package.registry_type, RegistryType::Pypi);
        assert_eq!(package.identifier, "mcp-server-time");
        assert_eq!(entry.title(), "time");
    }

    #[test]
    fn anything_else_runs_as_written() {
        for words in [
            &["node", "/srv/server.js", "--flag"][..],
            &["npx", "-y", "unpinned-package"][..],
            &["uvx", "--from", "x", "y"][..],
        ] {
            let entry = from_command_line("mine", "Mine", &argv(words), &[]).expect("valid");
            assert_eq!(entry.kind, EntryKind::Command, "{words:?}");
            assert_eq!(entry.vias(), vec![Via::Command]);
            let command = entry.meta.command.as_ref().expect("command kept");
            assert_eq!(command.command, words[0]);
            assert_eq!(command.args, argv(&words[1..]));
        }
    }

    #[test]
    fn bad_input_is_refused_in_plain_words() {
        let empty = from_command_line("x", "", &[], &[]).expect_err("empty");
        assert!(empty.to_string().contains("command line is empty"));
        let id = from_command_line("has space", "", &argv(&["node"]), &[]).expect_err("id");
        assert!(id.to_string().contains("not a valid server id"));
        let secret = from_command_line(
            "x",
            "",
            &argv(&["node"]),
            &[ManualVariable::secret("api-key")],
        )
        .expect_err("name");
        assert!(secret.to_string().contains("cannot be a secret's name"));
        let http = from_url("x", "", "http://example.com/mcp", &[]).expect_err("http");
        assert!(http.to_string().contains("not encrypted"), "{http}");
        let not_url = from_url("x", "", "example.com", &[]).expect_err("url");
        assert!(not_url.to_string().contains("not a URL"));
    }

    #[test]
    fn an_address_with_a_secret_in_it_is_refused_without_repeating_the_secret() {
        for (url, what) in [
            (
                "https://mcp.example.com/mcp?api_key=sk-live-123",
                "a query parameter",
            ),
            (
                "https://mcp.example.com/mcp?x=1&Access-Token=sk-live-123",
                "a query parameter",
            ),
            (
                "https://mcp.example.com/mcp#access_token=sk-live-123",
                "after #",
            ),
            (
                "https://me:sk-live-123@mcp.example.com/mcp",
                "before the host name",
            ),
            (
                "https://mcp.example.com/s/ghp_abcdefghijklmnopqrstuvwx/mcp",
                "the path",
            ),
            // Not even a valid address (port out of range): still not repeated.
            (
                "https://mcp.example.com:99999/mcp?api_key=sk-live-123",
                "a query parameter",
            ),
        ] {
            let refused = from_url("svc", "", url, &[]).expect_err(url).to_string();
            assert!(refused.contains(what), "{url}: {refused}");
            assert!(refused.contains("--url-env"), "{refused}");
            assert!(!refused.contains("sk-live-123"), "{refused}");
            assert!(!refused.contains("ghp_"), "{refused}");
        }
        // Queries that name no credential are ordinary addresses.
        for url in [
            "https://mcp.example.com/mcp?region=eu&v=2",
            "https://mcp.example.com/mcp?keyword=rust&author=me&monkey=1",
        ] {
            assert!(from_url("svc", "", url, &[]).is_ok(), "{url}");
        }
    }

    #[test]
    fn a_bad_address_is_shown_without_its_query_or_user() {
        let refused = from_url("svc", "", "https://mcp.example.com:99999/x?region=eu", &[]);
        let said = refused.expect_err("port out of range").to_string();
        assert!(said.contains("https://mcp.example.com:99999/x\""), "{said}");
        assert!(!said.contains("region"), "{said}");
    }

    #[test]
    fn urls_become_remotes_and_sse_is_recognised() {
        let entry = from_url(
            "linear",
            "Linear",
            "https://mcp.linear.app/sse",
            &[ManualVariable::secret("Authorization")],
        )
        .expect("valid");
        assert_eq!(entry.server.remotes[0].kind, TransportKind::Sse);
        assert!(entry.server.remotes[0].headers[0].input.is_secret);
        let local = from_url("mine", "", "http://127.0.0.1:8931/mcp", &[]).expect("loopback");
        assert_eq!(local.server.remotes[0].kind, TransportKind::StreamableHttp);
    }
}
