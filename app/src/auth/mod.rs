//! Accounts: sign-up with a waitlist, sign-in, sessions, API tokens, administration.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub(crate) mod store;
pub mod views;
