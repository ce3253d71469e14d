//! Retell's wire formats (`shared/protocols.md` §2): the `X-Retell-Signature` check, and the
//! two shapes of a tool call's body. Pure.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

/// How far a signature's timestamp may be from our clock.
pub const SIGNATURE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no signature")]
    Missing,
    #[error("the signature is not v=<ms>,d=<hex>")]
    Malformed,
    #[error("the signature's timestamp is more than 5 minutes from now")]
    Stale,
    #[error("the signature does not match the body")]
    Wrong,
}

/// Checks `header` (`v=<unix ms>,d=<hex>`) over the raw `body`: HMAC-SHA256 keyed by the
/// Retell API key over the body followed by the timestamp's digits, within five minutes of
/// `now_ms`, compared in constant time.
pub fn verify(
    body: &[u8],
    api_key: &str,
    header: Option<&str>,
    now_ms: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let (stamp, digest) = header
        .strip_prefix("v=")
        .and_then(|rest| rest.split_once(",d="))
        .ok_or(SignatureError::Malformed)?;
    if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed);
    }
    let at: i64 = stamp.parse().map_err(|_| SignatureError::Malformed)?;
    let given = hex::decode(digest).map_err(|_| SignatureError::Malformed)?;
    if (now_ms - at).abs() > SIGNATURE_WINDOW_MS {
        return Err(SignatureError::Stale);
    }
    let mut mac = mac(api_key);
    mac.update(body);
    mac.update(stamp.as_bytes());
    mac.verify_slice(&given).map_err(|_| SignatureError::Wrong)
}

/// The header Retell would send for `body` at `at_ms` (for tests, fakes and the Booking
/// page's test form).
pub fn sign(body: &[u8], api_key: &str, at_ms: i64) -> String {
    let mut mac = mac(api_key);
    mac.update(body);
    mac.update(at_ms.to_string().as_bytes());
    format!("v={at_ms},d={}", hex::encode(mac.finalize().into_bytes()))
}

fn mac(api_key: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(api_key.as_bytes()).expect("HMAC takes a key of any length")
}

/// The call a request comes from, as far as booking needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub call_id: String,
    #[serde(default)]
    pub agent_id: String,
    #[serde(default)]
    pub from_number: Option<String>,
    #[serde(default)]
    pub to_number: Option<String>,
}

/// A tool call's body in either shape: `{name, call, args}`, or the arguments alone at the
/// root (then the call, if any, is unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub call: Option<Call>,
    pub args: Map<String, Value>,
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not a JSON object")]
    NotAnObject,
    #[error("call: {0}")]
    BadCall(String),
    #[error("args must be an object")]
    BadArgs,
}

impl ToolCall {
    pub fn read(body: &[u8]) -> Result<Self, BodyError> {
        let Ok(Value::Object(mut root)) = serde_json::from_slice::<Value>(body) else {
            return Err(BodyError::NotAnObject);
        };
        let nested = root.contains_key("call") && root.contains_key("args");
        if !nested {
            return Ok(Self {
                call: None,
                args: root,
            });
        }
        let call = serde_json::from_value(root.remove("call").unwrap_or_default())
            .map_err(|e| BodyError::BadCall(e.to_string()))?;
        let Some(Value::Object(args)) = root.remove("args") else {
            return Err(BodyError::BadArgs);
        };
        Ok(Self {
            call: Some(call),
            args,
        })
    }

    /// A text argument, trimmed; numbers are taken as their digits.
    pub fn text(&self, name: &str) -> Option<String> {
        let text = match self.args.get(name)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// A whole-number argument, given as a number or as digits.
    pub fn number(&self, name: &str) -> Option<i64> {
        match self.args.get(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "key_test_0123456789abcdef";
    const AT: i64 = 1_714_608_476_000;
    const BODY: &str = r#"{"event":"call_started","call":{"call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6","agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","call_type":"phone_call","direction":"inbound","from_number":"+12137771234","to_number":"+12137771235","call_status":"ongoing","start_timestamp":1714608475945}}"#;
    const HEADER: &str =
        "v=1714608476000,d=9fc741b27af87acd173d9121873dcefdd37d7e5a6ed7a69d366c21405921caf8";

    #[test]
    fn the_protocol_vector_verifies_within_five_minutes() {
        assert_eq!(
            verify(BODY.as_bytes(), KEY, Some(HEADER), AT + 1_000),
            Ok(())
        );
        assert_eq!(
            verify(BODY.as_bytes(), KEY, Some(HEADER), AT - SIGNATURE_WINDOW_MS),
            Ok(())
        );
        assert_eq!(sign(BODY.as_bytes(), KEY, AT), HEADER);
    }

    #[test]
    fn stale_tampered_wrong_key_and_malformed_are_refused() {
        let body = BODY.as_bytes();
        assert_eq!(
            verify(body, KEY, Some(HEADER), AT + SIGNATURE_WINDOW_MS + 1),
            Err(SignatureError::Stale)
        );
        let tampered = BODY.replace("+12137771234", "+12137779999");
        assert_eq!(
            verify(tampered.as_bytes(), KEY, Some(HEADER), AT),
            Err(SignatureError::Wrong)
        );
        assert_eq!(
            verify(body, "key_other", Some(HEADER), AT),
            Err(SignatureError::Wrong)
        );
        // The timestamp is signed too: moving it breaks the digest.
        let moved = HEADER.replace("1714608476000", "1714608477000");
        assert_eq!(
            verify(body, KEY, Some(&moved), AT),
            Err(SignatureError::Wrong)
        );
        assert_eq!(verify(body, KEY, None, AT), Err(SignatureError::Missing));
        for bad in [
            "",
            "d=00,v=1",
            "v=,d=00",
            "v=12x,d=00",
            "v=1714608476000,d=zz",
            "v=1714608476000",
            "v=99999999999999999999999,d=00",
        ] {
            assert_eq!(
                verify(body, KEY, Some(bad), AT),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn both_body_shapes_are_read() {
        let nested = ToolCall::read(
            br#"{"name":"book","call":{"call_id":"c1","agent_id":"a1","from_number":"+12137771234"},"args":{"customer_name":" Ann ","duration_minutes":"45"}}"#,
        )
        .unwrap();
        let call = nested.call.clone().unwrap();
        assert_eq!(
            (call.call_id.as_str(), call.agent_id.as_str()),
            ("c1", "a1")
        );
        assert_eq!(nested.text("customer_name").as_deref(), Some("Ann"));
        assert_eq!(nested.number("duration_minutes"), Some(45));

        let root = ToolCall::read(br#"{"customer_name":"Ann","duration_minutes":30}"#).unwrap();
        assert_eq!(root.call, None);
        assert_eq!(root.number("duration_minutes"), Some(30));
        assert_eq!(root.text("missing"), None);

        assert_eq!(ToolCall::read(b"[1]"), Err(BodyError::NotAnObject));
        assert_eq!(ToolCall::read(b"not json"), Err(BodyError::NotAnObject));
        assert!(matches!(
            ToolCall::read(br#"{"call":{"agent_id":"a"},"args":{}}"#),
            Err(BodyError::BadCall(_))
        ));
        assert_eq!(
            ToolCall::read(br#"{"call":{"call_id":"c"},"args":[1]}"#),
            Err(BodyError::BadArgs)
        );
    }
}
