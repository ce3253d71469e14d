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
    let rows: Vec<(String, String, Option<BigDecimal>)> = expenses::table
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

/// The totals of [`totals_between`] for `[from, split)` and for `[split, to)`, in one pass.
pub async fn totals_either_side(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    from: NaiveDate,
    split: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<CategoryTotal>, Vec<CategoryTotal>), AppError> {
    use diesel::dsl::sum;
    use diesel::expression_methods::AggregateExpressionMethods;
    type Row = (String, String, Option<BigDecimal>, Option<BigDecimal>);
    let rows: Vec<Row> = expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_on.ge(from))
        .filter(expenses::spent_on.lt(to))
        .group_by((expenses::category, expenses::currency))
        .select((
            expenses::category,
            expenses::currency,
            sum(expenses::amount).aggregate_filter(expenses::spent_on.lt(split)),
            sum(expenses::amount).aggregate_filter(expenses::spent_on.ge(split)),
        ))
        .load(conn)
        .await?;
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (category, currency, total_before, total_after) in rows {
        if total_before.is_some() {
            before.push((category.clone(), currency.clone(), total_before));
        }
        if total_after.is_some() {
            after.push((category, currency, total_after));
        }
    }
    Ok((category_totals(before), category_totals(after)))
}

/// Rows of (category, currency, sum) as totals, largest first.
fn category_totals(
    rows: impl IntoIterator<Item = (String, String, Option<BigDecimal>)>,
) -> Vec<CategoryTotal> {
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
