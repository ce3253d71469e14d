//! How many SMS segments a text takes. A text of GSM-7 characters only takes 160 in one
//! segment and 153 a segment when split (the extension characters count twice); any other
//! character makes the whole text UCS-2: 70 UTF-16 units in one, 67 a segment when split.

/// GSM-7's basic set.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM-7's extension table: each takes two septets (an escape, then the character).
const EXTENDED: &str = "^{}\\[~]|€\u{c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    /// The encoding `text` is sent in.
    pub fn of(text: &str) -> Self {
        if text
            .chars()
            .all(|c| BASIC.contains(c) || EXTENDED.contains(c))
        {
            Self::Gsm7
        } else {
            Self::Ucs2
        }
    }

    /// Units of `text` in this encoding (septets, or UTF-16 units).
    fn units(self, text: &str) -> usize {
        match self {
            Self::Gsm7 => text
                .chars()
                .map(|c| if EXTENDED.contains(c) { 2 } else { 1 })
                .sum(),
            Self::Ucs2 => text.encode_utf16().count(),
        }
    }

    /// Units in a message of one segment, and in each segment of a longer one.
    fn sizes(self) -> (usize, usize) {
        match self {
            Self::Gsm7 => (160, 153),
            Self::Ucs2 => (70, 67),
        }
    }

    /// Characters that fit in `segments` segments (basic characters, or UTF-16 units).
    pub fn room(self, segments: usize) -> usize {
        let (single, each) = self.sizes();
        if segments <= 1 {
            single
        } else {
            each * segments
        }
    }
}

/// Segments `text` takes (at least one).
pub fn count(text: &str) -> usize {
    let encoding = Encoding::of(text);
    let units = encoding.units(text);
    let (single, each) = encoding.sizes();
    if units <= single {
        1
    } else {
        units.div_ceil(each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_texts_take_160_then_153_a_segment() {
        assert_eq!(count(""), 1);
        assert_eq!(count(&"a".repeat(160)), 1);
        assert_eq!(count(&"a".repeat(161)), 2);
        assert_eq!(count(&"a".repeat(306)), 2);
        assert_eq!(count(&"a".repeat(307)), 3);
        assert_eq!(
            Encoding::of("Lunch w/ Sam, 1:00-1:30 PM. Reply UNDO"),
            Encoding::Gsm7
        );
    }

    #[test]
    fn extension_characters_count_twice() {
        assert_eq!(Encoding::of("{€}"), Encoding::Gsm7);
        assert_eq!(count(&"€".repeat(80)), 1);
        assert_eq!(count(&"€".repeat(81)), 2);
    }

    #[test]
    fn one_other_character_makes_the_whole_text_ucs2() {
        let text = format!("✓ {}", "a".repeat(68));
        assert_eq!(Encoding::of(&text), Encoding::Ucs2);
        assert_eq!(count(&text), 1);
        assert_eq!(count(&format!("✓ {}", "a".repeat(69))), 2);
        // An emoji is two UTF-16 units.
        assert_eq!(count(&"😀".repeat(35)), 1);
        assert_eq!(count(&"😀".repeat(36)), 2);
    }
}
