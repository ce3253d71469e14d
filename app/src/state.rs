//! What every request handler can reach: the pool, the clock and the configuration.

use std::sync::Arc;

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;

use crate::db::Pool;

/// Where "now" comes from, so tests can hold time still.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Settings that change how the server behaves toward users.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Cookies are marked `Secure` (set when served behind https).
    pub secure_cookies: bool,
    /// Sessions end after this long without a request.
    pub session_idle_minutes: i64,
    /// How long a session read from (or written to) the database is trusted before it is read
    /// again; zero when several processes serve the same database.
    pub session_reread_seconds: u64,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy you run).
    pub trust_forwarded_for: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_minutes: 60 * 24 * 14,
            session_reread_seconds: 30,
            trust_forwarded_for: false,
        }
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub assistant: Arc<crate::assistant::Assistant>,
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
