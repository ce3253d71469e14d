//! Server functions of the Booking page.

use leptos::prelude::*;

use super::model::{BookingPage, CallerBooking};
use super::settings::SettingsForm;
use crate::error::AppError;

#[server(prefix = "/rpc")]
pub async fn load_booking() -> Result<BookingPage, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::page(&state, &user).await
}

/// Saves the settings form.
#[server(prefix = "/rpc")]
pub async fn save_booking_settings(form: SettingsForm) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::change_settings(&state, &user, form.into_change()?).await?;
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn resolve_booking_failure(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::resolve_failure(&state, &user, id).await
}

/// Calls the owner's own `check_availability` (`tool` = "check") or `book` as their Retell
/// agent would, through the webhooks' code; the JSON the agent would get. A booking made here
/// is real.
#[server(prefix = "/rpc")]
pub async fn try_as_caller(
    tool: String,
    said: String,
    name: String,
    phone: String,
) -> Result<String, AppError> {
    use super::caller::{self, OwnerKey, Received, Refused};
    use super::retell::{Call, ToolCall};
    let (state, user) = crate::request::acting_user().await?;
    let settings = super::ops::settings(&state, &user).await?;
    let key = OwnerKey::Token(settings.webhook_token.clone());
    let call = Call {
        call_id: format!("test-{}", hex::encode(rand::random::<[u8; 6]>())),
        ..Call::default()
    };
    let mut args = serde_json::Map::new();
    let refused = |r: Refused| match r {
        Refused::App(e) => e,
        other => AppError::Request(other.to_string()),
    };
    let answer = if tool == "book" {
        args.insert("start".into(), said.into());
        args.insert("customer_name".into(), name.into());
        args.insert("customer_phone".into(), phone.into());
        let received = Received {
            key,
            call: Some(call),
            args,
            received_at: state.now(),
        };
        serde_json::to_value(
            caller::book_within_budget(&state, &received)
                .await
                .map_err(refused)?,
        )
    } else {
        args.insert("requested_time_string".into(), said.into());
        let request = ToolCall {
            call: Some(call),
            args,
        };
        serde_json::to_value(
            caller::availability_within_budget(&state, &key, &request)
                .await
                .map_err(refused)?,
        )
    };
    answer
        .and_then(|a| serde_json::to_string_pretty(&a))
        .map_err(|_| AppError::Internal)
}

/// A caller's booking, by the secret in their link (no account needed).
#[server(prefix = "/rpc")]
pub async fn load_caller_booking(token: String) -> Result<CallerBooking, AppError> {
    let state = crate::request::state()?;
    super::manage::view(&state, &token).await
}

#[server(prefix = "/rpc")]
pub async fn cancel_caller_booking(token: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    super::manage::cancel(&state, &token).await
}

#[server(prefix = "/rpc")]
pub async fn move_caller_booking(token: String, start: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    super::manage::move_to(&state, &token, &start).await
}
