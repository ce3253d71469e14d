//! What a user can do with their expenses, whichever door they come through.

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncPgConnection;

use super::model::{CategoryTotal, Expense, ExpenseInput, ExpensePatch};
use super::store;
use crate::auth::model::User;
use crate::changes::{Change, Kind, Op};
use crate::db;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::state::AppState;

/// The widest range one listing may ask for.
pub const MAX_RANGE_DAYS: i64 = 400;

/// A calendar month, as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
}

impl Month {
    pub fn containing(day: NaiveDate) -> Self {
        Self {
            first: day.with_day(1).unwrap_or(day),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        crate::time::read_date(&format!("{}-01", text.trim()))
            .ok()
            .map(|first| Self { first })
    }

    pub fn next(self) -> Self {
        Self {
            first: crate::events::calendar::add_months(self.first, 1),
        }
    }

    pub fn prev(self) -> Self {
        Self {
            first: crate::events::calendar::add_months(self.first, -1),
        }
    }

    pub fn key(self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    pub fn label(self) -> String {
        self.first.format("%B %Y").to_string()
    }
}

/// The user's today.
pub fn today(state: &AppState, user: &User) -> NaiveDate {
    state.now().with_timezone(&user.tz()).date_naive()
}

/// Expenses dated in `[from, to)`.
pub async fn list(
    state: &AppState,
    user: &User,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Expense>, AppError> {
    if to <= from {
        return Err(AppError::invalid("to", "must be after from"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::invalid(
            "to",
            "ask for at most 400 days at a time",
        ));
    }
    let mut conn = db::conn(&state.pool).await?;
    store::between(&mut conn, user.id, from, to).await
}

pub async fn list_month(
    state: &AppState,
    user: &User,
    month: Month,
) -> Result<Vec<Expense>, AppError> {
    list(state, user, month.first, month.next().first).await
}

/// Totals per category and currency for a month, largest first.
pub async fn month_totals(
    state: &AppState,
    user: &User,
    month: Month,
) -> Result<Vec<CategoryTotal>, AppError> {
    let conn = db::conn(&state.pool).await?;
    let mut months = store::month_totals(&conn, user.id, month.first, month.first).await?;
    Ok(months.pop().map(|(_, totals)| totals).unwrap_or_default())
}

/// Totals per category and currency for a month and for the month before it, largest first.
pub async fn month_and_previous_totals(
    conn: &AsyncPgConnection,
    user: &User,
    month: Month,
) -> Result<(Vec<CategoryTotal>, Vec<CategoryTotal>), AppError> {
    let months = store::month_totals(conn, user.id, month.prev().first, month.first).await?;
    let of = |first: NaiveDate| {
        months
            .iter()
            .find(|(m, _)| *m == first)
            .map(|(_, totals)| totals.clone())
            .unwrap_or_default()
    };
    Ok((of(month.first), of(month.prev().first)))
}

/// Totals per category and currency of expenses dated in `[from, to)`, largest first.
pub async fn totals(
    state: &AppState,
    user: &User,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CategoryTotal>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    totals_on(&mut conn, user, from, to).await
}

/// [`totals`] on a connection the caller holds (a transaction's).
pub async fn totals_on(
    conn: &mut AsyncPgConnection,
    user: &User,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CategoryTotal>, AppError> {
    store::totals_between(conn, user.id, from, to).await
}

pub async fn get(state: &AppState, user: &User, id: i64) -> Result<Expense, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::find(&mut conn, user.id, id).await
}

fn change(tx: &mut Tx, user: &User, expense: Expense, op: Op) -> Expense {
    tx.changed(Change::new(user.id, Kind::Expense, expense.id, op));
    expense
}

/// The user's today, at the transaction's time.
fn today_at(tx: &Tx, user: &User) -> NaiveDate {
    tx.now().with_timezone(&user.tz()).date_naive()
}

pub async fn create(tx: &mut Tx, user: &User, input: ExpenseInput) -> Result<Expense, AppError> {
    let draft = input.validate(&user.currency, today_at(tx, user))?;
    let expense = store::insert(tx.conn(), user.id, &draft).await?;
    Ok(change(tx, user, expense, Op::Created))
}

pub async fn update(
    tx: &mut Tx,
    user: &User,
    id: i64,
    patch: ExpensePatch,
) -> Result<Expense, AppError> {
    let current = store::find(tx.conn(), user.id, id).await?;
    let draft = patch
        .apply(&current)
        .validate(&user.currency, today_at(tx, user))?;
    let expense = store::update(tx.conn(), user.id, id, &draft).await?;
    Ok(change(tx, user, expense, Op::Updated))
}

pub async fn delete(tx: &mut Tx, user: &User, id: i64) -> Result<Expense, AppError> {
    let expense = store::delete(tx.conn(), user.id, id).await?;
    Ok(change(tx, user, expense, Op::Deleted))
}
