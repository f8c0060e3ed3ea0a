//! Finding time zones by name in the bundled IANA database: exact names in any letter case,
//! a unique city name ("Tokyo"), and near misses suggested in the error. Reads no zone data
//! from the operating system; `local_zone_name` only reads which zone the OS is set to.

use std::{fmt, sync::OnceLock};

use jiff::tz::{self, TimeZone};

/// Longest name accepted; the longest IANA name is about 30 characters.
const MAX_NAME_LEN: usize = 64;

/// A zone name that is not in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    name: String,
    suggestions: Vec<String>,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unknown time zone \"{}\".", self.name)?;
        match self.suggestions.as_slice() {
            [] => {}
            [one] => write!(f, " Did you mean \"{one}\"?")?,
            many => write!(f, " Did you mean one of: {}?", many.join(", "))?,
        }
        write!(
            f,
            " Use an IANA name such as \"America/New_York\", \"Europe/Warsaw\" or \"UTC\"; \
             list_timezones finds names by city or region."
        )
    }
}

impl std::error::Error for ZoneError {}

/// Every zone name in the bundled database, sorted.
fn all_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = tz::db()
            .available()
            .map(|n| n.as_str().to_owned())
            .collect();
        names.sort();
        names
    })
}

/// Looks up a zone by its IANA name (any letter case) or by a city name that belongs to
/// exactly one zone ("tokyo", "New York").
pub fn lookup_zone(name: &str) -> Result<TimeZone, ZoneError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_NAME_LEN || trimmed.contains('\0') {
        return Err(ZoneError {
            name: shorten(trimmed),
            suggestions: Vec::new(),
        });
    }
    if let Ok(zone) = tz::db().get(trimmed) {
        return Ok(zone);
    }
    let city = trimmed.replace(' ', "_");
    let by_city: Vec<&String> = all_names()
        .iter()
        .filter(|candidate| {
            candidate
                .rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(&city))
        })
        .collect();
    if let [only] = by_city.as_slice()
        && let Ok(zone) = tz::db().get(only)
    {
        return Ok(zone);
    }
    let suggestions = if by_city.is_empty() {
        suggest(trimmed)
    } else {
        by_city.into_iter().cloned().collect()
    };
    Err(ZoneError {
        name: trimmed.to_owned(),
        suggestions,
    })
}

/// Zone names containing `query`, case-insensitively; all of them for an empty query.
pub(crate) fn matching(query: &str) -> Vec<String> {
    let query = query.trim().to_ascii_lowercase().replace(' ', "_");
    all_names()
        .iter()
        .filter(|name| name.to_ascii_lowercase().contains(&query))
        .cloned()
        .collect()
}

/// Up to three names within a small edit distance of `name`, closest first.
fn suggest(name: &str) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    let budget = (wanted.len() / 4).max(2);
    let mut scored: Vec<(usize, &String)> = all_names()
        .iter()
        .filter_map(|candidate| {
            let whole = edit_distance(&wanted, &candidate.to_ascii_lowercase());
            let city = candidate.rsplit('/').next().map_or(usize::MAX, |last| {
                edit_distance(&wanted, &last.to_ascii_lowercase())
            });
            let distance = whole.min(city);
            (distance <= budget).then_some((distance, candidate))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// Levenshtein distance over bytes (zone names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_NAME_LEN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The name of the zone the operating system is set to, if it can be told without reading
/// zone data: `TZ`, the `/etc/localtime` link, or `/etc/timezone`. Only names the bundled
/// database knows are returned.
pub fn local_zone_name() -> Option<String> {
    let known = |name: &str| {
        tz::db()
            .get(name.trim().trim_start_matches(':'))
            .ok()
            .and_then(|zone| zone.iana_name().map(str::to_owned))
    };
    if let Some(name) = std::env::var("TZ").ok().as_deref().and_then(known) {
        return Some(name);
    }
    if let Ok(target) = std::fs::read_link("/etc/localtime") {
        let target = target.to_string_lossy();
        if let Some((_, name)) = target.split_once("zoneinfo/")
            && let Some(name) = known(name)
        {
            return Some(name);
        }
    }
    std::fs::read_to_string("/etc/timezone")
        .ok()
        .as_deref()
        .and_then(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_are_found_in_any_letter_case() {
        let zone = lookup_zone("america/NEW_YORK").unwrap();
        assert_eq!(zone.iana_name(), Some("America/New_York"));
    }

    #[test]
    fn a_unique_city_name_finds_its_zone() {
        assert_eq!(
            lookup_zone("tokyo").unwrap().iana_name(),
            Some("Asia/Tokyo")
        );
        assert_eq!(
            lookup_zone("New York").unwrap().iana_name(),
            Some("America/New_York")
        );
    }

    #[test]
    fn a_city_shared_by_several_names_lists_them() {
        let error = lookup_zone("buenos aires").unwrap_err();
        assert!(
            error
                .suggestions
                .iter()
                .any(|s| s == "America/Argentina/Buenos_Aires"),
            "{error}"
        );
    }

    #[test]
    fn near_misses_are_suggested() {
        let error = lookup_zone("Europe/Warsow").unwrap_err();
        assert_eq!(
            error.suggestions.first().map(String::as_str),
            Some("Europe/Warsaw")
        );
        let error = lookup_zone("Lodnon").unwrap_err();
        assert!(
            error.suggestions.iter().any(|s| s == "Europe/London"),
            "{error}"
        );
    }

    #[test]
    fn absurd_names_are_refused_without_searching() {
        let long = "x".repeat(100_000);
        let error = lookup_zone(&long).unwrap_err();
        assert!(error.suggestions.is_empty());
        assert!(
            error.to_string().len() < 400,
            "the error must not echo the whole input"
        );
        assert!(lookup_zone("").is_err());
        assert!(lookup_zone("UTC\0").is_err());
    }

    #[test]
    fn the_database_is_bundled_not_read_from_the_os() {
        // With TZDIR pointing nowhere, lookups still work: the data is in the binary.
        assert!(
            all_names().len() > 300,
            "bundled tzdb has hundreds of zones"
        );
        assert!(lookup_zone("Antarctica/Troll").is_ok());
    }

    #[test]
    fn matching_filters_by_substring() {
        let found = matching("york");
        assert_eq!(found, vec!["America/New_York".to_owned()]);
        assert!(matching("").len() > 300);
        assert!(matching("no such place").is_empty());
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
