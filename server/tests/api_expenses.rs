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

/// Month totals are kept by a trigger: after any mix of creating, changing and deleting
/// expenses, by two users, they equal the sums of the expenses themselves.
#[tokio::test]
async fn month_totals_stay_in_step_with_the_expenses() {
    let app = TestApp::start().await;
    let users = [
        app.signed_in("rae@example.com").await,
        app.signed_in("sol@example.com").await,
    ];
    let categories = ["Food", "Transport", "Bills"];
    let currencies = ["CAD", "EUR"];
    let dates = [
        "2026-09-30",
        "2026-10-01",
        "2026-10-31",
        "2026-11-01",
        "2026-11-22",
    ];
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut ids: Vec<(usize, i64)> = Vec::new();
    for step in 0..80 {
        let who = next(2);
        let user = &users[who];
        let mine: Vec<i64> = ids
            .iter()
            .filter(|(w, _)| *w == who)
            .map(|(_, id)| *id)
            .collect();
        let amount = format!("{}.{:02}", 1 + next(300), next(100));
        let body = json!({
            "amount": amount,
            "category": categories[next(3)],
            "currency": currencies[next(2)],
            "date": dates[next(5)],
        });
        match (next(6), mine.is_empty()) {
            (0, false) => {
                let id = mine[next(mine.len())];
                let (status, _) = user.delete(&format!("/api/expenses/{id}")).await;
                assert_eq!(status, 204, "step {step}");
                ids.retain(|(_, i)| *i != id);
            }
            (1 | 2, false) => {
                let id = mine[next(mine.len())];
                // Change one field, or all of them.
                let change = match next(5) {
                    0 => json!({ "amount": body["amount"] }),
                    1 => json!({ "category": body["category"] }),
                    2 => json!({ "currency": body["currency"] }),
                    3 => json!({ "date": body["date"] }),
                    _ => body,
                };
                let (status, saved) = user.patch(&format!("/api/expenses/{id}"), change).await;
                assert_eq!(status, 200, "step {step}: {saved}");
            }
            _ => {
                let (status, saved) = user.post("/api/expenses", body).await;
                assert_eq!(status, 201, "step {step}: {saved}");
                ids.push((who, saved["id"].as_i64().expect("id")));
            }
        }
    }
    let kept = app
        .rows(
            "SELECT concat_ws(' ', user_id, month, category, currency, total, entries) AS row \
             FROM expense_month_totals ORDER BY 1",
        )
        .await;
    let summed = app
        .rows(
            "SELECT concat_ws(' ', user_id, date_trunc('month', spent_on)::date, category, currency, \
             sum(amount), count(*)) AS row FROM expenses \
             GROUP BY user_id, date_trunc('month', spent_on), category, currency ORDER BY 1",
        )
        .await;
    assert!(kept.len() > 10, "{kept:?}");
    assert_eq!(kept, summed);

    // A user's totals go with the last of their expenses.
    for (who, id) in ids {
        users[who].delete(&format!("/api/expenses/{id}")).await;
    }
    assert_eq!(app.count("expense_month_totals").await, 0);
}
