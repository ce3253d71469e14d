//! Calendar events: the week and month views, and every way to create, move and delete them.

pub mod api;
pub mod calendar;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod recurrence;
pub mod repeat;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
