//! The forms a secret value takes in text that Switchboard stores: as written, escaped
//! inside a JSON string, escaped by Rust's `{:?}`, percent-encoded in a URL, and base64
//! (the Basic auth header `base64(user:value)`, a bearer blob).
//!
//! Owns: producing these forms, as pure functions. Must not: match, store or log.
//!
//! Forms, and why each is cheap:
//! - JSON string escaping as serde_json writes it, and as Python's `json.dumps` writes it
//!   (`\uXXXX` for every non-ASCII character): one pass over the value.
//! - Rust `{:?}` escaping of a `str` (tracing's `?field`): one pass.
//! - URL percent-encoding of everything but RFC 3986's unreserved characters, uppercase
//!   hex, and its form variant (space as `+`): one pass each.
//! - base64, standard and URL-safe alphabets: the value can sit at any of three offsets
//!   from the start of an encoded blob (after `user:` in Basic auth, say), so for each
//!   offset the characters that depend on the value's bits alone are one pattern. Those
//!   "cores" appear in the encoding of any text that contains the value; only the one or
//!   two characters at each edge, which also carry bits of the neighbours, stay visible.
//!   Cores shorter than [`MIN_BASE64_CORE`] are left out (too likely by chance).

use base64::{
    Engine,
    engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD},
};
use zeroize::Zeroizing;

/// The shortest base64 core that is matched.
pub(crate) const MIN_BASE64_CORE: usize = 6;

/// Every form of `value`, the value itself first, without duplicates. Each form is zeroed
/// when the caller drops it.
pub(crate) fn forms(value: &str) -> Vec<Zeroizing<String>> {
    let mut all: Vec<Zeroizing<String>> = Vec::new();
    let mut push = |form: Zeroizing<String>| {
        if !form.is_empty() && !all.iter().any(|known| **known == *form) {
            all.push(form);
        }
    };
    push(Zeroizing::new(value.to_owned()));
    push(json_escaped(value, false));
    push(json_escaped(value, true));
    push(debug_escaped(value));
    push(percent_encoded(value, false));
    push(percent_encoded(value, true));
    for core in base64_cores(value.as_bytes()) {
        push(core);
    }
    all
}

/// `value` as it appears between the quotes of a JSON string. With `ascii_only`, every
/// non-ASCII character is a `\uXXXX` escape (UTF-16, lowercase hex, as Python writes).
pub(crate) fn json_escaped(value: &str, ascii_only: bool) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(value.len() + 2));
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => push_u_escape(&mut out, u32::from(c)),
            c if ascii_only && !c.is_ascii() => {
                let mut units = [0_u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_u_escape(&mut out, u32::from(*unit));
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn push_u_escape(out: &mut String, unit: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[((unit >> shift) & 0xf) as usize]));
    }
}

/// `value` as Rust's `{:?}` prints it, without the surrounding quotes.
pub(crate) fn debug_escaped(value: &str) -> Zeroizing<String> {
    let quoted = Zeroizing::new(format!("{value:?}"));
    let inner = quoted
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(&quoted);
    Zeroizing::new(inner.to_owned())
}

/// `value` percent-encoded (RFC 3986 unreserved characters kept, uppercase hex). With
/// `form`, a space is `+` as in `application/x-www-form-urlencoded`.
pub(crate) fn percent_encoded(value: &str, form: bool) -> Zeroizing<String> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Zeroizing::new(String::with_capacity(value.len() * 3));
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out
}

/// For each of the three offsets a value can have in a base64 blob, and each alphabet, the
/// characters that depend on the value alone (see the module comment).
pub(crate) fn base64_cores(value: &[u8]) -> Vec<Zeroizing<String>> {
    let mut cores = Vec::new();
    for offset in 0..3_usize {
        let mut shifted = Zeroizing::new(vec![0_u8; offset]);
        shifted.extend_from_slice(value);
        // Character i covers bits [6i, 6i + 6) of `shifted`; the value's bits are
        // [8 * offset, 8 * (offset + len)).
        let first = (8 * offset).div_ceil(6);
        let end = (8 * (offset + value.len())) / 6;
        if end <= first || end - first < MIN_BASE64_CORE {
            continue;
        }
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = Zeroizing::new(engine.encode(shifted.as_slice()));
            if let Some(core) = encoded.get(first..end) {
                cores.push(Zeroizing::new(core.to_owned()));
            }
        }
    }
    cores
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn json_forms_match_what_serializers_write() {
        let value = "pa\"ss\\wörd\n\u{1}😀";
        assert_eq!(*json_escaped(value, false), r#"pa\"ss\\wörd\n\u0001😀"#);
        assert_eq!(
            *json_escaped(value, true),
            r#"pa\"ss\\w\u00f6rd\n\u0001\ud83d\ude00"#
        );
    }

    #[test]
    fn debug_form_matches_rust_debug() {
        assert_eq!(*debug_escaped("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    }

    #[test]
    fn percent_forms_match_url_encoders() {
        assert_eq!(*percent_encoded("a b/c+d~é", false), "a%20b%2Fc%2Bd~%C3%A9");
        assert_eq!(*percent_encoded("a b", true), "a+b");
    }

    #[test]
    fn forms_have_no_duplicates_for_plain_tokens() {
        let all = forms("ABCDEFGH12345678");
        let unique: std::collections::BTreeSet<_> = all.iter().map(|f| f.as_str()).collect();
        assert_eq!(unique.len(), all.len());
        assert_eq!(*all[0], "ABCDEFGH12345678", "the raw value comes first");
    }

    proptest! {
        /// The property the cores exist for: whatever precedes and follows the value,
        /// the base64 of the whole contains one of its cores.
        #[test]
        fn base64_of_any_text_containing_the_value_contains_a_core(
            prefix in proptest::collection::vec(any::<u8>(), 0..12),
            value in proptest::collection::vec(any::<u8>(), 6..40),
            suffix in proptest::collection::vec(any::<u8>(), 0..12),
        ) {
            let cores = base64_cores(&value);
            let mut whole = prefix;
            whole.extend_from_slice(&value);
            whole.extend_from_slice(&suffix);
            let encoded = STANDARD.encode(&whole);
            let url_safe = base64::engine::general_purpose::URL_SAFE.encode(&whole);
            prop_assert!(
                cores.iter().any(|core| encoded.contains(core.as_str())),
                "no core found in standard base64"
            );
            prop_assert!(
                cores.iter().any(|core| url_safe.contains(core.as_str())),
                "no core found in URL-safe base64"
            );
        }
    }
}
