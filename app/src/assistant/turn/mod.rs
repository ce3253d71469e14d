//! One turn of a conversation: the user's message is stored, then the reply is written on its
//! own task (so a closed tab or a reload loses nothing) while its events stream to whoever
//! asked. A turn is started for a channel (the chat page, the API, SMS, voice), which picks
//! how the reply reads (`wording`) and is the source of what it makes.
//!
//! - `tiers`: who answers: the rules first, then the cheap model, then the premium one;
//! - `stream`: talking with a model: the streamed rounds and the tool loop;
//! - `reply`: the reply being written: its text, its actions (each committed with its undo
//!   record), saving it, taking a failed turn's changes back.

mod reply;
mod stream;
mod tiers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Datelike;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::llm::{Llm, LlmError, LlmSettings};
use super::model::{
    ActionCard, Channel, ChatEvent, MessageStatus, TurnDone, TurnFailed, TurnOutcome, TurnStarted,
    usd,
};
use super::{store, wording};
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use reply::Turn;

/// The longest message a user may send.
pub const MAX_MESSAGE: usize = 4000;
/// How often a streaming reply's text is saved, so a reload shows it.
const SAVE_EVERY: Duration = Duration::from_millis(500);
/// Longest reply kept, in characters (the column allows 100,000): what a model writes past it
/// is dropped, so a runaway reply can never fail to be stored.
pub const MAX_REPLY: usize = 40_000;
/// Most tokens a model may write in one request.
pub const MAX_COMPLETION_TOKENS: u32 = 2_000;
/// How often a running turn marks its reply as still being written.
const TOUCH_EVERY: Duration = Duration::from_secs(20);
/// A reply neither saved nor touched for this long was left by a process that stopped.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(120);

pub const NO_MODEL: &str = "I can handle things like “lunch with Sam tomorrow at 1pm”, “spent $12 on lunch” or “what's on Friday?”, but no language model is configured, so I can't answer anything else.";

/// The assistant's settings and the turns running in this process.
pub struct Assistant {
    llm: Option<Llm>,
    budget_microusd: i64,
    running: Mutex<HashMap<i64, CancellationToken>>,
}

/// A turn that has begun: its ids, and its events as they happen.
pub struct Started {
    pub conversation_id: i64,
    pub message_id: i64,
    pub events: mpsc::UnboundedReceiver<ChatEvent>,
}

impl Started {
    /// Waits for the turn's end; the whole reply, worded for `channel`.
    pub async fn to_end(mut self, channel: Channel) -> Reply {
        let mut said = String::new();
        let mut actions = Vec::new();
        let mut outcome = Err(TurnFailed {
            code: "internal".into(),
            message: AppError::Internal.to_string(),
        });
        while let Some(event) = self.events.recv().await {
            match event {
                ChatEvent::Start(_) => {}
                ChatEvent::Token(piece) => said.push_str(&piece.text),
                ChatEvent::Action(card) => actions.push(card),
                ChatEvent::Done(done) => outcome = Ok(done.outcome),
                ChatEvent::Error(failed) => outcome = Err(failed),
            }
        }
        let text = match &outcome {
            Ok(_) => wording::for_channel(channel, &said),
            Err(failed) => wording::for_channel(channel, &failed.message),
        };
        Reply {
            conversation_id: self.conversation_id,
            message_id: self.message_id,
            text,
            outcome,
            actions,
        }
    }
}

/// A turn run to its end, for doors that answer in one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub conversation_id: i64,
    pub message_id: i64,
    /// The whole reply, worded for the channel (on a failure, what went wrong).
    pub text: String,
    /// What the turn came to, or why it failed (then nothing it changed remains).
    pub outcome: Result<TurnOutcome, TurnFailed>,
    /// What it changed, each with its undo.
    pub actions: Vec<ActionCard>,
}

/// Why a turn did not finish.
#[derive(Debug)]
enum Failure {
    Llm(LlmError),
    App(AppError),
    /// The cheap model asked for the premium one.
    Escalate,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl Assistant {
    /// `llm` is `None` when no model is configured; the budget is per user and month.
    pub fn new(llm: Option<&LlmSettings>, budget_microusd: i64) -> Result<Self, String> {
        Ok(Self {
            llm: llm.map(Llm::new).transpose()?,
            budget_microusd,
            running: Mutex::new(HashMap::new()),
        })
    }

    pub fn budget_microusd(&self) -> i64 {
        self.budget_microusd
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, CancellationToken>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the message and an empty reply, then writes the reply on its own task.
    pub async fn start(
        self: &Arc<Self>,
        state: &AppState,
        user: &User,
        channel: Channel,
        conversation_id: Option<i64>,
        text: &str,
    ) -> Result<Started, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid("message", "write a message"));
        }
        if text.chars().count() > MAX_MESSAGE {
            return Err(AppError::invalid(
                "message",
                format!("use at most {MAX_MESSAGE} characters"),
            ));
        }
        let now = state.now();
        // A new conversation and its first exchange, or neither: one reply is written at a
        // time per user (`Busy` while another is).
        let mut tx = state.begin().await?;
        let conversation_id = match conversation_id {
            Some(id) => id,
            None => {
                store::create_conversation(tx.conn(), user.id, &title_for(text), now)
                    .await?
                    .id
            }
        };
        let message_id =
            store::insert_exchange(tx.conn(), user.id, conversation_id, text, now).await?;
        tx.commit().await?;

