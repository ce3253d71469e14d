//! How a reply reads on each channel. Replies are written once, in markdown (the chat page
//! renders it); a door that answers in one message words the whole reply for its channel:
//! plain text that fits two SMS segments where it can, or one sentence a voice agent can say.

use super::model::Channel;
use crate::error::AppError;

/// Characters of GSM-7's basic set: a message of only these takes 153 characters a segment
/// (of two or more); any other character makes it UCS-2, 67 a segment.
const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                    ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Two segments of a long message, by encoding.
const TWO_GSM7_SEGMENTS: usize = 2 * 153;
const TWO_UCS2_SEGMENTS: usize = 2 * 67;

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
    let text = plain(text);
    let limit = if text.chars().all(|c| GSM7.contains(c)) {
        TWO_GSM7_SEGMENTS
    } else {
        TWO_UCS2_SEGMENTS
    };
    if text.chars().count() <= limit {
        return text;
    }
    const MORE: &str = "...";
    let room: String = text.chars().take(limit - MORE.len()).collect();
    let cut = room
        .rfind('\n')
        .filter(|&at| at > room.len() / 2)
        .or_else(|| room.rfind(' '))
        .unwrap_or(room.len());
    format!("{}{MORE}", room[..cut].trim_end())
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
        assert!(sms.chars().all(|c| GSM7.contains(c)));
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
        assert!(sms.chars().count() <= TWO_GSM7_SEGMENTS, "{sms}");
        assert!(sms.ends_with("..."), "{sms}");
        assert!(sms.lines().all(|l| !l.contains("(#")), "{sms}");
        // A character outside GSM-7 halves the room.
        let emoji = for_channel(Channel::Sms, &format!("🎉 {long}"));
        assert!(emoji.chars().count() <= TWO_UCS2_SEGMENTS, "{emoji}");
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
