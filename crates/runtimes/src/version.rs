//! [`Version`]: dotted numbers read from `--version` output and from version managers'
//! folder names (`v22.1.0`, `3.12.4`, `Docker version 28.2.2, build …`), compared
//! numerically so that the newest install wins.
//!
//! Owns: parsing and ordering, as pure functions. Must not: run programs.

use std::{cmp::Ordering, fmt};

/// A version as numbers: `22.1.0` is `[22, 1, 0]`. Missing parts compare as zero, so
/// `20` equals `20.0.0`.
#[derive(Debug, Clone)]
pub struct Version {
    parts: Vec<u64>,
}

impl Version {
    pub fn new(parts: &[u64]) -> Self {
        Self {
            parts: parts.to_vec(),
        }
    }

    pub fn parts(&self) -> &[u64] {
        &self.parts
    }

    /// The first dotted number in `text` (`v20.10.0` → 20.10.0; `Python 3.11.2` →
    /// 3.11.2; `uv 0.5.1 (abc 2024-01-01)` → 0.5.1). `None` when there is no digit.
    pub fn find_in(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let start = bytes.iter().position(u8::is_ascii_digit)?;
        let mut parts = Vec::new();
        let mut rest = &text[start..];
        loop {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            // More digits than a u64 holds are not a version part.
            let Ok(part) = rest[..digits].parse::<u64>() else {
                break;
            };
            parts.push(part);
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(after) if after.starts_with(|c: char| c.is_ascii_digit()) => rest = after,
                _ => break,
            }
        }
        (!parts.is_empty()).then_some(Self { parts })
    }

    fn part(&self, index: usize) -> u64 {
        self.parts.get(index).copied().unwrap_or(0)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len)
            .map(|index| self.part(index).cmp(&other.part(index)))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, part) in self.parts.iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use proptest::prelude::*;

    use super::*;

    fn v(text: &str) -> Version {
        Version::find_in(text).unwrap()
    }

    #[test]
    fn versions_are_found_in_real_outputs() {
        let cases = [
            ("v20.20.2\n", "20.20.2"),
            ("11.19.1", "11.19.1"),
            ("Python 3.11.7", "3.11.7"),
            ("Docker version 28.2.2, build e6534b4", "28.2.2"),
            ("uv 0.5.1 (f399a5271 2024-11-08)", "0.5.1"),
            ("v23.0.0-nightly2024", "23.0.0"),
            ("Python312", "312"),
        ];
        for (output, expected) in cases {
            assert_eq!(v(output).to_string(), expected, "{output:?}");
        }
        assert_eq!(Version::find_in("no digits here"), None);
        assert_eq!(
            v("version 1. done").to_string(),
            "1",
            "a trailing dot is not a part"
        );
    }

    #[test]
    fn newer_versions_compare_greater_numerically() {
        assert!(v("v22.1.0") > v("v9.11.2"), "22 > 9 as numbers, not text");
        assert!(v("20.10.0") > v("20.9.99"));
        assert_eq!(v("20"), v("20.0.0"));
        assert!(v("3.10") >= Version::new(&[3, 10]));
        assert!(v("3.9.18") < Version::new(&[3, 10]));
    }

    proptest! {
        #[test]
        fn display_round_trips(parts in proptest::collection::vec(0_u64..100_000, 1..5)) {
            let version = Version::new(&parts);
            prop_assert_eq!(Version::find_in(&format!("v{version}")), Some(version));
        }

        #[test]
        fn ordering_matches_the_numbers(
            a in proptest::collection::vec(0_u64..50, 3),
            b in proptest::collection::vec(0_u64..50, 3),
        ) {
            prop_assert_eq!(Version::new(&a).cmp(&Version::new(&b)), a.cmp(&b));
        }
    }
}
