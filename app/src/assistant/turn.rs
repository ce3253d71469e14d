//! One turn of a conversation: the user's message is stored, then the reply is written on its
//! own task (so a closed tab or a reload loses nothing) while its events stream to whoever
//! asked. Rules first, then the cheap model, then the premium one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestToolMessage, ChatCompletionStreamOptions, CreateChatCompletionRequest,
    FunctionCall,
};
use chrono::Datelike;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::actions::{self, Action, Undo};
use super::llm::{self, Llm, LlmError, LlmSettings, ModelTier};
use super::model::{
    ChatEvent, MessageStatus, Piece, Role, Tier, TurnDone, TurnFailed, TurnStarted, usd,
};
use super::store::{self, NewModelCall};
use super::{prompt, rules, tools};
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::events::model::Source;
use crate::state::AppState;

/// The longest message a user may send.
pub const MAX_MESSAGE: usize = 4000;
/// Messages of the conversation the model sees.
const HISTORY: i64 = 20;
/// Model requests in one turn (each tool round is one).
const MAX_ROUNDS: usize = 5;
/// How often a streaming reply's text is saved, so a reload shows it.
const SAVE_EVERY: Duration = Duration::from_millis(500);
/// How often a running turn marks its reply as still being written.
const TOUCH_EVERY: Duration = Duration::from_secs(20);
/// A reply neither saved nor touched for this long was left by a process that stopped.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(120);

pub const NO_MODEL: &str = "I can handle things like “lunch with Sam tomorrow at 1pm”, “spent $12 on lunch” or “what's on Friday?”, but no language model is configured, so I can't answer anything else.";

/// The assistant's settings and the turns running in this process.
pub struct Assistant {
    llm: Option<Llm>,
    budget_microusd: i64,
    running: Mutex<HashMap<i64, (i64, CancellationToken)>>,
}

