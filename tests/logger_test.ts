import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, createLogger, type LogEntry, type SerializedView, type Sink } from "../mod.ts";
import { test } from "./harness.ts";
import { captureSink } from "./fixtures/capture.ts";

test("every level method logs at its level; warn is warning; levels below the logger's are not submitted", async () => {
  const cap = captureSink();
  const log = createLogger({ name: "app", level: "debug", sinks: [cap.sink], env: {} });
  log.debug("d");
  log.info("i");
  log.warning("w");
  log.warn("w2");
  log.error("e");
  log.critical("c");
  log.audit("a");
  log.security("s");
  const r = await log.close();
  deepStrictEqual(
    cap.entries().map((e) => [e.level, e.message]),
    [
      ["DEBUG", "d"],
      ["INFO", "i"],
      ["WARNING", "w"],
      ["WARNING", "w2"],
      ["ERROR", "e"],
      ["CRITICAL", "c"],
      ["AUDIT", "a"],
      ["SECURITY", "s"],
    ],
  );
  strictEqual(r.submitted, 8);
  strictEqual(r.sinks.capture.written, 8);

  const cap2 = captureSink();
  const quiet = createLogger({ name: "app", level: "ERROR", sinks: [cap2.sink], env: {} });
  quiet.info("dropped at the gate");
  quiet.error("kept");
  const r2 = await quiet.close();
  strictEqual(r2.submitted, 1, "the level gate runs before submission");
  deepStrictEqual(cap2.entries().map((e) => e.message), ["kept"]);
});

test("the envelope has timestamp, level, message, logger, context, diagnostics and data, in that order", async () => {
  const cap = captureSink();
  const log = createLogger({ name: "svc", sinks: [cap.sink], env: { FAPILOG_ENV: "prod" } });
  const before = Date.now();
  log.info("signed in", { userId: 42 });
  await log.close();
  const entry = cap.entries()[0];
  deepStrictEqual(Object.keys(entry), ["timestamp", "level", "message", "logger", "context", "diagnostics", "data"]);
  ok(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(entry.timestamp));
  ok(Date.parse(entry.timestamp) >= before - 1 && Date.parse(entry.timestamp) <= Date.now());
  deepStrictEqual(Object.keys(entry.context), ["message_id", "correlation_id"]);
  strictEqual(entry.context.correlation_id, null);
  deepStrictEqual(entry.data, { userId: 42 });
  strictEqual(entry.diagnostics.service, "svc");
  strictEqual(entry.diagnostics.env, "prod");
  ok(typeof entry.diagnostics.runtime === "string" && /^(deno|bun|node) /.test(entry.diagnostics.runtime as string));
  strictEqual(typeof entry.diagnostics.pid, "number");
});

test("message ids are unique UUIDv7s, increasing in logging order", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  for (let i = 0; i < 5000; i++) log.info("x");
  await log.close();
  const ids = cap.entries().map((e) => e.context.message_id);
  strictEqual(new Set(ids).size, 5000);
  ok(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)));
  deepStrictEqual([...ids].sort(), ids);
});

test("fields are captured at call time: later mutation by the caller does not change the entry", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  const fields: Record<string, unknown> = { step: 1 };
  log.info("first", fields);
  fields.step = 2;
  log.info("second", fields);
  await log.close();
  deepStrictEqual(cap.entries().map((e) => e.data.step), [1, 2]);
});

test("bind returns a child that adds fields and shares the pipeline; call fields win", async () => {
  const cap = captureSink();
  const log = createLogger({ name: "app", sinks: [cap.sink], env: {} });
  const child = log.bind({ requestPath: "/a", userId: 1 });
  const grandchild = child.bind({ userId: 2 });
  child.info("from child", { extra: true });
  grandchild.info("from grandchild", { userId: 3 });
  log.info("from parent");
  const r = await log.close();
  deepStrictEqual(cap.entries().map((e) => e.data), [
    { requestPath: "/a", userId: 1, extra: true },
    { requestPath: "/a", userId: 3 },
    {},
  ]);
  strictEqual(r.submitted, 3, "children count in the shared pipeline");
});

