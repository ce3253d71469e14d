//! `POST /webhooks/twilio/sms` (a text came in) and `POST /webhooks/twilio/status` (how a sent
//! one is doing). Both are refused with 403, and nothing is done, unless `X-Twilio-Signature`
//! is Twilio's over our public URL and every posted parameter, and the account is ours.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use app::sms::{inbound, outbox, signature, twiml};
use app::state::AppState;

/// The posted parameters, once the signature and account are checked.
struct Signed(Vec<(String, String)>);

impl Signed {
    /// The parameters if Twilio signed them; `None` (logged) otherwise.
    fn check(state: &AppState, headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Option<Self> {
        let refuse = |why: &str| {
            tracing::warn!(why, path = uri.path(), "a Twilio webhook was refused");
            None
        };
        let Some(twilio) = &state.settings.sms.twilio else {
            return refuse("Twilio is not configured");
        };
        let Some(given) = headers
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
        else {
            return refuse("no signature");
        };
        let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
        let url = format!("{}{path}", state.settings.public_url);
        if !signature::is_valid_form(twilio.auth_token.expose(), &url, &params, given) {
            return refuse("wrong signature");
        }
        let signed = Self(params);
        if signed.get("AccountSid") != Some(twilio.account_sid.as_str()) {
            return refuse("another account");
        }
        Some(signed)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "forbidden\n").into_response()
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

pub async fn incoming(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    let Some(signed) = Signed::check(&state, &headers, &uri, &body) else {
        return forbidden();
    };
    let (Some(message_sid), Some(from)) = (signed.get("MessageSid"), signed.get("From")) else {
        return (
            StatusCode::BAD_REQUEST,
            "MessageSid and From are required\n",
        )
            .into_response();
    };
    let message = inbound::Incoming {
        message_sid: message_sid.to_owned(),
        from: from.to_owned(),
        body: signed.get("Body").unwrap_or_default().to_owned(),
    };
    match inbound::receive(&state, message).await {
        Ok(answer) => xml(StatusCode::OK, answer),
        // Twilio then tries the fallback URL, or logs the failure; nothing was stored.
        Err(e) => {
            tracing::warn!(error = %e, "a text message could not be taken in");
            xml(StatusCode::SERVICE_UNAVAILABLE, twiml::empty())
        }
    }
}

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    let Some(signed) = Signed::check(&state, &headers, &uri, &body) else {
        return forbidden();
    };
    let (Some(sid), Some(status)) = (signed.get("MessageSid"), signed.get("MessageStatus")) else {
        return (
            StatusCode::BAD_REQUEST,
            "MessageSid and MessageStatus are required\n",
        )
            .into_response();
    };
    let error_code = signed.get("ErrorCode").and_then(|c| c.parse().ok());
    match outbox::status(&state, sid, status, error_code, signed.get("To")).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => {
            tracing::info!(sid, "a status report for a message we did not send");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "a delivery report could not be recorded");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
