import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createLogger } from "../mod.ts";
import { type FsAdapter, type FsFile, pickFs } from "../core/fs.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { DrainResult, LogEntry } from "../core/types.ts";
import { rotatingFile, type RotatingFileOptions } from "../sinks/rotating_file.ts";
import { removeDir, tempDir, test } from "./harness.ts";

const decoder = new TextDecoder();

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BufferSource]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `data.seq` of every entry in a log directory, in file order (rotated files by name, then the active file). */
async function seqsInDir(dir: string): Promise<number[]> {
  const names = readdirSync(dir).sort();
  const gz = names.filter((n) => n.endsWith(".gz")).map((n) => `${dir}/${n}`);
  if (gz.length > 0) execFileSync("gzip", ["-t", ...gz]);
  const out: number[] = [];
  for (const name of names) {
    let bytes: Uint8Array = readFileSync(`${dir}/${name}`);
    if (name.endsWith(".gz")) bytes = await gunzip(bytes);
    const text = decoder.decode(bytes);
    ok(text === "" || text.endsWith("\n"), `${name} holds whole lines only`);
    for (const line of text.split("\n")) if (line !== "") out.push((JSON.parse(line) as LogEntry).data.seq as number);
  }
  return out;
}

function fallbackSeqs(chunks: string[]): number[] {
  return chunks.join("").split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as LogEntry).data.seq as number);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function counter(r: DrainResult, key: string): number {
  const v = r.sinks.rotating_file[key];
  strictEqual(typeof v, "number", `rotating_file.${key} is a number`);
  return v as number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The faults a {@link FaultyFs} can inject; each is an error code, or undefined for none. */
interface Faults {
  /** Writes to the active file fail; `partial` writes half the bytes first (a torn write). */
  write?: string;
  partial?: boolean;
  /** Opening the active file (append) fails. */
  open?: string;
  rename?: string;
  /** Writes to compressed output (`.gz.tmp`) fail. */
  gzipWrite?: string;
  /** Removing files fails (retention). */
  remove?: string;
}

function fault(code: string, syscall: string, path = ""): Error {
  return Object.assign(new Error(`${code}: injected fault, ${syscall} '${path}'`), { code, syscall, path });
}

/** A real adapter with switchable faults: the sink under test cannot tell them from the real thing. */
function faultyFs(faults: Faults): FsAdapter {
  const real = pickFs();
  function activeFile(file: FsFile): FsFile {
    return {
      ...file,
      writeSync(data) {
        if (faults.write) {
          if (faults.partial) file.writeSync(data.subarray(0, data.length >> 1));
          throw fault(faults.write, "write");
        }
        file.writeSync(data);
      },
    };
  }
  return {
    ...real,
    name: "faulty",
    openSync(path, mode) {
      if (mode === "append" && faults.open) throw fault(faults.open, "open", path);
      return activeFile(real.openSync(path, mode));
    },
    async open(path, mode) {
      const file = await real.open(path, mode);
      if (mode !== "write") return file;
      return {
        ...file,
        write(data) {
          return faults.gzipWrite ? Promise.reject(fault(faults.gzipWrite, "write", path)) : file.write(data);
        },
      };
    },
    renameSync(from, to) {
      if (faults.rename) throw fault(faults.rename, "rename", from);
      real.renameSync(from, to);
    },
    remove(path) {
      return faults.remove ? Promise.reject(fault(faults.remove, "unlink", path)) : real.remove(path);
    },
  };
}

/** A logger over one rotating file sink, recording fallback output and diagnostics. */
function setup(path: string, options: RotatingFileOptions) {
  const fallback: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const log = createLogger({
    name: "app",
    sinks: [rotatingFile(path, options)],
    env: {},
    fallback: (text) => fallback.push(text),
    onDiagnostic: (d) => diagnostics.push(d),
    // Every failed batch is an error for the breaker; keep it closed so the test sees each fault's own accounting.
    circuitBreakerThreshold: 1_000_000,
  });
  return { log, fallback, diagnostics };
}

function mentions(diagnostics: Diagnostic[], pattern: RegExp): boolean {
  return diagnostics.some((d) => pattern.test(d.message + " " + JSON.stringify(d.fields ?? {})));
}

test("disk full: a torn batch is cut off the file and goes whole to the fallback; writing resumes after", async () => {
  const dir = await tempDir();
  try {
    const faults: Faults = {};
    const { log, fallback, diagnostics } = setup(`${dir}/app.log`, { fs: faultyFs(faults), rotation: "4 KB" });
    for (let i = 0; i < 100; i++) log.info("before", { seq: i });
    await log.flush();
    faults.write = "ENOSPC";
    faults.partial = true;
    for (let i = 100; i < 200; i++) log.info("disk full", { seq: i });
    await log.flush();
    faults.write = undefined;
    for (let i = 200; i < 300; i++) log.info("after", { seq: i });
    const r = await log.close();
    deepStrictEqual(await seqsInDir(dir), [...range(0, 100), ...range(200, 300)]);
    deepStrictEqual(fallbackSeqs(fallback), range(100, 200));
    strictEqual(r.sinks.rotating_file.written, 200);
    strictEqual(r.sinks.rotating_file.failed, 100);
    strictEqual(r.fallback, 100);
    strictEqual(r.sinks.rotating_file.written + r.sinks.rotating_file.failed + r.droppedTotal, r.submitted);
    ok(counter(r, "writeErrors") >= 1);
    ok(mentions(diagnostics, /ENOSPC/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("disk full for real: writes to /dev/full are counted, reported and sent to the fallback", async () => {
  const dir = await tempDir();
  try {
    symlinkSync("/dev/full", `${dir}/app.log`);
    const { log, fallback, diagnostics } = setup(`${dir}/app.log`, {});
    for (let i = 0; i < 50; i++) log.info("nowhere", { seq: i });
    const r = await log.close();
    deepStrictEqual(fallbackSeqs(fallback), range(0, 50));
    strictEqual(r.sinks.rotating_file.failed, 50);
    strictEqual(r.sinks.rotating_file.written, 0);
    ok(counter(r, "writeErrors") >= 1);
    ok(mentions(diagnostics, /ENOSPC|No space left/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
}, { runtimes: existsSync("/dev/full") ? ["deno", "bun", "node"] : [] });

test("permission denied on open: entries go to the fallback until the file can be opened", async () => {
  const dir = await tempDir();
  try {
    // Injected: the tests run as root, and chmod does not stop root.
    const faults: Faults = { open: "EACCES" };
    const { log, fallback, diagnostics } = setup(`${dir}/app.log`, { fs: faultyFs(faults) });
    for (let i = 0; i < 50; i++) log.info("denied", { seq: i });
    await log.flush();
    faults.open = undefined;
    for (let i = 50; i < 100; i++) log.info("allowed", { seq: i });
    const r = await log.close();
    deepStrictEqual(await seqsInDir(dir), range(50, 100));
    deepStrictEqual(fallbackSeqs(fallback), range(0, 50));
    strictEqual(r.sinks.rotating_file.failed, 50);
    strictEqual(r.sinks.rotating_file.written, 50);
    ok(counter(r, "openErrors") >= 2, "at start and at the first write");
    ok(mentions(diagnostics, /EACCES/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("rename failure: rotation is retried later and no entry is lost meanwhile", async () => {
  const dir = await tempDir();
  try {
    const faults: Faults = { rename: "EBUSY" };
    const { log, fallback, diagnostics } = setup(`${dir}/app.log`, { fs: faultyFs(faults), rotation: 2048 });
    for (let i = 0; i < 100; i++) log.info("stuck", { seq: i });
    await log.flush();
    ok(readFileSync(`${dir}/app.log`).length > 2048, "the active file grows past the limit rather than lose entries");
    faults.rename = undefined;
    await sleep(1100); // the sink waits a second before trying to rotate again
    for (let i = 100; i < 200; i++) log.info("unstuck", { seq: i });
    const r = await log.close();
    deepStrictEqual(await seqsInDir(dir), range(0, 200));
    deepStrictEqual(fallback, []);
    strictEqual(r.sinks.rotating_file.failed, 0);
    ok(counter(r, "rotationErrors") >= 1);
    ok(counter(r, "rotations") >= 1);
    ok(mentions(diagnostics, /rotation failed.*EBUSY/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("directory removed: the sink recreates it and reopens the file on the next write", async () => {
  const dir = await tempDir();
  try {
    const logs = `${dir}/logs`;
    const { log, fallback, diagnostics } = setup(`${logs}/app.log`, { rotation: 2048, compression: true });
    for (let i = 0; i < 100; i++) log.info("doomed", { seq: i });
    await log.flush();
    rmSync(logs, { recursive: true, force: true });
    for (let i = 100; i < 300; i++) log.info("reborn", { seq: i });
    const r = await log.close();
    deepStrictEqual(await seqsInDir(logs), range(100, 300));
    deepStrictEqual(fallback, []);
    strictEqual(counter(r, "reopens"), 1);
    ok(counter(r, "rotations") > 2);
    ok(mentions(diagnostics, /removed/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("compression failure keeps the rotated file uncompressed, counted and reported", async () => {
  const dir = await tempDir();
  try {
    const faults: Faults = { gzipWrite: "ENOSPC" };
    const { log, fallback, diagnostics } = setup(`${dir}/app.log`, {
      fs: faultyFs(faults),
      rotation: 2048,
      compression: true,
    });
    for (let i = 0; i < 100; i++) log.info("kept plain", { seq: i });
    const r = await log.close();
    const names = readdirSync(dir);
    ok(names.every((n) => !n.endsWith(".gz") && !n.endsWith(".tmp")), names.join(" "));
    deepStrictEqual(await seqsInDir(dir), range(0, 100));
    deepStrictEqual(fallback, []);
    ok(counter(r, "rotations") > 2);
    strictEqual(counter(r, "compressionErrors"), counter(r, "rotations"));
    strictEqual(counter(r, "compressions"), 0);
    ok(mentions(diagnostics, /could not be compressed.*ENOSPC/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("retention that cannot delete is counted and reported, and keeps the files", async () => {
  const dir = await tempDir();
  try {
    const faults: Faults = { remove: "EPERM" };
    const { log, diagnostics } = setup(`${dir}/app.log`, { fs: faultyFs(faults), rotation: 2048, retention: 1 });
    for (let i = 0; i < 100; i++) log.info("undeletable", { seq: i });
    const r = await log.close();
    deepStrictEqual(await seqsInDir(dir), range(0, 100));
    ok(counter(r, "retentionErrors") >= 1);
    strictEqual(counter(r, "retentionDeleted"), 0);
    ok(mentions(diagnostics, /retention could not delete/), JSON.stringify(diagnostics));
  } finally {
    await removeDir(dir);
  }
});

test("a runtime without a filesystem (workerd) says so at start, and entries go to the fallback", async () => {
  const { build } = await import("esbuild");
  const { Miniflare } = await import("miniflare");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const script = `
    import { createLogger } from "./mod.ts";
    import { rotatingFile } from "./sinks/rotating_file.ts";
    export default {
      async fetch() {
        const diagnostics = [];
        const fallback = [];
        const log = createLogger({ name: "edge", sinks: [rotatingFile("logs/app.log")], env: {},
          onDiagnostic: (d) => diagnostics.push(d.message), fallback: (t) => fallback.push(t) });
        log.info("hello from the edge");
        const r = await log.close();
        return Response.json({ diagnostics, fallback, sink: r.sinks.rotating_file });
      },
    };`;
  const bundle = await build({
    stdin: { contents: script, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
  });
  const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: "2025-01-01" });
  try {
    const res = await mf.dispatchFetch("http://edge.test/");
    const body = await res.json() as { diagnostics: string[]; fallback: string[]; sink: Record<string, number> };
    match(body.diagnostics[0], /failed to start: .*this runtime has no filesystem/);
    strictEqual(body.fallback.length, 1);
    match(body.fallback[0], /hello from the edge/);
    strictEqual(body.sink.failed, 1);
  } finally {
    await mf.dispose();
  }
  // What runs is workerd; the host runtime only drives it, so one host is enough.
}, { runtimes: ["node"], sanitize: false, timeoutMs: 120_000 });

test("writes after stop() are refused, not lost silently", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/app.log`);
    sink.startSync();
    await sink.stop();
    let error: unknown;
    try {
      sink.writeBatchSync([]);
    } catch (e) {
      error = e;
    }
    match(String(error), /stopped/);
  } finally {
    await removeDir(dir);
  }
});
