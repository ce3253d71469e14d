//! `/api/chat` against a fake OpenAI-compatible server that streams real SSE: the rules tier,
//! tool calls, retries, the fallback endpoint, the premium model, Stop, failed turns, usage
//! rows and budgets, and other users' conversations.

mod common;

use std::time::Duration;

use common::fake_llm::{FakeLlm, Reply};
use common::{BUDGET, TestApp};
use serde_json::{Value, json};

fn names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(n, _)| n.as_str()).collect()
}

fn text(events: &[(String, Value)]) -> String {
    events
        .iter()
        .filter(|(n, _)| n == "token")
        .map(|(_, d)| d["text"].as_str().unwrap_or_default())
        .collect()
}

/// The id of the first action a turn took.
fn first_action(events: &[(String, Value)]) -> i64 {
    events
        .iter()
        .find(|(n, _)| n == "action")
        .and_then(|(_, d)| d["id"].as_i64())
        .expect("an action")
}

fn last(events: &[(String, Value)]) -> &Value {
    &events.last().expect("at least one event").1
}

#[derive(Debug, diesel::QueryableByName, PartialEq)]
struct Call {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tier: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    model: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    endpoint: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    input_tokens: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    output_tokens: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cost_microusd: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    outcome: String,
}

async fn calls(app: &TestApp) -> Vec<Call> {
    use diesel_async::RunQueryDsl;
    let mut conn = app::db::conn(&app.state.pool).await.expect("conn");
    diesel::sql_query(
        "SELECT tier, model, endpoint, input_tokens, output_tokens, cost_microusd, outcome \
         FROM model_calls ORDER BY id",
    )
    .load(&mut conn)
    .await
    .expect("model calls")
}

