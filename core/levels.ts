/**
 * Levels: DEBUG 10, INFO 20, WARNING 30, ERROR 40, CRITICAL 50, AUDIT 60,
 * SECURITY 70. ERROR and above are "protected": they keep reserved room in
 * the queue and are exempt from sampling and rate limiting.
 *
 * @module
 */

import { ConfigError, describeValue } from "./errors.ts";
import type { LevelName } from "./types.ts";

/** Numeric value of each level. */
export const LEVELS: Readonly<Record<LevelName, number>> = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
  AUDIT: 60,
  SECURITY: 70,
};

/** Level names, most verbose first. */
export const LEVEL_NAMES: readonly LevelName[] = [
  "DEBUG",
  "INFO",
  "WARNING",
  "ERROR",
  "CRITICAL",
  "AUDIT",
  "SECURITY",
];

/** The lowest protected level. */
export const PROTECTED_LEVEL = LEVELS.ERROR;

/**
 * Parse a level name (case-insensitive; `WARN` means WARNING) or number.
 *
 * @example
 * ```ts
 * import { parseLevel } from "./levels.ts";
 * parseLevel("warn", "level"); // "WARNING"
 * ```
 */
export function parseLevel(value: unknown, key: string): LevelName {
  if (typeof value === "string") {
    const v = value.trim().toUpperCase();
    if (v === "WARN") return "WARNING";
    if (v in LEVELS) return v as LevelName;
  }
  if (typeof value === "number") {
    for (const name of LEVEL_NAMES) if (LEVELS[name] === value) return name;
  }
  throw new ConfigError(
    key,
    `expected a level (${LEVEL_NAMES.join(", ")}, or WARN), got ${describeValue(value)}`,
  );
}
