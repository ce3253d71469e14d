//! Repeating events: reading a rule (an RFC 5545 RRULE value, expanded by the `rrule` crate),
//! the instances of a series in a span, and the rules a split leaves. Wall times repeat in the
//! series' zone, so a 9:00 standup stays at 9:00 across a daylight-saving change; all-day
//! series repeat in UTC days, as all-day events are stored.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::model::Event;

/// The most instances a rule with a count may have.
pub const MAX_COUNT: u32 = 1000;
/// The most instances one listing expands of one series (a daily series over the widest
/// listing has about 400).
const MAX_LISTED: u16 = 2000;

/// A rule that was read and checked against its series' first start.
#[derive(Debug, Clone)]
pub struct Rule {
    text: String,
    rrule: RRule<Unvalidated>,
}

impl Rule {
    /// Reads `text` ("FREQ=WEEKLY;BYDAY=MO,WE", an "RRULE:" prefix allowed) for a series that
    /// starts at `start` in `tz`. The message says what is wrong, for the `recurrence` field.
    pub fn read(text: &str, start: DateTime<Utc>, tz: Tz) -> Result<Self, String> {
        let text = text.trim();
        let text = text
            .get(..6)
            .filter(|p| p.eq_ignore_ascii_case("RRULE:"))
            .map_or(text, |_| &text[6..]);
        let rrule: RRule<Unvalidated> = text
            .to_ascii_uppercase()
            .parse()
            .map_err(|e: rrule::RRuleError| format!("not a rule this calendar reads ({e})"))?;
        let rule = Self {
            text: rrule.to_string(),
            rrule,
        };
        let validated = rule
            .rrule
            .clone()
            .validate(start.with_timezone(&rrule::Tz::Tz(tz)))
            .map_err(|e| format!("not a rule this calendar reads ({e})"))?;
        if !matches!(
            validated.get_freq(),
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly
        ) {
            return Err("an event can repeat at most daily".into());
        }
        // Validation fills these from the start; what was written is checked.
        if !(rule.rrule.get_by_hour().is_empty()
            && rule.rrule.get_by_minute().is_empty()
            && rule.rrule.get_by_second().is_empty())
        {
            return Err("each instance keeps the start's time of day; leave out BYHOUR, BYMINUTE and BYSECOND".into());
        }
        if validated
            .get_count()
            .is_some_and(|c| c == 0 || c > MAX_COUNT)
        {
            return Err(format!("repeat between 1 and {MAX_COUNT} times"));
        }
        Ok(rule)
    }

    /// The rule as stored and shown, without the "RRULE:" prefix.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn set(&self, start: DateTime<Utc>, tz: Tz) -> Option<RRuleSet> {
        self.rrule
            .clone()
            .build(start.with_timezone(&rrule::Tz::Tz(tz)))
            .ok()
    }

    /// The rule with its end replaced: no `COUNT` or `UNTIL`, then `end` added.
    fn ending(&self, end: &str) -> String {
        let mut parts: Vec<&str> = self
            .text
            .split(';')
            .filter(|p| !(p.starts_with("COUNT=") || p.starts_with("UNTIL=")))
            .collect();
        if !end.is_empty() {
            parts.push(end);
        }
        let joined = parts.join(";");
        // Written back in the crate's order, as every stored rule is.
        joined
            .parse::<RRule<Unvalidated>>()
            .map_or(joined, |r| r.to_string())
    }
}

/// A stored series: its first instance, the zone its wall times repeat in, and the starts
/// of the instances removed from it.
#[derive(Debug, Clone)]
pub struct Series {
    pub event: Event,
    pub tz: Tz,
    pub excluded: Vec<DateTime<Utc>>,
}

impl Series {
    /// The zone a stored series repeats in (UTC when it has none it can read).
    pub fn from_zone(name: Option<&str>) -> Tz {
        name.and_then(|t| t.parse::<Tz>().ok())
            .unwrap_or(chrono_tz::UTC)
    }

    fn rule(&self) -> Option<Rule> {
        let text = self.event.recurrence.as_deref()?;
        match Rule::read(text, self.event.start, self.tz) {
            Ok(rule) => Some(rule),
            Err(message) => {
                tracing::error!(
                    event_id = self.event.id,
                    message,
                    "a stored rule no longer reads"
                );
                None
            }
        }
    }

    fn length(&self) -> Duration {
        self.event.end - self.event.start
    }

