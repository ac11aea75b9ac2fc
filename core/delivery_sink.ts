/**
 * A {@link Sink} around the delivery engine: what every network sink returns.
 * The sink itself only supplies a {@link DeliveryTarget} (encode a batch,
 * send it); this class answers the core's calls.
 *
 * @module
 */

import type { CircuitState } from "./circuit_breaker.ts";
import { DeliveryEngine, type DeliveryOptions, type DeliveryStats, type DeliveryTarget } from "./delivery.ts";
import type { LogEntry, SerializedView, Sink, SinkHost } from "./types.ts";

export { checkDeliveryOptions, deliveryFields } from "./delivery_options.ts";

const encoder = new TextEncoder();

/** A view made here, for entries that reach the sink through `write(entry)`. */
function viewOf(entry: LogEntry): SerializedView {
  const text = JSON.stringify(entry);
  const data = encoder.encode(text);
  return { data, text, entry, bytes: () => data.slice() };
}

/** What every network sink (http, webhook, ...) offers besides the Sink contract. */
export interface NetworkSink extends Sink {
  /** Always true: each entry's fate is reported through the SinkHost. */
  readonly reportsOutcomes: true;
  /** The circuit breaker's state. */
  readonly circuit: CircuitState;
  /** The last failure, in words ("" when none). */
  readonly lastError: string;
  /** Start without waiting (nothing to open): takes writes from the first log call. */
  startSync(host?: SinkHost): void;
  /** Buffer serialised entries, in order. */
  writeBatch(views: readonly SerializedView[]): Promise<void>;
  /** Resolves once everything written so far is delivered, failed or dropped. */
  flush(): Promise<void>;
  /** Deliver what is buffered within the deadline, then stop; what is left is dropped ("deadline"). */
  stop(options?: { readonly deadlineMs?: number }): Promise<void>;
  /** False while the circuit is open. */
  healthCheck(): Promise<boolean>;
  /** The delivery counters. */
  stats(): DeliveryStats;
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
export class DeliverySink<E = unknown> implements NetworkSink {
  /** The sink's name in stats and diagnostics. */
  readonly name: string;
  /** Outcomes are reported through the host, after `write*` resolved. */
  readonly reportsOutcomes = true as const;
  readonly #engine: DeliveryEngine<E>;

  /** A sink named `name` that sends through `target`, with the delivery `options` (batching, retries, buffer). */
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
