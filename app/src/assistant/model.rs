//! Conversations, messages and the events a reply streams, as the page, the API and the
//! browser see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who answered a message. `None` means nobody could: no language model is configured or the
/// month's budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Rules,
    Cheap,
    Premium,
    None,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Rules, Tier::Cheap, Tier::Premium, Tier::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rules => "rules",
            Self::Cheap => "cheap",
            Self::Premium => "premium",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// Where a reply stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Still being written.
    Streaming,
    Done,
    /// The user pressed Stop; what was said so far is kept.
    Stopped,
    /// Something failed; anything the turn changed was taken back.
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Streaming => "streaming",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Streaming, Self::Done, Self::Stopped, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A conversation in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub title: String,
    pub updated_at: DateTime<Utc>,
}

/// Something a reply changed, shown as a card with Undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionCard {
    pub id: i64,
    /// What was done: `create_event`, `move_event`, `cancel_event`, `add_task`,
    /// `complete_task`, `log_expense`.
    pub kind: String,
    /// What changed, in a sentence.
    pub summary: String,
    pub undone: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    pub role: Role,
    /// The text as written (markdown for replies).
    pub content: String,
    /// The text as safe HTML: markdown rendered, any raw HTML escaped.
    pub html: String,
    pub status: MessageStatus,
    pub tier: Option<Tier>,
    pub error: Option<String>,
    pub actions: Vec<ActionCard>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub title: String,
    pub messages: Vec<ChatMessage>,
}

/// The ids of a turn that has begun: its conversation and the reply being written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnStarted {
    pub conversation_id: i64,
    pub message_id: i64,
}

/// A piece of a reply's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    pub text: String,
}

/// The door a turn came through: it picks how the reply reads and is the source of what the
/// turn makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The chat page: markdown.
    WebChat,
    /// `POST /api/chat`: markdown.
    Api,
    /// A text message: plain text, two segments where it can.
    Sms,
    /// A phone call: one sentence an agent can say.
    Voice,
}

impl Channel {
    /// Where what a turn on this channel makes comes from.
    pub fn source(self) -> crate::events::model::Source {
        use crate::events::model::Source;
        match self {
            Self::WebChat | Self::Api => Source::Chat,
            Self::Sms => Source::Sms,
            Self::Voice => Source::Voice,
        }
    }
}

/// What a turn came to, typed (a failure is a [`TurnFailed`] instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TurnOutcome {
    /// Answered, and done what was asked (its changes came as `action` events).
    Answered,
    /// Asked which of several things the user meant; an answer names one of `options`.
    Question { options: Vec<String> },
    /// Refused: nothing matched, or a value was not acceptable.
    Refused,
}

/// How a turn ended (done or stopped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnDone {
    pub conversation_id: i64,
    pub message_id: i64,
    pub tier: Tier,
    pub status: MessageStatus,
    pub outcome: TurnOutcome,
    /// What the turn's model calls cost, in US dollars.
    pub cost_usd: String,
}

/// Why a turn failed; nothing it changed is left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnFailed {
    pub code: String,
    pub message: String,
}

/// One event of a streamed reply; `/api/chat` sends each as an SSE event named by its tag,
/// with the payload as its data (the browser reads them back in `sse`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatEvent {
    Start(TurnStarted),
    Token(Piece),
    /// Something the reply changed.
    Action(ActionCard),
    Done(TurnDone),
    Error(TurnFailed),
}

impl ChatEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start(_) => "start",
            Self::Token(_) => "token",
            Self::Action(_) => "action",
            Self::Done(_) => "done",
            Self::Error(_) => "error",
        }
    }

    /// Whether the stream ends with this event.
    pub fn is_last(&self) -> bool {
        matches!(self, Self::Done(_) | Self::Error(_))
    }
}

/// Millionths of a US dollar written as dollars, e.g. `0.001250`.
pub fn usd(microusd: i64) -> String {
    format!("{}.{:06}", microusd / 1_000_000, microusd % 1_000_000)
}

/// One day of usage on the usage page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDay {
    pub day: chrono::NaiveDate,
    /// Set when an admin looks at everyone's usage.
    pub email: Option<String>,
    pub rules: i64,
    pub cheap: i64,
    pub premium: i64,
    pub unanswered: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// What the model calls cost.
    pub cost_microusd: i64,
    /// SMS segments sent (replies, codes, reminders).
    pub sms_segments: i64,
    pub sms_cost_microusd: i64,
}

/// The usage page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub days: Vec<UsageDay>,
    /// Model calls and texts this calendar month, counted against the budget.
    pub month_cost_microusd: i64,
    pub budget_microusd: i64,
    pub everyone: bool,
    /// Whether the viewer may look at everyone's usage (an admin).
    pub can_see_everyone: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_from_millionths() {
        assert_eq!(usd(1_250), "0.001250");
        assert_eq!(usd(12_000_001), "12.000001");
        assert_eq!(usd(0), "0.000000");
    }

    #[test]
    fn events_carry_their_sse_name() {
        let e = ChatEvent::Token(Piece { text: "hi".into() });
        assert_eq!(e.name(), "token");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"event": "token", "data": {"text": "hi"}})
        );
        assert!(!e.is_last());
        assert!(
            ChatEvent::Error(TurnFailed {
                code: "x".into(),
                message: "y".into()
            })
            .is_last()
        );
    }
}
