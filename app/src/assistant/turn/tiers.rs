//! Who answers a message: the rules when they understand it (free), else the cheap model, or
//! the premium one for complex requests and when the cheap one fails or asks for it.

use super::reply::Turn;
use super::{Assistant, Failure, NO_MODEL, month_cost};
use crate::assistant::actions::ActionError;
use crate::assistant::llm::{LlmError, ModelTier};
use crate::assistant::model::{MessageStatus, Role, Tier, TurnOutcome, usd};
use crate::assistant::{prompt, rules, store, wording};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// Messages of the conversation the model sees.
const HISTORY: i64 = 20;

impl Assistant {
    /// Answers `message`; returns who answered, or who failed and why.
    pub(super) async fn answer(
        &self,
        turn: &mut Turn,
        message: &str,
    ) -> Result<(Tier, MessageStatus), (Tier, Failure)> {
        let state = turn.state.clone();
        let user = turn.user.clone();
        if let Some(action) = rules::understand(message, &user, state.now()) {
            let reply = match turn.act(action).await {
                Ok(reply) => reply,
                Err(ActionError::Ask { question, options }) => {
                    turn.outcome = TurnOutcome::Question { options };
                    question
                }
                Err(ActionError::Refuse(said)) => {
                    turn.outcome = TurnOutcome::Refused;
                    said
                }
                Err(ActionError::App(e @ (AppError::Unavailable | AppError::Internal))) => {
                    return Err((Tier::Rules, e.into()));
                }
                Err(ActionError::App(e)) => {
                    turn.outcome = TurnOutcome::Refused;
                    wording::refusal(&e)
                }
            };
            turn.say(&reply).await;
            return Ok((Tier::Rules, MessageStatus::Done));
        }
        let Some(llm) = &self.llm else {
            turn.say(NO_MODEL).await;
            return Ok((Tier::None, MessageStatus::Done));
        };
        let spent = month_cost(&state, &user)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        if spent >= self.budget_microusd {
            turn.say(&format!(
                "You've used this month's budget for the language model (${}), so I can only \
                 handle simple requests like “lunch with Sam tomorrow at 1pm” until next month.",
                usd(self.budget_microusd)
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            ))
            .await;
            return Ok((Tier::None, MessageStatus::Done));
        }
        let history = history(&state, turn)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        let system = prompt::system(&state, &user)
            .await
            .map_err(|e| (Tier::None, e.into()))?;
        let start_premium = prompt::is_complex(message, history.len());
        let messages = prompt::messages(system, history);
        if !start_premium {
            match self
                .converse(llm, turn, ModelTier::Cheap, messages.clone())
                .await
            {
                Ok(status) => return Ok((Tier::Cheap, status)),
                // A failed cheap try that said and did nothing hands over to the premium model,
                // unless the account itself is refused.
                Err(Failure::Escalate) => {}
                Err(Failure::Llm(e)) if turn.untouched() && e != LlmError::Quota => {
                    tracing::info!(error = %e, "cheap model failed; trying the premium one");
                }
                Err(failure) => return Err((Tier::Cheap, failure)),
            }
        }
        self.converse(llm, turn, ModelTier::Premium, messages)
            .await
            .map(|status| (Tier::Premium, status))
            .map_err(|failure| (Tier::Premium, failure))
    }
}

async fn history(state: &AppState, turn: &Turn) -> Result<Vec<(Role, String)>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::history(&mut conn, turn.conversation_id, turn.message_id, HISTORY).await
}
