//! What a user can do with their calendar. Every door (pages, REST, and later chat, SMS and
//! voice) comes through here with the acting user.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;

use super::model::{Event, EventDraft, EventInput, EventPatch, Scope, Source};
use super::recurrence::{Series, shift_wall, wall_gap};
use super::store;
use crate::auth::model::User;
use crate::changes::{Change, Kind, Op};
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::state::AppState;

/// The widest range one listing may ask for.
pub const MAX_RANGE_DAYS: i64 = 400;

/// Events touching `[from, to)`, earliest first (all-day events by their dates in the user's
/// timezone).
pub async fn list(
    state: &AppState,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    let conn = db::conn(&state.pool).await?;
    list_on(&conn, user, from, to).await
}

/// [`list`] on a connection the caller holds, so that it can be pipelined with other reads.
pub async fn list_on(
    conn: &AsyncPgConnection,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    if to <= from {
        return Err(AppError::invalid("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::invalid(
            "to",
            "ask for at most 400 days at a time",
        ));
    }
    let tz = user.tz();
    // All-day events are stored in UTC days; widen by a day each side, then keep exact matches.
    let (wide_from, wide_to) = (from - Duration::days(1), to + Duration::days(1));
    let (mut events, series) = futures::try_join!(
        store::between(conn, user.id, wide_from, wide_to),
        store::series_between(conn, user.id, wide_from, wide_to),
    )?;
    for s in series {
        events.extend(s.instances(wide_from, wide_to));
    }
    events.retain(|e| e.overlaps(from, to, tz));
    events.sort_by_key(|e| (e.start, e.id));
    Ok(events)
}

pub use super::store::{FeedRow, FromGoogle, Shape, ToPush};

/// What a pull from Google found about one event.
pub enum GoogleItem {
    /// An event, a series, or an instance changed on its own, as Google has it now.
    Put(Box<FromGoogle>),
    /// Deleted at Google.
    Gone { google_id: String },
    /// One instance of a series deleted at Google.
    GoneInstance { series: String, at: DateTime<Utc> },
}

/// Applies what a pull found, in `tx`: series first (so their instances find them), then the
/// rest; every id Google named is marked seen. Each change is recorded, so reminders and
/// other processes follow. How many events changed.
pub async fn apply_google(
    tx: &mut Tx,
    user: &User,
    mut items: Vec<GoogleItem>,
) -> Result<usize, AppError> {
    let rank = |i: &GoogleItem| match i {
        GoogleItem::Put(g) if g.draft.recurrence.is_some() => 0,
        GoogleItem::Put(g) if g.replaces.is_none() => 1,
        GoogleItem::Put(_) => 2,
        GoogleItem::GoneInstance { .. } => 3,
        GoogleItem::Gone { .. } => 4,
    };
    items.sort_by_key(rank);
    let mut changed = 0;
    let mut seen = Vec::new();
    for item in items {
        match item {
            GoogleItem::Put(g) => {
                seen.push(g.google_id.clone());
                let series = match &g.replaces {
                    Some((series, _)) => store::find_google(tx.conn(), user.id, series).await?,
                    None => None,
                };
                let Some((id, new)) = store::upsert_google(tx.conn(), user.id, &g, series).await?
                else {
                    continue; // ours is newer: it stays, and goes to Google from here
                };
                if g.draft.recurrence.is_some() {
                    store::exclude_own_instances(tx.conn(), id).await?;
                }
                if let (Some(series), Some((_, at))) = (series, &g.replaces) {
                    store::exclude(tx.conn(), user.id, series, *at).await?;
                    tx.changed(Change::new(user.id, Kind::Event, series, Op::Updated));
                }
                let op = if new { Op::Created } else { Op::Updated };
                tx.changed(Change::new(user.id, Kind::Event, id, op));
                changed += 1;
            }
            GoogleItem::GoneInstance { series, at } => {
                let Some(series) = store::find_google(tx.conn(), user.id, &series).await? else {
                    continue;
                };
                if let Some(own) = store::drop_instance(tx.conn(), user.id, series, at).await? {
                    tx.changed(Change::new(user.id, Kind::Event, own, Op::Deleted));
                }
                tx.changed(Change::new(user.id, Kind::Event, series, Op::Updated));
                changed += 1;
            }
            GoogleItem::Gone { google_id } => {
                if let Some(id) = store::delete_google(tx.conn(), user.id, &google_id).await? {
                    tx.changed(Change::new(user.id, Kind::Event, id, Op::Deleted));
                    changed += 1;
                }
            }
        }
    }
    store::seen_at_google(tx.conn(), user.id, &seen).await?;
    Ok(changed)
}

