//! The scripted OpenAI-compatible fake speaks the wire format of `shared/protocols.md` §4.
//! No database: the module is included on its own, without the rest of `common`.

#[path = "common/fake_llm.rs"]
mod fake_llm;

use std::collections::BTreeMap;
use std::time::Duration;

use fake_llm::{FakeLlm, Reply, ToolCall};
use serde_json::{Value, json};

fn request(include_usage: bool) -> Value {
    json!({
        "model": "gpt-test",
        "messages": [{ "role": "user", "content": "Hi" }],
        "stream": true,
        "stream_options": { "include_usage": include_usage },
    })
}

async fn send(fake: &FakeLlm, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/chat/completions", fake.url()))
        .bearer_auth("test-key")
        .json(body)
        .send()
        .await
        .expect("reach the fake")
}

/// The raw body, and whether it ended with a transport error instead of a clean end.
async fn read_all(mut response: reqwest::Response) -> (String, bool) {
    let mut raw = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(bytes)) => raw.extend_from_slice(&bytes),
            Ok(None) => return (String::from_utf8(raw).expect("utf-8"), false),
            Err(_) => return (String::from_utf8(raw).expect("utf-8"), true),
        }
    }
}

/// The `data:` payloads of a raw SSE body, parsed, without `[DONE]`.
fn chunks(raw: &str) -> Vec<Value> {
    raw.split("\n\n")
        .filter(|event| !event.is_empty())
        .map(|event| event.strip_prefix("data: ").expect("a data event"))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).expect("a JSON chunk"))
        .collect()
}

#[tokio::test]
async fn text_streams_chunks_then_usage_then_done() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::text(&["Monday ", "has ", "slots."]).with_usage(42, 5));
    let response = send(&fake, &request(true)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let (raw, failed) = read_all(response).await;
    assert!(!failed);
    assert!(raw.ends_with("\n\ndata: [DONE]\n\n"), "{raw}");

    let chunks = chunks(&raw);
    assert_eq!(chunks.len(), 6, "first, 3 pieces, finish, usage: {raw}");
    for chunk in &chunks {
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], "gpt-test");
        assert_eq!(chunk["id"], chunks[0]["id"]);
        assert!(chunk["created"].is_u64());
    }
    assert_eq!(
        chunks[0]["choices"],
        json!([{ "index": 0, "delta": { "role": "assistant", "content": "" }, "finish_reason": null }])
    );
    let text: String = chunks[1..4]
        .iter()
        .map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .expect("content")
        })
        .collect();
    assert_eq!(text, "Monday has slots.");
    assert_eq!(chunks[4]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks[4]["choices"][0]["delta"], json!({}));
    for chunk in &chunks[..5] {
        assert_eq!(chunk["usage"], Value::Null);
    }
    assert_eq!(chunks[5]["choices"], json!([]));
    assert_eq!(
        chunks[5]["usage"],
        json!({
            "prompt_tokens": 42, "completion_tokens": 5, "total_tokens": 47,
            "prompt_tokens_details": { "cached_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0 },
        })
    );

    let recorded = fake.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0].authorization.as_deref(),
        Some("Bearer test-key")
    );
    assert_eq!(fake.requests(), vec![request(true)]);
    assert_eq!(fake.closed_early(), 0);
}

