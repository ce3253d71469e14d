//! Call events (`call_started`, `call_ended`, `call_analyzed`): each stored on its call, so
//! the owner sees who called, for how long, how it ended and what was said. Retell retries an
//! event it got no answer for; recording one twice changes nothing.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::caller::{OwnerKey, Refused, find_owner};
use super::retell::Call;
use super::store;
use crate::db;
use crate::state::AppState;

/// The events stored; others (transcript updates, transfers) are acknowledged and ignored.
pub const STORED: [&str; 3] = ["call_started", "call_ended", "call_analyzed"];

#[derive(Debug, Deserialize)]
pub struct CallEvent {
    pub event: String,
    pub call: CallObject,
}

/// The call object of an event: who called whom, and what the tools also see.
#[derive(Debug, Deserialize)]
pub struct CallObject {
    #[serde(flatten)]
    pub call: Call,
    #[serde(default)]
    pub start_timestamp: Option<i64>,
    #[serde(default)]
    pub end_timestamp: Option<i64>,
    #[serde(default)]
    pub disconnection_reason: Option<String>,
    #[serde(default)]
    pub call_analysis: Option<Analysis>,
}

#[derive(Debug, Deserialize)]
pub struct Analysis {
    #[serde(default)]
    pub call_summary: Option<String>,
    #[serde(default)]
    pub call_successful: Option<bool>,
    #[serde(default)]
    pub user_sentiment: Option<String>,
}

fn instant(ms: Option<i64>) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms?)
}

/// Whether an event was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Stored,
    Ignored,
}

/// Stores what `event` says of its call, for the owner of its agent.
pub async fn record(state: &AppState, event: &CallEvent) -> Result<Recorded, Refused> {
    if !STORED.contains(&event.event.as_str()) {
        return Ok(Recorded::Ignored);
    }
    let object = &event.call;
    let call = &object.call;
    let mut conn = db::conn(&state.pool).await?;
    let owner = find_owner(&mut conn, &OwnerKey::Agent(call.agent_id.clone()))
        .await?
        .ok_or(Refused::UnknownOwner)?;
    let analysis = object.call_analysis.as_ref();
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(|s| s.chars().take(4000).collect::<String>())
    };
    let summary = analysis.and_then(|a| text(&a.call_summary));
    let sentiment = analysis.and_then(|a| text(&a.user_sentiment));
    let reason = text(&object.disconnection_reason);
    store::record_call(
        &mut conn,
        owner.user.id,
        &store::CallReport {
            call_id: &call.call_id,
            agent_id: &call.agent_id,
            from_number: call.from_number.as_deref().unwrap_or_default(),
            to_number: call.to_number.as_deref().unwrap_or_default(),
            event: &event.event,
            started_at: instant(object.start_timestamp),
            ended_at: instant(object.end_timestamp),
            disconnection_reason: reason.as_deref(),
            summary: summary.as_deref(),
            successful: analysis.and_then(|a| a.call_successful),
            sentiment: sentiment.as_deref(),
        },
        state.now(),
    )
    .await?;
    Ok(Recorded::Stored)
}
