//! Pulling a user's Google Calendar into Aida, as a job: a full import first (page by page,
//! its progress on the Settings page), then only what changed, by sync token. A token Google
//! no longer takes (410) starts a full import again, which stores nothing twice (events are
//! matched by their Google id) and removes what Google no longer has. Recurring events come
//! in as series with their exceptions; all-day events as all-day. The newer of Google's
//! change and ours wins. Failures in a row pause a connection's pulls for a while (its
//! circuit breaker), and the Settings page says why.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::{ApiError, Calendar, GEvent, GTime};
use super::ops::GoogleError;
use super::store;
use crate::auth::model::User;
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::events::model::{EventDraft, MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE};
use crate::events::ops::{
    FromGoogle, GoogleItem, Shape, apply_google, drop_unseen_google, shape_of,
};
use crate::events::recurrence::Rule;
use crate::jobs::queue::{Claimed, NewJob};
use crate::jobs::worker::{Alone, Handler, JobError};
use crate::state::AppState;

/// The job that pulls one user's calendar.
pub const PULL: &str = "google_pull";
/// How often every connection is pulled.
pub const EVERY: Duration = Duration::minutes(5);
/// Failures in a row after which a connection's pulls pause.
const BREAKER_FAILURES: i32 = 3;
/// How long they pause.
const BREAKER_PAUSE: Duration = Duration::minutes(15);

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub user_id: i64,
}

/// A pull of `user_id`'s calendar, as a job (one waits at a time per user).
pub fn pull_job(user_id: i64) -> NewJob {
    NewJob::new(PULL, serde_json::json!(Payload { user_id })).key(format!("{PULL}:{user_id}"))
}

/// Runs [`pull`] for the job's user.
pub struct Pull;

#[async_trait::async_trait]
impl Alone for Pull {
    async fn run(&self, state: &AppState, job: &Claimed) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Failed(format!("unreadable payload: {e}")))?;
        match pull(state, p.user_id).await {
            Ok(_) | Err(ApiError::Connection(_)) => Ok(()),
            Err(ApiError::Refused(why)) => {
                // Trying again will not help: the user is told, the next round tries anew.
                record_failure(state, p.user_id, &why).await?;
                Ok(())
            }
            Err(e @ (ApiError::Later(_) | ApiError::FullSyncRequired)) => {
                record_failure(state, p.user_id, &e.to_string()).await?;
                Err(JobError::Failed(e.to_string()))
            }
        }
    }
}

/// Adds a pull for every working connection whose breaker is closed.
pub struct PullAll;

#[async_trait::async_trait]
impl Handler for PullAll {
    async fn run(&self, state: &AppState, tx: &mut Tx, _: &Claimed) -> Result<(), JobError> {
        if state.settings.google.is_none() {
            return Ok(());
        }
        let users = store::connected_users(tx.conn()).await?;
        let jobs: Vec<NewJob> = users.into_iter().map(pull_job).collect();
        crate::jobs::queue::add(tx, &jobs).await?;
        Ok(())
    }
}

async fn record_failure(state: &AppState, user_id: i64, why: &str) -> Result<(), AppError> {
    tracing::warn!(user_id, why, "a Google Calendar pull failed");
    let now = state.now();
    state
        .write(async |tx| store::sync_failed(tx.conn(), user_id, why, now).await)
        .await
}

/// What a pull did.
#[derive(Debug, PartialEq, Eq)]
pub struct Pulled {
    pub full: bool,
    pub changed: usize,
    pub removed: usize,
}

