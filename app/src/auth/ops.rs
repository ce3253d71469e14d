//! What a person can do with accounts: sign up, sign in, manage their profile and tokens, and
//! (admins) approve or disable others. Every door calls these.

use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::model::{AccountStatus, ApiToken, NewApiToken, PasswordChanged, Role, User, rules};
use super::{password, store};
use crate::db;
use crate::db::notify::Notice;
use crate::error::{AppError, Validator};
use crate::secret::Secret;
use crate::state::AppState;

/// Failed sign-ins allowed per account, and per client address, within the window.
/// Wrong passwords for one account from one address before that address is stopped for it.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Wrong passwords from one address (any accounts) before it is slowed down.
const MAX_FAILURES_PER_ADDRESS: i64 = 20;
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Sign-ups one client address may ask for in an hour.
pub const SIGN_UPS_PER_HOUR: i64 = 10;
/// A flooding address may try once this often.
const FLOODING_ADDRESS_PAUSE: Duration = Duration::seconds(30);

#[derive(Debug, Clone)]
pub struct SignUp {
    pub email: String,
    pub password: Secret,
    pub name: String,
}

/// Creates an account that waits for an admin's approval. It answers the same, after the same
/// work, whether or not the email already has an account, so a sign-up tells nobody who uses
/// Aida; the existing account is left as it is. Each costs a password hash, so one client
/// address may ask [`SIGN_UPS_PER_HOUR`] times an hour (counted before the hash).
pub async fn sign_up(state: &AppState, input: SignUp, client_addr: &str) -> Result<(), AppError> {
    let now = state.now();
    {
        let mut conn = db::conn(&state.pool).await?;
        store::record_sign_up(&mut conn, client_addr, now).await?;
        let recent =
            store::sign_ups_since(&mut conn, client_addr, now - Duration::hours(1)).await?;
        if recent > SIGN_UPS_PER_HOUR {
            tracing::warn!(client_addr, "sign-ups rate limited");
            return Err(AppError::RateLimited);
        }
    }
    match create_account(state, input, Role::User, AccountStatus::Pending).await? {
        Some(user) => tracing::info!(user_id = user.id, "sign-up waiting for approval"),
        None => tracing::info!("sign-up for an email that has an account; nothing changed"),
    }
    Ok(())
}

/// Creates an active admin (the `aida admin create` command and the demo account).
pub async fn create_admin(state: &AppState, input: SignUp) -> Result<User, AppError> {
    create_account(state, input, Role::Admin, AccountStatus::Active)
        .await?
        .ok_or_else(|| AppError::invalid("email", "an account with this email already exists"))
}

async fn create_account(
    state: &AppState,
    input: SignUp,
    role: Role,
    status: AccountStatus,
) -> Result<Option<User>, AppError> {
    let mut v = Validator::default();
    let email = rules::email(&mut v, &input.email);
    rules::password(&mut v, "password", input.password.expose());
    let name = rules::name(&mut v, &input.name);
    v.finish(())?;
    let hash = password::hash(input.password.expose().to_owned()).await?;
    let mut conn = db::conn(&state.pool).await?;
    store::insert(
        &mut conn,
        store::NewUser {
            email: &email,
            password_hash: &hash,
            name: &name,
            role,
            status,
        },
    )
    .await
}

/// Checks an email and password. A wrong email and a wrong password give the same error after
/// the same work; accounts that are pending or disabled are refused after a correct password.
///
/// Wrong guesses stop the guesser, never the owner: after 5 for one account from one address
/// (15 minutes), that address is refused for that account; after 20 from one address, it may
/// try once every 30 seconds (a right password for any account still works). Each attempt is
/// counted, and committed, before its password is checked; no connection is held while the
/// password is hashed.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password_text: &str,
    client_addr: &str,
) -> Result<User, AppError> {
    let email = email.trim().to_lowercase();
    let now = state.now();
    let mut conn = db::conn(&state.pool).await?;
    let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let (by_addr, last_try) = store::address_failures(&mut conn, client_addr, since).await?;
    if by_addr >= MAX_FAILURES_PER_ADDRESS
        && last_try.is_some_and(|at| now - at < FLOODING_ADDRESS_PAUSE)
    {
        tracing::warn!(client_addr, "sign-in slowed: the address floods");
        return Err(AppError::RateLimited);
    }
    // Counted first, then the count (this attempt included) is checked: guesses sent at once
    // cannot all slip under the limit.
    let attempt = store::record_attempt(&mut conn, &email, client_addr, now).await?;
    if store::pair_failures(&mut conn, &email, client_addr, since).await? > MAX_FAILURES_PER_ACCOUNT
    {
        tracing::warn!(client_addr, "sign-in rate limited for this account");
        return Err(AppError::RateLimited);
    }
    let found = store::find_credentials(&mut conn, &email).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    // The connection goes back to the pool while the hash is computed.
    drop(conn);
    let ok = password::verify(password_text.to_owned(), hash).await;
    if ok {
        let mut conn = db::conn(&state.pool).await?;
        store::attempt_succeeded(&mut conn, attempt).await?;
    }
    match user {
        Some(user) if ok => {
            check_active(&user)?;
            Ok(user)
        }
        _ => Err(AppError::BadCredentials),
    }
}

