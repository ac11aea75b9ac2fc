/**
 * The one-line text form (pretty console, file text mode): exact lines for
 * fixed entries. User data can neither break the line nor send terminal
 * escapes: every control, C1, separator and bidi character is escaped.
 */

import assert from "node:assert/strict";
import { formatTextLine, type LevelName, type LogEntry } from "../mod.ts";
import { test } from "./harness.ts";

const TS = "2026-11-24 05:00:00.123";

/** A fixed entry; `over` replaces top-level parts. */
function entry(over: Partial<LogEntry> = {}): LogEntry {
  return {
    timestamp: "2026-11-24T05:00:00.123Z",
    level: "INFO",
    message: "signed in",
    logger: "app",
    context: { message_id: "01a20c11-e4f8-7000-919b-f217036f2714", correlation_id: null },
    diagnostics: { service: "app", env: "dev" },
    data: {},
    ...over,
  };
}

test("a fixed entry formats as `date time.ms | LEVEL    | logger | message key=value ...`", () => {
  const line = formatTextLine(entry({
    data: { userId: 42, path: "/login", ok: true, missing: null, skipped: undefined, ratio: 0.5 },
    context: {
      message_id: "01a20c11-e4f8-7000-919b-f217036f2714",
      correlation_id: "req-1",
      request_id: null,
      user_id: "u-7",
    },
  }));
  assert.equal(
    line,
    `${TS} | INFO     | app | signed in userId=42 path=/login ok=true missing=null ratio=0.5 correlation_id=req-1 user_id=u-7`,
  );
});

test("every level is padded to 8 columns", () => {
  const levels: [LevelName, string][] = [
    ["DEBUG", "DEBUG   "],
    ["INFO", "INFO    "],
    ["WARNING", "WARNING "],
    ["ERROR", "ERROR   "],
    ["CRITICAL", "CRITICAL"],
    ["AUDIT", "AUDIT   "],
    ["SECURITY", "SECURITY"],
  ];
  for (const [level, padded] of levels) {
    assert.equal(formatTextLine(entry({ level })), `${TS} | ${padded} | app | signed in`);
  }
});

test("context ids follow the data, in envelope order; null and absent ids are left out", () => {
  const line = formatTextLine(entry({
    data: { a: 1 },
    context: {
      message_id: "m",
      correlation_id: "c",
      request_id: "r",
      user_id: null,
      tenant_id: "t",
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
    },
  }));
  assert.equal(
    line,
    `${TS} | INFO     | app | signed in a=1 correlation_id=c request_id=r tenant_id=t ` +
      "trace_id=0af7651916cd43dd8448eb211c80319c span_id=b7ad6b7169203331",
  );
});

test('values with spaces, quotes, = or nothing are quoted; inside quotes \\ and " are escaped', () => {
  const line = formatTextLine(entry({
    data: {
      plain: "abc",
      space: "a b",
      quote: 'say "hi"',
      equals: "a=b",
      empty: "",
      slash: "C:\\dir",
      slashSpace: "C:\\my dir",
      tab: "a\tb",
    },
  }));
  assert.equal(
    line,
    `${TS} | INFO     | app | signed in plain=abc space="a b" quote="say \\"hi\\"" equals="a=b" empty="" ` +
      `slash=C:\\dir slashSpace="C:\\\\my dir" tab="a\\tb"`,
  );
});

test("nested values are written as JSON (converted first: BigInt, cycles, dates)", () => {
  const cyclic: Record<string, unknown> = { id: 1 };
  cyclic.self = cyclic;
  const line = formatTextLine(entry({
    data: {
      obj: { a: [1, "x"], b: { c: null } },
      list: [1, 2],
      big: { n: 10n },
      cyclic,
      when: new Date(0),
    },
  }));
  assert.equal(
    line,
    `${TS} | INFO     | app | signed in obj={"a":[1,"x"],"b":{"c":null}} list=[1,2] big={"n":"10"} ` +
      `cyclic={"id":1,"self":"[Circular]"} when="1970-01-01T00:00:00.000Z"`,
  );
});

