/**
 * The pipeline behind every logger: the bounded queue, the worker that
 * drains it off the caller's stack (filters -> enrichers -> redactors ->
 * serialiser -> router -> sink channels), the caller-runs backpressure path,
 * drop accounting, flush and close.
 *
 * @module
 */

import { Diagnostics } from "./diagnostics.ts";
import { uuidv7 } from "./ids.ts";
import type { Enricher } from "./enrichers.ts";
import { materialize, type Rec } from "./envelope.ts";
import type { Filter } from "./filters.ts";
import type { CoreSettings } from "./options.ts";
import { BoundedQueue } from "./queue.ts";
import type { Redactor } from "./redact.ts";
import { levelIndex, type RouteTable } from "./route.ts";
import { afterYield, cancelAfterYield, onExit, unrefTimer } from "./runtime.ts";
import { isoTimestamp } from "./serialize.ts";
import { serializeEntry, serializeRecord, type SerializerStatics } from "./serialized_view.ts";
import { errorText, type FallbackWriter, SinkChannel } from "./sink_channel.ts";
import type { DrainResult, DropReason, ExceptionInfo, LoggerStats, SerializedView, Sink } from "./types.ts";

/** Entries the worker processes per turn before yielding. */
const WORKER_SLICE = 4096;
/** Entries a caller drains inline when it finds the queue full. */
const CALLER_SLICE = 2048;
/** Entries a caller may queue without yielding before it processes them itself (caller_runs). */
const SYNC_BURST = 64;

/** How long sinks get to give up once the close deadline has passed. */
const FORCE_STOP_MS = 500;

/** Resolve with the promise's value, or "timeout" after `ms` (the timer is always cleared). */
async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a pipeline is made of, resolved by `createLogger`. */
export interface PipelineParts {
  readonly settings: CoreSettings;
  readonly sinks: readonly Sink[];
  readonly routes: RouteTable | null;
  readonly filters: readonly Filter[];
  readonly redactor: Redactor | undefined;
  readonly enrichers: readonly Enricher[];
  readonly statics: SerializerStatics;
  readonly diagnostics: Diagnostics;
  readonly fallback: FallbackWriter | false;
  readonly exitHooks: boolean;
  readonly dropWarningIntervalMs: number;
}

/** The shared engine of a logger and its children. */
export class Pipeline {
  readonly channels: readonly SinkChannel[];
  submitted = 0;
  processed = 0;
  fallbackCount = 0;
  readonly #parts: PipelineParts;
  readonly #queue: BoundedQueue;
  readonly #dropped: Partial<Record<DropReason, number>> = {};
  #droppedTotal = 0;
  /** Drops nobody asked for (not sampling or rate limiting), pipeline and sinks together. */
  #lost = 0;
  #lostReported = 0;
  readonly #lostByReason: Partial<Record<DropReason, number>> = {};
  #dropTimer: ReturnType<typeof setTimeout> | undefined;
  #scheduled = false;
  #timer: unknown;
  /** Entries queued since the caller last yielded to the event loop (the worker last ran). */
  #sinceYield = 0;
  #processing = false;
  #closed = false;
  #closing: Promise<DrainResult> | undefined;
  #removeExitHooks: () => void = () => {};
  readonly ready: Promise<void>;

