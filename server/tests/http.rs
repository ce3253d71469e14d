//! The HTTP surface around the domains: health, pages, headers, the OpenAPI document, and
//! behaviour when the database is down.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn health_reports_the_process_and_the_database() {
    let app = TestApp::start().await;
    let client = app.client();
    assert_eq!(
        client.get("/health").await,
        (200, json!({ "status": "ok" }))
    );
    assert_eq!(
        client.get("/health/db").await,
        (200, json!({ "status": "ok" }))
    );

    let down = TestApp::without_database().await;
    let (status, body) = down.client().get("/health/db").await;
    assert_eq!(
        (status, body["status"].clone()),
        (503, json!("unavailable"))
    );
    assert_eq!(down.client().get("/health").await.0, 200);
}

#[tokio::test]
async fn a_database_outage_is_a_clear_503_not_a_crash() {
    let down = TestApp::without_database().await;
    let mut client = down.client();
    client.token = Some("aida_whatever".into());
    let (status, body) = client.get("/api/events").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing was changed")
    );
    let (status, body) = down
        .client()
        .post(
            "/api/auth/sign-up",
            json!({ "email": "a@example.com", "password": "long enough password" }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (503, json!("unavailable"))
    );
    let (status, page) = down.client().get_text("/sign-in").await;
    assert_eq!(status, 200, "public pages still render");
    assert!(page.contains("Sign in to Aida"));
}

#[tokio::test]
async fn pages_need_a_signed_in_user() {
    let app = TestApp::start().await;
    let visitor = app.client();
    for path in [
        "/",
        "/calendar",
        "/tasks",
        "/expenses",
        "/settings",
        "/admin",
    ] {
        let response = visitor
            .http
            .get(format!("{}{path}", app.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("page");
        assert_eq!(response.status(), 302, "{path}");
        assert_eq!(response.headers()["location"], "/sign-in", "{path}");
    }
    let (status, page) = visitor.get_text("/sign-up").await;
    assert_eq!(status, 200);
    assert!(page.contains("Create your account"));
    let (status, _) = visitor.get_text("/no-such-page").await;
    assert_eq!(status, 404);
}

/// Leptos finds an app's routes by rendering it with data loading switched off, and that switch
/// is one for the whole process. Building another router (as every test app does) while a page
/// renders must not leave that page waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_router_never_stalls_a_page_being_served() {
    let app = TestApp::start().await;
    let visitor = app.client();
    let building = Arc::new(AtomicBool::new(true));
    let builder = tokio::task::spawn_blocking({
        let (state, building) = (app.state.clone(), building.clone());
        move || {
            while building.load(Ordering::Relaxed) {
                drop(server::router::build(state.clone()));
            }
        }
    });
    let mut answers = Vec::new();
    for _ in 0..40 {
        let page = tokio::time::timeout(Duration::from_secs(10), visitor.get_text("/calendar"));
        answers.push(page.await.map(|(status, _)| status));
    }
    building.store(false, Ordering::Relaxed);
    builder.await.expect("builder");
    let stalled = answers.iter().filter(|a| a.is_err()).count();
    assert_eq!(stalled, 0, "pages that never answered: {stalled} of 40");
    assert!(answers.iter().all(|a| matches!(a, Ok(302))), "{answers:?}");
}

#[tokio::test]
async fn signed_in_pages_render_the_users_data_on_the_server() {
    let app = TestApp::start().await;
    let user = app.signed_in("kai@example.com").await;
    user.post(
        "/api/events",
        json!({ "title": "Pottery class", "start": "2026-11-22T18:00" }),
    )
    .await;
    user.post(
        "/api/tasks",
        json!({ "title": "Water plants", "due": "2026-11-22" }),
    )
    .await;
    user.post(
        "/api/expenses",
        json!({ "amount": "42.00", "category": "Entertainment" }),
    )
    .await;
    let browser = app.client();
    browser
        .sign_in_session("kai@example.com")
        .await
        .expect("sign in");
    for (path, expected) in [
        ("/", "Pottery class"),
        ("/", "Water plants"),
        ("/", "42.00 USD"),
        ("/calendar?view=week&date=2026-11-22", "Pottery class"),
        ("/calendar?view=month&date=2026-11-22", "Pottery class"),
        ("/tasks", "Water plants"),
        ("/expenses", "Entertainment"),
        ("/settings", "Europe/Paris"),
    ] {
        let (status, page) = browser.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(expected), "{path} should show {expected}");
    }
    // Another user's page shows none of it.
    let other = app.client();
    app.user("lou@example.com", false).await;
    other
        .sign_in_session("lou@example.com")
        .await
        .expect("sign in");
    let (_, page) = other.get_text("/").await;
    assert!(!page.contains("Pottery class"));
    // Non-admins see the admin page refuse them.
    let (_, page) = browser.get_text("/admin").await;
    assert!(page.contains("only administrators"));
}

