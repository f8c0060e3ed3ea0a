//! The schema's rules for a `server.json`, checked by hand so that every problem is named
//! by its place in the document (`packages[0].version`) and said in plain words.
//!
//! Owns: the rules the published schema states (patterns, lengths, required fields per
//! registry type, transports, arguments). Must not: apply Switchboard's own catalog rules
//! (those live in `entry`).

use std::fmt;

use url::Url;

use super::{
    Argument, ArgumentKind, Icon, Input, InputFormat, KeyValueInput, Package, RegistryType,
    ServerJson, Transport, TransportKind,
};

/// One thing wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `packages[0].environmentVariables[1].name`, or `` for the document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Everything wrong with a document (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<Problem>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Collects problems under a growing path.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) problems: Vec<Problem>,
}

impl Report {
    pub(crate) fn add(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    pub(crate) fn finish(self) -> Result<(), ValidationErrors> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.problems))
        }
    }
}

pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn at(path: &str, field: &str, index: usize) -> String {
    format!("{}[{index}]", join(path, field))
}

impl ServerJson {
    /// Checks the document against the schema's rules; every problem found is reported,
    /// not just the first.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut report = Report::default();
        self.check(&mut report);
        report.finish()
    }

    pub(crate) fn check(&self, report: &mut Report) {
        check_name(&self.name, report);
        check_length("description", &self.description, 1, 100, report);
        if let Some(title) = &self.title {
            check_length("title", title, 1, 100, report);
        }
        check_version("version", &self.version, report);
        if let Some(url) = &self.website_url {
            check_web_url("websiteUrl", url, false, report);
        }
        if let Some(repository) = &self.repository {
            check_web_url("repository.url", &repository.url, false, report);
            if repository.source.trim().is_empty() {
                report.add(
                    "repository.source",
                    "is empty: name the hosting service, such as \"github\"",
                );
            }
        }
        for (index, icon) in self.icons.iter().enumerate() {
            check_icon(&at("", "icons", index), icon, report);
        }
        for (index, package) in self.packages.iter().enumerate() {
            check_package(&at("", "packages", index), package, report);
        }
        for (index, remote) in self.remotes.iter().enumerate() {
            let path = at("", "remotes", index);
            if remote.kind == TransportKind::Stdio {
                report.add(
                    &join(&path, "type"),
                    "a remote is reached over \"streamable-http\" or \"sse\", not \"stdio\"",
                );
            }
            check_transport(&path, remote, report);
            for (name, variable) in &remote.variables {
                check_input(&join(&join(&path, "variables"), name), variable, report);
            }
        }
        for (key, value) in &self.meta {
            if !value.is_object() {
                report.add(
                    &join("_meta", key),
                    "must be an object (extension data lives under a reverse-DNS key)",
                );
            }
        }
    }
}

fn check_name(name: &str, report: &mut Report) {
    let length = name.chars().count();
    if !(3..=200).contains(&length) {
        report.add("name", format!("is {length} characters long; use 3 to 200"));
    }
    let shape_ok = name.split_once('/').is_some_and(|(namespace, server)| {
        !namespace.is_empty()
            && !server.is_empty()
            && namespace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    });
    if !shape_ok {
        report.add(
            "name",
            format!(
                "\"{}\" is not a reverse-DNS name with one slash, such as \
                 \"io.github.user/weather\"",
                shown(name)
            ),
        );
    }
}

fn check_length(path: &str, text: &str, min: usize, max: usize, report: &mut Report) {
    let length = text.chars().count();
    if length < min {
        report.add(path, "is empty");
    } else if length > max {
        report.add(
            path,
            format!("is {length} characters long; the limit is {max}"),
        );
    }
}