    /// Starts the rule makes (before exclusions) in `[from, to)`.
    fn starts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let Some(set) = self.rule().and_then(|r| r.set(self.event.start, self.tz)) else {
            return Vec::new();
        };
        let zone = rrule::Tz::Tz(self.tz);
        set.after(from.with_timezone(&zone))
            .before(to.with_timezone(&zone))
            .all(MAX_LISTED)
            .dates
            .into_iter()
            .map(|d| d.with_timezone(&Utc))
            .filter(|d| *d >= from && *d < to)
            .collect()
    }

    /// Its instances that start before `to` and end after `from`, earliest first.
    pub fn instances(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Event> {
        let length = self.length();
        self.starts(from - length + Duration::seconds(1), to)
            .into_iter()
            .filter(|s| !self.excluded.contains(s))
            .map(|start| self.instance(start))
            .collect()
    }

    /// The instance starting at `start`, if the series has one there.
    pub fn instance_at(&self, start: DateTime<Utc>) -> Option<Event> {
        self.instances(start, start + Duration::seconds(1))
            .into_iter()
            .find(|e| e.start == start)
    }

    /// The first instance that starts after `after`, looking at most `within` ahead.
    pub fn next_after(&self, after: DateTime<Utc>, within: Duration) -> Option<Event> {
        self.starts(after + Duration::seconds(1), after + within)
            .into_iter()
            .find(|s| !self.excluded.contains(s))
            .map(|start| self.instance(start))
    }

    fn instance(&self, start: DateTime<Utc>) -> Event {
        Event {
            start,
            end: start + self.length(),
            series_id: Some(self.event.id),
            occurrence: Some(start),
            ..self.event.clone()
        }
    }

    /// When its last instance ends: `None` while it repeats for ever. A rule with an end date
    /// is bounded by that date (without expanding it).
    pub fn last_end(&self) -> Option<DateTime<Utc>> {
        let rule = self.rule()?;
        let set = rule.set(self.event.start, self.tz)?;
        let validated = set.get_rrule().first()?;
        if let Some(until) = validated.get_until() {
            return Some(until.with_timezone(&Utc) + self.length());
        }
        let count = u16::try_from(validated.get_count()?).unwrap_or(u16::MAX);
        let last = set.all(count).dates.last()?.with_timezone(&Utc);
        Some(last + self.length())
    }

    /// The rule for the part of the series before `at`: it ends just before it.
    pub fn rule_until(&self, at: DateTime<Utc>) -> Option<String> {
        let rule = self.rule()?;
        let until = (at - Duration::seconds(1)).format("UNTIL=%Y%m%dT%H%M%SZ");
        Some(rule.ending(&until.to_string()))
    }

    /// The rule for the part of the series from `at` on: a count goes down by the instances
    /// before `at` (removed ones included, as RFC 5545 counts them).
    pub fn rule_from(&self, at: DateTime<Utc>) -> Option<String> {
        let rule = self.rule()?;
        let validated = rule
            .set(self.event.start, self.tz)?
            .get_rrule()
            .first()?
            .clone();
        match validated.get_count() {
            None => Some(rule.text.clone()),
            Some(count) => {
                let before = u32::try_from(self.starts(self.event.start, at).len()).ok()?;
                let left = count.checked_sub(before).filter(|l| *l > 0)?;
                Some(rule.ending(&format!("COUNT={left}")))
            }
        }
    }
}

/// `at` moved by `by` in wall time in `tz` (9:00 plus a day is 9:00 the next day, whatever the
/// clocks did); a time skipped by a change moves on to the first one that exists.
pub fn shift_wall(at: DateTime<Utc>, by: Duration, tz: Tz) -> DateTime<Utc> {
    let mut local: NaiveDateTime = at.with_timezone(&tz).naive_local() + by;
    for _ in 0..8 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(30),
        }
    }
    at + by
}

