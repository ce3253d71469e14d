//! The Today page's data in one call.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::money::Cents;
use crate::tasks::api::TaskRow;

/// An event as the agenda lists it: only what the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: i64,
    pub title: String,
    pub location: String,
    pub time_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaDay {
    pub date: chrono::NaiveDate,
    pub label: String,
    pub events: Vec<AgendaItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spending {
    pub currency: String,
    pub this_month_label: String,
    pub last_month_label: String,
    pub this_month: Cents,
    pub last_month: Cents,
    /// This month's total per category next to last month's, for the user's currency.
    pub by_category: Vec<(crate::expenses::model::Category, Cents, Cents)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodayView {
    pub name: String,
    pub date_label: String,
    pub today: AgendaDay,
    pub next_days: Vec<AgendaDay>,
    /// The first tasks due today or overdue, most urgent first.
    pub tasks: Vec<TaskRow>,
    /// How many more are due beyond those shown.
    pub more_tasks: usize,
    pub spending: Spending,
}

/// The signed-in user's Today page data (see `today::ops::today`).
#[server(prefix = "/rpc")]
pub async fn load_today() -> Result<TodayView, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    super::ops::today(&state, &user).await
}
