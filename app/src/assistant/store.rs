//! Conversation, message, action and usage queries, always scoped to one user.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::markdown;
use super::model::{
    ActionCard, ChatMessage, ConversationSummary, MessageStatus, Role, Tier, UsageDay,
};
use crate::db::schema::{chat_actions, chat_messages, conversations, model_calls};
use crate::error::AppError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = conversations)]
struct ConversationRow {
    id: i64,
    title: String,
    updated_at: DateTime<Utc>,
}

impl From<ConversationRow> for ConversationSummary {
    fn from(r: ConversationRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            updated_at: r.updated_at,
        }
    }
}

pub async fn create_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    title: &str,
    now: DateTime<Utc>,
) -> Result<ConversationSummary, AppError> {
    Ok(diesel::insert_into(conversations::table)
        .values((
            conversations::user_id.eq(user_id),
            conversations::title.eq(title),
            conversations::created_at.eq(now),
            conversations::updated_at.eq(now),
        ))
        .returning(ConversationRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

/// The user's conversations, most recently active first.
pub async fn conversations(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> Result<Vec<ConversationSummary>, AppError> {
    Ok(conversations::table
        .filter(conversations::user_id.eq(user_id))
        .order((conversations::updated_at.desc(), conversations::id.desc()))
        .limit(200)
        .select(ConversationRow::as_select())
        .load(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn find_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<ConversationSummary, AppError> {
    Ok(conversations::table
        .filter(conversations::user_id.eq(user_id))
        .find(id)
        .select(ConversationRow::as_select())
        .first(conn)
        .await?
        .into())
}

pub async fn rename_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    title: &str,
) -> Result<ConversationSummary, AppError> {
    Ok(diesel::update(
        conversations::table
            .filter(conversations::user_id.eq(user_id))
            .find(id),
    )
    .set(conversations::title.eq(title))
    .returning(ConversationRow::as_returning())
    .get_result(conn)
    .await?
    .into())
}

pub async fn delete_conversation(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<(), AppError> {
    let deleted = diesel::delete(
        conversations::table
            .filter(conversations::user_id.eq(user_id))
            .find(id),
    )
    .execute(conn)
    .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct NewId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Stores the user's message and an empty reply (`streaming`) in one statement that also
/// checks the conversation is the user's and marks it active; returns the reply's id.
pub async fn insert_exchange(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    conversation_id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let ids: Vec<NewId> = diesel::sql_query(
        "WITH conversation AS (
             UPDATE conversations SET updated_at = $3
             WHERE id = $2 AND user_id = $1 RETURNING id)
         INSERT INTO chat_messages
             (conversation_id, user_id, role, content, status, created_at, updated_at)
         SELECT conversation.id, $1, m.role, m.content, m.status, $3, $3
         FROM conversation,
              (VALUES (1, 'user', $4, 'done'), (2, 'assistant', '', 'streaming'))
                  AS m (n, role, content, status)
         ORDER BY m.n
         RETURNING id",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(conversation_id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(text)
    .load(conn)
    .await
    .map_err(|e| match e {
        diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("chat_messages_one_streaming") =>
        {
            AppError::Busy(
                "a reply is still being written; wait for it to finish, or stop it".into(),
            )
        }
        other => other.into(),
    })?;
    ids.into_iter()
        .map(|r| r.id)
        .max()
        .ok_or(AppError::NotFound)
}

/// Saves the text so far of a reply still being written.
pub async fn save_progress(
    conn: &mut AsyncPgConnection,
    id: i64,
    content: &str,
) -> Result<(), AppError> {
    diesel::update(chat_messages::table.find(id))
        .set((
            chat_messages::content.eq(content),
            chat_messages::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `user_id`'s reply `id` is still being written.
pub async fn is_streaming(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        chat_messages::table
            .filter(chat_messages::id.eq(id))
            .filter(chat_messages::user_id.eq(user_id))
            .filter(chat_messages::status.eq(MessageStatus::Streaming.as_str())),
    ))
    .get_result(conn)
    .await?)
}

/// Marks a reply still being written as alive (see [`fail_stale_replies`]).
pub async fn touch_reply(conn: &mut AsyncPgConnection, id: i64) -> Result<(), AppError> {
    diesel::update(chat_messages::table.find(id))
        .filter(chat_messages::status.eq(MessageStatus::Streaming.as_str()))
        .set(chat_messages::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Fails the replies left `streaming` by a process that stopped: those not saved or touched
/// for `silent_for` (a running turn touches its reply far more often). Returns how many.
pub async fn fail_stale_replies(
    conn: &mut AsyncPgConnection,
    silent_for: std::time::Duration,
) -> Result<usize, AppError> {
    let since =
        Utc::now() - chrono::Duration::from_std(silent_for).unwrap_or(chrono::Duration::MAX);
    Ok(diesel::update(
        chat_messages::table
            .filter(chat_messages::status.eq(MessageStatus::Streaming.as_str()))
            .filter(chat_messages::updated_at.lt(since)),
    )
    .set((
        chat_messages::status.eq(MessageStatus::Failed.as_str()),
        chat_messages::error.eq(STOPPED_WRITING),
        chat_messages::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?)
}

/// Why a reply left half-written is marked failed.
pub const STOPPED_WRITING: &str =
    "This reply stopped being written (the server restarted). Please send your message again.";

/// Keeps the actions a question's numbered options stand for.
pub async fn set_choices(
    conn: &mut AsyncPgConnection,
    message_id: i64,
    choices: &serde_json::Value,
) -> Result<(), AppError> {
    diesel::sql_query("UPDATE chat_messages SET choices = $2 WHERE id = $1")
        .bind::<BigInt, _>(message_id)
        .bind::<diesel::sql_types::Jsonb, _>(choices)
        .execute(conn)
        .await?;
    Ok(())
}

/// The options of the question the last reply before `before` asked, if it asked one.
pub async fn last_choices(
    conn: &mut AsyncPgConnection,
    conversation_id: i64,
    before: i64,
) -> Result<Option<serde_json::Value>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<diesel::sql_types::Jsonb>)]
        choices: Option<serde_json::Value>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT choices FROM chat_messages
         WHERE conversation_id = $1 AND role = 'assistant' AND id < $2
         ORDER BY id DESC LIMIT 1",
    )
    .bind::<BigInt, _>(conversation_id)
    .bind::<BigInt, _>(before)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().and_then(|r| r.choices))
}

/// Saves a reply's final state and records the turn for the usage page, in one statement.
pub async fn finish_reply(
    conn: &mut AsyncPgConnection,
    id: i64,
    content: &str,
    status: MessageStatus,
    tier: Tier,
    error: Option<&str>,
) -> Result<(), AppError> {
    diesel::sql_query(
        "WITH reply AS (
             UPDATE chat_messages
             SET content = $2, status = $3, tier = $4, error = $5, updated_at = now()
             WHERE id = $1 RETURNING user_id, conversation_id)
         INSERT INTO assistant_turns (user_id, conversation_id, tier)
         SELECT user_id, conversation_id, $4 FROM reply",
    )
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(content)
    .bind::<Text, _>(status.as_str())
    .bind::<Text, _>(tier.as_str())
    .bind::<Nullable<Text>, _>(error)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = chat_messages)]
struct MessageRow {
    id: i64,
    role: String,
    content: String,
    status: String,
    tier: Option<String>,
    error: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = chat_actions)]
struct ActionRow {
    id: i64,
    message_id: i64,
    kind: String,
    summary: String,
    undone_at: Option<DateTime<Utc>>,
}

impl From<ActionRow> for ActionCard {
    fn from(r: ActionRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            summary: r.summary,
            undone: r.undone_at.is_some(),
        }
    }
}

/// Every message of a conversation in order, with the actions each reply took.
pub async fn messages(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    conversation_id: i64,
) -> Result<Vec<ChatMessage>, AppError> {
    let rows: Vec<MessageRow> = chat_messages::table
        .filter(chat_messages::user_id.eq(user_id))
        .filter(chat_messages::conversation_id.eq(conversation_id))
        .order(chat_messages::id.asc())
        .select(MessageRow::as_select())
        .load(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let actions: Vec<ActionRow> = chat_actions::table
        .filter(chat_actions::user_id.eq(user_id))
        .filter(chat_actions::message_id.eq_any(&ids))
        .order(chat_actions::id.asc())
        .select(ActionRow::as_select())
        .load(conn)
        .await?;
    let mut cards: std::collections::HashMap<i64, Vec<ActionCard>> =
        std::collections::HashMap::new();
    for action in actions {
        cards
            .entry(action.message_id)
            .or_default()
            .push(action.into());
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let role = role(&r.role);
            ChatMessage {
                html: match role {
                    Role::User => markdown::plain(&r.content),
                    Role::Assistant => markdown::to_html(&r.content),
                },
                actions: cards.remove(&r.id).unwrap_or_default(),
                id: r.id,
                role,
                content: r.content,
                status: MessageStatus::parse(&r.status).unwrap_or(MessageStatus::Done),
                tier: r.tier.as_deref().and_then(Tier::parse),
                error: r.error,
                created_at: r.created_at,
            }
        })
        .collect())
}

/// A message's role as stored.
fn role(text: &str) -> Role {
    if text == "user" {
        Role::User
    } else {
        Role::Assistant
    }
}

/// The latest `limit` messages before `before_id`, oldest first, for the model's context.
pub async fn history(
    conn: &mut AsyncPgConnection,
    conversation_id: i64,
    before_id: i64,
    limit: i64,
) -> Result<Vec<(Role, String)>, AppError> {
    let mut rows: Vec<(String, String)> = chat_messages::table
        .filter(chat_messages::conversation_id.eq(conversation_id))
        .filter(chat_messages::id.lt(before_id))
        .filter(chat_messages::content.ne(""))
        .order(chat_messages::id.desc())
        .limit(limit)
        .select((chat_messages::role, chat_messages::content))
        .load(conn)
        .await?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|(stored, content)| (role(&stored), content))
        .collect())
}