#[tokio::test]
async fn no_usage_chunk_unless_asked() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::text(&["Hi"]));
    let (raw, _) = read_all(send(&fake, &request(false)).await).await;
    let chunks = chunks(&raw);
    assert_eq!(chunks.len(), 3, "{raw}");
    assert!(chunks.iter().all(|c| c["choices"] != json!([])));
    assert!(raw.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn tool_call_fragments_concatenate_per_index() {
    let fake = FakeLlm::start().await;
    let calls = vec![
        ToolCall::new(
            "call_a",
            "create_event",
            &json!({ "title": "Dentist é", "start": "2026-03-02T09:00" }),
        ),
        ToolCall::new("call_b", "list_tasks", &json!({ "done": false })),
    ];
    fake.push(Reply::tool_calls(calls.clone()));
    let (raw, _) = read_all(send(&fake, &request(true)).await).await;
    let chunks = chunks(&raw);

    let first = &chunks[0]["choices"][0]["delta"];
    assert_eq!(first["role"], "assistant");
    assert_eq!(first["content"], Value::Null);
    assert!(first.as_object().expect("delta").contains_key("content"));

    let mut seen: BTreeMap<u64, (String, String, String)> = BTreeMap::new();
    let mut fragments = 0;
    let mut order = Vec::new();
    for chunk in &chunks {
        let Some(parts) = chunk["choices"][0]["delta"]["tool_calls"].as_array() else {
            continue;
        };
        for part in parts {
            let index = part["index"].as_u64().expect("index");
            let entry = seen.entry(index).or_default();
            if let Some(id) = part["id"].as_str() {
                assert_eq!(part["type"], "function");
                assert_eq!(part["function"]["arguments"], "");
                entry.0 = id.to_owned();
                entry.1 = part["function"]["name"].as_str().expect("name").to_owned();
            } else {
                assert!(part.get("type").is_none() && part["function"].get("name").is_none());
                fragments += 1;
                order.push(index);
            }
            entry.2 += part["function"]["arguments"].as_str().expect("arguments");
        }
    }
    for (index, call) in calls.iter().enumerate() {
        let got = &seen[&(index as u64)];
        assert_eq!(
            (&got.0, &got.1, &got.2),
            (&call.id, &call.name, &call.arguments)
        );
    }
    assert_eq!(fragments, 6, "three argument fragments per call");
    assert_eq!(order, vec![0, 1, 0, 1, 0, 1], "interleaved");
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(chunks[chunks.len() - 1]["choices"], json!([]));
    assert!(raw.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn generated_tool_call_ids_differ() {
    let ids: Vec<String> = [
        Reply::tool_call("a", json!({})),
        Reply::tool_call("b", json!({})),
    ]
    .into_iter()
    .map(|reply| match reply {
        Reply::ToolCalls { calls, .. } => calls[0].id.clone(),
        other => panic!("{other:?}"),
    })
    .collect();
    assert!(ids.iter().all(|id| id.starts_with("call_")));
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn cut_ends_without_finish_usage_or_done() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::cut(&["Once ", "upon"]));
    let (raw, failed) = read_all(send(&fake, &request(true)).await).await;
    assert!(failed, "the connection is cut, not ended cleanly");
    assert!(!raw.contains("[DONE]"), "{raw}");
    let chunks = chunks(&raw);
    assert_eq!(chunks.len(), 3);
    assert!(
        chunks
            .iter()
            .all(|c| c["choices"][0]["finish_reason"].is_null())
    );
    assert_eq!(fake.closed_early(), 0, "the server cut, not the client");
}

#[tokio::test]
async fn malformed_sends_bad_json_then_done() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Malformed);
    let (raw, _) = read_all(send(&fake, &request(true)).await).await;
    let events: Vec<&str> = raw.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 4, "{raw}");
    assert!(serde_json::from_str::<Value>(&events[1]["data: ".len()..]).is_ok());
    assert_eq!(events[2], "data: {not json");
    assert_eq!(events[3], "data: [DONE]");
}

#[tokio::test]
async fn dropping_a_hanging_stream_is_seen() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::hang(&["Thinking"]));
    let mut response = send(&fake, &request(true)).await;
    let mut raw = Vec::new();
    while !String::from_utf8_lossy(&raw).contains("Thinking") {
        let bytes = response.chunk().await.expect("chunk").expect("more");
        raw.extend_from_slice(&bytes);
    }
    assert!(!fake.wait_closed_early(1, Duration::from_millis(100)).await);
    drop(response);
    assert!(fake.wait_closed_early(1, Duration::from_secs(5)).await);
    assert_eq!(fake.closed_early(), 1);
}

#[tokio::test]
async fn dropping_a_slow_text_stream_is_seen() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::text(&["a", "b", "c"]).with_delay(Duration::from_secs(30)));
    let mut response = send(&fake, &request(true)).await;
    response.chunk().await.expect("chunk").expect("first chunk");
    drop(response);
    assert!(fake.wait_closed_early(1, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn errors_carry_status_body_and_retry_after() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::rate_limited());
    fake.push(Reply::insufficient_quota());
    fake.push(Reply::server_error());

    let response = send(&fake, &request(true)).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "0");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "error": { "message": "Rate limit reached for requests", "type": "requests",
                           "param": null, "code": "rate_limit_exceeded" } })
    );

    let response = send(&fake, &request(true)).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_none());
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["type"], "insufficient_quota");
    assert_eq!(body["error"]["code"], "insufficient_quota");

    let response = send(&fake, &request(true)).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["retry-after"], "0");

    let response = send(&fake, &request(true)).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("no scripted reply")
    );
    assert_eq!(fake.request_count(), 4);
    assert_eq!(fake.pending(), 0);
}
