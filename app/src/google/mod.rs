//! Google Calendar: connecting an account (OAuth 2.0 with PKCE, `oauth`), keeping its tokens
//! sealed and fresh (`ops`), and what Settings shows of it (`api`, `views`). Endpoints come
//! from the environment so tests can point them at a local fake.

pub mod api;
#[cfg(feature = "ssr")]
pub mod busy;
#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod oauth;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub mod sync;
pub mod views;

use serde::{Deserialize, Serialize};

/// What Settings shows of the user's connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connection {
    /// This server has no Google OAuth client configured.
    Unavailable,
    NotConnected,
    Connected {
        since: chrono::DateTime<chrono::Utc>,
        sync: Sync,
    },
    /// Google no longer accepts the connection; the user must connect again.
    Broken {
        problem: String,
    },
}

/// How the connection's pulls are going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sync {
    /// A full import under way: how many events came in so far.
    pub importing: Option<i32>,
    pub last_synced_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the last pull failed, if it did.
    pub problem: Option<String>,
}

#[cfg(feature = "ssr")]
pub use settings::GoogleSettings;

#[cfg(feature = "ssr")]
mod settings {
    use std::time::Duration;

    use crate::secret::Secret;

    /// The OAuth client and Google's endpoints (`GOOGLE_*`).
    #[derive(Debug, Clone)]
    pub struct GoogleSettings {
        pub client_id: String,
        pub client_secret: Secret,
        pub auth_url: String,
        pub token_url: String,
        pub revoke_url: String,
        pub api_base: String,
        pub timeout: Duration,
        /// The first wait before a request Google asked to slow down is tried again; it
        /// doubles each time (Google suggests 1 s).
        pub first_retry: Duration,
    }

    impl GoogleSettings {
        pub const AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
        pub const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
        pub const REVOKE_URL: &str = "https://oauth2.googleapis.com/revoke";
        pub const API_BASE: &str = "https://www.googleapis.com/calendar/v3";
    }
}
