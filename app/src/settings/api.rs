//! Server functions for the settings page: profile, password, API tokens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::model::{ApiToken, NewApiToken, User};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub user: User,
    pub timezones: Vec<String>,
    pub tokens: Vec<ApiToken>,
    /// A number a verification code was texted to and not yet entered.
    pub phone_pending: Option<String>,
}

#[server(prefix = "/rpc")]
pub async fn load_settings() -> Result<SettingsView, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let tokens = crate::auth::ops::list_tokens(&state, &user).await?;
    let phone_pending = crate::phones::ops::pending(&state, &user).await?;
    Ok(SettingsView {
        phone_pending,
        user,
        timezones: chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name().to_owned())
            .collect(),
        tokens,
    })
}

#[server(prefix = "/rpc")]
pub async fn save_profile(
    name: String,
    timezone: String,
    currency: String,
    default_meeting_minutes: String,
    reminders: String,
) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let reminders = crate::reminders::offsets::read(&reminders)
        .map_err(|message| AppError::invalid("reminders", message))?;
    let minutes = default_meeting_minutes
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::invalid("default_meeting_minutes", "enter a number of minutes"))?;
    crate::auth::ops::update_profile(
        &state,
        &user,
        crate::auth::ops::ProfilePatch {
            name: Some(name),
            timezone: Some(timezone.trim().to_owned()),
            currency: Some(currency),
            default_meeting_minutes: Some(minutes),
            reminder_minutes: Some(reminders),
        },
    )
    .await?;
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    revoke_tokens: Option<String>,
) -> Result<crate::auth::model::PasswordChanged, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let session = crate::request::session().await?;
    let keep = session.id().map(|id| id.to_string());
    crate::auth::ops::change_password(
        &state,
        &user,
        current_password,
        new_password,
        keep,
        revoke_tokens.is_some(),
    )
    .await
}

#[server(prefix = "/rpc")]
pub async fn create_token(name: String) -> Result<NewApiToken, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    crate::auth::ops::create_token(&state, &user, &name).await
}

#[server(prefix = "/rpc")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    crate::auth::ops::revoke_token(&state, &user, id).await
}
