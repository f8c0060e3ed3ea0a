//! What looks like a secret: the rules that tell whether an environment value, header,
//! argument or address holds a credential, by its name and by its shape. Used where a value
//! might be about to land somewhere a secret must not (a client file being imported, an
//! address being installed) and where one must not be shown (Debug output).
//!
//! Owns: the pure classification rules. Must not: keep or print a value it looks at.

use serde::Serialize;

/// Why a value was taken for a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretReason {
    /// Its name says so (`…TOKEN`, `…API_KEY`, `…SECRET`, `…PASSWORD`, `Authorization`…).
    Name,
    /// Its value has the shape of a known kind of credential (`ghp_…`, `sk-…`, `xoxb-…`,
    /// `AKIA…`, a JWT, `Bearer …`, a URL with a password…).
    KnownShape,
    /// A long random-looking string.
    HighEntropy,
}

/// Name fragments that mark a secret (compared case-insensitively on the name split at
/// `_`, `-` and `.`).
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "AUTHORIZATION",
    "COOKIE",
    "SESSION",
    "PAT",
    "PRIVATE",
    "SIGNATURE",
    "DSN",
];

/// Prefixes of well-known credential formats.
const KNOWN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "sk-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "pk_live_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "xapp-",
    "AKIA",
    "ASIA",
    "AIza",
    "ya29.",
    "hf_",
    "npm_",
    "pypi-",
    "dop_v1_",
    "shpat_",
    "SG.",
    "lin_api_",
    "ntn_",
    "secret_",
    "Bearer ",
    "Basic ",
    "bearer ",
];

/// Whether an environment variable, header or setting named `name` with `value` looks
/// like a secret, and why. References to other places (`${env:VAR}`, `${input:id}`,
/// `{{NAME}}`, `$VAR`) and empty values are never secrets: they hold none.
pub fn classify(name: &str, value: &str) -> Option<SecretReason> {
    let value = value.trim();
    if value.is_empty() || is_reference(value) {
        return None;
    }
    if has_known_shape(value) {
        return Some(SecretReason::KnownShape);
    }
    if name_says_secret(name) && !is_plain_setting(value) {
        return Some(SecretReason::Name);
    }
    if looks_random(value) {
        return Some(SecretReason::HighEntropy);
    }
    None
}

/// Whether a command-line argument looks like a secret by its shape alone (`--token=…`
/// counts by its flag name).
pub fn classify_argument(argument: &str) -> Option<SecretReason> {
    if let Some((flag, value)) = argument.split_once('=')
        && flag.starts_with('-')
    {
        return classify(flag.trim_start_matches('-'), value);
    }
    let value = argument.trim();
    if is_reference(value) {
        return None;
    }
    if has_known_shape(value) {
        Some(SecretReason::KnownShape)
    } else if looks_random(value) {
        Some(SecretReason::HighEntropy)
    } else {
        None
    }
}

/// Where `url` carries what looks like a secret, in words that do not repeat it: before
/// the host name (`user:password@`), in a query or `#` parameter (by its name or its
/// value), in a path segment, or a known credential's shape anywhere. `None` when nothing
/// does.
pub fn secret_in_url(url: &str) -> Option<&'static str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some("a user name or password before the host name");
    }
    if classify("url", url) == Some(SecretReason::KnownShape) {
        return Some("the shape of a known kind of key");
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let has_secret_pair = |parameters: &str| {
        parameters.split('&').any(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            classify(key, value).is_some()
        })
    };
    if has_secret_pair(query) {
        return Some("a query parameter");
    }
    if has_secret_pair(fragment) {
        return Some("a parameter after #");
    }
    if before_query
        .split('/')
        .skip(1)
        .any(|segment| classify_argument(segment).is_some())
    {
        return Some("a part of the path");
    }
    // What a URL parser (and so the relay) makes of it, where it splits differently
    // (`\` ends a segment too).
    if let Ok(parsed) = url::Url::parse(url.trim()) {
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Some("a user name or password before the host name");
        }
        if parsed
            .path_segments()
            .into_iter()
            .flatten()
            .any(|segment| classify_argument(segment).is_some())
        {
            return Some("a part of the path");
        }
    }
    None
}

