//! The jobs Aida runs, by kind. Housekeeping recurs while any process runs workers.

use chrono::Duration;

use super::queue::Claimed;
use super::worker::{Handler, Handlers, JobError};
use crate::db::tx::Tx;
use crate::state::AppState;
use crate::{google, reminders, sms};

/// Every kind of job Aida knows.
pub fn handlers() -> Handlers {
    Handlers::default()
        .every("prune_sessions", Duration::hours(1), PruneSessions)
        .every(
            "prune_sign_in_attempts",
            Duration::hours(1),
            PruneSignInAttempts,
        )
        .every(
            "fail_abandoned_replies",
            Duration::minutes(1),
            FailAbandonedReplies,
        )
        .every("prune_sms_unknown", Duration::hours(1), PruneSmsUnknown)
        .every(
            "prune_voice_request_counts",
            Duration::hours(1),
            PruneVoiceRequestCounts,
        )
        .on(sms::reading::READ, sms::reading::Read)
        .alone(sms::reading::TURN, sms::reading::Answer)
        .on(sms::outbox::SEND, sms::outbox::Send)
        .on(reminders::schedule::KIND, reminders::send::Remind)
        .every(
            "google_pull_all",
            google::sync::EVERY,
            google::sync::PullAll,
        )
        .alone(google::sync::PULL, google::sync::Pull)
        .alone(google::push::PUSH, google::push::Push)
}

/// Forgets which unknown numbers were told how to sign up before yesterday.
struct PruneSmsUnknown;

#[async_trait::async_trait]
impl Handler for PruneSmsUnknown {
    async fn run(&self, state: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        let yesterday = state.now().date_naive() - Duration::days(1);
        sms::inbound::forget_unknown_before(tx, yesterday).await?;
        Ok(())
    }
}

/// Forgets how many webhook requests owners' agents made before the last hour.
struct PruneVoiceRequestCounts;

#[async_trait::async_trait]
impl Handler for PruneVoiceRequestCounts {
    async fn run(&self, _: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        let removed = crate::booking::ops::prune_request_counts(tx).await?;
        tracing::debug!(removed, "old voice request counts removed");
        Ok(())
    }
}

/// Removes sessions and API tokens past their expiry.
struct PruneSessions;

#[async_trait::async_trait]
impl Handler for PruneSessions {
    async fn run(&self, _: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        let removed = crate::auth::session::delete_expired(tx.conn()).await?;
        let tokens = crate::auth::ops::prune_tokens(tx).await?;
        tracing::debug!(removed, tokens, "expired sessions and API tokens removed");
        Ok(())
    }
}

/// Forgets sign-in attempts older than the limits look at.
struct PruneSignInAttempts;

#[async_trait::async_trait]
impl Handler for PruneSignInAttempts {
    async fn run(&self, _: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        let removed = crate::auth::ops::prune_sign_in_attempts(tx).await?;
        tracing::debug!(removed, "old sign-in attempts removed");
        Ok(())
    }
}

/// Fails the replies a stopped process left half-written, so no page waits for them.
struct FailAbandonedReplies;

#[async_trait::async_trait]
impl Handler for FailAbandonedReplies {
    async fn run(&self, _: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        let failed = crate::assistant::store::fail_stale_replies(
            tx.conn(),
            crate::assistant::turn::ABANDONED_AFTER,
        )
        .await?;
        if failed > 0 {
            tracing::warn!(
                failed,
                "replies left half-written by a stopped process marked failed"
            );
        }
        Ok(())
    }
}
