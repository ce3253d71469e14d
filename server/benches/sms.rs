//! Text messages under load, on the database `DATABASE_URL` names (a migrated, otherwise idle
//! database: `scripts/bench-sms` prepares one), with the real router on loopback HTTP, real
//! workers and a local fake Twilio:
//!
//! 1. the webhook, signature checked, with batching on (its answer is at once; the replies
//!    follow through the outbox): requests per second and latency percentiles with 32
//!    connections, then at a steady 1,000 texts/s with the workers busy beside it and with no
//!    worker on the machine (as when workers run elsewhere), and how long until every reply
//!    reached the fake;
//! 2. the webhook with batching off, answering with the reply in its TwiML (the rules read
//!    "spent $12 on lunch" and log an expense): requests per second and percentiles;
//! 3. 10,000 reminders due in the same minute: how long until all were handed to the fake,
//!    and that none went twice.
//!
//! Run: `scripts/bench-sms` (or `DATABASE_URL=... cargo bench -p server --bench sms`).

#[path = "../tests/common/fake_twilio.rs"]
mod fake_twilio;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::jobs::worker::{self, WorkerSettings};
use app::sms::{SmsSettings, TwilioSettings, signature};
use app::state::{AppState, Settings};
use diesel_async::SimpleAsyncConnection;
use fake_twilio::{ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilio};
use tokio_util::sync::CancellationToken;

const PUBLIC_URL: &str = "https://aida.bench";
/// Each text of the batched runs comes from its own number (a number's texts a few seconds
/// apart are read as one).
const USERS: usize = 12_000;
const BATCHED_TEXTS: usize = 10_000;
const ANSWERED_TEXTS: usize = 3_000;
const REMINDERS: usize = 10_000;
const CONNECTIONS: usize = 32;
/// The steady rate of the open-loop run, texts per second, and for how long.
const RATE: u64 = 1_000;
const RATE_SECONDS: u64 = 10;

fn phone(i: usize) -> String {
    format!("+1212555{i:04}")
}

async fn app(url: &str, fake: &FakeTwilio, batch: Duration) -> (AppState, String) {
    let settings = Settings {
        public_url: PUBLIC_URL.to_owned(),
        sms: SmsSettings {
            twilio: Some(TwilioSettings {
                account_sid: ACCOUNT_SID.to_owned(),
                auth_token: AUTH_TOKEN.into(),
                from_number: FROM.to_owned(),
                api_base: fake.base.clone(),
                timeout: Duration::from_secs(10),
                breaker_cool_down: Duration::from_secs(5),
            }),
            batch,
            reply_wait: Duration::from_secs(2),
            segment_price_microusd: 8_300,
        },
        ..Settings::default()
    };
    support::serve(url, settings).await
}

fn workers(state: &AppState) -> CancellationToken {
    let stop = CancellationToken::new();
    tokio::spawn(worker::run(
        state.clone(),
        app::jobs::kinds::handlers(),
        WorkerSettings {
            concurrency: 4,
            ..WorkerSettings::default()
        },
        stop.clone(),
    ));
    stop
}

async fn reset(url: &str) {
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(url)
            .await
            .expect("connect");
    let mut users = String::from(
        "TRUNCATE users, jobs, sms_inbound, sms_turns, sms_outbox, sms_opt_outs CASCADE;
         INSERT INTO users (email, password_hash, phone, timezone, status, reminder_minutes) VALUES ",
    );
    let rows: Vec<String> = (0..USERS)
        .map(|i| {
            format!(
                "('bench{i}@aida.bench', 'x', '{}', 'America/New_York', 'active', '{{60}}')",
                phone(i)
            )
        })
        .collect();
    users.push_str(&rows.join(","));
    conn.batch_execute(&users).await.expect("users");
}

