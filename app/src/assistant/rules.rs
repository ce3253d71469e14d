//! The free tier: what the rules understood, as an action.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::actions::{Action, Target};
use crate::auth::model::User;
use crate::events::model::EventInput;
use crate::expenses::model::{AmountText, ExpenseInput};
use crate::tasks::model::TaskInput;
use crate::understanding::{self, Context, Intent, Moment};

/// The rules' context for `user` at `now`.
pub fn context(user: &User, now: DateTime<Utc>) -> Context {
    Context {
        now: now.with_timezone(&user.tz()),
        currency: user.currency.clone(),
        default_minutes: u32::try_from(user.default_meeting_minutes)
            .unwrap_or(understanding::DEFAULT_MINUTES),
    }
}

/// The action for a message, when the rules are sure of one.
pub fn understand(text: &str, user: &User, now: DateTime<Utc>) -> Option<Action> {
    action(understanding::understand(text, &context(user, now)), user)
}

fn text(m: Moment) -> String {
    m.to_string()
}

fn instant(m: Moment, user: &User) -> DateTime<Utc> {
    match m {
        Moment::DateTime(t) => t.to_utc(),
        Moment::Date(d) => crate::time::start_of_day(d, user.tz()),
    }
}

fn date(m: Moment) -> NaiveDate {
    match m {
        Moment::Date(d) => d,
        Moment::DateTime(t) => t.date_naive(),
    }
}

fn action(intent: Intent, user: &User) -> Option<Action> {
    Some(match intent {
        Intent::CreateEvent {
            title,
            start,
            end,
            all_day,
            location,
            attendees,
        } => {
            // All-day ends are exclusive in the contract and inclusive in an event's input.
            let end = if all_day {
                (date(end) - Duration::days(1)).to_string()
            } else {
                text(end)
            };
            let description = if attendees.is_empty() {
                None
            } else {
                Some(format!("With {}", attendees.join(", ")))
            };
            Action::CreateEvent(EventInput {
                title,
                description,
                location,
                start: text(start),
                end: Some(end),
                all_day: Some(all_day),
                reminder_minutes: None,
                recurrence: None,
            })
        }
        Intent::CreateTask { title, due } => Action::AddTask {
            input: TaskInput {
                title,
                due: due.map(text),
                ..TaskInput::default()
            },
            reminder: false,
        },
        Intent::CreateReminder { text: what, at } => Action::AddTask {
            input: TaskInput {
                title: what,
                due: Some(text(at)),
                ..TaskInput::default()
            },
            reminder: true,
        },
        Intent::CompleteTask { query } => Action::CompleteTask(Target::Words {
            words: query,
            day: None,
        }),
        Intent::LogExpense {
            amount,
            currency,
            category,
            description,
            date: day,
        } => Action::LogExpense(ExpenseInput {
            amount: AmountText(amount.to_string()),
            currency: Some(currency),
            category: Some(category.as_str().to_owned()),
            description: Some(description),
            date: Some(date(day).to_string()),
        }),
        Intent::ListEvents { from, to } => Action::ListEvents {
            from: instant(from, user),
            to: instant(to, user),
        },
        Intent::ListTasks => Action::ListTasks,
        Intent::ExpenseSummary { from, to, category } => Action::SpendingSummary {
            from: date(from),
            to: date(to),
            category,
        },
        Intent::CheckAvailability {
            start,
            end,
            from,
            to,
        } => match (start, end, from, to) {
            (Some(start), Some(end), _, _) => Action::CheckAvailability {
                from: instant(start, user),
                to: instant(end, user),
                slot: true,
            },
            (_, _, Some(from), Some(to)) => Action::CheckAvailability {
                from: instant(from, user),
                to: instant(to, user),
                slot: false,
            },
            _ => return None,
        },
        Intent::CancelEvent { query, date: day } => Action::CancelEvent(Target::Words {
            words: query,
            day: day.map(date),
        }),
        Intent::RescheduleEvent { query, new_start } => Action::MoveEvent {
            target: Target::Words {
                words: query,
                day: None,
            },
            start: text(new_start),
            end: None,
        },
        Intent::Unknown => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::{AccountStatus, Role};
    use chrono::TimeZone;

    fn user() -> User {
        User {
            id: 1,
            email: "a@b.c".into(),
            name: String::new(),
            phone: None,
            timezone: "America/Toronto".into(),
            currency: "CAD".into(),
            default_meeting_minutes: 45,
            reminder_minutes: vec![1440, 60],
            role: Role::User,
            status: AccountStatus::Active,
        }
    }

    fn now() -> DateTime<Utc> {
        chrono_tz::America::Toronto
            .with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .unwrap()
            .to_utc()
    }

    #[test]
    fn an_event_uses_the_users_meeting_length() {
        let Some(Action::CreateEvent(input)) = understand("lunch w/ Sam tmrw 1pm", &user(), now())
        else {
            panic!("expected an event");
        };
        assert_eq!(input.start, "2026-11-23T13:00:00-05:00");
        assert_eq!(input.end.as_deref(), Some("2026-11-23T13:45:00-05:00"));
    }

    #[test]
    fn expenses_use_the_users_currency_and_a_known_category() {
        let Some(Action::LogExpense(input)) = understand("spent $12 on lunch", &user(), now())
        else {
            panic!("expected an expense");
        };
        assert_eq!(input.amount.0, "12.00");
        assert_eq!(input.currency.as_deref(), Some("CAD"));
        assert_eq!(input.category.as_deref(), Some("Food"));
        assert_eq!(input.date.as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn what_the_rules_do_not_know_goes_to_the_model() {
        assert_eq!(
            understand("write me a poem about autumn", &user(), now()),
            None
        );
    }
}
