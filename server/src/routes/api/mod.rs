//! The REST API under `/api`: JSON in and out, one error shape, bearer tokens or the session.

use axum::Router;

use app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
