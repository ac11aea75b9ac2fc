import { deepStrictEqual, match, ok, strictEqual, throws } from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { createLogger } from "../mod.ts";
import { ConfigError } from "../core/errors.ts";
import { envOptions, resolveSinkSettings } from "../core/settings.ts";
import { formatTextLine } from "../core/text_format.ts";
import type { DrainResult, LogEntry } from "../core/types.ts";
import { rotatingFile, rotatingFileSpec } from "../sinks/rotating_file.ts";
import { nextBoundaryMs, periodStartMs, RotationNamer, splitFilePath } from "../sinks/rotation_naming.ts";
import { removeDir, runtime, tempDir, test } from "./harness.ts";
import { RecordingHost, views } from "./fixtures/recording_host.ts";

const decoder = new TextDecoder();

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BufferSource]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every file of a log directory in name order (= rotation order, active file last), with its lines. */
async function readLogDir(dir: string): Promise<{ name: string; lines: string[]; bytes: number }[]> {
  const names = readdirSync(dir).sort();
  const gz = names.filter((n) => n.endsWith(".gz")).map((n) => `${dir}/${n}`);
  if (gz.length > 0) execFileSync("gzip", ["-t", ...gz]); // the system's gzip accepts every rotated file
  const out = [];
  for (const name of names) {
    let bytes: Uint8Array = readFileSync(`${dir}/${name}`);
    const onDisk = bytes.length;
    if (name.endsWith(".gz")) bytes = await gunzip(bytes);
    const text = decoder.decode(bytes);
    ok(text === "" || text.endsWith("\n"), `${name} ends with a newline`);
    out.push({ name, lines: text === "" ? [] : text.slice(0, -1).split("\n"), bytes: onDisk });
  }
  return out;
}

/** The `data.seq` of every JSON line, in file order. */
function seqs(files: { lines: string[] }[]): number[] {
  return files.flatMap((f) => f.lines.map((l) => (JSON.parse(l) as LogEntry).data.seq as number));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** A numeric counter of a sink in a drain result. */
function counter(r: DrainResult, key: string, sink = "rotating_file"): number {
  const v = r.sinks[sink][key];
  strictEqual(typeof v, "number", `${sink}.${key} is a number`);
  return v as number;
}

function accounted(r: DrainResult, sink = "rotating_file"): void {
  const s = r.sinks[sink];
  strictEqual(s.written + s.failed + s.dropped + r.droppedTotal, r.submitted, "delivered + dropped == submitted");
  strictEqual(r.drained, true);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ROTATED = /^app\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z\.\d{4}\.log(\.gz)?$/;

test("size rotation: every entry lands exactly once, in order, and no file passes the limit", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/logs/app.log`, { rotation: "4 KB" });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    for (let i = 0; i < 2000; i++) log.info("request handled", { seq: i, path: "/api/items" });
    const r = await log.close();
    accounted(r);
    strictEqual(r.sinks.rotating_file.written, 2000);
    const files = await readLogDir(`${dir}/logs`);
    deepStrictEqual(seqs(files), range(0, 2000));
    strictEqual(files.at(-1)!.name, "app.log");
    const rotated = files.slice(0, -1);
    for (const [k, f] of rotated.entries()) {
      match(f.name, ROTATED);
      ok(f.bytes <= 4000, `${f.name} has ${f.bytes} bytes`);
      // the limit is used: the next file's first entry would not have fitted
      const next = files[k + 1].lines[0];
      ok(f.bytes + new TextEncoder().encode(next).length + 1 > 4000, `${f.name} was rotated too early`);
    }
    strictEqual(r.sinks.rotating_file.rotations, files.length - 1);
    ok(files.length > 50);
  } finally {
    await removeDir(dir);
  }
});

test("gzip: rotated files decompress to exactly the lines written and pass gzip -t", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/app.log`, { rotation: 4096, compression: true });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    for (let i = 0; i < 1500; i++) log.info("gz", { seq: i });
    const r = await log.close();
    accounted(r);
    const files = await readLogDir(dir);
    const rotated = files.slice(0, -1);
    ok(rotated.length > 20);
    for (const f of rotated) match(f.name, /\.log\.gz$/);
    deepStrictEqual(seqs(files), range(0, 1500));
    strictEqual(r.sinks.rotating_file.compressions, rotated.length);
    strictEqual(r.sinks.rotating_file.compressionErrors, 0);
    strictEqual(r.sinks.rotating_file.pendingCompressions, 0);
  } finally {
    await removeDir(dir);
  }
});

