//! Durable work in PostgreSQL: jobs added in the same transaction as the change that causes
//! them, run by workers in any number of processes, retried with backoff, and kept visible
//! when they fail for good. See `queue` (the table's statements), `worker` (claiming and
//! running), `kinds` (what Aida runs), and `api` and `views` (the admin page).

pub mod api;
#[cfg(feature = "ssr")]
pub mod kinds;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod views;
#[cfg(feature = "ssr")]
pub mod worker;
