/**
 * Shared types of the fapilog pipeline: levels, the envelope every sink
 * receives, the sink contract and the counters reported by `stats()`.
 *
 * @module
 */

/** Level names in increasing severity. */
export type LevelName =
  | "DEBUG"
  | "INFO"
  | "WARNING"
  | "ERROR"
  | "CRITICAL"
  | "AUDIT"
  | "SECURITY";

/** Correlation data captured when the log call is made. */
export interface LogContext {
  /** This entry's id: a UUID version 7, time-ordered and unique within the process. */
  message_id: string;
  /** The correlation id set with `logger.withContext`, or null when none is set. */
  correlation_id: string | null;
  /** The request id set with `logger.withContext`; absent when none is set. */
  request_id?: string | null;
  /** The user id set with `logger.withContext`; absent when none is set. */
  user_id?: string | null;
  /** The tenant id set with `logger.withContext`; absent when none is set. */
  tenant_id?: string | null;
  /** The trace id set with `logger.withContext`; absent when none is set. */
  trace_id?: string | null;
  /** The span id set with `logger.withContext`; absent when none is set. */
  span_id?: string | null;
}

/** An error as it appears in `diagnostics.exception`. */
export interface ExceptionInfo {
  /** The error's `name` (e.g. `TypeError`); for a thrown non-Error, its `typeof`. */
  type: string;
  /** The error's message (for a thrown non-Error, the value as a string). */
  message: string;
  /** The stack trace, when the error has a non-empty one. */
  stack?: string;
  /**
   * The error's `cause`, described the same way (up to 8 levels deep); a
   * circular or too-deep chain ends in a `Circular` or `Truncated` marker.
   */
  cause?: ExceptionInfo | { type: string; message: string };
}

/** The envelope: one shape for every sink (see `docs/envelope.schema.json`). */
export interface LogEntry {
  /** RFC 3339 UTC with milliseconds and `Z`. */
  timestamp: string;
  /** The entry's level. */
  level: LevelName;
  /** The log message (after redaction). */
  message: string;
  /** The name of the logger that made the entry. */
  logger: string;
  /** The ids captured at the log call: `message_id` and the request context. */
  context: LogContext;
  /**
   * Runtime facts (service, env, host, pid, runtime; off with `runtimeInfo: false`),
   * what custom enrichers add, and `exception` when an error was logged.
   */
  diagnostics: Record<string, unknown> & { exception?: ExceptionInfo };
  /** The fields of the log call merged over the logger's bound fields (after redaction). */
  data: Record<string, unknown>;
}

/**
 * An entry serialised once, as one line of UTF-8 JSON without the trailing
 * newline. `text` is the same line as a string, for sinks that write text.
 */
export interface SerializedView {
  /** The UTF-8 bytes of the JSON line (a view; do not modify). */
  readonly data: Uint8Array;
  /** A copy of `data`. */
  bytes(): Uint8Array;
  /** The JSON line as a string. */
  readonly text: string;
  /** The entry this line was made from (after enrichment and redaction). */
  readonly entry: LogEntry;
}

/**
 * The sink contract. Only `name` and `write` are required. When
 * `writeSerialized` is present the core hands the sink the bytes it serialised
 * once; otherwise it calls `write` with the entry.
 *
 * Two optional batch extensions let a sink take many entries at once:
 * `writeBatch` (asynchronous) and `writeBatchSync` (synchronous, used by
 * stdout and file sinks so that a caller stuck in a tight loop can drain the
 * queue without ever yielding to the event loop).
 */