/// The part of an address that can be shown in a message: its scheme, host, port and path,
/// with a path segment that looks like a key as `…`; no user name, password, query or
/// fragment; at most 200 characters. The host is the one a URL parser (and so the relay)
/// would use.
pub fn url_to_show(url: &str) -> String {
    let url = url.trim();
    let shown = match url::Url::parse(url) {
        Ok(parsed) => {
            let mut shown = format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or(""));
            if let Some(port) = parsed.port() {
                shown.push_str(&format!(":{port}"));
            }
            for segment in parsed.path_segments().into_iter().flatten() {
                shown.push('/');
                shown.push_str(shown_segment(segment));
            }
            shown
        }
        // Not an address a parser accepts (a bad port, say): cut the text by hand.
        Err(_) => {
            let end = url.find(['?', '#']).unwrap_or(url.len());
            let (scheme, rest) = url[..end].split_once("://").unwrap_or(("", &url[..end]));
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            let mut shown = if scheme.is_empty() {
                host.to_owned()
            } else {
                format!("{scheme}://{host}")
            };
            if rest.contains('/') {
                for segment in path.split('/') {
                    shown.push('/');
                    shown.push_str(shown_segment(segment));
                }
            }
            shown
        }
    };
    shown.chars().take(200).collect()
}

fn shown_segment(segment: &str) -> &str {
    if classify_argument(segment).is_some() {
        "…"
    } else {
        segment
    }
}

/// Whether an address may hold a key even where the rules see none: it has a user name, a
/// query or a fragment, or [`secret_in_url`] finds one. Such an address is kept whole in
/// the keychain rather than in a file or on a command line.
pub fn may_hold_secret(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let parsed_holds = url::Url::parse(url.trim()).is_ok_and(|parsed| {
        !parsed.username().is_empty()
            || parsed.password().is_some()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
    });
    authority.contains('@')
        || rest.contains(['?', '#'])
        || parsed_holds
        || secret_in_url(url).is_some()
}

/// The parts of an address that hold a key, each on its own: its user name and password,
/// the values of query and `#` parameters that look like secrets, and path segments that
/// look like keys (decoded). Taught to the redactor beside the whole address, so a server
/// that echoes only the key is still redacted.
pub fn url_secret_parts(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    // User name and path segments are percent-encoded: each as written and decoded.
    let mut add_encoded = |text: &str| {
        found.push(text.to_owned());
        let decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned();
        if decoded != text {
            found.push(decoded);
        }
    };
    if classify_argument(parsed.username()).is_some() {
        add_encoded(parsed.username());
    }
    if let Some(password) = parsed.password() {
        add_encoded(password);
    }
    for segment in parsed.path_segments().into_iter().flatten() {
        if classify_argument(segment).is_some() {
            add_encoded(segment);
        }
    }
    let pairs = parsed.query_pairs().chain(url::form_urlencoded::parse(
        parsed.fragment().unwrap_or("").as_bytes(),
    ));
    for (key, value) in pairs {
        if classify(&key, &value).is_some() {
            found.push(value.into_owned());
        }
    }
    // A word (`postgres` in postgresql://postgres:postgres@…) or a short part would be
    // redacted everywhere it appears; the whole address still is.
    found.retain(|part| {
        part.chars().count() >= crate::MIN_SECRET_CHARS
            && !part.chars().all(|c| c.is_ascii_alphabetic())
    });
    found.sort();
    found.dedup();
    found
}

/// Whether `url` carries what looks like a secret (see [`secret_in_url`]).
pub fn url_has_secret(url: &str) -> bool {
    secret_in_url(url).is_some()
}

/// `argument`, or `<redacted>` when it looks like a secret: for Debug output.
pub fn redacted_argument(argument: &str) -> &str {
    if classify_argument(argument).is_some() {
        "<redacted>"
    } else {
        argument
    }
}

/// `url`, or `<redacted URL>` when it carries what looks like a secret: for Debug output.
pub fn redacted_url(url: &str) -> &str {
    if url_has_secret(url) {
        "<redacted URL>"
    } else {
        url
    }
}

fn name_says_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    if upper.contains("API_KEY")
        || upper.contains("APIKEY")
        || upper.contains("ACCESS_KEY")
        || upper.contains("PRIVATE_KEY")
        || upper.ends_with("_KEY")
        || upper == "KEY"
    {
        return true;
    }
    upper.split('_').any(|word| SECRET_WORDS.contains(&word))
}

/// Values that are settings even under a secret-looking name: booleans, numbers, paths
/// and short words (`GITHUB_TOKEN_FILE=/run/secrets/gh`, `AUTH_MODE=oauth`).
fn is_plain_setting(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
    ) || value.parse::<f64>().is_ok()
        || value.starts_with('/')
        || value.starts_with("~/")
        || value.starts_with("./")
        || looks_like_windows_path(value)
        || (value.len() < 8 && value.chars().all(|c| c.is_ascii_alphabetic()))
}

