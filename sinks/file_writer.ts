/**
 * The rotating file sink: batches encoded into one buffer and written with
 * one synchronous write, size rotation before a write that would pass the
 * limit (never splitting an entry), time rotation at UTC boundaries. The
 * active file itself (open, cut back, reopen, rotate) is `active_file.ts`;
 * compression and retention run in the background (`file_maintenance.ts`).
 * The public factory and settings are in `rotating_file.ts`.
 *
 * @module
 */

import { describeFsError, errorCode, type FsAdapter, NoFilesystemError, pickFs } from "../core/fs.ts";
import { Diagnostics } from "../core/diagnostics.ts";
import { safeJson } from "../core/serialize.ts";
import { formatTextLine } from "../core/text_format.ts";
import type { LogEntry, SerializedView, Sink, SinkHost } from "../core/types.ts";
import type { Interval } from "../core/units.ts";
import { type GzipRunner, gzipRunner } from "./file_compression.ts";
import { FileMaintenance, type FileSinkCounters, newCounters } from "./file_maintenance.ts";
import { ActiveFile } from "./active_file.ts";
import { nextBoundaryMs, periodStartMs, RotationNamer, splitFilePath } from "./rotation_naming.ts";

/** Settings of the sink, validated and in base units (see `RotatingFileOptions`). */
export interface FileSinkConfig {
  readonly name: string;
  readonly path: string;
  /** Rotate before the active file would pass this many bytes; 0 = no size rotation. */
  readonly maxBytes: number;
  readonly interval?: Interval;
  readonly retention?: number;
  readonly maxTotalBytes?: number;
  readonly compression: boolean;
  /** Deflate level 1-9 with `node:zlib`; undefined: `CompressionStream`. */
  readonly compressionLevel?: number;
  readonly mode: "json" | "text";
  readonly fsync: boolean;
  /** An injected adapter; otherwise the runtime's is picked at start. */
  readonly fs?: FsAdapter;
}

const encoder = new TextEncoder();
const NEWLINE = 10;
/** A batch is written in chunks of about this many bytes (one write each), to bound the buffer. */
const CHUNK_BYTES = 1024 * 1024;

/** The rotating file sink. Build it with `rotatingFile()`. */
export class RotatingFileSink implements Sink {
  readonly name: string;
  readonly #c: FileSinkConfig;
  readonly #dir: string;
  readonly #namer: RotationNamer;
  readonly #counters: FileSinkCounters = newCounters();
  #host: SinkHost | undefined;
  #fs: FsAdapter | undefined;
  #runner: GzipRunner | undefined;
  #maintenance: FileMaintenance | undefined;
  #recovery: Promise<void> | undefined;
  #active: ActiveFile | undefined;
  #periodEndMs = Infinity;
  #buf = new Uint8Array(64 * 1024);
  #stopped = false;
  /** Where diagnostics go when the sink runs without a host (used directly, not through a logger). */
  readonly #ownDiagnostics = new Diagnostics(undefined);

  /** Use `rotatingFile()`, which validates the options into a {@link FileSinkConfig}. */
  constructor(config: FileSinkConfig) {
    this.#c = config;
    this.name = config.name;
    const parts = splitFilePath(config.path);
    this.#dir = parts.dir;
    this.#namer = new RotationNamer(parts.stem, parts.ext);
  }

  /** The adapter in use ("deno", "node", "bun" or an injected one's name), once started. */
  get adapterName(): string | undefined {
    return this.#fs?.name;
  }

  /** Where compression runs ("worker" or "inline"), once started. */
  get compressionRunsIn(): string | undefined {
    return this.#runner?.where;
  }

  /**
   * Start synchronously: pick the filesystem, create the directory, open the
   * active file for appending (a restart continues it), rotate it first if it
   * belongs to an earlier time period. Recovery and retention of rotated files
   * start in the background. Throws only when the runtime has no filesystem:
   * a file that cannot be opened yet is reported, and each write tries again.
   */
  startSync(host?: SinkHost): void {
    if (this.#fs) return;
    this.#host = host;
    let fs: FsAdapter;
    try {
      fs = this.#c.fs ?? pickFs();
    } catch (e) {
      if (e instanceof NoFilesystemError) {
        throw new NoFilesystemError(`${this.name} sink "${this.#c.path}" cannot start: ${e.message}`);
      }
      throw e;
    }
    this.#fs = fs;
    this.#runner = gzipRunner(fs, this.#c.fs !== undefined);
    this.#maintenance = new FileMaintenance({
      fs,
      dir: this.#dir,
      namer: this.#namer,
      runner: this.#runner,
      compression: this.#c.compression,
      compressionLevel: this.#c.compressionLevel,
      retention: this.#c.retention,
      maxTotalBytes: this.#c.maxTotalBytes,
      fsync: this.#c.fsync,
      counters: this.#counters,
      report: (message, fields) => this.#report(message, fields),
    });
    const active = new ActiveFile({
      fs,
      path: this.#c.path,
      dir: this.#dir,
      label: `${this.name} sink "${this.#c.path}"`,
      namer: this.#namer,
      fsync: this.#c.fsync,
      counters: this.#counters,
      report: (message, fields) => this.#report(message, fields),
      rotated: (name) => this.#maintenance!.rotated(name),
    });
    this.#active = active;
    // A directory or file that cannot be made now is reported and counted, not fatal: each write tries
    // again, and its entries go to the fallback until one succeeds.
    try {
      fs.mkdirSync(this.#dir);
      // Names already on disk (earlier runs) must be known before the first rotation.
      for (const n of fs.readDirSync(this.#dir)) this.#namer.observe(n);
    } catch (e) {
      this.#report("could not create or list the log directory", {
        event: "file_directory_failed",
        error: describeFsError(e),
        code: errorCode(e),
      });
    }
    try {
      active.open();
    } catch {
      // counted and reported by open()
    }
    this.#recovery = this.#maintenance.startup();
    const interval = this.#c.interval;
    if (interval !== undefined) {
      const now = Date.now();
      const mtime = active.mtimeMs();
      // A file left by an earlier run in an earlier period is rotated before it takes new entries.
      if (active.isOpen && active.size > 0 && mtime !== null && mtime < periodStartMs(interval, now)) {
        try {
          active.rotate();
        } catch {
          // reported; the next write opens the file again
        }
      }
      this.#periodEndMs = nextBoundaryMs(interval, now);
    }
  }

