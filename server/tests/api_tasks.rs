//! `/api/tasks`: due dates or times, priorities, completion, filters; other users' tasks.

mod common;

use common::TestApp;
use serde_json::{Value, json};

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn tasks_are_filtered_and_sorted() {
    let app = TestApp::start().await;
    let user = app.signed_in("tia@example.com").await;
    user.patch("/api/me", json!({ "timezone": "America/Toronto" }))
        .await;
    // Now is Sunday 2026-11-22 10:00 in Toronto.
    for body in [
        json!({ "title": "Overdue bill", "due": "2026-11-20", "priority": "high" }),
        json!({ "title": "Call at noon", "due": "2026-11-22T12:00" }),
        json!({ "title": "Missed call", "due": "2026-11-22T09:00" }),
        json!({ "title": "Someday", "priority": "low" }),
        json!({ "title": "Report", "due": "2026-11-25", "priority": "high" }),
    ] {
        let (status, task) = user.post("/api/tasks", body.clone()).await;
        assert_eq!(status, 201, "{body} → {task}");
    }
    let (_, open) = user.get("/api/tasks").await;
    assert_eq!(
        titles(&open),
        [
            "Overdue bill",
            "Missed call",
            "Call at noon",
            "Report",
            "Someday"
        ]
    );
    let (_, by_priority) = user.get("/api/tasks?sort=priority").await;
    assert_eq!(
        titles(&by_priority),
        [
            "Overdue bill",
            "Report",
            "Missed call",
            "Call at noon",
            "Someday"
        ]
    );
    let (_, overdue) = user.get("/api/tasks?filter=overdue").await;
    assert_eq!(titles(&overdue), ["Overdue bill", "Missed call"]);

    let id = open[0]["id"].as_i64().expect("id");
    let (status, done) = user
        .patch(&format!("/api/tasks/{id}"), json!({ "done": true }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(done["done"], true);
    assert_eq!(done["completed_at"], "2026-11-22T15:00:00Z");
    let (_, finished) = user.get("/api/tasks?filter=done").await;
    assert_eq!(titles(&finished), ["Overdue bill"]);
    let (_, overdue) = user.get("/api/tasks?filter=overdue").await;
    assert_eq!(titles(&overdue), ["Missed call"]);

    // Reopen; clear the due date with null.
    let (_, reopened) = user
        .patch(
            &format!("/api/tasks/{id}"),
            json!({ "done": false, "due": null }),
        )
        .await;
    assert_eq!(
        (
            reopened["done"].clone(),
            reopened["due"].clone(),
            reopened["completed_at"].clone()
        ),
        (json!(false), Value::Null, Value::Null)
    );
    let (_, all) = user.get("/api/tasks?filter=all").await;
    assert_eq!(all.as_array().map(Vec::len), Some(5));
    assert_eq!(user.delete(&format!("/api/tasks/{id}")).await.0, 204);
    assert_eq!(user.get(&format!("/api/tasks/{id}")).await.0, 404);
}

#[tokio::test]
async fn invalid_tasks_name_the_field_and_write_nothing() {
    let app = TestApp::start().await;
    let user = app.signed_in("uma@example.com").await;
    for (body, field) in [
        (json!({ "title": " " }), "title"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (json!({ "title": "A", "notes": "x".repeat(5001) }), "notes"),
        (json!({ "title": "A", "due": "friday" }), "due"),
        (json!({ "title": "A", "priority": "urgent" }), "priority"),
        (json!({ "title": "A", "done": "no" }), "done"),
        (json!({ "due": "2026-11-23" }), "title"),
    ] {
        let (status, error) = user.post("/api/tasks", body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body} → {error}"
        );
    }
    assert_eq!(app.count("tasks").await, 0);
}

#[tokio::test]
async fn nobody_reaches_another_users_tasks() {
    let app = TestApp::start().await;
    let alice = app.signed_in("alice@example.com").await;
    let bob = app.signed_in("bob@example.com").await;
    let (_, task) = alice.post("/api/tasks", json!({ "title": "Secret" })).await;
    let id = task["id"].as_i64().expect("id");
    assert_eq!(bob.get(&format!("/api/tasks/{id}")).await.0, 404);
    assert_eq!(
        bob.patch(&format!("/api/tasks/{id}"), json!({ "done": true }))
            .await
            .0,
        404
    );
    assert_eq!(bob.delete(&format!("/api/tasks/{id}")).await.0, 404);
    assert_eq!(bob.get("/api/tasks?filter=all").await.1, json!([]));
    assert_eq!(alice.get(&format!("/api/tasks/{id}")).await.1, task);
}
