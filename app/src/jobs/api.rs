//! Server functions for the jobs page.

use leptos::prelude::*;

use super::model::JobsView;
use crate::error::AppError;

/// The counts per state and the newest jobs in `state` (dead, queued or running; dead when
/// empty), as the page's `?state=` gives it.
#[server(prefix = "/rpc")]
pub async fn load_jobs(state: String) -> Result<JobsView, AppError> {
    let (app, user) = crate::request::acting_user().await?;
    let jobs_in = super::ops::listed_state((!state.is_empty()).then_some(state.as_str()))?;
    super::ops::view(&app, &user, jobs_in).await
}

/// Runs job `id` again at once, with all its attempts.
#[server(prefix = "/rpc")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    let (state, admin) = crate::request::acting_user().await?;
    super::ops::retry(&state, &admin, id).await.map(drop)
}
