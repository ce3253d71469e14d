//! What a voice agent's requests do: find whose agent is calling, answer whether a time is
//! free, and book it. Every answer is given within the time budget: what cannot be booked in
//! time goes to the spool (the database is away or slow) or to the failure log (anything
//! else), and the caller is told the request was taken.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::availability::{self, Answer, Asked, Known};
use super::model::VoiceBooking;
use super::retell::{Call, ToolCall};
use super::settings::BookingSettings;
use super::{failures, notices, spoken, spool, store};
use crate::auth::model::User;
use crate::db::{self, tx::Tx};
use crate::error::AppError;
use crate::events::model::{EventInput, Source};
use crate::scheduling::{self, Busy, Verdict};
use crate::state::AppState;

/// How an owner is named in a request: by the Retell agent in its call, or, for tools whose
/// arguments come alone, by the token in the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKey {
    Agent(String),
    Token(String),
}

impl OwnerKey {
    /// The agent in the call, else the URL's `owner` token.
    pub fn of(call: Option<&Call>, token: Option<&str>) -> Option<Self> {
        match (call, token) {
            (Some(call), _) if !call.agent_id.is_empty() => {
                Some(Self::Agent(call.agent_id.clone()))
            }
            (_, Some(token)) if !token.is_empty() => Some(Self::Token(token.to_owned())),
            _ => None,
        }
    }
}

/// The owner a request books for.
#[derive(Debug, Clone)]
pub struct Owner {
    pub user: User,
    pub settings: BookingSettings,
}

/// Why a request is refused before anything is done.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("no owner has this agent or token")]
    UnknownOwner,
    #[error("more than {0} requests this minute")]
    TooMany(i32),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What the agent may say when an owner's requests are over the rate.
pub const TOO_MANY: &str = "The booking line is very busy right now. Please try again in a minute.";

/// The owner `key` names, with their settings.
pub async fn find_owner(
    conn: &mut diesel_async::AsyncPgConnection,
    key: &OwnerKey,
) -> Result<Option<Owner>, AppError> {
    let user_id = match key {
        OwnerKey::Agent(agent) => store::owner_of_agent(conn, agent).await?,
        OwnerKey::Token(token) => store::owner_of_token(conn, token).await?,
    };
    match user_id {
        Some(user_id) => find_owner_by_id(conn, user_id).await,
        None => Ok(None),
    }
}

/// The owner `user_id` with their settings, if they take bookings at all (an active account
/// with saved settings).
pub async fn find_owner_by_id(
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: i64,
) -> Result<Option<Owner>, AppError> {
    let user = crate::auth::store::find(conn, user_id).await?;
    if user.status != crate::auth::model::AccountStatus::Active {
        return Ok(None);
    }
    Ok(store::settings(conn, user_id)
        .await?
        .map(|settings| Owner { user, settings }))
}

/// The owner `key` names, counting this request against their rate.
pub async fn admit(state: &AppState, key: &OwnerKey) -> Result<Owner, Refused> {
    let mut conn = db::conn(&state.pool).await?;
    let owner = find_owner(&mut conn, key)
        .await?
        .ok_or(Refused::UnknownOwner)?;
    let minute = state
        .now()
        .duration_trunc(Duration::minutes(1))
        .map_err(|_| AppError::Internal)?;
    let count = store::count_request(&mut conn, owner.user.id, minute).await?;
    let limit = state.settings.voice.requests_per_minute;
    if count > limit {
        return Err(Refused::TooMany(limit));
    }
    Ok(owner)
}

/// The answer to `check_availability`.
pub async fn check_availability(
    state: &AppState,
    owner: &Owner,
    request: &ToolCall,
) -> Result<Answer, AppError> {
    let now = state.now();
    let s = &owner.settings;
    if !s.enabled {
        return Ok(unanswered("Bookings by phone are closed at the moment."));
    }
    let length = match length(s, request) {
        Ok(length) => length,
        Err(said) => return Ok(unanswered(&said)),
    };
    let Some(text) = request.text("requested_time_string") else {
        return Ok(unanswered("Which day and time would suit you?"));
    };
    let Some(asked) = Asked::read(&text, now, s.tz()) else {
        return Ok(unanswered(
            "I didn't catch the time. Could you say a day and time, like Tuesday at 2 PM?",
        ));
    };
    let mut conn = db::conn(&state.pool).await?;
    let (busy, known) = busy_near(&mut conn, owner, asked, now).await?;
    Ok(availability::answer(
        &s.rules(),
        &busy,
        known,
        now,
        asked,
        length,
    ))
}

