//! Date and time phrases: a small grammar over normalised tokens.
//!
//! [`scan`] finds the date, time, part-of-day, period and relative-offset
//! phrases in a message (and marks the tokens they use); [`Scan::resolve`]
//! turns them into a [`When`]: a DST-correct range with a [`Precision`].
//! Expense look-back periods are resolved by [`Scan::lookback`].
//!
//! Each matcher looks at most a fixed number of tokens ahead, so a scan is
//! linear in the message length.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Weekday,
};
use chrono_tz::Tz;

use super::normalize::{Kind, Token, normalize};

/// How precise a resolved [`When`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// A clock time or an elapsed offset ("at 3", "in 20 min"); `end == start`.
    Minute,
    /// A said start and end ("3-4pm").
    TimeRange,
    /// A part of the day ("friday afternoon"); `start` is its usual anchor
    /// (morning 09:00, afternoon 14:00, evening 18:00, tonight 20:00) and
    /// `end` the end of that part.
    PartOfDay,
    /// A whole local day, 00:00 to 00:00.
    Day,
    /// "in N days/weeks": that day at the current wall-clock time; `end == start`.
    DayKeepTime,
    /// A week-long span ("this week", "next week").
    Week,
    /// Saturday 00:00 to Monday 00:00.
    Weekend,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

/// A resolved date/time phrase: a range in the message's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When {
    /// Start (inclusive).
    pub start: DateTime<Tz>,
    /// End (exclusive); equal to `start` for instants.
    pub end: DateTime<Tz>,
    /// What was said.
    pub precision: Precision,
}

/// A part of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Morning,
    Afternoon,
    Evening,
    Night,
}

