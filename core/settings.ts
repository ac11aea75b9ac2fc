/**
 * Settings: how a settings dict (`{type: "http", batch_size: 100, ...}`) and
 * the `FAPILOG_*` environment become a sink's options.
 *
 * Each sink type describes its settings once, as a {@link SinkTypeSpec}: the
 * dict keys (snake_case, camelCase accepted too), the env variable of each,
 * the kind of value, and the factory option it sets. Everything else (key
 * normalisation, unit parsing, unknown-key errors, env layering, the docs'
 * env table) is derived from those specs, here, once.
 *
 * Precedence: explicit dict values > env > the factory's defaults.
 *
 * @module
 */

import { ConfigError, describeValue } from "./errors.ts";
import { parseLevel } from "./levels.ts";
import type { Sink } from "./types.ts";
import { parseBool, parseDurationMs, parseEnum, parseInteger, parseInterval, parseNumber, parseSize } from "./units.ts";

/** The kind of value a setting takes; decides how strings from env are parsed. */
export type FieldKind =
  | "string"
  | "int"
  | "number"
  | "bool"
  | "size"
  | "duration"
  | "interval"
  | "enum"
  | "level"
  | "headers"
  | "list"
  | "json";

/** One setting of a sink type. */
export interface FieldSpec {
  /** The settings-dict key, snake_case (camelCase is accepted too). */
  readonly key: string;
  /** The factory option it sets (camelCase). */
  readonly option: string;
  /** The kind of value, which decides how dict and env values are parsed. */
  readonly kind: FieldKind;
  /** Accepted values, for `enum`. */
  readonly values?: readonly string[];
  /** Lower bound for `int` and `number` (default 0). */
  readonly min?: number;
  /** Upper bound for `int` and `number` (default `Number.MAX_SAFE_INTEGER` and `Number.MAX_VALUE`). */
  readonly max?: number;
  /** The full env variable name, e.g. `FAPILOG_HTTP__ENDPOINT`. */
  readonly env?: string;
  /** The default, as documentation (the factory applies it). */
  readonly default?: string;
  /** One line for the docs. */
  readonly doc: string;
  /** Other dict keys meaning the same setting. */
  readonly aliases?: readonly string[];
}

/** A sink type that can be built from a settings dict and from env. */
export interface SinkTypeSpec {
  /** The `type` of the settings dict, e.g. `"rotating_file"`. */
  readonly type: string;
  /** The settings this type accepts, one per dict key. */
  readonly fields: readonly FieldSpec[];
  /**
   * Build the sink from parsed options (keyed by `FieldSpec.option`; sizes in
   * bytes, durations in milliseconds, intervals as parsed by `parseInterval`).
   */
  create(options: Record<string, unknown>): Sink;
  /**
   * For env-only configuration: given the env values of this type (parsed
   * options), finish them (e.g. join a directory and a file name). Optional.
   */
  fromEnv?(options: Record<string, unknown>): Record<string, unknown>;
}

/** An environment: variable name to value. */
export type Env = Readonly<Record<string, string | undefined>>;

/** `batchSize` -> `batch_size`. */
export function toSnakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** Parse one value of a setting. `where` names it in errors. */
export function parseField(field: FieldSpec, value: unknown, where: string): unknown {
  switch (field.kind) {
    case "string":
      if (typeof value === "string") return value;
      throw new ConfigError(where, `expected a string, got ${describeValue(value)}`);
    case "int":
      return parseInteger(value, where, field.min ?? 0, field.max ?? Number.MAX_SAFE_INTEGER);
    case "number":
      return parseNumber(value, where, field.min ?? 0, field.max ?? Number.MAX_VALUE);
    case "bool":
      return parseBool(value, where);
    case "size":
      return parseSize(value, where);
    case "duration":
      return parseDurationMs(value, where);
    case "interval":
      return parseInterval(value, where);
    case "enum":
      return parseEnum(value, where, field.values ?? []);
    case "level":
      return parseLevel(value, where);
    case "headers":
      return parseStringMap(value, where);
    case "list":
      return parseList(value, where);
    case "json":
      if (typeof value === "string") {
        try {
          return JSON.parse(value);
        } catch {
          throw new ConfigError(where, `expected JSON, got ${describeValue(value)}`);
        }
      }
      return value;
  }
}

function parseStringMap(value: unknown, where: string): Record<string, string> {
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      throw new ConfigError(
        where,
        `expected a JSON object of strings such as {"X-Api-Key":"..."}, got ${describeValue(value)}`,
      );
    }
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== "string") {
        throw new ConfigError(`${where}.${k}`, `expected a string, got ${describeValue(x)}`);
      }
      out[k] = x;
    }
    return out;
  }
  throw new ConfigError(
    where,
    `expected an object of strings such as {"X-Api-Key":"..."}, got ${describeValue(value)}`,
  );
}

function parseList(value: unknown, where: string): string[] {
  if (typeof value === "string") {
    const s = value.trim();
    if (s.startsWith("[")) {
      try {
        return parseList(JSON.parse(s), where);
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw new ConfigError(
          where,
          `expected a JSON array of strings or a comma-separated list, got ${describeValue(value)}`,
        );
      }
    }
    return s === "" ? [] : s.split(",").map((x) => x.trim());
  }
  if (Array.isArray(value) && value.every((x) => typeof x === "string")) return [...value];
  throw new ConfigError(where, `expected a list of strings or a comma-separated string, got ${describeValue(value)}`);
}

function fieldIndex(spec: SinkTypeSpec): Map<string, FieldSpec> {
  const index = new Map<string, FieldSpec>();
  for (const f of spec.fields) {
    index.set(f.key, f);
    for (const a of f.aliases ?? []) index.set(a, f);
  }
  return index;
}

/** The env values of one sink type, parsed, keyed by option. */
export function envOptions(
  spec: SinkTypeSpec,
  env: Env,
  skip: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (!f.env || skip.has(f.option)) continue;
    const raw = env[f.env];
    if (raw === undefined || raw === "") continue;
    out[f.option] = parseField(f, raw, f.env);
  }
  return out;
}

/**
 * Turn a settings dict into factory options: keys normalised, values parsed,
 * env values of the same type underneath. `where` names the dict in errors
 * (e.g. `sinks[1]`).
 */
export function resolveSinkSettings(
  spec: SinkTypeSpec,
  dict: Readonly<Record<string, unknown>>,
  env: Env,
  where: string,
): Record<string, unknown> {
  const index = fieldIndex(spec);
  const explicit: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(dict)) {
    if (rawKey === "type" || value === undefined) continue;
    const key = toSnakeCase(rawKey);
    const field = index.get(key);
    if (!field) {
      const accepted = spec.fields.map((f) => f.key).join(", ");
      throw new ConfigError(
        `${where}.${rawKey}`,
        `unknown setting for a "${spec.type}" sink; accepted keys: ${accepted}`,
      );
    }
    explicit[field.option] = parseField(field, value, `${where}.${rawKey}`);
  }
  // Env fills in only what the dict leaves out (a bad env value under an explicit one is not an error).
  return { ...envOptions(spec, env, new Set(Object.keys(explicit))), ...explicit };
}
