/**
 * Gzip of rotated files, off the write path: with the web
 * `CompressionStream("gzip")` by default, or with `node:zlib` at a chosen
 * level when one is set (`CompressionStream` has no level, and its default
 * deflates slower than a busy logger writes). Without `node:zlib` (reached at
 * run time; Deno, Bun and Node have it) a level falls back to
 * `CompressionStream`.
 *
 * A file is compressed to `<name>.gz.tmp`, renamed to `<name>.gz` once
 * complete, and only then is the original removed; a failure at any step
 * leaves the original in place, so no line is ever lost to compression.
 *
 * Where it runs: on Deno and Bun, `CompressionStream` compresses on the
 * calling thread, so {@link gzipRunner} moves the work to a web `Worker`
 * (`gzip_worker.ts`) and logging keeps its thread; the worker is started on
 * the first job and ended when idle. Files under {@link INLINE_BELOW_BYTES}
 * are compressed inline anyway (milliseconds of work). On Node, the stream's zlib work already
 * runs on the libuv thread pool, so it runs inline. An injected filesystem
 * adapter (tests, custom drivers) always runs inline, through that adapter.
 *
 * @module
 */

import type { FsAdapter, FsFile } from "../core/fs.ts";
import { builtin, detectRuntime } from "../core/runtime.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const CHUNK_BYTES = 1 << 20;
const WORKER_IDLE_MS = 1000;
/**
 * Files smaller than this are compressed inline even where a worker is
 * available: a few milliseconds of work, not worth starting a thread for.
 */
export const INLINE_BELOW_BYTES = 256 * 1024;

/** Options of {@link gzipFile}. */
export interface GzipFileOptions {
  /** fsync the compressed file before it replaces the original (default false). */
  readonly sync?: boolean;
  /** Deflate level 1 (fastest) to 9 (smallest), with `node:zlib`; default: `CompressionStream`'s own. */
  readonly level?: number;
}

async function closeQuietly(file: FsFile | undefined): Promise<void> {
  try {
    await file?.close();
  } catch {
    // already failing; the first error is the one to report
  }
}

/**
 * Feed `from` through a gzip CompressionStream into `to`. The writer and the
 * reader are driven directly (a pipeTo chain measured about half as fast in
 * Deno and Bun); a failure on either side aborts the other, so nothing hangs.
 */
async function compressWithStream(from: FsFile, to: FsFile): Promise<void> {
  const gzip = new CompressionStream("gzip");
  const writer = gzip.writable.getWriter();
  const reader = gzip.readable.getReader();
  let failure: unknown;
  const drain = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await to.write(value);
    }
  })().catch((e) => {
    failure ??= e;
    // Unblocks a write waiting on backpressure.
    writer.abort(e).catch(() => {});
  });
  try {
    for (;;) {
      // A fresh buffer per chunk: the compressor may still hold the previous one.
      const buffer = new Uint8Array(CHUNK_BYTES);
      const n = await from.read(buffer);
      if (n === 0) break;
      await writer.write(buffer.subarray(0, n));
    }
    await writer.close();
  } catch (e) {
    failure ??= e;
    writer.abort(e).catch(() => {});
    reader.cancel(e).catch(() => {});
  }
  await drain;
  if (failure !== undefined) throw failure;
}

/**
 * Feed `from` through a `node:zlib` gzip at `level` into `to`, one chunk at a
 * time: each chunk is deflated (on the runtime's thread pool, where it has one)
 * and its output written before the next is read, so memory stays at about a
 * chunk, and an error on either side ends the loop without leaving the other
 * waiting.
 */