/// The user's events Google does not have as they are here, series first.
pub async fn to_push(conn: &mut AsyncPgConnection, user: &User) -> Result<Vec<ToPush>, AppError> {
    store::to_push(conn, user.id).await
}

/// Google has event `id` as it was at `as_of`, under `google_id`.
pub async fn pushed(
    conn: &mut AsyncPgConnection,
    id: i64,
    google_id: &str,
    etag: Option<&str>,
    link: Option<&str>,
    as_of: DateTime<Utc>,
) -> Result<(), AppError> {
    store::pushed(conn, id, google_id, etag, link, as_of).await
}

/// After a full import: removes the events from Google it did not see (it started at
/// `since`, by the database's clock).
pub async fn drop_unseen_google(
    tx: &mut Tx,
    user: &User,
    since: DateTime<Utc>,
) -> Result<usize, AppError> {
    let gone = store::delete_unseen_google(tx.conn(), user.id, since).await?;
    for id in &gone {
        tx.changed(Change::new(user.id, Kind::Event, *id, Op::Deleted));
    }
    Ok(gone.len())
}

/// Where a series from elsewhere stands: its zone and removed instances, bounded by its last
/// instance (for [`FromGoogle::shape`]).
pub fn shape_of(draft: &EventDraft, tz: chrono_tz::Tz, excluded: Vec<DateTime<Utc>>) -> Shape {
    if draft.recurrence.is_none() {
        return Shape::default();
    }
    let series = Series {
        event: draft_event(draft),
        tz,
        excluded,
    };
    Shape {
        timezone: Some(tz),
        repeats_until: series.last_end(),
        excluded: series.excluded,
        replaces: None,
    }
}

/// Every event of the user that ends after `since` as the calendar feed writes them: series
/// whole, with their rule and exceptions.
pub async fn for_feed(
    conn: &AsyncPgConnection,
    user: &User,
    since: DateTime<Utc>,
) -> Result<Vec<FeedRow>, AppError> {
    store::for_feed(conn, user.id, since).await
}

pub async fn get(state: &AppState, user: &User, id: i64) -> Result<Event, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    get_on(&mut conn, user, id).await
}

/// The event `id`, or with `occurrence` its series' instance starting then.
pub async fn get_instance(
    state: &AppState,
    user: &User,
    id: i64,
    occurrence: Option<DateTime<Utc>>,
) -> Result<Event, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    match occurrence {
        None => get_on(&mut conn, user, id).await,
        Some(at) => instance_on(&mut conn, user, id, at).await,
    }
}

/// The instance of series `id` that starts at `at` (and has not been removed or changed on
/// its own).
pub async fn instance_on(
    conn: &mut AsyncPgConnection,
    user: &User,
    id: i64,
    at: DateTime<Utc>,
) -> Result<Event, AppError> {
    store::find_series(conn, user.id, id)
        .await?
        .instance_at(at)
        .ok_or(AppError::NotFound)
}

