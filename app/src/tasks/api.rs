//! Server functions for the tasks page.

use leptos::prelude::*;

use super::model::Task;
use crate::error::AppError;

/// A task with what the page shows about it in the user's timezone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskRow {
    pub task: Task,
    pub due_label: Option<String>,
    pub due_input: String,
    pub overdue: bool,
}

#[cfg(feature = "ssr")]
impl TaskRow {
    pub fn new(task: Task, now: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> Self {
        use super::model::Due;
        TaskRow {
            due_label: task.due.map(|d| match d {
                Due::Day(day) => day.format("%a %b %-d").to_string(),
                Due::At(t) => t.with_timezone(&tz).format("%a %b %-d, %H:%M").to_string(),
            }),
            due_input: task.due.map(|d| d.input_value(tz)).unwrap_or_default(),
            overdue: task.is_overdue(now, tz),
            task,
        }
    }
}

#[server(prefix = "/rpc")]
pub async fn list_tasks(filter: String, sort: String) -> Result<Vec<TaskRow>, AppError> {
    use super::model::{Filter, Sort};
    let (state, user) = crate::request::acting_user().await?;
    let filter = Filter::parse(&filter).unwrap_or_default();
    let sort = Sort::parse(&sort).unwrap_or_default();
    let tz = user.tz();
    let now = state.now();
    let tasks = super::ops::list(&state, &user, filter, sort).await?;
    Ok(tasks
        .into_iter()
        .map(|task| TaskRow::new(task, now, tz))
        .collect())
}

/// Creates (no `id`) or changes a task from a form.
#[server(prefix = "/rpc")]
pub async fn save_task(
    id: Option<i64>,
    title: String,
    notes: Option<String>,
    due_date: Option<String>,
    due_time: Option<String>,
    priority: Option<String>,
) -> Result<(), AppError> {
    use super::model::{Priority, TaskInput, TaskPatch};
    let (state, user) = crate::request::acting_user().await?;
    let due = due_from_form(due_date, due_time)?;
    let priority = match priority.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(
            Priority::parse(p)
                .ok_or_else(|| AppError::invalid("priority", "choose low, normal or high"))?,
        ),
    };
    match id {
        None => {
            let input = TaskInput {
                title,
                notes,
                due,
                priority,
                done: None,
            };
            state
                .write(async |tx| super::ops::create(tx, &user, input).await)
                .await?;
        }
        Some(id) => {
            let patch = TaskPatch {
                title: Some(title),
                notes,
                due: Some(due),
                priority,
                done: None,
            };
            state
                .write(async |tx| super::ops::update(tx, &user, id, patch).await)
                .await?;
        }
    }
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn set_task_done(id: i64, done: bool) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    state
        .write(async |tx| super::ops::set_done(tx, &user, id, done).await)
        .await?;
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn delete_task(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    state
        .write(async |tx| super::ops::delete(tx, &user, id).await)
        .await?;
    Ok(())
}

/// The form's separate date and optional time as one `due` value.
#[cfg(feature = "ssr")]
fn due_from_form(date: Option<String>, time: Option<String>) -> Result<Option<String>, AppError> {
    let date = date.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    let time = time.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    match (date, time) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(AppError::invalid("due", "pick a date for the time")),
        (Some(d), None) => Ok(Some(d)),
        (Some(d), Some(t)) => Ok(Some(format!("{d}T{t}"))),
    }
}
