//! Plain HTTP routes beside the Leptos pages: health checks, the REST API, and the layer that
//! keeps a refused plain form's input.

pub mod api;
pub mod health;
pub mod refused_form;