#[tokio::test]
async fn a_rules_message_acts_at_once_without_a_model_call() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("rita@example.com").await;

    let (status, events) = user
        .chat(json!({ "message": "lunch w/ Sam tmrw 1pm" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(names(&events), ["start", "action", "token", "done"]);
    assert_eq!(events[1].1["kind"], "create_event");
    assert_eq!(
        text(&events),
        "Added “lunch with Sam” on Mon 23 Nov, 1 pm–1:30 pm."
    );
    assert_eq!(last(&events)["tier"], "rules");
    assert_eq!(last(&events)["cost_usd"], "0.000000");
    assert_eq!(fake.request_count(), 0, "the rules need no model");

    let (_, listed) = user
        .get("/api/events?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z")
        .await;
    assert_eq!(listed.as_array().expect("events").len(), 1);
    assert_eq!(listed[0]["start"], "2026-11-23T13:00:00Z");
    assert_eq!(listed[0]["source"], "chat");

    let id = last(&events)["conversation_id"].as_i64().expect("id");
    let (_, conversation) = user.get(&format!("/api/conversations/{id}")).await;
    let messages = conversation["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["status"], "done");
    assert_eq!(messages[1]["tier"], "rules");
    assert_eq!(messages[1]["actions"][0]["undone"], false);
    assert_eq!(app.count("model_calls").await, 0);
    assert_eq!(app.count("assistant_turns").await, 1);
}

#[tokio::test]
async fn without_a_key_rules_work_and_the_rest_is_declined_plainly() {
    let app = TestApp::start().await;
    let user = app.signed_in("nokey@example.com").await;
    let (_, events) = user
        .chat(json!({ "message": "write me a poem about autumn" }))
        .await;
    assert!(
        text(&events).contains("no language model is configured"),
        "{}",
        text(&events)
    );
    assert_eq!(last(&events)["tier"], "none");
    let (_, events) = user.chat(json!({ "message": "spent $12 on lunch" })).await;
    assert_eq!(last(&events)["tier"], "rules");
    assert_eq!(app.count("expenses").await, 1);
}

#[tokio::test]
async fn a_model_reply_streams_and_its_usage_is_recorded() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("mo@example.com").await;
    fake.push(Reply::text(&["Autumn ", "leaves ", "fall."]));

    let (_, events) = user
        .chat(json!({ "message": "write me a poem about autumn" }))
        .await;
    assert_eq!(names(&events), ["start", "token", "token", "token", "done"]);
    assert_eq!(text(&events), "Autumn leaves fall.");
    let done = last(&events);
    assert_eq!(done["tier"], "cheap");
    // 100 input tokens at $0.15/M and 3 output tokens at $0.60/M, rounded up: 17 µ$.
    assert_eq!(done["cost_usd"], "0.000017");

    let request = &fake.requests()[0];
    assert_eq!(request["model"], "gpt-4o-mini");
    assert_eq!(request["stream"], true);
    assert_eq!(request["stream_options"]["include_usage"], true);
    let tools: Vec<&str> = request["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap_or_default())
        .collect();
    assert!(tools.contains(&"create_event") && tools.contains(&"escalate"));
    let system = request["messages"][0]["content"].as_str().expect("system");
    assert!(system.contains("UTC"), "{system}");
    assert_eq!(
        request["messages"][1]["content"],
        "write me a poem about autumn"
    );

    assert_eq!(
        calls(&app).await,
        [Call {
            tier: "cheap".into(),
            model: "gpt-4o-mini".into(),
            endpoint: "primary".into(),
            input_tokens: 100,
            output_tokens: 3,
            cost_microusd: 17,
            outcome: "ok".into(),
        }]
    );
    let id = done["conversation_id"].as_i64().expect("id");
    let (_, conversation) = user.get(&format!("/api/conversations/{id}")).await;
    assert_eq!(
        conversation["messages"][1]["content"],
        "Autumn leaves fall."
    );
}

#[tokio::test]
async fn a_fragmented_tool_call_creates_exactly_one_event() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("tool@example.com").await;
    fake.push(Reply::tool_call(
        "create_event",
        json!({ "title": "Dentist", "start": "2026-11-24T15:00", "end": "2026-11-24T16:00" }),
    ));
    fake.push(Reply::text(&["Booked ", "the dentist."]));

    let (_, events) = user
        .chat(json!({ "message": "get me in to see the dentist on tuesday afternoon" }))
        .await;
    assert_eq!(
        names(&events),
        ["start", "action", "token", "token", "done"]
    );
    assert_eq!(events[1].1["kind"], "create_event");
    assert_eq!(app.count("events").await, 1);
    // The second request carries the call and its result back to the model.
    let second = &fake.requests()[1];
    let messages = second["messages"].as_array().expect("messages");
    let call = &messages[messages.len() - 2];
    assert_eq!(call["role"], "assistant");
    assert_eq!(call["tool_calls"][0]["function"]["name"], "create_event");
    let result = &messages[messages.len() - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], call["tool_calls"][0]["id"]);
    assert!(
        result["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Added “Dentist”"),
        "{result}"
    );
    assert_eq!(calls(&app).await.len(), 2);
}

#[tokio::test]
async fn a_rate_limit_is_retried_before_the_stream_starts() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("rl@example.com").await;
    fake.push(Reply::rate_limited());
    fake.push(Reply::text(&["Fine."]));
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    assert_eq!(text(&events), "Fine.");
    assert_eq!(fake.request_count(), 2);
    let calls = calls(&app).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].outcome, "ok");
}

#[tokio::test]
async fn server_errors_move_to_the_fallback_endpoint() {
    let primary = FakeLlm::start().await;
    let fallback = FakeLlm::start().await;
    let app = TestApp::with_llm(&primary, Some(&fallback), BUDGET).await;
    let user = app.signed_in("fb@example.com").await;
    for _ in 0..3 {
        primary.push(Reply::server_error());
    }
    fallback.push(Reply::text(&["From the fallback."]));
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    assert_eq!(text(&events), "From the fallback.");
    assert_eq!(last(&events)["tier"], "cheap");
    assert_eq!(primary.request_count(), 3, "one try and two retries");
    let calls = calls(&app).await;
    let summary: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.endpoint.as_str(), c.outcome.as_str()))
        .collect();
    assert_eq!(summary, [("primary", "unavailable"), ("fallback", "ok")]);
}

#[tokio::test]
async fn insufficient_quota_is_never_retried() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("quota@example.com").await;
    fake.push(Reply::insufficient_quota());
    fake.push(Reply::text(&["never sent"]));
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    assert_eq!(names(&events), ["start", "error"]);
    assert_eq!(last(&events)["code"], "model_quota");
    assert_eq!(fake.request_count(), 1, "no retry and no premium attempt");
    assert_eq!(calls(&app).await[0].outcome, "quota");
}

