//! Connecting a Google account and keeping its tokens: the consent and its callback (a state
//! bound to the signed-in session, used once), tokens sealed in the database, refreshed a
//! minute before they expire or when Google answers 401, a refused refresh marking the
//! connection broken (and telling the user), disconnecting with revocation.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::oauth::{self, OAuthError};
use super::{Connection, GoogleSettings, store};
use crate::auth::model::User;
use crate::crypto::Keys;
use crate::db;
use crate::error::AppError;
use crate::sms::outbox::{self, Message, Purpose};
use crate::state::AppState;

/// Where the session keeps a consent under way.
pub const PENDING_KEY: &str = "google_consent";
/// How long a consent may take.
const CONSENT_MINUTES: i64 = 10;
/// How long before its expiry an access token is refreshed.
const REFRESH_AHEAD: Duration = Duration::seconds(60);

/// A consent under way, kept in the signed-in session until its callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub verifier: String,
    pub user_id: i64,
    pub made_at: DateTime<Utc>,
}

/// What Google's redirect back carries.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub scope: Option<String>,
}

/// Why no access token can be had.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GoogleError {
    #[error("Google Calendar is not connected")]
    NotConnected,
    #[error("Google no longer accepts this connection; connect again in Settings")]
    Broken,
    #[error(transparent)]
    App(#[from] AppError),
}

fn configured(state: &AppState) -> Result<(&GoogleSettings, &Keys), AppError> {
    match (&state.settings.google, &state.settings.keys) {
        (Some(google), Some(keys)) => Ok((google, keys)),
        _ => Err(AppError::Forbidden(
            "Google Calendar is not set up on this server".into(),
        )),
    }
}

fn context(user_id: i64, which: &str) -> String {
    format!("google:{user_id}:{which}")
}

fn unreachable(e: &OAuthError) -> AppError {
    tracing::warn!(error = %e, "Google's OAuth endpoint failed");
    AppError::Unavailable
}

/// The consent URL to send the user to, and what the session keeps for the callback.
pub fn start(state: &AppState, user: &User) -> Result<(String, Pending), AppError> {
    let (google, _) = configured(state)?;
    let consent = oauth::consent(google, &state.settings.public_url).map_err(|e| {
        tracing::error!(error = %e, "the Google OAuth client is misconfigured");
        AppError::Internal
    })?;
    Ok((
        consent.url,
        Pending {
            state: consent.state,
            verifier: consent.verifier,
            user_id: user.id,
            made_at: state.now(),
        },
    ))
}

/// Finishes a consent: the callback must carry the state of the consent this session started
/// (which the door has already taken out of the session, so it works once), then the code is
/// traded for tokens, which are sealed and kept. Nothing is asked of Google otherwise.
pub async fn finish(
    state: &AppState,
    user: &User,
    pending: Option<Pending>,
    callback: Callback,
) -> Result<(), AppError> {
    let (google, keys) = configured(state)?;
    let unknown = || {
        AppError::Request(
            "this Google connection attempt is unknown, used or expired; start again from Settings"
                .into(),
        )
    };
    let pending = pending
        .filter(|p| p.user_id == user.id)
        .filter(|p| state.now() - p.made_at <= Duration::minutes(CONSENT_MINUTES))
        .ok_or_else(unknown)?;
    let sent = callback.state.as_deref().unwrap_or_default();
    if !crate::secret::same(sent.as_bytes(), pending.state.as_bytes()) {
        return Err(unknown());
    }
    if let Some(error) = callback.error {
        tracing::info!(user_id = user.id, error, "Google consent not given");
        return Err(AppError::Forbidden(
            "Google did not give Aida access to your calendar".into(),
        ));
    }
    let code = callback
        .code
        .ok_or_else(|| AppError::Request("Google sent no code".into()))?;
    let tokens = oauth::exchange(google, &state.settings.public_url, &code, &pending.verifier)
        .await
        .map_err(|e| match e {
            OAuthError::InvalidGrant(_) | OAuthError::Refused(_) => {
                tracing::warn!(user_id = user.id, error = %e, "Google refused the code");
                AppError::Request(
                    "Google refused this connection; start again from Settings".into(),
                )
            }
            other => unreachable(&other),
        })?;
    let granted = if tokens.scope.is_empty() {
        callback.scope.unwrap_or_default()
    } else {
        tokens.scope.clone()
    };
    if !granted.split(' ').any(|s| s == oauth::SCOPES[0]) {
        return Err(AppError::Forbidden(
            "Aida needs to see and change your calendar's events: allow it when Google asks".into(),
        ));
    }
    let refresh = tokens.refresh.as_deref().ok_or_else(|| {
        AppError::Request("Google sent no refresh token; start again from Settings".into())
    })?;
    let now = state.now();
    let sealed_refresh = keys.seal(refresh, &context(user.id, "refresh"));
    let sealed_access = keys.seal(&tokens.access, &context(user.id, "access"));
    state
        .write(async |tx| {
            store::connect(
                tx.conn(),
                user.id,
                &sealed_refresh,
                &sealed_access,
                now + tokens.expires_in,
                &granted,
                now,
            )
            .await?;
            // The first import starts with the connection.
            crate::jobs::queue::add(tx, &[super::sync::pull_job(user.id)]).await?;
            Ok(())
        })
        .await?;
    tracing::info!(user_id = user.id, "Google Calendar connected");
    Ok(())
}

