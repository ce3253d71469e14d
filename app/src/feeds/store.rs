//! The feed's token, and the rows a feed shows, always for one user.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::calendar_feeds;
use crate::error::AppError;

pub async fn token(mut conn: &AsyncPgConnection, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(calendar_feeds::table
        .find(user_id)
        .select(calendar_feeds::token)
        .first(&mut conn)
        .await
        .optional()?)
}

/// Sets the user's token, replacing the one before.
pub async fn set_token(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::user_id.eq(user_id),
            calendar_feeds::token.eq(token),
            calendar_feeds::created_at.eq(now),
        ))
        .on_conflict(calendar_feeds::user_id)
        .do_update()
        .set((
            calendar_feeds::token.eq(token),
            calendar_feeds::created_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove(conn: &mut AsyncPgConnection, user_id: i64) -> Result<(), AppError> {
    diesel::delete(calendar_feeds::table.find(user_id))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whose feed `token` is.
pub async fn owner(mut conn: &AsyncPgConnection, token: &str) -> Result<i64, AppError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token.eq(token))
        .select(calendar_feeds::user_id)
        .first(&mut conn)
        .await?)
}
