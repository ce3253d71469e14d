//! What a model is told: who it works for, the local time, and a compact view of the coming
//! week and the open tasks, then the conversation so far.

use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
};
use chrono::Duration;

use super::model::Role;
use super::phrases;
use crate::auth::model::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::tasks::model::{Filter, Sort};
use crate::{events, tasks};

/// At most this many coming events and open tasks go into the prompt.
const CONTEXT_ITEMS: usize = 20;

/// The system message for `user` now.
pub async fn system(state: &AppState, user: &User) -> Result<String, AppError> {
    let tz = user.tz();
    let now = state.now();
    let (coming, open) = tokio::try_join!(
        events::ops::list(state, user, now, now + Duration::days(7)),
        tasks::ops::list(state, user, Filter::Open, Sort::Due),
    )?;
    let local = now.with_timezone(&tz);
    let mut text = format!(
        "You are Aida, {name}'s personal assistant for their calendar, tasks and expenses.\n\
         Now: {now} ({tz}). Currency: {currency}. Meetings last {minutes} minutes unless said.\n\
         Use the tools to read or change anything; never say something was done unless a tool \
         did it. Give times to tools as local times (YYYY-MM-DDTHH:MM). Refer to events and \
         tasks by their #id. Answer briefly; markdown is fine.",
        name = if user.name.is_empty() {
            "the user"
        } else {
            &user.name
        },
        now = local.format("%A %Y-%m-%d %H:%M"),
        currency = user.currency,
        minutes = user.default_meeting_minutes,
    );
    text.push_str("\n\nComing 7 days:\n");
    if coming.is_empty() {
        text.push_str("- nothing booked\n");
    }
    for event in coming.iter().take(CONTEXT_ITEMS) {
        text.push_str(&phrases::event_line(event, tz));
        text.push('\n');
    }
    text.push_str("\nOpen tasks:\n");
    if open.is_empty() {
        text.push_str("- none\n");
    }
    for task in open.iter().take(CONTEXT_ITEMS) {
        text.push_str(&format!("- {} (#{})\n", phrases::task(task, tz), task.id));
    }
    Ok(text)
}

/// The request's messages: the system message, then the conversation.
pub fn messages(system: String, history: Vec<(Role, String)>) -> Vec<ChatCompletionRequestMessage> {
    let mut messages = vec![ChatCompletionRequestMessage::System(
        ChatCompletionRequestSystemMessage {
            content: system.into(),
            name: None,
        },
    )];
    messages.extend(history.into_iter().map(|(role, content)| match role {
        Role::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: content.into(),
            name: None,
        }),
        Role::Assistant => {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: Some(content.into()),
                ..Default::default()
            })
        }
    }));
    messages
}

/// Verbs that ask for a change; two different ones in a message mean several actions.
const ACTION_WORDS: [&str; 14] = [
    "book",
    "schedule",
    "add",
    "create",
    "move",
    "reschedule",
    "cancel",
    "delete",
    "remind",
    "log",
    "spent",
    "paid",
    "complete",
    "mark",
];

/// Longer than this goes straight to the premium model.
pub const LONG_MESSAGE: usize = 600;
/// A conversation with more messages than this goes straight to the premium model.
pub const LONG_HISTORY: usize = 30;

/// Whether a request goes straight to the premium model: a long message, a long
/// conversation, or a message asking for two or more different changes.
pub fn is_complex(text: &str, history_len: usize) -> bool {
    if text.chars().count() > LONG_MESSAGE || history_len > LONG_HISTORY {
        return true;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    ACTION_WORDS
        .iter()
        .filter(|verb| words.contains(verb))
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_changes_long_text_or_history_go_premium() {
        assert!(!is_complex("what should I cook tonight?", 2));
        assert!(!is_complex("please add milk to my list", 2));
        assert!(is_complex(
            "cancel my dentist appointment and book lunch with Sam instead",
            2
        ));
        assert!(is_complex(&"x ".repeat(400), 0));
        assert!(is_complex("hi", LONG_HISTORY + 1));
    }
}