fn unanswered(message: &str) -> Answer {
    Answer {
        available: false,
        alternatives: Vec::new(),
        message: message.to_owned(),
    }
}

/// The meeting length asked for, or the owner's first; an allowed one, else what to say.
fn length(s: &BookingSettings, request: &ToolCall) -> Result<Duration, String> {
    let minutes = match request.number("duration_minutes") {
        None => i64::from(s.default_length()),
        Some(m) if s.lengths.iter().any(|l| i64::from(*l) == m) => m,
        Some(_) => {
            let allowed: Vec<String> = s.lengths.iter().map(i32::to_string).collect();
            let allowed = match allowed.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} or {last}", rest.join(", "))
                }
                _ => allowed.concat(),
            };
            return Err(format!("Meetings can be {allowed} minutes long."));
        }
    };
    Ok(Duration::minutes(minutes))
}

/// How far around what was asked busy time is read: free times are only offered inside it.
pub(super) const AROUND: Duration = Duration::days(14);

/// The owner's busy time in `[from, to)`, but for the event `except` (one being moved).
pub(super) async fn busy_between(
    conn: &mut diesel_async::AsyncPgConnection,
    owner: &Owner,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<i64>,
) -> Result<Vec<Busy>, AppError> {
    let events = crate::events::ops::list_on(conn, &owner.user, from, to).await?;
    let google = crate::google::busy::between(conn, owner.user.id, from, to).await?;
    Ok(events
        .iter()
        .filter(|e| Some(e.id) != except)
        .filter_map(crate::events::model::Event::busy)
        .chain(google)
        .collect())
}

/// The owner's busy time around `asked`, and the span it covers (the rules add the buffer).
async fn busy_near(
    conn: &mut diesel_async::AsyncPgConnection,
    owner: &Owner,
    asked: Asked,
    now: DateTime<Utc>,
) -> Result<(Vec<Busy>, Known), AppError> {
    let (from, to) = match asked {
        Asked::Slot(t) => (t, t),
        Asked::Window { from, to } => (from, to),
    };
    let horizon = now + Duration::days(i64::from(owner.settings.horizon_days));
    let known = Known {
        from: (from - AROUND).max(now - Duration::days(1)),
        to: (to + AROUND)
            .min(horizon + Duration::days(1))
            .max(from + Duration::days(1)),
    };
    let busy = busy_between(conn, owner, known.from, known.to, None).await?;
    Ok((busy, known))
}

/// A booking as the caller asked for it, read and checked.
#[derive(Debug, Clone)]
pub struct BookRequest {
    /// Retell's call id; for tools without a call, the caller's phone stands in.
    pub call_id: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub start: DateTime<Utc>,
    pub length: Duration,
    pub notes: String,
}

/// What booking did.
#[derive(Debug, Clone)]
pub enum Booked {
    /// Booked now, or by an earlier try of the same request.
    Done { booking: VoiceBooking },
    /// The time cannot be booked; free times instead.
    NotFree(Answer),
}

/// Reads a `book` request as of `now` (when the caller asked).
pub fn read_book(
    owner: &Owner,
    call: Option<&Call>,
    args: &ToolCall,
    now: DateTime<Utc>,
) -> Result<BookRequest, Answer> {
    let s = &owner.settings;
    let tz = s.tz();
    let Some(customer_name) = args.text("customer_name") else {
        return Err(unanswered("May I have your name for the booking?"));
    };
    let phone = args
        .text("customer_phone")
        .or_else(|| call.and_then(|c| c.from_number.clone()));
    let Some(customer_phone) = phone.and_then(|p| crate::phones::model::read(&p, tz).ok()) else {
        return Err(unanswered(
            "What phone number should the booking be under, with the area code?",
        ));
    };
    let length = length(s, args).map_err(|said| unanswered(&said))?;
    let Some(start_said) = args.text("start") else {
        return Err(unanswered("Which day and time would you like?"));
    };
    let start = match Asked::read(&start_said, now, tz) {
        Some(Asked::Slot(start)) => start,
        Some(Asked::Window { .. }) => {
            return Err(unanswered("Which exact time would you like?"));
        }
        None => {
            return Err(unanswered(
                "I didn't catch the time. Could you say a day and time, like Tuesday at 2 PM?",
            ));
        }
    };
    let call_id = call
        .map(|c| c.call_id.clone())
        .or_else(|| args.text("call_id"))
        .unwrap_or_else(|| format!("caller:{customer_phone}"));
    Ok(BookRequest {
        call_id,
        customer_name: customer_name.chars().take(200).collect(),
        customer_phone,
        start,
        length,
        notes: args
            .text("notes")
            .map(|n| n.chars().take(2000).collect())
            .unwrap_or_default(),
    })
}

