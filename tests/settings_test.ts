/**
 * Settings: a settings dict and the FAPILOG_* environment become a sink's
 * options through its spec (snake_case or camelCase keys, values parsed by
 * kind, explicit > env > default), and createLogger rejects a bad option,
 * variable or sink type with one ConfigError before anything starts.
 */

import assert from "node:assert/strict";
import { ConfigError, createLogger, type Sink } from "../mod.ts";
import { envOptions, resolveSinkSettings, type SinkTypeSpec, toSnakeCase } from "../core/settings.ts";
import { captureSink } from "./fixtures/capture.ts";
import { test } from "./harness.ts";

/** A sink type with one field of every kind; `create` hands back the options it was given. */
const demoSpec: SinkTypeSpec = {
  type: "demo",
  fields: [
    { key: "endpoint", option: "endpoint", kind: "string", env: "FAPILOG_DEMO__ENDPOINT", doc: "url" },
    { key: "batch_size", option: "batchSize", kind: "int", min: 1, env: "FAPILOG_DEMO__BATCH_SIZE", doc: "entries" },
    {
      key: "timeout_seconds",
      option: "timeoutMs",
      kind: "duration",
      env: "FAPILOG_DEMO__TIMEOUT_SECONDS",
      doc: "timeout",
    },
    { key: "max_bytes", option: "maxBytes", kind: "size", env: "FAPILOG_DEMO__MAX_BYTES", doc: "size" },
    { key: "compress", option: "compress", kind: "bool", env: "FAPILOG_DEMO__COMPRESS", doc: "gzip" },
    { key: "sample_rate", option: "sampleRate", kind: "number", min: 0, max: 1, doc: "share" },
    { key: "mode", option: "mode", kind: "enum", values: ["json", "text"], doc: "format" },
    { key: "rotation", option: "interval", kind: "interval", doc: "rotation" },
    { key: "min_level", option: "minLevel", kind: "level", doc: "level" },
    { key: "headers", option: "headers", kind: "headers", env: "FAPILOG_DEMO__HEADERS", doc: "headers" },
    { key: "labels", option: "labels", kind: "list", env: "FAPILOG_DEMO__LABELS", doc: "labels" },
    { key: "extra", option: "extra", kind: "json", doc: "anything" },
    { key: "log_group_name", option: "logGroup", kind: "string", aliases: ["group"], doc: "group" },
  ],
  create: (options) => ({ name: "demo", write: () => Promise.resolve(), options }) as Sink,
};

const ACCEPTED = "endpoint, batch_size, timeout_seconds, max_bytes, compress, sample_rate, mode, rotation, " +
  "min_level, headers, labels, extra, log_group_name";

/** Assert that `fn` throws a ConfigError for `key` whose message is `key: message`. */
function rejects(fn: () => unknown, key: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.key, key);
    assert.equal(e.message, `${key}: ${message}`);
    return true;
  });
}

test("toSnakeCase turns camelCase keys into the settings' snake_case", () => {
  assert.equal(toSnakeCase("batchSize"), "batch_size");
  assert.equal(toSnakeCase("logGroupName"), "log_group_name");
  assert.equal(toSnakeCase("batch_size"), "batch_size");
  assert.equal(toSnakeCase("endpoint"), "endpoint");
});

test("snake_case and camelCase keys give the same options, each value parsed by its kind", () => {
  const snake = {
    type: "demo",
    endpoint: "http://127.0.0.1:9/x",
    batch_size: "100",
    timeout_seconds: "2.5",
    max_bytes: "10 MB",
    compress: "yes",
    sample_rate: "0.25",
    mode: "TEXT",
    rotation: "daily",
    min_level: "warn",
    headers: '{"X-Api-Key":"k"}',
    labels: "a, b,c",
    extra: '{"n":[1]}',
    log_group_name: "/app",
  };
  const camel = {
    type: "demo",
    endpoint: "http://127.0.0.1:9/x",
    batchSize: 100,
    timeoutSeconds: 2.5,
    maxBytes: 10_000_000,
    compress: true,
    sampleRate: 0.25,
    mode: "text",
    rotation: "Daily",
    minLevel: "WARNING",
    headers: { "X-Api-Key": "k" },
    labels: ["a", "b", "c"],
    extra: { n: [1] },
    logGroupName: "/app",
  };
  const expected = {
    endpoint: "http://127.0.0.1:9/x",
    batchSize: 100,
    timeoutMs: 2_500,
    maxBytes: 10_000_000,
    compress: true,
    sampleRate: 0.25,
    mode: "text",
    interval: "daily",
    minLevel: "WARNING",
    headers: { "X-Api-Key": "k" },
    labels: ["a", "b", "c"],
    extra: { n: [1] },
    logGroup: "/app",
  };
  assert.deepEqual(resolveSinkSettings(demoSpec, snake, {}, "sinks[0]"), expected);
  assert.deepEqual(resolveSinkSettings(demoSpec, camel, {}, "sinks[0]"), expected);
});

