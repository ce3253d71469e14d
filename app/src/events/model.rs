//! Calendar events as the app and the API see them, and the checks every new or changed event
//! passes whichever door it comes through.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[cfg(feature = "ssr")]
use crate::error::{AppError, Validator};
#[cfg(feature = "ssr")]
use crate::time::TimeError;
use crate::time::{self, Typed};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5000;
pub const MAX_LOCATION: usize = 300;
/// The longest event, so a typo in the year does not make a decade-long meeting.
pub const MAX_DAYS: i64 = 366;

/// Where an event was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Web,
    Chat,
    Sms,
    Voice,
    Api,
    /// A copy of an event the user was invited to and accepted.
    Invitation,
    /// Pulled from the user's Google Calendar.
    Google,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Chat => "chat",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Api => "api",
            Self::Invitation => "invitation",
            Self::Google => "google",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Web,
            Self::Chat,
            Self::Sms,
            Self::Voice,
            Self::Api,
            Self::Invitation,
            Self::Google,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// An event. All-day events run from 00:00 UTC of their first day to 00:00 UTC after their last
/// day, and are shown by date wherever the user is; the API writes them as dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub source: Source,
    /// Texted reminders, in minutes before it; `None`: its owner's.
    pub reminder_minutes: Option<Vec<i32>>,
    /// How a series repeats (an RFC 5545 RRULE value, "FREQ=WEEKLY;BYDAY=MO"): on a series
    /// and on each of its instances.
    pub recurrence: Option<String>,
    /// The series an instance belongs to (its id, for an instance not changed on its own).
    pub series_id: Option<i64>,
    /// The start of the series' instance this is (or replaces, for one changed on its own).
    pub occurrence: Option<DateTime<Utc>>,
    /// For an event from Google Calendar: where Google shows it.
    pub google_link: Option<String>,
}

/// How an event is written in JSON: all-day events with dates, others with RFC 3339.
#[derive(Serialize, Deserialize)]
struct Wire<T> {
    id: i64,
    title: T,
    description: T,
    location: T,
    start: String,
    end: String,
    all_day: bool,
    source: Source,
    #[serde(default)]
    reminder_minutes: Option<Vec<i32>>,
    #[serde(default)]
    recurrence: Option<T>,
    #[serde(default)]
    series_id: Option<i64>,
    #[serde(default)]
    occurrence: Option<String>,
    #[serde(default)]
    google_link: Option<T>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = Wire::<String>::deserialize(d)?;
        let read = |text: &str| -> Result<DateTime<Utc>, D::Error> {
            if wire.all_day {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|day| day.and_time(chrono::NaiveTime::MIN).and_utc())
                    .map_err(serde::de::Error::custom)
            } else {
                DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            }
        };
        Ok(Event {
            start: read(&wire.start)?,
            end: read(&wire.end)?,
            id: wire.id,
            title: wire.title,
            description: wire.description,
            location: wire.location,
            occurrence: wire.occurrence.as_deref().map(read).transpose()?,
            all_day: wire.all_day,
            source: wire.source,
            reminder_minutes: wire.reminder_minutes,
            recurrence: wire.recurrence,
            series_id: wire.series_id,
            google_link: wire.google_link,
        })
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let show = |t: DateTime<Utc>| {
            if self.all_day {
                t.date_naive().to_string()
            } else {
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }
        };
        Wire::<&str> {
            id: self.id,
            title: &self.title,
            description: &self.description,
            location: &self.location,
            start: show(self.start),
            end: show(self.end),
            all_day: self.all_day,
            source: self.source,
            reminder_minutes: self.reminder_minutes.clone(),
            recurrence: self.recurrence.as_deref(),
            series_id: self.series_id,
            occurrence: self.occurrence.map(show),
            google_link: self.google_link.as_deref(),
        }
        .serialize(s)
    }
}

impl Event {
    /// Its start and end as an [`EventInput`] takes them: dates (the last day included) for
    /// all-day events, RFC 3339 otherwise.
    pub fn input_times(&self) -> (String, String) {
        if self.all_day {
            (
                self.start.date_naive().to_string(),
                (self.end - Duration::days(1)).date_naive().to_string(),
            )
        } else {
            (self.start.to_rfc3339(), self.end.to_rfc3339())
        }
    }

    /// The input that makes this event (again, or in another calendar).
    pub fn to_input(&self) -> EventInput {
        let (start, end) = self.input_times();
        EventInput {
            title: self.title.clone(),
            description: Some(self.description.clone()),
            location: Some(self.location.clone()),
            start,
            end: Some(end),
            all_day: Some(self.all_day),
            reminder_minutes: self.reminder_minutes.clone(),
            recurrence: self.recurrence.clone(),
        }
    }