        let cancel = CancellationToken::new();
        self.running().insert(message_id, cancel.clone());
        let (tx, events) = mpsc::unbounded_channel();
        let _ = tx.send(ChatEvent::Start(TurnStarted {
            conversation_id,
            message_id,
        }));
        let turn = Turn {
            state: state.clone(),
            user: user.clone(),
            channel,
            conversation_id,
            message_id,
            events: tx,
            cancel,
            text: String::new(),
            text_chars: 0,
            saved_at: Instant::now(),
            unsaved: false,
            changes: Vec::new(),
            outcome: TurnOutcome::Answered,
            cost_microusd: 0,
        };
        let assistant = Arc::clone(self);
        let message = text.to_owned();
        let pool = state.pool.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = assistant.run(turn, message) => {}
                () = keep_alive(pool, message_id) => {}
            }
            assistant.running().remove(&message_id);
        });
        Ok(Started {
            conversation_id,
            message_id,
            events,
        })
    }

    /// Stops a reply this process is writing, if it is (see `ops::stop`, which checks whose
    /// it is and tells every process).
    pub fn cancel(&self, message_id: i64) {
        if let Some(cancel) = self.running().get(&message_id) {
            cancel.cancel();
        }
    }

    /// Runs a turn to its end and gives the whole reply, worded for `channel`; stored, counted
    /// and undoable like any other.
    pub async fn run_to_end(
        self: &Arc<Self>,
        state: &AppState,
        user: &User,
        channel: Channel,
        conversation_id: Option<i64>,
        text: &str,
    ) -> Result<Reply, AppError> {
        Ok(self
            .start(state, user, channel, conversation_id, text)
            .await?
            .to_end(channel)
            .await)
    }

    async fn run(&self, mut turn: Turn, message: String) {
        match self.answer(&mut turn, &message).await {
            Ok((tier, status)) => {
                turn.finish(status, tier, None).await;
                turn.send(ChatEvent::Done(TurnDone {
                    conversation_id: turn.conversation_id,
                    message_id: turn.message_id,
                    tier,
                    status,
                    outcome: turn.outcome.clone(),
                    cost_usd: usd(turn.cost_microusd),
                }));
            }
            Err((tier, failure)) => {
                let (code, message) = describe(&failure);
                tracing::warn!(
                    user_id = turn.user.id,
                    message_id = turn.message_id,
                    code,
                    error = ?failure,
                    "chat turn failed"
                );
                turn.take_back().await;
                turn.finish(MessageStatus::Failed, tier, Some(&message))
                    .await;
                turn.send(ChatEvent::Error(TurnFailed {
                    code: code.to_owned(),
                    message,
                }));
            }
        }
    }
}

/// Touches a reply while its turn runs, so that only the replies of a process that stopped
/// look abandoned (`store::fail_stale_replies`). Never returns.
async fn keep_alive(pool: db::Pool, message_id: i64) {
    let mut every = tokio::time::interval(TOUCH_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        let touched = async {
            let mut conn = db::conn(&pool).await?;
            store::touch_reply(&mut conn, message_id).await
        }
        .await;
        if let Err(e) = touched {
            tracing::warn!(message_id, error = %e, "could not mark a reply as still being written");
        }
    }
}

/// A new conversation's title: the start of its first message.
fn title_for(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text).trim();
    let mut title: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        title.push('…');
    }
    if title.is_empty() {
        "New chat".to_owned()
    } else {
        title
    }
}

fn describe(failure: &Failure) -> (&'static str, String) {
    let nothing = "Nothing was changed.";
    match failure {
        Failure::Llm(LlmError::Quota) => (
            LlmError::Quota.code(),
            format!(
                "The language model account has run out of credit, so I can only handle simple requests for now. {nothing}"
            ),
        ),
        Failure::Llm(e) => (
            e.code(),
            format!("Sorry, {}. {nothing} Please try again.", e.plain()),
        ),
        Failure::App(e) => ("unavailable", format!("Sorry, {e}.")),
        Failure::Escalate => (
            "model_unavailable",
            format!("Sorry, I could not answer that. {nothing}"),
        ),
    }
}

/// What the user's model calls cost this calendar month (in their timezone), in millionths
/// of a dollar.
pub async fn month_cost(state: &AppState, user: &User) -> Result<i64, AppError> {
    let tz = user.tz();
    let today = state.now().with_timezone(&tz).date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let mut conn = db::conn(&state.pool).await?;
    store::cost_since(&mut conn, user.id, crate::time::start_of_day(first, tz)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(title_for("lunch w/ Sam\nand more"), "lunch w/ Sam");
        assert_eq!(title_for(&"a".repeat(70)).chars().count(), 61);
    }
}