#[tokio::test]
async fn a_cut_stream_fails_the_turn_and_takes_its_changes_back() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("cut@example.com").await;
    fake.push(Reply::tool_call(
        "add_task",
        json!({ "title": "Renew passport", "due": "2026-12-01" }),
    ));
    fake.push(Reply::cut(&["I added ", "the ta"]));
    let (_, events) = user
        .chat(json!({ "message": "maybe sort out the passport thing" }))
        .await;
    assert_eq!(names(&events)[1], "action");
    assert_eq!(names(&events).last(), Some(&"error"));
    assert_eq!(last(&events)["code"], "model_cut_off");
    assert_eq!(app.count("tasks").await, 0, "the task was taken back");

    let id = events[0].1["conversation_id"].as_i64().expect("id");
    let (_, conversation) = user.get(&format!("/api/conversations/{id}")).await;
    let reply = &conversation["messages"][1];
    assert_eq!(reply["status"], "failed");
    assert_eq!(reply["actions"][0]["undone"], true);
    assert_eq!(reply["content"], "I added the ta");
    let outcomes: Vec<String> = calls(&app).await.into_iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, ["ok", "truncated"]);
}

#[tokio::test]
async fn a_malformed_chunk_fails_the_turn() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("bad@example.com").await;
    fake.push(Reply::Malformed);
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    assert_eq!(names(&events), ["start", "token", "error"]);
    assert_eq!(last(&events)["code"], "model_malformed");
    assert_eq!(
        fake.request_count(),
        1,
        "text was already shown: no second try"
    );
}

#[tokio::test]
async fn the_premium_model_takes_over_when_the_cheap_one_fails_or_escalates() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("esc@example.com").await;

    fake.push(Reply::error(
        404,
        "invalid_request_error",
        "model_not_found",
        "no such model",
    ));
    fake.push(Reply::text(&["Premium answer."]));
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    assert_eq!(text(&events), "Premium answer.");
    assert_eq!(last(&events)["tier"], "premium");

    fake.push(Reply::tool_call(
        "escalate",
        json!({ "reason": "needs planning" }),
    ));
    fake.push(Reply::text(&["Planned."]));
    let (_, events) = user
        .chat(json!({ "message": "plan my week around the gym" }))
        .await;
    assert_eq!(text(&events), "Planned.");
    assert_eq!(last(&events)["tier"], "premium");
    let requests = fake.requests();
    assert_eq!(requests[2]["model"], "gpt-4o-mini");
    assert_eq!(requests[3]["model"], "gpt-4o");
    let premium_tools = requests[3]["tools"].as_array().expect("tools");
    assert!(
        premium_tools
            .iter()
            .all(|t| t["function"]["name"] != "escalate"),
        "the premium model has no one to escalate to"
    );

    fake.push(Reply::text(&["Both done."]));
    user.chat(json!({ "message": "please cancel the gym and book a massage instead" }))
        .await;
    assert_eq!(
        fake.requests()[4]["model"],
        "gpt-4o",
        "a request for several changes starts on the premium model"
    );
}

#[tokio::test]
async fn stop_closes_the_upstream_request_and_keeps_what_was_said() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("stop@example.com").await;
    fake.push(Reply::hang(&["Once upon ", "a time"]));

    let mut stream = user
        .chat_stream(json!({ "message": "tell me a long story" }))
        .await;
    let (name, start) = stream.next().await.expect("start");
    assert_eq!(name, "start");
    let message_id = start["message_id"].as_i64().expect("id");
    let conversation_id = start["conversation_id"].as_i64().expect("id");
    assert_eq!(stream.next().await.expect("token").1["text"], "Once upon ");
    assert_eq!(stream.next().await.expect("token").1["text"], "a time");

    // A reload while the reply is being written shows what has been said so far.
    let mut saved = Value::Null;
    for _ in 0..50 {
        let (_, conversation) = user
            .get(&format!("/api/conversations/{conversation_id}"))
            .await;
        saved = conversation["messages"][1].clone();
        if saved["content"] == "Once upon a time" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(saved["content"], "Once upon a time");
    assert_eq!(saved["status"], "streaming");

    // Someone else cannot stop it; its owner can, through another process.
    let stop = format!("/api/chat/messages/{message_id}/stop");
    let (status, stopped) = app
        .signed_in("other@example.com")
        .await
        .post(&stop, json!({}))
        .await;
    assert_eq!((status, &stopped["stopped"]), (200, &json!(false)));
    let elsewhere = app.beside().await;
    let (status, stopped) = user.at(&elsewhere).post(&stop, json!({})).await;
    assert_eq!((status, &stopped["stopped"]), (200, &json!(true)));
    let (name, done) = stream.next().await.expect("done");
    assert_eq!(name, "done");
    assert_eq!(done["status"], "stopped");
    assert!(stream.next().await.is_none(), "the stream ends after done");
    assert!(
        fake.wait_closed_early(1, Duration::from_secs(5)).await,
        "the fake saw its connection closed"
    );
    let (_, conversation) = user
        .get(&format!("/api/conversations/{conversation_id}"))
        .await;
    assert_eq!(conversation["messages"][1]["status"], "stopped");
    assert_eq!(conversation["messages"][1]["content"], "Once upon a time");
    assert_eq!(calls(&app).await[0].outcome, "stopped");
}

