/**
 * The compression worker of the file sink (Deno and Bun): receives
 * `{id, src, dst, sync, level?}`, gzips `src` into `dst` with the runtime's own
 * filesystem adapter and replies `{id, ok, message?, code?}`. Started by
 * `file_compression.ts`; not meant to be imported.
 *
 * @module
 */

import { errorCode, pickFs } from "../core/fs.ts";
import { gzipFile } from "./file_compression.ts";

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;

/** Jobs run one after another, in the order posted (oldest rotated file first), each with its own files open. */
let queue: Promise<void> = Promise.resolve();

async function job(data: { id: number; src: string; dst: string; sync: boolean; level?: number }): Promise<void> {
  const { id, src, dst, sync, level } = data;
  try {
    await gzipFile(pickFs(), src, dst, { sync, level });
    scope.postMessage({ id, ok: true });
  } catch (e) {
    scope.postMessage({ id, ok: false, message: e instanceof Error ? e.message : String(e), code: errorCode(e) });
  }
}

scope.onmessage = (ev: { data: { id: number; src: string; dst: string; sync: boolean; level?: number } }) => {
  // job() reports its own failures; the catch only keeps the queue going whatever happens.
  queue = queue.then(() => job(ev.data)).catch(() => {});
};
