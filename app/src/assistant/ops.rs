//! What a user can do with their conversations, whichever door they come through.

use super::actions;
use super::model::{Conversation, ConversationSummary, Usage};
use super::store;
use crate::auth::model::User;
use crate::db;
use crate::db::notify::{self, Notice};
use crate::error::AppError;
use crate::state::AppState;

pub const MAX_TITLE: usize = 100;
/// Days the usage page shows.
pub const USAGE_DAYS: i64 = 30;

pub async fn conversations(
    state: &AppState,
    user: &User,
) -> Result<Vec<ConversationSummary>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::conversations(&mut conn, user.id).await
}

pub async fn conversation(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<Conversation, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let summary = store::find_conversation(&mut conn, user.id, id).await?;
    let messages = store::messages(&mut conn, user.id, id).await?;
    Ok(Conversation {
        id: summary.id,
        title: summary.title,
        messages,
    })
}

pub async fn rename(
    state: &AppState,
    user: &User,
    id: i64,
    title: &str,
) -> Result<ConversationSummary, AppError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", "give the conversation a name"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::invalid("title", "use at most 100 characters"));
    }
    let mut conn = db::conn(&state.pool).await?;
    store::rename_conversation(&mut conn, user.id, id, title).await
}

pub async fn delete(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::delete_conversation(&mut conn, user.id, id).await
}

/// Stops a reply being written, whichever process writes it; false when it is not being
/// written (or not the user's).
pub async fn stop(state: &AppState, user: &User, message_id: i64) -> Result<bool, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    if !store::is_streaming(&mut conn, user.id, message_id).await? {
        return Ok(false);
    }
    notify::send(&mut conn, &[Notice::StopTurn(message_id)]).await?;
    // At once if it runs here; the notice reaches it wherever it runs.
    state.assistant.cancel(message_id);
    Ok(true)
}

/// Takes back what a reply changed; returns a sentence saying what happened. The claim on
/// the undo record and the revert commit together, or neither does.
pub async fn undo(state: &AppState, user: &User, action_id: i64) -> Result<String, AppError> {
    state
        .write(async |tx| {
            let Some(undo) = store::claim_undo(tx.conn(), user.id, action_id).await? else {
                return Err(AppError::invalid("action", "this was already undone"));
            };
            let undo: actions::Undo = serde_json::from_value(undo).map_err(|e| {
                tracing::error!(action_id, error = %e, "unreadable undo record");
                AppError::Internal
            })?;
            actions::undo(tx, user, undo).await.map_err(|e| match e {
                AppError::NotFound => AppError::invalid(
                    "action",
                    "it can't be undone: what it changed no longer exists",
                ),
                other => other,
            })
        })
        .await
}

/// The last [`USAGE_DAYS`] days of usage: the user's own, or everyone's for an admin who asks.
pub async fn usage(state: &AppState, user: &User, everyone: bool) -> Result<Usage, AppError> {
    if everyone && !user.is_admin() {
        return Err(AppError::Forbidden(
            "only admins see everyone's usage".into(),
        ));
    }
    let tz = user.tz();
    let today = state.now().with_timezone(&tz).date_naive();
    let since = crate::time::start_of_day(today - chrono::Duration::days(USAGE_DAYS - 1), tz);
    let month_cost_microusd = super::turn::month_cost(state, user).await?;
    let mut conn = db::conn(&state.pool).await?;
    let days = store::usage_by_day(
        &mut conn,
        (!everyone).then_some(user.id),
        since,
        &user.timezone,
    )
    .await?;
    Ok(Usage {
        days,
        month_cost_microusd,
        budget_microusd: state.assistant.budget_microusd(),
        everyone,
        can_see_everyone: user.is_admin(),
    })
}
