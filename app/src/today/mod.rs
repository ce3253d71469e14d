//! The Today page: the day at a glance.

pub mod api;
#[cfg(feature = "ssr")]
pub mod built;
pub mod views;
