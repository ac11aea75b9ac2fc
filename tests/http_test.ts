/**
 * The http sink against a real HTTP server on loopback: the exact bytes and
 * headers of each batch format, and the faults a real endpoint produces
 * (5xx, 429 with Retry-After, 4xx, connection refused, answers slower than
 * the timeout, a restart mid-stream). The exact bytes of each format are
 * checked with known entries; the fault scenarios go through createLogger,
 * and after each one every entry is at the receiver in order, or counted:
 * delivered + failed + dropped == submitted.
 */

import assert from "node:assert/strict";
import { ConfigError } from "../core/errors.ts";
import { envOptions, resolveSinkSettings } from "../core/settings.ts";
import type { SerializedView } from "../core/types.ts";
import { http, type HttpSinkOptions, httpSpec } from "../sinks/http.ts";
import { test } from "./harness.ts";
import { type Receiver, startReceiver } from "./fixtures/receiver.ts";
import type { DrainResult } from "../core/types.ts";
import { entry, logMany, RecordingHost, testLogger, view, views } from "./fixtures/recording_host.ts";
import { captureSink } from "./fixtures/capture.ts";

/** Fast retries and a quick circuit probe: tests never wait on the 30 s default recovery time. */
const FAST: HttpSinkOptions = {
  retryBaseDelayMs: 2,
  retryMaxDelayMs: 10,
  batchTimeoutMs: 5,
  circuitRecoveryTimeMs: 20,
};

async function withReceiver(fn: (receiver: Receiver) => Promise<void>): Promise<void> {
  const receiver = await startReceiver();
  try {
    await fn(receiver);
  } finally {
    await receiver.close();
  }
}

function started(endpoint: string, options: HttpSinkOptions) {
  const host = new RecordingHost();
  const sink = http(endpoint, options);
  sink.startSync(host);
  return { sink, host };
}

/** The messages the receiver acknowledged, in arrival order (ndjson bodies). */
function acceptedMessages(receiver: Receiver): string[] {
  return receiver.accepted().flatMap((r) => r.text.split("\n").filter((l) => l).map((l) => JSON.parse(l).message));
}

function texts(vs: readonly SerializedView[]): string[] {
  return vs.map((v) => v.text);
}

function messages(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `m${from + i}`);
}

/** Every entry the logger took is delivered, failed or dropped by the sink: nothing unaccounted. */
function assertAccounted(result: DrainResult, sink: string, submitted: number): void {
  const s = result.sinks[sink];
  assert.equal(result.submitted, submitted);
  assert.equal(result.droppedTotal, 0, "nothing dropped before the sink");
  assert.equal(s.written + s.failed + s.dropped, submitted, JSON.stringify(s));
  assert.equal(s.pending, 0);
  assert.equal(s.inFlight, 0);
}

test("array format: one JSON array per batch, with the custom headers", async () => {
  await withReceiver(async (receiver) => {
    const { sink } = started(receiver.url + "/ingest", {
      batchSize: 3,
      batchTimeoutMs: 60_000,
      headers: { "X-Api-Key": "k-123" },
    });
    const vs = views(4);
    await sink.writeBatch(vs);
    await sink.flush();
    await sink.stop();
    assert.equal(receiver.requests.length, 2);
    const [first, second] = receiver.requests;
    assert.equal(first.method, "POST");
    assert.equal(first.path, "/ingest");
    assert.equal(first.text, `[${texts(vs.slice(0, 3)).join(",")}]`);
    assert.equal(second.text, `[${vs[3].text}]`);
    assert.equal(first.headers["content-type"], "application/json");
    assert.equal(first.headers["x-api-key"], "k-123");
    assert.equal(first.headers["content-encoding"], undefined);
  });
});

test("ndjson format: one entry per line, each ending in a newline", async () => {
  await withReceiver(async (receiver) => {
    const { sink } = started(receiver.url, { batchSize: 10, batchFormat: "ndjson", batchTimeoutMs: 60_000 });
    const vs = views(3);
    await sink.writeBatch(vs);
    await sink.stop();
    assert.equal(receiver.requests.length, 1);
    assert.equal(receiver.requests[0].text, texts(vs).join("\n") + "\n");
    assert.equal(receiver.requests[0].headers["content-type"], "application/x-ndjson");
  });
});