async function compressWithZlib(zlib: Any, level: number, from: FsFile, to: FsFile): Promise<void> {
  const gzip = zlib.createGzip({ level, chunkSize: CHUNK_BYTES });
  const output: Uint8Array[] = [];
  gzip.on("data", (chunk: Uint8Array) => output.push(chunk));
  const failed = new Promise<never>((_, reject) => gzip.once("error", reject));
  failed.catch(() => {}); // observed through the races below
  const ended = new Promise<void>((resolve) => gzip.once("end", resolve));
  const writeOutput = async () => {
    for (const chunk of output.splice(0)) await to.write(chunk);
  };
  try {
    for (;;) {
      // A fresh buffer per chunk: the compressor may still hold the previous one.
      const buffer = new Uint8Array(CHUNK_BYTES);
      const n = await from.read(buffer);
      if (n === 0) break;
      const written = new Promise<void>((resolve, reject) =>
        gzip.write(buffer.subarray(0, n), (e: unknown) => e ? reject(e) : resolve())
      );
      await Promise.race([written, failed]);
      await writeOutput();
    }
    gzip.end();
    await Promise.race([ended, failed]);
    await writeOutput();
  } finally {
    gzip.destroy();
  }
}

/**
 * Compress `src` into `dst` (through `dst + ".tmp"`), then remove `src`.
 * On failure, `src` is untouched and no `dst` or temporary file is left.
 */
export async function gzipFile(fs: FsAdapter, src: string, dst: string, options: GzipFileOptions = {}): Promise<void> {
  const tmp = dst + ".tmp";
  let input: FsFile | undefined;
  let output: FsFile | undefined;
  try {
    input = await fs.open(src, "read");
    output = await fs.open(tmp, "write");
    const zlib = options.level === undefined ? undefined : builtin("node:zlib");
    if (zlib) await compressWithZlib(zlib, options.level!, input, output);
    else await compressWithStream(input, output);
    if (options.sync) output.syncSync();
    const out = output;
    output = undefined;
    await out.close();
    const inp = input;
    input = undefined;
    await inp.close();
    await fs.rename(tmp, dst);
  } catch (e) {
    await closeQuietly(input);
    await closeQuietly(output);
    await fs.remove(tmp).catch(() => {});
    throw e;
  }
  try {
    await fs.remove(src);
  } catch (e) {
    // Both copies would hold the same lines: drop the new one so each line exists once.
    await fs.remove(dst).catch(() => {});
    throw e;
  }
}

/** Where one compression ran. */
export type GzipPlace = "inline" | "worker";

/** Runs compressions: inline, or in a worker thread. */
export interface GzipRunner {
  /** Where large files are compressed: "inline" or "worker". */
  readonly where: GzipPlace;
  /** Compress `src` into `dst` (see {@link gzipFile}); resolves with where it ran. */
  run(src: string, dst: string, options?: GzipFileOptions): Promise<GzipPlace>;
  /**
   * Start compressing `src` now, without yielding, when it would run in a
   * worker (a synchronous stat, then the job is posted): so a caller that
   * never yields still gets its rotated files compressed while it logs.
   * Returns the job (as {@link GzipRunner.run} would), or undefined when the
   * file would be compressed inline: inline work must not run on the write
   * path, so the caller runs it later with {@link GzipRunner.run}.
   */
  start?(src: string, dst: string, options?: GzipFileOptions): Promise<GzipPlace> | undefined;
  /** End the worker, if any. Jobs still running are rejected. */
  close(): void;
}

/** A compression error as it crosses the worker boundary. */
interface JobReply {
  readonly id: number;
  readonly ok: boolean;
  readonly message?: string;
  readonly code?: string;
}

class WorkerGzip implements GzipRunner {
  readonly where = "worker";
  #worker: Any;
  #nextId = 1;
  #jobs = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #broken = false;
  /** Used inline when the worker cannot run. */
  readonly #fs: FsAdapter;

  constructor(fs: FsAdapter) {
    this.#fs = fs;
  }