/// Pulls what changed in the user's primary calendar since the last pull (everything, the
/// first time or when Google asks).
pub async fn pull(state: &AppState, user_id: i64) -> Result<Pulled, ApiError> {
    let mut conn = db::conn(&state.pool).await.map_err(GoogleError::from)?;
    let Some(sync) = store::sync_state(&mut conn, user_id)
        .await
        .map_err(GoogleError::from)?
    else {
        return Err(GoogleError::NotConnected.into());
    };
    let user = crate::auth::store::find(&mut conn, user_id)
        .await
        .map_err(GoogleError::from)?;
    drop(conn);
    if sync.status != "connected" {
        return Err(GoogleError::Broken.into());
    }
    if sync.sync_failures >= BREAKER_FAILURES && state.now() - sync.updated_at < BREAKER_PAUSE {
        tracing::info!(user_id, "Google pulls paused after failures in a row");
        return Ok(Pulled {
            full: false,
            changed: 0,
            removed: 0,
        });
    }
    let mut calendar = Calendar::open(state, user_id).await?;
    let mut token = sync.sync_token;
    loop {
        match pull_pages(state, &user, &mut calendar, token.as_deref()).await {
            Err(ApiError::FullSyncRequired) if token.is_some() => {
                tracing::info!(
                    user_id,
                    "Google's sync token expired: importing everything again"
                );
                token = None;
            }
            other => return other,
        }
    }
}

/// Reads every page from `token` (or everything), applying each as it comes.
async fn pull_pages(
    state: &AppState,
    user: &User,
    calendar: &mut Calendar<'_>,
    token: Option<&str>,
) -> Result<Pulled, ApiError> {
    let full = token.is_none();
    let started = if full {
        Some(
            write(state, async |tx| {
                store::begin_import(tx.conn(), user.id).await
            })
            .await?,
        )
    } else {
        None
    };
    let mut changed = 0;
    let mut page_token: Option<String> = None;
    loop {
        let page = calendar.list(token, page_token.as_deref()).await?;
        let items: Vec<GoogleItem> = page
            .items
            .iter()
            .filter_map(|g| item(g, user.tz()))
            .collect();
        let count = i32::try_from(items.len()).unwrap_or(i32::MAX);
        changed += write(state, async |tx| {
            store::from_google(tx.conn()).await?;
            let n = apply_google(tx, user, items).await?;
            if full {
                store::imported(tx.conn(), user.id, count).await?;
            }
            Ok(n)
        })
        .await?;
        match (page.next_page_token, page.next_sync_token) {
            (Some(next), _) => page_token = Some(next),
            (None, next_sync) => {
                let now = state.now();
                let removed = write(state, async |tx| {
                    store::from_google(tx.conn()).await?;
                    let removed = match started {
                        Some(since) => drop_unseen_google(tx, user, since).await?,
                        None => 0,
                    };
                    store::synced(tx.conn(), user.id, next_sync.as_deref(), now).await?;
                    Ok(removed)
                })
                .await?;
                tracing::info!(
                    user_id = user.id,
                    full,
                    changed,
                    removed,
                    "Google Calendar pulled"
                );
                refresh_busy(state, user.id, calendar).await;
                return Ok(Pulled {
                    full,
                    changed,
                    removed,
                });
            }
        }
    }
}

/// Stores Google's busy times for the weeks ahead. A failure keeps the last ones (logged):
/// availability still has the events pulled.
async fn refresh_busy(state: &AppState, user_id: i64, calendar: &mut Calendar<'_>) {
    let from = state.now() - Duration::days(1);
    match calendar.free_busy(from, from + super::busy::AHEAD).await {
        Ok(busy) => {
            let stored = state
                .write(async |tx| super::busy::replace(tx.conn(), user_id, &busy).await)
                .await;
            if let Err(e) = stored {
                tracing::warn!(user_id, error = %e, "Google busy times not stored");
            }
        }
        Err(e) => tracing::warn!(user_id, error = %e, "Google free/busy not read"),
    }
}

async fn write<R: Send>(
    state: &AppState,
    f: impl for<'t> crate::db::tx::TxFn<'t, R, Fut: Send> + Send,
) -> Result<R, ApiError> {
    state
        .write(f)
        .await
        .map_err(|e| ApiError::Connection(GoogleError::App(e)))
}

