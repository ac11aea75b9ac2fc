/**
 * The rotating file sink's write path: batches written with one synchronous
 * write, size rotation before a write that would pass the limit (never
 * splitting an entry), time rotation at UTC boundaries, and recovery from a
 * removed file or directory. Compression and retention run in the background
 * (`file_maintenance.ts`). The public factory and settings are in
 * `rotating_file.ts`.
 *
 * @module
 */

import { describeFsError, errorCode, type FsAdapter, type FsFile, NoFilesystemError, pickFs } from "../core/fs.ts";
import { Diagnostics } from "../core/diagnostics.ts";
import { safeJson } from "../core/serialize.ts";
import { formatTextLine } from "../core/text_format.ts";
import type { LogEntry, SerializedView, Sink, SinkHost } from "../core/types.ts";
import type { Interval } from "../core/units.ts";
import { type GzipRunner, gzipRunner } from "./file_compression.ts";
import { FileMaintenance, type FileSinkCounters, newCounters } from "./file_maintenance.ts";
import { joinPath, nextBoundaryMs, periodStartMs, RotationNamer, splitFilePath } from "./rotation_naming.ts";

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
  readonly mode: "json" | "text";
  readonly fsync: boolean;
  /** An injected adapter; otherwise the runtime's is picked at start. */
  readonly fs?: FsAdapter;
}

