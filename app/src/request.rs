//! What a server function knows about its request: the app state, the session, the acting user.

use axum::http::HeaderMap;
use leptos::prelude::use_context;
use tower_sessions::Session;

use crate::auth::{model::User, ops, session};
use crate::error::AppError;
use crate::state::AppState;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this request");
        AppError::Internal
    })
}

/// The signed-in user as found once for this request: a page's several data loads, which run
/// at the same time, share one lookup.
#[derive(Clone, Default)]
pub struct RequestUser(std::sync::Arc<tokio::sync::OnceCell<Option<User>>>);

/// The signed-in user, if any; an account that is no longer active counts as signed out.
pub async fn signed_in_user() -> Result<Option<(AppState, User)>, AppError> {
    let state = state()?;
    let found = match use_context::<RequestUser>() {
        Some(cache) => cache
            .0
            .get_or_try_init(|| find_signed_in_user(&state))
            .await?
            .clone(),
        None => find_signed_in_user(&state).await?,
    };
    Ok(found.map(|user| (state, user)))
}

async fn find_signed_in_user(state: &AppState) -> Result<Option<User>, AppError> {
    let session = session().await?;
    let Some(id) = session::user_id(&session).await? else {
        return Ok(None);
    };
    match ops::active_user(state, id).await {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Unauthenticated | AppError::Forbidden(_)) => {
            session::sign_out(&session).await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The signed-in, active user, or `Unauthenticated`.
pub async fn acting_user() -> Result<(AppState, User), AppError> {
    signed_in_user().await?.ok_or(AppError::Unauthenticated)
}

/// The client's address, for rate limiting sign-ins.
pub async fn client_addr() -> String {
    let headers: HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let connect: Option<axum::extract::ConnectInfo<std::net::SocketAddr>> =
        leptos_axum::extract().await.ok();
    let trust = state()
        .map(|s| s.settings.trust_forwarded_for)
        .unwrap_or(false);
    client_addr_from(&headers, connect.map(|c| c.0), trust)
}

/// The address a request came from: the peer, or the first `X-Forwarded-For` hop when trusted.
pub fn client_addr_from(
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_forwarded_for: bool,
) -> String {
    if trust_forwarded_for
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_owned();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Where to send the browser after a form on the calendar: the page it came from (by
/// `Referer`), without the open dialog; `fallback` when there is no usable `Referer`.
pub async fn back_without_dialog(fallback: &str) -> String {
    let headers: HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(path_back)
        .unwrap_or_else(|| fallback.to_owned())
}

/// The path (and query, less the dialog) of a `Referer`, only when it stays on this site: a
/// path starting `//` or `/\` is another host to a browser.
fn path_back(referer: &str) -> Option<String> {
    let uri = referer.parse::<axum::http::Uri>().ok()?;
    let path = uri.path();
    if !path.starts_with('/') || path.starts_with("//") || path.starts_with("/\\") {
        return None;
    }
    let query: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("new=") && !p.starts_with("edit="))
        .collect();
    Some(if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    })
}

#[cfg(test)]
mod tests {
    use super::path_back;

    #[test]
    fn the_way_back_never_leaves_the_site() {
        assert_eq!(
            path_back("http://aida.local/calendar?date=2026-11-23&edit=4").as_deref(),
            Some("/calendar?date=2026-11-23")
        );
        assert_eq!(
            path_back("http://aida.local/tasks?new=1").as_deref(),
            Some("/tasks")
        );
        for away in [
            "http://aida.local//evil.example/x",
            "http://aida.local/\\evil.example/x",
            "//evil.example/x",
            "not a uri at all",
        ] {
            assert_eq!(path_back(away), None, "{away}");
        }
    }
}
