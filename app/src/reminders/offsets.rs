//! Reminder offsets as people write them: "1 day, 1 hour", "30 min", "none".

/// At most this many reminders per event.
pub const MOST: usize = 5;
/// No reminder earlier than a week before.
pub const LONGEST_MINUTES: i32 = 7 * 24 * 60;

/// Minutes before, in the order read (duplicates dropped), or what is wrong with `text`.
pub fn read(text: &str) -> Result<Vec<i32>, String> {
    let text = text.trim().to_lowercase();
    if text.is_empty() || text == "none" || text == "no" {
        return Ok(Vec::new());
    }
    let mut minutes = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        let unit = part[digits.len()..].trim();
        let n: i32 = digits
            .parse()
            .map_err(|_| format!("“{part}” is not a length like “1 hour” or “30 min”"))?;
        let per = match unit {
            "" | "m" | "min" | "mins" | "minute" | "minutes" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "d" | "day" | "days" => 24 * 60,
            "w" | "week" | "weeks" => 7 * 24 * 60,
            _ => {
                return Err(format!(
                    "“{part}” is not a length like “1 hour” or “30 min”"
                ));
            }
        };
        let total = n.saturating_mul(per);
        if total > LONGEST_MINUTES {
            return Err("reminders can be at most a week before".to_owned());
        }
        if !minutes.contains(&total) {
            minutes.push(total);
        }
    }
    validate(&minutes)?;
    Ok(minutes)
}

/// Whether `minutes` can be stored.
pub fn validate(minutes: &[i32]) -> Result<(), String> {
    if minutes.len() > MOST {
        return Err(format!("choose at most {MOST} reminders"));
    }
    if minutes.iter().any(|m| !(0..=LONGEST_MINUTES).contains(m)) {
        return Err("each reminder is between 0 minutes and a week before".to_owned());
    }
    Ok(())
}

/// "1 day, 1 hour"; "none" when empty.
pub fn describe(minutes: &[i32]) -> String {
    if minutes.is_empty() {
        return "none".to_owned();
    }
    minutes
        .iter()
        .map(|&m| length(m))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One length: "1 day", "2 hours", "90 min".
pub fn length(minutes: i32) -> String {
    let plural = |n: i32, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match minutes {
        m if m > 0 && m % (7 * 24 * 60) == 0 => plural(m / (7 * 24 * 60), "week"),
        m if m > 0 && m % (24 * 60) == 0 => plural(m / (24 * 60), "day"),
        m if m > 0 && m % 60 == 0 => plural(m / 60, "hour"),
        m => format!("{m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_read_as_people_write_them() {
        assert_eq!(read("1 day, 1 hour"), Ok(vec![1440, 60]));
        assert_eq!(read("30 min; 2h, 1 week"), Ok(vec![30, 120, 10080]));
        assert_eq!(read("15"), Ok(vec![15]));
        assert_eq!(read(" none "), Ok(vec![]));
        assert_eq!(read(""), Ok(vec![]));
        assert_eq!(
            read("1 hour, 60 min"),
            Ok(vec![60]),
            "the same twice is once"
        );
    }

    #[test]
    fn what_is_not_a_length_is_refused() {
        assert!(read("soon").is_err());
        assert!(read("2 fortnights").is_err());
        assert!(read("8 days").is_err());
        assert!(read("1,2,3,4,5,6").is_err());
        assert!(validate(&[-5]).is_err());
    }

    #[test]
    fn lengths_are_described_back() {
        assert_eq!(describe(&[1440, 60]), "1 day, 1 hour");
        assert_eq!(describe(&[90, 10080, 2880]), "90 min, 1 week, 2 days");
        assert_eq!(describe(&[]), "none");
        assert_eq!(read(&describe(&[1440, 60, 15])), Ok(vec![1440, 60, 15]));
    }
}
