//! A scripted, local OpenAI-compatible chat server for tests.
//!
//! `FakeLlm::start()` serves `POST /v1/chat/completions` on a loopback port. The test pushes
//! [`Reply`] values onto a FIFO queue; each request pops the next one and answers it in the real
//! streaming wire format (`shared/protocols.md` §4.2 and §4.3): `text/event-stream`, one
//! `data: <json>` event per chunk, `usage: null` on every chunk, the extra usage chunk with
//! `choices: []` when the request asks for `stream_options.include_usage`, then `data: [DONE]`.
//!
//! The fake records every request (body and `Authorization` header) and counts the streams
//! the client dropped before they finished, so Stop tests can check that the upstream
//! connection really was closed.
//!
//! Requests that are not JSON, or that do not ask for `"stream": true`, get a 400 with an
//! OpenAI error body and do not consume a scripted reply (they are still recorded).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::stream;
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The `created` timestamp of every chunk.
const CREATED: u64 = 1_700_000_000;

/// How long a [`Reply::Cut`] stream pauses before failing, so what came before is delivered.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// Tool-call ids handed out by [`Reply::tool_call`]: `call_1`, `call_2`, … across the process.
static NEXT_CALL_ID: AtomicU64 = AtomicU64::new(1);

/// One scripted answer to one `POST /v1/chat/completions`.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A streamed text answer: one content chunk per piece, each after `delay`, then
    /// `finish_reason: "stop"`, the usage chunk (when asked for) and `[DONE]`.
    Text {
        pieces: Vec<String>,
        delay: Duration,
        prompt_tokens: u32,
        completion_tokens: u32,
    },
    /// Streamed tool calls (give at least one): each call's header fragment (`index`, `id`, `type`, `name`,
    /// `arguments: ""`), then its arguments in about three fragments, interleaved across calls,
    /// then `finish_reason: "tool_calls"`, the usage chunk (when asked for) and `[DONE]`.
    ToolCalls {
        calls: Vec<ToolCall>,
        prompt_tokens: u32,
        completion_tokens: u32,
    },
    /// A non-2xx JSON answer, with a `retry-after` header (seconds) when set.
    Status {
        status: u16,
        body: Value,
        retry_after: Option<u32>,
    },
    /// The first chunk and the content pieces, then the connection is cut: no `finish_reason`,
    /// no usage, no `[DONE]`, and no terminating HTTP chunk (the client sees a body error).
    Cut { pieces: Vec<String> },
    /// One valid content chunk (`"Hello"`), then `data: {not json`, then `[DONE]`.
    Malformed,
    /// The first chunk and the content pieces, then nothing, forever; for Stop tests.
    Hang { pieces: Vec<String> },
}

/// One function call inside [`Reply::ToolCalls`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The JSON arguments exactly as the model would stream them.
    pub arguments: String,
}

impl ToolCall {
    /// A call with an explicit id.
    pub fn new(id: &str, name: &str, arguments: &Value) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            arguments: arguments.to_string(),
        }
    }

    /// A call with the next process-wide id (`call_1`, `call_2`, …).
    pub fn generated(name: &str, arguments: &Value) -> Self {
        let n = NEXT_CALL_ID.fetch_add(1, Ordering::Relaxed);
        Self::new(&format!("call_{n}"), name, arguments)
    }
}

impl Reply {
    /// Text in these pieces, no delay, 100 prompt tokens and one completion token per piece.
    pub fn text(pieces: &[&str]) -> Self {
        Reply::Text {
            pieces: owned(pieces),
            delay: Duration::ZERO,
            prompt_tokens: 100,
            completion_tokens: count(pieces.len()),
        }
    }

    /// One tool call with a generated id; 100 prompt tokens, 10 completion tokens.
    pub fn tool_call(name: &str, arguments: Value) -> Self {
        Reply::tool_calls(vec![ToolCall::generated(name, &arguments)])
    }

    /// Several (parallel) tool calls; 100 prompt tokens, 10 completion tokens per call.
    pub fn tool_calls(calls: Vec<ToolCall>) -> Self {
        let completion_tokens = 10 * count(calls.len());
        Reply::ToolCalls {
            calls,
            prompt_tokens: 100,
            completion_tokens,
        }
    }

