//! Chat and usage pages.
