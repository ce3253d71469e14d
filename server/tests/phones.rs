//! Adding and verifying a phone through the REST API, and signing in with a texted code.

mod common;

use chrono::Duration;
use common::{Client, TestApp, default_now};
use serde_json::json;

/// The code in the last text sent to `phone`.
async fn last_code(app: &TestApp, phone: &str) -> String {
    let bodies = app
        .rows(&format!(
            "SELECT body AS row FROM sms_outbox WHERE to_number = '{phone}' AND purpose = 'code'
             ORDER BY id DESC LIMIT 1"
        ))
        .await;
    let body = bodies.first().expect("a code was texted");
    body.split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
        .expect("six digits")
        .to_owned()
}

async fn new_yorker(app: &TestApp, email: &str) -> Client {
    let client = app.signed_in(email).await;
    let (status, _) = client
        .patch("/api/me", json!({ "timezone": "America/New_York" }))
        .await;
    assert_eq!(status, 200);
    client
}

#[tokio::test]
async fn a_phone_is_verified_with_the_texted_code() {
    let app = TestApp::start().await;
    let client = new_yorker(&app, "ana@aida.test").await;

    let (status, body) = client
        .post("/api/me/phone", json!({ "phone": "(212) 555-0123" }))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["phone"], "+12125550123", "read in the user's country");
    let code = last_code(&app, "+12125550123").await;
    let stored = app
        .rows("SELECT encode(code_hash, 'hex') AS row FROM phone_codes")
        .await;
    assert!(!stored[0].contains(&code), "only a hash is kept");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = client
        .post("/api/me/phone/verify", json!({ "code": wrong }))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "code", "{body}");
    let (_, me) = client.get("/api/me").await;
    assert!(me["phone"].is_null());

    let (status, user) = client
        .post("/api/me/phone/verify", json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["phone"], "+12125550123");
    let (status, _) = client
        .post("/api/me/phone/verify", json!({ "code": code }))
        .await;
    assert_eq!(status, 400, "a code works once");

    // Another account cannot take it.
    let other = new_yorker(&app, "ben@aida.test").await;
    let (status, body) = other
        .post("/api/me/phone", json!({ "phone": "+1 212 555 0123" }))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("another account")
    );

    // Removing it frees it.
    let (status, _) = client.delete("/api/me/phone").await;
    assert_eq!(status, 204);
    let (_, me) = client.get("/api/me").await;
    assert!(me["phone"].is_null());
}

#[tokio::test]
async fn codes_expire_allow_five_tries_and_wait_between_sends() {
    let app = TestApp::start().await;
    let client = new_yorker(&app, "cy@aida.test").await;
    let (status, _) = client
        .post("/api/me/phone", json!({ "phone": "+12125550100" }))
        .await;
    assert_eq!(status, 202);
    let (status, _) = client
        .post("/api/me/phone", json!({ "phone": "+12125550100" }))
        .await;
    assert_eq!(status, 429, "a resend waits a minute");

    let code = last_code(&app, "+12125550100").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (status, _) = client
            .post("/api/me/phone/verify", json!({ "code": wrong }))
            .await;
        assert_eq!(status, 400);
    }
    let (status, _) = client
        .post("/api/me/phone/verify", json!({ "code": code }))
        .await;
    assert_eq!(
        status, 400,
        "after five wrong codes even the right one is refused"
    );

    app.clock.set(default_now() + Duration::seconds(61));
    let (status, _) = client
        .post("/api/me/phone", json!({ "phone": "+12125550100" }))
        .await;
    assert_eq!(status, 202, "a new code after the cooldown");
    let code = last_code(&app, "+12125550100").await;
    app.clock
        .set(default_now() + Duration::seconds(61) + Duration::minutes(10));
    let (status, _) = client
        .post("/api/me/phone/verify", json!({ "code": code }))
        .await;
    assert_eq!(status, 400, "expired after ten minutes");
}

#[tokio::test]
async fn codes_to_one_number_are_limited_whoever_asks() {
    let app = TestApp::start().await;
    let mut accepted = 0;
    for i in 0..7 {
        let client = new_yorker(&app, &format!("u{i}@aida.test")).await;
        let (status, _) = client
            .post("/api/me/phone", json!({ "phone": "+12125550111" }))
            .await;
        if status == 202 {
            accepted += 1;
        } else {
            assert_eq!(status, 429);
        }
    }
    assert_eq!(accepted, 5, "five an hour to one number");
}

#[tokio::test]
async fn signing_in_with_a_texted_code() {
    let app = TestApp::start().await;
    let client = new_yorker(&app, "dee@aida.test").await;
    client
        .post("/api/me/phone", json!({ "phone": "+12125550199" }))
        .await;
    let code = last_code(&app, "+12125550199").await;
    let (status, _) = client
        .post("/api/me/phone/verify", json!({ "code": code }))
        .await;
    assert_eq!(status, 200);

    let visitor = app.client();
    let (status, known) = visitor
        .post("/api/auth/phone/code", json!({ "phone": "+12125550199" }))
        .await;
    assert_eq!(status, 202);
    let (status, unknown) = visitor
        .post("/api/auth/phone/code", json!({ "phone": "+12125550198" }))
        .await;
    assert_eq!(status, 202);
    assert_eq!(
        known, unknown,
        "the same answer whoever the number belongs to"
    );
    assert_eq!(
        app.count("sms_outbox WHERE to_number = '+12125550198'")
            .await,
        0,
        "nothing texted to a number no account has"
    );

    let code = last_code(&app, "+12125550199").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _) = visitor
        .post(
            "/api/auth/phone/sign-in",
            json!({ "phone": "+12125550199", "code": wrong }),
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = visitor
        .post(
            "/api/auth/phone/sign-in",
            json!({ "phone": "+1 212 555 0199", "code": code }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["email"], "dee@aida.test");
    let (status, _) = visitor
        .post(
            "/api/auth/phone/sign-in",
            json!({ "phone": "+12125550199", "code": code }),
        )
        .await;
    assert_eq!(status, 401, "a code signs in once");
}
