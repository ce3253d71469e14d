//! The slot algorithm: working windows per local date, the local grid, and
//! the searches built on them.
//!
//! For each local date we compute the *working windows*: the real time spans
//! whose local wall-clock time lies on that date and within that date's
//! hours. We do this by splitting time into pieces with a constant UTC
//! offset; within a piece, local time is UTC plus that offset, so the hours
//! map to one UTC span per piece. Grid starts are produced per piece in the
//! same way, which skips nonexistent local times and yields both instants of
//! an ambiguous one.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Busy, Rules, Verdict};

/// Every instant whose local date is `d` lies strictly within this distance
/// of `d`'s midnight read as if it were UTC. Real offsets stay within
/// -12:00..+14:00; historic local mean times reach about ±16 hours.
const OFFSET_LIMIT: Duration = Duration::hours(17);

/// Offsets are sampled this often when looking for clock changes; time zones
/// never change their offset twice within one sample.
const SAMPLE: Duration = Duration::hours(1);

/// A half-open span of real time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Span {
    fn contains(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start <= start && end <= self.end && start < self.end
    }
}

/// A span of real time during which the zone's UTC offset is constant.
#[derive(Debug, Clone, Copy)]
struct Piece {
    span: Span,
    /// Local time minus UTC.
    offset: Duration,
}

/// `t + d`, saturating at the limits of `DateTime<Utc>` instead of panicking.
fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The zone's offset (local minus UTC) at instant `t`.
fn offset_at(tz: Tz, t: DateTime<Utc>) -> Duration {
    let fixed = tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    Duration::seconds(i64::from(fixed.local_minus_utc()))
}

/// Local midnight starting `date`, read as if it were a UTC instant. An
/// instant with offset `o` shows local midnight at `midnight(date) - o`.
fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The local date of instant `t` in zone `tz`.
fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// First instant in `(before, after]` whose offset differs from `offset`,
/// given that `before` has `offset` and `after` does not. Both ends must be
/// whole seconds; clock changes happen on whole seconds.
fn find_change(
    tz: Tz,
    before: DateTime<Utc>,
    after: DateTime<Utc>,
    offset: Duration,
) -> DateTime<Utc> {
    let (mut lo, mut hi) = (before, after);
    while hi - lo > Duration::seconds(1) {
        let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
        if offset_at(tz, mid) == offset {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Splits `[from, to)` into pieces of constant offset, in time order. `from`
/// must be a whole second.
fn offset_pieces(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let (mut start, mut offset) = (from, offset_at(tz, from));
    let mut probe = from;
    while probe < to {
        let next = add(probe, SAMPLE).min(to);
        if offset_at(tz, next) != offset {
            let change = find_change(tz, probe, next, offset);
            pieces.push(Piece {
                span: Span { start, end: change },
                offset,
            });
            (start, offset) = (change, offset_at(tz, change));
        }
        probe = next;
    }
    if start < to {
        pieces.push(Piece {
            span: Span { start, end: to },
            offset,
        });
    }
    pieces
}

/// The pieces of real time whose local wall-clock time is on `date` and
/// within that date's working hours, in time order.
fn working_pieces(rules: &Rules, date: NaiveDate) -> Vec<Piece> {
    let Some(hours) = rules.hours.get(date.weekday()) else {
        return Vec::new();
    };
    let base = midnight(date);
    let (open, close) = (
        add(base, hours.open_offset()),
        add(base, hours.close_offset()),
    );
    if close <= open {
        return Vec::new();
    }
    let range_end = add(base, Duration::days(1) + OFFSET_LIMIT);
    offset_pieces(rules.tz, add(base, -OFFSET_LIMIT), range_end)
        .into_iter()
        .filter_map(|piece| {
            let start = piece.span.start.max(add(open, -piece.offset));
            let end = piece.span.end.min(add(close, -piece.offset));
            (start < end).then_some(Piece {
                span: Span { start, end },
                offset: piece.offset,
            })
        })
        .collect()
}

/// Joins pieces that touch into windows of continuous working time.
fn windows(pieces: &[Piece]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for piece in pieces {
        match out.last_mut() {
            Some(last) if last.end >= piece.span.start => last.end = last.end.max(piece.span.end),
            _ => out.push(piece.span),
        }
    }
    out
}

/// Whether `[start, start + length)` lies inside one working window of the
/// local date of `start`.
fn fits_hours(rules: &Rules, start: DateTime<Utc>, length: Duration) -> bool {
    let end = add(start, length);
    let pieces = working_pieces(rules, local_date(rules.tz, start));
    windows(&pieces).iter().any(|w| w.contains(start, end))
}

/// The first point `origin + k * step` (k >= 0) at or after `at`, if any can
/// be represented. `step` must be positive.
fn first_grid_point(
    origin: DateTime<Utc>,
    at: DateTime<Utc>,
    step: Duration,
) -> Option<DateTime<Utc>> {
    if at <= origin {
        return Some(origin);
    }
    let gap = i128::from((at - origin).num_nanoseconds()?);
    let step_ns = i128::from(step.num_nanoseconds()?);
    let steps = (gap + step_ns - 1) / step_ns;
    let nanos = i64::try_from(steps * step_ns).ok()?;
    origin.checked_add_signed(Duration::nanoseconds(nanos))
}

/// All starts on the local grid of `date` whose whole slot of `length` fits
/// in that date's working hours, in time order. Busy time is not considered.
fn grid_starts(rules: &Rules, date: NaiveDate, length: Duration) -> Vec<DateTime<Utc>> {
    let pieces = working_pieces(rules, date);
    let wins = windows(&pieces);
    let mut starts = Vec::new();
    for piece in &pieces {
        // Within this piece, local midnight of `date` corresponds to `origin`.
        let origin = add(midnight(date), -piece.offset);
        let mut next = first_grid_point(origin, piece.span.start, rules.step);
        while let Some(t) = next.filter(|t| *t < piece.span.end) {
            let end = add(t, length);
            if wins.iter().any(|w| w.contains(t, end)) {
                starts.push(t);
            }
            next = t.checked_add_signed(rules.step);
        }
    }
    starts
}

/// Busy intervals widened by the buffer and merged, sorted and disjoint.
struct Blocks(Vec<Span>);

impl Blocks {
    fn new(busy: &[Busy], buffer: Duration) -> Self {
        let mut spans: Vec<Span> = busy
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| Span {
                start: add(b.start, -buffer),
                end: add(b.end, buffer),
            })
            .collect();
        spans.sort_by_key(|s| s.start);
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => merged.push(span),
            }
        }
        Self(merged)
    }

    /// Whether `[start, end)` overlaps any block.
    fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let i = self.0.partition_point(|b| b.end <= start);
        self.0.get(i).is_some_and(|b| b.start < end)
    }
}

