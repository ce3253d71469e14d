"""Reads an iCalendar file on standard input with Python's `icalendar` (an independent parser)
and writes what it found as JSON, for the feed tests. Fails on a file it cannot read."""

import json
import sys

import icalendar


def when(value):
    if value is None:
        return None
    dt = value.dt
    tz = getattr(dt, "tzinfo", None)
    return {"value": dt.isoformat(), "zone": str(tz) if tz else None}


def main():
    raw = sys.stdin.buffer.read()
    calendar = icalendar.Calendar.from_ical(raw)
    events = []
    for component in calendar.walk("VEVENT"):
        exdates = []
        ex = component.get("EXDATE")
        for group in ex if isinstance(ex, list) else ([ex] if ex else []):
            exdates.extend(d.dt.isoformat() for d in group.dts)
        rrule = component.get("RRULE")
        events.append({
            "uid": str(component.get("UID")),
            "summary": str(component.get("SUMMARY")),
            "description": str(component.get("DESCRIPTION", "")),
            "location": str(component.get("LOCATION", "")),
            "dtstamp": when(component.get("DTSTAMP")),
            "start": when(component.get("DTSTART")),
            "end": when(component.get("DTEND")),
            "rrule": rrule.to_ical().decode() if rrule else None,
            "exdates": exdates,
            "recurrence_id": when(component.get("RECURRENCE-ID")),
        })
    print(json.dumps({
        "version": str(calendar.get("VERSION")),
        "prodid": str(calendar.get("PRODID")),
        "name": str(calendar.get("X-WR-CALNAME", "")),
        "errors": [str(e) for c in calendar.walk() for e in getattr(c, "errors", [])],
        "events": events,
    }))


main()
