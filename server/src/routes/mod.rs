//! Plain HTTP routes beside the Leptos pages: health checks, the REST API, webhooks, and the
//! layer that keeps a refused plain form's input.

pub mod api;
pub mod cross_site;
pub mod feed;
pub mod google;
pub mod health;
pub mod invitation_file;
pub mod refused_form;
pub mod webhooks;