/// A version that names one release: not empty, not `latest`, not a range.
pub(crate) fn version_problem(version: &str) -> Option<String> {
    let trimmed = version.trim();
    if trimmed.is_empty() {
        return Some("is empty: give an exact version such as \"1.0.2\"".to_owned());
    }
    if version.chars().count() > 255 {
        return Some("is longer than 255 characters".to_owned());
    }
    if trimmed.eq_ignore_ascii_case("latest") {
        return Some("is \"latest\": pin an exact version such as \"1.0.2\"".to_owned());
    }
    let is_range = trimmed.starts_with(['^', '~', '>', '<', '='])
        || trimmed.contains(['*', ' ', '|'])
        || trimmed
            .split('.')
            .any(|part| part.eq_ignore_ascii_case("x") || part.is_empty());
    is_range.then(|| {
        format!(
            "\"{}\" is a range; give one exact version such as \"1.0.2\"",
            shown(version)
        )
    })
}

fn check_version(path: &str, version: &str, report: &mut Report) {
    if let Some(problem) = version_problem(version) {
        report.add(path, problem);
    }
}

fn check_web_url(path: &str, text: &str, https_only: bool, report: &mut Report) {
    match Url::parse(text) {
        Ok(url) if url.scheme() == "https" => {}
        Ok(url) if url.scheme() == "http" && !https_only => {}
        Ok(url) => report.add(
            path,
            format!(
                "\"{}\" uses {}:, expected {}",
                shown(text),
                url.scheme(),
                if https_only { "https" } else { "http or https" }
            ),
        ),
        Err(error) => report.add(path, format!("\"{}\" is not a URL ({error})", shown(text))),
    }
}

