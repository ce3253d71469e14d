//! Voice booking through Retell's webhooks: signatures, both body shapes, availability,
//! booking once and one at a time, call events, failures, and the spool while the database
//! is away. The test clock stands at Sunday 22 November 2026, 10:00 in Toronto.

mod common;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use common::TestApp;
use common::retell::{self, AGENT, OWNER_PHONE, Retell};

async fn booking_app() -> (TestApp, Retell) {
    let app = TestApp::with_settings(retell::settings()).await;
    let retell = Retell::new(&app);
    (app, retell)
}

/// An event on the owner's calendar, from `start` to `end` (RFC 3339).
async fn busy(owner: &common::Client, start: &str, end: &str) {
    let (status, body) = owner
        .post(
            "/api/events",
            json!({ "title": "Busy", "start": start, "end": end }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The texts queued to `to`, oldest first.
async fn texts_to(app: &TestApp, to: &str) -> Vec<String> {
    app.rows(&format!(
        "SELECT body AS row FROM sms_outbox WHERE to_number = '{to}' ORDER BY id"
    ))
    .await
}

#[tokio::test]
async fn only_requests_signed_by_retell_within_five_minutes_are_taken() {
    let (app, retell) = booking_app().await;
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    let body = json!({
        "name": "book",
        "call": retell::call("call_sig", AGENT),
        "args": {
            "customer_name": "Ann Lee",
            "customer_phone": "+14165550111",
            "start": "2026-11-24T14:00:00-05:00",
        },
    })
    .to_string();
    let path = "/webhooks/retell/book";
    let stale = retell.signature(&body, -(5 * 60 * 1000 + 1_000));
    let future = retell.signature(&body, 5 * 60 * 1000 + 1_000);
    let tampered_body = body.replace("Ann Lee", "Eve Lee");
    let good = retell.signature(&body, 0);
    let other_key = app::booking::retell::sign(
        body.as_bytes(),
        "key_someone_else",
        Utc::now().timestamp_millis(),
    );
    for (what, sent, signature) in [
        ("missing", body.as_str(), None),
        ("stale", body.as_str(), Some(stale.as_str())),
        ("from the future", body.as_str(), Some(future.as_str())),
        ("tampered", tampered_body.as_str(), Some(good.as_str())),
        ("another key", body.as_str(), Some(other_key.as_str())),
        ("malformed", body.as_str(), Some("v=abc,d=00")),
    ] {
        let (status, _) = retell.post_signed(path, sent, signature).await;
        assert_eq!(status, 401, "{what}");
    }
    assert_eq!(app.count("voice_bookings").await, 0);
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.count("voice_request_counts").await, 0);

    let (status, answer) = retell.post_signed(path, &body, Some(&good)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["booked"], true);
    assert_eq!(app.count("voice_bookings").await, 1);
}

#[tokio::test]
async fn an_unknown_agent_or_no_key_is_refused() {
    let (app, retell) = booking_app().await;
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    let body = json!({
        "name": "check_availability",
        "call": retell::call("call_1", "agent_nobody_has"),
        "args": { "requested_time_string": "tuesday at 2" },
    });
    let (status, _) = retell
        .post("/webhooks/retell/check-availability", &body)
        .await;
    assert_eq!(status, 401);

    // A server without Retell's key refuses even a well-signed request.
    let keyless = TestApp::start().await;
    let (status, _) = Retell::new(&keyless)
        .post("/webhooks/retell/check-availability", &body)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn both_body_shapes_are_understood() {
    let (app, retell) = booking_app().await;
    let owner = retell::owner(&app, "clinic@aida.test", json!({})).await;
    let (_, settings) = owner.get("/api/booking/settings").await;
    let token = settings["webhook_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        settings["webhooks"]["check_availability"],
        format!("http://127.0.0.1:3000/webhooks/retell/check-availability?owner={token}")
    );

    let (status, nested) = retell
        .check(
            "call_a",
            json!({ "requested_time_string": "tuesday at 2pm" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(nested["available"], true);

    // Arguments at the root: the owner is named by the URL's token.
    let args = json!({ "requested_time_string": "tuesday at 2pm" });
    let (status, root) = retell
        .post(
            &format!("/webhooks/retell/check-availability?owner={token}"),
            &args,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(root, nested);

    let (status, _) = retell
        .post("/webhooks/retell/check-availability?owner=wrong", &args)
        .await;
    assert_eq!(status, 401);
    let (status, _) = retell
        .post("/webhooks/retell/check-availability", &args)
        .await;
    assert_eq!(status, 401);

    // Booking with arguments at the root: a retry is the same caller and start.
    let book = json!({
        "customer_name": "Ann Lee",
        "customer_phone": "416 555 0111",
        "start": "tuesday at 2pm",
    });
    let url = format!("/webhooks/retell/book?owner={token}");
    for _ in 0..2 {
        let (status, answer) = retell.post(&url, &book).await;
        assert_eq!(
            (status, answer["booked"].clone()),
            (200, json!(true)),
            "{answer}"
        );
    }
    assert_eq!(
        app.rows("SELECT call_id || ' ' || customer_phone AS row FROM voice_bookings")
            .await,
        vec!["caller:+14165550111 +14165550111"]
    );
}

#[tokio::test]
async fn availability_counts_hours_buffers_notice_and_events() {
    let (app, retell) = booking_app().await;
    let owner = retell::owner(&app, "clinic@aida.test", json!({ "buffer_minutes": 15 })).await;
    busy(
        &owner,
        "2026-11-24T14:00:00-05:00",
        "2026-11-24T15:00:00-05:00",
    )
    .await;

    let ask = |said: &str| {
        let retell = &retell;
        let said = said.to_owned();
        async move {
            let (status, answer) = retell
                .check("call_q", json!({ "requested_time_string": said }))
                .await;
            assert_eq!(status, 200, "{answer}");
            answer
        }
    };
    let free = ask("tuesday at 11").await;
    assert_eq!(free["available"], true);
    assert_eq!(free["message"], "Tuesday November 24 at 11 AM is free.");

    // 15:00 touches the meeting that ends then, and the buffer keeps 15 minutes free.
    let buffered = ask("tuesday at 3pm").await;
    assert_eq!(buffered["available"], false);
    assert_eq!(
        strings(&buffered["alternatives"]),
        // 3:30, 4 and 4:30 PM: 1:30 PM would end inside the buffer before the meeting.
        vec![
            "2026-11-24T20:30:00Z",
            "2026-11-24T21:00:00Z",
            "2026-11-24T21:30:00Z"
        ],
    );
    assert!(
        buffered["message"]
            .as_str()
            .unwrap()
            .starts_with("Tuesday November 24 at 3 PM is already taken.")
    );

    let sunday = ask("sunday at 10").await;
    assert_eq!(sunday["available"], false);
    assert!(
        sunday["message"]
            .as_str()
            .unwrap()
            .contains("is outside working hours")
    );

    // Part of the day: the first free times in it.
    let afternoon = ask("next tuesday afternoon").await;
    assert_eq!(afternoon["available"], true);
    assert_eq!(
        strings(&afternoon["alternatives"]),
        vec![
            "2026-11-24T20:30:00Z",
            "2026-11-24T21:00:00Z",
            "2026-11-24T21:30:00Z"
        ],
    );
    assert_eq!(
        afternoon["message"],
        "Free times then: Tuesday November 24 at 3:30 PM, 4 PM or 4:30 PM."
    );

    // A fully booked day offers the nearest free times on other days.
    busy(
        &owner,
        "2026-11-25T09:00:00-05:00",
        "2026-11-25T17:00:00-05:00",
    )
    .await;
    let full = ask("wednesday").await;
    assert_eq!(full["available"], false);
    let offered = strings(&full["alternatives"]);
    assert_eq!(offered.len(), 3, "{full}");
    assert!(
        offered.iter().all(|t| !t.starts_with("2026-11-25")),
        "{full}"
    );

    // Notice: two days from now, Monday morning is too soon.
    owner
        .put(
            "/api/booking/settings",
            json!({ "notice_minutes": 2 * 24 * 60 }),
        )
        .await;
    let soon = ask("monday at 10").await;
    assert_eq!(soon["available"], false);
    assert!(
        soon["message"].as_str().unwrap().contains("too soon"),
        "{soon}"
    );

    // Lengths the owner does not offer are refused with what is offered.
    let (_, long) = retell
        .check(
            "call_q",
            json!({ "requested_time_string": "thursday at 10", "duration_minutes": 45 }),
        )
        .await;
    assert_eq!(long["message"], "Meetings can be 30 minutes long.");

    // A time that cannot be read is asked again.
    let unclear = ask("whenever the moon is full").await;
    assert_eq!(unclear["available"], false);
    assert!(
        unclear["message"]
            .as_str()
            .unwrap()
            .starts_with("I didn't catch the time")
    );
}

#[tokio::test]
async fn availability_on_a_dst_day_keeps_local_times() {
    let (app, retell) = booking_app().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 10, 29, 14, 0, 0).unwrap());
    let owner = retell::owner(
        &app,
        "clinic@aida.test",
        json!({ "hours": {
            "sunday": { "start": "09:00", "end": "12:00" },
            "monday": { "start": "09:00", "end": "17:00" },
        }}),
    )
    .await;
    // Clocks fall back at 2:00 on Sunday 1 November: 9:00 is 14:00 UTC, not 13:00.
    busy(
        &owner,
        "2026-11-01T09:00:00-05:00",
        "2026-11-01T10:00:00-05:00",
    )
    .await;
    let (_, answer) = retell
        .check(
            "call_dst",
            json!({ "requested_time_string": "november 1 at 9am" }),
        )
        .await;
    assert_eq!(answer["available"], false, "{answer}");
    assert_eq!(
        strings(&answer["alternatives"]),
        vec![
            "2026-11-01T15:00:00Z",
            "2026-11-01T15:30:00Z",
            "2026-11-01T16:00:00Z"
        ]
    );
    assert_eq!(
        answer["message"],
        "Sunday November 1 at 9 AM is already taken. The nearest free times are Sunday \
         November 1 at 10 AM, 10:30 AM or 11 AM."
    );
}

#[tokio::test]
async fn a_retried_booking_makes_one_event_and_texts_the_owner_and_caller_once() {
    let (app, retell) = booking_app().await;
    let owner = retell::owner(&app, "clinic@aida.test", json!({ "confirm_callers": true })).await;
    let args = json!({
        "customer_name": "Ann Lee",
        "customer_phone": "+14165550111",
        "start": "tuesday at 2pm",
        "duration_minutes": 30,
        "notes": "first visit",
    });
    let (status, first) = retell.book("call_1", args.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        first,
        json!({
            "booked": true,
            "request_taken": false,
            "message": "You're booked for Tuesday November 24 at 2 PM. You'll get a text with the details.",
            "alternatives": [],
            "start": "2026-11-24T19:00:00Z",
            "end": "2026-11-24T19:30:00Z",
        })
    );
    // Retell retries (the first answer was lost on the way): the same booking, nothing more.
    let (_, again) = retell.book("call_1", args).await;
    assert_eq!(again, first);

    let (_, events) = owner
        .get("/api/events?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z")
        .await;
    let events = events.as_array().expect("events").clone();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["title"], "Meeting with Ann Lee");
    assert_eq!(events[0]["source"], "voice");
    assert!(
        events[0]["description"]
            .as_str()
            .unwrap()
            .contains("+14165550111")
    );
    assert!(
        events[0]["description"]
            .as_str()
            .unwrap()
            .contains("first visit")
    );

    assert_eq!(
        texts_to(&app, OWNER_PHONE).await,
        vec![
            "New booking: Ann Lee, +14165550111, Tuesday November 24 at 2 PM (30 min). Notes: first visit"
        ]
    );
    let to_caller = texts_to(&app, "+14165550111").await;
    assert_eq!(to_caller.len(), 1);
    assert!(
        to_caller[0].starts_with(
            "Your meeting with clinic is booked for Tuesday November 24 at 2 PM. To cancel or move it: http://127.0.0.1:3000/bookings/"
        ),
        "{}",
        to_caller[0]
    );
    let (_, bookings) = owner.get("/api/booking/bookings").await;
    assert_eq!(bookings.as_array().map(Vec::len), Some(1));
    assert_eq!(bookings[0]["call_id"], "call_1");
}

#[tokio::test]
async fn of_two_callers_booking_one_slot_at_once_exactly_one_wins() {
    let (app, retell) = booking_app().await;
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    let tries = (0..8).map(|i| {
        let retell = &retell;
        async move {
            retell
                .book(
                    &format!("call_{i}"),
                    json!({
                        "customer_name": format!("Caller {i}"),
                        "customer_phone": format!("+1416555020{i}"),
                        "start": "2026-11-24T14:00:00-05:00",
                    }),
                )
                .await
        }
    });
    let answers = futures_util::future::join_all(tries).await;
    let booked: Vec<&Value> = answers
        .iter()
        .map(|(status, a)| {
            assert_eq!(*status, 200, "{a}");
            a
        })
        .filter(|a| a["booked"] == true)
        .collect();
    assert_eq!(booked.len(), 1, "{answers:?}");
    for (_, lost) in answers.iter().filter(|(_, a)| a["booked"] == false) {
        assert_eq!(lost["request_taken"], false);
        let message = lost["message"].as_str().unwrap();
        assert!(
            message.starts_with("Tuesday November 24 at 2 PM is no longer available."),
            "{message}"
        );
        assert_eq!(strings(&lost["alternatives"]).len(), 3);
    }
    assert_eq!(app.count("events").await, 1);
    assert_eq!(app.count("voice_bookings").await, 1);
}

#[tokio::test]
async fn missing_details_are_asked_for_and_book_nothing() {
    let (app, retell) = booking_app().await;
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    let cases = [
        (
            json!({ "customer_phone": "+14165550111", "start": "tuesday at 2" }),
            "May I have your name",
        ),
        (
            json!({ "customer_name": "Ann", "customer_phone": "hello", "start": "tuesday at 2" }),
            "What phone number",
        ),
        (
            json!({ "customer_name": "Ann", "customer_phone": "+14165550111" }),
            "Which day and time",
        ),
        (
            json!({ "customer_name": "Ann", "customer_phone": "+14165550111", "start": "tuesday" }),
            "Which exact time",
        ),
    ];
    for (args, asked) in cases {
        let (status, answer) = retell.book("call_x", args).await;
        assert_eq!(status, 200);
        assert_eq!(answer["booked"], false);
        assert!(
            answer["message"].as_str().unwrap().starts_with(asked),
            "{answer}"
        );
    }
    // The caller's number comes from the call when not said.
    let (_, answer) = retell
        .book(
            "call_y",
            json!({ "customer_name": "Ann", "start": "tuesday at 2" }),
        )
        .await;
    assert_eq!(answer["booked"], true, "{answer}");
    assert_eq!(
        app.rows("SELECT customer_phone AS row FROM voice_bookings")
            .await,
        vec!["+12137771234"]
    );
}

#[tokio::test]
async fn an_owner_over_the_rate_gets_429_with_a_sentence() {
    let mut settings = retell::settings();
    settings.voice.requests_per_minute = 3;
    let app = TestApp::with_settings(settings).await;
    let retell = Retell::new(&app);
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    let args = json!({ "requested_time_string": "tuesday at 2" });
    for _ in 0..3 {
        assert_eq!(retell.check("call_r", args.clone()).await.0, 200);
    }
    let (status, answer) = retell.check("call_r", args.clone()).await;
    assert_eq!(status, 429);
    assert_eq!(answer["message"], app::booking::caller::TOO_MANY);
    // The next minute starts afresh.
    app.clock
        .set(common::default_now() + chrono::Duration::minutes(1));
    assert_eq!(retell.check("call_r", args).await.0, 200);
}

#[tokio::test]
async fn call_events_are_stored_once_per_call() {
    let (app, retell) = booking_app().await;
    let owner = retell::owner(&app, "clinic@aida.test", json!({})).await;
    let mut call = retell::call("call_ev", AGENT);
    let started = json!({ "event": "call_started", "call": call.clone() });
    call["call_status"] = json!("ended");
    call["end_timestamp"] = json!(1_714_608_475_945_i64 + 95_000);
    call["disconnection_reason"] = json!("user_hangup");
    let ended = json!({ "event": "call_ended", "call": call.clone() });
    call["call_analysis"] = json!({
        "call_summary": "Ann booked a first visit on Tuesday at 2 PM.",
        "call_successful": true,
        "user_sentiment": "Positive",
    });
    let analyzed = json!({ "event": "call_analyzed", "call": call });
    // Retried and out of order: the end and analysis stay once heard.
    for event in [&started, &ended, &analyzed, &ended, &started] {
        let (status, _) = retell.post("/webhooks/retell/events", event).await;
        assert_eq!(status, 204);
    }
    let other = json!({ "event": "transcript_updated", "call": retell::call("call_ev", AGENT) });
    assert_eq!(retell.post("/webhooks/retell/events", &other).await.0, 204);

    let (_, calls) = owner.get("/api/booking/calls").await;
    assert_eq!(
        calls,
        json!([{
            "call_id": "call_ev",
            "agent_id": AGENT,
            "from_number": "+12137771234",
            "to_number": "+12137771235",
            "status": "call_analyzed",
            "started_at": "2024-05-02T00:07:55.945Z",
            "ended_at": "2024-05-02T00:09:30.945Z",
            "disconnection_reason": "user_hangup",
            "summary": "Ann booked a first visit on Tuesday at 2 PM.",
            "successful": true,
            "sentiment": "Positive",
        }])
    );
    let stranger = json!({ "event": "call_started", "call": retell::call("c2", "agent_unknown") });
    assert_eq!(
        retell.post("/webhooks/retell/events", &stranger).await.0,
        401
    );
    // Another owner sees none of these.
    let (_, theirs) = app
        .signed_in("other@aida.test")
        .await
        .get("/api/booking/calls")
        .await;
    assert_eq!(theirs, json!([]));
}

#[tokio::test]
async fn an_internal_failure_is_logged_the_owner_texted_and_admins_alerted_on_the_third() {
    let (app, retell) = booking_app().await;
    let owner = retell::owner(&app, "clinic@aida.test", json!({})).await;
    let admin = app.user("admin@aida.test", true).await;
    app.sql(&format!(
        "UPDATE users SET phone = '+14165550999' WHERE id = {}",
        admin.id
    ))
    .await;
    app.break_writes("voice_bookings", "INSERT").await;
    for (i, said) in ["tuesday at 10am", "tuesday at 11am", "tuesday at 1pm"]
        .into_iter()
        .enumerate()
    {
        let (status, answer) = retell
            .book(
                &format!("call_f{i}"),
                json!({
                    "customer_name": "Ann Lee",
                    "customer_phone": "+14165550111",
                    "start": said,
                }),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(answer["booked"], false);
        assert_eq!(answer["request_taken"], true, "{answer}");
    }
    // Nothing half-made: the event rolled back with the booking.
    assert_eq!(app.count("events").await, 0);
    let texts = texts_to(&app, OWNER_PHONE).await;
    assert_eq!(
        texts[0],
        "Manual booking needed: Ann Lee requested Tuesday November 24 at 10 AM, phone +14165550111, call call_f0"
    );
    assert_eq!(texts.len(), 3);
    let alerts = texts_to(&app, "+14165550999").await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].contains("the last 3 phone bookings failed"));

    let (_, failures) = owner.get("/api/booking/failures").await;
    let failures = failures.as_array().expect("failures").clone();
    assert_eq!(failures.len(), 3);
    assert_eq!(failures[0]["resolved_at"], Value::Null);
    let id = failures[0]["id"].as_i64().unwrap();
    let (status, _) = owner
        .post(&format!("/api/booking/failures/{id}/resolve"), json!({}))
        .await;
    assert_eq!(status, 204);
    let (_, failures) = owner.get("/api/booking/failures").await;
    assert_eq!(failures[2]["id"], id);
    assert!(failures[2]["resolved_at"].is_string());
    // Another owner cannot resolve it.
    let stranger = app.signed_in("other@aida.test").await;
    let (status, _) = stranger
        .post(&format!("/api/booking/failures/{id}/resolve"), json!({}))
        .await;
    assert_eq!(status, 404);
}

/// PostgreSQL stops mid-test, as in a crash: every booking is still answered, kept on disk,
/// and made once when it is back, with a text to the owner for each; one whose time was
/// taken meanwhile becomes a failure the owner is told of.
#[tokio::test]
async fn bookings_taken_while_postgresql_is_stopped_are_replayed_once() {
    let pg = common::own_postgres::OwnPostgres::start().await;
    let app = TestApp::on_database(pg.url(), retell::settings()).await;
    let retell = Retell::new(&app);
    let owner = retell::owner(&app, "clinic@aida.test", json!({})).await;
    let slots = ["09:00", "09:30", "10:00", "10:30", "11:00"];

    pg.crash();
    for (i, slot) in slots.iter().enumerate() {
        let (status, answer) = retell
            .book(
                &format!("call_down_{i}"),
                json!({
                    "customer_name": format!("Caller {i}"),
                    "customer_phone": format!("+1416555030{i}"),
                    "start": format!("2026-11-24T{slot}:00-05:00"),
                }),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["request_taken"], true, "{answer}");
    }
    // Retell retries one of them while the database is still away.
    let (_, retried) = retell
        .book(
            "call_down_0",
            json!({
                "customer_name": "Caller 0",
                "customer_phone": "+14165550300",
                "start": "2026-11-24T09:00:00-05:00",
            }),
        )
        .await;
    assert_eq!(retried["request_taken"], true);
    let spooled = app::booking::spool::pending(&app.state.settings.voice.data_dir);
    assert_eq!(spooled.len(), 6);

    pg.start_again();
    // Meanwhile the owner filled 10:30 by hand.
    let mut ready = false;
    for _ in 0..50 {
        if app::db::conn(&app.state.pool).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the database came back");
    busy(
        &owner,
        "2026-11-24T10:30:00-05:00",
        "2026-11-24T11:00:00-05:00",
    )
    .await;

    let replayed = app::booking::spool::replay(&app.state)
        .await
        .expect("replay");
    assert_eq!(replayed, 6);
    assert!(app::booking::spool::pending(&app.state.settings.voice.data_dir).is_empty());
    assert_eq!(
        app.rows("SELECT call_id AS row FROM voice_bookings ORDER BY starts_at")
            .await,
        vec!["call_down_0", "call_down_1", "call_down_2", "call_down_4"]
    );
    let texts = texts_to(&app, OWNER_PHONE).await;
    assert_eq!(texts.len(), 5, "{texts:#?}");
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.starts_with("New booking:"))
            .count(),
        4
    );
    assert!(texts.contains(
        &"Manual booking needed: Caller 3 requested Tuesday November 24 at 10:30 AM, phone +14165550303, call call_down_3".to_owned()
    ));
    let (_, failures) = owner.get("/api/booking/failures").await;
    assert_eq!(failures.as_array().map(Vec::len), Some(1));
    assert!(
        failures[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no longer free")
    );
    // Nothing is done twice if the spool is read again.
    assert_eq!(
        app::booking::spool::replay(&app.state)
            .await
            .expect("replay"),
        0
    );
    assert_eq!(app.count("voice_bookings").await, 4);
}

/// A database too slow to answer within the budget: the caller is answered in time, the
/// booking is spooled, and replaying it later books it once.
#[tokio::test]
async fn a_booking_slower_than_the_budget_is_spooled_and_made_once() {
    let (app, retell) = booking_app().await;
    retell::owner(&app, "clinic@aida.test", json!({})).await;
    app.sql(
        "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$; \
         CREATE TRIGGER slow_insert BEFORE INSERT ON voice_bookings \
         FOR EACH ROW EXECUTE FUNCTION slow_insert();",
    )
    .await;
    let args = json!({
        "customer_name": "Ann Lee",
        "customer_phone": "+14165550111",
        "start": "tuesday at 2pm",
    });
    let (status, answer) = retell.book("call_slow", args).await;
    assert_eq!(status, 200);
    assert_eq!(answer["request_taken"], true, "{answer}");
    assert_eq!(
        app::booking::spool::pending(&app.state.settings.voice.data_dir).len(),
        1
    );
    app.sql("DROP TRIGGER slow_insert ON voice_bookings; DROP FUNCTION slow_insert();")
        .await;
    // The cut-off attempt may still commit; either way the booking is made once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        app::booking::spool::replay(&app.state)
            .await
            .expect("replay"),
        1
    );
    assert_eq!(app.count("voice_bookings").await, 1);
    assert_eq!(app.count("events").await, 1);
    assert_eq!(texts_to(&app, OWNER_PHONE).await.len(), 1);
}

/// The Booking page's server functions: its form, as a browser posts it, saves the settings;
/// the page lists bookings, calls and failures; the test form calls the tools as Retell would.
#[tokio::test]
async fn the_booking_page_saves_its_form_and_tries_the_tools() {
    use app::booking::api::{LoadBooking, ResolveBookingFailure, SaveBookingSettings, TryAsCaller};
    use leptos::server_fn::ServerFn;
    let (app, _) = booking_app().await;
    app.user("clinic@aida.test", false).await;
    let owner = app.client();
    owner
        .sign_in_session("clinic@aida.test")
        .await
        .expect("sign in");

    let form = [
        ("form[enabled]", "on"),
        ("form[timezone]", "America/Toronto"),
        ("form[monday]", "09:00-17:00"),
        ("form[tuesday]", "9:00 - 12:00"),
        ("form[lengths]", "30, 60"),
        ("form[buffer_minutes]", "10"),
        ("form[notice_minutes]", "0"),
        ("form[horizon_days]", "30"),
        ("form[business_phone]", "416 555 0123"),
        ("form[agent_ids]", "agent_front_desk"),
    ];
    let response = owner
        .http
        .post(format!("{}{}", app.base, SaveBookingSettings::PATH))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .expect("save");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let page = owner.rpc(LoadBooking {}).await.expect("page");
    let s = &page.settings;
    assert!(s.enabled && !s.confirm_callers);
    assert_eq!(s.lengths, vec![30, 60]);
    assert_eq!(s.buffer_minutes, 10);
    assert_eq!(s.business_phone.as_deref(), Some(OWNER_PHONE));
    assert_eq!(
        s.hours.tuesday.as_ref().map(|h| h.end.as_str()),
        Some("12:00")
    );
    assert_eq!(s.hours.wednesday, None);
    assert_eq!(s.agent_ids, vec![AGENT]);

    // A refused form names its field and changes nothing.
    let response = owner
        .http
        .post(format!("{}{}", app.base, SaveBookingSettings::PATH))
        .header("accept", "application/json")
        .form(
            &form
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "form[timezone]" {
                            "Nowhere/Else"
                        } else {
                            *v
                        },
                    )
                })
                .collect::<Vec<_>>(),
        )
        .send()
        .await
        .expect("save");
    assert_eq!(response.status(), 400);
    let refused: app::error::AppError = response.json().await.expect("error");
    assert!(refused.field_message("timezone").is_some(), "{refused:?}");
    assert_eq!(
        owner.rpc(LoadBooking {}).await.expect("page").settings,
        page.settings
    );

    let checked = owner
        .rpc(TryAsCaller {
            tool: "check".into(),
            said: "tuesday at 10".into(),
            name: String::new(),
            phone: String::new(),
        })
        .await
        .expect("check");
    let checked: Value = serde_json::from_str(&checked).expect("json");
    assert_eq!(checked["available"], true, "{checked}");
    let booked = owner
        .rpc(TryAsCaller {
            tool: "book".into(),
            said: "tuesday at 10".into(),
            name: "Ann Lee".into(),
            phone: "+14165550111".into(),
        })
        .await
        .expect("book");
    let booked: Value = serde_json::from_str(&booked).expect("json");
    assert_eq!(booked["booked"], true, "{booked}");
    let page = owner.rpc(LoadBooking {}).await.expect("page");
    assert_eq!(page.bookings.len(), 1);
    assert_eq!(page.bookings[0].when, "Tue Nov 24, 10:00 AM");

    // A failure, listed and resolved from the page.
    app.sql(
        "INSERT INTO booking_failures (user_id, call_id, customer_name, customer_phone, requested, reason, created_at) \
         SELECT id, 'call_z', 'Bo', '+14165550112', 'Wednesday', 'test', now() FROM users WHERE email = 'clinic@aida.test'",
    )
    .await;
    let page = owner.rpc(LoadBooking {}).await.expect("page");
    assert_eq!(page.failures.len(), 1);
    assert!(!page.failures[0].resolved);
    owner
        .rpc(ResolveBookingFailure {
            id: page.failures[0].id,
        })
        .await
        .expect("resolve");
    assert!(owner.rpc(LoadBooking {}).await.expect("page").failures[0].resolved);

    // The page itself renders for its owner, on each tab.
    for (path, text) in [
        ("/booking", "Connect Retell"),
        ("/booking/calls", "No calls yet"),
        ("/booking/failures", "Bo requested Wednesday"),
    ] {
        let (status, html) = owner.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(text), "{path} lacks {text}");
    }
}

