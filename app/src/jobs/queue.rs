//! The job table's statements: add, claim, finish, fail, extend leases; and what admins see.
//!
//! Workers claim with `FOR UPDATE SKIP LOCKED`, so any number of them, in any number of
//! processes, take different jobs without waiting on each other. A claim is a lease: the
//! worker extends it while it works ([`extend_leases`]); if it dies the lease passes and the
//! next claim takes the job again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Integer, Interval, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Job, JobCounts, JobState};
use crate::db::notify::Notice;
use crate::db::tx::Tx;
use crate::error::AppError;

/// Attempts a job gets unless it says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;
/// The first retry waits about this long; each later one twice as long as the one before.
const FIRST_RETRY: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
const LONGEST_RETRY: Duration = Duration::from_secs(60 * 60);

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// While a job with this key waits or runs, adding another does nothing.
    pub key: Option<String>,
    /// When it may run; `None`: at once.
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            key: None,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts;
        self
    }
}

/// A job a worker claimed.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    /// This attempt's number, from 1.
    #[diesel(sql_type = Integer)]
    pub attempt: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Adds `jobs` in `tx`: they exist, and workers are woken, only if it commits. Returns the ids
/// of those added (a job whose key is taken is not).
pub async fn add(tx: &mut Tx, jobs: &[NewJob]) -> Result<Vec<i64>, AppError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Id> = diesel::sql_query(
        "INSERT INTO jobs (kind, payload, key, run_at, max_attempts)
         SELECT kind, payload, key, coalesce(run_at, now()), max_attempts
         FROM unnest($1, $2, $3, $4, $5) AS j (kind, payload, key, run_at, max_attempts)
         ON CONFLICT (key) WHERE state <> 'dead' DO NOTHING
         RETURNING id",
    )
    .bind::<Array<Text>, _>(jobs.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>())
    .bind::<Array<Jsonb>, _>(jobs.iter().map(|j| &j.payload).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(jobs.iter().map(|j| j.key.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Timestamptz>>, _>(jobs.iter().map(|j| j.run_at).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(jobs.iter().map(|j| j.max_attempts).collect::<Vec<_>>())
    .load(tx.conn())
    .await?;
    tx.notify(Notice::Jobs);
    Ok(ids.into_iter().map(|r| r.id).collect())
}

fn interval(d: Duration) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(
        i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
    )
}

/// Claims up to `limit` due jobs, oldest first, for `worker` for `lease`.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease: Duration,
    limit: usize,
) -> Result<Vec<Claimed>, AppError> {
    // Only waiting jobs, so the `jobs_due` index answers it; jobs whose worker died come
    // back to waiting through `recover`.
    Ok(diesel::sql_query(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1,
                locked_until = now() + $2, updated_at = now()
         WHERE id IN (
             SELECT id FROM jobs
             WHERE state = 'queued' AND run_at <= now()
             ORDER BY run_at
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, attempts AS attempt, max_attempts",
    )
    .bind::<Text, _>(worker)
    .bind::<Interval, _>(interval(lease))
    .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
    .load(conn)
    .await?)
}

/// What [`recover`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recovered {
    /// Jobs whose worker's lease passed, waiting again.
    pub requeued: usize,
    /// Jobs whose worker stopped during their last attempt, now dead.
    pub buried: usize,
}

/// Takes back the jobs whose worker's lease passed (it died, or lost the database): they wait
/// to run again, or are dead if that was their last attempt.
pub async fn recover(conn: &mut AsyncPgConnection) -> Result<Recovered, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        state: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "UPDATE jobs SET
             state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
             last_error = CASE WHEN attempts >= max_attempts
                 THEN coalesce(last_error || E'\\n', '') || 'the worker stopped during the last attempt'
                 ELSE last_error END,
             locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id IN (
             SELECT id FROM jobs
             WHERE state = 'running' AND locked_until < now()
             FOR UPDATE SKIP LOCKED)
         RETURNING state",
    )
    .load(conn)
    .await?;
    let buried = rows.iter().filter(|r| r.state == "dead").count();
    Ok(Recovered {
        requeued: rows.len() - buried,
        buried,
    })
}

