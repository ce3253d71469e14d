//! Voice booking under load, on the database `DATABASE_URL` names (a migrated, otherwise idle
//! database: `scripts/bench-voice` prepares one), with the real router on loopback HTTP:
//!
//! 1. `check-availability`, signature checked, for an owner with 2,000 events on their
//!    calendar, asked in words callers use ("next tuesday afternoon", "friday at 2pm", "the
//!    14th at 10:30"): latency percentiles at a steady 200 requests a second (open loop), and
//!    the most it answers with 16 connections;
//! 2. 1,000 bookings spooled while the database was away: how long writing each to the spool
//!    takes (synced to disk), and how long replaying all of them into PostgreSQL takes, with
//!    the check that each was booked once and texted to the owner once.
//!
//! Run: `scripts/bench-voice` (or `DATABASE_URL=... cargo bench -p server --bench voice`).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::booking::VoiceSettings;
use app::booking::caller::{OwnerKey, Received};
use app::booking::retell::{Call, sign};
use app::state::{AppState, Settings};
use chrono::{Datelike, TimeZone, Utc, Weekday};
use chrono_tz::America::Toronto;
use diesel_async::SimpleAsyncConnection;
use serde_json::json;

const KEY: &str = "key_bench_retell";
const AGENT: &str = "agent_bench";
const EVENTS: usize = 2_000;
const RATE: u64 = 200;
const RATE_SECONDS: u64 = 15;
const CLOSED_LOOP: usize = 4_000;
const CONNECTIONS: usize = 16;
const SPOOLED: usize = 1_000;

const PHRASES: [&str; 10] = [
    "next tuesday afternoon",
    "friday at 2pm",
    "the 14th at 10:30",
    "tomorrow at 3",
    "monday morning",
    "next wednesday at 11",
    "thursday at 4pm",
    "next friday",
    "the 3rd at 9am",
    "tuesday at 1:30pm",
];

async fn app(url: &str, data_dir: std::path::PathBuf) -> (AppState, String) {
    let settings = Settings {
        voice: VoiceSettings {
            retell_api_key: Some(KEY.into()),
            data_dir,
            requests_per_minute: i32::MAX,
            ..VoiceSettings::default()
        },
        ..Settings::default()
    };
    support::serve(url, settings).await
}

/// One owner taking bookings Monday to Friday 09:00-17:00 in Toronto, a year ahead, with
/// `EVENTS` 20-minute events spread over the next 100 days, 08:00 to 20:00.
async fn reset(url: &str) {
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(url)
            .await
            .expect("connect");
    conn.batch_execute(&format!(
        "TRUNCATE users, jobs, sms_outbox CASCADE;
         INSERT INTO users (id, email, password_hash, timezone, status) OVERRIDING SYSTEM VALUE
           VALUES (1, 'owner@aida.bench', 'x', 'America/Toronto', 'active');
         INSERT INTO booking_settings (user_id, enabled, timezone, hours, lengths, buffer_minutes,
           notice_minutes, horizon_days, business_phone, confirm_callers, webhook_token, updated_at)
           VALUES (1, true, 'America/Toronto',
             '{{\"monday\":{{\"start\":\"09:00\",\"end\":\"17:00\"}},\"tuesday\":{{\"start\":\"09:00\",\"end\":\"17:00\"}},\"wednesday\":{{\"start\":\"09:00\",\"end\":\"17:00\"}},\"thursday\":{{\"start\":\"09:00\",\"end\":\"17:00\"}},\"friday\":{{\"start\":\"09:00\",\"end\":\"17:00\"}}}}',
             '{{30}}', 10, 0, 365, '+14165550123', false, 'benchtoken', now());
         INSERT INTO booking_agents (agent_id, user_id) VALUES ('{AGENT}', 1);
         INSERT INTO events (user_id, title, description, location, starts_at, ends_at, all_day, source)
           SELECT 1, 'Busy ' || i, '', '',
             date_trunc('day', now() AT TIME ZONE 'America/Toronto') AT TIME ZONE 'America/Toronto'
               + ((i / 20) || ' days')::interval + interval '8 hours' + ((i % 20) * 37 || ' minutes')::interval,
             date_trunc('day', now() AT TIME ZONE 'America/Toronto') AT TIME ZONE 'America/Toronto'
               + ((i / 20) || ' days')::interval + interval '8 hours' + ((i % 20) * 37 + 20 || ' minutes')::interval,
             false, 'web'
           FROM generate_series(0, {}) AS i;",
        EVENTS - 1
    ))
    .await
    .expect("owner and events");
}

fn signed(i: usize) -> (String, String) {
    let body = json!({
        "name": "check_availability",
        "call": { "call_id": format!("call_{i}"), "agent_id": AGENT, "from_number": "+12137771234" },
        "args": { "requested_time_string": PHRASES[i % PHRASES.len()] },
    })
    .to_string();
    let signature = sign(body.as_bytes(), KEY, Utc::now().timestamp_millis());
    (body, signature)
}

