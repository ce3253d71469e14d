//! Unit and property tests for the scheduling module.
#![allow(clippy::unwrap_used)]

use super::{Busy, DayHours, Rules, Verdict, WeekHours, check, first_free, nearest};
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

const TORONTO: Tz = Tz::America__Toronto;
const LONDON: Tz = Tz::Europe__London;
const LORD_HOWE: Tz = Tz::Australia__Lord_Howe;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

/// The single instant of an unambiguous local wall time.
fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn busy(start: DateTime<Utc>, end: DateTime<Utc>) -> Busy {
    Busy::new(start, end)
}

/// Toronto office: Mon-Fri 09:00-17:00, 30-minute grid, no buffer or notice.
fn office() -> Rules {
    Rules::new(TORONTO, WeekHours::weekdays(hm(9, 0), hm(17, 0)))
}

fn always(tz: Tz, step: i64) -> Rules {
    Rules {
        step: mins(step),
        ..Rules::new(tz, WeekHours::always())
    }
}

/// Wall-clock "HH:MM" of each instant in `tz`.
fn walls(tz: Tz, ts: &[DateTime<Utc>]) -> Vec<String> {
    ts.iter()
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .collect()
}

/// All free grid starts of one whole local day (searching only that day).
fn day_slots(rules: &Rules, tz: Tz, date: (i32, u32, u32), len: i64) -> Vec<DateTime<Utc>> {
    let day = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
    let from = tz
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let next = day.succ_opt().unwrap().and_time(NaiveTime::MIN);
    let to = tz
        .from_local_datetime(&next)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let now = from - Duration::days(1);
    first_free(rules, &[], now, from, to, mins(len), 1000)
}

// Monday 2026-03-02 08:00 Toronto (13:00 UTC); that week is all winter time.
fn monday_morning() -> DateTime<Utc> {
    at(TORONTO, 2026, 3, 2, 8, 0)
}

// ---------------------------------------------------------------- check

#[test]
fn free_slot() {
    let start = at(TORONTO, 2026, 3, 4, 10, 0);
    assert_eq!(start, utc("2026-03-04T15:00:00Z"));
    let v = check(&office(), &[], monday_morning(), start, mins(60));
    assert_eq!(v, Verdict::Free);
}

#[test]
fn off_grid_start_is_fine_for_check() {
    let start = at(TORONTO, 2026, 3, 4, 14, 10);
    let v = check(&office(), &[], monday_morning(), start, mins(25));
    assert_eq!(v, Verdict::Free);
}

#[test]
fn conflict_lists_overlapping_busy_in_start_order() {
    let a = busy(
        at(TORONTO, 2026, 3, 4, 10, 30),
        at(TORONTO, 2026, 3, 4, 11, 30),
    );
    let b = busy(
        at(TORONTO, 2026, 3, 4, 9, 0),
        at(TORONTO, 2026, 3, 4, 10, 15),
    );
    let empty = busy(
        at(TORONTO, 2026, 3, 4, 10, 20),
        at(TORONTO, 2026, 3, 4, 10, 20),
    );
    let later = busy(
        at(TORONTO, 2026, 3, 4, 11, 0),
        at(TORONTO, 2026, 3, 4, 12, 0),
    );
    let start = at(TORONTO, 2026, 3, 4, 10, 0);
    let v = check(
        &office(),
        &[later, a, empty, b],
        monday_morning(),
        start,
        mins(60),
    );
    assert_eq!(
        v,
        Verdict::Busy {
            conflicts: vec![b, a]
        }
    );
}

#[test]
fn touching_busy_is_not_a_conflict() {
    let b = busy(
        at(TORONTO, 2026, 3, 4, 11, 0),
        at(TORONTO, 2026, 3, 4, 12, 0),
    );
    let rules = office();
    let before = at(TORONTO, 2026, 3, 4, 10, 0);
    let after = at(TORONTO, 2026, 3, 4, 12, 0);
    assert_eq!(
        check(&rules, &[b], monday_morning(), before, mins(60)),
        Verdict::Free
    );
    assert_eq!(
        check(&rules, &[b], monday_morning(), after, mins(60)),
        Verdict::Free
    );
}

