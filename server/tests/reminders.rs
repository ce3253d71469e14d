//! Reminders by text: scheduled with the change that calls for them, moved and cancelled with
//! it, sent once by any number of workers, dropped when they come too late.
//!
//! The app's clock stands still (tests move it); a reminder's job becomes due, in real time,
//! as far ahead as the app's clock says, so a reminder set "1 hour and 2 seconds" before an
//! event goes out after 2 real seconds.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::fake_twilio::FakeTwilio;
use common::sms::{self, text};
use common::{Client, TestApp, default_now};
use serde_json::json;

const PHONE: &str = "+12125550123";

async fn reminded(fake: &FakeTwilio) -> (TestApp, Client) {
    let app = TestApp::with_settings(sms::settings(Some(fake), Duration::ZERO)).await;
    let client = app.signed_in("ria@aida.test").await;
    let (status, _) = client
        .patch(
            "/api/me",
            json!({ "timezone": "America/New_York", "reminder_minutes": [60] }),
        )
        .await;
    assert_eq!(status, 200);
    app.sql(&format!(
        "UPDATE users SET phone = '{PHONE}' WHERE email = 'ria@aida.test'"
    ))
    .await;
    (app, client)
}

/// An event starting `after` from the app's now, for 30 minutes; its id.
async fn event_in(client: &Client, title: &str, after: chrono::Duration) -> i64 {
    let start: DateTime<Utc> = default_now() + after;
    let (status, body) = client
        .post(
            "/api/events",
            json!({
                "title": title,
                "start": start.to_rfc3339(),
                "end": (start + chrono::Duration::minutes(30)).to_rfc3339(),
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("id")
}

fn hour_and(seconds: i64) -> chrono::Duration {
    chrono::Duration::hours(1) + chrono::Duration::seconds(seconds)
}

async fn queued_reminders(app: &TestApp) -> i64 {
    app.count("jobs WHERE kind = 'reminder' AND state = 'queued'")
        .await
}

#[tokio::test]
async fn an_event_is_reminded_once_at_its_time_and_a_moved_one_at_its_new_time() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let _workers = sms::workers(&app).await;

    event_in(&client, "Dentist", hour_and(2)).await;
    let moved = event_in(&client, "Standup", hour_and(3)).await;
    // Moved after its reminder was scheduled: the old one must not go out.
    let later = default_now() + chrono::Duration::hours(3);
    let (status, _) = client
        .patch(
            &format!("/api/events/{moved}"),
            json!({ "start": later.to_rfc3339(), "end": (later + chrono::Duration::minutes(30)).to_rfc3339() }),
        )
        .await;
    assert_eq!(status, 200);

    let sent = fake.wait_for(1).await;
    assert_eq!(sent[0].to, PHONE);
    assert!(
        sent[0]
            .body
            .starts_with("Reminder: \"Dentist\" on Sun 22 Nov, 11 am-11:30 am"),
        "{sent:?}"
    );
    assert!(sent[0].body.ends_with("(in 1 hour)."), "{sent:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        fake.sent().len(),
        1,
        "the moved event's old reminder did not go out"
    );
    let waiting = app
        .rows(
            "SELECT payload ->> 'at' AS row FROM jobs WHERE kind = 'reminder' AND state = 'queued'",
        )
        .await;
    assert_eq!(
        waiting.len(),
        1,
        "one reminder waits, for the new time: {waiting:?}"
    );
    assert!(waiting[0].starts_with("2026-11-22T18:00:00"), "{waiting:?}");

    // Deleting the event cancels it.
    let (status, _) = client.delete(&format!("/api/events/{moved}")).await;
    assert_eq!(status, 204);
    assert_eq!(queued_reminders(&app).await, 0);
}

#[tokio::test]
async fn changing_how_long_before_reschedules_what_is_ahead() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    event_in(&client, "Review", chrono::Duration::days(2)).await;
    event_in(&client, "Past", -chrono::Duration::hours(2)).await;
    assert_eq!(queued_reminders(&app).await, 1);
    let (status, _) = client
        .patch("/api/me", json!({ "reminder_minutes": [1440, 30] }))
        .await;
    assert_eq!(status, 200);
    let minutes = app
        .rows("SELECT payload ->> 'minutes' AS row FROM jobs WHERE kind = 'reminder' ORDER BY 1")
        .await;
    assert_eq!(minutes, ["1440", "30"]);
    let (status, _) = client
        .patch("/api/me", json!({ "reminder_minutes": [] }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(queued_reminders(&app).await, 0);
    let (status, body) = client
        .patch("/api/me", json!({ "reminder_minutes": [1, 2, 3, 4, 5, 6] }))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn an_opted_out_number_gets_no_reminder() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let _workers = sms::workers(&app).await;
    text(&app, PHONE, "STOP").await;
    event_in(&client, "Dentist", hour_and(1)).await;
    for _ in 0..100 {
        if app.count("sms_outbox WHERE purpose = 'reminder'").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.rows("SELECT state AS row FROM sms_outbox WHERE purpose = 'reminder'")
            .await,
        ["opted_out"]
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(fake.sent().is_empty());
}

#[tokio::test]
async fn two_processes_send_each_reminder_exactly_once() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let other = app.beside().await;
    for i in 0..30 {
        event_in(&client, &format!("Meeting {i}"), hour_and(2)).await;
    }
    let _a = sms::workers(&app).await;
    let _b = sms::workers(&other).await;
    let sent = fake.wait_for(30).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent_now = fake.sent();
    assert_eq!(sent_now.len(), 30, "none twice: {sent:?}");
    let mut bodies: Vec<String> = sent_now.into_iter().map(|m| m.body).collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), 30);
}

#[tokio::test]
async fn reminders_due_while_no_worker_ran_go_out_if_still_useful() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    event_in(&client, "Still ahead", hour_and(1)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    {
        // Every process was down when it came due; the event is still ahead.
        let _workers = sms::workers(&app).await;
        let sent = fake.wait_for(1).await;
        assert!(sent[0].body.contains("Still ahead"), "{sent:?}");
    }
    event_in(&client, "Too late", hour_and(1)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Down until after the event began: the reminder is dropped.
    app.clock.set(default_now() + chrono::Duration::hours(2));
    let _workers = sms::workers(&app).await;
    for _ in 0..60 {
        if queued_reminders(&app).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(queued_reminders(&app).await, 0, "the job ran");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.sent().len(), 1, "nothing for the event that had begun");
}

#[tokio::test]
async fn a_task_due_at_a_time_is_reminded_then() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let _workers = sms::workers(&app).await;
    let due = default_now() + chrono::Duration::seconds(2);
    let (status, _) = client
        .post(
            "/api/tasks",
            json!({ "title": "Call mom", "due": due.to_rfc3339() }),
        )
        .await;
    assert_eq!(status, 201);
    let sent = fake.wait_for(1).await;
    assert_eq!(sent[0].body, "Reminder: Call mom.");

    // Said to the assistant by text: a reminder at 5 pm in the user's timezone.
    text(&app, PHONE, "remind me at 5 to call the bank").await;
    let at = app
        .rows(
            "SELECT payload ->> 'at' AS row FROM jobs
             WHERE kind = 'reminder' AND payload ->> 'record' LIKE 'task:%'",
        )
        .await;
    assert_eq!(at.len(), 1, "{at:?}");
    assert!(
        at[0].starts_with("2026-11-22T22:00:00"),
        "5 pm in New York: {at:?}"
    );
}

#[tokio::test]
async fn an_event_can_have_its_own_reminders() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let _workers = sms::workers(&app).await;
    let start = default_now() + chrono::Duration::minutes(10) + chrono::Duration::seconds(2);
    let (status, event) = client
        .post(
            "/api/events",
            json!({ "title": "Call", "start": start.to_rfc3339(), "reminder_minutes": [10] }),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    assert_eq!(event["reminder_minutes"], json!([10]));
    let sent = fake.wait_for(1).await;
    assert!(sent[0].body.contains("\"Call\""), "{sent:?}");
    assert!(sent[0].body.ends_with("(in 10 min)."), "{sent:?}");

    // None at all for another; and a list that is too long is refused.
    let later = default_now() + chrono::Duration::days(1);
    let (_, quiet) = client
        .post(
            "/api/events",
            json!({ "title": "Quiet", "start": later.to_rfc3339() }),
        )
        .await;
    let id = quiet["id"].as_i64().expect("id");
    assert_eq!(queued_reminders(&app).await, 1, "the user's hour before");
    let (status, _) = client
        .patch(
            &format!("/api/events/{id}"),
            json!({ "reminder_minutes": [] }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(queued_reminders(&app).await, 0);
    let (status, body) = client
        .patch(
            &format!("/api/events/{id}"),
            json!({ "reminder_minutes": [1, 2, 3, 4, 5, 6] }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["fields"][0]["field"], "reminder_minutes");
}

#[tokio::test]
async fn a_series_is_reminded_of_each_instance_in_turn() {
    let fake = FakeTwilio::start().await;
    let (app, client) = reminded(&fake).await;
    let _workers = sms::workers(&app).await;
    let start: DateTime<Utc> = default_now() + hour_and(2);
    let (status, body) = client
        .post(
            "/api/events",
            json!({
                "title": "Standup",
                "start": start.to_rfc3339(),
                "end": (start + chrono::Duration::minutes(15)).to_rfc3339(),
                "recurrence": "FREQ=DAILY;COUNT=3",
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let sent = fake.wait_for(1).await;
    assert!(
        sent[0].body.starts_with("Reminder: \"Standup\""),
        "{sent:?}"
    );
    // Sending it scheduled the next instance's, a day later; only that one waits.
    let next =
        (start + chrono::Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut waiting = Vec::new();
    for _ in 0..50 {
        waiting = app
            .rows("SELECT payload ->> 'at' AS row FROM jobs WHERE kind = 'reminder' AND state = 'queued'")
            .await;
        if !waiting.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(
        waiting[0].starts_with(next.trim_end_matches('Z')),
        "{waiting:?} vs {next}"
    );
    assert_eq!(fake.sent().len(), 1);
}
