//! Inviting people to an event by phone: Aida users answer by text or in the dashboard, and
//! others get a link to the event as an .ics file.

mod common;

use std::time::Duration;

use common::fake_twilio::FakeTwilio;
use common::sms::{self, text};
use common::{Client, TestApp};
use serde_json::json;

const OWNER_PHONE: &str = "+12125550101";
const GUEST_PHONE: &str = "+12125550102";
const STRANGER: &str = "+12125550103";

async fn person(app: &TestApp, email: &str, phone: &str) -> Client {
    let user = app.user(email, false).await;
    let client = app.client_for(email).await;
    let (status, _) = client
        .patch(
            "/api/me",
            json!({ "timezone": "America/New_York", "name": email.split('@').next() }),
        )
        .await;
    assert_eq!(status, 200);
    app::phones::ops::assign(&app.state, &user, phone)
        .await
        .expect("phone");
    client
}

async fn outbox_to(app: &TestApp, phone: &str) -> Vec<String> {
    app.rows(&format!(
        "SELECT body AS row FROM sms_outbox WHERE to_number = '{phone}' ORDER BY id"
    ))
    .await
}

#[tokio::test]
async fn invitations_by_phone_are_answered_by_text_or_in_aida_or_opened_as_ics() {
    let fake = FakeTwilio::start().await;
    let app = TestApp::with_settings(sms::settings(Some(&fake), Duration::ZERO)).await;
    let _workers = sms::workers(&app).await;
    let owner = person(&app, "olga@aida.test", OWNER_PHONE).await;
    let guest = person(&app, "gil@aida.test", GUEST_PHONE).await;

    let (status, event) = owner
        .post(
            "/api/events",
            json!({ "title": "Lunch", "start": "2026-11-23T13:00", "location": "Cafe, Main St" }),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_i64().expect("id");
    let path = format!("/api/events/{id}/attendees");

    let (status, invited) = owner
        .post(&path, json!({ "phone": "(212) 555-0102", "name": "Gil" }))
        .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(invited["uses_aida"], true);
    let (status, _) = owner.post(&path, json!({ "phone": STRANGER })).await;
    assert_eq!(status, 201);
    let (status, _) = owner.post(&path, json!({ "phone": GUEST_PHONE })).await;
    assert_eq!(status, 400, "invited once");
    let (status, _) = owner.post(&path, json!({ "phone": OWNER_PHONE })).await;
    assert_eq!(status, 400, "not oneself");
    let (status, _) = guest.get(&path).await;
    assert_eq!(status, 404, "only the owner sees who is invited");

    let to_guest = outbox_to(&app, GUEST_PHONE).await;
    assert!(
        to_guest[0].contains("invited you to \"Lunch\" on Mon 23 Nov, 1 pm-1:30 pm"),
        "{to_guest:?}"
    );
    assert!(
        to_guest[0].contains("Reply ACCEPT or DECLINE"),
        "{to_guest:?}"
    );
    let to_stranger = outbox_to(&app, STRANGER).await;
    let link = to_stranger[0]
        .split_whitespace()
        .find(|w| w.starts_with("https://aida.example.test/invitations/"))
        .expect("a link")
        .to_owned();

    // The link is the event as an .ics file.
    let token = link.rsplit('/').next().expect("token");
    let response = reqwest::get(format!("{}/invitations/{token}", app.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let file = response.text().await.expect("body");
    assert!(file.contains("\r\nSUMMARY:Lunch\r\n"), "{file}");
    assert!(file.contains("\r\nDTSTART:20261123T180000Z\r\n"), "{file}");
    assert!(file.contains("\r\nLOCATION:Cafe\\, Main St\r\n"), "{file}");
    let missing = reqwest::get(format!("{}/invitations/nope", app.base))
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);

    // The guest sees it waiting, and accepts by text.
    let (_, waiting) = guest.get("/api/invitations").await;
    assert_eq!(waiting[0]["title"], "Lunch", "{waiting}");
    assert_eq!(waiting[0]["from"], "olga");
    let (_, reply) = text(&app, GUEST_PHONE, "ACCEPT").await;
    let reply = app::sms::twiml::messages(&reply).join("");
    assert!(
        reply.starts_with("Accepted \"Lunch\" on Mon 23 Nov"),
        "{reply}"
    );
    let (_, theirs) = guest.get("/api/events?from=2026-11-23&to=2026-11-24").await;
    assert_eq!(theirs[0]["title"], "Lunch", "{theirs}");
    assert_eq!(theirs[0]["source"], "invitation");
    let (_, waiting) = guest.get("/api/invitations").await;
    assert_eq!(waiting, json!([]));
    let told = outbox_to(&app, OWNER_PHONE).await;
    assert!(
        told.iter().any(|t| t.starts_with("gil accepted \"Lunch\"")),
        "{told:?}"
    );
    let (_, attendees) = owner.get(&path).await;
    let answers: Vec<&str> = attendees
        .as_array()
        .expect("attendees")
        .iter()
        .map(|a| a["answer"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(answers, ["accepted", "invited"]);
    let (_, again) = text(&app, GUEST_PHONE, "decline").await;
    assert!(again.contains("no invitation waiting"), "{again}");
}

#[tokio::test]
async fn an_invitation_is_declined_in_aida() {
    let app = TestApp::start().await;
    let owner = person(&app, "ola@aida.test", OWNER_PHONE).await;
    let guest = person(&app, "gus@aida.test", GUEST_PHONE).await;
    let (_, event) = owner
        .post(
            "/api/events",
            json!({ "title": "Review", "start": "2026-11-24T10:00" }),
        )
        .await;
    let id = event["id"].as_i64().expect("id");
    owner
        .post(
            &format!("/api/events/{id}/attendees"),
            json!({ "phone": GUEST_PHONE }),
        )
        .await;
    let (_, waiting) = guest.get("/api/invitations").await;
    let invitation = waiting[0]["id"].as_i64().expect("waiting");
    let (status, _) = owner
        .post(&format!("/api/invitations/{invitation}/decline"), json!({}))
        .await;
    assert_eq!(status, 404, "only the one invited answers");
    let (status, body) = guest
        .post(&format!("/api/invitations/{invitation}/decline"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Declined")
    );
    let (_, theirs) = guest.get("/api/events?from=2026-11-24&to=2026-11-25").await;
    assert_eq!(theirs, json!([]), "nothing added");
    let (status, _) = guest
        .post(&format!("/api/invitations/{invitation}/accept"), json!({}))
        .await;
    assert_eq!(status, 404, "answered once");
}
