//! The demo account and its sample data.

use app::auth::ops::{self, SignUp};
use app::error::AppError;
use app::state::AppState;

pub const EMAIL: &str = "demo@aida.local";
pub const PASSWORD: &str = "demo-password";

/// Creates the demo administrator if absent; returns its email.
pub async fn seed(state: &AppState) -> Result<String, AppError> {
    match ops::create_admin(
        state,
        SignUp {
            email: EMAIL.into(),
            password: PASSWORD.into(),
            name: "Demo".into(),
        },
    )
    .await
    {
        Ok(_) | Err(AppError::Invalid(_)) => Ok(EMAIL.to_owned()),
        Err(e) => Err(e),
    }
}
