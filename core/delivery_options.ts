/**
 * The delivery engine's options, shared by every network sink: their code
 * form ({@link DeliveryOptions}), their settings-dict and env form
 * ({@link deliveryFields}), and their checks.
 *
 * @module
 */

import { ConfigError, describeValue } from "./errors.ts";
import type { FieldSpec } from "./settings.ts";

/** Options of the delivery engine (every network sink accepts them). */
export interface DeliveryOptions {
  /** Most entries in one request (default 100). */
  readonly batchSize?: number;
  /** Most bytes of entries in one request, one separator byte counted per entry (default 1 MiB). */
  readonly batchMaxBytes?: number;
  /** Longest an entry waits for its batch to fill, in ms (default 5000). */
  readonly batchTimeoutMs?: number;
  /** Requests in flight at once; above 1, arrival order is no longer guaranteed (default 1). */
  readonly maxInFlight?: number;
  /** Time allowed for one request, in ms; 0 for none (default 5000). */
  readonly timeoutMs?: number;
  /** Attempts per batch, the first one included (default 3). */
  readonly retryMaxAttempts?: number;
  /** Backoff base: the first retry waits up to this long, in ms (default 500). */
  readonly retryBaseDelayMs?: number;
  /** Backoff ceiling, in ms (default 30000). */
  readonly retryMaxDelayMs?: number;
  /** Longest `Retry-After` honoured, in ms (default 300000). */
  readonly retryAfterMaxMs?: number;
  /** Entries waiting to be batched, at most (default 100000). */
  readonly maxBufferEntries?: number;
  /** Bytes waiting to be batched, at most (default 32 MiB). */
  readonly maxBufferBytes?: number;
  /** When the buffer is full: drop the new entries (counted), or make the writer wait (default "drop"). */
  readonly overflow?: "drop" | "wait";
  /** Use a circuit breaker (default true). */
  readonly circuitBreaker?: boolean;
  /** Consecutive failed requests that open the circuit (default 5). */
  readonly circuitFailureThreshold?: number;
  /** How long the circuit stays open before a probe, in ms (default 30000). */
  readonly circuitRecoveryTimeMs?: number;
  /** How long `close()` may take to deliver what is buffered, in ms (default 10000). */
  readonly flushDeadlineMs?: number;
  /** Random source for the jitter, in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * The settings every network sink shares (batching, retries, buffer, circuit
 * breaker, close deadline), as settings-dict fields whose env variables start
 * with `envPrefix` (e.g. `FAPILOG_HTTP__`). `defaults` overrides the
 * documented default of a key where the sink's own default differs.
 */
export function deliveryFields(envPrefix: string, defaults: Readonly<Record<string, string>> = {}): FieldSpec[] {
  const fields: FieldSpec[] = [
    { key: "batch_size", option: "batchSize", kind: "int", min: 1, default: "100", doc: "most entries in one request" },
    {
      key: "batch_max_bytes",
      option: "batchMaxBytes",
      kind: "size",
      default: "1 MiB",
      doc: "most bytes of entries in one request",
    },
    {
      key: "batch_timeout_seconds",
      option: "batchTimeoutMs",
      kind: "duration",
      default: "5s",
      doc: "longest an entry waits for its batch to fill",
      aliases: ["batch_timeout"],
    },
    {
      key: "max_in_flight",
      option: "maxInFlight",
      kind: "int",
      min: 1,
      default: "1",
      doc: "requests in flight at once (above 1, order is not kept)",
    },
    {
      key: "timeout_seconds",
      option: "timeoutMs",
      kind: "duration",
      default: "5s",
      doc: "time allowed for one request",
      aliases: ["timeout"],
    },
    {
      key: "retry_max_attempts",
      option: "retryMaxAttempts",
      kind: "int",
      min: 1,
      default: "3",
      doc: "attempts per batch, the first one included",
    },
    {
      key: "retry_base_delay_seconds",
      option: "retryBaseDelayMs",
      kind: "duration",
      default: "0.5s",
      doc: "backoff base (full jitter, doubling per retry)",
      aliases: ["retry_base_delay"],
    },
    {
      key: "retry_max_delay_seconds",
      option: "retryMaxDelayMs",
      kind: "duration",
      default: "30s",
      doc: "backoff ceiling",
      aliases: ["retry_max_delay"],
    },
    {
      key: "max_buffer_entries",
      option: "maxBufferEntries",
      kind: "int",
      min: 1,
      default: "100000",
      doc: "entries waiting to be batched, at most",
    },
    {
      key: "max_buffer_bytes",
      option: "maxBufferBytes",
      kind: "size",
      default: "32 MiB",
      doc: "bytes waiting to be batched, at most",
    },
    {
      key: "overflow",
      option: "overflow",
      kind: "enum",
      values: ["drop", "wait"],
      default: "drop",
      doc: "when the buffer is full: drop new entries (counted) or make the writer wait",
    },
    {
      key: "circuit_breaker_enabled",
      option: "circuitBreaker",
      kind: "bool",
      default: "true",
      doc: "use a circuit breaker",
      aliases: ["circuit_breaker"],
    },
    {
      key: "circuit_breaker_threshold",
      option: "circuitFailureThreshold",
      kind: "int",
      min: 1,
      default: "5",
      doc: "consecutive failed requests that open the circuit",
    },
    {
      key: "circuit_breaker_recovery_seconds",
      option: "circuitRecoveryTimeMs",
      kind: "duration",
      default: "30s",
      doc: "how long the circuit stays open before a probe",
    },
    {
      key: "flush_deadline_seconds",
      option: "flushDeadlineMs",
      kind: "duration",
      default: "10s",
      doc: "how long close() may take to deliver what is buffered",
    },
  ];
  return fields.map((f) => ({
    ...f,
    env: envPrefix + f.key.toUpperCase(),
    default: defaults[f.key] ?? f.default,
  }));
}

function checkNumber(options: Record<string, unknown>, option: string, min: number, integer: boolean): void {
  const v = options[option];
  if (v === undefined) return;
  if (typeof v === "number" && Number.isFinite(v) && v >= min && (!integer || Number.isInteger(v))) return;
  const what = integer ? "a whole number" : "a number";
  throw new ConfigError(option, `expected ${what} of at least ${min}, got ${describeValue(v)}`);
}

/** Check the engine options given in code; throws {@link ConfigError} naming the option. */
export function checkDeliveryOptions(options: DeliveryOptions): void {
  const o = options as Record<string, unknown>;
  for (const k of ["batchSize", "maxInFlight", "retryMaxAttempts", "maxBufferEntries", "circuitFailureThreshold"]) {
    checkNumber(o, k, 1, true);
  }
  checkNumber(o, "batchMaxBytes", 1, false);
  checkNumber(o, "maxBufferBytes", 1, false);
  for (
    const k of [
      "batchTimeoutMs",
      "timeoutMs",
      "retryBaseDelayMs",
      "retryMaxDelayMs",
      "retryAfterMaxMs",
      "circuitRecoveryTimeMs",
      "flushDeadlineMs",
    ]
  ) checkNumber(o, k, 0, false);
  if (options.overflow !== undefined && options.overflow !== "drop" && options.overflow !== "wait") {
    throw new ConfigError("overflow", `expected "drop" or "wait", got ${describeValue(options.overflow)}`);
  }
}