#[test]
fn conflict_only_because_of_buffer() {
    let b = busy(
        at(TORONTO, 2026, 3, 4, 11, 0),
        at(TORONTO, 2026, 3, 4, 11, 30),
    );
    let rules = Rules {
        buffer: mins(15),
        ..office()
    };
    let now = monday_morning();
    let before = at(TORONTO, 2026, 3, 4, 10, 0);
    assert_eq!(check(&office(), &[b], now, before, mins(60)), Verdict::Free);
    let v = check(&rules, &[b], now, before, mins(60));
    assert_eq!(v, Verdict::Busy { conflicts: vec![b] });
    // 11:30 + 15 min buffer: 11:40 is too close, 11:45 is fine.
    let v = check(&rules, &[b], now, at(TORONTO, 2026, 3, 4, 11, 40), mins(30));
    assert_eq!(v, Verdict::Busy { conflicts: vec![b] });
    let v = check(&rules, &[b], now, at(TORONTO, 2026, 3, 4, 11, 45), mins(30));
    assert_eq!(v, Verdict::Free);
}

#[test]
fn outside_hours() {
    let (rules, now) = (office(), monday_morning());
    let early = at(TORONTO, 2026, 3, 4, 8, 30);
    assert_eq!(
        check(&rules, &[], now, early, mins(60)),
        Verdict::OutsideHours
    );
    let crossing = at(TORONTO, 2026, 3, 4, 16, 30);
    assert_eq!(
        check(&rules, &[], now, crossing, mins(60)),
        Verdict::OutsideHours
    );
    let closing = at(TORONTO, 2026, 3, 4, 16, 0);
    assert_eq!(check(&rules, &[], now, closing, mins(60)), Verdict::Free);
    let sunday = at(TORONTO, 2026, 3, 8, 10, 0);
    assert_eq!(
        check(&rules, &[], now, sunday, mins(30)),
        Verdict::OutsideHours
    );
    let zero = at(TORONTO, 2026, 3, 4, 10, 0);
    assert_eq!(
        check(&rules, &[], now, zero, mins(0)),
        Verdict::OutsideHours
    );
}

#[test]
fn too_soon_and_too_far() {
    let rules = Rules {
        min_notice: Duration::hours(2),
        horizon: Duration::days(14),
        ..office()
    };
    let now = at(TORONTO, 2026, 3, 4, 9, 0);
    let soon = at(TORONTO, 2026, 3, 4, 10, 30);
    assert_eq!(check(&rules, &[], now, soon, mins(30)), Verdict::TooSoon);
    // TooSoon is reported even when the slot is also outside hours.
    assert_eq!(check(&rules, &[], now, now, mins(30)), Verdict::TooSoon);
    let ok = at(TORONTO, 2026, 3, 4, 11, 0);
    assert_eq!(check(&rules, &[], now, ok, mins(30)), Verdict::Free);
    let far = at(TORONTO, 2026, 3, 19, 10, 0);
    assert_eq!(check(&rules, &[], now, far, mins(30)), Verdict::TooFar);
    // Exactly now + horizon is still allowed to start.
    let edge = now + Duration::days(14);
    assert_eq!(check(&rules, &[], now, edge, mins(30)), Verdict::Free);
}

// ---------------------------------------------------------------- nearest

#[test]
fn nearest_on_both_sides_same_day() {
    let b = busy(
        at(TORONTO, 2026, 3, 4, 10, 0),
        at(TORONTO, 2026, 3, 4, 11, 0),
    );
    let around = at(TORONTO, 2026, 3, 4, 10, 0);
    let got = nearest(&office(), &[b], monday_morning(), around, mins(60), 3);
    assert_eq!(walls(TORONTO, &got), ["09:00", "11:00", "11:30"]);
    // A tie at equal distance prefers the earlier start.
    let got = nearest(&office(), &[b], monday_morning(), around, mins(60), 1);
    assert_eq!(walls(TORONTO, &got), ["09:00"]);
}

