/**
 * The diagnostics channel: fapilog's own problems (a sink failing, entries
 * dropped, a bad entry) are reported here, rate-limited per kind, and never
 * thrown at the caller. By default they go to stderr as one JSON line each;
 * `createLogger({ onDiagnostic })` receives them instead.
 *
 * @module
 */

import { fdWriter } from "./runtime.ts";

/** One diagnostic. */
export interface Diagnostic {
  /** What it is about, e.g. `dropped`, `fallback`, `serialize`, `start:<sink>`, `sink:<sink>`. */
  readonly kind: string;
  /** What happened, in words. */
  readonly message: string;
  /** Structured details (e.g. `sink`, `reason`), when there are any. */
  readonly fields?: Record<string, unknown>;
  /** How many reports of this kind were suppressed since the previous one. */
  readonly suppressed: number;
}

/** Receives diagnostics. */
export type DiagnosticHandler = (d: Diagnostic) => void;

/** A rate-limited reporter: at most one diagnostic per kind per interval. */
export class Diagnostics {
  readonly #handler: DiagnosticHandler;
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  /** Report to `handler` (default: JSON lines on stderr), at most once per kind every `intervalMs` (default 5000). */
  constructor(handler: DiagnosticHandler | undefined, intervalMs = 5000) {
    this.#handler = handler ?? stderrDiagnostics;
    this.#intervalMs = intervalMs;
  }

  /** Report; suppressed when the same kind was reported within the interval. */
  report(kind: string, message: string, fields?: Record<string, unknown>): void {
    const now = Date.now();
    const seen = this.#last.get(kind);
    if (seen && now - seen.at < this.#intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.#last.set(kind, { at: now, suppressed: 0 });
    try {
      this.#handler({ kind, message, fields, suppressed });
    } catch {
      // a failing handler must not break logging
    }
  }
}

let stderr: ((text: string) => void) | undefined;

/** The default handler: one JSON line on stderr. */
export function stderrDiagnostics(d: Diagnostic): void {
  stderr ??= fdWriter(2);
  let line: string;
  try {
    line = JSON.stringify({ fapilog_diagnostic: d.kind, message: d.message, ...d.fields, suppressed: d.suppressed });
  } catch {
    line = JSON.stringify({ fapilog_diagnostic: d.kind, message: d.message, suppressed: d.suppressed });
  }
  try {
    stderr(line + "\n");
  } catch {
    // stderr closed: nowhere left to report
  }
}
