/**
 * One test file, three runtimes. Under Deno `test()` is `Deno.test` with the
 * leak sanitizers on; under Bun and Node it registers the test with
 * `tests/run.ts`, which runs every `*_test.ts` file in this folder in order.
 *
 * @module
 */

/** The runtimes the suite runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/** Options of one test. */
export interface TestOptions {
  /** Runtimes to run on (default: all three). */
  readonly runtimes?: readonly RuntimeName[];
  /** Deno only: keep the op/resource sanitizers on (default true). */
  readonly sanitize?: boolean;
  /** Per-test time limit under Bun and Node, in ms (default 60000). */
  readonly timeoutMs?: number;
}

/** A registered test (Bun and Node). */
export interface RegisteredTest {
  readonly name: string;
  readonly file: string;
  readonly fn: () => void | Promise<void>;
  readonly timeoutMs: number;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The runtime running this test. */
export const runtime: RuntimeName = g.Deno ? "deno" : g.Bun ? "bun" : "node";

/** Tests registered so far (Bun and Node only). */
export const registered: RegisteredTest[] = [];
let currentFile = "";

/** Set by the runner before importing each file. */
export function setCurrentFile(file: string): void {
  currentFile = file;
}

/** Declare a test. */
export function test(name: string, fn: () => void | Promise<void>, options: TestOptions = {}): void {
  const runtimes = options.runtimes ?? ["deno", "bun", "node"];
  if (runtime === "deno") {
    const sanitize = options.sanitize ?? true;
    g.Deno.test({
      name,
      fn,
      ignore: !runtimes.includes("deno"),
      sanitizeOps: sanitize,
      sanitizeResources: sanitize,
    });
    return;
  }
  if (!runtimes.includes(runtime)) return;
  registered.push({ name, file: currentFile, fn, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** A fresh temporary directory for a test. */
export async function tempDir(prefix = "fapilog-test-"): Promise<string> {
  const fs = g.process.getBuiltinModule("node:fs/promises");
  const os = g.process.getBuiltinModule("node:os");
  const path = g.process.getBuiltinModule("node:path");
  return await fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Remove a directory tree. */
export async function removeDir(dir: string): Promise<void> {
  const fs = g.process.getBuiltinModule("node:fs/promises");
  await fs.rm(dir, { recursive: true, force: true });
}
