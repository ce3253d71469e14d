//! What administrators can do with the queue, whichever door they come through.

use super::model::{Job, JobState, JobsView};
use super::queue;
use crate::auth::model::User;
use crate::auth::ops::require_admin;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// Jobs listed at most.
const LISTED: i64 = 200;

/// The state a listing asks for (`?state=`): dead when not given.
pub fn listed_state(asked: Option<&str>) -> Result<JobState, AppError> {
    match asked {
        None => Ok(JobState::Dead),
        Some(s) => JobState::parse(s)
            .ok_or_else(|| AppError::invalid("state", "use dead, queued or running")),
    }
}

/// The counts per state and the newest jobs in `state`.
pub async fn view(state: &AppState, actor: &User, jobs_in: JobState) -> Result<JobsView, AppError> {
    require_admin(actor)?;
    let mut conn = db::conn(&state.pool).await?;
    let counts = queue::counts(&mut conn).await?;
    let jobs = queue::list(&mut conn, jobs_in, LISTED).await?;
    Ok(JobsView {
        counts,
        state: jobs_in,
        jobs,
    })
}

/// Runs a dead (or waiting) job again at once, with all its attempts.
pub async fn retry(state: &AppState, actor: &User, id: i64) -> Result<Job, AppError> {
    require_admin(actor)?;
    let job = state.write(async |tx| queue::retry(tx, id).await).await?;
    tracing::info!(
        job_id = id,
        admin = actor.id,
        kind = job.kind,
        "job retried"
    );
    Ok(job)
}