/// A turn that has begun: its ids, and its events as they happen.
pub struct Started {
    pub conversation_id: i64,
    pub message_id: i64,
    pub events: mpsc::UnboundedReceiver<ChatEvent>,
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

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (i64, CancellationToken)>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the message and an empty reply, then writes the reply on its own task.
    pub async fn start(
        self: &Arc<Self>,
        state: &AppState,
        user: &User,
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
        let mut conn = db::conn(&state.pool).await?;
        let conversation_id = match conversation_id {
            Some(id) => id,
            None => {
                store::create_conversation(&mut conn, user.id, &title_for(text), now)
                    .await?
                    .id
            }
        };
        let message_id =
            store::insert_exchange(&mut conn, user.id, conversation_id, text, now).await?;
        drop(conn);

        let cancel = CancellationToken::new();
        self.running().insert(message_id, (user.id, cancel.clone()));
        let (tx, events) = mpsc::unbounded_channel();
        let _ = tx.send(ChatEvent::Start(TurnStarted {
            conversation_id,
            message_id,
        }));
        let turn = Turn {
            state: state.clone(),
            user: user.clone(),
            conversation_id,
            message_id,
            events: tx,
            cancel,
            text: String::new(),
            saved_at: Instant::now(),
            unsaved: false,
            changes: Vec::new(),
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

    /// Stops a reply being written; false when it is not running (or not the user's).
    pub fn stop(&self, user_id: i64, message_id: i64) -> bool {
        match self.running().get(&message_id) {
            Some((owner, cancel)) if *owner == user_id => {
                cancel.cancel();
                true
            }
            _ => false,
        }
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
                    cost_usd: usd(turn.cost_microusd),
                }));
            }
            Err((tier, failure)) => {
                let (code, message) = describe(&failure);
                tracing::warn!(
                    user_id = turn.user.id,
                    message_id = turn.message_id,
                    code,
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

    /// Answers `message`; returns who answered, or who failed and why.
    async fn answer(
        &self,
        turn: &mut Turn,
        message: &str,
    ) -> Result<(Tier, MessageStatus), (Tier, Failure)> {
        let state = turn.state.clone();
        let user = turn.user.clone();
        if let Some(action) = rules::understand(message, &user, state.now()) {
            let reply = match turn.act(action).await {
                Ok(reply) => reply,
                Err(e @ (AppError::Unavailable | AppError::Internal)) => {
                    return Err((Tier::Rules, e.into()));
                }
                Err(e) => sentence(&e),
            };
            turn.say(&reply).await;
            return Ok((Tier::Rules, MessageStatus::Done));
        }
        let Some(llm) = &self.llm else {
            turn.say(NO_MODEL).await;
            return Ok((Tier::None, MessageStatus::Done));
        };
        let spent = month_cost(&state, &user)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        if spent >= self.budget_microusd {
            turn.say(&format!(
                "You've used this month's budget for the language model (${}), so I can only \
                 handle simple requests like “lunch with Sam tomorrow at 1pm” until next month.",
                usd(self.budget_microusd)
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            ))
            .await;
            return Ok((Tier::None, MessageStatus::Done));
        }
        let history = history(&state, turn)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        let system = prompt::system(&state, &user)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        let start_premium = prompt::is_complex(message, history.len());
        let messages = prompt::messages(system, history);
        if !start_premium {
            match self
                .converse(llm, turn, ModelTier::Cheap, messages.clone())
                .await
            {
                Ok(status) => return Ok((Tier::Cheap, status)),
                // A failed cheap try that said and did nothing hands over to the premium model,
                // unless the account itself is refused.
                Err(Failure::Escalate) => {}
                Err(Failure::Llm(e)) if turn.untouched() && e != LlmError::Quota => {
                    tracing::info!(error = %e, "cheap model failed; trying the premium one");
                }
                Err(failure) => return Err((Tier::Cheap, failure)),
            }
        }
        self.converse(llm, turn, ModelTier::Premium, messages)
            .await
            .map(|status| (Tier::Premium, status))
            .map_err(|failure| (Tier::Premium, failure))
    }

    /// Talks with one model until it answers without tools.
    async fn converse(
        &self,
        llm: &Llm,
        turn: &mut Turn,
        tier: ModelTier,
        mut messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<MessageStatus, Failure> {
        let tz = turn.user.tz();
        for _ in 0..MAX_ROUNDS {
            let request = CreateChatCompletionRequest {
                messages: messages.clone(),
                tools: Some(tools::definitions(tier == ModelTier::Cheap)),
                stream: Some(true),
                stream_options: Some(ChatCompletionStreamOptions {
                    include_usage: Some(true),
                    include_obfuscation: None,
                }),
                ..Default::default()
            };
            let round = match self.round(llm, turn, tier, &request).await? {
                Round::Stopped => return Ok(MessageStatus::Stopped),
                Round::Said => return Ok(MessageStatus::Done),
                Round::Calls { text, calls } => (text, calls),
            };
            let (text, calls) = round;
            if tier == ModelTier::Cheap
                && turn.untouched()
                && calls.iter().any(|c| c.name == tools::ESCALATE)
            {
                return Err(Failure::Escalate);
            }
            messages.push(ChatCompletionRequestMessage::Assistant(
                ChatCompletionRequestAssistantMessage {
                    content: (!text.is_empty()).then(|| text.into()),
                    tool_calls: Some(
                        calls
                            .iter()
                            .map(|c| {
                                ChatCompletionMessageToolCalls::Function(
                                    ChatCompletionMessageToolCall {
                                        id: c.id.clone(),
                                        function: FunctionCall {
                                            name: c.name.clone(),
                                            arguments: c.arguments.clone(),
                                        },
                                    },
                                )
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
            ));
            for call in calls {
                let result = if call.name == tools::ESCALATE {
                    "Carry on yourself.".to_owned()
                } else {
                    match tools::action(&call.name, &call.arguments, tz) {
                        Ok(action) => match turn.act(action).await {
                            Ok(reply) => reply,
                            Err(e @ (AppError::Unavailable | AppError::Internal)) => {
                                return Err(e.into());
                            }
                            Err(e) => format!("Error: {e}"),
                        },
                        Err(e) => format!("Error: {e}"),
                    }
                };
                messages.push(ChatCompletionRequestMessage::Tool(
                    ChatCompletionRequestToolMessage {
                        content: result.into(),
                        tool_call_id: call.id,
                    },
                ));
            }
        }
        turn.say("\n\n(I stopped after several steps; tell me if there is more to do.)")
            .await;
        Ok(MessageStatus::Done)
    }

    /// One model request: streams its text out and returns any tool calls.
    async fn round(
        &self,
        llm: &Llm,
        turn: &mut Turn,
        tier: ModelTier,
        request: &CreateChatCompletionRequest,
    ) -> Result<Round, Failure> {
        let mut failed = Vec::new();
        let opened = tokio::select! {
            biased;
            () = turn.cancel.cancelled() => return Ok(Round::Stopped),
            opened = llm.open(tier, request, &mut failed) => opened,
        };
        for attempt in &failed {
            turn.record_call(
                llm,
                Call {
                    tier,
                    model: &attempt.model,
                    endpoint: attempt.endpoint,
                    tokens: (0, 0),
                    latency: attempt.latency,
                    outcome: attempt.error.outcome(),
                },
            )
            .await;
        }
        let mut opened = opened.map_err(Failure::Llm)?;
        let mut calls = llm::wire::ToolCalls::default();
        let mut text = String::new();
        let mut finish: Option<String> = None;
        let mut usage = None;
        let ended = loop {
            let next = tokio::select! {
                biased;
                () = turn.cancel.cancelled() => Next::Stop,
                // A pause in the stream: save what has come so far, for a reload to show.
                () = tokio::time::sleep(SAVE_EVERY), if turn.unsaved => Next::Save,
                next = tokio::time::timeout(llm.timeout(), opened.stream.next()) => {
                    next.map_or(Next::Idle, Next::Item)
                }
            };
            let item = match next {
                Next::Stop => break Err(None),
                Next::Save => {
                    turn.save_progress().await;
                    continue;
                }
                Next::Idle => break Err(Some(LlmError::Truncated)),
                Next::Item(None) => break Ok(()),
                Next::Item(Some(item)) => item,
            };
            let chunk = match llm::chunk(item) {
                Ok(chunk) => chunk,
                Err(e) => break Err(Some(e)),
            };
            usage = chunk.usage.or(usage);
            for choice in chunk.choices {
                if let Some(piece) = choice.delta.content.filter(|p| !p.is_empty()) {
                    text.push_str(&piece);
                    turn.say(&piece).await;
                }
                for piece in choice.delta.tool_calls {
                    calls.add(piece);
                }
                if choice.finish_reason.is_some() {
                    finish = choice.finish_reason;
                }
            }
        };
        // Dropping the stream closes the connection to the model.
        drop(opened.stream);
        let latency = opened.started.elapsed();
        let tokens = usage.map_or_else(
            // Cut off before the usage chunk: estimate at four characters a token.
            || {
                (
                    estimate(&serde_json::to_string(request).unwrap_or_default()),
                    estimate(&text),
                )
            },
            |u| (u.prompt_tokens, u.completion_tokens),
        );
        let outcome = match &ended {
            Err(None) => "stopped",
            Err(Some(e)) => e.outcome(),
            Ok(()) if finish.is_none() => "truncated",
            Ok(()) => "ok",
        };
        turn.record_call(
            llm,
            Call {
                tier,
                model: &opened.model,
                endpoint: opened.endpoint,
                tokens,
                latency,
                outcome,
            },
        )
        .await;
        match ended {
            Err(None) => Ok(Round::Stopped),
            Err(Some(e)) => Err(Failure::Llm(e)),
            // A stream that ends without saying why was cut off.
            Ok(()) if finish.is_none() => Err(Failure::Llm(LlmError::Truncated)),
            Ok(()) if calls.is_empty() => Ok(Round::Said),
            Ok(()) => Ok(Round::Calls {
                text,
                calls: calls.into_vec(),
            }),
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

/// What woke a streaming round.
enum Next {
    Item(Option<Result<llm::wire::Chunk, async_openai::error::OpenAIError>>),
    Idle,
    Stop,
    Save,
}

/// One request to a model, as recorded.
struct Call<'a> {
    tier: ModelTier,
    model: &'a str,
    endpoint: &'static str,
    /// Input and output tokens.
    tokens: (u32, u32),
    latency: Duration,
    outcome: &'a str,
}

enum Round {
    Stopped,
    Said,
    Calls {
        text: String,
        calls: Vec<llm::wire::ToolCall>,
    },
}

fn estimate(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
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

/// An operation's refusal as a reply: its own words when it speaks to the user ("I couldn't
/// find an event matching “x”"), otherwise the field and the problem.
fn sentence(e: &AppError) -> String {
    let said = match e {
        AppError::Invalid(fields) => fields
            .iter()
            .map(|f| {
                if f.message.starts_with("I ") || f.message.starts_with("several") {
                    f.message.clone()
                } else {
                    format!("Sorry, I couldn't do that: {}: {}", f.field, f.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => format!("Sorry, I couldn't do that: {other}"),
    };
    let mut said = match said.strip_prefix("several") {
        Some(rest) => format!("Several{rest}"),
        None => said,
    };
    if !said.ends_with(['.', '?', '!']) {
        said.push('.');
    }
    said
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
        Failure::Llm(e) => (e.code(), format!("Sorry, {e}. {nothing} Please try again.")),
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

async fn history(state: &AppState, turn: &Turn) -> Result<Vec<(Role, String)>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::history(&mut conn, turn.conversation_id, turn.message_id, HISTORY).await
}

/// The reply being written.
struct Turn {
    state: AppState,
    user: User,
    conversation_id: i64,
    message_id: i64,
    events: mpsc::UnboundedSender<ChatEvent>,
    cancel: CancellationToken,
    text: String,
    saved_at: Instant,
    /// Text has come since the last save.
    unsaved: bool,
    /// Changes made so far (action id, how to undo), to take back if the turn fails.
    changes: Vec<(i64, Undo)>,
    cost_microusd: i64,
}

impl Turn {
    fn send(&self, event: ChatEvent) {
        // Whoever asked may have gone; the reply is written and stored all the same.
        let _ = self.events.send(event);
    }

    /// Nothing said or done yet.
    fn untouched(&self) -> bool {
        self.text.is_empty() && self.changes.is_empty()
    }

    /// Adds text to the reply and sends it on.
    async fn say(&mut self, piece: &str) {
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
    async fn save_progress(&mut self) {
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
    async fn finish(&self, status: MessageStatus, tier: Tier, error: Option<&str>) {
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
    async fn act(&mut self, action: Action) -> Result<String, AppError> {
        let (user, message_id) = (&self.user, self.message_id);
        let (outcome, card) = self
            .state
            .write(async |tx| {
                let outcome = actions::perform(tx, user, action, Source::Chat).await?;
                let Some(change) = &outcome.change else {
                    return Ok((outcome, None));
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
                Ok((outcome, Some(card)))
            })
            .await?;
        if let (Some(change), Some(card)) = (outcome.change, card) {
            self.changes.push((card.id, change.undo));
            self.send(ChatEvent::Action(card));
        }
        Ok(outcome.reply)
    }

    /// Undoes every change of a failed turn, newest first.
    async fn take_back(&mut self) {
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
    async fn record_call(&mut self, llm: &Llm, call: Call<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(title_for("lunch w/ Sam\nand more"), "lunch w/ Sam");
        assert_eq!(title_for(&"a".repeat(70)).chars().count(), 61);
    }

    #[test]
    fn refusals_read_as_sentences() {
        let e = AppError::invalid("event", "I couldn't find an event matching “dentist”");
        assert_eq!(sentence(&e), "I couldn't find an event matching “dentist”.");
        let e = AppError::invalid("amount", "must be above zero");
        assert_eq!(
            sentence(&e),
            "Sorry, I couldn't do that: amount: must be above zero."
        );
    }
}