test("withContext carries ids across await and captures them at call time", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  await log.withContext({ correlationId: "req-1", userId: "u-7" }, async () => {
    log.info("before await");
    await new Promise((r) => setTimeout(r, 5));
    log.withContext({ request_id: "inner", trace_id: "t-1" }, () => log.info("nested"));
    log.info("after await");
  });
  log.info("outside");
  await log.close();
  deepStrictEqual(
    cap.entries().map((e) => e.context).map(({ message_id: _, ...rest }) => rest),
    [
      { correlation_id: "req-1", user_id: "u-7" },
      { correlation_id: "req-1", request_id: "inner", user_id: "u-7", trace_id: "t-1" },
      { correlation_id: "req-1", user_id: "u-7" },
      { correlation_id: null },
    ],
  );
});

test("concurrent requests keep their own context", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      log.withContext({ correlationId: `req-${i}` }, async () => {
        await new Promise((r) => setTimeout(r, (i * 7) % 11));
        log.info("handled", { i });
      })),
  );
  await log.close();
  for (const e of cap.entries()) strictEqual(e.context.correlation_id, `req-${e.data.i}`);
  strictEqual(cap.entries().length, 20);
});

test("exception logs ERROR with type, message, stack and the cause chain", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  const root = new RangeError("too far");
  log.exception("request failed", new Error("outer", { cause: root }), { path: "/x" });
  await log.close();
  const e = cap.entries()[0];
  strictEqual(e.level, "ERROR");
  deepStrictEqual(e.data, { path: "/x" });
  const ex = e.diagnostics.exception!;
  strictEqual(ex.type, "Error");
  strictEqual(ex.message, "outer");
  ok(ex.stack!.includes("outer"));
  deepStrictEqual({ type: ex.cause!.type, message: ex.cause!.message }, { type: "RangeError", message: "too far" });
});

test("log calls never throw, whatever they are given", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  const hostile = {
    get boom(): never {
      throw new Error("getter");
    },
  };
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  // deno-lint-ignore no-explicit-any
  const anyLog = log as any;
  anyLog.info(undefined);
  anyLog.info(Symbol("s"));
  anyLog.info({
    toString() {
      throw new Error("no");
    },
  });
  log.info("hostile", hostile);
  log.info("circular", circular);
  anyLog.info("not an object", 42);
  anyLog.info("null fields", null);
  const r = await log.close();
  strictEqual(r.submitted, 7);
  strictEqual(cap.lines().length, 7);
  for (const line of cap.lines()) JSON.parse(line);
  deepStrictEqual(cap.entries()[3].data, { boom: "[getter threw: getter]" });
  deepStrictEqual(cap.entries()[5].data, { value: 42 });
});

test("a sink without writeSerialized gets write(entry); one with it gets the serialised view", async () => {
  const viaWrite: LogEntry[] = [];
  const viaSerialized: string[] = [];
  const plain: Sink = {
    name: "plain",
    write(entry) {
      viaWrite.push(entry);
      return Promise.resolve();
    },
  };
  const bytes: Sink = {
    name: "bytes",
    write() {
      return Promise.reject(new Error("write() must not be called when writeSerialized exists"));
    },
    writeSerialized(view: SerializedView) {
      viaSerialized.push(new TextDecoder().decode(view.data));
      return Promise.resolve();
    },
  };
  const log = createLogger({ sinks: [plain, bytes], env: {} });
  log.info("one", { a: 1 });
  log.info("two", { a: 2 });
  const r = await log.close();
  deepStrictEqual(viaWrite.map((e) => [e.message, e.data.a]), [["one", 1], ["two", 2]]);
  deepStrictEqual(viaSerialized.map((s) => JSON.parse(s).message), ["one", "two"]);
  deepStrictEqual(JSON.parse(viaSerialized[0]), viaWrite[0], "both paths see the same envelope");
  strictEqual(r.sinks.plain.written, 2);
  strictEqual(r.sinks.bytes.written, 2);
  strictEqual(r.sinks.plain.failed + r.sinks.bytes.failed, 0);
});

