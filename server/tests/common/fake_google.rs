//! A local Google OAuth 2.0 server for tests (`shared/protocols.md` §3.4): the consent page
//! is played by the test (`consent` hands out a code for a PKCE challenge), `POST /token`
//! trades a code once (checking the client's Basic credentials and the PKCE verifier) and
//! refreshes until the refresh token is revoked (`400 invalid_grant`, as Google answers),
//! `POST /revoke` revokes.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::google::GoogleSettings;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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
}

#[derive(Clone)]
pub struct FakeGoogle {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

impl FakeGoogle {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new()
            .route("/token", post(token))
            .route("/revoke", post(revoke))
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
