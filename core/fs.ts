/**
 * The filesystem adapter: the few file operations the file sink needs, behind
 * one small interface so the same sink code runs on Deno, Bun and Node, and so
 * tests can inject faults (disk full, permission denied, rename failure, a
 * removed directory) by wrapping a real adapter.
 *
 * {@link pickFs} picks the runtime's adapter by feature detection when a sink
 * starts; nothing touches `Deno`, `Bun` or `node:fs` at import time:
 * `sinks/fs_deno.ts` on Deno, and `node_shims/fs.ts` (`node:fs` through
 * `process.getBuiltinModule`) on Node and on Bun, where it measured as fast as
 * `Bun.file().writer()` and, unlike it, can truncate and fsync.
 *
 * Errors thrown by adapters carry the system `code` (`ENOSPC`, `EACCES`,
 * `ENOENT`, ...), as both Deno and Node errors do; see {@link errorCode}.
 *
 * @module
 */

import { denoFs } from "../sinks/fs_deno.ts";
import { nodeFs } from "../node_shims/fs.ts";
import { detectRuntime } from "./runtime.ts";

/** What `stat` reports. */
export interface FsStat {
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time in ms since the epoch, when the platform reports it. */
  readonly mtimeMs: number | null;
  /** Inode number, when the platform reports it (not on Windows under Deno). */
  readonly ino: number | null;
  /** A regular file. */
  readonly isFile: boolean;
  /** A directory. */
  readonly isDirectory: boolean;
}

/** An open file. Synchronous methods serve the write path, asynchronous ones background work. */
export interface FsFile {
  /** Write every byte of `data` at the end of the file, looping over short writes. */
  writeSync(data: Uint8Array): void;
  /** Cut the file to `length` bytes (used to undo a torn batch). */
  truncateSync(length: number): void;
  /** Flush the file's data to the device (fdatasync where available). */
  syncSync(): void;
  /** Size and identity of the open file. */
  statSync(): FsStat;
  /** Close the file. */
  closeSync(): void;
  /** Read up to `buffer.length` bytes at the current position; 0 at the end of the file. */
  read(buffer: Uint8Array): Promise<number>;
  /** Write every byte of `data` at the current position. */
  write(data: Uint8Array): Promise<void>;
  /** Close the file. */
  close(): Promise<void>;
}

/** How {@link FsAdapter.openSync} and {@link FsAdapter.open} open a file. */
export type FsOpenMode =
  /** Create if missing, write at the end. */
  | "append"
  /** Create or truncate, write from the start. */
  | "write"
  /** Read from the start. */
  | "read";

/** The file operations the file sink needs. Paths are plain strings. */
export interface FsAdapter {
  /** "deno", "node" or "bun" for the built-in adapters; anything for injected ones. */
  readonly name: string;
  /** Open a file; `"append"` and `"write"` create it when missing. */
  openSync(path: string, mode: FsOpenMode): FsFile;
  /** Open a file (asynchronous form of {@link FsAdapter.openSync}). */
  open(path: string, mode: FsOpenMode): Promise<FsFile>;
  /** Stat a path (following links); `null` when it does not exist. */
  statSync(path: string): FsStat | null;
  /** Asynchronous form of {@link FsAdapter.statSync}. */
  stat(path: string): Promise<FsStat | null>;
  /** Create a directory and its parents; no error when it exists. */
  mkdirSync(path: string): void;
  /** Rename a file, replacing nothing: callers pick names that do not exist. */
  renameSync(from: string, to: string): void;
  /** Asynchronous form of {@link FsAdapter.renameSync}. */
  rename(from: string, to: string): Promise<void>;
  /** Names (not paths) of the entries of a directory. */
  readDirSync(path: string): string[];
  /** Asynchronous form of {@link FsAdapter.readDirSync}. */
  readDir(path: string): Promise<string[]>;
  /** Remove a file. */
  remove(path: string): Promise<void>;
}

/** Thrown by {@link loadFs} where the runtime has no filesystem (edge, serverless). */
export class NoFilesystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoFilesystemError";
  }
}

/** The system error code of a filesystem error (`ENOSPC`, `EACCES`, ...), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A short description of a filesystem error for diagnostics: its message, which names the code. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

let picked: FsAdapter | undefined;

/**
 * The filesystem adapter of the running runtime, picked by feature detection
 * on first use (the adapter modules are inert until then). Synchronous, so a
 * file sink can start, and take writes, from the very first log call.
 * Throws {@link NoFilesystemError} on a runtime without a filesystem.
 *
 * @example
 * ```ts
 * import { pickFs } from "./fs.ts";
 * const fs = pickFs();
 * fs.mkdirSync("logs");
 * ```
 */
export function pickFs(): FsAdapter {
  if (picked) return picked;
  const kind = detectRuntime();
  const fs = kind === "deno" ? denoFs() : kind === "node" || kind === "bun" ? nodeFs(kind) : undefined;
  if (!fs) {
    throw new NoFilesystemError(
      "this runtime has no filesystem (no Deno, Bun or node:fs); log to stdout or an http sink here instead",
    );
  }
  picked = fs;
  return fs;
}
