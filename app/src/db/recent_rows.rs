//! Rows this process read or wrote a moment ago, trusted for a while instead of read again.
//!
//! A read that overlapped a write is not remembered: it may hold the row as it was before the
//! write, and remembering it would undo the write in memory (a session read while its sign-out
//! commits would come back to life). Writers remember or forget a row after their statement
//! commits; every write moves a counter, and a read remembers its row only when the counter
//! has not moved since the read began.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Rows remembered; the memory is cleared when it grows past this.
const CAPACITY: usize = 100_000;

pub struct RecentRows<K, V> {
    trust_for: Duration,
    /// Off while this process may miss other processes' changes (see `db::notify`).
    trusted: AtomicBool,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    rows: HashMap<K, Seen<V>>,
    writes: u64,
}

struct Seen<V> {
    value: V,
    at: Instant,
}

/// Taken just before reading a row from the database (see [`RecentRows::remember_read`]).
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket(u64);

impl<K: Eq + Hash, V: Clone> RecentRows<K, V> {
    /// Trusts a row for `trust_for` after it was read or written; with zero, rows are only
    /// remembered for [`RecentRows::last_seen`].
    pub fn new(trust_for: Duration) -> Self {
        Self {
            trust_for,
            trusted: AtomicBool::new(true),
            inner: Mutex::new(Inner {
                rows: HashMap::new(),
                writes: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // The map holds no invariant a panicking holder could break halfway.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The row as last read or written, if that was recent enough to trust.
    pub fn recent(&self, key: &K) -> Option<V> {
        if !self.trusted.load(Ordering::Acquire) {
            return None;
        }
        let inner = self.lock();
        let seen = inner.rows.get(key)?;
        (seen.at.elapsed() < self.trust_for).then(|| seen.value.clone())
    }

    /// The row as last read or written, however long ago.
    pub fn last_seen(&self, key: &K) -> Option<V> {
        self.lock().rows.get(key).map(|seen| seen.value.clone())
    }

    /// To be taken before a read from the database.
    pub fn before_read(&self) -> ReadTicket {
        ReadTicket(self.lock().writes)
    }

    /// Remembers what a read from the database found (`None`: no row), unless a write happened
    /// since `ticket`. A read moves no counter, so reads never spoil each other.
    pub fn remember_read(&self, ticket: ReadTicket, key: K, found: Option<V>) {
        let mut inner = self.lock();
        if inner.writes != ticket.0 {
            return;
        }
        match found {
            Some(value) => Self::insert(&mut inner, key, value),
            None => {
                inner.rows.remove(&key);
            }
        }
    }

    /// Remembers a row as a committed write left it.
    pub fn remember_write(&self, key: K, value: V) {
        let mut inner = self.lock();
        inner.writes += 1;
        Self::insert(&mut inner, key, value);
    }

    /// Forgets a row after a committed write deleted or changed it.
    pub fn forget(&self, key: &K) {
        let mut inner = self.lock();
        inner.writes += 1;
        inner.rows.remove(key);
    }

    /// Forgets every row; a read under way is not remembered either.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.writes += 1;
        inner.rows.clear();
    }

    /// Whether rows may be served from memory at all. Turned off, every read goes to the
    /// database (rows are still remembered for [`RecentRows::last_seen`]).
    pub fn set_trusted(&self, trusted: bool) {
        self.trusted.store(trusted, Ordering::Release);
    }

    fn insert(inner: &mut Inner<K, V>, key: K, value: V) {
        if inner.rows.len() >= CAPACITY {
            inner.rows.clear();
        }
        inner.rows.insert(
            key,
            Seen {
                value,
                at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> RecentRows<i64, &'static str> {
        RecentRows::new(Duration::from_secs(30))
    }

    #[test]
    fn a_row_read_or_written_is_trusted_until_forgotten() {
        let rows = rows();
        assert_eq!(rows.recent(&1), None);
        rows.remember_read(rows.before_read(), 1, Some("read"));
        assert_eq!(rows.recent(&1), Some("read"));
        rows.remember_write(1, "written");
        assert_eq!(rows.recent(&1), Some("written"));
        rows.forget(&1);
        assert_eq!(rows.recent(&1), None);
        assert_eq!(rows.last_seen(&1), None);
    }

    #[test]
    fn a_read_that_overlapped_a_write_is_not_remembered() {
        let rows = rows();
        let ticket = rows.before_read();
        rows.forget(&1); // a sign-out commits while the read is under way
        rows.remember_read(ticket, 1, Some("from before the sign-out"));
        assert_eq!(rows.recent(&1), None);

        let ticket = rows.before_read();
        rows.remember_write(2, "disabled");
        rows.remember_read(ticket, 2, Some("active"));
        assert_eq!(rows.recent(&2), Some("disabled"));
    }

    #[test]
    fn untrusted_rows_are_read_again_and_clearing_spoils_reads_under_way() {
        let rows = rows();
        rows.remember_write(1, "written");
        rows.set_trusted(false);
        assert_eq!(rows.recent(&1), None);
        rows.set_trusted(true);
        assert_eq!(rows.recent(&1), Some("written"));
        let ticket = rows.before_read();
        rows.clear();
        rows.remember_read(ticket, 2, Some("read before the clear"));
        assert_eq!(rows.recent(&1), None);
        assert_eq!(rows.recent(&2), None);
    }

    #[test]
    fn with_no_trust_rows_are_read_again_but_still_known() {
        let rows = RecentRows::new(Duration::ZERO);
        rows.remember_write(1, "written");
        assert_eq!(rows.recent(&1), None);
        assert_eq!(rows.last_seen(&1), Some("written"));
    }
}
