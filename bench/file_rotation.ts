/**
 * The rotating file sink under load: 1,000,000 entries through `createLogger`
 * into a file, rotating every 10 MB with gzip, against the same run without
 * rotation, and against pino's file destination (`pino.destination(file)`,
 * via `bench/cases/pino.ts`). Every entry is the same message and fields for
 * every library (`bench/cases/common.ts`).
 *
 * Usage (any runtime; each case runs in a fresh process of the same runtime):
 *
 *   deno run -A bench/file_rotation.ts [--entries 1000000] [--runs 5] [--loop tight|yield] [--level 1]
 *   bun bench/file_rotation.ts ...
 *   tsx bench/file_rotation.ts ...
 *   bun bench/file_rotation.ts --adapters     # Bun: node:fs shim vs Bun.file().writer()
 *
 * `--level N` adds a case rotating with gzip through `node:zlib` at level N
 * (`compressionLevel`), beside the default `CompressionStream` case, in the
 * same rounds.
 *
 * End-to-end is from the first log call until `close()` resolved: every byte
 * written and every rotated file compressed. After each fapilog run, outside
 * the clock, the case counts the lines of every file (decompressing the .gz)
 * and fails unless there are exactly as many as entries logged. One warm-up
 * round, then `--runs` counted rounds with the case order rotated each round;
 * the table shows the median and the range.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createLogger } from "../mod.ts";
import { type FsAdapter, type FsFile, pickFs } from "../core/fs.ts";
import { rotatingFile, type RotatingFileSink } from "../sinks/rotating_file.ts";
import { type CaseArgs, type CaseLogger, type CaseResult, type Fields, MESSAGE, runCase } from "./cases/common.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const argv: string[] = g.Deno ? g.Deno.args : process.argv.slice(2);

function arg(name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < argv.length ? argv[at + 1] : fallback;
}

/** The cases this file runs itself (pino is `bench/cases/pino.ts`). */
type OwnCase = "rotate" | "plain" | "plain-bunsink";

/**
 * A Bun-only adapter writing the active file through `Bun.file(path).writer()`
 * (a FileSink), everything else through the node:fs shim: the alternative the
 * `--adapters` comparison measures against the shim alone.
 */
function bunFileSinkAdapter(): FsAdapter {
  const shim = pickFs();
  return {
    ...shim,
    name: "bun-filesink",
    openSync(path, mode) {
      if (mode !== "append") return shim.openSync(path, mode);
      const meta = shim.openSync(path, "append");
      const writer = g.Bun.file(path).writer({ highWaterMark: 1 << 20 });
      const file: FsFile = {
        ...meta,
        writeSync(data) {
          writer.write(data);
          const n = writer.flush();
          if (typeof n !== "number") throw new Error("Bun FileSink flushed asynchronously");
        },
        closeSync() {
          writer.end();
          meta.closeSync();
        },
      };
      return file;
    },
  };
}

