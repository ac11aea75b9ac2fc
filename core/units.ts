/**
 * Parsers for the units settings accept: sizes ("10 MB", 1048576), durations
 * ("5s", "250ms", 5 meaning seconds), rotation intervals ("hourly", "daily",
 * "weekly", seconds) and booleans ("true", "1", "yes").
 *
 * Every parser throws {@link ConfigError} naming the key, the value and the
 * accepted forms.
 *
 * @module
 */

import { ConfigError, describeValue } from "./errors.ts";

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

const SIZE_FORMS = 'a whole number of bytes or a size such as "10 MB", "512 KiB", "1 GB"';

/**
 * Parse a size into bytes. Decimal units (KB, MB, GB) are powers of 1000,
 * binary units (KiB, MiB, GiB, and the short K, M, G) powers of 1024.
 *
 * @example
 * ```ts
 * import { parseSize } from "./units.ts";
 * parseSize("10 MB", "rotation"); // 10000000
 * ```
 */
export function parseSize(value: unknown, key: string): number {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new ConfigError(key, `expected ${SIZE_FORMS}, got ${describeValue(value)}`);
  }
  if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    if (m) {
      const unit = SIZE_UNITS[m[2].toLowerCase()];
      // A fraction of a unit is fine ("1.5 KB"); a fraction of a byte is not.
      if (unit !== undefined && (unit > 1 || !m[1].includes("."))) return Math.round(Number(m[1]) * unit);
    }
  }
  throw new ConfigError(key, `expected ${SIZE_FORMS}, got ${describeValue(value)}`);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION_FORMS = 'a number of seconds or a duration such as "250ms", "5s", "2m", "1h"';

/**
 * Parse a duration into milliseconds. A bare number (or numeric string) means
 * seconds, as in the original's `*_SECONDS` variables.
 */
export function parseDurationMs(value: unknown, key: string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    if (m) {
      if (m[2] === "") return Math.round(Number(m[1]) * 1000);
      const unit = DURATION_UNITS[m[2].toLowerCase()];
      if (unit !== undefined) return Math.round(Number(m[1]) * unit);
    }
  }
  throw new ConfigError(key, `expected ${DURATION_FORMS}, got ${describeValue(value)}`);
}

/** A rotation interval: a calendar boundary in UTC, or every N seconds. */
export type Interval = "hourly" | "daily" | "weekly" | { everyMs: number };

/** Parse a rotation interval: "hourly", "daily", "weekly", or seconds / a duration. */
export function parseInterval(value: unknown, key: string): Interval {
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "hourly" || v === "daily" || v === "weekly") return v;
  }
  let ms: number;
  try {
    ms = parseDurationMs(value, key);
  } catch {
    throw new ConfigError(
      key,
      `expected "hourly", "daily", "weekly", a number of seconds or a duration such as "30m", got ${
        describeValue(value)
      }`,
    );
  }
  if (ms <= 0) throw new ConfigError(key, `the interval must be greater than zero, got ${describeValue(value)}`);
  return { everyMs: ms };
}

/** Parse a boolean: true/false, or the strings "true"/"false", "1"/"0", "yes"/"no", "on"/"off". */
export function parseBool(value: unknown, key: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "1" || v === "yes" || v === "on") return true;
    if (v === "false" || v === "0" || v === "no" || v === "off") return false;
  }
  throw new ConfigError(
    key,
    `expected true or false ("true", "false", "1", "0", "yes", "no", "on", "off"), got ${describeValue(value)}`,
  );
}

/** "from 1 to 10", or ">= 1" when there is no real upper bound (no 1.7976931348623157e+308 in messages). */
function rangeText(min: number, max: number): string {
  return max >= Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
}

/** Parse an integer within bounds. */
export function parseInteger(value: unknown, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= min && n <= max) return n;
  throw new ConfigError(key, `expected a whole number ${rangeText(min, max)}, got ${describeValue(value)}`);
}

/** Parse a finite number within bounds. */
export function parseNumber(value: unknown, key: string, min = 0, max = Number.MAX_VALUE): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n === "number" && Number.isFinite(n) && n >= min && n <= max) return n;
  throw new ConfigError(key, `expected a number ${rangeText(min, max)}, got ${describeValue(value)}`);
}

/** Parse one of a fixed set of strings (case-insensitive). */
export function parseEnum<T extends string>(value: unknown, key: string, accepted: readonly T[]): T {
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    for (const a of accepted) if (a.toLowerCase() === v) return a;
  }
  throw new ConfigError(
    key,
    `expected one of ${accepted.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(value)}`,
  );
}
