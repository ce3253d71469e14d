//! Webhooks that outside services call: Twilio's (text messages and their delivery reports)
//! and Retell's (a voice agent checking availability and booking, and call events). Each
//! checks its sender's signature before doing anything.

mod retell;
mod twilio;

use axum::Router;
use axum::routing::post;

use app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/twilio/sms", post(twilio::incoming))
        .route("/twilio/status", post(twilio::status))
        .route(
            "/retell/check-availability",
            post(retell::check_availability),
        )
        .route("/retell/book", post(retell::book))
        .route("/retell/events", post(retell::events))
}