/// What the searches share: the rules, the merged busy time and the range of
/// allowed starts.
struct Search<'a> {
    rules: &'a Rules,
    blocks: Blocks,
    length: Duration,
    /// Earliest allowed start (`now + min_notice`).
    earliest: DateTime<Utc>,
    /// Latest allowed start (`now + horizon`).
    latest: DateTime<Utc>,
}

impl<'a> Search<'a> {
    /// `None` when nothing can be offered: a non-positive length or step, or
    /// an empty range of starts.
    fn new(rules: &'a Rules, busy: &[Busy], now: DateTime<Utc>, length: Duration) -> Option<Self> {
        let earliest = add(now, rules.min_notice);
        let latest = add(now, rules.horizon);
        let positive = length > Duration::zero() && rules.step > Duration::zero();
        (positive && earliest <= latest).then(|| Self {
            rules,
            blocks: Blocks::new(busy, rules.effective_buffer()),
            length,
            earliest,
            latest,
        })
    }

    /// The local dates that can hold allowed starts, first and last. A local
    /// date is never more than one day away from the UTC date.
    fn dates(&self) -> (NaiveDate, NaiveDate) {
        let first = self.earliest.date_naive().pred_opt();
        let last = self.latest.date_naive().succ_opt();
        (
            first.unwrap_or(NaiveDate::MIN),
            last.unwrap_or(NaiveDate::MAX),
        )
    }

    /// Free grid starts on local `date` within the allowed range, in time order.
    fn free_starts(&self, date: NaiveDate) -> Vec<DateTime<Utc>> {
        grid_starts(self.rules, date, self.length)
            .into_iter()
            .filter(|t| self.earliest <= *t && *t <= self.latest)
            .filter(|t| !self.blocks.overlaps(*t, add(*t, self.length)))
            .collect()
    }
}

/// No instant of local date `date` is before this.
fn date_lower_bound(date: NaiveDate) -> DateTime<Utc> {
    add(midnight(date), -OFFSET_LIMIT)
}

/// No instant of local date `date` is at or after this.
fn date_upper_bound(date: NaiveDate) -> DateTime<Utc> {
    add(midnight(date), Duration::days(1) + OFFSET_LIMIT)
}

