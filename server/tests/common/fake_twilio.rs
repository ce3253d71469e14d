//! A local Twilio Messages API for tests (`shared/protocols.md` §1.3).
//!
//! `POST /2010-04-01/Accounts/{sid}/Messages.json` checks Basic auth and the form encoding and
//! answers 201 with a Message resource (`SM` + 32 hex), unless the test scripted otherwise:
//! a failure status with Twilio's error body, a 21610 for numbers marked opted out, or a
//! silence longer than the client's timeout (after which the message counts as sent, as it
//! would at Twilio). `GET` on the same path lists what was sent, for the client's lookups.

#![allow(dead_code)]

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "test-auth-token";
pub const FROM: &str = "+15550001111";

/// What the next request gets instead of a 201.
#[derive(Debug, Clone)]
pub enum Script {
    /// This status and Twilio error code.
    Fail(u16, i32),
    /// No answer for this long (the message is still recorded as sent).
    Silence(Duration),
}

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub sid: String,
    pub to: String,
    pub from: String,
    pub body: String,
    pub status_callback: Option<String>,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Script>,
    opted_out: HashSet<String>,
    sent: Vec<Sent>,
    requests: usize,
    lookups: usize,
}

#[derive(Clone)]
pub struct FakeTwilio {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

impl FakeTwilio {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(create).get(list),
            )
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        Self { inner, base }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake twilio lock")
    }

    /// The next requests get these answers, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = Script>) {
        self.lock().script.extend(answers);
    }

    /// Sends to `number` fail with 21610.
    pub fn opt_out(&self, number: &str) {
        self.lock().opted_out.insert(number.to_owned());
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// Send requests received (accepted or not).
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    pub fn lookups(&self) -> usize {
        self.lock().lookups
    }

    /// Waits until `n` messages were accepted; panics after 20 s.
    pub async fn wait_for(&self, n: usize) -> Vec<Sent> {
        for _ in 0..400 {
            let sent = self.sent();
            if sent.len() >= n {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, the fake got {:?}", self.sent());
    }
}

fn error(status: u16, code: i32, message: &str) -> Response {
    let status = StatusCode::from_u16(status).expect("status");
    (
        status,
        axum::Json(json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        })),
    )
        .into_response()
}

fn authorized(headers: &HeaderMap, sid: &str) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    sid == ACCOUNT_SID
        && headers.get("authorization").and_then(|v| v.to_str().ok())
            == Some(format!("Basic {expected}").as_str())
}

fn resource(m: &Sent) -> Value {
    json!({
        "sid": m.sid,
        "account_sid": ACCOUNT_SID,
        "messaging_service_sid": null,
        "to": m.to,
        "from": m.from,
        "body": m.body,
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        "error_code": null,
        "error_message": null,
        "price": null,
        "price_unit": "USD",
        "date_created": chrono::Utc::now().to_rfc2822(),
        "date_sent": null,
        "date_updated": chrono::Utc::now().to_rfc2822(),
        "api_version": "2010-04-01",
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{}.json", m.sid),
    })
}

async fn create(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&headers, &sid) {
        return error(401, 20003, "Authenticate");
    }
    if headers.get("content-type").and_then(|v| v.to_str().ok())
        != Some("application/x-www-form-urlencoded")
    {
        return error(400, 20001, "expected a form body");
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let (Some(to), Some(from), Some(text)) = (get("To"), get("From"), get("Body")) else {
        return error(400, 21604, "A 'To', 'From' and 'Body' are required");
    };
    let (script, message) = {
        let mut inner = inner.lock().expect("lock");
        inner.requests += 1;
        let script = inner.script.pop_front();
        if matches!(script, Some(Script::Fail(..))) {
            (script, None)
        } else if inner.opted_out.contains(&to) {
            return error(400, 21610, "Attempt to send to unsubscribed recipient");
        } else {
            let sent = Sent {
                sid: format!("SM{:032x}", rand_sid()),
                to,
                from,
                body: text,
                status_callback: get("StatusCallback"),
            };
            inner.sent.push(sent.clone());
            (script, Some(sent))
        }
    };
    match (script, message) {
        (Some(Script::Fail(status, code)), _) => error(status, code, "scripted failure"),
        (Some(Script::Silence(pause)), _) => {
            tokio::time::sleep(pause).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        (_, Some(m)) => (StatusCode::CREATED, axum::Json(resource(&m))).into_response(),
        (None, None) => error(500, 20500, "unreachable"),
    }
}

async fn list(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if !authorized(&headers, &sid) {
        return error(401, 20003, "Authenticate");
    }
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let to = query
        .iter()
        .find(|(n, _)| n == "To")
        .map(|(_, v)| v.clone());
    let mut inner = inner.lock().expect("lock");
    inner.lookups += 1;
    let messages: Vec<Value> = inner
        .sent
        .iter()
        .filter(|m| Some(&m.to) == to.as_ref())
        .map(resource)
        .collect();
    axum::Json(json!({ "messages": messages, "page": 0, "page_size": 50 })).into_response()
}

fn rand_sid() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    (u128::from(std::process::id()) << 64) | u128::from(n)
}
