//! Expanding series into instances, as every calendar listing does: a month view, and the
//! widest listing (400 days), for a daily series started a year earlier (the rule is walked
//! from its first instance) and a weekday series.

use std::hint::black_box;

use app::events::model::{Event, Source};
use app::events::recurrence::Series;
use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn series(rule: &str, start: &str) -> Series {
    let start: DateTime<Utc> = start.parse().expect("time");
    Series {
        event: Event {
            id: 1,
            title: "Standup".into(),
            description: String::new(),
            location: String::new(),
            start,
            end: start + Duration::minutes(15),
            all_day: false,
            source: Source::Web,
            reminder_minutes: None,
            recurrence: Some(rule.into()),
            series_id: None,
            occurrence: None,
            google_link: None,
        },
        tz: chrono_tz::America::Toronto,
        excluded: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let from: DateTime<Utc> = "2026-12-01T05:00:00Z".parse().expect("time");
    let daily = series("FREQ=DAILY", "2025-12-01T14:00:00Z");
    let weekdays = series("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2025-12-01T14:00:00Z");
    for (name, s) in [("daily", &daily), ("weekdays", &weekdays)] {
        c.bench_function(&format!("{name} series, a month"), |b| {
            b.iter(|| black_box(s.instances(from, from + Duration::days(31))).len())
        });
        c.bench_function(&format!("{name} series, 400 days"), |b| {
            b.iter(|| black_box(s.instances(from, from + Duration::days(400))).len())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
