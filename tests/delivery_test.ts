/**
 * The delivery engine on its own: batching by count, bytes and age, the
 * bounded buffer, flush and close, outcomes and counters; the retry policy;
 * the circuit breaker. The targets here are in-memory destinations; the
 * network faults are exercised against real servers in http_test.ts.
 */

import assert from "node:assert/strict";
import { CircuitBreaker } from "../core/circuit_breaker.ts";
import { DeliveryError, type DeliveryTarget } from "../core/delivery.ts";
import { DeliverySink } from "../core/delivery_sink.ts";
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs, type SendResult } from "../core/retry.ts";
import type { SerializedView } from "../core/types.ts";
import { test } from "./harness.ts";
import { entry, RecordingHost, view, views } from "./fixtures/recording_host.ts";

/** A destination in memory: keeps each batch's messages; `gate` holds sends until released. */
class MemoryTarget implements DeliveryTarget<string[]> {
  readonly batches: string[][] = [];
  concurrent = 0;
  maxConcurrent = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  answers: SendResult[] = [];

  hold(): void {
    this.#gate = new Promise((resolve) => this.#open = resolve);
  }
  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }
  encode(vs: readonly SerializedView[]): string[] {
    return vs.map((v) => v.entry.message);
  }
  async send(batch: string[], signal: AbortSignal): Promise<SendResult> {
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.#gate) {
        await Promise.race([
          this.#gate,
          new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        ]);
      }
      const answer = this.answers.shift() ?? { ok: true };
      if (answer.ok) this.batches.push(batch);
      return answer;
    } finally {
      this.concurrent--;
    }
  }
  get delivered(): string[] {
    return this.batches.flat();
  }
}

function messages(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `m${from + i}`);
}

function sinkOf(target: MemoryTarget, options: ConstructorParameters<typeof DeliverySink>[2] = {}) {
  const host = new RecordingHost();
  const sink = new DeliverySink("mem", target, {
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    circuitRecoveryTimeMs: 20,
    ...options,
  });
  sink.start(host);
  return { sink, host };
}

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfterMs("3", now), 3000);
  assert.equal(parseRetryAfterMs(" 0 ", now), 0);
  assert.equal(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000);
  assert.equal(parseRetryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
  assert.equal(parseRetryAfterMs("soon", now), undefined);
  assert.equal(parseRetryAfterMs(null, now), undefined);
  assert.equal(parseRetryAfterMs("-1", now), undefined);
});

test("408, 429 and 5xx are retryable; other statuses are not", () => {
  for (const s of [408, 429, 500, 502, 503, 504, 599]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [400, 401, 403, 404, 409, 413, 422, 301]) assert.equal(isRetryableStatus(s), false, String(s));
});

test("backoff is full jitter under a doubling ceiling", () => {
  const top = () => 0.999999;
  assert.equal(backoffDelayMs(1, 100, 10_000, () => 0), 0);
  assert.equal(backoffDelayMs(1, 100, 10_000, top), 99);
  assert.equal(backoffDelayMs(2, 100, 10_000, top), 199);
  assert.equal(backoffDelayMs(4, 100, 10_000, top), 799);
  assert.equal(backoffDelayMs(20, 100, 10_000, top), 9999);
});

test("circuit breaker opens on consecutive failures, probes after the recovery time, and closes on success", () => {
  let now = 1000;
  const breaker = new CircuitBreaker({ failureThreshold: 3, recoveryTimeMs: 100, now: () => now });
  breaker.failure();
  breaker.failure();
  breaker.success(); // a success resets the count
  breaker.failure();
  breaker.failure();
  assert.equal(breaker.state, "closed");
  breaker.failure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.allow(), false);
  assert.equal(breaker.msUntilProbe(), 100);
  now += 100;
  assert.equal(breaker.allow(), true, "the first caller after the recovery time is the probe");
  assert.equal(breaker.state, "half_open");
  assert.equal(breaker.allow(), false, "only one probe at a time");
  breaker.failure();
  assert.equal(breaker.state, "open", "a failed probe opens it again");
  now += 100;
  assert.equal(breaker.allow(), true);
  breaker.success();
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.allow(), true);
  assert.equal(breaker.timesOpened, 2);
});

