/**
 * The serialiser through the real pipeline: whatever a caller logs, the log
 * call does not throw, exactly one line comes out, it is valid JSON, and the
 * value has a documented, exact form.
 */

import assert from "node:assert/strict";
import { createLogger, type LogEntry, type LoggerOptions } from "../mod.ts";
import { captureSink } from "./fixtures/capture.ts";
import { test } from "./harness.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Logged {
  /** The one line the sink received. */
  readonly line: string;
  /** The line, parsed. */
  readonly entry: LogEntry;
}

/**
 * Log one entry at INFO through a logger with a capture sink (no env, no
 * runtime info) and check what every case shares: the call returned, one
 * line came out, it is well-formed JSON, its bytes decode back to the same
 * text, the entry the sink sees says what the line says, and the counters
 * add up.
 */
async function logOne(
  emit: (log: ReturnType<typeof createLogger>) => void,
  options: Partial<LoggerOptions> = {},
): Promise<Logged> {
  const cap = captureSink();
  const log = createLogger({ name: "app", sinks: [cap.sink], env: {}, runtimeInfo: false, ...options });
  emit(log);
  const result = await log.close();
  const lines = cap.lines();
  assert.equal(lines.length, 1, "exactly one line");
  const line = lines[0];
  assert.ok(line.isWellFormed(), "no lone surrogates in the line");
  assert.ok(!line.includes("\n"), "one line");
  const view = cap.views()[0];
  assert.equal(decoder.decode(view.data), line, "the bytes are the UTF-8 of the line");
  const entry = JSON.parse(line) as LogEntry;
  assert.deepEqual(JSON.parse(JSON.stringify(view.entry)), entry, "view.entry says what the line says");
  assert.equal(result.submitted, 1);
  assert.equal(result.processed, 1);
  assert.equal(result.droppedTotal, 0);
  assert.equal(result.sinks.capture.written, 1);
  return { line, entry };
}

/** Log `fields` at INFO and return the line's `data`. */
async function dataOf(fields: Record<string, unknown>, options: Partial<LoggerOptions> = {}): Promise<unknown> {
  const { entry } = await logOne((log) => log.info("m", fields), options);
  return entry.data;
}

test('circular references become "[Circular]"; shared (non-circular) references are written in full', async () => {
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  const list: unknown[] = [1];
  list.push(list);
  const p: Record<string, unknown> = { name: "p" };
  const q: Record<string, unknown> = { name: "q", p };
  p.q = q;
  const shared = { s: 1 };
  assert.deepEqual(await dataOf({ a, list, p, left: shared, right: shared }), {
    a: { x: 1, self: "[Circular]" },
    list: [1, "[Circular]"],
    p: { name: "p", q: { name: "q", p: "[Circular]" } },
    left: { s: 1 },
    right: { s: 1 },
  });
});

test("BigInt values become decimal strings", async () => {
  assert.deepEqual(await dataOf({ small: 10n, big: 2n ** 70n, negative: -5n, nested: { list: [1n] } }), {
    small: "10",
    big: "1180591620717411303424",
    negative: "-5",
    nested: { list: ["1"] },
  });
});

test('symbol values become their description; nested symbol keys become "Symbol(name)" keys', async () => {
  const data = await dataOf({
    sym: Symbol("q"),
    anon: Symbol(),
    nested: { k: 2, [Symbol("inner")]: Symbol.for("v") },
  });
  assert.deepEqual(data, {
    sym: "Symbol(q)",
    anon: "Symbol()",
    nested: { k: 2, "Symbol(inner)": "Symbol(v)" },
  });
});

test('functions and classes become "[Function name]"', async () => {
  class Service {}
  function greet(): void {}
  const anonymous = [() => 1][0];
  assert.deepEqual(await dataOf({ greet, method() {}, Service, anonymous, list: [greet] }), {
    greet: "[Function greet]",
    method: "[Function method]",
    Service: "[Function Service]",
    anonymous: "[Function anonymous]",
    list: ["[Function greet]"],
  });
});

