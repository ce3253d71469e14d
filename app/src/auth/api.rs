//! Server functions for accounts (the browser's door).

use leptos::prelude::*;

use super::model::User;
use crate::error::AppError;

/// The signed-in user, or `None`.
#[server(prefix = "/rpc")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    Ok(crate::request::signed_in_user()
        .await?
        .map(|(_, user)| user))
}

#[server(prefix = "/rpc")]
pub async fn sign_up(email: String, password: String, name: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    let addr = crate::request::client_addr().await;
    super::ops::sign_up(
        &state,
        super::ops::SignUp {
            email,
            password: password.into(),
            name,
        },
        &addr,
    )
    .await?;
    leptos_axum::redirect("/waitlist");
    Ok(())
}

/// At a fixed address (`/rpc/sign_in`) so scripts can sign in with a plain form post.
#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    let addr = crate::request::client_addr().await;
    let user = super::ops::authenticate(&state, &email, &password, &addr).await?;
    let session = crate::request::session().await?;
    super::session::sign_in(&session, user.id).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = crate::request::session().await?;
    super::session::sign_out(&session).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}
