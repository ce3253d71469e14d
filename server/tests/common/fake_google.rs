//! A local Google OAuth 2.0 server for tests (`shared/protocols.md` §3.4): the consent page
//! is played by the test (`consent` hands out a code for a PKCE challenge), `POST /token`
//! trades a code once (checking the client's Basic credentials and the PKCE verifier) and
//! refreshes until the refresh token is revoked (`400 invalid_grant`, as Google answers),
//! `POST /revoke` revokes. Calendar v3 `events.list` on the primary calendar serves the
//! events a test put there, in pages of `page_size`, with `nextSyncToken` on the last page;
//! a sync token gives what changed since (cancelled ones included); expired tokens get 410
//! `fullSyncRequired`; access tokens are checked (expired ones get 401); scripted answers
//! (403 `rateLimitExceeded`, 500, …) come first.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::google::GoogleSettings;
use axum::Router;
use axum::extract::State;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "aida-test.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const EVENTS_SCOPE: &str = "https://www.googleapis.com/auth/calendar.events";

#[derive(Default)]
struct Inner {
    /// Codes handed out and not yet used: code → PKCE challenge.
    codes: HashMap<String, String>,
    issued: usize,
    /// Refresh tokens handed out, and those revoked since.
    refresh_tokens: Vec<String>,
    revoked: Vec<String>,
    /// Requests to /token by grant type.
    token_requests: HashMap<String, usize>,
    /// The scope the next exchange grants.
    scope: Option<String>,
    /// Access tokens handed out and still good.
    access_tokens: Vec<String>,
    /// The calendar: events with the version at which each last changed.
    events: Vec<(u64, Value)>,
    version: u64,
    /// Sync tokens given out that no longer work.
    expired_syncs: Vec<String>,
    page_size: usize,
    /// Answers the next list requests get instead: (status, reason).
    script: std::collections::VecDeque<(u16, String)>,
    list_requests: usize,
    /// What `freeBusy` answers for the primary calendar: (start, end), RFC 3339.
    busy: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct FakeGoogle {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

impl FakeGoogle {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        inner.lock().expect("lock").page_size = 250;
        let router = Router::new()
            .route("/token", post(token))
            .route("/revoke", post(revoke))
            .route(
                "/calendar/v3/calendars/primary/events",
                get(list).post(insert),
            )
            .route(
                "/calendar/v3/calendars/primary/events/{id}",
                get(read).patch(patch).delete(delete),
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

    pub fn settings(&self) -> GoogleSettings {
        GoogleSettings {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            auth_url: format!("{}/auth", self.base),
            token_url: format!("{}/token", self.base),
            revoke_url: format!("{}/revoke", self.base),
            api_base: format!("{}/calendar/v3", self.base),
            timeout: Duration::from_secs(5),
            first_retry: Duration::from_millis(10),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake google lock")
    }

    /// The user consents on Google's page: a code for this PKCE challenge.
    pub fn consent(&self, challenge: &str) -> String {
        let mut inner = self.lock();
        inner.issued += 1;
        let code = format!("4/code-{}", inner.issued);
        inner.codes.insert(code.clone(), challenge.to_owned());
        code
    }

    /// The next exchange grants only this scope (the user unticked the rest).
    pub fn grant_only(&self, scope: &str) {
        self.lock().scope = Some(scope.to_owned());
    }

    /// The user revokes Aida's access in their Google account.
    pub fn revoke_access(&self) {
        let mut inner = self.lock();
        let all = inner.refresh_tokens.clone();
        inner.revoked.extend(all);
    }

    /// The refresh tokens handed out so far.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.lock().refresh_tokens.clone()
    }

    pub fn revoked(&self) -> Vec<String> {
        self.lock().revoked.clone()
    }

    /// Puts (or replaces, by id) an event in the calendar, as a change made at Google: a new
    /// ETag; its `updated` as given.
    pub fn put(&self, mut event: Value) {
        let mut inner = self.lock();
        inner.version += 1;
        let version = inner.version;
        event["etag"] = Value::from(format!("\"v{version}\""));
        let id = event["id"].clone();
        inner.events.retain(|(_, e)| e["id"] != id);
        inner.events.push((version, event));
    }

    /// Cancels an event (as deleting it in Google Calendar does).
    pub fn cancel(&self, id: &str) {
        let event = self
            .lock()
            .events
            .iter()
            .find(|(_, e)| e["id"] == id)
            .map(|(_, e)| e.clone());
        let mut event = event.expect("an event to cancel");
        event["status"] = Value::from("cancelled");
        self.put(event);
    }

    /// Removes an event without a trace (a sync token would not tell of it).
    pub fn forget(&self, id: &str) {
        self.lock().events.retain(|(_, e)| e["id"] != id);
    }

    /// Every sync token handed out stops working (410).
    pub fn expire_sync_tokens(&self) {
        let mut inner = self.lock();
        let all: Vec<String> = (0..=inner.version).map(|v| format!("sync-{v}")).collect();
        inner.expired_syncs.extend(all);
    }

    /// Every access token handed out stops working (401 until refreshed).
    pub fn expire_access_tokens(&self) {
        self.lock().access_tokens.clear();
    }

    pub fn page_size(&self, n: usize) {
        self.lock().page_size = n;
    }

    /// The next list requests get these answers (status, reason).
    pub fn script(&self, answers: &[(u16, &str)]) {
        self.lock()
            .script
            .extend(answers.iter().map(|(s, r)| (*s, (*r).to_owned())));
    }

    /// The event with this id, as Google has it now.
    pub fn event(&self, id: &str) -> Option<Value> {
        self.lock()
            .events
            .iter()
            .find(|(_, e)| e["id"] == id)
            .map(|(_, e)| e.clone())
    }

    /// Events not cancelled.
    pub fn live_events(&self) -> Vec<Value> {
        self.lock()
            .events
            .iter()
            .filter(|(_, e)| e["status"] != "cancelled")
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Busy times Google knows of beyond the events (other calendars).
    pub fn busy(&self, start: &str, end: &str) {
        self.lock().busy.push((start.to_owned(), end.to_owned()));
    }

    pub fn list_requests(&self) -> usize {
        self.lock().list_requests
    }

    pub fn token_requests(&self, grant: &str) -> usize {
        self.lock().token_requests.get(grant).copied().unwrap_or(0)
    }
}

fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

async fn token(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let mut inner = inner.lock().expect("fake google lock");
    let grant = form.get("grant_type").cloned().unwrap_or_default();
    *inner.token_requests.entry(grant.clone()).or_default() += 1;
    if headers.get("authorization").and_then(|h| h.to_str().ok()) != Some(basic.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let n = inner.token_requests.values().sum::<usize>();
    match grant.as_str() {
        "authorization_code" => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(challenge) = inner.codes.remove(&code) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Malformed auth code.",
                );
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid code verifier.",
                );
            }
            let refresh = format!("1//refresh-{n}");
            inner.refresh_tokens.push(refresh.clone());
            let scope = inner.scope.take().unwrap_or_else(|| {
                format!("{EVENTS_SCOPE} https://www.googleapis.com/auth/calendar.freebusy")
            });
            inner.access_tokens.push(format!("ya29.access-{n}"));
            axum::Json(json!({
                "access_token": format!("ya29.access-{n}"),
                "expires_in": 3599,
                "refresh_token": refresh,
                "scope": scope,
                "token_type": "Bearer",
            }))
            .into_response()
        }
        "refresh_token" => {
            let refresh = form.get("refresh_token").cloned().unwrap_or_default();
            if !inner.refresh_tokens.contains(&refresh) || inner.revoked.contains(&refresh) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Token has been expired or revoked.",
                );
            }
            inner.access_tokens.push(format!("ya29.access-{n}"));
            axum::Json(json!({
                "access_token": format!("ya29.access-{n}"),
                "expires_in": 3599,
                "scope": EVENTS_SCOPE,
                "token_type": "Bearer",
            }))
            .into_response()
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Invalid grant_type.",
        ),
    }
}