#[test]
fn nearest_spills_to_next_working_day() {
    // Friday fully booked, and Thursday is already past.
    let friday = busy(
        at(TORONTO, 2026, 3, 6, 9, 0),
        at(TORONTO, 2026, 3, 6, 17, 0),
    );
    let now = at(TORONTO, 2026, 3, 6, 8, 0);
    let around = at(TORONTO, 2026, 3, 6, 15, 0);
    let got = nearest(&office(), &[friday], now, around, mins(60), 2);
    assert_eq!(
        got,
        [utc("2026-03-09T13:00:00Z"), utc("2026-03-09T13:30:00Z")]
    );
}

#[test]
fn nearest_looks_ahead_in_zones_far_east_of_utc() {
    // Kiritimati is UTC+14: local Wednesday starts at 10:00 UTC on Tuesday.
    let tz = Tz::Pacific__Kiritimati;
    let hours = WeekHours::closed()
        .with_day(Weekday::Tue, Some(DayHours::new(hm(0, 0), hm(0, 30))))
        .with_day(Weekday::Wed, Some(DayHours::all_day()));
    let rules = Rules::new(tz, hours);
    let now = utc("2026-02-25T00:00:00Z");
    let around = utc("2026-03-02T23:00:00Z");
    // Tuesday 00:00 local is 13 hours before; Wednesday 00:00 local 11 after.
    let got = nearest(&rules, &[], now, around, mins(30), 1);
    assert_eq!(got, [utc("2026-03-03T10:00:00Z")]);
}

#[test]
fn nearest_looks_back_in_zones_far_west_of_utc() {
    // Pago Pago is UTC-11: local Tuesday ends at 11:00 UTC on Wednesday.
    let tz = Tz::Pacific__Pago_Pago;
    let hours = WeekHours::closed()
        .with_day(Weekday::Tue, Some(DayHours::all_day()))
        .with_day(Weekday::Wed, Some(DayHours::new(hm(23, 30), hm(0, 0))));
    let rules = Rules::new(tz, hours);
    let now = utc("2026-02-25T00:00:00Z");
    let around = utc("2026-03-04T21:30:00Z");
    // Tuesday 23:30 local is 11 hours before; Wednesday 23:30 local 13 after.
    let got = nearest(&rules, &[], now, around, mins(30), 1);
    assert_eq!(got, [utc("2026-03-04T10:30:00Z")]);
}

#[test]
fn nearest_respects_count_and_horizon() {
    let rules = Rules {
        horizon: Duration::hours(1),
        ..office()
    };
    let now = at(TORONTO, 2026, 3, 4, 9, 0);
    assert!(nearest(&rules, &[], now, now, mins(30), 0).is_empty());
    let got = nearest(&rules, &[], now, now, mins(30), 10);
    assert_eq!(walls(TORONTO, &got), ["09:00", "09:30", "10:00"]);
}

// ---------------------------------------------------------------- first_free

#[test]
fn first_free_in_afternoon_window() {
    let rules = Rules {
        buffer: mins(10),
        ..office()
    };
    let lunch = busy(
        at(TORONTO, 2026, 3, 3, 12, 0),
        at(TORONTO, 2026, 3, 3, 14, 30),
    );
    let from = at(TORONTO, 2026, 3, 3, 13, 0);
    let to = at(TORONTO, 2026, 3, 3, 17, 0);
    let got = first_free(&rules, &[lunch], monday_morning(), from, to, mins(30), 3);
    assert_eq!(walls(TORONTO, &got), ["15:00", "15:30", "16:00"]);
    // The whole slot must fit before `to`.
    let got = first_free(&rules, &[lunch], monday_morning(), from, to, mins(90), 5);
    assert_eq!(walls(TORONTO, &got), ["15:00", "15:30"]);
    // Fully booked afternoon: nothing.
    let all = busy(from, to);
    assert!(first_free(&rules, &[all], monday_morning(), from, to, mins(30), 3).is_empty());
}

// ---------------------------------------------------------------- DST

