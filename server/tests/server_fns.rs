//! The browser's door: server functions called over HTTP as the hydrated pages call them, with
//! the session cookie. Covers every server function, refusals, and other users' rows.

mod common;

use app::admin::api::{ListAccounts, ManageAccount};
use app::auth::api::{CurrentUser, SignIn, SignOut, SignUp};
use app::error::AppError;
use app::events::api::{Calendar, DeleteEvent, LoadEventCard, SaveEvent};
use app::expenses::api::{DeleteExpense, ExpensesMonth, SaveExpense};
use app::settings::api::{ChangePassword, CreateToken, LoadSettings, RevokeToken, SaveProfile};
use app::tasks::api::{DeleteTask, ListTasks, SaveTask, SetTaskDone};
use app::today::api::LoadToday;
use common::{Client, PASSWORD, TestApp};
use serde_json::json;

/// The client's session signs no one in: no current user, and pages' data is refused.
async fn assert_signed_out(client: &Client) {
    assert_eq!(client.rpc(CurrentUser {}).await, Ok(None));
    assert_eq!(
        client
            .rpc(ListTasks {
                filter: "open".into(),
                sort: "due".into()
            })
            .await,
        Err(AppError::Unauthenticated)
    );
}

async fn session_for(app: &TestApp, email: &str) -> Client {
    app.user(email, false).await;
    let client = app.client();
    client.sign_in_session(email).await.expect("sign in");
    client
}

fn event(id: Option<i64>, title: &str, start: &str, end: &str) -> SaveEvent {
    SaveEvent {
        id,
        at: None,
        scope: None,
        title: title.into(),
        description: String::new(),
        location: String::new(),
        start: start.into(),
        end: end.into(),
        all_day: None,
        reminders: None,
        repeat: None,
        repeat_until: None,
        repeat_count: None,
    }
}

/// A new task as the tasks page's form sends it.
fn new_task(
    title: &str,
    date: Option<&str>,
    time: Option<&str>,
    priority: Option<&str>,
) -> SaveTask {
    SaveTask {
        id: None,
        title: title.into(),
        notes: None,
        due_date: date.map(Into::into),
        due_time: time.map(Into::into),
        priority: priority.map(Into::into),
    }
}

fn field(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Invalid(fields)) => fields[0].field.clone(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn sign_up_waitlist_sign_in_and_out() {
    let app = TestApp::start().await;
    let visitor = app.client();
    assert_eq!(visitor.rpc(CurrentUser {}).await, Ok(None));
    visitor
        .rpc(SignUp {
            email: "zoe@example.com".into(),
            password: PASSWORD.into(),
            name: "Zoe".into(),
        })
        .await
        .expect("sign up");
    assert!(matches!(
        visitor.sign_in_session("zoe@example.com").await,
        Err(AppError::Forbidden(_))
    ));
    // Signing up again answers as any sign-up does: nobody learns the email has an account.
    let again = visitor
        .rpc(SignUp {
            email: "zoe@example.com".into(),
            password: PASSWORD.into(),
            name: String::new(),
        })
        .await;
    assert_eq!(again, Ok(()));
    assert_eq!(app.count("users").await, 1);

    app.user("admin@example.com", true).await;
    let admin = app.client();
    admin
        .sign_in_session("admin@example.com")
        .await
        .expect("admin");
    let pending = admin.rpc(ListAccounts {}).await.expect("accounts").pending;
    let zoe = pending
        .iter()
        .find(|u| u.email == "zoe@example.com")
        .expect("zoe waits");
    admin
        .rpc(ManageAccount {
            id: zoe.id,
            action: "approve".into(),
        })
        .await
        .expect("approve");
    assert_eq!(
        field(
            admin
                .rpc(ManageAccount {
                    id: zoe.id,
                    action: "promote".into()
                })
                .await
        ),
        "action"
    );

    assert_eq!(
        visitor
            .rpc(SignIn {
                email: "zoe@example.com".into(),
                password: "wrong password".into()
            })
            .await,
        Err(AppError::BadCredentials)
    );
    visitor
        .sign_in_session("zoe@example.com")
        .await
        .expect("sign in");
    let me = visitor
        .rpc(CurrentUser {})
        .await
        .expect("me")
        .expect("signed in");
    assert_eq!(me.email, "zoe@example.com");
    visitor.rpc(SignOut {}).await.expect("sign out");
    assert_eq!(visitor.rpc(CurrentUser {}).await, Ok(None));
    assert_eq!(
        visitor
            .rpc(Calendar {
                mode: "week".into(),
                date: None
            })
            .await,
        Err(AppError::Unauthenticated)
    );
}

/// Signs in with a raw form post and returns the session cookie it set.
async fn sign_in_cookie(app: &TestApp, email: &str, cookie: Option<&str>) -> String {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{}{}",
            app.base,
            <SignIn as leptos::server_fn::ServerFn>::PATH
        ))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", PASSWORD)]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("sign in");
    assert!(response.status().is_success());
    response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned()
}

fn me_with_cookie(app: &TestApp, cookie: &str) -> impl std::future::Future<Output = u16> {
    let request = reqwest::Client::new()
        .get(format!("{}/api/me", app.base))
        .header("cookie", cookie.to_owned());
    async move { request.send().await.expect("me").status().as_u16() }
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = TestApp::start().await;
    app.user("ida@example.com", false).await;
    let first = sign_in_cookie(&app, "ida@example.com", None).await;
    assert!(first.starts_with("aida_session="), "{first}");
    assert!(first.contains("HttpOnly"), "{first}");
    assert!(first.contains("SameSite=Lax"), "{first}");
    assert!(!first.contains("Secure"), "plain http in tests: {first}");
    let first_pair = first.split(';').next().expect("pair").to_owned();
    assert_eq!(me_with_cookie(&app, &first_pair).await, 200);

    // Signing in again on the same session gives it a new id; the old one stops working.
    let second = sign_in_cookie(&app, "ida@example.com", Some(&first_pair)).await;
    let second_pair = second.split(';').next().expect("pair").to_owned();
    assert_ne!(first_pair, second_pair);
    assert_eq!(me_with_cookie(&app, &second_pair).await, 200);
    assert_eq!(me_with_cookie(&app, &first_pair).await, 401);
}

