/**
 * The delivery engine's buffer: entries waiting to be batched, bounded in
 * entries and bytes, cut into batches by count, bytes and age. Each entry
 * costs its bytes plus one (the separator in the request body).
 *
 * @module
 */

import type { SerializedView } from "./types.ts";

/** Limits of a {@link BatchBuffer}. */
export interface BatchLimits {
  /** Most entries in one batch. */
  readonly batchSize: number;
  /** Most bytes in one batch (a lone larger entry still makes a batch of one). */
  readonly batchMaxBytes: number;
  /** A partial batch is ready once its oldest entry is this old, in ms. */
  readonly batchTimeoutMs: number;
  /** Most entries waiting. */
  readonly maxEntries: number;
  /** Most bytes waiting (one entry is always let in when the buffer is empty). */
  readonly maxBytes: number;
}

function cost(view: SerializedView): number {
  return view.data.byteLength + 1;
}

/** A FIFO of serialised entries with their arrival times. */
export class BatchBuffer {
  readonly #limits: BatchLimits;
  // views[head..] wait; arrivals[i] is when views[i] came in. The head index
  // avoids shifting the array on every batch.
  #views: SerializedView[] = [];
  #arrivals: number[] = [];
  #head = 0;
  #bytes = 0;
  /** Entries ever admitted. */
  admitted = 0;
  /** Entries ever taken out. */
  taken = 0;

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  /** Entries waiting. */
  get length(): number {
    return this.#views.length - this.#head;
  }

  /** Bytes waiting (with one separator byte per entry). */
  get bytes(): number {
    return this.#bytes;
  }

  /** When the oldest waiting entry came in (undefined when empty). */
  get oldestArrival(): number | undefined {
    return this.length > 0 ? this.#arrivals[this.#head] : undefined;
  }

  /** Admit views[from..] while there is room; returns the index reached. */
  admit(views: readonly SerializedView[], from: number, now: number): number {
    const { maxEntries, maxBytes } = this.#limits;
    let i = from;
    for (; i < views.length; i++) {
      const c = cost(views[i]);
      const waiting = this.length;
      if (waiting >= maxEntries) break;
      if (waiting > 0 && this.#bytes + c > maxBytes) break;
      this.#views.push(views[i]);
      this.#arrivals.push(now);
      this.#bytes += c;
      this.admitted++;
    }
    return i;
  }

  /**
   * How many entries make the next batch now: a full batch (by count or
   * bytes), or whatever is waiting when `force` is set or the oldest entry
   * has reached the batch age; 0 when it is not time yet.
   */
  readyCount(now: number, force: boolean): number {
    const waiting = this.length;
    if (waiting === 0) return 0;
    const { batchSize, batchMaxBytes, batchTimeoutMs } = this.#limits;
    const full = waiting >= batchSize || this.#bytes >= batchMaxBytes;
    if (!full && !force && now - this.#arrivals[this.#head] < batchTimeoutMs) return 0;
    // The byte limit is checked before adding each entry.
    let n = 0;
    let bytes = 0;
    while (n < waiting && n < batchSize) {
      const c = cost(this.#views[this.#head + n]);
      if (n > 0 && bytes + c > batchMaxBytes) break;
      bytes += c;
      n++;
    }
    return n;
  }

  /** Take the next `n` entries out, in order. */
  take(n: number): SerializedView[] {
    const batch = this.#views.slice(this.#head, this.#head + n);
    for (const v of batch) this.#bytes -= cost(v);
    this.#head += n;
    this.taken += n;
    if (this.#head === this.#views.length) {
      this.#views = [];
      this.#arrivals = [];
      this.#head = 0;
      this.#bytes = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#views.length) {
      this.#views = this.#views.slice(this.#head);
      this.#arrivals = this.#arrivals.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }
}
