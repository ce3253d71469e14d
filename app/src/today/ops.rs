//! What the Today page shows, as an operation any door can call (the page, and later an SMS
//! "what's on today"): the day's agenda and the next week's, the tasks due, the month's
//! spending. Reused while it holds (see `built`).

use chrono::{DateTime, Utc};

use super::api::{AgendaDay, AgendaItem, Spending, TodayView};
use super::built::BuiltToday;
use crate::auth::model::User;
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::tasks::api::TaskRow;

/// Tasks listed on Today; the rest are a link away.
const TASKS_SHOWN: usize = 8;

/// `user`'s Today: as last built when that still holds, else read and built afresh.
pub async fn today(state: &AppState, user: &User) -> Result<TodayView, AppError> {
    let now = state.now();
    if let Some(built) = state.caches.today.recent(&user.id)
        && built.holds_for(user, now)
    {
        return Ok(built.view.clone());
    }
    let ticket = state.caches.today.before_read();
    let (view, changes_at) = build(state, user, now).await?;
    let built = BuiltToday::new(view, user, now, changes_at);
    let view = built.view.clone();
    state
        .caches
        .today
        .remember_read(ticket, user.id, Some(std::sync::Arc::new(built)));
    Ok(view)
}

/// Reads and builds `user`'s Today page at `now`, with the first moment it would read
/// differently with no write (the next midnight, or a listed task's deadline).
async fn build(
    state: &AppState,
    user: &User,
    now: DateTime<Utc>,
) -> Result<(TodayView, DateTime<Utc>), AppError> {
    use crate::events::calendar::{on_day, time_label};
    use crate::expenses::model::{Category, CategoryTotal};
    use crate::expenses::ops::Month;
    use chrono::Duration;

    let tz = user.tz();
    let today = now.with_timezone(&tz).date_naive();
    let week_end = today + Duration::days(8);
    let this_month = Month::containing(today);
    let last_month = this_month.prev();
    // The three reads share one connection, pipelined: sent together, answered in one round
    // trip, by one PostgreSQL backend.
    let conn = crate::db::conn(&state.pool).await?;
    let (events, tasks, (this, last)) = tokio::try_join!(
        crate::events::ops::list_on(
            &conn,
            user,
            crate::time::start_of_day(today, tz),
            crate::time::start_of_day(week_end, tz),
        ),
        crate::tasks::ops::due_today(&conn, user, now),
        crate::expenses::ops::month_and_previous_totals(&conn, user, this_month),
    )?;
    let spans = crate::events::calendar::with_local_days(&events, tz);
    let mut days: Vec<AgendaDay> = today
        .iter_days()
        .take_while(|d| *d < week_end)
        .map(|date| AgendaDay {
            date,
            label: date.format("%A, %B %-d").to_string(),
            events: on_day(&spans, date)
                .map(|e| AgendaItem {
                    id: e.id,
                    title: e.title.clone(),
                    location: e.location.clone(),
                    time_label: time_label(e, tz),
                })
                .collect(),
        })
        .collect();
    let today_agenda = days.remove(0);
    let changes_at = tasks
        .iter()
        .filter_map(|task| task.due.map(|due| due.deadline(tz)))
        .filter(|deadline| *deadline > now)
        .fold(
            crate::time::start_of_day(today + Duration::days(1), tz),
            DateTime::min,
        );
    let more_tasks = tasks.len().saturating_sub(TASKS_SHOWN);
    let tasks = tasks
        .into_iter()
        .take(TASKS_SHOWN)
        .map(|task| TaskRow::new(task, now, tz))
        .collect();
    let sum = |totals: &[CategoryTotal], category: Option<Category>| {
        Cents(
            totals
                .iter()
                .filter(|t| t.currency == user.currency && category.is_none_or(|c| t.category == c))
                .map(|t| t.total.0)
                .sum(),
        )
    };
    let by_category = Category::ALL
        .into_iter()
        .map(|c| (c, sum(&this, Some(c)), sum(&last, Some(c))))
        .filter(|(_, a, b)| a.0 > 0 || b.0 > 0)
        .collect();
    let view = TodayView {
        name: user.display_name().to_owned(),
        date_label: today.format("%A, %B %-d, %Y").to_string(),
        today: today_agenda,
        next_days: days,
        tasks,
        more_tasks,
        spending: Spending {
            currency: user.currency.clone(),
            this_month_label: this_month.label(),
            last_month_label: last_month.label(),
            this_month: sum(&this, None),
            last_month: sum(&last, None),
            by_category,
        },
    };
    Ok((view, changes_at))
}
