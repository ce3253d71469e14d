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
