//! Server functions: inviting someone to an event, and answering an invitation.

use leptos::prelude::*;

use super::model::Invitation;
use crate::error::AppError;

#[server(prefix = "/rpc")]
pub async fn load_invitations() -> Result<Vec<Invitation>, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::waiting(&state, &user).await
}

/// `answer`: "accept" or "decline".
#[server(prefix = "/rpc")]
pub async fn answer_invitation(id: i64, answer: String) -> Result<String, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::invalid("answer", "accept or decline")),
    };
    super::ops::answer(&state, &user, Some(id), accept).await
}

#[server(prefix = "/rpc")]
pub async fn invite(event_id: i64, phone: String, name: String) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::invite(&state, &user, event_id, &phone, &name)
        .await
        .map(drop)
}
