//! What the assistant can do, whoever decided it (the rules or a model's tool call): each
//! action runs through the same operations as the pages and the API, and a change comes back
//! with what undoes it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::phrases;
use crate::auth::model::User;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::events::model::{Event, EventInput, EventPatch, Scope, Source};
use crate::expenses::model::{Category, ExpenseInput, totals_by_currency};
use crate::tasks::model::{Filter, Sort, TaskInput};
use crate::{events, expenses, tasks};

/// How many days ahead "cancel the dentist" looks for the event.
const LOOKAHEAD_DAYS: i64 = 90;

/// Which event or task an action is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// An event or task by id; a repeating event's next instance.
    Id(i64),
    /// The instance of series `id` that starts at `at`.
    Instance { id: i64, at: DateTime<Utc> },
    /// Words of its title; for events optionally the local day it is on.
    Words {
        words: String,
        day: Option<NaiveDate>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    CreateEvent(EventInput),
    /// `start` and `end` in the forms `time::parse` reads; without `end` the length is kept.
    MoveEvent {
        target: Target,
        start: String,
        end: Option<String>,
    },
    CancelEvent(Target),
    ListEvents {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// Is `[from, to)` free? `slot` when a time was said, otherwise a whole period.
    CheckAvailability {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        slot: bool,
    },
    AddTask {
        input: TaskInput,
        /// Said as a reminder ("remind me to ..."): kept as a task due at that time.
        reminder: bool,
    },
    CompleteTask(Target),
    ListTasks,
    LogExpense(ExpenseInput),
    SpendingSummary {
        from: NaiveDate,
        to: NaiveDate,
        category: Option<Category>,
    },
}

/// How to take a change back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
pub enum Undo {
    DeleteEvent {
        id: i64,
    },
    /// Put a cancelled event back under its old id (other undo records may refer to it).
    RestoreEvent {
        id: i64,
        event: EventInput,
        source: Source,
    },
    /// Put a cancelled instance back in its series.
    RestoreInstance {
        id: i64,
        at: DateTime<Utc>,
    },
    MoveEventBack {
        id: i64,
        start: String,
        end: String,
    },
    DeleteTask {
        id: i64,
    },
    ReopenTask {
        id: i64,
    },
    DeleteExpense {
        id: i64,
    },
}

/// A change an action made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: &'static str,
    pub summary: String,
    pub undo: Undo,
}

/// What an action did: a sentence for the user (and the model), and the change if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: String,
    pub change: Option<Change>,
}

impl Outcome {
    fn said(reply: String) -> Self {
        Self {
            reply,
            change: None,
        }
    }

    fn changed(kind: &'static str, summary: String, undo: Undo) -> Self {
        Self {
            reply: format!("{summary}."),
            change: Some(Change {
                kind,
                summary,
                undo,
            }),
        }
    }
}

/// Why an action was not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// More than one thing matched: the user must say which. `ids` are the records the
    /// numbered options name, in order.
    Ask {
        question: String,
        options: Vec<String>,
        ids: Vec<i64>,
    },
    /// Nothing matched, said in a sentence for the user.
    Refuse(String),
    /// An operation refused or failed.
    App(AppError),
}

impl From<AppError> for ActionError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl Action {
    /// The same action on the record `id`, for actions about one record.
    pub fn on(&self, id: i64) -> Option<Action> {
        let target = Target::Id(id);
        Some(match self {
            Self::MoveEvent { start, end, .. } => Self::MoveEvent {
                target,
                start: start.clone(),
                end: end.clone(),
            },
            Self::CancelEvent(_) => Self::CancelEvent(target),
            Self::CompleteTask(_) => Self::CompleteTask(target),
            _ => return None,
        })
    }
}

