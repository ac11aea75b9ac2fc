/**
 * One channel per sink: a WritableStream (with its own byte high-water mark
 * and a hard byte bound) in front of the sink, the sink's counters, its
 * circuit breaker and the fallback for entries it could not take.
 *
 * Sinks that can write synchronously (`writeBatchSync`: stdout, files) are
 * written directly while their stream is idle, so a caller stuck in a tight
 * loop can drain the queue without yielding; everything else goes through
 * the stream, which calls the sink one batch at a time, in order.
 *
 * @module
 */

import { CircuitBreaker } from "./circuit_breaker.ts";
import type { Diagnostics } from "./diagnostics.ts";
import type { DropReason, SerializedView, Sink, SinkHost, SinkStats } from "./types.ts";

/** Where the core sends entries a sink could not take (stderr by default). */
export type FallbackWriter = (text: string) => void;

/** Settings of a channel. */
export interface ChannelOptions {
  /** Hard bound of bytes waiting for this sink; past it entries are dropped and counted (default 32 MiB). */
  readonly maxBufferBytes: number;
  readonly failureThreshold: number;
  readonly recoveryTimeMs: number;
}

/** Counters and callbacks the channel shares with the logger. */
export interface ChannelHost {
  readonly diagnostics: Diagnostics;
  /** Write entries to the fallback; returns how many were written. */
  fallback(views: readonly SerializedView[], sink: string, reason: string): void;
  /** Entries this sink dropped (for the periodic "N entries dropped" warning). */
  lost(count: number, reason: DropReason): void;
}

function batchBytes(views: readonly SerializedView[]): number {
  let n = 0;
  for (let i = 0; i < views.length; i++) n += views[i].text.length + 1;
  return n;
}

/** The channel in front of one sink. */
export class SinkChannel {
  readonly sink: Sink;
  readonly name: string;
  written = 0;
  failed = 0;
  dropped = 0;
  errors = 0;
  readonly droppedBy: Partial<Record<DropReason, number>> = {};
  readonly #host: ChannelHost;
  readonly #breaker: CircuitBreaker;
  readonly #maxBufferBytes: number;
  readonly #stream: WritableStream<readonly SerializedView[]>;
  readonly #writer: WritableStreamDefaultWriter<readonly SerializedView[]>;
  #bufferedEntries = 0;
  #bufferedBytes = 0;
  #started = false;
  #startError: unknown;
  #lastWrite: Promise<void> = Promise.resolve();
  #stopDeadlineMs: number | undefined;
  #forceStopped = false;
  /** Set when the close deadline passed: what was still buffered is counted, later outcomes are not. */
  #abandoned = false;
  readonly ready: Promise<void>;

