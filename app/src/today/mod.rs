//! The Today page: the day at a glance.

pub mod api;
pub mod views;
