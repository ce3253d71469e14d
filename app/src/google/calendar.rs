//! Google Calendar API v3 as Aida uses it (`shared/protocols.md` §3): the Event resource,
//! `events.list` pages, and one way to send a request: a 401 refreshes the token once, the
//! rate-limit answers (403 `rateLimitExceeded`/`userRateLimitExceeded`/`quotaExceeded`, 429)
//! and 5xx are retried with truncated exponential backoff and jitter (`Retry-After` honoured),
//! and what is left is an [`ApiError`] saying whether trying later can help.

use std::time::Duration;

use serde::Deserialize;

use super::ops::{self, GoogleError};
use crate::state::AppState;

/// Tries of one request before it counts as failed (the job queue tries again later).
const TRIES: u32 = 5;
/// The longest wait between tries.
const LONGEST_WAIT: Duration = Duration::from_secs(32);

/// A time as Google writes it: a date (all-day, end exclusive) or a date-time.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GTime {
    pub date: Option<String>,
    pub date_time: Option<String>,
    pub time_zone: Option<String>,
}

/// The fields of an Event resource Aida reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GEvent {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    pub html_link: Option<String>,
    pub etag: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: Option<GTime>,
    pub end: Option<GTime>,
    pub recurrence: Option<Vec<String>>,
    pub recurring_event_id: Option<String>,
    pub original_start_time: Option<GTime>,
    pub updated: Option<String>,
}

impl GEvent {
    pub fn cancelled(&self) -> bool {
        self.status.as_deref() == Some("cancelled")
    }
}

/// One page of `events.list`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(default)]
    pub items: Vec<GEvent>,
    pub next_page_token: Option<String>,
    pub next_sync_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The sync token expired (410): start again with a full sync.
    #[error("Google asks for a full sync")]
    FullSyncRequired,
    #[error(transparent)]
    Connection(#[from] GoogleError),
    /// Google is busy or failing: worth trying later.
    #[error("Google is not answering ({0}); trying again later")]
    Later(String),
    /// Google refused the request itself: trying again will not help.
    #[error("Google refused the request: {0}")]
    Refused(String),
}

/// A user's calendar at Google, with a fresh access token.
pub struct Calendar<'a> {
    state: &'a AppState,
    user_id: i64,
    token: String,
    http: reqwest::Client,
    base: String,
    api_base: String,
    pause: Duration,
}

impl<'a> Calendar<'a> {
    pub async fn open(state: &'a AppState, user_id: i64) -> Result<Self, ApiError> {
        let settings = state
            .settings
            .google
            .as_ref()
            .ok_or(ApiError::Connection(GoogleError::NotConnected))?;
        let token = ops::access_token(state, user_id).await?;
        Ok(Self {
            state,
            user_id,
            token,
            http: reqwest::Client::builder()
                .timeout(settings.timeout)
                .build()
                .unwrap_or_default(),
            base: format!("{}/calendars/primary", settings.api_base),
            api_base: settings.api_base.clone(),
            pause: settings.first_retry,
        })
    }

    /// One page of the primary calendar's events: with a sync token, what changed since;
    /// without, everything (recurring events as series, deleted ones included).
    pub async fn list(
        &mut self,
        sync_token: Option<&str>,
        page_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let mut query: Vec<(&str, &str)> = vec![("maxResults", "250"), ("showDeleted", "true")];
        if let Some(token) = sync_token {
            // A sync token takes none of timeMin, timeMax, orderBy, q.
            query.push(("syncToken", token));
        }
        if let Some(page) = page_token {
            query.push(("pageToken", page));
        }
        let url = format!("{}/events", self.base);
        let response = self
            .send(|http, token| http.get(&url).bearer_auth(token).query(&query))
            .await?;
        if response.status() == reqwest::StatusCode::GONE {
            return Err(ApiError::FullSyncRequired);
        }
        let response = refused_unless_ok(response).await?;
        response
            .json()
            .await
            .map_err(|e| ApiError::Later(format!("an unreadable page: {e}")))
    }

    /// Sends a request built by `build` (given the client and the access token), through 401
    /// refreshes and the retries above; the answer is Google's, whatever its status, unless it
    /// is one of those.
    async fn send(
        &mut self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ApiError> {
        let mut refreshed = false;
        let mut tries = 0;
        loop {
            tries += 1;
            let wait = match build(&self.http, &self.token).send().await {
                Err(e) if tries < TRIES => {
                    tracing::debug!(error = %e, "Google could not be reached; retrying");
                    None
                }
                Err(e) => return Err(ApiError::Later(e.to_string())),
                Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED && !refreshed => {
                    refreshed = true;
                    self.token = ops::refresh(self.state, self.user_id).await?;
                    continue;
                }
                Ok(r) if maybe_retryable(r.status()) => {
                    let status = r.status();
                    let after = retry_after(&r);
                    let why = reason(r).await;
                    if status == reqwest::StatusCode::FORBIDDEN && !is_rate_reason(&why) {
                        // Permissions, not load: trying again will not help.
                        return Err(ApiError::Refused(format!("{status} {why}")));
                    }
                    if tries >= TRIES {
                        return Err(ApiError::Later(format!("{status} {why}")));
                    }
                    tracing::debug!(%status, why, "Google asks to slow down; retrying");
                    after
                }
                Ok(r) => return Ok(r),
            };
            tokio::time::sleep(wait.unwrap_or_else(|| self.backoff(tries))).await;
        }
    }

    /// `min(pause · 2^(tries-1), 32 s)` plus up to a second (scaled like the pause) of jitter.
    fn backoff(&self, tries: u32) -> Duration {
        let full = self
            .pause
            .saturating_mul(2u32.saturating_pow(tries.saturating_sub(1)))
            .min(LONGEST_WAIT);
        full + self.pause.mul_f64(rand::random::<f64>())
    }
}

/// 429 and 5xx, and 403, which is a rate limit or not by its body's reason.
fn maybe_retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::FORBIDDEN
        || status.is_server_error()
}

