//! Phone codes and verified numbers.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bytea, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::AppError;

/// Why a code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::SignIn => "sign_in",
        }
    }
}

/// Codes sent since `since`: to this user (for this purpose), to this number, and to this
/// client address; and when the last one to the user was sent.
#[derive(Debug, QueryableByName)]
pub struct Sent {
    #[diesel(sql_type = BigInt)]
    pub to_user: i64,
    #[diesel(sql_type = BigInt)]
    pub to_phone: i64,
    #[diesel(sql_type = BigInt)]
    pub from_addr: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_to_user: Option<DateTime<Utc>>,
}

pub async fn sent_since(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    purpose: Purpose,
    phone: &str,
    addr: &str,
    since: DateTime<Utc>,
) -> Result<Sent, AppError> {
    Ok(diesel::sql_query(
        "SELECT
             count(*) FILTER (WHERE user_id = $1 AND purpose = $2) AS to_user,
             count(*) FILTER (WHERE phone = $3) AS to_phone,
             count(*) FILTER (WHERE client_addr = $4) AS from_addr,
             max(sent_at) FILTER (WHERE user_id = $1 AND purpose = $2) AS last_to_user
         FROM phone_codes
         WHERE sent_at >= $5 AND (user_id = $1 OR phone = $3 OR client_addr = $4)",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(purpose.as_str())
    .bind::<Text, _>(phone)
    .bind::<Text, _>(addr)
    .bind::<Timestamptz, _>(since)
    .get_result(conn)
    .await?)
}

/// Records a code sent; earlier unused codes of the same user and purpose stop working.
#[allow(clippy::too_many_arguments)]
pub async fn insert_code(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    purpose: Purpose,
    phone: &str,
    code_hash: &[u8],
    addr: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::sql_query(
        "WITH retired AS (
             UPDATE phone_codes SET used_at = $6
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL)
         INSERT INTO phone_codes (user_id, purpose, phone, code_hash, client_addr, sent_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(purpose.as_str())
    .bind::<Text, _>(phone)
    .bind::<Bytea, _>(code_hash)
    .bind::<Text, _>(addr)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The code waiting for `user_id`, with this attempt counted (committed before it is
/// checked, so a burst of guesses cannot pass the limit).
#[derive(Debug, QueryableByName)]
pub struct Waiting {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub phone: String,
    #[diesel(sql_type = Bytea)]
    pub code_hash: Vec<u8>,
    /// Including this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

pub async fn count_attempt(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<Waiting>, AppError> {
    let rows: Vec<Waiting> = diesel::sql_query(
        "UPDATE phone_codes SET attempts = attempts + 1
         WHERE id = (
             SELECT id FROM phone_codes
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
             ORDER BY sent_at DESC LIMIT 1)
         RETURNING id, phone, code_hash, attempts",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(purpose.as_str())
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next())
}

/// The number the live code of `user_id` was sent to.
pub async fn waiting_phone(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        phone: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT phone FROM phone_codes
         WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
           AND attempts < $4
         ORDER BY sent_at DESC LIMIT 1",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(purpose.as_str())
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(super::ops::MAX_ATTEMPTS)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| r.phone))
}

pub async fn mark_used(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::sql_query("UPDATE phone_codes SET used_at = $2 WHERE id = $1")
        .bind::<BigInt, _>(id)
        .bind::<Timestamptz, _>(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whose verified number `phone` is.
pub async fn owner(conn: &mut AsyncPgConnection, phone: &str) -> Result<Option<i64>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT id FROM users WHERE phone = $1")
        .bind::<Text, _>(phone)
        .load(conn)
        .await?;
    Ok(rows.into_iter().next().map(|r| r.id))
}

/// Sets (or clears) a user's verified number; false when another account has it.
pub async fn set_phone(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    phone: Option<&str>,
) -> Result<bool, AppError> {
    let result = diesel::sql_query("UPDATE users SET phone = $2, updated_at = now() WHERE id = $1")
        .bind::<BigInt, _>(user_id)
        .bind::<Nullable<Text>, _>(phone)
        .execute(conn)
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
