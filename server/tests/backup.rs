//! `aida backup FILE` and `aida restore FILE` as real processes: a backup restored into a new
//! database serves the same rows, and a restore never writes over a database in use.

mod common;

use std::process::Command;

use serde_json::{Value, json};

use app::state::Settings;
use common::TestApp;

fn aida(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aida"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "off")
        .output()
        .expect("run aida")
}

fn ok(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_backup_restored_into_a_new_database_serves_the_same_rows() {
    let app = TestApp::start().await;
    let user = app.signed_in("kept@example.com").await;
    for (path, body) in [
        (
            "/api/events",
            json!({ "title": "Dentist", "start": "2026-11-24T14:00:00Z", "end": "2026-11-24T15:00:00Z" }),
        ),
        (
            "/api/tasks",
            json!({ "title": "Renew passport", "due": "2026-12-01" }),
        ),
        (
            "/api/expenses",
            json!({ "amount": "12.50", "category": "Food", "description": "lunch", "date": "2026-11-22" }),
        ),
    ] {
        let (status, body) = user.post(path, body).await;
        assert_eq!(status, 201, "{path}: {body}");
    }
    let read = async |client: &common::Client| -> Vec<Value> {
        let mut all = Vec::new();
        for path in [
            "/api/events?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z",
            "/api/tasks",
            "/api/expenses?from=2026-11-01&to=2026-12-01",
        ] {
            let (status, body) = client.get(path).await;
            assert_eq!(status, 200, "{path}: {body}");
            all.push(body);
        }
        all
    };
    let before = read(&user).await;

    let file = std::env::temp_dir().join(format!("aida-backup-{}.dump", std::process::id()));
    ok(&aida(
        &["backup", file.to_str().expect("path")],
        &app.database_url,
    ));

    // Not over a database that holds anything.
    let refused = aida(
        &["restore", file.to_str().expect("path")],
        &app.database_url,
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("new, empty database"));

    let fresh = common::empty_database().await;
    ok(&aida(&["restore", file.to_str().expect("path")], &fresh));
    let _ = std::fs::remove_file(&file);
    let restored = TestApp::on_database(fresh, Settings::default()).await;
    let same_user = restored.client_for("kept@example.com").await;
    assert_eq!(read(&same_user).await, before);
    assert_eq!(before[0].as_array().map(Vec::len), Some(1));
}
