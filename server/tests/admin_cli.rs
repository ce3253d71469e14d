//! `aida admin create` as a real process: the password comes from standard input or
//! `AIDA_ADMIN_PASSWORD`, so it need not be typed on the command line.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{PASSWORD, TestApp};

fn create(app: &TestApp, email: &str, env: Option<&str>, stdin: &str) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aida"));
    command
        .args(["admin", "create", "--email", email])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "off")
        .env_remove("AIDA_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = env {
        command.env("AIDA_ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().expect("run aida admin create");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("wait")
}

#[tokio::test]
async fn the_admin_password_comes_from_standard_input_or_the_environment() {
    let app = TestApp::start().await;
    let piped = create(&app, "piped@example.com", None, &format!("{PASSWORD}\n"));
    assert!(
        piped.status.success(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let from_env = create(&app, "env@example.com", Some(PASSWORD), "");
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    for email in ["piped@example.com", "env@example.com"] {
        let admin = app.client_for(email).await;
        assert_eq!(
            admin.get("/api/admin/users").await.0,
            200,
            "{email} is an admin"
        );
    }

    let none = create(&app, "none@example.com", None, "");
    assert!(!none.status.success());
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("AIDA_ADMIN_PASSWORD"),
        "says where the password goes"
    );
    assert_eq!(
        app.rows("SELECT email AS row FROM users WHERE email = 'none@example.com'")
            .await
            .len(),
        0
    );
}