/// An access token for the user's Google Calendar, refreshed when it is about to expire.
pub async fn access_token(state: &AppState, user_id: i64) -> Result<String, GoogleError> {
    let (_, keys) = configured(state)?;
    let mut conn = db::conn(&state.pool).await?;
    let row = usable(store::find(&mut conn, user_id).await?)?;
    drop(conn);
    if row.access_expires_at - REFRESH_AHEAD > state.now() {
        let access = keys
            .open(&row.access_token, &context(user_id, "access"))
            .map_err(|e| sealed_fault(user_id, &e))?;
        if !access.stale {
            return Ok(access.text);
        }
    }
    refresh(state, user_id).await
}

/// A new access token now (after Google answered 401 to the one held).
pub async fn refresh(state: &AppState, user_id: i64) -> Result<String, GoogleError> {
    let (google, keys) = configured(state)?;
    let mut conn = db::conn(&state.pool).await?;
    let row = usable(store::find(&mut conn, user_id).await?)?;
    drop(conn);
    let refresh_token = keys
        .open(&row.refresh_token, &context(user_id, "refresh"))
        .map_err(|e| sealed_fault(user_id, &e))?
        .text;
    match oauth::refresh(google, &state.settings.public_url, &refresh_token).await {
        Ok(tokens) => {
            let now = state.now();
            // Google normally keeps the refresh token; it is sealed anew under the current key.
            let refresh_token = tokens.refresh.as_deref().unwrap_or(&refresh_token);
            let sealed_refresh = keys.seal(refresh_token, &context(user_id, "refresh"));
            let sealed_access = keys.seal(&tokens.access, &context(user_id, "access"));
            state
                .write(async |tx| {
                    store::set_tokens(
                        tx.conn(),
                        user_id,
                        &sealed_refresh,
                        &sealed_access,
                        now + tokens.expires_in,
                    )
                    .await
                })
                .await?;
            Ok(tokens.access)
        }
        Err(OAuthError::InvalidGrant(why)) => {
            broken(state, user_id, &why).await?;
            Err(GoogleError::Broken)
        }
        Err(e) => Err(unreachable(&e).into()),
    }
}

fn usable(row: Option<store::Row>) -> Result<store::Row, GoogleError> {
    match row {
        None => Err(GoogleError::NotConnected),
        Some(row) if row.status == "broken" => Err(GoogleError::Broken),
        Some(row) => Ok(row),
    }
}

fn sealed_fault(user_id: i64, e: &crate::crypto::OpenError) -> GoogleError {
    tracing::error!(user_id, error = %e, "a Google token does not open: is AIDA_ENCRYPTION_KEY (or _PREVIOUS) the one it was sealed with?");
    GoogleError::App(AppError::Internal)
}