/// Removes a job that succeeded, in the transaction that did its work; false when `worker`
/// no longer holds it (its lease passed and another took it), and then that work must not
/// commit.
pub async fn finish(tx: &mut Tx, id: i64, worker: &str) -> Result<bool, AppError> {
    let removed = diesel::sql_query(
        "DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND state = 'running'",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(worker)
    .execute(tx.conn())
    .await?;
    Ok(removed == 1)
}

/// Records a failed attempt: the job waits `retry_in` and runs again, or is dead after its
/// last attempt.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_in: Duration,
) -> Result<(), AppError> {
    diesel::sql_query(
        "UPDATE jobs SET
             state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
             run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE now() + $4 END,
             last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND state = 'running'",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(worker)
    .bind::<Text, _>(error)
    .bind::<Interval, _>(interval(retry_in))
    .execute(conn)
    .await?;
    Ok(())
}

/// Extends the leases of every job `worker` holds.
pub async fn extend_leases(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease: Duration,
) -> Result<(), AppError> {
    diesel::sql_query(
        "UPDATE jobs SET locked_until = now() + $2
         WHERE locked_by = $1 AND state = 'running'",
    )
    .bind::<Text, _>(worker)
    .bind::<Interval, _>(interval(lease))
    .execute(conn)
    .await?;
    Ok(())
}

/// How long to wait before attempt `failed + 1`, after `failed` attempts: doubling from
/// [`FIRST_RETRY`] up to [`LONGEST_RETRY`], then a random part (`jitter` in `[0, 1)`) of the
/// second half, so jobs that failed together do not retry together.
pub fn backoff(failed: i32, jitter: f64) -> Duration {
    let doublings = u32::try_from(failed.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_RETRY);
    full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

#[derive(QueryableByName)]
struct JobRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Timestamptz)]
    run_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Integer)]
    max_attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            key: r.key,
            state: JobState::parse(&r.state).unwrap_or(JobState::Queued),
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const JOB_COLUMNS: &str = "id, kind, payload, key, state, run_at, attempts, max_attempts, \
                           last_error, created_at, updated_at";

/// The newest `limit` jobs in `state`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    state: JobState,
    limit: i64,
) -> Result<Vec<Job>, AppError> {
    let rows: Vec<JobRow> = diesel::sql_query(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE state = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    ))
    .bind::<Text, _>(state.as_str())
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Job::from).collect())
}

pub async fn counts(conn: &mut AsyncPgConnection) -> Result<JobCounts, AppError> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        queued: i64,
        #[diesel(sql_type = BigInt)]
        running: i64,
        #[diesel(sql_type = BigInt)]
        dead: i64,
    }
    let c: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE state = 'queued') AS queued,
                count(*) FILTER (WHERE state = 'running') AS running,
                count(*) FILTER (WHERE state = 'dead') AS dead
         FROM jobs",
    )
    .get_result(conn)
    .await?;
    Ok(JobCounts {
        queued: c.queued,
        running: c.running,
        dead: c.dead,
    })
}

/// Runs a dead or waiting job at once, with all its attempts again. A running job is
/// refused, and so is a dead one whose key a newer job holds.
pub async fn retry(tx: &mut Tx, id: i64) -> Result<Job, AppError> {
    let row: Option<JobRow> = diesel::sql_query(format!(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), updated_at = now()
         WHERE id = $1 AND state IN ('dead', 'queued')
         AND NOT EXISTS (SELECT 1 FROM jobs live
                         WHERE live.key = jobs.key AND live.state <> 'dead' AND live.id <> jobs.id)
         RETURNING {JOB_COLUMNS}"
    ))
    .bind::<BigInt, _>(id)
    .get_result(tx.conn())
    .await
    .map(Some)
    .or_else(|e| match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    })?;
    if let Some(row) = row {
        tx.notify(Notice::Jobs);
        return Ok(row.into());
    }
    let exists: Vec<Id> = diesel::sql_query("SELECT id FROM jobs WHERE id = $1")
        .bind::<BigInt, _>(id)
        .load(tx.conn())
        .await?;
    if exists.is_empty() {
        Err(AppError::NotFound)
    } else {
        Err(AppError::invalid(
            "id",
            "this job is running, or a newer job with its key is waiting",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_an_hour() {
        let secs = |failed, jitter| backoff(failed, jitter).as_secs_f64();
        assert_eq!(secs(1, 0.0), 1.0);
        assert_eq!(secs(1, 1.0), 2.0);
        assert_eq!(secs(2, 0.0), 2.0);
        assert_eq!(secs(3, 0.5), 6.0);
        assert_eq!(secs(5, 1.0), 32.0);
        for failed in 1..12 {
            assert!(secs(failed + 1, 0.0) >= secs(failed, 0.0));
            assert!(secs(failed, 0.0) * 2.0 == secs(failed, 1.0));
        }
        assert_eq!(secs(30, 1.0), 3600.0);
        assert_eq!(secs(i32::MAX, 0.0), 1800.0);
        assert_eq!(secs(0, 0.0), 1.0, "a retry never waits less than the first");
    }
}
