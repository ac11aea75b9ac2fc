/**
 * `deno task bench`: fapilog against pino, LogTape and (under Node) winston,
 * logging the same entries into a file and into an in-process null sink,
 * under Deno, Bun and Node, in a tight loop and in a loop that yields to the
 * event loop every 10 calls. Every run is a fresh process (`bench/cases/*.ts`);
 * one warm-up round, then `--runs` counted rounds with the libraries
 * alternating (A B C A B C); each run's output is checked (line count, a
 * parsed first/last line, file size when the clock stopped). Prints one table
 * with medians, ranges and ratios to pino from the same run, and writes it to
 * `bench/out/latest.md`. See `bench/README.md`.
 *
 * Usage: deno run -A bench/run.ts [--runs 5] [--warmup 1] [--entries 200000] [--quick]
 *   [--runtimes deno,bun,node] [--libs fapilog,pino,logtape,winston] [--dests file,null]
 *   [--loops tight,yield] [--fsync] [--only-main] [--extra-timeout 300]
 *
 * @module
 */

import { type CaseResult, MESSAGE } from "./cases/common.ts";
import { type Check, checkFile, checkNullSample, fileDir, median, removeDir } from "./cases/verify.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const argv = Deno.args;

function opt(name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < argv.length ? argv[at + 1] : fallback;
}

function list(name: string, fallback: string): string[] {
  return opt(name, fallback).split(",").map((s) => s.trim()).filter((s) => s !== "");
}

const quick = argv.includes("--quick");
const runs = Number(opt("runs", quick ? "2" : "5"));
const warmup = Number(opt("warmup", "1"));
const entries = Number(opt("entries", quick ? "20000" : "200000"));
const fsync = argv.includes("--fsync");
const onlyMain = argv.includes("--only-main");
const extraTimeoutMs = Number(opt("extra-timeout", quick ? "180" : "300")) * 1000;
const childTimeoutMs = 300_000;
for (const [k, v] of [["runs", runs], ["warmup", warmup], ["entries", entries]] as const) {
  if (!Number.isInteger(v) || v < (k === "warmup" ? 0 : 1)) throw new Error(`--${k} must be a whole number, got ${v}`);
}

type Runtime = "deno" | "bun" | "node";
const LIBS = ["fapilog", "pino", "pino-async", "logtape", "winston"] as const;
type Lib = typeof LIBS[number];
const libsWanted = list("libs", "fapilog,pino,logtape,winston") as Lib[];
for (const l of libsWanted) if (!LIBS.includes(l)) throw new Error(`--libs: unknown library ${l}`);
if (!libsWanted.includes("pino")) throw new Error("--libs must include pino: every ratio is to pino");
const dests = list("dests", "file,null") as ("file" | "null")[];
const loops = list("loops", "tight,yield") as ("tight" | "yield")[];

// ---------------------------------------------------------------- runtimes

interface RuntimeCmd {
  readonly name: Runtime;
  readonly cmd: string;
  readonly pre: string[];
  readonly version: string;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function version(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
  } catch {
    return "?";
  }
}

