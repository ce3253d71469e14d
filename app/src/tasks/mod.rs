//! Tasks: due dates or times, priorities, completion.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
