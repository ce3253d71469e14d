//! Adding and verifying a phone, and signing in with one.
//!
//! A code is six digits, sent by SMS through the outbox in the transaction that records it;
//! only a hash is kept. It expires after [`CODE_LIFETIME`], allows [`MAX_ATTEMPTS`] tries
//! (each counted before it is checked), and a new one replaces it. Codes are limited per
//! account ([`COOLDOWN`] apart, [`PER_HOUR`] an hour), per number and per client address.

use chrono::Duration;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::model;
use super::store::{self, Purpose};
use crate::auth::model::{AccountStatus, User};
use crate::db::notify::Notice;
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::sms::outbox::{self, Message};
use crate::state::AppState;

pub const CODE_LIFETIME: Duration = Duration::minutes(10);
pub const MAX_ATTEMPTS: i32 = 5;
pub const COOLDOWN: Duration = Duration::seconds(60);
/// Codes an hour per account, and per number.
pub const PER_HOUR: i64 = 5;
/// Codes an hour asked for from one client address.
pub const PER_ADDRESS_HOUR: i64 = 10;

fn hash(phone: &str, code: &str) -> Vec<u8> {
    Sha256::digest(format!("{phone}:{code}").as_bytes()).to_vec()
}

/// Sends a code to `phone` for `user`, unless a limit says wait.
async fn send_code(
    state: &AppState,
    user: &User,
    purpose: Purpose,
    phone: &str,
    addr: &str,
) -> Result<(), AppError> {
    let now = state.now();
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let body = match purpose {
        Purpose::Verify => format!(
            "Your Aida code is {code}. It expires in 10 minutes. If you did not ask for it, \
             ignore this text."
        ),
        Purpose::SignIn => {
            format!("Your Aida sign-in code is {code}. It expires in 10 minutes. Never share it.")
        }
    };
    state
        .write(async |tx| {
            let sent = store::sent_since(
                tx.conn(),
                user.id,
                purpose,
                phone,
                addr,
                now - Duration::hours(1),
            )
            .await?;
            let cooling = sent.last_to_user.is_some_and(|at| now - at < COOLDOWN);
            if cooling
                || sent.to_user >= PER_HOUR
                || sent.to_phone >= PER_HOUR
                || sent.from_addr >= PER_ADDRESS_HOUR
            {
                tracing::warn!(user_id = user.id, "phone code rate limited");
                return Err(AppError::RateLimited);
            }
            store::insert_code(
                tx.conn(),
                user.id,
                purpose,
                phone,
                &hash(phone, &code),
                addr,
                now,
                now + CODE_LIFETIME,
            )
            .await?;
            outbox::queue(
                tx,
                state,
                Message::new(Some(user.id), phone, &body, outbox::Purpose::Code),
            )
            .await?;
            Ok(())
        })
        .await
}

/// Checks `code` against the one waiting for `user`; the number it was sent to.
async fn check_code(
    state: &AppState,
    user_id: i64,
    purpose: Purpose,
    code: &str,
) -> Result<Option<(i64, String)>, AppError> {
    let now = state.now();
    // Counted, and committed, before the code is compared.
    let waiting = {
        let mut conn = db::conn(&state.pool).await?;
        store::count_attempt(&mut conn, user_id, purpose, now).await?
    };
    let Some(waiting) = waiting else {
        return Ok(None);
    };
    if waiting.attempts > MAX_ATTEMPTS {
        return Ok(None);
    }
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    Ok(
        crate::secret::same(&hash(&waiting.phone, &code), &waiting.code_hash)
            .then_some((waiting.id, waiting.phone)),
    )
}