    /// Whether it is a series, or an instance of one.
    pub fn repeats(&self) -> bool {
        self.recurrence.is_some() || self.series_id.is_some()
    }

    /// The first and last local dates the event touches in `tz`.
    pub fn local_days(&self, tz: Tz) -> (NaiveDate, NaiveDate) {
        if self.all_day {
            let first = self.start.date_naive();
            (
                first,
                (self.end - Duration::days(1)).date_naive().max(first),
            )
        } else {
            let first = self.start.with_timezone(&tz).date_naive();
            let last = (self.end - Duration::seconds(1))
                .with_timezone(&tz)
                .date_naive();
            (first, last.max(first))
        }
    }
}

/// An event as typed into a form or sent to the API, before checking. Times are strings in
/// the forms `time::parse` reads; `end` may be left out (the default meeting length applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub all_day: Option<bool>,
    /// Texted reminders, in minutes before it; absent: the owner's.
    #[serde(default)]
    pub reminder_minutes: Option<Vec<i32>>,
    /// How it repeats: an RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"); absent
    /// or empty: it does not.
    #[serde(default)]
    pub recurrence: Option<String>,
}

/// Which instances of a series a change or deletion is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Only the instance named.
    #[default]
    This,
    /// The instance named and every later one.
    Following,
    /// The whole series.
    All,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::This => "this",
            Self::Following => "following",
            Self::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::This, Self::Following, Self::All]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A change to some fields of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub all_day: Option<bool>,
    pub reminder_minutes: Option<Vec<i32>>,
    /// A new rule; empty: it stops repeating.
    pub recurrence: Option<String>,
}

