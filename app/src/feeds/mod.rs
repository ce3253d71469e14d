//! The calendar feed: a secret `.ics` address per user that Google, Apple and Outlook
//! subscribe to (RFC 5545, written by `ical`), made, replaced and turned off from Settings.

pub mod api;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
