//! Sending a reminder when its job comes due.

use chrono::{DateTime, Duration, Utc};

use super::offsets::length;
use super::schedule::{Payload, reschedule_after};
use crate::assistant::model::Channel;
use crate::assistant::{phrases, wording};
use crate::auth::model::AccountStatus;
use crate::changes::{Change, Kind, Op};
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::jobs::queue::Claimed;
use crate::jobs::worker::{Handler, JobError};
use crate::sms::outbox::{self, Message, Purpose};
use crate::state::AppState;
use crate::tasks::model::Due;

/// How late a task's reminder may still go out.
const TASK_GRACE: Duration = Duration::hours(1);

pub struct Remind;

#[async_trait::async_trait]
impl Handler for Remind {
    async fn run(&self, state: &AppState, tx: &mut Tx, job: &Claimed) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Failed(format!("unreadable payload: {e}")))?;
        let now = state.now();
        let text = what_to_say(tx, &p, now).await?;
        if let Some(id) = p.record.strip_prefix("event:").and_then(|i| i.parse().ok()) {
            // A series is reminded of one instance at a time: the next one's come now.
            if crate::events::ops::is_series(tx.conn(), p.user_id, id).await? {
                let next = Change::new(p.user_id, Kind::Event, id, Op::Updated);
                reschedule_after(tx, &[next], Some((p.minutes, p.at))).await?;
            }
        }
        let Some(text) = text else {
            return Ok(());
        };
        let user = crate::auth::store::find(tx.conn(), p.user_id).await?;
        let Some(phone) = user.phone.as_deref() else {
            return Ok(());
        };
        let body = wording::for_channel(Channel::Sms, &text);
        outbox::queue(
            tx,
            state,
            Message::new(Some(user.id), phone, &body, Purpose::Reminder),
        )
        .await?;
        Ok(())
    }
}

/// The reminder's text, or `None` when it no longer applies (the record moved, was done or
/// removed, the user turned it off) or comes too late to help.
async fn what_to_say(
    tx: &mut Tx,
    p: &Payload,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let user = match crate::auth::store::find(tx.conn(), p.user_id).await {
        Ok(user) if user.status == AccountStatus::Active => user,
        Ok(_) | Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let tz = user.tz();
    let Some((kind, id)) = p.record.split_once(':') else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let found = match kind {
        "event" => event_at(tx, &user, id, p.at)
            .await
            .map(|event| {
                let lengths = event.reminder_minutes.as_ref().unwrap_or(&user.reminder_minutes);
                let applies = event.start == p.at && lengths.contains(&p.minutes);
                if !applies {
                    return None;
                }
                if now >= event.start {
                    tracing::warn!(record = p.record, "a reminder came due while no worker ran and its event has begun: dropped");
                    return None;
                }
                let left = (event.start - now).num_minutes().max(1);
                Some(format!(
                    "Reminder: {} (in {}).",
                    phrases::event(&event, tz),
                    length(i32::try_from(round(left, p.minutes)).unwrap_or(i32::MAX))
                ))
            }),
        "task" => crate::tasks::ops::get_on(tx.conn(), &user, id)
            .await
            .map(|task| {
                let applies = !task.done && task.due == Some(Due::At(p.at));
                if !applies {
                    return None;
                }
                if now > p.at + TASK_GRACE {
                    tracing::warn!(record = p.record, "a task reminder came due while no worker ran and is over an hour late: dropped");
                    return None;
                }
                Some(format!("Reminder: {}.", task.title))
            }),
        _ => return Ok(None),
    };
    match found {
        Ok(text) => Ok(text),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Event `id` as it stands, or for a series its instance at `at`.
async fn event_at(
    tx: &mut Tx,
    user: &crate::auth::model::User,
    id: i64,
    at: DateTime<Utc>,
) -> Result<crate::events::model::Event, AppError> {
    let event = crate::events::ops::get_on(tx.conn(), user, id).await?;
    if event.recurrence.is_none() {
        return Ok(event);
    }
    crate::events::ops::instance_on(tx.conn(), user, id, at).await
}

/// Minutes left, said as the reminder's own length when it is on time.
fn round(left: i64, minutes: i32) -> i64 {
    if (left - i64::from(minutes)).abs() <= 1 {
        i64::from(minutes)
    } else {
        left
    }
}
