//! Sending Aida's changes to Google Calendar. Any transaction that changes a connected user's
//! events adds one push job for that user as it commits ([`schedule`], from `Tx::commit`), so
//! the push is there exactly when the change is. The job sends whatever Google does not have
//! as it is here: an event never sent is inserted under an id derived from ours (so a retry
//! finds it there: 409, and patches it instead), a changed one is patched with its ETag (412:
//! the newer change wins), an instance changed on its own patches its instance at Google, and
//! deletions (kept by a trigger) are deleted there. Events pulled from Google are in sync by
//! construction and are not sent back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::calendar::{ApiError, Calendar, Write};
use super::ops::GoogleError;
use super::store;
use crate::changes::{Change, Kind};
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::events::ops::ToPush;
use crate::jobs::queue::{Claimed, NewJob};
use crate::jobs::worker::{Alone, JobError};
use crate::state::AppState;

pub const PUSH: &str = "google_push";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub user_id: i64,
}

/// Adds a push for each connected user whose events `changes` touched (one waits at a time).
pub async fn schedule(tx: &mut Tx, changes: &[Change]) -> Result<(), AppError> {
    let mut users: Vec<i64> = changes
        .iter()
        .filter(|c| c.kind == Kind::Event)
        .map(|c| c.user_id)
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    users.sort_unstable();
    users.dedup();
    let connected = store::connected_among(tx.conn(), &users).await?;
    let jobs: Vec<NewJob> = connected
        .into_iter()
        .map(|user_id| {
            NewJob::new(PUSH, json!(Payload { user_id })).key(format!("{PUSH}:{user_id}"))
        })
        .collect();
    crate::jobs::queue::add(tx, &jobs).await?;
    Ok(())
}

/// Runs [`push`] for the job's user.
pub struct Push;

#[async_trait::async_trait]
impl Alone for Push {
    async fn run(&self, state: &AppState, job: &Claimed) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Failed(format!("unreadable payload: {e}")))?;
        match push(state, p.user_id).await {
            Ok(_) | Err(ApiError::Connection(_)) => Ok(()),
            Err(e) => {
                tracing::warn!(user_id = p.user_id, error = %e, "a Google Calendar push failed");
                Err(JobError::Failed(e.to_string()))
            }
        }
    }
}

/// What a push did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    pub sent: usize,
    pub deleted: usize,
}

/// Sends Google every change it does not have.
pub async fn push(state: &AppState, user_id: i64) -> Result<Pushed, ApiError> {
    let mut conn = db::conn(&state.pool).await.map_err(GoogleError::from)?;
    let user = crate::auth::store::find(&mut conn, user_id)
        .await
        .map_err(GoogleError::from)?;
    let gone = store::deletions(&mut conn, user_id)
        .await
        .map_err(GoogleError::from)?;
    let pending = crate::events::ops::to_push(&mut conn, &user)
        .await
        .map_err(GoogleError::from)?;
    drop(conn);
    if gone.is_empty() && pending.is_empty() {
        return Ok(Pushed::default());
    }
    let mut calendar = Calendar::open(state, user_id).await?;
    let mut done = Pushed::default();
    for id in &gone {
        calendar.delete(id).await?;
        let ids = std::slice::from_ref(id);
        state
            .write(async |tx| store::deleted(tx.conn(), user_id, ids).await)
            .await
            .map_err(GoogleError::from)?;
        done.deleted += 1;
    }
    for row in &pending {
        if send(state, &mut calendar, row).await? {
            done.sent += 1;
        }
    }
    tracing::info!(
        user_id,
        sent = done.sent,
        deleted = done.deleted,
        "Google Calendar pushed"
    );
    Ok(done)
}