test("wrapped format: the array under the wrapper key", async () => {
  await withReceiver(async (receiver) => {
    const { sink } = started(receiver.url, { batchFormat: "wrapped", batchWrapperKey: "events", batchTimeoutMs: 0 });
    const vs = views(2);
    await sink.writeBatch(vs);
    await sink.stop();
    assert.equal(receiver.requests[0].text, `{"events":[${texts(vs).join(",")}]}`);
    assert.equal(receiver.requests[0].headers["content-type"], "application/json");
    const { sink: byDefault } = started(receiver.url, { batchFormat: "wrapped", batchTimeoutMs: 0 });
    await byDefault.writeBatch(vs);
    await byDefault.stop();
    assert.equal(receiver.requests[1].text, `{"logs":[${texts(vs).join(",")}]}`);
  });
});

test("gzip: the body is compressed and says so", async () => {
  await withReceiver(async (receiver) => {
    const { sink } = started(receiver.url, { batchFormat: "ndjson", gzip: true, batchTimeoutMs: 0 });
    const vs = views(50);
    await sink.writeBatch(vs);
    await sink.stop();
    const r = receiver.requests[0];
    assert.equal(r.headers["content-encoding"], "gzip");
    assert.deepEqual([...r.body.subarray(0, 2)], [0x1f, 0x8b]);
    assert.ok(r.body.byteLength < r.text.length);
    assert.equal(r.text, texts(vs).join("\n") + "\n");
  });
});

test("the body carries each entry's bytes unchanged, non-ASCII included", async () => {
  await withReceiver(async (receiver) => {
    const { sink } = started(receiver.url, { batchFormat: "ndjson", batchTimeoutMs: 0 });
    const v = view(entry("héllo ✓ 日本 🚀", { "clé": "wert – ü" }));
    await sink.writeBatch([v]);
    await sink.stop();
    const body = receiver.requests[0].body;
    assert.deepEqual(body.subarray(0, body.byteLength - 1), v.data);
  });
});

test("429 with Retry-After in seconds or as an HTTP date is honoured", async () => {
  await withReceiver(async (receiver) => {
    const soon = new Date(Date.now() + 1500).toUTCString();
    receiver.fault(
      { status: 429, headers: { "Retry-After": "1" } },
      { status: 503, headers: { "Retry-After": soon } },
      { status: 408 },
    );
    const { sink, host } = started(receiver.url, {
      ...FAST,
      batchFormat: "ndjson",
      retryMaxAttempts: 5,
      // A backoff this long would hang the test: only Retry-After can make it quick.
      retryBaseDelayMs: 3_600_000,
      retryMaxDelayMs: 3_600_000,
      random: () => 0,
    });
    await sink.writeBatch(views(3));
    await sink.flush();
    assert.deepEqual(acceptedMessages(receiver), ["m0", "m1", "m2"]);
    const retries = host.diagnostics.filter((d) => d.fields?.attempt !== undefined).map((d) => d.fields!);
    assert.equal(retries.length, 3);
    assert.deepEqual([retries[0].status, retries[0].retryAfter, retries[0].delayMs], [429, true, 1000]);
    assert.deepEqual([retries[1].status, retries[1].retryAfter], [503, true]);
    assert.ok((retries[1].delayMs as number) <= 1500);
    assert.deepEqual([retries[2].status, retries[2].retryAfter], [408, false]);
    await sink.stop();
  });
});

test("every format through createLogger: the body is exactly the lines the core serialised", async () => {
  await withReceiver(async (receiver) => {
    const formats = ["array", "ndjson", "wrapped"] as const;
    const capture = captureSink();
    const sinks = formats.map((f) => http(`${receiver.url}/${f}`, { name: f, batchFormat: f, batchTimeoutMs: 60_000 }));
    const { log } = testLogger([capture.sink, ...sinks]);
    log.info("héllo ✓ 日本", { "clé": "wert – ü" });
    log.warning("second", { n: 2 });
    const result = await log.close();
    const lines = capture.lines();
    assert.equal(lines.length, 2);
    const body = (f: string) => receiver.requests.find((r) => r.path === `/${f}`)!.text;
    assert.equal(body("array"), `[${lines.join(",")}]`);
    assert.equal(body("ndjson"), lines.join("\n") + "\n");
    assert.equal(body("wrapped"), `{"logs":[${lines.join(",")}]}`);
    for (const f of formats) assertAccounted(result, f, 2);
  });
});

