//! The attendees table's statements.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Answer, Attendee};
use crate::error::AppError;

#[derive(QueryableByName)]
struct AttendeeRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = Text)]
    phone: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    uses_aida: bool,
    #[diesel(sql_type = Text)]
    status: String,
}

impl From<AttendeeRow> for Attendee {
    fn from(r: AttendeeRow) -> Self {
        Attendee {
            id: r.id,
            event_id: r.event_id,
            phone: r.phone,
            name: r.name,
            uses_aida: r.uses_aida,
            answer: Answer::parse(&r.status).unwrap_or(Answer::Invited),
        }
    }
}

const ATTENDEE: &str = "id, event_id, phone, name, invitee_id IS NOT NULL AS uses_aida, status";

/// Adds an attendee; `None` when that number is already invited to the event.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    owner_id: i64,
    event_id: i64,
    phone: &str,
    name: &str,
    invitee_id: Option<i64>,
    token: &str,
) -> Result<Option<Attendee>, AppError> {
    let rows: Vec<AttendeeRow> = diesel::sql_query(format!(
        "INSERT INTO event_attendees (owner_id, event_id, phone, name, invitee_id, token)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, phone) DO NOTHING
         RETURNING {ATTENDEE}"
    ))
    .bind::<BigInt, _>(owner_id)
    .bind::<BigInt, _>(event_id)
    .bind::<Text, _>(phone)
    .bind::<Text, _>(name)
    .bind::<Nullable<BigInt>, _>(invitee_id)
    .bind::<Text, _>(token)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(Attendee::from))
}

pub async fn count_for_event(conn: &mut AsyncPgConnection, event_id: i64) -> Result<i64, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let row: Row =
        diesel::sql_query("SELECT count(*) AS n FROM event_attendees WHERE event_id = $1")
            .bind::<BigInt, _>(event_id)
            .get_result(conn)
            .await?;
    Ok(row.n)
}

/// The attendees of `owner_id`'s event.
pub async fn for_event(
    conn: &mut AsyncPgConnection,
    owner_id: i64,
    event_id: i64,
) -> Result<Vec<Attendee>, AppError> {
    let rows: Vec<AttendeeRow> = diesel::sql_query(format!(
        "SELECT {ATTENDEE} FROM event_attendees WHERE owner_id = $1 AND event_id = $2 ORDER BY id"
    ))
    .bind::<BigInt, _>(owner_id)
    .bind::<BigInt, _>(event_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Attendee::from).collect())
}

/// An invitation to `invitee_id` not answered yet, with its event's owner.
#[derive(Debug, QueryableByName)]
pub struct Waiting {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub event_id: i64,
    #[diesel(sql_type = BigInt)]
    pub owner_id: i64,
}

/// `invitee_id`'s unanswered invitations, newest first (`id`: only that one).
pub async fn waiting(
    conn: &mut AsyncPgConnection,
    invitee_id: i64,
    id: Option<i64>,
) -> Result<Vec<Waiting>, AppError> {
    Ok(diesel::sql_query(
        "SELECT id, event_id, owner_id FROM event_attendees
         WHERE invitee_id = $1 AND status = 'invited' AND ($2::bigint IS NULL OR id = $2)
         ORDER BY created_at DESC, id DESC LIMIT 20",
    )
    .bind::<BigInt, _>(invitee_id)
    .bind::<Nullable<BigInt>, _>(id)
    .load(conn)
    .await?)
}

/// Records an answer, if the invitation still waits for one; false otherwise.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    id: i64,
    answer: Answer,
    copy_event_id: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
    let updated = diesel::sql_query(
        "UPDATE event_attendees SET status = $2, copy_event_id = $3, responded_at = $4
         WHERE id = $1 AND status = 'invited'",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(answer.as_str())
    .bind::<Nullable<BigInt>, _>(copy_event_id)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// The event and owner an `.ics` link's token names.
pub async fn by_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> Result<Option<(i64, i64)>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        event_id: i64,
        #[diesel(sql_type = BigInt)]
        owner_id: i64,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT event_id, owner_id FROM event_attendees WHERE token = $1")
            .bind::<Text, _>(token)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map(|r| (r.event_id, r.owner_id)))
}
