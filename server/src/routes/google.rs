//! `GET /integrations/google/connect` sends the signed-in user to Google's consent page, the
//! consent's state and PKCE verifier kept in their session; `GET /integrations/google/callback`
//! takes them out (so a state works once) and finishes the connection. A wrong, reused or
//! expired state is a 400 before anything is asked of Google.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::auth::model::User;
use app::error::AppError;
use app::google::ops::{self, Callback, PENDING_KEY, Pending};
use app::state::AppState;

/// The signed-in user, or where to send a visitor.
async fn signed_in(state: &AppState, session: &Session) -> Result<User, Response> {
    let id = app::auth::session::user_id(session)
        .await
        .map_err(|e| page(&e))?;
    match id {
        Some(id) => app::auth::ops::active_user(state, id)
            .await
            .map_err(|e| page(&e)),
        None => Err(Redirect::to("/sign-in").into_response()),
    }
}

pub async fn connect(State(state): State<AppState>, session: Session) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let (url, pending) = match ops::start(&state, &user) {
        Ok(started) => started,
        Err(e) => return page(&e),
    };
    if let Err(e) = session.insert(PENDING_KEY, pending).await {
        tracing::error!(error = %e, "the consent could not be kept in the session");
        return page(&AppError::Internal);
    }
    Redirect::to(&url).into_response()
}

pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(callback): Query<Callback>,
) -> Response {
    let user = match signed_in(&state, &session).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let pending = match session.remove::<Pending>(PENDING_KEY).await {
        Ok(pending) => pending,
        Err(e) => {
            tracing::warn!(error = %e, "an unreadable consent in a session");
            None
        }
    };
    match ops::finish(&state, &user, pending, callback).await {
        Ok(()) => Redirect::to("/settings").into_response(),
        Err(e) => page(&e),
    }
}

/// A short page saying what went wrong, with the way back.
fn page(error: &AppError) -> Response {
    let status = match error {
        AppError::Request(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = html_escape(&error.to_string());
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Google Calendar</title></head>\
             <body><h1>Google Calendar</h1><p role=\"alert\">{message}</p><p><a href=\"/settings\">Back to Settings</a></p></body></html>"
        )),
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
