//! How a reply reads on each channel. Replies are written once, in markdown (the chat page
//! renders it); a door that answers in one message words the whole reply for its channel:
//! plain text that fits two SMS segments where it can, or one sentence a voice agent can say.

use super::model::Channel;
use crate::error::AppError;
use crate::sms::segments::{self, Encoding};

/// `text` (markdown, as stored) worded for `channel`.
pub fn for_channel(channel: Channel, text: &str) -> String {
    match channel {
        Channel::WebChat | Channel::Api => text.to_owned(),
        Channel::Sms => sms(text),
        Channel::Voice => voice(text),
    }
}

/// An operation's refusal as a reply.
pub fn refusal(e: &AppError) -> String {
    let said = match e {
        AppError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("Sorry, I couldn't do that: {}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => format!("Sorry, I couldn't do that: {other}"),
    };
    sentence(said)
}

fn sentence(mut said: String) -> String {
    if !said.ends_with(['.', '?', '!']) {
        said.push('.');
    }
    said
}

/// Markdown made plain, in characters every phone shows and SMS encodes compactly.
fn plain(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = without_ids(&line.replace("**", ""));
        let line = line
            .replace(['“', '”'], "\"")
            .replace(['‘', '’'], "'")
            .replace(['–', '—'], "-")
            .replace('…', "...");
        let line = line.trim_end().to_owned();
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines.join("\n")
}

/// Drops the record numbers the chat shows after titles (" (#12)").
fn without_ids(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(" (#") {
        let tail = &rest[at + 3..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with(')') {
            out.push_str(&rest[..at]);
            rest = &tail[digits + 1..];
        } else {
            out.push_str(&rest[..at + 3]);
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Plain text in at most two segments, cut at a line or word when longer.
fn sms(text: &str) -> String {
    sms_with_footer(text, "")
}

/// `text` worded for SMS, then `footer` (kept whole: the text is cut to leave it room).
pub fn sms_with_footer(text: &str, footer: &str) -> String {
    let text = plain(text);
    let footer = if footer.is_empty() {
        String::new()
    } else {
        format!(" {footer}")
    };
    if segments::count(&format!("{text}{footer}")) <= 2 {
        return format!("{text}{footer}");
    }
    let more = format!("...{footer}");
    let mut room: String = text.chars().take(Encoding::of(&text).room(2)).collect();
    while !room.is_empty() && segments::count(&format!("{room}{more}")) > 2 {
        room.pop();
    }
    let cut = room
        .rfind('\n')
        .filter(|&at| at > room.len() / 2)
        .or_else(|| room.rfind(' '))
        .unwrap_or(room.len());
    format!("{}{more}", room[..cut].trim_end())
}

/// The first paragraph as one sentence: what comes after (a list of events) is for screens.
fn voice(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or_default();
    // "2 pm–3 pm" is said "2 pm to 3 pm".
    let first = plain(&first.replace('–', " to ")).replace('\n', " ");
    sentence(first.trim_end_matches(':').trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "You're busy Tue 24 Nov, 2:30 pm–3 pm:\n\n- Tue 24 Nov, 2 pm–3 pm: **Dentist** (#12)\n\nFree nearby: 1:30 pm, 3 pm and 3:15 pm.";

    #[test]
    fn the_chat_keeps_its_markdown() {
        assert_eq!(for_channel(Channel::WebChat, LIST), LIST);
        assert_eq!(for_channel(Channel::Api, LIST), LIST);
    }

    #[test]
    fn an_sms_is_plain_gsm_text() {
        let sms = for_channel(Channel::Sms, LIST);
        assert_eq!(
            sms,
            "You're busy Tue 24 Nov, 2:30 pm-3 pm:\n- Tue 24 Nov, 2 pm-3 pm: Dentist\nFree nearby: 1:30 pm, 3 pm and 3:15 pm."
        );
        assert_eq!(Encoding::of(&sms), Encoding::Gsm7);
        assert_eq!(
            for_channel(
                Channel::Sms,
                "Added “lunch with Sam” on Mon 23 Nov, 1 pm–1:30 pm."
            ),
            "Added \"lunch with Sam\" on Mon 23 Nov, 1 pm-1:30 pm."
        );
    }

    #[test]
    fn a_long_sms_is_cut_to_two_segments_at_a_line() {
        let long: String = (1..=40)
            .map(|i| format!("- Task number {i} (#{i})\n"))
            .collect();
        let sms = for_channel(Channel::Sms, &format!("Your open tasks:\n\n{long}"));
        assert!(segments::count(&sms) <= 2, "{sms}");
        assert!(sms.ends_with("..."), "{sms}");
        assert!(sms.lines().all(|l| !l.contains("(#")), "{sms}");
        // A character outside GSM-7 halves the room.
        let emoji = for_channel(Channel::Sms, &format!("🎉 {long}"));
        assert!(segments::count(&emoji) <= 2, "{emoji}");
        assert!(emoji.chars().count() <= 2 * 67, "{emoji}");
    }

    #[test]
    fn a_footer_survives_the_cut() {
        let long = "word ".repeat(100);
        let sms = sms_with_footer(&long, "Reply UNDO to remove.");
        assert!(segments::count(&sms) <= 2, "{sms}");
        assert!(sms.ends_with("... Reply UNDO to remove."), "{sms}");
        assert_eq!(
            sms_with_footer("Added lunch.", "Reply UNDO to remove."),
            "Added lunch. Reply UNDO to remove."
        );
    }

    #[test]
    fn a_voice_reply_is_one_sentence() {
        assert_eq!(
            for_channel(Channel::Voice, LIST),
            "You're busy Tue 24 Nov, 2:30 pm to 3 pm."
        );
        assert_eq!(
            for_channel(Channel::Voice, "You're free Tue 24 Nov, 4 pm–4:30 pm."),
            "You're free Tue 24 Nov, 4 pm to 4:30 pm."
        );
    }

    #[test]
    fn refusals_read_as_sentences() {
        let e = AppError::invalid("amount", "must be above zero");
        assert_eq!(
            refusal(&e),
            "Sorry, I couldn't do that: amount: must be above zero."
        );
    }
}
