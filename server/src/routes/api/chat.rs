//! `/api/chat`: a message in, the reply out as server-sent events (`start`, `token`, `action`,
//! `done`, `error`); and the conversations, to read them back.

use std::convert::Infallible;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Deserialize;
use serde_json::{Value, json};

use app::assistant::model::{ChatEvent, Conversation, ConversationSummary};
use app::assistant::ops;
use app::state::AppState;

use super::extract::{Acting, ApiResult, Id, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    message: String,
    #[serde(default)]
    conversation_id: Option<i64>,
}

fn sse_event(event: &ChatEvent) -> Event {
    let data = serde_json::to_value(event)
        .ok()
        .and_then(|mut v| v.get_mut("data").map(Value::take))
        .unwrap_or(Value::Null);
    Event::default()
        .event(event.name())
        .json_data(data)
        .unwrap_or_default()
}

/// Starts a turn and streams it. The reply is written and stored even if the client goes.
pub async fn send(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(request): JsonBody<ChatRequest>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let started = state
        .assistant
        .start(
            &state,
            &user,
            app::assistant::model::Channel::Api,
            request.conversation_id,
            &request.message,
        )
        .await?;
    let events = futures::stream::unfold(Some(started.events), |rx| async move {
        let mut rx = rx?;
        let event = rx.recv().await?;
        let next = (!event.is_last()).then_some(rx);
        Some((Ok(sse_event(&event)), next))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

pub async fn list(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<Vec<ConversationSummary>>> {
    Ok(Json(ops::conversations(&state, &user).await?))
}

pub async fn show(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(ops::conversation(&state, &user, id).await?))
}

/// Stops a reply being written; `{"stopped": false}` when it had already finished.
pub async fn stop(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "stopped": ops::stop(&state, &user, id).await? }),
    ))
}

pub async fn undo(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "message": ops::undo(&state, &user, id).await? }),
    ))
}
