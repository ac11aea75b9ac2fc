/**
 * The delivery engine shared by every network sink (http, webhook, and the
 * Loki, CloudWatch and PostgreSQL sinks). A sink only says how to encode a
 * batch and how to send it ({@link DeliveryTarget}); the engine does the rest:
 *
 * - batches by count, bytes and age (the limits are checked before an entry
 *   is added, so a batch never exceeds them unless one entry alone does);
 * - one request in flight by default, so entries arrive in order;
 * - retries of network errors, timeouts, 408, 429 and 5xx with exponential
 *   backoff and full jitter, honouring `Retry-After`; other failures are
 *   given up at once and reported with the status and the start of the body;
 * - a circuit breaker: consecutive failures open it, and after the recovery
 *   time the waiting batch is sent as the probe. While it is open, entries
 *   wait in the buffer rather than being thrown away;
 * - a bounded buffer: entries past it are dropped and counted (or, with
 *   `overflow: "wait"`, the writer waits for room);
 * - `close()` flushes within a deadline and counts what is left as dropped;
 * - every outcome reported to the core through the {@link SinkHost} and
 *   counted in `stats()`: received = sent + failed + dropped + pending + inFlight.
 *
 * @module
 */

import { BatchBuffer } from "./batch_buffer.ts";
import { CircuitBreaker, type CircuitState } from "./circuit_breaker.ts";
import { backoffDelayMs, type SendResult } from "./retry.ts";
import type { DeliveryOptions } from "./delivery_options.ts";
import type { DropReason, SerializedView, SinkHost } from "./types.ts";

export type { DeliveryOptions } from "./delivery_options.ts";

/** How a sink encodes and sends a batch. `E` is the encoded form (e.g. a body and its headers). */
export interface DeliveryTarget<E> {
  /** Encode a batch once; retries reuse the result. Throwing gives the batch up (not retried). */
  encode(views: readonly SerializedView[]): E | Promise<E>;
  /**
   * Send an encoded batch. Resolve with the outcome; a throw counts as a
   * network error and is retried. `signal` aborts on the per-request timeout
   * and at the close deadline: pass it to `fetch`.
   */
  send(encoded: E, signal: AbortSignal): Promise<SendResult>;
}

/** A batch was given up: retries exhausted, or refused by the destination. */
export class DeliveryError extends Error {
  /** The HTTP status of the last response, when there was one. */
  readonly status?: number;
  /** Requests made for the batch. */
  readonly attempts: number;
  /** Entries in the batch. */
  readonly entries: number;
  /** An error with `message`, carrying the batch's last status, attempts and entry count. */
  constructor(message: string, details: { status?: number; attempts: number; entries: number }) {
    super(message);
    this.name = "DeliveryError";
    this.status = details.status;
    this.attempts = details.attempts;
    this.entries = details.entries;
  }
}

/** Counters of one sink's delivery engine. */
export type DeliveryStats = {
  /** Entries handed to the sink. */
  received: number;
  /** Entries delivered. */
  sent: number;
  /** Requests that delivered a batch. */
  batches: number;
  /** Requests repeated after a retryable failure. */
  retried: number;
  /** Entries given up (reported to the core as failed). */
  failed: number;
  /** Entries dropped, all reasons. */
  dropped: number;
  /** Dropped because the buffer was full. */
  dropped_sink_buffer_full: number;
  /** Dropped because they arrived after `close()`. */
  dropped_closed: number;
  /** Dropped because the close deadline passed first. */
  dropped_deadline: number;
  /** Entries waiting to be batched. */
  pending: number;
  /** Bytes waiting to be batched. */
  pendingBytes: number;
  /** Entries in requests under way (including their retries). */
  inFlight: number;
  /** Times the circuit opened. */
  circuitOpened: number;
};

interface Batch {
  readonly views: readonly SerializedView[];
  /** Sequence number of the first entry, for `flush()`. */
  readonly firstSeq: number;
}

const NO_HOST: SinkHost = {
  written() {},
  failed() {},
  dropped() {},
  diagnostic() {},
};

/** When the breaker is half-open and another batch holds the probe, look again this often. */
const PROBE_WAIT_MS = 50;

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * The engine itself: one per sink. Sinks normally use it through
 * {@link DeliverySink}.
 */
export class DeliveryEngine<E> {
  readonly #name: string;
  readonly #target: DeliveryTarget<E>;
  readonly #batchTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #retryAfterMaxMs: number;
  readonly #wait: boolean;
  readonly #flushDeadlineMs: number;
  readonly #random: () => number;
  readonly #breaker: CircuitBreaker | undefined;
  #host: SinkHost = NO_HOST;

