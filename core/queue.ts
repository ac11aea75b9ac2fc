/**
 * The bounded queue between the caller and the worker. Bounded in entries
 * and in (approximate) bytes; a share of both is reserved for protected
 * levels (ERROR and above), so a flood of DEBUG cannot crowd out an error.
 *
 * @module
 */

import { PROTECTED_LEVEL } from "./levels.ts";
import type { Rec } from "./envelope.ts";

/** Limits of the queue. */
export interface QueueLimits {
  /** Maximum entries queued (default 10,000). */
  readonly maxEntries: number;
  /** Maximum approximate bytes queued (default 16 MiB). */
  readonly maxBytes: number;
  /** Share of both limits reserved for ERROR and above (default 0.1). */
  readonly reservedShare: number;
}

/** A ring buffer of records with entry and byte bounds. */
export class BoundedQueue {
  readonly #items: (Rec | undefined)[];
  readonly #capacity: number;
  readonly #openEntries: number;
  readonly #maxBytes: number;
  readonly #openBytes: number;
  #head = 0;
  #count = 0;
  #bytes = 0;

  constructor(limits: QueueLimits) {
    this.#capacity = Math.max(1, limits.maxEntries);
    this.#items = new Array(this.#capacity);
    const reserved = Math.max(1, Math.floor(this.#capacity * limits.reservedShare));
    this.#openEntries = Math.max(1, this.#capacity - reserved);
    this.#maxBytes = limits.maxBytes;
    this.#openBytes = Math.floor(limits.maxBytes * (1 - limits.reservedShare));
  }

  /** Entries queued. */
  get length(): number {
    return this.#count;
  }

  /** Approximate bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Add a record if there is room for its level; false when full. */
  tryPush(rec: Rec): boolean {
    const isProtected = rec.levelNo >= PROTECTED_LEVEL;
    const entryLimit = isProtected ? this.#capacity : this.#openEntries;
    const byteLimit = isProtected ? this.#maxBytes : this.#openBytes;
    // An empty queue takes any single record, however large.
    if (this.#count > 0 && (this.#count >= entryLimit || this.#bytes + rec.size > byteLimit)) return false;
    if (this.#count >= this.#capacity) return false;
    this.#items[(this.#head + this.#count) % this.#capacity] = rec;
    this.#count++;
    this.#bytes += rec.size;
    return true;
  }

  /** Remove and return up to `max` records, oldest first. */
  shift(max: number): Rec[] {
    const n = Math.min(max, this.#count);
    const out = new Array<Rec>(n);
    for (let i = 0; i < n; i++) {
      const idx = (this.#head + i) % this.#capacity;
      const rec = this.#items[idx]!;
      this.#items[idx] = undefined;
      this.#bytes -= rec.size;
      out[i] = rec;
    }
    this.#head = (this.#head + n) % this.#capacity;
    this.#count -= n;
    return out;
  }

  /**
   * Remove the oldest record below the protected levels (for the
   * drop-oldest policy); undefined when every queued record is protected.
   */
  removeOldestUnprotected(): Rec | undefined {
    for (let i = 0; i < this.#count; i++) {
      const idx = (this.#head + i) % this.#capacity;
      const rec = this.#items[idx]!;
      if (rec.levelNo >= PROTECTED_LEVEL) continue;
      // close the gap by moving the older records one slot forward
      for (let j = i; j > 0; j--) {
        this.#items[(this.#head + j) % this.#capacity] = this.#items[(this.#head + j - 1) % this.#capacity];
      }
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#capacity;
      this.#count--;
      this.#bytes -= rec.size;
      return rec;
    }
    return undefined;
  }
}
