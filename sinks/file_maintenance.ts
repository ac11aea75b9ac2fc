/**
 * The file sink's background work, off the write path: compressing rotated
 * files, retention (keep the newest rotated files by count and total bytes),
 * and recovery at start (finish what a crash interrupted). One task at a time,
 * in order, so retention never races a compression. Where compression runs
 * in a worker thread, a rotated file's job is started at rotation already (so
 * it overlaps with logging even when the caller never yields); the loop then
 * awaits that job in its turn, and retention awaits it before deleting the file.
 *
 * Nothing here throws into the sink: a failure is counted and reported as a
 * diagnostic, and the rotated file it concerned is kept as it was.
 *
 * @module
 */

import { describeFsError, errorCode, type FsAdapter } from "../core/fs.ts";
import type { GzipPlace, GzipRunner } from "./file_compression.ts";
import { joinPath, type RotatedName, type RotationNamer } from "./rotation_naming.ts";

/** Counters shared by the file sink and its maintenance; reported by `stats()`. */
export interface FileSinkCounters {
  /** Bytes written to active files. */
  bytesWritten: number;
  /** Rotations done (size, time and at start). */
  rotations: number;
  /** Rotations that failed (rename or reopen); writing went on in the active file. */
  rotationErrors: number;
  /** Batches that failed to write (disk full, permission denied, ...); their entries went to the fallback. */
  writeErrors: number;
  /** Times the active file could not be opened (missing directory that cannot be recreated, permission). */
  openErrors: number;
  /** Times the active file was found removed (or replaced) and opened again at its path. */
  reopens: number;
  /** Rotated files compressed. */
  compressions: number;
  /** Of `compressions`, those done in a worker thread (large files on Deno and Bun). */
  compressionsInWorker: number;
  /** Compressions that failed; those rotated files are kept uncompressed. */
  compressionErrors: number;
  /**
   * Compressions started at rotation, before the logger yields (worker jobs);
   * each is also counted in `compressions` or `compressionErrors` once settled.
   */
  compressionsStarted: number;
  /** Rotated files deleted by retention. */
  retentionDeleted: number;
  /** Retention passes or deletions that failed. */
  retentionErrors: number;
}

/** A fresh set of counters. */
export function newCounters(): FileSinkCounters {
  return {
    bytesWritten: 0,
    rotations: 0,
    rotationErrors: 0,
    writeErrors: 0,
    openErrors: 0,
    reopens: 0,
    compressions: 0,
    compressionsInWorker: 0,
    compressionErrors: 0,
    compressionsStarted: 0,
    retentionDeleted: 0,
    retentionErrors: 0,
  };
}

/** What the maintenance needs from its sink. */
export interface MaintenanceOptions {
  readonly fs: FsAdapter;
  readonly dir: string;
  readonly namer: RotationNamer;
  readonly runner: GzipRunner;
  readonly compression: boolean;
  /** Deflate level with `node:zlib`; undefined: `CompressionStream`. */
  readonly compressionLevel?: number;
  readonly retention?: number;
  readonly maxTotalBytes?: number;
  readonly fsync: boolean;
  readonly counters: FileSinkCounters;
  readonly report: (message: string, fields?: Record<string, unknown>) => void;
}

/** One rotation (a base name), in whichever forms exist on disk. */
interface RotatedItem {
  readonly base: string;
  readonly names: string[];
}

/** The serialised background work of one file sink. */
export class FileMaintenance {
  readonly #o: MaintenanceOptions;
  /** Rotated file names (not paths) waiting for compression, oldest first. */
  readonly #pending: string[] = [];
  /** Compressions started at rotation (in a worker), by rotated file name, until the loop or retention has settled them. */
  readonly #started = new Map<string, Promise<GzipPlace>>();
  #needRetention = false;
  #needStartup = false;
  #startupDone: (() => void)[] = [];
  #running: Promise<void> | undefined;

  constructor(options: MaintenanceOptions) {
    this.#o = options;
  }

  /** Rotated files waiting for compression. */
  get pendingCompressions(): number {
    return this.#pending.length;
  }

  /**
   * At start: finish what a crash interrupted (a `.gz.tmp` is removed, an
   * original beside its complete `.gz` is removed, uncompressed rotated files
   * are queued for compression when it is on), then apply retention. Runs as
   * the first background task; resolves when it is done.
   */
  startup(): Promise<void> {
    this.#needStartup = true;
    const done = new Promise<void>((resolve) => this.#startupDone.push(resolve));
    this.kick();
    return done;
  }

  async #recover(): Promise<void> {
    const o = this.#o;
    let items: RotatedItem[];
    try {
      items = await this.#list();
    } catch (e) {
      o.counters.retentionErrors++;
      o.report("could not scan the log directory at start", {
        event: "file_scan_failed",
        dir: o.dir,
        error: describeFsError(e),
      });
      return;
    }
    for (const item of items) {
      for (const name of item.names) o.namer.observe(name);
      // Rotated since start and being compressed already: its `.gz.tmp` is in use, not a leftover.
      if (this.#started.has(item.base)) continue;
      const has = (suffix: string) => item.names.includes(item.base + suffix);
      // A `.gz.tmp` is an unfinished compression: the original is still there.
      if (has(".gz.tmp")) await this.#removeQuietly(item.base + ".gz.tmp");
      // A `.gz` is only ever renamed into place complete; an original beside it was about to be removed.
      if (has(".gz") && has("")) await this.#removeQuietly(item.base);
      else if (o.compression && has("") && !has(".gz") && !this.#pending.includes(item.base)) {
        this.#pending.push(item.base);
      }
    }
    this.#pending.sort();
    await this.#retention();
  }

  /** A file was rotated to `name`: compress it (if enabled) and apply retention, in the background. */
  rotated(name: string): void {
    const o = this.#o;
    if (o.compression) {
      this.#pending.push(name);
      const src = joinPath(o.dir, name);
      let job: Promise<GzipPlace> | undefined;
      try {
        job = o.runner.start?.(src, src + ".gz", { sync: o.fsync, level: o.compressionLevel });
      } catch {
        // not started: the loop runs it as usual
      }
      if (job) {
        job.catch(() => {}); // observed when the loop (or retention) awaits it
        this.#started.set(name, job);
        o.counters.compressionsStarted++;
      }
    }
    this.#needRetention = true;
    this.kick();
  }

  /** Start the background loop if there is work and it is not running. */
  kick(): void {
    if (this.#running || !this.#hasWork()) return;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      this.kick();
    });
  }

