//! Administration: the waitlist and account status.

pub mod api;
pub mod views;
