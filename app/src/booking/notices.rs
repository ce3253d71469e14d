//! The texts a booking causes, queued in its transaction: one to the owner for each booking
//! or each one to book by hand, and a confirmation to the caller when the owner wants it.

use super::caller::Owner;
use super::model::VoiceBooking;
use super::spoken;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::sms::outbox::{self, Message, Purpose};
use crate::state::AppState;

/// Where the owner's booking texts go: the business phone, else their own verified phone.
pub fn owner_phone(owner: &Owner) -> Option<&str> {
    owner
        .settings
        .business_phone
        .as_deref()
        .or(owner.user.phone.as_deref())
}

/// Texts for a new booking.
pub async fn booked(
    tx: &mut Tx,
    state: &AppState,
    owner: &Owner,
    booking: &VoiceBooking,
    manage_token: &str,
) -> Result<(), AppError> {
    let tz = owner.settings.tz();
    let minutes = (booking.end - booking.start).num_minutes();
    let when = spoken::when(booking.start, tz);
    if let Some(phone) = owner_phone(owner) {
        let mut body = format!(
            "New booking: {}, {}, {when} ({minutes} min).",
            booking.customer_name, booking.customer_phone
        );
        if !booking.notes.is_empty() {
            body.push_str(&format!(" Notes: {}", booking.notes));
        }
        let body: String = body.chars().take(600).collect();
        let owner_id = Some(owner.user.id);
        outbox::queue(
            tx,
            state,
            Message::new(owner_id, phone, &body, Purpose::Booking),
        )
        .await?;
    }
    if owner.settings.confirm_callers {
        let body = format!(
            "Your meeting with {} is booked for {when}. To cancel or move it: {}/bookings/{manage_token}",
            owner.user.display_name(),
            state.settings.public_url
        );
        let message = Message::new(
            Some(owner.user.id),
            &booking.customer_phone,
            &body,
            Purpose::Booking,
        );
        outbox::queue(tx, state, message).await?;
    }
    Ok(())
}

/// The owner's text for a booking to make by hand.
pub async fn manual(
    tx: &mut Tx,
    state: &AppState,
    owner: &Owner,
    failed: &super::failures::Failed,
) -> Result<(), AppError> {
    let body = format!(
        "Manual booking needed: {} requested {}, phone {}, call {}",
        failed.customer_name, failed.requested, failed.customer_phone, failed.call_id
    );
    tell_owner(tx, state, owner, &body).await
}

/// Texts the owner `body` (cut to 600 characters), if they have a phone to text.
pub async fn tell_owner(
    tx: &mut Tx,
    state: &AppState,
    owner: &Owner,
    body: &str,
) -> Result<(), AppError> {
    let Some(phone) = owner_phone(owner) else {
        tracing::warn!(
            user_id = owner.user.id,
            "no phone to text the owner about a booking"
        );
        return Ok(());
    };
    let body: String = body.chars().take(600).collect();
    outbox::queue(
        tx,
        state,
        Message::new(Some(owner.user.id), phone, &body, Purpose::Booking),
    )
    .await?;
    Ok(())
}
