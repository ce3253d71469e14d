//! Twilio's Messages API: send a message, find one sent earlier. Errors are sorted by what to
//! do next: retry (429, 5xx, no connection, no answer), or give up (anything else), with
//! 21610 (the recipient texted STOP) told apart.

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::TwilioSettings;
use crate::breaker::Breaker;

/// Twilio's code for a recipient who opted out.
pub const OPTED_OUT: i32 = 21610;

/// A message Twilio accepted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sent {
    pub sid: String,
    pub status: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// Twilio refused it for good (a bad number, configuration); `code` is Twilio's.
    #[error("Twilio refused the message ({code}): {message}")]
    Refused { code: i32, message: String },
    /// The recipient opted out (21610): never try again.
    #[error("the recipient has opted out of messages")]
    OptedOut,
    /// Worth trying again later (429, 5xx, a connection error).
    #[error("Twilio is not available: {0}")]
    Unavailable(String),
    /// The request went out but no answer came: the message may have been sent.
    #[error("Twilio did not answer in time")]
    NoAnswer,
    /// Calls are paused after a run of failures.
    #[error("Twilio is failing; calls are paused for a while")]
    Paused,
}

impl SendError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::NoAnswer | Self::Paused)
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<i32>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    sid: String,
    status: String,
    body: Option<String>,
    date_created: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    messages: Vec<Listed>,
}

pub struct Twilio {
    settings: TwilioSettings,
    http: reqwest::Client,
    breaker: Breaker,
}

impl Twilio {
    pub fn new(settings: TwilioSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .expect("an HTTP client with timeouts builds");
        Self {
            breaker: Breaker::new(settings.breaker_cool_down),
            settings,
            http,
        }
    }

    pub fn settings(&self) -> &TwilioSettings {
        &self.settings
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.settings.api_base.trim_end_matches('/'),
            self.settings.account_sid
        )
    }

    /// Sends `body` to `to`; Twilio reports its progress to `status_callback`.
    pub async fn send(
        &self,
        to: &str,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<Sent, SendError> {
        if !self.breaker.allows(Instant::now()) {
            return Err(SendError::Paused);
        }
        let mut form = vec![
            ("To", to),
            ("From", self.settings.from_number.as_str()),
            ("Body", body),
        ];
        if let Some(url) = status_callback {
            form.push(("StatusCallback", url));
        }
        let sent = self
            .http
            .post(self.messages_url())
            .basic_auth(
                &self.settings.account_sid,
                Some(self.settings.auth_token.expose()),
            )
            .form(&form)
            .send()
            .await;
        let result = match sent {
            Err(e) => Err(transport(&e)),
            Ok(response) => answer(response).await,
        };
        self.record(&result);
        result
    }

    /// A message to `to` with exactly `body` that Twilio created at or after `since`, if any:
    /// what an earlier attempt that got no answer may have sent.
    pub async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<Sent>, SendError> {
        if !self.breaker.allows(Instant::now()) {
            return Err(SendError::Paused);
        }
        let day = since.date_naive().to_string();
        let listed = self
            .http
            .get(self.messages_url())
            .basic_auth(
                &self.settings.account_sid,
                Some(self.settings.auth_token.expose()),
            )
            .query(&[("To", to), ("DateSent>", day.as_str()), ("PageSize", "50")])
            .send()
            .await;
        let result = match listed {
            Err(e) => Err(transport(&e)),
            Ok(response) if response.status().is_success() => response
                .json::<Page>()
                .await
                .map_err(|e| SendError::Unavailable(format!("unreadable list of messages: {e}"))),
            Ok(response) => answer(response).await.map(|_| Page {
                messages: Vec::new(),
            }),
        };
        self.record(&result);
        let page = result?;
        Ok(page
            .messages
            .into_iter()
            .find(|m| {
                m.body.as_deref() == Some(body)
                    && m.date_created
                        .as_deref()
                        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                        // Twilio's dates are to the second.
                        .is_none_or(|d| d >= since - chrono::Duration::seconds(1))
            })
            .map(|m| Sent {
                sid: m.sid,
                status: m.status,
            }))
    }

    fn record<T>(&self, result: &Result<T, SendError>) {
        match result {
            Ok(_) | Err(SendError::Refused { .. } | SendError::OptedOut) => {
                self.breaker.succeeded();
            }
            Err(SendError::Paused) => {}
            Err(_) => self.breaker.failed(Instant::now()),
        }
    }
}

fn transport(e: &reqwest::Error) -> SendError {
    if e.is_timeout() && !e.is_connect() {
        SendError::NoAnswer
    } else {
        SendError::Unavailable(format!("cannot reach Twilio: {e}"))
    }
}

async fn answer(response: reqwest::Response) -> Result<Sent, SendError> {
    let status = response.status();
    if status.is_success() {
        return response
            .json::<Sent>()
            .await
            .map_err(|_| SendError::NoAnswer);
    }
    let body: Option<ErrorBody> = response.json().await.ok();
    let code = body.as_ref().and_then(|b| b.code).unwrap_or(0);
    let message = body
        .and_then(|b| b.message)
        .unwrap_or_else(|| status.to_string());
    if status.as_u16() == 429 || status.is_server_error() {
        return Err(SendError::Unavailable(format!("{status}: {message}")));
    }
    if code == OPTED_OUT {
        return Err(SendError::OptedOut);
    }
    Err(SendError::Refused { code, message })
}
