//! The SMS tables' statements.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Bytea, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::AppError;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

pub async fn is_opted_out(conn: &mut AsyncPgConnection, number: &str) -> Result<bool, AppError> {
    let row: Flag =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM sms_opt_outs WHERE number = $1) AS flag")
            .bind::<Text, _>(number)
            .get_result(conn)
            .await?;
    Ok(row.flag)
}

pub async fn opt_out(conn: &mut AsyncPgConnection, number: &str) -> Result<(), AppError> {
    diesel::sql_query("INSERT INTO sms_opt_outs (number) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind::<Text, _>(number)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn opt_in(conn: &mut AsyncPgConnection, number: &str) -> Result<(), AppError> {
    diesel::sql_query("DELETE FROM sms_opt_outs WHERE number = $1")
        .bind::<Text, _>(number)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that an unknown number is answered on `day`; false when it already was.
pub async fn note_unknown(
    conn: &mut AsyncPgConnection,
    number_hash: &[u8],
    day: NaiveDate,
) -> Result<bool, AppError> {
    let added = diesel::sql_query(
        "INSERT INTO sms_unknown_replies (number_hash, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind::<Bytea, _>(number_hash)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    Ok(added == 1)
}

/// Forgets which unknown numbers were answered before `day`.
pub async fn prune_unknown(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
) -> Result<usize, AppError> {
    Ok(
        diesel::sql_query("DELETE FROM sms_unknown_replies WHERE day < $1")
            .bind::<Date, _>(day)
            .execute(conn)
            .await?,
    )
}

/// Stores a message unless its `MessageSid` is known; true when it was new.
pub async fn insert_inbound(
    conn: &mut AsyncPgConnection,
    message_sid: &str,
    user_id: i64,
    from: &str,
    body: &str,
) -> Result<bool, AppError> {
    let added = diesel::sql_query(
        "INSERT INTO sms_inbound (message_sid, user_id, from_number, body)
         VALUES ($1, $2, $3, $4) ON CONFLICT (message_sid) DO NOTHING",
    )
    .bind::<Text, _>(message_sid)
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(from)
    .bind::<Text, _>(body)
    .execute(conn)
    .await?;
    Ok(added == 1)
}

/// A message not read yet.
#[derive(Debug, QueryableByName)]
pub struct Unread {
    #[diesel(sql_type = Text)]
    pub message_sid: String,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
    /// Whether the batch window after it is still open (judged by the database's clock, like
    /// every job time).
    #[diesel(sql_type = Bool)]
    pub window_open: bool,
}

/// The unread messages from `from`, oldest first, locked for this transaction; readers of
/// one number take turns.
pub async fn lock_unread(
    conn: &mut AsyncPgConnection,
    from: &str,
    window_micros: i64,
) -> Result<Vec<Unread>, AppError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('sms:' || $1, 0))")
        .bind::<Text, _>(from)
        .execute(conn)
        .await?;
    Ok(diesel::sql_query(
        "SELECT message_sid, user_id, body, received_at,
                received_at + make_interval(secs => $2 / 1e6) > now() AS window_open
         FROM sms_inbound WHERE from_number = $1 AND turn_id IS NULL
         ORDER BY received_at, message_sid
         FOR UPDATE",
    )
    .bind::<Text, _>(from)
    .bind::<BigInt, _>(window_micros)
    .load(conn)
    .await?)
}

/// Records a turn reading `sids` as `text`; returns its id.
pub async fn insert_turn(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    from: &str,
    text: &str,
    last_received_at: DateTime<Utc>,
    sids: &[String],
) -> Result<i64, AppError> {
    let row: Id = diesel::sql_query(
        "WITH turn AS (
             INSERT INTO sms_turns (user_id, from_number, text, last_received_at)
             VALUES ($1, $2, $3, $4) RETURNING id),
         read AS (
             UPDATE sms_inbound SET turn_id = (SELECT id FROM turn) WHERE message_sid = ANY($5))
         SELECT id FROM turn",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(from)
    .bind::<Text, _>(text)
    .bind::<Timestamptz, _>(last_received_at)
    .bind::<Array<Text>, _>(sids)
    .get_result(conn)
    .await?;
    Ok(row.id)
}

#[derive(Debug, QueryableByName)]
pub struct TurnRow {
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Text)]
    pub from_number: String,
    #[diesel(sql_type = Text)]
    pub text: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub message_id: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub replied: bool,
    #[diesel(sql_type = Timestamptz)]
    pub last_received_at: DateTime<Utc>,
}

/// A turn (its job is its only reader: no lock is needed, and one would stop the turn's own
/// writes on other connections).
pub async fn turn(conn: &mut AsyncPgConnection, id: i64) -> Result<Option<TurnRow>, AppError> {
    Ok(diesel::sql_query(
        "SELECT user_id, from_number, text, message_id, replied, last_received_at
         FROM sms_turns WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(|e| match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    })?)
}

