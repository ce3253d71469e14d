//! Connecting Google Calendar against a local fake of Google's OAuth server: PKCE and a state
//! bound to the session that works once, tokens sealed, refreshed ahead of expiry, a revoked
//! grant marking the connection broken (and texting the user once), disconnecting with
//! revocation, key rotation, `/health/google`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use app::google::Connection;
use app::google::api::{DisconnectGoogle, GoogleConnection};
use app::google::ops::{self, GoogleError};
use app::state::Settings;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::fake_google::{CLIENT_ID, EVENTS_SCOPE, FakeGoogle};
use common::{Client, TestApp, default_now};

fn settings(fake: &FakeGoogle, key: u8, previous: Option<u8>) -> Settings {
    let encoded = |b: u8| STANDARD.encode([b; 32]);
    Settings {
        google: Some(fake.settings()),
        keys: Some(Arc::new(
            app::crypto::Keys::new(&encoded(key), previous.map(encoded).as_deref()).expect("keys"),
        )),
        ..Settings::default()
    }
}

async fn session_for(app: &TestApp, email: &str) -> (Client, i64) {
    app.user(email, false).await;
    let client = app.client();
    client.sign_in_session(email).await.expect("sign in");
    let id = app
        .rows(&format!(
            "SELECT id::text AS row FROM users WHERE email = '{email}'"
        ))
        .await[0]
        .parse()
        .expect("id");
    (client, id)
}

/// A GET that is not followed: the status and the `Location`.
async fn visit(client: &Client, path: &str) -> (u16, String) {
    let response = client
        .http
        .get(format!("{}{path}", client.base))
        .send()
        .await
        .expect("request");
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), location)
}

fn query(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Starts a consent and has the user agree: the callback's path.
async fn agree(client: &Client, fake: &FakeGoogle) -> String {
    let (status, location) = visit(client, "/integrations/google/connect").await;
    assert!((300..400).contains(&status), "{status}");
    let asked = query(&location);
    let code = fake.consent(&asked["code_challenge"]);
    format!(
        "/integrations/google/callback?state={}&code={}&scope={}",
        asked["state"],
        urlencode(&code),
        urlencode(EVENTS_SCOPE)
    )
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn connecting_takes_a_state_that_works_once_and_keeps_tokens_sealed() {
    let fake = FakeGoogle::start().await;
    let app = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, user_id) = session_for(&app, "gia@example.com").await;
    assert_eq!(
        client.rpc(GoogleConnection {}).await,
        Ok(Connection::NotConnected)
    );

    // The consent URL asks for what Google needs, with PKCE.
    let (status, location) = visit(&client, "/integrations/google/connect").await;
    assert_eq!(status, 303, "{location}");
    assert!(
        location.starts_with(&format!("{}/auth?", fake.base)),
        "{location}"
    );
    let asked = query(&location);
    assert_eq!(asked["client_id"], CLIENT_ID);
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["access_type"], "offline");
    assert_eq!(asked["prompt"], "consent");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(
        asked["redirect_uri"],
        format!(
            "{}/integrations/google/callback",
            app.state.settings.public_url
        )
    );
    assert!(
        asked["scope"].split(' ').any(|s| s == EVENTS_SCOPE),
        "{asked:?}"
    );
    assert!(asked["state"].len() >= 16);

    // A visitor is sent to sign in; a wrong state is refused without asking Google.
    assert_eq!(
        visit(&app.client(), "/integrations/google/connect").await,
        (303, "/sign-in".into())
    );
    let code = fake.consent(&asked["code_challenge"]);
    let (status, _) = visit(
        &client,
        &format!(
            "/integrations/google/callback?state=forged&code={}",
            urlencode(&code)
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fake.token_requests("authorization_code"), 0);
    // The attempt is used up by the forged one: the right state no longer works either.
    let (status, _) = visit(
        &client,
        &format!(
            "/integrations/google/callback?state={}&code={}",
            asked["state"],
            urlencode(&code)
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fake.token_requests("authorization_code"), 0);

    // A fresh consent connects; the same callback again is refused.
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await, (303, "/settings".into()));
    assert_eq!(fake.token_requests("authorization_code"), 1);
    assert_eq!(visit(&client, &callback).await.0, 400);
    assert_eq!(fake.token_requests("authorization_code"), 1);
    // Another user's session cannot finish this user's consent.
    let (other, _) = session_for(&app, "eve@example.com").await;
    let stolen = agree(&client, &fake).await;
    assert_eq!(visit(&other, &stolen).await.0, 400);

    assert!(matches!(
        client.rpc(GoogleConnection {}).await,
        Ok(Connection::Connected { .. })
    ));
    let stored = app
        .rows("SELECT refresh_token || ' ' || access_token AS row FROM google_connections")
        .await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("v1."), "{stored:?}");
    assert!(
        !stored[0].contains("refresh-") && !stored[0].contains("ya29"),
        "sealed: {stored:?}"
    );

    // The access token is used until a minute before it expires, then refreshed.
    let first = ops::access_token(&app.state, user_id).await.expect("token");
    assert!(first.starts_with("ya29."));
    assert_eq!(
        ops::access_token(&app.state, user_id).await,
        Ok(first.clone())
    );
    assert_eq!(fake.token_requests("refresh_token"), 0);
    app.clock.set(default_now() + chrono::Duration::minutes(59));
    let second = ops::access_token(&app.state, user_id)
        .await
        .expect("refreshed");
    assert_ne!(second, first);
    assert_eq!(fake.token_requests("refresh_token"), 1);
    assert_eq!(ops::access_token(&app.state, user_id).await, Ok(second));
    // On a 401 the caller asks for a new one at once.
    ops::refresh(&app.state, user_id).await.expect("refresh");
    assert_eq!(fake.token_requests("refresh_token"), 2);

    let (_, health) = app.client().get("/health/google").await;
    assert_eq!(health["configured"], true);
    assert_eq!(health["connections"]["connected"], 1);
}

