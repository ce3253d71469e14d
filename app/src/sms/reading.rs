//! Reading texts with the assistant, as two jobs:
//!
//! 1. `sms_read`, one per message, due when its batch window closes: if no later message from
//!    the number is still within its window, the unread messages are read together as one
//!    turn (recorded, with the job that answers it, in the job's own transaction: exactly
//!    once);
//! 2. `sms_turn` answers it in the user's SMS conversation (the chat page shows it) and queues
//!    the reply, holding no connection while the assistant works. The turn is claimed before
//!    the assistant acts, so an attempt that follows a crash never acts twice: it sends what
//!    the first attempt wrote, or says that it lost track.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keywords::{self, Keyword};
use super::outbox::{self, Purpose};
use super::store;
use crate::assistant::model::Channel;
use crate::assistant::wording;
use crate::auth::model::{AccountStatus, User};
use crate::db::notify::Notice;
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::jobs::queue::{Claimed, NewJob, add};
use crate::jobs::worker::{Alone, Handler, JobError};
use crate::state::AppState;

pub const READ: &str = "sms_read";
pub const TURN: &str = "sms_turn";
/// A number that keeps texting is read at the latest this many windows after its first unread
/// message.
const LONGEST_BATCH: u32 = 5;
pub const UNDO_HINT: &str = "Reply UNDO to remove.";
const LOST: &str = "Sorry, I lost track of your last message. The chat page shows what was done.";
const CONVERSATION_TITLE: &str = "Text messages";

#[derive(Debug, Serialize, Deserialize)]
struct ReadPayload {
    from: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TurnPayload {
    turn_id: i64,
}

fn payload<T: for<'de> Deserialize<'de>>(job: &Claimed) -> Result<T, JobError> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Failed(format!("unreadable payload: {e}")))
}

/// The job that reads the message `message_sid` from `from` (with any around it) at `at`.
pub fn read_job(message_sid: &str, from: &str, at: DateTime<Utc>) -> NewJob {
    NewJob::new(
        READ,
        serde_json::json!(ReadPayload {
            from: from.to_owned()
        }),
    )
    .key(format!("{READ}:{message_sid}"))
    .run_at(at)
}

/// Reads a number's unread messages as one turn once its batch window closed.
pub struct Read;

#[async_trait::async_trait]
impl Handler for Read {
    async fn run(&self, state: &AppState, tx: &mut Tx, job: &Claimed) -> Result<(), JobError> {
        let ReadPayload { from } = payload(job)?;
        let window = state.settings.sms.batch;
        let micros = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
        let unread = store::lock_unread(tx.conn(), &from, micros).await?;
        let (Some(first), Some(last)) = (unread.first(), unread.last()) else {
            return Ok(()); // read with an earlier message's batch
        };
        let longest = chrono::Duration::from_std(window * LONGEST_BATCH).unwrap_or_default();
        if last.window_open && Utc::now() - first.received_at < longest {
            return Ok(()); // the last message's own job reads them all
        }
        let text = unread
            .iter()
            .map(|m| m.body.trim())
            .filter(|b| !b.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let sids: Vec<String> = unread.iter().map(|m| m.message_sid.clone()).collect();
        let turn_id = store::insert_turn(
            tx.conn(),
            last.user_id,
            &from,
            &text,
            last.received_at,
            &sids,
        )
        .await?;
        add(
            tx,
            &[
                NewJob::new(TURN, serde_json::json!(TurnPayload { turn_id }))
                    .key(format!("{TURN}:{turn_id}"))
                    .max_attempts(3),
            ],
        )
        .await?;
        Ok(())
    }
}

/// Answers a turn and queues the reply. It runs without the job's transaction (a model may
/// take seconds to answer, and no connection waits meanwhile): the turn is claimed before the
/// assistant acts, and the reply is queued with the turn marked answered, once.
pub struct Answer;

#[async_trait::async_trait]
impl Alone for Answer {
    async fn run(&self, state: &AppState, job: &Claimed) -> Result<(), JobError> {
        let TurnPayload { turn_id } = payload(job)?;
        let (turn, user, claimed) = {
            let mut conn = db::conn(&state.pool).await?;
            let Some(turn) = store::turn(&mut conn, turn_id).await? else {
                return Ok(());
            };
            if turn.replied {
                return Ok(());
            }
            let user = crate::auth::store::find(&mut conn, turn.user_id).await?;
            if user.status != AccountStatus::Active {
                return Ok(());
            }
            let claimed = store::claim_turn(&mut conn, turn_id).await?;
            (turn, user, claimed)
        };
        let reply = if claimed {
            answer(state, &user, turn_id, &turn.text).await?
        } else {
            // An earlier attempt began this turn and stopped: never act twice.
            earlier_reply(state, turn_id).await?
        };
        if reply.is_empty() {
            return Ok(());
        }
        let not_before = (state.settings.sms.batch.is_zero())
            .then(|| {
                chrono::Duration::from_std(state.settings.sms.reply_wait)
                    .ok()
                    .map(|wait| turn.last_received_at + wait)
            })
            .flatten();
        state
            .write(async |tx| {
                if !store::set_turn_replied(tx.conn(), turn_id).await? {
                    return Ok(()); // another attempt queued it
                }
                outbox::queue(
                    tx,
                    state,
                    outbox::Message {
                        user_id: Some(user.id),
                        to: &turn.from_number,
                        body: &reply,
                        purpose: Purpose::Reply,
                        sms_turn_id: Some(turn_id),
                        not_before,
                    },
                )
                .await?;
                tx.notify(Notice::SmsReplies);
                Ok(())
            })
            .await?;
        Ok(())
    }
}

/// What an earlier attempt at turn `turn_id` wrote, if it finished writing.
async fn earlier_reply(state: &AppState, turn_id: i64) -> Result<String, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let message_id = store::turn(&mut conn, turn_id)
        .await?
        .and_then(|t| t.message_id);
    let stored = match message_id {
        Some(id) => store::reply_text(&mut conn, id).await?,
        None => None,
    };
    Ok(match stored {
        Some((status, content)) if status == "done" => wording::for_channel(Channel::Sms, &content),
        _ => LOST.to_owned(),
    })
}