/// Sends one event; whether Google took it.
async fn send(
    state: &AppState,
    calendar: &mut Calendar<'_>,
    row: &ToPush,
) -> Result<bool, ApiError> {
    let series = row.series();
    let event = &series.event;
    let body = body(row);
    let outcome = match (&row.google_id, event.series_id, &row.series_google_id) {
        // An instance changed on its own: its instance at Google.
        (_, Some(_), Some(series_gid)) => {
            let at = event.occurrence.unwrap_or(event.start);
            let id = instance_id(series_gid, at, event.all_day);
            (id.clone(), calendar.patch(&id, &body, None).await?)
        }
        // Its series is not at Google yet: it goes with the series' next push.
        (_, Some(_), None) => return Ok(false),
        (None, None, _) => {
            let id = derived_id(event.id);
            match calendar.insert(&with_id(&body, &id)).await? {
                Write::Exists => (id.clone(), calendar.patch(&id, &body, None).await?),
                other => (id, other),
            }
        }
        (Some(id), None, _) => match calendar
            .patch(id, &body, row.google_etag.as_deref())
            .await?
        {
            Write::Changed => {
                // Changed at Google since we last saw it: the newer change wins.
                let theirs = calendar.get(id).await?;
                let newer_there = theirs
                    .and_then(|g| g.updated)
                    .and_then(|u| DateTime::parse_from_rfc3339(&u).ok())
                    .is_some_and(|u| u.with_timezone(&Utc) > row.updated_at);
                if newer_there {
                    return Ok(false); // the next pull brings it
                }
                (id.clone(), calendar.patch(id, &body, None).await?)
            }
            // Deleted at Google meanwhile: put it back as ours, under our own id.
            Write::Missing => {
                let fresh = derived_id(event.id);
                (
                    fresh.clone(),
                    calendar.insert(&with_id(&body, &fresh)).await?,
                )
            }
            other => (id.clone(), other),
        },
    };
    let (google_id, written) = match outcome {
        (id, Write::Done(w)) => (id, w),
        (_, other) => {
            tracing::warn!(event_id = event.id, outcome = ?other, "Google did not take an event");
            return Ok(false);
        }
    };
    let as_of = row.updated_at;
    let stored_id = if event.series_id.is_some() {
        google_id
    } else {
        written.id.clone()
    };
    state
        .write(async |tx| {
            crate::events::ops::pushed(
                tx.conn(),
                event.id,
                &stored_id,
                written.etag.as_deref(),
                written.html_link.as_deref(),
                as_of,
            )
            .await
        })
        .await
        .map_err(GoogleError::from)?;
    Ok(true)
}

/// Our event `id` as a Google event id: base32hex characters (a–v, 0–9), 5 or more.
pub fn derived_id(id: i64) -> String {
    format!("aida{id:08}")
}

/// The id Google gives an instance of series `series` that starts at `at`.
pub fn instance_id(series: &str, at: DateTime<Utc>, all_day: bool) -> String {
    if all_day {
        format!("{series}_{}", at.format("%Y%m%d"))
    } else {
        format!("{series}_{}", at.format("%Y%m%dT%H%M%SZ"))
    }
}

fn with_id(body: &Value, id: &str) -> Value {
    let mut body = body.clone();
    body["id"] = Value::from(id);
    body
}

/// An event as Google's Event resource: all-day as dates (end exclusive), a series' times in
/// its zone with its rule and exclusions.
fn body(row: &ToPush) -> Value {
    let series = row.series();
    let e = &series.event;
    let tz = series.tz;
    let time = |t: DateTime<Utc>| {
        if e.all_day {
            json!({ "date": t.date_naive().to_string() })
        } else if e.recurrence.is_some() {
            json!({
                "dateTime": t.with_timezone(&tz).to_rfc3339(),
                "timeZone": tz.name(),
            })
        } else {
            json!({ "dateTime": t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) })
        }
    };
    let mut body = json!({
        "summary": e.title,
        "description": e.description,
        "location": e.location,
        "start": time(e.start),
        "end": time(e.end),
        "extendedProperties": { "private": { "aidaId": e.id.to_string() } },
    });
    if let Some(rule) = &e.recurrence {
        let mut lines = vec![format!("RRULE:{rule}")];
        if !series.excluded.is_empty() {
            let values: Vec<String> = series
                .excluded
                .iter()
                .map(|t| {
                    if e.all_day {
                        t.format("%Y%m%d").to_string()
                    } else {
                        t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string()
                    }
                })
                .collect();
            lines.push(if e.all_day {
                format!("EXDATE;VALUE=DATE:{}", values.join(","))
            } else {
                format!("EXDATE;TZID={}:{}", tz.name(), values.join(","))
            });
        }
        body["recurrence"] = json!(lines);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_what_google_accepts() {
        let id = derived_id(42);
        assert_eq!(id, "aida00000042");
        assert!(
            id.len() >= 5
                && id
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c))
        );
        let at = "2026-12-07T14:00:00Z".parse().expect("time");
        assert_eq!(instance_id("abc", at, false), "abc_20261207T140000Z");
        assert_eq!(instance_id("abc", at, true), "abc_20261207");
    }
}