fn is_rate_reason(reason: &str) -> bool {
    matches!(
        reason,
        "rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded"
    )
}

fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    r.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(LONGEST_WAIT))
}

/// The first `reason` of Google's error body, or the status.
async fn reason(r: reqwest::Response) -> String {
    let status = r.status();
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    body["error"]["errors"][0]["reason"]
        .as_str()
        .or(body["error"]["message"].as_str())
        .map_or_else(|| status.to_string(), str::to_owned)
}

async fn refused_unless_ok(r: reqwest::Response) -> Result<reqwest::Response, ApiError> {
    if r.status().is_success() {
        Ok(r)
    } else {
        let status = r.status();
        Err(ApiError::Refused(format!("{status} {}", reason(r).await)))
    }
}

impl Calendar<'_> {
    /// `freeBusy.query` on the primary calendar for `[from, to)`: its busy times.
    pub async fn free_busy(
        &mut self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>, ApiError> {
        let url = format!("{}/freeBusy", self.api_base);
        let body = serde_json::json!({
            "timeMin": from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "timeMax": to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "timeZone": "UTC",
            "items": [{ "id": "primary" }],
        });
        let r = self
            .send(|http, token| http.post(&url).bearer_auth(token).json(&body))
            .await?;
        let answer: serde_json::Value = refused_unless_ok(r)
            .await?
            .json()
            .await
            .map_err(|e| ApiError::Later(format!("an unreadable answer: {e}")))?;
        let primary = &answer["calendars"]["primary"];
        if let Some(reason) = primary["errors"][0]["reason"].as_str() {
            return Err(ApiError::Refused(format!("free/busy: {reason}")));
        }
        let at = |v: &serde_json::Value| {
            v.as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        Ok(primary["busy"]
            .as_array()
            .map(|b| {
                b.iter()
                    .filter_map(|i| Some((at(&i["start"])?, at(&i["end"])?)))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// What Google answered to a write.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub id: String,
    pub etag: Option<String>,
    pub html_link: Option<String>,
    pub updated: Option<String>,
}

/// How a write ended.
#[derive(Debug)]
pub enum Write {
    Done(Written),
    /// 409: an event with that id exists (an earlier try got through).
    Exists,
    /// 412: Google's copy changed since our ETag.
    Changed,
    /// 404 or 410: Google does not have it (any more).
    Missing,
}

impl Calendar<'_> {
    /// `events.insert` with our own id.
    pub async fn insert(&mut self, body: &serde_json::Value) -> Result<Write, ApiError> {
        let url = format!("{}/events", self.base);
        let r = self
            .send(|http, token| {
                http.post(&url)
                    .bearer_auth(token)
                    .query(&[("sendUpdates", "none")])
                    .json(body)
            })
            .await?;
        written(r).await
    }

    /// `events.patch`, only if Google's copy is still `etag` when one is given.
    pub async fn patch(
        &mut self,
        id: &str,
        body: &serde_json::Value,
        etag: Option<&str>,
    ) -> Result<Write, ApiError> {
        let url = format!("{}/events/{}", self.base, urlencode(id));
        let r = self
            .send(|http, token| {
                let request = http
                    .patch(&url)
                    .bearer_auth(token)
                    .query(&[("sendUpdates", "none")])
                    .json(body);
                match etag {
                    Some(etag) => request.header(reqwest::header::IF_MATCH, etag),
                    None => request,
                }
            })
            .await?;
        written(r).await
    }

    /// `events.delete`; deleting what Google no longer has counts as done.
    pub async fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        let url = format!("{}/events/{}", self.base, urlencode(id));
        let r = self
            .send(|http, token| {
                http.delete(&url)
                    .bearer_auth(token)
                    .query(&[("sendUpdates", "none")])
            })
            .await?;
        match r.status().as_u16() {
            200..=299 | 404 | 410 => Ok(()),
            _ => refused_unless_ok(r).await.map(drop),
        }
    }

    /// `events.get`.
    pub async fn get(&mut self, id: &str) -> Result<Option<GEvent>, ApiError> {
        let url = format!("{}/events/{}", self.base, urlencode(id));
        let r = self
            .send(|http, token| http.get(&url).bearer_auth(token))
            .await?;
        if matches!(r.status().as_u16(), 404 | 410) {
            return Ok(None);
        }
        let r = refused_unless_ok(r).await?;
        r.json()
            .await
            .map(Some)
            .map_err(|e| ApiError::Later(format!("an unreadable event: {e}")))
    }
}

async fn written(r: reqwest::Response) -> Result<Write, ApiError> {
    match r.status().as_u16() {
        409 => Ok(Write::Exists),
        412 => Ok(Write::Changed),
        404 | 410 => Ok(Write::Missing),
        _ => {
            let r = refused_unless_ok(r).await?;
            r.json()
                .await
                .map(Write::Done)
                .map_err(|e| ApiError::Later(format!("an unreadable answer: {e}")))
        }
    }
}

fn urlencode(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
