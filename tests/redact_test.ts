/**
 * Redaction, through the real pipeline: secret field names at any depth, URL
 * credentials in values and in the message, value patterns, the options that
 * change the lists, and the switches that turn it off. The caller's objects
 * are never modified.
 */

import assert from "node:assert/strict";
import { createLogger, type LogEntry, type LoggerOptions } from "../mod.ts";
import { captureSink } from "./fixtures/capture.ts";
import { test } from "./harness.ts";

/** Log one INFO entry (no env, no runtime info) and return the entry written. */
async function logged(
  message: string,
  fields: Record<string, unknown> | undefined,
  options: Partial<LoggerOptions> = {},
): Promise<LogEntry> {
  const cap = captureSink();
  const log = createLogger({ name: "app", sinks: [cap.sink], env: {}, runtimeInfo: false, ...options });
  log.info(message, fields);
  const result = await log.close();
  assert.equal(result.sinks.capture.written, 1);
  assert.equal(cap.lines().length, 1);
  return cap.entries()[0];
}

test("default secret field names are redacted at any depth, also inside arrays; other fields are kept", async () => {
  const entry = await logged("login", {
    user: "bob",
    password: "hunter2",
    api_key: "k1",
    apiKey: "k2",
    Authorization: "Bearer abc",
    cookie: "sid=1",
    db_password: "pg",
    author: "me",
    keyboard: "qwerty",
    nested: {
      deeper: [{ password: "p3", ok: 1 }, { token: "t" }],
      "X-Api-Key": "xk",
      "Set-Cookie": "a=b",
      "Proxy-Authorization": "Basic x",
      client_secret: "cs",
      ACCESS_TOKEN: "at",
      stripeSecretKey: "sk",
    },
    list: [[{ apiKey: "deep" }]],
  });
  assert.deepEqual(entry.data, {
    user: "bob",
    password: "***",
    api_key: "***",
    apiKey: "***",
    Authorization: "***",
    cookie: "***",
    db_password: "***",
    author: "me",
    keyboard: "qwerty",
    nested: {
      deeper: [{ password: "***", ok: 1 }, { token: "***" }],
      "X-Api-Key": "***",
      "Set-Cookie": "***",
      "Proxy-Authorization": "***",
      client_secret: "***",
      ACCESS_TOKEN: "***",
      stripeSecretKey: "***",
    },
    list: [[{ apiKey: "***" }]],
  });
});

test("a secret field's whole value is replaced, whatever it holds; null stays null", async () => {
  const entry = await logged("m", {
    password: { old: "a", new: "b" },
    tokens: ["t1", "t2"],
    secret: 42,
    apiKey: null,
  });
  assert.deepEqual(entry.data, { password: "***", tokens: "***", secret: "***", apiKey: null });
});

test("URL credentials in values and in the message: the user is kept, the password replaced", async () => {
  const entry = await logged("connecting to redis://root:s3cr3t@cache:6379/0 now", {
    dsn: "postgres://admin:hunter2@db:5432/app",
    text: "primary https://u:p@a.example/x and ftp://x:y@files",
    noUser: "redis://:onlypass@cache:6379",
    atSign: "https://user:p@ss@host/path",
    plainUrl: "https://user@host/path",
    port: "http://host:8080/path@x",
    list: ["amqp://guest:guest@mq"],
  });
  assert.equal(entry.message, "connecting to redis://root:***@cache:6379/0 now");
  assert.deepEqual(entry.data, {
    dsn: "postgres://admin:***@db:5432/app",
    text: "primary https://u:***@a.example/x and ftp://x:***@files",
    noUser: "redis://:***@cache:6379",
    atSign: "https://user:***@host/path",
    plainUrl: "https://user@host/path",
    port: "http://host:8080/path@x",
    list: ["amqp://guest:***@mq"],
  });
});

test("valuePatterns replace matches inside every string value and the message", async () => {
  const entry = await logged("card 4111-1111-1111-1111 declined", {
    note: "cards 4111-1111-1111-1111 and 5500-0000-0000-0004",
    nested: [{ pan: "4111-1111-1111-1111" }],
    other: "no card here",
  }, { redact: { valuePatterns: [/\b\d{4}-\d{4}-\d{4}-\d{4}\b/] } });
  assert.equal(entry.message, "card *** declined");
  assert.deepEqual(entry.data, { note: "cards *** and ***", nested: [{ pan: "***" }], other: "no card here" });
});

test("the replacement option is used for field names, URL credentials and value patterns", async () => {
  const entry = await logged("see https://u:pw@h", { password: "x", id: "ID-123" }, {
    redact: { replacement: "[REDACTED]", valuePatterns: [/ID-\d+/] },
  });
  assert.equal(entry.message, "see https://u:[REDACTED]@h");
  assert.deepEqual(entry.data, { password: "[REDACTED]", id: "[REDACTED]" });
});

test("a replacement with $& or $1 in it is inserted literally, never re-inserting the secret", async () => {
  const entry = await logged("key sk_live_1 at https://u:pw@h", { password: "x" }, {
    redact: { replacement: "[$&$1]", valuePatterns: [/sk_live_\w+/] },
  });
  assert.equal(entry.message, "key [$&$1] at https://u:[$&$1]@h");
  assert.deepEqual(entry.data, { password: "[$&$1]" });
});

test('a "__proto__" key (as in a parsed request body) is kept when a sibling is redacted', async () => {
  const body = JSON.parse('{"__proto__": {"isAdmin": true}, "password": "p"}');
  const entry = await logged("m", { body });
  assert.equal(
    JSON.stringify(entry.data),
    '{"body":{"__proto__":{"isAdmin":true},"password":"***"}}',
  );
});

