//! Server functions for the calendar pages.

// A server function takes a form's fields as its arguments; the event dialog has eight.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::calendar::{CalendarView, EventCard};
use crate::error::AppError;

/// The week or month around `date` (default today), in the user's timezone.
#[server(prefix = "/rpc")]
pub async fn calendar(mode: String, date: Option<String>) -> Result<CalendarView, AppError> {
    use super::calendar::{Mode, build, visible_dates};
    let (state, user) = crate::request::acting_user().await?;
    let tz = user.tz();
    let now = state.now();
    let anchor = match date.as_deref().filter(|d| !d.is_empty()) {
        None => now.with_timezone(&tz).date_naive(),
        Some(text) => {
            crate::time::read_date(text).map_err(|e| AppError::invalid("date", e.to_string()))?
        }
    };
    let mode = Mode::parse(&mode);
    let (first, end) = visible_dates(mode, anchor);
    let from = crate::time::start_of_day(first, tz);
    let to = crate::time::start_of_day(end, tz);
    let events = super::ops::list(&state, &user, from, to).await?;
    Ok(build(mode, anchor, now, tz, &events))
}

/// One event as the edit dialog shows it.
#[server(prefix = "/rpc")]
pub async fn load_event_card(id: i64) -> Result<EventCard, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let event = super::ops::get(&state, &user, id).await?;
    Ok(super::calendar::card(&event, user.tz()))
}

/// Creates (no `id`) or changes an event from the dialog's form, then returns to the calendar
/// page it came from, with the dialog closed.
#[server(prefix = "/rpc")]
pub async fn save_event(
    id: Option<i64>,
    title: String,
    description: String,
    location: String,
    start: String,
    end: String,
    all_day: Option<String>,
    reminders: Option<String>,
) -> Result<(), AppError> {
    use super::model::{EventInput, EventPatch, Source};
    let (state, user) = crate::request::acting_user().await?;
    let all_day = all_day.is_some();
    // Empty: the user's own lengths (on a new event), or unchanged.
    let reminder_minutes = match reminders.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            crate::reminders::offsets::read(text)
                .map_err(|message| AppError::invalid("reminder_minutes", message))?,
        ),
    };
    match id {
        None => {
            let input = EventInput {
                title,
                description: Some(description),
                location: Some(location),
                start,
                end: Some(end),
                all_day: Some(all_day),
                reminder_minutes,
            };
            state
                .write(async |tx| super::ops::create(tx, &user, input, Source::Web).await)
                .await?;
        }
        Some(id) => {
            let patch = EventPatch {
                title: Some(title),
                description: Some(description),
                location: Some(location),
                start: Some(start),
                end: Some(end).filter(|e| !e.trim().is_empty()),
                all_day: Some(all_day),
                reminder_minutes,
            };
            state
                .write(async |tx| super::ops::update(tx, &user, id, patch).await)
                .await?;
        }
    }
    leptos_axum::redirect(&crate::request::back_without_dialog("/calendar").await);
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn delete_event(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    state
        .write(async |tx| super::ops::delete(tx, &user, id).await)
        .await?;
    leptos_axum::redirect(&crate::request::back_without_dialog("/calendar").await);
    Ok(())
}