/// Carries out one action for `user` in `tx` (its reads too, so they see its writes).
pub async fn perform(
    tx: &mut Tx,
    user: &User,
    action: Action,
    source: Source,
) -> Result<Outcome, ActionError> {
    let tz = user.tz();
    match action {
        Action::CreateEvent(input) => {
            let event = events::ops::create(tx, user, input, source).await?;
            Ok(Outcome::changed(
                "create_event",
                format!("Added {}", phrases::event(&event, tz)),
                Undo::DeleteEvent { id: event.id },
            ))
        }
        Action::MoveEvent { target, start, end } => {
            let before = find_event(tx, user, &target).await?;
            let patch = EventPatch {
                start: Some(start),
                end,
                ..EventPatch::default()
            };
            let after = match instance_of(&before) {
                Some(at) => {
                    events::ops::update_instance(tx, user, before.id, Some(at), Scope::This, patch)
                        .await?
                }
                None => events::ops::update(tx, user, before.id, patch).await?,
            };
            let (start, end) = before.input_times();
            Ok(Outcome::changed(
                "move_event",
                format!(
                    "Moved “{}” from {} to {}",
                    after.title,
                    phrases::event_when(&before, tz),
                    phrases::event_when(&after, tz)
                ),
                // An instance moved on its own is a row of its own: move that back.
                Undo::MoveEventBack {
                    id: after.id,
                    start,
                    end,
                },
            ))
        }
        Action::CancelEvent(target) => {
            let event = find_event(tx, user, &target).await?;
            if let Some(at) = instance_of(&event) {
                let gone =
                    events::ops::delete_instance(tx, user, event.id, Some(at), Scope::This).await?;
                return Ok(Outcome::changed(
                    "cancel_event",
                    format!("Cancelled {}", phrases::event(&gone, tz)),
                    Undo::RestoreInstance { id: event.id, at },
                ));
            }
            let gone = events::ops::delete(tx, user, event.id).await?;
            Ok(Outcome::changed(
                "cancel_event",
                format!("Cancelled {}", phrases::event(&gone, tz)),
                Undo::RestoreEvent {
                    id: gone.id,
                    event: gone.to_input(),
                    source: gone.source,
                },
            ))
        }
        Action::ListEvents { from, to } => {
            let found = events::ops::list_on(tx.conn(), user, from, to).await?;
            let when = phrases::range(from, to, tz);
            if found.is_empty() {
                return Ok(Outcome::said(format!(
                    "Nothing on your calendar for {when}."
                )));
            }
            let lines: Vec<String> = found.iter().map(|e| phrases::event_line(e, tz)).collect();
            Ok(Outcome::said(format!(
                "Your calendar for {when}:\n\n{}",
                lines.join("\n")
            )))
        }
        Action::CheckAvailability { from, to, slot } => {
            let now = tx.now();
            // Wide enough for the free times offered near a busy slot.
            let window_end = to.max(from + Duration::days(AVAILABILITY_DAYS));
            let events =
                events::ops::list_on(tx.conn(), user, from - Duration::days(1), window_end).await?;
            let google = crate::google::busy::between(
                tx.conn(),
                user.id,
                from - Duration::days(1),
                window_end,
            )
            .await?;
            Ok(Outcome::said(availability(
                user, &events, &google, now, from, to, slot,
            )))
        }
        Action::AddTask { input, reminder } => {
            let task = tasks::ops::create(tx, user, input).await?;
            let (kind, verb) = if reminder {
                ("add_reminder", "Reminder set")
            } else {
                ("add_task", "Added the task")
            };
            Ok(Outcome::changed(
                kind,
                format!("{verb}: {}", phrases::task(&task, tz)),
                Undo::DeleteTask { id: task.id },
            ))
        }
        Action::CompleteTask(target) => {
            let task = find_task(tx, user, &target).await?;
            let done = tasks::ops::set_done(tx, user, task.id, true).await?;
            Ok(Outcome::changed(
                "complete_task",
                format!("Marked {} done", phrases::task(&done, tz)),
                Undo::ReopenTask { id: done.id },
            ))
        }
        Action::ListTasks => {
            let now = tx.now();
            let open = tasks::ops::list_on(tx.conn(), user, Filter::Open, Sort::Due, now).await?;
            if open.is_empty() {
                return Ok(Outcome::said("You have no open tasks.".into()));
            }
            let lines: Vec<String> = open
                .iter()
                .take(30)
                .map(|t| format!("- {} (#{})", phrases::task(t, tz), t.id))
                .collect();
            let more = open.len().saturating_sub(30);
            let tail = if more > 0 {
                format!("\n\n…and {more} more on the Tasks page.")
            } else {
                String::new()
            };
            Ok(Outcome::said(format!(
                "Your open tasks:\n\n{}{tail}",
                lines.join("\n")
            )))
        }
        Action::LogExpense(input) => {
            let expense = expenses::ops::create(tx, user, input).await?;
            let about = if expense.description.is_empty() {
                String::new()
            } else {
                format!(" for {}", expense.description)
            };
            Ok(Outcome::changed(
                "log_expense",
                format!(
                    "Logged {} {}{about} ({}, {})",
                    expense.amount,
                    expense.currency,
                    expense.category.as_str(),
                    phrases::day(expense.date)
                ),
                Undo::DeleteExpense { id: expense.id },
            ))
        }
        Action::SpendingSummary { from, to, category } => {
            let totals = expenses::ops::totals_on(tx.conn(), user, from, to).await?;
            let totals: Vec<_> = totals
                .into_iter()
                .filter(|t| category.is_none_or(|c| t.category == c))
                .collect();
            let on = category
                .map(|c| format!(" on {}", c.as_str()))
                .unwrap_or_default();
            let period = format!(
                "{} to {}",
                phrases::day(from),
                phrases::day(to - Duration::days(1))
            );
            let sums = totals_by_currency(&totals);
            if sums.is_empty() {
                return Ok(Outcome::said(format!(
                    "You spent nothing{on} from {period}."
                )));
            }
            let amounts: Vec<String> = sums.iter().map(|(c, a)| format!("{a} {c}")).collect();
            let mut reply = format!("You spent {}{on} from {period}.", amounts.join(" and "));
            if category.is_none() && totals.len() > 1 {
                reply.push_str("\n\n");
                for t in &totals {
                    reply.push_str(&format!(
                        "- {}: {} {}\n",
                        t.category.as_str(),
                        t.total,
                        t.currency
                    ));
                }
            }
            Ok(Outcome::said(reply.trim_end().to_owned()))
        }
    }
}