test("a WritableStream is accepted as a sink and receives newline-terminated JSON lines", async () => {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push(chunk);
    },
  });
  const log = createLogger({ sinks: [stream], env: {} });
  for (let i = 0; i < 10; i++) log.info("line", { i });
  const r = await log.close();
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  const lines = text.split("\n");
  strictEqual(lines.pop(), "");
  deepStrictEqual(lines.map((l) => JSON.parse(l).data.i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  strictEqual(r.sinks.stream.written, 10);
});

test("settings dicts build sinks; an unknown type or key is a ConfigError naming it", () => {
  const log = createLogger({ sinks: [{ type: "stdout_json", name: "console" }], env: {} });
  ok(log);
  void log.close();
  throws(
    () => createLogger({ sinks: [{ type: "kafka" }], env: {} }),
    (e: unknown) =>
      e instanceof ConfigError && e.key === "sinks[0].type" && e.message.includes('"kafka"') &&
      e.message.includes("stdout_json"),
  );
  throws(
    () => createLogger({ sinks: [{ type: "stdout_pretty", colour: true }], env: {} }),
    (e: unknown) => e instanceof ConfigError && e.key === "sinks[0].colour" && e.message.includes("color"),
  );
  throws(
    () => createLogger({ sinks: [42 as never], env: {} }),
    (e: unknown) => e instanceof ConfigError && e.key === "sinks[0]" && e.message.includes("WritableStream"),
  );
});

test("a bad option or env value is one ConfigError, raised before anything starts", () => {
  throws(
    () => createLogger({ level: "LOUD" as never, env: {} }),
    (e: unknown) => e instanceof ConfigError && e.key === "level" && e.message.includes("DEBUG"),
  );
  throws(
    () => createLogger({ env: { FAPILOG_CORE__MAX_QUEUE_BYTES: "lots" } }),
    (e: unknown) =>
      e instanceof ConfigError && e.key === "FAPILOG_CORE__MAX_QUEUE_BYTES" && e.message.includes('"lots"') &&
      e.message.includes("10 MB"),
  );
  throws(
    () => createLogger({ backpressure: "block" as never, env: {} }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("caller_runs"),
  );
});

test("explicit options beat env, env beats defaults", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: { FAPILOG_CORE__LOG_LEVEL: "WARNING" } });
  strictEqual(log.level, "WARNING");
  log.info("filtered by the env level");
  log.warning("kept");
  await log.close();
  deepStrictEqual(cap.entries().map((e) => e.message), ["kept"]);
  const explicit = createLogger({
    level: "DEBUG",
    sinks: [captureSink().sink],
    env: { FAPILOG_CORE__LOG_LEVEL: "ERROR" },
  });
  strictEqual(explicit.level, "DEBUG");
  await explicit.close();
  const dflt = createLogger({ sinks: [captureSink().sink], env: {} });
  strictEqual(dflt.level, "INFO");
  await dflt.close();
});

test("flush resolves when everything accepted so far is written; stats are live", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  for (let i = 0; i < 100; i++) log.info("x", { i });
  const before = log.stats();
  strictEqual(before.submitted, 100);
  await log.flush();
  strictEqual(cap.lines().length, 100);
  const after = log.stats();
  deepStrictEqual(
    { processed: after.processed, queued: after.queued, written: after.sinks.capture.written },
    { processed: 100, queued: 0, written: 100 },
  );
  await log.close();
});

test("close stops intake, and later calls are counted as dropped (closed); await using closes too", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  log.info("before");
  const r = await log.close();
  log.info("after");
  strictEqual(r.drained, true);
  const s = log.stats();
  strictEqual(s.submitted, 2);
  strictEqual(s.dropped.closed, 1);
  deepStrictEqual(cap.entries().map((e) => e.message), ["before"]);

  const cap2 = captureSink();
  {
    await using scoped = createLogger({ sinks: [cap2.sink], env: {} });
    scoped.info("scoped");
  }
  deepStrictEqual(cap2.entries().map((e) => e.message), ["scoped"]);
});