  /** {@link startSync}, then wait for the start-up scan and retention. */
  async start(host?: SinkHost): Promise<void> {
    this.startSync(host);
    await this.#recovery;
  }

  /**
   * Write a batch with one synchronous write (more only when it spans a
   * rotation or is very large). Throws when the batch could not be written;
   * the part written to the active file is then cut off again, so the core
   * can send the whole batch to the fallback sink without duplicates there.
   */
  writeBatchSync(views: readonly SerializedView[]): void {
    const c = this.#c;
    this.#writeLines(views.length, c.mode === "json" ? (i) => views[i].text : (i) => formatTextLine(views[i].entry));
  }

  /** Write one serialised entry. */
  writeSerialized(view: SerializedView): Promise<void> {
    return this.#async(() => this.writeBatchSync([view]));
  }

  /** Write one entry (serialised here; the core normally hands over serialised views). */
  write(entry: LogEntry): Promise<void> {
    const line = this.#c.mode === "json" ? safeJson(entry) : formatTextLine(entry);
    return this.#async(() => this.#writeLines(1, () => line));
  }

  /** Wait for pending compressions and retention. */
  async flush(): Promise<void> {
    await this.#recovery;
    await this.#maintenance?.idle();
  }

  /** Flush, then close the active file. */
  async stop(): Promise<void> {
    await this.flush();
    this.#stopped = true;
    this.#runner?.close();
    this.#active?.close();
  }

  /** True when the active file is open and still at its path. */
  healthCheck(): Promise<boolean> {
    return Promise.resolve(this.#active?.stillThere() ?? false);
  }

  /** The sink's own counters (see `FileSinkCounters`) plus `pendingCompressions` and `activeFileBytes`. */
  stats(): Record<string, number> {
    return {
      ...this.#counters,
      pendingCompressions: this.#maintenance?.pendingCompressions ?? 0,
      activeFileBytes: this.#active?.size ?? 0,
    };
  }

  #async(fn: () => void): Promise<void> {
    try {
      fn();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #report(message: string, fields: Record<string, unknown> = {}): void {
    const all = { sink: this.name, path: this.#c.path, ...fields };
    if (this.#host) this.#host.diagnostic(message, all);
    else this.#ownDiagnostics.report(String(fields.event ?? message), message, all);
  }

  #writeLines(count: number, lineAt: (i: number) => string): void {
    if (this.#stopped) {
      throw new Error(`${this.name} sink "${this.#c.path}" is stopped; entries after stop() are not written`);
    }
    if (!this.#fs) this.startSync(this.#host);
    const active = this.#active!;
    active.prepare();
    const now = Date.now();
    if (now >= this.#periodEndMs) {
      if (active.size > 0) active.rotate();
      this.#periodEndMs = nextBoundaryMs(this.#c.interval!, now);
    }
    // Each line is encoded straight into one reusable buffer (no joined string in between), written
    // when the batch ends or the buffer holds a full chunk.
    let buf = this.#buf;
    let off = 0;
    if (active.tornTail) buf[off++] = NEWLINE;
    for (let i = 0; i < count; i++) {
      const line = lineAt(i);
      const need = line.length * 3 + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
      if (buf.length - off < need) {
        if (off >= CHUNK_BYTES) {
          this.#writeEncoded(buf, off);
          off = 0;
        }
        if (buf.length - off < need) {
          const grown = new Uint8Array(Math.max(buf.length * 2, off + need));
          grown.set(buf.subarray(0, off));
          buf = this.#buf = grown;
        }
      }
      off += encoder.encodeInto(line, buf.subarray(off)).written;
      buf[off++] = NEWLINE;
    }
    this.#writeEncoded(buf, off);
    if (this.#c.fsync) active.sync();
  }

  /** Write `buf[0, total)`, whole lines, rotating by size on entry boundaries. */
  #writeEncoded(buf: Uint8Array, total: number): void {
    const active = this.#active!;
    const max = this.#c.maxBytes;
    if (max === 0 || active.size + total <= max) {
      active.write(buf, 0, total);
      return;
    }
    // Split at entry boundaries: fill the active file up to the limit, rotate, go on.
    let pos = 0;
    while (pos < total) {
      const room = max - active.size;
      const cut = room > 0 ? buf.lastIndexOf(NEWLINE, Math.min(total, pos + room) - 1) + 1 : 0;
      if (cut > pos) {
        active.write(buf, pos, cut);
        pos = cut;
        continue;
      }
      if (active.size > 0) {
        if (active.rotate()) continue;
        // Rotation failing: nothing is lost, the active file grows past the limit for now.
        active.write(buf, pos, total);
        return;
      }
      // An entry larger than the limit goes whole into a file of its own.
      const end = buf.indexOf(NEWLINE, pos) + 1;
      active.write(buf, pos, end);
      pos = end;
    }
  }
}
