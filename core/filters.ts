/**
 * Filters applied by the worker: probabilistic sampling and a token-bucket
 * rate limit. Both leave protected levels (ERROR and above) alone unless told
 * otherwise. The per-logger level gate runs earlier, in the log call.
 *
 * @module
 */

import { LEVELS } from "./levels.ts";
import type { DropReason, LevelName } from "./types.ts";
import type { Rec } from "./envelope.ts";

/** Keep a random share of entries. */
export interface SamplingOptions {
  /** Share kept, from 0 to 1. */
  readonly rate: number;
  /** Highest level sampled (default WARNING: errors are always kept). */
  readonly maxLevel?: LevelName;
}

/** A token bucket: `perSecond` entries per second on average, bursts up to `burst`. */
export interface RateLimitOptions {
  /** Entries let through per second on average (the bucket's refill rate). */
  readonly perSecond: number;
  /** Bucket size (default: `perSecond`). */
  readonly burst?: number;
  /** Highest level limited (default WARNING). */
  readonly maxLevel?: LevelName;
}

/** A compiled filter: returns a drop reason, or undefined to keep the entry. */
export type Filter = (rec: Rec) => DropReason | undefined;

/** A sampling filter. */
export function samplingFilter(options: SamplingOptions, random: () => number = Math.random): Filter {
  const max = LEVELS[options.maxLevel ?? "WARNING"];
  const rate = options.rate;
  return (rec) => (rec.levelNo <= max && random() >= rate ? "sampled" : undefined);
}

/** A token-bucket rate-limit filter. */
export function rateLimitFilter(options: RateLimitOptions, now: () => number = Date.now): Filter {
  const max = LEVELS[options.maxLevel ?? "WARNING"];
  const capacity = Math.max(1, options.burst ?? options.perSecond);
  const perMs = options.perSecond / 1000;
  let tokens = capacity;
  let last = now();
  return (rec) => {
    if (rec.levelNo > max) return undefined;
    const t = now();
    tokens = Math.min(capacity, tokens + (t - last) * perMs);
    last = t;
    if (tokens >= 1) {
      tokens -= 1;
      return undefined;
    }
    return "rate_limited";
  };
}