impl Part {
    /// Anchor hour and end hour (24 = next midnight).
    fn hours(self) -> (u32, u32) {
        match self {
            Part::Morning => (9, 12),
            Part::Afternoon => (14, 17),
            Part::Evening => (18, 21),
            Part::Night => (20, 24),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mer {
    Am,
    Pm,
}

/// A clock time as said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Clock {
    h: u32,
    m: u32,
    mer: Option<Mer>,
    /// Taken as said (24-hour form, leading zero, noon, midnight).
    literal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateSpec {
    Today,
    Tomorrow,
    Yesterday,
    DayAfterTomorrow,
    /// Next such day strictly after today (`this`: today counts).
    Weekday(Weekday, bool),
    /// "last monday": the most recent one strictly before today.
    LastWeekday(Weekday),
    WeekdayNextWeek(Weekday),
    WeekdayThisWeek(Weekday),
    MonthDay(u32, u32, Option<i32>),
    Ordinal(u32),
    InDays(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimeSpec {
    At(Clock),
    Range(Clock, Clock),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    ThisWeek,
    NextWeek,
    LastWeek,
    Weekend,
    ThisMonth,
    NextMonth,
    LastMonth,
    Month(u32),
    ThisYear,
    LastYear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comp {
    Date(DateSpec),
    Time(TimeSpec),
    /// A part of the day; `true` when it also names today ("tonight", "this morning").
    Part(Part, bool),
    Period(Period),
    Elapsed(i64),
    /// A said length ("for an hour", "30 min call"), in minutes.
    Length(i64),
    Ambiguous,
}

/// The date/time phrases found in a message.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// `consumed[i]` is true when token `i` belongs to a date/time phrase.
    pub consumed: Vec<bool>,
    /// Consumed tokens that also belong in an event title: a bare part of the
    /// day right after a word ("date night", "game night at 8").
    pub soft: Vec<bool>,
    date: Option<DateSpec>,
    time: Option<TimeSpec>,
    part: Option<(Part, bool)>,
    period: Option<Period>,
    elapsed_minutes: Option<i64>,
    /// A said length in minutes ("for an hour", "a 30 min call").
    pub length_minutes: Option<i64>,
    /// Conflicting, ambiguous or unsupported phrases: callers answer unknown.
    pub trouble: bool,
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn month(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| *m == w)
        .and_then(|p| u32::try_from(p + 1).ok())
}

/// Small counts said as words or digits.
fn count(w: &str) -> Option<i64> {
    Some(match w {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        _ if !w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()) => {
            w.parse().ok()?
        }
        _ => return None,
    })
}

/// Day of month from "18", "18th", "3rd".
fn day_number(t: &Token) -> Option<u32> {
    let w = t.norm.as_str();
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    let d: u32 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn is_ordinal(t: &Token) -> bool {
    t.kind == Kind::Word && day_number(t).is_some()
}

fn year_number(t: &Token) -> Option<i32> {
    if t.kind != Kind::Num || t.norm.len() != 4 {
        return None;
    }
    let y: i32 = t.norm.parse().ok()?;
    (2000..=2100).contains(&y).then_some(y)
}

struct Matcher<'a> {
    toks: &'a [Token],
}

impl Matcher<'_> {
    fn w(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.norm.as_str())
    }

    /// A clock at `i`: returns (tokens used, clock, explicit).
    fn clock(&self, i: usize) -> Option<(usize, Clock, bool)> {
        let t = self.toks.get(i)?;
        match t.norm.as_str() {
            "noon" => {
                return Some((
                    1,
                    Clock {
                        h: 12,
                        m: 0,
                        mer: None,
                        literal: true,
                    },
                    true,
                ));
            }
            "midnight" => {
                return Some((
                    1,
                    Clock {
                        h: 0,
                        m: 0,
                        mer: None,
                        literal: true,
                    },
                    true,
                ));
            }
            "lunchtime" => {
                return Some((
                    1,
                    Clock {
                        h: 12,
                        m: 0,
                        mer: None,
                        literal: true,
                    },
                    true,
                ));
            }
            // "half past 6", "quarter past 9am": the hour's rules, with those minutes.
            "half" | "quarter" if self.w(i + 1) == "past" => {
                let (n, clock, _) = self.clock(i + 2)?;
                if clock.m != 0 || clock.literal || !(1..=12).contains(&clock.h) {
                    return None;
                }
                let m = if t.norm == "half" { 30 } else { 15 };
                return Some((n + 2, Clock { m, ..clock }, true));
            }
            _ => {}
        }
        if t.kind != Kind::Num {
            return None;
        }
        let (hs, ms, sep) = match t.norm.split_once([':', '.']) {
            Some((h, m)) => (h, m, true),
            None => (t.norm.as_str(), "00", false),
        };
        if hs.is_empty() || hs.len() > 2 || ms.len() != 2 {
            return None;
        }
        let h: u32 = hs.parse().ok()?;
        let m: u32 = ms.parse().ok()?;
        if h > 23 || m > 59 {
            return None;
        }
        let mut len = 1;
        let mut mer = None;
        match self.w(i + 1) {
            "am" => mer = Some(Mer::Am),
            "pm" => mer = Some(Mer::Pm),
            _ => {}
        }
        if mer.is_some() {
            len += 1;
            if h == 0 || h > 12 {
                return None;
            }
        } else if t.norm.contains('.') {
            // "38.40" is an amount, not a time.
            return None;
        }
        if self.w(i + len) == "oclock" || (h == 12 && mer.is_none() && self.w(i + 1) == "noon") {
            len += 1;
        }
        let colon = sep && t.norm.contains(':');
        let literal =
            mer.is_none() && (h == 0 || h >= 13 || (colon && hs.len() == 2 && hs.starts_with('0')));
        Some((len, Clock { h, m, mer, literal }, mer.is_some() || colon))
    }

    /// A part of the day at `i`: (tokens used, part, names today).
    fn part(&self, i: usize) -> Option<(usize, Part, bool)> {
        let p = |w: &str| match w {
            "morning" => Some(Part::Morning),
            "afternoon" => Some(Part::Afternoon),
            "evening" => Some(Part::Evening),
            "night" => Some(Part::Night),
            _ => None,
        };
        match self.w(i) {
            "tonight" => Some((1, Part::Night, true)),
            "this" => p(self.w(i + 1)).map(|x| (2, x, true)),
            "in" if self.w(i + 1) == "the" => p(self.w(i + 2)).map(|x| (3, x, false)),
            "at" if self.w(i + 1) == "night" => Some((2, Part::Night, false)),
            w => p(w).map(|x| (1, x, false)),
        }
    }

    fn weekday(&self, i: usize) -> Option<(usize, Comp)> {
        if self.w(i) == "following" && weekday(self.w(i + 1)).is_some() {
            // "the following tuesday": no contract rule.
            return Some((2, Comp::Ambiguous));
        }
        let (pre, this, last) = match (self.w(i), self.w(i + 1)) {
            ("this", "coming") => (2, false, false),
            ("coming" | "next", _) => (1, false, false),
            ("this", _) => (1, true, false),
            ("last" | "past", _) => (1, false, true),
            _ => (0, false, false),
        };
        let wd = weekday(self.w(i + pre))?;
        let j = i + pre + 1;
        let (suf, which) = match (self.w(j), self.w(j + 1), self.w(j + 2)) {
            ("next", "week", _) => (2, 1),
            ("of", "next", "week") => (3, 1),
            ("this", "week", _) => (2, 2),
            ("after", "next", _) => (2, 3),
            _ => (0, 0),
        };
        let comp = match which {
            0 if last => Comp::Date(DateSpec::LastWeekday(wd)),
            0 => Comp::Date(DateSpec::Weekday(wd, this)),
            1 if pre == 0 => Comp::Date(DateSpec::WeekdayNextWeek(wd)),
            2 if pre == 0 => Comp::Date(DateSpec::WeekdayThisWeek(wd)),
            _ => Comp::Ambiguous,
        };
        Some((pre + 1 + suf, comp))
    }

    fn month_day(&self, i: usize) -> Option<(usize, Comp)> {
        let toks = self.toks;
        let year_at = |j: usize| -> (usize, Option<i32>) {
            let k = if self.w(j) == "," { j + 1 } else { j };
            match toks.get(k).and_then(year_number) {
                Some(y) => (k + 1 - j, Some(y)),
                None => (0, None),
            }
        };
        // month [the] day [, year]
        if let Some(m) = month(self.w(i)) {
            let j = i + 1 + usize::from(self.w(i + 1) == ".");
            let j = if self.w(j) == "the" { j + 1 } else { j };
            let d = toks.get(j).and_then(day_number)?;
            if toks.get(j + 1).is_some_and(|t| t.is(":")) {
                return None;
            }
            let (ylen, y) = year_at(j + 1);
            return Some((j + 1 - i + ylen, Comp::Date(DateSpec::MonthDay(m, d, y))));
        }
        // [the] day [of] month [year]  |  the 3rd
        let j = if self.w(i) == "the" { i + 1 } else { i };
        let t = toks.get(j)?;
        if j == i && i > 0 && t.kind == Kind::Num && self.w(i - 1) == "at" {
            // "at 2 january 8": the 2 is a time.
            return None;
        }
        let d = day_number(t)?;
        let k = if self.w(j + 1) == "of" { j + 2 } else { j + 1 };
        if let Some(m) = month(self.w(k)) {
            let (ylen, y) = year_at(k + 1);
            return Some((k + 1 - i + ylen, Comp::Date(DateSpec::MonthDay(m, d, y))));
        }
        (is_ordinal(t) && (j > i || t.kind == Kind::Word))
            .then_some((j + 1 - i, Comp::Date(DateSpec::Ordinal(d))))
    }

    fn numeric_date(&self, i: usize) -> Option<(usize, Comp)> {
        let toks = self.toks;
        let num = |j: usize| {
            toks.get(j)
                .filter(|t| t.kind == Kind::Num && t.norm.bytes().all(|b| b.is_ascii_digit()))
        };
        let a = num(i)?;
        let sep = self.w(i + 1);
        if sep != "/" && sep != "-" {
            return None;
        }
        let b = num(i + 2)?;
        let third = (self.w(i + 3) == sep).then(|| num(i + 4)).flatten();
        if a.norm.len() == 4 {
            let c = third?;
            let y = year_number(a)?;
            let m: u32 = b.norm.parse().ok()?;
            let d: u32 = c.norm.parse().ok()?;
            return Some((5, Comp::Date(DateSpec::MonthDay(m, d, Some(y)))));
        }
        // "12/3" (and "12-3-2026") is day/month or month/day: ambiguous.
        if sep == "/" || third.is_some() {
            return Some((if third.is_some() { 5 } else { 3 }, Comp::Ambiguous));
        }
        None
    }

    fn relative(&self, i: usize) -> Option<(usize, Comp)> {
        if self.w(i) != "in" && self.w(i) != "within" {
            return None;
        }
        let (n, used) = match (self.w(i + 1), self.w(i + 2), self.w(i + 3)) {
            ("half", "an", "hours" | "hr") => return Some((4, Comp::Elapsed(30))),
            ("half", "hours" | "hr", _) | ("a", "half", "hours" | "hr") => {
                return Some((3, Comp::Elapsed(30)));
            }
            // "in 1.5 hours"
            (w, "hours" | "hr", _) if w.ends_with(".5") => {
                let whole = count(w.trim_end_matches(".5"))?;
                return Some((3, Comp::Elapsed(whole.checked_mul(60)?.checked_add(30)?)));
            }
            (w, _, _) => (count(w)?, 2),
        };
        let comp = match self.w(i + used) {
            "minutes" => Comp::Elapsed(n),
            "hours" | "hr" | "h" => {
                let hours = n.checked_mul(60)?;
                let k = i + used + 1;
                // "in an hour and a half", "in 1 hour 30 min"
                match (self.w(k), self.w(k + 1), self.w(k + 2)) {
                    ("and", "a", "half") => return Some((used + 4, Comp::Elapsed(hours + 30))),
                    ("and", ..) => return Some((used + 1, Comp::Ambiguous)),
                    (w, "minutes", _) => {
                        if let Some(extra) = count(w).filter(|m| *m < 60) {
                            return Some((used + 3, Comp::Elapsed(hours + extra)));
                        }
                        Comp::Elapsed(hours)
                    }
                    _ => Comp::Elapsed(hours),
                }
            }
            "day" => Comp::Date(DateSpec::InDays(n)),
            "week" => Comp::Date(DateSpec::InDays(n.checked_mul(7)?)),
            "month" | "months" | "year" | "years" | "seconds" | "second" | "sec" | "secs" => {
                Comp::Ambiguous
            }
            _ => return None,
        };
        Some((used + 1, comp))
    }

    /// "for an hour", "for 45 minutes", "for half an hour", "for 2 hours",
    /// and "30 min" / "1 hour" used before a noun ("a 30 min call").
    fn length(&self, i: usize) -> Option<(usize, Comp)> {
        let pre = usize::from(self.w(i) == "for");
        let j = i + pre;
        let (n, used) = match (self.w(j), self.w(j + 1), self.w(j + 2)) {
            ("half", "an" | "a", "hours") if pre == 1 => return Some((4, Comp::Length(30))),
            ("an" | "a" | "one", "hours", _) if pre == 1 => {
                if (self.w(j + 2), self.w(j + 3), self.w(j + 4)) == ("and", "a", "half") {
                    return Some((6, Comp::Length(90)));
                }
                (60, 2)
            }
            (w, "hours", _) if w.bytes().all(|b| b.is_ascii_digit()) => {
                (count(w)?.checked_mul(60)?, 2)
            }
            (w, "minutes", _) if w.bytes().all(|b| b.is_ascii_digit()) => (count(w)?, 2),
            _ => return None,
        };
        if pre == 0 && i > 0 && one_of_prev(self.w(i - 1)) {
            return None;
        }
        (1..=24 * 60)
            .contains(&n)
            .then_some((pre + used, Comp::Length(n)))
    }

    fn period(&self, i: usize) -> Option<(usize, Comp)> {
        let p = match (self.w(i), self.w(i + 1)) {
            ("this" | "the", "weekend") => (2, Period::Weekend),
            ("this", "week") => (2, Period::ThisWeek),
            // "the rest of my week": from now, as "this week".
            ("rest", "of")
                if matches!(self.w(i + 2), "my" | "the" | "this") && self.w(i + 3) == "week" =>
            {
                (4, Period::ThisWeek)
            }
            ("next", "week") => (2, Period::NextWeek),
            ("last" | "past", "week") => (2, Period::LastWeek),
            ("this", "month") => (2, Period::ThisMonth),
            ("next", "month") => (2, Period::NextMonth),
            ("last" | "past", "month") => (2, Period::LastMonth),
            ("this", "year") => (2, Period::ThisYear),
            ("last" | "past", "year") => (2, Period::LastYear),
            ("next", "weekend" | "year") => return Some((2, Comp::Ambiguous)),
            ("weekend", _) => (1, Period::Weekend),
            // "for dec 3" is a date, not the month.
            ("in" | "for" | "during", w) if self.toks.get(i + 2).and_then(day_number).is_none() => {
                (2, Period::Month(month(w)?))
            }
            (w, _) => (1, Period::Month(month(w)?)),
        };
        Some((p.0, Comp::Period(p.1)))
    }

    fn time(&self, i: usize) -> Option<(usize, Comp)> {
        let (pre, range_word) = match self.w(i) {
            "from" => (1, true),
            "between" => (1, true),
            _ => (0, false),
        };
        let (la, a, ea) = self.clock(i + pre)?;
        let j = i + pre + la;
        let sep = self.w(j);
        let sep_ok =
            matches!(sep, "-" | "to" | "until") || (sep == "and" && self.w(i) == "between");
        let after_day = pre == 0 && self.after_day(i);
        if sep_ok {
            let k = if self.w(j + 1) == "at" { j + 2 } else { j + 1 };
            if let Some((lb, b, eb)) = self.clock(k)
                && (range_word || ea || eb || sep == "-" || after_day)
            {
                return Some((k + lb - i, Comp::Time(TimeSpec::Range(a, b))));
            }
        }
        let prev = if i == 0 { "" } else { self.w(i - 1) };
        if ea || matches!(prev, "at" | "by" | "around" | "to") || (after_day && !self.counts(j)) {
            return Some((la + pre, Comp::Time(TimeSpec::At(a))));
        }
        None
    }

    /// Whether a bare number at `i` follows a day, as in "wed 4", "thursday 10", "3 feb 9":
    /// then it is the hour ("dentist tues 3").
    fn after_day(&self, i: usize) -> bool {
        let Some(prev) = i.checked_sub(1) else {
            return false;
        };
        let day_month = month(self.w(prev)).is_some()
            && prev
                .checked_sub(1)
                .and_then(|d| self.toks.get(d))
                .and_then(day_number)
                .is_some();
        weekday(self.w(prev)).is_some() || matches!(self.w(prev), "tomorrow" | "today") || day_month
    }

    /// Whether the word at `j` makes the number before it a count ("wed 4 people").
    fn counts(&self, j: usize) -> bool {
        let w = self.w(j);
        self.toks.get(j).is_some_and(|t| t.kind == Kind::Num) || one_of_counted(w)
    }

    fn simple(&self, i: usize) -> Option<(usize, Comp)> {
        Some(
            match (self.w(i), self.w(i + 1), self.w(i + 2), self.w(i + 3)) {
                ("the", "day", "after", "tomorrow") => (4, Comp::Date(DateSpec::DayAfterTomorrow)),
                ("day", "after", "tomorrow", _) => (3, Comp::Date(DateSpec::DayAfterTomorrow)),
                ("today", ..) => (1, Comp::Date(DateSpec::Today)),
                ("tomorrow", ..) => (1, Comp::Date(DateSpec::Tomorrow)),
                ("yesterday", ..) => (1, Comp::Date(DateSpec::Yesterday)),
                ("last", "night", ..) => (2, Comp::Date(DateSpec::Yesterday)),
                ("at", "lunch", ..) => (
                    2,
                    Comp::Time(TimeSpec::At(Clock {
                        h: 12,
                        m: 0,
                        mer: None,
                        literal: true,
                    })),
                ),
                _ => return None,
            },
        )
    }

    fn at(&self, i: usize) -> Option<(usize, Comp)> {
        self.simple(i)
            .or_else(|| self.numeric_date(i))
            .or_else(|| self.relative(i))
            .or_else(|| self.length(i))
            .or_else(|| self.weekday(i))
            .or_else(|| self.month_day(i))
            .or_else(|| self.period(i))
            .or_else(|| self.time(i))
            .or_else(|| self.part(i).map(|(n, p, today)| (n, Comp::Part(p, today))))
    }
}

/// Nouns a number before them counts ("4 people", "3 times", "2 tickets").
fn one_of_counted(w: &str) -> bool {
    matches!(
        w,
        "people"
            | "ppl"
            | "persons"
            | "guests"
            | "kids"
            | "times"
            | "tickets"
            | "items"
            | "things"
            | "pages"
            | "km"
            | "miles"
            | "mi"
            | "kg"
            | "lbs"
            | "pounds"
            | "dollars"
            | "bucks"
            | "euros"
            | "minutes"
            | "hours"
            | "days"
            | "weeks"
            | "of"
            | "%"
            | "$"
            | "."
    )
}

/// Words before "N minutes/hours" that make it an offset, not a length.
fn one_of_prev(w: &str) -> bool {
    matches!(
        w,
        "in" | "within" | "after" | "every" | "last" | "past" | "next"
    )
}

/// Finds the date/time phrases in normalised tokens.
pub fn scan(toks: &[Token]) -> Scan {
    let m = Matcher { toks };
    let mut s = Scan {
        consumed: vec![false; toks.len()],
        soft: vec![false; toks.len()],
        ..Scan::default()
    };
    let mut comps = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some((n, comp)) = m.at(i) else {
            i += 1;
            continue;
        };
        let mut start = i;
        if start > 0
            && !s.consumed[start - 1]
            && matches!(
                m.w(start - 1),
                "on" | "at" | "by" | "due" | "for" | "around"
            )
        {
            start -= 1;
        }
        if n == 1 && start == i && matches!(comp, Comp::Part(_, false)) {
            // Decided below, once every phrase is marked.
            s.soft[i] = true;
        }
        for c in &mut s.consumed[start..i + n] {
            *c = true;
        }
        comps.push(comp);
        i += n;
    }
    // A bare part of the day is also a title word when it sits next to a
    // free word: "date night", "game night at 8", "morning standup at 9:15".
    let free_word = |j: usize, consumed: &[bool]| {
        toks.get(j).is_some_and(|t| t.kind == Kind::Word)
            && !consumed.get(j).copied().unwrap_or(true)
            && !matches!(
                m.w(j),
                "the" | "this" | "in" | "at" | "on" | "by" | "for" | "a" | "and" | "to"
            )
    };
    for i in 0..toks.len() {
        if s.soft[i] {
            s.soft[i] = (i > 0 && free_word(i - 1, &s.consumed))
                || (i == 0 && free_word(i + 1, &s.consumed));
        }
    }
    for c in comps {
        s.add(c);
    }
    s.merge();
    s
}

impl Scan {
    fn add(&mut self, c: Comp) {
        match c {
            Comp::Date(d) => set(&mut self.date, d, &mut self.trouble),
            Comp::Time(t) => set(&mut self.time, t, &mut self.trouble),
            Comp::Part(p, today) => match self.part {
                // "poker night tonight": the same part said twice.
                Some((q, t)) if q == p => self.part = Some((p, t || today)),
                _ => set(&mut self.part, (p, today), &mut self.trouble),
            },
            Comp::Period(p) => set(&mut self.period, p, &mut self.trouble),
            Comp::Elapsed(n) => set(&mut self.elapsed_minutes, n, &mut self.trouble),
            Comp::Length(n) => set(&mut self.length_minutes, n, &mut self.trouble),
            Comp::Ambiguous => self.trouble = true,
        }
    }