/// The caller's link: they see their booking, move it to a free time or cancel it, until
/// the owner's notice; the owner is texted of each change.
#[tokio::test]
async fn a_caller_moves_or_cancels_their_booking_through_the_link_until_the_notice() {
    use app::booking::api::{CancelCallerBooking, LoadCallerBooking, MoveCallerBooking};
    let (app, retell) = booking_app().await;
    let owner = retell::owner(
        &app,
        "clinic@aida.test",
        json!({ "confirm_callers": true, "notice_minutes": 60 }),
    )
    .await;
    busy(
        &owner,
        "2026-11-24T14:30:00-05:00",
        "2026-11-24T15:00:00-05:00",
    )
    .await;
    let (_, booked) = retell
        .book(
            "call_m",
            json!({ "customer_name": "Ann Lee", "customer_phone": "+14165550111", "start": "tuesday at 2pm" }),
        )
        .await;
    assert_eq!(booked["booked"], true);
    let text = texts_to(&app, "+14165550111").await.remove(0);
    let token = text.rsplit('/').next().expect("token").to_owned();

    let caller = app.client();
    let seen = caller
        .rpc(LoadCallerBooking {
            token: token.clone(),
        })
        .await
        .expect("booking");
    assert_eq!(seen.when, "Tuesday November 24 at 2 PM");
    assert_eq!(seen.minutes, 30);
    assert!(seen.changeable && !seen.cancelled);
    let offered: Vec<&str> = seen.free_times.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        !offered.contains(&"2026-11-24T19:30:00Z"),
        "2:30 PM is busy: {offered:?}"
    );
    assert!(offered.contains(&"2026-11-24T18:30:00Z"), "{offered:?}");

    // A busy time is refused; an offered one is taken.
    let refused = caller
        .rpc(MoveCallerBooking {
            token: token.clone(),
            start: "2026-11-24T19:30:00Z".into(),
        })
        .await
        .unwrap_err();
    assert!(refused.field_message("start").is_some(), "{refused:?}");
    caller
        .rpc(MoveCallerBooking {
            token: token.clone(),
            start: "2026-11-24T18:30:00Z".into(),
        })
        .await
        .expect("move");
    let (_, events) = owner
        .get("/api/events?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z")
        .await;
    let starts: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, vec!["2026-11-24T18:30:00Z", "2026-11-24T19:30:00Z"]);
    assert_eq!(
        app.rows("SELECT starts_at::text AS row FROM voice_bookings")
            .await,
        vec!["2026-11-24 18:30:00+00"]
    );
    assert!(texts_to(&app, OWNER_PHONE).await.contains(
        &"Booking moved by the caller: Ann Lee, +14165550111, from Tuesday November 24 at 2 PM to Tuesday November 24 at 1:30 PM.".to_owned()
    ));

    // Within the owner's notice the link no longer changes it.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap());
    let late = caller
        .rpc(CancelCallerBooking {
            token: token.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        late,
        app::error::AppError::Forbidden(
            "it is too late to change this booking here; please call +14165550123".into()
        )
    );
    app.clock.set(common::default_now());
    caller
        .rpc(CancelCallerBooking {
            token: token.clone(),
        })
        .await
        .expect("cancel");
    let seen = caller
        .rpc(LoadCallerBooking {
            token: token.clone(),
        })
        .await
        .expect("booking");
    assert!(seen.cancelled);
    assert_eq!(app.count("events").await, 1);
    assert!(
        texts_to(&app, OWNER_PHONE)
            .await
            .last()
            .unwrap()
            .starts_with("Booking cancelled by the caller: Ann Lee")
    );

    let (status, html) = caller.get_text(&format!("/bookings/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("was cancelled"), "{html}");
    let (_, html) = caller.get_text("/bookings/not-a-token").await;
    assert!(html.contains("does not name a booking"));
    assert_eq!(
        caller
            .rpc(LoadCallerBooking {
                token: "nope".into()
            })
            .await,
        Err(app::error::AppError::NotFound)
    );
}
