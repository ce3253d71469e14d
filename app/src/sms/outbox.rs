//! Every message Aida sends: a row, queued in the transaction of what caused it, and a job
//! that hands it to Twilio. Nothing is sent to a number that opted out; a retry after a crash
//! or an unanswered call first asks Twilio whether the message already went out, so a message
//! goes out once. Without Twilio configured, messages stay in the outbox as `unsent`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::twilio::{OPTED_OUT, SendError};
use super::{segments, store};
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::jobs::queue::{Claimed, NewJob, add};
use crate::jobs::worker::{Handler, JobError};
use crate::state::AppState;

/// The job kind that sends one message.
pub const SEND: &str = "sms_send";
/// Attempts before a message is marked failed: backoff doubles from 2 s, so the last is
/// about two hours after the first.
const ATTEMPTS: i32 = 13;

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Reply,
    Code,
    SignupHint,
    Help,
    Reminder,
    Invitation,
    Notice,
    /// About a booking a caller made: to the owner, or the caller's confirmation.
    Booking,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Code => "code",
            Self::SignupHint => "signup_hint",
            Self::Help => "help",
            Self::Reminder => "reminder",
            Self::Invitation => "invitation",
            Self::Notice => "notice",
            Self::Booking => "booking",
        }
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// Whose it is (counted in their usage), if anyone's.
    pub user_id: Option<i64>,
    pub to: &'a str,
    pub body: &'a str,
    pub purpose: Purpose,
    /// The turn it answers, when it is a reply.
    pub sms_turn_id: Option<i64>,
    /// Not sent before then (a webhook may still give it in its own answer).
    pub not_before: Option<DateTime<Utc>>,
}

impl<'a> Message<'a> {
    /// A text sent at once, answering no turn.
    pub fn new(user_id: Option<i64>, to: &'a str, body: &'a str, purpose: Purpose) -> Self {
        Self {
            user_id,
            to,
            body,
            purpose,
            sms_turn_id: None,
            not_before: None,
        }
    }
}

/// What a message costs: its segments, and their price.
pub fn cost(state: &AppState, body: &str) -> (i32, i64) {
    let segments = i32::try_from(segments::count(body)).unwrap_or(i32::MAX);
    (
        segments,
        i64::from(segments) * state.settings.sms.segment_price_microusd,
    )
}

/// Queues `message` in `tx`: it is sent only if `tx` commits. Returns its id.
pub async fn queue(tx: &mut Tx, state: &AppState, message: Message<'_>) -> Result<i64, AppError> {
    let opted_out = store::is_opted_out(tx.conn(), message.to).await?;
    let (segments, cost_microusd) = cost(state, message.body);
    let id = store::insert_outgoing(
        tx.conn(),
        &store::NewOutgoing {
            user_id: message.user_id,
            to: message.to,
            body: message.body,
            purpose: message.purpose.as_str(),
            sms_turn_id: message.sms_turn_id,
            segments,
            cost_microusd: if opted_out { 0 } else { cost_microusd },
            state: if opted_out { "opted_out" } else { "queued" },
        },
    )
    .await?;
    if !opted_out {
        let mut job = NewJob::new(SEND, serde_json::json!(Payload { id }))
            .key(format!("{SEND}:{id}"))
            .max_attempts(ATTEMPTS);
        if let Some(at) = message.not_before {
            job = job.run_at(at);
        }
        add(tx, &[job]).await?;
    }
    Ok(id)
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    id: i64,
}

/// Sends one queued message.
pub struct Send;

#[async_trait::async_trait]
impl Handler for Send {
    async fn run(&self, state: &AppState, tx: &mut Tx, job: &Claimed) -> Result<(), JobError> {
        let Payload { id } = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Failed(format!("unreadable payload: {e}")))?;
        // Committed at once, before the call: see `store::mark_tried`.
        let tried = {
            let mut conn = db::conn(&state.pool).await?;
            store::mark_tried(&mut conn, id).await?
        };
        let Some((first_tried, again)) = tried else {
            return Ok(()); // given in a webhook's answer, or gone
        };
        let Some(message) = store::lock_outgoing(tx.conn(), id).await? else {
            return Ok(());
        };
        if message.state != "queued" {
            return Ok(());
        }
        if store::is_opted_out(tx.conn(), &message.to_number).await? {
            store::set_outgoing(tx.conn(), id, "opted_out", None, None).await?;
            return Ok(());
        }
        let Some(twilio) = &state.twilio else {
            store::set_outgoing(tx.conn(), id, "unsent", None, None).await?;
            return Ok(());
        };
        let status_callback = format!("{}/webhooks/twilio/status", state.settings.public_url);
        let earlier = if again {
            twilio
                .find_sent(&message.to_number, &message.body, first_tried)
                .await
        } else {
            Ok(None)
        };
        let sent = match earlier {
            Ok(Some(sent)) => {
                tracing::info!(
                    id,
                    sid = sent.sid,
                    "an earlier attempt had sent this message"
                );
                Ok(sent)
            }
            Ok(None) => {
                twilio
                    .send(&message.to_number, &message.body, Some(&status_callback))
                    .await
            }
            Err(e) => Err(e),
        };
        match sent {
            Ok(sent) => store::set_outgoing(tx.conn(), id, "sent", Some(&sent.sid), None).await?,
            Err(SendError::OptedOut) => {
                store::opt_out(tx.conn(), &message.to_number).await?;
                let said = SendError::OptedOut.to_string();
                store::set_outgoing(tx.conn(), id, "opted_out", None, Some((OPTED_OUT, &said)))
                    .await?;
            }
            Err(SendError::Refused { code, message: m }) => {
                tracing::warn!(id, code, "Twilio refused a message");
                store::set_outgoing(tx.conn(), id, "failed", None, Some((code, &m))).await?;
            }
            Err(e) if job.attempt < job.max_attempts => {
                return Err(JobError::Failed(e.to_string()));
            }
            Err(e) => {
                tracing::error!(id, error = %e, "a message could not be sent; giving up");
                store::set_outgoing(tx.conn(), id, "failed", None, Some((0, &e.to_string())))
                    .await?;
            }
        }
        Ok(())
    }
}

/// A delivery status Twilio reported for a message it sent to `to`; false when no message
/// has that id. A recipient who opted out (21610) is sent nothing more.
pub async fn status(
    state: &AppState,
    twilio_sid: &str,
    status: &str,
    error_code: Option<i32>,
    to: Option<&str>,
) -> Result<bool, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    if let (Some(OPTED_OUT), Some(to)) = (error_code, to) {
        store::opt_out(&mut conn, to).await?;
    }
    let state_name = match status {
        "queued" | "accepted" | "scheduled" => "queued",
        "sending" | "sent" => "sent",
        "delivered" | "read" => "delivered",
        "undelivered" => "undelivered",
        "failed" | "canceled" => "failed",
        _ => return Ok(true),
    };
    store::apply_status(&mut conn, twilio_sid, state_name, error_code).await
}

/// Whether `number` opted out of texts.
pub async fn is_opted_out(
    conn: &mut diesel_async::AsyncPgConnection,
    number: &str,
) -> Result<bool, AppError> {
    store::is_opted_out(conn, number).await
}