/// Records a change a reply made, with what undoes it.
pub async fn insert_action(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    message_id: i64,
    kind: &str,
    summary: &str,
    undo: serde_json::Value,
) -> Result<ActionCard, AppError> {
    Ok(diesel::insert_into(chat_actions::table)
        .values((
            chat_actions::user_id.eq(user_id),
            chat_actions::message_id.eq(message_id),
            chat_actions::kind.eq(kind),
            chat_actions::summary.eq(summary),
            chat_actions::undo.eq(undo),
        ))
        .returning(ActionRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

/// Marks an action undone and returns how to undo it; `None` when it already was.
pub async fn claim_undo(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<serde_json::Value>, AppError> {
    let exists: i64 = chat_actions::table
        .filter(chat_actions::user_id.eq(user_id))
        .filter(chat_actions::id.eq(id))
        .count()
        .get_result(conn)
        .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    Ok(diesel::update(
        chat_actions::table
            .filter(chat_actions::user_id.eq(user_id))
            .filter(chat_actions::id.eq(id))
            .filter(chat_actions::undone_at.is_null()),
    )
    .set(chat_actions::undone_at.eq(diesel::dsl::now))
    .returning(chat_actions::undo)
    .get_result(conn)
    .await
    .optional()?)
}

/// One request to a language model, as recorded.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = model_calls)]
pub struct NewModelCall {
    pub user_id: i64,
    pub conversation_id: Option<i64>,
    pub tier: String,
    pub model: String,
    pub endpoint: String,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub cost_microusd: i64,
    pub latency_ms: i32,
    pub outcome: String,
}

pub async fn insert_model_call(
    conn: &mut AsyncPgConnection,
    call: &NewModelCall,
) -> Result<(), AppError> {
    diesel::insert_into(model_calls::table)
        .values(call)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the user's model calls and texts since `since` cost, in millionths of a dollar. A
/// text costs once Twilio took it (or it went back in a webhook's answer).
pub async fn cost_since(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    since: DateTime<Utc>,
) -> Result<i64, AppError> {
    #[derive(QueryableByName)]
    struct Total {
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let row: Total = diesel::sql_query(
        "SELECT (coalesce((SELECT sum(cost_microusd) FROM model_calls
                           WHERE user_id = $1 AND created_at >= $2), 0)
               + coalesce((SELECT sum(cost_microusd) FROM sms_outbox
                           WHERE user_id = $1 AND created_at >= $2 AND state IN ('replied', 'sent', 'delivered', 'undelivered')), 0)
                )::bigint AS total",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Timestamptz, _>(since)
    .get_result(conn)
    .await?;
    Ok(row.total)
}

#[derive(QueryableByName)]
struct UsageRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = BigInt)]
    rules: i64,
    #[diesel(sql_type = BigInt)]
    cheap: i64,
    #[diesel(sql_type = BigInt)]
    premium: i64,
    #[diesel(sql_type = BigInt)]
    unanswered: i64,
    #[diesel(sql_type = BigInt)]
    input_tokens: i64,
    #[diesel(sql_type = BigInt)]
    output_tokens: i64,
    #[diesel(sql_type = BigInt)]
    cost_microusd: i64,
    #[diesel(sql_type = BigInt)]
    sms_segments: i64,
    #[diesel(sql_type = BigInt)]
    sms_cost_microusd: i64,
}

/// Messages by tier, tokens and cost per day (in `tz`) since `since`, newest day first; for
/// one user, or for everyone (per user) when `user_id` is `None`.
pub async fn usage_by_day(
    conn: &mut AsyncPgConnection,
    user_id: Option<i64>,
    since: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<UsageDay>, AppError> {
    let rows: Vec<UsageRow> = diesel::sql_query(
        "WITH turns AS (
             SELECT (created_at AT TIME ZONE $3)::date AS day, user_id,
                    count(*) FILTER (WHERE tier = 'rules') AS rules,
                    count(*) FILTER (WHERE tier = 'cheap') AS cheap,
                    count(*) FILTER (WHERE tier = 'premium') AS premium,
                    count(*) FILTER (WHERE tier = 'none') AS unanswered
             FROM assistant_turns
             WHERE created_at >= $2 AND ($1::bigint IS NULL OR user_id = $1)
             GROUP BY 1, 2),
         calls AS (
             SELECT (created_at AT TIME ZONE $3)::date AS day, user_id,
                    sum(input_tokens)::bigint AS input_tokens,
                    sum(output_tokens)::bigint AS output_tokens,
                    sum(cost_microusd)::bigint AS cost_microusd
             FROM model_calls
             WHERE created_at >= $2 AND ($1::bigint IS NULL OR user_id = $1)
             GROUP BY 1, 2),
         texts AS (
             SELECT (created_at AT TIME ZONE $3)::date AS day, user_id,
                    sum(segments)::bigint AS sms_segments,
                    sum(cost_microusd)::bigint AS sms_cost_microusd
             FROM sms_outbox
             WHERE created_at >= $2 AND ($1::bigint IS NULL OR user_id = $1)
               AND user_id IS NOT NULL AND state IN ('replied', 'sent', 'delivered', 'undelivered')
             GROUP BY 1, 2)
         SELECT day, CASE WHEN $1::bigint IS NULL THEN u.email END AS email,
                coalesce(t.rules, 0) AS rules, coalesce(t.cheap, 0) AS cheap,
                coalesce(t.premium, 0) AS premium, coalesce(t.unanswered, 0) AS unanswered,
                coalesce(c.input_tokens, 0) AS input_tokens,
                coalesce(c.output_tokens, 0) AS output_tokens,
                coalesce(c.cost_microusd, 0) AS cost_microusd,
                coalesce(x.sms_segments, 0) AS sms_segments,
                coalesce(x.sms_cost_microusd, 0) AS sms_cost_microusd
         FROM turns t FULL JOIN calls c USING (day, user_id) FULL JOIN texts x USING (day, user_id)
         JOIN users u ON u.id = user_id
         ORDER BY day DESC, email",
    )
    .bind::<Nullable<BigInt>, _>(user_id)
    .bind::<Timestamptz, _>(since)
    .bind::<Text, _>(tz)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UsageDay {
            day: r.day,
            email: r.email,
            rules: r.rules,
            cheap: r.cheap,
            premium: r.premium,
            unanswered: r.unanswered,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cost_microusd: r.cost_microusd,
            sms_segments: r.sms_segments,
            sms_cost_microusd: r.sms_cost_microusd,
        })
        .collect())
}
