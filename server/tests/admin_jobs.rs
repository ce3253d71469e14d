//! The jobs page under Admin: the counts and the dead jobs rendered on the server, Retry as a
//! plain form and as the hydrated page calls it, and refusals for everyone else.

mod common;

use app::error::AppError;
use app::jobs::api::{LoadJobs, RetryJob};
use app::jobs::model::JobState;
use common::{Client, TestApp};
use leptos::server_fn::ServerFn;

/// A browser signed in (a session cookie) as a new user, an admin when `admin`.
async fn browser(app: &TestApp, email: &str, admin: bool) -> Client {
    app.user(email, admin).await;
    let client = app.client();
    client.sign_in_session(email).await.expect("sign in");
    client
}

/// Adds a job that failed its last attempt; returns its id.
async fn dead_job(app: &TestApp, kind: &str, error: &str) -> i64 {
    app.sql(&format!(
        "INSERT INTO jobs (kind, state, attempts, max_attempts, last_error) \
         VALUES ('{kind}', 'dead', 3, 3, '{error}')"
    ))
    .await;
    app.rows(&format!(
        "SELECT max(id)::text AS row FROM jobs WHERE kind = '{kind}'"
    ))
    .await[0]
        .parse()
        .expect("id")
}

/// A job's state and attempts, as "dead 3".
async fn standing(app: &TestApp, id: i64) -> String {
    app.rows(&format!(
        "SELECT state || ' ' || attempts AS row FROM jobs WHERE id = {id}"
    ))
    .await
    .concat()
}

