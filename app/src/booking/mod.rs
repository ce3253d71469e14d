//! Voice booking: a phone agent (Retell) checks an owner's availability and books meetings on
//! their calendar, through webhooks.
//!
//! - `settings`: how an owner takes bookings (hours, lengths, buffer, notice, horizon, phone,
//!   agents), shown and changed on the Booking page and `/api/booking/settings`;
//! - `retell`: Retell's signature and the two shapes of a tool call (pure);
//! - `availability`, `spoken`: what a caller asked and the sentence that answers it (pure,
//!   on `scheduling` and the understanding module's date reader);
//! - `caller`: the webhooks' work: whose agent it is, availability, booking one at a time per
//!   owner and once per call and start, within the answer budget;
//! - `spool`: requests the database could not take, kept on disk and replayed;
//! - `failures`, `notices`: bookings to make by hand, and the texts bookings cause;
//! - `manage`: the caller's link to see, cancel or move their booking;
//! - `calls`: call events; `store`: the SQL; `ops`, `api`, `views`: the Booking page.

pub mod api;
pub mod model;
pub mod settings;
pub mod views;

#[cfg(feature = "ssr")]
pub mod availability;
#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod calls;
#[cfg(feature = "ssr")]
pub mod failures;
#[cfg(feature = "ssr")]
pub mod manage;
#[cfg(feature = "ssr")]
mod notices;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod retell;
#[cfg(feature = "ssr")]
pub mod spoken;
#[cfg(feature = "ssr")]
pub mod spool;
#[cfg(feature = "ssr")]
mod store;

/// How this server takes Retell's requests.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    /// Retell's webhook key (`RETELL_API_KEY`); `None`: every Retell request is refused.
    pub retell_api_key: Option<crate::secret::Secret>,
    /// Where requests the database could not take are spooled (`AIDA_DATA_DIR`).
    pub data_dir: std::path::PathBuf,
    /// Every webhook answers within this.
    pub answer_within: std::time::Duration,
    /// Requests one owner's agents may make in a minute.
    pub requests_per_minute: i32,
}

#[cfg(feature = "ssr")]
impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            retell_api_key: None,
            data_dir: std::path::PathBuf::from("data"),
            answer_within: std::time::Duration::from_secs(2),
            requests_per_minute: 100,
        }
    }
}