test("5xx answers are retried and every entry arrives in order", async () => {
  await withReceiver(async (receiver) => {
    receiver.fault({ status: 500 }, { status: 502 }, { status: 503 });
    const sink = http(receiver.url, { ...FAST, batchSize: 5, batchFormat: "ndjson", retryMaxAttempts: 5 });
    const { log } = testLogger([sink]);
    logMany(log, 12);
    const result = await log.close();
    assert.deepEqual(acceptedMessages(receiver), messages(12));
    assertAccounted(result, "http", 12);
    assert.equal(result.sinks.http.written, 12);
    assert.equal(result.sinks.http.retried, 3);
  });
});

test("429 answers are retried and every entry arrives in order", async () => {
  await withReceiver(async (receiver) => {
    receiver.fault({ status: 429, headers: { "Retry-After": "0" } }, { status: 429 });
    const sink = http(receiver.url, { ...FAST, batchSize: 4, batchFormat: "ndjson" });
    const { log } = testLogger([sink]);
    logMany(log, 10);
    const result = await log.close();
    assert.deepEqual(acceptedMessages(receiver), messages(10));
    assertAccounted(result, "http", 10);
    assert.equal(result.sinks.http.written, 10);
  });
});

test("other 4xx are not retried: the entries are reported failed, with the status and a short body", async () => {
  await withReceiver(async (receiver) => {
    receiver.fault({ status: 400, body: "invalid payload: " + "x".repeat(1000) });
    const sink = http(receiver.url, { ...FAST, batchSize: 2, batchFormat: "ndjson" });
    const { log, fallback, diagnostics } = testLogger([sink]);
    logMany(log, 4);
    const result = await log.close();
    assert.equal(receiver.requests.length, 2, "the refused batch was not sent again");
    assert.deepEqual(acceptedMessages(receiver), ["m2", "m3"]);
    assert.deepEqual(fallback.map((l) => JSON.parse(l).message), ["m0", "m1"]);
    const s = result.sinks.http;
    assert.deepEqual([s.written, s.failed, s.retried], [2, 2, 0]);
    assertAccounted(result, "http", 4);
    const report = diagnostics.map((d) => d.message).join("\n");
    assert.match(report, /gave up on 2 entries after 1 attempt: the endpoint answered 400/);
    assert.match(report, /invalid payload: x+…/);
  });
});

test("connection refused is retried until the server is back", async () => {
  await withReceiver(async (receiver) => {
    await receiver.stop();
    const sink = http(receiver.url, { ...FAST, batchFormat: "ndjson", retryMaxAttempts: 1000 });
    const { log } = testLogger([sink]);
    logMany(log, 5);
    await receiver.waitFor(() => sink.stats().retried >= 3, 15_000, "three refused attempts");
    assert.match(sink.lastError, /network error/);
    await receiver.restart();
    const result = await log.close();
    assert.deepEqual(acceptedMessages(receiver), messages(5));
    assertAccounted(result, "http", 5);
    assert.equal(result.sinks.http.written, 5);
  });
});

test("an answer slower than the timeout is abandoned and retried", async () => {
  await withReceiver(async (receiver) => {
    receiver.fault({ delayMs: 60_000 });
    const sink = http(receiver.url, { ...FAST, batchFormat: "ndjson", timeoutMs: 1000 });
    const { log } = testLogger([sink]);
    logMany(log, 2);
    await log.flush();
    assert.ok(receiver.requests.length >= 2);
    assert.equal(receiver.requests[0].status, 0, "the slow request never got its answer out");
    assert.deepEqual(acceptedMessages(receiver), ["m0", "m1"]);
    assert.match(sink.lastError, /no response within 1000 ms/);
    const result = await log.close();
    assert.ok((result.sinks.http.retried as number) >= 1);
    assertAccounted(result, "http", 2);
  });
});

