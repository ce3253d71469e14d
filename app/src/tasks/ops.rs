//! What a user can do with their tasks, whichever door they come through.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::model::{Filter, Sort, Task, TaskInput, TaskPatch, arrange};
use super::store;
use crate::auth::model::User;
use crate::changes::{Change, Kind, Op};
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(
    state: &AppState,
    user: &User,
    filter: Filter,
    sort: Sort,
) -> Result<Vec<Task>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    list_on(&mut conn, user, filter, sort, state.now()).await
}

/// [`list`] on a connection the caller holds (a transaction's).
pub async fn list_on(
    conn: &mut AsyncPgConnection,
    user: &User,
    filter: Filter,
    sort: Sort,
    now: DateTime<Utc>,
) -> Result<Vec<Task>, AppError> {
    let include_done = matches!(filter, Filter::Done | Filter::All);
    let tasks = store::list(conn, user.id, include_done).await?;
    Ok(arrange(tasks, filter, sort, now, user.tz()))
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
    get_on(&mut conn, user, id).await
}

/// [`get`] on a connection the caller holds (a transaction's).
pub async fn get_on(conn: &mut AsyncPgConnection, user: &User, id: i64) -> Result<Task, AppError> {
    store::find(conn, user.id, id).await
}

fn change(tx: &mut Tx, user: &User, task: Task, op: Op) -> Task {
    tx.changed(Change::new(user.id, Kind::Task, task.id, op));
    task
}

pub async fn create(tx: &mut Tx, user: &User, input: TaskInput) -> Result<Task, AppError> {
    let draft = input.validate(user.tz())?;
    let now = tx.now();
    let task = store::insert(tx.conn(), user.id, &draft, now).await?;
    Ok(change(tx, user, task, Op::Created))
}

pub async fn update(tx: &mut Tx, user: &User, id: i64, patch: TaskPatch) -> Result<Task, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    let draft = patch.apply(&current).validate(user.tz())?;
    let completed_at = match (draft.done, current.completed_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(tx.now()),
        (false, _) => None,
    };
    let task = store::update(tx.conn(), user.id, id, &draft, completed_at).await?;
    Ok(change(tx, user, task, Op::Updated))
}

/// Marks a task done or open again.
pub async fn set_done(tx: &mut Tx, user: &User, id: i64, done: bool) -> Result<Task, AppError> {
    update(
        tx,
        user,
        id,
        TaskPatch {
            done: Some(done),
            ..TaskPatch::default()
        },
    )
    .await
}

pub async fn delete(tx: &mut Tx, user: &User, id: i64) -> Result<Task, AppError> {
    let task = store::delete(tx.conn(), user.id, id).await?;
    Ok(change(tx, user, task, Op::Deleted))
}
