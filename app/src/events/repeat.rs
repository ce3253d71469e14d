//! The calendar dialog's "Repeats" and "Ends" fields: the usual rules for an event starting on
//! a given day, and the rule a form's choices make. Plain text work, so the browser can offer
//! the choices for a new event's day; the rule is checked by `recurrence` on the server.

use chrono::{Datelike, NaiveDate, Weekday};

/// Every weekday, as the dialog offers it.
pub const WEEKDAYS: &str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR";

/// The rule's two letters for a weekday.
fn code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn ordinal(n: u32) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        _ => "last",
    }
}

/// The rules offered for an event starting on `day`, with what the dialog says: (rule, label);
/// the empty rule is "does not repeat".
pub fn choices(day: NaiveDate) -> Vec<(String, String)> {
    let weekday = day.weekday();
    let name = day.format("%A").to_string();
    let nth = (day.day() - 1) / 7 + 1;
    // A fifth Monday is said "the last", since not every month has one.
    let position = if nth >= 5 {
        "-1".to_owned()
    } else {
        nth.to_string()
    };
    let said = ordinal(nth);
    vec![
        (String::new(), "Does not repeat".into()),
        ("FREQ=DAILY".into(), "Every day".into()),
        (WEEKDAYS.into(), "Every weekday (Monday to Friday)".into()),
        (
            format!("FREQ=WEEKLY;BYDAY={}", code(weekday)),
            format!("Every week on {name}"),
        ),
        (
            format!("FREQ=MONTHLY;BYMONTHDAY={}", day.day()),
            format!("Every month on day {}", day.day()),
        ),
        (
            format!("FREQ=MONTHLY;BYDAY={position}{}", code(weekday)),
            format!("Every month on the {said} {name}"),
        ),
        (
            "FREQ=YEARLY".into(),
            format!("Every year on {}", day.format("%B %-d")),
        ),
    ]
}

/// A rule split into how it repeats and how it ends: (rule without COUNT or UNTIL, the UNTIL
/// value, the COUNT value).
pub fn split(rule: &str) -> (String, Option<String>, Option<String>) {
    let mut base = Vec::new();
    let (mut until, mut count) = (None, None);
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        if let Some(v) = part.strip_prefix("UNTIL=") {
            until = Some(v.to_owned());
        } else if let Some(v) = part.strip_prefix("COUNT=") {
            count = Some(v.to_owned());
        } else {
            base.push(part);
        }
    }
    (base.join(";"), until, count)
}

/// The local day (in `tz`) an UNTIL value ("20261231T045959Z" or "20261231") names, for a
/// date input.
pub fn until_day(until: &str, tz: chrono_tz::Tz) -> Option<NaiveDate> {
    match chrono::NaiveDateTime::parse_from_str(until, "%Y%m%dT%H%M%SZ") {
        Ok(at) => Some(at.and_utc().with_timezone(&tz).date_naive()),
        Err(_) => NaiveDate::parse_from_str(until.get(..8)?, "%Y%m%d").ok(),
    }
}

/// The UNTIL value that ends a rule with the last instance on `day` (local, in `tz`): the end
/// of that day, in UTC.
pub fn until_value(day: NaiveDate, tz: chrono_tz::Tz) -> Option<String> {
    let next = day.succ_opt()?;
    let end = crate::time::start_of_day(next, tz) - chrono::Duration::seconds(1);
    Some(end.format("%Y%m%dT%H%M%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_follow_the_day() {
        let second_tuesday = NaiveDate::from_ymd_opt(2026, 12, 8).expect("day");
        let rules: Vec<String> = choices(second_tuesday).into_iter().map(|c| c.0).collect();
        assert!(rules.contains(&"FREQ=WEEKLY;BYDAY=TU".to_owned()));
        assert!(rules.contains(&"FREQ=MONTHLY;BYDAY=2TU".to_owned()));
        assert!(rules.contains(&"FREQ=MONTHLY;BYMONTHDAY=8".to_owned()));
        let fifth_thursday = NaiveDate::from_ymd_opt(2026, 12, 31).expect("day");
        assert!(
            choices(fifth_thursday)
                .iter()
                .any(|(rule, label)| rule == "FREQ=MONTHLY;BYDAY=-1TH"
                    && label == "Every month on the last Thursday")
        );
    }

    #[test]
    fn rules_split_into_repeat_and_end() {
        assert_eq!(
            split("FREQ=WEEKLY;BYDAY=MO;COUNT=4"),
            ("FREQ=WEEKLY;BYDAY=MO".into(), None, Some("4".into()))
        );
        let (base, until, _) = split("FREQ=DAILY;UNTIL=20261231T045959Z");
        assert_eq!(base, "FREQ=DAILY");
        let toronto = chrono_tz::America::Toronto;
        assert_eq!(
            until.as_deref().and_then(|u| until_day(u, toronto)),
            NaiveDate::from_ymd_opt(2026, 12, 30)
        );
        let last_day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("day");
        let value = until_value(last_day, toronto).expect("until");
        assert_eq!(value, "20270101T045959Z");
        assert_eq!(until_day(&value, toronto), Some(last_day));
    }
}
