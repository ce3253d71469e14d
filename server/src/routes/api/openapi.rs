//! `GET /api/openapi.json`: the API described for clients and tools.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The document, kept beside the routes it describes; a test checks they match.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