/// Takes a change back in `tx`; returns a sentence saying what happened.
pub async fn undo(tx: &mut Tx, user: &User, undo: Undo) -> Result<String, AppError> {
    let tz = user.tz();
    Ok(match undo {
        Undo::DeleteEvent { id } => {
            let gone = events::ops::delete(tx, user, id).await?;
            format!("Removed {}", phrases::event(&gone, tz))
        }
        Undo::RestoreEvent { id, event, source } => {
            let back = events::ops::restore(tx, user, id, event, source).await?;
            format!("Put back {}", phrases::event(&back, tz))
        }
        Undo::RestoreInstance { id, at } => {
            let back = events::ops::restore_instance(tx, user, id, at).await?;
            format!("Put back {}", phrases::event(&back, tz))
        }
        Undo::MoveEventBack { id, start, end } => {
            let patch = EventPatch {
                start: Some(start),
                end: Some(end),
                ..EventPatch::default()
            };
            let back = events::ops::update(tx, user, id, patch).await?;
            format!("Moved back {}", phrases::event(&back, tz))
        }
        Undo::DeleteTask { id } => {
            let gone = tasks::ops::delete(tx, user, id).await?;
            format!("Removed the task {}", phrases::task(&gone, tz))
        }
        Undo::ReopenTask { id } => {
            let open = tasks::ops::set_done(tx, user, id, false).await?;
            format!("Reopened {}", phrases::task(&open, tz))
        }
        Undo::DeleteExpense { id } => {
            let gone = expenses::ops::delete(tx, user, id).await?;
            format!("Removed the expense of {} {}", gone.amount, gone.currency)
        }
    })
}

/// How far past the asked time free times are looked for.
const AVAILABILITY_DAYS: i64 = 7;
/// A slot asked about longer than this is a period to find free times in ("Tuesday
/// afternoon"), not a meeting to fit.
const LONGEST_SLOT_MINUTES: i64 = 120;
/// Free times offered at most.
const OFFERED: usize = 3;

