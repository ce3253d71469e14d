//! `GET /feeds/{token}.ics`: a user's calendar feed, for calendar apps that subscribe to it.
//! The token (192 random bits) is the only key; an unknown or turned-off one is a 404.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::state::AppState;

pub async fn show(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    match app::feeds::ops::file(&state, token).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"calendar.ics\"",
                ),
                (header::CACHE_CONTROL, "private, no-cache"),
            ],
            file,
        )
            .into_response(),
        Err(AppError::NotFound) => {
            (StatusCode::NOT_FOUND, "no such calendar feed\n").into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "a calendar feed could not be made");
            (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment\n").into_response()
        }
    }
}
