//! The demo account (`demo@aida.local` / `demo-password`, an active admin, phone
//! +1 416 555 0100 for the SMS simulator, taking bookings by phone from the Retell agent
//! `agent_demo`) and a few weeks of realistic events, tasks and expenses around today, created
//! through the same operations as every other door. Running it again changes nothing.

use chrono::{Datelike, Duration, NaiveDate};

use app::auth::model::User;
use app::auth::ops::{self, ProfilePatch, SignUp};
use app::error::AppError;
use app::events::model::{EventInput, Source};
use app::expenses::model::{AmountText, ExpenseInput};
use app::state::AppState;
use app::tasks::model::{Priority, TaskInput};

pub const EMAIL: &str = "demo@aida.local";
pub const PASSWORD: &str = "demo-password";
const TIMEZONE: &str = "America/Toronto";
/// The demo account's verified phone: a fictional number (555-01xx), for the SMS simulator.
pub const PHONE: &str = "+14165550100";

/// The Retell agent that books for the demo account.
pub const AGENT: &str = "agent_demo";

/// Creates the demo administrator and its sample data if absent; returns its email.
pub async fn seed(state: &AppState) -> Result<String, AppError> {
    let created = ops::create_admin(
        state,
        SignUp {
            email: EMAIL.into(),
            password: PASSWORD.into(),
            name: "Demo".into(),
        },
    )
    .await;
    let user = match created {
        Ok(user) => user,
        // Already there: leave its data as the person left it.
        Err(AppError::Invalid(_)) => return Ok(EMAIL.to_owned()),
        Err(e) => return Err(e),
    };
    let user = ops::update_profile(
        state,
        &user,
        ProfilePatch {
            name: Some("Alex Demo".into()),
            timezone: Some(TIMEZONE.into()),
            currency: Some("CAD".into()),
            default_meeting_minutes: Some(30),
            reminder_minutes: None,
        },
    )
    .await?;
    app::phones::ops::assign(state, &user, PHONE).await?;
    let today = state.now().with_timezone(&user.tz()).date_naive();
    seed_events(state, &user, today).await?;
    seed_tasks(state, &user, today).await?;
    seed_expenses(state, &user, today).await?;
    app::booking::ops::change_settings(
        state,
        &user,
        app::booking::settings::SettingsChange {
            enabled: Some(true),
            buffer_minutes: Some(10),
            confirm_callers: Some(true),
            agent_ids: Some(vec![AGENT.into()]),
            ..Default::default()
        },
    )
    .await?;
    tracing::info!(email = EMAIL, "demo account created with sample data");
    Ok(EMAIL.to_owned())
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> String {
    format!("{day}T{hour:02}:{minute:02}")
}

async fn event(
    state: &AppState,
    user: &User,
    title: &str,
    location: &str,
    start: String,
    end: Option<String>,
    all_day: bool,
) -> Result<(), AppError> {
    let input = EventInput {
        title: title.into(),
        description: None,
        location: Some(location.into()),
        start,
        end,
        all_day: Some(all_day),
        reminder_minutes: None,
        recurrence: None,
    };
    create(state, user, input).await
}

/// A timed event repeating by `rule` from `start`.
async fn series(
    state: &AppState,
    user: &User,
    title: &str,
    location: &str,
    (start, end): (String, String),
    rule: &str,
) -> Result<(), AppError> {
    let input = EventInput {
        title: title.into(),
        description: None,
        location: Some(location.into()),
        start,
        end: Some(end),
        all_day: Some(false),
        reminder_minutes: None,
        recurrence: Some(rule.into()),
    };
    create(state, user, input).await
}

async fn create(state: &AppState, user: &User, input: EventInput) -> Result<(), AppError> {
    state
        .write(async |tx| app::events::ops::create(tx, user, input, Source::Web).await)
        .await
        .map(drop)
}

async fn seed_events(state: &AppState, user: &User, today: NaiveDate) -> Result<(), AppError> {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_monday = monday - Duration::weeks(2);
    series(
        state,
        user,
        "Team standup",
        "Video call",
        (at(first_monday, 9, 30), at(first_monday, 9, 45)),
        app::events::repeat::WEEKDAYS,
    )
    .await?;
    let first_tuesday = first_monday + Duration::days(1);
    series(
        state,
        user,
        "Gym",
        "Downtown YMCA",
        (at(first_tuesday, 18, 0), at(first_tuesday, 19, 0)),
        "FREQ=WEEKLY;BYDAY=TU",
    )
    .await?;
    for week in -2..3i64 {
        let week_start = monday + Duration::weeks(week);
        let thursday = week_start + Duration::days(3);
        event(
            state,
            user,
            "1:1 with Priya",
            "Room 4B",
            at(thursday, 14, 0),
            None,
            false,
        )
        .await?;
        event(
            state,
            user,
            "Design review",
            "Room 2A",
            at(thursday, 14, 15),
            Some(at(thursday, 15, 15)),
            false,
        )
        .await?;
        let saturday = week_start + Duration::days(5);
        event(
            state,
            user,
            "Farmers market",
            "St. Lawrence Market",
            at(saturday, 10, 0),
            Some(at(saturday, 11, 30)),
            false,
        )
        .await?;
    }
    event(
        state,
        user,
        "Lunch with Sam",
        "Pai",
        at(today, 12, 30),
        Some(at(today, 13, 30)),
        false,
    )
    .await?;
    let dentist = today + Duration::days(3);
    event(
        state,
        user,
        "Dentist",
        "Dr. Patel, 2nd floor",
        at(dentist, 8, 0),
        None,
        false,
    )
    .await?;
    let dinner = today + Duration::days(5);
    event(
        state,
        user,
        "Dinner with parents",
        "Home",
        at(dinner, 19, 0),
        Some(at(dinner, 21, 0)),
        false,
    )
    .await?;
    let trip = today + Duration::days(10);
    event(
        state,
        user,
        "Montreal trip",
        "Montreal",
        trip.to_string(),
        Some((trip + Duration::days(2)).to_string()),
        true,
    )
    .await?;
    let birthday = today + Duration::days(6);
    event(
        state,
        user,
        "Maya's birthday",
        "",
        birthday.to_string(),
        None,
        true,
    )
    .await
}

async fn seed_tasks(state: &AppState, user: &User, today: NaiveDate) -> Result<(), AppError> {
    let tasks: [(&str, Option<String>, Priority, bool); 9] = [
        (
            "Renew passport",
            Some((today - Duration::days(2)).to_string()),
            Priority::High,
            false,
        ),
        (
            "Pay hydro bill",
            Some(today.to_string()),
            Priority::High,
            false,
        ),
        (
            "Call the landlord about the heating",
            Some(at(today, 17, 0)),
            Priority::Normal,
            false,
        ),
        (
            "Book Montreal hotel",
            Some((today + Duration::days(2)).to_string()),
            Priority::Normal,
            false,
        ),
        (
            "Buy a gift for Maya",
            Some((today + Duration::days(5)).to_string()),
            Priority::Normal,
            false,
        ),
        ("Sort out the photo backup", None, Priority::Low, false),
        ("Read 'The Overstory'", None, Priority::Low, false),
        (
            "Submit expense report",
            Some((today - Duration::days(4)).to_string()),
            Priority::High,
            true,
        ),
        (
            "Fix the bike's rear brake",
            Some((today - Duration::days(7)).to_string()),
            Priority::Normal,
            true,
        ),
    ];
    for (title, due, priority, done) in tasks {
        let input = TaskInput {
            title: title.into(),
            notes: None,
            due,
            priority: Some(priority),
            done: Some(done),
        };
        state
            .write(async |tx| app::tasks::ops::create(tx, user, input).await)
            .await?;
    }
    Ok(())
}

async fn seed_expenses(state: &AppState, user: &User, today: NaiveDate) -> Result<(), AppError> {
    // (days ago, amount, category, description), spread over this month and the last.
    let expenses: &[(i64, &str, &str, &str)] = &[
        (0, "6.45", "Food", "Coffee and a croissant"),
        (1, "84.12", "Food", "Groceries"),
        (1, "3.35", "Transport", "TTC fare"),
        (2, "22.50", "Entertainment", "Movie night"),
        (3, "61.00", "Transport", "Gas"),
        (4, "18.90", "Food", "Lunch with the team"),
        (5, "129.99", "Shopping", "Winter boots"),
        (6, "45.00", "Health", "Pharmacy"),
        (8, "112.40", "Bills", "Hydro"),
        (9, "14.25", "Food", "Pho"),
        (11, "65.00", "Bills", "Phone plan"),
        (12, "92.35", "Food", "Groceries"),
        (13, "35.00", "Other", "Haircut"),
        (15, "3.35", "Transport", "TTC fare"),
        (17, "240.00", "Travel", "Train to Montreal"),
        (19, "27.80", "Entertainment", "Concert tickets"),
        (21, "76.54", "Food", "Groceries"),
        (24, "1450.00", "Bills", "Rent"),
        (26, "58.20", "Transport", "Gas"),
        (28, "19.99", "Entertainment", "Streaming"),
        (31, "88.10", "Food", "Groceries"),
        (34, "42.00", "Health", "Physio copay"),
        (38, "12.75", "Food", "Burrito"),
        (41, "310.00", "Shopping", "New desk chair"),
        (45, "65.00", "Bills", "Phone plan"),
        (48, "101.23", "Food", "Groceries"),
        (52, "1450.00", "Bills", "Rent"),
    ];
    for (days_ago, amount, category, description) in expenses {
        let input = ExpenseInput {
            amount: AmountText((*amount).into()),
            currency: None,
            category: Some((*category).into()),
            description: Some((*description).into()),
            date: Some((today - Duration::days(*days_ago)).to_string()),
        };
        state
            .write(async |tx| app::expenses::ops::create(tx, user, input).await)
            .await?;
    }
    Ok(())
}
