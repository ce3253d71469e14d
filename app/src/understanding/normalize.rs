//! Tokenizer and normaliser: splits a message into tokens, lowercases them,
//! fixes texting spellings (tmrw, wendsday, 2day), expands abbreviations
//! (mtg, appt, w/, @) and drops emoji, politeness and filler words.
//!
//! Every token keeps the text the person typed (`orig`) so titles can be
//! rebuilt with the original casing. The whole pass is a single left-to-right
//! scan over the characters followed by linear passes over the tokens.

/// What kind of token this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Letters (possibly with digits, e.g. `1st`).
    Word,
    /// Digits, possibly with an inner `.`, `:` or thousands `,` (`38.40`, `1:30`).
    Num,
    /// A single punctuation or currency character (`$`, `-`, `?`, `/`).
    Sym,
    /// A phone number; `norm` holds its digits, with a leading `+` when one was typed.
    Phone,
}

/// One normalised token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Canonical lowercase form used by the grammar.
    pub norm: String,
    /// The text as typed, used to rebuild titles.
    pub orig: String,
    /// Token class.
    pub kind: Kind,
}

impl Token {
    fn new(norm: &str, orig: &str, kind: Kind) -> Self {
        Token {
            norm: norm.to_string(),
            orig: orig.to_string(),
            kind,
        }
    }

    /// True when the canonical form equals `s`.
    pub fn is(&self, s: &str) -> bool {
        self.norm == s
    }
}

/// Characters kept as one-character symbol tokens.
fn is_symbol(c: char) -> bool {
    matches!(
        c,
        '$' | '€'
            | '£'
            | '₹'
            | '¥'
            | '@'
            | '-'
            | '/'
            | '?'
            | '!'
            | ','
            | ':'
            | ';'
            | '.'
            | '('
            | ')'
            | '+'
            | '&'
            | '#'
            | '✅'
            | '✔'
            | '☑'
            | '✓'
            | '–'
            | '—'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘')
}

/// Splits text into raw tokens (no spelling fixes yet).
fn scan(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if out.len() > 2 * MAX_TOKENS {
            return None;
        }
        let c = chars[i];
        if (c.is_ascii_digit() || c == '+' || c == '(')
            && let Some((len, digits)) = phone_at(&chars, i)
        {
            let orig: String = chars[i..i + len].iter().collect();
            out.push(Token::new(&digits, &orig, Kind::Phone));
            i += len;
            continue;
        }
        if c.is_alphanumeric() {
            let start = i;
            let mut j = i;
            while j < chars.len() {
                let d = chars[j];
                let prev_digit = j > start && chars[j - 1].is_ascii_digit();
                let next_digit = chars.get(j + 1).is_some_and(|n| n.is_ascii_digit());
                let next_alpha = chars.get(j + 1).is_some_and(|n| n.is_alphabetic());
                let prev_alpha = j > start && chars[j - 1].is_alphabetic();
                if d.is_alphanumeric()
                    || ((d == '.' || d == ':') && prev_digit && next_digit)
                    || (d == ',' && prev_digit && thousands_group(&chars, j + 1))
                    || (is_apostrophe(d) && prev_alpha && next_alpha)
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let orig: String = chars[start..j].iter().collect();
            let kind = if orig
                .chars()
                .all(|d| d.is_ascii_digit() || ".:,".contains(d))
            {
                Kind::Num
            } else {
                Kind::Word
            };
            let norm: String = orig
                .chars()
                .filter(|d| !(is_apostrophe(*d) || (kind == Kind::Num && *d == ',')))
                .flat_map(char::to_lowercase)
                .collect();
            out.push(Token { norm, orig, kind });
            i = j;
        } else if is_symbol(c) {
            let norm = match c {
                '–' | '—' => "-".to_string(),
                '✔' | '☑' | '✓' => "✅".to_string(),
                _ => c.to_string(),
            };
            out.push(Token::new(&norm, &c.to_string(), Kind::Sym));
            i += 1;
        } else {
            i += 1;
        }
    }
    Some(out)
}

/// True when exactly three digits start at `j` and no further digit follows.
fn thousands_group(chars: &[char], j: usize) -> bool {
    (0..3).all(|k| chars.get(j + k).is_some_and(|c| c.is_ascii_digit()))
        && !chars.get(j + 3).is_some_and(|c| c.is_ascii_digit())
}

/// Recognises a phone number starting at `i`: an optional `+`, then digit
/// groups joined by single `-`, `.`, space or parentheses, 10 to 15 digits in
/// all (with `+`, up to 7 groups, the second may be one digit: "+33 6 12 34 56 78").
/// Returns its length in chars and its digits.
fn phone_at(chars: &[char], i: usize) -> Option<(usize, String)> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '$' | '€' | '£' | '.'))
    {
        return None;
    }
    let mut j = i;
    let mut digits = String::new();
    if chars[j] == '+' {
        digits.push('+');
        j += 1;
    }
    let plus = digits.starts_with('+');
    let max_groups = if plus { 7 } else { 5 };
    let mut groups = Vec::new();
    let mut end = j;
    loop {
        if chars.get(j) == Some(&'(') {
            j += 1;
        }
        let g = j;
        while chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        if j == g {
            break;
        }
        groups.push(j - g);
        digits.extend(chars[g..j].iter());
        if digits.len() > 16 || groups.len() > max_groups {
            return None;
        }
        end = j;
        if chars.get(j) == Some(&')') {
            j += 1;
        }
        match chars.get(j) {
            Some('-' | '.' | ' ')
                if chars
                    .get(j + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '(') =>
            {
                j += 1
            }
            _ => break,
        }
    }
    let n = digits.trim_start_matches('+').len();
    let ok_groups = groups.iter().skip(1 + usize::from(plus)).all(|g| *g >= 2);
    let ok_len = if plus {
        (8..=15).contains(&n)
    } else {
        n == 10 || (n == 11 && (digits.starts_with('1') || digits.starts_with('0')))
    };
    if !ok_groups || !ok_len || chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    // A single group of 10+ digits or the usual grouped shapes.
    if !plus && groups.len() > 1 && groups[0] < 3 && !(groups[0] == 1 && groups.len() >= 3) {
        return None;
    }
    Some((end - i, digits))
}

