//! Account queries. Everything that reads a user's rows goes through their id.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{AccountStatus, ApiToken, Role, User};
use crate::db::schema::{api_tokens, sign_in_attempts, users};
use crate::error::AppError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    email: String,
    phone: Option<String>,
    display_name: String,
    timezone: String,
    currency: String,
    default_meeting_minutes: i32,
    reminder_minutes: Vec<i32>,
    role: String,
    status: String,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            name: r.display_name,
            phone: r.phone,
            timezone: r.timezone,
            currency: r.currency,
            default_meeting_minutes: r.default_meeting_minutes,
            reminder_minutes: r.reminder_minutes,
            role: Role::parse(&r.role).unwrap_or(Role::User),
            status: AccountStatus::parse(&r.status).unwrap_or(AccountStatus::Disabled),
        }
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub status: AccountStatus,
}

/// Inserts a user; `None` when the email already has an account.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: NewUser<'_>,
) -> Result<Option<User>, AppError> {
    let result = diesel::insert_into(users::table)
        .values((
            users::email.eq(new.email),
            users::password_hash.eq(new.password_hash),
            users::display_name.eq(new.name),
            users::role.eq(new.role.as_str()),
            users::status.eq(new.status.as_str()),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await;
    match result {
        Ok(row) => Ok(Some(row.into())),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> Result<User, AppError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await?
        .into())
}

/// The user and their password hash, by (lower-cased) email.
/// The active account whose verified phone is `phone`.
pub async fn find_by_phone(
    conn: &mut AsyncPgConnection,
    phone: &str,
) -> Result<Option<User>, AppError> {
    Ok(users::table
        .filter(users::phone.eq(phone))
        .filter(users::status.eq(AccountStatus::Active.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?
        .map(User::from))
}

pub async fn find_credentials(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<(User, String)>, AppError> {
    let row = users::table
        .filter(users::email.eq(email))
        .select((UserRow::as_select(), users::password_hash))
        .first::<(UserRow, String)>(conn)
        .await
        .optional()?;
    Ok(row.map(|(u, h)| (u.into(), h)))
}

pub async fn password_hash(conn: &mut AsyncPgConnection, id: i64) -> Result<String, AppError> {
    Ok(users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)
        .await?)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    status: Option<AccountStatus>,
) -> Result<Vec<User>, AppError> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::created_at.asc())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    Ok(query
        .load(conn)
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// Moves a user from one of `from` to `to`; `NotFound` if no such user is in one of `from`.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: i64,
    from: &[AccountStatus],
    to: AccountStatus,
) -> Result<User, AppError> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    Ok(
        diesel::update(users::table.find(id).filter(users::status.eq_any(from)))
            .set((
                users::status.eq(to.as_str()),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await?
            .into(),
    )
}

/// Deletes a user who is still waiting for approval.
pub async fn delete_pending(conn: &mut AsyncPgConnection, id: i64) -> Result<(), AppError> {
    let deleted = diesel::delete(
        users::table
            .find(id)
            .filter(users::status.eq(AccountStatus::Pending.as_str())),
    )
    .execute(conn)
    .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub struct ProfileChange<'a> {
    pub name: &'a str,
    pub timezone: &'a str,
    pub currency: &'a str,
    pub default_meeting_minutes: i32,
    pub reminder_minutes: &'a [i32],
}

pub async fn update_profile(
    conn: &mut AsyncPgConnection,
    id: i64,
    change: ProfileChange<'_>,
) -> Result<User, AppError> {
    Ok(diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(change.name),
            users::timezone.eq(change.timezone),
            users::currency.eq(change.currency),
            users::default_meeting_minutes.eq(change.default_meeting_minutes),
            users::reminder_minutes.eq(change.reminder_minutes),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

pub async fn set_password_hash(
    conn: &mut AsyncPgConnection,
    id: i64,
    hash: &str,
) -> Result<(), AppError> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed sign-ins since `since` for this email and for this client address.
/// Failed sign-ins from this address since `since`, and when it last tried at all.
pub async fn address_failures(
    conn: &mut AsyncPgConnection,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), AppError> {
    let from_addr = sign_in_attempts::table
        .filter(sign_in_attempts::client_addr.eq(client_addr))
        .filter(sign_in_attempts::attempted_at.gt(since));
    let failed = from_addr
        .filter(sign_in_attempts::succeeded.eq(false))
        .count()
        .get_result(conn)
        .await?;
    let last = from_addr
        .select(diesel::dsl::max(sign_in_attempts::attempted_at))
        .first(conn)
        .await?;
    Ok((failed, last))
}

/// Failed sign-ins for this account from this address since `since`.
pub async fn pair_failures(
    conn: &mut AsyncPgConnection,
    email: &str,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sign_in_attempts::table
        .filter(sign_in_attempts::client_addr.eq(client_addr))
        .filter(sign_in_attempts::email.eq(email))
        .filter(sign_in_attempts::succeeded.eq(false))
        .filter(sign_in_attempts::attempted_at.gt(since))
        .count()
        .get_result(conn)
        .await?)
}

pub async fn record_sign_up(
    conn: &mut AsyncPgConnection,
    client_addr: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::sql_query("INSERT INTO sign_ups (client_addr, attempted_at) VALUES ($1, $2)")
        .bind::<diesel::sql_types::Text, _>(client_addr)
        .bind::<diesel::sql_types::Timestamptz, _>(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sign-ups asked for from `client_addr` since `since`.
pub async fn sign_ups_since(
    conn: &mut AsyncPgConnection,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<i64, AppError> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM sign_ups WHERE client_addr = $1 AND attempted_at > $2",
    )
    .bind::<diesel::sql_types::Text, _>(client_addr)
    .bind::<diesel::sql_types::Timestamptz, _>(since)
    .get_result(conn)
    .await?;
    Ok(row.n)
}

pub async fn prune_sign_ups(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(
        diesel::sql_query("DELETE FROM sign_ups WHERE attempted_at < $1")
            .bind::<diesel::sql_types::Timestamptz, _>(before)
            .execute(conn)
            .await?,
    )
}

/// Forgets sign-in attempts older than `before`; returns how many.
pub async fn prune_attempts(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(
        diesel::delete(sign_in_attempts::table.filter(sign_in_attempts::attempted_at.lt(before)))
            .execute(conn)
            .await?,
    )
}

/// Records an attempt as failed, before its password is checked (so a burst of guesses
/// cannot pass the limits); returns its id, for [`attempt_succeeded`].
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    email: &str,
    client_addr: &str,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(diesel::insert_into(sign_in_attempts::table)
        .values((
            sign_in_attempts::email.eq(email),
            sign_in_attempts::client_addr.eq(client_addr),
            sign_in_attempts::succeeded.eq(false),
            sign_in_attempts::attempted_at.eq(at),
        ))
        .returning(sign_in_attempts::id)
        .get_result(conn)
        .await?)
}

pub async fn attempt_succeeded(conn: &mut AsyncPgConnection, id: i64) -> Result<(), AppError> {
    diesel::update(sign_in_attempts::table.find(id))
        .set(sign_in_attempts::succeeded.eq(true))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i64,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
        }
    }
}

pub async fn insert_token(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    name: &str,
    hash: &[u8],
    expires_at: Option<DateTime<Utc>>,
) -> Result<ApiToken, AppError> {
    Ok(diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(TokenRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

pub async fn list_tokens(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Vec<ApiToken>, AppError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(TokenRow::as_select())
        .load(conn)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// Revokes every token of the user; how many there were.
pub async fn delete_tokens(conn: &mut AsyncPgConnection, user_id: i64) -> Result<usize, AppError> {
    Ok(
        diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id)))
            .execute(conn)
            .await?,
    )
}

/// Removes tokens that expired before `now`; how many.
pub async fn delete_expired_tokens(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(
        diesel::delete(api_tokens::table.filter(api_tokens::expires_at.lt(now)))
            .execute(conn)
            .await?,
    )
}

pub async fn delete_token(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    token_id: i64,
) -> Result<(), AppError> {
    let deleted = diesel::delete(
        api_tokens::table
            .find(token_id)
            .filter(api_tokens::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The owner of a token. Its last use is recorded at most once a minute, so a busy client
/// does not queue every request behind a write to the same row.
pub async fn user_for_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<User>, AppError> {
    let found: Option<(UserRow, i64, Option<DateTime<Utc>>)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(now)),
        )
        .select((
            UserRow::as_select(),
            api_tokens::id,
            api_tokens::last_used_at,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((user, token_id, last_used_at)) = found else {
        return Ok(None);
    };
    if last_used_at.is_none_or(|at| now - at >= chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)
            .await?;
    }
    Ok(Some(user.into()))
}
