//! The REST API under `/api`: JSON in and out, one error shape, authentication by bearer token
//! or session cookie. Handlers are thin: they read the request and call the same operations
//! as the pages.

mod accounts;
mod admin;
mod booking;
mod chat;
mod events;
mod expenses;
mod extract;
mod invitations;
mod openapi;
mod phones;
mod records;
mod tasks;

use axum::Router;
use axum::routing::{get, post};

use app::state::AppState;

pub use extract::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/auth/sign-up", post(accounts::sign_up))
        .route("/auth/sign-in", post(accounts::sign_in))
        .route("/auth/phone/code", post(phones::send_code))
        .route("/auth/phone/sign-in", post(phones::sign_in))
        .route("/me", get(accounts::me).patch(accounts::update_me))
        .route("/me/phone", post(phones::add).delete(phones::remove))
        .route("/me/phone/verify", post(phones::verify))
        .route(
            "/events",
            get(events::list).post(records::create::<events::Events>),
        )
        .route("/events/{id}", records::one::<events::Events>())
        .route(
            "/events/{id}/attendees",
            get(invitations::attendees).post(invitations::invite),
        )
        .route("/invitations", get(invitations::waiting))
        .route("/invitations/{id}/accept", post(invitations::accept))
        .route("/invitations/{id}/decline", post(invitations::decline))
        .route(
            "/tasks",
            get(tasks::list).post(records::create::<tasks::Tasks>),
        )
        .route("/tasks/{id}", records::one::<tasks::Tasks>())
        .route(
            "/expenses",
            get(expenses::list).post(records::create::<expenses::Expenses>),
        )
        .route("/expenses/export", get(expenses::export))
        .route("/expenses/{id}", records::one::<expenses::Expenses>())
        .route(
            "/booking/settings",
            get(booking::settings).put(booking::change_settings),
        )
        .route("/booking/bookings", get(booking::bookings))
        .route("/booking/failures", get(booking::failures))
        .route(
            "/booking/failures/{id}/resolve",
            post(booking::resolve_failure),
        )
        .route("/booking/calls", get(booking::calls))
        .route("/chat", post(chat::send))
        .route("/chat/messages/{id}/stop", post(chat::stop))
        .route("/chat/actions/{id}/undo", post(chat::undo))
        .route("/conversations", get(chat::list))
        .route("/conversations/{id}", get(chat::show))
        .route("/admin/users", get(admin::list))
        .route("/admin/users/{id}/approve", post(admin::approve))
        .route("/admin/users/{id}/reject", post(admin::reject))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route("/admin/users/{id}/enable", post(admin::enable))
        .route("/admin/jobs", get(admin::jobs))
        .route("/admin/jobs/{id}/retry", post(admin::retry_job))
        .fallback(extract::not_found)
}
