/**
 * The serialiser: turns any value a caller logs into JSON-safe data, and an
 * entry into exactly one line of JSON, once. Circular references, BigInt,
 * symbols, functions, throwing getters, errors with causes, dates, maps,
 * sets, typed arrays, lone surrogates, huge strings and very deep nesting all
 * come out as valid JSON; nothing here throws.
 *
 * @module
 */

import type { ExceptionInfo } from "./types.ts";

/** Limits of the serialiser. */
export interface SerializeLimits {
  /** Maximum UTF-8 bytes of one entry line; larger entries are truncated with a marker. */
  readonly maxEntryBytes: number;
  /** Maximum nesting depth kept; deeper values become a marker. */
  readonly maxDepth: number;
}

/** Default limits: 256 KiB per entry, 64 levels of nesting. */
export const DEFAULT_LIMITS: SerializeLimits = { maxEntryBytes: 256 * 1024, maxDepth: 64 };

const MAX_ARRAY_ITEMS = 10_000;

/** Describe an error as `{type, message, stack, cause}`, following the cause chain (depth-limited). */
export function exceptionInfo(error: unknown, depth = 0, seen: unknown[] = []): ExceptionInfo {
  if (error instanceof Error || (error && typeof error === "object" && "message" in error && "name" in error)) {
    // deno-lint-ignore no-explicit-any
    const e = error as any;
    const info: ExceptionInfo = { type: safeString(() => e.name ?? "Error"), message: safeString(() => e.message) };
    const stack = safeString(() => e.stack ?? "");
    if (stack) info.stack = stack;
    let cause: unknown;
    try {
      cause = e.cause;
    } catch {
      cause = undefined;
    }
    if (cause !== undefined) {
      seen.push(error);
      if (seen.includes(cause)) info.cause = { type: "Circular", message: "the cause refers back to an earlier error" };
      else if (depth < 8) info.cause = exceptionInfo(cause, depth + 1, seen);
      else info.cause = { type: "Truncated", message: "cause chain too deep" };
    }
    return info;
  }
  return { type: typeof error, message: safeString(() => String(error)) };
}

function safeString(fn: () => unknown): string {
  try {
    const v = fn();
    return typeof v === "string" ? v : String(v);
  } catch (e) {
    return `[unreadable: ${e instanceof Error ? e.message : typeof e}]`;
  }
}

function isPrimitiveSafe(v: unknown): boolean {
  const t = typeof v;
  return t === "string" || t === "boolean" || v === null || (t === "number" && Number.isFinite(v as number));
}

/**
 * Return a JSON-safe version of `value`: the same reference when it already
 * is (the common case: flat objects of strings, numbers and booleans), a
 * converted copy otherwise. Never throws.
 */
export function toJsonSafe(value: unknown, maxDepth = DEFAULT_LIMITS.maxDepth): unknown {
  return normalize(value, 0, maxDepth, []);
}

function normalize(v: unknown, depth: number, maxDepth: number, stack: object[]): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "bigint":
      return v.toString();
    case "symbol":
      return v.toString();
    case "function":
      return `[Function ${v.name || "anonymous"}]`;
    case "undefined":
      return undefined;
  }
  if (v === null) return null;
  const obj = v as object;
  if (stack.includes(obj)) return "[Circular]";
  if (depth >= maxDepth) return "[Truncated: nesting deeper than " + maxDepth + "]";
  stack.push(obj);
  try {
    return normalizeObject(obj, depth, maxDepth, stack);
  } catch (e) {
    return `[Unserializable: ${e instanceof Error ? e.message : String(e)}]`;
  } finally {
    stack.pop();
  }
}

