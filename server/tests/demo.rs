//! The demo account: created once with data, untouched on later runs.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn demo_seed_creates_a_usable_account_once() {
    let app = TestApp::start().await;
    server::demo::seed(&app.state).await.expect("seed");
    let counts = (
        app.count("events").await,
        app.count("tasks").await,
        app.count("expenses").await,
    );
    assert!(counts.0 > 20 && counts.1 > 5 && counts.2 > 20, "{counts:?}");
    server::demo::seed(&app.state).await.expect("seed again");
    assert_eq!(
        counts,
        (
            app.count("events").await,
            app.count("tasks").await,
            app.count("expenses").await
        )
    );

    let mut client = app.client();
    let (status, body) = client
        .post(
            "/api/auth/sign-in",
            json!({ "email": server::demo::EMAIL, "password": server::demo::PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["user"]["role"].clone(), body["user"]["status"].clone()),
        (json!("admin"), json!("active"))
    );
    client.token = body["token"].as_str().map(str::to_owned);
    let (_, today) = client.get("/api/events").await;
    assert!(
        today
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["title"] == "Lunch with Sam"))
    );
    let (_, overdue) = client.get("/api/tasks?filter=overdue").await;
    assert!(
        overdue
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["title"] == "Renew passport"))
    );
}