test("an alias key sets the same option; undefined values and the type key are ignored", () => {
  assert.deepEqual(resolveSinkSettings(demoSpec, { type: "demo", group: "/g", endpoint: undefined }, {}, "s"), {
    logGroup: "/g",
  });
  assert.deepEqual(resolveSinkSettings(demoSpec, { labels: '["x","y"]' }, {}, "s"), { labels: ["x", "y"] });
});

test("an unknown key is one ConfigError naming it and listing the accepted keys", () => {
  rejects(
    () => resolveSinkSettings(demoSpec, { type: "demo", endpoint: "x", batchSzie: 5 }, {}, "sinks[2]"),
    "sinks[2].batchSzie",
    `unknown setting for a "demo" sink; accepted keys: ${ACCEPTED}`,
  );
});

test("a bad value names the key as written, the value and the accepted forms", () => {
  rejects(
    () => resolveSinkSettings(demoSpec, { batchSize: 0 }, {}, "sinks[0]"),
    "sinks[0].batchSize",
    "expected a whole number >= 1, got 0",
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { max_bytes: "huge" }, {}, "sinks[0]"),
    "sinks[0].max_bytes",
    'expected a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB", got "huge"',
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { mode: "xml" }, {}, "sinks[0]"),
    "sinks[0].mode",
    'expected one of "json", "text", got "xml"',
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { endpoint: 42 }, {}, "sinks[0]"),
    "sinks[0].endpoint",
    "expected a string, got 42",
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { headers: { "X-N": 1 } }, {}, "sinks[0]"),
    "sinks[0].headers.X-N",
    "expected a string, got 1",
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { extra: "{not json" }, {}, "sinks[0]"),
    "sinks[0].extra",
    'expected JSON, got "{not json"',
  );
  rejects(
    () => resolveSinkSettings(demoSpec, { min_level: "loud" }, {}, "sinks[0]"),
    "sinks[0].min_level",
    'expected a level (DEBUG, INFO, WARNING, ERROR, CRITICAL, AUDIT, SECURITY, or WARN), got "loud"',
  );
});

test("env values fill in what the dict leaves out; explicit values beat env; the rest stays unset (default)", () => {
  const env = {
    FAPILOG_DEMO__ENDPOINT: "http://env.example/",
    FAPILOG_DEMO__BATCH_SIZE: "50",
    FAPILOG_DEMO__TIMEOUT_SECONDS: "250ms",
    FAPILOG_DEMO__COMPRESS: "",
    FAPILOG_OTHER__BATCH_SIZE: "7",
  };
  assert.deepEqual(resolveSinkSettings(demoSpec, { type: "demo" }, env, "sinks[0]"), {
    endpoint: "http://env.example/",
    batchSize: 50,
    timeoutMs: 250,
  });
  assert.deepEqual(resolveSinkSettings(demoSpec, { type: "demo", batchSize: 5, compress: false }, env, "sinks[0]"), {
    endpoint: "http://env.example/",
    batchSize: 5,
    timeoutMs: 250,
    compress: false,
  });
  assert.deepEqual(envOptions(demoSpec, { FAPILOG_DEMO__HEADERS: '{"A":"1"}', FAPILOG_DEMO__LABELS: "x,y" }), {
    headers: { A: "1" },
    labels: ["x", "y"],
  });
});

