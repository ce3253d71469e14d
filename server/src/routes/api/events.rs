//! `/api/events`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use app::auth::model::User;
use app::db::tx::Tx;
use app::error::AppError;
use app::events::model::{Event, EventInput, EventPatch, Scope, Source};
use app::events::ops;
use app::state::AppState;
use app::time::{self, Typed};

use super::extract::{Acting, ApiResult, Query};
use super::records::Records;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A range bound: RFC 3339, or a date / local date-time in the user's timezone.
fn bound(text: &str, field: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, AppError> {
    match time::parse(text, tz) {
        Ok(Typed::At(t)) => Ok(t),
        Ok(Typed::Day(d)) => Ok(time::start_of_day(d, tz)),
        Err(e) => Err(AppError::invalid(field, e.to_string())),
    }
}

/// Events in `[from, to)`; by default from the start of today for 30 days.
pub async fn list(
    State(state): State<AppState>,
    Acting(user): Acting,
    Query(range): Query<Range>,
) -> ApiResult<Json<Vec<Event>>> {
    let tz = user.tz();
    let from = match range.from.as_deref() {
        Some(text) => bound(text, "from", tz)?,
        None => time::start_of_day(state.now().with_timezone(&tz).date_naive(), tz),
    };
    let to = match range.to.as_deref() {
        Some(text) => bound(text, "to", tz)?,
        None => from + Duration::days(30),
    };
    Ok(Json(ops::list(&state, &user, from, to).await?))
}

/// Which instance of a series a request is about: `occurrence` is the instance's start as
/// listed (a date for all-day ones); `scope` (default `this`) says whether the later ones or
/// the whole series change with it. Without `occurrence`, the id's own row (a whole series).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    occurrence: Option<String>,
    scope: Option<Scope>,
}

impl Instance {
    fn occurrence(&self, user: &User) -> Result<Option<DateTime<Utc>>, AppError> {
        let Some(text) = self.occurrence.as_deref() else {
            return Ok(None);
        };
        match time::parse(text, user.tz()) {
            Ok(Typed::At(t)) => Ok(Some(t)),
            Ok(Typed::Day(d)) => Ok(Some(time::start_of_day(d, chrono_tz::UTC))),
            Err(e) => Err(AppError::invalid("occurrence", e.to_string())),
        }
    }

    fn scope(&self) -> Scope {
        self.scope.unwrap_or_default()
    }
}

/// Events: created, shown, changed and deleted through [`records`](super::records).
pub struct Events;

impl Records for Events {
    type Record = Event;
    type Input = EventInput;
    type Patch = EventPatch;
    type Which = Instance;

    async fn create(tx: &mut Tx, user: &User, input: EventInput) -> Result<Event, AppError> {
        ops::create(tx, user, input, Source::Api).await
    }

    async fn get(
        state: &AppState,
        user: &User,
        id: i64,
        which: Instance,
    ) -> Result<Event, AppError> {
        ops::get_instance(state, user, id, which.occurrence(user)?).await
    }

    async fn update(
        tx: &mut Tx,
        user: &User,
        id: i64,
        which: Instance,
        patch: EventPatch,
    ) -> Result<Event, AppError> {
        let at = which.occurrence(user)?;
        ops::update_instance(tx, user, id, at, which.scope(), patch).await
    }

    async fn delete(tx: &mut Tx, user: &User, id: i64, which: Instance) -> Result<Event, AppError> {
        let at = which.occurrence(user)?;
        ops::delete_instance(tx, user, id, at, which.scope()).await
    }
}
