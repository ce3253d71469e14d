//! `/api/admin`: the waitlist and account status, and the job queue, for administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use app::auth::model::{AccountStatus, User};
use app::auth::ops;
use app::error::AppError;
use app::jobs;
use app::jobs::model::{Job, JobsView};
use app::state::AppState;

use super::extract::{Acting, ApiResult, Id, Query};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<User>>> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            AccountStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "use pending, active or disabled"))?,
        ),
    };
    Ok(Json(ops::list_users(&state, &admin, status).await?))
}

pub async fn approve(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Id(id): Id,
) -> ApiResult<Json<User>> {
    Ok(Json(ops::approve(&state, &admin, id).await?))
}

pub async fn reject(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    ops::reject(&state, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn disable(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Id(id): Id,
) -> ApiResult<Json<User>> {
    Ok(Json(ops::disable(&state, &admin, id).await?))
}

pub async fn enable(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Id(id): Id,
) -> ApiResult<Json<User>> {
    Ok(Json(ops::enable(&state, &admin, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    state: Option<String>,
}

/// `GET /api/admin/jobs?state=dead|queued|running` (dead when not given).
pub async fn jobs(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Query(q): Query<JobsQuery>,
) -> ApiResult<Json<JobsView>> {
    let jobs_in = jobs::ops::listed_state(q.state.as_deref())?;
    Ok(Json(jobs::ops::view(&state, &admin, jobs_in).await?))
}

pub async fn retry_job(
    State(state): State<AppState>,
    Acting(admin): Acting,
    Id(id): Id,
) -> ApiResult<Json<Job>> {
    Ok(Json(jobs::ops::retry(&state, &admin, id).await?))
}