test("a bad env value is one ConfigError naming the variable", () => {
  rejects(
    () => resolveSinkSettings(demoSpec, { type: "demo" }, { FAPILOG_DEMO__MAX_BYTES: "ten megs" }, "sinks[0]"),
    "FAPILOG_DEMO__MAX_BYTES",
    'expected a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB", got "ten megs"',
  );
  rejects(
    () => envOptions(demoSpec, { FAPILOG_DEMO__COMPRESS: "sometimes" }),
    "FAPILOG_DEMO__COMPRESS",
    'expected true or false ("true", "false", "1", "0", "yes", "no", "on", "off"), got "sometimes"',
  );
});

test("core settings: explicit option > FAPILOG_* env > default", async () => {
  const cap = captureSink();
  const byDefault = createLogger({ sinks: [cap.sink], env: {} });
  const fromEnv = createLogger({ sinks: [cap.sink], env: { FAPILOG_CORE__LOG_LEVEL: "debug" } });
  const explicit = createLogger({ sinks: [cap.sink], env: { FAPILOG_CORE__LOG_LEVEL: "debug" }, level: "error" });
  assert.equal(byDefault.level, "INFO");
  assert.equal(fromEnv.level, "DEBUG");
  assert.equal(explicit.level, "ERROR");
  for (const log of [byDefault, fromEnv, explicit]) await log.close();
});

/** A sink that counts whether it was ever started or written. */
function watchedSink(): { sink: Sink; touched: () => number } {
  let touched = 0;
  const sink: Sink = {
    name: "watched",
    startSync: () => void touched++,
    start: () => Promise.resolve(void touched++),
    write: () => Promise.resolve(void touched++),
    writeBatchSync: () => void touched++,
  };
  return { sink, touched: () => touched };
}

test("createLogger with a bad level throws one ConfigError naming the option, before any sink starts", () => {
  const watched = watchedSink();
  rejects(
    () => createLogger({ sinks: [watched.sink], env: {}, level: "LOUD" as "INFO" }),
    "level",
    'expected a level (DEBUG, INFO, WARNING, ERROR, CRITICAL, AUDIT, SECURITY, or WARN), got "LOUD"',
  );
  rejects(
    () => createLogger({ sinks: [watched.sink], env: { FAPILOG_CORE__LOG_LEVEL: "verbose" } }),
    "FAPILOG_CORE__LOG_LEVEL",
    'expected a level (DEBUG, INFO, WARNING, ERROR, CRITICAL, AUDIT, SECURITY, or WARN), got "verbose"',
  );
  assert.equal(watched.touched(), 0);
});

test("createLogger with a bad FAPILOG_CORE__MAX_QUEUE_BYTES throws one ConfigError naming the variable", () => {
  const watched = watchedSink();
  rejects(
    () => createLogger({ sinks: [watched.sink], env: { FAPILOG_CORE__MAX_QUEUE_BYTES: "lots" } }),
    "FAPILOG_CORE__MAX_QUEUE_BYTES",
    'expected a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB", got "lots"',
  );
  rejects(
    () => createLogger({ sinks: [watched.sink], env: {}, maxQueueBytes: -5 }),
    "maxQueueBytes",
    'expected a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB", got -5',
  );
  assert.equal(watched.touched(), 0);
});

test("createLogger with an unknown sink type throws one ConfigError naming it, before any sink starts", () => {
  const watched = watchedSink();
  assert.throws(
    () => createLogger({ sinks: [watched.sink, { type: "kafka", topic: "t" }], env: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, "sinks[1].type");
      assert.match(e.message, /^sinks\[1\]\.type: unknown sink type "kafka"; built-in types are: [a-z_, ]+$/);
      assert.match(e.message, /\bstdout_json\b/);
      return true;
    },
  );
  assert.equal(watched.touched(), 0);
});

test("createLogger with an unknown key in a built-in sink's settings names the key and lists the accepted ones", () => {
  const watched = watchedSink();
  assert.throws(
    () => createLogger({ sinks: [watched.sink, { type: "stdout_json", colour: true }], env: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, "sinks[1].colour");
      assert.match(
        e.message,
        /^sinks\[1\]\.colour: unknown setting for a "stdout_json" sink; accepted keys: .*\bname\b/,
      );
      return true;
    },
  );
  assert.equal(watched.touched(), 0);
});