fn form(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("AccountSid", ACCOUNT_SID),
        ("Body", body),
        ("From", from),
        ("MessageSid", sid),
        ("NumMedia", "0"),
        ("SmsStatus", "received"),
        ("To", FROM),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

/// A signed webhook request, ready to send.
fn signed(n: usize) -> (String, String) {
    let form = form(
        &format!("SMbench{n:027}"),
        &phone(n % USERS),
        "spent $12 on lunch",
    );
    let signature = signature::sign(
        AUTH_TOKEN,
        &format!("{PUBLIC_URL}/webhooks/twilio/sms"),
        &form,
    );
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    (body, signature)
}

/// Posts `count` texts with `CONNECTIONS` at a time; (requests per second, sorted latencies,
/// answers that carried a message).
async fn load(base: &str, first: usize, count: usize) -> (f64, Vec<Duration>, usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");
    let requests: Arc<Vec<(String, String)>> =
        Arc::new((first..first + count).map(signed).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let replied = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/webhooks/twilio/sms");
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, requests, next, replied, url) = (
                client.clone(),
                Arc::clone(&requests),
                Arc::clone(&next),
                Arc::clone(&replied),
                url.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, signature)) = requests.get(i) else {
                        return latencies;
                    };
                    let t = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-twilio-signature", signature)
                        .body(body.clone())
                        .send()
                        .await
                        .expect("post");
                    assert_eq!(response.status(), 200);
                    let text = response.text().await.expect("body");
                    latencies.push(t.elapsed());
                    if text.contains("<Message>") {
                        replied.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.extend(task.await.expect("load task"));
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all, replied.load(Ordering::Relaxed))
}

use support::{count, percentile};

fn report(name: &str, (rate, latencies, replied): &(f64, Vec<Duration>, usize)) {
    println!(
        "{name}: {rate:.0} req/s, p50 {}, p99 {}, max {} ({} answers carried the reply)",
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        percentile(latencies, 1.0),
        replied
    );
}

/// Posts texts at a steady `RATE` for `RATE_SECONDS` (open loop: a slow answer does not slow
/// the sending); (the rate reached, sorted latencies).
async fn steady(base: &str, first: usize) -> (f64, Vec<Duration>, usize) {
    let client = reqwest::Client::new();
    let count = usize::try_from(RATE * RATE_SECONDS).unwrap_or(usize::MAX);
    let requests: Vec<(String, String)> = (first..first + count).map(signed).collect();
    let url = format!("{base}/webhooks/twilio/sms");
    let mut every = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for (body, signature) in requests {
        every.tick().await;
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let response = client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-twilio-signature", signature)
                .body(body)
                .send()
                .await
                .expect("post");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("body");
            t.elapsed()
        }));
    }
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.push(task.await.expect("request"));
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all, 0)
}

