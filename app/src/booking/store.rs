//! The booking tables' statements, every one scoped to its owner.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Call, Failure, VoiceBooking};
use super::settings::BookingSettings;
use crate::error::AppError;

#[derive(QueryableByName)]
struct SettingsRow {
    #[diesel(sql_type = Bool)]
    enabled: bool,
    #[diesel(sql_type = Text)]
    timezone: String,
    #[diesel(sql_type = Jsonb)]
    hours: serde_json::Value,
    #[diesel(sql_type = Array<Integer>)]
    lengths: Vec<i32>,
    #[diesel(sql_type = Integer)]
    buffer_minutes: i32,
    #[diesel(sql_type = Integer)]
    notice_minutes: i32,
    #[diesel(sql_type = Integer)]
    horizon_days: i32,
    #[diesel(sql_type = Nullable<Text>)]
    business_phone: Option<String>,
    #[diesel(sql_type = Bool)]
    confirm_callers: bool,
    #[diesel(sql_type = Array<Text>)]
    agent_ids: Vec<String>,
    #[diesel(sql_type = Text)]
    webhook_token: String,
}

impl SettingsRow {
    fn into_settings(self) -> BookingSettings {
        BookingSettings {
            enabled: self.enabled,
            timezone: self.timezone,
            hours: serde_json::from_value(self.hours).unwrap_or_default(),
            lengths: self.lengths,
            buffer_minutes: self.buffer_minutes,
            notice_minutes: self.notice_minutes,
            horizon_days: self.horizon_days,
            business_phone: self.business_phone,
            confirm_callers: self.confirm_callers,
            agent_ids: self.agent_ids,
            webhook_token: self.webhook_token,
        }
    }
}

const SETTINGS: &str = "SELECT s.enabled, s.timezone, s.hours, s.lengths, s.buffer_minutes, \
     s.notice_minutes, s.horizon_days, s.business_phone, s.confirm_callers, s.webhook_token, \
     ARRAY(SELECT a.agent_id FROM booking_agents a WHERE a.user_id = s.user_id \
           ORDER BY a.agent_id) AS agent_ids \
     FROM booking_settings s WHERE s.user_id = $1";

