//! Retell's webhooks: `POST /webhooks/retell/check-availability` and `/book` (tools the voice
//! agent calls during a call) and `/events` (call events). Each is refused with 401, and
//! nothing is done, unless `X-Retell-Signature` is Retell's over the raw body within five
//! minutes and the agent (or, for arguments sent alone, the URL's `owner` token) is an
//! owner's. Tools answer 200 with a sentence the agent can say, whatever fails behind them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use app::booking::caller::{self, AvailabilityReply, OwnerKey, Received, Refused};
use app::booking::calls::{self, CallEvent};
use app::booking::retell::{self, ToolCall};
use app::state::AppState;

/// The query a webhook URL may carry: the owner's token, for tools whose arguments come alone.
#[derive(Debug, Default, Deserialize)]
pub struct OwnerQuery {
    owner: Option<String>,
}

fn unauthorized(why: &str) -> Response {
    tracing::warn!(why, "a Retell webhook was refused");
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "unauthorized" })),
    )
        .into_response()
}

/// Why a request was turned away before anything was done.
enum Rejected {
    Unauthorized(String),
    BadBody(String),
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthorized(why) => unauthorized(&why),
            Self::BadBody(why) => {
                (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response()
            }
        }
    }
}

/// The body, once the signature over it is checked.
fn signed<'a>(state: &AppState, headers: &HeaderMap, body: &'a [u8]) -> Result<&'a [u8], Rejected> {
    let Some(key) = &state.settings.voice.retell_api_key else {
        return Err(Rejected::Unauthorized("RETELL_API_KEY is not set".into()));
    };
    let header = headers
        .get("x-retell-signature")
        .and_then(|v| v.to_str().ok());
    match retell::verify(body, key.expose(), header, state.now().timestamp_millis()) {
        Ok(()) => Ok(body),
        Err(e) => Err(Rejected::Unauthorized(e.to_string())),
    }
}

/// A tool call's body and the owner it names.
fn tool_call(
    state: &AppState,
    headers: &HeaderMap,
    query: &OwnerQuery,
    body: &[u8],
) -> Result<(ToolCall, OwnerKey), Rejected> {
    let body = signed(state, headers, body)?;
    let request = ToolCall::read(body).map_err(|e| Rejected::BadBody(e.to_string()))?;
    let key = OwnerKey::of(request.call.as_ref(), query.owner.as_deref())
        .ok_or_else(|| Rejected::Unauthorized("no agent and no owner token".into()))?;
    Ok((request, key))
}

fn refused(refusal: Refused) -> Response {
    match refusal {
        Refused::UnknownOwner => unauthorized("unknown agent or owner"),
        Refused::TooMany(limit) => {
            tracing::warn!(limit, "an owner's agents are over their rate");
            (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({ "message": caller::TOO_MANY })),
            )
                .into_response()
        }
        // Neither tool returns this (both answer database failures with a sentence); a 503
        // all the same, should one ever.
        Refused::App(e) => {
            tracing::warn!(error = %e, "a Retell webhook could not be answered");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(AvailabilityReply::cannot_see()),
            )
                .into_response()
        }
    }
}

pub async fn check_availability(
    State(state): State<AppState>,
    Query(query): Query<OwnerQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, key) = match tool_call(&state, &headers, &query, &body) {
        Ok(found) => found,
        Err(rejected) => return rejected.into_response(),
    };
    match caller::availability_within_budget(&state, &key, &request).await {
        Ok(reply) => Json(reply).into_response(),
        Err(refusal) => refused(refusal),
    }
}

pub async fn book(
    State(state): State<AppState>,
    Query(query): Query<OwnerQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, key) = match tool_call(&state, &headers, &query, &body) {
        Ok(found) => found,
        Err(rejected) => return rejected.into_response(),
    };
    let received = Received {
        key,
        call: request.call,
        args: request.args,
        received_at: state.now(),
    };
    match caller::book_within_budget(&state, &received).await {
        Ok(reply) => Json(reply).into_response(),
        Err(refusal) => refused(refusal),
    }
}

pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match signed(&state, &headers, &body) {
        Ok(body) => body,
        Err(rejected) => return rejected.into_response(),
    };
    let event: CallEvent = match serde_json::from_slice(body) {
        Ok(event) => event,
        Err(e) => return Rejected::BadBody(e.to_string()).into_response(),
    };
    let recorded = tokio::time::timeout(
        state.settings.voice.answer_within,
        calls::record(&state, &event),
    )
    .await;
    match recorded {
        Ok(Ok(_)) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(Refused::UnknownOwner)) => unauthorized("unknown agent"),
        // Retell sends the event again when it gets no 2xx.
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "a call event could not be stored");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(_) => {
            tracing::warn!("a call event ran out of time");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
