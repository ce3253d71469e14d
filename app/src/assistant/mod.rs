//! The assistant: one pipeline, shared by the chat page, `/api/chat`, SMS and later voice.
//! A message is understood by the rules when they are sure (free, instant); otherwise a cheap
//! model answers with tools that map to the same actions, and a premium model takes over when
//! the request is complex or the cheap one fails or asks to escalate. Every change a reply
//! makes is recorded with how to undo it; a failed turn takes its changes back.

#[cfg(feature = "ssr")]
pub mod actions;
pub mod api;
#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod llm;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod phrases;
#[cfg(feature = "ssr")]
pub mod prompt;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod sse;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod tools;
#[cfg(feature = "ssr")]
pub mod turn;
pub mod views;
#[cfg(feature = "ssr")]
pub mod wording;

#[cfg(feature = "ssr")]
pub use turn::Assistant;
