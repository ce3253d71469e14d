//! The model's tools: the same actions the rules take, described as JSON Schema, and the
//! model's arguments read back into actions.

use async_openai::types::chat::FunctionObject;
use async_openai::types::chat::{ChatCompletionTool, ChatCompletionTools};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::actions::{Action, Target};
use crate::error::AppError;
use crate::events::model::EventInput;
use crate::expenses::model::{AmountText, Category, ExpenseInput};
use crate::tasks::model::{Priority, TaskInput};
use crate::time::{self, Typed};

/// The tool a cheap model calls to hand the request to the premium one.
pub const ESCALATE: &str = "escalate";

const TIME: &str = "local time as YYYY-MM-DDTHH:MM, or a date YYYY-MM-DD";
const RECURRENCE: &str = "how it repeats, as an iCalendar RRULE value: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, with BYDAY (MO,TU,...; 2TU for the second Tuesday), BYMONTHDAY, INTERVAL, COUNT or UNTIL (YYYYMMDDTHHMMSSZ); e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR. Omit for a single event";
const OCCURRENCE: &str = "for a repeating event: the start of the one instance meant (local time, or a date for all-day ones); omit for its next one";

fn tool(
    name: &str,
    description: &str,
    properties: Value,
    required: &[&str],
) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            parameters: Some(json!({
                "type": "object",
                "properties": properties,
                "required": required,
            })),
            strict: None,
        },
    })
}

/// Every tool; `escalate` only when a stronger model is there to take over.
pub fn definitions(with_escalate: bool) -> Vec<ChatCompletionTools> {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let mut tools = vec![
        tool(
            "create_event",
            "Put an event on the user's calendar.",
            json!({
                "title": {"type": "string"},
                "start": {"type": "string", "description": TIME},
                "end": {"type": "string", "description": "end, same forms; omit for the default length (all-day: the last day, inclusive)"},
                "all_day": {"type": "boolean"},
                "location": {"type": "string"},
                "description": {"type": "string"},
                "recurrence": {"type": "string", "description": RECURRENCE}
            }),
            &["title", "start"],
        ),
        tool(
            "move_event",
            "Move an event (by its id, shown as #id) to a new start; its length is kept unless new_end is given. For a repeating event only one instance moves.",
            json!({
                "event_id": {"type": "integer"},
                "occurrence": {"type": "string", "description": OCCURRENCE},
                "new_start": {"type": "string", "description": TIME},
                "new_end": {"type": "string", "description": TIME}
            }),
            &["event_id", "new_start"],
        ),
        tool(
            "cancel_event",
            "Delete an event by its id; for a repeating event, one instance.",
            json!({
                "event_id": {"type": "integer"},
                "occurrence": {"type": "string", "description": OCCURRENCE}
            }),
            &["event_id"],
        ),
        tool(
            "list_events",
            "List the events between two times (to is exclusive).",
            json!({
                "from": {"type": "string", "description": TIME},
                "to": {"type": "string", "description": TIME}
            }),
            &["from", "to"],
        ),
        tool(
            "check_availability",
            "Say whether the user is free between start and end, listing what overlaps.",
            json!({
                "start": {"type": "string", "description": TIME},
                "end": {"type": "string", "description": TIME}
            }),
            &["start", "end"],
        ),
        tool(
            "add_task",
            "Add a task to the user's list.",
            json!({
                "title": {"type": "string"},
                "due": {"type": "string", "description": TIME},
                "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                "notes": {"type": "string"}
            }),
            &["title"],
        ),
        tool(
            "add_reminder",
            "Remind the user of something at a time (kept as a task due then).",
            json!({
                "text": {"type": "string"},
                "at": {"type": "string", "description": TIME}
            }),
            &["text", "at"],
        ),
        tool(
            "complete_task",
            "Mark a task done by its id.",
            json!({"task_id": {"type": "integer"}}),
            &["task_id"],
        ),
        tool("list_tasks", "List the user's open tasks.", json!({}), &[]),
        tool(
            "log_expense",
            "Record money the user spent.",
            json!({
                "amount": {"type": "string", "description": "like 12.50"},
                "currency": {"type": "string", "description": "ISO 4217; omit for the user's currency"},
                "category": {"type": "string", "enum": categories},
                "description": {"type": "string"},
                "date": {"type": "string", "description": "YYYY-MM-DD; omit for today"}
            }),
            &["amount"],
        ),
        tool(
            "spending_summary",
            "Total spending between two dates (to is exclusive), optionally for one category.",
            json!({
                "from": {"type": "string", "description": "YYYY-MM-DD"},
                "to": {"type": "string", "description": "YYYY-MM-DD"},
                "category": {"type": "string", "enum": categories}
            }),
            &["from", "to"],
        ),
    ];
    if with_escalate {
        tools.push(tool(
            ESCALATE,
            "Hand this request to a stronger assistant when it needs several steps or careful reasoning you are unsure of. Call it alone, before doing anything else.",
            json!({"reason": {"type": "string"}}),
            &["reason"],
        ));
    }
    tools
}

