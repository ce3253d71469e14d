//! Texting a test app as Twilio would: signed webhook posts, workers that read and send, and
//! settings that point the Twilio client at the fake.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::jobs::worker::{self, WorkerSettings};
use app::sms::{SmsSettings, TwilioSettings, signature};
use app::state::Settings;
use tokio_util::sync::CancellationToken;

use super::TestApp;
use super::fake_twilio::{ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilio};

/// The URL Twilio is told to call (a proxy in front of the app, as in production).
pub const PUBLIC_URL: &str = "https://aida.example.test";

/// Settings whose Twilio is `fake`, reading texts `batch` apart together.
pub fn settings(fake: Option<&FakeTwilio>, batch: Duration) -> Settings {
    Settings {
        public_url: PUBLIC_URL.to_owned(),
        sms: SmsSettings {
            twilio: Some(TwilioSettings {
                account_sid: ACCOUNT_SID.to_owned(),
                auth_token: AUTH_TOKEN.into(),
                from_number: FROM.to_owned(),
                api_base: fake.map_or_else(|| "http://127.0.0.1:9".to_owned(), |f| f.base.clone()),
                timeout: Duration::from_millis(700),
                breaker_cool_down: Duration::from_secs(2),
            }),
            batch,
            reply_wait: Duration::from_secs(2),
            segment_price_microusd: 8_300,
        },
        ..Settings::default()
    }
}

/// Workers running every kind of job until dropped.
pub struct Workers(CancellationToken, Option<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        self.0.cancel();
        if let Some(h) = self.1.take() {
            h.abort();
        }
    }
}

pub async fn workers(app: &TestApp) -> Workers {
    let handlers = app::jobs::kinds::handlers();
    handlers
        .schedule_recurring(&app.state)
        .await
        .expect("recurring jobs");
    let stop = CancellationToken::new();
    let handle = tokio::spawn(worker::run(
        app.state.clone(),
        handlers,
        WorkerSettings {
            concurrency: 4,
            lease: Duration::from_secs(10),
            poll: Duration::from_millis(100),
        },
        stop.clone(),
    ));
    Workers(stop, Some(handle))
}

static SID: AtomicU64 = AtomicU64::new(1);

/// A fresh `MessageSid`.
pub fn message_sid() -> String {
    format!("SM{:032x}", SID.fetch_add(1, Ordering::Relaxed))
}

/// The form Twilio posts for a text `body` from `from`.
pub fn incoming(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("AccountSid", ACCOUNT_SID),
        ("ApiVersion", "2010-04-01"),
        ("Body", body),
        ("From", from),
        ("MessageSid", sid),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
        ("SmsMessageSid", sid),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("To", FROM),
        ("FromCountry", "US"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

/// Posts `form` to `path` signed with `token` (as Twilio would with ours); (status, body).
pub async fn post_signed(
    app: &TestApp,
    path: &str,
    form: &[(String, String)],
    token: &str,
) -> (u16, String) {
    let signature = signature::sign(token, &format!("{PUBLIC_URL}{path}"), form);
    post_form(app, path, form, Some(&signature)).await
}

pub async fn post_form(
    app: &TestApp,
    path: &str,
    form: &[(String, String)],
    signature: Option<&str>,
) -> (u16, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(s) = signature {
        request = request.header("x-twilio-signature", s);
    }
    let response = request.send().await.expect("post");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Texts `body` from `from` through the webhook; (status, TwiML).
pub async fn text(app: &TestApp, from: &str, body: &str) -> (u16, String) {
    let sid = message_sid();
    post_signed(
        app,
        "/webhooks/twilio/sms",
        &incoming(&sid, from, body),
        AUTH_TOKEN,
    )
    .await
}
