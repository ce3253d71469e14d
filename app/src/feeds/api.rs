//! Server functions for the Settings page's calendar feed card.

use leptos::prelude::*;

use crate::error::AppError;

/// The feed's address, if there is one.
#[server(prefix = "/rpc")]
pub async fn feed_address() -> Result<Option<String>, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::address(&state, &user).await
}

/// A new address (the old one stops working).
#[server(prefix = "/rpc")]
pub async fn renew_feed() -> Result<String, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::renew(&state, &user).await
}

/// No address any more.
#[server(prefix = "/rpc")]
pub async fn turn_off_feed() -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::turn_off(&state, &user).await
}
