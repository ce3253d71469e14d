//! How the assistant writes days, times and amounts in its replies.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use crate::events::model::Event;
use crate::tasks::model::{Due, Task};

/// "Tue 24 Nov".
pub fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// "1 pm", "1:30 pm".
pub fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    let (pm, hour) = local.hour12();
    let suffix = if pm { "pm" } else { "am" };
    if local.minute() == 0 {
        format!("{hour} {suffix}")
    } else {
        format!("{hour}:{:02} {suffix}", local.minute())
    }
}

/// When an event happens: "Tue 24 Nov, 1 pm–1:30 pm" or "Tue 24 Nov (all day)".
pub fn event_when(event: &Event, tz: Tz) -> String {
    if event.all_day {
        let (first, last) = event.local_days(tz);
        if first == last {
            format!("{} (all day)", day(first))
        } else {
            format!("{} to {} (all day)", day(first), day(last))
        }
    } else {
        slot(event.start, event.end, tz)
    }
}

/// A stretch of time: "Tue 24 Nov, 3 pm–3:30 pm".
pub fn slot(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let first = start.with_timezone(&tz).date_naive();
    let last = end.with_timezone(&tz).date_naive();
    if first == last {
        format!("{}, {}–{}", day(first), clock(start, tz), clock(end, tz))
    } else {
        format!(
            "{}, {} to {}, {}",
            day(first),
            clock(start, tz),
            day(last),
            clock(end, tz)
        )
    }
}

/// A listing range: "Tue 24 Nov" for one day, "Mon 23 Nov to Sun 29 Nov" otherwise.
pub fn range(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    let first = from.with_timezone(&tz).date_naive();
    let last = (to - Duration::seconds(1)).with_timezone(&tz).date_naive();
    if first == last {
        day(first)
    } else {
        format!("{} to {}", day(first), day(last))
    }
}

/// "“Lunch with Sam” on Tue 24 Nov, 1 pm–1:30 pm".
pub fn event(event: &Event, tz: Tz) -> String {
    format!("“{}” on {}", event.title, event_when(event, tz))
}

/// "“Call mom”, due Mon 23 Nov" (or no due part).
pub fn task(task: &Task, tz: Tz) -> String {
    match task.due {
        None => format!("“{}”", task.title),
        Some(Due::Day(d)) => format!("“{}”, due {}", task.title, day(d)),
        Some(Due::At(t)) => format!(
            "“{}”, due {}, {}",
            task.title,
            day(t.with_timezone(&tz).date_naive()),
            clock(t, tz)
        ),
    }
}

/// A markdown list line for an event, with its id so a model can refer to it.
pub fn event_line(event: &Event, tz: Tz) -> String {
    let place = if event.location.is_empty() {
        String::new()
    } else {
        format!(" @ {}", event.location)
    };
    let repeats = if event.recurrence.is_some() || event.series_id.is_some() {
        ", repeats"
    } else {
        ""
    };
    format!(
        "- {}: **{}**{place} (#{}{repeats})",
        event_when(event, tz),
        event.title,
        event.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn clock_reads_like_speech() {
        let tz = chrono_tz::America::Toronto;
        let t = tz
            .with_ymd_and_hms(2026, 11, 24, 13, 0, 0)
            .unwrap()
            .to_utc();
        assert_eq!(clock(t, tz), "1 pm");
        assert_eq!(clock(t + Duration::minutes(30), tz), "1:30 pm");
        assert_eq!(clock(t - Duration::hours(13), tz), "12 am");
        assert_eq!(
            slot(t, t + Duration::minutes(30), tz),
            "Tue 24 Nov, 1 pm–1:30 pm"
        );
    }

    #[test]
    fn ranges_name_one_day_or_both_ends() {
        let tz = chrono_tz::Europe::Paris;
        let start = tz.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap().to_utc();
        assert_eq!(range(start, start + Duration::days(1), tz), "Tue 24 Nov");
        assert_eq!(
            range(start, start + Duration::days(7), tz),
            "Tue 24 Nov to Mon 30 Nov"
        );
    }
}
