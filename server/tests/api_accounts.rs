//! Sign-up, the waitlist, sign-in, profile and administration through the REST API.

mod common;

use common::{PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn sign_up_waits_for_approval_then_signs_in() {
    let app = TestApp::start().await;
    let admin = {
        app.user("admin@example.com", true).await;
        app.client_for("admin@example.com").await
    };
    let visitor = app.client();

    let (status, body) = visitor
        .post(
            "/api/auth/sign-up",
            json!({ "email": "New@Example.com", "password": PASSWORD, "name": "Ann" }),
        )
        .await;
    assert_eq!((status, body), (201, json!({ "status": "pending" })));

    let (status, body) = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "new@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("approval")
    );

    let (status, pending) = admin.get("/api/admin/users?status=pending").await;
    assert_eq!(status, 200);
    let pending = pending.as_array().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["email"], "new@example.com");
    let id = pending[0]["id"].as_i64().expect("id");

    let (status, approved) = admin
        .post(&format!("/api/admin/users/{id}/approve"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(approved["status"], "active");

    // Email matching ignores case.
    let (status, body) = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "NEW@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["name"], "Ann");
    let token = body["token"].as_str().expect("token");
    let (status, me) = visitor
        .http
        .get(format!("{}/api/me", app.base))
        .bearer_auth(token)
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .expect("me");
    assert_eq!(status, 200);
    let me: serde_json::Value = me.json().await.expect("json");
    assert_eq!(me["email"], "new@example.com");
}

#[tokio::test]
async fn invalid_sign_ups_name_the_field_and_write_nothing() {
    let app = TestApp::start().await;
    app.user("taken@example.com", false).await;
    let before = app.count("users").await;
    let visitor = app.client();
    for (body, field) in [
        (
            json!({ "email": "not-an-email", "password": PASSWORD }),
            "email",
        ),
        (
            json!({ "email": "a@example.com", "password": "short" }),
            "password",
        ),
        (
            json!({ "email": "a@example.com", "password": PASSWORD, "name": "x".repeat(101) }),
            "name",
        ),
        (json!({ "email": "a@example.com" }), "password"),
        (
            json!({ "email": "a@example.com", "password": PASSWORD, "admin": true }),
            "admin",
        ),
    ] {
        let (status, error) = visitor.post("/api/auth/sign-up", body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body} → {error}"
        );
    }
    assert_eq!(app.count("users").await, before);
}

