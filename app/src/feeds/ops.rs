//! Making, replacing and turning off a user's feed, and writing it.

use chrono::Duration;

use super::store;
use crate::auth::model::{AccountStatus, User};
use crate::db;
use crate::error::AppError;
use crate::ical::{Calendar, Repeats, VEvent};
use crate::state::AppState;

/// How far back a feed reaches; what is ahead has no limit (series repeat for ever).
const PAST_DAYS: i64 = 365;

/// The feed's address, if the user has one.
pub async fn address(state: &AppState, user: &User) -> Result<Option<String>, AppError> {
    let conn = db::conn(&state.pool).await?;
    let token = store::token(&conn, user.id).await?;
    Ok(token.map(|t| url(state, &t)))
}

/// A new address; the one before stops working.
pub async fn renew(state: &AppState, user: &User) -> Result<String, AppError> {
    let token = hex::encode(rand::random::<[u8; 24]>());
    state
        .write(async |tx| {
            let now = tx.now();
            store::set_token(tx.conn(), user.id, &token, now).await
        })
        .await?;
    tracing::info!(user_id = user.id, "calendar feed address made");
    Ok(url(state, &token))
}

/// No address: subscribed calendars get 404 from now on.
pub async fn turn_off(state: &AppState, user: &User) -> Result<(), AppError> {
    state
        .write(async |tx| store::remove(tx.conn(), user.id).await)
        .await
}

fn url(state: &AppState, token: &str) -> String {
    format!("{}/feeds/{token}.ics", state.settings.public_url)
}

/// The feed behind `token`: every event of the last year and ahead, a series as one VEVENT
/// with its rule and exceptions. Not found for an unknown token or an account not active.
pub async fn file(state: &AppState, token: &str) -> Result<String, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let user_id = store::owner(&conn, token).await?;
    let user = crate::auth::store::find(&mut conn, user_id).await?;
    if user.status != AccountStatus::Active {
        return Err(AppError::NotFound);
    }
    let since = state.now() - Duration::days(PAST_DAYS);
    let rows = crate::events::ops::for_feed(&conn, &user, since).await?;
    let host = host(&state.settings.public_url);
    let name = if user.name.is_empty() {
        "Aida".to_owned()
    } else {
        format!("{} (Aida)", user.name)
    };
    let mut calendar = Calendar::new("Calendar feed 1.0", Some(&name));
    for row in &rows {
        let uid = format!(
            "event-{}@{host}",
            row.series.map_or(row.event.id, |(s, ..)| s)
        );
        calendar.add(&VEvent {
            event: &row.event,
            uid: &uid,
            stamp: row.updated_at,
            repeats: row.repeats.as_ref().map(|(tz, excluded)| Repeats {
                rule: row.event.recurrence.as_deref().unwrap_or_default(),
                tz: *tz,
                excluded,
            }),
            replaces: row.series.map(|(_, at, tz)| (at, tz)),
        });
    }
    Ok(calendar.finish())
}

/// The host part of the public address, for UIDs ("aida.example.com").
fn host(public_url: &str) -> &str {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    rest.split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("aida")
}

#[cfg(test)]
mod tests {
    #[test]
    fn uids_take_the_public_host() {
        assert_eq!(super::host("https://aida.example.com/"), "aida.example.com");
        assert_eq!(super::host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(super::host(""), "aida");
    }
}