#[test]
fn toronto_grid_keeps_local_time_across_spring_forward() {
    let rules = office();
    let fri = day_slots(&rules, TORONTO, (2026, 3, 6), 30);
    let mon = day_slots(&rules, TORONTO, (2026, 3, 9), 30);
    assert_eq!(fri[0], utc("2026-03-06T14:00:00Z"));
    assert_eq!(mon[0], utc("2026-03-09T13:00:00Z"));
    assert_eq!(fri.len(), 16);
    assert_eq!(mon.len(), 16);
    // nearest to Monday 09:00 local gives that exact instant.
    let now = at(TORONTO, 2026, 3, 5, 12, 0);
    let got = nearest(&rules, &[], now, utc("2026-03-09T13:00:00Z"), mins(30), 1);
    assert_eq!(got, [utc("2026-03-09T13:00:00Z")]);
}

#[test]
fn toronto_spring_forward_skips_nonexistent_times() {
    let rules = always(TORONTO, 30);
    let got = day_slots(&rules, TORONTO, (2026, 3, 8), 30);
    assert_eq!(got.len(), 46); // 23 local hours
    let w = walls(TORONTO, &got);
    assert!(!w.iter().any(|s| s.starts_with("02:")));
    assert_eq!(&w[2..5], ["01:00", "01:30", "03:00"]);
    assert_eq!(got[3], utc("2026-03-08T06:30:00Z"));
    assert_eq!(got[4], utc("2026-03-08T07:00:00Z"));
    assert_eq!(w.last().unwrap(), "23:30");
    // Slot lengths are real time: 01:30 EST + 60 min ends at 03:30 EDT.
    let v = check(&rules, &[], got[0], got[3], mins(60));
    assert_eq!(v, Verdict::Free);
}

#[test]
fn slot_ending_at_midnight_fits_always() {
    let rules = always(TORONTO, 30);
    let now = utc("2026-03-01T00:00:00Z");
    let late = at(TORONTO, 2026, 3, 8, 23, 30);
    assert_eq!(check(&rules, &[], now, late, mins(30)), Verdict::Free);
    assert_eq!(
        check(&rules, &[], now, late, mins(31)),
        Verdict::OutsideHours
    );
}

#[test]
fn toronto_spring_forward_with_office_hours() {
    let hours =
        WeekHours::always().with_day(Weekday::Sun, Some(DayHours::new(hm(9, 0), hm(17, 0))));
    let rules = Rules::new(TORONTO, hours);
    let got = day_slots(&rules, TORONTO, (2026, 3, 8), 30);
    assert_eq!(got.len(), 16);
    assert_eq!(got[0], utc("2026-03-08T13:00:00Z"));
}

#[test]
fn slot_ending_exactly_at_the_jump_is_inside_hours() {
    // Hours 00:00-02:00; at 02:00 EST the clock jumps to 03:00 EDT.
    let hours = WeekHours::closed().with_day(Weekday::Sun, Some(DayHours::new(hm(0, 0), hm(2, 0))));
    let rules = Rules::new(TORONTO, hours);
    let now = utc("2026-03-01T00:00:00Z");
    let one = utc("2026-03-08T06:00:00Z"); // 01:00 EST
    assert_eq!(check(&rules, &[], now, one, mins(60)), Verdict::Free);
    assert_eq!(
        check(&rules, &[], now, one, mins(61)),
        Verdict::OutsideHours
    );
}

#[test]
fn toronto_fall_back_offers_both_instants_of_repeated_times() {
    let rules = always(TORONTO, 30);
    let got = day_slots(&rules, TORONTO, (2026, 11, 1), 30);
    assert_eq!(got.len(), 50); // 25 local hours
    let w = walls(TORONTO, &got);
    assert_eq!(
        &w[1..7],
        ["00:30", "01:00", "01:30", "01:00", "01:30", "02:00"]
    );
    let expect = ["05:00", "05:30", "06:00", "06:30"].map(|s| utc(&format!("2026-11-01T{s}:00Z")));
    assert_eq!(&got[2..6], expect);
    assert!(got.windows(2).all(|p| p[0] < p[1]));
}