/// The assistant's reply to `text`, worded for SMS (or what UNDO did).
async fn answer(
    state: &AppState,
    user: &User,
    turn_id: i64,
    text: &str,
) -> Result<String, AppError> {
    let conversation = conversation(state, user).await?;
    match keywords::of(text) {
        Some(Keyword::Undo) => return undo_last(state, user, conversation).await,
        Some(keyword @ (Keyword::Accept | Keyword::Decline)) => {
            let accept = keyword == Keyword::Accept;
            let said = match crate::invitations::ops::answer(state, user, None, accept).await {
                Ok(said) => said,
                Err(e @ (AppError::Unavailable | AppError::Internal)) => return Err(e),
                Err(e) => wording::refusal(&e),
            };
            return Ok(wording::for_channel(Channel::Sms, &said));
        }
        _ => {}
    }
    let started = state
        .assistant
        .start(state, user, Channel::Sms, Some(conversation), text)
        .await?;
    {
        let mut conn = db::conn(&state.pool).await?;
        store::set_turn_message(&mut conn, turn_id, started.message_id).await?;
    }
    let reply = started.to_end(Channel::Sms).await;
    let changed = reply.outcome.is_ok() && !reply.actions.is_empty();
    Ok(if changed {
        wording::sms_with_footer(&reply.text, UNDO_HINT)
    } else {
        reply.text
    })
}

/// The conversation `user`'s texts go to, made when there is none.
async fn conversation(state: &AppState, user: &User) -> Result<i64, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    if let Some(id) = store::sms_conversation(&mut conn, user.id).await? {
        return Ok(id);
    }
    let id = crate::assistant::store::create_conversation(
        &mut conn,
        user.id,
        CONVERSATION_TITLE,
        state.now(),
    )
    .await?
    .id;
    store::set_sms_conversation(&mut conn, user.id, id).await?;
    Ok(id)
}

/// Takes back the last change made by text.
async fn undo_last(state: &AppState, user: &User, conversation: i64) -> Result<String, AppError> {
    let last = {
        let mut conn = db::conn(&state.pool).await?;
        store::last_undoable(&mut conn, user.id, conversation).await?
    };
    let Some(action) = last else {
        return Ok("There's nothing to undo.".to_owned());
    };
    let said = match crate::assistant::ops::undo(state, user, action).await {
        Ok(said) => said,
        Err(e @ (AppError::Unavailable | AppError::Internal)) => return Err(e),
        Err(e) => wording::refusal(&e),
    };
    Ok(wording::for_channel(Channel::Sms, &said))
}
