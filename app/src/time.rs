//! Reading the times people type: RFC 3339 instants, local date-times in their timezone (as a
//! `datetime-local` input sends them) and plain dates. DST gaps and overlaps are refused, and so
//! are years outside [`YEARS`]: every date Aida reads goes through here, so date arithmetic on
//! what is stored stays far from the calendar's limits.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A point in time or a whole day, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("enter a date like 2026-11-23 or a time like 2026-11-23T14:30")]
    Malformed,
    #[error("this local time does not exist or is ambiguous at a daylight-saving change")]
    Ambiguous,
    #[error("use a date like 2026-11-23")]
    NotADate,
    #[error("use a year between 1900 and 2199")]
    OutOfRange,
}

/// The years a date may have.
pub const YEARS: RangeInclusive<i32> = 1900..=2199;

fn in_range(year: i32) -> Result<(), TimeError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(TimeError::OutOfRange)
    }
}

/// Reads a plain date, `YYYY-MM-DD`.
pub fn read_date(text: &str) -> Result<NaiveDate, TimeError> {
    let day =
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| TimeError::NotADate)?;
    in_range(day.year())?;
    Ok(day)
}

/// Parses `text`, reading local date-times in `tz`.
pub fn parse(text: &str, tz: Tz) -> Result<Typed, TimeError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        in_range(at.year())?;
        return Ok(Typed::At(at.with_timezone(&Utc)));
    }
    match read_date(text) {
        Ok(day) => return Ok(Typed::Day(day)),
        Err(TimeError::OutOfRange) => return Err(TimeError::OutOfRange),
        Err(_) => {}
    }
    let local = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .ok_or(TimeError::Malformed)?;
    in_range(local.year())?;
    local_to_utc(local, tz).map(Typed::At)
}

/// A local wall-clock time in `tz` as an instant; DST gaps and overlaps are errors.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        _ => Err(TimeError::Ambiguous),
    }
}

/// The instant a local day starts in `tz` (the first valid instant when midnight is skipped).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = day.and_time(chrono::NaiveTime::MIN);
    for _ in 0..48 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.with_timezone(&Utc),
            LocalResult::Ambiguous(x, _) => return x.with_timezone(&Utc),
            LocalResult::None => t += chrono::Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
}

/// The instant as a date-time string for a `datetime-local` input, in `tz`.
pub fn to_local_input(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_form() {
        let tz: Tz = "America/Toronto".parse().expect("tz");
        assert_eq!(
            parse("2026-11-23T14:30", tz),
            Ok(Typed::At(
                Utc.with_ymd_and_hms(2026, 11, 23, 19, 30, 0).unwrap()
            ))
        );
        assert_eq!(
            parse("2026-11-23T14:30:00+01:00", tz),
            Ok(Typed::At(
                Utc.with_ymd_and_hms(2026, 11, 23, 13, 30, 0).unwrap()
            ))
        );
        assert_eq!(
            parse("2026-11-23", tz),
            Ok(Typed::Day(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()))
        );
        assert_eq!(parse("tomorrow", tz), Err(TimeError::Malformed));
        assert_eq!(parse("2026-02-30", tz), Err(TimeError::Malformed));
    }

    #[test]
    fn refuses_years_out_of_range_in_every_form() {
        let tz: Tz = "Europe/Paris".parse().expect("tz");
        for text in [
            "+262142-12-31",
            "+262142-12-31T10:00",
            "2200-01-01T00:00:00Z",
            "1899-12-31",
            "2200-01-01T00:00",
            "-0001-01-01",
        ] {
            assert_eq!(parse(text, tz), Err(TimeError::OutOfRange), "{text}");
        }
        // RFC 3339 has no signed years.
        assert_eq!(
            parse("+262142-12-31T10:00:00Z", tz),
            Err(TimeError::Malformed)
        );
        assert_eq!(read_date("+262142-12-31"), Err(TimeError::OutOfRange));
        assert_eq!(read_date("31/12/2026"), Err(TimeError::NotADate));
        assert!(read_date("2199-12-31").is_ok() && read_date("1900-01-01").is_ok());
    }

    #[test]
    fn refuses_times_lost_or_doubled_by_dst() {
        let tz: Tz = "America/Toronto".parse().expect("tz");
        assert_eq!(parse("2026-03-08T02:30", tz), Err(TimeError::Ambiguous));
        assert_eq!(parse("2026-11-01T01:30", tz), Err(TimeError::Ambiguous));
    }

    #[test]
    fn day_starts_after_a_skipped_midnight() {
        // Santiago skips from 00:00 to 01:00 when DST starts on 2026-09-06.
        let tz: Tz = "America/Santiago".parse().expect("tz");
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(
            start_of_day(day, tz)
                .with_timezone(&tz)
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
    }
}
