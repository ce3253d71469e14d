//! `GET /invitations/{token}`: the event an invitation text links to, as an `.ics` file for
//! people who do not use Aida. The token (192 random bits) is the only key; an unknown one is
//! a 404.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::state::AppState;

pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = token.trim_end_matches(".ics");
    match app::invitations::ops::ics(&state, token).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"invitation.ics\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            file,
        )
            .into_response(),
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "no such invitation\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "an invitation file could not be made");
            (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment\n").into_response()
        }
    }
}