    /// Combines phrases that belong together ("next week" + "tuesday").
    fn merge(&mut self) {
        if let (Some(p), Some(DateSpec::Weekday(wd, false))) = (self.period, self.date) {
            match p {
                Period::NextWeek => self.date = Some(DateSpec::WeekdayNextWeek(wd)),
                Period::ThisWeek => self.date = Some(DateSpec::WeekdayThisWeek(wd)),
                _ => self.trouble = true,
            }
            self.period = None;
        }
        if let Some((_, true)) = self.part {
            match self.date {
                None | Some(DateSpec::Today) => self.date = Some(DateSpec::Today),
                Some(_) => self.trouble = true,
            }
        }
        // A length goes with one start time: not with a range, offset or period.
        if self.length_minutes.is_some()
            && (matches!(self.time, Some(TimeSpec::Range(..)))
                || self.elapsed_minutes.is_some()
                || self.period.is_some())
        {
            self.trouble = true;
        }
        let dated = self.date.is_some() || self.time.is_some() || self.part.is_some();
        if (self.period.is_some() && dated)
            || (self.elapsed_minutes.is_some() && (dated || self.period.is_some()))
        {
            self.trouble = true;
        }
        if matches!(self.date, Some(DateSpec::InDays(_)))
            && self.part.is_some()
            && self.time.is_none()
        {
            self.trouble = true;
        }
    }

