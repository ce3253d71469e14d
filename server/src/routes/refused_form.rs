//! Keeps what a person typed when a plain form (no JavaScript) is refused.
//!
//! Without JavaScript a form posts to its server function, and on an error Leptos redirects the
//! browser back to the page with the error in the URL (`__err`); the page shows the message, but
//! what was typed is gone. This layer adds the submitted fields to that redirect as `__input`, so
//! the form can be filled in again (`app::ui::refused_input`). Fields whose name mentions a
//! password never travel in a URL.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// Plain forms larger than this are passed on untouched (their values are not carried back).
const MAX_FORM_BYTES: usize = 16 * 1024;

pub async fn keep_input(request: Request, next: Next) -> Response {
    if !is_plain_form_post(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        // Only reachable when the body outgrew its declared length; nothing to forward.
        return Response::builder()
            .status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::empty())
            .unwrap_or_default();
    };
    let input = carried_fields(&bytes);
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .filter(|l| l.contains("__err="))
        .map(|l| with_input(l, &input))
        .and_then(|l| HeaderValue::from_str(&l).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A browser's form post to a server function, small enough to carry back.
fn is_plain_form_post(request: &Request) -> bool {
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or_default()
    };
    request.method() == Method::POST
        && request.uri().path().starts_with("/rpc/")
        && text(header::ACCEPT).contains("text/html")
        && text(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
        && text(header::CONTENT_LENGTH)
            .parse::<usize>()
            .is_ok_and(|n| n <= MAX_FORM_BYTES)
}

/// The submitted fields, form-encoded again, without any password.
fn carried_fields(body: &[u8]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(body) {
        if !name.to_ascii_lowercase().contains("password") {
            out.append_pair(&name, &value);
        }
    }
    out.finish()
}

/// `location` with the fields added as one `__input` parameter, in base64url: the router
/// decodes a query before it splits it, so encoded text inside a value would not survive.
fn with_input(location: &str, input: &str) -> String {
    use base64::Engine;
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(input);
    let separator = if location.contains('?') { '&' } else { '?' };
    format!("{location}{separator}__input={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_carried() {
        let fields = carried_fields(
            b"email=a%40b.c&password=hunter2&current_password=x&new_password=y&name=Al+B",
        );
        assert_eq!(fields, "email=a%40b.c&name=Al+B");
    }

    #[test]
    fn the_input_rides_along_as_one_parameter() {
        use base64::Engine;
        let location = with_input("http://x/calendar?new=1&__err=e30", "title=A+%26+B&start=");
        let (before, value) = location.split_once("&__input=").expect("added last");
        assert_eq!(before, "http://x/calendar?new=1&__err=e30");
        assert!(
            value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value)
            .expect("base64url");
        assert_eq!(decoded, b"title=A+%26+B&start=");
        assert!(with_input("/tasks", "a=1").starts_with("/tasks?__input="));
    }
}