#[tokio::test]
async fn calendar_functions_create_edit_and_delete() {
    let app = TestApp::start().await;
    let user = session_for(&app, "cal@example.com").await;
    user.rpc(SaveProfile {
        name: "Cal".into(),
        timezone: "Europe/Paris".into(),
        currency: "EUR".into(),
        default_meeting_minutes: "30".into(),
        reminders: "1 day, 1 hour".into(),
    })
    .await
    .expect("profile");
    user.rpc(event(
        None,
        "Standup",
        "2026-11-23T09:00",
        "2026-11-23T09:15",
    ))
    .await
    .expect("create");
    user.rpc(event(
        None,
        "Review",
        "2026-11-23T09:10",
        "2026-11-23T10:00",
    ))
    .await
    .expect("create");

    // An all-day event travels to the page as dates, and back.
    user.rpc(SaveEvent {
        all_day: Some("on".into()),
        ..event(None, "Conference", "2026-11-27", "2026-11-28")
    })
    .await
    .expect("all-day");
    let week = user
        .rpc(Calendar {
            mode: "week".into(),
            date: Some("2026-11-23".into()),
        })
        .await
        .expect("week");
    assert_eq!(week.days.len(), 7);
    let monday = &week.days[0];
    assert_eq!(monday.date.to_string(), "2026-11-23");
    let placed: Vec<_> = monday
        .timed
        .iter()
        .map(|p| (p.card.event.title.as_str(), p.lane, p.lanes))
        .collect();
    assert_eq!(placed, [("Standup", 0, 2), ("Review", 1, 2)]);
    assert_eq!(monday.timed[0].card.time_label, "09:00–09:15");

    let friday = &week.days[4];
    assert_eq!(
        friday
            .all_day
            .iter()
            .map(|c| c.event.title.as_str())
            .collect::<Vec<_>>(),
        ["Conference"]
    );
    assert_eq!(week.days[5].all_day[0].time_label, "All day");
    assert!(week.days[6].all_day.is_empty(), "ends after its last day");
    let id = monday.timed[0].card.event.id;
    let card = user
        .rpc(LoadEventCard { id, at: None })
        .await
        .expect("card");
    assert_eq!(card.start_input, "2026-11-23T09:00");
    user.rpc(event(Some(id), "Standup (moved)", "2026-11-24T09:00", ""))
        .await
        .expect("edit");
    let card = user
        .rpc(LoadEventCard { id, at: None })
        .await
        .expect("card");
    assert_eq!(
        (
            card.event.title.as_str(),
            card.start_input.as_str(),
            card.end_input.as_str()
        ),
        ("Standup (moved)", "2026-11-24T09:00", "2026-11-24T09:15")
    );

    assert_eq!(
        field(user.rpc(event(None, "", "2026-11-23T09:00", "")).await),
        "title"
    );
    assert_eq!(
        field(
            user.rpc(event(None, "Bad", "2026-11-23T09:00", "2026-11-23T08:00"))
                .await
        ),
        "end"
    );
    assert_eq!(
        field(
            user.rpc(Calendar {
                mode: "month".into(),
                date: Some("soon".into())
            })
            .await
        ),
        "date"
    );
    let month = user
        .rpc(Calendar {
            mode: "month".into(),
            date: Some("2026-11-01".into()),
        })
        .await
        .expect("month");
    assert_eq!(month.days.len(), 42);
    assert_eq!(month.title, "November 2026");

    user.rpc(DeleteEvent {
        id,
        at: None,
        scope: None,
    })
    .await
    .expect("delete");
    assert_eq!(
        user.rpc(LoadEventCard { id, at: None }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(app.count("events").await, 2, "Review and Conference remain");
}

#[tokio::test]
async fn the_dialog_makes_a_series_and_changes_one_instance_or_the_rest() {
    let app = TestApp::start().await;
    let user = session_for(&app, "cal@example.com").await;
    // Mondays at 9:00 from 23 November, four times (UTC user).
    user.rpc(SaveEvent {
        repeat: Some("FREQ=WEEKLY;BYDAY=MO".into()),
        repeat_count: Some("4".into()),
        ..event(None, "Piano", "2026-11-23T09:00", "2026-11-23T10:00")
    })
    .await
    .expect("create");
    let week = |date: &str| Calendar {
        mode: "week".into(),
        date: Some(date.into()),
    };
    let next_week = user.rpc(week("2026-11-30")).await.expect("week");
    let card = next_week.days[0].timed[0].card.clone();
    assert_eq!(card.event.title, "Piano");
    let at = card.event.occurrence.map(|t| t.timestamp());
    let id = card.event.id;
    let shown = user
        .rpc(LoadEventCard { id, at })
        .await
        .expect("instance card");
    assert_eq!(
        (
            shown.start_input.as_str(),
            shown.repeat.as_str(),
            shown.repeat_count.as_str()
        ),
        ("2026-11-30T09:00", "FREQ=WEEKLY;BYDAY=MO", "4")
    );

    // This one only moves to 11:00; the series keeps its rule (sent with the form) as it was.
    user.rpc(SaveEvent {
        at,
        scope: Some("this".into()),
        repeat: Some("FREQ=DAILY".into()),
        ..event(Some(id), "Piano", "2026-11-30T11:00", "2026-11-30T12:00")
    })
    .await
    .expect("this one");
    let next_week = user.rpc(week("2026-11-30")).await.expect("week");
    assert_eq!(next_week.days[0].timed[0].card.time_label, "11:00–12:00");
    assert!(next_week.days[1].timed.is_empty(), "still weekly");

    // Until the last day, from the form: the rest ends on 7 December.
    user.rpc(SaveEvent {
        at: Some(1_796_634_000),
        scope: Some("all".into()),
        repeat: Some("FREQ=WEEKLY;BYDAY=MO".into()),
        repeat_until: Some("2026-12-07".into()),
        ..event(Some(id), "Piano", "2026-12-07T09:00", "2026-12-07T10:00")
    })
    .await
    .expect("all, until");
    let later = user.rpc(week("2026-12-14")).await.expect("week");
    assert!(later.days[0].timed.is_empty(), "ended on 7 December");
    let both = user
        .rpc(SaveEvent {
            repeat: Some("FREQ=DAILY".into()),
            repeat_until: Some("2026-12-07".into()),
            repeat_count: Some("3".into()),
            ..event(None, "Bad", "2026-11-23T09:00", "")
        })
        .await;
    assert_eq!(field(both), "recurrence");

    // Deleting this and the following from the first: the whole series goes.
    user.rpc(DeleteEvent {
        id,
        at: Some(1_795_424_400),
        scope: Some("following".into()),
    })
    .await
    .expect("delete");
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn nobody_changes_another_users_rows_through_server_functions() {
    let app = TestApp::start().await;
    let alice = session_for(&app, "alice@example.com").await;
    let bob = session_for(&app, "bob@example.com").await;
    alice
        .rpc(event(None, "Alice only", "2026-11-23T09:00", ""))
        .await
        .expect("event");
    alice
        .rpc(new_task("Alice task", None, None, None))
        .await
        .expect("task");
    alice
        .rpc(SaveExpense {
            id: None,
            amount: "20".into(),
            currency: None,
            category: Some("Food".into()),
            description: None,
            date: None,
        })
        .await
        .expect("expense");
    let event_id = alice
        .rpc(Calendar {
            mode: "week".into(),
            date: Some("2026-11-23".into()),
        })
        .await
        .expect("cal")
        .days[0]
        .timed[0]
        .card
        .event
        .id;
    let task_id = alice
        .rpc(ListTasks {
            filter: "open".into(),
            sort: "due".into(),
        })
        .await
        .expect("tasks")[0]
        .task
        .id;
    let expense_id = alice
        .rpc(ExpensesMonth { month: None })
        .await
        .expect("month")
        .expenses[0]
        .id;

    assert_eq!(
        bob.rpc(LoadEventCard {
            id: event_id,
            at: None
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(event(Some(event_id), "Bob's now", "2026-11-23T10:00", ""))
            .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(DeleteEvent {
            id: event_id,
            at: None,
            scope: None,
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(SetTaskDone {
            id: task_id,
            done: true
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(SaveTask {
            id: Some(task_id),
            title: "x".into(),
            notes: None,
            due_date: None,
            due_time: None,
            priority: None
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(DeleteTask { id: task_id }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(SaveExpense {
            id: Some(expense_id),
            amount: "1".into(),
            currency: None,
            category: None,
            description: None,
            date: None
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(DeleteExpense { id: expense_id }).await,
        Err(AppError::NotFound)
    );
    assert!(
        bob.rpc(Calendar {
            mode: "week".into(),
            date: Some("2026-11-23".into())
        })
        .await
        .expect("cal")
        .days
        .iter()
        .all(|d| d.timed.is_empty())
    );
    assert!(
        bob.rpc(ListTasks {
            filter: "all".into(),
            sort: "due".into()
        })
        .await
        .expect("tasks")
        .is_empty()
    );
    assert!(
        bob.rpc(ExpensesMonth { month: None })
            .await
            .expect("month")
            .expenses
            .is_empty()
    );
    assert_eq!(
        bob.rpc(ListAccounts {}).await.map(drop),
        Err(AppError::Forbidden(
            "only administrators can do this".into()
        ))
    );

    let card = alice
        .rpc(LoadEventCard {
            id: event_id,
            at: None,
        })
        .await
        .expect("still there");
    assert_eq!(card.event.title, "Alice only");
    let tasks = alice
        .rpc(ListTasks {
            filter: "open".into(),
            sort: "due".into(),
        })
        .await
        .expect("tasks");
    assert_eq!(tasks[0].task.title, "Alice task");
    assert_eq!(
        alice
            .rpc(ExpensesMonth { month: None })
            .await
            .expect("month")
            .expenses[0]
            .amount
            .to_string(),
        "20.00"
    );
}

#[tokio::test]
async fn disabled_and_pending_sessions_are_refused() {
    let app = TestApp::start().await;
    let admin_user = app.user("admin@example.com", true).await;
    let user = session_for(&app, "gus@example.com").await;
    let gus = user
        .rpc(CurrentUser {})
        .await
        .expect("me")
        .expect("signed in");
    app::auth::ops::disable(&app.state, &admin_user, gus.id)
        .await
        .expect("disable");
    assert_signed_out(&user).await;
    assert!(matches!(
        user.sign_in_session("gus@example.com").await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn tasks_and_expenses_through_the_pages_functions() {
    let app = TestApp::start().await;
    let user = session_for(&app, "hal@example.com").await;
    user.rpc(new_task(
        "File taxes",
        Some("2026-11-20"),
        None,
        Some("high"),
    ))
    .await
    .expect("task");
    user.rpc(new_task("Call", Some("2026-11-22"), Some("18:30"), None))
        .await
        .expect("task");
    assert_eq!(
        field(
            user.rpc(new_task("No date", None, Some("10:00"), None))
                .await
        ),
        "due"
    );
    assert_eq!(
        field(user.rpc(new_task("Odd", None, None, Some("urgent"))).await),
        "priority"
    );
    let rows = user
        .rpc(ListTasks {
            filter: "open".into(),
            sort: "due".into(),
        })
        .await
        .expect("tasks");
    assert_eq!(
        rows.iter()
            .map(|r| (r.task.title.as_str(), r.overdue))
            .collect::<Vec<_>>(),
        [("File taxes", true), ("Call", false)]
    );
    user.rpc(SetTaskDone {
        id: rows[0].task.id,
        done: true,
    })
    .await
    .expect("done");
    let done = user
        .rpc(ListTasks {
            filter: "done".into(),
            sort: "due".into(),
        })
        .await
        .expect("done");
    assert_eq!(done[0].task.title, "File taxes");
    user.rpc(DeleteTask {
        id: rows[1].task.id,
    })
    .await
    .expect("delete");
    assert!(
        user.rpc(ListTasks {
            filter: "open".into(),
            sort: "due".into()
        })
        .await
        .expect("tasks")
        .is_empty()
    );

    let spend = |amount: &str, category: &str, date: &str| SaveExpense {
        id: None,
        amount: amount.into(),
        currency: None,
        category: Some(category.into()),
        description: Some("x".into()),
        date: Some(date.into()),
    };
    user.rpc(spend("12.50", "Food", "2026-11-02"))
        .await
        .expect("expense");
    user.rpc(spend("7.50", "Food", "2026-11-03"))
        .await
        .expect("expense");
    user.rpc(spend("30", "Transport", "2026-11-04"))
        .await
        .expect("expense");
    user.rpc(spend("100", "Bills", "2026-10-04"))
        .await
        .expect("expense");
    assert_eq!(
        field(user.rpc(spend("abc", "Food", "2026-11-04")).await),
        "amount"
    );
    let month = user
        .rpc(ExpensesMonth {
            month: Some("2026-11".into()),
        })
        .await
        .expect("month");
    let totals: Vec<_> = month
        .by_category
        .iter()
        .map(|t| (t.category.as_str(), t.total.to_string()))
        .collect();
    assert_eq!(
        totals,
        [
            ("Transport", "30.00".to_owned()),
            ("Food", "20.00".to_owned())
        ]
    );
    assert_eq!(
        (month.prev.as_str(), month.next.as_str()),
        ("2026-10", "2026-12")
    );
    let id = month.expenses[0].id;
    user.rpc(DeleteExpense { id }).await.expect("delete");
    assert_eq!(
        user.rpc(ExpensesMonth {
            month: Some("2026-11".into())
        })
        .await
        .expect("month")
        .expenses
        .len(),
        2
    );
}

/// Names the user and moves them to Toronto (now is Sunday 2026-11-22 10:00 there).
async fn in_toronto(user: &Client, name: &str) {
    user.rpc(SaveProfile {
        name: name.into(),
        timezone: "America/Toronto".into(),
        currency: "USD".into(),
        default_meeting_minutes: "30".into(),
        reminders: "1 day, 1 hour".into(),
    })
    .await
    .expect("profile");
}

#[tokio::test]
async fn today_shows_the_most_urgent_tasks_first_and_counts_the_rest() {
    let app = TestApp::start().await;
    let user = session_for(&app, "una@example.com").await;
    in_toronto(&user, "Una").await;
    // Now: Sunday 2026-11-22 10:00 in Toronto. A task due on a day is due by that day's end.
    let tasks = [
        ("P", "2026-11-10", None, "normal"),
        ("Q", "2026-11-11", None, "normal"),
        ("Q2", "2026-11-11", None, "normal"), // newer than Q, so before it
        ("R", "2026-11-12", None, "normal"),
        ("I", "2026-11-15", None, "normal"),
        ("J", "2026-11-19", Some("08:00"), "low"),
        ("B", "2026-11-20", Some("10:00"), "normal"),
        ("A", "2026-11-20", None, "low"),
        ("C", "2026-11-20", None, "high"), // same deadline as A, higher priority
        ("D", "2026-11-21", Some("23:30"), "normal"),
        ("E", "2026-11-21", None, "normal"),
        ("F", "2026-11-22", Some("09:00"), "normal"),
        ("G", "2026-11-22", None, "normal"),
        ("H", "2026-11-22", Some("23:59"), "high"),
        ("K", "2026-11-22", None, "high"),
        ("Done", "2026-11-01", None, "high"),
        ("Tomorrow", "2026-11-23", None, "high"),
        ("Just after midnight", "2026-11-23", Some("00:30"), "high"),
    ];
    for (title, date, time, priority) in tasks {
        user.rpc(new_task(title, Some(date), time, Some(priority)))
            .await
            .expect("task");
    }
    let open = user
        .rpc(ListTasks {
            filter: "open".into(),
            sort: "due".into(),
        })
        .await
        .expect("tasks");
    let done = open.iter().find(|r| r.task.title == "Done").expect("Done");
    user.rpc(SetTaskDone {
        id: done.task.id,
        done: true,
    })
    .await
    .expect("done");

    let today = user.rpc(LoadToday {}).await.expect("today");
    let shown: Vec<_> = today.tasks.iter().map(|r| r.task.title.as_str()).collect();
    assert_eq!(shown, ["P", "Q2", "Q", "R", "I", "J", "B", "C"]);
    // A, D, E, F, G, H and K are due too.
    assert_eq!(today.more_tasks, 7);
}

/// Titles on Today: today's agenda, then the tasks listed, each with whether it is overdue.
async fn today_titles(user: &Client) -> (Vec<String>, Vec<(String, bool)>) {
    let today = user.rpc(LoadToday {}).await.expect("today");
    (
        today.today.events.iter().map(|e| e.title.clone()).collect(),
        today
            .tasks
            .iter()
            .map(|r| (r.task.title.clone(), r.overdue))
            .collect(),
    )
}

#[tokio::test]
async fn today_shows_every_change_at_once_and_moves_on_with_time() {
    let app = TestApp::start().await;
    let user = session_for(&app, "max@example.com").await;
    in_toronto(&user, "Max").await;
    // Now: Sunday 2026-11-22 10:00 in Toronto. The page is built once, then reused...
    assert_eq!(today_titles(&user).await, (vec![], vec![]));
    // ...until a write through any door: server functions...
    user.rpc(event(None, "Brunch", "2026-11-22T11:00", ""))
        .await
        .expect("event");
    user.rpc(new_task(
        "Call mum",
        Some("2026-11-22"),
        Some("11:00"),
        None,
    ))
    .await
    .expect("task");
    assert_eq!(
        today_titles(&user).await,
        (vec!["Brunch".into()], vec![("Call mum".into(), false)])
    );
    // ...or the REST API.
    let api = app.client_for("max@example.com").await;
    let (status, created) = api
        .post(
            "/api/events",
            json!({ "title": "Yoga", "start": "2026-11-22T18:00" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(today_titles(&user).await.0, ["Brunch", "Yoga"]);
    let (status, _) = api.delete(&format!("/api/events/{}", created["id"])).await;
    assert_eq!(status, 204);
    assert_eq!(today_titles(&user).await.0, ["Brunch"]);

    // Time alone changes it too: the task's deadline passes...
    app.clock
        .set(common::default_now() + chrono::Duration::minutes(61));
    assert_eq!(today_titles(&user).await.1, [("Call mum".to_owned(), true)]);
    // ...and at midnight in Toronto it is Monday, with nothing scheduled.
    app.clock
        .set(common::default_now() + chrono::Duration::hours(14));
    let monday = user.rpc(LoadToday {}).await.expect("today");
    assert_eq!(monday.date_label, "Monday, November 23, 2026");
    assert!(monday.today.events.is_empty());
    // A new timezone shows at once: it is already Monday afternoon in Tokyo.
    app.clock.set(common::default_now());
    user.rpc(SaveProfile {
        name: "Max".into(),
        timezone: "Asia/Tokyo".into(),
        currency: "USD".into(),
        default_meeting_minutes: "30".into(),
        reminders: "1 day, 1 hour".into(),
    })
    .await
    .expect("profile");
    let tokyo = user.rpc(LoadToday {}).await.expect("today");
    assert_eq!(tokyo.date_label, "Monday, November 23, 2026");
}

#[tokio::test]
async fn today_trusts_its_data_for_a_while_and_sees_changes_behind_the_apps_back_after() {
    const ADD_BEHIND_THE_APPS_BACK: &str =
        "INSERT INTO events (user_id, title, starts_at, ends_at, source)
         SELECT id, 'Added elsewhere', '2026-11-22 17:00+00', '2026-11-22 18:00+00', 'api'
         FROM users WHERE email = 'lea@example.com'";
    let app = TestApp::start().await;
    let user = session_for(&app, "lea@example.com").await;
    assert!(today_titles(&user).await.0.is_empty());
    behind_the_apps_back(&app, ADD_BEHIND_THE_APPS_BACK).await;
    assert!(
        today_titles(&user).await.0.is_empty(),
        "the page was built moments ago, so its data is not read again yet"
    );

    let app = TestApp::with_settings(app::state::Settings {
        session_reread_seconds: 0,
        ..Default::default()
    })
    .await;
    let user = session_for(&app, "lea@example.com").await;
    assert!(today_titles(&user).await.0.is_empty());
    behind_the_apps_back(&app, ADD_BEHIND_THE_APPS_BACK).await;
    assert_eq!(today_titles(&user).await.0, ["Added elsewhere"]);
}

#[tokio::test]
async fn today_gathers_the_agenda_tasks_and_spending() {
    let app = TestApp::start().await;
    let user = session_for(&app, "ivy@example.com").await;
    in_toronto(&user, "Ivy").await;
    // Now: Sunday 2026-11-22 10:00 in Toronto.
    user.rpc(event(
        None,
        "Brunch",
        "2026-11-22T11:00",
        "2026-11-22T12:00",
    ))
    .await
    .expect("event");
    user.rpc(event(None, "Dentist", "2026-11-25T15:00", ""))
        .await
        .expect("event");
    user.rpc(event(None, "Far away", "2026-12-10T15:00", ""))
        .await
        .expect("event");
    user.rpc(new_task("Pay rent", Some("2026-11-22"), None, None))
        .await
        .expect("task");
    user.rpc(new_task("Next week", Some("2026-11-29"), None, None))
        .await
        .expect("task");
    for (amount, date, category) in [
        ("50", "2026-11-05", "Food"),
        ("25", "2026-11-21", "Food"),
        ("100", "2026-10-10", "Food"),
        ("3", "2026-10-01", "Health"),
        ("7", "2026-09-30", "Health"),
    ] {
        user.rpc(SaveExpense {
            id: None,
            amount: amount.into(),
            currency: None,
            category: Some(category.into()),
            description: None,
            date: Some(date.into()),
        })
        .await
        .expect("expense");
    }
    let today = user.rpc(LoadToday {}).await.expect("today");
    assert_eq!(today.name, "Ivy");
    assert_eq!(
        today
            .today
            .events
            .iter()
            .map(|c| c.title.as_str())
            .collect::<Vec<_>>(),
        ["Brunch"]
    );
    let upcoming: Vec<_> = today
        .next_days
        .iter()
        .flat_map(|d| d.events.iter().map(|c| c.title.clone()))
        .collect();
    assert_eq!(upcoming, ["Dentist"]);
    assert_eq!(today.next_days.len(), 7);
    assert_eq!(
        today
            .tasks
            .iter()
            .map(|r| r.task.title.as_str())
            .collect::<Vec<_>>(),
        ["Pay rent"]
    );
    assert_eq!(
        (
            today.spending.this_month.to_string(),
            today.spending.last_month.to_string()
        ),
        ("75.00".into(), "103.00".into())
    );
    let by_category: Vec<_> = today
        .spending
        .by_category
        .iter()
        .map(|(c, this, last)| (format!("{c:?}"), this.to_string(), last.to_string()))
        .collect();
    assert_eq!(
        by_category,
        [
            (
                "Food".to_string(),
                "75.00".to_string(),
                "100.00".to_string()
            ),
            ("Health".to_string(), "0.00".to_string(), "3.00".to_string())
        ]
    );
}

#[tokio::test]
async fn settings_profile_password_and_tokens() {
    let app = TestApp::start().await;
    let user = session_for(&app, "joe@example.com").await;
    let profile = |tz: &str, currency: &str, minutes: &str| SaveProfile {
        name: "Joe".into(),
        timezone: tz.into(),
        currency: currency.into(),
        default_meeting_minutes: minutes.into(),
        reminders: "1 day, 1 hour".into(),
    };
    assert_eq!(
        field(user.rpc(profile("Nowhere/City", "USD", "30")).await),
        "timezone"
    );
    assert_eq!(
        field(user.rpc(profile("UTC", "XXX", "30")).await),
        "currency"
    );
    assert_eq!(
        field(user.rpc(profile("UTC", "USD", "thirty")).await),
        "default_meeting_minutes"
    );
    let mut soon = profile("UTC", "USD", "30");
    soon.reminders = "soon".into();
    assert_eq!(field(user.rpc(soon).await), "reminders");
    let mut half_hour = profile("UTC", "USD", "30");
    half_hour.reminders = "2 days, 30 min".into();
    user.rpc(half_hour).await.expect("save reminders");
    let settings = user.rpc(LoadSettings {}).await.expect("settings");
    assert_eq!(settings.user.reminder_minutes, [2880, 30]);
    user.rpc(profile("Asia/Tokyo", "JPY", "60"))
        .await
        .expect("save");
    let settings = user.rpc(LoadSettings {}).await.expect("settings");
    assert_eq!(
        (
            settings.user.timezone.as_str(),
            settings.user.currency.as_str(),
            settings.user.default_meeting_minutes
        ),
        ("Asia/Tokyo", "JPY", 60)
    );
    assert!(settings.timezones.iter().any(|t| t == "America/Toronto"));

    assert_eq!(
        field(
            user.rpc(ChangePassword {
                current_password: "wrong wrong wrong".into(),
                new_password: "a new long password".into(),
                revoke_tokens: None,
            })
            .await
        ),
        "current_password"
    );
    assert_eq!(
        field(
            user.rpc(ChangePassword {
                current_password: PASSWORD.into(),
                new_password: "short".into(),
                revoke_tokens: None,
            })
            .await
        ),
        "new_password"
    );
    user.rpc(ChangePassword {
        current_password: PASSWORD.into(),
        new_password: "a new long password".into(),
        revoke_tokens: None,
    })
    .await
    .expect("change");
    let (status, _) = app
        .client()
        .post(
            "/api/auth/sign-in",
            json!({ "email": "joe@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .client()
        .post(
            "/api/auth/sign-in",
            json!({ "email": "joe@example.com", "password": "a new long password" }),
        )
        .await;
    assert_eq!(status, 200);

    assert_eq!(
        field(user.rpc(CreateToken { name: " ".into() }).await),
        "name"
    );
    let token = user
        .rpc(CreateToken {
            name: "phone".into(),
        })
        .await
        .expect("token");
    let mut api = app.client();
    api.token = Some(token.secret.expose().to_owned());
    assert_eq!(api.get("/api/me").await.1["email"], "joe@example.com");
    let listed = user.rpc(LoadSettings {}).await.expect("settings").tokens;
    assert!(
        listed
            .iter()
            .any(|t| t.name == "phone" && t.last_used_at.is_some())
    );
    user.rpc(RevokeToken { id: token.token.id })
        .await
        .expect("revoke");
    assert_eq!(api.get("/api/me").await.0, 401);
    // Another user cannot revoke it (it is gone anyway, and theirs would be not found).
    assert_eq!(
        user.rpc(RevokeToken { id: token.token.id }).await,
        Err(AppError::NotFound)
    );
}

#[tokio::test]
async fn chat_server_functions_and_other_users_conversations() {
    use app::assistant::api::{
        DeleteConversation, ListConversations, LoadConversation, LoadUsage, RenameConversation,
        SendMessage, StopReply, UndoAction,
    };
    let app = TestApp::start().await;
    let alice = session_for(&app, "alice@example.com").await;
    let bob = session_for(&app, "bob@example.com").await;

    // The page streams through /api/chat with its session cookie.
    let (status, events) = alice.chat(json!({ "message": "spent $12 on lunch" })).await;
    assert_eq!(status, 200);
    let id = events[0].1["conversation_id"].as_i64().expect("id");
    let action = events[1].1["id"].as_i64().expect("action id");

    let list = alice.rpc(ListConversations {}).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "spent $12 on lunch");
    let conversation = alice.rpc(LoadConversation { id }).await.expect("load");
    assert_eq!(conversation.messages.len(), 2);
    assert!(conversation.messages[1].content.starts_with("Logged 12.00"));

    // A plain form post (before hydration) writes the whole reply; what the user typed is
    // shown as text.
    alice
        .rpc(SendMessage {
            conversation_id: Some(id),
            message: "<b>hi</b>".into(),
        })
        .await
        .expect("send");
    let conversation = alice.rpc(LoadConversation { id }).await.expect("load");
    assert_eq!(conversation.messages.len(), 4);
    assert_eq!(
        conversation.messages[2].html,
        "<p>&lt;b&gt;hi&lt;/b&gt;</p>"
    );
    assert!(
        conversation.messages[3]
            .content
            .contains("no language model")
    );

    assert_eq!(
        field(
            alice
                .rpc(RenameConversation {
                    id,
                    title: " ".into()
                })
                .await
        ),
        "title"
    );
    alice
        .rpc(RenameConversation {
            id,
            title: "Spending".into(),
        })
        .await
        .expect("rename");
    assert_eq!(
        alice.rpc(ListConversations {}).await.expect("list")[0].title,
        "Spending"
    );

    // Bob can neither see, change, undo nor stop any of it.
    assert_eq!(
        bob.rpc(LoadConversation { id }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(RenameConversation {
            id,
            title: "mine".into()
        })
        .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(DeleteConversation { id }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(UndoAction { action_id: action }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        bob.rpc(StopReply {
            message_id: events[0].1["message_id"].as_i64().expect("id")
        })
        .await,
        Ok(false)
    );
    assert!(
        bob.rpc(ListConversations {})
            .await
            .expect("list")
            .is_empty()
    );

    let undone = alice
        .rpc(UndoAction { action_id: action })
        .await
        .expect("undo");
    assert!(undone.starts_with("Removed the expense"), "{undone}");
    assert_eq!(app.count("expenses").await, 0);
    assert_eq!(
        field(alice.rpc(UndoAction { action_id: action }).await),
        "action"
    );

    let usage = alice
        .rpc(LoadUsage { everyone: false })
        .await
        .expect("usage");
    assert_eq!(usage.days.len(), 1);
    let day = &usage.days[0];
    assert_eq!((day.rules, day.cheap, day.unanswered), (1, 0, 1));
    assert_eq!(usage.month_cost_microusd, 0);
    assert!(matches!(
        alice.rpc(LoadUsage { everyone: true }).await,
        Err(AppError::Forbidden(_))
    ));

    alice.rpc(DeleteConversation { id }).await.expect("delete");
    assert_eq!(
        alice.rpc(LoadConversation { id }).await,
        Err(AppError::NotFound)
    );
    assert_eq!(app.count("chat_messages").await, 0);
    // What the turns cost is kept for the usage page.
    assert_eq!(app.count("assistant_turns").await, 2);
}

#[tokio::test]
async fn admins_see_everyones_usage() {
    use app::assistant::api::LoadUsage;
    let app = TestApp::start().await;
    let alice = session_for(&app, "alice@example.com").await;
    alice.chat(json!({ "message": "spent $3 on gum" })).await;
    app.user("boss@example.com", true).await;
    let admin = app.client();
    admin
        .sign_in_session("boss@example.com")
        .await
        .expect("sign in");
    let everyone = admin
        .rpc(LoadUsage { everyone: true })
        .await
        .expect("usage");
    assert!(everyone.everyone);
    let day = everyone
        .days
        .iter()
        .find(|d| d.email.as_deref() == Some("alice@example.com"))
        .expect("alice's day");
    assert_eq!(day.rules, 1);
    let mine = admin
        .rpc(LoadUsage { everyone: false })
        .await
        .expect("usage");
    assert!(mine.days.is_empty(), "the admin sent nothing");
}

/// Runs `statement` on the database directly, behind the app's back.
async fn behind_the_apps_back(app: &TestApp, statement: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app::db::conn(&app.state.pool).await.expect("conn");
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .expect(statement);
}

const EXPIRE_EVERY_SESSION: &str = "UPDATE sessions SET expires_at = now() - interval '1 second'";

#[tokio::test]
async fn an_idle_session_ends() {
    // Sessions read afresh on every request, so that one expired in the database shows at once.
    let app = TestApp::with_settings(app::state::Settings {
        session_reread_seconds: 0,
        ..Default::default()
    })
    .await;
    let user = session_for(&app, "idle@example.com").await;
    assert!(user.rpc(CurrentUser {}).await.expect("me").is_some());
    // Left idle past its expiry, the session no longer signs anyone in.
    behind_the_apps_back(&app, EXPIRE_EVERY_SESSION).await;
    assert_signed_out(&user).await;
}

#[tokio::test]
async fn a_session_is_trusted_for_a_while_but_sign_out_ends_it_at_once() {
    let app = TestApp::start().await;
    let user = session_for(&app, "trusted@example.com").await;
    assert!(user.rpc(CurrentUser {}).await.expect("me").is_some());
    // A row changed behind the store's back is seen only once it is read again...
    behind_the_apps_back(&app, EXPIRE_EVERY_SESSION).await;
    assert!(
        user.rpc(CurrentUser {}).await.expect("me").is_some(),
        "the session was read moments ago, so it is not read again yet"
    );
    // ...but signing out goes through the store and ends the session at once, even for a copy
    // of the cookie kept elsewhere (the signing-out client's own jar drops it).
    let copy = same_cookie(&app, &user).await;
    assert!(copy.rpc(CurrentUser {}).await.expect("me").is_some());
    user.rpc(SignOut {}).await.expect("sign out");
    assert_signed_out(&user).await;
    assert_signed_out(&copy).await;
}

#[tokio::test]
async fn an_account_is_trusted_for_a_while_but_disabling_it_refuses_it_at_once() {
    let app = TestApp::start().await;
    let admin = app.user("root@example.com", true).await;
    let user = session_for(&app, "jo@example.com").await;
    let jo = user
        .rpc(CurrentUser {})
        .await
        .expect("me")
        .expect("signed in");
    behind_the_apps_back(
        &app,
        "UPDATE users SET display_name = 'Renamed' WHERE email = 'jo@example.com'",
    )
    .await;
    let seen = user
        .rpc(CurrentUser {})
        .await
        .expect("me")
        .expect("signed in");
    assert_eq!(
        seen.name, jo.name,
        "read moments ago, so not read again yet"
    );
    app::auth::ops::disable(&app.state, &admin, jo.id)
        .await
        .expect("disable");
    assert_signed_out(&user).await;
}

#[tokio::test]
async fn with_no_trust_an_account_changed_behind_the_apps_back_is_seen_at_once() {
    let app = TestApp::with_settings(app::state::Settings {
        session_reread_seconds: 0,
        ..Default::default()
    })
    .await;
    let user = session_for(&app, "lee@example.com").await;
    assert!(user.rpc(CurrentUser {}).await.expect("me").is_some());
    behind_the_apps_back(
        &app,
        "UPDATE users SET display_name = 'Renamed' WHERE email = 'lee@example.com'",
    )
    .await;
    let seen = user
        .rpc(CurrentUser {})
        .await
        .expect("me")
        .expect("signed in");
    assert_eq!(seen.name, "Renamed");
    behind_the_apps_back(
        &app,
        "UPDATE users SET status = 'disabled' WHERE email = 'lee@example.com'",
    )
    .await;
    assert_signed_out(&user).await;
}

/// A second client sending the session cookie `client` holds now.
async fn same_cookie(app: &TestApp, client: &Client) -> Client {
    // The cookie comes back on any response that touches the session, as `always_save` does.
    let response = client
        .http
        .post(format!(
            "{}{}",
            app.base,
            <CurrentUser as leptos::server_fn::ServerFn>::PATH
        ))
        .header("accept", "application/json")
        .send()
        .await
        .expect("current user");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("aida_session="))
        .expect("the session cookie")
        .to_owned();
    app.client_with_cookie(&cookie)
}

/// A request that read the session before a sign-out and saves it after must not bring it back.
#[tokio::test]
async fn a_session_ended_while_a_request_held_it_stays_ended() {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};

    let app = TestApp::start().await;
    let store =
        app::auth::session::PgSessionStore::new(app.state.pool.clone(), app.state.caches.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("user_id".to_owned(), json!(1))].into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.expect("create");
    let held = store
        .load(&record.id)
        .await
        .expect("load")
        .expect("the session");
    store.delete(&record.id).await.expect("sign out");
    // The slow request saves what it held, with a later expiry.
    let mut late = held.clone();
    late.expiry_date += time::Duration::hours(2);
    store.save(&late).await.expect("save");
    assert!(store.load(&record.id).await.expect("load").is_none());
    assert_eq!(app.count("sessions").await, 0);
}

/// A password change signs out every other session of the account, keeps the one that asked,
/// and revokes the API tokens when asked to; tokens made by signing in expire.
#[tokio::test]
async fn a_password_change_ends_other_sessions_and_can_revoke_tokens() {
    use app::auth::model::PasswordChanged;
    let app = TestApp::start().await;
    app.user("ann@example.com", false).await;
    let here = app.client();
    here.sign_in_session("ann@example.com")
        .await
        .expect("sign in here");
    let elsewhere = app.client();
    elsewhere
        .sign_in_session("ann@example.com")
        .await
        .expect("sign in elsewhere");
    let other_user = app.client();
    app.user("bob@example.com", false).await;
    other_user
        .sign_in_session("bob@example.com")
        .await
        .expect("bob signs in");
    let api = app.client_for("ann@example.com").await;
    assert_eq!(api.get("/api/me").await.0, 200);

    let changed = here
        .rpc(ChangePassword {
            current_password: PASSWORD.into(),
            new_password: "a new long password".into(),
            revoke_tokens: None,
        })
        .await
        .expect("change");
    assert_eq!(
        changed,
        PasswordChanged {
            sessions_ended: 1,
            tokens_revoked: 0
        }
    );
    assert!(
        here.rpc(LoadSettings {}).await.is_ok(),
        "the session that asked stays"
    );
    assert_eq!(
        elsewhere.rpc(LoadSettings {}).await.unwrap_err(),
        AppError::Unauthenticated
    );
    assert!(
        other_user.rpc(LoadSettings {}).await.is_ok(),
        "another account is untouched"
    );
    assert_eq!(api.get("/api/me").await.0, 200, "tokens stay unless asked");

    let tokens = here.rpc(LoadSettings {}).await.expect("settings").tokens;
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].name.starts_with("API sign-in "));
    assert_eq!(
        tokens[0].expires_at,
        Some(common::default_now() + chrono::Duration::days(30))
    );
    let changed = here
        .rpc(ChangePassword {
            current_password: "a new long password".into(),
            new_password: "another long password".into(),
            revoke_tokens: Some("on".into()),
        })
        .await
        .expect("change again");
    assert_eq!(changed.tokens_revoked, 1);
    assert_eq!(api.get("/api/me").await.0, 401);

    // A token made by signing in stops working after 30 days; a named one does not.
    let signed_in = app.client_for("bob@example.com").await;
    let named = other_user
        .rpc(CreateToken {
            name: "script".into(),
        })
        .await
        .expect("token");
    let mut script = app.client();
    script.token = Some(named.secret.expose().to_owned());
    app.clock
        .set(common::default_now() + chrono::Duration::days(30) + chrono::Duration::minutes(1));
    assert_eq!(signed_in.get("/api/me").await.0, 401);
    assert_eq!(script.get("/api/me").await.0, 200);
}