/// The owner's saved settings, if they ever saved any.
pub async fn settings(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Option<BookingSettings>, AppError> {
    let row: Option<SettingsRow> = diesel::sql_query(SETTINGS)
        .bind::<BigInt, _>(user_id)
        .get_result(conn)
        .await
        .map(Some)
        .or_else(not_found_is_none)?;
    Ok(row.map(SettingsRow::into_settings))
}

/// Inserts the settings row; `on_conflict` says what an existing one does.
async fn write_settings(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    s: &BookingSettings,
    now: DateTime<Utc>,
    on_conflict: &str,
) -> Result<(), AppError> {
    let hours = serde_json::to_value(&s.hours).map_err(|_| AppError::Internal)?;
    diesel::sql_query(format!(
        "INSERT INTO booking_settings (user_id, enabled, timezone, hours, lengths, \
         buffer_minutes, notice_minutes, horizon_days, business_phone, confirm_callers, \
         webhook_token, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (user_id) {on_conflict}"
    ))
    .bind::<BigInt, _>(user_id)
    .bind::<Bool, _>(s.enabled)
    .bind::<Text, _>(&s.timezone)
    .bind::<Jsonb, _>(hours)
    .bind::<Array<Integer>, _>(&s.lengths)
    .bind::<Integer, _>(s.buffer_minutes)
    .bind::<Integer, _>(s.notice_minutes)
    .bind::<Integer, _>(s.horizon_days)
    .bind::<Nullable<Text>, _>(s.business_phone.as_deref())
    .bind::<Bool, _>(s.confirm_callers)
    .bind::<Text, _>(&s.webhook_token)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(())
}

fn not_found_is_none<T>(e: diesel::result::Error) -> Result<Option<T>, diesel::result::Error> {
    match e {
        diesel::result::Error::NotFound => Ok(None),
        other => Err(other),
    }
}

/// Saves `s` (with no agents) as the owner's settings unless they have some.
pub async fn add_settings(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    s: &BookingSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    write_settings(conn, user_id, s, now, "DO NOTHING").await
}

/// Saves `s` as the owner's settings, agents included. An agent another owner has is
/// refused (`Invalid` on `agent_ids`).
pub async fn save_settings(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    s: &BookingSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    write_settings(
        conn,
        user_id,
        s,
        now,
        "DO UPDATE SET enabled = $2, timezone = $3, hours = $4, lengths = $5, \
         buffer_minutes = $6, notice_minutes = $7, horizon_days = $8, business_phone = $9, \
         confirm_callers = $10, updated_at = $12",
    )
    .await?;
    diesel::sql_query("DELETE FROM booking_agents WHERE user_id = $1 AND agent_id <> ALL($2)")
        .bind::<BigInt, _>(user_id)
        .bind::<Array<Text>, _>(&s.agent_ids)
        .execute(conn)
        .await?;
    let added = diesel::sql_query(
        "INSERT INTO booking_agents (agent_id, user_id) SELECT unnest($2::text[]), $1 \
         ON CONFLICT (agent_id) DO NOTHING",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Array<Text>, _>(&s.agent_ids)
    .execute(conn)
    .await?;
    let theirs: Vec<Owner> = diesel::sql_query(
        "SELECT user_id FROM booking_agents WHERE agent_id = ANY($1) AND user_id <> $2",
    )
    .bind::<Array<Text>, _>(&s.agent_ids)
    .bind::<BigInt, _>(user_id)
    .load(conn)
    .await?;
    if !theirs.is_empty() {
        return Err(AppError::invalid(
            "agent_ids",
            "an agent here already books for another account",
        ));
    }
    tracing::debug!(user_id, added, "booking agents saved");
    Ok(())
}

#[derive(QueryableByName)]
struct Owner {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
}

/// The owner a Retell agent books for.
pub async fn owner_of_agent(
    conn: &mut AsyncPgConnection,
    agent_id: &str,
) -> Result<Option<i64>, AppError> {
    let row: Option<Owner> =
        diesel::sql_query("SELECT user_id FROM booking_agents WHERE agent_id = $1")
            .bind::<Text, _>(agent_id)
            .get_result(conn)
            .await
            .map(Some)
            .or_else(not_found_is_none)?;
    Ok(row.map(|o| o.user_id))
}

/// The owner a webhook token names.
pub async fn owner_of_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> Result<Option<i64>, AppError> {
    let row: Option<Owner> =
        diesel::sql_query("SELECT user_id FROM booking_settings WHERE webhook_token = $1")
            .bind::<Text, _>(token)
            .get_result(conn)
            .await
            .map(Some)
            .or_else(not_found_is_none)?;
    Ok(row.map(|o| o.user_id))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    count: i32,
}

/// Counts one more request from the owner in `minute`; the count so far.
pub async fn count_request(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    minute: DateTime<Utc>,
) -> Result<i32, AppError> {
    let row: Count = diesel::sql_query(
        "INSERT INTO voice_request_counts (user_id, minute, count) VALUES ($1, $2, 1) \
         ON CONFLICT (user_id, minute) DO UPDATE SET count = voice_request_counts.count + 1 \
         RETURNING count",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Timestamptz, _>(minute)
    .get_result(conn)
    .await?;
    Ok(row.count)
}

/// Forgets request counts from before `before`.
pub async fn prune_counts(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(
        diesel::sql_query("DELETE FROM voice_request_counts WHERE minute < $1")
            .bind::<Timestamptz, _>(before)
            .execute(conn)
            .await?,
    )
}

/// Holds the owner's bookings until the transaction ends, so two callers asking for one slot
/// at the same moment are decided one after the other.
pub async fn lock_owner(conn: &mut AsyncPgConnection, user_id: i64) -> Result<(), AppError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('booking:' || $1, 0))")
        .bind::<Text, _>(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct BookingRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    call_id: String,
    #[diesel(sql_type = Timestamptz)]
    starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    ends_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<BigInt>)]
    event_id: Option<i64>,
    #[diesel(sql_type = Text)]
    customer_name: String,
    #[diesel(sql_type = Text)]
    customer_phone: String,
    #[diesel(sql_type = Text)]
    notes: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

impl From<BookingRow> for VoiceBooking {
    fn from(r: BookingRow) -> Self {
        Self {
            id: r.id,
            call_id: r.call_id,
            start: r.starts_at,
            end: r.ends_at,
            event_id: r.event_id,
            customer_name: r.customer_name,
            customer_phone: r.customer_phone,
            notes: r.notes,
            created_at: r.created_at,
        }
    }
}

const BOOKING: &str = "SELECT id, call_id, starts_at, ends_at, event_id, customer_name, \
     customer_phone, notes, created_at FROM voice_bookings";

/// The booking a call already made at `start`.
pub async fn find_booking(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    call_id: &str,
    start: DateTime<Utc>,
) -> Result<Option<VoiceBooking>, AppError> {
    let row: Option<BookingRow> = diesel::sql_query(format!(
        "{BOOKING} WHERE user_id = $1 AND call_id = $2 AND starts_at = $3"
    ))
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(call_id)
    .bind::<Timestamptz, _>(start)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(not_found_is_none)?;
    Ok(row.map(VoiceBooking::from))
}

/// A booking as the caller gave it.
pub struct NewBooking<'a> {
    pub call_id: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub event_id: i64,
    pub customer_name: &'a str,
    pub customer_phone: &'a str,
    pub notes: &'a str,
    pub manage_token: &'a str,
}