/// Books `request` for `owner` in one transaction: the event, the booking row and the texts
/// it causes, or nothing. Owners' bookings are taken one at a time, so of two callers asking
/// for one slot exactly one gets it. `asked_at` is when the caller asked (notice and horizon
/// count from it); busy time is as it is now.
pub async fn book(
    state: &AppState,
    owner: &Owner,
    request: &BookRequest,
    asked_at: DateTime<Utc>,
) -> Result<Booked, AppError> {
    let mut tx = state.begin().await?;
    let booked = book_in(&mut tx, state, owner, request, asked_at).await?;
    tx.commit().await?;
    Ok(booked)
}

async fn book_in(
    tx: &mut Tx,
    state: &AppState,
    owner: &Owner,
    request: &BookRequest,
    asked_at: DateTime<Utc>,
) -> Result<Booked, AppError> {
    let user = &owner.user;
    let s = &owner.settings;
    store::lock_owner(tx.conn(), user.id).await?;
    if let Some(booking) =
        store::find_booking(tx.conn(), user.id, &request.call_id, request.start).await?
    {
        return Ok(Booked::Done { booking });
    }
    if !s.enabled {
        return Ok(Booked::NotFree(unanswered(
            "Bookings by phone are closed at the moment.",
        )));
    }
    let asked = Asked::Slot(request.start);
    let (busy, known) = busy_near(tx.conn(), owner, asked, asked_at).await?;
    let rules = s.rules();
    let verdict = scheduling::check(&rules, &busy, asked_at, request.start, request.length);
    if verdict != Verdict::Free || request.start < tx.now() {
        let now = tx.now().max(asked_at);
        let mut answer = availability::answer(&rules, &busy, known, now, asked, request.length);
        if matches!(verdict, Verdict::Busy { .. }) {
            answer.message = format!(
                "{} is no longer available. {}",
                spoken::when(request.start, s.tz()),
                availability::offer(&answer.alternatives, s.tz())
            );
        }
        answer.available = false;
        return Ok(Booked::NotFree(answer));
    }
    let end = request.start + request.length;
    let mut description = format!(
        "Booked by phone.\nCaller: {}, {}",
        request.customer_name, request.customer_phone
    );
    if !request.notes.is_empty() {
        description.push_str(&format!("\nNotes: {}", request.notes));
    }
    let event = crate::events::ops::create(
        tx,
        user,
        EventInput {
            title: format!("Meeting with {}", request.customer_name),
            description: Some(description),
            start: request.start.to_rfc3339(),
            end: Some(end.to_rfc3339()),
            ..EventInput::default()
        },
        Source::Voice,
    )
    .await?;
    let manage_token = hex::encode(rand::random::<[u8; 24]>());
    let now = tx.now();
    let booking = store::insert_booking(
        tx.conn(),
        user.id,
        &store::NewBooking {
            call_id: &request.call_id,
            start: request.start,
            end,
            event_id: event.id,
            customer_name: &request.customer_name,
            customer_phone: &request.customer_phone,
            notes: &request.notes,
            manage_token: &manage_token,
        },
        now,
    )
    .await?;
    notices::booked(tx, state, owner, &booking, &manage_token).await?;
    tracing::info!(
        user_id = user.id,
        booking_id = booking.id,
        event_id = event.id,
        "a caller booked a meeting"
    );
    Ok(Booked::Done { booking })
}

/// What the `check_availability` webhook answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailabilityReply {
    pub available: bool,
    /// RFC 3339 starts.
    pub alternatives: Vec<String>,
    pub message: String,
}