#[test]
fn toronto_fall_back_with_office_hours() {
    let hours =
        WeekHours::always().with_day(Weekday::Sun, Some(DayHours::new(hm(9, 0), hm(17, 0))));
    let rules = Rules::new(TORONTO, hours);
    let sat = day_slots(&rules, TORONTO, (2026, 10, 31), 30);
    let sun = day_slots(&rules, TORONTO, (2026, 11, 1), 30);
    assert_eq!(sun.len(), 16);
    assert_eq!(sun[0], utc("2026-11-01T14:00:00Z"));
    assert_eq!(sat[0], utc("2026-10-31T04:00:00Z")); // Saturday opens at 00:00
    let nine = sat.iter().find(|t| t.with_timezone(&TORONTO).hour() == 9);
    assert_eq!(nine, Some(&utc("2026-10-31T13:00:00Z")));
}

#[test]
fn clocks_falling_back_before_opening_is_outside_hours() {
    // Open 01:30-17:00. From 02:00 EDT the clock reads 01:00 EST, before opening.
    let hours =
        WeekHours::closed().with_day(Weekday::Sun, Some(DayHours::new(hm(1, 30), hm(17, 0))));
    let rules = Rules::new(TORONTO, hours);
    let now = utc("2026-10-25T00:00:00Z");
    let first = utc("2026-11-01T05:30:00Z"); // 01:30 EDT
    assert_eq!(check(&rules, &[], now, first, mins(30)), Verdict::Free);
    assert_eq!(
        check(&rules, &[], now, first, mins(60)),
        Verdict::OutsideHours
    );
    let got = day_slots(&rules, TORONTO, (2026, 11, 1), 30);
    assert_eq!(got[0], first);
    assert_eq!(got[1], utc("2026-11-01T06:30:00Z")); // 01:30 EST
}

#[test]
fn london_spring_forward() {
    let rules = always(LONDON, 60);
    let got = day_slots(&rules, LONDON, (2026, 3, 29), 60);
    assert_eq!(got.len(), 23);
    assert_eq!(&walls(LONDON, &got)[..3], ["00:00", "02:00", "03:00"]);
    assert_eq!(got[1], utc("2026-03-29T01:00:00Z"));
    let office = Rules::new(LONDON, WeekHours::weekdays(hm(9, 0), hm(17, 0)));
    assert_eq!(
        day_slots(&office, LONDON, (2026, 3, 27), 30)[0],
        utc("2026-03-27T09:00:00Z")
    );
    assert_eq!(
        day_slots(&office, LONDON, (2026, 3, 30), 30)[0],
        utc("2026-03-30T08:00:00Z")
    );
}

#[test]
fn lord_howe_half_hour_shifts() {
    let rules = always(LORD_HOWE, 30);
    // 2026-10-04: 02:00 +10:30 jumps to 02:30 +11:00, so 02:00 does not exist.
    let spring = day_slots(&rules, LORD_HOWE, (2026, 10, 4), 30);
    assert_eq!(spring.len(), 47);
    assert_eq!(
        &walls(LORD_HOWE, &spring)[3..6],
        ["01:30", "02:30", "03:00"]
    );
    assert_eq!(spring[4], utc("2026-10-03T15:30:00Z"));
    // 2026-04-05: 02:00 +11:00 falls back to 01:30 +10:30; 01:30 happens twice.
    let autumn = day_slots(&rules, LORD_HOWE, (2026, 4, 5), 30);
    assert_eq!(autumn.len(), 49);
    assert_eq!(
        &walls(LORD_HOWE, &autumn)[2..6],
        ["01:00", "01:30", "01:30", "02:00"]
    );
    assert_eq!(autumn[3], utc("2026-04-04T14:30:00Z"));
    assert_eq!(autumn[4], utc("2026-04-04T15:00:00Z"));
}

#[test]
fn kolkata_half_hour_offset() {
    let rules = Rules::new(Tz::Asia__Kolkata, WeekHours::weekdays(hm(9, 0), hm(17, 0)));
    let got = day_slots(&rules, Tz::Asia__Kolkata, (2026, 3, 4), 60);
    assert_eq!(got[0], utc("2026-03-04T03:30:00Z"));
    assert_eq!(got.len(), 15); // 09:00 to 16:00 on the default 30-minute grid
}

