//! `GET /health` (the process answers), `GET /health/db` (and so does PostgreSQL) and
//! `GET /health/google` (Google Calendar: configured, connections working and broken).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use app::state::AppState;

pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn database(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let check = async {
        let mut conn = app::db::conn(&state.pool).await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok::<_, app::error::AppError>(())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), check).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.to_string() })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "unavailable", "error": "the database did not answer in time" }),
            ),
        ),
    }
}

pub async fn google(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match app::google::ops::health(&state).await {
        Ok(health) => (
            StatusCode::OK,
            Json(json!({
                "status": if health.configured { "ok" } else { "not configured" },
                "configured": health.configured,
                "connections": { "connected": health.connected, "broken": health.broken },
            })),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.to_string() })),
        ),
    }
}
