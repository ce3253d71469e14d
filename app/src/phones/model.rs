//! Reading a phone number as typed.

use chrono_tz::Tz;

use crate::error::AppError;

/// `typed` in E.164 (`+12125550123`). Spaces, dashes, dots and brackets are ignored; a number
/// without `+` is read in the country of `tz`.
pub fn read(typed: &str, tz: Tz) -> Result<String, AppError> {
    let invalid = || {
        AppError::invalid(
            "phone",
            "enter a mobile number with its country code, like +1 212 555 0123",
        )
    };
    let trimmed = typed.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(invalid()),
        }
    }
    let number = if plus {
        format!("+{digits}")
    } else {
        crate::understanding::phone::e164(&digits, tz).ok_or_else(invalid)?
    };
    let valid = number.len() >= 8
        && number.len() <= 16
        && number[1..].chars().all(|c| c.is_ascii_digit())
        && !number[1..].starts_with('0');
    if valid { Ok(number) } else { Err(invalid()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_typed_or_in_the_timezones_country() {
        let ny = chrono_tz::America::New_York;
        assert_eq!(read("+1 (212) 555-0123", ny).unwrap(), "+12125550123");
        assert_eq!(read("212.555.0123", ny).unwrap(), "+12125550123");
        assert_eq!(
            read("07700 900123", chrono_tz::Europe::London).unwrap(),
            "+447700900123"
        );
        assert_eq!(read("+33 6 12 34 56 78", ny).unwrap(), "+33612345678");
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        let ny = chrono_tz::America::New_York;
        for bad in [
            "",
            "+",
            "call me",
            "+1 212 555 0123 ext 4",
            "+0123456789",
            "+12",
            "++1212",
        ] {
            assert!(read(bad, ny).is_err(), "{bad}");
        }
        assert!(read("0412345678", chrono_tz::Africa::Lagos).is_err());
    }
}
