//! Tasks as the app and the API see them, and the checks every new or changed task passes.

use std::cmp::Reverse;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{AppError, Validator};
use crate::time::{self, Typed};

pub const MAX_TITLE: usize = 200;
pub const MAX_NOTES: usize = 5000;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    pub fn rank(self) -> i16 {
        match self {
            Self::Low => 1,
            Self::Normal => 2,
            Self::High => 3,
        }
    }

    pub fn from_rank(rank: i16) -> Self {
        match rank {
            1 => Self::Low,
            3 => Self::High,
            _ => Self::Normal,
        }
    }
}

/// When a task is due: a day, or a moment when a time was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl Due {
    /// The last instant the task is still on time, for sorting and "overdue".
    pub fn deadline(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::Day(d) => time::start_of_day(d + chrono::Duration::days(1), tz),
            Self::At(t) => t,
        }
    }

    /// The value for the form's date-time or date input, in `tz`.
    pub fn input_value(self, tz: Tz) -> String {
        match self {
            Self::Day(d) => d.to_string(),
            Self::At(t) => time::to_local_input(t, tz),
        }
    }
}

impl Serialize for Due {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Day(d) => s.collect_str(d),
            Self::At(t) => s.collect_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

/// Reads what `Serialize` writes. (No timezone database here: this runs in the browser.)
impl<'de> Deserialize<'de> for Due {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if let Ok(day) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            return Ok(Self::Day(day));
        }
        DateTime::parse_from_rfc3339(&text)
            .map(|t| Self::At(t.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub notes: String,
    pub due: Option<Due>,
    pub priority: Priority,
    pub done: bool,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Task {
    pub fn is_overdue(&self, now: DateTime<Utc>, tz: Tz) -> bool {
        !self.done && self.due.is_some_and(|d| d.deadline(tz) <= now)
    }
}

/// A task as typed into a form or sent to the API, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub notes: Option<String>,
    /// A date ("2026-11-23"), a local date-time ("2026-11-23T17:00") or RFC 3339.
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub done: Option<bool>,
}

/// A change to some fields of a task; `due: null` clears the due date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub due: Option<Option<String>>,
    pub priority: Option<Priority>,
    pub done: Option<bool>,
}

impl TaskPatch {
    pub fn apply(self, current: &Task) -> TaskInput {
        let current_due = current.due.map(|d| match d {
            Due::Day(day) => day.to_string(),
            Due::At(t) => t.to_rfc3339(),
        });
        TaskInput {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            notes: Some(self.notes.unwrap_or_else(|| current.notes.clone())),
            due: self.due.unwrap_or(current_due),
            priority: Some(self.priority.unwrap_or(current.priority)),
            done: Some(self.done.unwrap_or(current.done)),
        }
    }
}

/// A checked task, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDraft {
    pub title: String,
    pub notes: String,
    pub due: Option<Due>,
    pub priority: Priority,
    pub done: bool,
}

impl TaskInput {
    pub fn validate(&self, tz: Tz) -> Result<TaskDraft, AppError> {
        let mut v = Validator::default();
        let title = self.title.trim().to_owned();
        v.check(!title.is_empty(), "title", "give the task a title")
            .check(
                title.chars().count() <= MAX_TITLE,
                "title",
                "use at most 200 characters",
            );
        let notes = self.notes.as_deref().unwrap_or("").trim().to_owned();
        v.check(
            notes.chars().count() <= MAX_NOTES,
            "notes",
            "use at most 5000 characters",
        );
        let due = match self.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(text) => match time::parse(text, tz) {
                Ok(Typed::Day(d)) => Some(Due::Day(d)),
                Ok(Typed::At(t)) => Some(Due::At(t)),
                Err(e) => {
                    v.fail("due", e.to_string());
                    None
                }
            },
        };
        v.finish(TaskDraft {
            title,
            notes,
            due,
            priority: self.priority.unwrap_or_default(),
            done: self.done.unwrap_or(false),
        })
    }
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Filter {
    #[default]
    Open,
    Done,
    Overdue,
    All,
}

impl Filter {
    pub const ALL: [Filter; 4] = [Filter::Open, Filter::Overdue, Filter::Done, Filter::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Overdue => "overdue",
            Self::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Done => "Done",
            Self::Overdue => "Overdue",
            Self::All => "All",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Due,
    Priority,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Priority => "priority",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Due, Self::Priority]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Keeps the tasks `filter` selects and orders them: by deadline (undated last), or by
/// priority then deadline. Ties keep the newest first.
pub fn arrange(
    mut tasks: Vec<Task>,
    filter: Filter,
    sort: Sort,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<Task> {
    tasks.retain(|t| match filter {
        Filter::Open => !t.done,
        Filter::Done => t.done,
        Filter::Overdue => t.is_overdue(now, tz),
        Filter::All => true,
    });
    // Deadlines need timezone arithmetic: work each out once, not in every comparison.
    let deadline = |t: &Task| {
        t.due
            .map(|d| d.deadline(tz))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    match sort {
        Sort::Due => {
            tasks.sort_by_cached_key(|t| (deadline(t), Reverse(t.priority), Reverse(t.id)))
        }
        Sort::Priority => {
            tasks.sort_by_cached_key(|t| (Reverse(t.priority), deadline(t), Reverse(t.id)))
        }
    }
    tasks
}
