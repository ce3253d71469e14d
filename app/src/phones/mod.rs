//! Phones: a user adds a number and proves it with a code sent by SMS; a verified number is
//! how texts find their account, and a way to sign in.
//!
//! - `model`: reading a number (E.164; national numbers in the country of the user's
//!   timezone);
//! - `ops`, `store`: codes (hashed, 10 minutes, 5 tries, a resend cooldown, limits per
//!   number and per client address), verifying, signing in;
//! - `api`, `views`: the Settings section and the sign-in form.

pub mod api;
#[cfg(feature = "ssr")]
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