impl AvailabilityReply {
    /// The answer when the calendar cannot be read in time.
    pub fn cannot_see() -> Self {
        Self::from(unanswered(
            "I can't see the calendar right now. I can take your request, and the office will \
             confirm it by text.",
        ))
    }
}

impl From<Answer> for AvailabilityReply {
    fn from(answer: Answer) -> Self {
        Self {
            available: answer.available,
            alternatives: answer.alternatives.iter().map(rfc3339).collect(),
            message: answer.message,
        }
    }
}

/// Answers a `check_availability` request within the budget: the calendar's answer, or, when
/// the database is away or slow, that it cannot be seen now.
pub async fn availability_within_budget(
    state: &AppState,
    key: &OwnerKey,
    request: &ToolCall,
) -> Result<AvailabilityReply, Refused> {
    let work = async {
        let owner = admit(state, key).await?;
        Ok::<_, Refused>(check_availability(state, &owner, request).await?)
    };
    match tokio::time::timeout(state.settings.voice.answer_within, work).await {
        Ok(Ok(answer)) => Ok(answer.into()),
        Ok(Err(Refused::App(e))) => {
            tracing::warn!(error = %e, "availability could not be read");
            Ok(AvailabilityReply::cannot_see())
        }
        Ok(Err(refused)) => Err(refused),
        Err(_) => {
            tracing::warn!("check-availability ran out of time");
            Ok(AvailabilityReply::cannot_see())
        }
    }
}

/// What the `book` webhook answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookReply {
    pub booked: bool,
    /// The request is kept and the owner will confirm (the booking could not be made now).
    pub request_taken: bool,
    pub message: String,
    pub alternatives: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl BookReply {
    fn from_answer(answer: Answer) -> Self {
        Self {
            booked: false,
            request_taken: false,
            message: answer.message,
            alternatives: answer.alternatives.iter().map(rfc3339).collect(),
            start: None,
            end: None,
        }
    }

    fn taken() -> Self {
        Self {
            booked: false,
            request_taken: true,
            message: "Thank you, your request is taken. You'll get a text to confirm it."
                .to_owned(),
            alternatives: Vec::new(),
            start: None,
            end: None,
        }
    }
}

pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A `book` request as received: enough to book it later, from the spool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub key: OwnerKey,
    pub call: Option<Call>,
    pub args: Map<String, Value>,
    pub received_at: DateTime<Utc>,
}

impl Received {
    fn tool_call(&self) -> ToolCall {
        ToolCall {
            call: self.call.clone(),
            args: self.args.clone(),
        }
    }
}

/// Answers a `book` request within the budget, whatever fails behind it.
///
/// - Booked, not free, or a detail missing: said as it is.
/// - The database away, or slower than the budget: the request goes to the spool (synced to
///   disk) and is booked when the database answers again; the caller is told it was taken.
/// - Anything else: a failure is logged, the owner is texted to book by hand, and the caller
///   is told the request was taken.
pub async fn book_within_budget(
    state: &AppState,
    received: &Received,
) -> Result<BookReply, Refused> {
    let budget = state.settings.voice.answer_within;
    let started = tokio::time::Instant::now();
    let for_db = budget.saturating_sub(SPOOL_MARGIN);
    match tokio::time::timeout(for_db, attempt(state, received)).await {
        Ok(Ok(Attempt::Answered(reply))) => Ok(reply),
        Ok(Ok(Attempt::Failed(failed))) => {
            let (owner, request, error) = *failed;
            tracing::error!(error = %error, user_id = owner.user.id, "a booking failed");
            let failed = request.failure(&owner, "the booking could not be saved");
            let left = budget.saturating_sub(started.elapsed() + SPOOL_MARGIN);
            let recorded =
                tokio::time::timeout(left, failures::record(state, &owner, &failed)).await;
            if !matches!(recorded, Ok(Ok(()))) {
                spool_or_log(state, received).await;
            }
            Ok(BookReply::taken())
        }
        Ok(Err(Refused::App(error))) => {
            tracing::warn!(error = %error, "the database could not take a booking; spooled");
            spool_or_log(state, received).await;
            Ok(BookReply::taken())
        }
        Ok(Err(refused)) => Err(refused),
        Err(_) => {
            tracing::warn!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "a booking ran out of time; spooled"
            );
            spool_or_log(state, received).await;
            Ok(BookReply::taken())
        }
    }
}