/// Canonical spelling for a single lowercase word, or `None` when it is kept.
fn canonical(word: &str) -> Option<&'static str> {
    Some(match word {
        "tmrw" | "tmr" | "tmrow" | "tmro" | "tmw" | "tmrrw" | "tomorow" | "tommorow"
        | "tommorrow" | "tomorro" | "tomoro" | "tommorw" | "tomrw" | "tomm" | "2morrow"
        | "2morow" | "2moro" | "2mrw" | "2mro" | "2mrow" | "2morro" | "2mor" => "tomorrow",
        "2day" | "tday" | "tdy" => "today",
        "2nite" | "tonite" | "2night" | "tonigt" => "tonight",
        "yday" | "yest" | "ystrdy" | "yesterdy" | "ysterday" | "yesteday" => "yesterday",
        "mon" | "mondy" => "monday",
        "tue" | "tues" | "tusday" | "teusday" | "tuesdy" => "tuesday",
        "wed" | "weds" | "wendsday" | "wensday" | "wednsday" | "wedsday" | "wednesdy"
        | "wendesday" => "wednesday",
        "thu" | "thur" | "thurs" | "thrusday" | "thursdy" | "thurday" => "thursday",
        "fri" | "fridy" => "friday",
        "sat" | "satuday" | "saturdy" => "saturday",
        "sun" => "sunday",
        "jan" => "january",
        "feb" | "febuary" => "february",
        "mar" => "march",
        "apr" => "april",
        "jun" => "june",
        "jul" => "july",
        "aug" => "august",
        "sep" | "sept" => "september",
        "oct" => "october",
        "nov" => "november",
        "dec" => "december",
        "mtg" => "meeting",
        "mtgs" => "meetings",
        "appt" | "apt" => "appointment",
        "appts" => "appointments",
        "min" | "mins" | "mn" | "minute" => "minutes",
        "hrs" | "hour" => "hours",
        "wk" | "wks" | "weeks" => "week",
        "days" => "day",
        "nxt" => "next",
        "u" => "you",
        "ur" => "your",
        "r" => "are",
        "b4" => "before",
        "bday" => "birthday",
        "til" | "till" | "untill" | "thru" | "through" => "until",
        "midday" => "noon",
        "tomorrows" | "tmrws" => "tomorrow",
        "yesterdays" => "yesterday",
        "todays" => "today",
        "tonights" => "tonight",
        "cal" | "calender" | "calandar" | "calander" => "calendar",
        "todo" | "todos" | "to-do" => "todo",
        "oclock" => "oclock",
        _ => return None,
    })
}

