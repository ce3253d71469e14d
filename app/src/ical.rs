//! iCalendar (RFC 5545) for an event: the `.ics` an invitation links to. Times in UTC,
//! all-day events as dates; text escaped, lines folded at 75 octets, CRLF line ends.

use chrono::{DateTime, Utc};

use crate::events::model::Event;

/// One event as a calendar file. `uid` is stable for the event (clients match on it);
/// `stamp` is when the file was made, `modified` when the event last changed.
pub fn event_file(event: &Event, uid: &str, stamp: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Aida//Invitations 1.0//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(uid)),
        format!("DTSTAMP:{}", utc(stamp)),
    ];
    if event.all_day {
        lines.push(format!(
            "DTSTART;VALUE=DATE:{}",
            event.start.date_naive().format("%Y%m%d")
        ));
        lines.push(format!(
            "DTEND;VALUE=DATE:{}",
            event.end.date_naive().format("%Y%m%d")
        ));
    } else {
        lines.push(format!("DTSTART:{}", utc(event.start)));
        lines.push(format!("DTEND:{}", utc(event.end)));
    }
    lines.push(format!("SUMMARY:{}", text(&event.title)));
    if !event.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", text(&event.description)));
    }
    if !event.location.is_empty() {
        lines.push(format!("LOCATION:{}", text(&event.location)));
    }
    lines.push("STATUS:CONFIRMED".to_owned());
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in lines {
        fold_into(&mut out, &line);
    }
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon, comma and newlines escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// `line` as content lines of at most 75 octets (continuations start with a space), never
/// splitting a character, each ended by CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if used + size > room {
            out.push_str("\r\n ");
            room = 74;
            used = 0;
        }
        out.push(c);
        used += size;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::Source;
    use chrono::TimeZone;

    fn event(title: &str, all_day: bool) -> Event {
        Event {
            id: 12,
            title: title.into(),
            description: "Line one\nLine two, with comma; and semicolon".into(),
            location: String::new(),
            start: Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).unwrap(),
            all_day,
            source: Source::Web,
            reminder_minutes: None,
            recurrence: None,
            series_id: None,
            occurrence: None,
        }
    }

    #[test]
    fn a_timed_event_in_utc_with_escaped_text_and_crlf() {
        let stamp = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let file = event_file(&event("Haircut – Jane", false), "event-12@aida", stamp);
        assert!(
            file.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
            "{file}"
        );
        assert!(file.contains("\r\nUID:event-12@aida\r\nDTSTAMP:20260301T120000Z\r\n"));
        assert!(file.contains("\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T153000Z\r\n"));
        assert!(file.contains("\r\nSUMMARY:Haircut – Jane\r\n"));
        assert!(
            file.contains("\r\nDESCRIPTION:Line one\\nLine two\\, with comma\\; and semicolon\r\n")
        );
        assert!(!file.contains("LOCATION"), "empty properties are left out");
        assert!(file.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(!file.replace("\r\n", "").contains('\n'), "no bare newlines");
    }

    #[test]
    fn all_day_events_are_dates() {
        let mut e = event("Trip", true);
        e.start = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
        e.end = Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap();
        let file = event_file(&e, "event-12@aida", e.start);
        assert!(file.contains("DTSTART;VALUE=DATE:20260302\r\nDTEND;VALUE=DATE:20260304\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let title = "é".repeat(100);
        let file = event_file(&event(&title, false), "u", Utc::now());
        for line in file.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = file.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{title}\r\n")));
    }
}