#[tokio::test]
async fn a_revoked_grant_breaks_the_connection_and_tells_the_user_once() {
    let fake = FakeGoogle::start().await;
    let app = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, user_id) = session_for(&app, "bo@example.com").await;
    app.sql(&format!(
        "UPDATE users SET phone = '+14165550123' WHERE id = {user_id}"
    ))
    .await;
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 303);

    fake.revoke_access();
    app.clock.set(default_now() + chrono::Duration::hours(2));
    assert_eq!(
        ops::access_token(&app.state, user_id).await,
        Err(GoogleError::Broken)
    );
    assert_eq!(
        ops::access_token(&app.state, user_id).await,
        Err(GoogleError::Broken)
    );
    assert_eq!(
        fake.token_requests("refresh_token"),
        1,
        "a broken connection is not retried"
    );
    let texts = app
        .rows("SELECT body AS row FROM sms_outbox WHERE purpose = 'notice'")
        .await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(
        texts[0].contains("Connect it again in Settings"),
        "{texts:?}"
    );
    let Ok(Connection::Broken { problem }) = client.rpc(GoogleConnection {}).await else {
        panic!("broken");
    };
    assert!(problem.contains("no longer accepts"), "{problem}");
    let (_, health) = app.client().get("/health/google").await;
    assert_eq!(health["connections"]["broken"], 1);

    // Connecting again mends it.
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 303);
    assert!(ops::access_token(&app.state, user_id).await.is_ok());

    // Disconnecting revokes the token at Google and forgets it here.
    let live = fake.refresh_tokens().last().cloned().expect("a token");
    client.rpc(DisconnectGoogle {}).await.expect("disconnect");
    assert!(fake.revoked().contains(&live));
    assert_eq!(app.count("google_connections").await, 0);
    assert_eq!(
        client.rpc(GoogleConnection {}).await,
        Ok(Connection::NotConnected)
    );
    assert_eq!(
        ops::access_token(&app.state, user_id).await,
        Err(GoogleError::NotConnected)
    );
}