#[test]
fn large_horizon_is_fast() {
    let rules = Rules {
        horizon: Duration::days(400),
        buffer: mins(10),
        step: mins(15),
        ..office()
    };
    let now = utc("2026-01-01T00:00:00Z");
    // 3000 meetings, and the last 100 days entirely booked.
    let mut all: Vec<Busy> = (0..3000)
        .map(|i| {
            let start = now + Duration::minutes(i * 97 % (300 * 1440));
            busy(start, start + mins(30 + i % 90))
        })
        .collect();
    all.push(busy(now + Duration::days(300), now + Duration::days(500)));
    let started = std::time::Instant::now();
    let got = nearest(&rules, &all, now, now + Duration::days(399), mins(60), 5);
    assert_eq!(got.len(), 5);
    assert!(
        got.iter()
            .all(|t| check(&rules, &all, now, *t, mins(60)) == Verdict::Free)
    );
    let got = first_free(
        &rules,
        &all,
        now,
        now + Duration::days(290),
        now + Duration::days(500),
        mins(60),
        3,
    );
    assert!(got.iter().all(|t| *t < now + Duration::days(300)));
    let none = first_free(
        &rules,
        &all,
        now,
        now + Duration::days(300),
        now + Duration::days(500),
        mins(60),
        3,
    );
    assert!(none.is_empty());
    // Generous even for an unoptimised build on a slow machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

// ---------------------------------------------------------------- properties

const ZONES: [Tz; 5] = [TORONTO, LONDON, LORD_HOWE, Tz::Asia__Kolkata, Tz::UTC];

/// The clock changes of 2026 in the zones above, each with its zone.
const CHANGES: [(Tz, &str); 6] = [
    (TORONTO, "2026-03-08T07:00:00Z"),
    (TORONTO, "2026-11-01T06:00:00Z"),
    (LONDON, "2026-03-29T01:00:00Z"),
    (LONDON, "2026-10-25T01:00:00Z"),
    (LORD_HOWE, "2026-04-04T15:00:00Z"),
    (LORD_HOWE, "2026-10-03T15:30:00Z"),
];

/// Ordinary instants of 2026, used with any zone.
const ORDINARY: [&str; 4] = [
    "2026-01-14T12:00:00Z",
    "2026-06-10T03:00:00Z",
    "2026-08-31T22:00:00Z",
    "2026-12-30T20:00:00Z",
];

/// A zone and a base instant: a clock change of that zone (most often), or an
/// ordinary date in any zone.
fn zone_and_base() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    prop_oneof![
        3 => prop::sample::select(CHANGES.to_vec()).prop_map(|(tz, s)| (tz, utc(s))),
        1 => (prop::sample::select(ZONES.to_vec()), prop::sample::select(ORDINARY.to_vec()))
            .prop_map(|(tz, s)| (tz, utc(s))),
    ]
}

/// Minutes from the base instant: often within hours of it, else anywhere in
/// `spread`.
fn near_base(spread: i64) -> impl Strategy<Value = i64> {
    prop_oneof![-360i64..360, -1440i64..1440, -3 * 1440..spread]
}