/// Claims the right to answer turn `id` (once: a retry after a crash never acts again).
pub async fn claim_turn(conn: &mut AsyncPgConnection, id: i64) -> Result<bool, AppError> {
    let claimed =
        diesel::sql_query("UPDATE sms_turns SET started = true WHERE id = $1 AND NOT started")
            .bind::<BigInt, _>(id)
            .execute(conn)
            .await?;
    Ok(claimed == 1)
}

/// Records the reply a turn writes.
pub async fn set_turn_message(
    conn: &mut AsyncPgConnection,
    id: i64,
    message_id: i64,
) -> Result<(), AppError> {
    diesel::sql_query("UPDATE sms_turns SET message_id = $2 WHERE id = $1")
        .bind::<BigInt, _>(id)
        .bind::<BigInt, _>(message_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks turn `id` answered; false when it already was (its reply is queued).
pub async fn set_turn_replied(conn: &mut AsyncPgConnection, id: i64) -> Result<bool, AppError> {
    let marked =
        diesel::sql_query("UPDATE sms_turns SET replied = true WHERE id = $1 AND NOT replied")
            .bind::<BigInt, _>(id)
            .execute(conn)
            .await?;
    Ok(marked == 1)
}

/// The conversation `user_id`'s texts go to, if it still exists.
pub async fn sms_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Option<i64>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<BigInt>)]
        id: Option<i64>,
    }
    let row: Row = diesel::sql_query(
        "SELECT c.id FROM users u LEFT JOIN conversations c ON c.id = u.sms_conversation_id
         WHERE u.id = $1",
    )
    .bind::<BigInt, _>(user_id)
    .get_result(conn)
    .await?;
    Ok(row.id)
}

pub async fn set_sms_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    conversation_id: i64,
) -> Result<(), AppError> {
    diesel::sql_query("UPDATE users SET sms_conversation_id = $2 WHERE id = $1")
        .bind::<BigInt, _>(user_id)
        .bind::<BigInt, _>(conversation_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A reply's status and text as stored.
pub async fn reply_text(
    conn: &mut AsyncPgConnection,
    message_id: i64,
) -> Result<Option<(String, String)>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Text)]
        content: String,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT status, content FROM chat_messages WHERE id = $1")
            .bind::<BigInt, _>(message_id)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map(|r| (r.status, r.content)))
}

/// The last change made in `conversation_id` that is not undone.
pub async fn last_undoable(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    conversation_id: i64,
) -> Result<Option<i64>, AppError> {
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT a.id FROM chat_actions a JOIN chat_messages m ON m.id = a.message_id
         WHERE a.user_id = $1 AND m.conversation_id = $2 AND a.undone_at IS NULL
         ORDER BY a.id DESC LIMIT 1",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(conversation_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| r.id))
}

/// A message to send.
pub struct NewOutgoing<'a> {
    pub user_id: Option<i64>,
    pub to: &'a str,
    pub body: &'a str,
    pub purpose: &'a str,
    pub sms_turn_id: Option<i64>,
    pub segments: i32,
    pub cost_microusd: i64,
    pub state: &'a str,
}

pub async fn insert_outgoing(
    conn: &mut AsyncPgConnection,
    m: &NewOutgoing<'_>,
) -> Result<i64, AppError> {
    let row: Id = diesel::sql_query(
        "INSERT INTO sms_outbox
             (user_id, to_number, body, purpose, sms_turn_id, segments, cost_microusd, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind::<Nullable<BigInt>, _>(m.user_id)
    .bind::<Text, _>(m.to)
    .bind::<Text, _>(m.body)
    .bind::<Text, _>(m.purpose)
    .bind::<Nullable<BigInt>, _>(m.sms_turn_id)
    .bind::<Integer, _>(m.segments)
    .bind::<BigInt, _>(m.cost_microusd)
    .bind::<Text, _>(m.state)
    .get_result(conn)
    .await?;
    Ok(row.id)
}

/// A queued message, locked for sending.
#[derive(Debug, QueryableByName)]
pub struct Outgoing {
    #[diesel(sql_type = Text)]
    pub to_number: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub state: String,
}

pub async fn lock_outgoing(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> Result<Option<Outgoing>, AppError> {
    let rows: Vec<Outgoing> =
        diesel::sql_query("SELECT to_number, body, state FROM sms_outbox WHERE id = $1 FOR UPDATE")
            .bind::<BigInt, _>(id)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next())
}

/// Marks that sending `id` is being tried (committed before the call, so a retry after a
/// crash knows it may have gone out): when it was first tried, and whether that was before.
/// `None` when it is no longer queued.
pub async fn mark_tried(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> Result<Option<(DateTime<Utc>, bool)>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Timestamptz)]
        tried_at: DateTime<Utc>,
        #[diesel(sql_type = Bool)]
        again: bool,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH old AS (SELECT id, tried_at FROM sms_outbox WHERE id = $1 AND state = 'queued' FOR UPDATE)
         UPDATE sms_outbox o SET tried_at = coalesce(o.tried_at, now())
         FROM old WHERE o.id = old.id
         RETURNING o.tried_at, old.tried_at IS NOT NULL AS again",
    )
    .bind::<BigInt, _>(id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| (r.tried_at, r.again)))
}

