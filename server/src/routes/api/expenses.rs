//! `/api/expenses`, and a month as CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use app::auth::model::User;
use app::db::tx::Tx;
use app::error::AppError;
use app::expenses::model::{Expense, ExpenseInput, ExpensePatch, to_csv};
use app::expenses::ops::{self, Month};
use app::state::AppState;

use super::extract::{Acting, ApiResult, Query};
use super::records::{ById, Records};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    month: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn date(text: &str, field: &str) -> Result<NaiveDate, AppError> {
    app::time::read_date(text).map_err(|e| AppError::invalid(field, e.to_string()))
}

fn month(text: Option<&str>, today: NaiveDate) -> Result<Month, AppError> {
    match text {
        None => Ok(Month::containing(today)),
        Some(t) => {
            Month::parse(t).ok_or_else(|| AppError::invalid("month", "use a month like 2026-11"))
        }
    }
}

/// Expenses dated in `[from, to)`, or in `month` (default: this month), oldest first.
pub async fn list(
    State(state): State<AppState>,
    Acting(user): Acting,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Expense>>> {
    let expenses = match (q.from.as_deref(), q.to.as_deref()) {
        (Some(from), Some(to)) => {
            ops::list(&state, &user, date(from, "from")?, date(to, "to")?).await?
        }
        (None, None) => {
            let m = month(q.month.as_deref(), ops::today(&state, &user))?;
            ops::list_month(&state, &user, m).await?
        }
        (None, Some(_)) => return Err(AppError::invalid("from", "give from with to").into()),
        (Some(_), None) => return Err(AppError::invalid("to", "give to with from").into()),
    };
    Ok(Json(expenses))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    month: Option<String>,
}

/// One month as a CSV download.
pub async fn export(
    State(state): State<AppState>,
    Acting(user): Acting,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let m = month(q.month.as_deref(), ops::today(&state, &user))?;
    let csv = to_csv(&ops::list_month(&state, &user, m).await?);
    let disposition = format!("attachment; filename=\"expenses-{}.csv\"", m.key());
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Expenses: created, shown, changed and deleted through [`records`](super::records).
pub struct Expenses;

impl Records for Expenses {
    type Record = Expense;
    type Input = ExpenseInput;
    type Patch = ExpensePatch;
    type Which = ById;

    async fn create(tx: &mut Tx, user: &User, input: ExpenseInput) -> Result<Expense, AppError> {
        ops::create(tx, user, input).await
    }

    async fn get(state: &AppState, user: &User, id: i64, _: ById) -> Result<Expense, AppError> {
        ops::get(state, user, id).await
    }

    async fn update(
        tx: &mut Tx,
        user: &User,
        id: i64,
        _: ById,
        patch: ExpensePatch,
    ) -> Result<Expense, AppError> {
        ops::update(tx, user, id, patch).await
    }

    async fn delete(tx: &mut Tx, user: &User, id: i64, _: ById) -> Result<Expense, AppError> {
        ops::delete(tx, user, id).await
    }
}
