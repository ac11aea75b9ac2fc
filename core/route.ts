/**
 * Routing: which sinks receive which levels. Without rules every sink gets
 * every entry. With rules, an entry goes to the union of the sinks of every
 * rule that matches its level, or to `routingFallback` when none matches.
 * The table is computed once per logger, one row per level.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import { LEVEL_NAMES, LEVELS, parseLevel } from "./levels.ts";
import type { LevelName } from "./types.ts";

/** A routing rule: these levels (or this level and above) go to these sinks. */
export interface RouteRule {
  /** Sink names. */
  readonly sinks: readonly string[];
  /** Exact levels matched. */
  readonly levels?: readonly LevelName[];
  /** Lowest level matched (inclusive). */
  readonly minLevel?: LevelName;
  /** Highest level matched (inclusive). */
  readonly maxLevel?: LevelName;
}

/** For each level index (DEBUG = 0 ... SECURITY = 6), the indexes of the sinks it goes to. */
export type RouteTable = readonly (readonly number[])[];

/** Build the routing table; `null` means "every level to every sink". */
export function buildRouteTable(
  sinkNames: readonly string[],
  rules: readonly RouteRule[] | undefined,
  fallbackSinks: readonly string[] | undefined,
): RouteTable | null {
  if (!rules || rules.length === 0) return null;
  const indexOf = (name: string, where: string): number => {
    const i = sinkNames.indexOf(name);
    if (i < 0) {
      throw new ConfigError(where, `no sink is named "${name}"; sink names are: ${sinkNames.join(", ")}`);
    }
    return i;
  };
  const table: number[][] = LEVEL_NAMES.map(() => []);
  rules.forEach((rule, r) => {
    const levels = rule.levels?.map((l, i) => parseLevel(l, `routing[${r}].levels[${i}]`));
    const min = rule.minLevel ? LEVELS[parseLevel(rule.minLevel, `routing[${r}].minLevel`)] : -Infinity;
    const max = rule.maxLevel ? LEVELS[parseLevel(rule.maxLevel, `routing[${r}].maxLevel`)] : Infinity;
    const targets = rule.sinks.map((s, i) => indexOf(s, `routing[${r}].sinks[${i}]`));
    LEVEL_NAMES.forEach((name, li) => {
      const v = LEVELS[name];
      const matches = levels ? levels.includes(name) && v >= min && v <= max : v >= min && v <= max;
      if (matches) { for (const t of targets) if (!table[li].includes(t)) table[li].push(t); }
    });
  });
  const fallback = (fallbackSinks ?? sinkNames).map((s, i) => indexOf(s, `routingFallback[${i}]`));
  for (const row of table) if (row.length === 0) row.push(...fallback);
  return table;
}

/** Level index in {@link LEVEL_NAMES} from a level number. */
export function levelIndex(levelNo: number): number {
  return Math.min(6, Math.max(0, Math.floor(levelNo / 10) - 1));
}