    /// True when no date/time phrase was found.
    pub fn is_empty(&self) -> bool {
        !self.trouble
            && self.date.is_none()
            && self.time.is_none()
            && self.part.is_none()
            && self.period.is_none()
            && self.elapsed_minutes.is_none()
            && self.length_minutes.is_none()
    }

    /// True when the only phrase is a part of the day that belongs to a title ("date night").
    pub fn only_soft(&self) -> bool {
        self.soft.iter().any(|&b| b)
            && !self.trouble
            && self.date.is_none()
            && self.time.is_none()
            && self.period.is_none()
            && self.elapsed_minutes.is_none()
            && self.length_minutes.is_none()
    }

    /// True when a clock time, time range, part of day or elapsed offset was said.
    pub fn has_time(&self) -> bool {
        self.time.is_some() || self.part.is_some() || self.elapsed_minutes.is_some()
    }

    /// Resolves the phrases forward from `now` (events, tasks, reminders,
    /// calendar look-ups). `None` when nothing was said, or when what was said
    /// is ambiguous, invalid or a wall time that does not exist (or exists
    /// twice) at a DST change.
    pub fn resolve(&self, now: &DateTime<Tz>) -> Option<When> {
        if self.trouble {
            return None;
        }
        let tz = now.timezone();
        let today = now.date_naive();
        if let Some(min) = self.elapsed_minutes {
            let start = now.checked_add_signed(Duration::try_minutes(min)?)?;
            return Some(When {
                start,
                end: start,
                precision: Precision::Minute,
            });
        }
        if let Some(p) = self.period {
            return forward_period(p, now);
        }
        let date = match self.date {
            Some(d) => Some(resolve_date(d, today)?),
            None => None,
        };
        let hint = self.part.map(|p| p.0);
        let (start_t, end_t, precision) = match (self.time, self.part) {
            (Some(TimeSpec::At(c)), _) => {
                let t = clock_time(c, hint)?;
                (t, None, Precision::Minute)
            }
            (Some(TimeSpec::Range(a, b)), _) => {
                let (s, e) = range_times(a, b, hint)?;
                (s, Some(e), Precision::TimeRange)
            }
            (None, Some((p, _))) => {
                let (a, b) = p.hours();
                let end = NaiveTime::from_hms_opt(b % 24, 0, 0)?;
                (
                    NaiveTime::from_hms_opt(a, 0, 0)?,
                    Some(end),
                    Precision::PartOfDay,
                )
            }
            (None, None) => {
                let d = date?;
                if matches!(self.date, Some(DateSpec::InDays(_))) {
                    let start = local(tz, d, now.time())?;
                    return Some(When {
                        start,
                        end: start,
                        precision: Precision::DayKeepTime,
                    });
                }
                let start = local(tz, d, NaiveTime::MIN)?;
                let end = local(tz, d.succ_opt()?, NaiveTime::MIN)?;
                return Some(When {
                    start,
                    end,
                    precision: Precision::Day,
                });
            }
        };
        let day = match date {
            Some(d) => d,
            None if start_t < now.time() => today.succ_opt()?,
            None => today,
        };
        let start = local(tz, day, start_t)?;
        let end = match end_t {
            None => start,
            Some(e) => {
                let e_day = if e <= start_t { day.succ_opt()? } else { day };
                local(tz, e_day, e)?
            }
        };
        Some(When {
            start,
            end,
            precision,
        })
    }

