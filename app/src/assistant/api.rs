//! Server functions for the chat and usage pages. Streaming replies go through `/api/chat`
//! (server-sent events); these load, rename, delete, stop and undo.

use leptos::prelude::*;

use super::model::{Conversation, ConversationSummary, Usage};
use crate::error::AppError;

#[server(prefix = "/rpc")]
pub async fn list_conversations() -> Result<Vec<ConversationSummary>, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::conversations(&state, &user).await
}

#[server(prefix = "/rpc")]
pub async fn load_conversation(id: i64) -> Result<Conversation, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::conversation(&state, &user, id).await
}

#[server(prefix = "/rpc")]
pub async fn rename_conversation(id: i64, title: String) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::rename(&state, &user, id, &title).await?;
    leptos_axum::redirect(&format!("/chat/{id}"));
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn delete_conversation(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::delete(&state, &user, id).await?;
    leptos_axum::redirect("/chat");
    Ok(())
}

/// Sends a message from a plain form (before the page is interactive): the reply is written
/// in full, then the page shows the conversation.
#[server(prefix = "/rpc")]
pub async fn send_message(conversation_id: Option<i64>, message: String) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let mut started = state
        .assistant
        .start(
            &state,
            &user,
            super::model::Channel::WebChat,
            conversation_id,
            &message,
        )
        .await?;
    while let Some(event) = started.events.recv().await {
        if event.is_last() {
            break;
        }
    }
    leptos_axum::redirect(&format!("/chat/{}", started.conversation_id));
    Ok(())
}

/// Stops a reply being written.
#[server(prefix = "/rpc")]
pub async fn stop_reply(message_id: i64) -> Result<bool, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::stop(&state, &user, message_id).await
}

/// Takes back what a reply changed; returns a sentence saying what happened.
#[server(prefix = "/rpc")]
pub async fn undo_action(action_id: i64) -> Result<String, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::undo(&state, &user, action_id).await
}

#[server(prefix = "/rpc")]
pub async fn load_usage(everyone: bool) -> Result<Usage, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::usage(&state, &user, everyone).await
}
