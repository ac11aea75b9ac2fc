/**
 * The file sink's active file: open for appending at the path the user gave,
 * written synchronously, cut back when a batch fails, reopened when its path
 * was removed, and rotated (closed, renamed to a fresh rotated name, opened
 * anew). Used by `file_writer.ts`.
 *
 * @module
 */

import { describeFsError, errorCode, type FsAdapter, type FsFile } from "../core/fs.ts";
import type { FileSinkCounters } from "./file_maintenance.ts";
import { joinPath, type RotationNamer } from "./rotation_naming.ts";

/** After a failed rotation, keep writing to the active file and try again after this long. */
const ROTATION_RETRY_MS = 1000;
/** Attempts at finding a rotated name that is not taken (names on disk from elsewhere). */
const NAME_ATTEMPTS = 100;

/** What the active file needs from its sink. */
export interface ActiveFileOptions {
  readonly fs: FsAdapter;
  readonly path: string;
  readonly dir: string;
  /** Names errors: `rotating_file sink "logs/app.log"`. */
  readonly label: string;
  readonly namer: RotationNamer;
  readonly fsync: boolean;
  readonly counters: FileSinkCounters;
  readonly report: (message: string, fields?: Record<string, unknown>) => void;
  /** Called with the rotated file's name after each rotation. */
  readonly rotated: (name: string) => void;
}

function failure(message: string, cause: unknown): Error {
  return Object.assign(new Error(`${message}: ${describeFsError(cause)}`), { cause, code: errorCode(cause) });
}

/** The active file of one sink. */
export class ActiveFile {
  readonly #o: ActiveFileOptions;
  #file: FsFile | undefined;
  #size = 0;
  #ino: number | null = null;
  /** Size when the current batch started writing to this file: a failed batch is cut back to it. */
  #batchStart = 0;
  /** A failed write may have left a partial line that could not be cut off. */
  #tornTail = false;
  #rotationRetryAtMs = 0;

  constructor(options: ActiveFileOptions) {
    this.#o = options;
  }

  /** Bytes in the active file. */
  get size(): number {
    return this.#size;
  }

  get isOpen(): boolean {
    return this.#file !== undefined;
  }

  /** True when a failed write could not be undone: the next write should start on a new line. */
  get tornTail(): boolean {
    return this.#tornTail;
  }

  /** Last modification time of the open file, when known. */
  mtimeMs(): number | null {
    try {
      return this.#file?.statSync().mtimeMs ?? null;
    } catch {
      return null;
    }
  }