/// What one of Google's events means here; `None` for one Aida cannot show (logged).
pub fn item(g: &GEvent, user_tz: Tz) -> Option<GoogleItem> {
    if g.cancelled() {
        return Some(match (&g.recurring_event_id, &g.original_start_time) {
            (Some(series), Some(original)) => GoogleItem::GoneInstance {
                series: series.clone(),
                at: instant(original, user_tz)?,
            },
            _ => GoogleItem::Gone {
                google_id: g.id.clone(),
            },
        });
    }
    let (start, end) = (g.start.as_ref()?, g.end.as_ref()?);
    let all_day = start.date.is_some();
    let (start_at, end_at) = (instant(start, user_tz)?, instant(end, user_tz)?);
    let end_at = if end_at > start_at {
        end_at
    } else {
        start_at + Duration::minutes(if all_day { 1440 } else { 1 })
    };
    let tz = if all_day {
        chrono_tz::UTC
    } else {
        start
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(user_tz)
    };
    let (rule, excluded) = g
        .recurrence
        .as_deref()
        .map(|lines| recurrence(lines, start_at, tz, &g.id))
        .unwrap_or_default();
    let draft = EventDraft {
        title: clip(
            g.summary
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or("(no title)"),
            MAX_TITLE,
        ),
        description: clip(
            g.description.as_deref().unwrap_or_default(),
            MAX_DESCRIPTION,
        ),
        location: clip(g.location.as_deref().unwrap_or_default(), MAX_LOCATION),
        start: start_at,
        end: end_at,
        all_day,
        reminder_minutes: None,
        recurrence: rule,
    };
    let replaces = match (&g.recurring_event_id, &g.original_start_time) {
        (Some(series), Some(original)) => Some((series.clone(), instant(original, user_tz)?)),
        _ => None,
    };
    let shape: Shape = shape_of(&draft, tz, excluded);
    Some(GoogleItem::Put(Box::new(FromGoogle {
        google_id: g.id.clone(),
        etag: g.etag.clone(),
        link: g.html_link.clone(),
        updated: g
            .updated
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            .map_or_else(Utc::now, |u| u.with_timezone(&Utc)),
        draft,
        shape,
        replaces,
    })))
}

/// A Google time: a date is its UTC day (as all-day events are kept), a date-time its instant.
fn instant(t: &GTime, tz: Tz) -> Option<DateTime<Utc>> {
    if let Some(date) = &t.date {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        return Some(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let text = t.date_time.as_deref()?;
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) => Some(at.with_timezone(&Utc)),
        Err(_) => crate::time::parse(text, tz)
            .ok()
            .and_then(|typed| match typed {
                crate::time::Typed::At(at) => Some(at),
                crate::time::Typed::Day(_) => None,
            }),
    }
}

/// The rule and removed starts of Google's `recurrence` lines. A rule Aida cannot expand
/// leaves a single event (logged); RDATE and EXRULE are not kept.
fn recurrence(
    lines: &[String],
    start: DateTime<Utc>,
    tz: Tz,
    id: &str,
) -> (Option<String>, Vec<DateTime<Utc>>) {
    let mut rule = None;
    let mut excluded = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let (property, params) = name.split_once(';').unwrap_or((name, ""));
        match property.to_ascii_uppercase().as_str() {
            "RRULE" if rule.is_none() => match Rule::read(value, start, tz) {
                Ok(r) => rule = Some(r.text().to_owned()),
                Err(why) => tracing::warn!(
                    google_id = id,
                    why,
                    "a Google rule Aida cannot expand: kept as one event"
                ),
            },
            "EXDATE" => excluded.extend(exdates(params, value, tz)),
            other => tracing::info!(
                google_id = id,
                property = other,
                "a recurrence line not kept"
            ),
        }
    }
    (rule, excluded)
}