/// Whether event `id` of the user is a series.
pub async fn is_series(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<bool, AppError> {
    match store::find_series(conn, user_id, id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The first instance of series `id` that starts after `after` (within a year).
pub async fn next_instance(
    conn: &mut AsyncPgConnection,
    user: &User,
    id: i64,
    after: DateTime<Utc>,
) -> Result<Option<Event>, AppError> {
    Ok(store::find_series(conn, user.id, id)
        .await?
        .next_after(after, Duration::days(MAX_RANGE_DAYS)))
}

/// [`get`] on a connection the caller holds (a transaction's).
pub async fn get_on(conn: &mut AsyncPgConnection, user: &User, id: i64) -> Result<Event, AppError> {
    store::find(conn, user.id, id).await
}

fn change(tx: &mut Tx, user: &User, event: Event, op: Op) -> Event {
    tx.changed(Change::new(user.id, Kind::Event, event.id, op));
    event
}

pub async fn create(
    tx: &mut Tx,
    user: &User,
    input: EventInput,
    source: Source,
) -> Result<Event, AppError> {
    let draft = input.validate(user.tz(), user.default_meeting_minutes)?;
    let shape = series_shape(&draft, user, None, Vec::new());
    let event = store::insert(tx.conn(), user.id, &draft, source, &shape).await?;
    tracing::info!(
        user_id = user.id,
        event_id = event.id,
        source = source.as_str(),
        "event created"
    );
    Ok(change(tx, user, event, Op::Created))
}

/// Puts back a deleted event under its old id (undo).
pub async fn restore(
    tx: &mut Tx,
    user: &User,
    id: i64,
    input: EventInput,
    source: Source,
) -> Result<Event, AppError> {
    let draft = input.validate(user.tz(), user.default_meeting_minutes)?;
    let event = store::restore(tx.conn(), user.id, id, &draft, source).await?;
    Ok(change(tx, user, event, Op::Created))
}

pub async fn update(
    tx: &mut Tx,
    user: &User,
    id: i64,
    patch: EventPatch,
) -> Result<Event, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    if current.recurrence.is_some() {
        let series = store::find_series(tx.conn(), user.id, id).await?;
        return update_series(tx, user, series, patch).await;
    }
    if current.series_id.is_some() && patch.recurrence.as_deref().is_some_and(|r| !r.is_empty()) {
        return Err(only_series_repeat());
    }
    let draft = patch
        .apply(&current, user.tz())
        .validate(user.tz(), user.default_meeting_minutes)?;
    let shape = match current.series_id.zip(current.occurrence) {
        Some(replaces) => Shape {
            replaces: Some(replaces),
            ..Shape::default()
        },
        None => series_shape(&draft, user, None, Vec::new()),
    };
    let event = store::update(tx.conn(), user.id, id, &draft, &shape).await?;
    Ok(change(tx, user, event, Op::Updated))
}

/// Deletes an event (a whole series, with its instances) and returns what it was.
pub async fn delete(tx: &mut Tx, user: &User, id: i64) -> Result<Event, AppError> {
    let event = store::delete(tx.conn(), user.id, id).await?;
    Ok(change(tx, user, event, Op::Deleted))
}

/// Changes the instance of series `id` that starts at `at`: only it, it and the later ones,
/// or the whole series (`scope`). Without `at`, or for an event that does not repeat, it is
/// [`update`]. An instance already changed on its own is named by its own id: `This` changes
/// it; the others change its series from the instance it replaced.
pub async fn update_instance(
    tx: &mut Tx,
    user: &User,
    id: i64,
    at: Option<DateTime<Utc>>,
    scope: Scope,
    patch: EventPatch,
) -> Result<Event, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    let (series_id, at) = match (current.recurrence.is_some(), current.series_id, at) {
        (true, _, Some(at)) => (id, at),
        (false, Some(series), _) if scope != Scope::This => {
            let replaced = current.occurrence.ok_or(AppError::NotFound)?;
            store::delete(tx.conn(), user.id, id).await?;
            tx.changed(Change::new(user.id, Kind::Event, id, Op::Deleted));
            let mut series_now = store::find_series(tx.conn(), user.id, series).await?;
            series_now.excluded.retain(|t| *t != replaced);
            store::set_excluded(tx.conn(), user.id, series, &series_now.excluded).await?;
            (series, replaced)
        }
        _ => return update(tx, user, id, patch).await,
    };
    let series = store::find_series(tx.conn(), user.id, series_id).await?;
    let instance = series.instance_at(at).ok_or(AppError::NotFound)?;
    match scope {
        Scope::This => {
            if patch.recurrence.as_deref().is_some_and(|r| !r.is_empty()) {
                return Err(only_series_repeat());
            }
            let draft = EventPatch {
                recurrence: Some(String::new()),
                ..patch
            }
            .apply(&instance, user.tz())
            .validate(user.tz(), user.default_meeting_minutes)?;
            leave_out(tx, user, &series, at).await?;
            let shape = Shape {
                replaces: Some((series_id, at)),
                ..Shape::default()
            };
            let own =
                store::insert(tx.conn(), user.id, &draft, series.event.source, &shape).await?;
            Ok(change(tx, user, own, Op::Created))
        }
        Scope::All => {
            let patch = series_patch(&series, &instance, patch, user)?;
            update_series(tx, user, series, patch).await
        }
        Scope::Following if at == series.event.start => {
            let patch = series_patch(&series, &instance, patch, user)?;
            update_series(tx, user, series, patch).await
        }
        Scope::Following => split(tx, user, series, instance, patch).await,
    }
}

/// Deletes the instance of series `id` at `at`, it and the later ones, or the series. Without
/// `at`, or for an event that does not repeat, it is [`delete`]; an instance changed on its
/// own is named by its own id. Gives back what was deleted as it was seen.
pub async fn delete_instance(
    tx: &mut Tx,
    user: &User,
    id: i64,
    at: Option<DateTime<Utc>>,
    scope: Scope,
) -> Result<Event, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    let (series_id, at, seen) = match (current.recurrence.is_some(), current.series_id, at) {
        (true, _, Some(at)) => {
            let series = store::find_series(tx.conn(), user.id, id).await?;
            let instance = series.instance_at(at).ok_or(AppError::NotFound)?;
            (id, at, instance)
        }
        (false, Some(series), _) => {
            let replaced = current.occurrence.ok_or(AppError::NotFound)?;
            if scope == Scope::This {
                return delete(tx, user, id).await;
            }
            (series, replaced, current)
        }
        _ => return delete(tx, user, id).await,
    };
    let series = store::find_series(tx.conn(), user.id, series_id).await?;
    if scope == Scope::All || (scope == Scope::Following && at <= series.event.start) {
        delete(tx, user, series_id).await?;
        return Ok(seen);
    }
    if scope == Scope::This {
        leave_out(tx, user, &series, at).await?;
        return Ok(seen);
    }
    end_before(tx, user, &series, at).await?;
    Ok(seen)
}

