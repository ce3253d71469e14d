//! Plain HTTP routes beside the Leptos pages: health checks and the REST API.

pub mod api;
pub mod health;