  constructor(parts: PipelineParts) {
    this.#parts = parts;
    this.#queue = new BoundedQueue({
      maxEntries: parts.settings.maxQueueSize,
      maxBytes: parts.settings.maxQueueBytes,
      reservedShare: 0.1,
    });
    const host = {
      diagnostics: parts.diagnostics,
      fallback: (views: readonly SerializedView[], sink: string, reason: string) => this.#fallback(views, sink, reason),
      lost: (count: number, reason: DropReason) => this.#noteLost(count, reason),
    };
    this.channels = parts.sinks.map((sink) =>
      new SinkChannel(sink, host, {
        maxBufferBytes: parts.settings.sinkBufferBytes,
        failureThreshold: parts.settings.circuitBreakerThreshold,
        recoveryTimeMs: parts.settings.circuitBreakerRecoveryMs,
      })
    );
    this.ready = Promise.all(this.channels.map((c) => c.ready)).then(() => {});
    if (parts.exitHooks) {
      this.#removeExitHooks = onExit(() => this.#beforeExit(), () => this.#exitSync());
    }
  }

  /** Accept a record from a log call. Never throws. */
  submit(rec: Rec): void {
    this.submitted++;
    if (this.#closed) {
      this.#drop("closed", 1);
      return;
    }
    if (this.#queue.tryPush(rec)) {
      if (!this.#scheduled) this.#schedule();
      if (++this.#sinceYield >= SYNC_BURST && this.#parts.settings.backpressure === "caller_runs") {
        // This caller queued SYNC_BURST entries without yielding to the event loop, so the worker cannot
        // run before it does: processing them now is the same work done sooner, in small slices, while the
        // entries are young (fewer objects reach the old generation; measured about 2x faster in a tight
        // loop, with lower peak memory).
        this.#sinceYield = 0;
        this.#drainSlice(SYNC_BURST);
      }
      return;
    }
    switch (this.#parts.settings.backpressure) {
      case "caller_runs":
        if (!this.#processing) {
          this.#drainSlice(CALLER_SLICE);
          if (this.#queue.tryPush(rec)) return;
        }
        this.#drop("queue_full", 1);
        return;
      case "drop_oldest": {
        if (this.#queue.removeOldestUnprotected()) this.#drop("queue_full", 1);
        if (this.#queue.tryPush(rec)) {
          if (!this.#scheduled) this.#schedule();
        } else {
          this.#drop("queue_full", 1);
        }
        return;
      }
      default:
        this.#drop("queue_full", 1);
    }
  }

  #schedule(): void {
    this.#scheduled = true;
    // Right after the caller yields (setImmediate where the runtime has it). A 1 ms timer was tried: larger
    // batches, but entries waited longer and peak memory rose in a server-like loop.
    this.#timer = afterYield(this.#tick);
  }

  readonly #tick = (): void => {
    this.#scheduled = false;
    this.#timer = undefined;
    this.#sinceYield = 0; // the caller yielded: the worker got its turn
    this.#drainSlice(WORKER_SLICE);
    if (this.#queue.length > 0) this.#schedule();
  };

  #drainSlice(max: number): void {
    if (this.#processing || this.#queue.length === 0) return;
    this.#processing = true;
    try {
      this.#process(this.#queue.shift(max));
    } finally {
      this.#processing = false;
    }
  }

  /** Drain the whole queue now, synchronously. */
  drainAll(): void {
    // Only what is queued now: entries that a sink or enricher logs while we drain are left to the
    // worker, so a sink that logs cannot keep this loop (and flush, close, the exit hook) going forever.
    let left = this.#queue.length;
    while (left > 0 && this.#queue.length > 0 && !this.#processing) {
      const n = Math.min(left, WORKER_SLICE);
      this.#drainSlice(n);
      left -= n;
    }
  }

  #process(recs: readonly Rec[]): void {
    const parts = this.#parts;
    const { filters, redactor, enrichers, statics, routes } = parts;
    const channels = this.channels;
    const all: SerializedView[] = [];
    const perSink: SerializedView[][] | undefined = routes ? channels.map(() => []) : undefined;
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i];
      let reason: DropReason | undefined;
      if (!rec.internal) { for (let f = 0; f < filters.length && reason === undefined; f++) reason = filters[f](rec); }
      if (reason !== undefined) {
        this.#drop(reason, 1);
        continue;
      }
      let view: SerializedView;
      try {
        let data = rec.fields;
        let message = rec.message;
        let exception = rec.exception;
        if (redactor) {
          if (data !== undefined) data = redactor.redactData(data);
          message = redactor.redactString(message);
          // Error messages and stacks carry URLs and tokens too.
          if (exception) exception = redactor.redactData(exception as never) as unknown as ExceptionInfo;
        }
        if (enrichers.length === 0) {
          view = serializeRecord(rec, message, data, exception, statics);
        } else {
          const entry = materialize(
            rec,
            exception,
            message,
            data ? { ...data } : {},
            uuidv7(rec.ts),
            isoTimestamp(rec.ts),
            { ...statics.diagnostics },
          );
          for (const enrich of enrichers) {
            try {
              enrich(entry);
            } catch (e) {
              parts.diagnostics.report("enricher", `an enricher threw: ${errorText(e)}`);
            }
          }
          view = serializeEntry(entry, statics);
        }
      } catch (e) {
        this.#drop("serialize_failed", 1);
        parts.diagnostics.report("serialize", `an entry could not be serialised: ${errorText(e)}`);
        continue;
      }
      this.processed++;
      if (perSink) {
        const targets = routes![levelIndex(rec.levelNo)];
        for (let t = 0; t < targets.length; t++) perSink[targets[t]].push(view);
      } else {
        all.push(view);
      }
    }
    for (let c = 0; c < channels.length; c++) channels[c].push(perSink ? perSink[c] : all);
  }

  #drop(reason: DropReason, count: number): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + count;
    this.#droppedTotal += count;
    if (reason === "filtered_level" || reason === "sampled" || reason === "rate_limited") return;
    this.#noteLost(count, reason);
  }

  /** Count an unplanned drop and arm the periodic warning. */
  #noteLost(count: number, reason: DropReason): void {
    this.#lost += count;
    this.#lostByReason[reason] = (this.#lostByReason[reason] ?? 0) + count;
    this.#parts.diagnostics.report("dropped", `entries dropped: ${reason}`, { reason });
    if (this.#dropTimer === undefined && !this.#closed) {
      this.#dropTimer = setTimeout(() => {
        this.#dropTimer = undefined;
        if (!this.#closed) this.#warnDropped();
      }, this.#parts.dropWarningIntervalMs);
      unrefTimer(this.#dropTimer);
    }
  }

  /** Log a WARNING entry saying how many entries were dropped since the last one. */
  #warnDropped(): void {
    const unreported = this.#lost - this.#lostReported;
    if (unreported <= 0) return;
    this.#lostReported = this.#lost;
    const rec: Rec = {
      ts: Date.now(),
      levelNo: 30,
      level: "WARNING",
      logger: "fapilog",
      message: `${unreported} entries dropped`,
      fields: { dropped: unreported, dropped_by_reason: { ...this.#lostByReason } },
      ctx: undefined,
      exception: undefined,
      size: 512,
      internal: true,
    };
    // The warning is itself an entry; it is not counted as submitted by the caller.
    this.submitted++;
    if (!this.#queue.tryPush(rec)) {
      this.#drainSlice(CALLER_SLICE);
      if (!this.#queue.tryPush(rec)) {
        this.#drop("queue_full", 1);
        return;
      }
    }
    if (!this.#scheduled) this.#schedule();
  }

  #fallback(views: readonly SerializedView[], sink: string, reason: string): void {
    const writer = this.#parts.fallback;
    if (writer === false) return;
    let text = "";
    for (const v of views) text += v.text + "\n";
    try {
      writer(text);
      this.fallbackCount += views.length;
    } catch (e) {
      this.#parts.diagnostics.report("fallback", `the fallback sink failed too: ${errorText(e)}`, {
        sink,
        reason,
        entries: views.length,
      });
    }
  }

  /** Resolve when everything accepted so far is written or accounted for. */
  async flush(): Promise<void> {
    this.drainAll();
    await Promise.all(this.channels.map((c) => c.flush()));
  }

  /** Stop intake, drain within the deadline, stop the sinks. */
  close(deadlineMs: number = this.#parts.settings.flushDeadlineMs): Promise<DrainResult> {
    this.#closing ??= this.#close(deadlineMs);
    return this.#closing;
  }

  async #close(deadlineMs: number): Promise<DrainResult> {
    const started = Date.now();
    // Closed first: nothing after this point arms the drop-warning timer or takes new entries.
    this.#closed = true;
    if (this.#dropTimer !== undefined) {
      clearTimeout(this.#dropTimer);
      this.#dropTimer = undefined;
    }
    this.drainAll();
    this.#warnDropped(); // the last word on drops, written with everything else
    this.#removeExitHooks();
    const deadlineAt = started + deadlineMs;
    const work = (async () => {
      await this.ready;
      this.drainAll();
      await this.flush();
      // Each sink's stop() gets the time that is left (network sinks abort what is still in flight then).
      await Promise.all(this.channels.map((c) => c.close(Math.max(0, deadlineAt - Date.now()))));
      return "ok" as const;
    })();
    let drained = true;
    if ((await raceTimeout(work, deadlineMs)) === "timeout") {
      drained = false;
      // Tell every sink to give up now; they report what is left (dropped: deadline) within a few ms.
      await raceTimeout(Promise.all(this.channels.map((c) => c.forceStop())), FORCE_STOP_MS);
      for (const c of this.channels) c.abandon("deadline");
    }
    // Intake is closed and the queue drained: no worker turn is needed any more.
    cancelAfterYield(this.#timer);
    this.#timer = undefined;
    this.#scheduled = false;
    return { ...this.stats(), drained, elapsedMs: Date.now() - started };
  }

  /** The event loop is empty: flush if anything is still on its way. Returns whether it started work. */
  #beforeExit(): boolean {
    if (this.#closed) return false;
    const pending = this.#queue.length > 0 || this.channels.some((c) => c.pending() > 0);
    if (pending) void this.flush();
    return pending;
  }

  #exitSync(): void {
    if (this.#closed) return;
    this.drainAll();
    const stranded = this.channels.reduce((n, c) => n + c.buffered, 0);
    if (stranded > 0) {
      this.#parts.diagnostics.report("exit", `process exiting with ${stranded} entries still waiting for sinks`, {
        entries: stranded,
      });
    }
  }

  /** The live counters. */
  stats(): LoggerStats {
    const sinks: LoggerStats["sinks"] = {};
    for (const c of this.channels) sinks[c.name] = c.stats();
    return {
      submitted: this.submitted,
      processed: this.processed,
      queued: this.#queue.length,
      queuedBytes: this.#queue.bytes,
      dropped: { ...this.#dropped },
      droppedTotal: this.#droppedTotal,
      sinks,
      fallback: this.fallbackCount,
    };
  }
}
