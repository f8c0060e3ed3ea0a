//! `Sensitive<T>`: a value that must never be printed, logged or serialised.
//!
//! Owns: the wrapper type and its formatting (`<redacted>`), reading through `expose()`,
//! and wiping the value's memory when it is dropped. Must not: implement `Serialize`,
//! `Deserialize`, `PartialEq` (a secret is compared by whoever exposes it, on purpose) or
//! any trait that would print the value.

use std::fmt;

use zeroize::Zeroize;

/// What `Debug` and `Display` print instead of a sensitive value.
pub const REDACTED: &str = "<redacted>";

/// A secret value. It prints as `<redacted>` (both `{}` and `{:?}`), it cannot be
/// serialised, and its memory is zeroed when it is dropped.
///
/// Read it with [`Sensitive::expose`], at the one place that hands it on (a child's
/// environment, the keychain). The name makes every exposure easy to find in review.
///
/// `Sensitive` implements neither `serde::Serialize` nor `serde::Deserialize`, so a struct
/// that holds one cannot derive them, and a secret cannot slip into JSON, the database or
/// the control API by accident:
///
/// ```compile_fail
/// use switchboard_secrets::Sensitive;
///
/// #[derive(serde::Serialize)]
/// struct Launch {
///     token: Sensitive<String>, // error: `Sensitive<String>` does not implement `Serialize`
/// }
/// ```
///
/// Zeroing covers the value's own buffer. Copies that someone made after `expose()` (a
/// `String` put into a child's environment, say) are theirs to look after.
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself. Every call site is a place where the secret leaves the wrapper.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Sensitive<String> {
    /// Whether the value is the empty string (without exposing it).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize + Clone> Clone for Sensitive<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Zeroize + Default> Default for Sensitive<T> {
    fn default() -> Self {
        Self(T::default())
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Sensitive<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<Vec<u8>> for Sensitive<Vec<u8>> {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_redacted_never_the_value() {
        let secret = Sensitive::from("ghp_0123456789abcdef");
        assert_eq!(format!("{secret}"), REDACTED, "Display must hide the value");
        assert_eq!(format!("{secret:?}"), REDACTED, "Debug must hide the value");
        assert_eq!(
            format!("{secret:#?}"),
            REDACTED,
            "pretty Debug must hide the value"
        );
    }

    #[test]
    fn debug_of_a_struct_holding_a_secret_hides_it() {
        #[derive(Debug)]
        #[allow(dead_code)] // read only through Debug
        struct Env {
            name: &'static str,
            value: Sensitive<String>,
        }
        let env = Env {
            name: "GITHUB_TOKEN",
            value: "hunter2-hunter2".into(),
        };
        let printed = format!("{env:?}");
        assert!(
            printed.contains("GITHUB_TOKEN"),
            "the name is printed: {printed}"
        );
        assert!(!printed.contains("hunter2"), "the value leaked: {printed}");
    }

    #[test]
    fn expose_gives_the_value_back() {
        let secret = Sensitive::from(String::from("s3cr3t-value"));
        assert_eq!(secret.expose(), "s3cr3t-value");
        assert!(!secret.is_empty());
        assert!(Sensitive::<String>::default().is_empty());
    }

    #[test]
    fn clones_are_independent_values() {
        let one = Sensitive::from("abcdef-123456");
        let two = one.clone();
        drop(one);
        assert_eq!(
            two.expose(),
            "abcdef-123456",
            "dropping one copy must not wipe the other"
        );
    }

    #[test]
    fn bytes_can_be_sensitive_too() {
        let secret = Sensitive::from(vec![1_u8, 2, 3]);
        assert_eq!(secret.expose(), &[1, 2, 3]);
        assert_eq!(format!("{secret:?}"), REDACTED);
    }
}
