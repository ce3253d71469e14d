//! `/api/events/{id}/attendees` (inviting by phone) and `/api/invitations` (answering).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use app::invitations::model::{Attendee, Invitation};
use app::invitations::ops;
use app::state::AppState;

use super::extract::{Acting, ApiResult, Id, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    phone: String,
    #[serde(default)]
    name: Option<String>,
}

pub async fn invite(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(event_id): Id,
    JsonBody(body): JsonBody<InviteBody>,
) -> ApiResult<(StatusCode, Json<Attendee>)> {
    let attendee = ops::invite(
        &state,
        &user,
        event_id,
        &body.phone,
        body.name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(attendee)))
}

pub async fn attendees(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(event_id): Id,
) -> ApiResult<Json<Vec<Attendee>>> {
    Ok(Json(ops::attendees(&state, &user, event_id).await?))
}

pub async fn waiting(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<Vec<Invitation>>> {
    Ok(Json(ops::waiting(&state, &user).await?))
}

pub async fn accept(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "message": ops::answer(&state, &user, Some(id), true).await? }),
    ))
}

pub async fn decline(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "message": ops::answer(&state, &user, Some(id), false).await? }),
    ))
}
