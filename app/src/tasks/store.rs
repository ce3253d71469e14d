//! Task queries, always scoped to one user.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Due, Priority, Task, TaskDraft};
use crate::db::schema::tasks;
use crate::error::AppError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct TaskRow {
    id: i64,
    title: String,
    notes: String,
    due_date: Option<NaiveDate>,
    due_at: Option<DateTime<Utc>>,
    priority: i16,
    completed_at: Option<DateTime<Utc>>,
}

impl From<TaskRow> for Task {
    fn from(r: TaskRow) -> Self {
        Task {
            id: r.id,
            title: r.title,
            notes: r.notes,
            due: r.due_at.map(Due::At).or(r.due_date.map(Due::Day)),
            priority: Priority::from_rank(r.priority),
            done: r.completed_at.is_some(),
            completed_at: r.completed_at,
        }
    }
}

fn due_columns(due: Option<Due>) -> (Option<NaiveDate>, Option<DateTime<Utc>>) {
    match due {
        None => (None, None),
        Some(Due::Day(d)) => (Some(d), None),
        Some(Due::At(t)) => (None, Some(t)),
    }
}

/// The user's tasks; only open ones unless `include_done`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    include_done: bool,
) -> Result<Vec<Task>, AppError> {
    let mut query = tasks::table
        .filter(tasks::user_id.eq(user_id))
        .select(TaskRow::as_select())
        .into_boxed();
    if !include_done {
        query = query.filter(tasks::completed_at.is_null());
    }
    Ok(query
        .load(conn)
        .await?
        .into_iter()
        .map(Task::from)
        .collect())
}

/// Open tasks due on or before `last_day`, or at or before `by`.
pub async fn open_due_by(
    mut conn: &AsyncPgConnection,
    user_id: i64,
    last_day: NaiveDate,
    by: DateTime<Utc>,
) -> Result<Vec<Task>, AppError> {
    Ok(tasks::table
        .filter(tasks::user_id.eq(user_id))
        .filter(tasks::completed_at.is_null())
        .filter(tasks::due_date.le(last_day).or(tasks::due_at.le(by)))
        .select(TaskRow::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Task::from)
        .collect())
}

pub async fn find(conn: &mut AsyncPgConnection, user_id: i64, id: i64) -> Result<Task, AppError> {
    Ok(tasks::table
        .filter(tasks::user_id.eq(user_id))
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .await?
        .into())
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    draft: &TaskDraft,
    now: DateTime<Utc>,
) -> Result<Task, AppError> {
    let (due_date, due_at) = due_columns(draft.due);
    Ok(diesel::insert_into(tasks::table)
        .values((
            tasks::user_id.eq(user_id),
            tasks::title.eq(&draft.title),
            tasks::notes.eq(&draft.notes),
            tasks::due_date.eq(due_date),
            tasks::due_at.eq(due_at),
            tasks::priority.eq(draft.priority.rank()),
            tasks::completed_at.eq(draft.done.then_some(now)),
        ))
        .returning(TaskRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

/// Saves `draft` over task `id`; a task already done keeps its completion time.
pub async fn update(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    draft: &TaskDraft,
    completed_at: Option<DateTime<Utc>>,
) -> Result<Task, AppError> {
    let (due_date, due_at) = due_columns(draft.due);
    Ok(
        diesel::update(tasks::table.filter(tasks::user_id.eq(user_id)).find(id))
            .set((
                tasks::title.eq(&draft.title),
                tasks::notes.eq(&draft.notes),
                tasks::due_date.eq(due_date),
                tasks::due_at.eq(due_at),
                tasks::priority.eq(draft.priority.rank()),
                tasks::completed_at.eq(completed_at),
                tasks::updated_at.eq(diesel::dsl::now),
            ))
            .returning(TaskRow::as_returning())
            .get_result(conn)
            .await?
            .into(),
    )
}

pub async fn delete(conn: &mut AsyncPgConnection, user_id: i64, id: i64) -> Result<Task, AppError> {
    Ok(
        diesel::delete(tasks::table.filter(tasks::user_id.eq(user_id)).find(id))
            .returning(TaskRow::as_returning())
            .get_result(conn)
            .await?
            .into(),
    )
}
