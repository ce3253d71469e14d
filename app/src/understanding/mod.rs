//! Rule-based message understanding: turns one chat/SMS/voice message into
//! one structured [`Intent`] or [`Intent::Unknown`] (hand-off to the language
//! model), following the contract in `shared/nlu/SCHEMA.md`.
//!
//! Pipeline: [`normalize`] (tokens, spellings, filler) → [`datetime`] (date
//! and time phrases, DST-correct ranges) → [`intents`] (ordered strict rules,
//! using [`amount`], [`category`] and [`phone`]) → [`model`] (serde JSON).
//! Everything is pure: the current time comes from the [`Context`].

pub mod amount;
pub mod category;
pub mod datetime;
pub mod intents;
pub mod model;
pub mod normalize;
pub mod phone;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

pub use self::datetime::{Precision, When, parse_when};
pub use self::model::{Intent, Moment};

/// Default meeting length in minutes.
pub const DEFAULT_MINUTES: u32 = 30;

/// What the rules need to know besides the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The current instant in the person's zone (the zone is `now.timezone()`).
    pub now: DateTime<Tz>,
    /// ISO 4217 code that `$`, "bucks" and "dollars" stand for.
    pub currency: String,
    /// Length of an event with no said end, in minutes.
    pub default_minutes: u32,
}

impl Context {
    /// A context from a local wall-clock time in `tz`, with the default
    /// currency USD and 30-minute events. Fails when the wall time does not
    /// exist in `tz`; an ambiguous one takes the earlier instant.
    pub fn new(now_local: NaiveDateTime, tz: Tz) -> Result<Self, ContextError> {
        let now = tz
            .from_local_datetime(&now_local)
            .earliest()
            .ok_or(ContextError::NoSuchTime)?;
        Ok(Context {
            now,
            currency: "USD".to_string(),
            default_minutes: DEFAULT_MINUTES,
        })
    }

    /// The person's time zone.
    pub fn tz(&self) -> Tz {
        self.now.timezone()
    }
}

/// Why a [`Context`] could not be built from command-line style inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextError {
    /// `--now` is not `YYYY-MM-DDTHH:MM:SS`.
    BadNow(String),
    /// `--tz` is not an IANA zone name.
    BadTz(String),
    /// `--currency` is not a three-letter code.
    BadCurrency(String),
    /// `--now` does not exist in the zone (skipped by a DST change).
    NoSuchTime,
}

impl std::fmt::Display for ContextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContextError::BadNow(s) => {
                write!(f, "invalid --now {s:?}: expected YYYY-MM-DDTHH:MM:SS")
            }
            ContextError::BadTz(s) => write!(f, "unknown time zone {s:?}"),
            ContextError::BadCurrency(s) => {
                write!(f, "invalid currency {s:?}: expected a 3-letter code")
            }
            ContextError::NoSuchTime => {
                write!(f, "--now does not exist in that time zone (DST gap)")
            }
        }
    }
}

impl std::error::Error for ContextError {}

/// Understands one message. Pure and total: never panics, never reads the clock.
pub fn understand(text: &str, ctx: &Context) -> Intent {
    intents::understand(text, ctx)
}

/// Builds a [`Context`] from the command-line options of `aida parse`:
/// `now` as a local `2026-11-22T10:00:00`, an IANA `tz`, an optional currency
/// (default USD) and an optional default duration in minutes (default 30).
pub fn context_from_args(
    now: &str,
    tz: &str,
    currency: Option<&str>,
    duration: Option<u32>,
) -> Result<Context, ContextError> {
    let local = NaiveDateTime::parse_from_str(now, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(now, "%Y-%m-%dT%H:%M"))
        .map_err(|_| ContextError::BadNow(now.to_string()))?;
    let tz: Tz = tz
        .parse()
        .map_err(|_| ContextError::BadTz(tz.to_string()))?;
    let mut ctx = Context::new(local, tz)?;
    if let Some(c) = currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ContextError::BadCurrency(c.to_string()));
        }
        ctx.currency = c.to_ascii_uppercase();
    }
    if let Some(d) = duration {
        ctx.default_minutes = d;
    }
    Ok(ctx)
}

/// The contract's JSON object for one message, as for `aida parse`.
pub fn parse_json(
    now: &str,
    tz: &str,
    currency: Option<&str>,
    duration: Option<u32>,
    text: &str,
) -> Result<serde_json::Value, ContextError> {
    let ctx = context_from_args(now, tz, currency, duration)?;
    Ok(understand(text, &ctx).to_json())
}
