//! What a caller asked for ("next Tuesday afternoon", "the 14th at 10:30", an RFC 3339 time),
//! and the answer a voice agent can say: free or not, and up to three free times. Pure: the
//! owner's rules, busy time and `now` come in.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::spoken;
use crate::scheduling::{self, Busy, Rules, Verdict};
use crate::understanding::{Precision, parse_when};

/// Free times offered at most.
pub const OFFERED: usize = 3;

/// What a caller asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// One start time ("tomorrow at 3").
    Slot(DateTime<Utc>),
    /// Any time in a stretch ("Tuesday afternoon", "next week"); the end is exclusive.
    Window {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Asked {
    /// Reads `text` in `tz` as of `now`: an RFC 3339 time, or what the date reader finds. A
    /// clock time is a slot; a part of the day, a day or a longer span is a window (the part
    /// of the day from its usual start to its end, as the understanding contract says).
    pub fn read(text: &str, now: DateTime<Utc>, tz: Tz) -> Option<Self> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
            return Some(Self::Slot(t.with_timezone(&Utc)));
        }
        let when = parse_when(text, &now.with_timezone(&tz))?;
        let (start, end) = (when.start.with_timezone(&Utc), when.end.with_timezone(&Utc));
        Some(match when.precision {
            Precision::Minute | Precision::TimeRange => Self::Slot(start),
            Precision::DayKeepTime => {
                let day = when.start.date_naive();
                Self::Window {
                    from: crate::time::start_of_day(day, tz),
                    to: crate::time::start_of_day(day + Duration::days(1), tz),
                }
            }
            Precision::PartOfDay
            | Precision::Day
            | Precision::Week
            | Precision::Weekend
            | Precision::Month
            | Precision::Year => Self::Window {
                from: start,
                to: end,
            },
        })
    }
}

/// The answer to a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub available: bool,
    /// Free starts, nearest to what was asked (a slot) or first in it (a window).
    pub alternatives: Vec<DateTime<Utc>>,
    /// One or two sentences the agent can say.
    pub message: String,
}

/// The stretch of time whose busy time was read: free times are offered only inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Known {
    /// Whether a meeting of `length` from `start` lies inside.
    pub fn holds(&self, start: DateTime<Utc>, length: Duration) -> bool {
        self.from <= start && start + length <= self.to
    }
}

/// Answers whether `asked` can be booked for `length` under `rules`, given the `busy` time
/// read over `known`.
pub fn answer(
    rules: &Rules,
    busy: &[Busy],
    known: Known,
    now: DateTime<Utc>,
    asked: Asked,
    length: Duration,
) -> Answer {
    let tz = rules.tz;
    let nearest = |around: DateTime<Utc>| -> Vec<DateTime<Utc>> {
        scheduling::nearest(rules, busy, now, around, length, OFFERED)
            .into_iter()
            .filter(|t| known.holds(*t, length))
            .collect()
    };
    match asked {
        Asked::Slot(start) => {
            let said = spoken::when(start, tz);
            let why = match scheduling::check(rules, busy, now, start, length) {
                Verdict::Free => {
                    return Answer {
                        available: true,
                        alternatives: Vec::new(),
                        message: format!("{said} is free."),
                    };
                }
                Verdict::Busy { .. } => "is already taken",
                Verdict::OutsideHours => "is outside working hours",
                Verdict::TooSoon => "is too soon to book",
                Verdict::TooFar => "is too far ahead to book",
            };
            let near = nearest(start);
            Answer {
                available: false,
                message: format!("{said} {why}. {}", offer(&near, tz)),
                alternatives: near,
            }
        }
        Asked::Window { from, to } => {
            let starts = scheduling::first_free(rules, busy, now, from, to, length, 50);
            let mut offered: Vec<DateTime<Utc>> = Vec::new();
            for start in starts.into_iter().filter(|t| known.holds(*t, length)) {
                if offered.len() < OFFERED && offered.last().is_none_or(|l| start >= *l + length) {
                    offered.push(start);
                }
            }
            if offered.is_empty() {
                let near = nearest(from);
                return Answer {
                    available: false,
                    message: format!("Nothing is free then. {}", offer(&near, tz)),
                    alternatives: near,
                };
            }
            Answer {
                available: true,
                message: format!("Free times then: {}.", spoken::list(&offered, tz, "or")),
                alternatives: offered,
            }
        }
    }
}