test("large rotated files are compressed in a worker on Deno and Bun, inline (zlib's thread pool) on Node", async () => {
  const dir = await tempDir();
  try {
    const log = createLogger({
      name: "app",
      sinks: [rotatingFile(`${dir}/app.log`, { rotation: "300 KB", compression: true })],
      env: {},
    });
    const pad = "x".repeat(200);
    for (let i = 0; i < 2500; i++) log.info("big", { seq: i, pad });
    const r = await log.close();
    accounted(r);
    const files = await readLogDir(dir);
    deepStrictEqual(seqs(files), range(0, 2500));
    const rotations = counter(r, "rotations");
    ok(rotations >= 2);
    strictEqual(counter(r, "compressions"), rotations);
    strictEqual(counter(r, "compressionsInWorker"), runtime === "node" ? 0 : rotations);
  } finally {
    await removeDir(dir);
  }
});

test("a tight loop that rotates gets its compressions started in the worker before it yields (Deno, Bun)", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/app.log`, { rotation: "300 KB", compression: true, compressionLevel: 1 });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    await log.ready();
    const pad = "x".repeat(200);
    const before = sink.stats();
    strictEqual(before.compressionsStarted, 0);
    for (let i = 0; i < 5000; i++) log.info("big", { seq: i, pad });
    // No await since the loop: whatever rotated during it must have its compression posted already.
    const during = sink.stats();
    const r = await log.close();
    accounted(r);
    deepStrictEqual(seqs(await readLogDir(dir)), range(0, 5000));
    const rotations = counter(r, "rotations");
    ok(rotations >= 2);
    strictEqual(counter(r, "compressions"), rotations);
    if (runtime === "node") {
      strictEqual(counter(r, "compressionsStarted"), 0, "Node compresses inline, in the background loop");
    } else {
      ok(during.rotations >= 2, `the caller wrote and rotated in the loop (${during.rotations} rotations)`);
      strictEqual(during.compressionsStarted, during.rotations, "each rotation started its compression at once");
      strictEqual(counter(r, "compressionsStarted"), rotations);
      strictEqual(counter(r, "compressionsInWorker"), rotations);
    }
  } finally {
    await removeDir(dir);
  }
});

test("compressionLevel 1 gzips rotated files with node:zlib: every entry exactly once, gzip -t passes", async () => {
  const dir = await tempDir();
  try {
    const log = createLogger({
      name: "app",
      // From the settings dict, as `compression_level`, the same as the factory's `compressionLevel`.
      sinks: [{
        type: "rotating_file",
        path: `${dir}/app.log`,
        max_bytes: "300 KB",
        compression: true,
        compression_level: 1,
      }],
      env: {},
    });
    const pad = "x".repeat(200);
    for (let i = 0; i < 3000; i++) log.info("fast gzip", { seq: i, pad, n: Math.random() });
    const r = await log.close();
    accounted(r);
    strictEqual(r.sinks.rotating_file.written, 3000);
    const files = await readLogDir(dir); // runs gzip -t on every .gz
    deepStrictEqual(seqs(files), range(0, 3000));
    const rotated = files.slice(0, -1);
    ok(rotated.length >= 3);
    for (const f of rotated) {
      match(f.name, /\.log\.gz$/);
      // The gzip header's XFL byte is 4 ("fastest") only when deflate ran at level 1: zlib, not CompressionStream.
      strictEqual(readFileSync(`${dir}/${f.name}`)[8], 4, `${f.name} was deflated at level 1`);
    }
    strictEqual(counter(r, "compressions"), rotated.length);
    strictEqual(counter(r, "compressionErrors"), 0);
    strictEqual(counter(r, "compressionsInWorker"), runtime === "node" ? 0 : rotated.length);
    ok(!readdirSync(dir).some((n) => n.endsWith(".tmp")));
  } finally {
    await removeDir(dir);
  }
});

test("a compression level outside 1-9 is a ConfigError naming compressionLevel / compression_level", () => {
  for (const bad of [0, 10, "fast"]) {
    throws(
      // deno-lint-ignore no-explicit-any
      () => rotatingFile("a.log", { compression: true, compressionLevel: bad as any }),
      (e: Error) =>
        e instanceof ConfigError && e.key === "compressionLevel" &&
        e.message.includes(`from 1 to 9, got ${JSON.stringify(bad)}`),
    );
    throws(
      () =>
        resolveSinkSettings(
          rotatingFileSpec,
          { type: "rotating_file", path: "a.log", compression_level: bad },
          {},
          "sinks[0]",
        ),
      (e: Error) => e instanceof ConfigError && e.key === "sinks[0].compression_level" && /from 1 to 9/.test(e.message),
    );
    throws(
      () => envOptions(rotatingFileSpec, { FAPILOG_FILE__COMPRESSION_LEVEL: String(bad) }),
      (e: Error) =>
        e instanceof ConfigError && e.key === "FAPILOG_FILE__COMPRESSION_LEVEL" && /from 1 to 9/.test(e.message),
    );
  }
  deepStrictEqual(envOptions(rotatingFileSpec, { FAPILOG_FILE__COMPRESSION_LEVEL: "9" }), { compressionLevel: 9 });
});

test("hundreds of rotations within milliseconds, gzip on: names unique and sorted, nothing lost", async () => {
  const dir = await tempDir();
  try {
    const host = new RecordingHost();
    const sink = rotatingFile(`${dir}/app.log`, { rotation: 100, compression: true });
    sink.startSync(host);
    // Each entry is larger than the limit: one file per entry, all in one synchronous call.
    sink.writeBatchSync(views(120));
    await sink.stop();
    const files = await readLogDir(dir);
    strictEqual(files.length, 120);
    strictEqual(new Set(files.map((f) => f.name)).size, 120);
    const order = files.flatMap((f) => f.lines.map((l) => (JSON.parse(l) as LogEntry).data.i));
    deepStrictEqual(order, range(0, 120));
    for (const f of files.slice(0, -1)) {
      match(f.name, /\.log\.gz$/);
      strictEqual(f.lines.length, 1, "an entry larger than the limit is alone in its file, never split");
    }
    strictEqual(sink.stats().rotations, 119);
    strictEqual(sink.stats().compressions, 119);
    deepStrictEqual(host.diagnostics, []);
  } finally {
    await removeDir(dir);
  }
});

test("retention keeps the newest rotated files by count", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/app.log`, { rotation: 2048, retention: 3, compression: true });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    for (let i = 0; i < 1000; i++) log.info("kept?", { seq: i });
    const r = await log.close();
    accounted(r);
    const files = await readLogDir(dir);
    strictEqual(files.length, 4, files.map((f) => f.name).join(" "));
    const kept = seqs(files);
    // what is left is the newest entries, each once, up to the last one logged
    deepStrictEqual(kept, range(1000 - kept.length, 1000));
    strictEqual(counter(r, "retentionDeleted"), counter(r, "rotations") - 3);
    strictEqual(counter(r, "retentionErrors"), 0);
  } finally {
    await removeDir(dir);
  }
});