/// Forgets sign-in attempts too old to count toward any limit.
pub async fn prune_sign_in_attempts(tx: &mut crate::db::tx::Tx) -> Result<usize, AppError> {
    let before = tx.now() - Duration::days(1);
    Ok(store::prune_attempts(tx.conn(), before).await?
        + store::prune_sign_ups(tx.conn(), before).await?)
}

/// Refuses accounts that may not act.
pub fn check_active(user: &User) -> Result<(), AppError> {
    match user.status {
        AccountStatus::Active => Ok(()),
        AccountStatus::Pending => Err(AppError::Forbidden(
            "your account is waiting for approval by an administrator".into(),
        )),
        AccountStatus::Disabled => Err(AppError::Forbidden("this account is disabled".into())),
    }
}

/// The signed-in user by id, if they may still act. The row is read again only when
/// `state.caches.users` no longer trusts the copy it holds.
pub async fn active_user(state: &AppState, id: i64) -> Result<User, AppError> {
    let user = match state.caches.users.recent(&id) {
        Some(user) => user,
        None => {
            let ticket = state.caches.users.before_read();
            let mut conn = db::conn(&state.pool).await?;
            let user = match store::find(&mut conn, id).await {
                Err(AppError::NotFound) => return Err(AppError::Unauthenticated),
                other => other?,
            };
            state
                .caches
                .users
                .remember_read(ticket, id, Some(user.clone()));
            user
        }
    };
    check_active(&user)?;
    Ok(user)
}

/// Changes an account in a transaction that tells every process, then remembers the row as
/// written, so the next request here needs no read.
async fn change_account<F>(state: &AppState, write: F) -> Result<User, AppError>
where
    F: for<'t> crate::db::tx::TxFn<'t, User, Fut: Send> + Send,
{
    let user = state
        .write(async |tx| {
            let user = write(tx).await?;
            tx.notify(Notice::Account(user.id));
            Ok(user)
        })
        .await?;
    state.caches.users.remember_write(user.id, user.clone());
    Ok(user)
}

pub fn require_admin(actor: &User) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only administrators can do this".into(),
        ))
    }
}

pub async fn list_users(
    state: &AppState,
    actor: &User,
    status: Option<AccountStatus>,
) -> Result<Vec<User>, AppError> {
    require_admin(actor)?;
    let mut conn = db::conn(&state.pool).await?;
    store::list(&mut conn, status).await
}

pub async fn approve(state: &AppState, actor: &User, id: i64) -> Result<User, AppError> {
    require_admin(actor)?;
    change_account(state, async |tx| {
        store::set_status(
            tx.conn(),
            id,
            &[AccountStatus::Pending],
            AccountStatus::Active,
        )
        .await
    })
    .await
}

/// Turns a waiting sign-up away; the account (which holds nothing yet) is removed.
pub async fn reject(state: &AppState, actor: &User, id: i64) -> Result<(), AppError> {
    require_admin(actor)?;
    state
        .write(async |tx| {
            store::delete_pending(tx.conn(), id).await?;
            tx.notify(Notice::Account(id));
            Ok(())
        })
        .await
}

pub async fn disable(state: &AppState, actor: &User, id: i64) -> Result<User, AppError> {
    require_admin(actor)?;
    if actor.id == id {
        return Err(AppError::invalid(
            "id",
            "you cannot disable your own account",
        ));
    }
    change_account(state, async |tx| {
        store::set_status(
            tx.conn(),
            id,
            &[AccountStatus::Active, AccountStatus::Pending],
            AccountStatus::Disabled,
        )
        .await
    })
    .await
}

pub async fn enable(state: &AppState, actor: &User, id: i64) -> Result<User, AppError> {
    require_admin(actor)?;
    change_account(state, async |tx| {
        store::set_status(
            tx.conn(),
            id,
            &[AccountStatus::Disabled],
            AccountStatus::Active,
        )
        .await
    })
    .await
}

/// A change to the profile; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub default_meeting_minutes: Option<i32>,
    /// Texted reminders, in minutes before each event.
    pub reminder_minutes: Option<Vec<i32>>,
}

