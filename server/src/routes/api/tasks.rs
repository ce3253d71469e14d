//! `/api/tasks`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use app::auth::model::User;
use app::db::tx::Tx;
use app::error::AppError;
use app::state::AppState;
use app::tasks::model::{Filter, Sort, Task, TaskInput, TaskPatch};
use app::tasks::ops;

use super::extract::{Acting, ApiResult, Query};
use super::records::{ById, Records};

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

/// Tasks: created, shown, changed and deleted through [`records`](super::records).
pub struct Tasks;

impl Records for Tasks {
    type Record = Task;
    type Input = TaskInput;
    type Patch = TaskPatch;
    type Which = ById;

    async fn create(tx: &mut Tx, user: &User, input: TaskInput) -> Result<Task, AppError> {
        ops::create(tx, user, input).await
    }

    async fn get(state: &AppState, user: &User, id: i64, _: ById) -> Result<Task, AppError> {
        ops::get(state, user, id).await
    }

    async fn update(
        tx: &mut Tx,
        user: &User,
        id: i64,
        _: ById,
        patch: TaskPatch,
    ) -> Result<Task, AppError> {
        ops::update(tx, user, id, patch).await
    }

    async fn delete(tx: &mut Tx, user: &User, id: i64, _: ById) -> Result<Task, AppError> {
        ops::delete(tx, user, id).await
    }
}