/// The text at the start of the element marked `data-testid="{id}"`.
fn text_of(page: &str, id: &str) -> Option<String> {
    let rest = &page[page.find(&format!(r#"data-testid="{id}""#))?..];
    let start = rest.find('>')? + 1;
    let end = start + rest[start..].find('<')?;
    Some(rest[start..end].to_owned())
}

/// Where the state tabs marked current lead.
fn current_tabs(page: &str) -> Vec<&str> {
    let tabs = page
        .split(r#"aria-label="Jobs by state""#)
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .unwrap_or_default();
    tabs.split("<a ")
        .filter(|link| link.contains(r#"aria-current="page""#))
        .filter_map(|link| link.split(r#"href=""#).nth(1)?.split('"').next())
        .collect()
}

/// Posts `form` to a server function as a browser without JavaScript does, from `from`.
async fn plain_form(
    client: &Client,
    path: &str,
    from: &str,
    form: &[(&str, String)],
) -> reqwest::Response {
    client
        .http
        .post(format!("{}{path}", client.base))
        .header("accept", "text/html")
        .header("referer", format!("{}{from}", client.base))
        .form(form)
        .send()
        .await
        .expect("form post")
}

#[tokio::test]
async fn admins_see_dead_jobs_and_retry_them_and_no_one_else_can() {
    let app = TestApp::start().await;
    let sms = dead_job(&app, "send_sms", "provider said 500").await;
    let mail = dead_job(&app, "send_email", "timed out\nafter 30 s").await;
    app.sql("INSERT INTO jobs (kind, run_at) VALUES ('remind', now() + interval '1 hour')")
        .await;
    app.sql(
        "INSERT INTO jobs (kind, state, attempts, locked_by, locked_until) \
         VALUES ('digest', 'running', 1, 'w1', now() + interval '1 minute')",
    )
    .await;
    let running = app
        .rows("SELECT id::text AS row FROM jobs WHERE kind = 'digest'")
        .await[0]
        .parse::<i64>()
        .expect("id");

    // Visitors are sent to sign in, as on every signed-in page.
    let response = app
        .client()
        .http
        .get(format!("{}/admin/jobs", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/sign-in");

    // The admin's page, rendered on the server: counts, kinds, errors in full, Retry forms.
    let admin = browser(&app, "ada@example.com", true).await;
    let (status, page) = admin.get_text("/admin/jobs").await;
    assert_eq!(status, 200, "{page}");
    let sms_form = format!(r#"name="id" value="{sms}""#);
    let mail_button = format!(r#"aria-label="Retry job {mail}""#);
    for expected in [
        "send_sms",
        "provider said 500",
        "timed out\nafter 30 s",
        RetryJob::PATH,
        sms_form.as_str(),
        mail_button.as_str(),
    ] {
        assert!(page.contains(expected), "the page should hold {expected:?}");
    }
    for (state, count) in [("queued", "1"), ("running", "1"), ("dead", "2")] {
        assert_eq!(
            text_of(&page, &format!("count-{state}")).as_deref(),
            Some(count)
        );
    }
    assert_eq!(current_tabs(&page), ["/admin/jobs?state=dead"]);
    let (_, queued) = admin.get_text("/admin/jobs?state=queued").await;
    assert!(queued.contains("remind") && !queued.contains("send_sms"));
    assert_eq!(current_tabs(&queued), ["/admin/jobs?state=queued"]);
    assert!(
        !queued.contains(RetryJob::PATH),
        "only dead jobs are retried"
    );
    let (_, accounts) = admin.get_text("/admin").await;
    assert!(
        accounts.contains(r#"href="/admin/jobs""#),
        "Admin links to Jobs"
    );

    // An unknown state is refused, by the page and by its server function.
    let (status, page) = admin.get_text("/admin/jobs?state=nonsense").await;
    assert_eq!(status, 400);
    assert!(page.contains("use dead, queued or running"));
    let response = admin
        .http
        .post(format!("{}{}", app.base, LoadJobs::PATH))
        .header("accept", "application/json")
        .form(&[("state", "nonsense")])
        .send()
        .await
        .expect("load jobs");
    assert_eq!(response.status(), 400);
    let error: AppError =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("an AppError");
    assert_eq!(
        error.field_message("state").as_deref(),
        Some("use dead, queued or running")
    );
    let shown = admin
        .rpc(LoadJobs {
            state: String::new(),
        })
        .await
        .expect("dead by default");
    assert_eq!(shown.state, JobState::Dead);
    assert_eq!(shown.jobs.len(), 2);

    // A user who is not an admin gets the Admin page's refusal, and changes nothing.
    let user = browser(&app, "bo@example.com", false).await;
    let (admin_status, _) = user.get_text("/admin").await;
    let (status, page) = user.get_text("/admin/jobs").await;
    assert_eq!(status, admin_status, "refused as the Admin page refuses");
    assert!(page.contains("only administrators can do this"));
    assert!(!page.contains("provider said 500"));
    let refused = plain_form(
        &user,
        RetryJob::PATH,
        "/admin/jobs",
        &[("id", sms.to_string())],
    )
    .await;
    let back = refused.headers()["location"].to_str().expect("location");
    assert!(back.contains("__err="), "{back}");
    assert!(matches!(
        user.rpc(RetryJob { id: sms }).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        user.rpc(LoadJobs {
            state: "dead".into()
        })
        .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(standing(&app, sms).await, "dead 3");

    // Retry without JavaScript: a plain form that comes back to the page.
    let from = "/admin/jobs?state=dead";
    let response = plain_form(&admin, RetryJob::PATH, from, &[("id", sms.to_string())]).await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        format!("{}{from}", app.base).as_str()
    );
    assert_eq!(standing(&app, sms).await, "queued 0");
    // A refused one comes back with the reason shown.
    let refused = plain_form(&admin, RetryJob::PATH, from, &[("id", running.to_string())]).await;
    let back = refused.headers()["location"].to_str().expect("location");
    let (_, page) = admin.get_text(&back.replacen(&app.base, "", 1)).await;
    assert!(
        page.contains("this job is running, or a newer job with its key is waiting"),
        "{page}"
    );
    assert_eq!(standing(&app, running).await, "running 1");

    // And as the hydrated page calls it.
    admin.rpc(RetryJob { id: mail }).await.expect("retry");
    assert_eq!(standing(&app, mail).await, "queued 0");
    assert_eq!(
        admin.rpc(RetryJob { id: mail + 100 }).await,
        Err(AppError::NotFound)
    );

    let (_, page) = admin.get_text("/admin/jobs").await;
    assert!(page.contains("No dead jobs."), "{page}");
    assert_eq!(text_of(&page, "count-queued").as_deref(), Some("3"));
}
