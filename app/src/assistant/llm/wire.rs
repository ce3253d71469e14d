//! The streamed chunk as we read it: lenient where OpenAI-compatible servers differ (missing
//! `id` or `usage`, `choices` empty, null or absent, unknown fields, arguments in one piece).

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Chunk {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Choice {
    #[serde(default)]
    pub delta: Delta,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Delta {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tool_calls: Vec<ToolCallPiece>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolCallPiece {
    #[serde(default)]
    pub index: usize,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<FunctionPiece>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FunctionPiece {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u32,
    #[serde(default)]
    pub completion_tokens: u32,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A tool call put back together from its fragments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// Joins tool-call fragments by their `index`, whether the arguments come in pieces or whole.
#[derive(Debug, Default)]
pub struct ToolCalls(Vec<ToolCall>);

impl ToolCalls {
    pub fn add(&mut self, piece: ToolCallPiece) {
        // Bounded: no model makes more than a handful of calls in one message.
        if piece.index >= 16 {
            return;
        }
        if self.0.len() <= piece.index {
            self.0.resize_with(piece.index + 1, ToolCall::default);
        }
        let call = &mut self.0[piece.index];
        if let Some(id) = piece.id {
            call.id = id;
        }
        if let Some(f) = piece.function {
            if let Some(name) = f.name {
                call.name.push_str(&name);
            }
            if let Some(args) = f.arguments {
                call.arguments.push_str(&args);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|c| c.name.is_empty())
    }

    pub fn into_vec(self) -> Vec<ToolCall> {
        self.0.into_iter().filter(|c| !c.name.is_empty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_what_compatible_servers_send() {
        let usage: Chunk = serde_json::from_str(
            r#"{"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"timings":{}}"#,
        )
        .unwrap();
        assert!(usage.choices.is_empty());
        assert_eq!(usage.usage.unwrap().completion_tokens, 2);
        let bare: Chunk =
            serde_json::from_str(r#"{"choices":[{"delta":{"content":"hi"}}]}"#).unwrap();
        assert_eq!(bare.choices[0].delta.content.as_deref(), Some("hi"));
        let no_choices: Chunk = serde_json::from_str(r#"{"id":"x"}"#).unwrap();
        assert!(no_choices.choices.is_empty());
    }

    #[test]
    fn joins_interleaved_fragments_by_index() {
        let mut calls = ToolCalls::default();
        let piece = |index, id: Option<&str>, name: Option<&str>, args: &str| ToolCallPiece {
            index,
            id: id.map(str::to_owned),
            function: Some(FunctionPiece {
                name: name.map(str::to_owned),
                arguments: Some(args.to_owned()),
            }),
        };
        calls.add(piece(0, Some("a"), Some("add_task"), ""));
        calls.add(piece(1, Some("b"), Some("list_tasks"), "{}"));
        calls.add(piece(0, None, None, "{\"title\":"));
        calls.add(piece(0, None, None, "\"x\"}"));
        let calls = calls.into_vec();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, "{\"title\":\"x\"}");
        assert_eq!(calls[1].name, "list_tasks");
        assert_eq!(calls[1].id, "b");
    }
}
