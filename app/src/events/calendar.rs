//! The calendar as the pages draw it: week and month grids in the user's timezone, with
//! overlapping events placed side by side. Built on the server, so the browser needs no
//! timezone data.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::model::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Week,
    Month,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Self {
        if text == "month" {
            Self::Month
        } else {
            Self::Week
        }
    }
}

/// An event as one day shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCard {
    pub event: Event,
    /// "09:30–10:00", or "All day".
    pub time_label: String,
    /// Values for the edit form's inputs, in the user's timezone.
    pub start_input: String,
    pub end_input: String,
    /// The dialog's repeat fields: the series' rule without its end, and its end as a last
    /// day or a number of times (empty when it has none).
    pub repeat: String,
    pub repeat_until: String,
    pub repeat_count: String,
}

/// A timed event's box in a day column: `top` and `height` in percent of the day, and which of
/// `columns` side-by-side lanes it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub card: EventCard,
    pub top: f32,
    pub height: f32,
    pub lane: u32,
    pub lanes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub date: NaiveDate,
    /// "Mon 23"
    pub label: String,
    pub in_range: bool,
    pub is_today: bool,
    pub all_day: Vec<EventCard>,
    pub timed: Vec<Placed>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarView {
    pub mode: Mode,
    pub title: String,
    pub anchor: NaiveDate,
    pub prev: NaiveDate,
    pub next: NaiveDate,
    pub today: NaiveDate,
    pub days: Vec<Day>,
}

/// The Monday on or before `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The dates a view shows: one week, or the whole weeks covering a month.
pub fn visible_dates(mode: Mode, anchor: NaiveDate) -> (NaiveDate, NaiveDate) {
    match mode {
        Mode::Week => {
            let first = week_start(anchor);
            (first, first + Duration::days(7))
        }
        Mode::Month => {
            let first_of_month = anchor.with_day(1).unwrap_or(anchor);
            let first = week_start(first_of_month);
            let next_month = add_months(first_of_month, 1);
            let last = week_start(next_month - Duration::days(1)) + Duration::days(7);
            (first, last)
        }
    }
}

/// The same day `n` months later, clamped to the month's end.
pub fn add_months(day: NaiveDate, n: i32) -> NaiveDate {
    let months = day.year() * 12 + day.month0() as i32 + n;
    let (year, month0) = (months.div_euclid(12), months.rem_euclid(12) as u32);
    (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(year, month0 + 1, day.day().saturating_sub(back)))
        .unwrap_or(day)
}

/// "09:05": written out directly, as `format("%H:%M")` would parse its pattern on every call.
fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// Builds a view of `events` (already limited to the visible dates).
pub fn build(
    mode: Mode,
    anchor: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
    events: &[Event],
) -> CalendarView {
    let (first, end) = visible_dates(mode, anchor);
    let today = now.with_timezone(&tz).date_naive();
    let (title, prev, next) = match mode {
        Mode::Week => (
            format!(
                "{} – {}",
                first.format("%b %-d"),
                (end - Duration::days(1)).format("%b %-d, %Y")
            ),
            anchor - Duration::days(7),
            anchor + Duration::days(7),
        ),
        Mode::Month => (
            anchor.format("%B %Y").to_string(),
            add_months(anchor, -1),
            add_months(anchor, 1),
        ),
    };
    let spans = with_local_days(events, tz);
    let days = first
        .iter_days()
        .take_while(|d| *d < end)
        .map(|date| build_day(date, mode, anchor, today, tz, &spans))
        .collect();
    CalendarView {
        mode,
        title,
        anchor,
        prev,
        next,
        today,
        days,
    }
}

/// Each event with the first and last local day it touches, worked out once.
pub fn with_local_days(events: &[Event], tz: Tz) -> Vec<(NaiveDate, NaiveDate, &Event)> {
    events
        .iter()
        .map(|e| {
            let (first, last) = e.local_days(tz);
            (first, last, e)
        })
        .collect()
}

/// The events of `spans` that touch `day`.
pub fn on_day<'a>(
    spans: &'a [(NaiveDate, NaiveDate, &'a Event)],
    day: NaiveDate,
) -> impl Iterator<Item = &'a Event> {
    spans
        .iter()
        .filter(move |(first, last, _)| *first <= day && day <= *last)
        .map(|(_, _, e)| *e)
}

/// When an event happens, as its card shows it: "All day" or "09:00–09:30".
pub fn time_label(event: &Event, tz: Tz) -> String {
    if event.all_day {
        "All day".into()
    } else {
        format!("{}–{}", clock(event.start, tz), clock(event.end, tz))
    }
}

/// The card for an event on its day.
pub fn card(event: &Event, tz: Tz) -> EventCard {
    card_in_series(event, event.recurrence.as_deref(), tz)
}

