/**
 * The envelope, captured at call time: timestamp, level, logger, message,
 * fields (a shallow copy, so later mutation by the caller does not change
 * what was logged) and the request context of the caller.
 *
 * @module
 */

import type { ContextSnapshot } from "./context.ts";
import type { ExceptionInfo, LevelName, LogEntry } from "./types.ts";

/** A queued record: what the log call captured. Internal. */
export interface Rec {
  readonly ts: number;
  readonly levelNo: number;
  readonly level: LevelName;
  readonly logger: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
  readonly ctx: ContextSnapshot | undefined;
  readonly exception: ExceptionInfo | undefined;
  /** Approximate bytes, for the queue's byte bound. */
  readonly size: number;
  /** fapilog's own entry (the dropped-entries warning): not filtered. */
  readonly internal?: boolean;
}

/** Fixed part of an entry's size estimate (envelope, ids, diagnostics). */
export const BASE_SIZE = 320;

/**
 * Merge bound fields and call fields into a fresh object (a shallow copy:
 * later mutation by the caller does not change what was logged). Never
 * throws: a throwing getter becomes a marker value.
 */
export function copyFields(
  bound: Record<string, unknown> | undefined,
  fields: Record<string, unknown> | undefined | null,
): Record<string, unknown> | undefined {
  if (fields === undefined || fields === null) return bound === undefined ? undefined : { ...bound };
  if (typeof fields !== "object") return bound === undefined ? { value: fields } : { ...bound, value: fields };
  try {
    return bound === undefined ? { ...fields } : { ...bound, ...fields };
  } catch {
    const out: Record<string, unknown> = bound === undefined ? {} : { ...bound };
    let keys: string[];
    try {
      keys = Object.keys(fields);
    } catch (e) {
      out._unreadable = `[fields unreadable: ${e instanceof Error ? e.message : String(e)}]`;
      return out;
    }
    for (const k of keys) {
      try {
        out[k] = fields[k];
      } catch (e) {
        out[k] = `[getter threw: ${e instanceof Error ? e.message : String(e)}]`;
      }
    }
    return out;
  }
}

/** Approximate bytes of the fields (top level; nested objects count a flat 64). */
export function fieldsSize(fields: Record<string, unknown>): number {
  let size = 0;
  for (const k in fields) {
    const v = fields[k];
    size += k.length + (typeof v === "string" ? v.length : typeof v === "object" && v !== null ? 64 : 8);
  }
  return size;
}

/** The message as a string, whatever the caller passed. */
export function messageText(message: unknown): string {
  if (typeof message === "string") return message;
  try {
    return String(message);
  } catch {
    return "[unprintable message]";
  }
}

/** Build the public envelope of a processed record. */
export function materialize(
  rec: Rec,
  exception: ExceptionInfo | undefined,
  message: string,
  data: Record<string, unknown>,
  messageId: string,
  timestamp: string,
  diagnostics: Record<string, unknown>,
): LogEntry {
  const ctx = rec.ctx;
  const context: LogEntry["context"] = { message_id: messageId, correlation_id: ctx?.correlation_id ?? null };
  if (ctx) {
    if (ctx.request_id !== undefined) context.request_id = ctx.request_id;
    if (ctx.user_id !== undefined) context.user_id = ctx.user_id;
    if (ctx.tenant_id !== undefined) context.tenant_id = ctx.tenant_id;
    if (ctx.trace_id !== undefined) context.trace_id = ctx.trace_id;
    if (ctx.span_id !== undefined) context.span_id = ctx.span_id;
  }
  return {
    timestamp,
    level: rec.level,
    message,
    logger: rec.logger,
    context,
    diagnostics: exception ? { ...diagnostics, exception } : diagnostics,
    data,
  };
}