function normalizeObject(obj: object, depth: number, maxDepth: number, stack: object[]): unknown {
  if (GetterThrew.is(obj)) return obj.marker;
  const proto = Object.getPrototypeOf(obj);
  // deno-lint-ignore no-explicit-any
  if ((proto === Object.prototype || proto === null) && typeof (obj as any).toJSON !== "function") {
    return normalizePlain(obj, depth, maxDepth, stack);
  }
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof Error) {
    const info = exceptionInfo(obj) as unknown as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      if (!(k in info)) info[k] = normalize(readProp(obj, k), depth + 1, maxDepth, stack);
    }
    return info;
  }
  if (Array.isArray(obj)) {
    let out: unknown[] | undefined;
    const n = Math.min(obj.length, MAX_ARRAY_ITEMS);
    for (let i = 0; i < n; i++) {
      const item = readProp(obj, i);
      const safe = normalize(item, depth + 1, maxDepth, stack);
      if (out === undefined && (safe !== item || item === undefined)) out = obj.slice(0, i);
      if (out !== undefined) out.push(safe === undefined ? null : safe);
    }
    if (obj.length > n) {
      out ??= obj.slice(0, n);
      out.push(`[${obj.length - n} more items]`);
    }
    return out ?? obj;
  }
  if (obj instanceof Map) {
    const out: Record<string, unknown> = {};
    let i = 0;
    for (const [k, val] of obj) {
      if (i++ >= MAX_ARRAY_ITEMS) break;
      const key = typeof k === "string" ? k : String(normalize(k, depth + 1, maxDepth, stack));
      setOwn(out, key, normalize(val, depth + 1, maxDepth, stack));
    }
    return out;
  }
  if (obj instanceof Set) {
    const out: unknown[] = [];
    for (const item of obj) {
      if (out.length >= MAX_ARRAY_ITEMS) break;
      out.push(normalize(item, depth + 1, maxDepth, stack) ?? null);
    }
    return out;
  }
  if (ArrayBuffer.isView(obj)) {
    const arr = obj instanceof DataView ? new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength) : obj;
    const typed = arr as unknown as { subarray(a: number, b: number): ArrayLike<number | bigint> };
    const items = Array.from(
      typed.subarray(0, MAX_ARRAY_ITEMS),
      // NaN and ±Infinity as strings, as everywhere else (JSON would turn them into null).
      (x) => typeof x === "bigint" ? x.toString() : Number.isFinite(x) ? x : String(x),
    );
    return items;
  }
  if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
  if (obj instanceof RegExp) return obj.toString();
  if (obj instanceof WeakMap || obj instanceof WeakSet) return `[${obj.constructor.name}]`;
  if (obj instanceof Promise) return "[Promise]";
  // deno-lint-ignore no-explicit-any
  const toJSON = (obj as any).toJSON;
  if (typeof toJSON === "function") {
    let replaced: unknown;
    try {
      replaced = toJSON.call(obj);
    } catch (e) {
      return `[toJSON threw: ${e instanceof Error ? e.message : String(e)}]`;
    }
    return normalize(replaced, depth + 1, maxDepth, stack);
  }
  return normalizePlain(obj, depth, maxDepth, stack);
}

function normalizePlain(obj: object, depth: number, maxDepth: number, stack: object[]): unknown {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const item = readProp(obj, k);
    // A getter that threw must not be read again by JSON.stringify: force a copy.
    const threw = GetterThrew.is(item);
    const safe = threw ? item.marker : isPrimitiveSafe(item) ? item : normalize(item, depth + 1, maxDepth, stack);
    if (out === undefined && (safe !== item || threw)) {
      out = {};
      for (let j = 0; j < i; j++) {
        const earlier = readProp(obj, keys[j]);
        setOwn(out, keys[j], GetterThrew.is(earlier) ? earlier.marker : earlier);
      }
    }
    if (out !== undefined && safe !== undefined) setOwn(out, k, safe);
  }
  const symbols = Object.getOwnPropertySymbols(obj);
  if (symbols.length > 0) {
    for (const s of symbols) {
      if (!Object.prototype.propertyIsEnumerable.call(obj, s)) continue;
      if (out === undefined) {
        out = {};
        for (const k of keys) {
          const safe = normalize(readProp(obj, k), depth + 1, maxDepth, stack);
          if (safe !== undefined) setOwn(out, k, safe);
        }
      }
      // deno-lint-ignore no-explicit-any
      const val = normalize(readProp(obj, s as any), depth + 1, maxDepth, stack);
      if (val !== undefined) out[s.toString()] = val;
    }
  }
  return out ?? obj;
}

/**
 * `out[key] = value`, also for the key `__proto__` (which plain assignment
 * turns into a prototype change, losing the field: parsed request bodies
 * carry it).
 */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** What `readProp` returns when a getter threw; callers copy the marker instead of the object. */
class GetterThrew {
  readonly marker: string;
  #brand = true;
  constructor(e: unknown) {
    this.marker = `[getter threw: ${e instanceof Error ? e.message : String(e)}]`;
  }
  /** A brand check: unlike `instanceof`, it runs no Proxy trap of `x`. */
  static is(x: unknown): x is GetterThrew {
    return typeof x === "object" && x !== null && #brand in x;
  }
}

function readProp(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (e) {
    return new GetterThrew(e);
  }
}

/** JSON text of any value; never throws (falls back to a marker string). */
export function safeJson(value: unknown, maxDepth = DEFAULT_LIMITS.maxDepth): string {
  try {
    const s = JSON.stringify(toJsonSafe(value, maxDepth));
    return s === undefined ? "null" : s;
  } catch (e) {
    return JSON.stringify(`[Unserializable: ${e instanceof Error ? e.message : String(e)}]`);
  }
}

/** UTF-8 byte length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}

/** Shorten every string longer than `maxChars` in a JSON-safe value, with a marker. */
export function truncateStrings(value: unknown, maxChars: number, depth = 0): unknown {
  if (typeof value === "string") {
    if (value.length <= maxChars) return value;
    // Never cut a surrogate pair in half: that would leave a lone surrogate (a broken character).
    const c = value.charCodeAt(maxChars - 1);
    const keep = c >= 0xd800 && c <= 0xdbff ? maxChars - 1 : maxChars;
    return value.slice(0, keep) + `…[truncated ${value.length - keep} chars]`;
  }
  if (depth > 64 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => truncateStrings(v, maxChars, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, truncateStrings(v, maxChars, depth + 1));
  return out;
}

let lastMs = -1;
let lastIso = "";

/** RFC 3339 UTC timestamp with milliseconds and `Z`, cached per millisecond. */
export function isoTimestamp(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
