//! Server functions for the Settings page's Google Calendar card.

use leptos::prelude::*;

use super::Connection;
use crate::error::AppError;

#[server(prefix = "/rpc")]
pub async fn google_connection() -> Result<Connection, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::connection(&state, &user).await
}

#[server(prefix = "/rpc")]
pub async fn disconnect_google() -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::disconnect(&state, &user).await
}