/// A sign-up tells nobody whether an email has an account: the answer is the same, and the
/// account is left as it is (its password still works, nothing new waits).
#[tokio::test]
async fn signing_up_with_a_taken_email_answers_as_any_sign_up_and_changes_nothing() {
    let app = TestApp::start().await;
    app.user("taken@example.com", false).await;
    let visitor = app.client();
    let (status, taken) = visitor
        .post(
            "/api/auth/sign-up",
            json!({ "email": "TAKEN@example.com", "password": "another password 123" }),
        )
        .await;
    let (fresh_status, fresh) = visitor
        .post(
            "/api/auth/sign-up",
            json!({ "email": "fresh@example.com", "password": "another password 123" }),
        )
        .await;
    assert_eq!((status, &taken), (fresh_status, &fresh));
    assert_eq!(status, 201);
    assert_eq!(
        app.rows("SELECT email || ' ' || status AS row FROM users WHERE email LIKE '%@example.com' ORDER BY email")
            .await,
        ["fresh@example.com pending", "taken@example.com active"]
    );
    // The owner's password is unchanged.
    app.client_for("taken@example.com").await;
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::start().await;
    app.user("sam@example.com", false).await;
    let visitor = app.client();
    let wrong_password = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "sam@example.com", "password": "not the password" }),
        )
        .await;
    let wrong_email = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "nobody@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password, wrong_email);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::start().await;
    app.user("kim@example.com", false).await;
    let visitor = app.client();
    for _ in 0..5 {
        let (status, _) = visitor
            .post(
                "/api/auth/sign-in",
                json!({ "email": "kim@example.com", "password": "guess guess guess" }),
            )
            .await;
        assert_eq!(status, 401);
    }
    // Even the right password is refused while the window lasts.
    let (status, body) = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "kim@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    // Another account from the same address is not locked yet.
    app.user("lee@example.com", false).await;
    let (status, _) = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "lee@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 200);
    // Fifteen minutes later the account can sign in again.
    app.clock
        .set(common::default_now() + chrono::Duration::minutes(16));
    let (status, _) = visitor
        .post(
            "/api/auth/sign-in",
            json!({ "email": "kim@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn disabled_accounts_lose_access_at_once() {
    let app = TestApp::start().await;
    app.user("admin@example.com", true).await;
    let admin = app.client_for("admin@example.com").await;
    let user = app.signed_in("dana@example.com").await;
    assert_eq!(user.get("/api/me").await.0, 200);
    let (_, me) = user.get("/api/me").await;
    let id = me["id"].as_i64().expect("id");

    let (status, disabled) = admin
        .post(&format!("/api/admin/users/{id}/disable"), json!({}))
        .await;
    assert_eq!(
        (status, disabled["status"].clone()),
        (200, json!("disabled"))
    );
    let (status, _) = user.get("/api/events").await;
    assert_eq!(status, 403);
    let (status, _) = app
        .client()
        .post(
            "/api/auth/sign-in",
            json!({ "email": "dana@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 403);

    let (status, _) = admin
        .post(&format!("/api/admin/users/{id}/enable"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(user.get("/api/events").await.0, 200);
}

#[tokio::test]
async fn only_admins_administer() {
    let app = TestApp::start().await;
    let user = app.signed_in("eve@example.com").await;
    let victim = app.user("vic@example.com", false).await;
    assert_eq!(user.get("/api/admin/users").await.0, 403);
    for action in ["approve", "reject", "disable", "enable"] {
        let (status, _) = user
            .post(
                &format!("/api/admin/users/{}/{action}", victim.id),
                json!({}),
            )
            .await;
        assert_eq!(status, 403, "{action}");
    }
    let (_, me) = app.client_for("vic@example.com").await.get("/api/me").await;
    assert_eq!(me["status"], "active");
}

#[tokio::test]
async fn rejecting_removes_a_waiting_sign_up() {
    let app = TestApp::start().await;
    app.user("admin@example.com", true).await;
    let admin = app.client_for("admin@example.com").await;
    app.client()
        .post(
            "/api/auth/sign-up",
            json!({ "email": "spam@example.com", "password": PASSWORD }),
        )
        .await;
    let (_, pending) = admin.get("/api/admin/users?status=pending").await;
    let id = pending[0]["id"].as_i64().expect("id");
    assert_eq!(
        admin
            .post(&format!("/api/admin/users/{id}/reject"), json!({}))
            .await
            .0,
        204
    );
    let (_, pending) = admin.get("/api/admin/users?status=pending").await;
    assert_eq!(pending, json!([]));
    // Rejecting only applies to waiting accounts.
    let (_, me) = admin.get("/api/me").await;
    let admin_id = me["id"].as_i64().expect("id");
    assert_eq!(
        admin
            .post(&format!("/api/admin/users/{admin_id}/reject"), json!({}))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn requests_without_credentials_are_refused() {
    let app = TestApp::start().await;
    let visitor = app.client();
    for path in [
        "/api/me",
        "/api/events",
        "/api/tasks",
        "/api/expenses",
        "/api/admin/users",
    ] {
        let (status, body) = visitor.get(path).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
    let mut forged = app.client();
    forged.token = Some("aida_0000".into());
    assert_eq!(forged.get("/api/me").await.0, 401);
}

#[tokio::test]
async fn profile_changes_are_checked() {
    let app = TestApp::start().await;
    let user = app.signed_in("pat@example.com").await;
    let (status, me) = user
        .patch(
            "/api/me",
            json!({ "name": "Pat", "timezone": "Europe/Paris", "currency": "eur", "default_meeting_minutes": 45 }),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (
            me["name"].clone(),
            me["timezone"].clone(),
            me["currency"].clone(),
            me["default_meeting_minutes"].clone()
        ),
        (json!("Pat"), json!("Europe/Paris"), json!("EUR"), json!(45))
    );
    for (body, field) in [
        (json!({ "timezone": "Mars/Olympus" }), "timezone"),
        (json!({ "currency": "EURO" }), "currency"),
        (
            json!({ "default_meeting_minutes": 2 }),
            "default_meeting_minutes",
        ),
        (
            json!({ "default_meeting_minutes": "long" }),
            "default_meeting_minutes",
        ),
        (json!({ "role": "admin" }), "role"),
    ] {
        let (status, error) = user.patch("/api/me", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body} → {error}"
        );
    }
    let (_, me) = user.get("/api/me").await;
    assert_eq!(me["timezone"], "Europe/Paris");
    assert_eq!(me["role"], "user");
}

/// Signs in as `email` from `addr` (behind one trusted proxy); the status.
async fn sign_in_from(app: &TestApp, addr: &str, email: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/auth/sign-in", app.base))
        .header("x-forwarded-for", addr)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sign in")
        .status()
        .as_u16()
}

#[tokio::test]
async fn guesses_stop_the_guesser_never_the_owner_elsewhere() {
    let app = TestApp::with_settings(app::state::Settings {
        trusted_proxies: 1,
        ..app::state::Settings::default()
    })
    .await;
    app.user("owner@example.com", false).await;
    app.user("other@example.com", false).await;
    let guesser = "203.0.113.7";
    for _ in 0..5 {
        assert_eq!(
            sign_in_from(&app, guesser, "owner@example.com", "guess guess guess").await,
            401
        );
    }
    assert_eq!(
        sign_in_from(&app, guesser, "owner@example.com", PASSWORD).await,
        429,
        "the guesser is stopped for that account"
    );
    assert_eq!(
        sign_in_from(&app, "198.51.100.20", "owner@example.com", PASSWORD).await,
        200,
        "the owner signs in from elsewhere"
    );

    // An address that floods many accounts is slowed, not barred from right passwords.
    let flood = "203.0.113.99";
    for i in 0..20 {
        let email = format!("nobody{i}@example.com");
        assert_eq!(
            sign_in_from(&app, flood, &email, "guess guess guess").await,
            401
        );
    }
    assert_eq!(
        sign_in_from(&app, flood, "other@example.com", PASSWORD).await,
        429
    );
    app.clock
        .set(common::default_now() + chrono::Duration::seconds(31));
    assert_eq!(
        sign_in_from(&app, flood, "other@example.com", PASSWORD).await,
        200,
        "one try every 30 s, and a right password works"
    );
    assert_eq!(
        sign_in_from(&app, flood, "nobody@example.com", "x x x x x x x").await,
        429
    );
}

#[tokio::test]
async fn a_burst_of_guesses_cannot_pass_the_limit() {
    let app = TestApp::start().await;
    app.user("burst@example.com", false).await;
    let guesses =
        (0..12).map(|_| sign_in_from(&app, "ignored", "burst@example.com", "wrong wrong wrong"));
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        (1..=5).contains(&checked),
        "at most five guesses were checked: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        sign_in_from(&app, "ignored", "burst@example.com", PASSWORD).await,
        429
    );
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited() {
    let app = TestApp::with_settings(app::state::Settings {
        trusted_proxies: 1,
        ..app::state::Settings::default()
    })
    .await;
    let sign_up = |addr: &'static str, i: usize| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/auth/sign-up"))
                .header("x-forwarded-for", addr)
                .json(&json!({ "email": format!("new{i}@example.com"), "password": "a long enough password" }))
                .send()
                .await
                .expect("sign up")
                .status()
                .as_u16()
        }
    };
    for i in 0..10 {
        assert_eq!(sign_up("203.0.113.5", i).await, 201);
    }
    assert_eq!(
        sign_up("203.0.113.5", 10).await,
        429,
        "the eleventh in an hour"
    );
    assert_eq!(
        app.count("users WHERE email = 'new10@example.com'").await,
        0
    );
    assert_eq!(sign_up("198.51.100.5", 11).await, 201, "another address");
    app.clock
        .set(common::default_now() + chrono::Duration::minutes(61));
    assert_eq!(sign_up("203.0.113.5", 12).await, 201, "an hour later");
}
