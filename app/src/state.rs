//! What every request handler can reach: the pool, the clock and the configuration.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::config::LeptosOptions;

use crate::auth::model::User;
use crate::auth::session::KnownSession;
use crate::db::Pool;
use crate::db::notify::Notice;
use crate::db::recent_rows::RecentRows;
use crate::db::tx::{Tx, TxFn};
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
    /// or a user's Today page is trusted before it is read again. Changes made by any Aida
    /// process count at once whatever this is (see `db::notify`); it bounds how long a change
    /// made behind Aida's back (by hand in SQL) goes unseen.
    pub session_reread_seconds: u64,
    /// Reverse proxies of ours in front of Aida: `X-Forwarded-For` is read that many hops deep
    /// (`request::client_addr_from`).
    pub trusted_proxies: usize,
    /// Where Twilio, Retell and people's browsers reach this server (`AIDA_PUBLIC_URL`):
    /// webhook signatures are checked over it, and links in messages point to it. No
    /// trailing `/`.
    pub public_url: String,
    /// How long a token made by `POST /api/auth/sign-in` works.
    pub sign_in_token_days: u32,
    /// Text messages: Twilio, batching, prices.
    pub sms: crate::sms::SmsSettings,
    /// Voice booking: Retell's key, the spool's folder, the answer budget.
    pub voice: crate::booking::VoiceSettings,
    /// Google Calendar, when its OAuth client is configured.
    pub google: Option<crate::google::GoogleSettings>,
    /// The keys secrets in the database are sealed with (`AIDA_ENCRYPTION_KEY`).
    pub keys: Option<std::sync::Arc<crate::crypto::Keys>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_minutes: 60 * 24 * 14,
            session_reread_seconds: 30,
            trusted_proxies: 0,
            public_url: "http://127.0.0.1:3000".to_owned(),
            sign_in_token_days: 30,
            sms: crate::sms::SmsSettings::default(),
            voice: crate::booking::VoiceSettings::default(),
            google: None,
            keys: None,
        }
    }
}

/// What this process remembers of rows it read or wrote a moment ago, so that most requests
/// need not read them again. Every Aida process is told of every change through
/// `db::notify` and forgets what the change touched; until that listening starts (and while
/// it is down) nothing is served from memory.
pub struct Caches {
    /// Accounts by id: a signed-in request need not read its user's row again.
    pub users: RecentRows<i64, User>,
    /// Each user's Today page data as last built (see `today::built`).
    pub today: RecentRows<i64, Arc<BuiltToday>>,
    /// Sessions by id, as the session store last read or wrote them.
    pub sessions: RecentRows<tower_sessions::session::Id, Arc<KnownSession>>,
}

impl Caches {
    pub fn new(trust_for: Duration) -> Self {
        let caches = Self {
            users: RecentRows::new(trust_for),
            today: RecentRows::new(trust_for),
            sessions: RecentRows::new(trust_for),
        };
        caches.stop_trusting();
        caches
    }

    /// Forgets what `notice` says changed.
    pub fn forget(&self, notice: &Notice) {
        match notice {
            Notice::UserData(id) => self.today.forget(id),
            Notice::Account(id) => {
                self.users.forget(id);
                self.today.forget(id);
            }
            Notice::Session(id) => {
                if let Ok(id) = id.parse() {
                    self.sessions.forget(&id);
                }
            }
            Notice::Jobs | Notice::StopTurn(_) | Notice::SmsReplies => {}
        }
    }

    /// Forgets everything, then serves from memory again: this process now hears of changes.
    pub fn start_trusting(&self) {
        self.users.clear();
        self.today.clear();
        self.sessions.clear();
        self.set_trusted(true);
    }

    /// Serves nothing from memory: this process may miss changes.
    pub fn stop_trusting(&self) {
        self.set_trusted(false);
    }

    fn set_trusted(&self, trusted: bool) {
        self.users.set_trusted(trusted);
        self.today.set_trusted(trusted);
        self.sessions.set_trusted(trusted);
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub assistant: Arc<crate::assistant::Assistant>,
    pub caches: Arc<Caches>,
    /// Woken when jobs may be ready (a notice from any process, see `jobs::worker`).
    pub jobs_ready: Arc<tokio::sync::Notify>,
    /// Woken when replies to text messages were queued by any process (see `sms::inbound`).
    #[from_ref(skip)]
    pub sms_replies: Arc<tokio::sync::Notify>,
    /// `None` when Twilio is not configured: messages then stay in the outbox.
    #[from_ref(skip)]
    pub twilio: Option<Arc<crate::sms::twilio::Twilio>>,
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
        crate::auth::password::prepare();
        let twilio = settings
            .sms
            .twilio
            .clone()
            .map(|t| Arc::new(crate::sms::twilio::Twilio::new(t)));
        Self {
            leptos_options,
            pool,
            clock,
            settings: Arc::new(settings),
            assistant: Arc::new(assistant),
            caches: Arc::new(Caches::new(trust_for)),
            jobs_ready: Arc::new(tokio::sync::Notify::new()),
            sms_replies: Arc::new(tokio::sync::Notify::new()),
            twilio,
        }
    }

    /// Opens a transaction (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx, AppError> {
        let google = self.settings.google.is_some();
        Tx::begin(&self.pool, Arc::clone(&self.caches), self.now(), google).await
    }

    /// Runs `write` in one transaction and commits it with what its changes cause; on an
    /// error nothing it wrote remains.
    pub async fn write<R, F>(&self, write: F) -> Result<R, AppError>
    where
        F: for<'t> TxFn<'t, R, Fut: Send> + Send,
        R: Send,
    {
        let mut tx = self.begin().await?;
        let result = write(&mut tx).await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Starts hearing of other processes' changes (see `db::notify`); until then nothing is
    /// served from memory.
    pub async fn listen(
        &self,
        database_url: String,
    ) -> Result<tokio::task::JoinHandle<()>, AppError> {
        crate::db::notify::listen(database_url, self.clone()).await
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