#[tokio::test]
async fn past_the_monthly_budget_only_the_rules_answer() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, 10).await;
    let user = app.signed_in("budget@example.com").await;
    fake.push(Reply::text(&["First and last."]));
    user.chat(json!({ "message": "how are you today?" })).await;
    let (_, events) = user.chat(json!({ "message": "and tomorrow?" })).await;
    assert!(text(&events).contains("budget"), "{}", text(&events));
    assert_eq!(last(&events)["tier"], "none");
    assert_eq!(fake.request_count(), 1);
    let (_, events) = user.chat(json!({ "message": "spent $5 on coffee" })).await;
    assert_eq!(last(&events)["tier"], "rules");
}

#[tokio::test]
async fn actions_can_be_undone_once() {
    let app = TestApp::start().await;
    let user = app.signed_in("undo@example.com").await;
    let (_, events) = user.chat(json!({ "message": "spent $12 on lunch" })).await;
    let action = first_action(&events);
    assert_eq!(app.count("expenses").await, 1);
    let (status, said) = user
        .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
        .await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(app.count("expenses").await, 0);
    let (status, again) = user
        .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
        .await;
    assert_eq!(status, 400, "{again}");
}

#[tokio::test]
async fn a_fault_before_the_undo_record_is_written_leaves_nothing_and_says_so() {
    let app = TestApp::start().await;
    let user = app.signed_in("fault@example.com").await;
    app.break_writes("chat_actions", "INSERT").await;

    for message in ["lunch w/ Sam tmrw 1pm", "spent $12 on lunch"] {
        let (status, events) = user.chat(json!({ "message": message })).await;
        assert_eq!(status, 200);
        assert_eq!(names(&events), ["start", "error"], "{message}: {events:?}");
        let said = last(&events)["message"].as_str().expect("message");
        assert!(said.contains("nothing was changed"), "{said}");
    }
    assert_eq!(
        app.count("events").await,
        0,
        "the event went with its undo record"
    );
    assert_eq!(app.count("expenses").await, 0);
    assert_eq!(
        app.count("expense_month_totals").await,
        0,
        "and the month totals"
    );
    let (_, today) = user.get("/api/events").await;
    assert_eq!(today.as_array().map(Vec::len), Some(0));

    app.mend_writes("chat_actions").await;
    let (_, events) = user.chat(json!({ "message": "spent $12 on lunch" })).await;
    assert_eq!(names(&events), ["start", "action", "token", "done"]);
    assert_eq!(app.count("expenses").await, 1);
    assert_eq!(app.count("chat_actions").await, 1);
}

#[tokio::test]
async fn an_undo_that_fails_midway_can_be_tried_again() {
    let app = TestApp::start().await;
    let user = app.signed_in("retry-undo@example.com").await;
    let (_, events) = user.chat(json!({ "message": "spent $12 on lunch" })).await;
    let action = first_action(&events);

    app.break_writes("expenses", "DELETE").await;
    let (status, said) = user
        .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
        .await;
    assert_eq!(status, 500, "{said}");
    assert_eq!(app.count("expenses").await, 1);
    let claimed: i64 = {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        use diesel_async::RunQueryDsl;
        let mut conn = app::db::conn(&app.state.pool).await.expect("conn");
        diesel::sql_query("SELECT count(*) AS n FROM chat_actions WHERE undone_at IS NOT NULL")
            .get_result::<N>(&mut conn)
            .await
            .expect("count")
            .n
    };
    assert_eq!(claimed, 0, "the claim went with the failed revert");

    app.mend_writes("expenses").await;
    let (status, said) = user
        .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
        .await;
    assert_eq!(status, 200, "{said}");
    assert_eq!(app.count("expenses").await, 0);
}

