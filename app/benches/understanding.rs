//! Throughput and worst-case latency of `understand` on one core.
//!
//! Uses the shared sample (`../shared/nlu/sample.jsonl` from the repository root), falling
//! back to the crate's own table.

use std::hint::black_box;
use std::time::Instant;

use app::understanding::{Context, context_from_args, understand};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const OWN: &str = include_str!("../src/understanding/testdata/own.jsonl");

fn cases() -> Vec<(String, Context)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/nlu/sample.jsonl");
    let table = std::fs::read_to_string(path).unwrap_or_else(|_| OWN.to_string());
    table
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let ctx =
                context_from_args(&s("now")?, &s("tz")?, s("currency").as_deref(), None).ok()?;
            Some((s("text")?, ctx))
        })
        .collect()
}

/// A 4 KB message that keeps every matcher busy.
fn long_message() -> String {
    let unit = "remind me tmrw @ 3-4pm w/ sam to pay $38.40 12/3 gas bill ";
    unit.repeat(4096 / unit.len())
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    // Worst single message: best of 200 runs each, then the slowest of those.
    let (mut worst, mut worst_text) = (0u128, String::new());
    for (text, ctx) in &cases {
        let best = (0..200)
            .map(|_| {
                let t = Instant::now();
                black_box(understand(black_box(text), ctx));
                t.elapsed().as_nanos()
            })
            .min()
            .unwrap_or(0);
        if best > worst {
            (worst, worst_text) = (best, text.clone());
        }
    }
    println!("worst single message: {worst} ns for {worst_text:?}");

    let mut g = c.benchmark_group("understanding");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("sample_messages", |b| {
        b.iter(|| {
            for (text, ctx) in &cases {
                black_box(understand(black_box(text), ctx));
            }
        })
    });
    g.finish();

    let long = long_message();
    if let Some((_, ctx)) = cases.first() {
        let mut g = c.benchmark_group("long");
        g.throughput(Throughput::Bytes(long.len() as u64));
        g.bench_function("message_4kb", |b| {
            b.iter(|| black_box(understand(black_box(&long), ctx)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
