//! `/api/events`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use app::error::AppError;
use app::events::model::{Event, EventInput, EventPatch, Source};
use app::events::ops;
use app::state::AppState;
use app::time::{self, Typed};

use super::extract::{Acting, ApiResult, Id, JsonBody, Query, created};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A range bound: RFC 3339, or a date / local date-time in the user's timezone.
fn bound(text: &str, field: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, AppError> {
    match time::parse(text, tz) {
        Ok(Typed::At(t)) => Ok(t),
        Ok(Typed::Day(d)) => Ok(time::start_of_day(d, tz)),
        Err(e) => Err(AppError::invalid(field, e.to_string())),
    }
}

/// Events in `[from, to)`; by default from the start of today for 30 days.
pub async fn list(
    State(state): State<AppState>,
    Acting(user): Acting,
    Query(range): Query<Range>,
) -> ApiResult<Json<Vec<Event>>> {
    let tz = user.tz();
    let from = match range.from.as_deref() {
        Some(text) => bound(text, "from", tz)?,
        None => time::start_of_day(state.now().with_timezone(&tz).date_naive(), tz),
    };
    let to = match range.to.as_deref() {
        Some(text) => bound(text, "to", tz)?,
        None => from + Duration::days(30),
    };
    Ok(Json(ops::list(&state, &user, from, to).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(input): JsonBody<EventInput>,
) -> ApiResult<(StatusCode, Json<Event>)> {
    Ok(created(
        ops::create(&state, &user, input, Source::Api).await?,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Event>> {
    Ok(Json(ops::get(&state, &user, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
    JsonBody(patch): JsonBody<EventPatch>,
) -> ApiResult<Json<Event>> {
    Ok(Json(ops::update(&state, &user, id, patch).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    ops::delete(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
