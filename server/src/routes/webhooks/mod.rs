//! Webhooks that outside services call: Twilio's (text messages and their delivery reports).
//! Each checks its sender's signature before doing anything.

mod twilio;

use axum::Router;
use axum::routing::post;

use app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/twilio/sms", post(twilio::incoming))
        .route("/twilio/status", post(twilio::status))
}
