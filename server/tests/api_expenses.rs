//! `/api/expenses`: amounts, currencies, categories, months, CSV; other users' expenses.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn expenses_round_trip_and_list_by_month() {
    let app = TestApp::start().await;
    let user = app.signed_in("val@example.com").await;
    user.patch(
        "/api/me",
        json!({ "currency": "CAD", "timezone": "America/Toronto" }),
    )
    .await;

    let (status, lunch) = user
        .post(
            "/api/expenses",
            json!({ "amount": "12.5", "category": "food", "description": "Lunch" }),
        )
        .await;
    assert_eq!(status, 201, "{lunch}");
    assert_eq!(
        lunch,
        json!({ "id": lunch["id"], "amount": "12.50", "currency": "CAD", "category": "Food", "description": "Lunch", "date": "2026-11-22" })
    );
    let (status, _) = user.post("/api/expenses", json!({ "amount": 40, "currency": "usd", "category": "Transport", "date": "2026-10-31" })).await;
    assert_eq!(status, 201);

    let (_, november) = user.get("/api/expenses").await;
    assert_eq!(november.as_array().map(Vec::len), Some(1));
    let (_, october) = user.get("/api/expenses?month=2026-10").await;
    assert_eq!(october[0]["amount"], "40.00");
    assert_eq!(october[0]["currency"], "USD");
    let (_, both) = user
        .get("/api/expenses?from=2026-10-01&to=2026-12-01")
        .await;
    assert_eq!(both.as_array().map(Vec::len), Some(2));

    let id = lunch["id"].as_i64().expect("id");
    let (status, changed) = user
        .patch(&format!("/api/expenses/{id}"), json!({ "amount": "13.75" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (changed["amount"].clone(), changed["description"].clone()),
        (json!("13.75"), json!("Lunch"))
    );

    let response = user
        .http
        .get(format!("{}/api/expenses/export?month=2026-11", app.base))
        .bearer_auth(user.token.clone().expect("token"))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .contains("expenses-2026-11.csv")
    );
    assert_eq!(
        response.text().await.expect("csv"),
        "date,amount,currency,category,description\r\n2026-11-22,13.75,CAD,Food,\"Lunch\"\r\n"
    );

    assert_eq!(user.delete(&format!("/api/expenses/{id}")).await.0, 204);
    assert_eq!(user.get("/api/expenses").await.1, json!([]));
}

#[tokio::test]
async fn invalid_expenses_name_the_field_and_write_nothing() {
    let app = TestApp::start().await;
    let user = app.signed_in("wes@example.com").await;
    for (body, field) in [
        (json!({ "amount": "0" }), "amount"),
        (json!({ "amount": "-5" }), "amount"),
        (json!({ "amount": "12.345" }), "amount"),
        (json!({ "amount": "ten" }), "amount"),
        (json!({ "amount": "99999999999" }), "amount"),
        (json!({ "amount": true }), "amount"),
        (json!({ "amount": "5", "currency": "dollars" }), "currency"),
        (
            json!({ "amount": "5", "category": "Groceries" }),
            "category",
        ),
        (json!({ "amount": "5", "date": "2026-02-30" }), "date"),
        (
            json!({ "amount": "5", "description": "x".repeat(501) }),
            "description",
        ),
        (json!({ "category": "Food" }), "amount"),
    ] {
        let (status, error) = user.post("/api/expenses", body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body} → {error}"
        );
    }
    assert_eq!(app.count("expenses").await, 0);
    for query in [
        "month=2026-13",
        "from=2026-11-01",
        "from=2026-11-02&to=2026-11-01",
    ] {
        let (status, _) = user.get(&format!("/api/expenses?{query}")).await;
        assert_eq!(status, 400, "{query}");
    }
}

#[tokio::test]
async fn nobody_reaches_another_users_expenses() {
    let app = TestApp::start().await;
    let alice = app.signed_in("alice@example.com").await;
    let bob = app.signed_in("bob@example.com").await;
    let (_, expense) = alice
        .post(
            "/api/expenses",
            json!({ "amount": "99.99", "category": "Health" }),
        )
        .await;
    let id = expense["id"].as_i64().expect("id");
    assert_eq!(bob.get(&format!("/api/expenses/{id}")).await.0, 404);
    assert_eq!(
        bob.patch(&format!("/api/expenses/{id}"), json!({ "amount": "1" }))
            .await
            .0,
        404
    );
    assert_eq!(bob.delete(&format!("/api/expenses/{id}")).await.0, 404);
    assert_eq!(bob.get("/api/expenses").await.1, json!([]));
    let (_, csv) = bob.get("/api/expenses/export").await;
    assert_eq!(csv, json!("date,amount,currency,category,description\r\n"));
    assert_eq!(alice.get(&format!("/api/expenses/{id}")).await.1, expense);
}
