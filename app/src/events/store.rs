//! Event queries, always scoped to one user.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Event, EventDraft, Source};
use super::recurrence::Series;
use crate::db::schema::events;
use crate::error::AppError;

#[derive(Queryable, QueryableByName, Selectable, Clone)]
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
    recurrence: Option<String>,
    series_id: Option<i64>,
    original_start: Option<DateTime<Utc>>,
    google_link: Option<String>,
}

/// A series as stored: its row, zone and removed instances.
#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = events)]
struct SeriesRow {
    #[diesel(embed)]
    event: EventRow,
    timezone: Option<String>,
    excluded: Vec<DateTime<Utc>>,
}

impl From<SeriesRow> for Series {
    fn from(r: SeriesRow) -> Self {
        let tz = Series::from_zone(r.timezone.as_deref());
        Series {
            event: r.event.into(),
            tz,
            excluded: r.excluded,
        }
    }
}

/// What places a row among series: the zone and removed instances of a series, the end of
/// its last instance, or the series and instance an instance changed on its own replaces.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub timezone: Option<Tz>,
    pub excluded: Vec<DateTime<Utc>>,
    pub repeats_until: Option<DateTime<Utc>>,
    pub replaces: Option<(i64, DateTime<Utc>)>,
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
            recurrence: r.recurrence,
            series_id: r.series_id,
            occurrence: r.original_start,
            google_link: r.google_link,
        }
    }
}

diesel::define_sql_function! {
    /// `tstzrange(start, end)`: the span `[start, end)`, as the events index spells it. Built
    /// from the DSL rather than SQL text, so the query is prepared once per connection.
    #[sql_name = "tstzrange"]
    fn span(lower: diesel::sql_types::Timestamptz, upper: diesel::sql_types::Timestamptz) -> diesel::sql_types::Tstzrange;
}

/// Single events (and instances changed on their own) that start before `to` and end after
/// `from`, earliest first; series are read by [`series_between`].
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
        .filter(events::recurrence.is_null())
        .order((events::starts_at.asc(), events::id.asc()))
        .select(EventRow::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Event::from)
        .collect())
}