#[tokio::test]
async fn am_i_free_answers_from_the_calendar_and_offers_free_times() {
    let app = TestApp::start().await;
    let user = app.signed_in("free@example.com").await;
    for (title, start, end) in [
        ("Dentist", "2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z"),
        ("Standup", "2026-11-24T12:00:00Z", "2026-11-24T12:15:00Z"),
    ] {
        let (status, _) = user
            .post(
                "/api/events",
                json!({ "title": title, "start": start, "end": end }),
            )
            .await;
        assert_eq!(status, 201);
    }
    let ask = async |message: &str| text(&user.chat(json!({ "message": message })).await.1);

    assert_eq!(
        ask("am I free tuesday at 4pm?").await,
        "You're free Tue 24 Nov, 4 pm–4:30 pm."
    );
    let busy = ask("am I free tuesday at 2:30pm?").await;
    assert!(
        busy.starts_with("You're busy Tue 24 Nov, 2:30 pm–3 pm:"),
        "{busy}"
    );
    assert!(busy.contains("Dentist"), "{busy}");
    assert!(!busy.contains("Standup"), "{busy}");
    assert!(
        busy.ends_with("Free nearby: 1:30 pm, 3 pm and 3:15 pm."),
        "the three nearest free half hours: {busy}"
    );
    // The afternoon is 2 pm to 5 pm (shared/nlu/SCHEMA.md).
    let afternoon = ask("am I free tuesday afternoon?").await;
    assert!(
        afternoon.starts_with("For Tue 24 Nov, 2 pm–5 pm you have:"),
        "{afternoon}"
    );
    assert!(
        afternoon.contains("Dentist") && !afternoon.contains("Standup"),
        "{afternoon}"
    );
    assert!(
        afternoon.ends_with("Free for 30 minutes at 3 pm, 3:30 pm and 4 pm."),
        "the first free times in it: {afternoon}"
    );
    let morning = ask("am I free tuesday morning?").await;
    assert_eq!(
        morning,
        "Nothing is booked for Tue 24 Nov, 9 am–12 pm: you're free."
    );
}

#[tokio::test]
async fn a_turn_run_to_the_end_answers_in_the_channels_words() {
    use app::assistant::model::{Channel, TurnOutcome};
    let app = TestApp::start().await;
    let user = app.user("texter@example.com", false).await;
    let client = app.client_for("texter@example.com").await;
    let assistant = app.state.assistant.clone();
    let run = async |channel, message: &str| {
        assistant
            .run_to_end(&app.state, &user, channel, None, message)
            .await
            .expect("a turn")
    };

    let reply = run(Channel::Sms, "lunch w/ Sam tmrw 1pm").await;
    assert_eq!(
        reply.text,
        "Added \"lunch with Sam\" on Mon 23 Nov, 1 pm-1:30 pm."
    );
    assert_eq!(reply.outcome, Ok(TurnOutcome::Answered));
    assert_eq!(reply.actions.len(), 1);
    let (_, listed) = client.get("/api/events").await;
    assert_eq!(listed[0]["source"], "sms", "made by a text message");

    run(Channel::Voice, "team sync tuesday at 10").await;
    let reply = run(Channel::Voice, "team sync wednesday at 10").await;
    assert_eq!(
        reply.text,
        "Added \"team sync\" on Wed 25 Nov, 10 am to 10:30 am."
    );
    let reply = run(Channel::Sms, "cancel team sync").await;
    let Ok(TurnOutcome::Question { options }) = &reply.outcome else {
        panic!("a question back: {reply:?}");
    };
    assert_eq!(options.len(), 2);
    assert!(
        reply.text.contains("\n1) \"team sync\" on Tue 24 Nov"),
        "{}",
        reply.text
    );
    assert!(reply.text.ends_with("Which one?"), "{}", reply.text);
    assert!(reply.actions.is_empty());

    let reply = run(Channel::Sms, "cancel the dentist").await;
    assert_eq!(reply.outcome, Ok(TurnOutcome::Refused));
    assert_eq!(reply.text, "I couldn't find an event matching \"dentist\".");
    assert_eq!(app.count("events").await, 3, "nothing was cancelled");
    // Each channel's turns are stored and counted like the chat's.
    assert_eq!(app.count("assistant_turns").await, 5);
}