#[tokio::test]
async fn responses_carry_security_headers_and_compress() {
    let app = TestApp::start().await;
    let response = reqwest::Client::new()
        .get(format!("{}/sign-in", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("page");
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn every_documented_operation_exists() {
    let app = TestApp::start().await;
    let visitor = app.client();
    let (status, doc) = visitor.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let public = operation.get("security") == Some(&json!([]));
            let url = format!("{}{}", app.base, path.replace("{id}", "1"));
            let request = match method {
                "get" => visitor.http.get(&url),
                "post" => visitor.http.post(&url).json(&json!({})),
                "put" => visitor.http.put(&url).json(&json!({})),
                "patch" => visitor.http.patch(&url).json(&json!({})),
                _ => visitor.http.delete(&url),
            };
            let status = request.send().await.expect("request").status().as_u16();
            let expected: &[u16] = if public { &[200, 400] } else { &[401] };
            assert!(
                expected.contains(&status),
                "{method} {path} answered {status}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} operations documented");
    // And an undocumented path is not found.
    let (status, body): (u16, Value) = visitor.get("/api/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_found"))
    );
}

/// Without JavaScript a refused form comes back to its page with the error and with what was
/// typed, passwords excepted.
#[tokio::test]
async fn a_refused_plain_form_comes_back_with_what_was_typed_but_no_password() {
    let app = TestApp::start().await;
    let visitor = app.client();
    let post = |path: &'static str, form: &'static [(&'static str, &'static str)]| {
        visitor
            .http
            .post(format!("{}{path}", app.base))
            .header("accept", "text/html")
            .header("referer", format!("{}/sign-up", app.base))
            .form(form)
            .send()
    };
    let response = post(
        <app::auth::api::SignUp as leptos::server_fn::ServerFn>::PATH,
        &[
            ("email", "kim@example.com"),
            ("password", "short"),
            ("name", "Kim & Co"),
        ],
    )
    .await
    .expect("sign up");
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let query: Vec<(String, String)> = form_urlencoded::parse(
        location
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
            .as_bytes(),
    )
    .into_owned()
    .collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert!(get("__err").is_some(), "{location}");
    let input = get("__input").expect("input");
    let input = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, input)
        .expect("base64url");
    assert_eq!(input, b"email=kim%40example.com&name=Kim+%26+Co");
    assert!(!location.contains("short"), "{location}");
    assert_eq!(app.count("users").await, 0, "nothing written");

    // The page it comes back to fills the form in again.
    let (status, page) = visitor.get_text(&location.replacen(&app.base, "", 1)).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"value="kim@example.com""#), "{page}");
    assert!(page.contains(r#"value="Kim &amp; Co""#), "{page}");

    // An accepted form is not touched.
    let response = post(
        <app::auth::api::SignUp as leptos::server_fn::ServerFn>::PATH,
        &[
            ("email", "kim@example.com"),
            ("password", "a long enough password"),
            ("name", "Kim"),
        ],
    )
    .await
    .expect("sign up");
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or_default().to_owned());
    assert!(
        location.as_ref().is_none_or(|l| !l.contains("__input")),
        "{location:?}"
    );
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_stay_on_https() {
    let hsts = async |app: &TestApp| {
        let response = reqwest::get(format!("{}/health", app.base))
            .await
            .expect("health");
        response
            .headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().expect("ascii").to_owned())
    };
    assert_eq!(
        hsts(&TestApp::start().await).await,
        None,
        "not over plain http"
    );
    let secure = TestApp::with_settings(app::state::Settings {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    assert_eq!(
        hsts(&secure).await.as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
}

/// Pages carry a Content-Security-Policy whose nonce is the one on every inline script.
#[tokio::test]
async fn pages_carry_a_content_security_policy_matching_their_scripts() {
    let app = TestApp::start().await;
    app.user("csp@example.com", false).await;
    let user = app.client();
    user.sign_in_session("csp@example.com")
        .await
        .expect("sign in");
    let visitor = app.client();
    for (client, path) in [(&visitor, "/sign-in"), (&user, "/"), (&user, "/booking")] {
        let response = client
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("page");
        let policy = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path} has no policy"))
            .to_owned();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce")
            .to_owned();
        assert!(policy.contains("frame-ancestors 'none'"));
        let html = response.text().await.expect("html");
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} has scripts");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: every script carries the nonce"
        );
    }
    // Each response its own nonce.
    let policy = |r: reqwest::Response| {
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let a = policy(
        app.client()
            .http
            .get(format!("{}/sign-in", app.base))
            .send()
            .await
            .unwrap(),
    );
    let b = policy(
        app.client()
            .http
            .get(format!("{}/sign-in", app.base))
            .send()
            .await
            .unwrap(),
    );
    assert_ne!(a, b);
}
