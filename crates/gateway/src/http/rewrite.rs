//! Rewriting the few parts of a message the HTTP front must change: request ids (HTTP
//! requests of one session run concurrently and may reuse ids), progress tokens (likewise),
//! and the `requestId` of a client's `notifications/cancelled`. Everything else in a line
//! is kept byte for byte: the parts are located in the borrowed parse and spliced.
//!
//! Pure functions over bytes. Must not: parse a message into a tree and print it again.

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Where `part` (borrowed from `whole` by a zero-copy parse) sits in `whole`.
pub fn range_in(whole: &[u8], part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start + part.len();
    (end <= whole.len()).then_some(start..end)
}

/// `line` with each range replaced by its text; ranges must not overlap.
pub fn splice(line: &[u8], mut edits: Vec<(Range<usize>, &str)>) -> Vec<u8> {
    edits.sort_by_key(|(range, _)| range.start);
    let extra: usize = edits.iter().map(|(_, text)| text.len()).sum();
    let mut out = Vec::with_capacity(line.len() + extra);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue;
        }
        out.extend_from_slice(&line[at..range.start]);
        out.extend_from_slice(text.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(&line[at..]);
    out
}

/// `params._meta.progressToken`, raw, borrowed from `params`.
pub fn progress_token(params: &RawValue) -> Option<&RawValue> {
    #[derive(Deserialize)]
    struct Params<'a> {
        #[serde(rename = "_meta", borrow, default)]
        meta: Option<Meta<'a>>,
    }
    #[derive(Deserialize)]
    struct Meta<'a> {
        #[serde(rename = "progressToken", borrow, default)]
        token: Option<&'a RawValue>,
    }
    let params: Params<'_> = serde_json::from_str(params.get()).ok()?;
    params.meta?.token
}

/// `params.progressToken` of a `notifications/progress`, raw.
pub fn notified_progress_token(params: &RawValue) -> Option<&RawValue> {
    #[derive(Deserialize)]
    struct Params<'a> {
        #[serde(rename = "progressToken", borrow)]
        token: &'a RawValue,
    }
    let params: Params<'_> = serde_json::from_str(params.get()).ok()?;
    Some(params.token)
}

/// `params.requestId` of a `notifications/cancelled`, raw.
pub fn cancelled_request_id(params: &RawValue) -> Option<&RawValue> {
    #[derive(Deserialize)]
    struct Params<'a> {
        #[serde(rename = "requestId", borrow)]
        request_id: &'a RawValue,
    }
    let params: Params<'_> = serde_json::from_str(params.get()).ok()?;
    Some(params.request_id)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::envelope::Envelope;

    #[test]
    fn an_id_and_a_progress_token_are_replaced_and_nothing_else_moves() {
        let line = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"id":7},"_meta":{"progressToken":"p"}}}"#;
        let envelope = Envelope::parse(line).unwrap();
        let id = range_in(line, envelope.id.unwrap().get()).unwrap();
        let token = range_in(
            line,
            progress_token(envelope.params.unwrap()).unwrap().get(),
        )
        .unwrap();
        let out = splice(line, vec![(token, "\"sb-p-1\""), (id, "\"sb-1\"")]);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"jsonrpc":"2.0","id":"sb-1","method":"tools/call","params":{"name":"x","arguments":{"id":7},"_meta":{"progressToken":"sb-p-1"}}}"#
        );
    }

    #[test]
    fn progress_and_cancellation_parameters_are_found() {
        let progress = br#"{"method":"notifications/progress","params":{"progressToken":"sb-p-1","progress":1}}"#;
        let envelope = Envelope::parse(progress).unwrap();
        assert_eq!(
            notified_progress_token(envelope.params.unwrap())
                .unwrap()
                .get(),
            "\"sb-p-1\""
        );
        let cancelled =
            br#"{"method":"notifications/cancelled","params":{"requestId":12,"reason":"x"}}"#;
        let envelope = Envelope::parse(cancelled).unwrap();
        assert_eq!(
            cancelled_request_id(envelope.params.unwrap())
                .unwrap()
                .get(),
            "12"
        );
    }

    proptest! {
        #[test]
        fn any_id_survives_a_round_trip(id in prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            "[a-zA-Z0-9 _\\-\\\\\"é]{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        ], body in "[a-z]{0,10}") {
            let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{"text":"{body}"}}}}"#);
            let envelope = Envelope::parse(line.as_bytes()).unwrap();
            let range = range_in(line.as_bytes(), envelope.id.unwrap().get()).unwrap();
            let rewritten = splice(line.as_bytes(), vec![(range, "\"sb-9\"")]);
            let back = Envelope::parse(&rewritten).unwrap();
            let range = range_in(&rewritten, back.id.unwrap().get()).unwrap();
            let restored = splice(&rewritten, vec![(range, id.as_str())]);
            prop_assert_eq!(restored, line.into_bytes());
        }
    }
}
