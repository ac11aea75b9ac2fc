/**
 * A {@link Sink} around the delivery engine: what every network sink returns.
 * The sink itself only supplies a {@link DeliveryTarget} (encode a batch,
 * send it); this class answers the core's calls.
 *
 * @module
 */

import type { CircuitState } from "./circuit_breaker.ts";
import { DeliveryEngine, type DeliveryOptions, type DeliveryStats, type DeliveryTarget } from "./delivery.ts";
import { ConfigError, describeValue } from "./errors.ts";
import type { FieldSpec } from "./settings.ts";
import type { LogEntry, SerializedView, Sink, SinkHost } from "./types.ts";

const encoder = new TextEncoder();

/** A view made here, for entries that reach the sink through `write(entry)`. */
function viewOf(entry: LogEntry): SerializedView {
  const text = JSON.stringify(entry);
  const data = encoder.encode(text);
  return { data, text, entry, bytes: () => data.slice() };
}

/**
 * A network sink: batches, retries and reports through the delivery engine.
 * `write*` calls only put entries in the sink's buffer; each entry's fate is
 * reported to the core later (`reportsOutcomes`).
 *
 * @example
 * ```ts
 * import { DeliverySink } from "./delivery_sink.ts";
 * const sink = new DeliverySink("echo", {
 *   encode: (views) => views.map((v) => v.text).join("\n"),
 *   send: async (body, signal) => {
 *     const res = await fetch("http://127.0.0.1:8080/logs", { method: "POST", body, signal });
 *     await res.body?.cancel();
 *     return res.ok ? { ok: true } : { ok: false, retryable: res.status >= 500, status: res.status, detail: "" };
 *   },
 * }, { batchSize: 500 });
 * ```
 */
export class DeliverySink<E = unknown> implements Sink {
  /** The sink's name in stats and diagnostics. */
  readonly name: string;
  /** Outcomes are reported through the host, after `write*` resolved. */
  readonly reportsOutcomes = true;
  readonly #engine: DeliveryEngine<E>;

  constructor(name: string, target: DeliveryTarget<E>, options: DeliveryOptions = {}) {
    this.name = name;
    this.#engine = new DeliveryEngine(name, target, options);
  }

  /** The circuit breaker's state. */
  get circuit(): CircuitState {
    return this.#engine.circuit;
  }

  /** The last failure, in words ("" when none). */
  get lastError(): string {
    return this.#engine.lastError;
  }

  /** Called by the core once, before the first write. */
  start(host?: SinkHost): Promise<void> {
    this.#engine.start(host);
    return Promise.resolve();
  }

  /** Nothing to wait for: take writes from the first log call. */
  startSync(host?: SinkHost): void {
    this.#engine.start(host);
  }

  /** Buffer one entry (serialised here: prefer `writeSerialized`). */
  async write(entry: LogEntry): Promise<void> {
    await this.#engine.enqueue([viewOf(entry)]);
  }

  /** Buffer one serialised entry. */
  async writeSerialized(view: SerializedView): Promise<void> {
    await this.#engine.enqueue([view]);
  }

  /** Buffer serialised entries, in order. */
  async writeBatch(views: readonly SerializedView[]): Promise<void> {
    await this.#engine.enqueue(views);
  }

  /** Resolves once everything written so far is delivered, failed or dropped. */
  flush(): Promise<void> {
    return this.#engine.flush();
  }

  /**
   * Deliver what is buffered within the deadline (default `flushDeadlineMs`),
   * then stop; what is left is counted as dropped ("deadline"). A core that
   * has less time left passes it as `deadlineMs` (0 gives up at once).
   */
  stop(options: { readonly deadlineMs?: number } = {}): Promise<void> {
    return this.#engine.close(options.deadlineMs);
  }

  /** False while the circuit is open. */
  healthCheck(): Promise<boolean> {
    return Promise.resolve(this.#engine.circuit !== "open");
  }

  /** The engine's counters: sent, batches, retried, failed, dropped (and by reason), pending, inFlight. */
  stats(): DeliveryStats {
    return this.#engine.stats();
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
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
      default: "10000",
      doc: "entries waiting to be batched, at most",
    },
    {
      key: "max_buffer_bytes",
      option: "maxBufferBytes",
      kind: "size",
      default: "16 MiB",
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