/// The answer to "am I free …": a slot is free or busy (then with free times nearby); a
/// period lists what is booked and the first free times in it. Timed events are busy; all-day
/// events (birthdays, holidays) take no time, as calendars usually treat them. `google` is
/// the busy time Google Calendar knows of (other calendars, changes not pulled yet).
fn availability(
    user: &User,
    events: &[Event],
    google: &[crate::scheduling::Busy],
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    slot: bool,
) -> String {
    use crate::scheduling::{self, Busy, Rules, Verdict, WeekHours};
    let tz = user.tz();
    let mut busy: Vec<Busy> = events.iter().filter_map(Event::busy).collect();
    busy.extend_from_slice(google);
    let mut rules = Rules::new(tz, WeekHours::always());
    rules.step = Duration::minutes(15);
    // Asking about the past is allowed ("was I free at 3?").
    rules.min_notice = Duration::zero().min(from - now);
    rules.horizon = (to - now).max(Duration::zero()) + Duration::days(AVAILABILITY_DAYS);
    let in_span: Vec<&Event> = events.iter().filter(|e| e.overlaps(from, to, tz)).collect();
    // Google's busy times not covered by an event here: only Google knows what they are.
    let google_in_span: Vec<&Busy> = google
        .iter()
        .filter(|b| b.start < to && b.end > from)
        .filter(|b| {
            !in_span
                .iter()
                .any(|e| !e.all_day && e.start <= b.start && e.end >= b.end)
        })
        .collect();
    let lines = |found: &[&Event]| {
        found
            .iter()
            .map(|e| phrases::event_line(e, tz))
            .chain(google_in_span.iter().map(|b| {
                format!(
                    "- {}: busy in Google Calendar",
                    phrases::slot(b.start, b.end, tz)
                )
            }))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let length = to - from;
    if slot && length <= Duration::minutes(LONGEST_SLOT_MINUTES) {
        let when = phrases::slot(from, to, tz);
        return match scheduling::check(&rules, &busy, now, from, length) {
            Verdict::Busy { .. } => {
                let clashing: Vec<&Event> = in_span.into_iter().filter(|e| !e.all_day).collect();
                let near = scheduling::nearest(&rules, &busy, now, from, length, OFFERED);
                let offer = if near.is_empty() {
                    String::new()
                } else {
                    format!("\n\nFree nearby: {}.", free_times(&near, tz))
                };
                format!("You're busy {when}:\n\n{}{offer}", lines(&clashing))
            }
            _ => format!("You're free {when}."),
        };
    }
    let when = if slot {
        phrases::slot(from, to, tz)
    } else {
        phrases::range(from, to, tz)
    };
    if in_span.is_empty() && google_in_span.is_empty() {
        return format!("Nothing is booked for {when}: you're free.");
    }
    let meeting = Duration::minutes(i64::from(user.default_meeting_minutes));
    let starts = scheduling::first_free(&rules, &busy, now, from.max(now), to, meeting, 50);
    // Offered times that do not overlap each other.
    let mut offered: Vec<DateTime<Utc>> = Vec::new();
    for start in starts {
        if offered.len() < OFFERED && offered.last().is_none_or(|last| start >= *last + meeting) {
            offered.push(start);
        }
    }
    let free = if offered.is_empty() {
        "No free time is left in it.".to_owned()
    } else {
        format!(
            "Free for {} minutes at {}.",
            user.default_meeting_minutes,
            free_times(&offered, tz)
        )
    };
    format!("For {when} you have:\n\n{}\n\n{free}", lines(&in_span))
}

/// "2 pm, 3:30 pm and Wed 25 Nov, 9 am": times on the first one's day by the clock alone.
fn free_times(starts: &[DateTime<Utc>], tz: chrono_tz::Tz) -> String {
    let first_day = starts.first().map(|s| s.with_timezone(&tz).date_naive());
    let said: Vec<String> = starts
        .iter()
        .map(|s| {
            let day = s.with_timezone(&tz).date_naive();
            if Some(day) == first_day {
                phrases::clock(*s, tz)
            } else {
                format!("{}, {}", phrases::day(day), phrases::clock(*s, tz))
            }
        })
        .collect();
    match said.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => said.concat(),
    }
}

/// Lower-cased words worth matching on.
fn keywords(words: &str) -> Vec<String> {
    const SKIP: [&str; 9] = ["the", "my", "a", "an", "with", "w", "on", "at", "to"];
    words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !SKIP.contains(&w.as_str()))
        .collect()
}

fn matches(title: &str, keys: &[String]) -> bool {
    let title = title.to_lowercase();
    !keys.is_empty() && keys.iter().all(|k| title.contains(k.as_str()))
}

/// The one event `target` names: by id, or the only coming event (on the day, when given)
/// whose title has every word.
async fn find_event(tx: &mut Tx, user: &User, target: &Target) -> Result<Event, ActionError> {
    let tz = user.tz();
    let (words, day) = match target {
        Target::Id(id) => {
            let event = events::ops::get_on(tx.conn(), user, *id).await?;
            if event.recurrence.is_none() {
                return Ok(event);
            }
            let now = tx.now();
            return events::ops::next_instance(tx.conn(), user, *id, now)
                .await?
                .ok_or_else(|| {
                    ActionError::Refuse(format!(
                        "“{}” has no instance ahead any more.",
                        event.title
                    ))
                });
        }
        Target::Instance { id, at } => {
            return Ok(events::ops::instance_on(tx.conn(), user, *id, *at).await?);
        }
        Target::Words { words, day } => (words, day),
    };
    let (from, to) = match day {
        Some(d) => (
            crate::time::start_of_day(*d, tz),
            crate::time::start_of_day(*d + Duration::days(1), tz),
        ),
        None => {
            let now = tx.now();
            (
                now - Duration::hours(1),
                now + Duration::days(LOOKAHEAD_DAYS),
            )
        }
    };
    let keys = keywords(words);
    let mut found: Vec<Event> = events::ops::list_on(tx.conn(), user, from, to)
        .await?
        .into_iter()
        .filter(|e| matches(&e.title, &keys))
        .collect();
    // "Cancel the standup" means its next instance: one per series, the earliest.
    let mut series_seen = Vec::new();
    found.retain(|e| {
        instance_of(e).is_none()
            || !series_seen.contains(&e.id) && {
                series_seen.push(e.id);
                true
            }
    });
    the_one(
        found,
        ("an event", "events"),
        words,
        |e| e.id,
        |e| phrases::event(e, tz),
    )
}