export interface Sink {
  /** The sink's name: its key in `stats().sinks` and in routing rules (duplicates become `name_2`, ...). */
  readonly name: string;
  /**
   * When true, the sink reports the fate of every entry itself through
   * {@link SinkHost} (`written`, `failed`, `dropped`): a batching network
   * sink whose `write` only means "accepted into my buffer". Otherwise the
   * core counts an entry written when the write call resolves.
   */
  readonly reportsOutcomes?: boolean;
  /** Called once before the first write; `host` is how the sink reports back. */
  start?(host?: SinkHost): Promise<void>;
  /**
   * A synchronous start, preferred over `start` when present: a sink that
   * can start synchronously (stdout, a file opened with sync calls) takes
   * writes from the very first log call, even from a caller that never
   * yields to the event loop. Throws on failure.
   */
  startSync?(host?: SinkHost): void;
  /** Write one entry; used only when the sink has none of the batch or serialised methods. */
  write(entry: LogEntry): Promise<void>;
  /** Write one entry as serialised by the core; preferred over `write`. */
  writeSerialized?(view: SerializedView): Promise<void>;
  /** Write many serialised entries, in order, as one operation. */
  writeBatch?(views: readonly SerializedView[]): Promise<void>;
  /**
   * Write many serialised entries synchronously. Throws on failure; the core
   * counts the failure and routes the entries to the fallback sink.
   */
  writeBatchSync?(views: readonly SerializedView[]): void;
  /** Wait until everything handed to the sink so far is written or counted. */
  flush?(): Promise<void>;
  /**
   * Stop: write or account for everything, release resources. `deadlineMs`
   * is the time left of the logger's close deadline (0: give up now and
   * report what is left as dropped).
   */
  stop?(options?: { readonly deadlineMs?: number }): Promise<void>;
  /** Whether the sink can deliver now (e.g. false while a circuit is open); not called by the core. */
  healthCheck?(): Promise<boolean>;
  /**
   * Per-sink counters kept by the sink itself (network sinks report sent,
   * retried, failed and dropped here); merged into `stats().sinks[name]`.
   */
  stats?(): Record<string, number>;
}

/**
 * What the core hands a sink at `start()`: where it reports outcomes that
 * happen after a write call resolved (delivery engine), and its diagnostics.
 */
export interface SinkHost {
  /** `count` entries reached the destination. */
  written(count: number): void;
  /**
   * These entries were given up (retries exhausted, rejected by the
   * destination): counted as failed and written to the fallback sink.
   */
  failed(views: readonly SerializedView[], error: unknown): void;
  /** `count` entries were dropped by the sink, with a reason. */
  dropped(count: number, reason: DropReason): void;
  /** A rate-limited diagnostic on the diagnostics channel (stderr by default). */
  diagnostic(message: string, fields?: Record<string, unknown>): void;
}

/** Why an entry was dropped. Every drop has one. */
export type DropReason =
  | "queue_full"
  | "filtered_level"
  | "sampled"
  | "rate_limited"
  | "sink_buffer_full"
  | "sink_failed"
  | "circuit_open"
  | "closed"
  | "deadline"
  | "serialize_failed";

/** Counters for one sink, as reported by `stats()` and `close()`. */
export interface SinkStats {
  /** Entries the sink reported written. */
  written: number;
  /** Entries whose write failed (they went to the fallback sink). */
  failed: number;
  /** Entries not handed to the sink (buffer full, circuit open). */
  dropped: number;
  /** Entries waiting in this sink's buffer. */
  buffered: number;
  /** Number of failed write operations. */
  errors: number;
  /** Circuit breaker state. */
  circuit: "closed" | "open" | "half_open";
  /** Extra counters the sink keeps itself (see `Sink.stats`). */
  [extra: string]: number | string;
}

/** Live counters. */
export interface LoggerStats {
  /** Log calls accepted into the pipeline (after the level gate). */
  submitted: number;
  /** Entries that went through filters, enrichers, redactors and serialiser. */
  processed: number;
  /** Entries currently queued. */
  queued: number;
  /** Approximate bytes currently queued. */
  queuedBytes: number;
  /** Dropped entries, by reason. */
  dropped: Partial<Record<DropReason, number>>;
  /** Total of `dropped`. */
  droppedTotal: number;
  /** Per sink counters, keyed by sink name. */
  sinks: Record<string, SinkStats>;
  /** Entries written to the fallback sink. */
  fallback: number;
}

/** What `close()` returns. */
export interface DrainResult extends LoggerStats {
  /** True when everything was written or accounted for before the deadline. */
  drained: boolean;
  /** How long the drain took, in milliseconds. */
  elapsedMs: number;
}
