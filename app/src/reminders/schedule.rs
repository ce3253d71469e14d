//! Scheduling reminders as jobs, in the transaction of the change that calls for them.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Text};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::auth::model::User;
use crate::changes::{Change, Kind, Op};
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::jobs::queue::{NewJob, add};
use crate::tasks::model::Due;

/// The job kind.
pub const KIND: &str = "reminder";

/// What a reminder job holds: the record, as it was when scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// `event:<id>` or `task:<id>`.
    pub record: String,
    pub user_id: i64,
    /// The event's start, or the task's due time.
    pub at: DateTime<Utc>,
    /// How long before `at`.
    pub minutes: i32,
}

fn record(kind: Kind, id: i64) -> Option<String> {
    match kind {
        Kind::Event => Some(format!("event:{id}")),
        Kind::Task => Some(format!("task:{id}")),
        Kind::Expense => None,
    }
}

/// Replaces the waiting reminders of every event and task in `changes` by those their
/// current state calls for.
pub async fn reschedule(tx: &mut Tx, changes: &[Change]) -> Result<(), AppError> {
    reschedule_after(tx, changes, None).await
}

/// [`reschedule`], after the reminder `sent` (its length, and the instance's start) went
/// out: a series' next reminder of that length is for a later instance, whatever the clock.
pub async fn reschedule_after(
    tx: &mut Tx,
    changes: &[Change],
    sent: Option<(i32, DateTime<Utc>)>,
) -> Result<(), AppError> {
    let mut touched: Vec<(String, &Change)> = Vec::new();
    for change in changes {
        if let Some(r) = record(change.kind, change.id) {
            // The last change of a record says what it is now.
            touched.retain(|(seen, _)| *seen != r);
            touched.push((r, change));
        }
    }
    if touched.is_empty() {
        return Ok(());
    }
    let records: Vec<&str> = touched.iter().map(|(r, _)| r.as_str()).collect();
    diesel::sql_query(
        "DELETE FROM jobs WHERE kind = 'reminder' AND state = 'queued'
           AND payload ->> 'record' = ANY($1)",
    )
    .bind::<Array<Text>, _>(&records)
    .execute(tx.conn())
    .await?;
    let mut users: Vec<User> = Vec::new();
    let mut jobs = Vec::new();
    for (record, change) in touched {
        if change.op == Op::Deleted {
            continue;
        }
        let user = match users.iter().find(|u| u.id == change.user_id) {
            Some(user) => user.clone(),
            None => {
                let user = crate::auth::store::find(tx.conn(), change.user_id).await?;
                users.push(user.clone());
                user
            }
        };
        for (at, minutes) in due(tx, &user, change, sent).await? {
            jobs.push(job(tx, &record, &user, at, minutes));
        }
    }
    add(tx, &jobs).await?;
    Ok(())
}

/// Marks every event of `user_id` still ahead as changed, so its reminders are scheduled
/// anew at commit (after the user changed how long before they want them).
pub async fn reschedule_upcoming(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let now = tx.now();
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT id FROM events WHERE user_id = $1 AND starts_at > $2 AND NOT all_day",
    )
    .bind::<diesel::sql_types::BigInt, _>(user_id)
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .load(tx.conn())
    .await?;
    for row in rows {
        tx.changed(Change::new(user_id, Kind::Event, row.id, Op::Updated));
    }
    Ok(())
}

/// When `change`'s record is to be reminded of: (its time, minutes before), still ahead.
async fn due(
    tx: &mut Tx,
    user: &User,
    change: &Change,
    sent: Option<(i32, DateTime<Utc>)>,
) -> Result<Vec<(DateTime<Utc>, i32)>, AppError> {
    let now = tx.now();
    let ahead =
        |at: DateTime<Utc>, minutes: i32| at - chrono::Duration::minutes(i64::from(minutes)) > now;
    Ok(match change.kind {
        Kind::Event => {
            let event = crate::events::ops::get_on(tx.conn(), user, change.id).await?;
            let lengths = event
                .reminder_minutes
                .clone()
                .unwrap_or_else(|| user.reminder_minutes.clone());
            if event.all_day {
                Vec::new()
            } else if event.recurrence.is_some() {
                // A series: for each length, the first instance whose reminder is still ahead.
                let mut due = Vec::new();
                for m in lengths {
                    let mut after = now + chrono::Duration::minutes(i64::from(m));
                    if let Some((_, at)) = sent.filter(|(length, _)| *length == m) {
                        after = after.max(at);
                    }
                    let next = crate::events::ops::next_instance(tx.conn(), user, change.id, after)
                        .await?;
                    due.extend(next.map(|e| (e.start, m)));
                }
                due
            } else {
                lengths
                    .into_iter()
                    .filter(|&m| ahead(event.start, m))
                    .map(|m| (event.start, m))
                    .collect()
            }
        }
        Kind::Task => {
            let task = crate::tasks::ops::get_on(tx.conn(), user, change.id).await?;
            match task.due {
                Some(Due::At(at)) if !task.done && ahead(at, 0) => vec![(at, 0)],
                _ => Vec::new(),
            }
        }
        Kind::Expense => Vec::new(),
    })
}

fn job(tx: &Tx, record: &str, user: &User, at: DateTime<Utc>, minutes: i32) -> NewJob {
    let remind_at = at - chrono::Duration::minutes(i64::from(minutes));
    // Jobs run by the database's clock; the application's clock (which tests move) says when.
    let run_at = Utc::now() + (remind_at - tx.now());
    NewJob::new(
        KIND,
        serde_json::json!(Payload {
            record: record.to_owned(),
            user_id: user.id,
            at,
            minutes,
        }),
    )
    .key(format!("{KIND}:{record}:{minutes}:{}", at.timestamp()))
    .run_at(run_at)
}
