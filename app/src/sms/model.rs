//! The SMS page's data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which way a text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Texted to Aida.
    In,
    /// Sent by Aida.
    Out,
}

/// One text of a number's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadText {
    pub direction: Direction,
    pub body: String,
    pub at: DateTime<Utc>,
    /// `at` in the user's timezone, as the page shows it.
    pub when: String,
    /// For texts Aida sent: why (reply, code, reminder, …).
    pub purpose: Option<String>,
    /// For texts Aida sent: queued, replied (in the webhook's answer), unsent (no Twilio),
    /// sent, delivered, undelivered, failed, opted_out.
    pub state: Option<String>,
    pub segments: Option<i32>,
    pub error: Option<String>,
}

/// The SMS page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsView {
    /// The number whose thread is shown (the user's own, or any an admin chose).
    pub number: Option<String>,
    /// Whether the number may be changed (administrators).
    pub any_number: bool,
    /// Whether Twilio is configured (otherwise texts stay in the outbox, unsent).
    pub twilio: bool,
    /// Newest first.
    pub thread: Vec<ThreadText>,
}
