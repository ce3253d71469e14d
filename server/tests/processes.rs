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

/// While a process cannot hear the others it serves nothing from memory, and once it hears
/// them again it forgets what it remembered (notices sent meanwhile were lost).
#[tokio::test]
async fn a_process_that_lost_its_listening_connection_reads_afresh() {
    let a = TestApp::start().await;
    let b = a.beside().await;
    a.user("deaf@example.com", false).await;
    let on_a = a.client();
    on_a.sign_in_session("deaf@example.com")
        .await
        .expect("sign in");
    let on_b = on_a.at(&b); // the same cookie jar: the session works on both
    let (status, before) = on_b.get_text("/").await;
    assert_eq!(status, 200);
    assert!(!before.contains("Unheard"));

    // Every listening connection is cut, as a database restart or a network fault would.
    a.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE pid <> pg_backend_pid() AND datname = current_database() AND query = 'LISTEN aida'",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let event = json!({ "title": "Unheard", "start": "2026-11-22T16:00:00Z", "end": "2026-11-22T16:30:00Z" });
    assert_eq!(on_a.post("/api/events", event).await.0, 201);
    let (_, page) = on_b.get_text("/").await;
    assert!(
        page.contains("Unheard"),
        "B served its Today page from memory while deaf"
    );

    // Listening again (after a second), B trusts what it reads anew.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let listening = a
        .rows("SELECT count(*)::text AS row FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN aida'")
        .await;
    assert_eq!(listening, ["2"], "both processes listen again");
}