#[derive(Debug, Clone)]
struct Case {
    rules: Rules,
    now: DateTime<Utc>,
    busy: Vec<Busy>,
    length: Duration,
    count: usize,
    around: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn day_hours() -> impl Strategy<Value = Option<DayHours>> {
    prop_oneof![
        1 => Just(None),
        2 => Just(Some(DayHours::all_day())),
        // Open through the small hours, when clocks change.
        2 => (0u32..=150, 150u32..=1440).prop_map(|(open, close)| {
            let start = NaiveTime::MIN + mins(i64::from(open));
            let end = (close < 1440).then(|| NaiveTime::MIN + mins(i64::from(close)));
            Some(DayHours { start, end })
        }),
        3 => (0u32..1440, 1u32..=1440).prop_map(|(open, span)| {
            let start = NaiveTime::MIN + mins(i64::from(open));
            let close = open + span;
            let end = (close < 1440).then(|| NaiveTime::MIN + mins(i64::from(close)));
            Some(DayHours { start, end })
        }),
    ]
}

/// Random rules in UTC; the horizon is drawn from `horizon_minutes`.
fn rules(horizon_minutes: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = Rules> {
    (
        prop::array::uniform7(day_hours()),
        0i64..=60,
        prop_oneof![0i64..=120, 0i64..=48 * 60],
        horizon_minutes,
        prop::sample::select(vec![5i64, 10, 15, 30, 60]),
    )
        .prop_map(|(days, buffer, notice, horizon, step)| Rules {
            tz: Tz::UTC,
            hours: WeekHours { days },
            buffer: mins(buffer),
            min_notice: mins(notice),
            horizon: mins(horizon),
            step: mins(step),
        })
}

/// A busy interval as minutes from the base instant; `all_day` turns it into the whole
/// local day containing that moment.
fn raw_busy(spread: i64) -> impl Strategy<Value = (i64, i64, bool)> {
    (-3 * 1440..spread, 0i64..=600, prop::bool::weighted(0.15))
}

fn whole_local_day(tz: Tz, t: DateTime<Utc>) -> Busy {
    let day = t.with_timezone(&tz).date_naive();
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    busy(midnight(day), midnight(day.succ_opt().unwrap()))
}

/// Random cases with a horizon of `min_minutes` up to `days` days. `now` is
/// shortly before or after a base instant (often a clock change); busy time
/// and the search points are spread around the base and a little beyond the
/// horizon.
fn cases(min_minutes: i64, days: i64) -> impl Strategy<Value = Case> {
    let spread = (days + 2) * 1440;
    (
        (zone_and_base(), rules(min_minutes..=days * 1440)),
        prop_oneof![-86400i64..3600, -3 * 86400i64..86400],
        prop::collection::vec(raw_busy(spread), 0..=40),
        5i64..=180,
        0usize..=8,
        (near_base(spread), near_base(spread), 0i64..=3 * 1440),
    )
        .prop_map(
            move |(((tz, base), rules), shift, raw, length, count, (around, from, width))| {
                let rules = Rules { tz, ..rules };
                let now = base + Duration::seconds(shift);
                let busy = raw
                    .into_iter()
                    .map(|(start, len, all_day)| {
                        let start = base + mins(start);
                        if all_day {
                            whole_local_day(tz, start)
                        } else {
                            Busy::new(start, start + mins(len))
                        }
                    })
                    .collect();
                let from = base + mins(from);
                Case {
                    now,
                    busy,
                    length: mins(length),
                    count,
                    around: base + mins(around),
                    from,
                    to: from + mins(width),
                    rules,
                }
            },
        )
}

/// Working-hours test computed straight from local wall times, minute by
/// minute: every minute of the slot must be on the start's local date, at or
/// after opening, and end by closing. Assumes whole-minute starts, lengths and
/// clock changes, which holds for the zones and lengths used here.
fn in_hours_by_wall_clock(rules: &Rules, start: DateTime<Utc>, length: Duration) -> bool {
    let date = start.with_timezone(&rules.tz).date_naive();
    let Some(hours) = rules.hours.get(date.weekday()) else {
        return false;
    };
    let open = hours.start - NaiveTime::MIN;
    let close = hours.end.map_or(Duration::days(1), |e| e - NaiveTime::MIN);
    let mut minute = start;
    while minute < start + length {
        let local = minute.with_timezone(&rules.tz);
        let wall = local.time() - NaiveTime::MIN;
        if local.date_naive() != date || wall < open || wall + mins(1) > close {
            return false;
        }
        minute += mins(1);
    }
    length > Duration::zero()
}

/// Whether the slot misses every non-empty busy interval widened by the buffer.
fn clear_of_busy(case: &Case, start: DateTime<Utc>) -> bool {
    let buffer = case.rules.buffer;
    let end = start + case.length;
    case.busy
        .iter()
        .filter(|b| b.start < b.end)
        .all(|b| end <= b.start - buffer || b.end + buffer <= start)
}

fn on_grid(rules: &Rules, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&rules.tz);
    let minute = i64::from(local.hour() * 60 + local.minute());
    local.second() == 0 && t.nanosecond() == 0 && minute % rules.step.num_minutes() == 0
}

fn in_notice_window(case: &Case, t: DateTime<Utc>) -> bool {
    case.now + case.rules.min_notice <= t && t <= case.now + case.rules.horizon
}

/// Checks (a)-(d) and grid alignment for one offered start.
fn assert_offered_ok(case: &Case, t: DateTime<Utc>) -> Result<(), TestCaseError> {
    let verdict = check(&case.rules, &case.busy, case.now, t, case.length);
    prop_assert_eq!(verdict, Verdict::Free, "check at {}", t);
    prop_assert!(clear_of_busy(case, t), "busy at {}", t);
    prop_assert!(
        in_hours_by_wall_clock(&case.rules, t, case.length),
        "hours at {}",
        t
    );
    prop_assert!(in_notice_window(case, t), "notice/horizon at {}", t);
    prop_assert!(on_grid(&case.rules, t), "grid at {}", t);
    Ok(())
}

fn assert_sorted_distinct(ts: &[DateTime<Utc>], count: usize) -> Result<(), TestCaseError> {
    prop_assert!(ts.len() <= count);
    prop_assert!(
        ts.windows(2).all(|p| p[0] < p[1]),
        "not sorted/distinct: {:?}",
        ts
    );
    Ok(())
}

/// Every free grid start within the notice window, found by walking every
/// minute; also asserts that `check` agrees with an independent verdict.
fn brute_force_free(case: &Case) -> Result<Vec<DateTime<Utc>>, TestCaseError> {
    let lo = case.now + case.rules.min_notice;
    let hi = case.now + case.rules.horizon;
    let mut t = lo.with_second(0).unwrap().with_nanosecond(0).unwrap();
    let mut free = Vec::new();
    while t <= hi {
        if t >= lo && on_grid(&case.rules, t) {
            let by_wall =
                in_hours_by_wall_clock(&case.rules, t, case.length) && clear_of_busy(case, t);
            let by_check =
                check(&case.rules, &case.busy, case.now, t, case.length) == Verdict::Free;
            prop_assert_eq!(by_wall, by_check, "check disagrees at {}", t);
            if by_wall {
                free.push(t);
            }
        }
        t += mins(1);
    }
    Ok(free)
}

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn nearest_offers_only_valid_slots(case in cases(1440, 60)) {
        let got = nearest(&case.rules, &case.busy, case.now, case.around, case.length, case.count);
        assert_sorted_distinct(&got, case.count)?;
        for t in &got {
            assert_offered_ok(&case, *t)?;
        }
    }

