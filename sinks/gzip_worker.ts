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

scope.onmessage = async (ev: { data: { id: number; src: string; dst: string; sync: boolean; level?: number } }) => {
  const { id, src, dst, sync, level } = ev.data;
  try {
    await gzipFile(pickFs(), src, dst, { sync, level });
    scope.postMessage({ id, ok: true });
  } catch (e) {
    scope.postMessage({ id, ok: false, message: e instanceof Error ? e.message : String(e), code: errorCode(e) });
  }
};