/// EXDATE values: UTC (`…Z`), local in `TZID` (or the series' zone), or dates.
fn exdates(params: &str, value: &str, tz: Tz) -> Vec<DateTime<Utc>> {
    let zone = params
        .split(';')
        .find_map(|p| p.strip_prefix("TZID="))
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(tz);
    value
        .split(',')
        .filter_map(|v| {
            let v = v.trim();
            if let Ok(day) = NaiveDate::parse_from_str(v, "%Y%m%d") {
                return Some(day.and_time(chrono::NaiveTime::MIN).and_utc());
            }
            if let Some(utc) = v.strip_suffix('Z') {
                return chrono::NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                    .ok()
                    .map(|t| t.and_utc());
            }
            chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
                .ok()
                .and_then(|local| crate::time::local_to_utc(local, zone).ok())
        })
        .collect()
}

fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(id: &str, start: &str, end: &str, zone: Option<&str>) -> GEvent {
        GEvent {
            id: id.into(),
            status: Some("confirmed".into()),
            summary: Some("Standup".into()),
            start: Some(GTime {
                date_time: Some(start.into()),
                time_zone: zone.map(Into::into),
                ..GTime::default()
            }),
            end: Some(GTime {
                date_time: Some(end.into()),
                time_zone: zone.map(Into::into),
                ..GTime::default()
            }),
            updated: Some("2026-11-20T10:00:00.000Z".into()),
            ..GEvent::default()
        }
    }

    fn put(item: Option<GoogleItem>) -> FromGoogle {
        match item {
            Some(GoogleItem::Put(g)) => *g,
            _ => panic!("an event"),
        }
    }

    #[test]
    fn a_recurring_event_is_a_series_in_its_zone_with_its_exclusions() {
        let mut g = timed(
            "abc",
            "2026-11-30T09:00:00-05:00",
            "2026-11-30T09:15:00-05:00",
            Some("America/Toronto"),
        );
        g.recurrence = Some(vec![
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE".into(),
            "EXDATE;TZID=America/Toronto:20261202T090000,20261207T090000".into(),
        ]);
        let f = put(item(&g, chrono_tz::UTC));
        assert_eq!(
            f.draft.recurrence.as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO,WE")
        );
        assert_eq!(f.shape.timezone, Some(chrono_tz::America::Toronto));
        assert_eq!(
            f.shape.excluded,
            [
                "2026-12-02T14:00:00Z".parse::<DateTime<Utc>>().expect("t"),
                "2026-12-07T14:00:00Z".parse().expect("t")
            ]
        );
        assert_eq!(f.shape.repeats_until, None);
    }

    #[test]
    fn all_day_exceptions_and_cancellations() {
        let all_day = GEvent {
            id: "trip".into(),
            summary: Some("  ".into()),
            start: Some(GTime {
                date: Some("2026-12-24".into()),
                ..GTime::default()
            }),
            end: Some(GTime {
                date: Some("2026-12-27".into()),
                ..GTime::default()
            }),
            ..GEvent::default()
        };
        let f = put(item(&all_day, chrono_tz::UTC));
        assert!(f.draft.all_day);
        assert_eq!(f.draft.title, "(no title)");
        assert_eq!(f.draft.end - f.draft.start, Duration::days(3));

        let mut moved = timed(
            "abc_20261209T140000Z",
            "2026-12-09T15:00:00Z",
            "2026-12-09T15:15:00Z",
            None,
        );
        moved.recurring_event_id = Some("abc".into());
        moved.original_start_time = Some(GTime {
            date_time: Some("2026-12-09T09:00:00-05:00".into()),
            ..GTime::default()
        });
        let f = put(item(&moved, chrono_tz::UTC));
        assert_eq!(
            f.replaces,
            Some(("abc".into(), "2026-12-09T14:00:00Z".parse().expect("t")))
        );

        moved.status = Some("cancelled".into());
        assert!(matches!(
            item(&moved, chrono_tz::UTC),
            Some(GoogleItem::GoneInstance { series, .. }) if series == "abc"
        ));
        let gone = GEvent {
            id: "x".into(),
            status: Some("cancelled".into()),
            ..GEvent::default()
        };
        assert!(
            matches!(item(&gone, chrono_tz::UTC), Some(GoogleItem::Gone { google_id }) if google_id == "x")
        );
    }
}