    /// Resolves an expense period looking back from `today`: dates, end
    /// exclusive. `None` when no period or day was said, or when it cannot be
    /// read as a past period.
    pub fn lookback(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        if self.trouble || self.has_time() {
            return None;
        }
        if let Some(p) = self.period {
            return lookback_period(p, today);
        }
        let d = self.past_date(today)?;
        Some((d, d.succ_opt()?))
    }

    /// A single day said about the past ("yesterday", "on monday", "dec 3"):
    /// the most recent such day on or before `today`.
    pub fn past_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        if self.trouble || self.period.is_some() || self.has_time() {
            return None;
        }
        match self.date? {
            DateSpec::Today => Some(today),
            DateSpec::Yesterday => today.pred_opt(),
            DateSpec::Weekday(wd, _) => {
                let back =
                    (7 + today.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
                today.checked_sub_signed(Duration::days(i64::from(back)))
            }
            DateSpec::LastWeekday(wd) => resolve_date(DateSpec::LastWeekday(wd), today),
            DateSpec::MonthDay(m, d, Some(y)) => {
                NaiveDate::from_ymd_opt(y, m, d).filter(|x| *x <= today)
            }
            DateSpec::MonthDay(m, d, None) => (0..8)
                .filter_map(|k| NaiveDate::from_ymd_opt(today.year() - k, m, d))
                .find(|x| *x <= today),
            _ => None,
        }
    }
}

fn set<T: PartialEq + Copy>(slot: &mut Option<T>, v: T, trouble: &mut bool) {
    match slot {
        Some(old) if *old != v => *trouble = true,
        _ => *slot = Some(v),
    }
}

/// A local wall time, only when it exists exactly once.
fn local(tz: Tz, d: NaiveDate, t: NaiveTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&d.and_time(t)) {
        LocalResult::Single(x) => Some(x),
        _ => None,
    }
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    d.checked_add_signed(Duration::try_days(n)?)
}