    #[test]
    fn first_free_offers_only_valid_slots(case in cases(1440, 60)) {
        let got = first_free(&case.rules, &case.busy, case.now, case.from, case.to, case.length, case.count);
        assert_sorted_distinct(&got, case.count)?;
        for t in &got {
            assert_offered_ok(&case, *t)?;
            prop_assert!(case.from <= *t && *t + case.length <= case.to, "outside window: {}", t);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Against brute force over a short horizon: `nearest` returns exactly
    /// the `count` nearest free grid starts (ties to the earlier), so it is
    /// both complete and truly nearest. Several counts are tried per case.
    #[test]
    fn nearest_matches_brute_force(case in cases(60, 3)) {
        let free = brute_force_free(&case)?;
        for count in [case.count, 1, 2, 5, 13, 40] {
            let mut expect = free.clone();
            expect.sort_by_key(|t| ((*t - case.around).abs(), *t));
            expect.truncate(count);
            expect.sort();
            let got = nearest(&case.rules, &case.busy, case.now, case.around, case.length, count);
            prop_assert_eq!(got, expect, "count {}", count);
        }
    }

    /// Against brute force over a short horizon: `first_free` returns exactly
    /// the first `count` free grid starts whose slot fits in `[from, to)`,
    /// for several counts.
    #[test]
    fn first_free_matches_brute_force(case in cases(60, 3)) {
        let mut free = brute_force_free(&case)?;
        free.retain(|t| case.from <= *t && *t + case.length <= case.to);
        for count in [case.count, 1, 2, 5, 13, 40] {
            let expect: Vec<_> = free.iter().copied().take(count).collect();
            let got = first_free(&case.rules, &case.busy, case.now, case.from, case.to, case.length, count);
            prop_assert_eq!(got, expect, "count {}", count);
        }
    }
}