/// Judges one slot of `length` starting at `start`.
///
/// The checks run in this order and the first that fails is reported:
/// [`Verdict::TooSoon`] (starts before `now + min_notice`),
/// [`Verdict::TooFar`] (starts after `now + horizon`),
/// [`Verdict::OutsideHours`] (not wholly inside one day's working hours, or
/// `length` not positive), [`Verdict::Busy`] (overlaps busy time widened by
/// the buffer), else [`Verdict::Free`].
///
/// `start` need not be on the step grid: a person may ask for 14:10.
pub fn check(
    rules: &Rules,
    busy: &[Busy],
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    length: Duration,
) -> Verdict {
    if start < add(now, rules.min_notice) {
        return Verdict::TooSoon;
    }
    if start > add(now, rules.horizon) {
        return Verdict::TooFar;
    }
    if length <= Duration::zero() || !fits_hours(rules, start, length) {
        return Verdict::OutsideHours;
    }
    let buffer = rules.effective_buffer();
    let (from, to) = (add(start, -buffer), add(add(start, length), buffer));
    let mut conflicts: Vec<Busy> = busy
        .iter()
        .filter(|b| !b.is_empty() && b.start < to && from < b.end)
        .copied()
        .collect();
    if conflicts.is_empty() {
        return Verdict::Free;
    }
    conflicts.sort_by_key(|b| (b.start, b.end));
    Verdict::Busy { conflicts }
}

/// Up to `count` free grid starts nearest in time to `around`, sorted by start.
///
/// Every returned start passes [`check`] as [`Verdict::Free`] and lies on the
/// local step grid. When two starts are equally near, the earlier one wins.
/// Only starts within `now + min_notice ..= now + horizon` are considered;
/// `around` itself may lie outside that range. The search walks outward from
/// `around` one local date at a time and stops as soon as no farther date can
/// hold a nearer start.
pub fn nearest(
    rules: &Rules,
    busy: &[Busy],
    now: DateTime<Utc>,
    around: DateTime<Utc>,
    length: Duration,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let Some(search) = Search::new(rules, busy, now, length) else {
        return Vec::new();
    };
    if count == 0 {
        return Vec::new();
    }
    let (first, last) = search.dates();
    let centre = around.clamp(search.earliest, search.latest).date_naive();
    let distance = |t: &DateTime<Utc>| (*t - around).abs();
    let mut best: Vec<DateTime<Utc>> = Vec::new();
    let mut back = Some(centre);
    let mut forth = centre.succ_opt();
    while back.is_some() || forth.is_some() {
        // The distance a new start must beat once we hold `count` of them.
        let cutoff = (best.len() >= count)
            .then(|| best.last().map(distance))
            .flatten();
        let worth = |bound: Duration| cutoff.is_none_or(|c| bound <= c);
        back = back.filter(|d| *d >= first && worth(around - date_upper_bound(*d)));
        forth = forth.filter(|d| *d <= last && worth(date_lower_bound(*d) - around));
        for date in [back, forth].into_iter().flatten() {
            best.extend(search.free_starts(date));
        }
        if best.len() >= count {
            best.sort_by_key(|t| (distance(t), *t));
            best.truncate(count);
        }
        back = back.and_then(|d| d.pred_opt());
        forth = forth.and_then(|d| d.succ_opt());
    }
    best.sort();
    best
}

/// The first `count` free grid starts whose whole slot lies inside
/// `[from, to)`, in start order.
///
/// Every returned start passes [`check`] as [`Verdict::Free`] and lies on the
/// local step grid. Use it to answer "am I free on Tuesday afternoon?": an
/// empty result means no.
pub fn first_free(
    rules: &Rules,
    busy: &[Busy],
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    length: Duration,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let Some(search) = Search::new(rules, busy, now, length) else {
        return Vec::new();
    };
    if count == 0 || from >= to {
        return Vec::new();
    }
    let (first, last) = search.dates();
    let first = first.max(from.date_naive().pred_opt().unwrap_or(NaiveDate::MIN));
    let last = last.min(to.date_naive().succ_opt().unwrap_or(NaiveDate::MAX));
    let mut found: Vec<DateTime<Utc>> = Vec::new();
    let mut date = Some(first);
    while let Some(d) = date.filter(|d| *d <= last) {
        let enough = found.len() >= count;
        if enough && found.last().is_some_and(|t| date_lower_bound(d) > *t) {
            break;
        }
        let inside = |t: &DateTime<Utc>| from <= *t && add(*t, length) <= to;
        found.extend(search.free_starts(d).into_iter().filter(inside));
        found.sort();
        found.truncate(count);
        date = d.succ_opt();
    }
    found
}