fn monday_of(d: NaiveDate) -> Option<NaiveDate> {
    add_days(d, -i64::from(d.weekday().num_days_from_monday()))
}

fn first_of_next_month(y: i32, m: u32) -> Option<NaiveDate> {
    if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
}

fn resolve_date(d: DateSpec, today: NaiveDate) -> Option<NaiveDate> {
    let wd_now = i64::from(today.weekday().num_days_from_monday());
    match d {
        DateSpec::Today => Some(today),
        DateSpec::Tomorrow => add_days(today, 1),
        DateSpec::Yesterday => add_days(today, -1),
        DateSpec::DayAfterTomorrow => add_days(today, 2),
        DateSpec::InDays(n) => add_days(today, n),
        DateSpec::Weekday(wd, this) => {
            let mut ahead = (i64::from(wd.num_days_from_monday()) - wd_now).rem_euclid(7);
            if ahead == 0 && !this {
                ahead = 7;
            }
            add_days(today, ahead)
        }
        DateSpec::LastWeekday(wd) => {
            let mut back = (wd_now - i64::from(wd.num_days_from_monday())).rem_euclid(7);
            if back == 0 {
                back = 7;
            }
            add_days(today, -back)
        }
        DateSpec::WeekdayNextWeek(wd) => {
            add_days(monday_of(today)?, 7 + i64::from(wd.num_days_from_monday()))
        }
        DateSpec::WeekdayThisWeek(wd) => {
            add_days(monday_of(today)?, i64::from(wd.num_days_from_monday()))
                .filter(|x| *x >= today)
        }
        DateSpec::MonthDay(m, day, Some(y)) => NaiveDate::from_ymd_opt(y, m, day),
        DateSpec::MonthDay(m, day, None) => (0..9)
            .filter_map(|k| NaiveDate::from_ymd_opt(today.year() + k, m, day))
            .find(|x| *x >= today),
        DateSpec::Ordinal(day) => {
            let (mut y, mut m) = (today.year(), today.month());
            for _ in 0..3 {
                if let Some(x) = NaiveDate::from_ymd_opt(y, m, day).filter(|x| *x >= today) {
                    return Some(x);
                }
                let next = first_of_next_month(y, m)?;
                (y, m) = (next.year(), next.month());
            }
            None
        }
    }
}

