//! Inviting people to an event by phone. Someone who uses Aida gets the event proposed, by
//! text and in the dashboard, and accepts or declines (ACCEPT / DECLINE by text, or the
//! buttons); accepting puts a copy in their calendar. Anyone else gets a text with the
//! details and a link to the event as an `.ics` file. The owner is told of each answer.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