/// Moves a message to `state` (with Twilio's id or error when known).
pub async fn set_outgoing(
    conn: &mut AsyncPgConnection,
    id: i64,
    state: &str,
    twilio_sid: Option<&str>,
    error: Option<(i32, &str)>,
) -> Result<(), AppError> {
    diesel::sql_query(
        "UPDATE sms_outbox SET state = $2, twilio_sid = coalesce($3, twilio_sid),
             error_code = $4, error_message = $5, updated_at = now()
         WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(state)
    .bind::<Nullable<Text>, _>(twilio_sid)
    .bind::<Nullable<Integer>, _>(error.map(|e| e.0))
    .bind::<Nullable<Text>, _>(error.map(|e| e.1))
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the queued reply to the turn that read `message_sid` for the webhook's own answer.
pub async fn take_reply(
    conn: &mut AsyncPgConnection,
    message_sid: &str,
) -> Result<Option<String>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        body: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "UPDATE sms_outbox SET state = 'replied', updated_at = now()
         WHERE id = (
             SELECT o.id FROM sms_inbound i JOIN sms_outbox o ON o.sms_turn_id = i.turn_id
             WHERE i.message_sid = $1 AND o.state = 'queued'
             ORDER BY o.id LIMIT 1
             FOR UPDATE OF o SKIP LOCKED)
         RETURNING body",
    )
    .bind::<Text, _>(message_sid)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| r.body))
}

/// Applies a status Twilio reported, keeping the furthest-along state (callbacks may come
/// out of order); true when a message had that id.
pub async fn apply_status(
    conn: &mut AsyncPgConnection,
    twilio_sid: &str,
    state: &str,
    error_code: Option<i32>,
) -> Result<bool, AppError> {
    let updated = diesel::sql_query(
        "WITH rank (state, n) AS (VALUES
             ('queued', 0), ('sent', 1), ('undelivered', 2), ('failed', 2), ('delivered', 3),
             ('opted_out', 3))
         UPDATE sms_outbox o SET state = $2, error_code = coalesce($3, o.error_code),
             updated_at = now()
         FROM rank old, rank new
         WHERE o.twilio_sid = $1 AND old.state = o.state AND new.state = $2 AND new.n > old.n",
    )
    .bind::<Text, _>(twilio_sid)
    .bind::<Text, _>(state)
    .bind::<Nullable<Integer>, _>(error_code)
    .execute(conn)
    .await?;
    if updated == 1 {
        return Ok(true);
    }
    let known: Flag =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM sms_outbox WHERE twilio_sid = $1) AS flag")
            .bind::<Text, _>(twilio_sid)
            .get_result(conn)
            .await?;
    Ok(known.flag)
}

/// The texts to and from `number`, newest first.
pub async fn thread(
    conn: &mut AsyncPgConnection,
    number: &str,
    limit: i64,
) -> Result<Vec<super::model::ThreadText>, AppError> {
    use super::model::{Direction, ThreadText};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Bool)]
        incoming: bool,
        #[diesel(sql_type = Text)]
        body: String,
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
        #[diesel(sql_type = Nullable<Text>)]
        purpose: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        state: Option<String>,
        #[diesel(sql_type = Nullable<Integer>)]
        segments: Option<i32>,
        #[diesel(sql_type = Nullable<Text>)]
        error: Option<String>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "(SELECT true AS incoming, body, received_at AS at, NULL::text AS purpose,
                 NULL::text AS state, NULL::int AS segments, NULL::text AS error
          FROM sms_inbound WHERE from_number = $1 ORDER BY received_at DESC LIMIT $2)
         UNION ALL
         (SELECT false, body, created_at, purpose, state, segments,
                 CASE WHEN error_code IS NULL THEN error_message
                      ELSE error_code || ': ' || coalesce(error_message, '') END
          FROM sms_outbox WHERE to_number = $1 ORDER BY created_at DESC LIMIT $2)
         ORDER BY at DESC, incoming LIMIT $2",
    )
    .bind::<Text, _>(number)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ThreadText {
            direction: if r.incoming {
                Direction::In
            } else {
                Direction::Out
            },
            body: r.body,
            at: r.at,
            when: String::new(),
            purpose: r.purpose,
            state: r.state,
            segments: r.segments,
            error: r.error,
        })
        .collect())
}

/// The newest text sent to `number` (its id), if any.
pub async fn last_sent_to(conn: &mut AsyncPgConnection, number: &str) -> Result<i64, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let row: Row =
        diesel::sql_query("SELECT coalesce(max(id), 0) AS id FROM sms_outbox WHERE to_number = $1")
            .bind::<Text, _>(number)
            .get_result(conn)
            .await?;
    Ok(row.id)
}
