/**
 * The rotating file sink: JSON lines (or text lines) appended to a file,
 * rotated by size and/or time, rotated files optionally gzipped and pruned by
 * count and total bytes. Works on Deno, Bun and Node through a filesystem
 * adapter picked at start (or injected).
 *
 * ```ts
 * import { rotatingFile } from "./rotating_file.ts";
 * const sink = rotatingFile("logs/app.log", { rotation: "10 MB", retention: 7, compression: true, mode: "json" });
 * ```
 *
 * The same sink from a settings dict: `{type: "rotating_file", path: "logs/app.log", max_bytes: "10 MB"}`, or
 * from env: `FAPILOG_FILE__DIRECTORY=/var/log/app FAPILOG_FILE__MAX_BYTES="10 MB"` (see {@link rotatingFileSpec}).
 *
 * @module
 */

import { ConfigError, describeValue } from "../core/errors.ts";
import type { FsAdapter } from "../core/fs.ts";
import type { SinkTypeSpec } from "../core/settings.ts";
import { type Interval, parseBool, parseEnum, parseInteger, parseInterval, parseSize } from "../core/units.ts";
import { RotatingFileSink } from "./file_writer.ts";
import { joinPath } from "./rotation_naming.ts";

export { RotatingFileSink } from "./file_writer.ts";
export type { FileSinkCounters } from "./file_maintenance.ts";

/** The file name used when only a directory is configured (`FAPILOG_FILE__DIRECTORY`). */
export const DEFAULT_FILE_NAME = "fapilog.log";
/** The default size limit of the active file: 10 MiB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Options of {@link rotatingFile}. */
export interface RotatingFileOptions {
  /**
   * Rotate before a write would take the active file past this size: bytes,
   * or a size such as "10 MB" (1000-based) or "10 MiB" (1024-based). `0`
   * turns size rotation off. Default 10 MiB.
   */
  readonly rotation?: number | string;
  /**
   * Also rotate at UTC time boundaries: "hourly", "daily", "weekly" (Monday
   * 00:00 UTC), or every N seconds (a number, or a duration such as "30m"),
   * aligned to multiples of N since the epoch. Default: no time rotation.
   */
  readonly interval?: "hourly" | "daily" | "weekly" | number | string | Interval;
  /** Keep at most this many rotated files (newest first). Default: keep all. */
  readonly retention?: number;
  /** Keep the newest rotated files whose sizes add up to at most this: bytes or "1 GB". Default: no limit. */
  readonly maxTotalBytes?: number | string;
  /** Gzip rotated files (off the write path). Default false. */
  readonly compression?: boolean;
  /**
   * Deflate level of that gzip, 1 (fastest) to 9 (smallest), with `node:zlib`
   * (Deno, Bun and Node have it; elsewhere `CompressionStream` is used). Level
   * 1 keeps up with a busy logger where the default cannot. Has no effect
   * without `compression`. Default: unset, `CompressionStream("gzip")`, whose
   * level cannot be chosen.
   */
  readonly compressionLevel?: number;
  /** "json": one JSON envelope per line (default); "text": `timestamp | LEVEL | logger | message key=value`. */
  readonly mode?: "json" | "text";
  /** fsync the file after every batch (and rotated files before they are compressed). Default false. */
  readonly fsync?: boolean;
  /** The sink's name in stats and diagnostics. Default "rotating_file". */
  readonly name?: string;
  /** A filesystem adapter to use instead of the runtime's (custom drivers, fault injection in tests). */
  readonly fs?: FsAdapter;
}

function toInterval(value: unknown): Interval | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && typeof (value as { everyMs?: unknown }).everyMs === "number") {
    const everyMs = (value as { everyMs: number }).everyMs;
    if (Number.isFinite(everyMs) && everyMs > 0) return { everyMs };
    throw new ConfigError("interval", `the interval must be greater than zero, got ${describeValue(value)}`);
  }
  return parseInterval(value, "interval");
}

/**
 * A sink that appends entries to `path` and rotates it. The directory is
 * created if missing; a restart appends to the existing file. Rotated files
 * are named `app.2026-11-24T05-00-00.123Z.0001.log` (+ `.gz`): unique and
 * sorted by rotation time. Throws `ConfigError` on a bad option.
 *
 * @example
 * ```ts
 * import { rotatingFile } from "./rotating_file.ts";
 * const sink = rotatingFile("logs/app.log", { rotation: "10 MB", retention: 7, compression: true });
 * ```
 */
