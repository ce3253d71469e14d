//! Workers: claim due jobs, run each with its kind's handler, and record the outcome.
//!
//! A handler's database work runs in the same transaction that removes its job, so a job's
//! effect commits exactly once even when a worker dies halfway (its transaction rolls back
//! and the job runs again once the lease passes) or its lease passes while it runs (the
//! removal finds the job taken by another worker, and the work is rolled back).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::queue::{self, Claimed, NewJob};
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::state::AppState;

/// Why an attempt failed, as recorded on the job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    App(#[from] AppError),
    #[error("{0}")]
    Failed(String),
}

/// What a kind of job does. Its database work goes through `tx`.
#[async_trait::async_trait]
pub trait Handler: Send + Sync {
    async fn run(&self, state: &AppState, tx: &mut Tx, job: &Claimed) -> Result<(), JobError>;
}

/// A kind of job whose work must not hold a database connection while it runs (a model's
/// answer, a call to another service): it writes through transactions of its own, each
/// idempotent, so that doing it again after a crash changes nothing twice. The job's removal
/// then commits on its own.
#[async_trait::async_trait]
pub trait Alone: Send + Sync {
    async fn run(&self, state: &AppState, job: &Claimed) -> Result<(), JobError>;
}

enum Work {
    /// Its database work commits with the job's removal.
    InTx(Arc<dyn Handler>),
    Alone(Arc<dyn Alone>),
}

struct Kind {
    work: Work,
    /// Added again this long after each success.
    every: Option<chrono::Duration>,
}

/// The handlers by kind.
#[derive(Default)]
pub struct Handlers {
    kinds: HashMap<String, Arc<Kind>>,
}

impl Handlers {
    pub fn on(self, kind: &str, handler: impl Handler + 'static) -> Self {
        self.with(kind, Work::InTx(Arc::new(handler)), None)
    }

    /// A kind whose work runs without the job's transaction (see [`Alone`]).
    pub fn alone(mut self, kind: &str, handler: impl Alone + 'static) -> Self {
        let work = Work::Alone(Arc::new(handler));
        self.kinds
            .insert(kind.to_owned(), Arc::new(Kind { work, every: None }));
        self
    }

    /// A job that runs every `every`, as long as some process runs workers (see
    /// [`Handlers::schedule_recurring`]).
    pub fn every(
        self,
        kind: &str,
        every: chrono::Duration,
        handler: impl Handler + 'static,
    ) -> Self {
        self.with(kind, Work::InTx(Arc::new(handler)), Some(every))
    }

    fn with(mut self, kind: &str, work: Work, every: Option<chrono::Duration>) -> Self {
        self.kinds
            .insert(kind.to_owned(), Arc::new(Kind { work, every }));
        self
    }

    /// A recurring job's next run, at `at` (`None`: at once).
    fn recurring_job(kind: &str, at: Option<chrono::DateTime<Utc>>) -> NewJob {
        let job = NewJob::new(kind, serde_json::Value::Null).key(format!("every:{kind}"));
        match at {
            Some(at) => job.run_at(at),
            None => job,
        }
    }

    /// Adds each recurring job unless it is already waiting or running (a dead one is added
    /// anew).
    pub async fn schedule_recurring(&self, state: &AppState) -> Result<(), AppError> {
        let jobs: Vec<NewJob> = self
            .kinds
            .iter()
            .filter(|(_, k)| k.every.is_some())
            .map(|(kind, _)| Self::recurring_job(kind, None))
            .collect();
        state
            .write(async |tx| queue::add(tx, &jobs).await.map(drop))
            .await
    }
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a claim holds without being extended; a dead worker's jobs wait this long.
    pub lease: Duration,
    /// How often to look for due jobs when no notice came (scheduled jobs, lost notices).
    pub poll: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
        }
    }
}

/// A name for this worker, unique across processes.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "aida".into());
    let tag: u32 = rand::thread_rng().r#gen();
    format!("{host}-{}-{tag:08x}", std::process::id())
}

