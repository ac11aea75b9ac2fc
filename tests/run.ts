/**
 * Runs the test suite under Bun or Node (Deno uses `deno test`): imports every
 * `*_test.ts` file in this folder (or the files named on the command line),
 * runs the registered tests one after another and prints one line per test,
 * then `N passed, N failed`.
 *
 * Usage: `bun tests/run.ts [file...]`, `tsx tests/run.ts [file...]`
 */

import { readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { registered, runtime, setCurrentFile } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const files = args.length > 0
  ? args.map((a) => resolve(a))
  : readdirSync(here).filter((f) => f.endsWith("_test.ts")).sort().map((f) => join(here, f));

for (const file of files) {
  setCurrentFile(basename(file));
  await import(pathToFileURL(file).href);
}

let passed = 0;
let failed = 0;
const started = Date.now();
for (const t of registered) {
  const t0 = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(t.fn),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs);
      }),
    ]);
    passed++;
    console.log(`ok   ${t.file} > ${t.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.file} > ${t.name} (${Date.now() - t0} ms)`);
    console.log(String((e as Error)?.stack ?? e).split("\n").map((l) => "     " + l).join("\n"));
  } finally {
    clearTimeout(timer);
  }
}
console.log(`\n${runtime} suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${runtime}: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
