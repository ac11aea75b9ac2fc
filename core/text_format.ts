/**
 * The one-line text form of an entry, shared by the pretty console sink and
 * the file sink's text mode:
 *
 * `2026-11-24 05:00:00.123 | INFO     | app | signed in userId=42 path=/login`
 *
 * Control characters and ANSI escapes in user data (message, keys, values)
 * are escaped, so a log line can neither forge another line nor repaint the
 * terminal. Values with spaces, quotes or `=` are quoted.
 *
 * @module
 */

import { CONTEXT_KEYS } from "./context.ts";
import { toJsonSafe } from "./serialize.ts";
import type { LevelName, LogEntry } from "./types.ts";

/** Options of {@link formatTextLine}. */
export interface TextFormatOptions {
  /** Colour the level with ANSI codes (default false; the pretty sink turns it on for a TTY). */
  readonly color?: boolean;
}

const LEVEL_COLORS: Record<LevelName, string> = {
  DEBUG: "\x1b[36m",
  INFO: "\x1b[32m",
  WARNING: "\x1b[33m",
  ERROR: "\x1b[31m",
  CRITICAL: "\x1b[1;31m",
  AUDIT: "\x1b[35m",
  SECURITY: "\x1b[1;35m",
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

// C0 controls, DEL, C1 controls (0x9b is the 8-bit CSI), line/paragraph separators, bidi overrides.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex
const NEEDS_QUOTES = /[\s"=\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function escapeChar(c: string): string {
  switch (c) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default: {
      const code = c.charCodeAt(0);
      return code <= 0xff ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
    }
  }
}

/** Escape control characters and terminal escapes; the result is one line of inert text. */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** A key or string value: bare when it is plain, else quoted with `\` and `"` escaped. */
function formatString(v: string): string {
  if (v !== "" && !NEEDS_QUOTES.test(v)) return escapeControl(v);
  return '"' + escapeControl(v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')) + '"';
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return formatString(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  let json: string | undefined;
  try {
    json = JSON.stringify(toJsonSafe(v));
  } catch {
    json = undefined;
  }
  return escapeControl(json ?? String(v));
}

/** Format an entry as one line of text, without the trailing newline. */
export function formatTextLine(entry: LogEntry, options: TextFormatOptions = {}): string {
  const ts = entry.timestamp.replace("T", " ").replace("Z", "");
  const level = entry.level.padEnd(8);
  const coloredLevel = options.color ? LEVEL_COLORS[entry.level] + level + RESET : level;
  let line = (options.color ? DIM + ts + RESET : ts) + " | " + coloredLevel + " | " +
    escapeControl(entry.logger) + " | " + escapeControl(entry.message);
  const data = entry.data;
  for (const k in data) {
    if (!Object.prototype.hasOwnProperty.call(data, k)) continue;
    const v = data[k];
    if (v === undefined) continue;
    line += " " + formatString(k) + "=" + formatValue(v);
  }
  const ctx = entry.context as unknown as Record<string, unknown>;
  for (const k of CONTEXT_KEYS) {
    const v = ctx[k];
    if (v !== undefined && v !== null) line += " " + k + "=" + formatValue(v);
  }
  const ex = entry.diagnostics.exception;
  if (ex) {
    line += " exception=" + formatValue(`${ex.type}: ${ex.message}`);
    if (ex.stack) line += " stack=" + formatValue(ex.stack);
  }
  return line;
}