/// Runs jobs until `stop` is cancelled, then lets the jobs it runs finish.
pub async fn run(
    state: AppState,
    handlers: Handlers,
    settings: WorkerSettings,
    stop: CancellationToken,
) {
    let name: Arc<str> = worker_name().into();
    let handlers = Arc::new(handlers);
    let concurrency = settings.concurrency.max(1);
    tracing::info!(worker = %name, concurrency, "worker started");
    let mut running: JoinSet<()> = JoinSet::new();
    // The leases of every job this worker holds, extended together; ends with this future.
    let _heartbeat = AbortOnDropHandle::new(tokio::spawn(extend_leases(
        state.clone(),
        Arc::clone(&name),
        settings.lease,
    )));
    let mut poll = tokio::time::interval(settings.poll);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Abandoned jobs are looked for once a poll interval, busy or not.
    let mut recovered_at: Option<tokio::time::Instant> = None;
    loop {
        if recovered_at.is_none_or(|at| at.elapsed() >= settings.poll) {
            recover(&state).await;
            recovered_at = Some(tokio::time::Instant::now());
        }
        // Registered before looking, so a notice that comes meanwhile is not missed.
        let notified = state.jobs_ready.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let free = concurrency - running.len();
        let claimed = if free > 0 && !stop.is_cancelled() {
            match claim(&state, &name, settings.lease, free).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim jobs");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let full = claimed.len() == free;
        for job in claimed {
            running.spawn(attempt(
                state.clone(),
                Arc::clone(&handlers),
                Arc::clone(&name),
                job,
            ));
        }
        if full && free > 0 {
            // Every slot was filled: more may be waiting; look again when one frees.
            let _ = running.join_next().await;
            continue;
        }
        tokio::select! {
            () = stop.cancelled(), if !stop.is_cancelled() => {}
            () = &mut notified => {}
            _ = poll.tick() => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
        if stop.is_cancelled() {
            while running.join_next().await.is_some() {}
            tracing::info!(worker = %name, "worker stopped");
            return;
        }
    }
}

async fn claim(
    state: &AppState,
    worker: &str,
    lease: Duration,
    limit: usize,
) -> Result<Vec<Claimed>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    queue::claim(&mut conn, worker, lease, limit).await
}

/// Takes back the jobs of workers that died (see [`queue::recover`]).
async fn recover(state: &AppState) {
    let recovered = async {
        let mut conn = db::conn(&state.pool).await?;
        queue::recover(&mut conn).await
    }
    .await;
    match recovered {
        Ok(r) if r.requeued + r.buried > 0 => tracing::warn!(
            requeued = r.requeued,
            dead = r.buried,
            "took back the jobs of a worker whose lease passed"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot take back abandoned jobs"),
    }
}
async fn extend_leases(state: AppState, worker: Arc<str>, lease: Duration) {
    let mut every = tokio::time::interval(lease / 3);
    loop {
        every.tick().await;
        let extended = async {
            let mut conn = db::conn(&state.pool).await?;
            queue::extend_leases(&mut conn, &worker, lease).await
        }
        .await;
        if let Err(e) = extended {
            tracing::warn!(error = %e, "cannot extend the leases of running jobs");
        }
    }
}

/// Runs one claimed job and records how it went.
async fn attempt(state: AppState, handlers: Arc<Handlers>, worker: Arc<str>, job: Claimed) {
    let kind = handlers.kinds.get(&job.kind).cloned();
    let outcome = match kind {
        None => Err(JobError::Failed(format!(
            "no handler for jobs of kind “{}”",
            job.kind
        ))),
        Some(kind) => {
            // On its own task, so that a panic fails the attempt instead of the worker; the
            // task ends with this future (a worker stopped hard leaves nothing running).
            let (state, worker, job) = (state.clone(), Arc::clone(&worker), job.clone());
            AbortOnDropHandle::new(tokio::spawn(async move {
                run_and_finish(&state, &kind, &worker, &job).await
            }))
            .await
            .unwrap_or_else(|e| Err(JobError::Failed(format!("the handler panicked: {e}"))))
        }
    };
    match outcome {
        Ok(true) => tracing::debug!(job_id = job.id, kind = job.kind, "job done"),
        Ok(false) => tracing::warn!(
            job_id = job.id,
            kind = job.kind,
            "job taken by another worker after its lease passed; this run's work was rolled back"
        ),
        Err(error) => {
            let retry_in = queue::backoff(job.attempt, rand::thread_rng().r#gen());
            let last = job.attempt >= job.max_attempts;
            tracing::warn!(job_id = job.id, kind = job.kind, attempt = job.attempt, last, error = %error, "job failed");
            let recorded = async {
                let mut conn = db::conn(&state.pool).await?;
                queue::fail(&mut conn, job.id, &worker, &error.to_string(), retry_in).await
            }
            .await;
            if let Err(e) = recorded {
                // The lease passes and the job runs again.
                tracing::error!(job_id = job.id, error = %e, "cannot record a failed job");
            }
        }
    }
}

/// The handler's work and the job's removal, in one transaction (or, for work that runs
/// alone, the removal after it); false when the job was no longer this worker's.
async fn run_and_finish(
    state: &AppState,
    kind: &Kind,
    worker: &str,
    job: &Claimed,
) -> Result<bool, JobError> {
    let mut tx = match &kind.work {
        Work::InTx(handler) => {
            let mut tx = state.begin().await?;
            handler.run(state, &mut tx, job).await?;
            tx
        }
        Work::Alone(handler) => {
            handler.run(state, job).await?;
            state.begin().await?
        }
    };
    if !queue::finish(&mut tx, job.id, worker).await? {
        return Ok(false);
    }
    if let Some(every) = kind.every {
        queue::add(
            &mut tx,
            &[Handlers::recurring_job(&job.kind, Some(Utc::now() + every))],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}