/// Makes `series` leave out its instance at `at` (a change of the series, to push too).
async fn leave_out(
    tx: &mut Tx,
    user: &User,
    series: &Series,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut excluded = series.excluded.clone();
    excluded.push(at);
    store::set_excluded(tx.conn(), user.id, series.event.id, &excluded).await?;
    tx.changed(Change::new(
        user.id,
        Kind::Event,
        series.event.id,
        Op::Updated,
    ));
    Ok(())
}

/// Puts the instance of series `id` at `at` back (undoing its deletion).
pub async fn restore_instance(
    tx: &mut Tx,
    user: &User,
    id: i64,
    at: DateTime<Utc>,
) -> Result<Event, AppError> {
    let mut series = store::find_series(tx.conn(), user.id, id).await?;
    series.excluded.retain(|t| *t != at);
    store::set_excluded(tx.conn(), user.id, id, &series.excluded).await?;
    let back = series.instance_at(at).ok_or(AppError::NotFound)?;
    tx.changed(Change::new(user.id, Kind::Event, id, Op::Updated));
    Ok(back)
}

/// Ends `series` before `at`: its rule stops there, and what it left out or changed on its own
/// from `at` on goes.
async fn end_before(
    tx: &mut Tx,
    user: &User,
    series: &Series,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    for own in store::own_instances_from(tx.conn(), user.id, series.event.id, Some(at)).await? {
        delete(tx, user, own).await?;
    }
    let mut ended = series.clone();
    ended.event.recurrence = series.rule_until(at);
    ended.excluded.retain(|t| *t < at);
    let mut draft = draft_of(&series.event);
    draft.recurrence = ended.event.recurrence.clone();
    let shape = Shape {
        timezone: Some(series.tz),
        repeats_until: ended.last_end(),
        excluded: ended.excluded,
        replaces: None,
    };
    let event = store::update(tx.conn(), user.id, series.event.id, &draft, &shape).await?;
    change(tx, user, event, Op::Updated);
    Ok(())
}

/// Splits `series` at `instance`: the part before keeps the series, the rest becomes a new
/// series made from the instance with `patch` applied, taking along the later instances
/// left out or changed on their own.
async fn split(
    tx: &mut Tx,
    user: &User,
    series: Series,
    instance: Event,
    patch: EventPatch,
) -> Result<Event, AppError> {
    let at = instance.start;
    let rest_rule = series.rule_from(at).ok_or(AppError::NotFound)?;
    let input = EventPatch {
        recurrence: Some(patch.recurrence.clone().unwrap_or(rest_rule)),
        ..patch
    }
    .apply(&instance, user.tz());
    let draft = input.validate(user.tz(), user.default_meeting_minutes)?;
    if draft.recurrence.is_none() {
        // "This and following" no longer repeating: the rest becomes one event.
        end_before(tx, user, &series, at).await?;
        let shape = Shape::default();
        let event = store::insert(tx.conn(), user.id, &draft, series.event.source, &shape).await?;
        return Ok(change(tx, user, event, Op::Created));
    }
    let gap = wall_gap(at, draft.start, series.tz);
    let excluded: Vec<_> = series
        .excluded
        .iter()
        .filter(|t| **t >= at)
        .map(|t| shift_wall(*t, gap, series.tz))
        .collect();
    let moved = store::own_instances_from(tx.conn(), user.id, series.event.id, Some(at)).await?;
    let shape = series_shape(&draft, user, Some(series.tz), excluded);
    let rest = store::insert(tx.conn(), user.id, &draft, series.event.source, &shape).await?;
    store::move_own_instances(tx.conn(), &moved, rest.id, gap, series.tz).await?;
    for id in &moved {
        tx.changed(Change::new(user.id, Kind::Event, *id, Op::Updated));
    }
    // What moved is no longer the first part's, so ending it leaves them be.
    end_before(tx, user, &series, at).await?;
    let first = Series {
        event: rest.clone(),
        tz: series.tz,
        excluded: Vec::new(),
    }
    .instance_at(rest.start)
    .unwrap_or_else(|| rest.clone());
    change(tx, user, rest, Op::Created);
    Ok(first)
}

