//! Whole-message keywords that are not for the assistant: opting out and in, help, undo.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT: send nothing more to this number.
    OptOut,
    /// START, YES, UNSTOP: sending may resume.
    OptIn,
    /// HELP, INFO.
    Help,
    /// UNDO: take back the last change made by text.
    Undo,
    /// ACCEPT, DECLINE: answer the newest invitation waiting.
    Accept,
    Decline,
}

/// The keyword `body` is, if the whole message is one (any case, surrounding spaces and a
/// final full stop or exclamation mark ignored).
pub fn of(body: &str) -> Option<Keyword> {
    let word = body
        .trim()
        .trim_end_matches(['.', '!'])
        .to_ascii_uppercase();
    Some(match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Keyword::OptOut,
        "START" | "YES" | "UNSTOP" => Keyword::OptIn,
        "HELP" | "INFO" => Keyword::Help,
        "UNDO" => Keyword::Undo,
        "ACCEPT" => Keyword::Accept,
        "DECLINE" => Keyword::Decline,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_message_is_a_keyword() {
        for stop in [
            "STOP",
            "stop",
            " Stop ",
            "STOPALL",
            "unsubscribe",
            "Cancel",
            "END",
            "quit.",
        ] {
            assert_eq!(of(stop), Some(Keyword::OptOut), "{stop}");
        }
        for start in ["START", "yes", "Unstop"] {
            assert_eq!(of(start), Some(Keyword::OptIn), "{start}");
        }
        assert_eq!(of("help"), Some(Keyword::Help));
        assert_eq!(of("INFO"), Some(Keyword::Help));
        assert_eq!(of("undo"), Some(Keyword::Undo));
        assert_eq!(of("Accept"), Some(Keyword::Accept));
        assert_eq!(of("decline."), Some(Keyword::Decline));
        assert_eq!(of("cancel the dentist"), None);
        assert_eq!(of("stop by the bakery at 5"), None);
        assert_eq!(of(""), None);
    }
}
