//! What to answer to bytes that are not a JSON-RPC message a server understands. Pure:
//! used by the stdio transport and the HTTP front alike.
//!
//! JSON-RPC 2.0 asks for a Parse error (-32700) for invalid JSON and an Invalid Request
//! error (-32600) for JSON that is not a request, answered to the message's id when it has
//! one. A notification or a stray response that does not parse gets no answer on a stream,
//! since nobody waits for one.

use rmcp::{ErrorData, model::NumberOrString};
use serde_json::Value;

/// The answer to a message that did not parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejection {
    pub(crate) error: ErrorData,
    pub(crate) id: Option<NumberOrString>,
    /// Nobody waits for an answer (a notification or a response that did not parse).
    pub(crate) unanswered: bool,
}

/// Classifies `bytes`, which failed to parse as a JSON-RPC message with `error`.
pub(crate) fn reject(bytes: &[u8], error: &serde_json::Error) -> Rejection {
    let answer = |error, id| Rejection {
        error,
        id,
        unanswered: false,
    };
    if error.is_syntax() || error.is_eof() {
        return answer(
            ErrorData::parse_error(format!("Parse error: not valid JSON ({error})"), None),
            None,
        );
    }
    let invalid =
        |detail: String| ErrorData::invalid_request(format!("Invalid Request: {detail}"), None);
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(_)) => answer(
            invalid("JSON-RPC batches are not part of MCP; send one message at a time".into()),
            None,
        ),
        Ok(Value::Object(object)) => {
            let id = object.get("id").and_then(request_id);
            let unanswered = id.is_none()
                && (object.contains_key("method")
                    || object.contains_key("result")
                    || object.contains_key("error"));
            Rejection {
                error: invalid(error.to_string()),
                id,
                unanswered,
            }
        }
        _ => answer(
            invalid("a JSON-RPC message must be a JSON object".into()),
            None,
        ),
    }
}

fn request_id(value: &Value) -> Option<NumberOrString> {
    match value {
        Value::Number(n) => n.as_i64().map(NumberOrString::Number),
        Value::String(s) => Some(NumberOrString::String(s.as_str().into())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::ClientJsonRpcMessage;

    use super::*;

    fn classify(text: &str) -> Rejection {
        let error = serde_json::from_str::<ClientJsonRpcMessage>(text)
            .expect_err("the test input must not parse");
        reject(text.as_bytes(), &error)
    }

    #[test]
    fn invalid_json_is_a_parse_error() {
        let rejection = classify(r#"{"jsonrpc": "2.0", "id": 1,"#);
        assert_eq!(rejection.error.code.0, -32700);
        assert_eq!(rejection.id, None);
        assert!(!rejection.unanswered);
    }

    #[test]
    fn a_bad_request_with_an_id_is_answered_for_that_id() {
        let rejection = classify(r#"{"jsonrpc":"2.0","id":7,"method":42}"#);
        assert_eq!(rejection.error.code.0, -32600);
        assert_eq!(rejection.id, Some(NumberOrString::Number(7)));
        let rejection = classify(r#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#);
        assert_eq!(rejection.id, Some(NumberOrString::String("a".into())));
    }

    #[test]
    fn batches_and_non_objects_are_invalid_requests() {
        for text in ["[1, 2]", "\"hello\"", "42", "null"] {
            let rejection = classify(text);
            assert_eq!(rejection.error.code.0, -32600, "{text}");
            assert!(!rejection.unanswered, "{text}");
        }
    }

    #[test]
    fn broken_notifications_and_responses_go_unanswered() {
        assert!(
            classify(r#"{"jsonrpc":"2.0","method":"notifications/progress","params":7}"#)
                .unanswered
        );
        assert!(classify(r#"{"jsonrpc":"2.0","result":7}"#).unanswered);
        assert!(
            !classify(r#"{"jsonrpc":"2.0"}"#).unanswered,
            "nothing to go by: answer"
        );
    }
}
