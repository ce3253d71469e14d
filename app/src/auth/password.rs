//! Password hashing with argon2id, off the async threads, at most one hash per CPU at once: a
//! burst of sign-ins waits its turn instead of taking every blocking thread (and the memory
//! argon2 takes per hash) from the rest of the server.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

/// A hash of a password nobody has, checked when the email is unknown so that a wrong email
/// and a wrong password take the same time. Made by the same hasher as real ones (so it always
/// parses and costs the same), once per process: [`prepare`] makes it at start-up.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let salt = SaltString::generate(&mut OsRng);
    match Argon2::default().hash_password(&secret, &salt) {
        Ok(hash) => hash.to_string(),
        // Argon2's default parameters cannot fail on 32 bytes; should they, every check of an
        // unknown email fails slowly rather than fast.
        Err(e) => panic!("cannot make the decoy password hash: {e}"),
    }
});

/// Hashes computed at once, at most.
fn at_once() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

static TURNS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(at_once()));

/// Hashes being computed now, and the most seen at once (for tests of the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The most hashes this process has computed at once.
pub fn most_at_once() -> usize {
    MOST_RUNNING.load(Ordering::Relaxed)
}

/// Runs `work` (one hash) on a blocking thread once a turn is free.
async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _turn = TURNS.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::Relaxed) + 1;
        MOST_RUNNING.fetch_max(now, Ordering::Relaxed);
        let result = work();
        RUNNING.fetch_sub(1, Ordering::Relaxed);
        result
    })
    .await
    .ok()
}

/// Makes the decoy hash now rather than on the first sign-in with an unknown email.
pub fn prepare() {
    LazyLock::force(&DECOY_HASH);
}

pub async fn hash(password: String) -> Result<String, AppError> {
    in_turn(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })
    })
    .await
    .ok_or(AppError::Internal)?
}

/// Whether `password` matches `stored`; with `None`, checks against a decoy and answers false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    in_turn(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_is_a_hash_like_the_real_ones() {
        let decoy = PasswordHash::new(&DECOY_HASH).expect("the decoy parses");
        let real_hash = tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(hash("correct horse battery".into()))
            .expect("hash");
        let real = PasswordHash::new(&real_hash).expect("parses");
        assert_eq!(decoy.algorithm, real.algorithm);
        assert_eq!(decoy.params, real.params, "the same cost as a real check");
    }

    #[test]
    fn no_more_hashes_run_at_once_than_there_are_cpus() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .max_blocking_threads(64)
            .build()
            .expect("runtime");
        let checks = (0..4 * at_once() + 2).map(|_| verify("guess".into(), None));
        let results = runtime.block_on(futures::future::join_all(checks));
        assert!(results.iter().all(|ok| !ok));
        assert!(most_at_once() >= 1);
        assert!(
            most_at_once() <= at_once(),
            "{} at once with {} CPUs",
            most_at_once(),
            at_once()
        );
    }
}