test("retention by total bytes keeps the newest rotated files within the budget", async () => {
  const dir = await tempDir();
  try {
    const sink = rotatingFile(`${dir}/app.log`, { rotation: 2000, maxTotalBytes: 7000 });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    for (let i = 0; i < 600; i++) log.info("budget", { seq: i });
    const r = await log.close();
    accounted(r);
    const files = await readLogDir(dir);
    const rotatedBytes = files.slice(0, -1).reduce((n, f) => n + f.bytes, 0);
    ok(rotatedBytes <= 7000, `rotated files hold ${rotatedBytes} bytes`);
    // Each rotated file holds at most 2000 bytes: had the budget room for the next older one, it would be kept.
    ok(rotatedBytes > 7000 - 2000, `rotated files hold ${rotatedBytes} bytes`);
    ok(counter(r, "retentionDeleted") > 0);
    const kept = seqs(files);
    deepStrictEqual(kept, range(600 - kept.length, 600));
  } finally {
    await removeDir(dir);
  }
});

test("time rotation every second at wall-clock boundaries, with and without gzip: every entry exactly once", async () => {
  const dir = await tempDir();
  try {
    // Two sinks take the same entries: one gzips its rotated files, one keeps them plain.
    const log = createLogger({
      name: "app",
      sinks: [
        rotatingFile(`${dir}/gz/app.log`, { rotation: 0, interval: 1, compression: true, name: "gz" }),
        rotatingFile(`${dir}/plain/app.log`, { rotation: 0, interval: 1, name: "plain" }),
      ],
      env: {},
    });
    let seq = 0;
    const rotations = (sink: string) => Number(log.stats().sinks[sink]?.rotations ?? 0);
    // Keep writing (a batch every ~100 ms) until both sinks rotated twice; the bound only stops a broken sink.
    const giveUpAt = Date.now() + 15_000;
    while ((rotations("gz") < 2 || rotations("plain") < 2) && Date.now() < giveUpAt) {
      for (let i = 0; i < 50; i++) log.info("tick", { seq: seq++ });
      await sleep(100); // the logger writes the batch meanwhile
    }
    const r = await log.close();
    for (const sink of ["gz", "plain"]) {
      accounted(r, sink);
      const files = await readLogDir(`${dir}/${sink}`);
      deepStrictEqual(seqs(files), range(0, seq));
      ok(counter(r, "rotations", sink) >= 2, `${sink} rotations: ${counter(r, "rotations", sink)}`);
      for (const f of files.slice(0, -1)) {
        match(f.name, sink === "gz" ? /\.log\.gz$/ : /\.\d{4}\.log$/);
        // Rotated only once a boundary passed after the file's first entry, and after its last entry.
        const rotatedAt = Date.parse(f.name.slice(4, 14) + f.name.slice(14, 28).replace(/-/g, ":"));
        const first = JSON.parse(f.lines[0]) as LogEntry;
        const last = JSON.parse(f.lines.at(-1)!) as LogEntry;
        ok(Math.floor(rotatedAt / 1000) > Math.floor(Date.parse(first.timestamp) / 1000), f.name);
        ok(rotatedAt >= Date.parse(last.timestamp), f.name);
      }
    }
  } finally {
    await removeDir(dir);
  }
});

