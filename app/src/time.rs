//! Reading the times people type: RFC 3339 instants, local date-times in their timezone (as a
//! `datetime-local` input sends them) and plain dates. DST gaps and overlaps are refused.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
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
}

/// Parses `text`, reading local date-times in `tz`.
pub fn parse(text: &str, tz: Tz) -> Result<Typed, TimeError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Typed::At(at.with_timezone(&Utc)));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Typed::Day(day));
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