  async run(src: string, dst: string, options: GzipFileOptions = {}): Promise<GzipPlace> {
    const size = (await this.#fs.stat(src).catch(() => null))?.size ?? Infinity;
    return this.#post(src, dst, options, size) ?? this.#inline(src, dst, options);
  }

  start(src: string, dst: string, options: GzipFileOptions = {}): Promise<GzipPlace> | undefined {
    let size = Infinity;
    try {
      size = this.#fs.statSync(src)?.size ?? Infinity;
    } catch {
      // as in run(): an unknown size goes to the worker, which reports what is wrong with the file
    }
    return this.#post(src, dst, options, size);
  }

  /**
   * Post the job to the worker now (synchronously) and return its outcome, or
   * undefined when this file is compressed inline (small, or no worker).
   */
  #post(src: string, dst: string, options: GzipFileOptions, size: number): Promise<GzipPlace> | undefined {
    if (this.#broken || size < INLINE_BELOW_BYTES) return undefined;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    let worker: Any;
    try {
      worker = this.#ensureWorker();
    } catch {
      this.#broken = true;
      return undefined;
    }
    const id = this.#nextId++;
    // Posted within the executor: a postMessage that throws becomes this job's failure, never the caller's.
    const reply = new Promise<void>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      worker.postMessage({ id, src, dst, sync: options.sync === true, level: options.level });
    });
    return this.#settle(reply, src, dst, options);
  }

  async #settle(reply: Promise<void>, src: string, dst: string, options: GzipFileOptions): Promise<GzipPlace> {
    try {
      await reply;
    } catch (e) {
      if (!(e instanceof WorkerFailed)) throw e;
      // The worker itself failed (could not load, crashed): do this job here, and the next ones too.
      this.#broken = true;
      return this.#inline(src, dst, options);
    } finally {
      if (this.#jobs.size === 0 && this.#worker) {
        clearTimeout(this.#idleTimer);
        this.#idleTimer = setTimeout(() => this.close(), WORKER_IDLE_MS);
      }
    }
    return "worker";
  }

  async #inline(src: string, dst: string, options: GzipFileOptions): Promise<GzipPlace> {
    await gzipFile(this.#fs, src, dst, options);
    return "inline";
  }

  #ensureWorker(): Any {
    if (this.#worker) return this.#worker;
    const W = (globalThis as Any).Worker;
    const worker = new W(new URL("./gzip_worker.ts", import.meta.url).href, { type: "module" });
    worker.onmessage = (ev: { data: JobReply }) => {
      const reply = ev.data;
      const job = this.#jobs.get(reply.id);
      if (!job) return;
      this.#jobs.delete(reply.id);
      if (reply.ok) job.resolve();
      else job.reject(Object.assign(new Error(reply.message ?? "compression failed"), { code: reply.code }));
    };
    worker.onerror = (ev: Any) => {
      ev?.preventDefault?.();
      this.#failAll(new WorkerFailed(String(ev?.message ?? "the compression worker failed")));
    };
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    this.#terminate();
    for (const job of jobs) job.reject(error);
  }

  #terminate(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const worker = this.#worker;
    this.#worker = undefined;
    worker?.terminate();
  }

  close(): void {
    this.#failAll(new Error("the file sink stopped before compression finished; the rotated file is kept"));
  }
}

class WorkerFailed extends Error {}

class InlineGzip implements GzipRunner {
  readonly where = "inline";
  readonly #fs: FsAdapter;
  constructor(fs: FsAdapter) {
    this.#fs = fs;
  }
  async run(src: string, dst: string, options?: GzipFileOptions): Promise<GzipPlace> {
    await gzipFile(this.#fs, src, dst, options);
    return "inline";
  }
  close(): void {}
}

/**
 * The compression runner for a file sink. `injected` is true when the sink
 * was given its own adapter: then compression goes through that adapter,
 * inline, so its behaviour (and injected faults) apply.
 */
export function gzipRunner(fs: FsAdapter, injected: boolean): GzipRunner {
  const kind = detectRuntime();
  const hasWorker = typeof (globalThis as Any).Worker === "function";
  if (!injected && hasWorker && (kind === "deno" || kind === "bun")) {
    return new WorkerGzip(fs);
  }
  return new InlineGzip(fs);
}
