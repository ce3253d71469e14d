//! What a user can do with their calendar. Every door (pages, REST, and later chat, SMS and
//! voice) comes through here with the acting user.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;

use super::model::{Event, EventInput, EventPatch, Source};
use super::store;
use crate::auth::model::User;
use crate::changes::{Change, Kind, Op};
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::state::AppState;

/// The widest range one listing may ask for.
pub const MAX_RANGE_DAYS: i64 = 400;

/// Events touching `[from, to)`, earliest first (all-day events by their dates in the user's
/// timezone).
pub async fn list(
    state: &AppState,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    let conn = db::conn(&state.pool).await?;
    list_on(&conn, user, from, to).await
}

/// [`list`] on a connection the caller holds, so that it can be pipelined with other reads.
pub async fn list_on(
    conn: &AsyncPgConnection,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    if to <= from {
        return Err(AppError::invalid("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::invalid(
            "to",
            "ask for at most 400 days at a time",
        ));
    }
    let tz = user.tz();
    // All-day events are stored in UTC days; widen by a day each side, then keep exact matches.
    let events = store::between(
        conn,
        user.id,
        from - Duration::days(1),
        to + Duration::days(1),
    )
    .await?;
    Ok(events
        .into_iter()
        .filter(|e| e.overlaps(from, to, tz))
        .collect())
}

pub async fn get(state: &AppState, user: &User, id: i64) -> Result<Event, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    get_on(&mut conn, user, id).await
}

/// [`get`] on a connection the caller holds (a transaction's).
pub async fn get_on(conn: &mut AsyncPgConnection, user: &User, id: i64) -> Result<Event, AppError> {
    store::find(conn, user.id, id).await
}

fn change(tx: &mut Tx, user: &User, event: Event, op: Op) -> Event {
    tx.changed(Change::new(user.id, Kind::Event, event.id, op));
    event
}

pub async fn create(
    tx: &mut Tx,
    user: &User,
    input: EventInput,
    source: Source,
) -> Result<Event, AppError> {
    let draft = input.validate(user.tz(), user.default_meeting_minutes)?;
    let event = store::insert(tx.conn(), user.id, &draft, source).await?;
    tracing::info!(
        user_id = user.id,
        event_id = event.id,
        source = source.as_str(),
        "event created"
    );
    Ok(change(tx, user, event, Op::Created))
}

/// Puts back a deleted event under its old id (undo).
pub async fn restore(
    tx: &mut Tx,
    user: &User,
    id: i64,
    input: EventInput,
    source: Source,
) -> Result<Event, AppError> {
    let draft = input.validate(user.tz(), user.default_meeting_minutes)?;
    let event = store::restore(tx.conn(), user.id, id, &draft, source).await?;
    Ok(change(tx, user, event, Op::Created))
}

pub async fn update(
    tx: &mut Tx,
    user: &User,
    id: i64,
    patch: EventPatch,
) -> Result<Event, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    let draft = patch
        .apply(&current, user.tz())
        .validate(user.tz(), user.default_meeting_minutes)?;
    let event = store::update(tx.conn(), user.id, id, &draft).await?;
    Ok(change(tx, user, event, Op::Updated))
}

/// Deletes an event and returns what it was.
pub async fn delete(tx: &mut Tx, user: &User, id: i64) -> Result<Event, AppError> {
    let event = store::delete(tx.conn(), user.id, id).await?;
    Ok(change(tx, user, event, Op::Deleted))
}
