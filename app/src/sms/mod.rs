//! SMS through Twilio: people text the assistant, verify a phone, and get replies, codes and
//! reminders by text.
//!
//! - `signature`, `twiml`, `segments`, `keywords`: Twilio's formats (pure);
//! - `inbound`: the webhook's work: keywords, unknown numbers, storing a message once per
//!   `MessageSid` and scheduling its reading;
//! - `reading`: the jobs that read a batch of messages with the assistant and queue the reply;
//! - `outbox`: every message Aida sends, a row delivered by a job through `twilio`, moved on
//!   by Twilio's status callbacks;
//! - `store`: the SQL;
//! - `model`, `api`, `views`: the SMS page (a number's thread, and a simulator that texts
//!   Aida through the webhook's own code path).

pub mod api;
#[cfg(feature = "ssr")]
pub mod inbound;
#[cfg(feature = "ssr")]
pub mod keywords;
pub mod model;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod reading;
#[cfg(feature = "ssr")]
pub mod segments;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub mod twilio;
#[cfg(feature = "ssr")]
pub mod twiml;
pub mod views;

#[cfg(feature = "ssr")]
use std::time::Duration;

#[cfg(feature = "ssr")]
use crate::secret::Secret;

/// How Aida sends and receives text messages.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// `None`: messages stay in the outbox, unsent (the SMS page's simulator still works).
    pub twilio: Option<TwilioSettings>,
    /// Messages from one number this close together are read together.
    pub batch: Duration,
    /// With no batching, how long the webhook waits to give the reply in its own answer.
    pub reply_wait: Duration,
    /// What one segment costs, in millionths of a dollar.
    pub segment_price_microusd: i64,
}

#[cfg(feature = "ssr")]
impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            twilio: None,
            batch: Duration::from_secs(4),
            reply_wait: Duration::from_secs(2),
            segment_price_microusd: 8_300,
        }
    }
}

/// A Twilio account and number.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: Secret,
    /// The number messages come from and go to, E.164.
    pub from_number: String,
    /// `https://api.twilio.com` but in tests.
    pub api_base: String,
    /// How long one call to Twilio may take.
    pub timeout: Duration,
    /// How long calls stop after a run of failures.
    pub breaker_cool_down: Duration,
}
