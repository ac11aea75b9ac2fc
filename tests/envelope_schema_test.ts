/**
 * The published envelope schema (docs/envelope.schema.json, JSON Schema
 * 2020-12) against real entries: every level, context, exceptions,
 * truncation, bound and child loggers, enrichers. Wrong entries must fail,
 * so the schema is known to check something.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { createLogger, type LogEntry, type LoggerOptions } from "../mod.ts";
import { captureSink } from "./fixtures/capture.ts";
import { test } from "./harness.ts";

const schema = JSON.parse(readFileSync(new URL("../docs/envelope.schema.json", import.meta.url), "utf8"));
// Formats are documentation here; the patterns next to them do the checking (ajv-formats is not needed).
const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);

/** Assert that `value` is a valid envelope, showing ajv's errors otherwise. */
function assertValid(value: unknown, what: string): void {
  const ok = validate(value);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value)}`);
}

/** Run `emit` against a logger with a capture sink; return the parsed lines, each checked as written and as view.entry. */
async function entriesOf(
  emit: (log: ReturnType<typeof createLogger>) => void | Promise<void>,
  options: Partial<LoggerOptions> = {},
): Promise<LogEntry[]> {
  const cap = captureSink();
  const log = createLogger({ name: "app", level: "DEBUG", sinks: [cap.sink], env: {}, ...options });
  await emit(log);
  await log.close();
  const entries = cap.entries();
  assert.ok(entries.length > 0);
  entries.forEach((entry, i) => {
    assertValid(entry, `line ${i}`);
    assertValid(JSON.parse(JSON.stringify(cap.views()[i].entry)), `view.entry ${i}`);
  });
  return entries;
}

test("the schema is valid JSON Schema 2020-12", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(ajv.validateSchema(schema), JSON.stringify(ajv.errors));
});

test("entries of every level validate", async () => {
  const entries = await entriesOf((log) => {
    log.debug("d", { n: 1 });
    log.info("i");
    log.warning("w");
    log.warn("w2");
    log.error("e");
    log.critical("c");
    log.audit("a", { actor: "u" });
    log.security("s");
    log.log("INFO", "via log()");
  });
  assert.deepEqual(entries.map((e) => e.level), [
    "DEBUG",
    "INFO",
    "WARNING",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "AUDIT",
    "SECURITY",
    "INFO",
  ]);
});

test("entries with request context (all ids, some ids, none) validate", async () => {
  const entries = await entriesOf(async (log) => {
    await log.withContext({
      correlationId: "c-1",
      requestId: "r-1",
      userId: "u-1",
      tenantId: "t-1",
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
    }, async () => {
      log.info("all ids");
      await Promise.resolve();
      log.info("after await");
    });
    log.withContext({ request_id: "r-2" }, () => log.info("one id"));
    log.info("no context");
  });
  const all = {
    correlation_id: "c-1",
    request_id: "r-1",
    user_id: "u-1",
    tenant_id: "t-1",
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    span_id: "b7ad6b7169203331",
  };
  assert.deepEqual(entries[0].context, { message_id: entries[0].context.message_id, ...all });
  assert.deepEqual(entries[1].context, { message_id: entries[1].context.message_id, ...all });
  assert.equal(entries[2].context.correlation_id, null);
  assert.equal(entries[2].context.request_id, "r-2");
  assert.deepEqual(Object.keys(entries[3].context), ["message_id", "correlation_id"]);
});

test("entries with an exception and its cause chain validate", async () => {
  const entries = await entriesOf((log) => {
    log.exception("failed", new Error("outer", { cause: new TypeError("inner", { cause: "a string cause" }) }));
    log.exception("odd", 42);
  });
  assert.equal(entries[0].diagnostics.exception?.cause?.type, "TypeError");
  assert.deepEqual(entries[1].diagnostics.exception, { type: "number", message: "42" });
});

test("truncated entries validate", async () => {
  const entries = await entriesOf((log) => {
    log.info("x".repeat(5000), { big: "y".repeat(100_000) });
    const many: Record<string, string> = {};
    for (let i = 0; i < 50; i++) many[`k${i}`] = "z".repeat(500);
    log.info("many", many);
  }, { maxEntryBytes: 1024 });
  for (const entry of entries) assert.ok(entry.diagnostics.truncated, JSON.stringify(entry));
});

test("entries from bind() and child() validate", async () => {
  const entries = await entriesOf((log) => {
    const bound = log.bind({ requestPath: "/x", user: { id: 1 } });
    bound.info("bound", { extra: true });
    bound.bind({ more: 1 }).warning("bound twice");
    log.child("app.db", { pool: "main" }).error("child");
  });
  assert.deepEqual(entries[0].data, { requestPath: "/x", user: { id: 1 }, extra: true });
  assert.equal(entries[2].logger, "app.db");
});

test("entries with runtime info, without it, and after a custom enricher validate", async () => {
  const withInfo = await entriesOf((log) => log.info("m"));
  for (const key of ["service", "env", "runtime"]) assert.ok(key in withInfo[0].diagnostics, key);
  await entriesOf((log) => log.info("m"), { runtimeInfo: false });
  const enriched = await entriesOf((log) => log.info("m", { a: 1 }), {
    enrichers: [(entry) => void (entry.diagnostics.region = "eu-1")],
  });
  assert.equal(enriched[0].diagnostics.region, "eu-1");
});

/** A valid entry to break in the test below. */
function validEntry(): LogEntry {
  return {
    timestamp: "2026-11-24T05:00:00.123Z",
    level: "INFO",
    message: "signed in",
    logger: "app",
    context: { message_id: "01a20c11-e4f8-7000-919b-f217036f2714", correlation_id: null },
    diagnostics: { service: "app", env: "dev", host: "vm", pid: 1, runtime: "deno 2.9.6" },
    data: { userId: 42 },
  };
}

test("wrong entries fail validation, each at the part that is wrong", () => {
  assertValid(validEntry(), "the base entry");
  // deno-lint-ignore no-explicit-any
  const cases: [string, (e: any) => void, string][] = [
    ["timestamp without milliseconds", (e) => (e.timestamp = "2026-11-24T05:00:00Z"), "/timestamp"],
    ["timestamp with an offset", (e) => (e.timestamp = "2026-11-24T05:00:00.123+01:00"), "/timestamp"],
    ["timestamp that is a number", (e) => (e.timestamp = 1764000000123), "/timestamp"],
    ["unknown level", (e) => (e.level = "TRACE"), "/level"],
    ["lowercase level", (e) => (e.level = "info"), "/level"],
    ["missing message", (e) => delete e.message, ""],
    ["message that is not a string", (e) => (e.message = { text: "x" }), "/message"],
    ["empty logger name", (e) => (e.logger = ""), "/logger"],
    ["missing message_id", (e) => delete e.context.message_id, "/context"],
    ["message_id that is not a UUID", (e) => (e.context.message_id = "42"), "/context/message_id"],
    ["missing correlation_id", (e) => delete e.context.correlation_id, "/context"],
    ["numeric request_id", (e) => (e.context.request_id = 7), "/context/request_id"],
    ["unknown context key", (e) => (e.context.session = "s"), "/context"],
    ["exception without a message", (e) => (e.diagnostics.exception = { type: "Error" }), "/diagnostics/exception"],
    [
      "cause without a type",
      (e) => (e.diagnostics.exception = { type: "Error", message: "m", cause: { message: "c" } }),
      "/diagnostics/exception/cause",
    ],
    ["truncated without original_bytes", (e) => (e.diagnostics.truncated = {}), "/diagnostics/truncated"],
    ["data that is an array", (e) => (e.data = [1]), "/data"],
    ["missing data", (e) => delete e.data, ""],
    ["extra top-level key", (e) => (e.extra = 1), ""],
  ];
  for (const [what, breakIt, path] of cases) {
    const entry = validEntry();
    breakIt(entry);
    assert.equal(validate(entry), false, `${what} must fail`);
    const paths = (validate.errors ?? []).map((err) => err.instancePath);
    assert.ok(paths.includes(path), `${what}: expected an error at "${path}", got ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate([validEntry()]), false, "an array is not an entry");
  assert.equal(validate(JSON.stringify(validEntry())), false, "a string is not an entry");
});