/// How far `to` is from `from` in wall time in `tz`.
pub fn wall_gap(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Duration {
    to.with_timezone(&tz).naive_local() - from.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::Source;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn series(rule: &str, start: &str, minutes: i64, tz: Tz) -> Series {
        let start = at(start);
        Series {
            event: Event {
                id: 1,
                title: "Standup".into(),
                description: String::new(),
                location: String::new(),
                start,
                end: start + Duration::minutes(minutes),
                all_day: false,
                source: Source::Web,
                reminder_minutes: None,
                recurrence: Some(rule.into()),
                series_id: None,
                occurrence: None,
                google_link: None,
            },
            tz,
            excluded: Vec::new(),
        }
    }

    fn local_times(events: &[Event], tz: Tz) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                e.start
                    .with_timezone(&tz)
                    .format("%a %m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_daily_standup_keeps_its_wall_time_across_both_changes() {
        let tz = chrono_tz::America::Toronto;
        // 9:00 EST on Friday 2026-03-06; the clocks go forward on Sunday 2026-03-08.
        let s = series("FREQ=DAILY", "2026-03-06T14:00:00Z", 15, tz);
        let spring = s.instances(at("2026-03-06T00:00:00Z"), at("2026-03-11T00:00:00Z"));
        assert_eq!(
            local_times(&spring, tz),
            [
                "Fri 03-06 09:00",
                "Sat 03-07 09:00",
                "Sun 03-08 09:00",
                "Mon 03-09 09:00",
                "Tue 03-10 09:00"
            ]
        );
        assert_eq!(spring[3].start, at("2026-03-09T13:00:00Z"), "EDT is UTC-4");
        // And back on Sunday 2026-11-01.
        let fall = s.instances(at("2026-10-31T00:00:00Z"), at("2026-11-03T00:00:00Z"));
        assert_eq!(
            fall.iter().map(|e| e.start).collect::<Vec<_>>(),
            [
                at("2026-10-31T13:00:00Z"),
                at("2026-11-01T14:00:00Z"),
                at("2026-11-02T14:00:00Z")
            ]
        );
        assert!(
            fall.iter()
                .all(|e| e.end - e.start == Duration::minutes(15))
        );
        assert!(
            fall.iter()
                .all(|e| e.series_id == Some(1) && e.occurrence == Some(e.start))
        );
    }

    #[test]
    fn weekdays_second_tuesdays_counts_and_ends() {
        let tz = chrono_tz::Europe::Paris;
        let weekdays = series(
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "2026-12-07T08:30:00Z",
            30,
            tz,
        );
        let week = weekdays.instances(at("2026-12-07T00:00:00Z"), at("2026-12-14T00:00:00Z"));
        assert_eq!(week.len(), 5);
        assert_eq!(weekdays.last_end(), None, "for ever");

        let second_tuesday = series("FREQ=MONTHLY;BYDAY=2TU", "2026-01-13T17:00:00Z", 60, tz);
        let year = second_tuesday.instances(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
        assert_eq!(year.len(), 12);
        assert_eq!(
            local_times(&year[..3], tz),
            ["Tue 01-13 18:00", "Tue 02-10 18:00", "Tue 03-10 18:00"]
        );

        let counted = series("FREQ=WEEKLY;COUNT=3", "2026-12-07T08:30:00Z", 30, tz);
        assert_eq!(counted.last_end(), Some(at("2026-12-21T09:00:00Z")));
        assert_eq!(
            counted
                .instances(at("2026-12-01T00:00:00Z"), at("2027-02-01T00:00:00Z"))
                .len(),
            3
        );
        let until = series(
            "FREQ=DAILY;UNTIL=20261210T235959Z",
            "2026-12-07T08:30:00Z",
            30,
            tz,
        );
        assert_eq!(until.last_end(), Some(at("2026-12-11T00:29:59Z")));
        assert_eq!(
            until
                .instances(at("2026-12-01T00:00:00Z"), at("2027-02-01T00:00:00Z"))
                .len(),
            4
        );
    }

    #[test]
    fn excluded_instances_are_left_out_and_found_by_start() {
        let tz = chrono_tz::UTC;
        let mut s = series("FREQ=DAILY;COUNT=5", "2026-12-07T09:00:00Z", 60, tz);
        s.excluded.push(at("2026-12-08T09:00:00Z"));
        let all = s.instances(at("2026-12-01T00:00:00Z"), at("2026-12-31T00:00:00Z"));
        assert_eq!(all.len(), 4);
        assert!(s.instance_at(at("2026-12-08T09:00:00Z")).is_none());
        assert!(s.instance_at(at("2026-12-09T09:00:00Z")).is_some());
        assert!(s.instance_at(at("2026-12-09T09:30:00Z")).is_none());
        // An instance already running when the span starts is in it.
        assert_eq!(
            s.instances(at("2026-12-09T09:30:00Z"), at("2026-12-09T09:45:00Z"))
                .len(),
            1
        );
        assert_eq!(
            s.next_after(at("2026-12-07T09:00:00Z"), Duration::days(30))
                .map(|e| e.start),
            Some(at("2026-12-09T09:00:00Z"))
        );
    }

    #[test]
    fn a_split_keeps_the_count_and_ends_the_first_part() {
        let s = series(
            "FREQ=DAILY;COUNT=10",
            "2026-12-07T09:00:00Z",
            60,
            chrono_tz::UTC,
        );
        let split = at("2026-12-10T09:00:00Z");
        assert_eq!(
            s.rule_until(split).as_deref(),
            Some("FREQ=DAILY;UNTIL=20261210T085959Z")
        );
        assert_eq!(s.rule_from(split).as_deref(), Some("FREQ=DAILY;COUNT=7"));
    }

    #[test]
    fn rules_are_checked() {
        let start = at("2026-12-07T09:00:00Z");
        let read = |t: &str| Rule::read(t, start, chrono_tz::UTC).map(|r| r.text().to_owned());
        assert_eq!(
            read("rrule:freq=weekly;byday=mo,we").as_deref(),
            Ok("FREQ=WEEKLY;BYDAY=MO,WE")
        );
        assert!(read("FREQ=HOURLY").is_err());
        assert!(read("FREQ=DAILY;BYHOUR=9,17").is_err());
        assert!(read("FREQ=DAILY;COUNT=5000").is_err());
        assert!(read("FREQ=SOMETIMES").is_err());
        assert!(read("every day").is_err());
    }

    #[test]
    fn wall_shifts_cross_a_change() {
        let tz = chrono_tz::America::Toronto;
        let friday_nine = at("2026-03-06T14:00:00Z");
        assert_eq!(
            shift_wall(friday_nine, Duration::days(3), tz),
            at("2026-03-09T13:00:00Z")
        );
        assert_eq!(
            wall_gap(friday_nine, at("2026-03-09T13:30:00Z"), tz),
            Duration::days(3) + Duration::minutes(30)
        );
    }
}
