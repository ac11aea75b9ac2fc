/**
 * The Node filesystem adapter, on `node:fs` reached at run time through
 * `process.getBuiltinModule` (no static `node:*` import, so the module graph
 * stays loadable everywhere). Used on Node and on Bun: there `fs.writeSync`
 * measured level with `Bun.file().writer()` (see `bench/file_rotation.ts
 * --adapters`) and, unlike it, can truncate a torn batch and fsync.
 *
 * @module
 */

import type { FsAdapter, FsFile, FsOpenMode, FsStat } from "../core/fs.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function toStat(s: Any): FsStat {
  return {
    size: Number(s.size),
    mtimeMs: typeof s.mtimeMs === "number" ? s.mtimeMs : null,
    ino: typeof s.ino === "number" ? s.ino : null,
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
  };
}

const FLAGS: Record<FsOpenMode, string> = { append: "a", write: "w", read: "r" };

function syncFile(fs: Any, fd: number): FsFile {
  return {
    writeSync(data) {
      let offset = 0;
      while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    },
    truncateSync(length) {
      fs.ftruncateSync(fd, length);
    },
    syncSync() {
      fs.fdatasyncSync(fd);
    },
    statSync() {
      return toStat(fs.fstatSync(fd));
    },
    closeSync() {
      fs.closeSync(fd);
    },
    read(buffer) {
      return Promise.resolve(fs.readSync(fd, buffer, 0, buffer.length, null));
    },
    write(data) {
      this.writeSync(data);
      return Promise.resolve();
    },
    close() {
      fs.closeSync(fd);
      return Promise.resolve();
    },
  };
}

function asyncFile(handle: Any, fs: Any): FsFile {
  const fd: number = handle.fd;
  return {
    ...syncFile(fs, fd),
    async read(buffer) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      return bytesRead;
    },
    async write(data) {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
        offset += bytesWritten;
      }
    },
    async close() {
      await handle.close();
    },
    closeSync() {
      // A FileHandle must be closed through itself; closing its fd behind its back leaks a warning.
      void handle.close();
    },
  };
}

/**
 * The `node:fs` adapter, or `undefined` when the runtime has no `node:fs`.
 * `name` labels it in stats and diagnostics ("node" or "bun").
 *
 * @example
 * ```ts
 * import { nodeFs } from "./fs.ts";
 * const fs = nodeFs();
 * fs?.mkdirSync("logs");
 * ```
 */
export function nodeFs(name = "node"): FsAdapter | undefined {
  let fs: Any;
  try {
    fs = (globalThis as Any).process?.getBuiltinModule?.("node:fs");
  } catch {
    return undefined;
  }
  if (!fs?.openSync) return undefined;
  const fsp = fs.promises;
  return {
    name,
    openSync(path, mode) {
      return syncFile(fs, fs.openSync(path, FLAGS[mode], 0o644));
    },
    async open(path, mode) {
      return asyncFile(await fsp.open(path, FLAGS[mode], 0o644), fs);
    },
    statSync(path) {
      const s = fs.statSync(path, { throwIfNoEntry: false });
      return s ? toStat(s) : null;
    },
    async stat(path) {
      try {
        return toStat(await fsp.stat(path));
      } catch (e) {
        if ((e as Any)?.code === "ENOENT") return null;
        throw e;
      }
    },
    mkdirSync(path) {
      fs.mkdirSync(path, { recursive: true });
    },
    renameSync(from, to) {
      fs.renameSync(from, to);
    },
    async rename(from, to) {
      await fsp.rename(from, to);
    },
    readDirSync(path) {
      return fs.readdirSync(path);
    },
    async readDir(path) {
      return await fsp.readdir(path);
    },
    async remove(path) {
      await fsp.unlink(path);
    },
  };
}
