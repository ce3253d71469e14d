//! Event queries, always scoped to one user.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Event, EventDraft, Source};
use crate::db::schema::events;
use crate::error::AppError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
struct EventRow {
    id: i64,
    title: String,
    description: String,
    location: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    all_day: bool,
    source: String,
    reminder_minutes: Option<Vec<i32>>,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Event {
            id: r.id,
            title: r.title,
            description: r.description,
            location: r.location,
            start: r.starts_at,
            end: r.ends_at,
            all_day: r.all_day,
            source: Source::parse(&r.source).unwrap_or(Source::Web),
            reminder_minutes: r.reminder_minutes,
        }
    }
}

diesel::define_sql_function! {
    /// `tstzrange(start, end)`: the span `[start, end)`, as the events index spells it. Built
    /// from the DSL rather than SQL text, so the query is prepared once per connection.
    #[sql_name = "tstzrange"]
    fn span(lower: diesel::sql_types::Timestamptz, upper: diesel::sql_types::Timestamptz) -> diesel::sql_types::Tstzrange;
}

/// Events that start before `to` and end after `from`, earliest first.
pub async fn between(
    mut conn: &AsyncPgConnection,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    // The same test as the GiST index on (user_id, span) holds, so that it finds them.
    let overlaps = span(events::starts_at, events::ends_at).overlaps_with(span(from, to));
    Ok(events::table
        .filter(events::user_id.eq(user_id))
        .filter(overlaps)
        .order((events::starts_at.asc(), events::id.asc()))
        .select(EventRow::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Event::from)
        .collect())
}

pub async fn find(conn: &mut AsyncPgConnection, user_id: i64, id: i64) -> Result<Event, AppError> {
    Ok(events::table
        .filter(events::user_id.eq(user_id))
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .await?
        .into())
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    draft: &EventDraft,
    source: Source,
) -> Result<Event, AppError> {
    Ok(diesel::insert_into(events::table)
        .values((
            events::user_id.eq(user_id),
            events::title.eq(&draft.title),
            events::description.eq(&draft.description),
            events::location.eq(&draft.location),
            events::starts_at.eq(draft.start),
            events::ends_at.eq(draft.end),
            events::all_day.eq(draft.all_day),
            events::reminder_minutes.eq(&draft.reminder_minutes),
            events::source.eq(source.as_str()),
        ))
        .returning(EventRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

/// Puts a deleted event back under its old id, so whatever refers to it still does.
pub async fn restore(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    draft: &EventDraft,
    source: Source,
) -> Result<Event, AppError> {
    use diesel::sql_types::{BigInt, Bool, Text, Timestamptz};
    diesel::sql_query(
        "INSERT INTO events
             (id, user_id, title, description, location, starts_at, ends_at, all_day, source)
         OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(&draft.title)
    .bind::<Text, _>(&draft.description)
    .bind::<Text, _>(&draft.location)
    .bind::<Timestamptz, _>(draft.start)
    .bind::<Timestamptz, _>(draft.end)
    .bind::<Bool, _>(draft.all_day)
    .bind::<Text, _>(source.as_str())
    .execute(conn)
    .await?;
    find(conn, user_id, id).await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    draft: &EventDraft,
) -> Result<Event, AppError> {
    Ok(
        diesel::update(events::table.filter(events::user_id.eq(user_id)).find(id))
            .set((
                events::title.eq(&draft.title),
                events::description.eq(&draft.description),
                events::location.eq(&draft.location),
                events::starts_at.eq(draft.start),
                events::ends_at.eq(draft.end),
                events::all_day.eq(draft.all_day),
                events::reminder_minutes.eq(&draft.reminder_minutes),
                events::updated_at.eq(diesel::dsl::now),
            ))
            .returning(EventRow::as_returning())
            .get_result(conn)
            .await?
            .into(),
    )
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<Event, AppError> {
    Ok(
        diesel::delete(events::table.filter(events::user_id.eq(user_id)).find(id))
            .returning(EventRow::as_returning())
            .get_result(conn)
            .await?
            .into(),
    )
}
