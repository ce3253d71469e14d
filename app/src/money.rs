//! Amounts of money as whole cents, written as decimal strings with two decimals ("12.50").

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount a `numeric(12,2)` column holds, in cents.
pub const MAX_CENTS: i64 = 999_999_999_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("enter an amount like 12.50")]
    Malformed,
    #[error("use at most two decimals")]
    TooPrecise,
    #[error("the amount is too large")]
    TooLarge,
}

impl Cents {
    /// Parses "12", "12.5", "12.50", "1,234.56" (thousands commas), with an optional leading sign.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let whole: String = whole.chars().filter(|c| *c != ',').collect();
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(AmountError::Malformed);
        }
        if frac.len() > 2 {
            return Err(AmountError::TooPrecise);
        }
        if whole.len() > 10 {
            return Err(AmountError::TooLarge);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| AmountError::Malformed)?
        };
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| AmountError::Malformed)? * 10,
            _ => frac.parse().map_err(|_| AmountError::Malformed)?,
        };
        let cents = whole * 100 + frac_cents;
        if cents > MAX_CENTS {
            return Err(AmountError::TooLarge);
        }
        Ok(Cents(if negative { -cents } else { cents }))
    }
}

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Cents::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// ISO 4217 codes that people pay in, most used first.
pub const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "CNY", "INR", "MXN", "BRL", "NZD", "SEK",
    "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "ILS", "ZAR", "SGD", "HKD", "KRW",
    "TWD", "THB", "IDR", "MYR", "PHP", "VND", "AED", "SAR", "QAR", "KWD", "EGP", "NGN", "KES",
    "GHS", "MAD", "ARS", "CLP", "COP", "PEN", "UYU", "ISK", "UAH", "PKR", "BDT", "LKR",
];

pub fn is_currency_code(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_two_decimals() {
        for (text, cents, shown) in [
            ("12", 1200, "12.00"),
            ("12.5", 1250, "12.50"),
            ("0.07", 7, "0.07"),
            ("1,234.56", 123_456, "1234.56"),
            (".5", 50, "0.50"),
        ] {
            let parsed = Cents::parse(text).expect(text);
            assert_eq!(parsed, Cents(cents), "{text}");
            assert_eq!(parsed.to_string(), shown);
        }
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Cents::parse("12.345"), Err(AmountError::TooPrecise));
        assert_eq!(Cents::parse("abc"), Err(AmountError::Malformed));
        assert_eq!(Cents::parse(""), Err(AmountError::Malformed));
        assert_eq!(Cents::parse("."), Err(AmountError::Malformed));
        assert_eq!(Cents::parse("12e3"), Err(AmountError::Malformed));
        assert_eq!(Cents::parse("99999999999"), Err(AmountError::TooLarge));
        assert_eq!(Cents::parse("-3").map(|c| c.0), Ok(-300));
    }
}
