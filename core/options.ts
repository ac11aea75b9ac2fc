/**
 * Logger options: what `createLogger` accepts, the `FAPILOG_*` variables of
 * the core, and their resolution (explicit option > env > default), done once
 * before anything starts. A bad value is one {@link ConfigError} naming the
 * option or variable, the value and the accepted forms.
 *
 * @module
 */

import type { DiagnosticHandler } from "./diagnostics.ts";
import { ConfigError, describeValue } from "./errors.ts";
import { DEFAULT_LIMITS } from "./serialize.ts";
import type { Enricher } from "./enrichers.ts";
import type { RateLimitOptions, SamplingOptions } from "./filters.ts";
import type { RedactOptions } from "./redact.ts";
import type { RouteRule } from "./route.ts";
import { type Env, type FieldSpec, parseField } from "./settings.ts";
import type { LevelName, Sink } from "./types.ts";

/** A sink as `createLogger` accepts it: a Sink, a byte WritableStream, or a settings dict. */
export type SinkInput =
  | Sink
  | WritableStream<Uint8Array>
  | { readonly type: string; readonly name?: string; readonly [key: string]: unknown };

/** What to do when the queue is full. */
export type Backpressure = "caller_runs" | "drop_newest" | "drop_oldest";

/** Options of {@link createLogger}. All are optional. */
export interface LoggerOptions {
  /** Logger name, in every entry's `logger` (default: the service name, else "app"). */
  readonly name?: string;
  /** Lowest level logged (default INFO; env `FAPILOG_CORE__LOG_LEVEL`). */
  readonly level?: LevelName | Lowercase<LevelName> | "WARN" | "warn";
  /**
   * Sinks. Default: `http` if `FAPILOG_HTTP__ENDPOINT` is set, else
   * `rotating_file` if `FAPILOG_FILE__DIRECTORY` is set, else stdout (pretty on
   * a TTY, JSON otherwise).
   */
  readonly sinks?: readonly SinkInput[];
  /** The environment to read `FAPILOG_*` from (default: the process env; `{}` ignores it). */
  readonly env?: Env;
  /** Service name in diagnostics (default `FAPILOG_SERVICE`, else the logger name). */
  readonly service?: string;
  /** Deployment environment in diagnostics (default `FAPILOG_ENV`, else "dev"). */
  readonly environment?: string;
  /** Maximum queued entries (default 10000). */
  readonly maxQueueSize?: number | string;
  /** Maximum queued bytes, approximate (default "16 MiB"). */
  readonly maxQueueBytes?: number | string;
  /**
   * When the queue is full: `caller_runs` (default) makes the caller drain a
   * slice of the queue itself, losing nothing; `drop_newest` / `drop_oldest`
   * drop (counted, with a periodic warning entry).
   */
  readonly backpressure?: Backpressure;
  /** Largest entry line in bytes; larger ones are truncated with a marker (default "256 KiB"). */
  readonly maxEntryBytes?: number | string;
  /** Bytes that may wait for one sink before its entries are dropped (default "32 MiB"). */
  readonly sinkBufferBytes?: number | string;
  /** How long `close()` waits for the sinks, in ms (default 10000). */
  readonly flushDeadlineMs?: number | string;
  /** Keep a random share of entries below ERROR. */
  readonly sampling?: SamplingOptions;
  /** Token-bucket rate limit for entries below ERROR. */
  readonly rateLimit?: RateLimitOptions;
  /** Redaction settings, or `false` to turn redaction off (default: on, see `RedactOptions`). */
  readonly redact?: RedactOptions | false;
  /** Add service, env, host, pid and runtime to diagnostics (default true). */
  readonly runtimeInfo?: boolean;
  /** Custom enrichers, run in order on every entry. */
  readonly enrichers?: readonly Enricher[];
  /** Routing rules by level (default: every sink gets every entry). */
  readonly routing?: readonly RouteRule[];
  /** Sinks for levels no rule matches (default: all sinks). */
  readonly routingFallback?: readonly string[];
  /** Consecutive sink failures that open its circuit (default 5). */
  readonly circuitBreakerThreshold?: number | string;
  /** Time an open circuit waits before a probe, in ms (default 30000). */
  readonly circuitBreakerRecoveryMs?: number | string;
  /** Where entries a sink could not take go (default: stderr; `false`: nowhere, still counted). */
  readonly fallback?: ((text: string) => void) | false;
  /** Receives fapilog's own diagnostics (default: JSON lines on stderr, rate-limited). */
  readonly onDiagnostic?: DiagnosticHandler;
  /** Flush on process exit where the runtime lets us (default true). */
  readonly exitHooks?: boolean;
  /** How often a "N entries dropped" warning entry may be logged, in ms (default 5000). */
  readonly dropWarningIntervalMs?: number;
}

