//! Texting Aida through Twilio's webhook, on a real PostgreSQL with real workers, and the
//! outbox delivering through a fake Twilio Messages API.

mod common;

use std::time::Duration;

use app::sms::twilio::{SendError, Twilio};
use common::TestApp;
use common::fake_twilio::{AUTH_TOKEN, FakeTwilio, Script};
use common::sms::{self, incoming, message_sid, post_form, post_signed, text};

const PHONE: &str = "+12125550123";

/// An app whose Twilio is `fake`, a user with a verified phone in New York, and workers.
async fn texting(fake: &FakeTwilio, batch: Duration) -> (TestApp, i64, sms::Workers) {
    let app = TestApp::with_settings(sms::settings(Some(fake), batch)).await;
    let user = app.user("sam@aida.test", false).await;
    app.sql(&format!(
        "UPDATE users SET phone = '{PHONE}', timezone = 'America/New_York' WHERE id = {}",
        user.id
    ))
    .await;
    let workers = sms::workers(&app).await;
    (app, user.id, workers)
}

async fn titles(app: &TestApp, user_id: i64) -> Vec<String> {
    app.rows(&format!(
        "SELECT title || ' / ' || source AS row FROM events WHERE user_id = {user_id} ORDER BY id"
    ))
    .await
}

/// Waits until `sql` gives `want` rows; panics after 15 s.
async fn eventually(app: &TestApp, sql: &str, want: usize) -> Vec<String> {
    for _ in 0..300 {
        let rows = app.rows(sql).await;
        if rows.len() >= want {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "expected {want} rows of {sql}, got {:?}",
        app.rows(sql).await
    );
}

#[tokio::test]
async fn forged_tampered_and_unsigned_posts_are_refused_and_change_nothing() {
    let fake = FakeTwilio::start().await;
    let (app, _, _workers) = texting(&fake, Duration::ZERO).await;
    let path = "/webhooks/twilio/sms";
    let form = incoming(&message_sid(), PHONE, "lunch w/ Sam tmrw 1pm");

    let (status, _) = post_form(&app, path, &form, None).await;
    assert_eq!(status, 403, "no signature");
    let (status, _) = post_signed(&app, path, &form, "another-token").await;
    assert_eq!(status, 403, "signed with another token");
    let good = app::sms::signature::sign(AUTH_TOKEN, &format!("{}{path}", sms::PUBLIC_URL), &form);
    let mut tampered = form.clone();
    tampered[2].1 = "lunch w/ Sam tmrw 2pm".into();
    let (status, _) = post_form(&app, path, &tampered, Some(&good)).await;
    assert_eq!(status, 403, "a parameter changed after signing");
    let mut other_account = form.clone();
    other_account[0].1 = "AC00000000000000000000000000000000".into();
    let (status, _) = post_signed(&app, path, &other_account, AUTH_TOKEN).await;
    assert_eq!(status, 403, "another Twilio account");
    let for_elsewhere = app::sms::signature::sign(
        AUTH_TOKEN,
        &format!("{}/webhooks/twilio/status", sms::PUBLIC_URL),
        &form,
    );
    let (status, _) = post_form(&app, path, &form, Some(&for_elsewhere)).await;
    assert_eq!(status, 403, "signed for another URL than the one posted to");
    let (status, _) = post_form(&app, &format!("{path}?x=1"), &form, Some(&good)).await;
    assert_eq!(status, 403, "the query string is signed too");

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.count("sms_inbound").await, 0);
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.count("sms_outbox").await, 0);
    // The genuine post works.
    let (status, _) = post_form(&app, path, &form, Some(&good)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_text_acts_like_chat_and_the_reply_comes_back_in_the_answer() {
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::ZERO).await;

    let (status, twiml) = text(&app, PHONE, "lunch w/ Sam tmrw 1pm").await;
    assert_eq!(status, 200);
    assert!(
        twiml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>"#),
        "{twiml}"
    );
    assert!(twiml.contains("Added"), "{twiml}");
    assert!(
        twiml.contains("Mon 23 Nov, 1 pm-1:30 pm"),
        "in the user's timezone: {twiml}"
    );
    assert!(
        twiml.ends_with("Reply UNDO to remove.</Message></Response>"),
        "{twiml}"
    );
    assert_eq!(titles(&app, user_id).await, ["lunch with Sam / sms"]);
    assert_eq!(
        app.rows("SELECT state AS row FROM sms_outbox").await,
        ["replied"],
        "given in the answer, so never sent again"
    );

    // The conversation shows on the chat page like any other.
    let client = app.client_for("sam@aida.test").await;
    let (status, list) = client.get("/api/conversations").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["title"], "Text messages", "{list}");
    let (_, conversation) = client
        .get(&format!("/api/conversations/{}", list[0]["id"]))
        .await;
    let messages = conversation["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["content"], "lunch w/ Sam tmrw 1pm");
    assert_eq!(messages[1]["actions"][0]["kind"], "create_event");

    // UNDO takes it back, from the same number.
    let (_, twiml) = text(&app, PHONE, "UNDO").await;
    assert!(twiml.contains("Removed"), "{twiml}");
    assert!(titles(&app, user_id).await.is_empty());
    let (_, twiml) = text(&app, PHONE, "undo").await;
    assert!(twiml.contains("nothing to undo"), "{twiml}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fake.sent().is_empty(), "every reply went back in an answer");
}

#[tokio::test]
async fn a_message_delivered_several_times_at_once_acts_once() {
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::ZERO).await;
    let form = incoming(&message_sid(), PHONE, "spent $12 on lunch");
    let posts = (0..6).map(|_| post_signed(&app, "/webhooks/twilio/sms", &form, AUTH_TOKEN));
    let answers = futures_util::future::join_all(posts).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    let replies = answers
        .iter()
        .filter(|(_, t)| t.contains("<Message>"))
        .count();
    assert_eq!(replies, 1, "one reply among the copies: {answers:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.rows(&format!(
            "SELECT amount::text AS row FROM expenses WHERE user_id = {user_id}"
        ))
        .await,
        ["12.00"]
    );
    assert_eq!(app.count("sms_inbound").await, 1);
    assert_eq!(app.count("sms_turns").await, 1);
}

