//! Housekeeping while serving: expired sessions and old sign-in attempts are removed hourly.
//! Safe to run in several processes at once (plain deletes).

use std::time::Duration;

use app::auth::{ops, session::PgSessionStore};
use app::state::AppState;

const EVERY: Duration = Duration::from_secs(60 * 60);

/// Runs forever; spawn it.
pub async fn run(state: AppState) {
    // Only deletes expired rows, so it trusts nothing it has seen.
    let sessions = PgSessionStore::new(state.pool.clone(), state.caches.clone());
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        match sessions.delete_expired().await {
            Ok(n) => tracing::debug!(removed = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
        match ops::prune_sign_in_attempts(&state).await {
            Ok(n) => tracing::debug!(removed = n, "old sign-in attempts removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove old sign-in attempts"),
        }
    }
}