async fn revoke(State(inner): State<Arc<Mutex<Inner>>>, body: String) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let token = form.get("token").cloned().unwrap_or_default();
    let mut inner = inner.lock().expect("fake google lock");
    if !inner.refresh_tokens.contains(&token) || inner.revoked.contains(&token) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        );
    }
    inner.revoked.push(token);
    StatusCode::OK.into_response()
}

fn google_error(status: u16, reason: &str) -> Response {
    let status = StatusCode::from_u16(status).expect("status");
    (
        status,
        axum::Json(json!({ "error": {
            "errors": [{ "domain": "global", "reason": reason, "message": reason }],
            "code": status.as_u16(),
            "message": reason,
        }})),
    )
        .into_response()
}

async fn list(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = inner.lock().expect("fake google lock");
    inner.list_requests += 1;
    if let Some((status, reason)) = inner.script.pop_front() {
        return google_error(status, &reason);
    }
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    if query.contains_key("syncToken")
        && (query.contains_key("timeMin") || query.contains_key("orderBy"))
    {
        return google_error(400, "invalid");
    }
    let since = match query.get("syncToken") {
        None => 0,
        Some(t) if inner.expired_syncs.contains(t) => return google_error(410, "fullSyncRequired"),
        Some(t) => match t.strip_prefix("sync-").and_then(|v| v.parse().ok()) {
            Some(v) => v,
            None => return google_error(410, "fullSyncRequired"),
        },
    };
    let mut changed: Vec<&(u64, Value)> = inner.events.iter().filter(|(v, _)| *v > since).collect();
    changed.sort_by_key(|(v, _)| *v);
    let offset: usize = query
        .get("pageToken")
        .and_then(|p| p.strip_prefix("page-"))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let size = inner.page_size;
    let items: Vec<Value> = changed
        .iter()
        .skip(offset)
        .take(size)
        .map(|(_, e)| e.clone())
        .collect();
    let more = offset + size < changed.len();
    let mut page = json!({ "kind": "calendar#events", "items": items });
    if more {
        page["nextPageToken"] = Value::from(format!("page-{}", offset + size));
    } else {
        page["nextSyncToken"] = Value::from(format!("sync-{}", inner.version));
    }
    axum::Json(page).into_response()
}

