//! Expenses: amounts in a currency, categories, monthly totals, a chart and CSV export.

pub mod api;
pub mod chart;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
mod store;
pub mod views;
