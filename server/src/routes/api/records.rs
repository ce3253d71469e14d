//! What events, tasks and expenses share in the API: create, show, change and delete one record
//! of the acting user's, through its domain's operations. Listing differs per kind and stays
//! with each.

use std::future::Future;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get};
use serde::Serialize;
use serde::de::DeserializeOwned;

use app::auth::model::User;
use app::db::tx::Tx;
use app::error::AppError;
use app::state::AppState;

use super::extract::{Acting, ApiResult, Id, JsonBody, Query, created};

/// A kind of record and its operations, always on the given user's own records; changes run
/// in the transaction they are given.
pub trait Records: Send + Sync + 'static {
    type Record: Serialize + Send + 'static;
    /// A new record as sent.
    type Input: DeserializeOwned + Send + 'static;
    /// A change to a record: the fields sent, the rest left as they are.
    type Patch: DeserializeOwned + Send + 'static;
    /// What the query string may add to the record's id (an instance of a series of events).
    type Which: DeserializeOwned + Send + 'static;

    fn create(
        tx: &mut Tx,
        user: &User,
        input: Self::Input,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;
    fn get(
        state: &AppState,
        user: &User,
        id: i64,
        which: Self::Which,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;
    fn update(
        tx: &mut Tx,
        user: &User,
        id: i64,
        which: Self::Which,
        patch: Self::Patch,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;
    /// Deletes the record and gives back what it held.
    fn delete(
        tx: &mut Tx,
        user: &User,
        id: i64,
        which: Self::Which,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;
}

/// No query string: a record is named by its id alone.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {}

/// `GET`, `PATCH` and `DELETE` of `/{kind}/{id}`.
pub fn one<R: Records>() -> MethodRouter<AppState> {
    get(show::<R>).patch(update::<R>).delete(remove::<R>)
}

/// `POST /{kind}`: 201 with the record.
pub async fn create<R: Records>(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(input): JsonBody<R::Input>,
) -> ApiResult<(StatusCode, Json<R::Record>)> {
    Ok(created(
        state
            .write(async |tx| R::create(tx, &user, input).await)
            .await?,
    ))
}

async fn show<R: Records>(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
    Query(which): Query<R::Which>,
) -> ApiResult<Json<R::Record>> {
    Ok(Json(R::get(&state, &user, id, which).await?))
}

async fn update<R: Records>(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
    Query(which): Query<R::Which>,
    JsonBody(patch): JsonBody<R::Patch>,
) -> ApiResult<Json<R::Record>> {
    Ok(Json(
        state
            .write(async |tx| R::update(tx, &user, id, which, patch).await)
            .await?,
    ))
}

async fn remove<R: Records>(
    State(state): State<AppState>,
    Acting(user): Acting,
    Id(id): Id,
    Query(which): Query<R::Which>,
) -> ApiResult<StatusCode> {
    state
        .write(async |tx| R::delete(tx, &user, id, which).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