/// Stores `event` at a new version, with a fresh ETag and update time.
fn store(inner: &mut Inner, mut event: Value) -> Value {
    inner.version += 1;
    let version = inner.version;
    event["etag"] = Value::from(format!("\"v{version}\""));
    event["updated"] = Value::from(chrono::Utc::now().to_rfc3339());
    event["htmlLink"] = Value::from(format!(
        "https://calendar.google.com/calendar/event?eid={}",
        event["id"].as_str().unwrap_or_default()
    ));
    if event.get("status").is_none_or(Value::is_null) {
        event["status"] = Value::from("confirmed");
    }
    let id = event["id"].clone();
    inner.events.retain(|(_, e)| e["id"] != id);
    inner.events.push((version, event.clone()));
    event
}

fn authorized(inner: &Inner, headers: &HeaderMap) -> bool {
    let token = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default();
    inner.access_tokens.iter().any(|t| t == token)
}

async fn insert(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    axum::Json(event): axum::Json<Value>,
) -> Response {
    let mut inner = inner.lock().expect("fake google lock");
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    let valid = id.len() >= 5
        && id
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c));
    if !valid {
        return google_error(400, "invalid");
    }
    if inner.events.iter().any(|(_, e)| e["id"] == id.as_str()) {
        return google_error(409, "duplicate");
    }
    axum::Json(store(&mut inner, event)).into_response()
}

async fn read(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let inner = inner.lock().expect("fake google lock");
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    match inner.events.iter().find(|(_, e)| e["id"] == id.as_str()) {
        Some((_, e)) => axum::Json(e.clone()).into_response(),
        None => google_error(404, "notFound"),
    }
}

async fn patch(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Json(changes): axum::Json<Value>,
) -> Response {
    let mut inner = inner.lock().expect("fake google lock");
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    let current = inner
        .events
        .iter()
        .find(|(_, e)| e["id"] == id.as_str())
        .map(|(_, e)| e.clone());
    let mut event = match current {
        Some(e) => {
            let etag = headers.get("if-match").and_then(|h| h.to_str().ok());
            if etag.is_some_and(|etag| e["etag"] != etag) {
                return google_error(412, "conditionNotMet");
            }
            e
        }
        // An instance of a series: patching it makes its exception.
        None => match id.rsplit_once('_') {
            Some((series, _)) if inner.events.iter().any(|(_, e)| e["id"] == series) => {
                json!({ "id": id, "recurringEventId": series })
            }
            _ => return google_error(404, "notFound"),
        },
    };
    if let (Some(target), Some(fields)) = (event.as_object_mut(), changes.as_object()) {
        for (k, v) in fields {
            target.insert(k.clone(), v.clone());
        }
    }
    axum::Json(store(&mut inner, event)).into_response()
}

async fn delete(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = inner.lock().expect("fake google lock");
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    let current = inner
        .events
        .iter()
        .find(|(_, e)| e["id"] == id.as_str())
        .map(|(_, e)| e.clone());
    match current {
        Some(e) if e["status"] != "cancelled" => {
            let mut e = e;
            e["status"] = Value::from("cancelled");
            store(&mut inner, e);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => google_error(410, "deleted"),
    }
}

async fn free_busy(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    axum::Json(query): axum::Json<Value>,
) -> Response {
    let inner = inner.lock().expect("fake google lock");
    if !authorized(&inner, &headers) {
        return google_error(401, "authError");
    }
    if query["items"][0]["id"] != "primary" || query["timeMin"].as_str().is_none() {
        return google_error(400, "badRequest");
    }
    let busy: Vec<Value> = inner
        .busy
        .iter()
        .map(|(s, e)| json!({ "start": s, "end": e }))
        .collect();
    axum::Json(json!({
        "kind": "calendar#freeBusy",
        "timeMin": query["timeMin"],
        "timeMax": query["timeMax"],
        "calendars": { "primary": { "busy": busy, "errors": [] } },
    }))
    .into_response()
}
