//! iCalendar (RFC 5545): the `.ics` an invitation links to, and the calendar feed. Times in
//! UTC, all-day events as dates, a series' times in its zone (`TZID`, so daylight-saving
//! changes are the reader's to apply); text escaped, lines folded at 75 octets without
//! splitting a character, CRLF line ends.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::events::model::Event;

/// A calendar being written: its header, then events, then [`Calendar::finish`].
pub struct Calendar {
    lines: Vec<String>,
}

/// How a series repeats, for its VEVENT: the rule, the zone its times are in, and the starts
/// of the instances it leaves out.
pub struct Repeats<'a> {
    pub rule: &'a str,
    pub tz: Tz,
    pub excluded: &'a [DateTime<Utc>],
}

/// One VEVENT. `uid` is stable for the event (clients match on it); `stamp` is when it was
/// last changed. An instance changed on its own shares its series' `uid` and names the start
/// it replaces (`replaces`, with the series' zone).
pub struct VEvent<'a> {
    pub event: &'a Event,
    pub uid: &'a str,
    pub stamp: DateTime<Utc>,
    pub repeats: Option<Repeats<'a>>,
    pub replaces: Option<(DateTime<Utc>, Tz)>,
}

impl Calendar {
    /// `product` goes into PRODID ("Invitations 1.0"); `name`, when given, is the name a
    /// subscribing client shows.
    pub fn new(product: &str, name: Option<&str>) -> Self {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            format!("PRODID:-//Aida//{product}//EN"),
            "CALSCALE:GREGORIAN".to_owned(),
            "METHOD:PUBLISH".to_owned(),
        ];
        if let Some(name) = name {
            lines.push(format!("X-WR-CALNAME:{}", text(name)));
        }
        Self { lines }
    }

    pub fn add(&mut self, v: &VEvent) {
        let e = v.event;
        self.lines.push("BEGIN:VEVENT".to_owned());
        self.lines.push(format!("UID:{}", text(v.uid)));
        self.lines.push(format!("DTSTAMP:{}", utc(v.stamp)));
        self.lines.push(format!("LAST-MODIFIED:{}", utc(v.stamp)));
        match (&v.repeats, e.all_day) {
            (_, true) => {
                self.lines
                    .push(format!("DTSTART;VALUE=DATE:{}", date(e.start)));
                self.lines.push(format!("DTEND;VALUE=DATE:{}", date(e.end)));
            }
            (Some(r), false) => {
                self.lines.push(format!(
                    "DTSTART;TZID={}:{}",
                    r.tz.name(),
                    local(e.start, r.tz)
                ));
                self.lines
                    .push(format!("DTEND;TZID={}:{}", r.tz.name(), local(e.end, r.tz)));
            }
            (None, false) => {
                self.lines.push(format!("DTSTART:{}", utc(e.start)));
                self.lines.push(format!("DTEND:{}", utc(e.end)));
            }
        }
        if let Some(r) = &v.repeats {
            self.lines
                .push(format!("RRULE:{}", rule_for(r.rule, e.all_day)));
            if !r.excluded.is_empty() {
                let (param, values): (String, Vec<String>) = if e.all_day {
                    (
                        "VALUE=DATE".into(),
                        r.excluded.iter().map(|t| date(*t)).collect(),
                    )
                } else {
                    (
                        format!("TZID={}", r.tz.name()),
                        r.excluded.iter().map(|t| local(*t, r.tz)).collect(),
                    )
                };
                self.lines
                    .push(format!("EXDATE;{param}:{}", values.join(",")));
            }
        }
        if let Some((original, tz)) = v.replaces {
            self.lines.push(if e.all_day {
                format!("RECURRENCE-ID;VALUE=DATE:{}", date(original))
            } else {
                format!("RECURRENCE-ID;TZID={}:{}", tz.name(), local(original, tz))
            });
        }
        self.lines.push(format!("SUMMARY:{}", text(&e.title)));
        if !e.description.is_empty() {
            self.lines
                .push(format!("DESCRIPTION:{}", text(&e.description)));
        }
        if !e.location.is_empty() {
            self.lines.push(format!("LOCATION:{}", text(&e.location)));
        }
        self.lines.push("STATUS:CONFIRMED".to_owned());
        self.lines.push("END:VEVENT".to_owned());
    }

    /// The calendar as a file.
    pub fn finish(mut self) -> String {
        self.lines.push("END:VCALENDAR".to_owned());
        let mut out = String::new();
        for line in &self.lines {
            fold_into(&mut out, line);
        }
        out
    }
}

/// One event as a calendar file (an invitation's).
pub fn event_file(event: &Event, uid: &str, stamp: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new("Invitations 1.0", None);
    calendar.add(&VEvent {
        event,
        uid,
        stamp,
        repeats: None,
        replaces: None,
    });
    calendar.finish()
}

/// A stored rule as an RRULE: an all-day series ends on a date (RFC 5545 wants UNTIL of the
/// start's type).
fn rule_for(rule: &str, all_day: bool) -> String {
    if !all_day {
        return rule.to_owned();
    }
    rule.split(';')
        .map(|part| match part.strip_prefix("UNTIL=") {
            Some(until) => format!("UNTIL={}", until.get(..8).unwrap_or(until)),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn date(t: DateTime<Utc>) -> String {
    t.date_naive().format("%Y%m%d").to_string()
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string()
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
            google_link: None,
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
