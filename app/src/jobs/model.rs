//! Jobs as admins see them (also in the browser).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time (`run_at`), or for a worker.
    Queued,
    /// Claimed by a worker, under a lease.
    Running,
    /// Failed its last attempt; kept with its error until retried.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(Self::Queued),
            "running" => Some(Self::Running),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// One job row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub key: Option<String>,
    pub state: JobState,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub dead: i64,
}

/// What the admin page shows: the counts, and the jobs in one state (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsView {
    pub counts: JobCounts,
    pub state: JobState,
    pub jobs: Vec<Job>,
}