/** The core's settings that env can set, in the order of the docs table. */
export const CORE_FIELDS: readonly FieldSpec[] = [
  {
    key: "log_level",
    option: "level",
    kind: "level",
    env: "FAPILOG_CORE__LOG_LEVEL",
    default: "INFO",
    doc: "lowest level logged",
  },
  {
    key: "service",
    option: "service",
    kind: "string",
    env: "FAPILOG_SERVICE",
    default: "logger name",
    doc: "service name in diagnostics",
  },
  {
    key: "environment",
    option: "environment",
    kind: "string",
    env: "FAPILOG_ENV",
    default: "dev",
    doc: "deployment environment in diagnostics",
  },
  {
    key: "max_queue_size",
    option: "maxQueueSize",
    kind: "int",
    min: 1,
    env: "FAPILOG_CORE__MAX_QUEUE_SIZE",
    default: "10000",
    doc: "maximum queued entries",
  },
  {
    key: "max_queue_bytes",
    option: "maxQueueBytes",
    kind: "size",
    env: "FAPILOG_CORE__MAX_QUEUE_BYTES",
    default: "16 MiB",
    doc: "maximum queued bytes (approximate)",
  },
  {
    key: "backpressure",
    option: "backpressure",
    kind: "enum",
    values: ["caller_runs", "drop_newest", "drop_oldest"],
    env: "FAPILOG_CORE__BACKPRESSURE",
    default: "caller_runs",
    doc: "what a full queue does",
  },
  {
    key: "max_entry_bytes",
    option: "maxEntryBytes",
    kind: "size",
    env: "FAPILOG_CORE__MAX_ENTRY_BYTES",
    default: "256 KiB",
    doc: "larger entries are truncated with a marker",
  },
  {
    key: "sink_buffer_bytes",
    option: "sinkBufferBytes",
    kind: "size",
    env: "FAPILOG_CORE__SINK_BUFFER_BYTES",
    default: "32 MiB",
    doc: "bytes that may wait for one sink before dropping",
  },
  {
    key: "flush_deadline_seconds",
    option: "flushDeadlineMs",
    kind: "duration",
    env: "FAPILOG_CORE__FLUSH_DEADLINE_SECONDS",
    default: "10",
    doc: "how long close() waits for the sinks",
  },
  {
    key: "sampling_rate",
    option: "samplingRate",
    kind: "number",
    min: 0,
    max: 1,
    env: "FAPILOG_CORE__SAMPLING_RATE",
    default: "1",
    doc: "share of entries below ERROR kept",
  },
  {
    key: "rate_limit_per_second",
    option: "rateLimitPerSecond",
    kind: "number",
    env: "FAPILOG_CORE__RATE_LIMIT_PER_SECOND",
    default: "off",
    doc: "token-bucket limit for entries below ERROR",
  },
  {
    key: "redact_enabled",
    option: "redactEnabled",
    kind: "bool",
    env: "FAPILOG_CORE__REDACT",
    default: "true",
    doc: "redact secret fields and URL credentials",
  },
  {
    key: "circuit_breaker_threshold",
    option: "circuitBreakerThreshold",
    kind: "int",
    min: 1,
    env: "FAPILOG_CORE__CIRCUIT_BREAKER_THRESHOLD",
    default: "5",
    doc: "consecutive sink failures that open its circuit",
  },
  {
    key: "circuit_breaker_recovery_seconds",
    option: "circuitBreakerRecoveryMs",
    kind: "duration",
    env: "FAPILOG_CORE__CIRCUIT_BREAKER_RECOVERY_SECONDS",
    default: "30",
    doc: "time before an open circuit is probed",
  },
];

