/**
 * Names of rotated files and the boundaries of time rotation.
 *
 * The active file keeps the path the user gave (`logs/app.log`). A rotated
 * file is named after the moment it was rotated, plus a sequence number:
 * `app.2026-11-24T05-00-00.123Z.0001.log` (`.gz` appended once compressed).
 * Names sort by rotation time as plain strings, and they never repeat: the
 * sequence grows within one millisecond, the clock is never allowed to run
 * backwards across names, and names already on disk (from earlier runs) are
 * taken into account.
 *
 * @module
 */

import type { Interval } from "../core/units.ts";

/** The directory, stem and extension of the active file's path. */
export interface FilePathParts {
  /** The directory ("." when the path has none). */
  readonly dir: string;
  /** The file name without its extension (`app` for `app.log`). */
  readonly stem: string;
  /** The extension with its dot (`.log`), or "" when there is none. */
  readonly ext: string;
}

/** Split `logs/app.log` into `{dir: "logs", stem: "app", ext: ".log"}`. Accepts `/` and `\` separators. */
export function splitFilePath(path: string): FilePathParts {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dir = slash < 0 ? "." : slash === 0 ? path.slice(0, 1) : path.slice(0, slash);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? { dir, stem: base.slice(0, dot), ext: base.slice(dot) } : { dir, stem: base, ext: "" };
}

/** Join a directory and a file name. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : dir + "/" + name;
}

/** A rotated file recognised by its name. */
export interface RotatedName {
  /** The name without `.gz`: also the sort key (older sorts first). */
  readonly base: string;
  /** Whether this name is the compressed form. */
  readonly compressed: boolean;
  /** Whether this is an unfinished compression (`.gz.tmp`), left by a crash. */
  readonly partial: boolean;
  /** Rotation time, ms since the epoch. */
  readonly rotatedAtMs: number;
  readonly seq: number;
}

const SEQ_MAX = 9999;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, "-");
}

/**
 * Makes unique, time-sortable names for the rotated files of one active file
 * and recognises them (and only them) in a directory listing.
 */
export class RotationNamer {
  readonly #stem: string;
  readonly #ext: string;
  readonly #pattern: RegExp;
  #lastMs = -Infinity;
  #lastSeq = 0;

  constructor(stem: string, ext: string) {
    this.#stem = stem;
    this.#ext = ext;
    this.#pattern = new RegExp(
      "^" + escapeRegExp(stem) + "\\.(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}Z)\\.(\\d{4,})" +
        escapeRegExp(ext) + "(\\.gz(\\.tmp)?)?$",
    );
  }

  /** Recognise a rotated file name of this active file; `null` for any other name. */
  parse(name: string): RotatedName | null {
    const m = this.#pattern.exec(name);
    if (!m) return null;
    const rotatedAtMs = Date.parse(m[1].slice(0, 10) + m[1].slice(10).replace(/-/g, ":"));
    if (!Number.isFinite(rotatedAtMs)) return null;
    const suffix = m[3] ?? "";
    return {
      base: name.slice(0, name.length - suffix.length),
      compressed: suffix === ".gz",
      partial: suffix === ".gz.tmp",
      rotatedAtMs,
      seq: Number(m[2]),
    };
  }

  /** Take a name found on disk into account, so later names sort after it and never equal it. */
  observe(name: string): void {
    const r = this.parse(name);
    if (!r) return;
    if (r.rotatedAtMs > this.#lastMs || (r.rotatedAtMs === this.#lastMs && r.seq > this.#lastSeq)) {
      this.#lastMs = r.rotatedAtMs;
      this.#lastSeq = r.seq;
    }
  }

  /** The next rotated name (without `.gz`), later than every name made or observed so far. */
  next(nowMs: number): string {
    let ms = Math.max(nowMs, this.#lastMs);
    let seq = ms === this.#lastMs ? this.#lastSeq + 1 : 1;
    if (seq > SEQ_MAX) {
      // Ten thousand rotations in one millisecond (or a clock stuck behind the last name):
      // borrow the next millisecond rather than widen the field and break string order.
      ms += 1;
      seq = 1;
    }
    this.#lastMs = ms;
    this.#lastSeq = seq;
    return this.#stem + "." + stampOf(ms) + "." + String(seq).padStart(4, "0") + this.#ext;
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// 1970-01-01 was a Thursday; UTC weeks start on Monday, four days later.
const WEEK_OFFSET_MS = 4 * DAY_MS;

function periodOf(interval: Interval): { lengthMs: number; offsetMs: number } {
  if (interval === "hourly") return { lengthMs: HOUR_MS, offsetMs: 0 };
  if (interval === "daily") return { lengthMs: DAY_MS, offsetMs: 0 };
  if (interval === "weekly") return { lengthMs: 7 * DAY_MS, offsetMs: WEEK_OFFSET_MS };
  return { lengthMs: interval.everyMs, offsetMs: 0 };
}

/**
 * The start of the rotation period containing `nowMs`: the UTC hour, day or
 * ISO week (Monday 00:00), or a multiple of N seconds since the epoch.
 */
export function periodStartMs(interval: Interval, nowMs: number): number {
  const { lengthMs, offsetMs } = periodOf(interval);
  return Math.floor((nowMs - offsetMs) / lengthMs) * lengthMs + offsetMs;
}

/** The next rotation boundary after `nowMs`. */
export function nextBoundaryMs(interval: Interval, nowMs: number): number {
  return periodStartMs(interval, nowMs) + periodOf(interval).lengthMs;
}