test("a server restarting mid-stream loses nothing: all entries arrive in order", async () => {
  await withReceiver(async (receiver) => {
    const sink = http(receiver.url, {
      ...FAST,
      batchSize: 20,
      batchFormat: "ndjson",
      retryMaxAttempts: 1000,
      circuitFailureThreshold: 3,
      circuitRecoveryTimeMs: 20,
    });
    const { log } = testLogger([sink]);
    const total = 300;
    for (let i = 0; i < total; i += 10) {
      logMany(log, 10, i);
      if (i === 100) await receiver.stop();
      if (i === 200) await receiver.restart();
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = await log.close();
    assert.deepEqual(acceptedMessages(receiver), messages(total));
    assertAccounted(result, "http", total);
    assert.equal(result.sinks.http.written, total);
    assert.ok((result.sinks.http.retried as number) > 0, "the restart was noticed");
  });
});

test("retries exhausted: the batch is reported failed and its entries go to the fallback", async () => {
  await withReceiver(async (receiver) => {
    receiver.fault({ status: 503 }, { status: 503 });
    const sink = http(receiver.url, { ...FAST, batchFormat: "ndjson", retryMaxAttempts: 2 });
    const { log, fallback } = testLogger([sink]);
    logMany(log, 3);
    await log.flush();
    logMany(log, 2, 3);
    const result = await log.close();
    assert.deepEqual(fallback.map((l) => JSON.parse(l).message), ["m0", "m1", "m2"]);
    assert.deepEqual(acceptedMessages(receiver), ["m3", "m4"]);
    const s = result.sinks.http;
    assert.deepEqual([s.written, s.failed, s.dropped], [2, 3, 0]);
    assertAccounted(result, "http", 5);
  });
});

test("the circuit opens while the endpoint is down and closes after a successful probe", async () => {
  await withReceiver(async (receiver) => {
    await receiver.stop();
    const sink = http(receiver.url, {
      ...FAST,
      batchFormat: "ndjson",
      retryMaxAttempts: 1000,
      circuitFailureThreshold: 2,
      circuitRecoveryTimeMs: 30,
    });
    const { log } = testLogger([sink]);
    logMany(log, 4);
    await receiver.waitFor(() => sink.circuit === "open", 15_000, "the circuit to open");
    assert.equal(await sink.healthCheck(), false);
    await receiver.restart();
    await log.flush();
    assert.equal(sink.circuit, "closed");
    assert.equal(await sink.healthCheck(), true);
    assert.deepEqual(acceptedMessages(receiver), messages(4));
    const result = await log.close();
    assert.ok((result.sinks.http.circuitOpened as number) >= 1);
    assertAccounted(result, "http", 4);
  });
});

test("the sink's close deadline counts what could not be delivered as dropped", async () => {
  await withReceiver(async (receiver) => {
    await receiver.stop();
    const sink = http(receiver.url, { ...FAST, batchFormat: "ndjson", retryMaxAttempts: 1000, flushDeadlineMs: 50 });
    sink.startSync(new RecordingHost());
    await sink.writeBatch(views(7));
    await sink.stop();
    const s = sink.stats();
    assert.equal(s.dropped_deadline, 7);
    assert.equal(s.sent + s.failed + s.dropped, 7);
  });
});

test("a settings dict builds the same sink as the factory", async () => {
  await withReceiver(async (receiver) => {
    const options = resolveSinkSettings(
      httpSpec,
      {
        type: "http",
        endpoint: receiver.url + "/dict",
        batch_size: 2,
        batch_format: "wrapped",
        batch_wrapper_key: "items",
        batch_timeout_seconds: 60,
        timeout_seconds: "2s",
        retry_max_attempts: 4,
        headers: { Authorization: "Bearer t" },
      },
      {},
      "sinks[0]",
    );
    assert.deepEqual(options, {
      endpoint: receiver.url + "/dict",
      batchSize: 2,
      batchFormat: "wrapped",
      batchWrapperKey: "items",
      batchTimeoutMs: 60_000,
      timeoutMs: 2000,
      retryMaxAttempts: 4,
      headers: { Authorization: "Bearer t" },
    });
    const sink = httpSpec.create(options);
    await sink.writeBatch!(views(2));
    await sink.stop!();
    const r = receiver.requests[0];
    assert.equal(r.path, "/dict");
    assert.equal(r.text, `{"items":[${texts(views(2)).join(",")}]}`);
    assert.equal(r.headers.authorization, "Bearer t");
  });
});

test("createLogger builds the http sink from a settings dict", async () => {
  await withReceiver(async (receiver) => {
    const capture = captureSink();
    const { log } = testLogger([capture.sink, {
      type: "http",
      endpoint: receiver.url + "/dict",
      batch_size: 2,
      batch_format: "wrapped",
      batch_wrapper_key: "items",
      batch_timeout_seconds: 60,
      headers: { Authorization: "Bearer t" },
    }]);
    logMany(log, 3);
    const result = await log.close();
    assert.equal(receiver.requests.length, 2);
    assert.equal(receiver.requests[0].text, `{"items":[${capture.lines().slice(0, 2).join(",")}]}`);
    assert.equal(receiver.requests[1].text, `{"items":[${capture.lines()[2]}]}`);
    assert.equal(receiver.requests[0].headers.authorization, "Bearer t");
    assertAccounted(result, "http", 3);
  });
});

test("with FAPILOG_HTTP__ENDPOINT set and no sinks given, createLogger logs to the http sink", async () => {
  await withReceiver(async (receiver) => {
    const { log } = testLogger([], {
      sinks: undefined,
      env: {
        FAPILOG_HTTP__ENDPOINT: receiver.url + "/env",
        FAPILOG_HTTP__BATCH_FORMAT: "ndjson",
        FAPILOG_HTTP__BATCH_SIZE: "4",
        FAPILOG_HTTP__BATCH_TIMEOUT_SECONDS: "60",
        FAPILOG_HTTP__TIMEOUT_SECONDS: "5",
        FAPILOG_HTTP__RETRY_MAX_ATTEMPTS: "3",
      },
    });
    logMany(log, 6);
    const result = await log.close();
    assert.deepEqual(receiver.requests.map((r) => r.path), ["/env", "/env"]);
    assert.deepEqual(acceptedMessages(receiver), messages(6));
    assert.deepEqual(receiver.requests.map((r) => r.text.split("\n").length - 1), [4, 2]);
    assertAccounted(result, "http", 6);
  });
});

test("the seed's FAPILOG_HTTP__* variables work as written", async () => {
  await withReceiver(async (receiver) => {
    const env = {
      FAPILOG_HTTP__ENDPOINT: receiver.url + "/env",
      FAPILOG_HTTP__TIMEOUT_SECONDS: "5",
      FAPILOG_HTTP__RETRY_MAX_ATTEMPTS: "3",
      FAPILOG_HTTP__BATCH_SIZE: "3",
      FAPILOG_HTTP__BATCH_TIMEOUT_SECONDS: "60",
      FAPILOG_HTTP__BATCH_FORMAT: "ndjson",
      FAPILOG_HTTP__BATCH_WRAPPER_KEY: "logs",
    };
    const options = envOptions(httpSpec, env);
    assert.deepEqual(options, {
      endpoint: receiver.url + "/env",
      timeoutMs: 5000,
      retryMaxAttempts: 3,
      batchSize: 3,
      batchTimeoutMs: 60_000,
      batchFormat: "ndjson",
      batchWrapperKey: "logs",
    });
    const sink = httpSpec.create(options);
    await sink.writeBatch!(views(3));
    await sink.flush!();
    assert.equal(receiver.requests.length, 1, "a full batch of 3 goes at once");
    assert.equal(receiver.requests[0].text, texts(views(3)).join("\n") + "\n");
    await sink.stop!();
  });
});

test("bad http settings fail early, naming the key", () => {
  assert.throws(() => http("ftp://example.com"), (e: unknown) => e instanceof ConfigError && e.key === "endpoint");
  assert.throws(
    () => http("http://127.0.0.1:9", { batchFormat: "xml" as "array" }),
    (e: unknown) =>
      e instanceof ConfigError && e.key === "batchFormat" && /"array", "ndjson" or "wrapped"/.test(e.message),
  );
  assert.throws(
    () => http("http://127.0.0.1:9", { batchSize: 0 }),
    (e: unknown) => e instanceof ConfigError && e.key === "batchSize",
  );
  assert.throws(
    () => resolveSinkSettings(httpSpec, { type: "http", endpoint: "http://x", batch_format: "xml" }, {}, "sinks[0]"),
    (e: unknown) => e instanceof ConfigError && e.key === "sinks[0].batch_format",
  );
  assert.throws(
    () => resolveSinkSettings(httpSpec, { type: "http", endpoint: "http://x", batch_sise: 3 }, {}, "sinks[0]"),
    (e: unknown) => e instanceof ConfigError && /unknown setting/.test(e.message),
  );
  assert.throws(
    () => envOptions(httpSpec, { FAPILOG_HTTP__BATCH_SIZE: "many" }),
    (e: unknown) => e instanceof ConfigError && e.key === "FAPILOG_HTTP__BATCH_SIZE",
  );
  assert.throws(
    () => httpSpec.create({}),
    (e: unknown) => e instanceof ConfigError && /FAPILOG_HTTP__ENDPOINT/.test(e.message),
  );
});