fn looks_like_windows_path(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/')
}

fn is_reference(value: &str) -> bool {
    (value.starts_with("${") && value.ends_with('}'))
        || (value.starts_with("{{") && value.ends_with("}}"))
        || (value.starts_with('$')
            && value.len() > 1
            && value[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn has_known_shape(value: &str) -> bool {
    if KNOWN_PREFIXES
        .iter()
        .any(|prefix| value.starts_with(prefix) && value.len() >= prefix.len() + 8)
    {
        return true;
    }
    is_jwt(value) || url_has_password(value)
}

fn is_jwt(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && value.starts_with("eyJ")
        && parts.iter().all(|part| {
            part.len() >= 4
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// `scheme://user:password@host…`
fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
        userinfo
            .split_once(':')
            .is_some_and(|(_, pw)| !pw.is_empty())
    })
}

/// At least 24 characters of one token-like run (letters, digits, `_-+/=.`; not a path,
/// URL, flag or UUID) that switches often between lower case, upper case and digits and
/// has high per-character entropy: how generated keys look, and how words and names don't.
fn looks_random(value: &str) -> bool {
    if value.len() < 24 || value.starts_with(['-', '/', '~', '.']) || looks_like_uuid(value) {
        return false;
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.'))
        || value.matches('/').count() > 1
        || value.trim_end_matches('=').contains('=')
    {
        return false;
    }
    let classes: Vec<u8> = value
        .chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(0),
            'A'..='Z' => Some(1),
            '0'..='9' => Some(2),
            _ => None,
        })
        .collect();
    let switches = classes.windows(2).filter(|pair| pair[0] != pair[1]).count();
    switches * 4 >= classes.len() && shannon_entropy(value) >= 3.5
}

fn looks_like_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Bits per character.
fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0_u32;
    for c in value.chars() {
        *counts.entry(c).or_insert(0_u32) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .values()
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_secret_are_secrets() {
        for name in [
            "GITHUB_TOKEN",
            "API_KEY",
            "OPENAI_API_KEY",
            "DB_PASSWORD",
            "client-secret",
            "AWS_SECRET_ACCESS_KEY",
            "SLACK_BOT_TOKEN",
            "Authorization",
            "X-Api-Key",
            "STRIPE_KEY",
        ] {
            assert_eq!(
                classify(name, "abc123value"),
                Some(SecretReason::Name),
                "{name} should be secret"
            );
        }
    }

    #[test]
    fn plain_settings_under_plain_names_are_not_secrets() {
        for (name, value) in [
            ("LOG_LEVEL", "debug"),
            ("PORT", "8080"),
            ("HOME_DIR", "/home/ada"),
            ("KEYBOARD_LAYOUT", "dvorak"),
            ("BASE_URL", "https://api.example.com/v1"),
            ("MONKEY", "banana"),
            ("NODE_OPTIONS", "--max-old-space-size=4096"),
            ("AUTHOR", "Ada Lovelace"),
            ("TOKENIZER", "cl100k"),
        ] {
            assert_eq!(
                classify(name, value),
                None,
                "{name}={value} should be plain"
            );
        }
    }

    #[test]
    fn secret_names_holding_settings_are_not_secrets() {
        for (name, value) in [
            ("GITHUB_TOKEN_FILE", "/run/secrets/gh"),
            ("USE_AUTH", "true"),
            ("TOKEN_TTL", "3600"),
            ("API_KEY", "${env:API_KEY}"),
            ("API_KEY", "${input:api-key}"),
            ("API_KEY", "$OPENAI_API_KEY"),
            ("API_KEY", "{{API_KEY}}"),
            ("API_KEY", ""),
            ("AUTH_MODE", "oauth"),
        ] {
            assert_eq!(
                classify(name, value),
                None,
                "{name}={value} should be plain"
            );
        }
    }

    #[test]
    fn known_credential_shapes_are_secrets_under_any_name() {
        for value in [
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
            "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlXzEyMw",
            "postgres://app:hunter2@db.internal:5432/app",
            "Bearer abcdef0123456789",
        ] {
            assert_eq!(
                classify("VALUE", value),
                Some(SecretReason::KnownShape),
                "{value} has a known shape"
            );
        }
    }

    #[test]
    fn long_random_strings_are_secrets() {
        assert_eq!(
            classify("X", "a8Fk2Lq9Zr7Tn3Wx5Yc1Vb6Hm4Jd0Pe"),
            Some(SecretReason::HighEntropy)
        );
        assert_eq!(
            classify("X", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"),
            None,
            "repetitive text is not random"
        );
        assert_eq!(
            classify("X", "/usr/local/lib/node_modules/x123"),
            None,
            "paths are not random"
        );
        assert_eq!(
            classify("X", "3f9a0c7e1b2d4f6a8c0e2b4d6f8a0c1e"),
            Some(SecretReason::HighEntropy),
            "hex keys are random"
        );
        assert_eq!(
            classify("DB_NAME", "my_very_long_database_name_2024"),
            None,
            "names are not random"
        );
        assert_eq!(
            classify("PROJECT", "123e4567-e89b-12d3-a456-426614174000"),
            None,
            "UUIDs are ids"
        );
        assert_eq!(
            classify("NODE_OPTIONS", "--max-old-space-size=4096"),
            None,
            "flags are not random"
        );
    }

    #[test]
    fn arguments_with_secret_flags_or_shapes_are_flagged() {
        assert_eq!(
            classify_argument("--api-key=abc123def456"),
            Some(SecretReason::Name)
        );
        assert_eq!(
            classify_argument("ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Some(SecretReason::KnownShape)
        );
        assert_eq!(classify_argument("-y"), None);
        assert_eq!(
            classify_argument("@modelcontextprotocol/server-github"),
            None
        );
        assert_eq!(classify_argument("--port=8080"), None);
    }

    #[test]
    fn addresses_say_where_their_secret_is_and_show_without_it() {
        for (url, place) in [
            (
                "https://h.example/mcp?api_key=abc123def456",
                Some("a query parameter"),
            ),
            (
                "https://h.example/mcp#access_token=abc123def456",
                Some("a parameter after #"),
            ),
            (
                "https://tok@h.example/mcp",
                Some("a user name or password before the host name"),
            ),
            (
                "https://h.example/s/ghp_abcdefghijklmnopqrstuvwx/mcp",
                Some("a part of the path"),
            ),
            (
                "https://h.example/mcp?keyword=rust&author=me&region=eu",
                None,
            ),
            ("https://h.example/mcp", None),
        ] {
            assert_eq!(secret_in_url(url), place, "{url}");
        }
        assert_eq!(
            url_to_show("https://u:p@h.example:8443/s/ghp_abcdefghijklmnopqrstuvwx/mcp?k=v#f"),
            "https://h.example:8443/s/…/mcp"
        );
        assert_eq!(url_to_show("h.example/mcp?x"), "h.example/mcp");
    }

    #[test]
    fn the_shown_host_is_the_parsers_and_key_parts_are_found_one_by_one() {
        // A backslash ends the authority for a parser: the host is evil.example.
        assert_eq!(
            url_to_show("https://evil.example\\@good.example/mcp"),
            "https://evil.example/@good.example/mcp"
        );
        let url = "https://me:pa55word@h.example/s/ghp_abcdefghijklmnopqrstuvwx/mcp\
                   ?region=eu&api_key=sk-live-9999#token=abc123def456";
        let parts = url_secret_parts(url);
        for part in [
            "pa55word",
            "ghp_abcdefghijklmnopqrstuvwx",
            "sk-live-9999",
            "abc123def456",
        ] {
            assert!(parts.iter().any(|p| p == part), "{part} in {parts:?}");
        }
        assert!(!parts.iter().any(|p| p == "eu" || p == "me"), "{parts:?}");
        // Words and short values are not taught on their own; the whole address is.
        assert!(url_secret_parts("postgresql://postgres:postgres@localhost/db").is_empty());
        assert!(url_secret_parts("https://h.example/mcp?auth=oauth").is_empty());
        // A key with `+`, `/` and `=` in the path: as written and decoded.
        let parts = url_secret_parts("https://h.example/k/sk-live-AbC%2B12%2Fxy%3D%3D/mcp");
        assert!(
            parts.iter().any(|p| p == "sk-live-AbC+12/xy=="),
            "{parts:?}"
        );
        // A backslash splits the path for the parser, so for the checks too.
        assert_eq!(
            secret_in_url("https://h.example\\ghp_abcdefghijklmnopqrstuvwx/mcp"),
            Some("a part of the path")
        );
        assert!(may_hold_secret("https://h.example/mcp?k=abc"));
        assert!(may_hold_secret("https://u@h.example/mcp"));
        assert!(!may_hold_secret("https://h.example/mcp"));
    }
}
