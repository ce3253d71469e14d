//! The TwiML a webhook answers with: nothing, or messages to send back.

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// No reply.
pub fn empty() -> String {
    format!("{HEAD}<Response />")
}

/// `messages` sent back to the sender, in order.
pub fn reply(messages: &[&str]) -> String {
    if messages.is_empty() {
        return empty();
    }
    let mut out = format!("{HEAD}<Response>");
    for m in messages {
        out.push_str("<Message>");
        escape_into(&mut out, m);
        out.push_str("</Message>");
    }
    out.push_str("</Response>");
    out
}

/// The texts of the `<Message>`s in TwiML this module wrote.
pub fn messages(twiml: &str) -> Vec<String> {
    twiml
        .split("<Message>")
        .skip(1)
        .filter_map(|m| m.split_once("</Message>"))
        .map(|(text, _)| {
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strings_twilios_library_writes() {
        assert_eq!(
            empty(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response />"#
        );
        assert_eq!(
            reply(&["Hello"]),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>"#
        );
    }

    #[test]
    fn messages_read_back() {
        assert_eq!(messages(&reply(&["a & <b>", "c"])), ["a & <b>", "c"]);
        assert!(messages(&empty()).is_empty());
    }

    #[test]
    fn text_is_escaped() {
        assert!(
            reply(&["Tom & Jerry <3 \"x\""])
                .contains("<Message>Tom &amp; Jerry &lt;3 &quot;x&quot;</Message>")
        );
    }
}
