//! Who answers a message: the rules when they understand it (free), else the cheap model, or
//! the premium one for complex requests and when the cheap one fails or asks for it.

use super::reply::Turn;
use super::{Assistant, Failure, NO_MODEL, month_cost};
use crate::assistant::actions::{Action, ActionError};
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
        let chosen = chosen(&state, turn, message)
            .await
            .map_err(|e| (Tier::Rules, e.into()))?;
        if let Some(action) = chosen.or_else(|| rules::understand(message, &user, state.now())) {
            let asked = action.clone();
            let reply = match turn.act(action).await {
                Ok(reply) => reply,
                Err(ActionError::Ask {
                    question,
                    options,
                    ids,
                }) => {
                    let choices: Vec<Action> = ids.iter().filter_map(|&id| asked.on(id)).collect();
                    remember_choices(&state, turn.message_id, &choices).await;
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
        if self
            .over_budget(turn)
            .await
            .map_err(|e| (Tier::None, e.into()))?
        {
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

/// The action a bare option number ("1", "#2", "3)") picks from the question the reply
/// before this one asked, if it asked one.
async fn chosen(state: &AppState, turn: &Turn, message: &str) -> Result<Option<Action>, AppError> {
    let Some(n) = option_number(message) else {
        return Ok(None);
    };
    let mut conn = db::conn(&state.pool).await?;
    let Some(choices) =
        store::last_choices(&mut conn, turn.conversation_id, turn.message_id).await?
    else {
        return Ok(None);
    };
    let choices: Vec<Action> = serde_json::from_value(choices).unwrap_or_default();
    Ok(choices.into_iter().nth(n - 1))
}

/// "1", "#2", "3)" or "4." as a number from 1.
fn option_number(message: &str) -> Option<usize> {
    let text = message.trim();
    let text = text.strip_prefix('#').unwrap_or(text);
    let text = text.trim_end_matches([')', '.']);
    text.parse::<usize>().ok().filter(|n| (1..=9).contains(n))
}

/// Keeps what each numbered option of a question does, for the answer that picks one.
async fn remember_choices(state: &AppState, message_id: i64, choices: &[Action]) {
    let saved = async {
        let json = serde_json::to_value(choices).map_err(|_| AppError::Internal)?;
        let mut conn = db::conn(&state.pool).await?;
        store::set_choices(&mut conn, message_id, &json).await
    }
    .await;
    if let Err(e) = saved {
        tracing::warn!(message_id, error = %e, "could not keep a question's options");
    }
}

async fn history(state: &AppState, turn: &Turn) -> Result<Vec<(Role, String)>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    store::history(&mut conn, turn.conversation_id, turn.message_id, HISTORY).await
}

impl Assistant {
    /// Whether the user's model calls this month reached the budget; if so, says so.
    pub(super) async fn over_budget(&self, turn: &mut Turn) -> Result<bool, AppError> {
        let spent = month_cost(&turn.state, &turn.user).await?;
        if spent < self.budget_microusd {
            return Ok(false);
        }
        turn.say(&format!(
            "You've used this month's budget for the language model (${}), so I can only \
             handle simple requests like “lunch with Sam tomorrow at 1pm” until next month.",
            usd(self.budget_microusd)
                .trim_end_matches('0')
                .trim_end_matches('.')
        ))
        .await;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::option_number;

    #[test]
    fn options_are_answered_by_number() {
        assert_eq!(option_number("1"), Some(1));
        assert_eq!(option_number(" #2 "), Some(2));
        assert_eq!(option_number("3)"), Some(3));
        assert_eq!(option_number("4."), Some(4));
        assert_eq!(option_number("0"), None);
        assert_eq!(option_number("12"), None);
        assert_eq!(option_number("1 pm"), None);
    }
}
