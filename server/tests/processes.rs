//! Two `aida serve` processes on one database: what one does counts at once in the other,
//! though each remembers rows it read a moment ago (`db::notify`).

mod common;

use app::auth::api::{SignIn, SignOut};
use chrono::{Duration, SecondsFormat, Utc};
use common::process::Process;
use common::{PASSWORD, TestApp};
use leptos::server_fn::ServerFn;
use serde_json::json;

/// Signs in on `process` through the sign-in form; returns the session cookie.
async fn sign_in(process: &Process, email: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}{}", process.base, SignIn::PATH))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(response.status().is_success(), "sign-in refused");
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

async fn get(process: &Process, cookie: &str, path: &str) -> (u16, String) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}{path}", process.base))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn post(process: &Process, cookie: &str, path: &str, body: serde_json::Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{}{path}", process.base))
        .header("cookie", cookie)
        .header("origin", process.base.clone())
        .json(&body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn what_one_process_changes_counts_at_once_in_the_other() {
    let app = TestApp::start().await;
    app.user("admin@example.com", true).await;
    let user = app.user("two@example.com", false).await;
    let (a, b) = (
        Process::serve(&app.database_url).await,
        Process::serve(&app.database_url).await,
    );
    let on_a = sign_in(&a, "two@example.com").await;
    let admin_on_a = sign_in(&a, "admin@example.com").await;

    // B builds the Today page and remembers it, the session and the account.
    let (status, today) = get(&b, &on_a, "/").await;
    assert_eq!(status, 200);
    assert!(!today.contains("Seen everywhere"));

    // An event added through A is on B's Today page at once.
    let now = Utc::now();
    let event = json!({
        "title": "Seen everywhere",
        "start": (now - Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "end": (now + Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    assert_eq!(post(&a, &on_a, "/api/events", event).await, 201);
    let (_, today) = get(&b, &on_a, "/").await;
    assert!(
        today.contains("Seen everywhere"),
        "B still shows the old Today page"
    );

    // A sign-out through A ends the session on B at once.
    let second = sign_in(&a, "two@example.com").await;
    assert_eq!(get(&b, &second, "/api/me").await.0, 200);
    let signed_out = reqwest::Client::new()
        .post(format!("{}{}", a.base, SignOut::PATH))
        .header("cookie", &second)
        .header("accept", "application/json")
        .send()
        .await
        .expect("sign out");
    assert!(signed_out.status().is_success());
    assert_eq!(
        get(&b, &second, "/api/me").await.0,
        401,
        "B still trusts the session"
    );

    // An account disabled through A is refused by B at once.
    assert_eq!(get(&b, &on_a, "/api/me").await.0, 200);
    let disabled = post(
        &a,
        &admin_on_a,
        &format!("/api/admin/users/{}/disable", user.id),
        json!({}),
    )
    .await;
    assert_eq!(disabled, 200);
    assert_eq!(
        get(&b, &on_a, "/api/me").await.0,
        403,
        "B still trusts the account"
    );
}