/// [`card`] for an event of a series whose rule is `rule` (an instance changed on its own
/// does not carry it).
pub fn card_in_series(event: &Event, rule: Option<&str>, tz: Tz) -> EventCard {
    let (repeat, until, count) = super::repeat::split(rule.unwrap_or_default());
    let rule_zone = if event.all_day { chrono_tz::UTC } else { tz };
    let (start_input, end_input) = if event.all_day {
        let (first, last) = event.local_days(tz);
        (first.to_string(), last.to_string())
    } else {
        (
            crate::time::to_local_input(event.start, tz),
            crate::time::to_local_input(event.end, tz),
        )
    };
    EventCard {
        event: event.clone(),
        time_label: time_label(event, tz),
        start_input,
        end_input,
        repeat,
        repeat_until: until
            .and_then(|u| super::repeat::until_day(&u, rule_zone))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        repeat_count: count.unwrap_or_default(),
    }
}

fn build_day(
    date: NaiveDate,
    mode: Mode,
    anchor: NaiveDate,
    today: NaiveDate,
    tz: Tz,
    spans: &[(NaiveDate, NaiveDate, &Event)],
) -> Day {
    let in_range = match mode {
        Mode::Week => true,
        Mode::Month => date.month() == anchor.month() && date.year() == anchor.year(),
    };
    let day_start = crate::time::start_of_day(date, tz);
    let day_end = crate::time::start_of_day(date + Duration::days(1), tz);
    let day_minutes = (day_end - day_start).num_minutes().max(1) as f32;
    let mut all_day = Vec::new();
    let mut timed: Vec<(DateTime<Utc>, DateTime<Utc>, EventCard)> = Vec::new();
    for event in on_day(spans, date) {
        // Events longer than the day show with the all-day ones.
        if event.all_day || (event.start <= day_start && event.end >= day_end) {
            all_day.push(card(event, tz));
        } else {
            timed.push((
                event.start.max(day_start),
                event.end.min(day_end),
                card(event, tz),
            ));
        }
    }
    let lanes = assign_lanes(&timed.iter().map(|(s, e, _)| (*s, *e)).collect::<Vec<_>>());
    let timed = timed
        .into_iter()
        .zip(lanes)
        .map(|((start, end, card), (lane, lanes))| Placed {
            top: (start - day_start).num_minutes() as f32 / day_minutes * 100.0,
            height: ((end - start).num_minutes() as f32 / day_minutes * 100.0).max(1.5),
            card,
            lane,
            lanes,
        })
        .collect();
    Day {
        date,
        label: format!("{} {}", weekday_short(date.weekday()), date.day()),
        in_range,
        is_today: date == today,
        all_day,
        timed,
    }
}

fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// For intervals sorted by start, the lane each takes and how many lanes its group of
/// overlapping intervals needs, so that overlapping intervals sit side by side.
pub fn assign_lanes<T: Ord + Copy>(intervals: &[(T, T)]) -> Vec<(u32, u32)> {
    let mut result = vec![(0u32, 1u32); intervals.len()];
    let mut group: Vec<usize> = Vec::new();
    let mut lane_ends: Vec<T> = Vec::new();
    let mut group_end: Option<T> = None;
    let close = |group: &mut Vec<usize>, lane_ends: &mut Vec<T>, result: &mut Vec<(u32, u32)>| {
        let lanes = lane_ends.len() as u32;
        for &i in group.iter() {
            result[i].1 = lanes;
        }
        group.clear();
        lane_ends.clear();
    };
    for (i, &(start, end)) in intervals.iter().enumerate() {
        if group_end.is_some_and(|g| start >= g) {
            close(&mut group, &mut lane_ends, &mut result);
            group_end = None;
        }
        let lane = match lane_ends.iter().position(|&e| e <= start) {
            Some(free) => {
                lane_ends[free] = end;
                free
            }
            None => {
                lane_ends.push(end);
                lane_ends.len() - 1
            }
        };
        result[i].0 = lane as u32;
        group.push(i);
        group_end = Some(group_end.map_or(end, |g| g.max(end)));
    }
    close(&mut group, &mut lane_ends, &mut result);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_intervals_share_the_width() {
        // a: 9-10, b: 9:30-11, c: 10-10:30 (overlaps b only), d: 12-13 (alone).
        let lanes = assign_lanes(&[(900, 1000), (930, 1100), (1000, 1030), (1200, 1300)]);
        assert_eq!(lanes, vec![(0, 2), (1, 2), (0, 2), (0, 1)]);
    }

    #[test]
    fn three_at_once_take_three_lanes() {
        let lanes = assign_lanes(&[(1, 5), (2, 6), (3, 7)]);
        assert_eq!(lanes, vec![(0, 3), (1, 3), (2, 3)]);
    }

    #[test]
    fn month_view_covers_whole_weeks() {
        let anchor = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let (first, end) = visible_dates(Mode::Month, anchor);
        assert_eq!(first, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(end, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!((end - first).num_days() % 7, 0);
    }

    #[test]
    fn months_clamp_to_their_last_day() {
        let jan31 = NaiveDate::from_ymd_opt(2028, 1, 31).unwrap();
        assert_eq!(
            add_months(jan31, 1),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        assert_eq!(
            add_months(jan31, -2),
            NaiveDate::from_ymd_opt(2027, 11, 30).unwrap()
        );
    }
}