async fn ask(client: &reqwest::Client, url: &str, (body, signature): (String, String)) -> Duration {
    let t = Instant::now();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-retell-signature", signature)
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert!(answer["message"].is_string());
    t.elapsed()
}

use support::{count, percentile};

fn report(name: &str, rate: f64, latencies: &[Duration]) {
    println!(
        "{name}: {rate:.0} req/s, p50 {}, p99 {}, max {}",
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        percentile(latencies, 1.0),
    );
}

/// Asks at a steady `RATE` for `RATE_SECONDS` (open loop).
async fn steady(base: &str) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::new();
    let url = format!("{base}/webhooks/retell/check-availability");
    let count = usize::try_from(RATE * RATE_SECONDS).unwrap_or(usize::MAX);
    let mut every = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        every.tick().await;
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(
            async move { ask(&client, &url, signed(i)).await },
        ));
    }
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.push(task.await.expect("request"));
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all)
}

/// Asks `CLOSED_LOOP` times over `CONNECTIONS` connections, each asking again once answered.
async fn closed_loop(base: &str) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::new();
    let url = format!("{base}/webhooks/retell/check-availability");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.clone(), next.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= CLOSED_LOOP {
                        return mine;
                    }
                    mine.push(ask(&client, &url, signed(i)).await);
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(CLOSED_LOOP);
    for task in tasks {
        all.extend(task.await.expect("connection"));
    }
    let rate = CLOSED_LOOP as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all)
}

/// Free weekday slots 120 days and more ahead, where no event is, an hour apart (the
/// owner keeps 10 minutes between meetings).
fn far_slots(n: usize) -> Vec<String> {
    let mut slots = Vec::with_capacity(n);
    let mut day = Utc::now().with_timezone(&Toronto).date_naive() + chrono::Duration::days(120);
    while slots.len() < n {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for k in 0..8 {
                let local = day.and_hms_opt(9, 0, 0).expect("9:00") + chrono::Duration::hours(k);
                if let Some(t) = Toronto.from_local_datetime(&local).single() {
                    slots.push(t.to_rfc3339());
                }
            }
        }
        day = day.succ_opt().expect("a next day");
    }
    slots.truncate(n);
    slots
}

async fn spool(state: &AppState) {
    let dir = &state.settings.voice.data_dir;
    let mut writes = Vec::with_capacity(SPOOLED);
    for (i, start) in far_slots(SPOOLED).into_iter().enumerate() {
        let mut args = serde_json::Map::new();
        args.insert("customer_name".into(), json!(format!("Caller {i}")));
        args.insert("customer_phone".into(), json!(format!("+1416556{i:04}")));
        args.insert("start".into(), json!(start));
        let received = Received {
            key: OwnerKey::Agent(AGENT.into()),
            call: Some(Call {
                call_id: format!("call_spooled_{i}"),
                agent_id: AGENT.into(),
                ..Call::default()
            }),
            args,
            received_at: Utc::now(),
        };
        let t = Instant::now();
        app::booking::spool::put(dir, &received)
            .await
            .expect("spool");
        writes.push(t.elapsed());
    }
    writes.sort();
    println!(
        "spooling a booking (written and synced to disk): p50 {}, p99 {}, max {}",
        percentile(&writes, 0.50),
        percentile(&writes, 0.99),
        percentile(&writes, 1.0)
    );
    let started = Instant::now();
    let done = app::booking::spool::replay(state).await.expect("replay");
    let took = started.elapsed();
    println!(
        "replaying {done} spooled bookings into PostgreSQL: {:.2} s ({:.0} a second); \
         {} bookings, {} owner texts, {} left in the spool",
        took.as_secs_f64(),
        done as f64 / took.as_secs_f64(),
        count(state, "voice_bookings").await,
        count(state, "sms_outbox").await,
        app::booking::spool::pending(dir).len()
    );
    assert_eq!(count(state, "voice_bookings").await, SPOOLED as i64);
    assert_eq!(app::booking::spool::replay(state).await.expect("again"), 0);
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names a migrated database");
    let data_dir = std::env::temp_dir().join(format!("aida-bench-voice-{}", std::process::id()));
    reset(&url).await;
    let (state, base) = app(&url, data_dir.clone()).await;
    println!(
        "the owner's calendar: {} events",
        count(&state, "events").await
    );
    closed_loop(&base).await; // warm-up
    let (rate, latencies) = steady(&base).await;
    report(
        &format!("check-availability, a steady {RATE} req/s for {RATE_SECONDS} s"),
        rate,
        &latencies,
    );
    let (rate, latencies) = closed_loop(&base).await;
    report(
        &format!("check-availability, {CONNECTIONS} connections"),
        rate,
        &latencies,
    );
    spool(&state).await;
    let _ = std::fs::remove_dir_all(&data_dir);
}
