//! Password hashing with argon2id, off the async threads.

use std::sync::LazyLock;

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

/// Makes the decoy hash now rather than on the first sign-in with an unknown email.
pub fn prepare() {
    LazyLock::force(&DECOY_HASH);
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
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
    .map_err(|_| AppError::Internal)?
}

/// Whether `password` matches `stored`; with `None`, checks against a decoy and answers false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
}