test("a getter that throws becomes a marker; the other fields are kept, at any depth", async () => {
  const withBadGetter = () => ({
    ok: 1,
    get bad(): unknown {
      throw new Error("nope");
    },
  });
  const list: unknown[] = [1, 2, 3];
  Object.defineProperty(list, 1, {
    get() {
      throw new Error("index");
    },
  });
  const top = await dataOf(withBadGetter());
  assert.deepEqual(top, { ok: 1, bad: "[getter threw: nope]" });
  const nested = await dataOf({ nested: withBadGetter(), list, after: "kept" });
  assert.deepEqual(nested, {
    nested: { ok: 1, bad: "[getter threw: nope]" },
    list: [1, "[getter threw: index]", 3],
    after: "kept",
  });
});

test("an Error in the data becomes {type, message, stack, cause, own fields}, following the cause chain", async () => {
  const inner = new TypeError("inner");
  const outer = Object.assign(new Error("outer", { cause: inner }), { code: "E_OUTER" });
  const data = await dataOf({ err: outer });
  assert.deepEqual(data, {
    err: {
      type: "Error",
      message: "outer",
      stack: outer.stack,
      cause: { type: "TypeError", message: "inner", stack: inner.stack },
      code: "E_OUTER",
    },
  });
});

test("log.exception puts {type, message, stack, cause} under diagnostics.exception, at ERROR", async () => {
  const root = new RangeError("root cause");
  const middle = new Error("middle", { cause: root });
  const top = new Error("request failed", { cause: middle });
  const { entry } = await logOne((log) => log.exception("handler failed", top, { route: "/x" }));
  assert.equal(entry.level, "ERROR");
  assert.equal(entry.message, "handler failed");
  assert.deepEqual(entry.data, { route: "/x" });
  assert.deepEqual(entry.diagnostics, {
    exception: {
      type: "Error",
      message: "request failed",
      stack: top.stack,
      cause: {
        type: "Error",
        message: "middle",
        stack: middle.stack,
        cause: { type: "RangeError", message: "root cause", stack: root.stack },
      },
    },
  });
});

test("log.exception with a cause chain that loops back ends in a Circular marker", async () => {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  const { entry } = await logOne((log) => log.exception("loop", b));
  assert.deepEqual(entry.diagnostics.exception, {
    type: "Error",
    message: "b",
    stack: b.stack,
    cause: {
      type: "Error",
      message: "a",
      stack: a.stack,
      cause: { type: "Circular", message: "the cause refers back to an earlier error" },
    },
  });
});

test("log.exception with a non-Error value records its type and text", async () => {
  const { entry } = await logOne((log) => log.exception("odd throw", "just a string"));
  assert.deepEqual(entry.diagnostics.exception, { type: "string", message: "just a string" });
  const { entry: second } = await logOne((log) => log.exception("odd throw", { name: "CustomError", message: "x" }));
  assert.deepEqual(second.diagnostics.exception, { type: "CustomError", message: "x" });
});

test('valid dates become RFC 3339 UTC strings; invalid dates become "Invalid Date"', async () => {
  assert.deepEqual(await dataOf({ at: new Date(Date.UTC(2026, 10, 24, 5, 0, 0, 123)), bad: new Date(NaN) }), {
    at: "2026-11-24T05:00:00.123Z",
    bad: "Invalid Date",
  });
});

test("a Map becomes an object keyed by the string form of its keys; a Set becomes an array", async () => {
  const map = new Map<unknown, unknown>([["a", 1], ["b", { c: 2n }], [3, "three"]]);
  const set = new Set<unknown>([1, "a", { b: 2 }, 1]);
  const data = await dataOf({ map, set, empty: new Map(), emptySet: new Set() });
  assert.deepEqual(data, {
    map: { a: 1, b: { c: "2" }, 3: "three" },
    set: [1, "a", { b: 2 }],
    empty: {},
    emptySet: [],
  });
});