/// "The nearest free times are …", or that nothing nearby is free.
pub fn offer(near: &[DateTime<Utc>], tz: Tz) -> String {
    match near.len() {
        0 => "Nothing nearby is free.".to_owned(),
        1 => format!("The nearest free time is {}.", spoken::list(near, tz, "or")),
        _ => format!(
            "The nearest free times are {}.",
            spoken::list(near, tz, "or")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::WeekHours;
    use chrono::{NaiveTime, TimeZone};
    use chrono_tz::America::Toronto;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Toronto
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rules() -> Rules {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        Rules::new(Toronto, WeekHours::weekdays(nine, five))
    }

    /// Busy time known over all of time, as when nothing limits it.
    const ANY: Known = Known {
        from: DateTime::<Utc>::MIN_UTC,
        to: DateTime::<Utc>::MAX_UTC,
    };

    /// Sunday 22 November 2026, 10:00 in Toronto.
    fn now() -> DateTime<Utc> {
        at(2026, 11, 22, 10, 0)
    }

    #[test]
    fn phrases_become_slots_or_windows() {
        let read = |t: &str| Asked::read(t, now(), Toronto);
        assert_eq!(
            read("tomorrow at 3"),
            Some(Asked::Slot(at(2026, 11, 23, 15, 0)))
        );
        assert_eq!(
            read("2026-11-24T14:00:00-05:00"),
            Some(Asked::Slot(at(2026, 11, 24, 14, 0)))
        );
        assert_eq!(
            read("next tuesday afternoon"),
            Some(Asked::Window {
                from: at(2026, 11, 24, 14, 0),
                to: at(2026, 11, 24, 17, 0)
            })
        );
        assert_eq!(
            read("tomorrow"),
            Some(Asked::Window {
                from: at(2026, 11, 23, 0, 0),
                to: at(2026, 11, 24, 0, 0)
            })
        );
        assert_eq!(read("whenever suits"), None);
    }

    #[test]
    fn a_free_slot_is_said_free() {
        let a = answer(
            &rules(),
            &[],
            ANY,
            now(),
            Asked::Slot(at(2026, 11, 24, 14, 0)),
            Duration::minutes(30),
        );
        assert!(a.available);
        assert_eq!(a.message, "Tuesday November 24 at 2 PM is free.");
    }

    #[test]
    fn a_taken_slot_offers_the_nearest_free_times() {
        let busy = [Busy::new(at(2026, 11, 24, 14, 0), at(2026, 11, 24, 15, 0))];
        let a = answer(
            &rules(),
            &busy,
            ANY,
            now(),
            Asked::Slot(at(2026, 11, 24, 14, 0)),
            Duration::minutes(30),
        );
        assert!(!a.available);
        assert_eq!(
            a.alternatives,
            vec![
                at(2026, 11, 24, 13, 0),
                at(2026, 11, 24, 13, 30),
                at(2026, 11, 24, 15, 0)
            ]
        );
        assert_eq!(
            a.message,
            "Tuesday November 24 at 2 PM is already taken. The nearest free times are \
             Tuesday November 24 at 1 PM, 1:30 PM or 3 PM."
        );
    }

    #[test]
    fn a_part_of_the_day_offers_its_first_free_times() {
        let busy = [Busy::new(at(2026, 11, 24, 14, 0), at(2026, 11, 24, 15, 0))];
        let a = answer(
            &rules(),
            &busy,
            ANY,
            now(),
            Asked::Window {
                from: at(2026, 11, 24, 14, 0),
                to: at(2026, 11, 24, 17, 0),
            },
            Duration::minutes(60),
        );
        assert!(a.available);
        assert_eq!(
            a.alternatives,
            vec![at(2026, 11, 24, 15, 0), at(2026, 11, 24, 16, 0)]
        );
        assert_eq!(
            a.message,
            "Free times then: Tuesday November 24 at 3 PM or 4 PM."
        );
    }

    #[test]
    fn a_full_window_offers_what_is_nearest() {
        let busy = [Busy::new(at(2026, 11, 24, 9, 0), at(2026, 11, 24, 17, 0))];
        let a = answer(
            &rules(),
            &busy,
            ANY,
            now(),
            Asked::Window {
                from: at(2026, 11, 24, 14, 0),
                to: at(2026, 11, 24, 17, 0),
            },
            Duration::minutes(30),
        );
        assert!(!a.available);
        assert_eq!(a.alternatives.len(), 3);
        assert!(
            a.message
                .starts_with("Nothing is free then. The nearest free times are")
        );
    }

    #[test]
    fn outside_hours_and_too_soon_say_why() {
        let mut r = rules();
        r.min_notice = Duration::days(3);
        let sunday = answer(
            &r,
            &[],
            ANY,
            now(),
            Asked::Slot(at(2026, 11, 29, 10, 0)),
            Duration::minutes(30),
        );
        assert!(sunday.message.contains("is outside working hours"));
        let monday = answer(
            &r,
            &[],
            ANY,
            now(),
            Asked::Slot(at(2026, 11, 23, 10, 0)),
            Duration::minutes(30),
        );
        assert!(monday.message.contains("is too soon to book"));
        assert!(
            monday
                .alternatives
                .iter()
                .all(|t| *t >= now() + Duration::days(3))
        );
    }
}
