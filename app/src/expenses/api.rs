//! Server functions for the expenses page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{CategoryTotal, Expense};
use crate::error::AppError;
use crate::money::Cents;

/// A month of expenses with its totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthView {
    pub key: String,
    pub label: String,
    pub prev: String,
    pub next: String,
    pub today: String,
    pub currency: String,
    pub expenses: Vec<Expense>,
    pub by_category: Vec<CategoryTotal>,
    pub by_currency: Vec<(String, Cents)>,
}

#[server(prefix = "/rpc")]
pub async fn expenses_month(month: Option<String>) -> Result<MonthView, AppError> {
    use super::model::totals_by_currency;
    use super::ops::{Month, list_month, month_totals, today};
    let (state, user) = crate::request::acting_user().await?;
    let today = today(&state, &user);
    let month = match month.as_deref().filter(|m| !m.is_empty()) {
        None => Month::containing(today),
        Some(text) => Month::parse(text)
            .ok_or_else(|| AppError::invalid("month", "use a month like 2026-11"))?,
    };
    let (mut expenses, by_category) = tokio::try_join!(
        list_month(&state, &user, month),
        month_totals(&state, &user, month)
    )?;
    expenses.reverse();
    Ok(MonthView {
        key: month.key(),
        label: month.label(),
        prev: month.prev().key(),
        next: month.next().key(),
        today: today.to_string(),
        currency: user.currency.clone(),
        by_currency: totals_by_currency(&by_category),
        by_category,
        expenses,
    })
}

/// Adds (no `id`) or changes an expense from a form.
#[server(prefix = "/rpc")]
pub async fn save_expense(
    id: Option<i64>,
    amount: String,
    currency: Option<String>,
    category: Option<String>,
    description: Option<String>,
    date: Option<String>,
) -> Result<(), AppError> {
    use super::model::{AmountText, ExpenseInput, ExpensePatch};
    let (state, user) = crate::request::acting_user().await?;
    match id {
        None => {
            let input = ExpenseInput {
                amount: AmountText(amount),
                currency,
                category,
                description,
                date,
            };
            state
                .write(async |tx| super::ops::create(tx, &user, input).await)
                .await?;
        }
        Some(id) => {
            let patch = ExpensePatch {
                amount: Some(AmountText(amount)),
                currency,
                category,
                description,
                date,
            };
            state
                .write(async |tx| super::ops::update(tx, &user, id, patch).await)
                .await?;
        }
    }
    Ok(())
}

#[server(prefix = "/rpc")]
pub async fn delete_expense(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::request::acting_user().await?;
    state
        .write(async |tx| super::ops::delete(tx, &user, id).await)
        .await?;
    Ok(())
}
