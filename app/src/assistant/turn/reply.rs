//! The reply being written: its text as it streams (saved every so often, so a reload shows
//! it), the actions it takes (each committed with its undo record), its end, and taking back
//! a failed turn's changes.

use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{SAVE_EVERY, stream::Call};
use crate::assistant::actions::{self, Action, ActionError, Undo};
use crate::assistant::llm::Llm;
use crate::assistant::model::{Channel, ChatEvent, MessageStatus, Piece, Tier, TurnOutcome};
use crate::assistant::store::{self, NewModelCall};
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// The reply being written.
pub(super) struct Turn {
    pub(super) state: AppState,
    pub(super) user: User,
    pub(super) channel: Channel,
    pub(super) conversation_id: i64,
    pub(super) message_id: i64,
    pub(super) events: mpsc::UnboundedSender<ChatEvent>,
    pub(super) cancel: CancellationToken,
    pub(super) text: String,
    /// `text`'s length in characters.
    pub(super) text_chars: usize,
    pub(super) saved_at: Instant,
    /// Text has come since the last save.
    pub(super) unsaved: bool,
    /// Changes made so far (action id, how to undo), to take back if the turn fails.
    pub(super) changes: Vec<(i64, Undo)>,
    /// What the turn came to so far.
    pub(super) outcome: TurnOutcome,
    pub(super) cost_microusd: i64,
}

impl Turn {
    pub(super) fn send(&self, event: ChatEvent) {
        // Whoever asked may have gone; the reply is written and stored all the same.
        let _ = self.events.send(event);
    }

    /// Nothing said or done yet.
    pub(super) fn untouched(&self) -> bool {
        self.text.is_empty() && self.changes.is_empty()
    }

    /// Adds text to the reply and sends it on, up to `MAX_REPLY` characters in all.
    pub(super) async fn say(&mut self, piece: &str) {
        let room = super::MAX_REPLY.saturating_sub(self.text_chars);
        if room == 0 {
            return;
        }
        let piece: String = piece.chars().take(room).collect();
        let piece = piece.as_str();
        self.text_chars += piece.chars().count();
        self.text.push_str(piece);
        self.send(ChatEvent::Token(Piece {
            text: piece.to_owned(),
        }));
        self.unsaved = true;
        if self.saved_at.elapsed() >= SAVE_EVERY {
            self.save_progress().await;
        }
    }

    /// Saves the text so far of a reply still being written.
    pub(super) async fn save_progress(&mut self) {
        self.saved_at = Instant::now();
        self.unsaved = false;
        let saved = async {
            let mut conn = db::conn(&self.state.pool).await?;
            store::save_progress(&mut conn, self.message_id, &self.text).await
        }
        .await;
        if let Err(e) = saved {
            tracing::warn!(message_id = self.message_id, error = %e, "could not save a reply's progress");
        }
    }

    /// Saves the final reply and records the turn; a failure is logged (the reply was sent).
    pub(super) async fn finish(&self, status: MessageStatus, tier: Tier, error: Option<&str>) {
        let saved = async {
            let mut conn = db::conn(&self.state.pool).await?;
            store::finish_reply(&mut conn, self.message_id, &self.text, status, tier, error).await
        }
        .await;
        if let Err(e) = saved {
            tracing::error!(message_id = self.message_id, error = %e, "could not save the reply");
        }
    }

    /// Carries out an action; a change commits together with its undo record (or neither
    /// does), then shows as a card. Returns the sentence saying what happened.
    pub(super) async fn act(&mut self, action: Action) -> Result<String, ActionError> {
        let (user, message_id) = (&self.user, self.message_id);
        let source = self.channel.source();
        let done = self
            .state
            .write(async |tx| {
                // Asked back or refused: nothing was written, and that is not a failure.
                let outcome = match actions::perform(tx, user, action, source).await {
                    Ok(outcome) => outcome,
                    Err(ActionError::App(e)) => return Err(e),
                    Err(other) => return Ok(Err(other)),
                };
                let Some(change) = &outcome.change else {
                    return Ok(Ok((outcome, None)));
                };
                let undo = serde_json::to_value(&change.undo).map_err(|_| AppError::Internal)?;
                let card = store::insert_action(
                    tx.conn(),
                    user.id,
                    message_id,
                    change.kind,
                    &change.summary,
                    undo,
                )
                .await?;
                Ok(Ok((outcome, Some(card))))
            })
            .await?;
        let (outcome, card) = done?;
        if let (Some(change), Some(card)) = (outcome.change, card) {
            self.changes.push((card.id, change.undo));
            self.send(ChatEvent::Action(card));
        }
        Ok(outcome.reply)
    }

    /// Undoes every change of a failed turn, newest first.
    pub(super) async fn take_back(&mut self) {
        for (id, undo) in std::mem::take(&mut self.changes).into_iter().rev() {
            let user = &self.user;
            let result = self
                .state
                .write(async |tx| {
                    if store::claim_undo(tx.conn(), user.id, id).await?.is_some() {
                        actions::undo(tx, user, undo).await?;
                    }
                    Ok(())
                })
                .await;
            if let Err(e) = result {
                tracing::error!(action_id = id, error = %e, "could not take back a failed turn's change");
            }
        }
    }

    /// Records a request to a model and adds its cost to the turn's.
    pub(super) async fn record_call(&mut self, llm: &Llm, call: Call<'_>) {
        let Call {
            tier,
            model,
            endpoint,
            tokens: (input, output),
            latency,
            outcome,
        } = call;
        let cost = llm.prices().cost_microusd(model, input, output);
        self.cost_microusd += cost;
        let call = NewModelCall {
            user_id: self.user.id,
            conversation_id: Some(self.conversation_id),
            tier: tier.as_str().to_owned(),
            model: model.to_owned(),
            endpoint: endpoint.to_owned(),
            input_tokens: i32::try_from(input).unwrap_or(i32::MAX),
            output_tokens: i32::try_from(output).unwrap_or(i32::MAX),
            cost_microusd: cost,
            latency_ms: i32::try_from(latency.as_millis()).unwrap_or(i32::MAX),
            outcome: outcome.to_owned(),
        };
        let recorded = async {
            let mut conn = db::conn(&self.state.pool).await?;
            store::insert_model_call(&mut conn, &call).await
        }
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record a model call");
        }
    }
}
