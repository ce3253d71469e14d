//! The caller's side of a booking, through the secret link in their confirmation text: see
//! it, cancel it, or move it to a free time, as long as it starts further ahead than the
//! owner's notice (the owner can always change it in their calendar). The owner is texted of
//! each change.

use chrono::{DateTime, Utc};

use super::availability::{self, Asked, Known};
use super::caller::{AROUND, Owner, busy_between, find_owner_by_id, rfc3339};
use super::model::{CallerBooking, VoiceBooking};
use super::{notices, spoken, store};
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::events::model::EventPatch;
use crate::scheduling::{self, Verdict};
use crate::state::AppState;

/// Free times offered to move to.
const OFFERED: usize = 6;

/// The booking, its owner and whether it may still be changed.
async fn find(
    conn: &mut diesel_async::AsyncPgConnection,
    token: &str,
) -> Result<(Owner, VoiceBooking), AppError> {
    let (user_id, booking) = store::booking_by_token(conn, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = find_owner_by_id(conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((owner, booking))
}

fn changeable(owner: &Owner, booking: &VoiceBooking, now: DateTime<Utc>) -> bool {
    booking.event_id.is_some()
        && booking.start
            >= now + chrono::Duration::minutes(i64::from(owner.settings.notice_minutes))
}

/// What the caller's link shows.
pub async fn view(state: &AppState, token: &str) -> Result<CallerBooking, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let (owner, booking) = find(&mut conn, token).await?;
    let now = state.now();
    let tz = owner.settings.tz();
    let length = booking.end - booking.start;
    let changeable = changeable(&owner, &booking, now);
    let free_times = if changeable {
        let around = booking.start;
        let known = Known {
            from: around - AROUND,
            to: around + AROUND,
        };
        let busy = busy_between(&mut conn, &owner, known.from, known.to, booking.event_id).await?;
        scheduling::nearest(
            &owner.settings.rules(),
            &busy,
            now,
            around,
            length,
            OFFERED + 1,
        )
        .into_iter()
        .filter(|t| *t != booking.start && known.holds(*t, length))
        .take(OFFERED)
        .map(|t| (rfc3339(&t), spoken::when(t, tz)))
        .collect()
    } else {
        Vec::new()
    };
    Ok(CallerBooking {
        owner_name: owner.user.display_name().to_owned(),
        when: spoken::when(booking.start, tz),
        minutes: length.num_minutes(),
        customer_name: booking.customer_name,
        cancelled: booking.event_id.is_none(),
        changeable,
        business_phone: notices::owner_phone(&owner).map(str::to_owned),
        free_times,
    })
}

/// Why a change is refused, said to the caller.
fn too_late(owner: &Owner) -> AppError {
    let call = notices::owner_phone(owner)
        .map(|p| format!("; please call {p}"))
        .unwrap_or_default();
    AppError::Forbidden(format!("it is too late to change this booking here{call}"))
}

/// Cancels the booking: its event is removed and the owner texted.
pub async fn cancel(state: &AppState, token: &str) -> Result<(), AppError> {
    let mut tx = state.begin().await?;
    let (owner, booking) = locked(&mut tx, token).await?;
    let Some(event_id) = booking.event_id else {
        return Ok(());
    };
    if !changeable(&owner, &booking, tx.now()) {
        return Err(too_late(&owner));
    }
    crate::events::ops::delete(&mut tx, &owner.user, event_id).await?;
    let body = format!(
        "Booking cancelled by the caller: {}, {}, {}.",
        booking.customer_name,
        booking.customer_phone,
        spoken::when(booking.start, owner.settings.tz())
    );
    notices::tell_owner(&mut tx, state, &owner, &body).await?;
    tracing::info!(booking_id = booking.id, "a caller cancelled their booking");
    tx.commit().await
}

/// Moves the booking to `start` (RFC 3339), when that is free; the owner is texted.
pub async fn move_to(state: &AppState, token: &str, start: &str) -> Result<(), AppError> {
    let mut tx = state.begin().await?;
    let (owner, booking) = locked(&mut tx, token).await?;
    let Some(event_id) = booking.event_id else {
        return Err(AppError::invalid("start", "this booking was cancelled"));
    };
    let now = tx.now();
    if !changeable(&owner, &booking, now) {
        return Err(too_late(&owner));
    }
    let tz = owner.settings.tz();
    let Some(Asked::Slot(start)) = Asked::read(start, now, tz) else {
        return Err(AppError::invalid(
            "start",
            "choose one of the times offered",
        ));
    };
    let length = booking.end - booking.start;
    let day = chrono::Duration::days(1);
    let known = Known {
        from: start - day,
        to: start + length + day,
    };
    let busy = busy_between(tx.conn(), &owner, known.from, known.to, booking.event_id).await?;
    if scheduling::check(&owner.settings.rules(), &busy, now, start, length) != Verdict::Free {
        let near = availability::answer(
            &owner.settings.rules(),
            &busy,
            known,
            now,
            Asked::Slot(start),
            length,
        );
        return Err(AppError::invalid("start", near.message));
    }
    let end = start + length;
    crate::events::ops::update(
        &mut tx,
        &owner.user,
        event_id,
        EventPatch {
            start: Some(start.to_rfc3339()),
            end: Some(end.to_rfc3339()),
            ..EventPatch::default()
        },
    )
    .await?;
    store::move_booking(tx.conn(), owner.user.id, booking.id, start, end).await?;
    let body = format!(
        "Booking moved by the caller: {}, {}, from {} to {}.",
        booking.customer_name,
        booking.customer_phone,
        spoken::when(booking.start, tz),
        spoken::when(start, tz)
    );
    notices::tell_owner(&mut tx, state, &owner, &body).await?;
    tracing::info!(booking_id = booking.id, "a caller moved their booking");
    tx.commit().await
}

/// The booking with its owner's bookings held until the transaction ends.
async fn locked(tx: &mut Tx, token: &str) -> Result<(Owner, VoiceBooking), AppError> {
    let (owner, _) = find(tx.conn(), token).await?;
    store::lock_owner(tx.conn(), owner.user.id).await?;
    // Read again under the lock: another change may have just committed.
    find(tx.conn(), token).await
}