/// How one try at a booking ended, when the database answered.
enum Attempt {
    Answered(BookReply),
    /// The database answered with an error other than being away.
    Failed(Box<(Owner, BookRequest, AppError)>),
}

async fn attempt(state: &AppState, received: &Received) -> Result<Attempt, Refused> {
    let owner = admit(state, &received.key).await?;
    let args = received.tool_call();
    let request = match read_book(&owner, received.call.as_ref(), &args, received.received_at) {
        Ok(request) => request,
        Err(ask) => return Ok(Attempt::Answered(BookReply::from_answer(ask))),
    };
    match book(state, &owner, &request, received.received_at).await {
        Ok(booked) => Ok(Attempt::Answered(reply_for(&owner, booked))),
        Err(AppError::Unavailable) => Err(Refused::App(AppError::Unavailable)),
        Err(error) => Ok(Attempt::Failed(Box::new((owner, request, error)))),
    }
}

/// Time kept back from the database for writing the spool and answering.
const SPOOL_MARGIN: StdDuration = StdDuration::from_millis(400);

async fn spool_or_log(state: &AppState, received: &Received) {
    if let Err(e) = spool::put(&state.settings.voice.data_dir, received).await {
        tracing::error!(error = %e, ?received, "a booking could neither be made nor spooled");
    }
}

fn reply_for(owner: &Owner, booked: Booked) -> BookReply {
    let tz = owner.settings.tz();
    match booked {
        Booked::Done { booking } => BookReply {
            booked: true,
            request_taken: false,
            message: format!(
                "You're booked for {}. {}",
                spoken::when(booking.start, tz),
                if owner.settings.confirm_callers {
                    "You'll get a text with the details."
                } else {
                    "Thank you."
                }
            ),
            alternatives: Vec::new(),
            start: Some(rfc3339(&booking.start)),
            end: Some(rfc3339(&booking.end)),
        },
        Booked::NotFree(answer) => BookReply::from_answer(answer),
    }
}

impl BookRequest {
    /// This request as a failure to record, with `reason`.
    pub fn failure(&self, owner: &Owner, reason: &str) -> failures::Failed {
        failures::Failed {
            call_id: self.call_id.clone(),
            customer_name: self.customer_name.clone(),
            customer_phone: self.customer_phone.clone(),
            requested: spoken::when(self.start, owner.settings.tz()),
            reason: reason.to_owned(),
        }
    }
}

/// Books a spooled request now that the database answers: booked as usual, or, when it can
/// no longer be booked as asked, logged as a failure with the owner texted. `Unavailable`
/// while the database is still away (the request stays spooled).
pub async fn replay(state: &AppState, received: &Received) -> Result<(), AppError> {
    let mut conn = db::conn(&state.pool).await?;
    let Some(owner) = find_owner(&mut conn, &received.key).await? else {
        tracing::error!(?received, "a spooled booking names no owner; dropped");
        return Ok(());
    };
    drop(conn);
    let args = received.tool_call();
    let request = match read_book(&owner, received.call.as_ref(), &args, received.received_at) {
        Ok(request) => request,
        Err(ask) => {
            let failed = failures::Failed {
                call_id: received
                    .call
                    .as_ref()
                    .map_or_else(|| "unknown".to_owned(), |c| c.call_id.clone()),
                customer_name: args.text("customer_name").unwrap_or_default(),
                customer_phone: args.text("customer_phone").unwrap_or_default(),
                requested: args.text("start").unwrap_or_default(),
                reason: format!("the request was incomplete: {}", ask.message),
            };
            return failures::record(state, &owner, &failed).await;
        }
    };
    let reason = match book(state, &owner, &request, received.received_at).await {
        Ok(Booked::Done { .. }) => return Ok(()),
        Ok(Booked::NotFree(_)) => "taken while the database was away; the time is no longer free",
        Err(AppError::Unavailable) => return Err(AppError::Unavailable),
        Err(error) => {
            tracing::error!(error = %error, user_id = owner.user.id, "a spooled booking failed");
            "the booking could not be saved"
        }
    };
    failures::record(state, &owner, &request.failure(&owner, reason)).await
}
