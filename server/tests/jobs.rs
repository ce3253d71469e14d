//! The job queue on a real PostgreSQL: exactly-once effects with several workers, leases
//! that outlive a dead worker, backoff, dead jobs, keys, transactions, and the admin API.

mod common;

use std::time::Duration;

use app::db::tx::Tx;
use app::jobs::queue::{self, Claimed, NewJob};
use app::jobs::worker::{self, Handler, Handlers, JobError, WorkerSettings};
use app::state::AppState;
use common::TestApp;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Records each run in `job_runs`, in the job's transaction.
struct Record;

#[async_trait::async_trait]
impl Handler for Record {
    async fn run(&self, _: &AppState, tx: &mut Tx, job: &Claimed) -> Result<(), JobError> {
        use diesel::sql_types::{BigInt, Integer};
        use diesel_async::RunQueryDsl;
        diesel::sql_query("INSERT INTO job_runs (job_id, attempt) VALUES ($1, $2)")
            .bind::<BigInt, _>(job.id)
            .bind::<Integer, _>(job.attempt)
            .execute(tx.conn())
            .await
            .map_err(app::error::AppError::from)?;
        Ok(())
    }
}

/// Fails every attempt.
struct Fail;

#[async_trait::async_trait]
impl Handler for Fail {
    async fn run(&self, _: &AppState, _: &mut Tx, job: &Claimed) -> Result<(), JobError> {
        Err(JobError::Failed(format!("attempt {} refused", job.attempt)))
    }
}

/// Never finishes: a worker that dies mid-job.
struct Hang;

#[async_trait::async_trait]
impl Handler for Hang {
    async fn run(&self, _: &AppState, _: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        std::future::pending().await
    }
}

async fn app_with_runs() -> TestApp {
    let app = TestApp::start().await;
    app.sql("CREATE TABLE job_runs (job_id BIGINT NOT NULL, attempt INT NOT NULL)")
        .await;
    app
}

fn settings(concurrency: usize, lease: Duration) -> WorkerSettings {
    WorkerSettings {
        concurrency,
        lease,
        poll: Duration::from_millis(100),
    }
}

async fn add(app: &TestApp, jobs: Vec<NewJob>) -> Vec<i64> {
    app.state
        .write(async |tx| queue::add(tx, &jobs).await)
        .await
        .expect("add jobs")
}