fn forward_period(p: Period, now: &DateTime<Tz>) -> Option<When> {
    let tz = now.timezone();
    let today = now.date_naive();
    let mid = |d: NaiveDate| local(tz, d, NaiveTime::MIN);
    let next_monday = add_days(monday_of(today)?, 7)?;
    let (start, end, precision) = match p {
        Period::ThisWeek => (*now, mid(next_monday)?, Precision::Week),
        Period::NextWeek => (
            mid(next_monday)?,
            mid(add_days(next_monday, 7)?)?,
            Precision::Week,
        ),
        Period::Weekend => {
            let ahead = (5 - i64::from(today.weekday().num_days_from_monday())).rem_euclid(7);
            let sat = add_days(today, ahead)?;
            (mid(sat)?, mid(add_days(sat, 2)?)?, Precision::Weekend)
        }
        Period::ThisMonth => (
            *now,
            mid(first_of_next_month(today.year(), today.month())?)?,
            Precision::Month,
        ),
        Period::NextMonth => {
            let a = first_of_next_month(today.year(), today.month())?;
            (
                mid(a)?,
                mid(first_of_next_month(a.year(), a.month())?)?,
                Precision::Month,
            )
        }
        Period::Month(m) => {
            let y = if m >= today.month() {
                today.year()
            } else {
                today.year() + 1
            };
            let a = NaiveDate::from_ymd_opt(y, m, 1)?;
            let start = if m == today.month() { *now } else { mid(a)? };
            (start, mid(first_of_next_month(y, m)?)?, Precision::Month)
        }
        Period::ThisYear => (
            *now,
            mid(NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)?)?,
            Precision::Year,
        ),
        Period::LastWeek | Period::LastMonth | Period::LastYear => return None,
    };
    Some(When {
        start,
        end,
        precision,
    })
}

fn lookback_period(p: Period, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let monday = monday_of(today)?;
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)?;
    Some(match p {
        Period::ThisWeek => (monday, add_days(monday, 7)?),
        Period::LastWeek => (add_days(monday, -7)?, monday),
        Period::ThisMonth => (first, first_of_next_month(today.year(), today.month())?),
        Period::LastMonth => {
            let prev = first.pred_opt()?;
            (
                NaiveDate::from_ymd_opt(prev.year(), prev.month(), 1)?,
                first,
            )
        }
        Period::Month(m) => {
            let y = if m <= today.month() {
                today.year()
            } else {
                today.year() - 1
            };
            (
                NaiveDate::from_ymd_opt(y, m, 1)?,
                first_of_next_month(y, m)?,
            )
        }
        Period::ThisYear => (
            NaiveDate::from_ymd_opt(today.year(), 1, 1)?,
            NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)?,
        ),
        Period::LastYear => (
            NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)?,
            NaiveDate::from_ymd_opt(today.year(), 1, 1)?,
        ),
        Period::Weekend | Period::NextWeek | Period::NextMonth => return None,
    })
}

/// 24-hour time of a clock, using the part of day as a hint and the
/// bare-hour rule (1–7 pm, 8–11 am, 12 noon) otherwise.
fn clock_time(c: Clock, hint: Option<Part>) -> Option<NaiveTime> {
    let h = match (c.mer, hint) {
        (Some(Mer::Pm), Some(Part::Morning))
        | (Some(Mer::Am), Some(Part::Afternoon | Part::Evening | Part::Night)) => {
            return None;
        }
        (Some(Mer::Am), _) => c.h % 12,
        (Some(Mer::Pm), _) => c.h % 12 + 12,
        (None, _) if c.literal => c.h,
        (None, Some(Part::Morning)) => c.h,
        (None, Some(Part::Afternoon)) => {
            if c.h == 12 {
                12
            } else {
                c.h + 12
            }
        }
        (None, Some(Part::Evening | Part::Night)) if c.h < 12 => c.h + 12,
        (None, Some(_)) => return None,
        (None, None) => match c.h {
            1..=7 => c.h + 12,
            _ => c.h,
        },
    };
    NaiveTime::from_hms_opt(h, c.m, 0)
}