#[tokio::test]
async fn a_refused_consent_or_a_narrow_grant_connects_nothing() {
    let fake = FakeGoogle::start().await;
    let app = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, _) = session_for(&app, "cy@example.com").await;
    let (_, location) = visit(&client, "/integrations/google/connect").await;
    let state = query(&location)["state"].clone();
    let (status, _) = visit(
        &client,
        &format!("/integrations/google/callback?error=access_denied&state={state}"),
    )
    .await;
    assert_eq!(status, 403);
    fake.grant_only("https://www.googleapis.com/auth/calendar.freebusy");
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 403);
    assert_eq!(app.count("google_connections").await, 0);

    // Without Google configured, Settings says so and the route refuses.
    let bare = TestApp::start().await;
    let (plain, _) = session_for(&bare, "cy@example.com").await;
    assert_eq!(
        plain.rpc(GoogleConnection {}).await,
        Ok(Connection::Unavailable)
    );
    assert_eq!(visit(&plain, "/integrations/google/connect").await.0, 403);
    let (_, health) = bare.client().get("/health/google").await;
    assert_eq!(health["configured"], false);
}

#[tokio::test]
async fn tokens_survive_a_key_rotation_and_reencrypt() {
    let fake = FakeGoogle::start().await;
    let old = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, user_id) = session_for(&old, "kay@example.com").await;
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 303);
    let token = ops::access_token(&old.state, user_id).await.expect("token");

    // The new key, with the old one as previous: everything still opens; reencrypt seals anew.
    let rotating =
        TestApp::on_database(old.database_url.clone(), settings(&fake, 2, Some(1))).await;
    assert_eq!(ops::reencrypt(&rotating.state).await, Ok(1));
    // Then the old key can go: the access token opens under the new one alone, unrefreshed.
    let new_only = TestApp::on_database(old.database_url.clone(), settings(&fake, 2, None)).await;
    assert_eq!(ops::access_token(&new_only.state, user_id).await, Ok(token));
    assert_eq!(fake.token_requests("refresh_token"), 0);
    // And the old key alone no longer opens them.
    assert!(ops::access_token(&old.state, user_id).await.is_err());
}

fn standup_series() -> serde_json::Value {
    serde_json::json!({
        "id": "standup1", "status": "confirmed", "summary": "Standup", "etag": "\"1\"",
        "htmlLink": "https://calendar.google.com/calendar/event?eid=standup1",
        "updated": "2026-11-20T10:00:00.000Z",
        "start": { "dateTime": "2026-11-30T09:00:00-05:00", "timeZone": "America/Toronto" },
        "end": { "dateTime": "2026-11-30T09:15:00-05:00", "timeZone": "America/Toronto" },
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "EXDATE;TZID=America/Toronto:20261202T090000"]
    })
}

fn single(id: &str, title: &str, start: &str, end: &str, updated: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "status": "confirmed", "summary": title, "updated": updated,
        "htmlLink": format!("https://calendar.google.com/calendar/event?eid={id}"),
        "start": { "dateTime": start }, "end": { "dateTime": end }
    })
}

