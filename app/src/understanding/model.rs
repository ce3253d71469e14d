//! The result of understanding a message, serialised to the contract JSON
//! (`{"intent": "create_event", "title": ..., ...}`).

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use super::category::Category;

/// A point in time as the contract writes it: a date (`YYYY-MM-DD`) or an
/// RFC 3339 date-time with the zone's offset at that instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// A calendar date.
    Date(NaiveDate),
    /// A date-time in the message's zone.
    DateTime(DateTime<Tz>),
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Moment::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Moment::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%:z")),
        }
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Amounts are the app's money type (whole cents, written "12.50").
pub use crate::money::Cents;

/// One understood message. `Unknown` hands the message to the language model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    /// Put an event on the calendar.
    CreateEvent {
        /// What the event is.
        title: String,
        /// Start (a date when `all_day`).
        start: Moment,
        /// End, exclusive (a date when `all_day`).
        end: Moment,
        /// True for all-day events.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        all_day: bool,
        /// Where, when said.
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        /// Names or E.164 phone numbers.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        attendees: Vec<String>,
    },
    /// Add a task.
    CreateTask {
        /// What to do.
        title: String,
        /// Due date, or date-time when a time was said.
        #[serde(skip_serializing_if = "Option::is_none")]
        due: Option<Moment>,
    },
    /// Set a reminder.
    CreateReminder {
        /// What to remind about.
        text: String,
        /// When.
        at: Moment,
    },
    /// Mark a task done.
    CompleteTask {
        /// Words identifying the task.
        query: String,
    },
    /// Record an expense.
    LogExpense {
        /// Amount.
        amount: Cents,
        /// ISO 4217 code.
        currency: String,
        /// Category.
        category: Category,
        /// What was bought.
        description: String,
        /// Day of the expense.
        date: Moment,
    },
    /// List calendar events in a range.
    ListEvents {
        /// Range start.
        from: Moment,
        /// Range end, exclusive.
        to: Moment,
    },
    /// List open tasks.
    ListTasks,
    /// Sum expenses over a period.
    ExpenseSummary {
        /// First day.
        from: Moment,
        /// Day after the last day.
        to: Moment,
        /// Restrict to one category.
        #[serde(skip_serializing_if = "Option::is_none")]
        category: Option<Category>,
    },
    /// Is a slot (or a whole day) free?
    CheckAvailability {
        /// Slot start, when a time was said.
        #[serde(skip_serializing_if = "Option::is_none")]
        start: Option<Moment>,
        /// Slot end.
        #[serde(skip_serializing_if = "Option::is_none")]
        end: Option<Moment>,
        /// Range start, when only a day or period was said.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Moment>,
        /// Range end, exclusive.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Moment>,
    },
    /// Cancel an event.
    CancelEvent {
        /// Words identifying the event.
        query: String,
        /// Its day, when said.
        #[serde(skip_serializing_if = "Option::is_none")]
        date: Option<Moment>,
    },
    /// Move an event.
    RescheduleEvent {
        /// Words identifying the event.
        query: String,
        /// New start.
        new_start: Moment,
    },
    /// Not understood with certainty.
    Unknown,
}

impl Intent {
    /// The contract JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({ "intent": "unknown" }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn contract_json() {
        let tz = chrono_tz::Europe::London;
        let start = tz.with_ymd_and_hms(2027, 7, 1, 9, 0, 0).single().unwrap();
        let i = Intent::CreateReminder {
            text: "x".into(),
            at: Moment::DateTime(start),
        };
        assert_eq!(
            i.to_json().to_string(),
            r#"{"at":"2027-07-01T09:00:00+01:00","intent":"create_reminder","text":"x"}"#
        );
        let d = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        let e = Intent::CreateEvent {
            title: "leap".into(),
            start: Moment::Date(d),
            end: Moment::Date(d.succ_opt().unwrap()),
            all_day: true,
            location: None,
            attendees: vec![],
        };
        let v = e.to_json();
        assert_eq!(v["all_day"], true);
        assert_eq!(v["end"], "2028-03-01");
        assert!(v.get("location").is_none());
        assert_eq!(
            Intent::Unknown.to_json().to_string(),
            r#"{"intent":"unknown"}"#
        );
        let x = Intent::LogExpense {
            amount: Cents(5),
            currency: "EUR".into(),
            category: Category::Food,
            description: "gum".into(),
            date: Moment::Date(d),
        };
        assert_eq!(x.to_json()["amount"], "0.05");
        assert_eq!(x.to_json()["category"], "Food");
    }
}