  constructor(sink: Sink, host: ChannelHost, options: ChannelOptions) {
    this.sink = sink;
    this.name = sink.name;
    this.#host = host;
    this.#maxBufferBytes = options.maxBufferBytes;
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      recoveryTimeMs: options.recoveryTimeMs,
    });
    const sinkHost: SinkHost = {
      written: (count) => {
        this.written += count;
      },
      failed: (views, error) => this.#failed(views, error, false),
      dropped: (count, reason) => this.#drop(count, reason),
      // Rate-limited per event, so a stream of "retrying" does not hide a later "gave up".
      diagnostic: (message, fields) =>
        host.diagnostics.report(
          typeof fields?.event === "string" ? `sink:${this.name}:${fields.event}` : `sink:${this.name}`,
          message,
          { sink: this.name, ...fields },
        ),
    };
    let resolveReady!: () => void;
    this.ready = new Promise<void>((r) => (resolveReady = r));
    if (!sink.start) {
      // Nothing to start asynchronously: take writes from the first log call.
      try {
        sink.startSync?.(sinkHost);
      } catch (e) {
        this.#startError = e;
        host.diagnostics.report(`start:${this.name}`, `sink "${this.name}" failed to start: ${errorText(e)}`, {
          sink: this.name,
        });
      }
      this.#started = true;
    } else if (sink.startSync) {
      try {
        sink.startSync(sinkHost);
      } catch (e) {
        this.#startError = e;
        host.diagnostics.report(`start:${this.name}`, `sink "${this.name}" failed to start: ${errorText(e)}`, {
          sink: this.name,
        });
      }
      this.#started = true;
    }
    this.#stream = new WritableStream<readonly SerializedView[]>(
      {
        start: async () => {
          try {
            if (!sink.startSync) await sink.start?.(sinkHost);
          } catch (e) {
            this.#startError = e;
            host.diagnostics.report(`start:${this.name}`, `sink "${this.name}" failed to start: ${errorText(e)}`, {
              sink: this.name,
            });
          }
          this.#started = true;
          resolveReady();
        },
        write: async (views) => {
          // After the close deadline these entries were already counted (dropped: deadline).
          if (this.#abandoned) return;
          try {
            await this.#deliver(views);
          } finally {
            if (!this.#abandoned) {
              this.#bufferedEntries -= views.length;
              this.#bufferedBytes -= batchBytes(views);
            }
          }
        },
        close: async () => {
          try {
            await sink.stop?.({ deadlineMs: this.#stopDeadlineMs });
          } catch (e) {
            host.diagnostics.report(`stop:${this.name}`, `sink "${this.name}" failed to stop: ${errorText(e)}`, {
              sink: this.name,
            });
          }
        },
      },
      { highWaterMark: 1024 * 1024, size: batchBytes },
    );
    this.#writer = this.#stream.getWriter();
  }

  /** Hand a batch to the sink (synchronously where it can take it), never throwing. */
  push(batch: readonly SerializedView[]): void {
    let views = batch;
    if (views.length === 0) return;
    if (this.#started && this.#bufferedEntries === 0 && this.sink.writeBatchSync && this.#startError === undefined) {
      // Batches that go through the stream ask the breaker in #deliver, once, when their turn comes.
      if (!this.#breaker.allow()) {
        this.#drop(views.length, "circuit_open");
        this.#host.fallback(views, this.name, "circuit_open");
        return;
      }
      try {
        this.sink.writeBatchSync(views);
        if (!this.sink.reportsOutcomes) this.written += views.length;
        this.#breaker.success();
      } catch (e) {
        this.#failed(views, e, true);
      }
      return;
    }
    let bytes = batchBytes(views);
    if (this.#bufferedBytes + bytes > this.#maxBufferBytes) {
      // Take what fits (at least one entry when nothing is waiting), drop the rest.
      let room = this.#maxBufferBytes - this.#bufferedBytes;
      let fit = 0;
      while (fit < views.length && views[fit].text.length + 1 <= room) room -= views[fit++].text.length + 1;
      if (fit === 0 && this.#bufferedEntries === 0) fit = 1;
      this.#drop(views.length - fit, "sink_buffer_full");
      this.#host.diagnostics.report(
        `buffer:${this.name}`,
        `sink "${this.name}" is not keeping up: its buffer of ${this.#maxBufferBytes} bytes is full, entries dropped`,
        { sink: this.name },
      );
      if (fit === 0) return;
      views = views.slice(0, fit);
      bytes = batchBytes(views);
    }
    this.#bufferedEntries += views.length;
    this.#bufferedBytes += bytes;
    this.#lastWrite = this.#writer.write(views).catch(() => {});
  }

  async #deliver(views: readonly SerializedView[]): Promise<void> {
    if (this.#startError !== undefined) {
      this.#failed(views, this.#startError, true);
      return;
    }
    if (!this.#breaker.allow()) {
      this.#drop(views.length, "circuit_open");
      this.#host.fallback(views, this.name, "circuit_open");
      return;
    }
    const sink = this.sink;
    try {
      if (sink.writeBatchSync) sink.writeBatchSync(views);
      else if (sink.writeBatch) await sink.writeBatch(views);
      else if (sink.writeSerialized) { for (const v of views) await sink.writeSerialized(v); }
      else for (const v of views) await sink.write(v.entry);
      if (this.#abandoned) return;
      if (!sink.reportsOutcomes) this.written += views.length;
      this.#breaker.success();
    } catch (e) {
      if (!this.#abandoned) this.#failed(views, e, true);
    }
  }

  #failed(views: readonly SerializedView[], error: unknown, countsAsError: boolean): void {
    this.failed += views.length;
    if (countsAsError) {
      this.errors++;
      this.#breaker.failure();
    }
    this.#host.diagnostics.report(`sink:${this.name}`, `sink "${this.name}" failed to write: ${errorText(error)}`, {
      sink: this.name,
      entries: views.length,
      circuit: this.#breaker.state,
    });
    this.#host.fallback(views, this.name, "failed");
  }

  #drop(count: number, reason: DropReason): void {
    this.dropped += count;
    this.droppedBy[reason] = (this.droppedBy[reason] ?? 0) + count;
    this.#host.lost(count, reason);
  }

  /** Entries waiting in this channel. */
  get buffered(): number {
    return this.#bufferedEntries;
  }

  /** Entries waiting here or inside the sink (a network sink's batch buffer and requests under way). */
  pending(): number {
    let inside = 0;
    try {
      const s = this.sink.stats?.();
      if (s) { for (const k of ["pending", "inFlight"]) if (typeof s[k] === "number") inside += s[k]; }
    } catch {
      // a sink's stats must not break the exit hook
    }
    return this.#bufferedEntries + inside;
  }

  /** Wait until every batch pushed so far went through, then flush the sink. */
  async flush(): Promise<void> {
    await this.ready;
    await this.#lastWrite;
    try {
      await this.sink.flush?.();
    } catch (e) {
      this.#host.diagnostics.report(`flush:${this.name}`, `sink "${this.name}" failed to flush: ${errorText(e)}`, {
        sink: this.name,
      });
    }
  }

  /** Stop the sink (after what was pushed has gone through), giving its stop() `deadlineMs`. */
  async close(deadlineMs?: number): Promise<void> {
    if (this.#forceStopped) return; // stopped already, when the deadline passed
    this.#stopDeadlineMs = deadlineMs;
    try {
      await this.#writer.close();
    } catch {
      // a stream error was already reported
    }
  }

  /** The close deadline passed: ask the sink to stop at once (it reports what it could not deliver). */
  async forceStop(): Promise<void> {
    if (this.#forceStopped) return;
    this.#forceStopped = true;
    try {
      await this.sink.stop?.({ deadlineMs: 0 });
    } catch (e) {
      this.#host.diagnostics.report(`stop:${this.name}`, `sink "${this.name}" failed to stop: ${errorText(e)}`, {
        sink: this.name,
      });
    }
  }

  /** Count everything still buffered as dropped (the close deadline passed). */
  abandon(reason: DropReason): number {
    this.#abandoned = true;
    const n = this.#bufferedEntries;
    if (n > 0) this.#drop(n, reason);
    this.#bufferedEntries = 0;
    this.#bufferedBytes = 0;
    return n;
  }

  /** The counters, merged with the sink's own. */
  stats(): SinkStats {
    const out: SinkStats = {
      written: this.written,
      failed: this.failed,
      dropped: this.dropped,
      buffered: this.#bufferedEntries,
      errors: this.errors,
      circuit: this.#breaker.state,
    };
    for (const [reason, n] of Object.entries(this.droppedBy)) out[`dropped_${reason}`] = n!;
    if (this.sink.stats) {
      try {
        for (const [k, v] of Object.entries(this.sink.stats())) {
          // A sink with its own breaker (the delivery engine) knows the real circuit state.
          if (k === "circuit" && typeof v === "string") out.circuit = v as SinkStats["circuit"];
          else if (!(k in out)) out[k] = v;
        }
      } catch {
        // a sink's stats must not break ours
      }
    }
    return out;
  }
}

/** An error as short text. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return String(e);
  } catch {
    return "unknown error";
  }
}