fn check_icon(path: &str, icon: &Icon, report: &mut Report) {
    check_web_url(&join(path, "src"), &icon.src, true, report);
    if icon.src.chars().count() > 255 {
        report.add(&join(path, "src"), "is longer than 255 characters");
    }
    if let Some(mime) = &icon.mime_type {
        const TYPES: [&str; 5] = [
            "image/png",
            "image/jpeg",
            "image/jpg",
            "image/svg+xml",
            "image/webp",
        ];
        if !TYPES.contains(&mime.as_str()) {
            report.add(
                &join(path, "mimeType"),
                format!("\"{}\" is not one of {}", shown(mime), TYPES.join(", ")),
            );
        }
    }
    for (index, size) in icon.sizes.iter().enumerate() {
        let valid = size == "any"
            || size.split_once('x').is_some_and(|(w, h)| {
                !w.is_empty()
                    && !h.is_empty()
                    && w.bytes().all(|b| b.is_ascii_digit())
                    && h.bytes().all(|b| b.is_ascii_digit())
            });
        if !valid {
            report.add(
                &at(path, "sizes", index),
                format!("\"{}\" is not WxH (such as 48x48) or any", shown(size)),
            );
        }
    }
    if let Some(theme) = &icon.theme
        && theme != "light"
        && theme != "dark"
    {
        report.add(
            &join(path, "theme"),
            format!("\"{}\" is neither light nor dark", shown(theme)),
        );
    }
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn check_package(path: &str, package: &Package, report: &mut Report) {
    if package.registry_type.as_str().trim().is_empty() {
        report.add(&join(path, "registryType"), "is empty");
    }
    if package.identifier.trim().is_empty() {
        report.add(&join(path, "identifier"), "is empty");
    }
    if let Some(url) = &package.registry_base_url {
        check_web_url(&join(path, "registryBaseUrl"), url, false, report);
    }
    if let Some(sha) = &package.file_sha256
        && !is_sha256(sha)
    {
        report.add(
            &join(path, "fileSha256"),
            "is not 64 lowercase hexadecimal digits",
        );
    }
    match &package.registry_type {
        RegistryType::Npm | RegistryType::Pypi | RegistryType::Nuget | RegistryType::Cargo => {
            match &package.version {
                Some(version) => check_version(&join(path, "version"), version, report),
                None => report.add(
                    &join(path, "version"),
                    format!(
                        "is missing: a {} package needs its exact version",
                        package.registry_type
                    ),
                ),
            }
        }
        RegistryType::Oci => {
            if !oci_has_tag_or_digest(&package.identifier) {
                report.add(
                    &join(path, "identifier"),
                    format!(
                        "\"{}\" names no tag or digest: add one, such as \
                         \"ghcr.io/owner/image:1.0.0\"",
                        shown(&package.identifier)
                    ),
                );
            }
            if let Some(version) = &package.version {
                check_version(&join(path, "version"), version, report);
            }
        }
        RegistryType::Mcpb => {
            check_web_url(&join(path, "identifier"), &package.identifier, true, report);
            if package.file_sha256.is_none() {
                report.add(
                    &join(path, "fileSha256"),
                    "is missing: an MCP Bundle download needs its SHA-256",
                );
            }
            if let Some(version) = &package.version {
                check_version(&join(path, "version"), version, report);
            }
        }
        RegistryType::Other(_) => {
            if let Some(version) = &package.version {
                check_version(&join(path, "version"), version, report);
            }
        }
    }
    check_transport(&join(path, "transport"), &package.transport, report);
    for (index, argument) in package.runtime_arguments.iter().enumerate() {
        check_argument(&at(path, "runtimeArguments", index), argument, report);
    }
    for (index, argument) in package.package_arguments.iter().enumerate() {
        check_argument(&at(path, "packageArguments", index), argument, report);
    }
    for (index, variable) in package.environment_variables.iter().enumerate() {
        let item = at(path, "environmentVariables", index);
        check_key_value(&item, variable, report);
        if variable.name.contains(['=', '\0']) {
            report.add(
                &join(&item, "name"),
                format!(
                    "\"{}\" cannot be an environment variable name ('=' or NUL)",
                    shown(&variable.name)
                ),
            );
        }
    }
}

/// Whether an image reference carries a tag (`:1.0`, after the last slash) or a digest.
pub(crate) fn oci_has_tag_or_digest(reference: &str) -> bool {
    if reference.contains('@') {
        return true;
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.split_once(':')
        .is_some_and(|(name, tag)| !name.is_empty() && !tag.is_empty())
}

fn check_transport(path: &str, transport: &Transport, report: &mut Report) {
    match &transport.kind {
        TransportKind::Stdio => {
            if transport.url.is_some() {
                report.add(&join(path, "url"), "a stdio transport has no URL");
            }
        }
        TransportKind::StreamableHttp | TransportKind::Sse => match &transport.url {
            Some(url) => check_url_template(&join(path, "url"), url, report),
            None => report.add(
                &join(path, "url"),
                format!(
                    "is missing: a {} transport needs one",
                    transport.kind.as_str()
                ),
            ),
        },
        TransportKind::Other(kind) => report.add(
            &join(path, "type"),
            format!(
                "\"{}\" is not a transport: use stdio, streamable-http or sse",
                shown(kind)
            ),
        ),
    }
    for (index, header) in transport.headers.iter().enumerate() {
        let item = at(path, "headers", index);
        check_key_value(&item, header, report);
        let valid = !header.name.is_empty()
            && header
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid {
            report.add(
                &join(&item, "name"),
                format!("\"{}\" is not an HTTP header name", shown(&header.name)),
            );
        }
    }
}

/// `^(https?://[^\s]+|\{[a-zA-Z_][a-zA-Z0-9_]*\}[^\s]*)$`
fn check_url_template(path: &str, url: &str, report: &mut Report) {
    let starts_with_variable = url.strip_prefix('{').is_some_and(|rest| {
        rest.split_once('}').is_some_and(|(name, _)| {
            let mut chars = name.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    });
    let web = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty());
    if !(web || starts_with_variable) || url.chars().any(char::is_whitespace) {
        report.add(
            path,
            format!(
                "\"{}\" must start with http://, https:// or a {{variable}} and hold no spaces",
                shown(url)
            ),
        );
    }
}

fn check_key_value(path: &str, item: &KeyValueInput, report: &mut Report) {
    if item.name.trim().is_empty() {
        report.add(&join(path, "name"), "is empty");
    }
    check_input(path, &item.input, report);
}

fn check_argument(path: &str, argument: &Argument, report: &mut Report) {
    match &argument.kind {
        ArgumentKind::Positional => {
            if argument.value_hint.is_none() && argument.input.value.is_none() {
                report.add(
                    path,
                    "a positional argument needs a valueHint (to ask for it) or a value",
                );
            }
        }
        ArgumentKind::Named => match &argument.name {
            Some(name) if !name.trim().is_empty() => {}
            _ => report.add(
                &join(path, "name"),
                "is missing: a named argument needs its flag, such as \"--port\"",
            ),
        },
        ArgumentKind::Other(kind) => report.add(
            &join(path, "type"),
            format!(
                "\"{}\" is not an argument type: use positional or named",
                shown(kind)
            ),
        ),
    }
    check_input(path, &argument.input, report);
}

fn check_input(path: &str, input: &Input, report: &mut Report) {
    let format = input.format();
    if let InputFormat::Other(other) = &format {
        report.add(
            &join(path, "format"),
            format!(
                "\"{}\" is not a format: use string, number, boolean or filepath",
                shown(other)
            ),
        );
    }
    for (field, value) in [("default", &input.default), ("value", &input.value)] {
        let Some(value) = value else { continue };
        // A fixed value with placeholders is checked once the placeholders are filled.
        if field == "value" && !input.variables.is_empty() {
            continue;
        }
        if let Some(problem) = format_problem(&format, value) {
            report.add(&join(path, field), problem);
        }
        if !input.choices.is_empty() && !input.choices.iter().any(|choice| choice == value) {
            report.add(
                &join(path, field),
                format!(
                    "\"{}\" is not one of the choices ({})",
                    shown(value),
                    input.choices.join(", ")
                ),
            );
        }
    }
    for (name, variable) in &input.variables {
        if !variable.variables.is_empty() {
            report.add(
                &join(&join(path, "variables"), name),
                "a variable cannot have variables of its own",
            );
        }
        check_input(&join(&join(path, "variables"), name), variable, report);
    }
}

/// Why `value` cannot be read as `format`, if it cannot.
pub(crate) fn format_problem(format: &InputFormat, value: &str) -> Option<String> {
    match format {
        InputFormat::Boolean if value != "true" && value != "false" => Some(format!(
            "\"{}\" is not a boolean: use \"true\" or \"false\"",
            shown(value)
        )),
        InputFormat::Number if value.trim().parse::<f64>().map_or(true, |n| !n.is_finite()) => {
            Some(format!("\"{}\" is not a number", shown(value)))
        }
        _ => None,
    }
}

/// Text from a document, cut short for an error message.
pub(crate) fn shown(text: &str) -> String {
    const LIMIT: usize = 80;
    if text.chars().count() > LIMIT {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn problems(document: serde_json::Value) -> Vec<String> {
        let server: ServerJson = serde_json::from_value(document).expect("shape");
        match server.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
        }
    }

    fn minimal() -> serde_json::Value {
        json!({"name": "io.github.a/b", "description": "d", "version": "1.0.0"})
    }

    #[test]
    fn a_minimal_document_is_valid() {
        assert_eq!(problems(minimal()), Vec::<String>::new());
    }

    #[test]
    fn a_bad_name_is_reported_with_the_expected_shape() {
        let mut document = minimal();
        document["name"] = json!("no-slash");
        let found = problems(document);
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("name:") && p.contains("reverse-DNS")),
            "{found:?}"
        );
    }

    #[test]
    fn a_long_description_is_reported_with_its_length() {
        let mut document = minimal();
        document["description"] = json!("x".repeat(101));
        let found = problems(document);
        assert_eq!(
            found,
            vec!["description: is 101 characters long; the limit is 100".to_owned()]
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let document = json!({
            "name": "bad", "description": "", "version": "^1.0",
            "packages": [{"registryType": "npm", "identifier": "x", "transport": {"type": "stdio"}}]
        });
        let found = problems(document);
        assert_eq!(
            found.len(),
            4,
            "name, description, version, package version: {found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("packages[0].version: is missing"))
        );
    }

    #[test]
    fn package_rules_follow_the_registry_type() {
        let document = json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "packages": [
                {"registryType": "npm", "identifier": "x", "version": "latest", "transport": {"type": "stdio"}},
                {"registryType": "oci", "identifier": "ghcr.io/a/b", "transport": {"type": "stdio"}},
                {"registryType": "mcpb", "identifier": "https://github.com/a/b.mcpb", "transport": {"type": "stdio"}},
                {"registryType": "pypi", "identifier": "y", "version": "1.x", "transport": {"type": "sse"}}
            ]
        });
        let found = problems(document);
        let expect = [
            "packages[0].version: is \"latest\"",
            "packages[1].identifier: \"ghcr.io/a/b\" names no tag or digest",
            "packages[2].fileSha256: is missing",
            "packages[3].version: \"1.x\" is a range",
            "packages[3].transport.url: is missing",
        ];
        for expected in expect {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "expected {expected:?} in {found:?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:?}");
    }

    #[test]
    fn arguments_need_a_hint_or_a_flag() {
        let document = json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "x", "version": "1.0.0",
                "transport": {"type": "stdio"},
                "packageArguments": [
                    {"type": "positional"},
                    {"type": "named"},
                    {"type": "flag", "name": "--x"},
                    {"type": "named", "name": "--mode", "default": "fast", "choices": ["slow", "safe"]},
                    {"type": "named", "name": "--debug", "format": "boolean", "default": "yes"}
                ]}]
        });
        let found = problems(document);
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(
            found[0].starts_with("packages[0].packageArguments[0]: a positional argument needs")
        );
        assert!(found[1].starts_with("packages[0].packageArguments[1].name: is missing"));
        assert!(found[2].contains("\"flag\" is not an argument type"));
        assert!(found[3].contains("not one of the choices (slow, safe)"));
        assert!(found[4].contains("not a boolean"));
    }

    #[test]
    fn remotes_need_a_web_url_and_not_stdio() {
        let document = json!({
            "name": "io.github.a/b", "description": "d", "version": "1.0.0",
            "remotes": [
                {"type": "streamable-http", "url": "ftp://x"},
                {"type": "stdio"},
                {"type": "sse", "url": "{base}/sse", "variables": {"base": {"isRequired": true}}}
            ]
        });
        let found = problems(document);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("remotes[0].url"));
        assert!(found[1].starts_with("remotes[1].type"));
    }

    #[test]
    fn oci_references_need_a_tag_or_digest() {
        assert!(oci_has_tag_or_digest("ghcr.io/a/b:1.0"));
        assert!(oci_has_tag_or_digest("localhost:5000/a/b:1.0"));
        assert!(oci_has_tag_or_digest("a/b@sha256:abc"));
        assert!(!oci_has_tag_or_digest("localhost:5000/a/b"));
        assert!(!oci_has_tag_or_digest("mcp/time"));
    }

    proptest! {
        #[test]
        fn exact_versions_pass_and_ranges_do_not(major in 0u32..100, minor in 0u32..100, patch in 0u32..100) {
            let exact = format!("{major}.{minor}.{patch}");
            prop_assert!(version_problem(&exact).is_none(), "{exact}");
            for range in [format!("^{exact}"), format!("~{exact}"), format!(">={exact}"), format!("{major}.x"), format!("{major}.{minor}.*")] {
                prop_assert!(version_problem(&range).is_some(), "{range} passed");
            }
        }

        #[test]
        fn validation_never_panics_on_any_name(name in ".{0,300}") {
            let mut document = minimal();
            document["name"] = json!(name);
            let _ = problems(document);
        }
    }
}