/// Words dropped everywhere: politeness and filler.
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "pls"
            | "plz"
            | "please"
            | "plse"
            | "ty"
            | "thx"
            | "thanks"
            | "thank"
            | "tysm"
            | "hi"
            | "hey"
            | "hello"
            | "yo"
            | "ok"
            | "okay"
            | "k"
            | "kk"
            | "um"
            | "umm"
            | "uh"
            | "uhh"
            | "hmm"
            | "btw"
            | "asap"
    )
}

/// Splits tokens that glue a number to a unit (`8am`, `4:30pm`, `45min`, `3p`).
fn split_compound(t: Token, out: &mut Vec<Token>) {
    if t.kind != Kind::Word {
        out.push(t);
        return;
    }
    if let Some(c) = canonical(&t.norm) {
        out.push(Token::new(c, &t.orig, Kind::Word));
        return;
    }
    // "friday's" (not "fridays"): the day itself.
    if t.orig.contains(is_apostrophe)
        && let Some(base) = t.norm.strip_suffix('s')
    {
        let day = canonical(base).unwrap_or(base);
        if matches!(
            day,
            "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
        ) {
            out.push(Token::new(day, &t.orig, Kind::Word));
            return;
        }
    }
    let digits_end = t
        .norm
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == ':' || *c == '.'))
        .map_or(t.norm.len(), |(i, _)| i);
    if digits_end == 0 || !t.norm.starts_with(|c: char| c.is_ascii_digit()) {
        out.push(t);
        return;
    }
    let (num, unit) = t.norm.split_at(digits_end);
    let unit = match unit {
        "am" | "a" => "am",
        "pm" | "p" => "pm",
        "st" | "nd" | "rd" | "th" if !num.contains([':', '.']) => {
            out.push(Token::new(&t.norm, &t.orig, Kind::Word));
            return;
        }
        other => match canonical(other) {
            Some(c @ ("minutes" | "hours" | "week" | "day")) => c,
            _ if matches!(other, "m" | "h" | "d" | "w" | "k") => {
                out.push(t);
                return;
            }
            _ => {
                out.push(t);
                return;
            }
        },
    };
    let num_orig: String = t.orig.chars().take(num.chars().count()).collect();
    let unit_orig: String = t.orig.chars().skip(num.chars().count()).collect();
    out.push(Token::new(num, &num_orig, Kind::Num));
    out.push(Token::new(unit, &unit_orig, Kind::Word));
}

/// Messages with more tokens than this are not single plain requests.
pub const MAX_TOKENS: usize = 60;