test("rotation boundaries are UTC hours, days, ISO weeks and multiples of N seconds", () => {
  const t = Date.UTC(2026, 10, 25, 5, 42, 17, 123); // Wednesday
  strictEqual(periodStartMs("hourly", t), Date.UTC(2026, 10, 25, 5));
  strictEqual(nextBoundaryMs("hourly", t), Date.UTC(2026, 10, 25, 6));
  strictEqual(nextBoundaryMs("daily", t), Date.UTC(2026, 10, 26));
  strictEqual(periodStartMs("weekly", t), Date.UTC(2026, 10, 23), "Monday 00:00 UTC");
  strictEqual(nextBoundaryMs("weekly", t), Date.UTC(2026, 10, 30));
  strictEqual(nextBoundaryMs({ everyMs: 15 * 60_000 }, t), Date.UTC(2026, 10, 25, 5, 45));
  strictEqual(nextBoundaryMs("daily", Date.UTC(2026, 10, 25)), Date.UTC(2026, 10, 26), "a boundary starts a period");
});

test("rotated names are unique and time-sortable, also within one millisecond and after a restart", () => {
  const namer = new RotationNamer("app", ".log");
  const t = Date.UTC(2026, 10, 24, 5, 0, 0, 123);
  strictEqual(namer.next(t), "app.2026-11-24T05-00-00.123Z.0001.log");
  strictEqual(namer.next(t), "app.2026-11-24T05-00-00.123Z.0002.log");
  // the clock stepping back never produces an older (or equal) name
  strictEqual(namer.next(t - 5000), "app.2026-11-24T05-00-00.123Z.0003.log");
  const restarted = new RotationNamer("app", ".log");
  restarted.observe("app.2026-11-24T05-00-00.123Z.0041.log.gz");
  restarted.observe("other.2026-11-24T05-00-00.123Z.0099.log");
  strictEqual(restarted.next(t), "app.2026-11-24T05-00-00.123Z.0042.log");
  const names = [];
  for (let i = 0; i < 10_050; i++) names.push(restarted.next(t));
  deepStrictEqual([...names].sort(), names, "string order is rotation order");
  strictEqual(new Set(names).size, names.length);
  deepStrictEqual(restarted.parse("app.2026-11-24T05-00-00.123Z.0042.log.gz"), {
    base: "app.2026-11-24T05-00-00.123Z.0042.log",
    compressed: true,
    partial: false,
    rotatedAtMs: t,
    seq: 42,
  });
  strictEqual(restarted.parse("app.log"), null);
  deepStrictEqual(splitFilePath("logs/app.log"), { dir: "logs", stem: "app", ext: ".log" });
  deepStrictEqual(splitFilePath("app"), { dir: ".", stem: "app", ext: "" });
});