/// Marks the connection broken and tells the user, once: the Settings page says so, and a
/// text goes to their phone when they have one.
async fn broken(state: &AppState, user_id: i64, why: &str) -> Result<(), AppError> {
    tracing::warn!(
        user_id,
        why,
        "Google refused the refresh token: connection broken"
    );
    let problem = "Google no longer accepts Aida's access to your calendar (it was revoked or expired). Connect it again in Settings.";
    state
        .write(async |tx| {
            if !store::break_off(tx.conn(), user_id, problem).await? {
                return Ok(());
            }
            let user = crate::auth::store::find(tx.conn(), user_id).await?;
            if let Some(phone) = user.phone.as_deref() {
                let body = "Aida: Google Calendar stopped syncing because Google no longer accepts Aida's access. Connect it again in Settings.";
                outbox::queue(tx, state, Message::new(Some(user_id), phone, body, Purpose::Notice))
                    .await?;
            }
            Ok(())
        })
        .await
}

/// Revokes the connection at Google, then forgets it here. Google being unreachable leaves
/// it as it was (the token must not outlive our copy); a token Google already dropped is
/// simply forgotten.
pub async fn disconnect(state: &AppState, user: &User) -> Result<(), AppError> {
    let (google, keys) = configured(state)?;
    let mut conn = db::conn(&state.pool).await?;
    let Some(row) = store::find(&mut conn, user.id).await? else {
        return Ok(());
    };
    drop(conn);
    if let Ok(token) = keys.open(&row.refresh_token, &context(user.id, "refresh")) {
        match oauth::revoke(google, &token.text).await {
            Ok(()) => {}
            Err(OAuthError::Refused(e)) => {
                tracing::info!(error = e, "Google no longer knew the token");
            }
            Err(e) => {
                tracing::warn!(error = %e, "Google's revoke endpoint failed");
                return Err(AppError::Unavailable);
            }
        }
    }
    state
        .write(async |tx| store::delete(tx.conn(), user.id).await)
        .await?;
    tracing::info!(user_id = user.id, "Google Calendar disconnected");
    Ok(())
}

/// The user's connection as Settings shows it.
pub async fn connection(state: &AppState, user: &User) -> Result<Connection, AppError> {
    if configured(state).is_err() {
        return Ok(Connection::Unavailable);
    }
    let mut conn = db::conn(&state.pool).await?;
    let Some(row) = store::find(&mut conn, user.id).await? else {
        return Ok(Connection::NotConnected);
    };
    if let Some(problem) = row.problem {
        return Ok(Connection::Broken { problem });
    }
    let sync = store::sync_state(&mut conn, user.id).await?;
    Ok(Connection::Connected {
        since: row.connected_at,
        sync: super::Sync {
            importing: sync
                .as_ref()
                .and_then(|s| s.import_started_at.map(|_| s.imported)),
            last_synced_at: sync.as_ref().and_then(|s| s.last_synced_at),
            problem: sync.and_then(|s| s.sync_problem),
        },
    })
}

/// Seals every Google token anew under the current key (after a rotation); how many
/// connections were sealed anew. Fails, changing nothing, if one does not open.
pub async fn reencrypt(state: &AppState) -> Result<usize, AppError> {
    let Some(keys) = &state.settings.keys else {
        return Err(AppError::Forbidden("AIDA_ENCRYPTION_KEY is not set".into()));
    };
    state
        .write(async |tx| {
            let rows = store::all_for_update(tx.conn()).await?;
            for row in &rows {
                let reseal = |sealed: &str, which: &str| {
                    let context = context(row.user_id, which);
                    keys.open(sealed, &context)
                        .map(|opened| keys.seal(&opened.text, &context))
                        .map_err(|e| {
                            tracing::error!(user_id = row.user_id, error = %e, "a Google token does not open");
                            AppError::Internal
                        })
                };
                let refresh = reseal(&row.refresh_token, "refresh")?;
                let access = reseal(&row.access_token, "access")?;
                store::set_tokens(tx.conn(), row.user_id, &refresh, &access, row.access_expires_at)
                    .await?;
            }
            Ok(rows.len())
        })
        .await
}

/// What `/health/google` reports.
#[derive(Debug, Serialize)]
pub struct Health {
    pub configured: bool,
    pub connected: i64,
    pub broken: i64,
}

pub async fn health(state: &AppState) -> Result<Health, AppError> {
    let conn = db::conn(&state.pool).await?;
    let (connected, broken) = store::counts(&conn).await?;
    Ok(Health {
        configured: configured(state).is_ok(),
        connected,
        broken,
    })
}