/// Waits until `done` holds, for at most 30 s.
async fn until<F: AsyncFn() -> bool>(what: &str, done: F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn two_workers_run_a_thousand_jobs_exactly_once() {
    let app = app_with_runs().await;
    let other = app.beside().await;
    let jobs = (0..1000)
        .map(|i| NewJob::new("record", json!({ "i": i })))
        .collect();
    let ids = add(&app, jobs).await;
    assert_eq!(ids.len(), 1000);

    let stop = CancellationToken::new();
    let handlers = || Handlers::default().on("record", Record);
    let a = tokio::spawn(worker::run(
        app.state.clone(),
        handlers(),
        settings(4, Duration::from_secs(30)),
        stop.clone(),
    ));
    let b = tokio::spawn(worker::run(
        other.state.clone(),
        handlers(),
        settings(4, Duration::from_secs(30)),
        stop.clone(),
    ));
    until("every job ran", async || app.count("jobs").await == 0).await;
    stop.cancel();
    a.await.expect("worker a");
    b.await.expect("worker b");

    assert_eq!(app.count("job_runs").await, 1000);
    let distinct = app
        .rows("SELECT count(DISTINCT job_id)::text AS row FROM job_runs")
        .await;
    assert_eq!(distinct, ["1000"], "each job ran once");
    let both = app
        .rows("SELECT count(*)::text AS row FROM job_runs WHERE attempt = 1")
        .await;
    assert_eq!(both, ["1000"], "and at its first attempt");
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again_once_its_lease_passes() {
    let app = app_with_runs().await;
    let [id] = add(&app, vec![NewJob::new("work", json!({}))]).await[..] else {
        panic!("one job");
    };
    let lease = Duration::from_secs(2);
    let dying = tokio::spawn(worker::run(
        app.state.clone(),
        Handlers::default().on("work", Hang),
        settings(1, lease),
        CancellationToken::new(),
    ));
    until("the job is claimed", async || {
        app.rows("SELECT state AS row FROM jobs").await == ["running"]
    })
    .await;
    dying.abort(); // the worker dies: no more lease extensions, its transaction is gone
    let _ = dying.await;

    let stop = CancellationToken::new();
    let heir = tokio::spawn(worker::run(
        app.state.clone(),
        Handlers::default().on("work", Record),
        settings(1, lease),
        stop.clone(),
    ));
    let started = tokio::time::Instant::now();
    until("the job ran again", async || {
        app.count("job_runs").await == 1
    })
    .await;
    stop.cancel();
    heir.await.expect("worker");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "not before the lease passed"
    );
    assert_eq!(
        app.rows(&format!(
            "SELECT (job_id = {id} AND attempt = 2)::text AS row FROM job_runs"
        ))
        .await,
        ["true"],
        "the second attempt ran it"
    );
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn failures_back_off_then_the_job_is_dead_until_an_admin_retries_it() {
    let app = app_with_runs().await;
    let [id] = add(&app, vec![NewJob::new("flaky", json!({})).max_attempts(3)]).await[..] else {
        panic!("one job");
    };
    let stop = CancellationToken::new();
    let failing = tokio::spawn(worker::run(
        app.state.clone(),
        Handlers::default().on("flaky", Fail),
        settings(1, Duration::from_secs(30)),
        stop.clone(),
    ));
    for attempt in 1..=2 {
        until("the attempt failed", async || {
            app.rows(&format!("SELECT attempts::text AS row FROM jobs WHERE state = 'queued' AND attempts = {attempt}"))
                .await
                .len()
                == 1
        })
        .await;
        // The wait after attempt n is between half and all of 2^n seconds.
        let wait = app
            .rows("SELECT extract(epoch FROM run_at - updated_at)::text AS row FROM jobs")
            .await;
        let wait: f64 = wait[0].parse().expect("seconds");
        let full = f64::from(2u32.pow(attempt));
        assert!(
            (full / 2.0 - 0.05..=full + 0.05).contains(&wait),
            "attempt {attempt} waits {wait} s, not within [{}, {full}]",
            full / 2.0
        );
        assert_eq!(
            app.rows("SELECT last_error AS row FROM jobs").await,
            [format!("attempt {attempt} refused")]
        );
        app.sql("UPDATE jobs SET run_at = now()").await; // skip the wait
    }
    until("the job is dead", async || {
        app.rows("SELECT state AS row FROM jobs").await == ["dead"]
    })
    .await;
    stop.cancel();
    failing.await.expect("worker");
    assert_eq!(
        app.rows("SELECT attempts::text || ' ' || last_error AS row FROM jobs")
            .await,
        ["3 attempt 3 refused"],
        "dead after the last attempt, and still visible"
    );

    // The admin API shows it and can run it again.
    let admin = app.signed_in_admin("ops@example.com").await;
    let (status, view) = admin.get("/api/admin/jobs?state=dead").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["counts"]["dead"], 1);
    assert_eq!(view["jobs"][0]["id"], id);
    assert_eq!(view["jobs"][0]["last_error"], "attempt 3 refused");
    let user = app.signed_in("someone@example.com").await;
    let (status, _) = user.get("/api/admin/jobs").await;
    assert_eq!(status, 403, "only admins see the queue");
    let (status, _) = user
        .post(&format!("/api/admin/jobs/{id}/retry"), json!({}))
        .await;
    assert_eq!(status, 403);

    let (status, job) = admin
        .post(&format!("/api/admin/jobs/{id}/retry"), json!({}))
        .await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(
        (job["state"].clone(), job["attempts"].clone()),
        (json!("queued"), json!(0))
    );
    let stop = CancellationToken::new();
    let mended = tokio::spawn(worker::run(
        app.state.clone(),
        Handlers::default().on("flaky", Record),
        settings(1, Duration::from_secs(30)),
        stop.clone(),
    ));
    until("the retried job ran", async || {
        app.count("job_runs").await == 1
    })
    .await;
    stop.cancel();
    mended.await.expect("worker");
    let (status, _) = admin
        .post(&format!("/api/admin/jobs/{id}/retry"), json!({}))
        .await;
    assert_eq!(status, 404, "a job that succeeded is gone");
    let (status, _) = admin.get("/api/admin/jobs?state=finished").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_key_makes_adding_the_same_job_twice_a_no_op_until_it_is_done() {
    let app = app_with_runs().await;
    let job = || NewJob::new("record", json!({})).key("remind:7");
    assert_eq!(add(&app, vec![job()]).await.len(), 1);
    assert_eq!(add(&app, vec![job(), job()]).await.len(), 0);
    assert_eq!(app.count("jobs").await, 1);

    let stop = CancellationToken::new();
    let w = tokio::spawn(worker::run(
        app.state.clone(),
        Handlers::default().on("record", Record),
        settings(1, Duration::from_secs(30)),
        stop.clone(),
    ));
    until("the job ran", async || app.count("jobs").await == 0).await;
    stop.cancel();
    w.await.expect("worker");
    assert_eq!(
        add(&app, vec![job()]).await.len(),
        1,
        "done: the key is free again"
    );
}

#[tokio::test]
async fn a_job_is_added_only_if_its_transaction_commits() {
    let app = app_with_runs().await;
    let failed: Result<(), _> = app
        .state
        .write(async |tx| {
            queue::add(tx, &[NewJob::new("record", json!({}))]).await?;
            Err(app::error::AppError::invalid("x", "changed my mind"))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn housekeeping_recurs_and_fails_replies_a_stopped_process_left_streaming() {
    let app = TestApp::start().await;
    let user = app.signed_in("left@example.com").await;
    let (_, events) = user.chat(json!({ "message": "spent $3 on coffee" })).await;
    let message = events[0].1["message_id"].as_i64().expect("message id");
    // As if the process writing it had stopped three minutes ago.
    app.sql(&format!(
        "UPDATE chat_messages SET status = 'streaming', updated_at = now() - interval '3 minutes' WHERE id = {message}"
    ))
    .await;
    app.sql(
        "INSERT INTO sessions (id, data, expires_at) VALUES ('old', '', now() - interval '1 day')",
    )
    .await;

    let handlers = app::jobs::kinds::handlers();
    handlers
        .schedule_recurring(&app.state)
        .await
        .expect("schedule");
    handlers
        .schedule_recurring(&app.state)
        .await
        .expect("twice is once");
    // Sessions, sign-in attempts, abandoned replies, unknown numbers, voice request counts,
    // and Google pulls.
    let recurring = 6;
    assert_eq!(app.count("jobs").await, recurring);
    let stop = CancellationToken::new();
    let w = tokio::spawn(worker::run(
        app.state.clone(),
        handlers,
        settings(2, Duration::from_secs(30)),
        stop.clone(),
    ));
    until("housekeeping ran and scheduled its next runs", async || {
        app.rows(
            "SELECT count(*)::text AS row FROM jobs WHERE run_at > now() + interval '50 seconds'",
        )
        .await
            == [recurring.to_string()]
    })
    .await;
    stop.cancel();
    w.await.expect("worker");
    assert_eq!(
        app.rows(&format!(
            "SELECT status AS row FROM chat_messages WHERE id = {message}"
        ))
        .await,
        ["failed"]
    );
    assert_eq!(
        app.rows("SELECT id AS row FROM sessions WHERE id = 'old'")
            .await
            .len(),
        0
    );
}

#[tokio::test]
async fn a_fault_before_a_changes_job_is_written_leaves_neither() {
    let app = app_with_runs().await;
    let user = app.user("fault-job@example.com", false).await;
    app.break_writes("jobs", "INSERT").await;
    // Two days ahead: the default reminders (a day and an hour before) are jobs of its own.
    let input = || app::events::model::EventInput {
        title: "Dentist".into(),
        description: None,
        location: None,
        start: "2026-11-24T14:00:00Z".into(),
        end: None,
        all_day: None,
        reminder_minutes: None,
        recurrence: None,
    };
    let create = async || {
        app.state
            .write(async |tx| {
                app::events::ops::create(tx, &user, input(), app::events::model::Source::Web).await
            })
            .await
    };
    assert_eq!(create().await, Err(app::error::AppError::Internal));
    assert_eq!(
        app.count("events").await,
        0,
        "the change went with its jobs"
    );
    app.mend_writes("jobs").await;
    create().await.expect("committed");
    assert_eq!(
        (
            app.count("events").await,
            app.count("jobs WHERE kind = 'reminder'").await
        ),
        (1, 2)
    );
}
