//! Server functions of the SMS page.

use leptos::prelude::*;

use super::model::SmsView;
use crate::error::AppError;

/// The texts of `number` (administrators: any number; others: their own phone).
#[server(prefix = "/rpc")]
pub async fn load_sms(number: Option<String>) -> Result<SmsView, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let number = match number.filter(|n| !n.trim().is_empty()) {
        Some(n) if user.is_admin() => Some(crate::phones::model::read(&n, user.tz())?),
        _ => user.phone.clone(),
    };
    let mut thread = match &number {
        Some(n) => super::inbound::thread(&state, n).await?,
        None => Vec::new(),
    };
    let tz = user.tz();
    for text in &mut thread {
        text.when = text
            .at
            .with_timezone(&tz)
            .format("%a %b %-d, %-I:%M:%S %p")
            .to_string();
    }
    Ok(SmsView {
        number,
        any_number: user.is_admin(),
        twilio: state.twilio.is_some(),
        thread,
    })
}

/// Texts Aida as `from` through the webhook's code path (administrators: any number;
/// others: their own verified phone); what Aida answered at once.
#[server(prefix = "/rpc")]
pub async fn simulate_text(from: String, body: String) -> Result<Vec<String>, AppError> {
    let (state, user) = crate::request::acting_user().await?;
    let from = crate::phones::model::read(&from, user.tz())?;
    if !user.is_admin() && user.phone.as_deref() != Some(from.as_str()) {
        return Err(AppError::Forbidden(
            "you can text Aida only from your own verified phone".into(),
        ));
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 1600 {
        return Err(AppError::invalid(
            "body",
            "write a text of 1 to 1600 characters",
        ));
    }
    super::inbound::simulate(&state, &from, body).await
}
