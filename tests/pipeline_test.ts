import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createLogger, type Diagnostic, type SerializedView, type Sink, type SinkHost } from "../mod.ts";
import { test } from "./harness.ts";
import { captureSink } from "./fixtures/capture.ts";

/** A sink whose writes wait until released: the slow destination. */
function gatedSink(name = "gated") {
  const received: string[] = [];
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const sink: Sink = {
    name,
    start() {
      return Promise.resolve();
    },
    write() {
      return Promise.reject(new Error("unused"));
    },
    async writeBatch(views: readonly SerializedView[]) {
      await gate;
      for (const v of views) received.push(v.text);
    },
  };
  return {
    sink,
    received,
    open() {
      release();
    },
    close() {
      gate = new Promise<void>((r) => (release = r));
    },
  };
}

test("drop_newest: a full queue drops new entries, counts them, and a warning entry reports the number", async () => {
  const cap = captureSink();
  const log = createLogger({
    sinks: [cap.sink],
    env: {},
    maxQueueSize: 100,
    backpressure: "drop_newest",
    onDiagnostic: () => {},
  });
  for (let i = 0; i < 1000; i++) log.info("burst", { i });
  const r = await log.close();
  // 100 slots, 10 of them reserved for ERROR and above: 90 INFO entries fit.
  const kept = cap.entries().filter((e) => e.message === "burst");
  deepStrictEqual(kept.map((e) => e.data.i), Array.from({ length: 90 }, (_, i) => i));
  strictEqual(r.dropped.queue_full, 910);
  const warning = cap.entries().find((e) => e.logger === "fapilog");
  ok(warning, "a warning entry says how many were dropped");
  strictEqual(warning.level, "WARNING");
  strictEqual(warning.message, "910 entries dropped");
  deepStrictEqual(warning.data, { dropped: 910, dropped_by_reason: { queue_full: 910 } });
  // every submitted entry is accounted for: written or dropped
  strictEqual(r.sinks.capture.written + r.droppedTotal, r.submitted);
});

test("drop_oldest: keeps the newest entries, and never drops ERROR for INFO", async () => {
  const cap = captureSink();
  const log = createLogger({
    sinks: [cap.sink],
    env: {},
    maxQueueSize: 50,
    backpressure: "drop_oldest",
    onDiagnostic: () => {},
    dropWarningIntervalMs: 60_000,
  });
  log.error("keep me");
  for (let i = 0; i < 500; i++) log.info("burst", { i });
  const r = await log.close();
  const messages = cap.entries().filter((e) => e.logger !== "fapilog");
  strictEqual(messages[0].message, "keep me");
  const kept = messages.slice(1).map((e) => e.data.i as number);
  deepStrictEqual(kept, Array.from({ length: kept.length }, (_, k) => 500 - kept.length + k), "the newest, in order");
  strictEqual(r.dropped.queue_full, 500 - kept.length);
  strictEqual(r.sinks.capture.written + r.droppedTotal, r.submitted);
});

