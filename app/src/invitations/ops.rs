//! Inviting, answering, and the `.ics` of an invitation.

use rand::Rng;

use super::model::{Answer, Attendee, Invitation};
use super::store;
use crate::assistant::phrases;
use crate::auth::model::User;
use crate::db;
use crate::error::AppError;
use crate::events::model::{Event, Source};
use crate::sms::outbox::{self, Message, Purpose};
use crate::state::AppState;

/// Attendees one event may have.
pub const MOST: i64 = 20;

/// Invites `typed` (a phone, read in the owner's timezone) to `owner`'s event `event_id`,
/// with the text that tells them, in one transaction.
pub async fn invite(
    state: &AppState,
    owner: &User,
    event_id: i64,
    typed: &str,
    name: &str,
) -> Result<Attendee, AppError> {
    let phone = crate::phones::model::read(typed, owner.tz())?;
    let name = name.trim();
    if name.chars().count() > 100 {
        return Err(AppError::invalid("name", "use at most 100 characters"));
    }
    if owner.phone.as_deref() == Some(phone.as_str()) {
        return Err(AppError::invalid("phone", "that is your own number"));
    }
    let token = hex::encode(rand::thread_rng().r#gen::<[u8; 24]>());
    state
        .write(async |tx| {
            let event = crate::events::ops::get_on(tx.conn(), owner, event_id).await?;
            if store::count_for_event(tx.conn(), event.id).await? >= MOST {
                return Err(AppError::invalid(
                    "phone",
                    format!("an event can have at most {MOST} people invited"),
                ));
            }
            let invitee = crate::auth::store::find_by_phone(tx.conn(), &phone).await?;
            let Some(attendee) = store::insert(
                tx.conn(),
                owner.id,
                event.id,
                &phone,
                name,
                invitee.as_ref().map(|u| u.id),
                &token,
            )
            .await?
            else {
                return Err(AppError::invalid("phone", "this number is already invited"));
            };
            let body = match &invitee {
                Some(invitee) => format!(
                    "{} invited you to {}. Reply ACCEPT or DECLINE, or answer in Aida.",
                    owner.display_name(),
                    phrases::event(&event, invitee.tz())
                ),
                None => format!(
                    "{} invited you to {} ({}). Add it to your calendar: {}/invitations/{token}",
                    owner.display_name(),
                    phrases::event(&event, owner.tz()),
                    owner.timezone,
                    state.settings.public_url
                ),
            };
            let body = crate::assistant::wording::for_channel(
                crate::assistant::model::Channel::Sms,
                &body,
            );
            outbox::queue(
                tx,
                state,
                Message::new(Some(owner.id), &phone, &body, Purpose::Invitation),
            )
            .await?;
            Ok(attendee)
        })
        .await
}

/// Who is invited to `owner`'s event.
pub async fn attendees(
    state: &AppState,
    owner: &User,
    event_id: i64,
) -> Result<Vec<Attendee>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    crate::events::ops::get_on(&mut conn, owner, event_id).await?;
    store::for_event(&mut conn, owner.id, event_id).await
}

/// The invitations `user` has not answered, newest first.
pub async fn waiting(state: &AppState, user: &User) -> Result<Vec<Invitation>, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let mut out = Vec::new();
    for w in store::waiting(&mut conn, user.id, None).await? {
        let owner = crate::auth::store::find(&mut conn, w.owner_id).await?;
        match crate::events::ops::get_on(&mut conn, &owner, w.event_id).await {
            Ok(event) => out.push(Invitation {
                id: w.id,
                from: owner.display_name().to_owned(),
                title: event.title.clone(),
                when: phrases::event_when(&event, user.tz()),
            }),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Answers invitation `id` (or, by text, the newest one waiting); a sentence saying what was
/// done. Accepting puts a copy of the event in `user`'s calendar; the owner is told by text.
pub async fn answer(
    state: &AppState,
    user: &User,
    id: Option<i64>,
    accept: bool,
) -> Result<String, AppError> {
    state
        .write(async |tx| {
            let waiting = store::waiting(tx.conn(), user.id, id).await?;
            let Some(w) = waiting.into_iter().next() else {
                return match id {
                    Some(_) => Err(AppError::NotFound),
                    None => Ok("You have no invitation waiting for an answer.".to_owned()),
                };
            };
            let owner = crate::auth::store::find(tx.conn(), w.owner_id).await?;
            let event: Event = crate::events::ops::get_on(tx.conn(), &owner, w.event_id).await?;
            let (answer, copy) = if accept {
                let mut input = event.to_input();
                input.description = Some(
                    format!("Invited by {}. {}", owner.display_name(), event.description)
                        .trim()
                        .to_owned(),
                );
                let copy = crate::events::ops::create(tx, user, input, Source::Invitation).await?;
                (Answer::Accepted, Some(copy.id))
            } else {
                (Answer::Declined, None)
            };
            let now = tx.now();
            if !store::answer(tx.conn(), w.id, answer, copy, now).await? {
                return Err(AppError::invalid(
                    "invitation",
                    "this invitation was already answered",
                ));
            }
            let verb = if accept { "accepted" } else { "declined" };
            if let Some(phone) = owner.phone.as_deref() {
                let body = crate::assistant::wording::for_channel(
                    crate::assistant::model::Channel::Sms,
                    &format!(
                        "{} {verb} {}.",
                        user.display_name(),
                        phrases::event(&event, owner.tz())
                    ),
                );
                outbox::queue(
                    tx,
                    state,
                    Message::new(Some(owner.id), phone, &body, Purpose::Notice),
                )
                .await?;
            }
            let said = phrases::event(&event, user.tz());
            Ok(if accept {
                format!("Accepted {said}: it's in your calendar.")
            } else {
                format!("Declined {said}; {} will be told.", owner.display_name())
            })
        })
        .await
}

/// The event an invitation link names, as an `.ics` file.
pub async fn ics(state: &AppState, token: &str) -> Result<String, AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let Some((event_id, owner_id)) = store::by_token(&mut conn, token).await? else {
        return Err(AppError::NotFound);
    };
    let owner = crate::auth::store::find(&mut conn, owner_id).await?;
    let event = crate::events::ops::get_on(&mut conn, &owner, event_id).await?;
    let host = state
        .settings
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("aida")
        .to_owned();
    Ok(crate::ical::event_file(
        &event,
        &format!("event-{}@{host}", event.id),
        state.now(),
    ))
}
