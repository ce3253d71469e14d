//! The user's own settings: profile, password, API tokens.

pub mod api;
pub mod views;