test("ERROR and above keep reserved room when INFO has filled the queue", async () => {
  const cap = captureSink();
  const log = createLogger({
    sinks: [cap.sink],
    env: {},
    maxQueueSize: 100,
    backpressure: "drop_newest",
    onDiagnostic: () => {},
    dropWarningIntervalMs: 60_000,
  });
  for (let i = 0; i < 200; i++) log.info("noise");
  for (let i = 0; i < 10; i++) log.error("important", { i });
  log.info("still no room");
  const r = await log.close();
  deepStrictEqual(cap.entries().filter((e) => e.level === "ERROR").map((e) => e.data.i), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  strictEqual(r.dropped.queue_full, 111);
});

test("caller_runs with an async sink: the caller drains inline, order holds, nothing is lost", async () => {
  const received: number[] = [];
  const sink: Sink = {
    name: "async",
    async write() {},
    async writeBatch(views) {
      await Promise.resolve();
      for (const v of views) received.push(v.entry.data.i as number);
    },
  };
  const log = createLogger({ sinks: [sink], env: {}, maxQueueSize: 64 });
  await log.ready();
  for (let i = 0; i < 5000; i++) {
    log.info("x", { i });
    if (i % 500 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  const r = await log.close();
  deepStrictEqual(received, Array.from({ length: 5000 }, (_, i) => i));
  strictEqual(r.droppedTotal, 0);
  strictEqual(r.sinks.async.written, 5000);
});

test("a sink whose buffer bound is reached drops (counted per sink) instead of growing without bound", async () => {
  const gated = gatedSink();
  const diagnostics: Diagnostic[] = [];
  const log = createLogger({
    sinks: [gated.sink],
    env: {},
    sinkBufferBytes: 20_000,
    onDiagnostic: (d) => diagnostics.push(d),
    fallback: false,
  });
  await log.ready();
  for (let i = 0; i < 2000; i++) log.info("to a stalled sink", { i });
  await new Promise((r) => setTimeout(r, 20)); // the worker drains the queue into the channel; the sink stays stalled
  const mid = log.stats();
  ok(mid.sinks.gated.dropped > 0, "entries beyond the bound were dropped");
  ok(mid.sinks.gated.buffered > 0 && mid.sinks.gated.buffered < 2000);
  gated.open();
  await log.flush();
  const r = await log.close();
  const s = r.sinks.gated;
  strictEqual(s.written, gated.received.length);
  strictEqual(r.submitted, 2001, "2000 entries and the warning entry about the drops");
  strictEqual(s.written + s.dropped, r.submitted, "delivered + dropped == submitted");
  const warning = gated.received.map((l) => JSON.parse(l)).find((e) => e.logger === "fapilog");
  strictEqual(warning?.message, `${s.dropped} entries dropped`);
  strictEqual(s.dropped_sink_buffer_full, s.dropped);
  ok(diagnostics.some((d) => d.kind === "buffer:gated"));
});

test("a failing sink: failures are counted, entries go to the fallback, the circuit opens, the caller never sees it", async () => {
  let calls = 0;
  const failing: Sink = {
    name: "broken",
    async write() {},
    writeBatchSync() {
      calls++;
      throw new Error("disk on fire");
    },
  };
  const fallback: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const log = createLogger({
    sinks: [failing],
    env: {},
    circuitBreakerThreshold: 3,
    circuitBreakerRecoveryMs: 60_000,
    fallback: (text) => fallback.push(...text.trimEnd().split("\n")),
    onDiagnostic: (d) => diagnostics.push(d),
  });
  for (let i = 0; i < 10; i++) {
    log.info("entry", { i, password: "hunter2" });
    await log.flush();
  }
  const r = await log.close();
  strictEqual(calls, 3, "after 3 consecutive failures the circuit is open and the sink is not called");
  strictEqual(r.sinks.broken.failed, 3);
  // 7 entries and the "entries dropped" warning entry found the circuit open
  strictEqual(r.sinks.broken.dropped, 8);
  strictEqual(r.sinks.broken.dropped_circuit_open, 8);
  strictEqual(r.sinks.broken.circuit, "open");
  strictEqual(r.sinks.broken.errors, 3);
  const entries = fallback.map((l) => JSON.parse(l)).filter((e) => e.logger !== "fapilog");
  deepStrictEqual(entries.map((e) => e.data.i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "nothing lost");
  ok(entries.every((e) => e.data.password === "***"), "the fallback gets redacted entries");
  strictEqual(r.fallback, 11);
  const d = diagnostics.find((x) => x.kind === "sink:broken");
  ok(d && d.message.includes("disk on fire"));
});

test("a sink that fails to start: its entries are counted failed and go to the fallback", async () => {
  const fallback: string[] = [];
  const sink: Sink = {
    name: "nostart",
    start() {
      return Promise.reject(new Error("no route to host"));
    },
    async write() {},
  };
  const log = createLogger({ sinks: [sink], env: {}, fallback: (t) => fallback.push(t), onDiagnostic: () => {} });
  log.info("a");
  log.info("b");
  const r = await log.close();
  strictEqual(r.sinks.nostart.failed, 2);
  strictEqual(fallback.join("").trimEnd().split("\n").length, 2);
});

test("close with a stalled sink returns at the deadline, counting what is stuck", async () => {
  const gated = gatedSink("stuck");
  const log = createLogger({ sinks: [gated.sink], env: {}, onDiagnostic: () => {} });
  await log.ready();
  for (let i = 0; i < 10; i++) log.info("stuck", { i });
  const r = await log.close({ deadlineMs: 100 });
  strictEqual(r.drained, false);
  strictEqual(r.sinks.stuck.written, 0);
  strictEqual(r.sinks.stuck.dropped_deadline, 10);
  gated.open(); // let the pending write finish so the test leaves nothing running
  await new Promise((r) => setTimeout(r, 10));
});

test("routing by level: errors to one sink, everything to another; unmatched levels use the fallback list", async () => {
  const all = captureSink("all");
  const errors = captureSink("errors");
  const log = createLogger({
    level: "DEBUG",
    sinks: [all.sink, errors.sink],
    env: {},
    routing: [{ minLevel: "ERROR", sinks: ["errors", "all"] }, { levels: ["INFO", "WARNING"], sinks: ["all"] }],
    routingFallback: ["all"],
  });
  log.debug("d");
  log.info("i");
  log.error("e");
  log.security("s");
  const r = await log.close();
  deepStrictEqual(all.entries().map((e) => e.message), ["d", "i", "e", "s"]);
  deepStrictEqual(errors.entries().map((e) => e.message), ["e", "s"]);
  strictEqual(r.sinks.errors.written, 2);
});

test("sampling and rate limiting drop entries below ERROR, counted by reason", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {}, sampling: { rate: 0 } });
  for (let i = 0; i < 50; i++) log.info("sampled away");
  log.error("always kept");
  const r = await log.close();
  deepStrictEqual(cap.entries().map((e) => e.message), ["always kept"]);
  strictEqual(r.dropped.sampled, 50);

  const cap2 = captureSink();
  const limited = createLogger({ sinks: [cap2.sink], env: {}, rateLimit: { perSecond: 0.001, burst: 5 } });
  for (let i = 0; i < 20; i++) limited.info("limited", { i });
  const r2 = await limited.close();
  deepStrictEqual(cap2.entries().map((e) => e.data.i), [0, 1, 2, 3, 4]);
  strictEqual(r2.dropped.rate_limited, 15);
  strictEqual(r2.sinks.capture.written + r2.droppedTotal, r2.submitted);
});

test("a sink reporting its own outcomes through the host is counted by what it reports", async () => {
  let host: SinkHost | undefined;
  const pending: SerializedView[] = [];
  const sink: Sink = {
    name: "net",
    reportsOutcomes: true,
    start(h) {
      host = h;
      return Promise.resolve();
    },
    write() {
      return Promise.resolve();
    },
    writeBatch(views) {
      pending.push(...views);
      return Promise.resolve();
    },
    flush() {
      host!.written(pending.length - 2);
      host!.failed(pending.slice(-2, -1), new Error("400 bad request"));
      host!.dropped(1, "sink_buffer_full");
      pending.length = 0;
      return Promise.resolve();
    },
  };
  const fallback: string[] = [];
  const log = createLogger({ sinks: [sink], env: {}, fallback: (t) => fallback.push(t), onDiagnostic: () => {} });
  for (let i = 0; i < 10; i++) log.info("x", { i });
  const r = await log.close();
  deepStrictEqual(
    { written: r.sinks.net.written, failed: r.sinks.net.failed, dropped: r.sinks.net.dropped },
    { written: 8, failed: 1, dropped: 1 },
  );
  strictEqual(JSON.parse(fallback[0]).data.i, 8);
});

test("custom enrichers change entries; one that throws is reported and does not lose the entry", async () => {
  const cap = captureSink();
  const diagnostics: Diagnostic[] = [];
  const log = createLogger({
    sinks: [cap.sink],
    env: {},
    onDiagnostic: (d) => diagnostics.push(d),
    enrichers: [
      (e) => {
        e.diagnostics.region = "eu-west-1";
      },
      () => {
        throw new Error("enricher bug");
      },
      (e) => {
        e.data.enriched = true;
      },
    ],
  });
  log.info("hello", { a: 1 });
  await log.close();
  const e = cap.entries()[0];
  strictEqual(e.diagnostics.region, "eu-west-1");
  deepStrictEqual(e.data, { a: 1, enriched: true });
  ok(diagnostics.some((d) => d.kind === "enricher" && d.message.includes("enricher bug")));
});

test("diagnostics are rate-limited per kind", async () => {
  const diagnostics: Diagnostic[] = [];
  const sink: Sink = {
    name: "flaky",
    async write() {},
    writeBatchSync() {
      throw new Error("nope");
    },
  };
  const log = createLogger({
    sinks: [sink],
    env: {},
    fallback: false,
    circuitBreakerThreshold: 1000,
    onDiagnostic: (d) => diagnostics.push(d),
  });
  for (let i = 0; i < 50; i++) {
    log.info("x");
    await log.flush();
  }
  const r = await log.close();
  strictEqual(r.sinks.flaky.failed, 50);
  strictEqual(diagnostics.filter((d) => d.kind === "sink:flaky").length, 1);
});

test("close deadline with a network sink whose endpoint is down: every entry is still accounted for", async () => {
  // A port nobody listens on: bind one, note it, close it.
  const { createServer } = await import("node:net");
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const { http } = await import("../mod.ts");
  const sink = http(`http://127.0.0.1:${port}/ingest`, {
    batchSize: 2,
    batchTimeoutMs: 10,
    retryMaxAttempts: 1000,
    retryBaseDelayMs: 50,
    retryMaxDelayMs: 50,
    circuitBreaker: false,
  });
  const log = createLogger({ sinks: [sink], env: {}, fallback: false, onDiagnostic: () => {} });
  for (let i = 0; i < 5; i++) log.info("to nowhere", { i });
  const r = await log.close({ deadlineMs: 200 });
  strictEqual(r.drained, false);
  const s = r.sinks.http;
  strictEqual(s.written, 0);
  strictEqual(s.written + s.failed + s.dropped, 5, JSON.stringify(s));
});

test("an async sink's circuit recovers: after the recovery time a probe batch goes through and closes it", async () => {
  let failuresLeft = 2;
  const delivered: number[] = [];
  const sink: Sink = {
    name: "flaky",
    write() {
      return Promise.resolve();
    },
    async writeBatch(views) {
      await Promise.resolve();
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error("temporarily down");
      }
      for (const v of views) if (v.entry.logger !== "fapilog") delivered.push(v.entry.data.i as number);
    },
  };
  const log = createLogger({
    sinks: [sink],
    env: {},
    circuitBreakerThreshold: 2,
    circuitBreakerRecoveryMs: 30,
    fallback: false,
    onDiagnostic: () => {},
  });
  log.info("a", { i: 0 });
  await log.flush();
  log.info("b", { i: 1 });
  await log.flush();
  strictEqual(log.stats().sinks.flaky.circuit, "open");
  log.info("c", { i: 2 }); // while open: dropped, counted
  await log.flush();
  await new Promise((r) => setTimeout(r, 40));
  log.info("d", { i: 3 }); // the probe
  await log.flush();
  log.info("e", { i: 4 });
  const r = await log.close();
  deepStrictEqual(delivered, [3, 4]);
  const s = r.sinks.flaky;
  strictEqual(s.circuit, "closed");
  // written: d, e and the closing "1 entries dropped" warning
  deepStrictEqual({ failed: s.failed, dropped: s.dropped, written: s.written }, { failed: 2, dropped: 1, written: 3 });
});

