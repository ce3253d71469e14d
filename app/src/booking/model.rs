//! What the Booking page and the API show: bookings callers made, failures that need the
//! owner's hand, and calls.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A meeting a caller booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceBooking {
    pub id: i64,
    pub call_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The calendar event; `None` once the owner deleted it or the caller cancelled.
    pub event_id: Option<i64>,
    pub customer_name: String,
    pub customer_phone: String,
    pub notes: String,
    pub created_at: DateTime<Utc>,
}

/// A booking that could not be made: the owner books it by hand, then resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub id: i64,
    pub call_id: String,
    pub customer_name: String,
    pub customer_phone: String,
    /// What the caller asked for: a time, or the words they said.
    pub requested: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A call, as Retell reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub call_id: String,
    pub agent_id: String,
    pub from_number: String,
    pub to_number: String,
    /// The last event heard: `call_started`, `call_ended` or `call_analyzed`.
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub disconnection_reason: Option<String>,
    pub summary: Option<String>,
    pub successful: Option<bool>,
    pub sentiment: Option<String>,
}

impl Call {
    /// How long it lasted, in whole seconds, once it ended.
    pub fn duration_seconds(&self) -> Option<i64> {
        Some((self.ended_at? - self.started_at?).num_seconds().max(0))
    }
}

/// The URLs an owner pastes into Retell. The tools' URLs carry the owner's token, so they work
/// whether or not the tool sends its arguments alone ("args at root").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhooks {
    pub check_availability: String,
    pub book: String,
    /// The agent's (or account's) webhook for call events.
    pub events: String,
}

impl Webhooks {
    pub fn new(public_url: &str, webhook_token: &str) -> Self {
        Self {
            check_availability: format!(
                "{public_url}/webhooks/retell/check-availability?owner={webhook_token}"
            ),
            book: format!("{public_url}/webhooks/retell/book?owner={webhook_token}"),
            events: format!("{public_url}/webhooks/retell/events"),
        }
    }
}

/// A booking as the Booking page lists it, times written in the owner's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingLine {
    pub id: i64,
    pub when: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub notes: String,
    /// The event is gone: the caller cancelled, or the owner deleted it.
    pub cancelled: bool,
}

/// A failure as the Booking page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureLine {
    pub id: i64,
    pub when: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub requested: String,
    pub reason: String,
    pub call_id: String,
    pub resolved: bool,
}

/// A call as the Booking page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLine {
    pub call_id: String,
    pub caller: String,
    pub when: String,
    /// "2 min 5 s", once it ended.
    pub duration: Option<String>,
    /// How it ended, and whether it went well.
    pub outcome: String,
    pub summary: Option<String>,
}

/// Everything the Booking page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPage {
    pub settings: super::settings::BookingSettings,
    pub webhooks: Webhooks,
    /// `RETELL_API_KEY` is set: Retell's requests are taken.
    pub retell_configured: bool,
    pub bookings: Vec<BookingLine>,
    pub failures: Vec<FailureLine>,
    pub calls: Vec<CallLine>,
}

/// A booking as its caller sees it through the link in their confirmation text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerBooking {
    pub owner_name: String,
    /// "Tuesday November 24 at 2 PM".
    pub when: String,
    pub minutes: i64,
    pub customer_name: String,
    /// The caller cancelled it, or the owner removed it.
    pub cancelled: bool,
    /// It starts far enough ahead (the owner's notice) to be changed here.
    pub changeable: bool,
    /// Whom to call when it cannot be changed here.
    pub business_phone: Option<String>,
    /// Times it can move to: (RFC 3339 start, as said).
    pub free_times: Vec<(String, String)>,
}