async function findRuntimes(): Promise<{ found: RuntimeCmd[]; missing: string[] }> {
  const bin = `${ROOT}/node_modules/.bin`;
  const found: RuntimeCmd[] = [];
  const missing: string[] = [];
  for (const name of list("runtimes", "deno,bun,node") as Runtime[]) {
    if (name === "deno") {
      const cmd = exists(`${bin}/deno`) ? `${bin}/deno` : Deno.execPath();
      found.push({ name, cmd, pre: ["run", "-A"], version: (await version(cmd, ["--version"])).replace(/ \(.*/, "") });
    } else if (name === "bun") {
      if (exists(`${bin}/bun`)) {
        found.push({ name, cmd: `${bin}/bun`, pre: [], version: `bun ${await version(`${bin}/bun`, ["--version"])}` });
      } else missing.push("bun (node_modules/.bin/bun missing: run npm install)");
    } else if (name === "node") {
      if (exists(`${bin}/tsx`)) {
        found.push({ name, cmd: `${bin}/tsx`, pre: [], version: `node ${await version("node", ["--version"])} (tsx)` });
      } else missing.push("node (node_modules/.bin/tsx missing: run npm install)");
    } else throw new Error(`--runtimes: unknown runtime ${name}`);
  }
  return { found, missing };
}

function libsFor(rt: Runtime): Lib[] {
  return libsWanted.filter((l) => l !== "winston" || rt === "node");
}

// ---------------------------------------------------------------- one run

interface Run {
  readonly result?: CaseResult;
  readonly check: Check;
}

async function runChild(rt: RuntimeCmd, lib: Lib, dest: string, loop: string, file: string): Promise<Run> {
  const script = `bench/cases/${lib === "pino-async" ? "pino" : lib}.ts`;
  const args = [...rt.pre, script, "--dest", dest, "--loop", loop, "--entries", String(entries), "--file", file];
  if (lib === "pino-async") args.push("--variant", "async");
  if (fsync) args.push("--fsync");
  await removeDir(fileDir(file));
  await Deno.mkdir(fileDir(file), { recursive: true });
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(rt.cmd, {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(childTimeoutMs),
    }).output();
  } catch (err) {
    return { check: { ok: false, reason: `could not run: ${err}` } };
  }
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (!out.success || !line) {
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    return { check: { ok: false, reason: `exit ${out.code}${out.signal ? ` ${out.signal}` : ""}: ${tail}` } };
  }
  const result = JSON.parse(line.slice("BENCH_RESULT ".length)) as CaseResult;
  if (!result.ok) return { result, check: { ok: false, reason: result.reason ?? "not available" } };
  const check = dest === "file" ? await checkFile(file, entries, result.sizeAtClose) : checkNullSample(result, entries);
  await removeDir(fileDir(file));
  return { result, check };
}

// ---------------------------------------------------------------- stats and table

interface Row {
  readonly runtime: Runtime;
  readonly lib: Lib;
  readonly dest: string;
  readonly loop: string;
  readonly ok: Run[];
  readonly failures: string[];
  note: string;
}

function ms(xs: number[]): string {
  if (xs.length === 0) return "–";
  const f = (x: number) => x >= 100 ? x.toFixed(0) : x.toFixed(1);
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

function e2es(r: Row): number[] {
  return r.ok.map((x) => x.result!.e2eMs);
}
function inCalls(r: Row): number[] {
  return r.ok.map((x) => x.result!.inCallMs);
}
function rsses(r: Row): number[] {
  return r.ok.map((x) => x.result!.peakRssBytes / 2 ** 20);
}

function ratio(xs: number[], base: number[]): string {
  if (xs.length === 0 || base.length === 0) return "–";
  return `${(median(xs) / median(base)).toFixed(2)}x`;
}

function caseLabel(dest: string, loop: string): string {
  return `${dest}, ${loop === "yield" ? "yield/10" : "tight"}`;
}

function table(rows: Row[]): string[] {
  const out = [
    "| runtime | library | case | end-to-end ms | in-call ms | lines | bytes/line | peak RSS MiB | e2e / pino | in-call / pino | RSS / pino |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const pino = rows.find((p) =>
      p.runtime === r.runtime && p.dest === r.dest && p.loop === r.loop && p.lib === "pino"
    );
    const lines = r.ok.length ? r.ok[0].check.lines!.toLocaleString("en") : "–";
    const bpl = r.ok.length ? r.ok[0].check.bytesPerLine!.toFixed(0) : "–";
    const status = r.failures.length ? ` **${r.failures.length} failed**` : "";
    out.push(
      `| ${r.runtime} | ${r.lib}${status} | ${caseLabel(r.dest, r.loop)} | ${ms(e2es(r))} | ${
        ms(inCalls(r))
      } | ${lines} | ${bpl} | ${ms(rsses(r))} | ${pino ? ratio(e2es(r), e2es(pino)) : "–"} | ${
        pino ? ratio(inCalls(r), inCalls(pino)) : "–"
      } | ${pino ? ratio(rsses(r), rsses(pino)) : "–"} |`,
    );
  }
  return out;
}