pub async fn insert_booking(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    b: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<VoiceBooking, AppError> {
    let row: BookingRow = diesel::sql_query(
        "INSERT INTO voice_bookings (user_id, call_id, starts_at, ends_at, event_id, \
         customer_name, customer_phone, notes, manage_token, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id, call_id, starts_at, ends_at, event_id, customer_name, customer_phone, \
         notes, created_at",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(b.call_id)
    .bind::<Timestamptz, _>(b.start)
    .bind::<Timestamptz, _>(b.end)
    .bind::<BigInt, _>(b.event_id)
    .bind::<Text, _>(b.customer_name)
    .bind::<Text, _>(b.customer_phone)
    .bind::<Text, _>(b.notes)
    .bind::<Text, _>(b.manage_token)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await?;
    Ok(row.into())
}

/// The owner's bookings, newest first.
pub async fn bookings(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<VoiceBooking>, AppError> {
    let rows: Vec<BookingRow> = diesel::sql_query(format!(
        "{BOOKING} WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(VoiceBooking::from).collect())
}

/// A failure as recorded.
pub struct NewFailure<'a> {
    pub call_id: &'a str,
    pub customer_name: &'a str,
    pub customer_phone: &'a str,
    pub requested: &'a str,
    pub reason: &'a str,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Records a failure; `None` when this call's request was recorded already (a retry).
pub async fn insert_failure(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    f: &NewFailure<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let row: Option<Id> = diesel::sql_query(
        "INSERT INTO booking_failures (user_id, call_id, customer_name, customer_phone, \
         requested, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id, call_id, requested) DO NOTHING RETURNING id",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(f.call_id)
    .bind::<Text, _>(f.customer_name)
    .bind::<Text, _>(f.customer_phone)
    .bind::<Text, _>(f.requested)
    .bind::<Text, _>(f.reason)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(not_found_is_none)?;
    Ok(row.map(|r| r.id))
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

/// Whether the last `n` booking outcomes, across every owner, were all failures and the one
/// before them was not: a streak of exactly `n`, so its alert goes out once.
pub async fn failure_streak_reached(
    conn: &mut AsyncPgConnection,
    n: i64,
) -> Result<bool, AppError> {
    let row: Flag = diesel::sql_query(
        "WITH outcomes AS ( \
           (SELECT created_at, true AS failed FROM booking_failures \
            ORDER BY created_at DESC LIMIT $1 + 1) \
           UNION ALL \
           (SELECT created_at, false AS failed FROM voice_bookings \
            ORDER BY created_at DESC LIMIT $1 + 1)), \
         latest AS (SELECT failed, row_number() OVER (ORDER BY created_at DESC) AS n \
                    FROM outcomes) \
         SELECT (SELECT count(*) FROM latest WHERE n <= $1 AND failed) = $1 \
            AND NOT EXISTS (SELECT 1 FROM latest WHERE n = $1 + 1 AND failed) AS flag",
    )
    .bind::<BigInt, _>(n)
    .get_result(conn)
    .await?;
    Ok(row.flag)
}

#[derive(QueryableByName)]
struct FailureRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    call_id: String,
    #[diesel(sql_type = Text)]
    customer_name: String,
    #[diesel(sql_type = Text)]
    customer_phone: String,
    #[diesel(sql_type = Text)]
    requested: String,
    #[diesel(sql_type = Text)]
    reason: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    resolved_at: Option<DateTime<Utc>>,
}

impl From<FailureRow> for Failure {
    fn from(r: FailureRow) -> Self {
        Self {
            id: r.id,
            call_id: r.call_id,
            customer_name: r.customer_name,
            customer_phone: r.customer_phone,
            requested: r.requested,
            reason: r.reason,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
        }
    }
}

/// The owner's failures, open ones first, then newest first.
pub async fn failures(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Failure>, AppError> {
    let rows: Vec<FailureRow> = diesel::sql_query(
        "SELECT id, call_id, customer_name, customer_phone, requested, reason, created_at, \
         resolved_at FROM booking_failures WHERE user_id = $1 \
         ORDER BY resolved_at IS NOT NULL, created_at DESC, id DESC LIMIT $2",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Failure::from).collect())
}

/// Marks a failure resolved; `NotFound` when it is not the owner's.
pub async fn resolve_failure(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let changed = diesel::sql_query(
        "UPDATE booking_failures SET resolved_at = COALESCE(resolved_at, $3) \
         WHERE user_id = $1 AND id = $2",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(id)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What one call event says of its call.
pub struct CallReport<'a> {
    pub call_id: &'a str,
    pub agent_id: &'a str,
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub event: &'a str,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub disconnection_reason: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub successful: Option<bool>,
    pub sentiment: Option<&'a str>,
}

/// Records what an event says of a call; what it leaves out stays, and a late
/// `call_started` does not undo an end already heard.
pub async fn record_call(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    c: &CallReport<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::sql_query(
        "INSERT INTO voice_calls (call_id, user_id, agent_id, from_number, to_number, status, \
         started_at, ended_at, disconnection_reason, summary, successful, sentiment, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (call_id) DO UPDATE SET \
           status = CASE WHEN array_position(ARRAY['call_started','call_ended','call_analyzed'], \
                               EXCLUDED.status) \
                          >= COALESCE(array_position(ARRAY['call_started','call_ended', \
                               'call_analyzed'], voice_calls.status), 0) \
                    THEN EXCLUDED.status ELSE voice_calls.status END, \
           from_number = COALESCE(NULLIF(EXCLUDED.from_number, ''), voice_calls.from_number), \
           to_number = COALESCE(NULLIF(EXCLUDED.to_number, ''), voice_calls.to_number), \
           started_at = COALESCE(EXCLUDED.started_at, voice_calls.started_at), \
           ended_at = COALESCE(EXCLUDED.ended_at, voice_calls.ended_at), \
           disconnection_reason = COALESCE(EXCLUDED.disconnection_reason, \
                                           voice_calls.disconnection_reason), \
           summary = COALESCE(EXCLUDED.summary, voice_calls.summary), \
           successful = COALESCE(EXCLUDED.successful, voice_calls.successful), \
           sentiment = COALESCE(EXCLUDED.sentiment, voice_calls.sentiment), \
           updated_at = EXCLUDED.updated_at \
         WHERE voice_calls.user_id = EXCLUDED.user_id",
    )
    .bind::<Text, _>(c.call_id)
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(c.agent_id)
    .bind::<Text, _>(c.from_number)
    .bind::<Text, _>(c.to_number)
    .bind::<Text, _>(c.event)
    .bind::<Nullable<Timestamptz>, _>(c.started_at)
    .bind::<Nullable<Timestamptz>, _>(c.ended_at)
    .bind::<Nullable<Text>, _>(c.disconnection_reason)
    .bind::<Nullable<Text>, _>(c.summary)
    .bind::<Nullable<Bool>, _>(c.successful)
    .bind::<Nullable<Text>, _>(c.sentiment)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct CallRow {
    #[diesel(sql_type = Text)]
    call_id: String,
    #[diesel(sql_type = Text)]
    agent_id: String,
    #[diesel(sql_type = Text)]
    from_number: String,
    #[diesel(sql_type = Text)]
    to_number: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    started_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    ended_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    disconnection_reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    summary: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    successful: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    sentiment: Option<String>,
}

/// The owner's calls, latest first.
pub async fn calls(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Call>, AppError> {
    let rows: Vec<CallRow> = diesel::sql_query(
        "SELECT call_id, agent_id, from_number, to_number, status, started_at, ended_at, \
         disconnection_reason, summary, successful, sentiment FROM voice_calls \
         WHERE user_id = $1 ORDER BY COALESCE(started_at, updated_at) DESC LIMIT $2",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Call {
            call_id: r.call_id,
            agent_id: r.agent_id,
            from_number: r.from_number,
            to_number: r.to_number,
            status: r.status,
            started_at: r.started_at,
            ended_at: r.ended_at,
            disconnection_reason: r.disconnection_reason,
            summary: r.summary,
            successful: r.successful,
            sentiment: r.sentiment,
        })
        .collect())
}

#[derive(QueryableByName)]
struct Phone {
    #[diesel(sql_type = Text)]
    phone: String,
}

/// The verified phones of active admins.
pub async fn admin_phones(conn: &mut AsyncPgConnection) -> Result<Vec<String>, AppError> {
    let rows: Vec<Phone> = diesel::sql_query(
        "SELECT phone FROM users WHERE role = 'admin' AND status = 'active' \
         AND phone IS NOT NULL ORDER BY id",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.phone).collect())
}

#[derive(QueryableByName)]
struct OwnedBooking {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(embed)]
    booking: BookingRow,
}

/// The booking a caller's link names, and whose it is.
pub async fn booking_by_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> Result<Option<(i64, VoiceBooking)>, AppError> {
    let row: Option<OwnedBooking> = diesel::sql_query(
        "SELECT user_id, id, call_id, starts_at, ends_at, event_id, customer_name, \
         customer_phone, notes, created_at FROM voice_bookings WHERE manage_token = $1",
    )
    .bind::<Text, _>(token)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(not_found_is_none)?;
    Ok(row.map(|r| (r.user_id, r.booking.into())))
}

/// Moves a booking to another time.
pub async fn move_booking(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::sql_query(
        "UPDATE voice_bookings SET starts_at = $3, ends_at = $4 WHERE user_id = $1 AND id = $2",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(id)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .execute(conn)
    .await?;
    Ok(())
}