test("after the close deadline, writes that finish late change no counter", async () => {
  const sink: Sink = {
    name: "slow",
    write() {
      return Promise.resolve();
    },
    async writeBatch() {
      await new Promise((r) => setTimeout(r, 80));
    },
  };
  const log = createLogger({ sinks: [sink], env: {}, onDiagnostic: () => {} });
  await log.ready();
  for (let i = 0; i < 3; i++) log.info("slow", { i });
  const r = await log.close({ deadlineMs: 20 });
  strictEqual(r.drained, false);
  await new Promise((r) => setTimeout(r, 120)); // the slow write finishes now
  const s = log.stats().sinks.slow;
  deepStrictEqual({ written: s.written, dropped: s.dropped, buffered: s.buffered }, {
    written: 0,
    dropped: 3,
    buffered: 0,
  });
});

test("a WritableStream given as a sink is handed back open when the logger closes", async () => {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({
    write(c) {
      chunks.push(c);
    },
  });
  const log = createLogger({ sinks: [stream], env: {} });
  log.info("through the logger");
  await log.close();
  const writer = stream.getWriter(); // not locked any more, not closed
  await writer.write(new TextEncoder().encode("after\n"));
  writer.releaseLock();
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  ok(text.includes('"message":"through the logger"'));
  ok(text.endsWith("after\n"));
});

test("a sink that logs while it writes cannot keep flush() from returning", async () => {
  let writes = 0;
  // deno-lint-ignore prefer-const
  let log: ReturnType<typeof createLogger>;
  const chatty: Sink = {
    name: "chatty",
    write() {
      return Promise.resolve();
    },
    writeBatchSync(views) {
      writes += views.length;
      log.info("the sink logs too");
    },
  };
  log = createLogger({ sinks: [chatty], env: {}, onDiagnostic: () => {} });
  log.info("first");
  await log.flush();
  ok(writes >= 1);
  const r = await log.close();
  strictEqual(r.drained, true);
});