test("a restart appends to the active file and keeps rotating after the earlier run's files", async () => {
  const dir = await tempDir();
  try {
    for (let run = 0; run < 3; run++) {
      const log = createLogger({
        name: "app",
        sinks: [rotatingFile(`${dir}/app.log`, { rotation: 3000, compression: run === 1 })],
        env: {},
      });
      for (let i = 0; i < 100; i++) log.info("run", { seq: run * 100 + i });
      accounted(await log.close());
    }
    const files = await readLogDir(dir);
    deepStrictEqual(seqs(files), range(0, 300));
    strictEqual(new Set(files.map((f) => f.name)).size, files.length);
  } finally {
    await removeDir(dir);
  }
});

test("a daily file left from an earlier day is rotated at start, before new entries", async () => {
  const dir = await tempDir();
  try {
    const old = JSON.stringify({ timestamp: "2026-01-01T10:00:00.000Z", data: { seq: -1 } });
    writeFileSync(`${dir}/app.log`, old + "\n");
    const yesterday = (Date.now() - 86_400_000) / 1000;
    utimesSync(`${dir}/app.log`, yesterday, yesterday);
    const log = createLogger({ name: "app", sinks: [rotatingFile(`${dir}/app.log`, { interval: "daily" })], env: {} });
    log.info("today", { seq: 0 });
    const r = await log.close();
    accounted(r);
    const files = await readLogDir(dir);
    strictEqual(files.length, 2);
    deepStrictEqual(files[0].lines, [old]);
    deepStrictEqual(seqs([files[1]]), [0]);
    strictEqual(r.sinks.rotating_file.rotations, 1);
  } finally {
    await removeDir(dir);
  }
});

test("text mode writes one line per entry: timestamp | LEVEL | logger | message key=value, escaped", async () => {
  const dir = await tempDir();
  try {
    const lines: string[] = [];
    const capture = {
      name: "capture",
      write: () => Promise.resolve(),
      writeBatchSync: (vs: readonly { entry: LogEntry }[]) => {
        for (const v of vs) lines.push(formatTextLine(v.entry));
      },
    };
    const log = createLogger({
      name: "app",
      level: "DEBUG",
      sinks: [rotatingFile(`${dir}/app.log`, { mode: "text", rotation: 1000 }), capture],
      env: {},
    });
    log.info("two\nlines", { path: "/a b", quote: 'say "hi"', n: 1 });
    log.warning("forged\r\n2026-01-01 00:00:00.000 | ERROR    | app | fake");
    for (let i = 0; i < 20; i++) log.debug("many", { i });
    accounted(await log.close());
    const files = await readLogDir(dir);
    ok(files.length > 1, "text mode rotates too");
    const written = files.flatMap((f) => f.lines);
    deepStrictEqual(written, lines);
    strictEqual(written.length, 22);
    match(
      written[0],
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \| INFO {5}\| app \| two\\nlines path="\/a b" quote="say \\"hi\\"" n=1/,
    );
    match(written[1], /\| WARNING {2}\| app \| forged\\r\\n2026-01-01/);
  } finally {
    await removeDir(dir);
  }
});

test("the settings dict and the FAPILOG_FILE__* variables configure the same sink as the factory", async () => {
  const dir = await tempDir();
  try {
    const dict = {
      type: "rotating_file",
      path: `${dir}/dict/app.log`,
      max_bytes: "2 KB",
      max_files: 2,
      compress_rotated: "true",
      mode: "text",
      interval_seconds: "daily",
    };
    // With no sinks given and FAPILOG_FILE__DIRECTORY set, the default sink is this file.
    const env = {
      FAPILOG_FILE__DIRECTORY: `${dir}/env`,
      FAPILOG_FILE__MAX_BYTES: "2 KB",
      FAPILOG_FILE__MAX_FILES: "2",
      FAPILOG_FILE__COMPRESS_ROTATED: "true",
      FAPILOG_FILE__MODE: "text",
      FAPILOG_FILE__INTERVAL_SECONDS: "daily",
    };
    const fromCode = rotatingFile(`${dir}/code/app.log`, {
      rotation: "2 KB",
      retention: 2,
      compression: true,
      mode: "text",
      interval: "daily",
    });
    const runs = [
      { where: "dict", file: "app.log", options: { sinks: [dict], env: {} } },
      { where: "env", file: "fapilog.log", options: { env } },
      { where: "code", file: "app.log", options: { sinks: [fromCode], env: {} } },
    ];
    for (const { where, file, options } of runs) {
      const log = createLogger({ name: "app", ...options });
      for (let i = 0; i < 100; i++) log.info("same", { i });
      accounted(await log.close());
      const files = await readLogDir(`${dir}/${where}`);
      strictEqual(files.length, 3, `${where}: two rotated files kept, plus the active one`);
      strictEqual(files.at(-1)!.name, file);
      ok(files.slice(0, -1).every((f) => f.name.endsWith(".gz") && f.bytes < 2000));
      match(files.at(-1)!.lines.at(-1)!, /\| INFO {5}\| app \| same i=99$/);
    }
  } finally {
    await removeDir(dir);
  }
});

