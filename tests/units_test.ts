/**
 * The unit parsers behind every setting: the forms each accepts, and the one
 * ConfigError each raises otherwise, naming the key, the value and the
 * accepted forms (lowercase, no trailing period).
 */

import assert from "node:assert/strict";
import { ConfigError } from "../mod.ts";
import {
  parseBool,
  parseDurationMs,
  parseEnum,
  parseInteger,
  parseInterval,
  parseNumber,
  parseSize,
} from "../core/units.ts";
import { test } from "./harness.ts";

/** Assert that `fn` throws exactly `ConfigError(key, message)`. */
function rejects(fn: () => unknown, key: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.name, "ConfigError");
    assert.equal(e.key, key);
    assert.equal(e.message, `${key}: ${message}`);
    assert.ok(!e.message.endsWith("."), "no trailing period");
    return true;
  });
}

const SIZE_FORMS = 'expected a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB"';

test("parseSize: bytes, decimal units (KB, MB, GB: powers of 1000) and binary units (KiB, K, ...: 1024)", () => {
  const cases: [unknown, number][] = [
    [0, 0],
    [1_048_576, 1_048_576],
    ["1048576", 1_048_576],
    [" 7 ", 7],
    ["100 B", 100],
    ["100b", 100],
    ["10 MB", 10_000_000],
    ["10MB", 10_000_000],
    ["10 mb", 10_000_000],
    ["1.5 KB", 1_500],
    ["1 GB", 1_000_000_000],
    ["512 KiB", 524_288],
    ["16 MiB", 16_777_216],
    ["1 GiB", 1_073_741_824],
    ["2K", 2_048],
    ["3 M", 3_145_728],
    ["1g", 1_073_741_824],
    ["0.5 KiB", 512],
  ];
  for (const [value, bytes] of cases) assert.equal(parseSize(value, "max_bytes"), bytes, String(value));
});

test("parseSize rejects negatives, fractions of a byte, unknown units and non-sizes", () => {
  const bad: [unknown, string][] = [
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    [true, "true"],
    [null, "null"],
    ["", '""'],
    ["abc", '"abc"'],
    ["10 XB", '"10 XB"'],
    ["1e3", '"1e3"'],
    ["-5 MB", '"-5 MB"'],
    ["0.5", '"0.5"'],
    ["1.5 B", '"1.5 B"'],
    ["10 MB extra", '"10 MB extra"'],
  ];
  for (const [value, shown] of bad) {
    rejects(
      () => parseSize(value, "FAPILOG_FILE__MAX_BYTES"),
      "FAPILOG_FILE__MAX_BYTES",
      `${SIZE_FORMS}, got ${shown}`,
    );
  }
});

test("an error shows at most 80 characters of a long value", () => {
  const long = "x".repeat(200);
  rejects(() => parseSize(long, "k"), "k", `${SIZE_FORMS}, got "${"x".repeat(80)}…"`);
});

const DURATION_FORMS = 'expected a number of seconds or a duration such as "250ms", "5s", "2m", "1h"';

test("parseDurationMs: a bare number means seconds; ms, s, sec, m, min, h, d units", () => {
  const cases: [unknown, number][] = [
    [0, 0],
    [5, 5_000],
    [0.25, 250],
    ["5", 5_000],
    ["1.5", 1_500],
    ["250ms", 250],
    ["250 ms", 250],
    ["5s", 5_000],
    ["10sec", 10_000],
    ["1.5s", 1_500],
    ["2m", 120_000],
    ["2 min", 120_000],
    ["1h", 3_600_000],
    ["1H", 3_600_000],
    ["1d", 86_400_000],
  ];
  for (const [value, ms] of cases) assert.equal(parseDurationMs(value, "timeout_seconds"), ms, String(value));
});

test("parseDurationMs rejects negatives, non-finite numbers and unknown units", () => {
  const bad: [unknown, string][] = [
    [-1, "-1"],
    [Infinity, "Infinity"],
    [NaN, "NaN"],
    [true, "true"],
    ["", '""'],
    ["-5s", '"-5s"'],
    ["5 parsecs", '"5 parsecs"'],
    ["soon", '"soon"'],
  ];
  for (const [value, shown] of bad) {
    rejects(
      () => parseDurationMs(value, "FAPILOG_HTTP__TIMEOUT_SECONDS"),
      "FAPILOG_HTTP__TIMEOUT_SECONDS",
      `${DURATION_FORMS}, got ${shown}`,
    );
  }
});

test("parseInterval: hourly, daily, weekly (any case), or seconds / a duration", () => {
  assert.equal(parseInterval("hourly", "i"), "hourly");
  assert.equal(parseInterval("Daily", "i"), "daily");
  assert.equal(parseInterval(" WEEKLY ", "i"), "weekly");
  assert.deepEqual(parseInterval("3600", "i"), { everyMs: 3_600_000 });
  assert.deepEqual(parseInterval(60, "i"), { everyMs: 60_000 });
  assert.deepEqual(parseInterval("30m", "i"), { everyMs: 1_800_000 });
  assert.deepEqual(parseInterval("500ms", "i"), { everyMs: 500 });
});

