//! What an owner does on the Booking page and through `/api/booking/*`.

use super::model::{Call, Failure, VoiceBooking};
use super::settings::{BookingSettings, SettingsChange};
use super::store;
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// Rows a list shows at most.
const LISTED: i64 = 100;

/// The owner's settings; the defaults, saved with a new webhook token, on the first look.
pub async fn settings(state: &AppState, user: &User) -> Result<BookingSettings, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    if let Some(saved) = store::settings(&mut conn, user.id).await? {
        return Ok(saved);
    }
    drop(conn);
    state
        .write(async |tx| {
            let token = hex::encode(rand::random::<[u8; 18]>());
            let now = tx.now();
            // Adds them only if absent: a save made meanwhile elsewhere stays.
            store::add_settings(
                tx.conn(),
                user.id,
                &BookingSettings::defaults(&user.timezone, token),
                now,
            )
            .await?;
            store::settings(tx.conn(), user.id)
                .await?
                .ok_or(AppError::Internal)
        })
        .await
}

/// Applies `change` to the owner's settings.
pub async fn change_settings(
    state: &AppState,
    user: &User,
    change: SettingsChange,
) -> Result<BookingSettings, AppError> {
    let current = settings(state, user).await?;
    let next = change.apply(&current)?;
    state
        .write(async |tx| {
            let now = tx.now();
            store::save_settings(tx.conn(), user.id, &next, now).await?;
            tracing::info!(
                user_id = user.id,
                enabled = next.enabled,
                "booking settings saved"
            );
            store::settings(tx.conn(), user.id)
                .await?
                .ok_or(AppError::Internal)
        })
        .await
}

pub async fn bookings(state: &AppState, user: &User) -> Result<Vec<VoiceBooking>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::bookings(&mut conn, user.id, LISTED).await
}

pub async fn failures(state: &AppState, user: &User) -> Result<Vec<Failure>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::failures(&mut conn, user.id, LISTED).await
}

/// Marks a failure handled (the owner booked it by hand, or called back).
pub async fn resolve_failure(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::resolve_failure(&mut conn, user.id, id, state.now()).await
}

pub async fn calls(state: &AppState, user: &User) -> Result<Vec<Call>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::calls(&mut conn, user.id, LISTED).await
}

/// Forgets webhook request counts older than an hour (housekeeping).
pub async fn prune_request_counts(tx: &mut crate::db::tx::Tx) -> Result<usize, AppError> {
    let before = tx.now() - chrono::Duration::hours(1);
    store::prune_counts(tx.conn(), before).await
}

/// Everything the Booking page shows, times in the owner's zone.
pub async fn page(state: &AppState, user: &User) -> Result<super::model::BookingPage, AppError> {
    use super::model::{BookingLine, BookingPage, CallLine, FailureLine, Webhooks};
    let settings = settings(state, user).await?;
    let tz = settings.tz();
    let when = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz)
            .format("%a %b %-d, %-I:%M %p")
            .to_string()
    };
    let mut conn = db::conn(&state.pool).await?;
    let bookings = store::bookings(&mut conn, user.id, LISTED).await?;
    let failures = store::failures(&mut conn, user.id, LISTED).await?;
    let calls = store::calls(&mut conn, user.id, LISTED).await?;
    Ok(BookingPage {
        webhooks: Webhooks::new(&state.settings.public_url, &settings.webhook_token),
        retell_configured: state.settings.voice.retell_api_key.is_some(),
        bookings: bookings
            .into_iter()
            .map(|b| BookingLine {
                id: b.id,
                when: when(b.start),
                customer_name: b.customer_name,
                customer_phone: b.customer_phone,
                notes: b.notes,
                cancelled: b.event_id.is_none(),
            })
            .collect(),
        failures: failures
            .into_iter()
            .map(|f| FailureLine {
                id: f.id,
                when: when(f.created_at),
                customer_name: f.customer_name,
                customer_phone: f.customer_phone,
                requested: f.requested,
                reason: f.reason,
                call_id: f.call_id,
                resolved: f.resolved_at.is_some(),
            })
            .collect(),
        calls: calls
            .into_iter()
            .map(|c| {
                let duration = c.duration_seconds().map(|s| {
                    if s >= 60 {
                        format!("{} min {} s", s / 60, s % 60)
                    } else {
                        format!("{s} s")
                    }
                });
                let outcome = match (c.successful, c.disconnection_reason.as_deref()) {
                    (Some(true), _) => "successful".to_owned(),
                    (Some(false), Some(r)) => format!("not successful ({})", r.replace('_', " ")),
                    (Some(false), None) => "not successful".to_owned(),
                    (None, Some(r)) => r.replace('_', " "),
                    (None, None) if c.status == "call_started" => "in progress".to_owned(),
                    (None, None) => "ended".to_owned(),
                };
                CallLine {
                    caller: if c.from_number.is_empty() {
                        "unknown".to_owned()
                    } else {
                        c.from_number.clone()
                    },
                    when: c.started_at.map(when).unwrap_or_default(),
                    duration,
                    outcome,
                    summary: c.summary,
                    call_id: c.call_id,
                }
            })
            .collect(),
        settings,
    })
}