test("bad settings are one ConfigError naming the key, the value and the accepted forms", () => {
  throws(() => rotatingFile("logs/app.log", { rotation: "lots" }), (e: Error) => {
    ok(e instanceof ConfigError);
    strictEqual(e.key, "rotation");
    match(e.message, /10 MB.*got "lots"/);
    return true;
  });
  throws(() => rotatingFile("logs/", {}), (e: Error) => e instanceof ConfigError && e.key === "path");
  throws(
    () => rotatingFile("a.log", { interval: "fortnightly" }),
    (e: Error) => e instanceof ConfigError && e.key === "interval",
  );
  // deno-lint-ignore no-explicit-any
  throws(() => rotatingFile("a.log", { mode: "xml" as any }), /mode: expected one of "json", "text"/);
  throws(
    () => envOptions(rotatingFileSpec, { FAPILOG_FILE__MAX_FILES: "-1" }),
    (e: Error) => e instanceof ConfigError && e.key === "FAPILOG_FILE__MAX_FILES",
  );
  throws(
    () => resolveSinkSettings(rotatingFileSpec, { type: "rotating_file", rotate: "1 MB" }, {}, "sinks[0]"),
    (e: Error) => e instanceof ConfigError && e.key === "sinks[0].rotate" && /rotation/.test(e.message),
  );
  throws(() => rotatingFileSpec.create({}), (e: Error) => e instanceof ConfigError && e.key === "path");
});

test("the directory is created when missing, and fsync mode still writes every entry", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/a/b/c/app.log`;
    ok(!existsSync(`${dir}/a`));
    const sink = rotatingFile(path, { fsync: true, rotation: 1500 });
    const log = createLogger({ name: "app", sinks: [sink], env: {} });
    await log.ready();
    for (let i = 0; i < 50; i++) log.info("durable", { seq: i });
    accounted(await log.close());
    deepStrictEqual(seqs(await readLogDir(`${dir}/a/b/c`)), range(0, 50));
  } finally {
    await removeDir(dir);
  }
});

test("start-up recovery: an unfinished compression is discarded and the rotated file compressed again", async () => {
  const dir = await tempDir();
  try {
    mkdirSync(`${dir}/logs`);
    const base = "app.2026-11-24T05-00-00.123Z.0001.log";
    const line = JSON.stringify({ data: { seq: 0 } });
    writeFileSync(`${dir}/logs/${base}`, line + "\n");
    writeFileSync(`${dir}/logs/${base}.gz.tmp`, "partial");
    // a complete .gz beside its original: the crash came before the original was removed
    const base2 = "app.2026-11-24T05-00-00.123Z.0002.log";
    writeFileSync(`${dir}/logs/${base2}`, JSON.stringify({ data: { seq: 1 } }) + "\n");
    const gz = new Uint8Array(
      await new Response(
        new Blob([JSON.stringify({ data: { seq: 1 } }) + "\n"]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    writeFileSync(`${dir}/logs/${base2}.gz`, gz);
    const log = createLogger({
      name: "app",
      sinks: [rotatingFile(`${dir}/logs/app.log`, { compression: true })],
      env: {},
    });
    log.info("after", { seq: 2 });
    accounted(await log.close());
    const files = await readLogDir(`${dir}/logs`);
    deepStrictEqual(files.map((f) => f.name), [base + ".gz", base2 + ".gz", "app.log"]);
    deepStrictEqual(seqs(files), [0, 1, 2]);
  } finally {
    await removeDir(dir);
  }
});