/// What an instance's `patch` means for its whole series: the same fields, with times moved
/// by as much wall time as the instance moved.
fn series_patch(
    series: &Series,
    instance: &Event,
    patch: EventPatch,
    user: &User,
) -> Result<EventPatch, AppError> {
    let moved = patch
        .clone()
        .apply(instance, user.tz())
        .validate(user.tz(), user.default_meeting_minutes)?;
    let gap = wall_gap(instance.start, moved.start, series.tz);
    let start = shift_wall(series.event.start, gap, series.tz);
    let end = start + (moved.end - moved.start);
    let at = |t: DateTime<Utc>| {
        if moved.all_day {
            t.date_naive().to_string()
        } else {
            t.to_rfc3339()
        }
    };
    let last_day = |t: DateTime<Utc>| (t - Duration::days(1)).date_naive().to_string();
    Ok(EventPatch {
        start: Some(at(start)),
        end: Some(if moved.all_day {
            last_day(end)
        } else {
            at(end)
        }),
        all_day: Some(moved.all_day),
        ..patch
    })
}

/// Applies `patch` to the whole of `series`. Moving its start moves the instances it left out
/// or that were changed on their own by as much wall time, so they still line up; a series
/// that stops repeating becomes its first instance, and what it held goes.
async fn update_series(
    tx: &mut Tx,
    user: &User,
    series: Series,
    patch: EventPatch,
) -> Result<Event, AppError> {
    let draft = patch
        .apply(&series.event, user.tz())
        .validate(user.tz(), user.default_meeting_minutes)?;
    let id = series.event.id;
    let owned = store::own_instances_from(tx.conn(), user.id, id, None).await?;
    let event = if draft.recurrence.is_none() {
        for own in owned {
            delete(tx, user, own).await?;
        }
        store::update(tx.conn(), user.id, id, &draft, &Shape::default()).await?
    } else {
        let gap = wall_gap(series.event.start, draft.start, series.tz);
        let excluded = series
            .excluded
            .iter()
            .map(|t| shift_wall(*t, gap, series.tz))
            .collect();
        store::move_own_instances(tx.conn(), &owned, id, gap, series.tz).await?;
        let shape = series_shape(&draft, user, Some(series.tz), excluded);
        store::update(tx.conn(), user.id, id, &draft, &shape).await?
    };
    Ok(change(tx, user, event, Op::Updated))
}

/// Where a new or changed row stands among series: a series repeats in `tz` (default: the
/// user's; UTC for all-day ones) and is bounded by its last instance.
fn series_shape(
    draft: &EventDraft,
    user: &User,
    tz: Option<chrono_tz::Tz>,
    excluded: Vec<DateTime<Utc>>,
) -> Shape {
    if draft.recurrence.is_none() {
        return Shape::default();
    }
    let tz = if draft.all_day {
        chrono_tz::UTC
    } else {
        tz.unwrap_or_else(|| user.tz())
    };
    shape_of(draft, tz, excluded)
}

/// A draft as an event (no id yet), to work out its series.
fn draft_event(draft: &EventDraft) -> Event {
    Event {
        id: 0,
        title: draft.title.clone(),
        description: String::new(),
        location: String::new(),
        start: draft.start,
        end: draft.end,
        all_day: draft.all_day,
        source: Source::Web,
        reminder_minutes: None,
        recurrence: draft.recurrence.clone(),
        series_id: None,
        occurrence: None,
        google_link: None,
    }
}

/// A stored event as a draft to store again.
fn draft_of(event: &Event) -> EventDraft {
    EventDraft {
        title: event.title.clone(),
        description: event.description.clone(),
        location: event.location.clone(),
        start: event.start,
        end: event.end,
        all_day: event.all_day,
        reminder_minutes: event.reminder_minutes.clone(),
        recurrence: event.recurrence.clone(),
    }
}

fn only_series_repeat() -> AppError {
    AppError::invalid(
        "recurrence",
        "one instance cannot repeat on its own; change this and the following events, or all",
    )
}
