//! The calendar feed: a secret address made, replaced and turned off from Settings, serving
//! RFC 5545 that an independent parser (Python's `icalendar`, `AIDA_PYTHON`) reads back:
//! escaping, folding of long UTF-8 lines, all-day dates, series with their rule, removed
//! instances and instances changed on their own; stable UIDs; nobody else's events.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use app::feeds::api::{FeedAddress, RenewFeed, TurnOffFeed};
use common::{Client, TestApp};
use serde_json::{Value, json};

/// The feed as the independent parser reads it.
fn parsed(ics: &str) -> Value {
    let python = std::env::var("AIDA_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg("tests/ical_read.py")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} (set AIDA_PYTHON, see scripts/lib.sh): {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "icalendar could not read the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

async fn session_for(app: &TestApp, email: &str) -> (Client, Client) {
    let api = app.signed_in(email).await;
    let pages = app.client();
    pages.sign_in_session(email).await.expect("sign in");
    (pages, api)
}

fn path(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .expect("a path")
}

#[tokio::test]
async fn the_feed_is_valid_icalendar_with_series_and_exceptions() {
    let app = TestApp::start().await;
    let (pages, api) = session_for(&app, "noor@example.com").await;
    api.patch(
        "/api/me",
        json!({ "timezone": "America/Toronto", "name": "Noor" }),
    )
    .await;
    assert_eq!(pages.rpc(FeedAddress {}).await, Ok(None));

    let long_title = "Réunion d’équipe — 日本語のタイトル ".repeat(4);
    let (status, _) = api
        .post(
            "/api/events",
            json!({
                "title": long_title,
                "start": "2026-12-01T10:00",
                "description": "Line one\nLine two, with comma; and semicolon \\ backslash",
                "location": "12 Main St, Springfield",
            }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = api
        .post(
            "/api/events",
            json!({ "title": "Trip", "start": "2026-12-24", "end": "2026-12-26", "all_day": true }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, standup) = api
        .post(
            "/api/events",
            json!({ "title": "Standup", "start": "2026-11-30T09:00", "end": "2026-11-30T09:15", "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270401T000000Z" }),
        )
        .await;
    assert_eq!(status, 201, "{standup}");
    let id = standup["id"].as_i64().expect("id");
    let (status, _) = api
        .delete(&format!("/api/events/{id}?occurrence=2026-12-02T14:00:00Z"))
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .patch(
            &format!("/api/events/{id}?occurrence=2026-12-07T14:00:00Z"),
            json!({ "start": "2026-12-07T10:30", "title": "Standup (late)" }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .post(
            "/api/events",
            json!({ "title": "Rent", "start": "2026-12-01", "all_day": true, "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12" }),
        )
        .await;
    assert_eq!(status, 201);
    // Someone else's event never shows.
    let other = app.signed_in("eve@example.com").await;
    other
        .post(
            "/api/events",
            json!({ "title": "Eve's secret", "start": "2026-12-01T10:00" }),
        )
        .await;

    let url = pages.rpc(RenewFeed {}).await.expect("address");
    assert!(url.ends_with(".ics"), "{url}");
    assert_eq!(pages.rpc(FeedAddress {}).await, Ok(Some(url.clone())));
    let visitor = app.client();
    let (status, ics) = visitor.get_text(&path(&url)).await;
    assert_eq!(status, 200, "{ics}");

    // Lines end in CRLF, are at most 75 octets, and folding never splits a character.
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    assert!(!ics.contains("Eve"));

    let feed = parsed(&ics);
    assert_eq!(feed["version"], "2.0");
    assert_eq!(feed["name"], "Noor (Aida)");
    assert_eq!(feed["errors"], json!([]));
    let events = feed["events"].as_array().expect("events");
    let find = |summary: &str| {
        events
            .iter()
            .find(|e| e["summary"] == summary)
            .unwrap_or_else(|| panic!("{summary} in {events:?}"))
            .clone()
    };
    let long = find(long_title.trim());
    assert_eq!(
        long["description"],
        "Line one\nLine two, with comma; and semicolon \\ backslash"
    );
    assert_eq!(long["location"], "12 Main St, Springfield");
    assert_eq!(
        long["start"],
        json!({ "value": "2026-12-01T15:00:00+00:00", "zone": "UTC" })
    );

    let trip = find("Trip");
    assert_eq!(
        (trip["start"]["value"].clone(), trip["end"]["value"].clone()),
        (json!("2026-12-24"), json!("2026-12-27")),
        "all-day as dates, the end exclusive"
    );

    let series = find("Standup");
    assert_eq!(
        series["start"],
        json!({ "value": "2026-11-30T09:00:00-05:00", "zone": "America/Toronto" })
    );
    assert_eq!(
        series["rrule"],
        "FREQ=WEEKLY;UNTIL=20270401T000000Z;BYDAY=MO,WE"
    );
    assert_eq!(
        series["exdates"],
        json!(["2026-12-02T09:00:00-05:00", "2026-12-07T09:00:00-05:00"])
    );
    let late = find("Standup (late)");
    assert_eq!(
        late["uid"], series["uid"],
        "an exception shares its series' UID"
    );
    assert_eq!(
        late["recurrence_id"],
        json!({ "value": "2026-12-07T09:00:00-05:00", "zone": "America/Toronto" })
    );
    let rent = find("Rent");
    assert_eq!(rent["rrule"], "FREQ=MONTHLY;COUNT=12;BYMONTHDAY=1");
    assert_eq!(rent["start"]["value"], "2026-12-01");

    // UIDs are stable across fetches; every event has a UTC DTSTAMP.
    let (_, again) = visitor.get_text(&path(&url)).await;
    let uids = |f: &Value| -> Vec<Value> {
        f["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["uid"].clone())
            .collect()
    };
    assert_eq!(uids(&parsed(&again)), uids(&feed));
    assert!(events.iter().all(|e| e["dtstamp"]["zone"] == "UTC"
        && e["uid"].as_str().is_some_and(|u| u.ends_with("@127.0.0.1"))));

    // A new address: the old one stops working. Turned off: none works.
    let renewed = pages.rpc(RenewFeed {}).await.expect("address");
    assert_ne!(renewed, url);
    assert_eq!(visitor.get_text(&path(&url)).await.0, 404);
    assert_eq!(visitor.get_text(&path(&renewed)).await.0, 200);
    pages.rpc(TurnOffFeed {}).await.expect("off");
    assert_eq!(visitor.get_text(&path(&renewed)).await.0, 404);
    assert_eq!(pages.rpc(FeedAddress {}).await, Ok(None));
    assert_eq!(visitor.get_text("/feeds/nonsense.ics").await.0, 404);
}