function targets(rows: Row[]): string[] {
  const out = [
    "| runtime | case | e2e speedup vs pino (target >= 2x) | in-call / pino (target <= 0.5) | peak RSS / pino (target <= 1) |",
    "|---|---|---|---|---|",
  ];
  let met = 0;
  let total = 0;
  for (const r of rows.filter((x) => x.lib === "fapilog")) {
    const pino = rows.find((p) =>
      p.runtime === r.runtime && p.dest === r.dest && p.loop === r.loop && p.lib === "pino"
    );
    if (!pino || !r.ok.length || !pino.ok.length) continue;
    const cell = (good: boolean, text: string) => {
      total++;
      if (good) met++;
      return `${text} ${good ? "met" : "**missed**"}`;
    };
    const speedup = median(e2es(pino)) / median(e2es(r));
    const inCall = median(inCalls(r)) / median(inCalls(pino));
    const rss = median(rsses(r)) / median(rsses(pino));
    const e2eCell = r.dest === "file" ? cell(speedup >= 2, `${speedup.toFixed(2)}x`) : `${speedup.toFixed(2)}x`;
    out.push(
      `| ${r.runtime} | ${caseLabel(r.dest, r.loop)} | ${e2eCell} | ${cell(inCall <= 0.5, inCall.toFixed(2))} | ${
        cell(rss <= 1, rss.toFixed(2))
      } |`,
    );
  }
  out.push("", `${met} of ${total} target cells met (the end-to-end target applies to the file cases).`);
  return out;
}

// ---------------------------------------------------------------- extra sections

async function extraSections(found: RuntimeCmd[]): Promise<string[]> {
  const out: string[] = [];
  // Both scripts are other files' own benches: their arguments are theirs. http_rate takes the entries per run
  // as its one positional argument; file_rotation runs 1,000,000 entries by default, cut to the main table's
  // size here so the whole bench stays within about 15 minutes on 2 cores.
  const sections: { script: string; runtimes: Runtime[]; args: string[] }[] = [
    { script: "bench/http_rate.ts", runtimes: ["deno", "bun"], args: quick ? ["50000"] : [] },
    {
      script: "bench/file_rotation.ts",
      runtimes: ["deno", "bun", "node"],
      args: quick ? ["--entries", "100000", "--runs", "1"] : ["--entries", "200000"],
    },
  ];
  for (const s of sections) {
    if (!exists(`${ROOT}/${s.script}`)) {
      out.push(`## ${s.script}`, "", "not present in this checkout: skipped", "");
      continue;
    }
    for (const rt of found.filter((r) => s.runtimes.includes(r.name))) {
      const started = performance.now();
      console.error(`extra: ${s.script} under ${rt.name} ${s.args.join(" ")}`);
      out.push(`## ${s.script} (${rt.version}) ${s.args.join(" ")}`.trimEnd(), "");
      try {
        const res = await new Deno.Command(rt.cmd, {
          args: [...rt.pre, s.script, ...s.args],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(extraTimeoutMs),
        }).output();
        const text = new TextDecoder().decode(res.stdout).trim();
        out.push(text || "(no output)");
        if (!res.success) {
          const err = new TextDecoder().decode(res.stderr).trim().split("\n").slice(-5).join("\n");
          out.push("", `exit ${res.code}${res.signal ? ` (${res.signal}, limit ${extraTimeoutMs / 1000} s)` : ""}:`);
          out.push("```", err, "```");
        }
      } catch (err) {
        out.push(`could not run: ${err}`);
      }
      out.push("", `(${((performance.now() - started) / 1000).toFixed(0)} s)`, "");
    }
  }
  return out;
}

// ---------------------------------------------------------------- main

