//! A text message that came in (through Twilio's webhook, or the SMS page's simulator): what
//! is done with it, and what the webhook answers.
//!
//! Keywords (STOP, START, HELP) are handled at once. A message from an unknown number gets
//! one short answer a day saying how to sign up. A message from a user's verified phone is
//! stored once per `MessageSid` with the job that reads it when its batch window closes
//! (`reading`); the webhook answers at once, or, with no batching, waits briefly to give the
//! reply in its own answer.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::keywords::{self, Keyword};
use super::{reading, store, twiml};
use crate::db;
use crate::error::AppError;
use crate::jobs::queue::add;
use crate::state::AppState;

/// A message as Twilio posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub message_sid: String,
    pub from: String,
    pub body: String,
}

/// What a webhook waiting for a reply looks at between notices (they can be lost).
const LOOK_EVERY: Duration = Duration::from_millis(200);

pub fn help_text(state: &AppState) -> String {
    format!(
        "Aida: text things like \"lunch w/ Sam tmrw 1pm\" or \"spent $12 on lunch\". UNDO takes \
         back the last change; ACCEPT or DECLINE answers an invitation. STOP ends texts. Manage \
         your account at {}",
        state.settings.public_url
    )
}

fn sign_up_text(state: &AppState) -> String {
    format!(
        "This number isn't linked to an Aida account. Sign up at {}/sign-up and add your phone \
         in Settings.",
        state.settings.public_url
    )
}

/// Handles `message`; returns the TwiML to answer with.
pub async fn receive(state: &AppState, message: Incoming) -> Result<String, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    match keywords::of(&message.body) {
        Some(Keyword::OptOut) => {
            store::opt_out(&mut conn, &message.from).await?;
            tracing::info!("a number opted out of texts");
            return Ok(twiml::empty());
        }
        Some(Keyword::OptIn) => {
            store::opt_in(&mut conn, &message.from).await?;
            return Ok(twiml::empty());
        }
        Some(Keyword::Help) => {
            if store::is_opted_out(&mut conn, &message.from).await? {
                return Ok(twiml::empty());
            }
            return Ok(twiml::reply(&[&help_text(state)]));
        }
        Some(Keyword::Undo | Keyword::Accept | Keyword::Decline) | None => {}
    }
    let Some(user) = crate::auth::store::find_by_phone(&mut conn, &message.from).await? else {
        return unknown(state, &mut conn, &message.from).await;
    };
    drop(conn);
    let batch = state.settings.sms.batch;
    // Jobs run by the database's clock, which is the wall clock.
    let run_at = chrono::Utc::now() + chrono::Duration::from_std(batch).unwrap_or_default();
    let stored = state
        .write(async |tx| {
            let new = store::insert_inbound(
                tx.conn(),
                &message.message_sid,
                user.id,
                &message.from,
                &message.body,
            )
            .await?;
            if new {
                add(
                    tx,
                    &[reading::read_job(
                        &message.message_sid,
                        &message.from,
                        run_at,
                    )],
                )
                .await?;
            }
            Ok(new)
        })
        .await?;
    if !stored {
        tracing::info!("a message delivered again was ignored");
    }
    if batch.is_zero()
        && !state.settings.sms.reply_wait.is_zero()
        && let Some(reply) = wait_for_reply(state, &message.message_sid).await
    {
        return Ok(twiml::reply(&[&reply]));
    }
    Ok(twiml::empty())
}

/// One answer a day to a number no account has verified; only a hash of the number is kept.
async fn unknown(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    from: &str,
) -> Result<String, AppError> {
    if store::is_opted_out(conn, from).await? {
        return Ok(twiml::empty());
    }
    let hash = Sha256::digest(from.as_bytes());
    let today = state.now().date_naive();
    if store::note_unknown(conn, &hash, today).await? {
        Ok(twiml::reply(&[&sign_up_text(state)]))
    } else {
        Ok(twiml::empty())
    }
}

/// The reply to the turn that reads `message_sid`, taken for the webhook's answer if it is
/// ready within `reply_wait`.
async fn wait_for_reply(state: &AppState, message_sid: &str) -> Option<String> {
    let deadline = tokio::time::Instant::now() + state.settings.sms.reply_wait;
    loop {
        let ready = state.sms_replies.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        let taken = async {
            let mut conn = db::conn(&state.pool).await?;
            store::take_reply(&mut conn, message_sid).await
        }
        .await;
        match taken {
            Ok(Some(reply)) => return Some(reply),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot look for a reply to give in the webhook's answer");
                return None;
            }
        }
        let wake = deadline.min(tokio::time::Instant::now() + LOOK_EVERY);
        tokio::select! {
            () = &mut ready => {}
            () = tokio::time::sleep_until(wake) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
    }
}

/// Forgets which unknown numbers were answered before `day`.
pub async fn forget_unknown_before(
    tx: &mut crate::db::tx::Tx,
    day: chrono::NaiveDate,
) -> Result<usize, AppError> {
    store::prune_unknown(tx.conn(), day).await
}

/// What the SMS page's simulator texted as `from`: handled exactly as a text through the
/// webhook (under a made-up `MessageSid`); returns what the webhook would have answered at
/// once, and waits (up to the batch window and a few seconds) for a reply sent later.
pub async fn simulate(state: &AppState, from: &str, body: &str) -> Result<Vec<String>, AppError> {
    let before = {
        let mut conn = db::conn(&state.pool).await?;
        store::last_sent_to(&mut conn, from).await?
    };
    let sid = format!("SMsim{:029x}", rand::random::<u128>() >> 12);
    let answer = receive(
        state,
        Incoming {
            message_sid: sid,
            from: from.to_owned(),
            body: body.to_owned(),
        },
    )
    .await?;
    let said = twiml::messages(&answer);
    if !said.is_empty() {
        return Ok(said);
    }
    let deadline = tokio::time::Instant::now() + state.settings.sms.batch + SIMULATOR_WAIT;
    while tokio::time::Instant::now() < deadline {
        let last = {
            let mut conn = db::conn(&state.pool).await?;
            store::last_sent_to(&mut conn, from).await?
        };
        if last > before {
            break;
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
    Ok(Vec::new())
}

/// How long past its batch window the simulator waits for a reply.
const SIMULATOR_WAIT: Duration = Duration::from_secs(8);

/// The texts to and from `number`, newest first.
pub async fn thread(
    state: &AppState,
    number: &str,
) -> Result<Vec<super::model::ThreadText>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::thread(&mut conn, number, THREAD_LENGTH).await
}

/// Texts the SMS page shows.
const THREAD_LENGTH: i64 = 50;
