//! Server functions for the calendar pages.

// A server function takes a form's fields as its arguments; the event dialog has thirteen.
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

/// One event as the edit dialog shows it; `at` (Unix seconds) names an instance of a series.
#[server(prefix = "/rpc")]
pub async fn load_event_card(id: i64, at: Option<i64>) -> Result<EventCard, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let event = super::ops::get_instance(&state, &user, id, occurrence(at)?).await?;
    let rule = match (&event.recurrence, event.series_id) {
        (Some(rule), _) => Some(rule.clone()),
        (None, Some(series)) => super::ops::get(&state, &user, series).await?.recurrence,
        (None, None) => None,
    };
    Ok(super::calendar::card_in_series(
        &event,
        rule.as_deref(),
        user.tz(),
    ))
}

/// An instance's start, sent as Unix seconds.
#[cfg(feature = "ssr")]
fn occurrence(at: Option<i64>) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    at.map(|s| {
        chrono::DateTime::from_timestamp(s, 0).ok_or_else(|| AppError::invalid("at", "not a time"))
    })
    .transpose()
}

/// The rule the dialog's repeat fields make: how it repeats, ended on a last day or after a
/// number of times; empty when it does not repeat.
#[cfg(feature = "ssr")]
fn rule_from_form(
    repeat: Option<String>,
    until: Option<String>,
    count: Option<String>,
    tz: chrono_tz::Tz,
    all_day: bool,
) -> Result<String, AppError> {
    let repeat = repeat.unwrap_or_default().trim().to_owned();
    let until = until.filter(|u| !u.trim().is_empty());
    let count = count.filter(|c| !c.trim().is_empty());
    if repeat.is_empty() {
        return Ok(String::new());
    }
    let end = match (until, count) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "recurrence",
                "give a last day or a number of times, not both",
            ));
        }
        (Some(day), None) => {
            let day = crate::time::read_date(day.trim())
                .map_err(|e| AppError::invalid("recurrence", e.to_string()))?;
            let zone = if all_day { chrono_tz::UTC } else { tz };
            let value = super::repeat::until_value(day, zone)
                .ok_or_else(|| AppError::invalid("recurrence", "not a day"))?;
            format!(";UNTIL={value}")
        }
        (None, Some(count)) => {
            let n: u32 = count.trim().parse().map_err(|_| {
                AppError::invalid("recurrence", "give the number of times as a whole number")
            })?;
            format!(";COUNT={n}")
        }
        (None, None) => String::new(),
    };
    Ok(format!("{repeat}{end}"))
}

/// Creates (no `id`) or changes an event from the dialog's form, then returns to the calendar
/// page it came from, with the dialog closed.
#[server(prefix = "/rpc")]
pub async fn save_event(
    id: Option<i64>,
    at: Option<i64>,
    scope: Option<String>,
    title: String,
    description: String,
    location: String,
    start: String,
    end: String,
    all_day: Option<String>,
    reminders: Option<String>,
    repeat: Option<String>,
    repeat_until: Option<String>,
    repeat_count: Option<String>,
) -> Result<(), AppError> {
    use super::model::{EventInput, EventPatch, Scope, Source};
    let (state, user) = crate::request::acting_user().await?;
    let all_day = all_day.is_some();
    let scope = read_scope(scope.as_deref())?;
    let recurrence = rule_from_form(repeat, repeat_until, repeat_count, user.tz(), all_day)?;
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
                recurrence: Some(recurrence),
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
                // How a series repeats is not one instance's to change.
                recurrence: (scope != Scope::This || at.is_none()).then_some(recurrence),
            };
            let at = occurrence(at)?;
            state
                .write(async |tx| {
                    super::ops::update_instance(tx, &user, id, at, scope, patch).await
                })
                .await?;
        }
    }
    leptos_axum::redirect(&crate::request::back_without_dialog("/calendar").await);
    Ok(())
}

/// The scope a form chose; none: only this event.
#[cfg(feature = "ssr")]
fn read_scope(scope: Option<&str>) -> Result<super::model::Scope, AppError> {
    match scope.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(super::model::Scope::This),
        Some(text) => super::model::Scope::parse(text)
            .ok_or_else(|| AppError::invalid("scope", "choose this, following or all")),
    }
}

#[server(prefix = "/rpc")]
pub async fn delete_event(id: i64, at: Option<i64>, scope: Option<String>) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let scope = read_scope(scope.as_deref())?;
    let at = occurrence(at)?;
    state
        .write(async |tx| super::ops::delete_instance(tx, &user, id, at, scope).await)
        .await?;
    leptos_axum::redirect(&crate::request::back_without_dialog("/calendar").await);
    Ok(())
}
