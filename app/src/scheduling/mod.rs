//! Free/busy scheduling: decide whether a meeting slot is free, and offer
//! free slots near a requested time or inside a window.
//!
//! Everything here is pure: no database, no clock reads. The caller passes
//! the rules, the busy intervals and the current time (`now`) into every call.
//!
//! # Time model
//!
//! * All instants are `DateTime<Utc>`. Durations (meeting length, buffer,
//!   notice, horizon) are real elapsed time: a 60-minute meeting lasts 60 real
//!   minutes even when the clocks change during it.
//! * Working hours and the slot grid are local wall-clock times in
//!   [`Rules::tz`]. The grid restarts at local midnight every day, so with a
//!   30-minute step slots start at 00:00, 00:30, ... local time.
//!
//! # Daylight saving time
//!
//! * **Spring forward** (a local hour is skipped): local times that do not
//!   exist are never offered. The grid keeps its wall-clock times, so on
//!   America/Toronto a 09:00 grid slot is 14:00 UTC in winter and 13:00 UTC in
//!   summer, and 02:00 and 02:30 local are simply missing on 2026-03-08.
//! * **Fall back** (a local hour repeats): an ambiguous local time stands for
//!   two real instants, and both are offered, each once, in time order. On
//!   America/Toronto on 2026-11-01 the grid time 01:30 is offered as 05:30 UTC
//!   (daylight time) and again as 06:30 UTC (standard time).
//! * **Working hours** are judged moment by moment: a slot is inside working
//!   hours when every moment of it, read as local wall-clock time, falls on one
//!   local date and within that date's hours. For a slot that does not cross a
//!   clock change this is the usual rule: the local start is at or after
//!   opening and the local end is at or before closing on the same date. Two
//!   consequences at a clock change: a slot that ends exactly when clocks jump
//!   forward is still inside hours (its last moment was before the jump), and
//!   a slot during which clocks fall back to before opening time is outside
//!   hours (part of it happens before opening by the clock).
//!
//! # Busy intervals
//!
//! Busy intervals are half-open `[start, end)`, may overlap and come in any
//! order. Intervals with `end <= start` take no time and are ignored. A slot
//! conflicts with a busy interval when the slot overlaps the interval widened
//! by [`Rules::buffer`] on both sides; touching is not overlapping, so with no
//! buffer a meeting may start exactly when another ends.

mod slots;
#[cfg(test)]
mod tests;

pub use slots::{check, first_free, nearest};

use chrono::{DateTime, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

/// Working hours of one day, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DayHours {
    /// Opening time.
    pub start: NaiveTime,
    /// Closing time; `None` means midnight at the end of the day (24:00).
    /// A closing time that is not after `start` leaves no working time.
    pub end: Option<NaiveTime>,
}

impl DayHours {
    /// Hours from `start` to `end`. An `end` of 00:00 means midnight at the
    /// end of the day, so `DayHours::new(start, NaiveTime::MIN)` runs to 24:00.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Self {
        let end = (end != NaiveTime::MIN).then_some(end);
        Self { start, end }
    }

    /// The whole day, 00:00 to 24:00.
    pub fn all_day() -> Self {
        Self {
            start: NaiveTime::MIN,
            end: None,
        }
    }

    /// Opening time as time elapsed since local midnight.
    fn open_offset(&self) -> Duration {
        self.start - NaiveTime::MIN
    }

    /// Closing time as time elapsed since local midnight (24 hours for `None`).
    fn close_offset(&self) -> Duration {
        match self.end {
            Some(end) => end - NaiveTime::MIN,
            None => Duration::days(1),
        }
    }
}

/// Working hours for each day of the week; `None` means closed that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekHours {
    /// Indexed Monday = 0 through Sunday = 6.
    pub days: [Option<DayHours>; 7],
}

impl WeekHours {
    /// Closed every day.
    pub fn closed() -> Self {
        Self { days: [None; 7] }
    }

    /// The same hours Monday to Friday; closed at the weekend. An `end` of
    /// 00:00 means midnight at the end of the day.
    pub fn weekdays(start: NaiveTime, end: NaiveTime) -> Self {
        let hours = DayHours::new(start, end);
        Self {
            days: [
                Some(hours),
                Some(hours),
                Some(hours),
                Some(hours),
                Some(hours),
                None,
                None,
            ],
        }
    }

    /// Open every day from 00:00 to 24:00.
    pub fn always() -> Self {
        Self {
            days: [Some(DayHours::all_day()); 7],
        }
    }

    /// Returns these hours with `day` set to `hours` (`None` closes it).
    pub fn with_day(mut self, day: Weekday, hours: Option<DayHours>) -> Self {
        self.days[day.num_days_from_monday() as usize] = hours;
        self
    }

    /// The hours of `day`, or `None` when closed.
    pub fn get(&self, day: Weekday) -> Option<DayHours> {
        self.days[day.num_days_from_monday() as usize]
    }
}

/// The scheduling rules of one person or calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Time zone of the working hours and the slot grid.
    pub tz: Tz,
    /// Working hours per weekday, in local time.
    pub hours: WeekHours,
    /// Free time required before and after every busy interval. A negative
    /// buffer counts as zero.
    pub buffer: Duration,
    /// A slot may not start before `now + min_notice`.
    pub min_notice: Duration,
    /// A slot may not start after `now + horizon`.
    pub horizon: Duration,
    /// Offered slots start on a local grid of this step, counted from local
    /// midnight each day (e.g. 15 or 30 minutes). Must be positive for the
    /// search functions to offer anything; [`check`] ignores it.
    pub step: Duration,
}

impl Rules {
    /// Rules with the given zone and hours, no buffer, no notice, a 60-day
    /// horizon and a 30-minute grid.
    pub fn new(tz: Tz, hours: WeekHours) -> Self {
        Self {
            tz,
            hours,
            buffer: Duration::zero(),
            min_notice: Duration::zero(),
            horizon: Duration::days(60),
            step: Duration::minutes(30),
        }
    }

    /// The buffer, with a negative value counted as zero.
    fn effective_buffer(&self) -> Duration {
        self.buffer.max(Duration::zero())
    }
}

/// A busy interval, half-open: from `start` up to but not including `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Busy {
    /// First busy instant.
    pub start: DateTime<Utc>,
    /// First instant after the busy time.
    pub end: DateTime<Utc>,
}

impl Busy {
    /// A busy interval from `start` to `end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }

    /// Whether the interval takes no time (`end <= start`); such intervals
    /// are ignored.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// The answer of [`check`] for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The slot can be booked.
    Free,
    /// The slot overlaps these busy intervals once each is widened by the
    /// buffer; sorted by start, then end.
    Busy {
        /// The conflicting busy intervals, as given by the caller.
        conflicts: Vec<Busy>,
    },
    /// The slot is not wholly inside one day's working hours, or its length
    /// is not positive.
    OutsideHours,
    /// The slot starts before `now + min_notice`.
    TooSoon,
    /// The slot starts after `now + horizon`.
    TooFar,
}