test("parseInterval rejects zero, negatives and unknown names", () => {
  const forms = 'expected "hourly", "daily", "weekly", a number of seconds or a duration such as "30m"';
  rejects(() => parseInterval("fortnightly", "rotation"), "rotation", `${forms}, got "fortnightly"`);
  rejects(() => parseInterval(-1, "rotation"), "rotation", `${forms}, got -1`);
  rejects(() => parseInterval("", "rotation"), "rotation", `${forms}, got ""`);
  rejects(() => parseInterval(0, "rotation"), "rotation", "the interval must be greater than zero, got 0");
  rejects(() => parseInterval("0s", "rotation"), "rotation", 'the interval must be greater than zero, got "0s"');
});

test("parseBool: booleans and true/false, 1/0, yes/no, on/off in any case", () => {
  for (const v of [true, "true", "TRUE", " True ", "1", "yes", "YES", "on"]) {
    assert.equal(parseBool(v, "b"), true, String(v));
  }
  for (const v of [false, "false", "False", "0", "no", "off", "OFF"]) assert.equal(parseBool(v, "b"), false, String(v));
});

test("parseBool rejects anything else", () => {
  const forms = 'expected true or false ("true", "false", "1", "0", "yes", "no", "on", "off")';
  for (const [value, shown] of [["maybe", '"maybe"'], ["", '""'], [1, "1"], [null, "null"], [{}, "{}"]] as const) {
    rejects(() => parseBool(value, "FAPILOG_CORE__REDACT"), "FAPILOG_CORE__REDACT", `${forms}, got ${shown}`);
  }
});

test("parseInteger: whole numbers and numeric strings within the bounds", () => {
  assert.equal(parseInteger(42, "n"), 42);
  assert.equal(parseInteger("42", "n"), 42);
  assert.equal(parseInteger(" 7 ", "n"), 7);
  assert.equal(parseInteger("10", "n", 10, 20), 10);
  assert.equal(parseInteger(20, "n", 10, 20), 20);
  assert.equal(parseInteger("-3", "n", -5, 5), -3);
});

test("parseInteger rejects fractions, blanks and out-of-range values, naming the range", () => {
  rejects(() => parseInteger("4.2", "batch_size"), "batch_size", 'expected a whole number >= 0, got "4.2"');
  rejects(() => parseInteger(1.5, "batch_size", 1), "batch_size", "expected a whole number >= 1, got 1.5");
  rejects(() => parseInteger(" ", "batch_size"), "batch_size", 'expected a whole number >= 0, got " "');
  rejects(() => parseInteger("many", "batch_size"), "batch_size", 'expected a whole number >= 0, got "many"');
  rejects(() => parseInteger(NaN, "batch_size"), "batch_size", "expected a whole number >= 0, got NaN");
  rejects(() => parseInteger(5, "batch_size", 10, 20), "batch_size", "expected a whole number from 10 to 20, got 5");
  rejects(
    () => parseInteger("21", "batch_size", 10, 20),
    "batch_size",
    'expected a whole number from 10 to 20, got "21"',
  );
  rejects(() => parseInteger(-1, "batch_size"), "batch_size", "expected a whole number >= 0, got -1");
});

test("parseNumber: finite numbers and numeric strings within the bounds", () => {
  assert.equal(parseNumber("0.5", "rate", 0, 1), 0.5);
  assert.equal(parseNumber(1, "rate", 0, 1), 1);
  assert.equal(parseNumber("250", "per_second"), 250);
  rejects(() => parseNumber("2", "rate", 0, 1), "rate", 'expected a number from 0 to 1, got "2"');
  rejects(() => parseNumber("Infinity", "per_second"), "per_second", 'expected a number >= 0, got "Infinity"');
  rejects(() => parseNumber("lots", "per_second"), "per_second", 'expected a number >= 0, got "lots"');
  rejects(() => parseNumber(-0.5, "rate", 0, 1), "rate", "expected a number from 0 to 1, got -0.5");
});

test("parseEnum: case-insensitive, returns the canonical spelling; rejects with the accepted list", () => {
  const accepted = ["caller_runs", "drop_newest", "drop_oldest"] as const;
  assert.equal(parseEnum("DROP_NEWEST", "backpressure", accepted), "drop_newest");
  assert.equal(parseEnum(" caller_runs ", "backpressure", accepted), "caller_runs");
  rejects(
    () => parseEnum("drop_all", "FAPILOG_CORE__BACKPRESSURE", accepted),
    "FAPILOG_CORE__BACKPRESSURE",
    'expected one of "caller_runs", "drop_newest", "drop_oldest", got "drop_all"',
  );
  rejects(() => parseEnum(1, "mode", ["a", "b"]), "mode", 'expected one of "a", "b", got 1');
});