#[tokio::test]
async fn texts_a_moment_apart_are_read_together_and_the_reply_is_sent() {
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::from_secs(2)).await;
    let (_, first) = text(&app, PHONE, "lunch w sam").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, second) = text(&app, PHONE, "tmrw 1pm").await;
    assert_eq!(first, app::sms::twiml::empty(), "batched: answered at once");
    assert_eq!(second, app::sms::twiml::empty());

    let sent = fake.wait_for(1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, PHONE);
    assert!(sent[0].body.contains("Added"), "{sent:?}");
    assert_eq!(
        sent[0].status_callback.as_deref(),
        Some("https://aida.example.test/webhooks/twilio/status")
    );
    assert_eq!(
        titles(&app, user_id).await.len(),
        1,
        "one event from two texts"
    );
    assert_eq!(app.count("sms_turns").await, 1);
    eventually(
        &app,
        "SELECT state AS row FROM sms_outbox WHERE state = 'sent'",
        1,
    )
    .await;

    // Twilio reports delivery (signed); a late "sent" does not undo it.
    let sid = sent[0].sid.clone();
    let report = |status: &str| {
        vec![
            (
                "AccountSid".to_owned(),
                common::fake_twilio::ACCOUNT_SID.to_owned(),
            ),
            ("MessageSid".to_owned(), sid.clone()),
            ("MessageStatus".to_owned(), status.to_owned()),
            ("To".to_owned(), PHONE.to_owned()),
        ]
    };
    let path = "/webhooks/twilio/status";
    let (status, _) = post_signed(&app, path, &report("delivered"), AUTH_TOKEN).await;
    assert_eq!(status, 204);
    let (status, _) = post_signed(&app, path, &report("sent"), AUTH_TOKEN).await;
    assert_eq!(status, 204);
    let (status, _) = post_signed(&app, path, &report("failed"), "forged").await;
    assert_eq!(status, 403);
    assert_eq!(
        app.rows("SELECT state AS row FROM sms_outbox").await,
        ["delivered"]
    );

    // The text's cost is on the usage page and in the month's budget.
    let user = app::auth::ops::active_user(&app.state, user_id)
        .await
        .expect("user");
    let usage = app::assistant::ops::usage(&app.state, &user, false)
        .await
        .expect("usage");
    assert_eq!(usage.days[0].sms_segments, 1);
    assert_eq!(usage.days[0].sms_cost_microusd, 8_300);
    assert_eq!(usage.month_cost_microusd, 8_300);
}

