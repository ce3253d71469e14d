//! Server functions for the admin pages.

use leptos::prelude::*;

use crate::auth::model::User;
use crate::error::AppError;

/// The accounts an admin manages.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Accounts {
    /// Sign-ups waiting for approval.
    pub pending: Vec<User>,
    pub all: Vec<User>,
    /// The admin looking, who cannot disable themselves.
    pub me: i64,
}

#[server(prefix = "/rpc")]
pub async fn list_accounts() -> Result<Accounts, AppError> {
    use crate::auth::model::AccountStatus;
    let (state, user) = crate::request::acting_user().await?;
    let pending = crate::auth::ops::list_users(&state, &user, Some(AccountStatus::Pending)).await?;
    let all = crate::auth::ops::list_users(&state, &user, None).await?;
    Ok(Accounts {
        pending,
        all,
        me: user.id,
    })
}

/// Applies `action` (approve, reject, disable, enable) to account `id`.
#[server(prefix = "/rpc")]
pub async fn manage_account(id: i64, action: String) -> Result<(), AppError> {
    use crate::auth::ops;
    let (state, admin) = crate::request::acting_user().await?;
    match action.as_str() {
        "approve" => ops::approve(&state, &admin, id).await.map(drop),
        "reject" => ops::reject(&state, &admin, id).await,
        "disable" => ops::disable(&state, &admin, id).await.map(drop),
        "enable" => ops::enable(&state, &admin, id).await.map(drop),
        _ => Err(AppError::invalid(
            "action",
            "choose approve, reject, disable or enable",
        )),
    }
}
