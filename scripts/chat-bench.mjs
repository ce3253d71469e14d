// Chat figures for scripts/bench (Node 20, no dependencies): run against a server whose model
// is end2end/fake-openai.mjs.
//
//   node scripts/chat-bench.mjs <base-url> <bearer-token>
//
// 1. Server-added latency per streamed chunk: the fake sends a piece every 20 ms stamped with
//    its send time; we take each `token` event's arrival time minus that stamp (same machine,
//    same clock), and the spacing between arrivals.
// 2. Time to first byte and to the first `token` of a rules-tier answer with 50 concurrent
//    chats ("what's on friday?" is answered by the rules, no model call), two ways:
//    - paced: each chat sends a message every second (at its own phase), far faster than a
//      person types: the latency people would see with 50 chats open;
//    - flat out: each chat sends its next message as soon as the answer ends: the most the
//      server answers, and the latency when it is saturated.
//    BENCH_CHATS changes the number of chats, BENCH_PERIOD_MS the paced period, BENCH_SECONDS
//    the duration of each run.

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node scripts/chat-bench.mjs <base-url> <bearer-token>");
  process.exit(2);
}

const now = () => performance.timeOrigin + performance.now();

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (ms) => `${ms.toFixed(2)} ms`;

/** Posts one message; calls onEvent(name, data, arrivalTime) per SSE event. */
async function chat(message, onEvent) {
  const started = now();
  const response = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ message }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let firstByte = null;
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    const at = now();
    if (done) break;
    firstByte ??= at - started;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) onEvent(name, JSON.parse(data), at, started);
    }
  }
  return firstByte;
}

// 1. Streaming latency.
const delays = [];
const spacing = [];
for (let run = 0; run < 5; run++) {
  let previous = null;
  await chat("timestamps please", (name, data, at) => {
    if (name !== "token") return;
    for (const stamp of data.text.trim().split(" ").filter(Boolean)) {
      delays.push(at - Number(stamp));
    }
    if (previous !== null) spacing.push(at - previous);
    previous = at;
  });
}
console.log(
  `streamed chunks (fake model: a piece every 20 ms; ${delays.length} pieces): ` +
    `server-added latency p50 ${fmt(percentile(delays, 50))}, p99 ${fmt(percentile(delays, 99))}, ` +
    `max ${fmt(Math.max(...delays))}; spacing at the client p50 ${fmt(percentile(spacing, 50))}, ` +
    `p99 ${fmt(percentile(spacing, 99))}`,
);

// 2. Rules-tier answers with many chats at once.
const CONCURRENT = Number(process.env.BENCH_CHATS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

async function rulesAnswers(periodMs) {
  const firstBytes = [];
  const firstTokens = [];
  let failures = 0;
  const until = now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async (_, i) => {
      let next = now() + (periodMs * i) / CONCURRENT;
      while (now() < until) {
        if (periodMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - now())));
          next += periodMs;
        }
        let firstToken = null;
        let tier = null;
        try {
          const firstByte = await chat("what's on friday?", (name, data, at, started) => {
            if (name === "token" && firstToken === null) firstToken = at - started;
            if (name === "done") tier = data.tier;
          });
          if (tier !== "rules") throw new Error(`answered by ${tier}`);
          firstBytes.push(firstByte);
          firstTokens.push(firstToken);
        } catch (e) {
          failures++;
          if (failures === 1) console.error(e.message);
        }
      }
    }),
  );
  const how = periodMs > 0 ? `each sending a message every ${periodMs} ms` : "flat out";
  console.log(
    `rules-tier answers, ${CONCURRENT} concurrent chats ${how} for ${SECONDS} s: ` +
      `${(firstBytes.length / SECONDS).toFixed(0)} answers/s; ` +
      `time to first byte p50 ${fmt(percentile(firstBytes, 50))}, p99 ${fmt(percentile(firstBytes, 99))}; ` +
      `to the answer's text p50 ${fmt(percentile(firstTokens, 50))}, p99 ${fmt(percentile(firstTokens, 99))}; ` +
      `failures ${failures}`,
  );
}

await rulesAnswers(Number(process.env.BENCH_PERIOD_MS ?? 1000));
await rulesAnswers(0);