impl EventPatch {
    /// The event with this patch applied, as an input to check again. A start moved without
    /// an end keeps the event's length.
    pub fn apply(self, current: &Event, tz: Tz) -> EventInput {
        let all_day = self.all_day.unwrap_or(current.all_day);
        let same_kind = all_day == current.all_day;
        let current_start = if current.all_day {
            current.start.date_naive().to_string()
        } else {
            current.start.to_rfc3339()
        };
        let current_end = if current.all_day {
            (current.end - Duration::days(1)).date_naive().to_string()
        } else {
            current.end.to_rfc3339()
        };
        let end = match (self.end, &self.start) {
            (Some(end), _) => Some(end),
            (None, None) if same_kind => Some(current_end),
            (None, Some(start)) if same_kind => {
                let length = current.end - current.start;
                match time::parse(start, tz) {
                    Ok(Typed::At(t)) if !all_day => Some((t + length).to_rfc3339()),
                    Ok(Typed::Day(d)) if all_day => {
                        Some((d + length - Duration::days(1)).to_string())
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        EventInput {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            description: Some(
                self.description
                    .unwrap_or_else(|| current.description.clone()),
            ),
            location: Some(self.location.unwrap_or_else(|| current.location.clone())),
            start: self.start.unwrap_or(current_start),
            end,
            all_day: Some(all_day),
            reminder_minutes: self
                .reminder_minutes
                .or_else(|| current.reminder_minutes.clone()),
            recurrence: self.recurrence.or_else(|| current.recurrence.clone()),
        }
    }
}

/// A checked event, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub title: String,
    pub description: String,
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub reminder_minutes: Option<Vec<i32>>,
    /// The rule it repeats by, as read back (upper case, normalised).
    pub recurrence: Option<String>,
}

#[cfg(feature = "ssr")]
fn time_message(e: TimeError) -> String {
    e.to_string()
}

#[cfg(feature = "ssr")]
impl EventInput {
    /// Checks every field, reading local times in `tz`; `default_minutes` is the length of an
    /// event given without an end.
    pub fn validate(&self, tz: Tz, default_minutes: i32) -> Result<EventDraft, AppError> {
        let mut v = Validator::default();
        let title = self.title.trim().to_owned();
        v.check(!title.is_empty(), "title", "give the event a title")
            .check(
                title.chars().count() <= MAX_TITLE,
                "title",
                "use at most 200 characters",
            );
        let description = self.description.as_deref().unwrap_or("").trim().to_owned();
        v.check(
            description.chars().count() <= MAX_DESCRIPTION,
            "description",
            "use at most 5000 characters",
        );
        let location = self.location.as_deref().unwrap_or("").trim().to_owned();
        v.check(
            location.chars().count() <= MAX_LOCATION,
            "location",
            "use at most 300 characters",
        );
        let all_day = self.all_day.unwrap_or(false);

        let start = match time::parse(&self.start, tz) {
            Ok(t) => Some(t),
            Err(e) => {
                v.fail("start", time_message(e));
                None
            }
        };
        let end_text = self.end.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let (start, end) = match (start, all_day) {
            (None, _) => (None, None),
            (Some(start), true) => {
                let first = match start {
                    Typed::Day(d) => d,
                    Typed::At(t) => t.with_timezone(&tz).date_naive(),
                };
                // For all-day events the end is the last day, inclusive, as people say it.
                let last = match end_text.map(|t| time::parse(t, tz)) {
                    None => Some(first),
                    Some(Ok(Typed::Day(d))) => Some(d),
                    Some(Ok(Typed::At(t))) => Some(t.with_timezone(&tz).date_naive()),
                    Some(Err(e)) => {
                        v.fail("end", time_message(e));
                        None
                    }
                };
                let start = time::start_of_day(first, chrono_tz::UTC);
                let end = last.map(|l| time::start_of_day(l, chrono_tz::UTC) + Duration::days(1));
                (Some(start), end)
            }
            (Some(start), false) => {
                let start = match start {
                    Typed::At(t) => Some(t),
                    Typed::Day(_) => {
                        v.fail("start", "give a time, or mark the event as all-day");
                        None
                    }
                };
                let end = match end_text {
                    None => start.map(|s| s + Duration::minutes(i64::from(default_minutes))),
                    Some(t) => match time::parse(t, tz) {
                        Ok(Typed::At(t)) => Some(t),
                        Ok(Typed::Day(_)) => {
                            v.fail("end", "give an end time");
                            None
                        }
                        Err(e) => {
                            v.fail("end", time_message(e));
                            None
                        }
                    },
                };
                (start, end)
            }
        };
        if let (Some(start), Some(end)) = (start, end) {
            v.check(end > start, "end", "the end must be after the start");
            v.check(
                end - start <= Duration::days(MAX_DAYS),
                "end",
                "an event can last at most a year",
            );
        }
        if let Some(Err(message)) = self
            .reminder_minutes
            .as_deref()
            .map(crate::reminders::offsets::validate)
        {
            v.check(false, "reminder_minutes", &message);
        }
        let (Some(start), Some(end)) = (start, end) else {
            return Err(v.into_error());
        };
        let rule_zone = if all_day { chrono_tz::UTC } else { tz };
        let recurrence = match self
            .recurrence
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|text| super::recurrence::Rule::read(text, start, rule_zone))
        {
            None => None,
            Some(Ok(rule)) => Some(rule.text().to_owned()),
            Some(Err(message)) => {
                v.fail("recurrence", message);
                None
            }
        };
        v.finish(EventDraft {
            title,
            description,
            location,
            start,
            end,
            all_day,
            reminder_minutes: self.reminder_minutes.clone(),
            recurrence,
        })
    }
}

impl Event {
    /// Whether the event falls in `[from, to)`; all-day events by their dates in `tz`.
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> bool {
        if self.all_day {
            let (first, last) = self.local_days(tz);
            let from_day = from.with_timezone(&tz).date_naive();
            let to_day = (to - Duration::seconds(1)).with_timezone(&tz).date_naive();
            first <= to_day && last >= from_day
        } else {
            self.start < to && self.end > from
        }
    }

    /// The time it keeps its owner busy: a timed event's span. All-day events (birthdays,
    /// holidays) take no time, as calendars usually treat them.
    #[cfg(feature = "ssr")]
    pub fn busy(&self) -> Option<crate::scheduling::Busy> {
        (!self.all_day).then(|| crate::scheduling::Busy::new(self.start, self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(all_day: bool, start: &str, end: &str) -> Event {
        let at = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .expect("time")
                .with_timezone(&Utc)
        };
        Event {
            id: 7,
            title: "Trip".into(),
            description: String::new(),
            location: "Montreal".into(),
            start: at(start),
            end: at(end),
            all_day,
            source: Source::Web,
            reminder_minutes: None,
            recurrence: None,
            series_id: None,
            occurrence: None,
            google_link: None,
        }
    }

    #[test]
    fn events_read_back_what_they_write() {
        for e in [
            event(true, "2026-12-02T00:00:00Z", "2026-12-05T00:00:00Z"),
            event(false, "2026-12-02T14:30:00Z", "2026-12-02T15:00:00Z"),
        ] {
            let json = serde_json::to_string(&e).expect("write");
            assert_eq!(
                serde_json::from_str::<Event>(&json).expect("read"),
                e,
                "{json}"
            );
        }
        let all_day =
            serde_json::to_value(event(true, "2026-12-02T00:00:00Z", "2026-12-05T00:00:00Z"))
                .expect("json");
        assert_eq!(
            (all_day["start"].as_str(), all_day["end"].as_str()),
            (Some("2026-12-02"), Some("2026-12-05"))
        );
    }
}