test("batches are cut by count", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, { batchSize: 3, batchTimeoutMs: 60_000 });
  await sink.writeBatch(views(7));
  await sink.flush();
  assert.deepEqual(target.batches.map((b) => b.length), [3, 3, 1]);
  assert.deepEqual(target.delivered, messages(7));
  assert.equal(host.written_, 7);
  await sink.stop();
});

test("batches are cut by bytes, checking the limit before adding an entry", async () => {
  const target = new MemoryTarget();
  const size = views(1)[0].data.byteLength + 1;
  // Room for two entries and a bit, not three.
  const { sink } = sinkOf(target, { batchSize: 100, batchMaxBytes: size * 2 + 5, batchTimeoutMs: 60_000 });
  await sink.writeBatch(views(5));
  const big = view(entry("big", { pad: "x".repeat(size * 3) }));
  await sink.writeBatch([big, ...views(1, 5)]);
  await sink.flush();
  assert.deepEqual(target.batches, [["m0", "m1"], ["m2", "m3"], ["m4"], ["big"], ["m5"]]);
  await sink.stop();
});

test("a partial batch is sent once its oldest entry reaches the batch age", async () => {
  const target = new MemoryTarget();
  const { sink } = sinkOf(target, { batchSize: 100, batchTimeoutMs: 20 });
  await sink.writeBatch(views(2));
  const until = Date.now() + 15_000;
  while (target.batches.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(target.batches, [["m0", "m1"]]);
  await sink.stop();
});

test("one request in flight by default keeps order; maxInFlight allows more", async () => {
  for (const maxInFlight of [1, 3]) {
    const target = new MemoryTarget();
    const { sink } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 60_000, maxInFlight });
    target.hold();
    await sink.writeBatch(views(10));
    await new Promise((r) => setTimeout(r, 10));
    target.release();
    await sink.flush();
    assert.equal(target.maxConcurrent, maxInFlight);
    if (maxInFlight === 1) assert.deepEqual(target.delivered, messages(10));
    else assert.deepEqual([...target.delivered].sort(), messages(10).sort());
    await sink.stop();
  }
});

test("entries past the buffer are dropped and counted", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, { batchSize: 1, batchTimeoutMs: 0, maxBufferEntries: 5 });
  target.hold();
  await sink.writeBatch(views(1)); // in flight
  await sink.writeBatch(views(8, 1)); // 5 fit in the buffer, 3 do not
  assert.equal(sink.stats().dropped_sink_buffer_full, 3);
  assert.equal(host.drops.sink_buffer_full, 3);
  target.release();
  await sink.flush();
  assert.deepEqual(target.delivered, messages(6));
  const s = sink.stats();
  assert.equal(s.received, 9);
  assert.equal(s.sent + s.failed + s.dropped, s.received);
  await sink.stop();
});

test("with overflow: wait, writers wait for room and nothing is dropped", async () => {
  const target = new MemoryTarget();
  const { sink } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 0, maxBufferEntries: 3, overflow: "wait" });
  target.hold();
  const writes = [sink.writeBatch(views(5)), sink.writeBatch(views(5, 5)), sink.writeSerialized(views(1, 10)[0])];
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(sink.stats().pending <= 3, true);
  target.release();
  await Promise.all(writes);
  await sink.flush();
  assert.deepEqual(target.delivered, messages(11));
  assert.equal(sink.stats().dropped, 0);
  await sink.stop();
});

test("a refused batch is given up at once with its status; a retryable one after the attempts", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 0, retryMaxAttempts: 3 });
  target.answers.push(
    { ok: false, retryable: false, status: 422, detail: "the endpoint answered 422: bad field" },
    { ok: false, retryable: true, status: 503, detail: "the endpoint answered 503" },
    { ok: false, retryable: true, status: 503, detail: "the endpoint answered 503" },
    { ok: false, retryable: true, status: 503, detail: "the endpoint answered 503" },
  );
  await sink.writeBatch(views(2));
  await sink.flush();
  await sink.writeBatch(views(2, 2));
  await sink.flush();
  await sink.writeBatch(views(2, 4));
  await sink.flush();
  assert.equal(host.failures.length, 2);
  const [refused, exhausted] = host.failures.map((f) => f.error as DeliveryError);
  assert.ok(refused instanceof DeliveryError);
  assert.equal(refused.status, 422);
  assert.equal(refused.attempts, 1);
  assert.match(refused.message, /gave up on 2 entries after 1 attempt: the endpoint answered 422: bad field/);
  assert.equal(exhausted.status, 503);
  assert.equal(exhausted.attempts, 3);
  assert.deepEqual(host.failures.map((f) => f.views.map((v) => v.entry.message)), [["m0", "m1"], ["m2", "m3"]]);
  assert.deepEqual(target.delivered, ["m4", "m5"]);
  const s = sink.stats();
  assert.deepEqual([s.sent, s.failed, s.retried, s.batches], [2, 4, 2, 1]);
  await sink.stop();
});

