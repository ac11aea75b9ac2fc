/**
 * Enrichers add to `diagnostics`. The built-in runtime enricher adds
 * service, env, host, pid and runtime (computed once per logger); custom
 * enrichers are functions that may change the entry.
 *
 * @module
 */

import { hostName, processId, runtimeLabel } from "./runtime.ts";
import type { LogEntry } from "./types.ts";

/** A custom enricher: changes the entry in place (its return value is ignored). */
export type Enricher = (entry: LogEntry) => void;

/** The runtime facts added to every entry's diagnostics. */
export interface RuntimeInfo {
  readonly service: string;
  readonly env: string;
  readonly host?: string;
  readonly pid?: number;
  readonly runtime: string;
}

/** Collect runtime info once. */
export function runtimeInfo(service: string, env: string): RuntimeInfo {
  const info: { service: string; env: string; host?: string; pid?: number; runtime: string } = {
    service,
    env,
    runtime: runtimeLabel(),
  };
  const host = hostName();
  if (host !== undefined) info.host = host;
  const pid = processId();
  if (pid !== undefined) info.pid = pid;
  return Object.freeze({
    service: info.service,
    env: info.env,
    ...(info.host !== undefined ? { host: info.host } : {}),
    ...(info.pid !== undefined ? { pid: info.pid } : {}),
    runtime: info.runtime,
  });
}