test("options accept the settings' snake_case keys too; *_seconds keys take seconds, *Ms options milliseconds", async () => {
  const cap = captureSink();
  const log = createLogger({
    sinks: [cap.sink],
    env: {},
    ...({ log_level: "warning", max_queue_size: 5, flush_deadline_seconds: 2 } as Record<string, unknown>),
  });
  strictEqual(log.level, "WARNING");
  for (let i = 0; i < 20; i++) log.warning("w", { i });
  const r = await log.close();
  strictEqual(r.sinks.capture.written, 20, "a queue of 5 with caller-runs loses nothing");
  throws(
    () => createLogger({ env: {}, ...({ max_queue_size: "many" } as Record<string, unknown>) }),
    (e: unknown) => e instanceof ConfigError && e.key === "max_queue_size",
  );
  throws(
    () => createLogger({ env: {}, flushDeadlineMs: -1 }),
    (e: unknown) => e instanceof ConfigError && e.key === "flushDeadlineMs" && e.message.includes("milliseconds"),
  );
});

test("exceptions are redacted and count against maxEntryBytes like everything else", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {}, maxEntryBytes: 2048 });
  log.exception("db down", new Error("cannot reach postgres://app:s3cret@db:5432/main"));
  log.exception("huge", new Error("x".repeat(5000)));
  await log.close();
  const [redacted, huge] = cap.entries();
  strictEqual(redacted.diagnostics.exception!.message, "cannot reach postgres://app:***@db:5432/main");
  ok(!cap.lines()[0].includes("s3cret"), "not in the stack either");
  ok(new TextEncoder().encode(cap.lines()[1]).length <= 2048);
  ok(huge.diagnostics.exception!.message.length < 5000);
  ok((huge.diagnostics as Record<string, unknown>).truncated);
});

test("with custom enrichers, view.entry is the JSON-safe entry a write(entry) sink can stringify", async () => {
  const seen: string[] = [];
  const sink: Sink = {
    name: "plain",
    write(entry) {
      seen.push(JSON.stringify(entry));
      return Promise.resolve();
    },
  };
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const log = createLogger({ sinks: [sink], env: {}, enrichers: [(e) => void (e.data.extra = 10n)] });
  log.info("odd values", { big: 2n ** 70n, circular });
  const r = await log.close();
  strictEqual(r.sinks.plain.written, 1);
  deepStrictEqual(JSON.parse(seen[0]).data, {
    big: "1180591620717411303424",
    circular: { self: "[Circular]" },
    extra: "10",
  });
});

test("fields that cannot even be listed (a Proxy whose ownKeys throws) still give a counted entry", async () => {
  const cap = captureSink();
  const log = createLogger({ sinks: [cap.sink], env: {} });
  const hostile = new Proxy({}, {
    ownKeys() {
      throw new Error("no keys for you");
    },
  });
  log.info("hostile", hostile);
  const r = await log.close();
  strictEqual(r.submitted, 1);
  deepStrictEqual(cap.entries()[0].data, { _unreadable: "[fields unreadable: no keys for you]" });
});

test("limits that cannot work are rejected by name: maxEntryBytes below 1 KiB, a rate limit of 0", () => {
  throws(
    () => createLogger({ env: {}, maxEntryBytes: 10 }),
    (e: unknown) => e instanceof ConfigError && e.key === "maxEntryBytes" && e.message.includes("1024"),
  );
  throws(
    () => createLogger({ env: { FAPILOG_CORE__RATE_LIMIT_PER_SECOND: "0" } }),
    (e: unknown) => e instanceof ConfigError && e.key === "FAPILOG_CORE__RATE_LIMIT_PER_SECOND",
  );
});

test("a unitless string given to an ...Ms option means milliseconds, as the number would", async () => {
  const gated: Sink = {
    name: "never",
    start() {
      return Promise.resolve();
    },
    write() {
      return new Promise(() => {});
    },
  };
  const log = createLogger({ sinks: [gated], env: {}, flushDeadlineMs: "30", onDiagnostic: () => {} });
  log.info("stuck");
  const started = Date.now();
  const r = await log.close();
  strictEqual(r.drained, false);
  ok(Date.now() - started < 5000, "30 ms, not 30 s");
});
