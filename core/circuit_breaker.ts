/**
 * A small circuit breaker: consecutive failures open it, and after the
 * recovery time one caller is let through as a probe (half-open). The probe's
 * success closes the circuit; its failure opens it again for another
 * recovery time.
 *
 * Standalone on purpose: the delivery engine uses it for network sinks and the
 * core can use it for any sink.
 *
 * @module
 */

/** The state of a {@link CircuitBreaker}. */
export type CircuitState = "closed" | "open" | "half_open";

/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before a probe is allowed, in ms (default 30000). */
  readonly recoveryTimeMs?: number;
  /** The clock, in ms (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Counts consecutive failures and decides whether a call may go ahead.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "./circuit_breaker.ts";
 * const breaker = new CircuitBreaker({ failureThreshold: 2, recoveryTimeMs: 1000 });
 * breaker.failure();
 * breaker.failure();
 * breaker.state; // "open"
 * breaker.allow(); // false until 1000 ms have passed
 * ```
 */
export class CircuitBreaker {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before a probe, in ms. */
  readonly recoveryTimeMs: number;
  #now: () => number;
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  #opened = 0;

  /** A closed breaker with the given threshold and recovery time. */
  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.recoveryTimeMs = Math.max(0, options.recoveryTimeMs ?? 30_000);
    this.#now = options.now ?? Date.now;
  }

  /** The current state. An open circuit whose recovery time has passed still reads "open" until `allow()`. */
  get state(): CircuitState {
    return this.#state;
  }

  /** Consecutive failures counted so far. */
  get failures(): number {
    return this.#failures;
  }

  /** How many times the circuit has opened. */
  get timesOpened(): number {
    return this.#opened;
  }

  /**
   * May a call go ahead now? When the circuit is open and the recovery time
   * has passed, the first caller gets `true` and becomes the probe (the state
   * turns half-open); everyone else gets `false` until the probe reports.
   */
  allow(): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "open" && this.#now() - this.#openedAt >= this.recoveryTimeMs) {
      this.#state = "half_open";
      return true;
    }
    return false;
  }

  /** Milliseconds until a probe may be attempted (0 when closed or already due). */
  msUntilProbe(): number {
    if (this.#state !== "open") return 0;
    return Math.max(0, this.#openedAt + this.recoveryTimeMs - this.#now());
  }

  /** The call succeeded: the circuit closes. */
  success(): void {
    this.#failures = 0;
    this.#state = "closed";
  }

  /** The call failed: count it; open the circuit at the threshold, or at once if this was the probe. */
  failure(): void {
    this.#failures++;
    if (this.#state === "half_open" || (this.#state === "closed" && this.#failures >= this.failureThreshold)) {
      this.#state = "open";
      this.#openedAt = this.#now();
      this.#opened++;
    }
  }
}
