//! `google_connections`: one row per connected user, tokens sealed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::google_connections as gc;
use crate::error::AppError;

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = gc)]
pub struct Row {
    pub user_id: i64,
    pub refresh_token: String,
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub status: String,
    pub problem: Option<String>,
    pub connected_at: DateTime<Utc>,
}

pub async fn find(conn: &mut AsyncPgConnection, user_id: i64) -> Result<Option<Row>, AppError> {
    Ok(gc::table
        .find(user_id)
        .select(Row::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Saves a new connection (or a new consent over an old one).
pub async fn connect(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    refresh: &str,
    access: &str,
    expires_at: DateTime<Utc>,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let values = (
        gc::refresh_token.eq(refresh),
        gc::access_token.eq(access),
        gc::access_expires_at.eq(expires_at),
        gc::scope.eq(scope),
        gc::status.eq("connected"),
        gc::problem.eq(None::<String>),
        gc::connected_at.eq(now),
        gc::updated_at.eq(now),
    );
    diesel::insert_into(gc::table)
        .values((gc::user_id.eq(user_id), values.clone()))
        .on_conflict(gc::user_id)
        .do_update()
        .set(values)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps a refreshed access token (and the refresh token when it was sealed anew).
pub async fn set_tokens(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    refresh: &str,
    access: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(gc::table.find(user_id))
        .set((
            gc::refresh_token.eq(refresh),
            gc::access_token.eq(access),
            gc::access_expires_at.eq(expires_at),
            gc::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks the connection broken; true when it was not already (so the user is told once).
pub async fn break_off(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    problem: &str,
) -> Result<bool, AppError> {
    let changed = diesel::update(gc::table.find(user_id).filter(gc::status.eq("connected")))
        .set((
            gc::status.eq("broken"),
            gc::problem.eq(problem),
            gc::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

pub async fn delete(conn: &mut AsyncPgConnection, user_id: i64) -> Result<Option<Row>, AppError> {
    Ok(diesel::delete(gc::table.find(user_id))
        .returning(Row::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Every connection, to seal its tokens anew (`aida reencrypt`), locked until the caller
/// commits.
pub async fn all_for_update(conn: &mut AsyncPgConnection) -> Result<Vec<Row>, AppError> {
    Ok(gc::table
        .select(Row::as_select())
        .for_update()
        .load(conn)
        .await?)
}

/// How many connections are in each state: (connected, broken).
pub async fn counts(mut conn: &AsyncPgConnection) -> Result<(i64, i64), AppError> {
    let rows: Vec<(String, i64)> = gc::table
        .group_by(gc::status)
        .select((gc::status, diesel::dsl::count_star()))
        .load(&mut conn)
        .await?;
    let of = |s: &str| rows.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok((of("connected"), of("broken")))
}

/// Where a connection's sync stands.
#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = gc)]
pub struct SyncRow {
    pub status: String,
    pub sync_token: Option<String>,
    pub import_started_at: Option<DateTime<Utc>>,
    pub imported: i32,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub sync_failures: i32,
    pub sync_problem: Option<String>,
    pub updated_at: DateTime<Utc>,
}

pub async fn sync_state(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Option<SyncRow>, AppError> {
    Ok(gc::table
        .find(user_id)
        .select(SyncRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A full import begins: nothing imported yet, no sync token. When it began, by the
/// database's clock (which marks the events a sync sees).
pub async fn begin_import(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<DateTime<Utc>, AppError> {
    Ok(diesel::update(gc::table.find(user_id))
        .set((
            gc::sync_token.eq(None::<String>),
            gc::import_started_at.eq(diesel::dsl::now),
            gc::imported.eq(0),
        ))
        .returning(gc::import_started_at.assume_not_null())
        .get_result(conn)
        .await?)
}

/// `n` more events came in during the import under way.
pub async fn imported(conn: &mut AsyncPgConnection, user_id: i64, n: i32) -> Result<(), AppError> {
    diesel::update(gc::table.find(user_id))
        .set(gc::imported.eq(gc::imported + n))
        .execute(conn)
        .await?;
    Ok(())
}

/// A pull ended well: the token for the next one, the import (if any) over, failures forgotten.
pub async fn synced(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    sync_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(gc::table.find(user_id))
        .set((
            gc::sync_token.eq(sync_token),
            gc::import_started_at.eq(None::<DateTime<Utc>>),
            gc::last_synced_at.eq(now),
            gc::sync_failures.eq(0),
            gc::sync_problem.eq(None::<String>),
            gc::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A pull failed; `problem` is what the user is told.
pub async fn sync_failed(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    problem: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(gc::table.find(user_id))
        .set((
            gc::sync_failures.eq(gc::sync_failures + 1),
            gc::sync_problem.eq(problem),
            gc::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Users whose connection works, to pull from.
pub async fn connected_users(conn: &mut AsyncPgConnection) -> Result<Vec<i64>, AppError> {
    Ok(gc::table
        .filter(gc::status.eq("connected"))
        .select(gc::user_id)
        .load(conn)
        .await?)
}

/// Google ids of events deleted here, to delete at Google.
pub async fn deletions(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    use crate::db::schema::google_deletions as gd;
    Ok(gd::table
        .filter(gd::user_id.eq(user_id))
        .select(gd::google_id)
        .load(conn)
        .await?)
}

/// Google no longer has these (deleted there, by a push or before).
pub async fn deleted(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    google_ids: &[String],
) -> Result<(), AppError> {
    use crate::db::schema::google_deletions as gd;
    diesel::delete(
        gd::table
            .filter(gd::user_id.eq(user_id))
            .filter(gd::google_id.eq_any(google_ids)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Of `users`, those whose Google connection works.
pub async fn connected_among(
    conn: &mut AsyncPgConnection,
    users: &[i64],
) -> Result<Vec<i64>, AppError> {
    Ok(gc::table
        .filter(gc::user_id.eq_any(users))
        .filter(gc::status.eq("connected"))
        .select(gc::user_id)
        .load(conn)
        .await?)
}

/// This transaction applies Google's own changes: what it deletes is not deleted at Google
/// again (see the `events_google_deletion` trigger).
pub async fn from_google(conn: &mut AsyncPgConnection) -> Result<(), AppError> {
    diesel::sql_query("SELECT set_config('aida.from_google', 'on', true)")
        .execute(conn)
        .await?;
    Ok(())
}