#[tokio::test]
async fn an_unknown_number_is_told_how_to_sign_up_once_a_day_and_nothing_else_is_kept() {
    let fake = FakeTwilio::start().await;
    let (app, _, _workers) = texting(&fake, Duration::ZERO).await;
    let stranger = "+14155550100";
    let (status, twiml) = text(&app, stranger, "hi who is this").await;
    assert_eq!(status, 200);
    assert!(
        twiml.contains("Sign up at https://aida.example.test/sign-up"),
        "{twiml}"
    );
    let (_, again) = text(&app, stranger, "hello?").await;
    assert_eq!(again, app::sms::twiml::empty(), "at most once a day");
    assert_eq!(app.count("sms_inbound").await, 0);
    assert_eq!(app.count("sms_unknown_replies").await, 1);
    let kept = app
        .rows("SELECT encode(number_hash, 'escape') AS row FROM sms_unknown_replies")
        .await;
    assert!(!kept[0].contains("4155550100"), "only a hash is kept");
    // Another day, another answer.
    app.clock
        .set(common::default_now() + chrono::Duration::days(1));
    let (_, next_day) = text(&app, stranger, "hi").await;
    assert!(next_day.contains("Sign up"), "{next_day}");
}

#[tokio::test]
async fn after_stop_nothing_is_sent_until_start() {
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::ZERO).await;
    let (_, twiml) = text(&app, PHONE, "STOP").await;
    assert_eq!(twiml, app::sms::twiml::empty());
    let (_, help) = text(&app, PHONE, "help").await;
    assert_eq!(help, app::sms::twiml::empty(), "not even help");

    let (_, twiml) = text(&app, PHONE, "spent $5 on coffee").await;
    assert_eq!(
        twiml,
        app::sms::twiml::empty(),
        "no reply to an opted-out number"
    );
    eventually(
        &app,
        "SELECT state AS row FROM sms_outbox WHERE state = 'opted_out'",
        1,
    )
    .await;
    assert_eq!(app.count("expenses").await, 1, "the text still counts");

    let (_, twiml) = text(&app, PHONE, "START").await;
    assert_eq!(twiml, app::sms::twiml::empty());
    let (_, help) = text(&app, PHONE, "HELP").await;
    assert!(help.contains("STOP ends texts"), "{help}");
    let (_, twiml) = text(&app, PHONE, "spent $6 on tea").await;
    assert!(twiml.contains("<Message>"), "{twiml}");
    assert!(fake.sent().is_empty());
    assert_eq!(
        app.count(&format!("expenses WHERE user_id = {user_id}"))
            .await,
        2
    );
}

