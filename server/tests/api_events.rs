//! `/api/events`: create, read, change and delete; validation; other users' events.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn events_round_trip_in_the_users_timezone() {
    let app = TestApp::start().await;
    let user = app.signed_in("ana@example.com").await;
    user.patch(
        "/api/me",
        json!({ "timezone": "America/Toronto", "default_meeting_minutes": 45 }),
    )
    .await;

    // A local time without an end takes the default length.
    let (status, event) = user
        .post("/api/events", json!({ "title": "  Lunch with Sam ", "start": "2026-11-23T12:00", "location": "Cafe" }))
        .await;
    assert_eq!(status, 201, "{event}");
    assert_eq!(event["title"], "Lunch with Sam");
    assert_eq!(event["start"], "2026-11-23T17:00:00Z");
    assert_eq!(event["end"], "2026-11-23T17:45:00Z");
    assert_eq!(event["source"], "api");
    let id = event["id"].as_i64().expect("id");

    let (status, all_day) = user
        .post(
            "/api/events",
            json!({ "title": "Trip", "start": "2026-11-27", "end": "2026-11-29", "all_day": true }),
        )
        .await;
    assert_eq!(status, 201, "{all_day}");
    assert_eq!(
        (all_day["start"].clone(), all_day["end"].clone()),
        (json!("2026-11-27"), json!("2026-11-30"))
    );

    let (status, list) = user.get("/api/events?from=2026-11-23&to=2026-11-28").await;
    assert_eq!(status, 200);
    let titles: Vec<_> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["title"].clone())
        .collect();
    assert_eq!(titles, vec![json!("Lunch with Sam"), json!("Trip")]);
    // The range is exclusive at the end, in the user's days.
    let (_, list) = user.get("/api/events?from=2026-11-24&to=2026-11-27").await;
    assert_eq!(list, json!([]));
    // An event that spans the whole window overlaps it; one that ended before it does not.
    let (_, list) = user.get("/api/events?from=2026-11-28&to=2026-11-29").await;
    assert_eq!(list[0]["title"], "Trip");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let (_, list) = user.get("/api/events?from=2026-11-30&to=2026-12-01").await;
    assert_eq!(list, json!([]));

    // Moving the start keeps the length.
    let (status, moved) = user
        .patch(
            &format!("/api/events/{id}"),
            json!({ "start": "2026-11-24T13:30:00-05:00" }),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        (moved["start"].clone(), moved["end"].clone()),
        (json!("2026-11-24T18:30:00Z"), json!("2026-11-24T19:15:00Z"))
    );
    assert_eq!(moved["location"], "Cafe");

    assert_eq!(user.get(&format!("/api/events/{id}")).await.1, moved);
    assert_eq!(user.delete(&format!("/api/events/{id}")).await.0, 204);
    assert_eq!(user.get(&format!("/api/events/{id}")).await.0, 404);
    assert_eq!(user.delete(&format!("/api/events/{id}")).await.0, 404);
}

#[tokio::test]
async fn each_invalid_field_is_named_and_nothing_is_written() {
    let app = TestApp::start().await;
    let user = app.signed_in("bo@example.com").await;
    user.patch("/api/me", json!({ "timezone": "America/Toronto" }))
        .await;
    let cases = [
        (json!({ "title": "", "start": "2026-11-23T12:00" }), "title"),
        (
            json!({ "title": "x".repeat(201), "start": "2026-11-23T12:00" }),
            "title",
        ),
        (json!({ "title": "A", "start": "tomorrow" }), "start"),
        (json!({ "title": "A", "start": "2026-11-23" }), "start"),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "end": "2026-11-23T11:00" }),
            "end",
        ),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "end": "2028-11-23T11:00" }),
            "end",
        ),
        (
            json!({ "title": "A", "start": "2026-03-08T02:30" }),
            "start",
        ),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "location": "x".repeat(301) }),
            "location",
        ),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "description": "x".repeat(5001) }),
            "description",
        ),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "all_day": "yes" }),
            "all_day",
        ),
        (json!({ "title": "A" }), "start"),
        (json!({ "start": "2026-11-23T12:00" }), "title"),
        (
            json!({ "title": "A", "start": "2026-11-23T12:00", "colour": "red" }),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = user.post("/api/events", body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(error["error"]["code"], "invalid", "{body} → {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{body} → {error}"
        );
    }
    assert_eq!(app.count("events").await, 0);

    let (_, event) = user
        .post(
            "/api/events",
            json!({ "title": "Keep", "start": "2026-11-23T12:00" }),
        )
        .await;
    let id = event["id"].as_i64().expect("id");
    let (status, error) = user
        .patch(
            &format!("/api/events/{id}"),
            json!({ "end": "2026-11-23T11:00" }),
        )
        .await;
    assert_eq!(
        (status, error["error"]["fields"][0]["field"].clone()),
        (400, json!("end"))
    );
    assert_eq!(user.get(&format!("/api/events/{id}")).await.1, event);

    // Not JSON at all.
    let response = user
        .http
        .post(format!("{}/api/events", app.base))
        .bearer_auth(user.token.clone().expect("token"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    assert_eq!(app.count("events").await, 1);
}

#[tokio::test]
async fn nobody_reaches_another_users_events() {
    let app = TestApp::start().await;
    let alice = app.signed_in("alice@example.com").await;
    let bob = app.signed_in("bob@example.com").await;
    let (_, event) = alice
        .post(
            "/api/events",
            json!({ "title": "Private", "start": "2026-11-23T12:00" }),
        )
        .await;
    let id = event["id"].as_i64().expect("id");

    assert_eq!(bob.get(&format!("/api/events/{id}")).await.0, 404);
    assert_eq!(
        bob.patch(&format!("/api/events/{id}"), json!({ "title": "Mine now" }))
            .await
            .0,
        404
    );
    assert_eq!(bob.delete(&format!("/api/events/{id}")).await.0, 404);
    assert_eq!(
        bob.get("/api/events?from=2026-11-01&to=2026-12-01").await.1,
        json!([])
    );
    // An id that does not exist answers the same as one that is not yours.
    assert_eq!(
        bob.get("/api/events/999999").await,
        bob.get(&format!("/api/events/{id}")).await
    );
    assert_eq!(bob.get("/api/events/not-a-number").await.0, 404);

    assert_eq!(alice.get(&format!("/api/events/{id}")).await.1, event);
}

#[tokio::test]
async fn ranges_are_checked() {
    let app = TestApp::start().await;
    let user = app.signed_in("cy@example.com").await;
    for (query, field) in [
        ("from=2026-11-23&to=2026-11-22", "to"),
        ("from=2026-01-01&to=2027-06-01", "to"),
        ("from=yesterday", "from"),
        ("frm=2026-01-01", "frm"),
    ] {
        let (status, error) = user.get(&format!("/api/events?{query}")).await;
        assert_eq!(status, 400, "{query} → {error}");
        assert_eq!(
            error["error"]["fields"][0]["field"], field,
            "{query} → {error}"
        );
    }
}