#[tokio::test]
async fn conversations_are_private() {
    let app = TestApp::start().await;
    let alice = app.signed_in("alice@example.com").await;
    let bob = app.signed_in("bob@example.com").await;
    let (_, events) = alice.chat(json!({ "message": "spent $3 on gum" })).await;
    let conversation = events[0].1["conversation_id"].as_i64().expect("id");
    let message = events[0].1["message_id"].as_i64().expect("id");
    let action = events[1].1["id"].as_i64().expect("id");

    assert_eq!(
        bob.get(&format!("/api/conversations/{conversation}"))
            .await
            .0,
        404
    );
    let (_, list) = bob.get("/api/conversations").await;
    assert_eq!(list, json!([]));
    let (status, _) = bob
        .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
        .await;
    assert_eq!(status, 404);
    let (_, stopped) = bob
        .post(&format!("/api/chat/messages/{message}/stop"), json!({}))
        .await;
    assert_eq!(stopped["stopped"], false);
    let (_, events) = bob
        .chat(json!({ "message": "spent $1 on gum", "conversation_id": conversation }))
        .await;
    assert_eq!(events[0].0, "http_error");
    assert_eq!(events[0].1["error"]["code"], "not_found");
    assert_eq!(app.count("expenses").await, 1, "bob wrote nothing");
    assert_eq!(app.count("chat_messages").await, 2);
}