  /** Open (or create) the file for appending; recreate the directory if it is gone. Throws, counted and reported. */
  open(): void {
    const { fs, path } = this.#o;
    let file: FsFile;
    try {
      try {
        file = fs.openSync(path, "append");
      } catch (e) {
        if (errorCode(e) !== "ENOENT") throw e;
        fs.mkdirSync(this.#o.dir);
        file = fs.openSync(path, "append");
      }
    } catch (e) {
      this.#o.counters.openErrors++;
      this.#o.report("could not open the log file; entries go to the fallback sink", {
        event: "file_open_failed",
        error: describeFsError(e),
        code: errorCode(e),
      });
      throw failure(`${this.#o.label} cannot open the file`, e);
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

  close(): void {
    const file = this.#file;
    this.#file = undefined;
    try {
      file?.closeSync();
    } catch {
      // closing a file whose writes failed may fail too; nothing is pending in it
    }
  }

  /**
   * Before a batch: have the file open, and still at its path. Writes to a
   * file whose path was removed (the file, or its directory) would vanish
   * with it, so a removed or replaced file is reopened at the path.
   */
  prepare(): void {
    if (!this.#file) {
      this.open();
    } else {
      let st;
      try {
        st = this.#o.fs.statSync(this.#o.path);
      } catch {
        st = undefined; // cannot tell: keep writing where we are
      }
      if (st === null || (st && st.ino !== null && this.#ino !== null && st.ino !== this.#ino)) {
        this.#o.counters.reopens++;
        this.#o.report(
          st
            ? "the log file was replaced; reopening it at its path"
            : "the log file or its directory was removed; recreating it",
          { event: "file_reopened" },
        );
        this.close();
        this.open();
      }
    }
    this.#batchStart = this.#size;
  }

  /** Whether the open file is still the one at the path. */
  stillThere(): boolean {
    try {
      const st = this.#file ? this.#o.fs.statSync(this.#o.path) : null;
      return !!st && (st.ino === null || this.#ino === null || st.ino === this.#ino);
    } catch {
      return false;
    }
  }

  /**
   * One write of `buf[from, to)`. On failure, cut the file back to its size
   * when this batch started writing to it, so the core can send the whole
   * batch to the fallback without duplicating what the file holds, and throw.
   */
  write(buf: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (!this.#file) this.open();
    const file = this.#file!;
    try {
      file.writeSync(buf.subarray(from, to));
    } catch (e) {
      this.#o.counters.writeErrors++;
      try {
        file.truncateSync(this.#batchStart);
        this.#size = this.#batchStart;
        this.#tornTail = false;
      } catch {
        // Cannot undo: the next write starts on a new line, so a torn line stays alone.
        this.#tornTail = true;
        this.#refreshSize();
      }
      this.#o.report("write to the log file failed; the batch goes to the fallback sink", {
        event: "file_write_failed",
        error: describeFsError(e),
        code: errorCode(e),
      });
      throw failure(`${this.#o.label}: write failed`, e);
    }
    this.#tornTail = false;
    this.#size += to - from;
    this.#o.counters.bytesWritten += to - from;
  }

  /** fsync the file's data. Throws, counted and reported. */
  sync(): void {
    if (!this.#file) return;
    try {
      this.#file.syncSync();
    } catch (e) {
      this.#o.counters.writeErrors++;
      this.#o.report("fsync of the log file failed", {
        event: "file_fsync_failed",
        error: describeFsError(e),
        code: errorCode(e),
      });
      throw failure(`${this.#o.label}: fsync failed`, e);
    }
  }

  #refreshSize(): void {
    try {
      this.#size = this.#file?.statSync().size ?? 0;
    } catch {
      // keep the estimate
    }
  }

  /**
   * Close the file, rename it to a fresh rotated name and open a new one.
   * Returns false when the rename failed (or failed less than a second ago):
   * the caller keeps writing to the active file, so nothing is lost. Throws
   * only when no file could be opened afterwards.
   */
  rotate(): boolean {
    const now = Date.now();
    if (now < this.#rotationRetryAtMs) return false;
    const { fs, path, dir } = this.#o;
    let name = "";
    try {
      name = this.#freeName(now);
      if (this.#o.fsync) this.#file?.syncSync();
      this.close();
      fs.renameSync(path, joinPath(dir, name));
    } catch (e) {
      this.#o.counters.rotationErrors++;
      this.#rotationRetryAtMs = now + ROTATION_RETRY_MS;
      this.#o.report("rotation failed; still writing to the active file", {
        event: "file_rotation_failed",
        error: describeFsError(e),
        code: errorCode(e),
        rotatedName: name,
      });
      if (!this.#file) this.open();
      return false;
    }
    this.#o.counters.rotations++;
    this.#size = 0;
    this.#batchStart = 0;
    this.#o.rotated(name);
    this.open();
    return true;
  }

  #freeName(now: number): string {
    const { fs, dir, namer } = this.#o;
    for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
      const name = namer.next(now);
      const path = joinPath(dir, name);
      if (!fs.statSync(path) && !fs.statSync(path + ".gz") && !fs.statSync(path + ".gz.tmp")) return name;
    }
    throw new Error(`no free rotated file name after ${NAME_ATTEMPTS} attempts`);
  }
}