/// Start and end of a said range; the am/pm on the end applies to the start
/// unless that puts the start after the end.
fn range_times(a: Clock, b: Clock, hint: Option<Part>) -> Option<(NaiveTime, NaiveTime)> {
    let (s, e) = match (a.mer, b.mer) {
        (None, Some(mb)) if !a.literal => {
            let e = clock_time(b, hint)?;
            let flip = if mb == Mer::Am { Mer::Pm } else { Mer::Am };
            let s = clock_time(Clock { mer: Some(mb), ..a }, hint)
                .filter(|s| *s < e)
                .or_else(|| {
                    clock_time(
                        Clock {
                            mer: Some(flip),
                            ..a
                        },
                        hint,
                    )
                })?;
            (s, e)
        }
        (Some(ma), None) if !b.literal => {
            let s = clock_time(a, hint)?;
            let e = clock_time(Clock { mer: Some(ma), ..b }, hint)
                .filter(|e| *e > s)
                .or_else(|| clock_time(b, hint))?;
            (s, e)
        }
        _ => {
            let s = clock_time(a, hint)?;
            let mut e = clock_time(b, hint)?;
            // "from 6 to 8": the bare end follows the start into the evening.
            if e <= s && b.mer.is_none() && !b.literal && e.hour() < 12 {
                e = NaiveTime::from_hms_opt(e.hour() + 12, e.minute(), 0)?;
            }
            (s, e)
        }
    };
    (e > s).then_some((s, e))
}

/// Parses the date/time phrases of a free-text message ("next Tuesday
/// afternoon", "in 45 min") relative to `now`. For the voice feature.
pub fn parse_when(text: &str, now: &DateTime<Tz>) -> Option<When> {
    scan(&normalize(text)?).resolve(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn now(s: &str, tz: Tz) -> DateTime<Tz> {
        let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
        tz.from_local_datetime(&n).single().unwrap()
    }

    fn when(text: &str) -> Option<(String, String, Precision)> {
        let n = now("2026-11-22T10:00:00", chrono_tz::America::Toronto); // a Sunday
        parse_when(text, &n).map(|w| (w.start.to_rfc3339(), w.end.to_rfc3339(), w.precision))
    }

    #[test]
    fn part_of_day_is_a_range() {
        let (s, e, p) = when("next tuesday afternoon").unwrap();
        assert_eq!(
            (s.as_str(), e.as_str(), p),
            (
                "2026-11-24T14:00:00-05:00",
                "2026-11-24T17:00:00-05:00",
                Precision::PartOfDay
            )
        );
    }

    #[test]
    fn day_and_weeks() {
        let (s, e, p) = when("tomorrow").unwrap();
        assert_eq!(
            (s.as_str(), e.as_str(), p),
            (
                "2026-11-23T00:00:00-05:00",
                "2026-11-24T00:00:00-05:00",
                Precision::Day
            )
        );
        let (s, e, p) = when("next week").unwrap();
        assert_eq!(
            (s.as_str(), e.as_str(), p),
            (
                "2026-11-23T00:00:00-05:00",
                "2026-11-30T00:00:00-05:00",
                Precision::Week
            )
        );
        assert_eq!(
            when("tuesday next week").unwrap().0,
            "2026-11-24T00:00:00-05:00"
        );
        assert_eq!(when("this weekend").unwrap().0, "2026-11-28T00:00:00-05:00");
    }

    #[test]
    fn bare_hours_and_ranges() {
        assert_eq!(when("at 3:45").unwrap().0, "2026-11-22T15:45:00-05:00");
        assert_eq!(when("at 9").unwrap().0, "2026-11-23T09:00:00-05:00");
        assert_eq!(when("tonight at 9").unwrap().0, "2026-11-22T21:00:00-05:00");
        let r = when("friday 11-1pm").unwrap();
        assert_eq!(
            (r.0.as_str(), r.1.as_str(), r.2),
            (
                "2026-11-27T11:00:00-05:00",
                "2026-11-27T13:00:00-05:00",
                Precision::TimeRange
            )
        );
        assert_eq!(when("monday 7-9am").unwrap().0, "2026-11-23T07:00:00-05:00");
        assert_eq!(
            when("monday from 6 to 8").unwrap().1,
            "2026-11-23T20:00:00-05:00"
        );
    }

    #[test]
    fn relative_offsets() {
        assert_eq!(when("in 45 min").unwrap().0, "2026-11-22T10:45:00-05:00");
        assert_eq!(
            when("in an hour and a half").unwrap().0,
            "2026-11-22T11:30:00-05:00"
        );
        assert_eq!(
            when("in 1 hr 15 mins").unwrap().0,
            "2026-11-22T11:15:00-05:00"
        );
        let (s, _, p) = when("in 2 weeks").unwrap();
        assert_eq!(
            (s.as_str(), p),
            ("2026-12-06T10:00:00-05:00", Precision::DayKeepTime)
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(when("12/3 at 5"), None);
        assert_eq!(when("feb 30"), None);
        assert_eq!(when("tomorrow and friday"), None);
        // 02:30 does not exist on 2027-03-14 in Toronto.
        assert_eq!(
            parse_when(
                "march 14 at 2:30am",
                &now("2027-03-01T10:00:00", chrono_tz::America::Toronto)
            ),
            None
        );
    }

    #[test]
    fn lookback_periods() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let lb = |t: &str| scan(&normalize(t).unwrap()).lookback(today);
        assert_eq!(
            lb("last week"),
            Some((
                NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
            ))
        );
        assert_eq!(
            lb("in october").unwrap().0,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        assert_eq!(
            lb("in december").unwrap().0,
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
    }
}
