//! What a user can do with their tasks, whichever door they come through.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::model::{Filter, Sort, Task, TaskInput, TaskPatch, arrange};
use super::store;
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(
    state: &AppState,
    user: &User,
    filter: Filter,
    sort: Sort,
) -> Result<Vec<Task>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let include_done = matches!(filter, Filter::Done | Filter::All);
    let tasks = store::list(&mut conn, user.id, include_done).await?;
    Ok(arrange(tasks, filter, sort, state.now(), user.tz()))
}

/// Open tasks due by the end of the user's today (overdue ones included), by deadline.
/// Runs on a connection the caller holds, so that it can be pipelined with other reads.
pub async fn due_today(
    conn: &AsyncPgConnection,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Vec<Task>, AppError> {
    let tz = user.tz();
    let today = now.with_timezone(&tz).date_naive();
    let end_of_today = crate::time::start_of_day(today + chrono::Duration::days(1), tz);
    let tasks = store::open_due_by(conn, user.id, today, end_of_today).await?;
    Ok(arrange(tasks, Filter::Open, Sort::Due, now, tz))
}

pub async fn get(state: &AppState, user: &User, id: i64) -> Result<Task, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::find(&mut conn, user.id, id).await
}

pub async fn create(state: &AppState, user: &User, input: TaskInput) -> Result<Task, AppError> {
    let draft = input.validate(user.tz())?;
    let mut conn = db::conn(&state.pool).await?;
    state
        .write_user_data(
            user.id,
            store::insert(&mut conn, user.id, &draft, state.now()),
        )
        .await
}

pub async fn update(
    state: &AppState,
    user: &User,
    id: i64,
    patch: TaskPatch,
) -> Result<Task, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let current = store::find(&mut conn, user.id, id).await?;
    let draft = patch.apply(&current).validate(user.tz())?;
    let completed_at = match (draft.done, current.completed_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(state.now()),
        (false, _) => None,
    };
    state
        .write_user_data(
            user.id,
            store::update(&mut conn, user.id, id, &draft, completed_at),
        )
        .await
}

/// Marks a task done or open again.
pub async fn set_done(
    state: &AppState,
    user: &User,
    id: i64,
    done: bool,
) -> Result<Task, AppError> {
    update(
        state,
        user,
        id,
        TaskPatch {
            done: Some(done),
            ..TaskPatch::default()
        },
    )
    .await
}

pub async fn delete(state: &AppState, user: &User, id: i64) -> Result<Task, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    state
        .write_user_data(user.id, store::delete(&mut conn, user.id, id))
        .await
}