/// Waits until no text waits to be read, answered or sent.
async fn wait_idle(state: &AppState) -> Duration {
    let started = Instant::now();
    while count(state, "jobs WHERE kind LIKE 'sms_%'").await > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

async fn wait_for_sent(fake: &FakeTwilio, n: usize, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if fake.sent().len() >= n {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn reminders(url: &str, fake: &FakeTwilio) {
    reset(url).await;
    let (state, _) = app(url, fake, Duration::from_secs(4)).await;
    // Events an hour and 20 s ahead: with reminders an hour before, all due in one second,
    // 20 s from now (time enough to create them).
    let start = chrono::Utc::now() + chrono::Duration::seconds(3600 + 20);
    let created = Instant::now();
    let mut conn = app::db::conn(&state.pool).await.expect("conn");
    conn.batch_execute(&format!(
        "INSERT INTO events (user_id, title, starts_at, ends_at, all_day, source)
         SELECT u.id, 'Meeting ' || n, '{start}'::timestamptz, '{start}'::timestamptz + interval '30 minutes', false, 'web'
         FROM generate_series(1, {REMINDERS}) AS n
         JOIN users u ON u.email = 'bench' || (n % {USERS}) || '@aida.bench'",
        start = start.to_rfc3339()
    ))
    .await
    .expect("events");
    drop(conn);
    // Their reminders are scheduled as a change schedules them: one transaction per 500.
    let ids: Vec<(i64, i64)> = {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            user_id: i64,
        }
        let mut conn = app::db::conn(&state.pool).await.expect("conn");
        diesel::sql_query("SELECT id, user_id FROM events")
            .load::<Row>(&mut conn)
            .await
            .expect("ids")
            .into_iter()
            .map(|r| (r.id, r.user_id))
            .collect()
    };
    for chunk in ids.chunks(500) {
        state
            .write(async |tx| {
                for &(id, user_id) in chunk {
                    tx.changed(app::changes::Change::new(
                        user_id,
                        app::changes::Kind::Event,
                        id,
                        app::changes::Op::Updated,
                    ));
                }
                Ok(())
            })
            .await
            .expect("schedule");
    }
    println!(
        "reminders: {REMINDERS} events and their reminders made in {:.1} s",
        created.elapsed().as_secs_f64()
    );
    let stop = workers(&state);
    let due = start - chrono::Duration::hours(1);
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    match wait_for_sent(fake, REMINDERS, Duration::from_secs(180)).await {
        Some(took) => println!(
            "reminders: {REMINDERS} due in the same second, all handed to the fake Twilio {:.1} s after they came due",
            took.as_secs_f64()
        ),
        None => println!(
            "reminders: only {} of {REMINDERS} sent within 180 s",
            fake.sent().len()
        ),
    }
    let mut bodies: Vec<String> = fake.sent().into_iter().map(|m| m.body).collect();
    bodies.sort();
    let before = bodies.len();
    bodies.dedup();
    println!("reminders: {} sent twice", before - bodies.len());
    stop.cancel();
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names a migrated database");

    let fake = FakeTwilio::start().await;
    reset(&url).await;
    let (state, base) = app(&url, &fake, Duration::from_secs(4)).await;
    let stop = workers(&state);
    load(&base, 0, 500).await; // warm-up
    let batched = load(&base, 1_000, BATCHED_TEXTS).await;
    report(
        "webhook, batching on (answered at once), 32 connections",
        &batched,
    );
    let took = wait_idle(&state).await;
    println!(
        "webhook, batching on: {} texts read as {} turns; every reply sent ({} in all) {:.1} s after the last text",
        BATCHED_TEXTS + 500,
        count(&state, "sms_turns").await,
        fake.sent().len(),
        took.as_secs_f64()
    );
    let rated = steady(&base, 20_000).await;
    report(
        &format!(
            "webhook, batching on, a steady {RATE} texts/s for {RATE_SECONDS} s, workers busy beside it"
        ),
        &rated,
    );
    wait_idle(&state).await;
    stop.cancel();
    // As with `AIDA_WORKERS=0` on the web process and the workers elsewhere.
    let alone = steady(&base, 40_000).await;
    report(
        &format!(
            "webhook, batching on, a steady {RATE} texts/s for {RATE_SECONDS} s, no worker on this machine"
        ),
        &alone,
    );
    let stop = workers(&state);
    let took = wait_idle(&state).await;
    println!(
        "webhook, batching on: those {} texts then read, answered and sent in {:.1} s",
        RATE * RATE_SECONDS,
        took.as_secs_f64()
    );
    stop.cancel();

    let fake = FakeTwilio::start().await;
    reset(&url).await;
    let (state, base) = app(&url, &fake, Duration::ZERO).await;
    let stop = workers(&state);
    load(&base, 100_000, 300).await; // warm-up
    let answered = load(&base, 200_000, ANSWERED_TEXTS).await;
    report("webhook, batching off (the reply in the answer)", &answered);
    stop.cancel();

    let fake = FakeTwilio::start().await;
    reminders(&url, &fake).await;
}
