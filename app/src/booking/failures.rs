//! Bookings that could not be made: logged for the owner's Failures list, the owner texted to
//! book by hand, and admins alerted when bookings fail several times in a row.

use super::caller::Owner;
use super::{notices, store};
use crate::error::AppError;
use crate::sms::outbox::{self, Message, Purpose};
use crate::state::AppState;

/// Failures in a row, across every owner, that alert the admins.
pub const ALERT_AFTER: i64 = 3;

/// A booking that failed, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub call_id: String,
    pub customer_name: String,
    pub customer_phone: String,
    /// The time asked for, as said to people ("Tuesday November 24 at 2 PM").
    pub requested: String,
    pub reason: String,
}

/// Logs `failed` and texts the owner, once per call and request (a retry changes nothing);
/// alerts the admins on the third failure in a row.
pub async fn record(state: &AppState, owner: &Owner, failed: &Failed) -> Result<(), AppError> {
    let mut tx = state.begin().await?;
    let now = tx.now();
    let new = store::insert_failure(
        tx.conn(),
        owner.user.id,
        &store::NewFailure {
            call_id: &failed.call_id,
            customer_name: &failed.customer_name,
            customer_phone: &failed.customer_phone,
            requested: &failed.requested,
            reason: &failed.reason,
        },
        now,
    )
    .await?;
    if new.is_some() {
        tracing::warn!(
            user_id = owner.user.id,
            call_id = failed.call_id,
            reason = failed.reason,
            "a booking needs the owner's hand"
        );
        notices::manual(&mut tx, state, owner, failed).await?;
        if store::failure_streak_reached(tx.conn(), ALERT_AFTER).await? {
            alert_admins(&mut tx, state).await?;
        }
    }
    tx.commit().await
}

async fn alert_admins(tx: &mut crate::db::tx::Tx, state: &AppState) -> Result<(), AppError> {
    let phones = store::admin_phones(tx.conn()).await?;
    tracing::error!(
        admins = phones.len(),
        "{ALERT_AFTER} bookings in a row failed; admins alerted"
    );
    let body = format!(
        "Aida: the last {ALERT_AFTER} phone bookings failed. See Booking > Failures, and the logs."
    );
    for phone in &phones {
        outbox::queue(tx, state, Message::new(None, phone, &body, Purpose::Notice)).await?;
    }
    Ok(())
}
