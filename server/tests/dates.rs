//! Dates people type are read only within years 1900–2199, everywhere: a date far out (chrono
//! reads "+262142-12-31") is refused with the field named, and nothing stored can make a later
//! listing overflow.

mod common;

use app::events::api::Calendar;
use common::TestApp;
use serde_json::{Value, json};

const FAR: &str = "+262142-12-31";

fn field(body: &Value) -> (&str, &str) {
    let first = &body["error"]["fields"][0];
    (
        first["field"].as_str().unwrap_or_default(),
        first["message"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn far_years_are_refused_wherever_a_date_is_read() {
    let app = TestApp::start().await;
    let user = app.signed_in("far@example.com").await;
    let year = ("start", "use a year between 1900 and 2199");

    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": "Far", "start": format!("{FAR}T10:00") }),
        )
        .await;
    assert_eq!((status, field(&body)), (400, year), "{body}");
    // RFC 3339 has no signed years: refused as malformed.
    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": "Far", "start": format!("{FAR}T10:00:00Z") }),
        )
        .await;
    assert_eq!((status, field(&body).0), (400, "start"), "{body}");
    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": "Far", "start": "2200-01-01T10:00:00Z" }),
        )
        .await;
    assert_eq!((status, field(&body)), (400, year), "{body}");
    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": "Far", "start": FAR, "all_day": true }),
        )
        .await;
    assert_eq!((status, field(&body)), (400, year), "{body}");
    let (status, body) = user
        .get(&format!("/api/events?from={}", FAR.replace('+', "%2B")))
        .await;
    assert_eq!((status, field(&body).0), (400, "from"), "{body}");
    let (status, body) = user
        .post("/api/tasks", json!({ "title": "Far", "due": FAR }))
        .await;
    assert_eq!((status, field(&body).0), (400, "due"), "{body}");
    let (status, body) = user
        .post("/api/expenses", json!({ "amount": "3", "date": FAR }))
        .await;
    assert_eq!(
        (status, field(&body)),
        (400, ("date", "use a year between 1900 and 2199")),
        "{body}"
    );
    let (status, body) = user
        .get(&format!(
            "/api/expenses?from={}&to=2026-12-01",
            FAR.replace('+', "%2B")
        ))
        .await;
    assert_eq!((status, field(&body).0), (400, "from"), "{body}");
    let (status, body) = user.get("/api/expenses?month=%2B262142-12").await;
    assert_eq!((status, field(&body).0), (400, "month"), "{body}");
    assert_eq!(app.count("events").await + app.count("tasks").await, 0);
    assert_eq!(app.count("expenses").await, 0);

    // The calendar page's date, as the page asks for it.
    let pages = app.client();
    pages
        .sign_in_session("far@example.com")
        .await
        .expect("sign in");
    let refused = pages
        .rpc(Calendar {
            mode: "month".into(),
            date: Some(FAR.into()),
        })
        .await;
    assert_eq!(
        refused
            .err()
            .and_then(|e| e.field_message("date"))
            .as_deref(),
        Some("use a year between 1900 and 2199")
    );
    let (status, _) = pages
        .get_text(&format!("/calendar?date={}", FAR.replace('+', "%2B")))
        .await;
    assert!(status < 500, "the calendar page answered {status}");
}

#[tokio::test]
async fn the_last_accepted_day_lists_and_shows_without_trouble() {
    let app = TestApp::start().await;
    let user = app.signed_in("edge@example.com").await;
    let (status, body) = user
        .post(
            "/api/events",
            json!({ "title": "Edge", "start": "2199-12-31", "all_day": true }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = user
        .post(
            "/api/tasks",
            json!({ "title": "Edge", "due": "2199-12-31T23:30" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, listed) = user
        .get("/api/events?from=2199-12-01&to=2199-12-31T23:59:59Z")
        .await;
    assert_eq!(
        (status, listed.as_array().map(Vec::len)),
        (200, Some(1)),
        "{listed}"
    );
    assert_eq!(user.get("/api/tasks").await.0, 200);
    let pages = app.client();
    pages
        .sign_in_session("edge@example.com")
        .await
        .expect("sign in");
    for view in ["month", "week"] {
        let shown = pages
            .rpc(Calendar {
                mode: view.into(),
                date: Some("2199-12-31".into()),
            })
            .await;
        assert!(shown.is_ok(), "{view}: {shown:?}");
    }
    for page in ["/tasks", "/calendar?date=2199-12-31", "/"] {
        assert_eq!(pages.get_text(page).await.0, 200, "{page}");
    }
}