test("control characters in the message are escaped: \\n \\r \\t ESC CSI DEL U+2028 U+2029 and bidi overrides", () => {
  const message = "a\nb\rc\td\x1b[31mred\x9b2J\x7fdel\u2028ls\u2029ps\u202egnp\u2066iso\u2069\x00nul\x85nel";
  const line = formatTextLine(entry({ message }));
  assert.equal(
    line,
    `${TS} | INFO     | app | a\\nb\\rc\\td\\x1b[31mred\\x9b2J\\x7fdel\\u2028ls\\u2029ps\\u202egnp\\u2066iso\\u2069` +
      "\\x00nul\\x85nel",
  );
});

test("control characters in keys and values are escaped, and such keys and values are quoted", () => {
  const line = formatTextLine(entry({
    data: {
      "k\ny": "v\x1b[31m",
      "sp ace": 1,
      'q"k': 2,
      "e=k": 3,
      "": 4,
      bidi: "a\u202eb",
      del: "x\x7f",
      csi: "\x9b31m",
      sep: "a\u2028b",
      nested: { s: "\x1b[2J\n\u2028\x9b" },
    },
  }));
  assert.equal(
    line,
    `${TS} | INFO     | app | signed in "k\\ny"="v\\x1b[31m" "sp ace"=1 "q\\"k"=2 "e=k"=3 ""=4 ` +
      `bidi="a\\u202eb" del="x\\x7f" csi="\\x9b31m" sep="a\\u2028b" nested={"s":"\\u001b[2J\\n\\u2028\\x9b"}`,
  );
});

test("the logger name is escaped too", () => {
  assert.equal(formatTextLine(entry({ logger: "ap\x1bp\n" })), `${TS} | INFO     | ap\\x1bp\\n | signed in`);
});

test("no line break, ESC, C1 or bidi character survives in any part of the line", () => {
  const nasty = "\n\r\x1b\x9b\x7f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x85";
  const line = formatTextLine(entry({
    logger: nasty,
    message: nasty,
    data: { [nasty]: nasty, nested: { [nasty]: [nasty] } },
    context: { message_id: "m", correlation_id: nasty, request_id: nasty },
    diagnostics: { exception: { type: nasty, message: nasty, stack: nasty } },
  }));
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
});

test('an exception adds `exception="Type: message"` and the escaped stack', () => {
  const line = formatTextLine(entry({
    level: "ERROR",
    diagnostics: {
      exception: { type: "TypeError", message: "bad\nthing", stack: "TypeError: bad\n    at handler (app.ts:1:1)" },
    },
  }));
  assert.equal(
    line,
    `${TS} | ERROR    | app | signed in exception="TypeError: bad\\nthing" ` +
      `stack="TypeError: bad\\n    at handler (app.ts:1:1)"`,
  );
  const noStack = formatTextLine(entry({ diagnostics: { exception: { type: "Error", message: "x" } } }));
  assert.equal(noStack, `${TS} | INFO     | app | signed in exception="Error: x"`);
});

test("colour codes appear only with color: true (dim timestamp, coloured level)", () => {
  const plain = formatTextLine(entry({ data: { a: 1 } }));
  assert.ok(!plain.includes("\x1b"), plain);
  assert.equal(formatTextLine(entry({ data: { a: 1 } }), { color: false }), plain);
  const colors: [LevelName, string][] = [
    ["DEBUG", "\x1b[36m"],
    ["INFO", "\x1b[32m"],
    ["WARNING", "\x1b[33m"],
    ["ERROR", "\x1b[31m"],
    ["CRITICAL", "\x1b[1;31m"],
    ["AUDIT", "\x1b[35m"],
    ["SECURITY", "\x1b[1;35m"],
  ];
  for (const [level, code] of colors) {
    assert.equal(
      formatTextLine(entry({ level, data: { a: 1 } }), { color: true }),
      `\x1b[2m${TS}\x1b[0m | ${code}${level.padEnd(8)}\x1b[0m | app | signed in a=1`,
    );
  }
  // The only escapes in a coloured line are ours: user data stays escaped.
  const colored = formatTextLine(entry({ message: "\x1b[31mfake" }), { color: true });
  assert.equal(colored, `\x1b[2m${TS}\x1b[0m | \x1b[32mINFO    \x1b[0m | app | \\x1b[31mfake`);
});