    /// 429 "Rate limit reached for requests" with `retry-after: 0` (a retryable error).
    pub fn rate_limited() -> Self {
        Reply::Status {
            status: 429,
            body: error_body(
                "Rate limit reached for requests",
                "requests",
                "rate_limit_exceeded",
            ),
            retry_after: Some(0),
        }
    }

    /// 500 with an OpenAI error body and `retry-after: 0` (a retryable error).
    pub fn server_error() -> Self {
        Reply::Status {
            status: 500,
            body: error_body(
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                "server_error",
            ),
            retry_after: Some(0),
        }
    }

    /// 429 `insufficient_quota` (a permanent error), without `retry-after`.
    pub fn insufficient_quota() -> Self {
        Reply::Status {
            status: 429,
            body: error_body(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            ),
            retry_after: None,
        }
    }

    /// Any status with an OpenAI error body, e.g. `Reply::error(401, "invalid_request_error",
    /// "invalid_api_key", "Incorrect API key provided")`; no `retry-after`.
    pub fn error(status: u16, r#type: &str, code: &str, message: &str) -> Self {
        Reply::Status {
            status,
            body: error_body(message, r#type, code),
            retry_after: None,
        }
    }

    /// A stream cut after these content pieces.
    pub fn cut(pieces: &[&str]) -> Self {
        Reply::Cut {
            pieces: owned(pieces),
        }
    }

    /// A stream that hangs after these content pieces.
    pub fn hang(pieces: &[&str]) -> Self {
        Reply::Hang {
            pieces: owned(pieces),
        }
    }

    /// Sets the delay before each piece of a [`Reply::Text`]; other replies are unchanged.
    pub fn with_delay(mut self, piece_delay: Duration) -> Self {
        if let Reply::Text { delay, .. } = &mut self {
            *delay = piece_delay;
        }
        self
    }

    /// Sets the reported token usage of a [`Reply::Text`] or [`Reply::ToolCalls`].
    pub fn with_usage(mut self, prompt: u32, completion: u32) -> Self {
        if let Reply::Text {
            prompt_tokens,
            completion_tokens,
            ..
        }
        | Reply::ToolCalls {
            prompt_tokens,
            completion_tokens,
            ..
        } = &mut self
        {
            *prompt_tokens = prompt;
            *completion_tokens = completion;
        }
        self
    }
}

/// What the fake saw of one request.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The JSON body; a JSON string holding the raw text when the body was not JSON.
    pub body: Value,
    /// The `Authorization` header, e.g. `Some("Bearer test-key")`.
    pub authorization: Option<String>,
}

/// A running fake; cheap to clone (all clones share the queue and the records).
#[derive(Clone)]
pub struct FakeLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    closed_early: AtomicUsize,
    closed: Notify,
    next_stream: AtomicU64,
}

