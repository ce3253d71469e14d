//! Reminders by text. Each is a job (`reminder`), scheduled in the transaction that creates,
//! moves or deletes what it reminds of (`schedule`, called from `Tx::commit`), so a moved
//! event's reminders move with it and a deleted one's are gone. When it runs (`send`), it
//! checks the record still is as scheduled and is still ahead, then queues the text in the
//! outbox in the job's own transaction: once, whatever the number of workers. Reminders due
//! while no worker ran go out when one starts, if the event is still ahead; later than that
//! they are dropped (and logged).
//!
//! Events are reminded the user's `reminder_minutes` before they start (timed events only);
//! tasks due at a time ("remind me at 5 to call mom") at that time.

pub mod offsets;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod send;