async fn titles(client: &Client, from: &str, to: &str) -> Vec<(String, String)> {
    let (status, list) = client
        .get(&format!("/api/events?from={from}&to={to}"))
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .expect("list")
        .iter()
        .map(|e| {
            (
                e["title"].as_str().unwrap_or_default().to_owned(),
                e["start"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn pulls_import_series_with_exceptions_then_follow_changes_through_paging_410_401_and_rate_limits()
 {
    use app::google::sync::pull;
    let fake = FakeGoogle::start().await;
    let app = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, user_id) = session_for(&app, "pat@example.com").await;
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 303);
    assert_eq!(
        app.count("jobs WHERE kind = 'google_pull'").await,
        1,
        "connecting starts an import"
    );

    fake.page_size(2);
    fake.put(standup_series());
    fake.put(serde_json::json!({
        "id": "standup1_20261207T140000Z", "status": "confirmed", "summary": "Standup (late)",
        "updated": "2026-11-20T10:00:00.000Z", "recurringEventId": "standup1",
        "originalStartTime": { "dateTime": "2026-12-07T09:00:00-05:00", "timeZone": "America/Toronto" },
        "start": { "dateTime": "2026-12-07T10:30:00-05:00" }, "end": { "dateTime": "2026-12-07T10:45:00-05:00" }
    }));
    fake.put(serde_json::json!({
        "id": "standup1_20261209T140000Z", "status": "cancelled", "recurringEventId": "standup1",
        "originalStartTime": { "dateTime": "2026-12-09T09:00:00-05:00" }
    }));
    fake.put(single(
        "dentist1",
        "Dentist",
        "2026-12-01T15:00:00Z",
        "2026-12-01T16:00:00Z",
        "2026-11-20T10:00:00.000Z",
    ));
    fake.put(serde_json::json!({
        "id": "trip1", "status": "confirmed", "summary": "Trip", "updated": "2026-11-20T10:00:00.000Z",
        "start": { "date": "2026-12-24" }, "end": { "date": "2026-12-27" }
    }));

    let first = pull(&app.state, user_id).await.expect("full import");
    assert!(first.full);
    assert_eq!(fake.list_requests(), 3, "three pages of two");
    let (_, events) = client
        .get("/api/events?from=2026-11-30&to=2026-12-10")
        .await;
    let seen: Vec<(String, String, String)> = events
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            (
                e["title"].as_str().unwrap_or_default().into(),
                e["start"].as_str().unwrap_or_default().into(),
                e["source"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "Standup".into(),
                "2026-11-30T14:00:00Z".into(),
                "google".into()
            ),
            (
                "Dentist".into(),
                "2026-12-01T15:00:00Z".into(),
                "google".into()
            ),
            (
                "Standup (late)".into(),
                "2026-12-07T15:30:00Z".into(),
                "google".into()
            ),
        ],
        "2 December excluded, 7 December moved, 9 December cancelled"
    );
    assert_eq!(
        events[1]["google_link"],
        "https://calendar.google.com/calendar/event?eid=dentist1"
    );
    let dentist = events[1]["id"].as_i64().expect("id");
    let card = client
        .rpc(app::events::api::LoadEventCard {
            id: dentist,
            at: None,
        })
        .await
        .expect("the dialog's card");
    assert_eq!(
        card.event.google_link.as_deref(),
        Some("https://calendar.google.com/calendar/event?eid=dentist1"),
        "the dialog links to Google"
    );
    let trip = titles(&client, "2026-12-24", "2026-12-28").await;
    assert_eq!(trip, [("Trip".to_owned(), "2026-12-24".to_owned())]);
    let Ok(Connection::Connected { sync, .. }) = client.rpc(GoogleConnection {}).await else {
        panic!("connected");
    };
    assert_eq!((sync.importing, sync.problem), (None, None));
    assert!(sync.last_synced_at.is_some());

    // Changes at Google come in by sync token: a rename, a cancellation.
    fake.page_size(250);
    fake.put(single(
        "dentist1",
        "Dentist (moved)",
        "2026-12-01T17:00:00Z",
        "2026-12-01T18:00:00Z",
        "2026-11-21T10:00:00.000Z",
    ));
    fake.cancel("trip1");
    let second = pull(&app.state, user_id).await.expect("incremental");
    assert!(!second.full);
    assert_eq!(second.changed, 2);
    assert_eq!(
        titles(&client, "2026-12-01", "2026-12-02").await,
        [(
            "Dentist (moved)".to_owned(),
            "2026-12-01T17:00:00Z".to_owned()
        )]
    );
    assert!(titles(&client, "2026-12-24", "2026-12-28").await.is_empty());

    // Rate limited twice, then served: one pull, three requests.
    let before = fake.list_requests();
    fake.script(&[(403, "rateLimitExceeded"), (429, "rateLimitExceeded")]);
    pull(&app.state, user_id).await.expect("after backing off");
    assert_eq!(fake.list_requests() - before, 3);
    // A 403 that is no rate limit is not retried.
    fake.script(&[(403, "insufficientPermissions")]);
    let refused = pull(&app.state, user_id).await;
    assert!(
        matches!(refused, Err(app::google::calendar::ApiError::Refused(ref why)) if why.contains("insufficientPermissions")),
        "{refused:?}"
    );

    // An access token Google no longer takes is refreshed once, and the pull goes on.
    let refreshes = fake.token_requests("refresh_token");
    fake.expire_access_tokens();
    pull(&app.state, user_id).await.expect("after a refresh");
    assert_eq!(fake.token_requests("refresh_token"), refreshes + 1);

    // An expired sync token: a full import again, nothing twice, and what Google dropped goes.
    fake.expire_sync_tokens();
    fake.forget("dentist1");
    let again = pull(&app.state, user_id).await.expect("resync");
    assert!(again.full);
    assert_eq!(again.removed, 1);
    assert_eq!(
        app.count("events WHERE source = 'google'").await,
        2,
        "the series and its moved instance"
    );
    assert_eq!(
        titles(&client, "2026-11-30", "2026-12-10").await.len(),
        2,
        "Standup on 30 November, and the late one"
    );

    // Conflicts: the newer change wins, ours or Google's.
    fake.put(single(
        "lunch1",
        "Lunch",
        "2026-12-03T17:00:00Z",
        "2026-12-03T18:00:00Z",
        "2026-11-20T10:00:00.000Z",
    ));
    pull(&app.state, user_id).await.expect("lunch");
    let lunch_id = app
        .rows("SELECT id::text AS row FROM events WHERE google_id = 'lunch1'")
        .await[0]
        .clone();
    let (status, _) = client
        .patch(
            &format!("/api/events/{lunch_id}"),
            serde_json::json!({ "title": "Lunch (mine)" }),
        )
        .await;
    assert_eq!(status, 200);
    fake.put(single(
        "lunch1",
        "Lunch (older change)",
        "2026-12-03T17:00:00Z",
        "2026-12-03T18:00:00Z",
        "2026-11-25T10:00:00.000Z",
    ));
    pull(&app.state, user_id).await.expect("older");
    assert_eq!(
        titles(&client, "2026-12-03", "2026-12-04").await[0].0,
        "Lunch (mine)"
    );
    fake.put(single(
        "lunch1",
        "Lunch (newer change)",
        "2026-12-03T17:00:00Z",
        "2026-12-03T18:00:00Z",
        "2099-01-01T10:00:00.000Z",
    ));
    pull(&app.state, user_id).await.expect("newer");
    assert_eq!(
        titles(&client, "2026-12-03", "2026-12-04").await[0].0,
        "Lunch (newer change)"
    );
}

#[tokio::test]
async fn local_changes_go_to_google_once_through_push_jobs() {
    use app::google::push::push;
    use serde_json::json;
    let fake = FakeGoogle::start().await;
    let app = TestApp::with_settings(settings(&fake, 1, None)).await;
    let (client, user_id) = session_for(&app, "ida@example.com").await;
    let callback = agree(&client, &fake).await;
    assert_eq!(visit(&client, &callback).await.0, 303);

    // A new event schedules a push in its own transaction; the push inserts it under our id.
    let (status, piano) = client
        .post(
            "/api/events",
            json!({ "title": "Piano", "start": "2026-12-02T22:00:00Z", "end": "2026-12-02T23:00:00Z" }),
        )
        .await;
    assert_eq!(status, 201, "{piano}");
    assert_eq!(app.count("jobs WHERE kind = 'google_push'").await, 1);
    let id = piano["id"].as_i64().expect("id");
    let gid = app::google::push::derived_id(id);
    assert_eq!(push(&app.state, user_id).await.expect("push").sent, 1);
    let there = fake.event(&gid).expect("at Google");
    assert_eq!(there["summary"], "Piano");
    assert_eq!(there["start"]["dateTime"], "2026-12-02T22:00:00Z");
    assert_eq!(
        there["extendedProperties"]["private"]["aidaId"],
        id.to_string()
    );
    assert_eq!(
        push(&app.state, user_id).await.expect("nothing left").sent,
        0,
        "sent once"
    );

    // A push that died after Google took the event: the retry finds it there (409).
    app.sql(&format!(
        "UPDATE events SET google_id = NULL, google_synced_at = NULL WHERE id = {id}"
    ))
    .await;
    assert_eq!(push(&app.state, user_id).await.expect("retry").sent, 1);
    assert_eq!(fake.live_events().len(), 1, "no duplicate at Google");

    // A change is patched with the ETag.
    let (status, _) = client
        .patch(
            &format!("/api/events/{id}"),
            json!({ "title": "Piano lesson" }),
        )
        .await;
    assert_eq!(status, 200);
    push(&app.state, user_id).await.expect("patch");
    assert_eq!(fake.event(&gid).expect("there")["summary"], "Piano lesson");
    let mut changed_there = fake.event(&gid).expect("there");
    changed_there["summary"] = json!("Piano (edited at Google)");
    changed_there["updated"] = json!("2099-01-01T00:00:00Z");
    fake.put(changed_there);
    let (status, _) = client
        .patch(
            &format!("/api/events/{id}"),
            json!({ "location": "Hall B" }),
        )
        .await;
    assert_eq!(status, 200);
    // The fake stamps Google's change with the real time, after ours: Google's is newer, and
    // the push leaves it for the next pull.
    push(&app.state, user_id).await.expect("conflict");
    assert_eq!(
        fake.event(&gid).expect("there")["summary"],
        "Piano (edited at Google)"
    );

    // A series with one instance removed and one moved: RRULE and EXDATE, and the instance.
    let (status, series) = client
        .post("/api/events", json!({ "title": "Class", "start": "2026-11-30T14:00:00Z", "end": "2026-11-30T15:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=MO;COUNT=4" }))
        .await;
    assert_eq!(status, 201);
    let sid = series["id"].as_i64().expect("id");
    client
        .delete(&format!(
            "/api/events/{sid}?occurrence=2026-12-07T14:00:00Z"
        ))
        .await;
    push(&app.state, user_id).await.expect("series");
    let class = fake
        .event(&app::google::push::derived_id(sid))
        .expect("series at Google");
    assert_eq!(class["start"]["timeZone"], "UTC");
    assert_eq!(
        class["recurrence"],
        json!([
            "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO",
            "EXDATE;TZID=UTC:20261207T140000"
        ])
    );
    let (status, moved) = client
        .patch(
            &format!("/api/events/{sid}?occurrence=2026-12-14T14:00:00Z"),
            json!({ "start": "2026-12-14T16:00:00Z" }),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    push(&app.state, user_id).await.expect("instance");
    let instance = fake
        .event(&format!(
            "{}_20261214T140000Z",
            app::google::push::derived_id(sid)
        ))
        .expect("the instance at Google");
    assert_eq!(instance["start"]["dateTime"], "2026-12-14T16:00:00Z");

    // Pulling back what was pushed changes nothing and doubles nothing.
    let before = app.count("events").await;
    app::google::sync::pull(&app.state, user_id)
        .await
        .expect("pull");
    assert_eq!(app.count("events").await, before);

    // Deleting here deletes there, once.
    let (status, _) = client.delete(&format!("/api/events/{id}")).await;
    assert_eq!(status, 204);
    assert_eq!(push(&app.state, user_id).await.expect("delete").deleted, 1);
    assert_eq!(fake.event(&gid).expect("there")["status"], "cancelled");
    assert_eq!(app.count("google_deletions").await, 0);
    assert_eq!(push(&app.state, user_id).await.expect("nothing").deleted, 0);
}