async function machine(): Promise<string> {
  let cpu = "?";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? "?";
  } catch { /* not Linux */ }
  const mem = Deno.systemMemoryInfo().total / 2 ** 30;
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${mem.toFixed(0)} GiB RAM, ${Deno.build.os}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const { found, missing } = await findRuntimes();
  const work = `${ROOT}/bench/out/tmp-${Deno.pid}`;
  const rows: Row[] = [];
  try {
    for (const rt of found) {
      for (const dest of dests) {
        for (const loop of loops) {
          const libs = libsFor(rt.name);
          const caseRows = libs.map((lib): Row => ({
            runtime: rt.name,
            lib,
            dest,
            loop,
            ok: [],
            failures: [],
            note: "",
          }));
          rows.push(...caseRows);
          for (let round = 0; round < warmup + runs; round++) {
            for (const row of caseRows) {
              const run = await runChild(rt, row.lib, dest, loop, `${work}/${row.lib}/bench.log`);
              const counted = round >= warmup;
              const tag = counted ? `run ${round - warmup + 1}/${runs}` : "warm-up";
              if (run.result?.note) row.note = run.result.note;
              if (!run.check.ok) {
                if (counted || !run.result) row.failures.push(run.check.reason ?? "failed");
                console.error(`${rt.name} ${caseLabel(dest, loop)} ${tag} ${row.lib}: FAILED ${run.check.reason}`);
                continue;
              }
              if (counted) row.ok.push(run);
              console.error(
                `${rt.name} ${caseLabel(dest, loop)} ${tag} ${row.lib}: e2e ${run.result!.e2eMs.toFixed(0)} ms, ` +
                  `in-call ${run.result!.inCallMs.toFixed(0)} ms`,
              );
            }
          }
        }
      }
    }
  } finally {
    await removeDir(work);
  }

  const header = [
    `# Logger benchmark, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `${entries.toLocaleString("en")} entries of \`info("${MESSAGE}", { userId, path, ms })\` per run; ` +
    `${warmup} warm-up + ${runs} counted runs per row, each a fresh process, libraries alternating; ` +
    `median (min–max). Ratios are medians divided by pino's median in the same runtime and case, ` +
    `from this run (below 1 = less time or memory than pino).${fsync ? " End-to-end includes one fsync." : ""}`,
    "",
    `Machine: ${await machine()}. Runtimes: ${found.map((r) => r.version).join(", ")}.` +
    (missing.length ? ` Skipped: ${missing.join("; ")}.` : ""),
    "",
    "end-to-end: first call until the logger's close/flush resolved (file: every byte written, checked against the " +
    "size at that moment); in-call: time inside the log calls (tight: the whole loop; yield/10: the 10-call runs " +
    "between `setImmediate` yields); peak RSS: VmHWM of the child process, read by the child itself from " +
    "/proc/self/status after close; bytes/line includes the newline.",
    "",
  ];
  const failures = rows.filter((r) => r.failures.length).map((r) =>
    `- ${r.runtime} ${r.lib} ${caseLabel(r.dest, r.loop)}: ${[...new Set(r.failures)].join("; ")}`
  );
  const notes: string[] = [];
  for (const key of new Set(rows.map((r) => `${r.lib}, ${r.dest}`))) {
    const same = rows.filter((r) => `${r.lib}, ${r.dest}` === key && r.note !== "");
    const distinct = [...new Set(same.map((r) => r.note))];
    for (const note of distinct) {
      const where = distinct.length > 1 ? ` (${same.filter((r) => r.note === note)[0].runtime})` : "";
      notes.push(`- ${key}${where}: ${note}`);
    }
  }
  const main = [
    ...header,
    ...table(rows),
    "",
    "## fapilog against the targets (shown, not asserted)",
    "",
    ...targets(rows),
    "",
    "## How each library was set up",
    "",
    ...notes,
    ...(failures.length ? ["", "## Failed runs (not counted)", "", ...failures] : []),
    "",
  ];
  console.log(main.join("\n"));
  const extra = onlyMain ? [] : await extraSections(found);
  if (extra.length) console.log(extra.join("\n"));
  const wall = `Total wall time: ${((performance.now() - started) / 60000).toFixed(1)} min` +
    ` (${quick ? "--quick" : `${runs} runs`}).`;
  console.log(wall);
  await Deno.mkdir(`${ROOT}/bench/out`, { recursive: true });
  await Deno.writeTextFile(`${ROOT}/bench/out/latest.md`, [...main, ...extra, wall, ""].join("\n"));
  console.error(`written: bench/out/latest.md`);
}

await main();
