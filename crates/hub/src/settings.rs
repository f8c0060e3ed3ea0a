//! The user's settings that the daemon reads: each key, what it means, its default and the
//! type of its value (true or false, or one of a few words). The store keeps values under these keys; anything else is refused, so
//! a typo never silently does nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::control::{ControlError, ErrorCode};

/// Lets the `fetch` server reach this computer and the local network.
pub const FETCH_ALLOW_PRIVATE_ADDRESSES: &str = "fetch.allow_private_addresses";

/// What the daemon does when a client rewrites its config file and drops or alters an entry
/// Switchboard manages: `reapply` or `surface`.
pub const CLIENTS_DRIFT: &str = "clients.drift";

/// The values of [`CLIENTS_DRIFT`].
pub const DRIFT_REAPPLY: &str = "reapply";
pub const DRIFT_SURFACE: &str = "surface";

/// One known setting.
#[derive(Debug, Clone, Copy)]
struct Spec {
    key: &'static str,
    description: &'static str,
    default: Default,
}

#[derive(Debug, Clone, Copy)]
enum Default {
    Bool(bool),
    /// One of a few words; the first argument is the default.
    Choice(&'static str, &'static [&'static str]),
}

impl Default {
    fn value(self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(b),
            Self::Choice(word, _) => Value::from(word),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Self::Bool(_) => value.is_boolean(),
            Self::Choice(_, allowed) => value.as_str().is_some_and(|text| allowed.contains(&text)),
        }
    }

    fn kind(self) -> String {
        match self {
            Self::Bool(_) => "true or false".to_owned(),
            Self::Choice(_, allowed) => {
                let quoted: Vec<String> =
                    allowed.iter().map(|word| format!("\"{word}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
        }
    }
}

const SPECS: &[Spec] = &[
    Spec {
        key: FETCH_ALLOW_PRIVATE_ADDRESSES,
        description: "Let the fetch server reach this computer (localhost) and private, \
                      link-local and carrier-grade NAT addresses. Off by default, so that a \
                      model cannot be steered into your router, your printer or services on \
                      this computer. Cloud metadata addresses stay refused either way.",
        default: Default::Bool(false),
    },
    Spec {
        key: CLIENTS_DRIFT,
        description: "What to do when an MCP client rewrites its config file and drops or \
                      changes an entry Switchboard installed there: \"reapply\" puts the entry \
                      back at once, \"surface\" leaves the file alone and only tells you (the \
                      app shows it, the daemon logs it). Either way nothing else in the file \
                      is touched.",
        default: Default::Choice(DRIFT_REAPPLY, &[DRIFT_REAPPLY, DRIFT_SURFACE]),
    },
];

/// A setting as the control API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub key: String,
    pub value: Value,
    pub default: Value,
    pub description: String,
}

/// The known keys with their defaults, for settings not stored.
pub(crate) fn known() -> impl Iterator<Item = (&'static str, &'static str, Value)> {
    SPECS
        .iter()
        .map(|spec| (spec.key, spec.description, spec.default.value()))
}

/// Checks that `value` may be stored under `key`.
pub(crate) fn check(key: &str, value: &Value) -> Result<(), ControlError> {
    let Some(spec) = SPECS.iter().find(|spec| spec.key == key) else {
        let keys: Vec<&str> = SPECS.iter().map(|spec| spec.key).collect();
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!(
                "there is no setting \"{key}\"; the settings are: {}",
                keys.join(", ")
            ),
        ));
    };
    if !spec.default.accepts(value) {
        return Err(ControlError::new(
            ErrorCode::InvalidInput,
            format!("{key} is {}, not {value}", spec.default.kind()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_the_fix() {
        let error = check("fetch.allow_private", &Value::Bool(true)).unwrap_err();
        assert!(
            error.message.contains(FETCH_ALLOW_PRIVATE_ADDRESSES),
            "{}",
            error.message
        );
        let error = check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::from("yes")).unwrap_err();
        assert_eq!(
            error.message,
            "fetch.allow_private_addresses is true or false, not \"yes\""
        );
        check(FETCH_ALLOW_PRIVATE_ADDRESSES, &Value::Bool(true)).unwrap();
    }

    #[test]
    fn word_settings_take_only_their_listed_words() {
        check(CLIENTS_DRIFT, &Value::from("surface")).unwrap();
        check(CLIENTS_DRIFT, &Value::from("reapply")).unwrap();
        let error = check(CLIENTS_DRIFT, &Value::from("ignore")).unwrap_err();
        assert_eq!(
            error.message, "clients.drift is one of \"reapply\", \"surface\", not \"ignore\"",
            "the message lists what is allowed"
        );
        let error = check(CLIENTS_DRIFT, &Value::Bool(true)).unwrap_err();
        assert!(error.message.contains("\"surface\""), "{}", error.message);
        let default = known()
            .find(|(key, _, _)| *key == CLIENTS_DRIFT)
            .map(|(_, _, default)| default);
        assert_eq!(
            default,
            Some(Value::from("reapply")),
            "re-applying is the default"
        );
    }
}
