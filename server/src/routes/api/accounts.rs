//! `/api/auth/*` and `/api/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use app::auth::model::User;
use app::auth::ops::{self, ProfilePatch, SignUp};
use app::state::AppState;

use super::extract::{Acting, ApiResult, ClientAddr, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUpBody {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

pub async fn sign_up(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<SignUpBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    ops::sign_up(
        &state,
        SignUp {
            email: body.email,
            password: body.password.into(),
            name: body.name.unwrap_or_default(),
        },
        &addr,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "status": "pending" }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    email: String,
    password: String,
}

/// Checks the credentials and answers a new API token for them.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<SignInBody>,
) -> ApiResult<Json<Value>> {
    let user = ops::authenticate(&state, &body.email, &body.password, &addr).await?;
    let token = ops::sign_in_token(&state, &user).await?;
    Ok(Json(json!({ "token": token.secret, "user": user })))
}

pub async fn me(Acting(user): Acting) -> Json<User> {
    Json(user)
}

pub async fn update_me(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(patch): JsonBody<ProfilePatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(ops::update_profile(&state, &user, patch).await?))
}