#[tokio::test]
async fn bad_messages_are_refused_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let user = app.signed_in("val@example.com").await;
    for (body, field) in [
        (json!({ "message": "   " }), "message"),
        (json!({ "message": "x".repeat(4001) }), "message"),
        (json!({ "message": 5 }), "message"),
        (json!({ "message": "hi", "extra": 1 }), "extra"),
    ] {
        let (_, events) = user.chat(body.clone()).await;
        assert_eq!(events[0].0, "http_error", "{body}");
        assert_eq!(events[0].1["error"]["fields"][0]["field"], field, "{body}");
    }
    assert_eq!(app.count("conversations").await, 0);
    let anonymous = app.client();
    let (_, events) = anonymous.chat(json!({ "message": "hi" })).await;
    assert_eq!(events[0].1["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn slow_tokens_are_passed_on_as_they_come() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("slow@example.com").await;
    fake.push(
        Reply::text(&["one ", "two ", "three ", "four"]).with_delay(Duration::from_millis(150)),
    );
    let mut stream = user.chat_stream(json!({ "message": "count slowly" })).await;
    assert_eq!(stream.next().await.expect("start").0, "start");
    let mut arrivals = Vec::new();
    while let Some((name, data)) = stream.next().await {
        if name == "token" {
            arrivals.push((std::time::Instant::now(), data["text"].clone()));
        }
    }
    assert_eq!(arrivals.len(), 4);
    // Each piece reached the client about when the model sent it, not all at the end.
    let spread = arrivals[3].0 - arrivals[0].0;
    assert!(
        spread >= Duration::from_millis(400),
        "pieces arrived together: {spread:?}"
    );
}

#[tokio::test]
async fn a_failing_endpoint_is_skipped_once_its_circuit_opens() {
    let primary = FakeLlm::start().await;
    let fallback = FakeLlm::start().await;
    let app = TestApp::with_llm(&primary, Some(&fallback), BUDGET).await;
    let user = app.signed_in("breaker@example.com").await;
    // Three turns whose primary fails every try (one try and two retries each).
    for turn in 0..3 {
        for _ in 0..3 {
            primary.push(Reply::server_error());
        }
        fallback.push(Reply::text(&["fallback"]));
        let (_, events) = user
            .chat(json!({ "message": format!("question {turn}?") }))
            .await;
        assert_eq!(text(&events), "fallback");
    }
    assert_eq!(primary.request_count(), 9);
    // The circuit is open: the next turn goes straight to the fallback.
    fallback.push(Reply::text(&["straight to fallback"]));
    let (_, events) = user.chat(json!({ "message": "question 4?" })).await;
    assert_eq!(text(&events), "straight to fallback");
    assert_eq!(primary.request_count(), 9, "the primary was not asked");
    let calls = calls(&app).await;
    let last_two: Vec<(&str, &str)> = calls[calls.len() - 2..]
        .iter()
        .map(|c| (c.endpoint.as_str(), c.outcome.as_str()))
        .collect();
    assert_eq!(last_two, [("primary", "unavailable"), ("fallback", "ok")]);
}

#[tokio::test]
async fn the_rules_find_events_and_tasks_by_their_words_and_undo_restores_them() {
    let app = TestApp::start().await;
    let user = app.signed_in("words@example.com").await;
    // Now is Sunday 2026-11-22 15:00 UTC.
    for body in [
        json!({ "title": "Dentist", "start": "2026-11-23T10:00:00Z", "end": "2026-11-23T11:00:00Z" }),
        json!({ "title": "Team sync", "start": "2026-11-24T09:00:00Z", "end": "2026-11-24T09:30:00Z" }),
        json!({ "title": "Team lunch", "start": "2026-11-25T12:00:00Z", "end": "2026-11-25T13:00:00Z" }),
    ] {
        assert_eq!(user.post("/api/events", body).await.0, 201);
    }
    assert_eq!(
        user.post("/api/tasks", json!({ "title": "Call mom" }))
            .await
            .0,
        201
    );

    let (_, events) = user
        .chat(json!({ "message": "move dentist to friday at 3pm" }))
        .await;
    assert_eq!(events[1].1["kind"], "move_event", "{events:?}");
    let moved = events[1].1["id"].as_i64().expect("id");
    let (_, listed) = user
        .get("/api/events?from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z")
        .await;
    assert_eq!(listed[0]["start"], "2026-11-27T15:00:00Z");
    assert_eq!(
        listed[0]["end"], "2026-11-27T16:00:00Z",
        "the length is kept"
    );

    let (_, events) = user.chat(json!({ "message": "cancel team" })).await;
    assert!(
        text(&events).starts_with("Several events match “team”"),
        "{}",
        text(&events)
    );
    assert_eq!(
        names(&events),
        ["start", "token", "done"],
        "nothing was done"
    );
    assert_eq!(last(&events)["outcome"]["kind"], "question");
    assert_eq!(
        last(&events)["outcome"]["options"].as_array().map(Vec::len),
        Some(2)
    );

    let (_, events) = user.chat(json!({ "message": "cancel the dentist" })).await;
    assert_eq!(events[1].1["kind"], "cancel_event", "{events:?}");
    let cancelled = events[1].1["id"].as_i64().expect("id");
    assert_eq!(app.count("events").await, 2);

    let (_, events) = user.chat(json!({ "message": "done with call mom" })).await;
    assert_eq!(events[1].1["kind"], "complete_task", "{events:?}");
    let completed = events[1].1["id"].as_i64().expect("id");
    let (_, open) = user.get("/api/tasks").await;
    assert_eq!(open, json!([]));

    // Undo, newest first: the task reopens, the dentist comes back, then moves back.
    for action in [completed, cancelled, moved] {
        let (status, said) = user
            .post(&format!("/api/chat/actions/{action}/undo"), json!({}))
            .await;
        assert_eq!(status, 200, "{said}");
    }
    let (_, open) = user.get("/api/tasks").await;
    assert_eq!(open[0]["title"], "Call mom");
    let (_, monday) = user
        .get("/api/events?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z")
        .await;
    assert_eq!(monday[0]["title"], "Dentist");
    assert_eq!(monday[0]["start"], "2026-11-23T10:00:00Z");
    assert_eq!(monday[0]["end"], "2026-11-23T11:00:00Z");
}

#[tokio::test]
async fn a_model_that_never_answers_times_out_to_the_fallback() {
    // A server that accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_url = format!("http://{}/v1", silent.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let fallback = FakeLlm::start().await;
    let app = TestApp::with_llm_at(silent_url, Some(fallback.url()), BUDGET).await;
    let user = app.signed_in("silent@example.com").await;
    fallback.push(Reply::text(&["Here I am."]));
    let (_, events) = user.chat(json!({ "message": "anyone there?" })).await;
    assert_eq!(text(&events), "Here I am.");
    let calls = calls(&app).await;
    assert_eq!(
        calls
            .iter()
            .map(|c| (c.endpoint.as_str(), c.outcome.as_str()))
            .collect::<Vec<_>>(),
        [("primary", "unavailable"), ("fallback", "ok")]
    );
}

#[tokio::test]
async fn a_model_that_goes_quiet_mid_reply_fails_the_turn() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("quiet@example.com").await;
    fake.push(Reply::hang(&["Let me think"]));
    let (_, events) = user
        .chat(json!({ "message": "what is the meaning of it all?" }))
        .await;
    assert_eq!(names(&events), ["start", "token", "error"]);
    assert_eq!(last(&events)["code"], "model_cut_off");
    assert!(fake.wait_closed_early(1, Duration::from_secs(5)).await);
}