test("typed arrays and DataView become arrays of numbers (BigInt and non-finite numbers as strings)", async () => {
  const bytes = new Uint8Array([9, 1, 2, 255, 9]);
  const data = await dataOf({
    u8: new Uint8Array([1, 2, 255]),
    window: bytes.subarray(1, 4),
    i16: new Int16Array([-1, 300]),
    f64: new Float64Array([1.5, NaN, Infinity, -Infinity]),
    b64: new BigInt64Array([1n, -2n]),
    view: new DataView(bytes.buffer, 1, 2),
    buffer: new ArrayBuffer(4),
  });
  assert.deepEqual(data, {
    u8: [1, 2, 255],
    window: [1, 2, 255],
    i16: [-1, 300],
    f64: [1.5, "NaN", "Infinity", "-Infinity"],
    b64: ["1", "-2"],
    view: [1, 2],
    buffer: "[ArrayBuffer 4 bytes]",
  });
});

test("lone surrogates are written as \\u escapes: the line is valid JSON and parses back to the same string", async () => {
  const s = "a\ud800b\udc00c\ud83d";
  const { line, entry } = await logOne((log) => log.info("lone \udfff", { s, key: { ["k\ud801"]: 1 } }));
  assert.ok(line.includes('"s":"a\\ud800b\\udc00c\\ud83d"'), line);
  assert.ok(line.includes('"message":"lone \\udfff"'), line);
  assert.equal((entry.data as { s: string }).s, s);
  assert.equal(entry.message, "lone \udfff");
  assert.deepEqual((entry.data as { key: unknown }).key, { ["k\ud801"]: 1 });
  // A well-formed pair is kept as it is.
  const { line: emoji } = await logOne((log) => log.info("ok", { face: "😀" }));
  assert.ok(emoji.includes('"face":"😀"'), emoji);
});

test("NaN and ±Infinity become strings; -0 becomes 0", async () => {
  assert.deepEqual(await dataOf({ nan: NaN, pinf: Infinity, ninf: -Infinity, negz: -0, list: [NaN] }), {
    nan: "NaN",
    pinf: "Infinity",
    ninf: "-Infinity",
    negz: 0,
    list: ["NaN"],
  });
});

test("undefined values are left out of objects and become null in arrays", async () => {
  assert.deepEqual(await dataOf({ gone: undefined, kept: 1, nested: { gone: undefined }, list: [undefined, 1] }), {
    kept: 1,
    nested: {},
    list: [null, 1],
  });
});

test("class instances: own fields, toJSON's result, or a marker when toJSON throws", async () => {
  class Point {
    x = 1;
    y = 2;
    #secret = 3;
    get sum(): number {
      return this.x + this.y + this.#secret;
    }
  }
  class Money {
    constructor(readonly cents: number) {}
    toJSON(): string {
      return `$${(this.cents / 100).toFixed(2)}`;
    }
  }
  class Broken {
    a = 1;
    toJSON(): never {
      throw new Error("toJSON failed");
    }
  }
  assert.deepEqual(await dataOf({ point: new Point(), price: new Money(1250), broken: new Broken() }), {
    point: { x: 1, y: 2 },
    price: "$12.50",
    broken: "[toJSON threw: toJSON failed]",
  });
});

test("a Proxy whose get trap throws: nested it becomes a marker, as the fields object each field is a marker", async () => {
  const trap = () =>
    new Proxy({ a: 1 }, {
      get() {
        throw new Error("trap");
      },
    });
  assert.deepEqual(await dataOf({ proxy: trap(), after: 1 }), { proxy: "[Unserializable: trap]", after: 1 });
  assert.deepEqual(await dataOf(trap()), { a: "[getter threw: trap]" });
  const protoTrap = new Proxy({ a: 1 }, {
    getPrototypeOf() {
      throw new Error("proto trap");
    },
  });
  assert.deepEqual(await dataOf({ proxy: protoTrap, after: 1 }), {
    proxy: "[Unserializable: proto trap]",
    after: 1,
  });
});

