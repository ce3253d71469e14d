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
    let proxies = state().map(|s| s.settings.trusted_proxies).unwrap_or(0);
    client_addr_from(&headers, connect.map(|c| c.0), proxies)
}

/// The address a request came from, as rate limits count it. Behind `trusted_proxies` proxies
/// of our own, it is the one the outermost of them saw: the entry that many from the right of
/// `X-Forwarded-For` (what the client wrote itself is further left and never read). IPv6
/// clients are counted per /64, the block one subscriber usually holds.
pub fn client_addr_from(
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trusted_proxies: usize,
) -> String {
    let forwarded = (trusted_proxies > 0)
        .then(|| {
            let hops: Vec<&str> = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect();
            hops.len()
                .checked_sub(trusted_proxies)
                .and_then(|at| hops.get(at))
                .and_then(|hop| hop.parse::<std::net::IpAddr>().ok())
        })
        .flatten();
    match forwarded.or(peer.map(|p| p.ip())) {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let block = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(block))
        }
        Some(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(String::new, |v4| v4.to_string()),
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
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
    use super::{client_addr_from, path_back};
    use axum::http::HeaderMap;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().expect("header"));
        headers
    }

    #[test]
    fn the_client_is_who_the_last_trusted_proxy_saw() {
        let peer = Some("10.0.0.2:443".parse().expect("addr"));
        // The client wrote "6.6.6.6" itself; our one proxy appended what it saw.
        let headers = forwarded("6.6.6.6, 203.0.113.7");
        assert_eq!(client_addr_from(&headers, peer, 1), "203.0.113.7");
        assert_eq!(client_addr_from(&headers, peer, 2), "6.6.6.6");
        assert_eq!(
            client_addr_from(&headers, peer, 0),
            "10.0.0.2",
            "not trusted"
        );
        assert_eq!(
            client_addr_from(&forwarded("203.0.113.7"), peer, 2),
            "10.0.0.2",
            "fewer hops than proxies: the peer"
        );
        assert_eq!(
            client_addr_from(&forwarded("nonsense"), peer, 1),
            "10.0.0.2"
        );
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let a = forwarded("2001:db8:1:2:aaaa::1");
        let b = forwarded("2001:db8:1:2:bbbb::9");
        assert_eq!(client_addr_from(&a, None, 1), "2001:db8:1:2::/64");
        assert_eq!(client_addr_from(&a, None, 1), client_addr_from(&b, None, 1));
        assert_eq!(
            client_addr_from(&forwarded("::ffff:192.0.2.1"), None, 1),
            "192.0.2.1"
        );
    }

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