/** Resolved core settings. */
export interface CoreSettings {
  level: LevelName;
  service?: string;
  environment?: string;
  maxQueueSize: number;
  maxQueueBytes: number;
  backpressure: Backpressure;
  maxEntryBytes: number;
  sinkBufferBytes: number;
  flushDeadlineMs: number;
  samplingRate?: number;
  rateLimitPerSecond?: number;
  redactEnabled: boolean;
  circuitBreakerThreshold: number;
  circuitBreakerRecoveryMs: number;
}

const DEFAULTS: CoreSettings = {
  level: "INFO",
  maxQueueSize: 10_000,
  maxQueueBytes: 16 * 1024 * 1024,
  backpressure: "caller_runs",
  maxEntryBytes: DEFAULT_LIMITS.maxEntryBytes,
  sinkBufferBytes: 32 * 1024 * 1024,
  flushDeadlineMs: 10_000,
  redactEnabled: true,
  circuitBreakerThreshold: 5,
  circuitBreakerRecoveryMs: 30_000,
};

/** Resolve the core settings: explicit option > env > default. Throws ConfigError. */
export function resolveCoreSettings(options: LoggerOptions, env: Env): CoreSettings {
  const out = { ...DEFAULTS } as Record<string, unknown>;
  const given = options as Record<string, unknown>;
  for (const f of CORE_FIELDS) {
    // Options take the camelCase names; the settings' snake_case keys are accepted too.
    const name = given[f.option] !== undefined ? f.option : f.key;
    const explicit = given[name];
    if (explicit !== undefined) {
      const unitless = typeof explicit === "string" && /^\s*\d+(\.\d+)?\s*$/.test(explicit);
      if (f.kind === "duration" && name === f.option && unitless) {
        // "5000" given to a camelCase option is milliseconds, as the number 5000 would be.
        out[f.option] = Number(explicit);
      } else if (f.kind === "duration" && typeof explicit === "number" && name === f.option) {
        // A number given to a camelCase option is milliseconds (the names end in Ms); the snake_case
        // keys keep the original's seconds.
        if (!Number.isFinite(explicit) || explicit < 0) {
          throw new ConfigError(
            name,
            `expected milliseconds (a number >= 0) or a duration such as "5s", got ${describeValue(explicit)}`,
          );
        }
        out[f.option] = explicit;
      } else {
        out[f.option] = parseField(f, explicit, name);
      }
    } else if (f.env && env[f.env] !== undefined && env[f.env] !== "") {
      out[f.option] = parseField(f, env[f.env], f.env);
    }
  }
  const settings = out as unknown as CoreSettings;
  if (settings.maxEntryBytes < MIN_ENTRY_BYTES) {
    throw new ConfigError(
      sourceOf("maxEntryBytes", "max_entry_bytes", "FAPILOG_CORE__MAX_ENTRY_BYTES", given),
      `must be at least ${MIN_ENTRY_BYTES} bytes (the envelope itself needs room), got ${settings.maxEntryBytes}`,
    );
  }
  if (settings.rateLimitPerSecond !== undefined && !(settings.rateLimitPerSecond > 0)) {
    throw new ConfigError(
      sourceOf("rateLimitPerSecond", "rate_limit_per_second", "FAPILOG_CORE__RATE_LIMIT_PER_SECOND", given),
      `expected a number above 0 (entries per second), got ${settings.rateLimitPerSecond}`,
    );
  }
  return settings;
}

/** The smallest `maxEntryBytes` accepted. */
export const MIN_ENTRY_BYTES = 1024;

function sourceOf(option: string, key: string, variable: string, given: Record<string, unknown>): string {
  if (given[option] !== undefined) return option;
  if (given[key] !== undefined) return key;
  return variable;
}