impl FakeLlm {
    /// Binds 127.0.0.1:0 and serves on the current tokio runtime.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            replies: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            closed_early: AtomicUsize::new(0),
            closed: Notify::new(),
            next_stream: AtomicU64::new(1),
        });
        let router = Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake LLM");
        let addr = listener.local_addr().expect("fake LLM address");
        tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("serve the fake LLM");
        });
        Self { addr, shared }
    }

    /// The base URL, `/v1` included: `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Queues the answer to a future request.
    pub fn push(&self, reply: Reply) {
        lock(&self.shared.replies).push_back(reply);
    }

    /// How many scripted replies have not been used yet.
    pub fn pending(&self) -> usize {
        lock(&self.shared.replies).len()
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.shared.requests)
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }

    /// Every request received, in order, with its `Authorization` header.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// How many streamed responses the client dropped before they finished.
    pub fn closed_early(&self) -> usize {
        self.shared.closed_early.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` streams were dropped early; false on timeout.
    pub async fn wait_closed_early(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.closed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.closed_early() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.closed_early() >= n;
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn owned(pieces: &[&str]) -> Vec<String> {
    pieces.iter().map(|p| (*p).to_owned()).collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn error_body(message: &str, r#type: &str, code: &str) -> Value {
    json!({ "error": { "message": message, "type": r#type, "param": null, "code": code } })
}

fn error_response(status: StatusCode, body: Value, retry_after: Option<u32>) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let parsed = serde_json::from_slice::<Value>(&body);
    let recorded = match &parsed {
        Ok(v) => v.clone(),
        Err(_) => Value::String(String::from_utf8_lossy(&body).into_owned()),
    };
    lock(&shared.requests).push(RecordedRequest {
        body: recorded,
        authorization,
    });

    let Ok(request) = parsed else {
        return error_response(
            StatusCode::BAD_REQUEST,
            error_body(
                "fake_llm: the body is not JSON",
                "invalid_request_error",
                "invalid_json",
            ),
            None,
        );
    };
    if request["stream"] != Value::Bool(true) {
        return error_response(
            StatusCode::BAD_REQUEST,
            error_body(
                "fake_llm: only \"stream\": true is supported",
                "invalid_request_error",
                "stream_required",
            ),
            None,
        );
    }
    let Some(reply) = lock(&shared.replies).pop_front() else {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(
                "fake_llm: no scripted reply",
                "server_error",
                "no_scripted_reply",
            ),
            None,
        );
    };

    let model = request["model"].as_str().unwrap_or_default();
    let include_usage = request["stream_options"]["include_usage"] == Value::Bool(true);
    let n = shared.next_stream.fetch_add(1, Ordering::Relaxed);
    let chunks = Chunks {
        id: format!("chatcmpl-fake-{n}"),
        model: model.to_owned(),
    };

    let steps = match reply {
        Reply::Status {
            status,
            body,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error_response(status, body, retry_after);
        }
        Reply::Text {
            pieces,
            delay,
            prompt_tokens,
            completion_tokens,
        } => {
            let mut steps = vec![Step::Send(chunks.first_text())];
            for piece in &pieces {
                if !delay.is_zero() {
                    steps.push(Step::Sleep(delay));
                }
                steps.push(Step::Send(chunks.content(piece)));
            }
            steps.push(Step::Send(chunks.finish("stop")));
            chunks.end(&mut steps, include_usage, prompt_tokens, completion_tokens);
            steps
        }
        Reply::ToolCalls {
            calls,
            prompt_tokens,
            completion_tokens,
        } => {
            let mut steps: Vec<Step> = calls
                .iter()
                .enumerate()
                .map(|(index, call)| Step::Send(chunks.tool_call_header(index, call)))
                .collect();
            let fragments: Vec<Vec<&str>> =
                calls.iter().map(|c| split_in_three(&c.arguments)).collect();
            let rounds = fragments.iter().map(Vec::len).max().unwrap_or(0);
            for round in 0..rounds {
                for (index, pieces) in fragments.iter().enumerate() {
                    if let Some(piece) = pieces.get(round) {
                        steps.push(Step::Send(chunks.tool_call_arguments(index, piece)));
                    }
                }
            }
            steps.push(Step::Send(chunks.finish("tool_calls")));
            chunks.end(&mut steps, include_usage, prompt_tokens, completion_tokens);
            steps
        }
        Reply::Cut { pieces } => {
            let mut steps = vec![Step::Send(chunks.first_text())];
            steps.extend(pieces.iter().map(|p| Step::Send(chunks.content(p))));
            steps.push(Step::Cut);
            steps
        }
        Reply::Malformed => vec![
            Step::Send(chunks.first_text()),
            Step::Send(chunks.content("Hello")),
            Step::Send("data: {not json\n\n".to_owned()),
            Step::Send("data: [DONE]\n\n".to_owned()),
        ],
        Reply::Hang { pieces } => {
            let mut steps = vec![Step::Send(chunks.first_text())];
            steps.extend(pieces.iter().map(|p| Step::Send(chunks.content(p))));
            steps.push(Step::Hang);
            steps
        }
    };

    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(event_stream(steps, shared)))
        .expect("build the fake LLM response")
}

/// One thing the response body does next.
enum Step {
    /// Send these bytes (a whole SSE event).
    Send(String),
    /// Wait.
    Sleep(Duration),
    /// Cut the connection: the body fails, so no terminating chunk is written.
    Cut,
    /// Never produce anything again.
    Hang,
}

/// Counts the stream as closed early if it is dropped before it ran out of steps.
struct DropGuard {
    shared: Arc<Shared>,
    finished: bool,
}

impl DropGuard {
    /// The stream reached its end (or the server cut it): dropping it now is not early.
    fn disarm(&mut self) {
        self.finished = true;
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.closed_early.fetch_add(1, Ordering::SeqCst);
            self.shared.closed.notify_waiters();
        }
    }
}

fn event_stream(
    steps: Vec<Step>,
    shared: Arc<Shared>,
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> + Send {
    let guard = DropGuard {
        shared,
        finished: false,
    };
    stream::unfold(
        (VecDeque::from(steps), guard),
        |(mut steps, mut guard)| async move {
            loop {
                match steps.pop_front() {
                    Some(Step::Send(event)) => {
                        return Some((Ok(Bytes::from(event)), (steps, guard)));
                    }
                    Some(Step::Sleep(delay)) => tokio::time::sleep(delay).await,
                    Some(Step::Cut) => {
                        // Let hyper flush the status line and the chunks so far: an error
                        // before that would fail the request instead of cutting the stream.
                        tokio::time::sleep(FLUSH_PAUSE).await;
                        guard.disarm();
                        let error = io::Error::new(io::ErrorKind::ConnectionAborted, "fake cut");
                        return Some((Err(error), (steps, guard)));
                    }
                    Some(Step::Hang) => match std::future::pending::<Infallible>().await {},
                    None => {
                        guard.disarm();
                        return None;
                    }
                }
            }
        },
    )
}

/// Splits `s` into up to three roughly equal, non-empty pieces on char boundaries.
fn split_in_three(s: &str) -> Vec<&str> {
    let chars = s.chars().count();
    let size = chars.div_ceil(3).max(1);
    let mut pieces = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let cut = rest.char_indices().nth(size).map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Builds the SSE events of one response.
struct Chunks {
    id: String,
    model: String,
}

impl Chunks {
    fn event(&self, choices: Value, usage: Value) -> String {
        let chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
            "choices": choices,
            "usage": usage,
        });
        format!("data: {chunk}\n\n")
    }

    fn delta(&self, delta: Value, finish_reason: Option<&str>) -> String {
        self.event(
            json!([{ "index": 0, "delta": delta, "finish_reason": finish_reason }]),
            Value::Null,
        )
    }

    fn first_text(&self) -> String {
        self.delta(json!({ "role": "assistant", "content": "" }), None)
    }

    fn content(&self, piece: &str) -> String {
        self.delta(json!({ "content": piece }), None)
    }

    fn finish(&self, reason: &str) -> String {
        self.delta(json!({}), Some(reason))
    }

    fn tool_call_header(&self, index: usize, call: &ToolCall) -> String {
        let fragment = json!({
            "index": index,
            "id": call.id,
            "type": "function",
            "function": { "name": call.name, "arguments": "" },
        });
        let delta = if index == 0 {
            json!({ "role": "assistant", "content": null, "tool_calls": [fragment] })
        } else {
            json!({ "tool_calls": [fragment] })
        };
        self.delta(delta, None)
    }

    fn tool_call_arguments(&self, index: usize, piece: &str) -> String {
        self.delta(
            json!({ "tool_calls": [{ "index": index, "function": { "arguments": piece } }] }),
            None,
        )
    }

    /// Appends the usage chunk (when asked for) and `[DONE]`.
    fn end(&self, steps: &mut Vec<Step>, include_usage: bool, prompt: u32, completion: u32) {
        if include_usage {
            let usage = json!({
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": u64::from(prompt) + u64::from(completion),
                "prompt_tokens_details": { "cached_tokens": 0 },
                "completion_tokens_details": { "reasoning_tokens": 0 },
            });
            steps.push(Step::Send(self.event(json!([]), usage)));
        }
        steps.push(Step::Send("data: [DONE]\n\n".to_owned()));
    }
}
