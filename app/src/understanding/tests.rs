//! Contract tests: the shared sample and our own JSONL tables, in the
//! sample's format (`now`, `tz`, optional `currency`, `text`, `expect`).

use serde_json::Value;

use super::{context_from_args, understand};

/// Lowercase alphanumeric words of a text field.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Lenient match for free-text fields: every expected word is in the output.
fn text_matches(expected: &str, got: &str) -> bool {
    let g = words(got);
    words(expected).iter().all(|w| g.contains(w))
}

/// Checks one JSONL line; `Err` describes the mismatch.
fn check_line(line: &str) -> Result<(bool, bool), String> {
    let case: Value = serde_json::from_str(line).map_err(|e| format!("bad line {line}: {e}"))?;
    let s = |k: &str| case.get(k).and_then(Value::as_str);
    let duration = case
        .get("duration")
        .and_then(Value::as_u64)
        .and_then(|d| u32::try_from(d).ok());
    let ctx = context_from_args(
        s("now").unwrap_or(""),
        s("tz").unwrap_or(""),
        s("currency"),
        duration,
    )
    .map_err(|e| format!("{line}: {e}"))?;
    let text = s("text").unwrap_or("");
    let got = understand(text, &ctx).to_json();
    let expect = case
        .get("expect")
        .and_then(Value::as_object)
        .ok_or(format!("no expect: {line}"))?;
    let want_intent = expect.get("intent").and_then(Value::as_str).unwrap_or("");
    let got_intent = got.get("intent").and_then(Value::as_str).unwrap_or("");
    let answered = got_intent != "unknown";
    let has_intent = want_intent != "unknown";
    let mut ok = want_intent == got_intent;
    for (k, v) in expect {
        let g = got.get(k).unwrap_or(&Value::Null);
        ok &= match (v, g) {
            (Value::Null, g) => g.is_null(),
            (Value::String(e), Value::String(g))
                if matches!(k.as_str(), "title" | "text" | "query" | "description") =>
            {
                text_matches(e, g)
            }
            (e, g) => e == g,
        };
    }
    if ok {
        Ok((has_intent, answered))
    } else {
        Err(format!(
            "{text:?}\n    want {}\n    got  {got}",
            Value::Object(expect.clone())
        ))
    }
}

