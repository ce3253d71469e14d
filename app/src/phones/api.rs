//! Server functions: adding, verifying and removing a phone; signing in with one.

use leptos::prelude::*;

use crate::error::AppError;

/// Sends a code to `phone`; answers the number as read (E.164).
#[server(prefix = "/rpc")]
pub async fn add_phone(phone: String) -> Result<String, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let addr = crate::request::client_addr().await;
    super::ops::add(&state, &user, &phone, &addr).await
}

#[server(prefix = "/rpc")]
pub async fn verify_phone(code: String) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::verify(&state, &user, &code).await.map(drop)
}

#[server(prefix = "/rpc")]
pub async fn remove_phone() -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::remove(&state, &user).await
}

/// Texts a sign-in code to `phone` if an account has verified it (the answer is the same
/// either way); answers the number as read.
#[server(prefix = "/rpc")]
pub async fn send_sign_in_code(phone: String) -> Result<String, AppError> {
    let state = crate::request::state()?;
    let addr = crate::request::client_addr().await;
    super::ops::send_sign_in_code(&state, &phone, &addr).await?;
    let phone = super::model::read(&phone, chrono_tz::UTC)?;
    // Plain forms (no JavaScript) come back to the code step.
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("phone", &phone)
        .finish();
    leptos_axum::redirect(&format!("/sign-in?{query}"));
    Ok(phone)
}

#[server(prefix = "/rpc")]
pub async fn sign_in_with_code(phone: String, code: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    let user = super::ops::sign_in(&state, &phone, &code).await?;
    let session = crate::request::session().await?;
    crate::auth::session::sign_in(&session, user.id).await?;
    leptos_axum::redirect("/");
    Ok(())
}