pub async fn update_profile(
    state: &AppState,
    actor: &User,
    patch: ProfilePatch,
) -> Result<User, AppError> {
    let mut v = Validator::default();
    let name = rules::name(&mut v, patch.name.as_deref().unwrap_or(&actor.name));
    let timezone = patch.timezone.unwrap_or_else(|| actor.timezone.clone());
    v.check(
        timezone.parse::<chrono_tz::Tz>().is_ok(),
        "timezone",
        "choose a timezone from the list, like Europe/Paris",
    );
    let currency = patch
        .currency
        .map(|c| c.trim().to_uppercase())
        .unwrap_or_else(|| actor.currency.clone());
    v.check(
        crate::money::is_currency_code(&currency),
        "currency",
        "use a three-letter ISO 4217 code, like USD or EUR",
    );
    let minutes = patch
        .default_meeting_minutes
        .unwrap_or(actor.default_meeting_minutes);
    v.check(
        (5..=480).contains(&minutes),
        "default_meeting_minutes",
        "choose between 5 and 480 minutes",
    );
    let reminders = patch
        .reminder_minutes
        .unwrap_or_else(|| actor.reminder_minutes.clone());
    if let Err(message) = crate::reminders::offsets::validate(&reminders) {
        v.check(false, "reminder_minutes", &message);
    }
    v.finish(())?;
    let reminders_changed = reminders != actor.reminder_minutes;
    change_account(state, async |tx| {
        let user = store::update_profile(
            tx.conn(),
            actor.id,
            store::ProfileChange {
                name: &name,
                timezone: &timezone,
                currency: &currency,
                default_meeting_minutes: minutes,
                reminder_minutes: &reminders,
            },
        )
        .await?;
        if reminders_changed {
            crate::reminders::schedule::reschedule_upcoming(tx, user.id).await?;
        }
        Ok(user)
    })
    .await
}

/// Sets a new password once the current one is proven. Every other session of the account
/// ends (`keep` is the session asking, if any); API tokens are revoked too when
/// `revoke_tokens`. All in one transaction.
pub async fn change_password(
    state: &AppState,
    actor: &User,
    current: String,
    new: String,
    keep: Option<String>,
    revoke_tokens: bool,
) -> Result<PasswordChanged, AppError> {
    let mut v = Validator::default();
    rules::password(&mut v, "new_password", &new);
    v.finish(())?;
    let stored = {
        let mut conn = db::conn(&state.pool).await?;
        store::password_hash(&mut conn, actor.id).await?
    };
    if !password::verify(current, Some(stored)).await {
        return Err(AppError::invalid(
            "current_password",
            "this is not your current password",
        ));
    }
    let hash = password::hash(new).await?;
    let changed = state
        .write(async |tx| {
            store::set_password_hash(tx.conn(), actor.id, &hash).await?;
            let sessions_ended = super::session::end_others(tx, actor.id, keep.as_deref()).await?;
            let tokens_revoked = if revoke_tokens {
                store::delete_tokens(tx.conn(), actor.id).await?
            } else {
                0
            };
            Ok(PasswordChanged {
                sessions_ended,
                tokens_revoked,
            })
        })
        .await?;
    tracing::info!(
        user_id = actor.id,
        sessions_ended = changed.sessions_ended,
        tokens_revoked = changed.tokens_revoked,
        "password changed"
    );
    Ok(changed)
}

fn token_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A token the person names in Settings: it lasts until revoked.
pub async fn create_token(
    state: &AppState,
    actor: &User,
    name: &str,
) -> Result<NewApiToken, AppError> {
    make_token(state, actor, name, None).await
}

/// The token `POST /api/auth/sign-in` answers: named for when it was made, it expires after
/// `Settings::sign_in_token_days`, and is listed in Settings until then.
pub async fn sign_in_token(state: &AppState, actor: &User) -> Result<NewApiToken, AppError> {
    let now = state.now();
    let name = format!("API sign-in {}", now.format("%Y-%m-%d %H:%M UTC"));
    let days = chrono::Duration::days(i64::from(state.settings.sign_in_token_days));
    make_token(state, actor, &name, Some(now + days)).await
}

async fn make_token(
    state: &AppState,
    actor: &User,
    name: &str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<NewApiToken, AppError> {
    let name = name.trim();
    let mut v = Validator::default();
    v.check(!name.is_empty(), "name", "give the token a name")
        .check(
            name.chars().count() <= 100,
            "name",
            "use at most 100 characters",
        );
    v.finish(())?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("aida_{}", hex::encode(bytes));
    let mut conn = db::conn(&state.pool).await?;
    let token =
        store::insert_token(&mut conn, actor.id, name, &token_hash(&secret), expires_at).await?;
    Ok(NewApiToken {
        token,
        secret: secret.into(),
    })
}

/// Removes expired tokens (housekeeping); how many.
pub async fn prune_tokens(tx: &mut crate::db::tx::Tx) -> Result<usize, AppError> {
    let now = tx.now();
    store::delete_expired_tokens(tx.conn(), now).await
}

pub async fn list_tokens(state: &AppState, actor: &User) -> Result<Vec<ApiToken>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::list_tokens(&mut conn, actor.id).await
}

pub async fn revoke_token(state: &AppState, actor: &User, id: i64) -> Result<(), AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::delete_token(&mut conn, actor.id, id).await
}

/// The active user a bearer token belongs to.
pub async fn user_for_token(state: &AppState, secret: &str) -> Result<User, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let user = store::user_for_token(&mut conn, &token_hash(secret), state.now())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    check_active(&user)?;
    Ok(user)
}