/// Runs a JSONL table; returns (failures, cases, coverage, precision).
fn run(table: &str) -> (Vec<String>, usize, f64, f64) {
    let mut fails = Vec::new();
    let (mut n, mut with_intent, mut correct_with_intent, mut answered, mut correct_answered) =
        (0, 0, 0, 0, 0);
    for line in table.lines().filter(|l| !l.trim().is_empty()) {
        n += 1;
        let case: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let want = case
            .pointer("/expect/intent")
            .and_then(Value::as_str)
            .unwrap_or("");
        match check_line(line) {
            Ok((has, ans)) => {
                with_intent += usize::from(has);
                correct_with_intent += usize::from(has);
                answered += usize::from(ans);
                correct_answered += usize::from(ans);
            }
            Err(e) => {
                with_intent += usize::from(want != "unknown");
                answered += usize::from(!e.contains("got  {\"intent\":\"unknown\"}"));
                fails.push(e);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (
        fails,
        n,
        ratio(correct_with_intent, with_intent),
        ratio(correct_answered, answered),
    )
}

fn assert_all(name: &str, table: &str) {
    let (fails, n, coverage, precision) = run(table);
    println!("{name}: {n} cases, coverage {coverage:.3}, precision {precision:.3}");
    assert!(
        fails.is_empty(),
        "{name}: {} of {n} failed:\n  {}",
        fails.len(),
        fails.join("\n  ")
    );
}

#[test]
fn shared_sample() {
    // `../shared` from the repository root, beside the checkout.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/nlu/sample.jsonl");
    match std::fs::read_to_string(path) {
        Ok(table) => assert_all("sample", &table),
        Err(e) => println!("note: skipping shared sample, cannot read {path}: {e}"),
    }
}

const TABLES: [(&str, &str); 19] = [
    ("own", include_str!("testdata/own.jsonl")),
    ("dst", include_str!("testdata/dst.jsonl")),
    ("holdout", include_str!("testdata/holdout.jsonl")),
    ("holdout2", include_str!("testdata/holdout2.jsonl")),
    ("holdout3", include_str!("testdata/holdout3.jsonl")),
    ("holdout4", include_str!("testdata/holdout4.jsonl")),
    ("holdout5", include_str!("testdata/holdout5.jsonl")),
    ("holdout6", include_str!("testdata/holdout6.jsonl")),
    ("holdout7", include_str!("testdata/holdout7.jsonl")),
    ("holdout8", include_str!("testdata/holdout8.jsonl")),
    ("holdout9", include_str!("testdata/holdout9.jsonl")),
    ("holdout10", include_str!("testdata/holdout10.jsonl")),
    ("holdout11", include_str!("testdata/holdout11.jsonl")),
    ("holdout12", include_str!("testdata/holdout12.jsonl")),
    ("holdout13", include_str!("testdata/holdout13.jsonl")),
    ("holdout14", include_str!("testdata/holdout14.jsonl")),
    ("holdout15", include_str!("testdata/holdout15.jsonl")),
    ("holdout16", include_str!("testdata/holdout16.jsonl")),
    ("probes", include_str!("testdata/probes.jsonl")),
];

#[test]
fn own_tables() {
    for (name, table) in TABLES {
        assert_all(name, table);
    }
}

#[test]
fn contract_api() {
    let v = super::parse_json(
        "2026-11-22T10:00:00",
        "America/Toronto",
        None,
        Some(60),
        "lunch with Sam tomorrow at 1",
    )
    .unwrap();
    assert_eq!(v["start"], "2026-11-23T13:00:00-05:00");
    assert_eq!(v["end"], "2026-11-23T14:00:00-05:00");
    assert!(super::parse_json("2026-11-22", "America/Toronto", None, None, "x").is_err());
    assert!(super::parse_json("2026-11-22T10:00:00", "Mars/Base", None, None, "x").is_err());
}

mod robustness {
    //! Property tests: no input makes the rules panic or emit a bad object.

    use proptest::prelude::*;

    use super::super::{Intent, Moment, context_from_args, understand};

    const VOCAB: &[&str] = &[
        "remind",
        "me",
        "to",
        "at",
        "on",
        "in",
        "the",
        "tomorrow",
        "tmrw",
        "next",
        "this",
        "coming",
        "week",
        "weekend",
        "friday",
        "tues",
        "dec",
        "18th",
        "3rd",
        "12/3",
        "2026-12-03",
        "3",
        "7",
        "12",
        "1:30",
        "14:30",
        "-",
        "pm",
        "am",
        "from",
        "until",
        "till",
        "noon",
        "midnight",
        "tonight",
        "morning",
        "$",
        "€",
        "38.40",
        "quid",
        "bucks",
        "spent",
        "on",
        "pizza",
        "gas",
        "bill",
        "cancel",
        "move",
        "reschedule",
        "✅",
        "done",
        "add",
        "task",
        "list",
        "todo",
        "calendar",
        "free",
        "available",
        "with",
        "w/",
        "@",
        "+1",
        "416-555-0199",
        "every",
        "and",
        "?",
        "!",
        "😊",
        "minutes",
        "hours",
        "days",
        "half",
        "an",
        "between",
        "of",
        "last",
        "month",
        "october",
        "feb",
        "29",
        "31st",
    ];
    const ZONES: &[&str] = &[
        "America/Toronto",
        "Europe/London",
        "Australia/Sydney",
        "Pacific/Auckland",
        "America/Sao_Paulo",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ];

    fn check(text: &str, day: u32, minute: u32, zone: usize) {
        let now = format!(
            "2027-{:02}-{:02}T{:02}:{:02}:00",
            day / 28 % 12 + 1,
            day % 28 + 1,
            minute / 60 % 24,
            minute % 60
        );
        let Ok(ctx) = context_from_args(&now, ZONES[zone % ZONES.len()], Some("CAD"), Some(45))
        else {
            return;
        };
        let intent = understand(text, &ctx);
        let json = intent.to_json();
        assert!(json.get("intent").and_then(|v| v.as_str()).is_some());
        if let Intent::CreateEvent { start, end, .. } = &intent {
            match (start, end) {
                (Moment::DateTime(a), Moment::DateTime(b)) => assert!(a < b, "{text}"),
                (Moment::Date(a), Moment::Date(b)) => assert!(a < b, "{text}"),
                _ => panic!("mixed start/end kinds for {text}"),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_utf8_never_panics(chars in proptest::collection::vec(any::<char>(), 0..1024), d in 0u32..400, m in 0u32..1440, z in 0usize..7) {
            let text: String = chars.into_iter().collect();
            prop_assert!(text.len() <= 4096);
            check(&text, d, m, z);
        }

        #[test]
        fn word_soup_never_panics(words in proptest::collection::vec(proptest::sample::select(VOCAB), 0..40), d in 0u32..400, m in 0u32..1440, z in 0usize..7) {
            check(&words.join(" "), d, m, z);
        }
    }

    #[test]
    fn long_adversarial_inputs() {
        let ctx = context_from_args("2026-11-22T10:00:00", "America/Toronto", None, None).unwrap();
        for unit in [
            "1 ",
            "the ",
            "so ",
            "9999999999",
            "at 3 ",
            "a.m. ",
            "w/",
            "+1 ",
            "$",
            "12/",
            "remind me ",
        ] {
            let text = unit.repeat(4096 / unit.len());
            assert_eq!(understand(&text, &ctx), Intent::Unknown, "{unit}");
        }
    }
}