test("fieldNames replaces the default list (strings match case- and separator-insensitively, RegExps as given)", async () => {
  const entry = await logged("m", {
    password: "kept",
    db_password: "kept too",
    internal_code: "x",
    "Internal-Code": "y",
    pin_number: "1234",
  }, { redact: { fieldNames: ["internalCode", /^pin_/] } });
  assert.deepEqual(entry.data, {
    password: "kept",
    db_password: "kept too",
    internal_code: "***",
    "Internal-Code": "***",
    pin_number: "***",
  });
});

test("extraFieldNames adds to the default list", async () => {
  const entry = await logged("m", { password: "p", ssn2: "s", x_private: 1, ax_private: 2, user: "u" }, {
    redact: { extraFieldNames: ["SSN2", /^x_/] },
  });
  assert.deepEqual(entry.data, { password: "***", ssn2: "***", x_private: "***", ax_private: 2, user: "u" });
});

test("urlCredentials: false leaves URLs alone while field names are still redacted", async () => {
  const entry = await logged("https://u:pw@h", { url: "https://u:pw@h", password: "p" }, {
    redact: { urlCredentials: false },
  });
  assert.equal(entry.message, "https://u:pw@h");
  assert.deepEqual(entry.data, { url: "https://u:pw@h", password: "***" });
});

test("redact: false turns redaction off", async () => {
  const entry = await logged("https://u:pw@h", { password: "p", url: "https://u:pw@h" }, { redact: false });
  assert.equal(entry.message, "https://u:pw@h");
  assert.deepEqual(entry.data, { password: "p", url: "https://u:pw@h" });
});

test("FAPILOG_CORE__REDACT=false turns redaction off; explicit redact options beat the env", async () => {
  for (const value of ["false", "0", "no"]) {
    const entry = await logged("https://u:pw@h", { password: "p" }, { env: { FAPILOG_CORE__REDACT: value } });
    assert.equal(entry.message, "https://u:pw@h", value);
    assert.deepEqual(entry.data, { password: "p" }, value);
  }
  const explicit = await logged("https://u:pw@h", { password: "p" }, {
    env: { FAPILOG_CORE__REDACT: "false" },
    redact: {},
  });
  assert.equal(explicit.message, "https://u:***@h");
  assert.deepEqual(explicit.data, { password: "***" });
  const on = await logged("m", { password: "p" }, { env: { FAPILOG_CORE__REDACT: "true" } });
  assert.deepEqual(on.data, { password: "***" });
});

test("secrets inside class instances, Maps and Errors are redacted in the form the serialiser writes", async () => {
  class Credentials {
    user = "svc";
    password = "p";
  }
  class Config {
    url = new URL("https://admin:pw@db.example/");
    when = new Date(0);
    creds = new Credentials();
  }
  const err = Object.assign(new Error("cannot reach https://u:pw@db"), { apiKey: "k" });
  const entry = await logged("m", {
    creds: new Credentials(),
    config: new Config(),
    headers: new Map<string, unknown>([["authorization", "Bearer t"], ["accept", "json"]]),
    err,
  });
  const data = entry.data as Record<string, Record<string, unknown>>;
  assert.deepEqual(data.creds, { user: "svc", password: "***" });
  assert.deepEqual(data.config, {
    url: "https://admin:***@db.example/",
    when: "1970-01-01T00:00:00.000Z",
    creds: { user: "svc", password: "***" },
  });
  assert.deepEqual(data.headers, { authorization: "***", accept: "json" });
  assert.equal(data.err.message, "cannot reach https://u:***@db");
  assert.ok(!String(data.err.stack).includes(":pw@"), String(data.err.stack));
  assert.equal(data.err.apiKey, "***");
  // The originals are untouched.
  assert.equal(err.message, "cannot reach https://u:pw@db");
  assert.equal(err.apiKey, "k");
});

test("fields bound with bind() are redacted too", async () => {
  const cap = captureSink();
  const log = createLogger({ name: "app", sinks: [cap.sink], env: {}, runtimeInfo: false });
  log.bind({ token: "t", tenant: "acme" }).info("m", { n: 1 });
  await log.close();
  assert.deepEqual(cap.entries()[0].data, { token: "***", tenant: "acme", n: 1 });
});

test("the caller's objects are never modified", async () => {
  const shared = { password: "inner", ok: true };
  const fields = {
    password: "p",
    url: "https://u:pw@h",
    nested: { apiKey: "k", list: [{ token: "t" }, "https://a:b@c"], shared },
    again: shared,
  };
  const before = structuredClone(fields);
  const nestedRef = fields.nested;
  const listRef = fields.nested.list;
  const entry = await logged("m", fields);
  assert.deepEqual(fields, before);
  assert.equal(fields.nested, nestedRef);
  assert.equal(fields.nested.list, listRef);
  assert.equal(fields.again, shared);
  assert.deepEqual(entry.data, {
    password: "***",
    url: "https://u:***@h",
    nested: { apiKey: "***", list: [{ token: "***" }, "https://a:***@c"], shared: { password: "***", ok: true } },
    again: { password: "***", ok: true },
  });
});

test("a Proxy whose traps throw does not stop the entry: it is written, with a marker", async () => {
  const keysTrap = new Proxy({ password: "p" }, {
    ownKeys() {
      throw new Error("keys trap");
    },
  });
  const entry = await logged("m", { proxy: keysTrap, password: "p" });
  assert.deepEqual(entry.data, { proxy: "[Unserializable: keys trap]", password: "***" });
});