#[tokio::test]
async fn the_outbox_retries_what_twilio_could_not_take_and_gives_up_on_what_it_refused() {
    let fake = FakeTwilio::start().await;
    let (app, _, _workers) = texting(&fake, Duration::from_millis(200)).await;
    fake.script([Script::Fail(429, 20429), Script::Fail(500, 20500)]);
    text(&app, PHONE, "spent $12 on lunch").await;
    let sent = fake.wait_for(1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(fake.requests(), 3, "429 and 500 were retried");

    // A number that opted out at Twilio: marked, never tried again.
    fake.opt_out(PHONE);
    text(&app, PHONE, "spent $3 on gum").await;
    eventually(
        &app,
        "SELECT error_code::text AS row FROM sms_outbox WHERE state = 'opted_out'",
        1,
    )
    .await;
    assert_eq!(app.count("sms_opt_outs").await, 1);
    let requests = fake.requests();
    text(&app, PHONE, "spent $4 on gum").await;
    eventually(
        &app,
        "SELECT id::text AS row FROM sms_outbox WHERE state = 'opted_out'",
        2,
    )
    .await;
    assert_eq!(fake.requests(), requests, "nothing more is tried");

    // A permanent refusal is recorded, not retried.
    let other = "+12125550124";
    app.sql(&format!(
        "UPDATE users SET phone = '{other}' WHERE phone = '{PHONE}'"
    ))
    .await;
    fake.script([Script::Fail(400, 21211)]);
    let before = fake.requests();
    text(&app, other, "spent $7 on soup").await;
    let failed = eventually(
        &app,
        "SELECT error_code::text AS row FROM sms_outbox WHERE state = 'failed'",
        1,
    )
    .await;
    assert_eq!(failed, ["21211"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.requests(), before + 1, "tried once");
}

#[tokio::test]
async fn a_send_that_got_no_answer_is_looked_up_before_it_is_tried_again() {
    let fake = FakeTwilio::start().await;
    let (app, _, _workers) = texting(&fake, Duration::from_millis(200)).await;
    fake.script([Script::Silence(Duration::from_secs(2))]);
    text(&app, PHONE, "spent $12 on lunch").await;
    eventually(
        &app,
        "SELECT state AS row FROM sms_outbox WHERE state = 'sent'",
        1,
    )
    .await;
    assert_eq!(fake.sent().len(), 1, "sent once");
    assert_eq!(
        fake.requests(),
        1,
        "the retry found it instead of sending again"
    );
    assert!(fake.lookups() >= 1);
}

#[tokio::test]
async fn the_breaker_stops_calls_while_twilio_fails() {
    let fake = FakeTwilio::start().await;
    let settings = sms::settings(Some(&fake), Duration::ZERO);
    let twilio = Twilio::new(settings.sms.twilio.expect("twilio"));
    fake.script((0..3).map(|_| Script::Fail(503, 20503)));
    for _ in 0..3 {
        let e = twilio.send(PHONE, "hi", None).await.expect_err("fails");
        assert!(matches!(e, SendError::Unavailable(_)), "{e:?}");
    }
    assert_eq!(
        twilio.send(PHONE, "hi", None).await,
        Err(SendError::Paused),
        "no call while open"
    );
    assert_eq!(fake.requests(), 3);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(
        twilio.send(PHONE, "hi", None).await.is_ok(),
        "one trial after the cool-down"
    );
    assert_eq!(fake.sent().len(), 1);
}

#[tokio::test]
async fn the_simulator_texts_through_the_webhooks_path_as_ones_own_phone_only() {
    use app::sms::api::{LoadSms, SimulateText};
    // No Twilio: texts stay in the outbox, unsent.
    let app = TestApp::with_settings(app::state::Settings {
        sms: app::sms::SmsSettings {
            batch: Duration::from_millis(300),
            ..app::sms::SmsSettings::default()
        },
        ..app::state::Settings::default()
    })
    .await;
    let _workers = sms::workers(&app).await;
    let user = app.user("sim@aida.test", false).await;
    let client = app.client();
    client
        .sign_in_session("sim@aida.test")
        .await
        .expect("sign in");
    let refused = client
        .rpc(SimulateText {
            from: PHONE.into(),
            body: "spent $5 on tea".into(),
        })
        .await;
    assert!(
        matches!(refused, Err(app::error::AppError::Forbidden(_))),
        "not one's own number: {refused:?}"
    );
    app::phones::ops::assign(&app.state, &user, PHONE)
        .await
        .expect("phone");
    let answered = client
        .rpc(SimulateText {
            from: "+1 (212) 555-0123".into(),
            body: "spent $5 on tea".into(),
        })
        .await
        .expect("simulated");
    assert!(answered.is_empty(), "batched: the reply came later");
    let view = client
        .rpc(LoadSms {
            number: Some("+19995550000".into()),
        })
        .await
        .expect("sms page");
    assert_eq!(view.number.as_deref(), Some(PHONE), "only one's own number");
    assert!(!view.twilio);
    let texts: Vec<(String, Option<String>)> = view
        .thread
        .iter()
        .map(|t| (t.body.clone(), t.state.clone()))
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].0.contains("Reply UNDO to remove."), "{texts:?}");
    assert_eq!(texts[0].1.as_deref(), Some("unsent"));
    assert_eq!(texts[1], ("spent $5 on tea".to_owned(), None));
    assert_eq!(app.count("expenses").await, 1);
}