export function rotatingFile(path: string, options: RotatingFileOptions = {}): RotatingFileSink {
  if (typeof path !== "string" || path === "" || /[/\\]$/.test(path)) {
    throw new ConfigError("path", `expected a file path such as "logs/app.log", got ${describeValue(path)}`);
  }
  const maxBytes = options.rotation === undefined ? DEFAULT_MAX_BYTES : parseSize(options.rotation, "rotation");
  const retention = options.retention === undefined ? undefined : parseInteger(options.retention, "retention");
  const maxTotalBytes = options.maxTotalBytes === undefined
    ? undefined
    : parseSize(options.maxTotalBytes, "maxTotalBytes");
  return new RotatingFileSink({
    name: options.name ?? "rotating_file",
    path,
    maxBytes,
    interval: toInterval(options.interval),
    retention,
    maxTotalBytes,
    compression: options.compression === undefined ? false : parseBool(options.compression, "compression"),
    compressionLevel: options.compressionLevel === undefined
      ? undefined
      : parseInteger(options.compressionLevel, "compressionLevel", 1, 9),
    mode: options.mode === undefined ? "json" : parseEnum(options.mode, "mode", ["json", "text"] as const),
    fsync: options.fsync === undefined ? false : parseBool(options.fsync, "fsync"),
    fs: options.fs,
  });
}

function pathOf(options: Record<string, unknown>): string {
  if (typeof options.path === "string") return options.path;
  if (typeof options.directory === "string") {
    return joinPath(options.directory, typeof options.filename === "string" ? options.filename : DEFAULT_FILE_NAME);
  }
  throw new ConfigError(
    "path",
    'a rotating_file sink needs "path" (e.g. "logs/app.log") or "directory" (FAPILOG_FILE__DIRECTORY)',
  );
}

/**
 * Settings of the `rotating_file` sink type: dict keys, their env variables
 * (`FAPILOG_FILE__*`, as in the original) and the factory options they set.
 * `create` calls {@link rotatingFile}.
 */
export const rotatingFileSpec: SinkTypeSpec = {
  type: "rotating_file",
  fields: [
    { key: "path", option: "path", kind: "string", doc: "Path of the active file; rotated files go beside it." },
    {
      key: "directory",
      option: "directory",
      kind: "string",
      env: "FAPILOG_FILE__DIRECTORY",
      doc: "Directory of the log file (used with filename when path is not given); created if missing.",
    },
    {
      key: "filename",
      option: "filename",
      kind: "string",
      env: "FAPILOG_FILE__FILENAME",
      default: DEFAULT_FILE_NAME,
      doc: "File name of the active file inside directory.",
    },
    {
      key: "rotation",
      option: "rotation",
      kind: "size",
      aliases: ["max_bytes"],
      env: "FAPILOG_FILE__MAX_BYTES",
      default: "10 MiB",
      doc: "Rotate before the active file would pass this size; 0 turns size rotation off.",
    },
    {
      key: "interval",
      option: "interval",
      kind: "interval",
      aliases: ["interval_seconds"],
      env: "FAPILOG_FILE__INTERVAL_SECONDS",
      doc: 'Also rotate at UTC boundaries: "hourly", "daily", "weekly", or every N seconds.',
    },
    {
      key: "retention",
      option: "retention",
      kind: "int",
      aliases: ["max_files"],
      env: "FAPILOG_FILE__MAX_FILES",
      doc: "Rotated files to keep (newest first); unset keeps all.",
    },
    {
      key: "max_total_bytes",
      option: "maxTotalBytes",
      kind: "size",
      env: "FAPILOG_FILE__MAX_TOTAL_BYTES",
      doc: "Keep the newest rotated files whose sizes add up to at most this; unset means no limit.",
    },
    {
      key: "compression",
      option: "compression",
      kind: "bool",
      aliases: ["compress_rotated"],
      env: "FAPILOG_FILE__COMPRESS_ROTATED",
      default: "false",
      doc: "Gzip rotated files, in the background.",
    },
    {
      key: "compression_level",
      option: "compressionLevel",
      kind: "int",
      min: 1,
      max: 9,
      env: "FAPILOG_FILE__COMPRESSION_LEVEL",
      doc: "Deflate level of that gzip, 1 (fastest) to 9 (smallest), with node:zlib; unset uses CompressionStream.",
    },
    {
      key: "mode",
      option: "mode",
      kind: "enum",
      values: ["json", "text"],
      env: "FAPILOG_FILE__MODE",
      default: "json",
      doc: "json: one JSON envelope per line; text: one readable line (timestamp, level, logger, message, key=value).",
    },
    {
      key: "fsync",
      option: "fsync",
      kind: "bool",
      env: "FAPILOG_FILE__FSYNC",
      default: "false",
      doc: "fsync after every batch, for durability at some cost in throughput.",
    },
    { key: "name", option: "name", kind: "string", default: "rotating_file", doc: "The sink's name in stats." },
  ],
  fromEnv(options) {
    const { directory: _d, filename: _f, ...rest } = options;
    return { ...rest, path: pathOf(options) };
  },
  create(options) {
    return rotatingFile(pathOf(options), {
      rotation: options.rotation as number | undefined,
      interval: options.interval as Interval | undefined,
      retention: options.retention as number | undefined,
      maxTotalBytes: options.maxTotalBytes as number | undefined,
      compression: options.compression as boolean | undefined,
      compressionLevel: options.compressionLevel as number | undefined,
      mode: options.mode as "json" | "text" | undefined,
      fsync: options.fsync as boolean | undefined,
      name: options.name as string | undefined,
    });
  },
};
