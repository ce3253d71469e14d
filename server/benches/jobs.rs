//! How many jobs the queue hands out per second, with one worker and with two (each with its
//! own pool, as two processes would have), on the database `DATABASE_URL` names (a migrated,
//! otherwise idle database: `scripts/bench-writes` prepares one). Each job does nothing but
//! commit its own removal, so this measures the queue itself: claiming with SKIP LOCKED, the
//! transaction per job, the lease renewals.
//! Run: `DATABASE_URL=... cargo bench -p server --bench jobs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::assistant::Assistant;
use app::db::tx::Tx;
use app::jobs::queue::{self, Claimed, NewJob};
use app::jobs::worker::{self, Handler, Handlers, JobError, WorkerSettings};
use app::state::{AppState, Settings, SystemClock};
use diesel_async::SimpleAsyncConnection;
use tokio_util::sync::CancellationToken;

const JOBS: usize = 20_000;
/// Jobs each worker runs at once.
const CONCURRENCY: usize = 4;

struct Nothing;

#[async_trait::async_trait]
impl Handler for Nothing {
    async fn run(&self, _: &AppState, _: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        Ok(())
    }
}

fn state(url: &str) -> AppState {
    let pool = app::db::pool(url, CONCURRENCY + 2).expect("pool");
    AppState::new(
        leptos::config::LeptosOptions::builder()
            .output_name("aida")
            .build(),
        pool,
        Arc::new(SystemClock),
        Settings::default(),
        Assistant::new(None, 0).expect("assistant"),
    )
}

async fn remaining(state: &AppState) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app::db::conn(&state.pool).await.expect("conn");
    diesel::sql_query("SELECT count(*) AS n FROM jobs WHERE kind = 'nothing'")
        .get_result::<Count>(&mut conn)
        .await
        .expect("count")
        .n
}

/// Adds the jobs, then times `workers` workers until none is left; jobs per second.
async fn run(url: &str, workers: usize) -> f64 {
    let first = state(url);
    let mut conn = app::db::conn(&first.pool).await.expect("conn");
    conn.batch_execute("DELETE FROM jobs WHERE kind = 'nothing'")
        .await
        .expect("clear");
    drop(conn);
    for batch in 0..JOBS / 1000 {
        let jobs: Vec<NewJob> = (0..1000)
            .map(|i| NewJob::new("nothing", serde_json::json!({ "n": batch * 1000 + i })))
            .collect();
        first
            .write(async |tx| queue::add(tx, &jobs).await)
            .await
            .expect("add jobs");
    }
    let stop = CancellationToken::new();
    let started = Instant::now();
    let running: Vec<_> = (0..workers)
        .map(|_| {
            let settings = WorkerSettings {
                concurrency: CONCURRENCY,
                ..WorkerSettings::default()
            };
            tokio::spawn(worker::run(
                state(url),
                Handlers::default().on("nothing", Nothing),
                settings,
                stop.clone(),
            ))
        })
        .collect();
    while remaining(&first).await > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    stop.cancel();
    for worker in running {
        worker.await.expect("worker");
    }
    JOBS as f64 / elapsed.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!(
            "jobs bench: set DATABASE_URL to a migrated database (scripts/bench-writes does)"
        );
        return;
    };
    for workers in [1, 2] {
        let rate = run(&url, workers).await;
        println!(
            "jobs: {workers} worker(s) × {CONCURRENCY} at once: {JOBS} jobs, {rate:.0} jobs/s"
        );
    }
}
