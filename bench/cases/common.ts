/**
 * What every bench case shares: argument parsing, the entries logged, the two
 * loop shapes, the clock, the peak-RSS reading and the result line. Each
 * library's case script only says how to build its logger, how to log one
 * entry and how to close it, so the work timed is the same for all.
 *
 * A case script is run in a fresh process by `bench/run.ts` and prints one
 * line `BENCH_RESULT {json}` on stdout.
 *
 * @module
 */

import { closeSync, fsyncSync, openSync, readFileSync, statSync } from "node:fs";
import process from "node:process";
import { setImmediate } from "node:timers";

/** The message every library logs. */
export const MESSAGE = "request handled";

/** Where entries go: a real file, or an in-process sink that discards. */
export type Destination = "file" | "null";

/** `tight`: one synchronous loop. `yield`: yield to the event loop every 10 calls. */
export type LoopShape = "tight" | "yield";

/** The three fields of every entry. */
export interface Fields {
  userId: number;
  path: string;
  ms: number;
}

/** Options of one case run, from the command line. */
export interface CaseArgs {
  readonly dest: Destination;
  readonly loop: LoopShape;
  readonly entries: number;
  /** The file written when `dest` is `file`. */
  readonly file: string;
  /** Fsync the file before the end-to-end clock stops. */
  readonly fsync: boolean;
}

/** Counts what an in-process discarding sink received, and keeps two samples. */
export class NullCounter {
  lines = 0;
  bytes = 0;
  first = "";
  last = "";

  /** Record one line; `bytes` includes the newline a file would hold. */
  add(line: string, bytesWithNewline: number): void {
    if (this.lines === 0) this.first = line;
    this.last = line;
    this.lines++;
    this.bytes += bytesWithNewline;
  }
}

/** A logger under test, as built by a case script. */
export interface CaseLogger {
  /** Log `MESSAGE` with these fields at info level. */
  log(fields: Fields): void;
  /** Resolve once every entry is written (file) or handed to the sink (null). */
  close(): Promise<void>;
  /** Set for the null destination. */
  readonly counter?: NullCounter;
  /** What destination/sink the case used, shown in the README table notes. */
  readonly note: string;
}

/** The result line a case prints. */
export interface CaseResult {
  readonly ok: boolean;
  readonly library: string;
  readonly runtime: string;
  readonly dest: Destination;
  readonly loop: LoopShape;
  readonly entries: number;
  /** From the first call until close resolved (and the fsync, when asked). */
  readonly e2eMs: number;
  /** Time inside the log calls (tight: the whole loop; yield: the 10-call runs between yields). */
  readonly inCallMs: number;
  /** VmHWM of this process, in bytes (falls back to the current RSS without /proc). */
  readonly peakRssBytes: number;
  readonly rssSource: "VmHWM" | "memoryUsage.rss";
  /** File size when the clock stopped (file destination). */
  readonly sizeAtClose?: number;
  /** Null destination: what the discarding sink saw. */
  readonly nullLines?: number;
  readonly nullBytes?: number;
  readonly sampleFirst?: string;
  readonly sampleLast?: string;
  readonly note: string;
  /** Set when `ok` is false: why (for example the library is not available yet). */
  readonly reason?: string;
}

const RESULT_PREFIX = "BENCH_RESULT ";

// Precomputed so building an entry costs the same small amount for every library.
const PATHS: string[] = Array.from({ length: 64 }, (_, i) => `/api/v1/items/${i * 37}`);

/** The fields of entry `i`. */
export function fieldsFor(i: number): Fields {
  return { userId: i, path: PATHS[i & 63], ms: (i % 400) / 4 };
}

/** The runtime running this script. */
export function runtimeName(): string {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

/** Parse `--dest file|null --loop tight|yield --entries N --file PATH [--fsync]`. */
export function parseCaseArgs(): CaseArgs {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const argv: string[] = g.Deno ? g.Deno.args : process.argv.slice(2);
  const get = (name: string, fallback: string): string => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && at + 1 < argv.length ? argv[at + 1] : fallback;
  };
  const dest = get("dest", "null");
  const loop = get("loop", "tight");
  if (dest !== "file" && dest !== "null") throw new Error(`--dest must be file or null, got ${dest}`);
  if (loop !== "tight" && loop !== "yield") throw new Error(`--loop must be tight or yield, got ${loop}`);
  const entries = Number(get("entries", "200000"));
  if (!Number.isInteger(entries) || entries <= 0) throw new Error(`--entries must be a positive integer`);
  return { dest, loop, entries, file: get("file", ""), fsync: argv.includes("--fsync") };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Peak resident set size of this process. */
export function peakRss(): { bytes: number; source: "VmHWM" | "memoryUsage.rss" } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (m) return { bytes: Number(m[1]) * 1024, source: "VmHWM" };
  } catch {
    // no /proc (not Linux): the current RSS is the best we have
  }
  return { bytes: process.memoryUsage().rss, source: "memoryUsage.rss" };
}

/** Print the result line. */
export function emit(result: CaseResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + "\n");
}

/** Print a result that says the library could not run here, and why. */
export function emitUnavailable(library: string, args: CaseArgs, reason: string): void {
  emit({
    ok: false,
    library,
    runtime: runtimeName(),
    dest: args.dest,
    loop: args.loop,
    entries: args.entries,
    e2eMs: 0,
    inCallMs: 0,
    peakRssBytes: 0,
    rssSource: "VmHWM",
    note: "",
    reason,
  });
}

/**
 * Build the logger, time the loop and the close, and print the result.
 * Setup (imports, opening the file) is not timed: it is the same one-off for
 * every library and not what a logging benchmark is about.
 */
export async function runCase(
  library: string,
  build: (args: CaseArgs) => Promise<CaseLogger>,
): Promise<void> {
  const args = parseCaseArgs();
  const logger = await build(args);
  const n = args.entries;
  let inCallMs = 0;
  const start = performance.now();
  if (args.loop === "tight") {
    for (let i = 0; i < n; i++) logger.log(fieldsFor(i));
    inCallMs = performance.now() - start;
  } else {
    for (let i = 0; i < n;) {
      const runStart = performance.now();
      const end = Math.min(n, i + 10);
      for (; i < end; i++) logger.log(fieldsFor(i));
      inCallMs += performance.now() - runStart;
      await yieldToEventLoop();
    }
  }
  await logger.close();
  if (args.dest === "file" && args.fsync) {
    const fd = openSync(args.file, "r+");
    fsyncSync(fd);
    closeSync(fd);
  }
  const e2eMs = performance.now() - start;
  const sizeAtClose = args.dest === "file" ? statSync(args.file).size : undefined;
  const rss = peakRss();
  const c = logger.counter;
  emit({
    ok: true,
    library,
    runtime: runtimeName(),
    dest: args.dest,
    loop: args.loop,
    entries: n,
    e2eMs,
    inCallMs,
    peakRssBytes: rss.bytes,
    rssSource: rss.source,
    sizeAtClose,
    nullLines: c?.lines,
    nullBytes: c?.bytes,
    sampleFirst: c?.first,
    sampleLast: c?.last,
    note: logger.note,
  });
}
