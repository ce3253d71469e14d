//! Times as a voice agent says them: "Tuesday November 24 at 2 PM".

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;

/// "2 PM", "2:30 PM", "12 PM".
pub fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    let (pm, hour) = local.hour12();
    let suffix = if pm { "PM" } else { "AM" };
    if local.minute() == 0 {
        format!("{hour} {suffix}")
    } else {
        format!("{hour}:{:02} {suffix}", local.minute())
    }
}

/// "Tuesday November 24 at 2 PM".
pub fn when(t: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} at {}",
        t.with_timezone(&tz).format("%A %B %-d"),
        clock(t, tz)
    )
}

/// Times in order, the day said once for the times that share it: "Tuesday November 24 at
/// 1 PM, 1:30 PM or Wednesday November 25 at 9 AM", joined by `last` ("or", "and").
pub fn list(times: &[DateTime<Utc>], tz: Tz, last: &str) -> String {
    let mut said: Vec<String> = Vec::new();
    let mut day = None;
    for t in times {
        let this = t.with_timezone(&tz).date_naive();
        if day == Some(this) {
            said.push(clock(*t, tz));
        } else {
            said.push(when(*t, tz));
            day = Some(this);
        }
    }
    match said.split_last() {
        Some((tail, rest)) if !rest.is_empty() => format!("{} {last} {tail}", rest.join(", ")),
        _ => said.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Toronto;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Toronto
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_read_aloud() {
        assert_eq!(when(at(24, 14, 0), Toronto), "Tuesday November 24 at 2 PM");
        assert_eq!(clock(at(24, 12, 0), Toronto), "12 PM");
        assert_eq!(clock(at(24, 9, 30), Toronto), "9:30 AM");
        assert_eq!(
            list(
                &[at(24, 13, 0), at(24, 13, 30), at(25, 9, 0)],
                Toronto,
                "or"
            ),
            "Tuesday November 24 at 1 PM, 1:30 PM or Wednesday November 25 at 9 AM"
        );
        assert_eq!(list(&[], Toronto, "or"), "");
    }
}