fn args<T: DeserializeOwned>(arguments: &str) -> Result<T, AppError> {
    let arguments = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    serde_json::from_str(arguments)
        .map_err(|e| AppError::Request(format!("the arguments are not valid: {e}")))
}

fn instant(text: &str, field: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    match time::parse(text, tz) {
        Ok(Typed::At(t)) => Ok(t),
        Ok(Typed::Day(d)) => Ok(time::start_of_day(d, tz)),
        Err(e) => Err(AppError::invalid(field, e.to_string())),
    }
}

/// An event by id; with `occurrence`, one instance of a series (all-day ones by their date).
fn event_target(id: i64, occurrence: Option<&str>, tz: Tz) -> Result<Target, AppError> {
    let Some(text) = occurrence else {
        return Ok(Target::Id(id));
    };
    let at = match time::parse(text, tz) {
        Ok(Typed::At(t)) => t,
        Ok(Typed::Day(d)) => time::start_of_day(d, chrono_tz::UTC),
        Err(e) => return Err(AppError::invalid("occurrence", e.to_string())),
    };
    Ok(Target::Instance { id, at })
}

fn day(text: &str, field: &str) -> Result<NaiveDate, AppError> {
    time::read_date(text).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// A number or a string: models send amounts either way.
#[derive(Deserialize)]
#[serde(untagged)]
enum Amount {
    Text(String),
    Number(f64),
}

#[derive(Deserialize)]
struct CreateEvent {
    title: String,
    start: String,
    end: Option<String>,
    all_day: Option<bool>,
    location: Option<String>,
    description: Option<String>,
    recurrence: Option<String>,
}

#[derive(Deserialize)]
struct MoveEvent {
    event_id: i64,
    occurrence: Option<String>,
    new_start: String,
    new_end: Option<String>,
}

#[derive(Deserialize)]
struct EventId {
    event_id: i64,
    occurrence: Option<String>,
}

#[derive(Deserialize)]
struct Range {
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct Slot {
    start: String,
    end: String,
}

#[derive(Deserialize)]
struct AddTask {
    title: String,
    due: Option<String>,
    priority: Option<Priority>,
    notes: Option<String>,
}

#[derive(Deserialize)]
struct AddReminder {
    text: String,
    at: String,
}

#[derive(Deserialize)]
struct TaskId {
    task_id: i64,
}

#[derive(Deserialize)]
struct LogExpense {
    amount: Amount,
    currency: Option<String>,
    category: Option<String>,
    description: Option<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct Summary {
    from: String,
    to: String,
    category: Option<String>,
}

/// The action a tool call asks for.
pub fn action(name: &str, arguments: &str, tz: Tz) -> Result<Action, AppError> {
    Ok(match name {
        "create_event" => {
            let a: CreateEvent = args(arguments)?;
            Action::CreateEvent(EventInput {
                title: a.title,
                description: a.description,
                location: a.location,
                start: a.start,
                end: a.end,
                all_day: a.all_day,
                reminder_minutes: None,
                recurrence: a.recurrence,
            })
        }
        "move_event" => {
            let a: MoveEvent = args(arguments)?;
            Action::MoveEvent {
                target: event_target(a.event_id, a.occurrence.as_deref(), tz)?,
                start: a.new_start,
                end: a.new_end,
            }
        }
        "cancel_event" => {
            let a: EventId = args(arguments)?;
            Action::CancelEvent(event_target(a.event_id, a.occurrence.as_deref(), tz)?)
        }
        "list_events" => {
            let a: Range = args(arguments)?;
            Action::ListEvents {
                from: instant(&a.from, "from", tz)?,
                to: instant(&a.to, "to", tz)?,
            }
        }
        "check_availability" => {
            let a: Slot = args(arguments)?;
            Action::CheckAvailability {
                from: instant(&a.start, "start", tz)?,
                to: instant(&a.end, "end", tz)?,
                slot: true,
            }
        }
        "add_task" => {
            let a: AddTask = args(arguments)?;
            Action::AddTask {
                input: TaskInput {
                    title: a.title,
                    notes: a.notes,
                    due: a.due,
                    priority: a.priority,
                    done: None,
                },
                reminder: false,
            }
        }
        "add_reminder" => {
            let a: AddReminder = args(arguments)?;
            Action::AddTask {
                input: TaskInput {
                    title: a.text,
                    due: Some(a.at),
                    ..TaskInput::default()
                },
                reminder: true,
            }
        }
        "complete_task" => {
            let a: TaskId = args(arguments)?;
            Action::CompleteTask(Target::Id(a.task_id))
        }
        "list_tasks" => Action::ListTasks,
        "log_expense" => {
            let a: LogExpense = args(arguments)?;
            Action::LogExpense(ExpenseInput {
                amount: AmountText(match a.amount {
                    Amount::Text(t) => t,
                    Amount::Number(n) => format!("{n:.2}"),
                }),
                currency: a.currency,
                category: a.category,
                description: a.description,
                date: a.date,
            })
        }
        "spending_summary" => {
            let a: Summary = args(arguments)?;
            let category = match a.category.as_deref() {
                None | Some("") => None,
                Some(c) => Some(
                    Category::parse(c)
                        .ok_or_else(|| AppError::invalid("category", "not a known category"))?,
                ),
            };
            Action::SpendingSummary {
                from: day(&a.from, "from")?,
                to: day(&a.to, "to")?,
                category,
            }
        }
        other => {
            return Err(AppError::Request(format!(
                "there is no tool named {other:?}"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_reads_its_own_schema_example() {
        let tz = chrono_tz::Europe::Berlin;
        let cases = [
            (
                "create_event",
                r#"{"title":"Dentist","start":"2026-11-24T15:00"}"#,
            ),
            (
                "move_event",
                r#"{"event_id":3,"new_start":"2026-11-25T09:00"}"#,
            ),
            ("cancel_event", r#"{"event_id":3}"#),
            ("list_events", r#"{"from":"2026-11-24","to":"2026-11-25"}"#),
            (
                "check_availability",
                r#"{"start":"2026-11-24T15:00","end":"2026-11-24T16:00"}"#,
            ),
            ("add_task", r#"{"title":"Call mom","priority":"high"}"#),
            (
                "add_reminder",
                r#"{"text":"Stretch","at":"2026-11-24T17:00"}"#,
            ),
            ("complete_task", r#"{"task_id":9}"#),
            ("list_tasks", ""),
            ("log_expense", r#"{"amount":12.5,"category":"Food"}"#),
            (
                "spending_summary",
                r#"{"from":"2026-11-01","to":"2026-12-01","category":"Food"}"#,
            ),
        ];
        for (name, arguments) in cases {
            assert!(action(name, arguments, tz).is_ok(), "{name}");
        }
        let names: Vec<String> = definitions(false)
            .into_iter()
            .map(|t| match t {
                ChatCompletionTools::Function(f) => f.function.name,
                _ => String::new(),
            })
            .collect();
        assert_eq!(names.len(), cases.len());
        for (name, _) in cases {
            assert!(names.iter().any(|n| n == name), "{name} has no definition");
        }
    }

    #[test]
    fn bad_arguments_are_an_error_not_a_guess() {
        let tz = chrono_tz::UTC;
        assert!(action("create_event", r#"{"title":"x""#, tz).is_err());
        assert!(action("cancel_event", r#"{"event_id":"soon"}"#, tz).is_err());
        assert!(action("list_events", r#"{"from":"tuesday","to":"x"}"#, tz).is_err());
        assert!(action("rm_rf", "{}", tz).is_err());
        let Ok(Action::LogExpense(e)) = action("log_expense", r#"{"amount":7}"#, tz) else {
            panic!("expected an expense");
        };
        assert_eq!(e.amount.0, "7.00");
    }
}
