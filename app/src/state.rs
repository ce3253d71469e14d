//! What every request handler can reach: the pool, the clock and the configuration.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;

use crate::auth::model::User;
use crate::db::Pool;
use crate::db::recent_rows::RecentRows;
use crate::error::AppError;
use crate::today::built::BuiltToday;

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
    /// How long what was read from (or written to) the database about a session, an account
    /// or a user's Today page is trusted before it is read again; zero when several processes
    /// serve the same database.
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
    /// Accounts as last read or written, by id: a signed-in request need not read its user's
    /// row again within `session_reread_seconds`. Every change to an account goes through
    /// `auth::ops`, which updates this at once.
    pub recent_users: Arc<RecentRows<i64, User>>,
    /// Each user's Today page data as last built, by user id (see `today::built`): reused
    /// within `session_reread_seconds` until a write to the user's events, tasks or expenses
    /// (every one goes through [`AppState::write_user_data`]).
    pub recent_today: Arc<RecentRows<i64, Arc<BuiltToday>>>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        pool: Pool,
        clock: Arc<dyn Clock>,
        settings: Settings,
        assistant: crate::assistant::Assistant,
    ) -> Self {
        let trust_for = Duration::from_secs(settings.session_reread_seconds);
        Self {
            leptos_options,
            pool,
            clock,
            settings: Arc::new(settings),
            assistant: Arc::new(assistant),
            recent_users: Arc::new(RecentRows::new(trust_for)),
            recent_today: Arc::new(RecentRows::new(trust_for)),
        }
    }

    /// Runs `write`, a change to `user_id`'s events, tasks or expenses, then drops what was
    /// built from them. It drops it whatever the outcome: an error can come after the commit.
    pub async fn write_user_data<T>(
        &self,
        user_id: i64,
        write: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = write.await;
        self.recent_today.forget(&user_id);
        result
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