/// Series whose instances may touch `[from, to)`.
pub async fn series_between(
    mut conn: &AsyncPgConnection,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Series>, AppError> {
    Ok(events::table
        .filter(events::user_id.eq(user_id))
        .filter(events::recurrence.is_not_null())
        .filter(events::starts_at.lt(to))
        .filter(
            events::repeats_until
                .is_null()
                .or(events::repeats_until.gt(from)),
        )
        .order(events::id.asc())
        .select(SeriesRow::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Series::from)
        .collect())
}

/// The series `id`; not found when it is no series.
pub async fn find_series(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<Series, AppError> {
    Ok(events::table
        .filter(events::user_id.eq(user_id))
        .filter(events::recurrence.is_not_null())
        .find(id)
        .select(SeriesRow::as_select())
        .first(conn)
        .await?
        .into())
}

/// A stored row as a calendar feed writes it.
pub struct FeedRow {
    pub event: Event,
    pub updated_at: DateTime<Utc>,
    /// For a series: its zone and the instances it leaves out.
    pub repeats: Option<(Tz, Vec<DateTime<Utc>>)>,
    /// For an instance changed on its own: its series, the start it replaces, the series' zone.
    pub series: Option<(i64, DateTime<Utc>, Tz)>,
}

/// Every event of the user that ends after `since`, series whose last instance does.
pub async fn for_feed(
    mut conn: &AsyncPgConnection,
    user_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<FeedRow>, AppError> {
    let rows: Vec<(SeriesRow, DateTime<Utc>)> = events::table
        .filter(events::user_id.eq(user_id))
        .filter(
            (events::recurrence.is_null().and(events::ends_at.gt(since))).or(events::recurrence
                .is_not_null()
                .and(
                    events::repeats_until
                        .is_null()
                        .or(events::repeats_until.gt(since)),
                )),
        )
        .order((events::starts_at.asc(), events::id.asc()))
        .select((SeriesRow::as_select(), events::updated_at))
        .load(&mut conn)
        .await?;
    let series: Vec<(i64, Tz)> = rows
        .iter()
        .filter(|(r, _)| r.event.recurrence.is_some())
        .map(|(r, _)| (r.event.id, Series::from_zone(r.timezone.as_deref())))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(row, updated_at)| {
            let tz = Series::from_zone(row.timezone.as_deref());
            let repeats = row.event.recurrence.is_some().then_some((tz, row.excluded));
            let event = Event::from(row.event);
            let series = event.series_id.zip(event.occurrence).map(|(id, at)| {
                let zone = series
                    .iter()
                    .find(|(s, _)| *s == id)
                    .map_or(chrono_tz::UTC, |(_, tz)| *tz);
                (id, at, zone)
            });
            FeedRow {
                event,
                updated_at,
                repeats,
                series,
            }
        })
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
    shape: &Shape,
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
            events::recurrence.eq(&draft.recurrence),
            events::timezone.eq(shape.timezone.map(|tz| tz.name())),
            events::excluded.eq(&shape.excluded),
            events::repeats_until.eq(shape.repeats_until),
            events::series_id.eq(shape.replaces.map(|(id, _)| id)),
            events::original_start.eq(shape.replaces.map(|(_, at)| at)),
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
    shape: &Shape,
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
                events::recurrence.eq(&draft.recurrence),
                events::timezone.eq(shape.timezone.map(|tz| tz.name())),
                events::excluded.eq(&shape.excluded),
                events::repeats_until.eq(shape.repeats_until),
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

/// Sets which instances series `id` leaves out.
pub async fn set_excluded(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    excluded: &[DateTime<Utc>],
) -> Result<(), AppError> {
    diesel::update(events::table.filter(events::user_id.eq(user_id)).find(id))
        .set((
            events::excluded.eq(excluded),
            events::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The ids of the instances of `series` changed on their own that replace one starting at or
/// after `from` (every one without it).
pub async fn own_instances_from(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    series: i64,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<i64>, AppError> {
    let mut query = events::table
        .filter(events::user_id.eq(user_id))
        .filter(events::series_id.eq(series))
        .select(events::id)
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(events::original_start.ge(from));
    }
    Ok(query.load(conn).await?)
}

/// Moves instances changed on their own to series `to`, the starts they replace shifted by
/// `by` in wall time in `tz` (as their series moved).
pub async fn move_own_instances(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    to: i64,
    by: Duration,
    tz: Tz,
) -> Result<(), AppError> {
    use diesel::sql_types::{Array, BigInt, Interval, Text};
    if ids.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "UPDATE events SET series_id = $1,
             original_start = ((original_start AT TIME ZONE $2) + $3) AT TIME ZONE $2,
             updated_at = now()
         WHERE id = ANY($4)",
    )
    .bind::<BigInt, _>(to)
    .bind::<Text, _>(tz.name())
    .bind::<Interval, _>(diesel::data_types::PgInterval::from_microseconds(
        by.num_microseconds().unwrap_or(0),
    ))
    .bind::<Array<BigInt>, _>(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// An event as Google has it, ready to store.
pub struct FromGoogle {
    pub google_id: String,
    pub etag: Option<String>,
    pub link: Option<String>,
    /// When Google last changed it: the newer of this and our own last change wins.
    pub updated: DateTime<Utc>,
    pub draft: EventDraft,
    pub shape: Shape,
    /// For an instance changed on its own: its series' Google id and the start it replaces.
    pub replaces: Option<(String, DateTime<Utc>)>,
}

/// Stores an event from Google: new, or replacing ours unless ours was changed here since
/// the last sync, later than Google's change (the last update wins). When written: its id,
/// and whether it is new here. Sync times are the database's, like `updated_at`, so the two
/// compare.
pub async fn upsert_google(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    g: &FromGoogle,
    series_id: Option<i64>,
) -> Result<Option<(i64, bool)>, AppError> {
    use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz};
    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Bool)]
        inserted: bool,
    }
    let found: Option<Written> = diesel::sql_query(
        "INSERT INTO events (user_id, title, description, location, starts_at, ends_at, all_day,
             source, recurrence, timezone, excluded, repeats_until, series_id, original_start,
             google_id, google_etag, google_link, google_updated, google_synced_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'google', $8, $9, $10, $11, $12, $13, $14, $15,
             $16, $17, now(), now())
         ON CONFLICT (user_id, google_id) WHERE google_id IS NOT NULL DO UPDATE SET
             title = EXCLUDED.title, description = EXCLUDED.description,
             location = EXCLUDED.location, starts_at = EXCLUDED.starts_at,
             ends_at = EXCLUDED.ends_at, all_day = EXCLUDED.all_day,
             recurrence = EXCLUDED.recurrence, timezone = EXCLUDED.timezone,
             excluded = EXCLUDED.excluded, repeats_until = EXCLUDED.repeats_until,
             series_id = EXCLUDED.series_id, original_start = EXCLUDED.original_start,
             google_etag = EXCLUDED.google_etag, google_link = EXCLUDED.google_link,
             google_updated = EXCLUDED.google_updated, google_synced_at = EXCLUDED.google_synced_at,
             updated_at = EXCLUDED.updated_at
         WHERE events.google_synced_at IS NULL
            OR events.updated_at <= events.google_synced_at
            OR events.updated_at <= EXCLUDED.google_updated
         RETURNING id, (xmax = 0) AS inserted",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<Text, _>(&g.draft.title)
    .bind::<Text, _>(&g.draft.description)
    .bind::<Text, _>(&g.draft.location)
    .bind::<Timestamptz, _>(g.draft.start)
    .bind::<Timestamptz, _>(g.draft.end)
    .bind::<Bool, _>(g.draft.all_day)
    .bind::<Nullable<Text>, _>(&g.draft.recurrence)
    .bind::<Nullable<Text>, _>(g.shape.timezone.map(|tz| tz.name()))
    .bind::<Array<Timestamptz>, _>(&g.shape.excluded)
    .bind::<Nullable<Timestamptz>, _>(g.shape.repeats_until)
    .bind::<Nullable<BigInt>, _>(series_id)
    .bind::<Nullable<Timestamptz>, _>(g.replaces.as_ref().map(|(_, at)| *at))
    .bind::<Text, _>(&g.google_id)
    .bind::<Nullable<Text>, _>(&g.etag)
    .bind::<Nullable<Text>, _>(&g.link)
    .bind::<Timestamptz, _>(g.updated)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|f| (f.id, f.inserted)))
}

/// Marks events a sync saw (whether or not it changed them), so a full resync keeps them.
pub async fn seen_at_google(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    google_ids: &[String],
) -> Result<(), AppError> {
    diesel::update(
        events::table
            .filter(events::user_id.eq(user_id))
            .filter(events::google_id.eq_any(google_ids)),
    )
    .set(events::google_synced_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The event (or series) with this Google id.
pub async fn find_google(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    google_id: &str,
) -> Result<Option<i64>, AppError> {
    Ok(events::table
        .filter(events::user_id.eq(user_id))
        .filter(events::google_id.eq(google_id))
        .select(events::id)
        .first(conn)
        .await
        .optional()?)
}

/// Removes the instance of series `series_id` that starts at `at`: excluded from the series,
/// and its own row (if it was changed on its own) deleted. The own row's id, if any.
pub async fn drop_instance(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    series_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    exclude(conn, user_id, series_id, at).await?;
    Ok(diesel::delete(
        events::table
            .filter(events::user_id.eq(user_id))
            .filter(events::series_id.eq(series_id))
            .filter(events::original_start.eq(at)),
    )
    .returning(events::id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Adds `at` to the starts series `series_id` leaves out (once).
pub async fn exclude(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    series_id: i64,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    use diesel::sql_types::{BigInt, Timestamptz};
    diesel::sql_query(
        "UPDATE events SET excluded = array_append(excluded, $3)
         WHERE user_id = $1 AND id = $2 AND recurrence IS NOT NULL AND NOT ($3 = ANY (excluded))",
    )
    .bind::<BigInt, _>(user_id)
    .bind::<BigInt, _>(series_id)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the user's events from Google that no sync has seen since `since` (after a full
/// resync: Google no longer has them). Their ids.
pub async fn delete_unseen_google(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    Ok(diesel::delete(
        events::table
            .filter(events::user_id.eq(user_id))
            .filter(events::google_id.is_not_null())
            .filter(
                events::google_synced_at
                    .is_null()
                    .or(events::google_synced_at.lt(since)),
            ),
    )
    .returning(events::id)
    .get_results(conn)
    .await?)
}

/// Deletes the event with this Google id (a series with its instances); its id, if it was here.
pub async fn delete_google(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    google_id: &str,
) -> Result<Option<i64>, AppError> {
    Ok(diesel::delete(
        events::table
            .filter(events::user_id.eq(user_id))
            .filter(events::google_id.eq(google_id)),
    )
    .returning(events::id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Makes series `series_id` leave out every start its instances changed on their own replace
/// (after its exclusions were replaced by Google's).
pub async fn exclude_own_instances(
    conn: &mut AsyncPgConnection,
    series_id: i64,
) -> Result<(), AppError> {
    use diesel::sql_types::BigInt;
    diesel::sql_query(
        "UPDATE events s SET excluded = ARRAY(
             SELECT DISTINCT x FROM unnest(s.excluded || ARRAY(
                 SELECT o.original_start FROM events o WHERE o.series_id = s.id)) AS x ORDER BY x)
         WHERE s.id = $1 AND s.recurrence IS NOT NULL",
    )
    .bind::<BigInt, _>(series_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An event of the user's that Google does not have as it is here.
#[derive(QueryableByName)]
pub struct ToPush {
    #[diesel(embed)]
    series: SeriesRow,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub google_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub google_etag: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub updated_at: DateTime<Utc>,
    /// For an instance changed on its own: its series' Google id.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub series_google_id: Option<String>,
}

impl ToPush {
    /// The row as a series (a single event has no rule, zone or exclusions).
    pub fn series(&self) -> Series {
        Series {
            event: Event::from(self.series.event.clone()),
            tz: Series::from_zone(self.series.timezone.as_deref()),
            excluded: self.series.excluded.clone(),
        }
    }
}

/// The user's events changed here since Google last had them (or never sent), series before
/// their own instances.
pub async fn to_push(conn: &mut AsyncPgConnection, user_id: i64) -> Result<Vec<ToPush>, AppError> {
    Ok(diesel::sql_query(
        "SELECT e.id, e.title, e.description, e.location, e.starts_at, e.ends_at, e.all_day,
                e.source, e.reminder_minutes, e.recurrence, e.series_id, e.original_start,
                e.google_link, e.timezone, e.excluded, e.google_id, e.google_etag, e.updated_at,
                s.google_id AS series_google_id
         FROM events e LEFT JOIN events s ON s.id = e.series_id
         WHERE e.user_id = $1 AND (e.google_synced_at IS NULL OR e.updated_at > e.google_synced_at)
         ORDER BY e.series_id NULLS FIRST, e.id",
    )
    .bind::<diesel::sql_types::BigInt, _>(user_id)
    .load(conn)
    .await?)
}

/// Google has event `id` as it was at `as_of` (its `updated_at` then): its id, ETag and link.
pub async fn pushed(
    conn: &mut AsyncPgConnection,
    id: i64,
    google_id: &str,
    etag: Option<&str>,
    link: Option<&str>,
    as_of: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(events::table.find(id))
        .set((
            events::google_id.eq(google_id),
            events::google_etag.eq(etag),
            events::google_link.eq(link),
            events::google_synced_at.eq(as_of),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
