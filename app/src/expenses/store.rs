//! Expense queries, always scoped to one user.

use bigdecimal::BigDecimal;
use bigdecimal::ToPrimitive;
use bigdecimal::num_bigint::BigInt;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Category, CategoryTotal, Expense, ExpenseDraft};
use crate::db::schema::expenses;
use crate::error::AppError;
use crate::money::Cents;

#[derive(Queryable, Selectable)]
#[diesel(table_name = expenses)]
struct ExpenseRow {
    id: i64,
    amount: BigDecimal,
    currency: String,
    category: String,
    description: String,
    spent_on: NaiveDate,
}

fn to_decimal(c: Cents) -> BigDecimal {
    BigDecimal::new(BigInt::from(c.0), 2)
}

fn to_cents(d: &BigDecimal) -> Cents {
    Cents((d * BigDecimal::from(100)).round(0).to_i64().unwrap_or(0))
}

impl From<ExpenseRow> for Expense {
    fn from(r: ExpenseRow) -> Self {
        Expense {
            id: r.id,
            amount: to_cents(&r.amount),
            currency: r.currency,
            category: Category::parse(&r.category).unwrap_or(Category::Other),
            description: r.description,
            date: r.spent_on,
        }
    }
}

/// Expenses dated in `[from, to)`, oldest first.
pub async fn between(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Expense>, AppError> {
    Ok(expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_on.ge(from))
        .filter(expenses::spent_on.lt(to))
        .order((expenses::spent_on.asc(), expenses::id.asc()))
        .select(ExpenseRow::as_select())
        .load(conn)
        .await?
        .into_iter()
        .map(Expense::from)
        .collect())
}

/// Totals per category and currency of expenses dated in `[from, to)`, largest first.
pub async fn totals_between(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CategoryTotal>, AppError> {
    let rows: Vec<SumRow> = expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_on.ge(from))
        .filter(expenses::spent_on.lt(to))
        .group_by((expenses::category, expenses::currency))
        .select((
            expenses::category,
            expenses::currency,
            diesel::dsl::sum(expenses::amount),
        ))
        .load(conn)
        .await?;
    Ok(category_totals(rows))
}

/// Totals per category and currency of each calendar month from the one starting on `first`
/// to the one starting on `last`, read from the month totals that a trigger keeps in step with
/// the expenses. Months come in order; a month with no expense is missing.
pub async fn month_totals(
    mut conn: &AsyncPgConnection,
    user_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(NaiveDate, Vec<CategoryTotal>)>, AppError> {
    use crate::db::schema::expense_month_totals as t;
    let rows: Vec<(NaiveDate, String, String, BigDecimal)> = t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::month.between(first, last))
        .order(t::month)
        .select((t::month, t::category, t::currency, t::total))
        .load(&mut conn)
        .await?;
    let mut months: Vec<(NaiveDate, Vec<SumRow>)> = Vec::new();
    for (month, category, currency, total) in rows {
        match months.last_mut() {
            Some((m, rows)) if *m == month => rows.push((category, currency, Some(total))),
            _ => months.push((month, vec![(category, currency, Some(total))])),
        }
    }
    Ok(months
        .into_iter()
        .map(|(month, rows)| (month, category_totals(rows)))
        .collect())
}

/// A sum per (category, currency), as PostgreSQL gives it.
type SumRow = (String, String, Option<BigDecimal>);

/// Rows of (category, currency, sum) as totals, largest first.
fn category_totals(rows: impl IntoIterator<Item = SumRow>) -> Vec<CategoryTotal> {
    let mut totals: Vec<CategoryTotal> = rows
        .into_iter()
        .map(|(category, currency, total)| CategoryTotal {
            category: Category::parse(&category).unwrap_or(Category::Other),
            currency,
            total: total.as_ref().map(to_cents).unwrap_or_default(),
        })
        .collect();
    totals.sort_by(|a, b| b.total.cmp(&a.total).then(a.category.cmp(&b.category)));
    totals
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<Expense, AppError> {
    Ok(expenses::table
        .filter(expenses::user_id.eq(user_id))
        .find(id)
        .select(ExpenseRow::as_select())
        .first(conn)
        .await?
        .into())
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    draft: &ExpenseDraft,
) -> Result<Expense, AppError> {
    Ok(diesel::insert_into(expenses::table)
        .values((
            expenses::user_id.eq(user_id),
            expenses::amount.eq(to_decimal(draft.amount)),
            expenses::currency.eq(&draft.currency),
            expenses::category.eq(draft.category.as_str()),
            expenses::description.eq(&draft.description),
            expenses::spent_on.eq(draft.date),
        ))
        .returning(ExpenseRow::as_returning())
        .get_result(conn)
        .await?
        .into())
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
    draft: &ExpenseDraft,
) -> Result<Expense, AppError> {
    Ok(diesel::update(
        expenses::table
            .filter(expenses::user_id.eq(user_id))
            .find(id),
    )
    .set((
        expenses::amount.eq(to_decimal(draft.amount)),
        expenses::currency.eq(&draft.currency),
        expenses::category.eq(draft.category.as_str()),
        expenses::description.eq(&draft.description),
        expenses::spent_on.eq(draft.date),
        expenses::updated_at.eq(diesel::dsl::now),
    ))
    .returning(ExpenseRow::as_returning())
    .get_result(conn)
    .await?
    .into())
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    id: i64,
) -> Result<Expense, AppError> {
    Ok(diesel::delete(
        expenses::table
            .filter(expenses::user_id.eq(user_id))
            .find(id),
    )
    .returning(ExpenseRow::as_returning())
    .get_result(conn)
    .await?
    .into())
}