test("a batch that cannot be encoded is given up, not retried", async () => {
  const host = new RecordingHost();
  const sink = new DeliverySink("bad", {
    encode() {
      throw new Error("no encoder");
    },
    send: () => Promise.resolve({ ok: true }),
  }, { batchTimeoutMs: 0 });
  await sink.start(host);
  await sink.writeBatch(views(3));
  await sink.flush();
  assert.equal(host.failedCount, 3);
  assert.match(String(host.failures[0].error), /could not encode the batch: no encoder/);
  await sink.stop();
});

test("close delivers what is buffered and drops later entries as closed", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, { batchSize: 4, batchTimeoutMs: 60_000 });
  await sink.writeBatch(views(6));
  await sink.stop();
  assert.deepEqual(target.delivered, messages(6));
  await sink.writeBatch(views(2, 6));
  assert.equal(host.drops.closed, 2);
  assert.equal(sink.stats().dropped_closed, 2);
});

test("close gives up at its deadline and counts what is left as dropped", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 0, flushDeadlineMs: 30 });
  target.hold(); // the destination never answers
  await sink.writeBatch(views(5));
  await sink.stop();
  const s = sink.stats();
  assert.equal(s.dropped_deadline, 5);
  assert.equal(host.drops.deadline, 5);
  assert.equal(s.sent + s.failed + s.dropped, 5);
  assert.equal(s.pending + s.inFlight, 0);
});

test("a shorter deadline given to stop() cuts a close already under way", async () => {
  const target = new MemoryTarget();
  const { sink } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 0, flushDeadlineMs: 60_000 });
  target.hold();
  await sink.writeBatch(views(3));
  const closing = sink.stop();
  await sink.stop({ deadlineMs: 0 });
  await closing;
  const s = sink.stats();
  assert.equal(s.dropped_deadline, 3);
  assert.equal(s.sent + s.failed + s.dropped, 3);
});

test("while the circuit is open, batches wait for the probe instead of being thrown away", async () => {
  const target = new MemoryTarget();
  const { sink, host } = sinkOf(target, {
    batchSize: 1,
    batchTimeoutMs: 0,
    retryMaxAttempts: 10,
    circuitFailureThreshold: 2,
    circuitRecoveryTimeMs: 30,
  });
  const down: SendResult = { ok: false, retryable: true, status: 503, detail: "the endpoint answered 503" };
  target.answers.push(down, down, down);
  await sink.writeBatch(views(3));
  await sink.flush();
  assert.deepEqual(target.delivered, messages(3));
  const s = sink.stats();
  assert.equal(s.circuitOpened, 2, "opened by two failures, opened again by the failed probe");
  assert.equal(s.failed + s.dropped, 0);
  assert.equal(sink.circuit, "closed");
  assert.ok(host.diagnostics.some((d) => /circuit open/.test(d.message)));
  await sink.stop();
});

test("flush waits for requests in flight", async () => {
  const target = new MemoryTarget();
  const { sink } = sinkOf(target, { batchSize: 2, batchTimeoutMs: 0 });
  target.hold();
  await sink.writeBatch(views(4));
  let flushed = false;
  const f = sink.flush().then(() => flushed = true);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(flushed, false);
  target.release();
  await f;
  assert.deepEqual(target.delivered, messages(4));
  await sink.stop();
});

test("entries written through write(entry) are serialised by the sink", async () => {
  const target = new MemoryTarget();
  const { sink } = sinkOf(target, { batchTimeoutMs: 0 });
  await sink.write(entry("plain"));
  await sink.flush();
  assert.deepEqual(target.delivered, ["plain"]);
  await sink.stop();
});