const encoder = new TextEncoder();
const NEWLINE = 10;
/** A batch is written in chunks of about this many bytes (one write each), to bound the buffer. */
const CHUNK_BYTES = 1024 * 1024;
/** After a failed rotation, keep writing to the active file and try again after this long. */
const ROTATION_RETRY_MS = 1000;
/** Attempts at finding a rotated name that is not taken (names on disk from elsewhere). */
const NAME_ATTEMPTS = 100;

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
  #file: FsFile | undefined;
  /** Bytes in the active file. */
  #size = 0;
  /** Size of the active file when the current batch started writing to it: a failed batch is cut back to it. */
  #batchStart = 0;
  #ino: number | null = null;
  /** A failed write may have left a partial line that could not be cut off: start the next write on a new line. */
  #tornTail = false;
  #periodEndMs = Infinity;
  #rotationRetryAtMs = 0;
  #buf = new Uint8Array(64 * 1024);
  #stopped = false;
  /** Where diagnostics go when the sink runs without a host (used directly, not through a logger). */
  readonly #ownDiagnostics = new Diagnostics(undefined);

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
      retention: this.#c.retention,
      maxTotalBytes: this.#c.maxTotalBytes,
      fsync: this.#c.fsync,
      counters: this.#counters,
      report: (message, fields) => this.#report(message, fields),
    });
    // A directory or file that cannot be made now is reported and counted, not fatal: each write tries
    // again, and its entries go to the fallback until one succeeds.
    try {
      fs.mkdirSync(this.#dir);
      // Names already on disk (earlier runs) must be known before the first rotation.
      for (const n of fs.readDirSync(this.#dir)) this.#namer.observe(n);
    } catch (e) {
      this.#report("could not create or list the log directory", { error: describeFsError(e), code: errorCode(e) });
    }
    try {
      this.#openActive();
    } catch {
      // reported by #openActive
    }
    this.#recovery = this.#maintenance.startup();
    const interval = this.#c.interval;
    if (interval !== undefined) {
      const now = Date.now();
      const mtime = this.#file?.statSync().mtimeMs ?? null;
      // A file left by an earlier run in an earlier period is rotated before it takes new entries.
      if (this.#file && this.#size > 0 && mtime !== null && mtime < periodStartMs(interval, now)) {
        try {
          this.#rotate();
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
    this.#closeActive();
  }

  /** True when the active file is open and still at its path. */
  healthCheck(): Promise<boolean> {
    try {
      const st = this.#file ? this.#fs?.statSync(this.#c.path) : null;
      return Promise.resolve(!!st && (st.ino === null || this.#ino === null || st.ino === this.#ino));
    } catch {
      return Promise.resolve(false);
    }
  }

  /** The sink's own counters (see `FileSinkCounters`) plus `pendingCompressions` and `activeFileBytes`. */
  stats(): Record<string, number> {
    return {
      ...this.#counters,
      pendingCompressions: this.#maintenance?.pendingCompressions ?? 0,
      activeFileBytes: this.#size,
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
    else this.#ownDiagnostics.report(message, message, all);
  }

  #writeLines(count: number, lineAt: (i: number) => string): void {
    if (this.#stopped) {
      throw new Error(`${this.name} sink "${this.#c.path}" is stopped; entries after stop() are not written`);
    }
    if (!this.#fs) this.startSync(this.#host);
    this.#prepare();
    this.#batchStart = this.#size;
    // Each line is encoded straight into one reusable buffer (no joined string in between), written
    // when the batch ends or the buffer holds a full chunk.
    let buf = this.#buf;
    let off = 0;
    if (this.#tornTail) buf[off++] = NEWLINE;
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
    if (this.#c.fsync && this.#file) this.#fsync();
  }

  /** Before a batch: have an open active file that is still at its path; rotate if a time boundary passed. */
  #prepare(): void {
    if (!this.#file) this.#openActive();
    else this.#checkStillThere();
    const now = Date.now();
    if (now >= this.#periodEndMs) {
      if (this.#size > 0) this.#rotate();
      this.#periodEndMs = nextBoundaryMs(this.#c.interval!, now);
    }
  }

  /** Write `buf[0, total)`, whole lines, rotating by size on entry boundaries. */
  #writeEncoded(buf: Uint8Array, total: number): void {
    const max = this.#c.maxBytes;
    if (max === 0 || this.#size + total <= max) {
      this.#writeSpan(buf, 0, total);
      return;
    }
    // Split at entry boundaries: fill the active file up to the limit, rotate, go on.
    let pos = 0;
    while (pos < total) {
      const room = max - this.#size;
      const cut = room > 0 ? buf.lastIndexOf(NEWLINE, Math.min(total, pos + room) - 1) + 1 : 0;
      if (cut > pos) {
        this.#writeSpan(buf, pos, cut);
        pos = cut;
        continue;
      }
      if (this.#size > 0) {
        if (this.#rotate()) continue;
        // Rotation failing: nothing is lost, the active file grows past the limit for now.
        this.#writeSpan(buf, pos, total);
        return;
      }
      // An entry larger than the limit goes whole into a file of its own.
      const end = buf.indexOf(NEWLINE, pos) + 1;
      this.#writeSpan(buf, pos, end);
      pos = end;
    }
  }

  /**
   * One write of `buf[from, to)`. On failure, cut the active file back to its
   * size when this batch started writing to it, so the core can send the whole
   * batch to the fallback without duplicating what this file holds, and throw.
   */
  #writeSpan(buf: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (!this.#file) this.#openActive();
    const file = this.#file!;
    try {
      file.writeSync(buf.subarray(from, to));
    } catch (e) {
      this.#counters.writeErrors++;
      let cutBack = false;
      try {
        file.truncateSync(this.#batchStart);
        this.#size = this.#batchStart;
        cutBack = true;
      } catch {
        // cannot undo: the next write starts on a new line so a torn line stays alone
      }
      this.#tornTail = !cutBack;
      if (!cutBack) this.#refreshSize();
      const code = errorCode(e);
      this.#report("write to the log file failed; the batch goes to the fallback sink", {
        error: describeFsError(e),
        code,
      });
      throw Object.assign(new Error(`${this.name} sink "${this.#c.path}": write failed: ${describeFsError(e)}`), {
        cause: e,
        code,
      });
    }
    this.#tornTail = false;
    this.#size += to - from;
    this.#counters.bytesWritten += to - from;
  }

  #fsync(): void {
    try {
      this.#file!.syncSync();
    } catch (e) {
      this.#counters.writeErrors++;
      this.#report("fsync of the log file failed", { error: describeFsError(e), code: errorCode(e) });
      throw Object.assign(new Error(`${this.name} sink "${this.#c.path}": fsync failed: ${describeFsError(e)}`), {
        cause: e,
        code: errorCode(e),
      });
    }
  }

  #refreshSize(): void {
    try {
      this.#size = this.#file?.statSync().size ?? 0;
    } catch {
      // keep the estimate
    }
  }

  /** Open (or create) the active file for appending; recreate the directory if it is gone. */
  #openActive(): void {
    const fs = this.#fs!;
    const path = this.#c.path;
    let file: FsFile;
    try {
      try {
        file = fs.openSync(path, "append");
      } catch (e) {
        if (errorCode(e) !== "ENOENT") throw e;
        fs.mkdirSync(this.#dir);
        file = fs.openSync(path, "append");
      }
    } catch (e) {
      this.#counters.openErrors++;
      this.#report("could not open the log file; entries go to the fallback sink", {
        error: describeFsError(e),
        code: errorCode(e),
      });
      throw Object.assign(new Error(`${this.name} sink cannot open "${path}": ${describeFsError(e)}`), {
        cause: e,
        code: errorCode(e),
      });
    }
    this.#file = file;
    try {
      const st = file.statSync();
      this.#size = st.size;
      this.#ino = st.ino;
    } catch {
      this.#size = 0;
      this.#ino = null;
    }
    this.#batchStart = this.#size;
  }

  #closeActive(): void {
    const file = this.#file;
    this.#file = undefined;
    try {
      file?.closeSync();
    } catch {
      // closing a file whose writes failed may fail too; nothing is pending in it
    }
  }

  /**
   * Writes to a file whose path was removed (the file, or its directory) would
   * vanish with it: check before each batch and reopen at the path.
   */
  #checkStillThere(): void {
    let st;
    try {
      st = this.#fs!.statSync(this.#c.path);
    } catch {
      return; // cannot tell: keep writing where we are
    }
    if (st && (st.ino === null || this.#ino === null || st.ino === this.#ino)) return;
    this.#counters.reopens++;
    this.#report(
      st
        ? "the log file was replaced; reopening it at its path"
        : "the log file or its directory was removed; recreating it",
      {},
    );
    this.#closeActive();
    this.#openActive();
  }

  /**
   * Close the active file, rename it to a fresh rotated name and open a new
   * one. Returns false when the rename failed: the sink then keeps writing to
   * the active file (nothing is lost) and retries after a pause.
   */
  #rotate(): boolean {
    const now = Date.now();
    if (now < this.#rotationRetryAtMs) return false;
    const fs = this.#fs!;
    const path = this.#c.path;
    let name = "";
    try {
      name = this.#freeName(now);
      if (this.#c.fsync) this.#file?.syncSync();
      this.#closeActive();
      fs.renameSync(path, joinPath(this.#dir, name));
    } catch (e) {
      this.#counters.rotationErrors++;
      this.#rotationRetryAtMs = now + ROTATION_RETRY_MS;
      this.#report("rotation failed; still writing to the active file", {
        error: describeFsError(e),
        code: errorCode(e),
        rotatedName: name,
      });
      if (!this.#file) this.#openActive();
      return false;
    }
    this.#counters.rotations++;
    this.#size = 0;
    this.#maintenance!.rotated(name);
    this.#openActive();
    return true;
  }

  #freeName(now: number): string {
    const fs = this.#fs!;
    for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
      const name = this.#namer.next(now);
      const path = joinPath(this.#dir, name);
      if (!fs.statSync(path) && !fs.statSync(path + ".gz") && !fs.statSync(path + ".gz.tmp")) return name;
    }
    throw new Error(`no free rotated file name after ${NAME_ATTEMPTS} attempts`);
  }
}
