//! Expenses as the app and the API see them, the categories, and the checks every new or
//! changed expense passes.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{AppError, Validator};
use crate::money::{self, Cents};

pub const MAX_DESCRIPTION: usize = 500;

/// The categories of `shared/nlu/SCHEMA.md`, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    /// Meals, groceries, drinks.
    Food,
    /// Fuel, fares, parking, rides.
    Transport,
    /// Clothes, gadgets, gifts.
    Shopping,
    /// Rent, utilities, phone, insurance.
    Bills,
    /// Films, concerts, streaming, games.
    Entertainment,
    /// Pharmacy, doctor, dentist, therapy.
    Health,
    /// Hotels, flights, holidays.
    Travel,
    /// Anything else (haircuts, donations).
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Self::Food,
        Self::Transport,
        Self::Shopping,
        Self::Bills,
        Self::Entertainment,
        Self::Health,
        Self::Travel,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Food => "Food",
            Self::Transport => "Transport",
            Self::Shopping => "Shopping",
            Self::Bills => "Bills",
            Self::Entertainment => "Entertainment",
            Self::Health => "Health",
            Self::Travel => "Travel",
            Self::Other => "Other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The colour the chart and badges use (Tailwind palette, readable in both themes).
    pub fn color(self) -> &'static str {
        match self {
            Self::Food => "#f59e0b",
            Self::Transport => "#3b82f6",
            Self::Shopping => "#ec4899",
            Self::Bills => "#8b5cf6",
            Self::Entertainment => "#10b981",
            Self::Health => "#ef4444",
            Self::Travel => "#06b6d4",
            Self::Other => "#64748b",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expense {
    pub id: i64,
    pub amount: Cents,
    pub currency: String,
    pub category: Category,
    pub description: String,
    pub date: NaiveDate,
}

/// An amount as the API may send it: `"12.50"` or `12.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountText(pub String);

impl<'de> Deserialize<'de> for AmountText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        Ok(AmountText(match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Number(n) => n.to_string(),
        }))
    }
}

/// An expense as typed into a form or sent to the API, before checking. Currency defaults to
/// the user's, the date to today, the category to Other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpenseInput {
    pub amount: AmountText,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpensePatch {
    pub amount: Option<AmountText>,
    pub currency: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub date: Option<String>,
}

impl ExpensePatch {
    pub fn apply(self, current: &Expense) -> ExpenseInput {
        ExpenseInput {
            amount: self
                .amount
                .unwrap_or_else(|| AmountText(current.amount.to_string())),
            currency: Some(self.currency.unwrap_or_else(|| current.currency.clone())),
            category: Some(
                self.category
                    .unwrap_or_else(|| current.category.as_str().to_owned()),
            ),
            description: Some(
                self.description
                    .unwrap_or_else(|| current.description.clone()),
            ),
            date: Some(self.date.unwrap_or_else(|| current.date.to_string())),
        }
    }
}

/// A checked expense, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseDraft {
    pub amount: Cents,
    pub currency: String,
    pub category: Category,
    pub description: String,
    pub date: NaiveDate,
}

impl ExpenseInput {
    /// Checks every field; `currency` and `today` are the user's defaults.
    pub fn validate(&self, currency: &str, today: NaiveDate) -> Result<ExpenseDraft, AppError> {
        let mut v = Validator::default();
        let amount = match Cents::parse(&self.amount.0) {
            Ok(c) if c.0 > 0 => c,
            Ok(_) => {
                v.fail("amount", "the amount must be above zero");
                Cents(0)
            }
            Err(e) => {
                v.fail("amount", e.to_string());
                Cents(0)
            }
        };
        let currency = self
            .currency
            .as_deref()
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| currency.to_owned());
        v.check(
            money::is_currency_code(&currency),
            "currency",
            "use a three-letter ISO 4217 code, like USD or EUR",
        );
        let category = match self.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => Category::Other,
            Some(text) => Category::parse(text).unwrap_or_else(|| {
                v.fail(
                    "category",
                    "choose Food, Transport, Shopping, Bills, Entertainment, Health, Travel or Other",
                );
                Category::Other
            }),
        };
        let description = self.description.as_deref().unwrap_or("").trim().to_owned();
        v.check(
            description.chars().count() <= MAX_DESCRIPTION,
            "description",
            "use at most 500 characters",
        );
        let date = match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => today,
            Some(text) => crate::time::read_date(text).unwrap_or_else(|e| {
                v.fail("date", e.to_string());
                today
            }),
        };
        v.finish(ExpenseDraft {
            amount,
            currency,
            category,
            description,
            date,
        })
    }
}

/// The total of one category in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTotal {
    pub category: Category,
    pub currency: String,
    pub total: Cents,
}

/// Totals per currency, from totals per category and currency, largest first.
pub fn totals_by_currency(totals: &[CategoryTotal]) -> Vec<(String, Cents)> {
    let mut by_currency: Vec<(String, Cents)> = Vec::new();
    for t in totals {
        match by_currency.iter_mut().find(|(c, _)| *c == t.currency) {
            Some((_, sum)) => sum.0 += t.total.0,
            None => by_currency.push((t.currency.clone(), t.total)),
        }
    }
    by_currency.sort_by_key(|t| std::cmp::Reverse(t.1));
    by_currency
}

/// A month's expenses as CSV (RFC 4180), newest last.
pub fn to_csv(expenses: &[Expense]) -> String {
    fn field(text: &str) -> String {
        // Quote always; double inner quotes. A leading formula character is neutralised so a
        // spreadsheet does not run it.
        let safe = if text.starts_with(['=', '+', '-', '@']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        format!("\"{}\"", safe.replace('"', "\"\""))
    }
    let mut out = String::from("date,amount,currency,category,description\r\n");
    for e in expenses {
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            e.date,
            e.amount,
            e.currency,
            e.category.as_str(),
            field(&e.description)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expense(category: Category, currency: &str, cents: i64) -> Expense {
        Expense {
            id: 1,
            amount: Cents(cents),
            currency: currency.into(),
            category,
            description: String::new(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        }
    }

    #[test]
    fn currency_totals_add_up_categories() {
        let total = |category, currency: &str, cents| CategoryTotal {
            category,
            currency: currency.into(),
            total: Cents(cents),
        };
        let by_currency = totals_by_currency(&[
            total(Category::Bills, "USD", 9000),
            total(Category::Food, "EUR", 500),
            total(Category::Food, "USD", 1500),
        ]);
        assert_eq!(
            by_currency,
            vec![
                ("USD".to_owned(), Cents(10_500)),
                ("EUR".to_owned(), Cents(500))
            ]
        );
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut e = expense(Category::Food, "USD", 1250);
        e.description = "=HYPERLINK(\"x\")".into();
        let csv = to_csv(&[e]);
        assert_eq!(
            csv,
            "date,amount,currency,category,description\r\n2026-11-02,12.50,USD,Food,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }

    #[test]
    fn validation_names_each_bad_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let input = ExpenseInput {
            amount: AmountText("-3".into()),
            currency: Some("dollars".into()),
            category: Some("Groceries".into()),
            description: None,
            date: Some("22/11/2026".into()),
        };
        let Err(AppError::Invalid(errors)) = input.validate("USD", today) else {
            panic!("expected field errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["amount", "currency", "category", "date"]);
    }
}