  readonly #buffer: BatchBuffer;
  // Sequence numbers count entries admitted to the buffer; those below this are batched without waiting for age.
  #flushSeq = 0;
  #inFlight = new Set<Batch>();
  #inFlightEntries = 0;
  #flushWaiters: { seq: number; resolve: () => void }[] = [];
  #spaceWaiters: (() => void)[] = [];
  #backlog: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #pauses = new Set<() => void>();
  #closing = false;
  #aborted = false;
  #abort = new AbortController();
  #closed: Promise<void> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #deadlineAt = 0;
  #done = false;
  #lastError = "";
  #stats: DeliveryStats = {
    received: 0,
    sent: 0,
    batches: 0,
    retried: 0,
    failed: 0,
    dropped: 0,
    dropped_sink_buffer_full: 0,
    dropped_closed: 0,
    dropped_deadline: 0,
    pending: 0,
    pendingBytes: 0,
    inFlight: 0,
    circuitOpened: 0,
  };

  constructor(name: string, target: DeliveryTarget<E>, options: DeliveryOptions = {}) {
    this.#name = name;
    this.#target = target;
    this.#batchTimeoutMs = Math.max(0, options.batchTimeoutMs ?? 5000);
    this.#buffer = new BatchBuffer({
      batchSize: Math.floor(positive(options.batchSize, 100)),
      batchMaxBytes: positive(options.batchMaxBytes, 1024 * 1024),
      batchTimeoutMs: this.#batchTimeoutMs,
      maxEntries: Math.floor(positive(options.maxBufferEntries, 100_000)),
      maxBytes: positive(options.maxBufferBytes, 32 * 1024 * 1024),
    });
    this.#maxInFlight = Math.floor(positive(options.maxInFlight, 1));
    this.#timeoutMs = Math.max(0, options.timeoutMs ?? 5000);
    this.#maxAttempts = Math.floor(positive(options.retryMaxAttempts, 3));
    this.#baseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 500);
    this.#maxDelayMs = Math.max(0, options.retryMaxDelayMs ?? 30_000);
    this.#retryAfterMaxMs = Math.max(0, options.retryAfterMaxMs ?? 300_000);
    this.#wait = options.overflow === "wait";
    this.#flushDeadlineMs = Math.max(0, options.flushDeadlineMs ?? 10_000);
    this.#random = options.random ?? Math.random;
    this.#breaker = options.circuitBreaker === false ? undefined : new CircuitBreaker({
      failureThreshold: options.circuitFailureThreshold ?? 5,
      recoveryTimeMs: options.circuitRecoveryTimeMs ?? 30_000,
    });
  }

  /** Where outcomes are reported. */
  start(host: SinkHost | undefined): void {
    this.#host = host ?? NO_HOST;
  }

  /** The circuit breaker's state ("closed" when there is none). */
  get circuit(): CircuitState {
    return this.#breaker?.state ?? "closed";
  }

  /** The last failure, in words ("" when none). */
  get lastError(): string {
    return this.#lastError;
  }

  /** A snapshot of the counters. */
  stats(): DeliveryStats {
    return {
      ...this.#stats,
      pending: this.#buffer.length,
      pendingBytes: this.#buffer.bytes,
      inFlight: this.#inFlightEntries,
      circuitOpened: this.#breaker?.timesOpened ?? 0,
    };
  }

  /**
   * Take entries in. Returns at once (entries past the buffer are dropped and
   * counted), or with `overflow: "wait"` a promise that settles once every
   * entry is in the buffer.
   */
  enqueue(views: readonly SerializedView[]): Promise<void> | undefined {
    this.#stats.received += views.length;
    if (this.#closing) {
      this.#drop(views.length, "closed");
      return undefined;
    }
    if (this.#backlog) {
      // Writers already wait for room; queue behind them so order holds.
      return this.#setBacklog(this.#backlog.then(() => this.#admitWaiting(views, 0)));
    }
    const taken = this.#admit(views, 0);
    this.#pump();
    if (taken === views.length) return undefined;
    if (!this.#wait) {
      this.#drop(views.length - taken, "sink_buffer_full");
      return undefined;
    }
    return this.#setBacklog(this.#admitWaiting(views, taken));
  }

  #setBacklog(next: Promise<void>): Promise<void> {
    this.#backlog = next;
    return next.finally(() => {
      if (this.#backlog === next) this.#backlog = undefined;
    });
  }

  /** Resolves once every entry taken in before the call is delivered, failed or dropped. */
  flush(): Promise<void> {
    const seq = this.#buffer.admitted;
    if (this.#lowestUnresolved() >= seq) return Promise.resolve();
    this.#flushSeq = Math.max(this.#flushSeq, seq);
    const done = new Promise<void>((resolve) => this.#flushWaiters.push({ seq, resolve }));
    this.#pump();
    return done;
  }

  /**
   * Stop taking entries, deliver what is buffered within `deadlineMs`
   * (default `flushDeadlineMs`), then abort what is left and count it as
   * dropped ("deadline"). Later entries are dropped ("closed").
   */
  close(deadlineMs: number = this.#flushDeadlineMs): Promise<void> {
    if (this.#closed) {
      // Already closing: a sooner deadline still cuts it short.
      if (!this.#done) this.#cutAt(deadlineMs);
      return this.#closed;
    }
    this.#closed = this.#close(deadlineMs);
    return this.#closed;
  }

  async #close(deadlineMs: number): Promise<void> {
    this.#closing = true;
    for (const wake of this.#spaceWaiters.splice(0)) wake();
    await this.#backlog;
    const drained = this.flush();
    this.#cutAt(deadlineMs);
    await drained;
    this.#done = true;
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
    this.#clearTimer();
  }

  /** Give up on everything left `ms` from now: abort requests, wake sleepers, drop the rest ("deadline"). */
  #cutAt(ms: number): void {
    const due = Date.now() + ms;
    if (this.#deadline !== undefined && this.#deadlineAt <= due) return;
    clearTimeout(this.#deadline);
    this.#deadlineAt = due;
    this.#deadline = setTimeout(() => {
      this.#aborted = true;
      this.#abort.abort(new Error("close deadline passed"));
      for (const wake of this.#pauses) wake();
      this.#pump();
    }, ms);
  }

  /** Put views[from..] in the buffer while there is room; returns the index reached. */
  #admit(views: readonly SerializedView[], from: number): number {
    const reached = this.#buffer.admit(views, from, Date.now());
    return reached;
  }

  async #admitWaiting(views: readonly SerializedView[], from: number): Promise<void> {
    let i = from;
    while (i < views.length) {
      if (this.#closing) {
        this.#drop(views.length - i, "closed");
        return;
      }
      i = this.#admit(views, i);
      this.#pump();
      if (i < views.length) await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
    }
  }

  /** Start as many batches as are ready and allowed; arm the age timer for the rest. */
  #pump(): void {
    if (this.#aborted) {
      const left = this.#buffer.length;
      if (left > 0) {
        this.#take(left);
        this.#drop(left, "deadline");
        this.#checkFlushed();
      }
      return;
    }
    const now = Date.now();
    while (this.#inFlight.size < this.#maxInFlight) {
      const n = this.#readyCount(now);
      if (n === 0) break;
      const batch: Batch = { views: this.#take(n), firstSeq: this.#buffer.taken - n };
      this.#run(batch);
    }
    const oldest = this.#buffer.oldestArrival;
    if (oldest === undefined || this.#inFlight.size >= this.#maxInFlight) {
      // Nothing to wait for, or a finishing request will pump again.
      this.#clearTimer();
      return;
    }
    const due = oldest + this.#batchTimeoutMs;
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    this.#clearTimer();
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.max(0, due - now));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** How many entries to batch now: a full batch, or everything when closing, flushing or the oldest is due. */
  #readyCount(now: number): number {
    return this.#buffer.readyCount(now, this.#closing || this.#flushSeq > this.#buffer.taken);
  }

  #take(n: number): SerializedView[] {
    const batch = this.#buffer.take(n);
    for (const wake of this.#spaceWaiters.splice(0)) wake();
    return batch;
  }

  #run(batch: Batch): void {
    this.#inFlight.add(batch);
    this.#inFlightEntries += batch.views.length;
    this.#deliver(batch)
      .catch((e) => this.#fail(batch, `unexpected error: ${String(e)}`, 0, undefined))
      .finally(() => {
        this.#inFlight.delete(batch);
        this.#inFlightEntries -= batch.views.length;
        this.#checkFlushed();
        this.#pump();
      });
  }

  async #deliver(batch: Batch): Promise<void> {
    const n = batch.views.length;
    let encoded: E;
    try {
      encoded = await this.#target.encode(batch.views);
    } catch (e) {
      this.#fail(batch, `could not encode the batch: ${e instanceof Error ? e.message : String(e)}`, 0, undefined);
      return;
    }
    let attempt = 0;
    for (;;) {
      if (this.#aborted) return this.#drop(n, "deadline");
      const breaker = this.#breaker;
      if (breaker && !breaker.allow()) {
        // Open: hold the batch until the probe time (or until another batch's probe reports).
        await this.#pause(breaker.msUntilProbe() || PROBE_WAIT_MS);
        continue;
      }
      attempt++;
      const result = await this.#attempt(encoded);
      if (result.ok) {
        if (breaker && breaker.state !== "closed") {
          this.#host.diagnostic(`${this.#name}: circuit closed`, { event: "circuit_closed", sink: this.#name });
        }
        breaker?.success();
        this.#stats.sent += n;
        this.#stats.batches++;
        this.#host.written(n);
        return;
      }
      if (this.#aborted) return this.#drop(n, "deadline");
      this.#lastError = result.detail;
      if (!result.retryable) {
        // The destination answered: it is up, so this does not count against the circuit.
        breaker?.success();
        return this.#fail(batch, result.detail, attempt, result.status);
      }
      if (breaker) {
        const before = breaker.state;
        breaker.failure();
        if (breaker.state === "open" && before !== "open") {
          this.#host.diagnostic(`${this.#name}: circuit open after ${breaker.failures} failed requests`, {
            event: "circuit_open",
            sink: this.#name,
            recoveryTimeMs: breaker.recoveryTimeMs,
            error: result.detail,
          });
        }
      }
      if (attempt >= this.#maxAttempts) return this.#fail(batch, result.detail, attempt, result.status);
      this.#stats.retried++;
      const fromServer = result.retryAfterMs !== undefined;
      const delayMs = fromServer
        ? Math.min(result.retryAfterMs!, this.#retryAfterMaxMs)
        : backoffDelayMs(attempt, this.#baseDelayMs, this.#maxDelayMs, this.#random);
      this.#host.diagnostic(`${this.#name}: attempt ${attempt} failed (${result.detail}); retrying in ${delayMs} ms`, {
        event: "retry",
        sink: this.#name,
        attempt,
        delayMs,
        retryAfter: fromServer,
        status: result.status,
      });
      await this.#pause(delayMs);
    }
  }

  /** One request, bounded by the timeout and the close deadline. Never throws. */
  async #attempt(encoded: E): Promise<SendResult> {
    const control = new AbortController();
    const onClose = () => control.abort(this.#abort.signal.reason);
    this.#abort.signal.addEventListener("abort", onClose);
    let timedOut = false;
    const timer = this.#timeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        control.abort(new Error(`no response within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs)
      : undefined;
    try {
      return await this.#target.send(encoded, control.signal);
    } catch (e) {
      if (timedOut) return { ok: false, retryable: true, detail: `no response within ${this.#timeoutMs} ms` };
      if (this.#aborted) return { ok: false, retryable: false, detail: "aborted at the close deadline" };
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, retryable: true, detail: `network error: ${message}` };
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener("abort", onClose);
    }
  }

  /** Sleep, cut short by the close deadline. */
  #pause(ms: number): Promise<void> {
    if (this.#aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#pauses.add(wake);
    });
  }

  #fail(batch: Batch, detail: string, attempts: number, status: number | undefined): void {
    const n = batch.views.length;
    this.#stats.failed += n;
    this.#lastError = detail;
    const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
    const error = new DeliveryError(`${this.#name}: gave up on ${n} entries after ${tries}: ${detail}`, {
      status,
      attempts,
      entries: n,
    });
    this.#host.failed(batch.views, error);
  }

  #drop(count: number, reason: DropReason & ("sink_buffer_full" | "closed" | "deadline")): void {
    if (count <= 0) return;
    this.#stats.dropped += count;
    this.#stats[`dropped_${reason}`] += count;
    this.#host.dropped(count, reason);
  }

  /** The sequence number of the oldest entry not yet delivered, failed or dropped. */
  #lowestUnresolved(): number {
    let low = this.#buffer.taken;
    for (const b of this.#inFlight) low = Math.min(low, b.firstSeq);
    return low;
  }

  #checkFlushed(): void {
    if (this.#flushWaiters.length === 0) return;
    const low = this.#lowestUnresolved();
    this.#flushWaiters = this.#flushWaiters.filter((w) => {
      if (w.seq > low) return true;
      w.resolve();
      return false;
    });
  }
}
