//! What every API handler shares: the acting user, JSON bodies that name the bad field, and the
//! one error shape.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;
use tower_sessions::Session;

use app::auth::model::User;
use app::auth::ops;
use app::error::AppError;
use app::state::AppState;

/// An [`AppError`] answered as JSON:
/// `{"error": {"code", "message", "fields": [{"field", "message"}]}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

fn code(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid(_) => "invalid",
        AppError::Request(_) => "bad_request",
        AppError::Unauthenticated => "unauthenticated",
        AppError::BadCredentials => "bad_credentials",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound => "not_found",
        AppError::RateLimited => "rate_limited",
        AppError::Busy(_) => "busy",
        AppError::Unavailable => "unavailable",
        AppError::Internal => "internal",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let fields = match &self.0 {
            AppError::Invalid(fields) => json!(fields),
            _ => json!([]),
        };
        let body = json!({
            "error": { "code": code(&self.0), "message": self.0.to_string(), "fields": fields }
        });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// The active user making the request, by `Authorization: Bearer` or the session cookie.
pub struct Acting(pub User);

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(AppError::Unauthenticated)?;
            return Ok(Acting(ops::user_for_token(state, token).await?));
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal)?;
        let id = app::auth::session::user_id(&session)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Acting(ops::active_user(state, id).await?))
    }
}

/// A JSON body; a field of the wrong type, a missing or an unknown field is a 400 naming it.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::Request(
                "send a JSON body with Content-Type: application/json".into(),
            )
            .into());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::Request(e.body_text()))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(JsonBody)
            .map_err(|e| ApiError(body_error(&e)))
    }
}

fn body_error(e: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() {
        return AppError::Request(format!("the body is not valid JSON: {inner}"));
    }
    let message = inner.to_string();
    let path = e.path().to_string();
    // Missing and unknown fields are reported at the parent; the name is in the message.
    let field = if path == "." || path.is_empty() {
        message
            .split('`')
            .nth(1)
            .map(str::to_owned)
            .unwrap_or_else(|| "body".to_owned())
    } else {
        path
    };
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    AppError::invalid(&field, message)
}

/// A numeric id from the path; anything else is not found (ids are not guessable hints).
pub struct Id(pub i64);

impl FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        raw.parse().map(Id).map_err(|_| AppError::NotFound.into())
    }
}

/// A query string; a malformed parameter is a 400 naming it.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let field = e.path().to_string();
                let message = e.inner().to_string();
                let field = if field == "." {
                    message.split('`').nth(1).unwrap_or("query").to_owned()
                } else {
                    field
                };
                ApiError(AppError::invalid(&field, message))
            })
    }
}

pub fn created<T: serde::Serialize>(value: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(value))
}

/// The client's address, for rate limiting (see `app::request::client_addr_from`).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(app::request::client_addr_from(
            &parts.headers,
            peer,
            state.settings.trusted_proxies,
        )))
    }
}