/// What a provider says when it refuses (it may name endpoints, organisations or request ids)
/// is logged, never shown: the user gets a plain sentence.
#[tokio::test]
async fn provider_error_text_is_not_shown_to_users() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("plain@example.com").await;
    let secret = "Organization org-SECRET cannot use https://internal.example/v1 (req_123)";
    // The cheap model refuses, then the premium one too.
    for _ in 0..2 {
        fake.push(Reply::error(
            400,
            "invalid_request_error",
            "bad_request",
            secret,
        ));
    }
    let (_, events) = user.chat(json!({ "message": "how are you today?" })).await;
    let error = last(&events);
    assert_eq!(error["code"], "model_refused");
    let said = error["message"].as_str().expect("message");
    assert_eq!(
        said,
        "Sorry, the language model could not take this request. Nothing was changed. Please try again."
    );
    let id = events[0].1["conversation_id"].as_i64().expect("id");
    let (_, conversation) = user.get(&format!("/api/conversations/{id}")).await;
    let stored = conversation.to_string();
    assert!(
        !stored.contains("org-SECRET") && !stored.contains("internal.example"),
        "{stored}"
    );
}

/// A model's output is capped per request, and a runaway reply is cut to what can be stored:
/// the turn still ends, stored.
#[tokio::test]
async fn model_output_and_replies_are_capped() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("long@example.com").await;
    let piece = "x".repeat(1_000);
    let pieces: Vec<&str> = (0..60).map(|_| piece.as_str()).collect();
    fake.push(Reply::text(&pieces));
    let (_, events) = user
        .chat(json!({ "message": "tell me a long story please" }))
        .await;
    assert_eq!(names(&events).last(), Some(&"done"));
    assert_eq!(
        fake.requests()[0]["max_completion_tokens"],
        json!(app::assistant::turn::MAX_COMPLETION_TOKENS)
    );
    let id = events[0].1["conversation_id"].as_i64().expect("id");
    let (_, conversation) = user.get(&format!("/api/conversations/{id}")).await;
    let reply = &conversation["messages"][1];
    assert_eq!(reply["status"], "done");
    assert_eq!(
        reply["content"].as_str().map(|c| c.chars().count()),
        Some(app::assistant::turn::MAX_REPLY)
    );
}

/// One reply is written at a time per user, whichever process writes it: a second message
/// meanwhile is refused (409, nothing stored), and goes through once the first has ended.
#[tokio::test]
async fn one_reply_at_a_time_per_user() {
    let fake = FakeLlm::start().await;
    let app = TestApp::with_llm(&fake, None, BUDGET).await;
    let user = app.signed_in("one@example.com").await;
    fake.push(Reply::hang(&["Thinking"]));
    let mut stream = user
        .chat_stream(json!({ "message": "tell me a long story" }))
        .await;
    let (_, start) = stream.next().await.expect("start");
    let message_id = start["message_id"].as_i64().expect("id");
    assert_eq!(stream.next().await.expect("token").1["text"], "Thinking");
    let messages = app.count("chat_messages").await;
    let conversations = app.count("conversations").await;

    let elsewhere = app.beside().await;
    let (status, body) = user
        .at(&elsewhere)
        .post("/api/chat", json!({ "message": "and another thing" }))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("busy")),
        "{body}"
    );
    assert_eq!(app.count("chat_messages").await, messages);
    assert_eq!(
        app.count("conversations").await,
        conversations,
        "no empty conversation left"
    );
    // Another user is not held up.
    fake.push(Reply::text(&["Hi."]));
    let (_, other) = app
        .signed_in("two@example.com")
        .await
        .chat(json!({ "message": "how are you today?" }))
        .await;
    assert_eq!(names(&other).last(), Some(&"done"));

    let stop = format!("/api/chat/messages/{message_id}/stop");
    user.post(&stop, json!({})).await;
    while stream.next().await.is_some() {}
    fake.push(Reply::text(&["Now then."]));
    let (_, events) = user.chat(json!({ "message": "and another thing" })).await;
    assert_eq!(text(&events), "Now then.");
}