#[tokio::test]
async fn a_question_back_is_answered_with_its_number() {
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::ZERO).await;
    text(&app, PHONE, "dentist tue 2pm").await;
    text(&app, PHONE, "dentist thu 9am").await;
    assert_eq!(titles(&app, user_id).await.len(), 2);

    let (_, question) = text(&app, PHONE, "cancel the dentist").await;
    assert!(question.contains("1) "), "{question}");
    assert!(question.contains("2) "), "{question}");
    assert!(question.contains("Which one?"), "{question}");
    let second = app::sms::twiml::messages(&question)[0]
        .lines()
        .find(|l| l.starts_with("2) "))
        .expect("option 2")
        .to_owned();

    let (_, done) = text(&app, PHONE, "2").await;
    assert!(done.contains("Cancelled"), "{done}");
    assert!(done.contains("Reply UNDO to remove."), "{done}");
    let left = app
        .rows(&format!(
            "SELECT to_char(starts_at AT TIME ZONE 'America/New_York', 'Dy') AS row FROM events WHERE user_id = {user_id}"
        ))
        .await;
    assert_eq!(left.len(), 1);
    assert!(
        !second.contains(&left[0]),
        "the one left is not option 2 ({second}): {left:?}"
    );
    // A number with no question before it is not an answer.
    let (_, after) = text(&app, PHONE, "2").await;
    assert!(!after.contains("Cancelled"), "{after}");
}

#[tokio::test]
async fn a_turn_whose_worker_died_after_claiming_it_never_acts_again() {
    use app::jobs::queue::{self, NewJob};
    let fake = FakeTwilio::start().await;
    let (app, user_id, _workers) = texting(&fake, Duration::from_millis(100)).await;
    // A worker claimed this turn, then died before the assistant wrote anything.
    let id: i64 = app
        .rows(&format!(
            "INSERT INTO sms_turns (user_id, from_number, text, last_received_at, started)
             VALUES ({user_id}, '{PHONE}', 'spent $9 on soup', now(), true)
             RETURNING id::text AS row"
        ))
        .await[0]
        .parse()
        .expect("id");
    let job = NewJob::new("sms_turn", serde_json::json!({ "turn_id": id }));
    app.state
        .write(async |tx| queue::add(tx, &[job]).await.map(drop))
        .await
        .expect("job");
    let sent = fake.wait_for(1).await;
    assert!(sent[0].body.contains("lost track"), "{sent:?}");
    assert_eq!(
        app.count("expenses").await,
        0,
        "the text was not acted on again"
    );
    assert_eq!(
        app.rows(&format!(
            "SELECT replied::text AS row FROM sms_turns WHERE id = {id}"
        ))
        .await,
        ["true"]
    );
}