/// Tokenises and normalises a message; `None` when it has more than
/// [`MAX_TOKENS`] tokens (tokenising stops early, so long input costs little).
pub fn normalize(text: &str) -> Option<Vec<Token>> {
    let mut split = Vec::new();
    for t in scan(text)? {
        split_compound(t, &mut split);
    }
    let mut out: Vec<Token> = Vec::with_capacity(split.len());
    let mut i = 0;
    while i < split.len() {
        let t = &split[i];
        let next = |k: usize| split.get(i + k).map(|t: &Token| t.norm.as_str());
        // a.m. / p.m. (also after an already-split "3p").
        if matches!(t.norm.as_str(), "a" | "p" | "am" | "pm")
            && next(1) == Some(".")
            && next(2) == Some("m")
        {
            let mer = if t.norm.starts_with('a') { "am" } else { "pm" };
            let skip = if next(3) == Some(".") { 4 } else { 3 };
            out.push(Token::new(mer, &t.orig, Kind::Word));
            i += skip;
            continue;
        }
        // Greetings that name a part of the day or a day ("good morning",
        // "morning!", "happy friday!") are not dates.
        if out.len() <= 3 && out.iter().all(|p: &Token| p.kind == Kind::Sym) {
            let part = |w: Option<&str>| matches!(w, Some("morning" | "afternoon" | "evening"));
            let stop = |w: Option<&str>| matches!(w, Some("!" | "," | "." | "aida") | None);
            if matches!(t.norm.as_str(), "good" | "gm") && part(next(1)) {
                i += 2;
                continue;
            }
            if part(Some(t.norm.as_str())) && stop(next(1)) {
                i += 1;
                continue;
            }
            if t.norm == "happy" && stop(next(2)) {
                i += 2;
                continue;
            }
        }
        // "lunch w sam": a lone w between words is "with".
        if t.norm == "w"
            && t.kind == Kind::Word
            && out.last().is_some_and(|p: &Token| p.kind == Kind::Word)
            && split.get(i + 1).is_some_and(|n| n.kind == Kind::Word)
        {
            out.push(Token::new("with", "with", Kind::Word));
            i += 1;
            continue;
        }
        // w/ -> with
        if t.norm == "w" && next(1) == Some("/") {
            out.push(Token::new("with", "with", Kind::Word));
            i += 2;
            continue;
        }
        // thank you / can't / o'clock
        if t.norm == "thank"
            && matches!(next(1), Some("you" | "u"))
            && matches!(
                next(2),
                Some(
                    "card"
                        | "cards"
                        | "note"
                        | "notes"
                        | "letter"
                        | "letters"
                        | "email"
                        | "gift"
                        | "gifts"
                )
            )
        {
            // "thank you cards": a thing, not politeness.
            out.push(Token::new("thankyou", "thank you", Kind::Word));
            i += 2;
            continue;
        }
        if t.norm == "thank" && matches!(next(1), Some("you" | "u")) {
            i += 2;
            continue;
        }
        if t.norm == "to" && next(1) == Some("-") && next(2) == Some("do") {
            out.push(Token::new("todo", "to-do", Kind::Word));
            i += 3;
            continue;
        }
        if t.norm == "o" && next(1) == Some("clock") {
            out.push(Token::new("oclock", "o'clock", Kind::Word));
            i += 2;
            continue;
        }
        if t.kind == Kind::Word && is_filler(&t.norm) {
            i += 1;
            continue;
        }
        let tok = match t.norm.as_str() {
            "@" => Token::new("at", "at", Kind::Word),
            "&" => Token::new("and", "and", Kind::Word),
            _ => t.clone(),
        };
        out.push(tok);
        i += 1;
    }
    (out.len() <= MAX_TOKENS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        normalize(s).unwrap().into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn texting_spellings() {
        assert_eq!(norms("tmrw 2morrow tomorow"), ["tomorrow"; 3]);
        assert_eq!(
            norms("wendsday thurs Tues"),
            ["wednesday", "thursday", "tuesday"]
        );
        assert_eq!(norms("2day 2nite yday"), ["today", "tonight", "yesterday"]);
    }

    #[test]
    fn abbreviations_and_symbols() {
        assert_eq!(
            norms("budget mtg w/ tom @ 2"),
            ["budget", "meeting", "with", "tom", "at", "2"]
        );
        assert_eq!(norms("dentist appt"), ["dentist", "appointment"]);
        assert_eq!(norms("$38.40"), ["$", "38.40"]);
        assert_eq!(norms("1,200.50€"), ["1200.50", "€"]);
    }

    #[test]
    fn times_are_split() {
        assert_eq!(
            norms("8am 4:30PM 3 p.m. 3p.m. 45min"),
            [
                "8", "am", "4:30", "pm", "3", "pm", "3", "pm", "45", "minutes"
            ]
        );
        assert_eq!(norms("3rd"), ["3rd"]);
        assert_eq!(norms("10-11am"), ["10", "-", "11", "am"]);
    }

    #[test]
    fn filler_and_emoji_dropped() {
        assert_eq!(norms("hey pls add yoga 👍 thank you 🙏"), ["add", "yoga"]);
        assert_eq!(norms("buy milk ✅"), ["buy", "milk", "✅"]);
    }

    #[test]
    fn originals_kept() {
        let t = normalize("Lunch with Sam's team").unwrap();
        assert_eq!(t[2].orig, "Sam's");
        assert_eq!(t[2].norm, "sams");
    }

    #[test]
    fn phones() {
        let t = normalize("call 416-555-0199 or +44 7700 900123 or (416) 555 0199").unwrap();
        let phones: Vec<_> = t
            .iter()
            .filter(|t| t.kind == Kind::Phone)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(phones, ["4165550199", "+447700900123", "4165550199"]);
        let t = normalize("call +33 6 12 34 56 78 now").unwrap();
        let phones: Vec<_> = t
            .iter()
            .filter(|t| t.kind == Kind::Phone)
            .map(|t| t.norm.clone())
            .collect();
        assert_eq!(phones, ["+33612345678"]);
        assert!(
            normalize("spent 12.50 at 3")
                .unwrap()
                .iter()
                .all(|t| t.kind != Kind::Phone)
        );
    }
}