  /** Resolves once every queued compression and retention pass is done. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #hasWork(): boolean {
    return this.#needStartup || this.#needRetention || this.#pending.length > 0;
  }

  async #loop(): Promise<void> {
    while (this.#hasWork()) {
      if (this.#needStartup) {
        this.#needStartup = false;
        try {
          await this.#recover();
        } finally {
          for (const resolve of this.#startupDone.splice(0)) resolve();
        }
        continue;
      }
      // Retention first, so files about to be deleted are not compressed.
      if (this.#needRetention) {
        this.#needRetention = false;
        await this.#retention();
      }
      const name = this.#pending.shift();
      if (name !== undefined) {
        await this.#compress(name);
        // Sizes changed: total-bytes retention may now keep more.
        if (this.#o.maxTotalBytes !== undefined) this.#needRetention = true;
      }
    }
  }

  async #compress(name: string): Promise<void> {
    const o = this.#o;
    const src = joinPath(o.dir, name);
    const started = this.#started.get(name);
    this.#started.delete(name);
    try {
      const place = await (started ?? o.runner.run(src, src + ".gz", { sync: o.fsync, level: o.compressionLevel }));
      o.counters.compressions++;
      if (place === "worker") o.counters.compressionsInWorker++;
    } catch (e) {
      o.counters.compressionErrors++;
      o.report("rotated file could not be compressed; it is kept uncompressed", {
        event: "file_compression_failed",
        file: src,
        error: describeFsError(e),
        code: errorCode(e),
      });
    }
  }

  async #list(): Promise<RotatedItem[]> {
    const o = this.#o;
    const byBase = new Map<string, string[]>();
    for (const name of await o.fs.readDir(o.dir)) {
      const r: RotatedName | null = o.namer.parse(name);
      if (!r) continue;
      const names = byBase.get(r.base);
      if (names) names.push(name);
      else byBase.set(r.base, [name]);
    }
    return [...byBase.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([base, names]) => ({ base, names }));
  }

  async #retention(): Promise<void> {
    const o = this.#o;
    if (o.retention === undefined && o.maxTotalBytes === undefined) return;
    let items: RotatedItem[];
    try {
      items = await this.#list();
    } catch (e) {
      o.counters.retentionErrors++;
      o.report("retention could not list the log directory", {
        event: "file_retention_failed",
        dir: o.dir,
        error: describeFsError(e),
      });
      return;
    }
    items.reverse(); // newest first
    let keep = o.retention === undefined ? items.length : Math.min(o.retention, items.length);
    if (o.maxTotalBytes !== undefined) {
      let total = 0;
      for (let i = 0; i < keep; i++) {
        total += await this.#size(items[i]);
        if (total > o.maxTotalBytes) {
          keep = i;
          break;
        }
      }
    }
    for (const item of items.slice(keep)) await this.#delete(item);
  }

  async #size(item: RotatedItem): Promise<number> {
    let size = 0;
    for (const name of item.names) {
      if (name.endsWith(".tmp")) continue;
      try {
        size += (await this.#o.fs.stat(joinPath(this.#o.dir, name)))?.size ?? 0;
      } catch {
        // unreadable: count it as empty rather than delete newer files for it
      }
    }
    return size;
  }

  async #delete(item: RotatedItem): Promise<void> {
    const o = this.#o;
    const queued = this.#pending.indexOf(item.base);
    if (queued >= 0) this.#pending.splice(queued, 1);
    let names = item.names;
    if (this.#started.has(item.base)) {
      // Its compression is under way: let it finish (counted and reported as any other), then delete
      // whichever forms it left, including a `.gz` it produced after the directory was listed.
      await this.#compress(item.base);
      names = [...new Set([...names, item.base, item.base + ".gz", item.base + ".gz.tmp"])];
    }
    let failed = false;
    for (const name of names) {
      try {
        await o.fs.remove(joinPath(o.dir, name));
      } catch (e) {
        if (errorCode(e) === "ENOENT") continue;
        failed = true;
        o.counters.retentionErrors++;
        o.report("retention could not delete a rotated file", {
          event: "file_retention_failed",
          file: joinPath(o.dir, name),
          error: describeFsError(e),
        });
      }
    }
    if (!failed) o.counters.retentionDeleted++;
  }

  async #removeQuietly(name: string): Promise<void> {
    try {
      await this.#o.fs.remove(joinPath(this.#o.dir, name));
    } catch (e) {
      this.#o.report("could not remove a leftover file", {
        event: "file_recovery_failed",
        file: joinPath(this.#o.dir, name),
        error: describeFsError(e),
      });
    }
  }
}