test("arrays with holes write null for each hole", async () => {
  // deno-lint-ignore no-sparse-arrays
  const holes = [1, , 3, ,];
  assert.deepEqual(await dataOf({ holes, sparse: new Array(3) }), {
    holes: [1, null, 3, null],
    sparse: [null, null, null],
  });
});

test("arrays longer than 10,000 items keep the first 10,000 and say how many were left out", async () => {
  const data = await dataOf({ list: new Array(10_005).fill(7) }) as { list: unknown[] };
  assert.equal(data.list.length, 10_001);
  assert.equal(data.list[9_999], 7);
  assert.equal(data.list[10_000], "[5 more items]");
});

test("objects with a null prototype are written like plain objects", async () => {
  const bare = Object.assign(Object.create(null), { a: 1, deep: Object.assign(Object.create(null), { b: 2 }) });
  assert.deepEqual(await dataOf({ bare }), { bare: { a: 1, deep: { b: 2 } } });
  assert.deepEqual(await dataOf(bare), { a: 1, deep: { b: 2 } });
});

test('a "__proto__" key (as in a parsed request body) is written like any other key, also when copied or cut', async () => {
  const body = JSON.parse('{"__proto__": {"isAdmin": true}, "user": "bob"}');
  body.id = 1n;
  const { line } = await logOne((log) => log.info("m", { body }));
  assert.ok(line.endsWith(',"data":{"body":{"__proto__":{"isAdmin":true},"user":"bob","id":"1"}}}'), line);
  const long = JSON.parse('{"__proto__": "x", "text": ""}');
  long.text = "t".repeat(5000);
  const { entry } = await logOne((log) => log.info("m", { long }), { maxEntryBytes: 1024 });
  assert.equal(
    JSON.stringify(entry.data),
    JSON.stringify({ long: JSON.parse(`{"__proto__":"x","text":"${"t".repeat(128)}…[truncated 4872 chars]"}`) }),
  );
});

test("10,000-deep nesting is cut with a marker at depth 64", async () => {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < 10_000; i++) {
    const next: Record<string, unknown> = {};
    node.n = next;
    node = next;
  }
  const deepList: unknown[] = [];
  let cell = deepList;
  for (let i = 0; i < 10_000; i++) {
    const next: unknown[] = [];
    cell.push(next);
    cell = next;
  }
  const data = await dataOf({ root, deepList }) as { root: unknown; deepList: unknown };
  // `data` is depth 0, `root` depth 1: the object at depth 64 is replaced by the marker.
  let value: unknown = data.root;
  let depth = 1;
  while (typeof value === "object" && value !== null) {
    value = (value as { n: unknown }).n;
    depth++;
  }
  assert.equal(depth, 64);
  assert.equal(value, "[Truncated: nesting deeper than 64]");
  let item: unknown = data.deepList;
  depth = 1;
  while (Array.isArray(item)) {
    item = item[0];
    depth++;
  }
  assert.equal(depth, 64);
  assert.equal(item, "[Truncated: nesting deeper than 64]");
});

/** The byte length the line would have had without truncation, rebuilt from the truncated line. */
function originalLineBytes(entry: LogEntry, message: string, data: Record<string, unknown>): number {
  const { truncated: _, ...diagnostics } = entry.diagnostics;
  return encoder.encode(JSON.stringify({ ...entry, message, diagnostics, data })).length;
}

