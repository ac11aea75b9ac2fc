/**
 * Checks `bench/run.ts` makes after every run, outside the clock: the file
 * has exactly one line per entry, ends with a newline, did not grow after the
 * logger's close resolved, and its first, middle and last lines parse as JSON
 * with the message and the three fields of the right entry, in order. For the
 * null sink: the sink saw one line per entry, and its first and last lines
 * check out the same way.
 *
 * @module
 */

import { readFile, rm } from "node:fs/promises";
import { type CaseResult, fieldsFor, MESSAGE } from "./common.ts";

/** The outcome of checking one run. */
export interface Check {
  readonly ok: boolean;
  readonly reason?: string;
  readonly lines?: number;
  /** Including the newline. */
  readonly bytesPerLine?: number;
}

/** The folder of a file path. */
export function fileDir(file: string): string {
  return file.slice(0, file.lastIndexOf("/"));
}

/** Remove a folder and everything in it; nothing if absent. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Why this line is not entry `i` (message and fields, wherever the library
 * puts them: top level, `data`, or `properties`), or "" when it is.
 */
export function lineProblem(text: string, i: number): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(text);
  } catch {
    return `line ${i + 1} is not JSON: ${text.slice(0, 80)}`;
  }
  const message = obj.msg ?? obj.message;
  if (message !== MESSAGE) return `line ${i + 1}: message ${JSON.stringify(message)}`;
  const holder = [obj, obj.data, obj.properties].find((o) => typeof o === "object" && o !== null && "userId" in o) as
    | Record<string, unknown>
    | undefined;
  const want = fieldsFor(i);
  if (!holder) return `line ${i + 1}: no userId field`;
  if (holder.userId !== want.userId || holder.path !== want.path || holder.ms !== want.ms) {
    return `line ${i + 1}: fields ${JSON.stringify([holder.userId, holder.path, holder.ms])}, expected ` +
      JSON.stringify([want.userId, want.path, want.ms]);
  }
  return "";
}

function fail(reason: string): Check {
  return { ok: false, reason };
}

/** Check the file a run wrote. */
export async function checkFile(file: string, entries: number, sizeAtClose: number | undefined): Promise<Check> {
  let buf: Uint8Array;
  try {
    buf = await readFile(file);
  } catch (err) {
    return fail(`cannot read the output file: ${err}`);
  }
  if (sizeAtClose !== undefined && buf.length !== sizeAtClose) {
    return fail(`the file was ${sizeAtClose} bytes when close resolved, ${buf.length} later`);
  }
  if (buf.length === 0 || buf[buf.length - 1] !== 10) return fail("the file does not end with a newline");
  const middle = entries >> 1;
  const starts: Record<number, number> = { 0: 0 };
  let lines = 0;
  for (let at = buf.indexOf(10); at >= 0; at = buf.indexOf(10, at + 1)) {
    lines++;
    if (lines === middle || lines === entries - 1) starts[lines] = at + 1;
  }
  if (lines !== entries) return fail(`${lines} lines in the file, expected ${entries}`);
  const decoder = new TextDecoder();
  for (const i of [0, middle, entries - 1]) {
    const start = starts[i];
    const text = decoder.decode(buf.subarray(start, buf.indexOf(10, start)));
    const problem = lineProblem(text, i);
    if (problem) return fail(problem);
  }
  return { ok: true, lines, bytesPerLine: buf.length / lines };
}

/** Check what the null sink saw. */
export function checkNullSample(result: CaseResult, entries: number): Check {
  if (result.nullLines !== entries) return fail(`the null sink saw ${result.nullLines} lines, expected ${entries}`);
  for (const [text, i] of [[result.sampleFirst ?? "", 0], [result.sampleLast ?? "", entries - 1]] as const) {
    const problem = lineProblem(text.replace(/\n$/, ""), i);
    if (problem) return fail(problem);
  }
  return { ok: true, lines: entries, bytesPerLine: (result.nullBytes ?? 0) / entries };
}