/// When `event` is an instance of a series as the series makes it, its start.
fn instance_of(event: &Event) -> Option<DateTime<Utc>> {
    event.recurrence.as_ref().and(event.occurrence)
}

/// The one open task `target` names.
async fn find_task(
    tx: &mut Tx,
    user: &User,
    target: &Target,
) -> Result<crate::tasks::model::Task, ActionError> {
    let words = match target {
        Target::Id(id) | Target::Instance { id, .. } => {
            return Ok(tasks::ops::get_on(tx.conn(), user, *id).await?);
        }
        Target::Words { words, .. } => words,
    };
    let keys = keywords(words);
    let now = tx.now();
    let found: Vec<_> = tasks::ops::list_on(tx.conn(), user, Filter::Open, Sort::Due, now)
        .await?
        .into_iter()
        .filter(|t| matches(&t.title, &keys))
        .collect();
    the_one(
        found,
        ("an open task", "open tasks"),
        words,
        |t| t.id,
        |t| phrases::task(t, user.tz()),
    )
}

/// Options offered when several things match.
const OPTIONS: usize = 5;

/// The only item found, or a question listing those that matched `words`, or a refusal when
/// none did. `(one, many)` name the kind of item: ("an event", "events").
fn the_one<T>(
    found: Vec<T>,
    (one, many): (&str, &str),
    words: &str,
    id: impl Fn(&T) -> i64,
    describe: impl Fn(&T) -> String,
) -> Result<T, ActionError> {
    if found.len() > 1 {
        let options: Vec<String> = found.iter().take(OPTIONS).map(describe).collect();
        let ids: Vec<i64> = found.iter().take(OPTIONS).map(id).collect();
        let numbered: Vec<String> = options
            .iter()
            .enumerate()
            .map(|(i, o)| format!("{}) {o}", i + 1))
            .collect();
        return Err(ActionError::Ask {
            question: format!(
                "Several {many} match “{words}”:\n{}\nWhich one?",
                numbered.join("\n")
            ),
            options,
            ids,
        });
    }
    found
        .into_iter()
        .next()
        .ok_or_else(|| ActionError::Refuse(format!("I couldn't find {one} matching “{words}”.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_on_every_meaningful_word() {
        let keys = keywords("my Dentist appt");
        assert_eq!(keys, vec!["dentist", "appt"]);
        assert!(matches("Dentist appt (Dr. Lee)", &keys));
        assert!(!matches("Dentist", &keys));
        assert!(!matches("anything", &keywords("the")));
    }

    #[test]
    fn a_chosen_option_is_the_same_action_on_that_record() {
        let cancel = Action::CancelEvent(Target::Words {
            words: "dentist".into(),
            day: None,
        });
        assert_eq!(cancel.on(7), Some(Action::CancelEvent(Target::Id(7))));
        assert_eq!(Action::ListTasks.on(7), None);
        let json = serde_json::to_value(cancel.on(7)).unwrap();
        assert_eq!(
            serde_json::from_value::<Action>(json).unwrap(),
            Action::CancelEvent(Target::Id(7))
        );
    }

    #[test]
    fn undo_is_stored_as_tagged_json() {
        let undo = Undo::MoveEventBack {
            id: 4,
            start: "2026-11-24T13:00:00+00:00".into(),
            end: "2026-11-24T13:30:00+00:00".into(),
        };
        let json = serde_json::to_value(&undo).unwrap();
        assert_eq!(json["undo"], "move_event_back");
        assert_eq!(serde_json::from_value::<Undo>(json).unwrap(), undo);
    }
}
