// A tiny OpenAI-compatible chat server for the browser tests (Node 20, no dependencies).
//
//   node end2end/fake-openai.mjs <port>
//
// Serves POST /v1/chat/completions in the streaming wire format of shared/protocols.md §4.2:
// text/event-stream, one `data: <json>` event per chunk, `usage: null` on every chunk, a final
// usage chunk with `choices: []` when `stream_options.include_usage` is true, then
// `data: [DONE]`. What it says depends on the last user message:
//   - contains "story" (any case): a short story in 12 word pieces, 250 ms apart;
//   - contains "timestamps" (for scripts/bench): 100 pieces 20 ms apart, each the time it was
//     sent (milliseconds since the epoch, `performance.timeOrigin + performance.now()`) and a
//     space, so a client on the same machine can tell how long each piece took to reach it;
//   - otherwise: "I can help with events, tasks and expenses." in 4 pieces, 20 ms apart.
// GET /health answers 200 "ok". Logs only one startup line.

import { createServer } from "node:http";

const STORY =
  "Once upon a time, a small robot learned to keep a calendar. It never missed a meeting again. The end.";
const DEFAULT_PIECES = ["I can help ", "with events, ", "tasks and ", "expenses."];

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write("usage: node end2end/fake-openai.mjs <port>\n");
  process.exit(2);
}

let nextId = 1;

/** The text of a message's content: a string or an array of `{type: "text", text}` parts. */
function contentText(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  }
  return "";
}

function lastUserText(messages) {
  if (!Array.isArray(messages)) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") return contentText(messages[i].content);
  }
  return "";
}

/** Splits the story into 12 pieces of whole words, each keeping its trailing space. */
function storyPieces() {
  const words = STORY.split(" ").map((w, i, all) => (i < all.length - 1 ? `${w} ` : w));
  const count = 12;
  const pieces = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * words.length) / count);
    const to = Math.floor(((i + 1) * words.length) / count);
    pieces.push(words.slice(from, to).join(""));
  }
  return pieces;
}

function errorBody(message, type, code) {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

function sendError(res, status, message, type, code) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(errorBody(message, type, code));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req) {
  const parts = [];
  for await (const part of req) parts.push(part);
  return Buffer.concat(parts).toString("utf8");
}

async function chatCompletions(req, res) {
  let request;
  try {
    request = JSON.parse(await readBody(req));
  } catch {
    sendError(res, 400, "fake-openai: the body is not JSON", "invalid_request_error", "invalid_json");
    return;
  }
  if (request?.stream !== true) {
    sendError(res, 400, 'fake-openai: only "stream": true is supported', "invalid_request_error", "stream_required");
    return;
  }

  const said = lastUserText(request.messages).toLowerCase();
  const story = said.includes("story");
  const stamped = !story && said.includes("timestamps");
  const pieces = story ? storyPieces() : stamped ? new Array(100).fill("") : DEFAULT_PIECES;
  const delay = story ? 250 : 20;
  const includeUsage = request.stream_options?.include_usage === true;
  const base = {
    id: `chatcmpl-fake-${nextId++}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: typeof request.model === "string" ? request.model : "",
    system_fingerprint: "fp_fake",
    service_tier: "default",
  };

  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  res.on("error", () => {
    closed = true;
  });
  const send = (data) => {
    if (!closed) res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  };
  const chunk = (delta, finishReason = null) =>
    send({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }], usage: null });

  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  chunk({ role: "assistant", content: "" });
  for (const piece of pieces) {
    await sleep(delay);
    if (closed) return;
    chunk({ content: stamped ? `${(performance.timeOrigin + performance.now()).toFixed(3)} ` : piece });
  }
  chunk({}, "stop");
  if (includeUsage) {
    const prompt = 100;
    const completion = pieces.length;
    send({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  }
  send("[DONE]");
  if (!closed) res.end();
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method === "GET" && path === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  } else if (req.method === "POST" && path === "/v1/chat/completions") {
    chatCompletions(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, "fake-openai: internal error", "server_error", "server_error");
      else res.destroy();
    });
  } else {
    sendError(res, 404, `fake-openai: no route for ${req.method} ${path}`, "invalid_request_error", "not_found");
  }
});
// A client that goes away mid-request must not crash the server.
server.on("clientError", (_err, socket) => socket.destroy());

server.listen(port, "127.0.0.1", () => {
  console.log(`fake-openai listening on http://127.0.0.1:${port}/v1`);
});
