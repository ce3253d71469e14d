//! The Today page: the day at a glance.

pub mod api;
#[cfg(feature = "ssr")]
pub mod built;
#[cfg(feature = "ssr")]
pub mod ops;
pub mod views;
