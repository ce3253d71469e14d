//! Refuses state-changing requests that a browser sent from another site (cross-site request
//! forgery with the session cookie, and sign-in forgery, which needs no cookie): a POST, PUT,
//! PATCH or DELETE without a bearer token is refused with 403 when `Sec-Fetch-Site` says
//! `cross-site` or `same-site`, or when `Origin` names another origin than this server's (its
//! `Host`, or `AIDA_PUBLIC_URL`). Requests without either header (not from a browser: curl,
//! Twilio's webhooks) and requests with a bearer token (which a forged request cannot carry)
//! are left alone.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::state::AppState;

use super::api::ApiError;

pub async fn refuse_forged(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if changes_state(request.method())
        && !carries_bearer(&request)
        && from_another_site(&request, &state.settings.public_url)
    {
        tracing::warn!(
            path = request.uri().path(),
            "a request from another site was refused"
        );
        return ApiError(AppError::Forbidden(
            "this request came from another site; reload the page and try again".into(),
        ))
        .into_response();
    }
    next.run(request).await
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn carries_bearer(request: &Request) -> bool {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
}

fn from_another_site(request: &Request, public_url: &str) -> bool {
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    let same_host = origin_host.is_some() && origin_host == host;
    !(same_host || origin.eq_ignore_ascii_case(public_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(Method::POST).uri("/rpc/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).expect("request")
    }

    const PUBLIC: &str = "https://aida.example.com";

    #[test]
    fn another_sites_origin_is_refused() {
        let r = request(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert!(from_another_site(&r, PUBLIC));
        let r = request(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(from_another_site(&r, PUBLIC));
        let r = request(&[("sec-fetch-site", "cross-site")]);
        assert!(from_another_site(&r, PUBLIC));
        let r = request(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://a.example.com"),
        ]);
        assert!(from_another_site(&r, PUBLIC));
    }

    #[test]
    fn this_sites_requests_and_non_browsers_pass() {
        let r = request(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(!from_another_site(&r, PUBLIC));
        let r = request(&[("host", "10.0.0.5:3000"), ("origin", PUBLIC)]);
        assert!(!from_another_site(&r, PUBLIC), "behind a proxy");
        let r = request(&[
            ("sec-fetch-site", "same-origin"),
            ("host", "h"),
            ("origin", "http://h"),
        ]);
        assert!(!from_another_site(&r, PUBLIC));
        assert!(
            !from_another_site(&request(&[]), PUBLIC),
            "curl sends neither"
        );
    }

    #[test]
    fn a_bearer_token_is_recognised() {
        assert!(carries_bearer(&request(&[("authorization", "Bearer t")])));
        assert!(!carries_bearer(&request(&[("authorization", "Basic t")])));
    }
}