async function countLines(dir: string): Promise<{ lines: number; files: number; gz: number }> {
  let lines = 0;
  let gz = 0;
  const names = readdirSync(dir);
  for (const name of names) {
    let bytes: Uint8Array = readFileSync(join(dir, name));
    if (name.endsWith(".gz")) {
      gz++;
      const stream = new Blob([bytes as BufferSource]).stream().pipeThrough(new DecompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    }
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
  }
  return { lines, files: names.length, gz };
}

/** Child process: one case, timed by `runCase`, then checked. */
async function runOwnCase(which: OwnCase): Promise<void> {
  let sink: RotatingFileSink | undefined;
  let dir = "";
  // When the first entry was logged and when the last batch reached the file (compressions may still run).
  let firstCallAt = 0;
  let lastWriteAt = 0;
  const level = arg("level", "");
  async function build(args: CaseArgs): Promise<CaseLogger> {
    dir = args.file.slice(0, args.file.lastIndexOf("/"));
    sink = rotatingFile(args.file, {
      rotation: which === "rotate" ? "10 MB" : 0,
      compression: which === "rotate",
      compressionLevel: which === "rotate" && level !== "" ? Number(level) : undefined,
      fs: which === "plain-bunsink" ? bunFileSinkAdapter() : undefined,
    });
    const writeBatchSync = sink.writeBatchSync.bind(sink);
    sink.writeBatchSync = (views) => {
      writeBatchSync(views);
      lastWriteAt = performance.now();
    };
    const log = createLogger({ name: "bench", sinks: [sink], env: {} });
    await log.ready();
    return {
      note: which === "rotate"
        ? `rotatingFile(rotation 10 MB, gzip${level !== "" ? ` level ${level}` : ""})`
        : `rotatingFile(no rotation) ${which}`,
      log(fields: Fields): void {
        if (firstCallAt === 0) firstCallAt = performance.now();
        log.info(MESSAGE, fields as unknown as Record<string, unknown>);
      },
      async close(): Promise<void> {
        const r = await log.close();
        const s = r.sinks.rotating_file;
        if (s.written !== r.submitted || s.failed !== 0 || r.droppedTotal !== 0) {
          throw new Error(`not every entry was written: ${JSON.stringify(s)} submitted ${r.submitted}`);
        }
      },
    };
  }
  await runCase(`fapilog-${which}`, build);
  const check = await countLines(dir);
  const stats = sink!.stats();
  process.stdout.write(
    "FILE_CHECK " + JSON.stringify({
      ...check,
      writtenMs: lastWriteAt - firstCallAt,
      rotations: stats.rotations,
      compressions: stats.compressions,
      adapter: sink!.adapterName,
      compressionRunsIn: sink!.compressionRunsIn,
    }) + "\n",
  );
}

interface Row {
  readonly label: string;
  readonly results: CaseResult[];
  readonly checks: Record<string, unknown>[];
}

function scriptCommand(file: string, extra: string[]): [string, string[]] {
  if (g.Deno) return [g.Deno.execPath(), ["run", "-A", file, ...extra]];
  if (g.Bun) return [process.execPath, [file, ...extra]];
  return [process.execPath, [...process.execArgv, file, ...extra]];
}

function runChild(script: string, extra: string[]): { result: CaseResult; check?: Record<string, unknown> } {
  const [cmd, args] = scriptCommand(script, extra);
  const out = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  const lines = (out.stdout ?? "").split("\n");
  const res = lines.find((l) => l.startsWith("BENCH_RESULT "));
  if (out.status !== 0 || !res) {
    throw new Error(`case failed (${extra.join(" ")}):\n${out.stdout}\n${out.stderr}`);
  }
  const check = lines.find((l) => l.startsWith("FILE_CHECK "));
  return {
    result: JSON.parse(res.slice("BENCH_RESULT ".length)),
    check: check ? JSON.parse(check.slice("FILE_CHECK ".length)) : undefined,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmtMs(xs: number[]): string {
  return `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
}

function orchestrate(): void {
  const self = fileURLToPath(import.meta.url);
  const pinoCase = fileURLToPath(new URL("./cases/pino.ts", import.meta.url));
  const entries = arg("entries", "1000000");
  const runs = Number(arg("runs", "5"));
  const loop = arg("loop", "tight");
  const adapters = argv.includes("--adapters");
  const level = arg("level", "");
  const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${process.version}`;
  if (adapters && !g.Bun) {
    throw new Error("--adapters compares Bun's own file writer with the node:fs shim: run it with bun");
  }
  const cases: { label: string; script: string; extra: string[] }[] = adapters
    ? [
      { label: "fapilog, node:fs shim (no rotation)", script: self, extra: ["--case", "plain"] },
      { label: "fapilog, Bun.file().writer() (no rotation)", script: self, extra: ["--case", "plain-bunsink"] },
    ]
    : [
      { label: "fapilog, no rotation", script: self, extra: ["--case", "plain"] },
      { label: "fapilog, rotate 10 MB + gzip", script: self, extra: ["--case", "rotate"] },
      ...(level !== ""
        ? [{
          label: `fapilog, rotate 10 MB + gzip level ${level}`,
          script: self,
          extra: ["--case", "rotate", "--level", level],
        }]
        : []),
      { label: "pino.destination(file)", script: pinoCase, extra: [] },
    ];
  const rows: Row[] = cases.map((c) => ({ label: c.label, results: [], checks: [] }));
  const base = mkdtempSync(join(tmpdir(), "fapilog-bench-"));
  try {
    for (let round = 0; round <= runs; round++) {
      // Rotate the order each round so drift on a shared machine hits every case alike.
      for (let k = 0; k < cases.length; k++) {
        const i = (k + round) % cases.length;
        const dir = join(base, `r${round}-${i}`);
        const file = join(dir, "app.log");
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const { result, check } = runChild(cases[i].script, [
          ...cases[i].extra,
          "--dest",
          "file",
          "--loop",
          loop,
          "--entries",
          entries,
          "--file",
          file,
        ]);
        if (check && check.lines !== Number(entries)) {
          throw new Error(`${cases[i].label}: ${check.lines} lines in the files, expected ${entries}`);
        }
        if (round > 0) {
          rows[i].results.push(result);
          if (check) rows[i].checks.push(check);
        }
        rmSync(dir, { recursive: true, force: true });
        process.stderr.write(`round ${round} ${cases[i].label}: ${result.e2eMs.toFixed(0)} ms\n`);
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  const n = Number(entries);
  const e2e = (r: Row) => median(r.results.map((x) => x.e2eMs));
  console.log(`\n${runtime}, ${n.toLocaleString("en")} entries, ${loop} loop, ${runs} runs (median, min–max)\n`);
  console.log(
    "| case | end-to-end ms | all written ms | in-call ms | entries/s (e2e) | bytes/line | peak RSS MiB | files (gz) | vs first row |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const sample = r.results[0];
    const check = r.checks[0];
    // With rotation the active file is only the tail; the size of one unrotated run is the honest figure.
    const bytesPerLine = sample.sizeAtClose !== undefined && !(check && Number(check.rotations) > 0)
      ? (sample.sizeAtClose / n).toFixed(0)
      : "";
    console.log(
      `| ${r.label} | ${fmtMs(r.results.map((x) => x.e2eMs))} | ${
        r.checks.length > 0 ? fmtMs(r.checks.map((c) => Number(c.writtenMs))) : ""
      } | ${fmtMs(r.results.map((x) => x.inCallMs))} | ${
        Math.round(n / (e2e(r) / 1000)).toLocaleString("en")
      } | ${bytesPerLine} | ${(median(r.results.map((x) => x.peakRssBytes)) / 2 ** 20).toFixed(0)} | ${
        check ? `${check.files} (${check.gz})` : "1"
      } | ${(e2e(rows[0]) / e2e(r)).toFixed(2)}x |`,
    );
  }
  if (!adapters) {
    const pino = rows.at(-1)!;
    const written = (r: Row) => median(r.checks.map((c) => Number(c.writtenMs)));
    console.log("");
    for (const r of rows.slice(1, -1)) {
      console.log(
        `${r.label} / no rotation: end-to-end ${(e2e(rows[0]) / e2e(r)).toFixed(2)}x, until all written ${
          (written(rows[0]) / written(r)).toFixed(2)
        }x; vs pino end-to-end ${(e2e(pino) / e2e(r)).toFixed(2)}x faster`,
      );
    }
    console.log(`fapilog (no rotation) vs pino, end-to-end: ${(e2e(pino) / e2e(rows[0])).toFixed(2)}x faster`);
    const c = rows[1].checks[0];
    if (c) console.log(`adapter ${c.adapter}, compression runs ${c.compressionRunsIn}`);
  }
}

const own = arg("case", "");
if (own === "rotate" || own === "plain" || own === "plain-bunsink") await runOwnCase(own);
else orchestrate();
