//! `/api/me/phone` (add, verify, remove a phone) and `/api/auth/phone/*` (sign in with a
//! texted code).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use app::auth::model::User;
use app::phones::ops;
use app::state::AppState;

use super::extract::{Acting, ApiResult, ClientAddr, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneBody {
    phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneSignInBody {
    phone: String,
    code: String,
}

pub async fn add(
    State(state): State<AppState>,
    Acting(user): Acting,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<PhoneBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let phone = ops::add(&state, &user, &body.phone, &addr).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "phone": phone, "status": "code_sent" })),
    ))
}

pub async fn verify(
    State(state): State<AppState>,
    Acting(user): Acting,
    JsonBody(body): JsonBody<CodeBody>,
) -> ApiResult<Json<User>> {
    Ok(Json(ops::verify(&state, &user, &body.code).await?))
}

pub async fn remove(State(state): State<AppState>, Acting(user): Acting) -> ApiResult<StatusCode> {
    ops::remove(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Texts a sign-in code if an account has verified the number; the same answer either way.
pub async fn send_code(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<PhoneBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    ops::send_sign_in_code(&state, &body.phone, &addr).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "code_sent_if_known" })),
    ))
}

/// Checks a texted code and answers a new API token, like `/api/auth/sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<PhoneSignInBody>,
) -> ApiResult<Json<Value>> {
    let user = ops::sign_in(&state, &body.phone, &body.code).await?;
    let name = format!("Phone sign-in {}", state.now().format("%Y-%m-%d %H:%M UTC"));
    let token = app::auth::ops::create_token(&state, &user, &name).await?;
    Ok(Json(json!({ "token": token.secret, "user": user })))
}
