//! Repeating events through `/api/events`: instances in the asked range, each naming its series,
//! DST-correct; changing and deleting one instance, this and the following, or all; rules
//! checked; another user's series out of reach.

mod common;

use common::{Client, TestApp};
use serde_json::{Value, json};

async fn toronto(app: &TestApp, email: &str) -> Client {
    let user = app.signed_in(email).await;
    let (status, _) = user
        .patch("/api/me", json!({ "timezone": "America/Toronto" }))
        .await;
    assert_eq!(status, 200);
    user
}

async fn list(user: &Client, from: &str, to: &str) -> Vec<Value> {
    let (status, body) = user.get(&format!("/api/events?from={from}&to={to}")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a list").clone()
}

fn field(events: &[Value], name: &str) -> Vec<String> {
    events
        .iter()
        .map(|e| e[name].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn series(user: &Client, title: &str, start: &str, end: &str, rule: &str) -> i64 {
    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": title, "start": start, "end": end, "recurrence": rule }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["recurrence"].is_string(), "{body}");
    body["id"].as_i64().expect("id")
}

/// The field a 400 names.
fn refused(body: &Value) -> &str {
    body["error"]["fields"][0]["field"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_daily_standup_stays_at_nine_across_the_spring_change_and_names_its_series() {
    let app = TestApp::start().await;
    let user = toronto(&app, "sam@example.com").await;
    let id = series(
        &user,
        "Standup",
        "2027-03-12T09:00",
        "2027-03-12T09:15",
        "FREQ=DAILY",
    )
    .await;

    let days = list(&user, "2027-03-12", "2027-03-16").await;
    // Clocks go forward on Sunday 14 March 2027: 9:00 is 14:00 UTC before, 13:00 after.
    assert_eq!(
        field(&days, "start"),
        [
            "2027-03-12T14:00:00Z",
            "2027-03-13T14:00:00Z",
            "2027-03-14T13:00:00Z",
            "2027-03-15T13:00:00Z"
        ]
    );
    assert_eq!(field(&days, "occurrence"), field(&days, "start"));
    assert!(
        days.iter()
            .all(|e| e["id"] == id && e["series_id"] == id && e["recurrence"] == "FREQ=DAILY"),
        "{days:?}"
    );
    // One instance by its start; one that is not there is not found.
    let (status, one) = user
        .get(&format!("/api/events/{id}?occurrence=2027-03-15T13:00:00Z"))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["end"], "2027-03-15T13:15:00Z");
    let (status, _) = user
        .get(&format!("/api/events/{id}?occurrence=2027-03-15T13:30:00Z"))
        .await;
    assert_eq!(status, 404);
    // The series itself.
    let (_, whole) = user.get(&format!("/api/events/{id}")).await;
    assert_eq!(
        (whole["start"].clone(), whole["occurrence"].clone()),
        (json!("2027-03-12T14:00:00Z"), Value::Null)
    );
}

#[tokio::test]
async fn one_instance_this_and_following_and_all() {
    let app = TestApp::start().await;
    let user = toronto(&app, "lee@example.com").await;
    // Mondays, Wednesdays and Fridays at 9:00 from Monday 30 November, ten times.
    let id = series(
        &user,
        "Class",
        "2026-11-30T09:00",
        "2026-11-30T10:00",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10",
    )
    .await;
    let all = list(&user, "2026-11-30", "2027-01-01").await;
    assert_eq!(all.len(), 10);

    // This one only: Wednesday 2 December moves to 11:00.
    let (status, moved) = user
        .patch(
            &format!("/api/events/{id}?occurrence=2026-12-02T14:00:00Z&scope=this"),
            json!({ "start": "2026-12-02T11:00" }),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_ne!(
        moved["id"], id,
        "an instance changed on its own is a row of its own"
    );
    assert_eq!(
        (
            moved["series_id"].clone(),
            moved["occurrence"].clone(),
            moved["end"].clone()
        ),
        (
            json!(id),
            json!("2026-12-02T14:00:00Z"),
            json!("2026-12-02T17:00:00Z")
        )
    );
    let week = list(&user, "2026-11-30", "2026-12-05").await;
    assert_eq!(
        field(&week, "start"),
        [
            "2026-11-30T14:00:00Z",
            "2026-12-02T16:00:00Z",
            "2026-12-04T14:00:00Z"
        ]
    );
    // A repeat of its own is refused for one instance.
    let (status, body) = user
        .patch(
            &format!("/api/events/{id}?occurrence=2026-12-04T14:00:00Z"),
            json!({ "recurrence": "FREQ=DAILY" }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused(&body), "recurrence", "{body}");

    // All: the class moves to 8:30; the instance moved on its own stays where it was put.
    let (status, _) = user
        .patch(
            &format!("/api/events/{id}?occurrence=2026-12-04T14:00:00Z&scope=all"),
            json!({ "start": "2026-12-04T08:30", "end": "2026-12-04T09:30", "location": "Room 5" }),
        )
        .await;
    assert_eq!(status, 200);
    let all = list(&user, "2026-11-30", "2027-01-01").await;
    assert_eq!(all.len(), 10, "{all:?}");
    assert_eq!(
        field(&all[..3], "start"),
        [
            "2026-11-30T13:30:00Z",
            "2026-12-02T16:00:00Z",
            "2026-12-04T13:30:00Z"
        ]
    );
    assert!(
        all.iter()
            .filter(|e| e["series_id"] == id && e["id"] == id)
            .all(|e| e["location"] == "Room 5")
    );

    // This and following from Friday 11 December: renamed; the count is shared.
    let (status, rest) = user
        .patch(
            &format!("/api/events/{id}?occurrence=2026-12-11T13:30:00Z&scope=following"),
            json!({ "title": "Class (new room)" }),
        )
        .await;
    assert_eq!(status, 200, "{rest}");
    let rest_id = rest["id"].as_i64().expect("id");
    assert_ne!(rest_id, id);
    assert_eq!(rest["recurrence"], "FREQ=WEEKLY;COUNT=5;BYDAY=MO,WE,FR");
    let all = list(&user, "2026-11-30", "2027-01-01").await;
    assert_eq!(
        field(&all, "title"),
        [
            "Class",
            "Class",
            "Class",
            "Class",
            "Class",
            "Class (new room)",
            "Class (new room)",
            "Class (new room)",
            "Class (new room)",
            "Class (new room)"
        ]
    );

    // Delete one instance, then this and following.
    let (status, _) = user
        .delete(&format!(
            "/api/events/{rest_id}?occurrence=2026-12-14T13:30:00Z"
        ))
        .await;
    assert_eq!(status, 204);
    assert_eq!(list(&user, "2026-11-30", "2027-01-01").await.len(), 9);
    let (status, _) = user
        .get(&format!(
            "/api/events/{rest_id}?occurrence=2026-12-14T13:30:00Z"
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = user
        .delete(&format!(
            "/api/events/{id}?occurrence=2026-12-07T13:30:00Z&scope=following"
        ))
        .await;
    assert_eq!(status, 204);
    let left = list(&user, "2026-11-30", "2026-12-07").await;
    assert_eq!(
        field(&left, "start"),
        [
            "2026-11-30T13:30:00Z",
            "2026-12-02T16:00:00Z",
            "2026-12-04T13:30:00Z"
        ],
        "the first part ends before 7 December: {left:?}"
    );
    assert_eq!(
        list(&user, "2026-12-07", "2027-01-01").await.len(),
        4,
        "the split-off series is its own and keeps its four left"
    );

    // All: the whole first series goes, with the instance it changed on its own.
    let (status, _) = user
        .delete(&format!(
            "/api/events/{id}?occurrence=2026-11-30T13:30:00Z&scope=all"
        ))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        list(&user, "2026-11-30", "2026-12-07").await,
        Vec::<Value>::new()
    );
    assert_eq!(app.count("events WHERE series_id IS NOT NULL").await, 0);
}

#[tokio::test]
async fn all_day_series_and_rules_that_are_refused() {
    let app = TestApp::start().await;
    let user = toronto(&app, "ria@example.com").await;
    let (status, rent) = user
        .post(
            "/api/events",
            json!({ "title": "Rent", "start": "2026-12-01", "all_day": true, "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1" }),
        )
        .await;
    assert_eq!(status, 201, "{rent}");
    let months = list(&user, "2026-12-01", "2027-03-01").await;
    assert_eq!(
        field(&months, "start"),
        ["2026-12-01", "2027-01-01", "2027-02-01"]
    );
    assert_eq!(field(&months, "occurrence"), field(&months, "start"));
    // A date names an all-day instance.
    let id = rent["id"].as_i64().expect("id");
    let (status, _) = user
        .delete(&format!("/api/events/{id}?occurrence=2027-01-01"))
        .await;
    assert_eq!(status, 204);
    assert_eq!(list(&user, "2026-12-01", "2027-03-01").await.len(), 2);

    for rule in [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=DAILY;COUNT=0",
        "every day",
    ] {
        let (status, body) = user
            .post(
                "/api/events",
                json!({ "title": "Bad", "start": "2026-12-01T09:00", "recurrence": rule }),
            )
            .await;
        assert_eq!(status, 400, "{rule}: {body}");
        assert_eq!(refused(&body), "recurrence", "{rule}: {body}");
    }
    let (status, body) = user
        .patch(
            &format!("/api/events/{id}?occurrence=2027-02-01&scope=sometimes"),
            json!({ "title": "x" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // Another user reaches none of it.
    let other = toronto(&app, "eve@example.com").await;
    let (status, _) = other
        .get(&format!("/api/events/{id}?occurrence=2027-02-01"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = other
        .patch(
            &format!("/api/events/{id}?occurrence=2027-02-01&scope=all"),
            json!({ "title": "Mine" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = other
        .delete(&format!("/api/events/{id}?occurrence=2027-02-01&scope=all"))
        .await;
    assert_eq!(status, 404);
    assert!(list(&other, "2026-12-01", "2027-03-01").await.is_empty());

    // Stopping the repeat leaves the first instance as a single event.
    let (status, single) = user
        .patch(&format!("/api/events/{id}"), json!({ "recurrence": "" }))
        .await;
    assert_eq!(status, 200, "{single}");
    assert_eq!(single["recurrence"], Value::Null);
    assert_eq!(
        field(&list(&user, "2026-12-01", "2027-03-01").await, "start"),
        ["2026-12-01"]
    );
}

#[tokio::test]
async fn the_chat_cancels_one_instance_and_undo_puts_it_back() {
    let app = TestApp::start().await;
    let user = app.signed_in("kim@example.com").await;
    // Daily at 9:30 UTC from Monday 23 November (the test clock is Sunday 22 November).
    series(
        &user,
        "Standup",
        "2026-11-23T09:30",
        "2026-11-23T09:45",
        "FREQ=DAILY",
    )
    .await;
    let (_, events) = user
        .chat(json!({ "message": "cancel the standup on tuesday" }))
        .await;
    let action = events
        .iter()
        .find(|(n, _)| n == "action")
        .map(|(_, d)| d.clone())
        .unwrap_or_else(|| panic!("an action in {events:?}"));
    assert_eq!(action["kind"], "cancel_event");
    let days = |list: Vec<Value>| field(&list, "start");
    assert_eq!(
        days(list(&user, "2026-11-23", "2026-11-26").await),
        ["2026-11-23T09:30:00Z", "2026-11-25T09:30:00Z"],
        "only Tuesday's went"
    );
    let (status, body) = user
        .post(
            &format!("/api/chat/actions/{}/undo", action["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(list(&user, "2026-11-23", "2026-11-26").await.len(), 3);

    // Without a day, "the standup" is its next instance, not the series.
    let (_, events) = user.chat(json!({ "message": "cancel the standup" })).await;
    assert!(
        events
            .iter()
            .any(|(n, d)| n == "action" && d["kind"] == "cancel_event"),
        "{events:?}"
    );
    assert_eq!(
        days(list(&user, "2026-11-23", "2026-11-26").await),
        ["2026-11-24T09:30:00Z", "2026-11-25T09:30:00Z"]
    );
}

#[tokio::test]
async fn a_model_makes_a_series_with_its_tool() {
    use common::fake_llm::{FakeLlm, Reply};
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, common::BUDGET).await;
    let user = app.signed_in("mo@example.com").await;
    fake.push(Reply::tool_call(
        "create_event",
        json!({ "title": "Standup", "start": "2026-11-23T09:30", "end": "2026-11-23T09:45", "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" }),
    ));
    fake.push(Reply::text(&["Done."]));
    let (_, events) = user
        .chat(json!({ "message": "standup every weekday at 9:30 starting tomorrow" }))
        .await;
    assert!(
        events
            .iter()
            .any(|(n, d)| n == "action" && d["kind"] == "create_event"),
        "{events:?}"
    );
    let tools = fake.requests()[0]["tools"].clone();
    assert!(
        tools
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["function"]["name"] == "create_event"
                && t["function"]["parameters"]["properties"]["recurrence"].is_object())),
        "the tool offers a recurrence"
    );
    let week = list(&user, "2026-11-23", "2026-11-30").await;
    assert_eq!(week.len(), 5);
    assert_eq!(app.count("events").await, 1, "one series");
}
