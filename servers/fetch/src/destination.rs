//! Destinations: reading the URL a model gave and checking where a URL (first or after a
//! redirect) would lead.
//!
//! Owns URL parsing, the scheme rule, the URL length cap, the check of a URL's host
//! (IP literals by address, names by name) and how URLs are shown in messages (without
//! credentials). Must not resolve names or connect: a host name that passes here is
//! checked again, by address, in `resolver`.

use url::{Host, Url};

use crate::address::{AddressPolicy, address_allowed, host_name_allowed};
use crate::error::{FetchError, Refusal};

/// The longest URL accepted, in bytes.
pub(crate) const MAX_URL_LENGTH: usize = 8 * 1024;

/// Reads the URL a model gave: absolute, http or https, with a host, at most
/// [`MAX_URL_LENGTH`] long. Odd IPv4 spellings (`http://2130706433/`, `http://0x7f.1/`)
/// come out normalised (`127.0.0.1`), so the address check sees the real address.
pub(crate) fn parse_url(text: &str) -> Result<Url, FetchError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FetchError::InvalidUrl(
            "The url is empty. Give a full URL such as https://example.com/page.".into(),
        ));
    }
    if text.len() > MAX_URL_LENGTH {
        return Err(FetchError::InvalidUrl(format!(
            "The url is {} characters long; the limit is {MAX_URL_LENGTH}.",
            text.len()
        )));
    }
    let url = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(FetchError::InvalidUrl(format!(
                "\"{}\" is not a full URL: it needs a scheme, such as https://{}.",
                excerpt(text),
                excerpt(text.trim_start_matches('/'))
            )));
        }
        Err(error) => {
            return Err(FetchError::InvalidUrl(format!(
                "\"{}\" is not a valid URL: {error}.",
                excerpt(text)
            )));
        }
    };
    check_scheme(&url)?;
    Ok(url)
}

/// The scheme rule: http and https only, with a host.
pub(crate) fn check_scheme(url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(FetchError::UnsupportedScheme {
                scheme: other.to_owned(),
            });
        }
    }
    match url.host() {
        Some(Host::Domain("")) | None => Err(FetchError::InvalidUrl(format!(
            "{} has no host name.",
            shown(url)
        ))),
        Some(_) => Ok(()),
    }
}

/// Checks where `url` leads: its scheme, and its host by name or, for an IP literal (which
/// no resolver sees), by address. `redirected_from` words the refusal as a redirect.
pub(crate) fn check_destination(
    url: &Url,
    policy: &AddressPolicy,
    redirected_from: Option<&Url>,
) -> Result<(), FetchError> {
    check_scheme(url)?;
    let refusal = match url.host() {
        Some(Host::Ipv4(v4)) => address_allowed(v4.into(), policy)
            .err()
            .map(Refusal::Address),
        Some(Host::Ipv6(v6)) => address_allowed(v6.into(), policy)
            .err()
            .map(Refusal::Address),
        Some(Host::Domain(name)) => host_name_allowed(name, policy).err().map(Refusal::Name),
        None => None,
    };
    match refusal {
        None => Ok(()),
        Some(refusal) => Err(FetchError::Refused {
            target: shown(url),
            refusal,
            redirected_from: redirected_from.map(shown),
        }),
    }
}

/// The URL as shown in messages and results: without user name and password.
pub(crate) fn shown(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    // Cannot fail for http(s) URLs, which always have a host.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean.to_string()
}

/// The host as shown in messages and logs (no port, no credentials, no path).
pub(crate) fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or("the server").to_owned()
}

/// At most 200 characters of a string a model gave, for echoing in an error.
fn excerpt(text: &str) -> String {
    const LIMIT: usize = 200;
    match text.char_indices().nth(LIMIT) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str, policy: &AddressPolicy) -> bool {
        let url = parse_url(text).expect(text);
        matches!(
            check_destination(&url, policy, None),
            Err(FetchError::Refused { .. })
        )
    }

    #[test]
    fn odd_ipv4_spellings_are_normalised_and_refused() {
        for text in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://127.1/",
            "http://0177.0.0.1/",
            "http://127.0.0.1.:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::1]:3000/",
            "http://0/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://LOCALHOST/",
            "http://api.localhost/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://127.0.0.1%2e/",
            "http://%31%32%37.0.0.1/",
            "http://\u{24db}\u{24de}\u{24d2}\u{24d0}\u{24db}\u{24d7}\u{24de}\u{24e2}\u{24e3}/",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        ] {
            assert!(
                refused(text, &AddressPolicy::default()),
                "{text} must be refused"
            );
        }
        let url = parse_url("http://0x7f.1/").unwrap();
        assert_eq!(
            url.host_str(),
            Some("127.0.0.1"),
            "normalised before the check"
        );
    }

    #[test]
    fn public_urls_pass() {
        for text in [
            "https://example.com/",
            "http://93.184.215.14/",
            "https://[2606:4700:4700::1111]/",
            "https://localhost.example.com/",
        ] {
            assert!(
                !refused(text, &AddressPolicy::default()),
                "{text} is public"
            );
        }
    }

    #[test]
    fn only_http_and_https_are_fetched() {
        for (text, scheme) in [
            ("ftp://example.com/file", "ftp"),
            ("file:///etc/passwd", "file"),
            ("gopher://example.com/", "gopher"),
            ("data:text/plain,hello", "data"),
            ("javascript:alert(1)", "javascript"),
        ] {
            match parse_url(text) {
                Err(FetchError::UnsupportedScheme { scheme: found }) => {
                    assert_eq!(found, scheme, "{text}")
                }
                other => panic!("{text} should be refused for its scheme, got {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_urls_get_an_explanation() {
        let error = parse_url("example.com/page").unwrap_err().to_string();
        assert!(error.contains("https://example.com/page"), "{error}");
        let error = parse_url("http://").unwrap_err().to_string();
        assert!(error.contains("not a valid URL"), "{error}");
        let error = parse_url("   ").unwrap_err().to_string();
        assert!(error.contains("empty"), "{error}");
        let huge = format!("https://example.com/{}", "a".repeat(MAX_URL_LENGTH));
        let error = parse_url(&huge).unwrap_err().to_string();
        assert!(error.contains("the limit is 8192"), "{error}");
        assert!(error.len() < 200, "the error must not echo the URL");
    }

    #[test]
    fn credentials_never_appear_in_messages() {
        let url = parse_url("https://alice:s3cret@example.com/x").unwrap();
        assert_eq!(shown(&url), "https://example.com/x");
        let url = parse_url("http://bob:hunter2@127.0.0.1/").unwrap();
        let error = check_destination(&url, &AddressPolicy::default(), None)
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("hunter2") && !error.contains("bob"),
            "{error}"
        );
    }
}
