//! `/api/booking/*`: an owner's voice booking settings, the bookings callers made, failures
//! to book by hand, and calls.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use app::booking::model::{Call, Failure, VoiceBooking, Webhooks};
use app::booking::ops;
use app::booking::settings::{BookingSettings, SettingsChange};
use app::state::AppState;

use super::extract::{Acting, ApiResult, Id, JsonBody};

/// The settings and the webhook URLs to paste into Retell.
#[derive(Serialize)]
pub struct SettingsView {
    #[serde(flatten)]
    settings: BookingSettings,
    webhooks: Webhooks,
}

fn view(state: &AppState, settings: BookingSettings) -> Json<SettingsView> {
    let webhooks = Webhooks::new(&state.settings.public_url, &settings.webhook_token);
    Json(SettingsView { settings, webhooks })
}

pub async fn settings(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<SettingsView>> {
    let settings = ops::settings(&state, &user).await?;
    Ok(view(&state, settings))
}

pub async fn change_settings(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(change): JsonBody<SettingsChange>,
) -> ApiResult<Json<SettingsView>> {
    let settings = ops::change_settings(&state, &user, change).await?;
    Ok(view(&state, settings))
}

pub async fn bookings(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<Vec<VoiceBooking>>> {
    Ok(Json(ops::bookings(&state, &user).await?))
}

pub async fn failures(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<Vec<Failure>>> {
    Ok(Json(ops::failures(&state, &user).await?))
}

pub async fn resolve_failure(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    ops::resolve_failure(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn calls(
    State(state): State<AppState>,
    Acting(user): Acting,
) -> ApiResult<Json<Vec<Call>>> {
    Ok(Json(ops::calls(&state, &user).await?))
}