/// Sends a code to `typed` (read in the user's timezone) to verify it as `user`'s number.
pub async fn add(
    state: &AppState,
    user: &User,
    typed: &str,
    addr: &str,
) -> Result<String, AppError> {
    let phone = model::read(typed, user.tz())?;
    if user.phone.as_deref() == Some(phone.as_str()) {
        return Err(AppError::invalid(
            "phone",
            "this number is already verified",
        ));
    }
    {
        let mut conn = db::conn(&state.pool).await?;
        if store::owner(&mut conn, &phone).await?.is_some() {
            return Err(AppError::invalid(
                "phone",
                "this number is verified by another account",
            ));
        }
        if crate::sms::outbox::is_opted_out(&mut conn, &phone).await? {
            return Err(AppError::invalid(
                "phone",
                "this number has opted out of texts from Aida: text START to Aida's number, then try again",
            ));
        }
    }
    send_code(state, user, Purpose::Verify, &phone, addr).await?;
    Ok(phone)
}

/// Verifies the number a code was sent to; the user as now stored.
pub async fn verify(state: &AppState, user: &User, code: &str) -> Result<User, AppError> {
    let wrong = || {
        AppError::invalid(
            "code",
            "that code is wrong or has expired: ask for a new one",
        )
    };
    let Some((code_id, phone)) = check_code(state, user.id, Purpose::Verify, code).await? else {
        return Err(wrong());
    };
    state
        .write(async |tx| {
            let now = tx.now();
            store::mark_used(tx.conn(), code_id, now).await?;
            if !store::set_phone(tx.conn(), user.id, Some(&phone)).await? {
                return Err(AppError::invalid(
                    "phone",
                    "this number was verified by another account meanwhile",
                ));
            }
            tx.notify(Notice::Account(user.id));
            Ok(())
        })
        .await?;
    crate::auth::ops::active_user(state, user.id).await
}

/// Gives `user` the number `phone` without a code: for an operator's own account (the demo).
pub async fn assign(state: &AppState, user: &User, phone: &str) -> Result<(), AppError> {
    let phone = model::read(phone, user.tz())?;
    state
        .write(async |tx| {
            if !store::set_phone(tx.conn(), user.id, Some(&phone)).await? {
                return Err(AppError::invalid(
                    "phone",
                    "this number is verified by another account",
                ));
            }
            tx.notify(Notice::Account(user.id));
            Ok(())
        })
        .await
}

/// Forgets `user`'s number: texts from it no longer reach the account.
pub async fn remove(state: &AppState, user: &User) -> Result<(), AppError> {
    state
        .write(async |tx| {
            store::set_phone(tx.conn(), user.id, None).await?;
            tx.notify(Notice::Account(user.id));
            Ok(())
        })
        .await
}

/// The active account whose verified number is `phone`.
async fn account_for(state: &AppState, phone: &str) -> Result<Option<User>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let user = crate::auth::store::find_by_phone(&mut conn, phone).await?;
    Ok(user.filter(|u| u.status == AccountStatus::Active))
}

/// Sends a sign-in code to `typed` when an account has verified it. Answers the same either
/// way, so nobody learns whose number is whose.
pub async fn send_sign_in_code(state: &AppState, typed: &str, addr: &str) -> Result<(), AppError> {
    let phone = model::read(typed, chrono_tz::UTC)?;
    match account_for(state, &phone).await? {
        Some(user) => send_code(state, &user, Purpose::SignIn, &phone, addr).await,
        None => {
            tracing::info!("a sign-in code was asked for a number no account has");
            Ok(())
        }
    }
}

/// The account signing in with `phone` and `code`.
pub async fn sign_in(state: &AppState, typed: &str, code: &str) -> Result<User, AppError> {
    let phone = model::read(typed, chrono_tz::UTC).map_err(|_| AppError::BadCredentials)?;
    let Some(user) = account_for(state, &phone).await? else {
        return Err(AppError::BadCredentials);
    };
    let Some((code_id, sent_to)) = check_code(state, user.id, Purpose::SignIn, code).await? else {
        return Err(AppError::BadCredentials);
    };
    if sent_to != phone {
        return Err(AppError::BadCredentials);
    }
    state
        .write(async |tx: &mut Tx| {
            let now = tx.now();
            store::mark_used(tx.conn(), code_id, now).await
        })
        .await?;
    Ok(user)
}

/// The number a verification code waits to be entered for, if any.
pub async fn pending(state: &AppState, user: &User) -> Result<Option<String>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::waiting_phone(&mut conn, user.id, Purpose::Verify, state.now()).await
}
