//! Talking with one model: each round streams its text out as it comes and collects tool
//! calls; the calls run as actions and their results go back to the model, until it answers
//! without tools.

use std::time::Duration;

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestToolMessage, ChatCompletionStreamOptions, CreateChatCompletionRequest,
    FunctionCall,
};
use futures::StreamExt;

use super::reply::Turn;
use super::{Assistant, Failure, SAVE_EVERY};
use crate::assistant::actions::ActionError;
use crate::assistant::llm::{self, Llm, LlmError, ModelTier};
use crate::assistant::model::MessageStatus;
use crate::assistant::tools;
use crate::error::AppError;

/// Model requests in one turn (each tool round is one).
const MAX_ROUNDS: usize = 5;

impl Assistant {
    /// Talks with one model until it answers without tools.
    pub(super) async fn converse(
        &self,
        llm: &Llm,
        turn: &mut Turn,
        tier: ModelTier,
        mut messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<MessageStatus, Failure> {
        let tz = turn.user.tz();
        for n in 0..MAX_ROUNDS {
            // Each further request counts against the budget too: a turn of many tool rounds
            // stops where the budget ends.
            if n > 0 && self.over_budget(turn).await? {
                return Ok(MessageStatus::Done);
            }
            let request = CreateChatCompletionRequest {
                messages: messages.clone(),
                tools: Some(tools::definitions(tier == ModelTier::Cheap)),
                stream: Some(true),
                max_completion_tokens: Some(super::MAX_COMPLETION_TOKENS),
                stream_options: Some(ChatCompletionStreamOptions {
                    include_usage: Some(true),
                    include_obfuscation: None,
                }),
                ..Default::default()
            };
            let round = match self.round(llm, turn, tier, &request).await? {
                Round::Stopped => return Ok(MessageStatus::Stopped),
                Round::Said => return Ok(MessageStatus::Done),
                Round::Calls { text, calls } => (text, calls),
            };
            let (text, calls) = round;
            if tier == ModelTier::Cheap
                && turn.untouched()
                && calls.iter().any(|c| c.name == tools::ESCALATE)
            {
                return Err(Failure::Escalate);
            }
            messages.push(ChatCompletionRequestMessage::Assistant(
                ChatCompletionRequestAssistantMessage {
                    content: (!text.is_empty()).then(|| text.into()),
                    tool_calls: Some(
                        calls
                            .iter()
                            .map(|c| {
                                ChatCompletionMessageToolCalls::Function(
                                    ChatCompletionMessageToolCall {
                                        id: c.id.clone(),
                                        function: FunctionCall {
                                            name: c.name.clone(),
                                            arguments: c.arguments.clone(),
                                        },
                                    },
                                )
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
            ));
            for call in calls {
                let result = if call.name == tools::ESCALATE {
                    "Carry on yourself.".to_owned()
                } else {
                    match tools::action(&call.name, &call.arguments, tz) {
                        Ok(action) => match turn.act(action).await {
                            Ok(reply) => reply,
                            // The model hears what the user would, and asks or explains.
                            Err(ActionError::Ask { question, .. }) => question,
                            Err(ActionError::Refuse(said)) => said,
                            Err(ActionError::App(
                                e @ (AppError::Unavailable | AppError::Internal),
                            )) => {
                                return Err(e.into());
                            }
                            Err(ActionError::App(e)) => format!("Error: {e}"),
                        },
                        Err(e) => format!("Error: {e}"),
                    }
                };
                messages.push(ChatCompletionRequestMessage::Tool(
                    ChatCompletionRequestToolMessage {
                        content: result.into(),
                        tool_call_id: call.id,
                    },
                ));
            }
        }
        turn.say("\n\n(I stopped after several steps; tell me if there is more to do.)")
            .await;
        Ok(MessageStatus::Done)
    }

    /// One model request: streams its text out and returns any tool calls.
    async fn round(
        &self,
        llm: &Llm,
        turn: &mut Turn,
        tier: ModelTier,
        request: &CreateChatCompletionRequest,
    ) -> Result<Round, Failure> {
        let mut failed = Vec::new();
        let opened = tokio::select! {
            biased;
            () = turn.cancel.cancelled() => return Ok(Round::Stopped),
            opened = llm.open(tier, request, &mut failed) => opened,
        };
        for attempt in &failed {
            turn.record_call(
                llm,
                Call {
                    tier,
                    model: &attempt.model,
                    endpoint: attempt.endpoint,
                    tokens: (0, 0),
                    latency: attempt.latency,
                    outcome: attempt.error.outcome(),
                },
            )
            .await;
        }
        let mut opened = opened.map_err(Failure::Llm)?;
        let mut calls = llm::wire::ToolCalls::default();
        let mut text = String::new();
        let mut finish: Option<String> = None;
        let mut usage = None;
        let ended = loop {
            let next = tokio::select! {
                biased;
                () = turn.cancel.cancelled() => Next::Stop,
                // A pause in the stream: save what has come so far, for a reload to show.
                () = tokio::time::sleep(SAVE_EVERY), if turn.unsaved => Next::Save,
                next = tokio::time::timeout(llm.timeout(), opened.stream.next()) => {
                    next.map_or(Next::Idle, Next::Item)
                }
            };
            let item = match next {
                Next::Stop => break Err(None),
                Next::Save => {
                    turn.save_progress().await;
                    continue;
                }
                Next::Idle => break Err(Some(LlmError::Truncated)),
                Next::Item(None) => break Ok(()),
                Next::Item(Some(item)) => item,
            };
            let chunk = match llm::chunk(item) {
                Ok(chunk) => chunk,
                Err(e) => break Err(Some(e)),
            };
            usage = chunk.usage.or(usage);
            for choice in chunk.choices {
                if let Some(piece) = choice.delta.content.filter(|p| !p.is_empty()) {
                    text.push_str(&piece);
                    turn.say(&piece).await;
                }
                for piece in choice.delta.tool_calls {
                    calls.add(piece);
                }
                if choice.finish_reason.is_some() {
                    finish = choice.finish_reason;
                }
            }
        };
        // Dropping the stream closes the connection to the model.
        drop(opened.stream);
        let latency = opened.started.elapsed();
        let tokens = usage.map_or_else(
            // Cut off before the usage chunk: estimate at four characters a token.
            || {
                (
                    estimate(&serde_json::to_string(request).unwrap_or_default()),
                    estimate(&text),
                )
            },
            |u| (u.prompt_tokens, u.completion_tokens),
        );
        let outcome = match &ended {
            Err(None) => "stopped",
            Err(Some(e)) => e.outcome(),
            Ok(()) if finish.is_none() => "truncated",
            Ok(()) => "ok",
        };
        turn.record_call(
            llm,
            Call {
                tier,
                model: &opened.model,
                endpoint: opened.endpoint,
                tokens,
                latency,
                outcome,
            },
        )
        .await;
        match ended {
            Err(None) => Ok(Round::Stopped),
            Err(Some(e)) => Err(Failure::Llm(e)),
            // A stream that ends without saying why was cut off.
            Ok(()) if finish.is_none() => Err(Failure::Llm(LlmError::Truncated)),
            Ok(()) if calls.is_empty() => Ok(Round::Said),
            Ok(()) => Ok(Round::Calls {
                text,
                calls: calls.into_vec(),
            }),
        }
    }
}

/// What woke a streaming round.
enum Next {
    Item(Option<Result<llm::wire::Chunk, async_openai::error::OpenAIError>>),
    Idle,
    Stop,
    Save,
}

/// One request to a model, as recorded.
pub(super) struct Call<'a> {
    pub(super) tier: ModelTier,
    pub(super) model: &'a str,
    pub(super) endpoint: &'static str,
    /// Input and output tokens.
    pub(super) tokens: (u32, u32),
    pub(super) latency: Duration,
    pub(super) outcome: &'a str,
}

enum Round {
    Stopped,
    Said,
    Calls {
        text: String,
        calls: Vec<llm::wire::ToolCall>,
    },
}

fn estimate(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}
