//! Reading server-sent events as they arrive: text in, whole chat events out.

use serde::de::DeserializeOwned;

use super::model::ChatEvent;
use crate::page_data::read_json;

/// Collects text until whole events (blocks ending in a blank line) have arrived.
#[derive(Debug, Default)]
pub struct Parser {
    buffer: String,
}

impl Parser {
    /// Adds received text; returns the events it completed. Comments (keep-alives) and events
    /// this build does not know are skipped.
    pub fn push(&mut self, text: &str) -> Vec<ChatEvent> {
        self.buffer.push_str(&text.replace("\r\n", "\n"));
        let mut events = Vec::new();
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            if let Some(event) = parse_block(&block) {
                events.push(event);
            }
        }
        events
    }
}

fn parse_block(block: &str) -> Option<ChatEvent> {
    let mut name = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    fn read<T: DeserializeOwned>(data: &str) -> Option<T> {
        read_json(data).ok()
    }
    // Each payload is read straight into its type (smaller in the browser than serde's
    // buffering of adjacently tagged enums).
    Some(match name {
        "start" => ChatEvent::Start(read(&data)?),
        "token" => ChatEvent::Token(read(&data)?),
        "action" => ChatEvent::Action(read(&data)?),
        "done" => ChatEvent::Done(read(&data)?),
        "error" => ChatEvent::Error(read(&data)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::model::Piece;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let wire = "event: token\ndata: {\"text\":\"Hel\"}\n\n:keep-alive\n\nevent: token\ndata: {\"text\":\"lo\"}\n\nevent: done\ndata: {\"conversation_id\":1,\"message_id\":2,\"tier\":\"cheap\",\"status\":\"done\",\"outcome\":{\"kind\":\"answered\"},\"cost_usd\":\"0.000001\"}\n\n";
        for split in 0..wire.len() {
            let mut parser = Parser::default();
            let mut events = parser.push(&wire[..split]);
            events.extend(parser.push(&wire[split..]));
            assert_eq!(events.len(), 3, "split at {split}");
            assert_eq!(events[0], ChatEvent::Token(Piece { text: "Hel".into() }));
            assert!(events[2].is_last());
        }
    }

    #[test]
    fn unknown_or_broken_events_are_skipped() {
        let mut parser = Parser::default();
        let events = parser.push("event: mystery\ndata: {}\n\nevent: token\ndata: {oops\n\n");
        assert!(events.is_empty());
    }
}
