//! Phone numbers to E.164, using the country of the message's time zone
//! when no country code was typed.

use chrono_tz::Tz;

/// Calling code and whether national numbers carry a leading trunk `0`.
fn country_code(tz: Tz) -> Option<&'static str> {
    let name = tz.name();
    let (area, city) = name.split_once('/').unwrap_or((name, ""));
    Some(match (area, city) {
        ("America", "Sao_Paulo" | "Fortaleza" | "Recife" | "Bahia" | "Belem" | "Manaus") => "55",
        ("America", "Mexico_City" | "Monterrey" | "Cancun" | "Tijuana" | "Merida") => "52",
        ("America", "Bogota") => "57",
        ("America", "Lima") => "51",
        ("America", "Santiago") => "56",
        ("America", c) if c.starts_with("Argentina") || c == "Buenos_Aires" => "54",
        (
            "America",
            "Toronto"
            | "New_York"
            | "Chicago"
            | "Denver"
            | "Los_Angeles"
            | "Vancouver"
            | "Edmonton"
            | "Winnipeg"
            | "Halifax"
            | "St_Johns"
            | "Phoenix"
            | "Anchorage"
            | "Detroit"
            | "Regina"
            | "Montreal"
            | "Boise"
            | "Indiana/Indianapolis"
            | "Moncton"
            | "Whitehorse"
            | "Puerto_Rico"
            | "Juneau",
        )
        | ("US" | "Canada", _)
        | ("Pacific", "Honolulu") => "1",
        ("Europe", "London" | "Belfast") | ("GB", _) => "44",
        ("Europe", "Dublin") => "353",
        ("Europe", "Paris") => "33",
        ("Europe", "Berlin") => "49",
        ("Europe", "Madrid") => "34",
        ("Europe", "Rome") => "39",
        ("Europe", "Amsterdam") => "31",
        ("Europe", "Brussels") => "32",
        ("Europe", "Zurich") => "41",
        ("Europe", "Vienna") => "43",
        ("Europe", "Stockholm") => "46",
        ("Europe", "Lisbon") => "351",
        ("Australia", _) => "61",
        ("Pacific", "Auckland") => "64",
        ("Asia", "Kolkata" | "Calcutta") => "91",
        ("Asia", "Tokyo") => "81",
        ("Asia", "Singapore") => "65",
        _ => return None,
    })
}

/// E.164 form of typed phone digits (`"+447700900123"`, `"4165550199"`),
/// or `None` when the country cannot be told.
pub fn e164(digits: &str, tz: Tz) -> Option<String> {
    if let Some(rest) = digits.strip_prefix('+') {
        return (8..=15).contains(&rest.len()).then(|| digits.to_string());
    }
    let cc = country_code(tz)?;
    let national = if cc == "1" {
        match digits.len() {
            10 => digits,
            11 => digits.strip_prefix('1')?,
            _ => return None,
        }
    } else {
        digits.strip_prefix('0').unwrap_or(digits)
    };
    if national.starts_with('0') || !(7..=12).contains(&national.len()) {
        return None;
    }
    Some(format!("+{cc}{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(
            e164("4165550199", chrono_tz::America::Toronto).as_deref(),
            Some("+14165550199")
        );
        assert_eq!(
            e164("14165550199", chrono_tz::America::New_York).as_deref(),
            Some("+14165550199")
        );
        assert_eq!(
            e164("07700900123", chrono_tz::Europe::London).as_deref(),
            Some("+447700900123")
        );
        assert_eq!(
            e164("0412345678", chrono_tz::Australia::Sydney).as_deref(),
            Some("+61412345678")
        );
        assert_eq!(
            e164("+33612345678", chrono_tz::America::Toronto).as_deref(),
            Some("+33612345678")
        );
        assert_eq!(e164("0412345678", chrono_tz::Africa::Lagos), None);
    }
}
