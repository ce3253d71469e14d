//! Money amounts and currencies: `$38.40`, `38.40$`, `€23.50`, `210 quid`,
//! `20 bucks`, `eur 15`, `3.25`. Amounts are kept as integer cents.

use super::normalize::{Kind, Token};

/// A money amount found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount {
    /// Value in hundredths of the currency unit.
    pub cents: i64,
    /// ISO 4217 code; `None` means the default currency.
    pub currency: Option<&'static str>,
    /// True when a currency sign or word was given.
    pub marked: bool,
    /// Token indices `[start, end)` used by the amount.
    pub span: (usize, usize),
}

/// Parses "38.40", "210", "4.5", "1200" into cents (at most two decimals).
pub fn parse_cents(s: &str) -> Option<i64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || whole.len() > 9 || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some(w * 100 + f)
}

/// Currency named by a sign (`Some(None)` = the default currency).
fn sign(s: &str) -> Option<Option<&'static str>> {
    Some(match s {
        "$" => None,
        "€" => Some("EUR"),
        "£" => Some("GBP"),
        "₹" => Some("INR"),
        "¥" => Some("JPY"),
        _ => return None,
    })
}

/// Currency named by a word after (or before) the number.
fn word(s: &str) -> Option<Option<&'static str>> {
    Some(match s {
        "dollars" | "dollar" | "bucks" | "buck" => None,
        "usd" => Some("USD"),
        "cad" => Some("CAD"),
        "aud" => Some("AUD"),
        "nzd" => Some("NZD"),
        "eur" | "euro" | "euros" => Some("EUR"),
        "gbp" | "quid" | "pounds" | "pound" => Some("GBP"),
        "inr" | "rupees" | "rupee" | "rs" => Some("INR"),
        "jpy" | "yen" => Some("JPY"),
        "chf" => Some("CHF"),
        "mxn" => Some("MXN"),
        "brl" | "reais" => Some("BRL"),
        _ => return None,
    })
}

/// Currency from a prefix letter before `$` ("US$", "C$", "A$").
fn dollar_prefix(s: &str) -> Option<&'static str> {
    match s {
        "us" => Some("USD"),
        "c" | "ca" => Some("CAD"),
        "a" | "au" => Some("AUD"),
        "nz" => Some("NZD"),
        _ => None,
    }
}

/// Finds the amounts among the tokens not marked `skip`.
pub fn find_amounts(toks: &[Token], skip: &[bool]) -> Vec<Amount> {
    let free = |i: usize| i < toks.len() && !skip.get(i).copied().unwrap_or(true);
    let w = |i: usize| if free(i) { toks[i].norm.as_str() } else { "" };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !free(i) || toks[i].kind != Kind::Num {
            i += 1;
            continue;
        }
        let Some(cents) = parse_cents(&toks[i].norm) else {
            i += 1;
            continue;
        };
        let mut start = i;
        let mut end = i + 1;
        let mut currency = None;
        let mut marked = false;
        if i > 0
            && let Some(c) = sign(w(i - 1)).or_else(|| word(w(i - 1)).filter(|c| c.is_some()))
        {
            start = i - 1;
            currency = c;
            marked = true;
            // "A$30" but not "bought a $30 shirt": a one-letter prefix must be
            // typed in capitals, after the first word.
            let prefix_ok = |j: usize| {
                toks[j].norm.len() > 1 || (j > 0 && toks[j].orig.chars().all(char::is_uppercase))
            };
            if w(i - 1) == "$"
                && i > 1
                && let Some(p) = dollar_prefix(w(i - 2))
                && prefix_ok(i - 2)
            {
                start = i - 2;
                currency = Some(p);
            }
        }
        if !marked && let Some(c) = sign(w(i + 1)).or_else(|| word(w(i + 1))) {
            end = i + 2;
            currency = c;
            marked = true;
        }
        out.push(Amount {
            cents,
            currency,
            marked,
            span: (start, end),
        });
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::normalize::normalize;
    use super::*;

    fn one(s: &str) -> (i64, Option<&'static str>, bool) {
        let t = normalize(s).unwrap();
        let a = find_amounts(&t, &vec![false; t.len()]);
        assert_eq!(a.len(), 1, "{s}");
        (a[0].cents, a[0].currency, a[0].marked)
    }

    #[test]
    fn amounts() {
        assert_eq!(one("$38.40"), (3840, None, true));
        assert_eq!(one("38.40$ pizza"), (3840, None, true));
        assert_eq!(one("€23.50"), (2350, Some("EUR"), true));
        assert_eq!(one("210 quid"), (21000, Some("GBP"), true));
        assert_eq!(one("20 bucks"), (2000, None, true));
        assert_eq!(one("eur 15"), (1500, Some("EUR"), true));
        assert_eq!(one("US$ 12"), (1200, Some("USD"), true));
        assert_eq!(one("3.25 hotel"), (325, None, false));
        assert_eq!(one("1,200.5 rent"), (120050, None, false));
    }

    #[test]
    fn formatting_and_limits() {
        assert_eq!(parse_cents("4.5"), Some(450));
        assert_eq!(parse_cents("4.555"), None);
        assert_eq!(parse_cents("99999999999999"), None);
    }
}
