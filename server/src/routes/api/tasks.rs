//! `/api/tasks`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use app::state::AppState;
use app::tasks::model::{Filter, Sort, Task, TaskInput, TaskPatch};
use app::tasks::ops;

use super::extract::{Acting, ApiResult, Id, JsonBody, Query, created};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    filter: Filter,
    #[serde(default)]
    sort: Sort,
}

pub async fn list(
    State(state): State<AppState>,
    Acting(user): Acting,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Task>>> {
    Ok(Json(ops::list(&state, &user, q.filter, q.sort).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(input): JsonBody<TaskInput>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    Ok(created(ops::create(&state, &user, input).await?))
}

pub async fn show(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<Json<Task>> {
    Ok(Json(ops::get(&state, &user, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
    JsonBody(patch): JsonBody<TaskPatch>,
) -> ApiResult<Json<Task>> {
    Ok(Json(ops::update(&state, &user, id, patch).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    ops::delete(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
