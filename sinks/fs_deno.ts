/**
 * The Deno filesystem adapter, on `Deno.*` APIs reached through `globalThis`
 * when called (never at import time). Loaded by `core/fs.ts` on Deno.
 *
 * @module
 */

import type { FsAdapter, FsFile, FsOpenMode, FsStat } from "../core/fs.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function toStat(s: Any): FsStat {
  return {
    size: s.size,
    mtimeMs: s.mtime ? s.mtime.getTime() : null,
    ino: typeof s.ino === "number" ? s.ino : null,
    isFile: s.isFile,
    isDirectory: s.isDirectory,
  };
}

function openOptions(mode: FsOpenMode): Record<string, boolean> {
  switch (mode) {
    case "append":
      return { append: true, create: true };
    case "write":
      return { write: true, create: true, truncate: true };
    case "read":
      return { read: true };
  }
}

function wrap(file: Any): FsFile {
  return {
    writeSync(data) {
      let rest = data;
      while (rest.length > 0) rest = rest.subarray(file.writeSync(rest));
    },
    truncateSync(length) {
      file.truncateSync(length);
    },
    syncSync() {
      file.syncDataSync();
    },
    statSync() {
      return toStat(file.statSync());
    },
    closeSync() {
      file.close();
    },
    async read(buffer) {
      return (await file.read(buffer)) ?? 0;
    },
    async write(data) {
      let rest = data;
      while (rest.length > 0) rest = rest.subarray(await file.write(rest));
    },
    close() {
      file.close();
      return Promise.resolve();
    },
  };
}

function isNotFound(e: unknown, D: Any): boolean {
  return e instanceof D.errors.NotFound;
}

/**
 * The Deno adapter. Throws if called outside Deno.
 *
 * @example
 * ```ts
 * import { denoFs } from "./fs_deno.ts";
 * if ("Deno" in globalThis) denoFs().mkdirSync("logs");
 * ```
 */
export function denoFs(): FsAdapter {
  const D: Any = (globalThis as Any).Deno;
  if (!D?.openSync) throw new Error("the Deno filesystem adapter needs the Deno runtime");
  return {
    name: "deno",
    openSync(path, mode) {
      return wrap(D.openSync(path, openOptions(mode)));
    },
    async open(path, mode) {
      return wrap(await D.open(path, openOptions(mode)));
    },
    statSync(path) {
      try {
        return toStat(D.statSync(path));
      } catch (e) {
        if (isNotFound(e, D)) return null;
        throw e;
      }
    },
    async stat(path) {
      try {
        return toStat(await D.stat(path));
      } catch (e) {
        if (isNotFound(e, D)) return null;
        throw e;
      }
    },
    mkdirSync(path) {
      D.mkdirSync(path, { recursive: true });
    },
    renameSync(from, to) {
      D.renameSync(from, to);
    },
    async rename(from, to) {
      await D.rename(from, to);
    },
    readDirSync(path) {
      const names: string[] = [];
      for (const e of D.readDirSync(path)) names.push(e.name);
      return names;
    },
    async readDir(path) {
      const names: string[] = [];
      for await (const e of D.readDir(path)) names.push(e.name);
      return names;
    },
    async remove(path) {
      await D.remove(path);
    },
  };
}
