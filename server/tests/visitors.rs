//! What visitors can do before signing in: requests a browser sends from another site change
//! nothing (neither with the session cookie nor by signing someone in), and a visitor leaves
//! nothing stored, whatever cookie it sends.

mod common;

use common::{PASSWORD, TestApp};
use leptos::server_fn::ServerFn;

async fn post(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    form: &[(&str, &str)],
) -> u16 {
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}{path}", app.base))
        .form(form);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    if let Some(o) = origin {
        request = request.header("origin", o);
    }
    request.send().await.expect("post").status().as_u16()
}

/// Signs `email` in through the sign-in form; the session cookie.
async fn session(app: &TestApp, email: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/rpc/sign_in", app.base))
        .header("origin", app.base.clone())
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aida_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test]
async fn another_sites_forms_change_nothing() {
    let app = TestApp::start().await;
    let user = app.user("cs@aida.test", false).await;
    let cookie = session(&app, "cs@aida.test").await;
    let form = [("title", "Forged")];
    let path = app::tasks::api::SaveTask::PATH;

    let status = post(
        &app,
        path,
        Some(&cookie),
        Some("https://evil.example"),
        &form,
    )
    .await;
    assert_eq!(status, 403, "another site's form, with the cookie");
    assert_eq!(app.count("tasks").await, 0);

    let status = post(&app, path, Some(&cookie), Some(&app.base), &form).await;
    assert!(status < 400, "this site's own form: {status}");
    assert_eq!(app.count("tasks").await, 1);

    // Sign-in forgery: another site signing the visitor in to an account.
    let status = post(
        &app,
        "/rpc/sign_in",
        None,
        Some("https://evil.example"),
        &[("email", "cs@aida.test"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 403);

    // Programs (no Origin) and bearer tokens are not browsers' forged requests.
    let client = app.client_for("cs@aida.test").await;
    let (status, _) = client
        .post("/api/tasks", serde_json::json!({ "title": "By token" }))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        app.count(&format!("tasks WHERE user_id = {}", user.id))
            .await,
        2
    );
}

#[tokio::test]
async fn a_visitor_with_an_unknown_session_cookie_leaves_nothing_stored() {
    let app = TestApp::start().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in ["/health", "/sign-in", "/", "/pkg/aida.css", "/api/me"] {
        for cookie in [None, Some("aida_session=AAAAAAAAAAAAAAAAAAAAAA")] {
            let mut request = client.get(format!("{}{path}", app.base));
            if let Some(c) = cookie {
                request = request.header("cookie", c);
            }
            request.send().await.expect("get");
        }
    }
    assert_eq!(
        app.count("sessions").await,
        0,
        "no session row for a visitor"
    );
}