test("a 10 MB string is truncated to fit the default maxEntryBytes (256 KiB), with the marker", async () => {
  const big = "x".repeat(10 * 1024 * 1024);
  const { line, entry } = await logOne((log) => log.info("big", { big, small: "kept" }));
  const bytes = encoder.encode(line).length;
  assert.ok(bytes <= 256 * 1024, `line is ${bytes} bytes`);
  // Strings are cut to maxEntryBytes / 8 characters.
  assert.deepEqual(entry.data, {
    big: "x".repeat(32_768) + `…[truncated ${10_485_760 - 32_768} chars]`,
    small: "kept",
  });
  assert.equal(entry.message, "big");
  assert.deepEqual(entry.diagnostics.truncated, {
    original_bytes: originalLineBytes(entry, "big", { big, small: "kept" }),
  });
});

test("with a small maxEntryBytes, a 10 MB string and a long multi-byte message are cut; the line stays within it", async () => {
  const big = "x".repeat(10 * 1024 * 1024);
  const message = "€".repeat(100_000);
  const { line, entry } = await logOne((log) => log.info(message, { big }), { maxEntryBytes: 2048 });
  const bytes = encoder.encode(line).length;
  assert.ok(bytes <= 2048, `line is ${bytes} bytes`);
  assert.equal(entry.message, "€".repeat(256) + `…[truncated ${100_000 - 256} chars]`);
  assert.deepEqual(entry.data, { big: "x".repeat(256) + `…[truncated ${10_485_760 - 256} chars]` });
  assert.deepEqual(entry.diagnostics.truncated, { original_bytes: originalLineBytes(entry, message, { big }) });
});

test("maxEntryBytes accepts a size string, from the option and from FAPILOG_CORE__MAX_ENTRY_BYTES", async () => {
  const big = "y".repeat(100_000);
  for (
    const options of [{ maxEntryBytes: "1 KiB" }, { env: { FAPILOG_CORE__MAX_ENTRY_BYTES: "1KiB" } }] as Partial<
      LoggerOptions
    >[]
  ) {
    const { line, entry } = await logOne((log) => log.info("m", { big }), options);
    assert.ok(encoder.encode(line).length <= 1024, line);
    assert.deepEqual(entry.data, { big: "y".repeat(128) + `…[truncated ${100_000 - 128} chars]` });
  }
});

test("when cutting strings is not enough, data is replaced by a marker naming the sizes", async () => {
  const fields: Record<string, string> = {};
  for (let i = 0; i < 40; i++) fields[`field${i}`] = "z".repeat(1000);
  const { line, entry } = await logOne((log) => log.info("many", fields), { maxEntryBytes: 1024 });
  assert.ok(encoder.encode(line).length <= 1024, line);
  const original = originalLineBytes(entry, "many", fields);
  assert.deepEqual(entry.data, { _truncated: `entry of ${original} bytes exceeded maxEntryBytes 1024` });
  assert.deepEqual(entry.diagnostics.truncated, { original_bytes: original });
  assert.equal(entry.message, "many");
});

test("an entry under maxEntryBytes is written untouched, with no truncation marker", async () => {
  const text = "w".repeat(900);
  const { entry } = await logOne((log) => log.info("fits", { text }), { maxEntryBytes: 2048 });
  assert.deepEqual(entry.data, { text });
  assert.equal(entry.diagnostics.truncated, undefined);
});

test("everything at once in one call still makes one valid line", async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  const { entry } = await logOne((log) =>
    log.info("all", {
      cyclic,
      big: 1n,
      sym: Symbol("s"),
      fn: () => 1,
      date: new Date(NaN),
      map: new Map([["k", new Set([1])]]),
      bytes: new Uint8Array([1]),
      lone: "\udc00",
      nan: NaN,
      undef: undefined,
      err: new Error("e"),
    })
  );
  const data = entry.data as Record<string, unknown>;
  assert.deepEqual(Object.keys(data), ["cyclic", "big", "sym", "fn", "date", "map", "bytes", "lone", "nan", "err"]);
  assert.deepEqual(data.map, { k: [1] });
});
