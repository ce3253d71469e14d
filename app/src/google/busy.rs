//! Google's free/busy as availability sees it: each pull stores the busy times Google gives
//! for the weeks ahead (`freeBusy`, every calendar it counts), and the chat's "am I free" and
//! voice booking read them from PostgreSQL with the events, so no answer waits for Google.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::google_busy as gb;
use crate::error::AppError;
use crate::scheduling::Busy;

/// How far ahead each pull asks Google (its `freeBusy` takes at most a few months).
pub const AHEAD: Duration = Duration::days(60);

/// The user's busy times at Google that overlap `[from, to)`.
pub async fn between(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Busy>, AppError> {
    let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = gb::table
        .filter(gb::user_id.eq(user_id))
        .filter(gb::starts_at.lt(to))
        .filter(gb::ends_at.gt(from))
        .order(gb::starts_at.asc())
        .select((gb::starts_at, gb::ends_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(s, e)| Busy::new(s, e)).collect())
}

/// Replaces what is known of the user's busy times with `busy`.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    busy: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<(), AppError> {
    diesel::delete(gb::table.filter(gb::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = busy
        .iter()
        .filter(|(s, e)| e > s)
        .map(|(s, e)| {
            (
                gb::user_id.eq(user_id),
                gb::starts_at.eq(*s),
                gb::ends_at.eq(*e),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(gb::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}
