//! Retell as seen from Aida: a client that signs requests with the webhook key and sends them
//! as Retell's servers do (`shared/protocols.md` §2), and an owner set up to take bookings.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

use app::booking::VoiceSettings;
use app::state::Settings;

use super::{Client, TestApp};

pub const API_KEY: &str = "key_test_retell_0123456789";
pub const AGENT: &str = "agent_front_desk";
pub const OWNER_PHONE: &str = "+14165550123";

static SPOOLS: AtomicU32 = AtomicU32::new(0);

/// A spool folder of this test's own.
pub fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "aida-test-voice-{}-{}",
        std::process::id(),
        SPOOLS.fetch_add(1, Ordering::SeqCst)
    ))
}

/// Settings that take Retell's requests signed with [`API_KEY`], spooling to a folder of the
/// test's own.
pub fn settings() -> Settings {
    with_voice(Settings::default())
}

/// `settings` with Retell's key and a spool folder of the test's own.
pub fn with_voice(settings: Settings) -> Settings {
    Settings {
        voice: VoiceSettings {
            retell_api_key: Some(API_KEY.into()),
            data_dir: data_dir(),
            ..VoiceSettings::default()
        },
        ..settings
    }
}

/// Retell's servers, calling the app's webhooks.
pub struct Retell {
    http: reqwest::Client,
    base: String,
    clock: std::sync::Arc<super::TestClock>,
}

impl Retell {
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.base.clone(),
            clock: app.clock.clone(),
        }
    }

    /// The signature header for `body`, made `skew_ms` from the app's now.
    pub fn signature(&self, body: &str, skew_ms: i64) -> String {
        use app::state::Clock;
        let at = self.clock.now().timestamp_millis() + skew_ms;
        app::booking::retell::sign(body.as_bytes(), API_KEY, at)
    }

    /// Posts `body` to `path` with `signature` (none when `None`); status and JSON answer.
    pub async fn post_signed(
        &self,
        path: &str,
        body: &str,
        signature: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("x-retell-signature", signature);
        }
        let response = request.send().await.expect("webhook request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Posts `body` to `path`, signed now.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let signature = self.signature(&body, 0);
        self.post_signed(path, &body, Some(&signature)).await
    }

    /// A tool call in the default shape, from `call_id` on [`AGENT`].
    pub async fn tool(&self, tool: &str, call_id: &str, args: Value) -> (u16, Value) {
        let body = json!({
            "name": tool.replace('-', "_"),
            "call": call(call_id, AGENT),
            "args": args,
        });
        self.post(&format!("/webhooks/retell/{tool}"), &body).await
    }

    pub async fn check(&self, call_id: &str, args: Value) -> (u16, Value) {
        self.tool("check-availability", call_id, args).await
    }

    pub async fn book(&self, call_id: &str, args: Value) -> (u16, Value) {
        self.tool("book", call_id, args).await
    }
}

/// A call object as Retell sends it.
pub fn call(call_id: &str, agent_id: &str) -> Value {
    json!({
        "call_id": call_id,
        "agent_id": agent_id,
        "call_type": "phone_call",
        "direction": "inbound",
        "from_number": "+12137771234",
        "to_number": "+12137771235",
        "call_status": "ongoing",
        "metadata": {},
        "retell_llm_dynamic_variables": {},
        "start_timestamp": 1_714_608_475_945_i64,
        "transcript": "Agent: Hello, how can I help?",
    })
}

/// Signs in `email` as an owner who takes bookings from [`AGENT`] with `settings` (a
/// settings change; office hours in Toronto unless it says otherwise); the owner's client.
pub async fn owner(app: &TestApp, email: &str, settings: Value) -> Client {
    let client = app.signed_in(email).await;
    let mut change = json!({
        "enabled": true,
        "timezone": "America/Toronto",
        "agent_ids": [AGENT],
        "business_phone": OWNER_PHONE,
        "notice_minutes": 0,
    });
    for (k, v) in settings.as_object().expect("settings object") {
        change[k] = v.clone();
    }
    let (status, body) = client.put("/api/booking/settings", change).await;
    assert_eq!(status, 200, "{body}");
    client
}
